// S3Client: S3-compatible object storage over libcurl, signed with SigV4 (alcor/s3.hpp).
#include "alcor/s3.hpp"

#include <curl/curl.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <random>
#include <thread>

#include <pugixml.hpp>
#include <spdlog/spdlog.h>

#include "alcor/hash.hpp"
#include "alcor/http.hpp"
#include "alcor/secrets.hpp"
#include "alcor/strings.hpp"
#include "alcor/suggest.hpp"

namespace alcor {

// --- s3:// URLs ----------------------------------------------------------------------------------

bool IsS3Url(std::string_view text) { return text.substr(0, 5) == "s3://"; }

Result<S3Url> S3Url::Parse(std::string_view text) {
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument(std::string(text) + ": not an s3://BUCKET/PREFIX address: " + why);
  };
  if (!IsS3Url(text)) return bad("it does not start with s3://");
  std::string_view rest = text.substr(5);
  size_t slash = rest.find('/');
  S3Url url;
  url.bucket = std::string(rest.substr(0, slash));
  if (url.bucket.size() < 3 || url.bucket.size() > 63) return bad("a bucket name has 3 to 63 characters");
  for (char c : url.bucket) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-'))
      return bad("a bucket name has only a-z, 0-9, '.' and '-'");
  }
  std::string_view prefix = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
  while (!prefix.empty() && prefix.back() == '/') prefix.remove_suffix(1);
  for (size_t start = 0; start <= prefix.size() && !prefix.empty();) {
    size_t end = std::min(prefix.find('/', start), prefix.size());
    std::string_view segment = prefix.substr(start, end - start);
    if (segment.empty() || segment == "." || segment == "..")
      return bad("the prefix has an empty, '.' or '..' segment");
    start = end + 1;
  }
  url.prefix = std::string(prefix);
  return url;
}

std::string S3Url::Key(std::string_view relative) const {
  return prefix.empty() ? std::string(relative) : prefix + "/" + std::string(relative);
}

std::string S3Url::ToString() const { return "s3://" + bucket + (prefix.empty() ? "" : "/" + prefix); }

// --- options -------------------------------------------------------------------------------------

void S3OptionsFromEnvironment(S3Options* options) {
  auto take = [](const char* name, std::string* into, bool secret) {
    const char* v = std::getenv(name);
    if (v == nullptr || *v == '\0') return false;
    *into = v;
    if (secret) SecretRegistry::Global()->Add(*into, name);
    return true;
  };
  take("AWS_ENDPOINT_URL", &options->endpoint, false);
  if (!take("AWS_REGION", &options->region, false)) take("AWS_DEFAULT_REGION", &options->region, false);
  take("AWS_ACCESS_KEY_ID", &options->access_key_id, false);
  take("AWS_SECRET_ACCESS_KEY", &options->secret_access_key, true);
  take("AWS_SESSION_TOKEN", &options->session_token, true);
}

Status S3OptionsFromConfig(const nlohmann::json& section, std::string_view where, S3Options* options) {
  const std::string at(where);
  if (!section.is_object()) return Status::InvalidArgument(at + ": must be an object");
  struct Field {
    const char* name;
    std::string* into;
    bool secret;
  };
  const Field fields[] = {{"endpoint", &options->endpoint, false},
                          {"region", &options->region, false},
                          {"access_key_id", &options->access_key_id, false},
                          {"secret_access_key", &options->secret_access_key, true},
                          {"session_token", &options->session_token, true},
                          {"server_side_encryption", &options->server_side_encryption, false}};
  std::vector<std::string> names;
  for (const Field& f : fields) names.push_back(f.name);
  for (const auto& [key, value] : section.items()) {
    const Field* field = nullptr;
    for (const Field& f : fields)
      if (key == f.name) field = &f;
    if (field == nullptr) return Status::InvalidArgument(at + "." + key + ": unknown key" + DidYouMean(key, names));
    if (!value.is_string()) return Status::InvalidArgument(at + "." + key + ": must be a string");
    Result<std::string> expanded = ExpandEnvReferences(value.get<std::string>());
    if (!expanded.ok()) return expanded.status().WithContext(at + "." + key);
    *field->into = std::move(expanded).value();
    // A credential written into the file itself is a secret all the same.
    if (field->secret) SecretRegistry::Global()->Add(*field->into);
  }
  return Status::OK();
}

// --- requests ------------------------------------------------------------------------------------

namespace s3_client_internal {

// S3's encoding of a key in a path (and of query values): unreserved characters kept, everything
// else %XX in upper case; '/' kept in keys. SigV4 signs the path as sent, so this must be the
// canonical form.
std::string UriEncode(std::string_view text, bool keep_slash) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~' || (keep_slash && c == '/')) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

// A canonical query (sorted by name, every name with '=', values encoded), which libcurl 7.88
// signs as it is sent.
std::string CanonicalQuery(std::vector<std::pair<std::string, std::string>> params) {
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out += '&';
    out += UriEncode(name, false) + "=" + UriEncode(value, false);
  }
  return out;
}

const char kEmptySha256[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

struct Request {
  std::string method = "GET";
  std::string key;  // "" for the bucket itself
  std::vector<std::pair<std::string, std::string>> query;
  std::vector<std::string> headers;  // "Name: value"
  std::string_view body;             // PUT/POST payload in memory
  std::string payload_sha256;        // of body; computed when empty
  // Streamed answers: every chunk of a 2xx body goes to sink (else into Response::body up to
  // max_body); restart is called before a retry.
  std::function<Status(std::string_view)> sink;
  std::function<Status()> restart;
  uint64_t max_body = uint64_t{16} << 20;
};

struct Response {
  long status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string Header(std::string_view name) const {
    for (const auto& [n, v] : headers)
      if (n == name) return v;
    return "";
  }
};

// One transfer's state, seen by libcurl's callbacks.
struct S3Transfer {
  const Request* request = nullptr;
  Response* response = nullptr;
  size_t body_offset = 0;  // of the upload
  Status sink_status;
  bool body_too_large = false;
};

size_t OnS3Header(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<S3Transfer*>(user);
  size_t len = size * count;
  std::string_view line(data, len);
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
  if (line.substr(0, 5) == "HTTP/") {
    // A new response (after 100 Continue): its status is needed before its body arrives.
    t->response->headers.clear();
    size_t space = line.find(' ');
    t->response->status =
        space == std::string_view::npos ? 0 : std::atol(std::string(line.substr(space + 1, 3)).c_str());
    return len;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos || t->response->headers.size() >= 200) return len;
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  t->response->headers.emplace_back(AsciiLower(line.substr(0, colon)), std::string(value));
  return len;
}

size_t OnS3Body(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<S3Transfer*>(user);
  size_t len = size * count;
  // Error bodies are always kept (for the message).
  const bool success = t->response->status >= 200 && t->response->status < 300;
  if (success && t->request->sink) {
    t->sink_status = t->request->sink(std::string_view(data, len));
    return t->sink_status.ok() ? len : 0;
  }
  if (t->response->body.size() + len > t->request->max_body) {
    t->body_too_large = true;
    return 0;
  }
  t->response->body.append(data, len);
  return len;
}

size_t OnS3Upload(char* buffer, size_t size, size_t count, void* user) {
  auto* t = static_cast<S3Transfer*>(user);
  size_t n = std::min(size * count, t->request->body.size() - t->body_offset);
  std::memcpy(buffer, t->request->body.data() + t->body_offset, n);
  t->body_offset += n;
  return n;
}

// The <Code> and <Message> of an S3 error document, "" when body is none.
std::string ErrorSummary(const std::string& body) {
  pugi::xml_document doc;
  if (!doc.load_buffer(body.data(), body.size())) return "";
  pugi::xml_node error = doc.child("Error");
  if (!error) return "";
  std::string code = error.child_value("Code");
  std::string message = error.child_value("Message");
  return message.empty() ? code : code + ": " + message;
}

bool Retryable(long status) { return status == 0 || status == 408 || status == 429 || (status >= 500 && status != 501); }

}  // namespace s3_client_internal

using namespace s3_client_internal;

struct S3Client::Impl {
  S3Options options;
  std::string bucket;
  std::string sigv4;
  std::mutex mu;
  std::vector<CURL*> idle;  // guarded by mu: handles keep their connections between requests

  ~Impl() {
    for (CURL* e : idle) curl_easy_cleanup(e);
  }

  CURL* Acquire() {
    std::lock_guard<std::mutex> lock(mu);
    if (idle.empty()) return curl_easy_init();
    CURL* e = idle.back();
    idle.pop_back();
    curl_easy_reset(e);
    return e;
  }
  void Release(CURL* e) {
    std::lock_guard<std::mutex> lock(mu);
    idle.push_back(e);
  }

  std::string Describe(const Request& r) const {
    return r.method + " s3://" + bucket + (r.key.empty() ? "" : "/" + r.key);
  }

  // One attempt. Returns the transport status (Network on a failed transfer).
  Status Attempt(const Request& r, Response* response) {
    *response = Response();
    CURL* e = Acquire();
    if (e == nullptr) return Status::Internal("curl_easy_init failed");
    std::string url = options.endpoint;
    while (!url.empty() && url.back() == '/') url.pop_back();
    url += "/" + UriEncode(bucket, false);
    if (!r.key.empty()) url += "/" + UriEncode(r.key, true);
    std::string query = CanonicalQuery(r.query);
    if (!query.empty()) url += "?" + query;

    S3Transfer t;
    t.request = &r;
    t.response = response;
    curl_slist* headers = nullptr;
    const std::string payload_hash =
        !r.payload_sha256.empty() ? r.payload_sha256 : (r.body.empty() ? kEmptySha256 : Sha256Hex(r.body));
    headers = curl_slist_append(headers, ("x-amz-content-sha256: " + payload_hash).c_str());
    if (!options.session_token.empty())
      headers = curl_slist_append(headers, ("x-amz-security-token: " + options.session_token).c_str());
    for (const std::string& h : r.headers) headers = curl_slist_append(headers, h.c_str());

    curl_easy_setopt(e, CURLOPT_URL, url.c_str());
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(e, CURLOPT_AWS_SIGV4, sigv4.c_str());
    curl_easy_setopt(e, CURLOPT_USERNAME, options.access_key_id.c_str());
    curl_easy_setopt(e, CURLOPT_PASSWORD, options.secret_access_key.c_str());
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.connect_timeout_ms));
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1024L);
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, static_cast<long>(options.stall_timeout_s));
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, OnS3Header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, &t);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, OnS3Body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &t);
    if (r.method == "HEAD") {
      curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    } else if (r.method == "PUT") {
      curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
      curl_easy_setopt(e, CURLOPT_READFUNCTION, OnS3Upload);
      curl_easy_setopt(e, CURLOPT_READDATA, &t);
      curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
    } else if (r.method == "POST") {
      curl_easy_setopt(e, CURLOPT_POST, 1L);
      curl_easy_setopt(e, CURLOPT_POSTFIELDS, r.body.data());
      curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
    } else if (r.method != "GET") {
      curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, r.method.c_str());
    }
    char error[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, error);
    CURLcode rc = curl_easy_perform(e);
    curl_slist_free_all(headers);
    Release(e);
    if (!t.sink_status.ok()) return t.sink_status;
    if (t.body_too_large)
      return Status::LimitExceeded(Describe(r) + ": the answer is larger than " + std::to_string(r.max_body) + " bytes");
    if (rc != CURLE_OK) {
      response->status = 0;
      return Status::Network(Describe(r) + ": " + (error[0] ? error : curl_easy_strerror(rc)));
    }
    return Status::OK();
  }


  // Runs r with retries; a final answer that is not 2xx becomes NotFound (404) or Http.
  Status Perform(const Request& r, Response* response) {
    std::mt19937_64 jitter(std::random_device{}());
    Status last;
    for (int attempt = 1;; ++attempt) {
      if (attempt > 1 && r.restart) ALCOR_RETURN_IF_ERROR(r.restart());
      Status s = Attempt(r, response);
      bool transport_failed = !s.ok();
      if (transport_failed && s.code() != Status::Code::kNetwork) return s;  // the sink's error, or a limit
      if (!transport_failed && response->status >= 200 && response->status < 300) return Status::OK();
      if (!transport_failed && !Retryable(response->status)) break;
      last = s;
      if (attempt >= options.max_attempts) break;
      int64_t delay = options.retry_base_ms << std::min(attempt - 1, 10);
      delay += static_cast<int64_t>(jitter() % static_cast<uint64_t>(std::max<int64_t>(1, delay / 4)));
      spdlog::debug("{}: {}; retrying in {} ms", Describe(r),
                    transport_failed ? s.message() : "HTTP " + std::to_string(response->status), delay);
      std::this_thread::sleep_for(std::chrono::milliseconds(delay));
    }
    if (response->status == 0) return last;
    std::string summary = ErrorSummary(response->body);
    std::string message = Describe(r) + ": HTTP " + std::to_string(response->status) +
                          (summary.empty() ? "" : " (" + RedactedExcerpt(summary, 300) + ")");
    if (response->status == 404) return Status::NotFound(message);
    if (response->status == 501) return Status::NotSupported(message);
    return Status::Http(static_cast<int>(response->status), message);
  }

  void FillInfo(const std::string& key, const Response& response, S3ObjectInfo* info) const {
    if (info == nullptr) return;
    info->key = key;
    info->size = std::strtoull(response.Header("content-length").c_str(), nullptr, 10);
    info->etag = response.Header("etag");
    info->sha256 = response.Header("x-amz-meta-sha256");
  }

  std::vector<std::string> UploadHeaders(const S3PutOptions& put) const {
    std::vector<std::string> headers = {"Content-Type: " + put.content_type};
    if (!put.sha256.empty()) headers.push_back("x-amz-meta-sha256: " + put.sha256);
    if (!options.server_side_encryption.empty())
      headers.push_back("x-amz-server-side-encryption: " + options.server_side_encryption);
    return headers;
  }

  Status PutMultipart(const std::string& key, int fd, uint64_t size, const S3PutOptions& put);
};

S3Client::S3Client(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
S3Client::~S3Client() = default;

Status S3Client::Open(const S3Options& options, std::string bucket, std::unique_ptr<S3Client>* client) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (options.endpoint.empty())
    return Status::InvalidArgument("no S3 endpoint: set AWS_ENDPOINT_URL, --endpoint or object_store.endpoint");
  if (options.endpoint.rfind("http://", 0) != 0 && options.endpoint.rfind("https://", 0) != 0)
    return Status::InvalidArgument("S3 endpoint " + options.endpoint + ": not an http:// or https:// URL");
  if (options.access_key_id.empty() || options.secret_access_key.empty())
    return Status::InvalidArgument(
        "no S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or object_store.access_key_id and "
        "object_store.secret_access_key)");
  if (options.part_size < (uint64_t{5} << 20)) return Status::InvalidArgument("S3 part size below 5 MiB");
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->bucket = std::move(bucket);
  impl->sigv4 = "aws:amz:" + options.region + ":s3";
  SecretRegistry::Global()->Add(options.secret_access_key);
  SecretRegistry::Global()->Add(options.session_token);
  client->reset(new S3Client(std::move(impl)));
  return Status::OK();
}

const std::string& S3Client::bucket() const { return impl_->bucket; }
const S3Options& S3Client::options() const { return impl_->options; }

Status S3Client::Head(const std::string& key, S3ObjectInfo* info) {
  Request r;
  r.method = "HEAD";
  r.key = key;
  Response response;
  ALCOR_RETURN_IF_ERROR(impl_->Perform(r, &response));
  impl_->FillInfo(key, response, info);
  return Status::OK();
}

Status S3Client::Get(const std::string& key, std::string* body, uint64_t max_bytes, S3ObjectInfo* info) {
  Request r;
  r.key = key;
  r.max_body = max_bytes;
  Response response;
  ALCOR_RETURN_IF_ERROR(impl_->Perform(r, &response));
  impl_->FillInfo(key, response, info);
  if (info != nullptr) info->size = response.body.size();
  *body = std::move(response.body);
  return Status::OK();
}

Status S3Client::GetRange(const std::string& key, uint64_t offset, uint64_t length, std::string* body) {
  body->clear();
  if (length == 0) return Status::OK();
  Request r;
  r.key = key;
  r.headers.push_back("Range: bytes=" + std::to_string(offset) + "-" + std::to_string(offset + length - 1));
  r.max_body = length;
  Response response;
  Status s = impl_->Perform(r, &response);
  if (s.http_status() == 416) return Status::OK();  // offset at or past the end: nothing
  ALCOR_RETURN_IF_ERROR(s);
  *body = std::move(response.body);
  return Status::OK();
}

Status S3Client::GetStream(const std::string& key, const std::function<Status(std::string_view)>& sink,
                           const std::function<Status()>& restart, S3ObjectInfo* info) {
  Request r;
  r.key = key;
  r.sink = sink;
  r.restart = restart;
  Response response;
  ALCOR_RETURN_IF_ERROR(impl_->Perform(r, &response));
  impl_->FillInfo(key, response, info);
  return Status::OK();
}

Status S3Client::Put(const std::string& key, std::string_view body, const S3PutOptions& options) {
  Request r;
  r.method = "PUT";
  r.key = key;
  r.body = body;
  r.headers = impl_->UploadHeaders(options);
  if (options.if_absent) r.headers.push_back("If-None-Match: *");
  Response response;
  return impl_->Perform(r, &response);
}

namespace s3_client_internal {

// Reads exactly n bytes at offset (fewer only at the end of the file).
Status ReadAt(int fd, uint64_t offset, size_t n, std::string* out, const std::string& path) {
  out->resize(n);
  size_t got = 0;
  while (got < n) {
    ssize_t k = pread(fd, out->data() + got, n - got, static_cast<off_t>(offset + got));
    if (k < 0 && errno == EINTR) continue;
    if (k < 0) return Status::IOErrorFromErrno("read", path, errno);
    if (k == 0) break;
    got += static_cast<size_t>(k);
  }
  out->resize(got);
  return Status::OK();
}

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) close(fd);
  }
};

}  // namespace s3_client_internal

Status S3Client::PutFile(const std::string& key, const std::string& path, const S3PutOptions& options) {
  Fd file;
  file.fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (file.fd < 0) return Status::IOErrorFromErrno("open", path, errno);
  off_t end = lseek(file.fd, 0, SEEK_END);
  if (end < 0) return Status::IOErrorFromErrno("seek", path, errno);
  const uint64_t size = static_cast<uint64_t>(end);
  S3PutOptions put = options;
  if (size > impl_->options.multipart_threshold) return impl_->PutMultipart(key, file.fd, size, put);
  std::string body;
  ALCOR_RETURN_IF_ERROR(ReadAt(file.fd, 0, size, &body, path));
  if (body.size() != size) return Status::IOError(path + ": changed size while being read");
  if (put.sha256.empty()) put.sha256 = Sha256Hex(body);
  Request r;
  r.method = "PUT";
  r.key = key;
  r.body = body;
  r.payload_sha256 = put.sha256;
  r.headers = impl_->UploadHeaders(put);
  Response response;
  return impl_->Perform(r, &response);
}

Status S3Client::Impl::PutMultipart(const std::string& key, int fd, uint64_t size, const S3PutOptions& put) {
  // The whole file's digest first (for x-amz-meta-sha256), unless the caller knows it.
  S3PutOptions meta = put;
  std::string part;
  if (meta.sha256.empty()) {
    Sha256 digest;
    for (uint64_t offset = 0; offset < size; offset += options.part_size) {
      ALCOR_RETURN_IF_ERROR(ReadAt(fd, offset, std::min<uint64_t>(options.part_size, size - offset), &part, key));
      digest.Update(part);
    }
    meta.sha256 = digest.FinishHex();
  }
  Request create;
  create.method = "POST";
  create.key = key;
  create.query = {{"uploads", ""}};
  create.headers = UploadHeaders(meta);
  Response response;
  ALCOR_RETURN_IF_ERROR(Perform(create, &response));
  pugi::xml_document doc;
  doc.load_buffer(response.body.data(), response.body.size());
  std::string upload_id = doc.child("InitiateMultipartUploadResult").child_value("UploadId");
  if (upload_id.empty()) return Status::Corruption(Describe(create) + ": no UploadId in the answer");

  auto abort_upload = [&] {
    Request abort;
    abort.method = "DELETE";
    abort.key = key;
    abort.query = {{"uploadId", upload_id}};
    Response ignored;
    Status s = Perform(abort, &ignored);
    if (!s.ok()) spdlog::warn("{}", s.ToString());
  };
  std::string complete = "<CompleteMultipartUpload>";
  int number = 1;
  for (uint64_t offset = 0; offset < size; offset += options.part_size, ++number) {
    Status s = ReadAt(fd, offset, std::min<uint64_t>(options.part_size, size - offset), &part, key);
    Request upload;
    upload.method = "PUT";
    upload.key = key;
    upload.query = {{"partNumber", std::to_string(number)}, {"uploadId", upload_id}};
    upload.body = part;
    if (s.ok()) s = Perform(upload, &response);
    if (!s.ok()) {
      abort_upload();
      return s;
    }
    complete += "<Part><PartNumber>" + std::to_string(number) + "</PartNumber><ETag>" + response.Header("etag") +
                "</ETag></Part>";
  }
  complete += "</CompleteMultipartUpload>";
  Request finish;
  finish.method = "POST";
  finish.key = key;
  finish.query = {{"uploadId", upload_id}};
  finish.body = complete;
  finish.headers = {"Content-Type: application/xml"};
  Status s = Perform(finish, &response);
  // A 200 answer may still carry an error document (S3 reports late failures so).
  if (s.ok() && response.body.find("<Error>") != std::string::npos)
    s = Status::Http(500, Describe(finish) + ": " + ErrorSummary(response.body));
  if (!s.ok()) abort_upload();
  return s;
}

Status S3Client::List(const std::string& prefix, std::vector<S3ObjectInfo>* objects) {
  objects->clear();
  std::string marker;
  for (;;) {
    Request r;
    r.query = {{"prefix", prefix}};
    if (!marker.empty()) r.query.emplace_back("marker", marker);
    Response response;
    ALCOR_RETURN_IF_ERROR(impl_->Perform(r, &response));
    pugi::xml_document doc;
    if (!doc.load_buffer(response.body.data(), response.body.size()))
      return Status::Corruption(impl_->Describe(r) + ": the listing is not XML");
    pugi::xml_node result = doc.child("ListBucketResult");
    std::string last;
    for (pugi::xml_node c : result.children("Contents")) {
      S3ObjectInfo info;
      info.key = c.child_value("Key");
      info.size = std::strtoull(c.child_value("Size"), nullptr, 10);
      info.etag = c.child_value("ETag");
      last = info.key;
      objects->push_back(std::move(info));
    }
    if (std::string(result.child_value("IsTruncated")) != "true" || last.empty()) break;
    marker = result.child_value("NextMarker");
    if (marker.empty()) marker = last;
  }
  return Status::OK();
}

Status S3Client::Delete(const std::string& key) {
  Request r;
  r.method = "DELETE";
  r.key = key;
  Response response;
  Status s = impl_->Perform(r, &response);
  return s.IsNotFound() ? Status::OK() : s;
}

Status S3Client::CreateBucket() {
  Request r;
  r.method = "PUT";
  Response response;
  Status s = impl_->Perform(r, &response);
  if (s.http_status() == 409 && response.body.find("BucketAlreadyOwnedByYou") != std::string::npos) return Status::OK();
  return s;
}

}  // namespace alcor
