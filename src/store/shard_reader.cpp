// Reads a shard frame by frame. Lines are released only from frames whose zstd checksum verified,
// so a shard cut short or damaged yields exactly the records of its intact leading frames and
// then an error naming the path and the line where reading stopped.
#include <zstd.h>

#include <algorithm>
#include <cstdint>
#include <memory>
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
  // Decoded bytes of the current frame (complete frames only when served): zstd decodes straight
  // into this buffer, which is kept for the next frame and sized for a writer's frame at once
  // (ShardWriterOptions::frame_jsonl_bytes), so a frame is neither copied nor regrown.
  std::unique_ptr<char[]> frame_buffer;
  size_t frame_capacity = 0;
  size_t frame_size = 0;
  size_t frame_pos = 0;    // next line starts here

  // Room for at least `more` bytes past frame_size.
  void ReserveFrame(size_t more) {
    if (frame_capacity - frame_size >= more) return;
    size_t capacity = std::max({frame_capacity * 2, frame_size + more, kInitialFrameCapacity});
    std::unique_ptr<char[]> grown(new char[capacity]);
    if (frame_size > 0) std::memcpy(grown.get(), frame_buffer.get(), frame_size);
    frame_buffer = std::move(grown);
    frame_capacity = capacity;
  }
  static constexpr size_t kInitialFrameCapacity = (size_t{4} << 20) + (size_t{256} << 10);
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
      if (m.frame_pos < m.frame_size) {
        const char* start = m.frame_buffer.get() + m.frame_pos;
        const void* found = std::memchr(start, '\n', m.frame_size - m.frame_pos);
        if (found == nullptr) {
          // Writers end frames on line boundaries; a frame without its last newline is damage.
          status_ = Status::Corruption(m.display + ":" + std::to_string(line_number_ + 1) +
                                       ": frame ends inside a line");
          return false;
        }
        const size_t length = static_cast<size_t>(static_cast<const char*>(found) - start);
        line->assign(start, length);
        jsonl_bytes_ += length + 1;
        m.frame_pos += length + 1;
        ++line_number_;
        return true;
      }
      m.frame_size = 0;
      m.frame_pos = 0;
      m.frame_ready = false;
    }
    // Decode until one frame is complete.
    if (m.in_pos == m.in_size) {
      if (m.eof) {
        if (m.mid_frame || m.frame_size > 0) {
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
      constexpr size_t kChunk = size_t{1} << 16;  // decoded per call: the limits below are checked at this grain
      m.ReserveFrame(kChunk);
      ZSTD_outBuffer out{m.frame_buffer.get() + m.frame_size, kChunk, 0};
      size_t rc = ZSTD_decompressStream(m.dctx, &out, &in);
      if (ZSTD_isError(rc)) {
        status_ = Status::Corruption(m.display + ":" + std::to_string(line_number_ + 1) +
                                     ": damaged zstd data (" + ZSTD_getErrorName(rc) + ")");
        return false;
      }
      if (m.frame_size + out.pos > m.max_line_bytes + (uint64_t{64} << 20)) {
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
      m.frame_size += out.pos;
      m.mid_frame = true;
      if (rc == 0) {  // frame complete and its checksum verified
        m.mid_frame = false;
        m.frame_ready = true;
        break;
      }
    }
    m.in_pos = in.pos;
    if (m.frame_ready && m.frame_size == 0) m.frame_ready = false;
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
