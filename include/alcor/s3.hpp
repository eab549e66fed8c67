// An S3-compatible object store client (docs/operations.md "Several machines"): what `alcor push`,
// `alcor pull` and `--store s3://BUCKET/PREFIX` talk to. Requests go through libcurl (src/net/),
// signed with AWS Signature V4 (CURLOPT_AWS_SIGV4) and always carrying x-amz-content-sha256 (the
// payload's digest, which the server checks), path-style (ENDPOINT/BUCKET/KEY), so any endpoint
// works: AWS, MinIO, Ceph, OpenStack Swift's S3 API.
//
// Credentials come from the ecosystem's environment variables (S3OptionsFromEnvironment) or from
// a configuration's "object_store" section with ${ENV} values (S3OptionsFromConfig). The secret
// key and session token are added to the secret registry (alcor/secrets.hpp) as soon as they are
// read, so no log line or message ever shows them; messages name the bucket and key only.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "alcor/status.hpp"

namespace alcor {

// "s3://BUCKET/PREFIX": where a store lives in a bucket. The prefix has no leading or trailing
// '/' ("" for the bucket's root).
struct S3Url {
  std::string bucket;
  std::string prefix;
  // InvalidArgument (naming the text) unless text is s3://BUCKET[/PREFIX] with a bucket name of
  // 3-63 characters of a-z 0-9 . - and a prefix without "." or ".." segments.
  static Result<S3Url> Parse(std::string_view text);
  // The object key of a path relative to the prefix ("manifest.json" → "PREFIX/manifest.json").
  std::string Key(std::string_view relative) const;
  std::string ToString() const;  // "s3://BUCKET/PREFIX"
};
bool IsS3Url(std::string_view text);

struct S3Options {
  std::string endpoint;  // "https://s3.example.org" or "http://127.0.0.1:8080"; required
  std::string region = "us-east-1";
  std::string access_key_id;
  std::string secret_access_key;  // a secret: never logged
  std::string session_token;      // optional (temporary credentials); a secret
  // Sent as x-amz-server-side-encryption on every upload when set ("AES256", "aws:kms").
  std::string server_side_encryption;
  // Attempts per request (network errors, 5xx, 429/503 "slow down"), with exponential backoff
  // from retry_base_ms (doubling, plus jitter).
  int max_attempts = 6;
  int64_t retry_base_ms = 200;
  // Objects larger than this go up in parts of part_size (S3 allows 5 MiB to 5 GiB per part).
  uint64_t multipart_threshold = uint64_t{64} << 20;
  uint64_t part_size = uint64_t{16} << 20;
  int64_t connect_timeout_ms = 10'000;
  // A transfer slower than 1 KiB/s for this long is abandoned (and retried).
  int64_t stall_timeout_s = 60;
};

// Fills options from AWS_ENDPOINT_URL, AWS_REGION (else AWS_DEFAULT_REGION), AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN where they are set; registers the secrets.
void S3OptionsFromEnvironment(S3Options* options);
// Applies a configuration's "object_store" section: {"endpoint", "region", "access_key_id",
// "secret_access_key", "session_token", "server_side_encryption"}, each a string that may hold
// ${ENV} references (expanded; the credentials are secrets). Unknown keys, wrong types and unset
// variables are InvalidArgument naming where ("object_store.region").
Status S3OptionsFromConfig(const nlohmann::json& section, std::string_view where, S3Options* options);

// What a listing or a HEAD says of an object.
struct S3ObjectInfo {
  std::string key;
  uint64_t size = 0;
  std::string etag;
  // The x-amz-meta-sha256 alcor sets on every object it uploads (HEAD and GET only; "" when absent).
  std::string sha256;
};

struct S3PutOptions {
  // Stored as x-amz-meta-sha256 (the object's own digest; for a multipart upload, of the whole
  // object), so a later push or pull can tell what an object holds without reading it.
  std::string sha256;
  // Create only when no object has this key (If-None-Match: *). A server that does not honour
  // the condition answers NotSupported (501), and nothing was written.
  bool if_absent = false;
  std::string content_type = "application/octet-stream";
};

// One bucket of one endpoint. Thread safe: requests from many threads run concurrently, each on a
// pooled connection.
class S3Client {
 public:
  // InvalidArgument when the endpoint or the credentials are missing, naming the variable to set.
  static Status Open(const S3Options& options, std::string bucket, std::unique_ptr<S3Client>* client);
  ~S3Client();

  const std::string& bucket() const;
  const S3Options& options() const;

  // NotFound when there is no such object.
  Status Head(const std::string& key, S3ObjectInfo* info);
  // The whole object, up to max_bytes (LimitExceeded beyond). NotFound when there is none.
  Status Get(const std::string& key, std::string* body, uint64_t max_bytes, S3ObjectInfo* info = nullptr);
  // length bytes from offset (fewer at the end of the object).
  Status GetRange(const std::string& key, uint64_t offset, uint64_t length, std::string* body);
  // Streams the object into sink, chunk by chunk. Before a retry that follows a partial transfer,
  // restart() is called (the sink starts over). info receives what the answer's headers said.
  Status GetStream(const std::string& key, const std::function<Status(std::string_view)>& sink,
                   const std::function<Status()>& restart, S3ObjectInfo* info = nullptr);
  Status Put(const std::string& key, std::string_view body, const S3PutOptions& options = {});
  // Uploads a file of `size` bytes; a multipart upload above multipart_threshold (a failed one is
  // aborted). options.sha256, when given, is the file's digest (else it is computed).
  Status PutFile(const std::string& key, const std::string& path, const S3PutOptions& options = {});
  // Every object whose key starts with prefix, in key order.
  Status List(const std::string& prefix, std::vector<S3ObjectInfo>* objects);
  // Deleting a missing object is not an error.
  Status Delete(const std::string& key);
  // Creates the bucket (private); an existing bucket of the caller's is not an error.
  Status CreateBucket();

  struct Impl;

 private:
  explicit S3Client(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

class Env;
// A read-only Env over the objects under root: the path "s3://BUCKET/PREFIX/x/y" is the object
// "PREFIX/x/y", a folder is a key prefix, files read in ranged GETs of 8 MiB (memory stays one
// chunk), every object is private (mode 0600). Writing, renaming, removing and locking are
// NotSupported. The prefix is listed once, on first use; an object not in that listing is looked
// up with HEAD. So Store::Open(env, "s3://BUCKET/PREFIX", read_only) and the readers of a store
// (ScanStore, ValidateStore) work on a bucket. REQUIRES: client outlives the Env.
std::unique_ptr<Env> NewS3ReadEnv(S3Client* client, const S3Url& root);

}  // namespace alcor
