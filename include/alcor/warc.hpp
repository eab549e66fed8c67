// WARC/1.1 records (ISO 28500), the form of the store's raw archive (docs/architecture.md "The raw
// archive"): the bytes a record was made from, kept so that `alcor rebuild` can convert them again
// without the network and `alcor raw` can hand them back.
//
// A raw archive file is a sequence of gzip members, one per WARC record, so any record can be read
// alone from its offset and every standard WARC reader reads the file. Two record types are
// written: `response` (fetched bytes: the block is an HTTP status line, header lines and the
// payload) and `resource` (a local file: the block is the payload). Every record carries
// WARC-Record-ID, WARC-Date, WARC-Target-URI, Content-Type, Content-Length, WARC-Payload-Digest and
// WARC-Block-Digest (both "sha256:<64 hex digits>").
//
// Reading is bounded like every parser of stored or fetched bytes (docs/security.md): a record's
// header is at most kMaxWarcHeaderBytes, its decompressed member at most kMaxWarcMemberBytes. Every
// error names the file and the member's offset ("raw/blog/x.warc.gz@1234: ...").
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "alcor/env.hpp"
#include "alcor/status.hpp"

namespace alcor {

inline constexpr size_t kMaxWarcHeaderBytes = size_t{64} << 10;
inline constexpr uint64_t kMaxWarcMemberBytes = uint64_t{1} << 30;

enum class WarcType { kResponse, kResource };
// "response", "resource".
const char* WarcTypeName(WarcType type);

struct WarcRecord {
  WarcType type = WarcType::kResource;
  std::string record_id;     // "<urn:uuid:...>"
  std::string date;          // WARC-Date, RFC 3339 UTC
  std::string target_uri;    // WARC-Target-URI
  // The record's Content-Type: a resource's MIME type; "application/http;msgtype=response" for a
  // response.
  std::string content_type;
  // response: the HTTP status line and header lines, each ending in CRLF, then an empty line.
  // "" for a resource.
  std::string http_head;
  std::string payload;
  std::string payload_digest;  // "sha256:<hex>" of payload
  std::string block_digest;    // "sha256:<hex>" of http_head + payload

  // response: the status code of http_head (0 when none). resource: 0.
  int http_status() const;
  // The value of an HTTP header of http_head (case-insensitive name), "" when absent.
  std::string HttpHeader(std::string_view name) const;
  // The payload's media type: a response's HTTP Content-Type, a resource's content_type.
  std::string PayloadContentType() const;
};

// A response record for fetched bytes. headers: the HTTP answer's header fields as (name, value);
// a Content-Length header is set to the payload's size (the payload is stored decoded, whatever
// Content-Encoding the server used, which is therefore not kept). date: RFC 3339 UTC.
WarcRecord MakeWarcResponse(std::string target_uri, std::string date, int http_status,
                            const std::vector<std::pair<std::string, std::string>>& headers, std::string payload);
// A resource record for a local file's bytes.
WarcRecord MakeWarcResource(std::string target_uri, std::string date, std::string content_type, std::string payload);

// The record's uncompressed WARC bytes (header, block, CRLF CRLF).
std::string SerializeWarcRecord(const WarcRecord& record);
// One gzip member holding data (zlib, compression level 1-9).
std::string GzipMember(std::string_view data, int level = 6);

// Parses one uncompressed WARC record (as SerializeWarcRecord writes it, or any WARC/1.0 or 1.1
// record of the types above): version line, header fields, Content-Length, the block, the
// trailing CRLF CRLF, and both digests when present. where names it in errors.
Status ParseWarcRecord(std::string_view bytes, std::string_view where, WarcRecord* out);

// Reads the gzip members of a raw archive file one after another.
class WarcFileReader {
 public:
  // display_path names the file in errors (the store-relative path).
  WarcFileReader(Env* env, std::string path, std::string display_path = "");
  ~WarcFileReader();
  WarcFileReader(const WarcFileReader&) = delete;
  WarcFileReader& operator=(const WarcFileReader&) = delete;

  // Starts reading at the member that begins at offset (call before the first Next).
  Status Seek(uint64_t offset);
  // Reads the next record; *offset and *member_bytes (optional) receive where its member starts
  // and its compressed size. Returns false at the end of the file or on an error; status() tells
  // which (OK at a clean end). A truncated or damaged member is Corruption naming the file and the
  // member's offset.
  bool Next(WarcRecord* record, uint64_t* offset = nullptr, uint64_t* member_bytes = nullptr);
  const Status& status() const { return status_; }
  // Compressed bytes consumed so far (the offset of the next member).
  uint64_t position() const;
  // SHA-256 of the file bytes read so far; the whole file's once Next returned false with OK
  // (after a Seek, of the bytes from that offset).
  std::string FileSha256();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  Status status_;
};

// Reads the one record whose member starts at offset in path.
Status ReadWarcRecordAt(Env* env, const std::string& path, const std::string& display_path, uint64_t offset,
                        WarcRecord* record);

}  // namespace alcor
