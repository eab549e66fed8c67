// The store's raw archive as a whole (alcor/raw_store.hpp).
#include "alcor/raw_store.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "alcor/corpus.hpp"
#include "alcor/hash.hpp"
#include "alcor/json.hpp"

namespace alcor {

Status ReadRawOf(const Store& store, const nlohmann::json& metadata, WarcRecord* out) {
  if (!metadata.is_object() || !metadata.contains("raw")) return Status::NotFound("the record has no raw bytes (metadata.raw)");
  Result<RawLocation> loc = RawLocation::FromJson(metadata["raw"]);
  if (!loc.ok()) return Status::Corruption(loc.status().message());
  bool listed = false;
  for (const RawFileInfo& f : store.manifest().raw) listed |= f.path == loc->file;
  if (!listed) return Status::Corruption("metadata.raw names " + loc->file + ", which the manifest does not list");
  ALCOR_RETURN_IF_ERROR(ReadWarcRecordAt(store.env(), store.PathOf(loc->file), loc->file, loc->offset, out));
  if (out->record_id != loc->record_id)
    return Status::Corruption(loc->file + "@" + std::to_string(loc->offset) + ": the WARC record there is " +
                              out->record_id + ", not " + loc->record_id);
  return Status::OK();
}

nlohmann::json RawPruneReport::ToJson() const {
  return {{"files_removed", files_removed}, {"bytes_removed", bytes_removed}, {"files_kept", files_kept},
          {"bytes_kept", bytes_kept}, {"dead_records_kept", dead_records_kept}, {"removed", removed}};
}

Status PruneRawArchive(Store* store, const std::function<bool(const RecordLocation&)>& is_superseded,
                       RawPruneReport* report) {
  *report = RawPruneReport();
  std::map<std::string, std::set<uint64_t>> in_use;  // file → offsets of the WARC records current records point at
  ScanOptions scan;
  scan.is_superseded = is_superseded;
  ALCOR_RETURN_IF_ERROR(ScanStore(*store, scan, [&](std::string_view line, const RecordLocation& where) {
    if (line.find("\"raw\"") == std::string_view::npos) return true;
    Result<nlohmann::json> j = ParseJson(line, where.shard);
    if (j.ok() && j->is_object() && j->contains("metadata") && (*j)["metadata"].is_object() &&
        (*j)["metadata"].contains("raw")) {
      Result<RawLocation> loc = RawLocation::FromJson((*j)["metadata"]["raw"]);
      if (loc.ok()) in_use[loc->file].insert(loc->offset);
    }
    return true;
  }));
  Transaction txn;
  for (const RawFileInfo& f : store->manifest().raw) {
    if (auto live = in_use.find(f.path); live != in_use.end()) {
      report->files_kept++;
      report->bytes_kept += f.file_bytes;
      report->dead_records_kept += f.records - std::min<uint64_t>(f.records, live->second.size());
      continue;
    }
    txn.remove_raw.push_back(f.path);
    report->removed.push_back(f.path);
    report->files_removed++;
    report->bytes_removed += f.file_bytes;
  }
  return store->Commit(&txn);
}

Status CopyRawFilesInto(Store* dest, const std::string& from_dir, const Manifest& from, Transaction* txn) {
  Env* env = dest->env();
  std::map<std::string, std::string> listed;
  for (const RawFileInfo& f : dest->manifest().raw) listed[f.path] = f.sha256;
  for (const PendingRawFile& p : txn->raw_files) listed[p.info.path] = p.info.sha256;
  for (const RawFileInfo& f : from.raw) {
    auto there = listed.find(f.path);
    if (there != listed.end()) {
      if (there->second == f.sha256) continue;
      return Status::Corruption(JoinPath(from_dir, f.path) + ": the destination holds another file of that name");
    }
    PendingRawFile p;
    p.info = f;
    p.final_path = dest->PathOf(f.path);
    p.temp_path = JoinPath(DirName(p.final_path), "." + BaseName(p.final_path) + ".tmp");
    Status s = env->CreateDirs(DirName(p.final_path), kPrivateDirMode);
    std::unique_ptr<SequentialFile> in;
    std::unique_ptr<WritableFile> out;
    if (s.ok()) s = env->NewSequentialFile(JoinPath(from_dir, f.path), &in);
    if (s.ok()) s = env->NewWritableFile(p.temp_path, kPrivateFileMode, &out);
    Sha256 sha;
    std::string buf(1 << 16, '\0');
    while (s.ok()) {
      size_t n = 0;
      s = in->Read(buf.size(), buf.data(), &n);
      if (!s.ok() || n == 0) break;
      sha.Update(std::string_view(buf.data(), n));
      s = out->Append(std::string_view(buf.data(), n));
    }
    if (s.ok()) s = out->Sync();
    if (s.ok()) s = out->Close();
    if (s.ok() && sha.FinishHex() != f.sha256)
      s = Status::Corruption(JoinPath(from_dir, f.path) + ": sha256 differs from its manifest's");
    if (!s.ok()) {
      env->RemoveFile(p.temp_path);
      for (const PendingRawFile& made : txn->raw_files) env->RemoveFile(made.temp_path);
      txn->raw_files.clear();
      return s;
    }
    listed[f.path] = f.sha256;
    txn->raw_files.push_back(std::move(p));
  }
  return Status::OK();
}

}  // namespace alcor
