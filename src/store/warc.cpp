// WARC/1.1 records in gzip members (alcor/warc.hpp).
#include "alcor/warc.hpp"

#include <zlib.h>

#include <algorithm>
#include <cstring>

#include "alcor/hash.hpp"
#include "alcor/strings.hpp"

namespace alcor {

namespace {

constexpr const char* kHttpResponseType = "application/http;msgtype=response";

std::string WarcSha256(std::string_view data) { return "sha256:" + Sha256Hex(data); }

// A record id that the same record always gets (type, URI, date and payload): "<urn:uuid:...>",
// formatted as a version-4 UUID from the SHA-256 of those fields.
std::string WarcRecordIdFor(const WarcRecord& r) {
  std::string h = Sha256Hex(std::string(WarcTypeName(r.type)) + "\n" + r.target_uri + "\n" + r.date + "\n" +
                            r.payload_digest);
  h[12] = '4';
  h[16] = "89ab"[HexDigitValue(h[16]) & 3];
  return "<urn:uuid:" + h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" +
         h.substr(20, 12) + ">";
}

// The value of a "Name: value" field among CRLF-separated lines (case-insensitive name).
std::string FieldValue(std::string_view lines, std::string_view name) {
  size_t pos = 0;
  while (pos < lines.size()) {
    size_t end = lines.find("\r\n", pos);
    if (end == std::string_view::npos) end = lines.size();
    std::string_view line = lines.substr(pos, end - pos);
    size_t colon = line.find(':');
    if (colon != std::string_view::npos && AsciiLower(TrimAscii(line.substr(0, colon))) == AsciiLower(name))
      return std::string(TrimAscii(line.substr(colon + 1)));
    pos = end + 2;
  }
  return "";
}

}  // namespace

const char* WarcTypeName(WarcType type) { return type == WarcType::kResponse ? "response" : "resource"; }

int WarcRecord::http_status() const {
  if (type != WarcType::kResponse) return 0;
  // "HTTP/1.1 200 OK"
  size_t sp = http_head.find(' ');
  if (sp == std::string::npos || sp + 4 > http_head.size()) return 0;
  int code = 0;
  for (size_t i = sp + 1; i < sp + 4; ++i) {
    if (http_head[i] < '0' || http_head[i] > '9') return 0;
    code = code * 10 + (http_head[i] - '0');
  }
  return code;
}

std::string WarcRecord::HttpHeader(std::string_view name) const {
  size_t first = http_head.find("\r\n");
  if (first == std::string::npos) return "";
  return FieldValue(std::string_view(http_head).substr(first + 2), name);
}

std::string WarcRecord::PayloadContentType() const {
  return type == WarcType::kResponse ? HttpHeader("Content-Type") : content_type;
}

WarcRecord MakeWarcResponse(std::string target_uri, std::string date, int http_status,
                            const std::vector<std::pair<std::string, std::string>>& headers, std::string payload) {
  WarcRecord r;
  r.type = WarcType::kResponse;
  r.target_uri = std::move(target_uri);
  r.date = std::move(date);
  r.content_type = kHttpResponseType;
  r.http_head = "HTTP/1.1 " + std::to_string(http_status) + (http_status == 200 ? " OK" : "") + "\r\n";
  for (const auto& [name, value] : headers) {
    std::string lower = AsciiLower(name);
    // The payload is stored as received after decoding: its length and encoding are ours.
    if (lower == "content-length" || lower == "content-encoding" || lower == "transfer-encoding") continue;
    // A header value cannot carry a line break into the record.
    std::string clean;
    for (char c : value) clean += (c == '\r' || c == '\n') ? ' ' : c;
    r.http_head += name + ": " + clean + "\r\n";
  }
  r.http_head += "Content-Length: " + std::to_string(payload.size()) + "\r\n\r\n";
  r.payload = std::move(payload);
  r.payload_digest = WarcSha256(r.payload);
  Sha256 block;
  block.Update(r.http_head);
  block.Update(r.payload);
  r.block_digest = "sha256:" + block.FinishHex();
  r.record_id = WarcRecordIdFor(r);
  return r;
}

WarcRecord MakeWarcResource(std::string target_uri, std::string date, std::string content_type, std::string payload) {
  WarcRecord r;
  r.type = WarcType::kResource;
  r.target_uri = std::move(target_uri);
  r.date = std::move(date);
  r.content_type = content_type.empty() ? "application/octet-stream" : std::move(content_type);
  r.payload = std::move(payload);
  r.payload_digest = WarcSha256(r.payload);
  r.block_digest = r.payload_digest;
  r.record_id = WarcRecordIdFor(r);
  return r;
}

std::string SerializeWarcRecord(const WarcRecord& r) {
  std::string out;
  out.reserve(512 + r.http_head.size() + r.payload.size());
  out += "WARC/1.1\r\n";
  out += std::string("WARC-Type: ") + WarcTypeName(r.type) + "\r\n";
  out += "WARC-Record-ID: " + r.record_id + "\r\n";
  out += "WARC-Date: " + r.date + "\r\n";
  out += "WARC-Target-URI: " + r.target_uri + "\r\n";
  out += "WARC-Payload-Digest: " + r.payload_digest + "\r\n";
  out += "WARC-Block-Digest: " + r.block_digest + "\r\n";
  out += "Content-Type: " + r.content_type + "\r\n";
  out += "Content-Length: " + std::to_string(r.http_head.size() + r.payload.size()) + "\r\n\r\n";
  out += r.http_head;
  out += r.payload;
  out += "\r\n\r\n";
  return out;
}

std::string GzipMember(std::string_view data, int level) {
  z_stream z{};
  // windowBits 15 + 16: a gzip header and trailer around the deflate stream.
  deflateInit2(&z, std::clamp(level, 1, 9), Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out;
  out.resize(deflateBound(&z, static_cast<uLong>(data.size())) + 32);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);  // the output buffer holds deflateBound: one call finishes
  out.resize(z.total_out);
  out.shrink_to_fit();  // the buffer was the input's size: members wait in queues before the writer
  deflateEnd(&z);
  return out;
}

Status ParseWarcRecord(std::string_view bytes, std::string_view where_view, WarcRecord* out) {
  const std::string where(where_view);
  *out = WarcRecord();
  size_t header_end = bytes.find("\r\n\r\n");
  if (header_end == std::string_view::npos || header_end > kMaxWarcHeaderBytes)
    return Status::Corruption(where + ": no WARC header ending within " + std::to_string(kMaxWarcHeaderBytes) + " bytes");
  std::string_view header = bytes.substr(0, header_end + 2);
  if (header.rfind("WARC/1.1\r\n", 0) != 0 && header.rfind("WARC/1.0\r\n", 0) != 0)
    return Status::Corruption(where + ": not a WARC/1.0 or WARC/1.1 record");
  std::string_view fields = header.substr(10);
  std::string type = FieldValue(fields, "WARC-Type");
  if (type == "response") {
    out->type = WarcType::kResponse;
  } else if (type == "resource") {
    out->type = WarcType::kResource;
  } else {
    return Status::Corruption(where + ": WARC-Type '" + type + "' is not response or resource");
  }
  out->record_id = FieldValue(fields, "WARC-Record-ID");
  out->date = FieldValue(fields, "WARC-Date");
  out->target_uri = FieldValue(fields, "WARC-Target-URI");
  out->content_type = FieldValue(fields, "Content-Type");
  out->payload_digest = FieldValue(fields, "WARC-Payload-Digest");
  out->block_digest = FieldValue(fields, "WARC-Block-Digest");
  std::string length_text = FieldValue(fields, "Content-Length");
  uint64_t length = 0;
  if (length_text.empty() || length_text.size() > 15 ||
      !std::all_of(length_text.begin(), length_text.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return Status::Corruption(where + ": Content-Length missing or not a number");
  length = std::stoull(length_text);
  std::string_view rest = bytes.substr(header_end + 4);
  if (rest.size() < length + 4)
    return Status::Corruption(where + ": the block is shorter than its Content-Length of " + length_text);
  if (rest.substr(length, 4) != "\r\n\r\n" || rest.size() != length + 4)
    return Status::Corruption(where + ": the record does not end with CRLF CRLF right after its block");
  std::string_view block = rest.substr(0, length);
  if (!out->block_digest.empty() && StartsWithNoCase(out->block_digest, "sha256:") &&
      AsciiLower(out->block_digest) != WarcSha256(block))
    return Status::Corruption(where + ": WARC-Block-Digest does not match the block");
  std::string_view payload = block;
  if (out->type == WarcType::kResponse && StartsWithNoCase(out->content_type, "application/http")) {
    size_t head_end = block.find("\r\n\r\n");
    if (head_end == std::string_view::npos || head_end > kMaxWarcHeaderBytes)
      return Status::Corruption(where + ": the HTTP header of the response does not end");
    out->http_head = std::string(block.substr(0, head_end + 4));
    payload = block.substr(head_end + 4);
  }
  out->payload = std::string(payload);
  if (!out->payload_digest.empty() && StartsWithNoCase(out->payload_digest, "sha256:") &&
      AsciiLower(out->payload_digest) != WarcSha256(payload))
    return Status::Corruption(where + ": WARC-Payload-Digest does not match the payload");
  return Status::OK();
}

// ---- WarcFileReader ------------------------------------------------------------------------

struct WarcFileReader::Impl {
  Env* env;
  std::string path;
  std::string display;
  std::unique_ptr<SequentialFile> file;
  bool opened = false;
  bool eof = false;
  std::string in;        // compressed bytes read and not consumed yet
  size_t in_pos = 0;
  uint64_t consumed = 0;  // compressed bytes consumed by complete members (plus the seek offset)
  Sha256 sha;

  Status Open() {
    if (opened) return Status::OK();
    opened = true;
    return env->NewSequentialFile(path, &file);
  }
  // More compressed input; false at the end of the file.
  Status Fill(bool* got) {
    if (in_pos > 0) {
      in.erase(0, in_pos);
      in_pos = 0;
    }
    *got = false;
    if (eof) return Status::OK();
    char buf[1 << 16];
    size_t n = 0;
    ALCOR_RETURN_IF_ERROR(file->Read(sizeof(buf), buf, &n));
    if (n == 0) {
      eof = true;
      return Status::OK();
    }
    sha.Update(std::string_view(buf, n));
    in.append(buf, n);
    *got = true;
    return Status::OK();
  }
  std::string Where(uint64_t offset) const {
    return (display.empty() ? path : display) + "@" + std::to_string(offset);
  }
};

WarcFileReader::WarcFileReader(Env* env, std::string path, std::string display_path)
    : impl_(std::make_unique<Impl>()) {
  impl_->env = env;
  impl_->path = std::move(path);
  impl_->display = std::move(display_path);
}

WarcFileReader::~WarcFileReader() = default;

uint64_t WarcFileReader::position() const { return impl_->consumed; }

std::string WarcFileReader::FileSha256() { return impl_->sha.FinishHex(); }

Status WarcFileReader::Seek(uint64_t offset) {
  Impl& m = *impl_;
  status_ = m.Open();
  if (!status_.ok()) return status_;
  status_ = m.file->Skip(offset);
  m.consumed = offset;
  return status_;
}

bool WarcFileReader::Next(WarcRecord* record, uint64_t* offset_out, uint64_t* member_bytes) {
  Impl& m = *impl_;
  if (!status_.ok()) return false;
  status_ = m.Open();
  if (!status_.ok()) return false;
  const uint64_t offset = m.consumed;
  if (m.in_pos >= m.in.size()) {
    bool got = false;
    status_ = m.Fill(&got);
    if (!status_.ok() || !got) return false;  // a clean end: no byte after the last member
  }
  z_stream z{};
  if (inflateInit2(&z, 15 + 16) != Z_OK) {
    status_ = Status::Internal("zlib inflateInit2 failed");
    return false;
  }
  std::string data;
  char out[1 << 16];
  uint64_t used = 0;  // compressed bytes of this member
  int rc = Z_OK;
  while (true) {
    if (m.in_pos >= m.in.size()) {
      bool got = false;
      status_ = m.Fill(&got);
      if (!status_.ok()) break;
      if (!got) {
        status_ = Status::Corruption(m.Where(offset) + ": the gzip member is cut short (truncated file)");
        break;
      }
    }
    z.next_in = reinterpret_cast<Bytef*>(m.in.data() + m.in_pos);
    z.avail_in = static_cast<uInt>(m.in.size() - m.in_pos);
    z.next_out = reinterpret_cast<Bytef*>(out);
    z.avail_out = sizeof(out);
    rc = inflate(&z, Z_NO_FLUSH);
    size_t ate = (m.in.size() - m.in_pos) - z.avail_in;
    m.in_pos += ate;
    used += ate;
    data.append(out, sizeof(out) - z.avail_out);
    if (data.size() > kMaxWarcMemberBytes) {
      status_ = Status::Corruption(m.Where(offset) + ": the member inflates to more than " +
                                   std::to_string(kMaxWarcMemberBytes) + " bytes (the reader's limit)");
      break;
    }
    if (rc == Z_STREAM_END) break;
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      status_ = Status::Corruption(m.Where(offset) + ": damaged gzip member (" + (z.msg ? z.msg : "zlib error") + ")");
      break;
    }
  }
  inflateEnd(&z);
  if (!status_.ok()) return false;
  m.consumed += used;
  if (offset_out) *offset_out = offset;
  if (member_bytes) *member_bytes = used;
  status_ = ParseWarcRecord(data, m.Where(offset), record);
  return status_.ok();
}

Status ReadWarcRecordAt(Env* env, const std::string& path, const std::string& display_path, uint64_t offset,
                        WarcRecord* record) {
  WarcFileReader reader(env, path, display_path);
  ALCOR_RETURN_IF_ERROR(reader.Seek(offset));
  if (reader.Next(record)) return Status::OK();
  if (reader.status().ok())
    return Status::Corruption((display_path.empty() ? path : display_path) + "@" + std::to_string(offset) +
                              ": no WARC record there (past the end of the file)");
  return reader.status();
}

}  // namespace alcor
