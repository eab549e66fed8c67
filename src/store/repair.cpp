// RepairStore: damaged shards to quarantine/, what still reads into new shards, the dedup index
// rebuilt from what remains.
#include "alcor/repair.hpp"

#include <map>
#include <memory>
#include <set>

#include <spdlog/spdlog.h>

#include "alcor/corpus.hpp"
#include "alcor/dedup.hpp"
#include "alcor/record.hpp"

namespace alcor {

using nlohmann::json;

json RepairReport::ToJson() const {
  json shards = json::array();
  for (const DamagedShard& d : damaged)
    shards.push_back({{"path", d.path},
                      {"damage", d.damage},
                      {"listed_records", d.listed_records},
                      {"salvaged", d.salvaged},
                      {"superseded", d.superseded},
                      {"lost", d.lost}});
  return {{"marker_restored", marker_restored},     {"damaged_shards", shards},
          {"records_salvaged", records_salvaged},   {"records_lost", records_lost},
          {"salvage_shards", salvage_shards},       {"index_rebuilt", index_rebuilt},
          {"indexed_documents", indexed_documents}};
}

std::string RepairReport::ToText() const {
  if (!changed()) return "no damage found; nothing to repair\n";
  std::string out;
  if (marker_restored) out += "restored the store marker file ALCOR_STORE\n";
  for (const DamagedShard& d : damaged)
    out += "quarantined " + d.path + ": " + d.damage + "\n  " + std::to_string(d.salvaged) + " records salvaged, " +
           std::to_string(d.lost) + " lost (the manifest listed " + std::to_string(d.listed_records) + ")\n";
  if (!damaged.empty())
    out += std::to_string(damaged.size()) + " damaged shards moved to quarantine/; " +
           std::to_string(records_salvaged) + " records salvaged into " + std::to_string(salvage_shards) +
           " new shards; " + std::to_string(records_lost) + " records lost (fetched again by the next run)\n";
  if (index_rebuilt) out += "dedup index rebuilt: " + std::to_string(indexed_documents) + " documents\n";
  return out;
}

namespace {

// The listed shards that fail the readers' checks, each once, in manifest order.
std::vector<RepairReport::DamagedShard> FindDamagedShards(const Store& store) {
  std::set<std::string> twice;
  for (std::string& p : ShardsListedTwice(store.manifest())) twice.insert(std::move(p));
  std::vector<RepairReport::DamagedShard> damaged;
  std::set<std::string> seen;
  for (const ShardInfo& info : store.manifest().shards) {
    if (!seen.insert(info.path).second) continue;
    Status s = ReadListedShard(store.env(), store.dir(), info, ReadShardOptions(),
                               [](std::string_view, const RecordLocation&) { return true; });
    if (s.ok() && !twice.count(info.path)) continue;
    RepairReport::DamagedShard d;
    d.path = info.path;
    d.damage = twice.count(info.path) ? "listed twice in " + std::string(store_files::kManifest) : s.message();
    d.listed_records = info.records;
    damaged.push_back(std::move(d));
  }
  return damaged;
}

Status WriteSupersededFile(Store* store, const SupersededSet& set, std::string* path) {
  Env* env = store->env();
  ALCOR_RETURN_IF_ERROR(env->CreateDirs(store->StateDir(), kPrivateDirMode));
  *path = JoinPath(store->StateDir(), std::string(".") + kSupersededState + "." + store->run_id() + "-repair.tmp");
  std::unique_ptr<WritableFile> file;
  Status s = env->NewWritableFile(*path, kPrivateFileMode, &file);
  if (s.ok()) s = file->Append(set.Serialize());
  if (s.ok()) s = file->Sync();
  if (s.ok()) s = file->Close();
  if (!s.ok()) env->RemoveFile(*path);
  return s;
}

// Stores the live records of the damaged shards that still read in new shards of txn.
Status Salvage(Store* store, const SupersededSet& superseded, std::vector<RepairReport::DamagedShard>* damaged,
               Transaction* txn) {
  Env* env = store->env();
  std::map<std::string, std::unique_ptr<ShardWriter>> writers;  // by the record's own source
  auto abandon = [&] {
    for (auto& [source, w] : writers) w->Abandon();
  };
  std::vector<std::string> problems;
  std::string source;
  for (RepairReport::DamagedShard& d : *damaged) {
    const std::string path = store->PathOf(d.path);
    // A symbolic link is not followed and a missing file has nothing to give.
    if (env->IsSymlink(path) || !env->FileExists(path)) continue;
    ShardInfo info;
    for (const ShardInfo& s : store->manifest().shards)
      if (s.path == d.path) info = s;
    ReadShardOptions keep_going;
    keep_going.keep_going = true;
    Status written;
    ReadListedShard(env, store->dir(), info, keep_going, [&](std::string_view line, const RecordLocation& where) {
      if (superseded.Contains(where)) {
        ++d.superseded;
        return true;
      }
      problems.clear();
      CheckRecordLine(line, /*verify_digest=*/false, &problems, nullptr, &source);
      std::unique_ptr<ShardWriter>& writer = writers[source];
      if (!writer) writer = store->NewShardWriter(source);
      written = writer->AddLine(line);
      if (!written.ok()) return false;
      ++d.salvaged;
      return true;
    });
    if (!written.ok()) {
      abandon();
      return written.WithContext("salvaging " + d.path);
    }
  }
  for (auto& [source, w] : writers) {
    Status s = w->Finish(&txn->shards);
    if (!s.ok()) {
      abandon();
      for (const PendingShard& p : txn->shards) env->RemoveFile(p.temp_path);
      return s;
    }
  }
  return Status::OK();
}

}  // namespace

Status RepairStore(Store* store, RepairReport* report) {
  *report = RepairReport();
  report->marker_restored = store->restored_marker();
  if (store->read_only()) return Status::InvalidArgument(store->dir() + ": repair needs a writable store");

  report->damaged = FindDamagedShards(*store);
  if (!report->damaged.empty()) {
    SupersededSet superseded;
    ALCOR_RETURN_IF_ERROR(LoadSuperseded(*store, &superseded));
    Transaction txn;
    ALCOR_RETURN_IF_ERROR(Salvage(store, superseded, &report->damaged, &txn));
    report->salvage_shards = txn.shards.size();
    for (RepairReport::DamagedShard& d : report->damaged) {
      d.lost = d.listed_records > d.salvaged + d.superseded ? d.listed_records - d.salvaged - d.superseded : 0;
      report->records_salvaged += d.salvaged;
      report->records_lost += d.lost;
      txn.quarantine_shards.push_back(d.path);
      superseded.RemoveShard(d.path);
    }
    std::string superseded_path;
    Status s = WriteSupersededFile(store, superseded, &superseded_path);
    if (s.ok()) {
      txn.state_files[kSupersededState] = superseded_path;
      // The index names records of the quarantined shards; it is rebuilt below from what remains.
      txn.remove_state.push_back(kDedupIndexState);
      s = store->Commit(&txn);
    } else {
      for (const PendingShard& p : txn.shards) store->env()->RemoveFile(p.temp_path);
    }
    if (!s.ok()) return s.WithContext("repair stopped, the store is unchanged");
  }

  // The dedup index, from the shards that remain (also when an interrupted repair left none).
  if (store->CurrentStateFile(kDedupIndexState).empty() && !store->manifest().shards.empty()) {
    std::unique_ptr<Deduplicator> dedup;
    ALCOR_RETURN_IF_ERROR(Deduplicator::Open(store, DedupOptions(), &dedup));
    Transaction txn;
    ALCOR_RETURN_IF_ERROR(dedup->AddToTransaction(&txn));
    ALCOR_RETURN_IF_ERROR(store->Commit(&txn).WithContext(
        "the damaged shards are in quarantine/, but the dedup index was not rebuilt (the next writer rebuilds it)"));
    report->index_rebuilt = true;
    report->indexed_documents = dedup->indexed_documents();
  }
  return Status::OK();
}

}  // namespace alcor
