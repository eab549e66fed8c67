// MergeStores: `alcor merge`, other stores' records into this one through its deduplicator.
#include "alcor/merge_stores.hpp"

#include <filesystem>
#include <system_error>

#include "alcor/corpus.hpp"
#include "alcor/raw_store.hpp"

namespace alcor {

nlohmann::json SourceStoreMerge::ToJson() const {
  return {{"store", store}, {"records", records}, {"added", added}, {"merged", merged}, {"unchanged", unchanged}};
}

nlohmann::json MergeStoresReport::ToJson() const {
  nlohmann::json out = {{"sources", nlohmann::json::array()}, {"dedup", dedup.ToJson()}};
  SourceStoreMerge total;
  for (const SourceStoreMerge& s : sources) {
    out["sources"].push_back(s.ToJson());
    total.records += s.records;
    total.added += s.added;
    total.merged += s.merged;
    total.unchanged += s.unchanged;
  }
  nlohmann::json t = total.ToJson();
  t.erase("store");
  out["total"] = t;
  return out;
}

std::string MergeStoresReport::ToText() const {
  std::string text;
  uint64_t added = 0, merged = 0, unchanged = 0;
  for (const SourceStoreMerge& s : sources) {
    text += s.store + ": " + std::to_string(s.records) + " records: " + std::to_string(s.added) + " added, " +
            std::to_string(s.merged) + " merged, " + std::to_string(s.unchanged) + " unchanged\n";
    added += s.added;
    merged += s.merged;
    unchanged += s.unchanged;
  }
  text += "total: " + std::to_string(added) + " added, " + std::to_string(merged) + " merged, " +
          std::to_string(unchanged) + " unchanged\n";
  return text;
}

namespace {

// Whether two folders are the same store (the same marker file, however the paths are spelled).
bool SameStoreFolder(const std::string& a, const std::string& b) {
  std::error_code ec;
  return std::filesystem::equivalent(a, b, ec) && !ec;
}

// Offers every current record of the store at dir to dedup, counting outcomes in *counts, and
// adds its raw archive files to *txn (the records keep pointing at them).
Status OfferStore(Deduplicator* dedup, const std::string& dir, SourceStoreMerge* counts, Store* dest,
                  Transaction* txn) {
  StoreOptions ro;
  ro.read_only = true;
  std::unique_ptr<Store> source;
  ALCOR_RETURN_IF_ERROR(Store::Open(Env::Default(), dir, ro, &source));
  ALCOR_RETURN_IF_ERROR(CopyRawFilesInto(dest, dir, source->manifest(), txn));
  SupersededSet superseded;
  ALCOR_RETURN_IF_ERROR(LoadSuperseded(*source, &superseded));
  ScanOptions scan;
  if (!superseded.empty()) scan.is_superseded = [&](const RecordLocation& w) { return superseded.Contains(w); };
  Status offered;
  Status scanned = ScanStore(*source, scan, [&](std::string_view line, const RecordLocation& where) {
    Result<Record> record = Record::FromJsonLine(line);
    if (!record.ok()) {
      offered = record.status().WithContext(JoinPath(dir, where.shard) + ":" + std::to_string(where.line));
      return false;
    }
    ++counts->records;
    DedupDecision decision;
    offered = dedup->Offer(std::move(record).value(), &decision);
    if (!offered.ok()) return false;
    switch (decision.outcome) {
      case DedupOutcome::kNew: ++counts->added; break;
      case DedupOutcome::kMerged: ++counts->merged; break;
      case DedupOutcome::kUnchanged: ++counts->unchanged; break;
    }
    return true;
  });
  ALCOR_RETURN_IF_ERROR(scanned);
  return offered;
}

}  // namespace

Status MergeStores(Store* dest, const std::vector<std::string>& source_dirs, const DedupOptions& options,
                   MergeStoresReport* report) {
  *report = MergeStoresReport();
  if (dest->read_only()) return Status::InvalidArgument(dest->dir() + ": merging needs a writable store");
  for (const std::string& dir : source_dirs) {
    if (SameStoreFolder(dir, dest->dir()))
      return Status::InvalidArgument(dir + ": is the destination store itself");
  }
  std::unique_ptr<Deduplicator> dedup;
  ALCOR_RETURN_IF_ERROR(Deduplicator::Open(dest, options, &dedup));
  Transaction txn;
  auto drop_raw = [&] {
    for (const PendingRawFile& p : txn.raw_files) dest->env()->RemoveFile(p.temp_path);
  };
  for (const std::string& dir : source_dirs) {
    report->sources.push_back(SourceStoreMerge{.store = dir});
    Status s = OfferStore(dedup.get(), dir, &report->sources.back(), dest, &txn);
    if (!s.ok()) {
      dedup->Abandon();
      drop_raw();
      return s.WithContext("merge stopped, " + dest->dir() + " is unchanged");
    }
  }
  Status s = dedup->AddToTransaction(&txn);
  if (s.ok()) s = dest->Commit(&txn);
  if (!s.ok()) {
    dedup->Abandon();
    drop_raw();
    return s.WithContext("merge stopped, " + dest->dir() + " is unchanged");
  }
  report->dedup = dedup->stats();
  return Status::OK();
}

}  // namespace alcor
