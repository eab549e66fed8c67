// Reads a shard frame by frame. Lines are released only from frames whose zstd checksum verified,
// so a shard cut short or damaged yields exactly the records of its intact leading frames and
// then an error naming the path and the line where reading stopped.
#include <zstd.h>

#include <cstdint>
#include <cstring>

#include "alcor/hash.hpp"
#include "alcor/shard.hpp"

namespace alcor {

struct ShardReader::Impl {
  Env* env;
  std::string path;
  std::string display;
  uint64_t max_line_bytes;
  uint64_t max_jsonl_bytes = UINT64_MAX;
  std::string max_jsonl_why;
  uint64_t decoded = 0;  // decompressed bytes so far
  std::unique_ptr<SequentialFile> file;
  ZSTD_DCtx* dctx = nullptr;
  Sha256 file_hash;
  std::string file_sha256;  // set at end of file
  std::string in_buffer;
  size_t in_pos = 0, in_size = 0;
  bool eof = false;
  bool mid_frame = false;  // decoder holds part of a frame
  std::string frame;       // decoded bytes of the current frame (complete frames only when served)
  size_t frame_pos = 0;    // next line starts here
  bool frame_ready = false;
  bool opened = false;
  ~Impl() { ZSTD_freeDCtx(dctx); }
};

ShardReader::ShardReader(Env* env, std::string path, std::string display_path, uint64_t max_line_bytes)
    : impl_(std::make_unique<Impl>()) {
  impl_->env = env;
  impl_->path = std::move(path);
  impl_->display = display_path.empty() ? impl_->path : std::move(display_path);
  impl_->max_line_bytes = max_line_bytes;
}

ShardReader::~ShardReader() = default;

std::string ShardReader::FileSha256() { return impl_->file_sha256; }

void ShardReader::LimitJsonlBytes(uint64_t max_jsonl_bytes, std::string why) {
  impl_->max_jsonl_bytes = max_jsonl_bytes;
  impl_->max_jsonl_why = std::move(why);
}

bool ShardReader::NextLine(std::string* line) {
  Impl& m = *impl_;
  if (!status_.ok()) return false;
  if (!m.opened) {
    m.opened = true;
    Status s = m.env->NewSequentialFile(m.path, &m.file);
    if (!s.ok()) {
      status_ = s;
      return false;
    }
    m.dctx = ZSTD_createDCtx();
    m.in_buffer.resize(ZSTD_DStreamInSize() * 4);
  }
  while (true) {
    if (m.frame_ready) {
      if (m.frame_pos < m.frame.size()) {
        size_t nl = m.frame.find('\n', m.frame_pos);
        if (nl == std::string::npos) {
          // Writers end frames on line boundaries; a frame without its last newline is damage.
          status_ = Status::Corruption(m.display + ":" + std::to_string(line_number_ + 1) +
                                       ": frame ends inside a line");
          return false;
        }
        line->assign(m.frame, m.frame_pos, nl - m.frame_pos);
        jsonl_bytes_ += nl - m.frame_pos + 1;
        m.frame_pos = nl + 1;
        ++line_number_;
        return true;
      }
      m.frame.clear();
      m.frame_pos = 0;
      m.frame_ready = false;
    }
    // Decode until one frame is complete.
    if (m.in_pos == m.in_size) {
      if (m.eof) {
        if (m.mid_frame || !m.frame.empty()) {
          status_ = Status::Corruption(m.display + ":" + std::to_string(line_number_ + 1) +
                                       ": shard is truncated (last zstd frame incomplete)");
        } else {
          m.file_sha256 = m.file_hash.FinishHex();
        }
        return false;
      }
      size_t n = 0;
      Status s = m.file->Read(m.in_buffer.size(), m.in_buffer.data(), &n);
      if (!s.ok()) {
        status_ = s;
        return false;
      }
      m.file_hash.Update(std::string_view(m.in_buffer.data(), n));
      m.in_pos = 0;
      m.in_size = n;
      if (n == 0) {
        m.eof = true;
        continue;
      }
    }
    ZSTD_inBuffer in{m.in_buffer.data(), m.in_size, m.in_pos};
    while (in.pos < in.size) {
      char out_buf[1 << 16];
      ZSTD_outBuffer out{out_buf, sizeof(out_buf), 0};
      size_t rc = ZSTD_decompressStream(m.dctx, &out, &in);
      if (ZSTD_isError(rc)) {
        status_ = Status::Corruption(m.display + ":" + std::to_string(line_number_ + 1) +
                                     ": damaged zstd data (" + ZSTD_getErrorName(rc) + ")");
        return false;
      }
      if (m.frame.size() + out.pos > m.max_line_bytes + (uint64_t{64} << 20)) {
        status_ = Status::Corruption(m.display + ":" + std::to_string(line_number_ + 1) +
                                     ": zstd frame larger than the reader's limit");
        return false;
      }
      m.decoded += out.pos;
      if (m.decoded > m.max_jsonl_bytes) {
        status_ = Status::Corruption(m.display + ":" + std::to_string(line_number_ + 1) +
                                     ": decompresses to more than the " + std::to_string(m.max_jsonl_bytes) +
                                     " bytes of JSONL " + m.max_jsonl_why);
        return false;
      }
      m.frame.append(out_buf, out.pos);
      m.mid_frame = true;
      if (rc == 0) {  // frame complete and its checksum verified
        m.mid_frame = false;
        m.frame_ready = true;
        break;
      }
    }
    m.in_pos = in.pos;
    if (m.frame_ready && m.frame.empty()) m.frame_ready = false;
  }
}

bool ShardReader::Next(Record* record) {
  std::string line;
  if (!NextLine(&line)) return false;
  Result<Record> r = Record::FromJsonLine(line);
  if (!r.ok()) {
    status_ = Status::Corruption(impl_->display + ":" + std::to_string(line_number_) + ": " + r.status().message());
    return false;
  }
  *record = std::move(r).value();
  return true;
}

}  // namespace alcor
