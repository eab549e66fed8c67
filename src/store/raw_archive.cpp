// The raw archive's writer and its manifest pointers (alcor/raw_archive.hpp).
#include "alcor/raw_archive.hpp"

#include "alcor/dates.hpp"
#include "alcor/hash.hpp"
#include "alcor/store.hpp"

namespace alcor {

nlohmann::json RawLocation::ToJson() const {
  return {{"file", file}, {"offset", offset}, {"record_id", record_id}};
}

Result<RawLocation> RawLocation::FromJson(const nlohmann::json& j) {
  if (!j.is_object() || !j.contains("file") || !j["file"].is_string() || !j.contains("offset") ||
      !j["offset"].is_number_unsigned() || !j.contains("record_id") || !j["record_id"].is_string())
    return Status::InvalidArgument("metadata.raw is not {\"file\", \"offset\", \"record_id\"}");
  RawLocation loc;
  loc.file = j["file"].get<std::string>();
  loc.offset = j["offset"].get<uint64_t>();
  loc.record_id = j["record_id"].get<std::string>();
  if (!store_files::IsRawPath(loc.file))
    return Status::InvalidArgument("metadata.raw.file '" + loc.file + "' is not a raw archive file name");
  return loc;
}

const char* RawRetentionName(RawRetention r) { return r == RawRetention::kAll ? "all" : "none"; }

Result<RawRetention> ParseRawRetention(std::string_view text) {
  if (text == "all") return RawRetention::kAll;
  if (text == "none") return RawRetention::kNone;
  return Status::InvalidArgument("raw: '" + std::string(text) + "' is not \"all\" or \"none\"");
}

struct RawArchiveWriter::OpenFile {
  std::unique_ptr<WritableFile> file;
  std::string temp_path;
  std::string final_path;
  std::string relative_path;
  Sha256 hash;
  uint64_t records = 0;
  uint64_t bytes = 0;
};

RawArchiveWriter::RawArchiveWriter(Env* env, std::string store_root, std::string source, std::string run_id,
                                   std::shared_ptr<std::atomic<uint64_t>> sequence)
    : env_(env),
      store_root_(std::move(store_root)),
      source_(std::move(source)),
      run_id_(std::move(run_id)),
      sequence_(sequence ? std::move(sequence) : std::make_shared<std::atomic<uint64_t>>(1)) {}

RawArchiveWriter::~RawArchiveWriter() { Abandon(); }

Status RawArchiveWriter::FlushHeld() {
  if (!holding_) return Status::OK();
  holding_ = false;
  OpenFile& f = *current_;
  f.hash.Update(held_);
  error_ = f.file->Append(held_);
  f.bytes += held_.size();
  f.records++;
  held_.clear();
  return error_;
}

Status RawArchiveWriter::Append(std::string member, const std::string& record_id, RawLocation* where) {
  if (!error_.ok()) return error_;
  ALCOR_RETURN_IF_ERROR(FlushHeld());
  if (!current_) {
    auto f = std::make_unique<OpenFile>();
    f->relative_path = store_files::RawPath(source_, run_id_, sequence_->fetch_add(1));
    f->final_path = JoinPath(store_root_, f->relative_path);
    std::string dir = DirName(f->final_path);
    f->temp_path = JoinPath(dir, "." + BaseName(f->final_path) + ".tmp");
    error_ = env_->CreateDirs(dir, kPrivateDirMode);
    if (error_.ok()) error_ = env_->NewWritableFile(f->temp_path, kPrivateFileMode, &f->file);
    if (!error_.ok()) return error_;
    current_ = std::move(f);
  }
  where->file = current_->relative_path;
  where->offset = current_->bytes;
  where->record_id = record_id;
  bytes_appended_ += member.size();
  held_ = std::move(member);
  holding_ = true;
  return Status::OK();
}

void RawArchiveWriter::DropLast() {
  if (!holding_) return;
  bytes_appended_ -= held_.size();
  holding_ = false;
  held_.clear();
}

Status RawArchiveWriter::Finish(std::vector<PendingRawFile>* files) {
  if (!error_.ok()) return error_;
  ALCOR_RETURN_IF_ERROR(FlushHeld());
  if (!current_) return Status::OK();
  if (current_->records == 0) {  // every member was taken back
    Abandon();
    return Status::OK();
  }
  OpenFile& f = *current_;
  error_ = f.file->Sync();
  if (error_.ok()) error_ = f.file->Close();
  if (!error_.ok()) return error_;
  PendingRawFile p;
  p.temp_path = f.temp_path;
  p.final_path = f.final_path;
  p.info.path = f.relative_path;
  p.info.source = source_;
  p.info.records = f.records;
  p.info.file_bytes = f.bytes;
  p.info.sha256 = f.hash.FinishHex();
  p.info.run_id = run_id_;
  p.info.created = FormatRfc3339UtcMicros(env_->NowMicros());
  files->push_back(std::move(p));
  current_.reset();
  return Status::OK();
}

void RawArchiveWriter::Abandon() {
  holding_ = false;
  held_.clear();
  if (!current_) return;
  current_->file->Close();
  env_->RemoveFile(current_->temp_path);
  current_.reset();
}

}  // namespace alcor
