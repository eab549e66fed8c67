#include <zstd.h>

#include "alcor/dates.hpp"
#include "alcor/hash.hpp"
#include "alcor/shard.hpp"
#include "alcor/store.hpp"

namespace alcor {

struct ShardWriter::OpenShard {
  std::unique_ptr<WritableFile> file;
  std::string temp_path;
  std::string final_path;
  std::string relative_path;
  ZSTD_CCtx* cctx = nullptr;
  Sha256 file_hash;
  uint64_t records = 0;
  uint64_t jsonl_bytes = 0;
  uint64_t file_bytes = 0;
  uint64_t frame_jsonl_bytes = 0;  // input since the current frame began
  std::string out_buffer;
  ~OpenShard() { ZSTD_freeCCtx(cctx); }
};

ShardWriter::ShardWriter(Env* env, std::string store_root, std::string source, std::string run_id,
                         ShardWriterOptions options, std::shared_ptr<std::atomic<uint64_t>> sequence)
    : env_(env),
      store_root_(std::move(store_root)),
      source_(std::move(source)),
      run_id_(std::move(run_id)),
      options_(options),
      sequence_(sequence ? std::move(sequence) : std::make_shared<std::atomic<uint64_t>>(1)) {}

ShardWriter::~ShardWriter() { Abandon(); }

Status ShardWriter::OpenNewShard() {
  auto shard = std::make_unique<OpenShard>();
  shard->relative_path = store_files::ShardPath(source_, run_id_, sequence_->fetch_add(1));
  shard->final_path = JoinPath(store_root_, shard->relative_path);
  std::string dir = DirName(shard->final_path);
  shard->temp_path = JoinPath(dir, "." + BaseName(shard->final_path) + ".tmp");
  ALCOR_RETURN_IF_ERROR(env_->CreateDirs(dir, kPrivateDirMode));
  ALCOR_RETURN_IF_ERROR(env_->NewWritableFile(shard->temp_path, kPrivateFileMode, &shard->file));
  shard->cctx = ZSTD_createCCtx();
  if (shard->cctx == nullptr) return Status::IOError("zstd: cannot allocate a compression context");
  ZSTD_CCtx_setParameter(shard->cctx, ZSTD_c_compressionLevel, options_.compression_level);
  // A checksum per frame lets readers trust exactly the frames that verify.
  ZSTD_CCtx_setParameter(shard->cctx, ZSTD_c_checksumFlag, 1);
  shard->out_buffer.resize(ZSTD_CStreamOutSize());
  current_ = std::move(shard);
  return Status::OK();
}

Status ShardWriter::AddLine(std::string_view line, RecordLocation* where) {
  if (!error_.ok()) return error_;
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  if (line.find('\n') != std::string_view::npos) return Status::InvalidArgument("record line contains a raw newline");
  if (!current_) {
    error_ = OpenNewShard();
    if (!error_.ok()) return error_;
  }
  OpenShard& s = *current_;
  std::string_view pieces[2] = {line, "\n"};
  for (std::string_view piece : pieces) {
    ZSTD_inBuffer in{piece.data(), piece.size(), 0};
    while (in.pos < in.size) {
      ZSTD_outBuffer out{s.out_buffer.data(), s.out_buffer.size(), 0};
      size_t rc = ZSTD_compressStream2(s.cctx, &out, &in, ZSTD_e_continue);
      if (ZSTD_isError(rc)) return error_ = Status::IOError(std::string("zstd: ") + ZSTD_getErrorName(rc));
      if (out.pos > 0) {
        std::string_view bytes(s.out_buffer.data(), out.pos);
        s.file_hash.Update(bytes);
        s.file_bytes += out.pos;
        error_ = s.file->Append(bytes);
        if (!error_.ok()) return error_;
      }
    }
  }
  s.records++;
  s.jsonl_bytes += line.size() + 1;
  s.frame_jsonl_bytes += line.size() + 1;
  records_added_++;
  if (where) *where = RecordLocation{s.relative_path, s.records};
  if (s.jsonl_bytes >= options_.target_jsonl_bytes) {
    error_ = CloseCurrent();
  } else if (s.frame_jsonl_bytes >= options_.frame_jsonl_bytes) {
    error_ = EndFrame();
  }
  return error_;
}

Status ShardWriter::Add(const Record& record, RecordLocation* where) {
  if (record.source != source_)
    return Status::InvalidArgument("record " + record.id + " of source '" + record.source +
                                   "' given to the writer of '" + source_ + "'");
  return AddLine(record.ToJsonLine(), where);
}

Status ShardWriter::EndFrame() {
  OpenShard& s = *current_;
  ZSTD_inBuffer in{nullptr, 0, 0};
  size_t remaining;
  do {
    ZSTD_outBuffer out{s.out_buffer.data(), s.out_buffer.size(), 0};
    remaining = ZSTD_compressStream2(s.cctx, &out, &in, ZSTD_e_end);
    if (ZSTD_isError(remaining)) return Status::IOError(std::string("zstd: ") + ZSTD_getErrorName(remaining));
    std::string_view bytes(s.out_buffer.data(), out.pos);
    s.file_hash.Update(bytes);
    s.file_bytes += out.pos;
    ALCOR_RETURN_IF_ERROR(s.file->Append(bytes));
  } while (remaining != 0);
  s.frame_jsonl_bytes = 0;
  return Status::OK();
}

Status ShardWriter::CloseCurrent() {
  if (!current_) return Status::OK();
  ALCOR_RETURN_IF_ERROR(EndFrame());
  OpenShard& s = *current_;
  ALCOR_RETURN_IF_ERROR(s.file->Sync());
  ALCOR_RETURN_IF_ERROR(s.file->Close());
  PendingShard done;
  done.temp_path = s.temp_path;
  done.final_path = s.final_path;
  done.info.path = s.relative_path;
  done.info.source = source_;
  done.info.records = s.records;
  done.info.jsonl_bytes = s.jsonl_bytes;
  done.info.file_bytes = s.file_bytes;
  done.info.sha256 = s.file_hash.FinishHex();
  done.info.run_id = run_id_;
  done.info.created = FormatRfc3339UtcMicros(env_->NowMicros());
  completed_.push_back(std::move(done));
  current_.reset();
  return Status::OK();
}

Status ShardWriter::Finish(std::vector<PendingShard>* shards) {
  if (!error_.ok()) return error_;
  if (current_ && current_->records > 0) {
    error_ = CloseCurrent();
    if (!error_.ok()) return error_;
  }
  for (PendingShard& p : completed_) shards->push_back(std::move(p));
  completed_.clear();
  return Status::OK();
}

void ShardWriter::Abandon() {
  if (current_) {
    current_->file->Close();
    env_->RemoveFile(current_->temp_path);
    current_.reset();
  }
  for (const PendingShard& p : completed_) env_->RemoveFile(p.temp_path);
  completed_.clear();
}

}  // namespace alcor
