// CompactStore: `alcor dedup` — re-deduplicates a whole store into fresh shards, atomically.
#include <algorithm>
#include <future>

#include <spdlog/spdlog.h>

#include "alcor/dedup.hpp"

namespace alcor {

nlohmann::json CompactionReport::ToJson() const {
  return {{"shards_before", shards_before},
          {"shards_after", shards_after},
          {"records_before", records_before},
          {"superseded_dropped", superseded_dropped},
          {"duplicates_merged", duplicates_merged},
          {"merged_same_item", merged_same_item},
          {"merged_exact", merged_exact},
          {"merged_near", merged_near},
          {"records_after", records_after},
          {"jsonl_bytes_before", jsonl_bytes_before},
          {"jsonl_bytes_after", jsonl_bytes_after}};
}

std::string CompactionReport::ToText() const {
  std::string s;
  s += "removed " + std::to_string(superseded_dropped) + " superseded versions and " +
       std::to_string(duplicates_merged) + " duplicates (" + std::to_string(merged_same_item) + " same item, " +
       std::to_string(merged_exact) + " exact, " + std::to_string(merged_near) + " near)\n";
  s += "records: " + std::to_string(records_before) + " -> " + std::to_string(records_after) +
       "; shards: " + std::to_string(shards_before) + " -> " + std::to_string(shards_after) +
       "; JSONL bytes: " + std::to_string(jsonl_bytes_before) + " -> " + std::to_string(jsonl_bytes_after) + "\n";
  return s;
}

namespace {

// One input shard of a compaction pass: a committed shard, or a temporary one of the previous pass.
struct PassInput {
  std::string read_path;  // where to read it
  std::string name;       // store-relative final path (what superseded entries name)
  // The JSONL the shard's manifest entry (or the pass that wrote it) says it holds: reading stops
  // with Corruption past it, so a damaged shard that expands without end is refused early.
  uint64_t jsonl_bytes = 0;
};

void RemovePassFiles(Env* env, const Transaction& txn) {
  for (const PendingShard& p : txn.shards) env->RemoveFile(p.temp_path);
  for (const auto& [name, path] : txn.state_files) env->RemoveFile(path);
}

}  // namespace

// Runs the records through a fresh Deduplicator. Merges can rewrite a kept record that the same
// pass already wrote, leaving a superseded line in the new shards; then the new shards go through
// another pass (rarely more than one), so the committed result holds no superseded line.
Status CompactStore(Store* store, const DedupOptions& options, CompactionReport* report,
                    const CompactionTransform& first_pass) {
  *report = CompactionReport();
  if (store->read_only()) return Status::InvalidArgument(store->dir() + ": compaction needs a writable store");
  Env* env = store->env();
  SupersededSet superseded;
  ALCOR_RETURN_IF_ERROR(LoadSuperseded(*store, &superseded));
  DedupOptions fresh = options;
  fresh.rebuild = true;

  const std::vector<ShardInfo> old_shards = store->manifest().shards;
  report->shards_before = old_shards.size();
  std::vector<PassInput> inputs;
  for (const ShardInfo& shard : old_shards) {
    report->jsonl_bytes_before += shard.jsonl_bytes;
    inputs.push_back(PassInput{store->PathOf(shard.path), shard.path, shard.jsonl_bytes});
  }

  constexpr int kMaxPasses = 4;
  Transaction txn;
  Transaction previous;  // the previous pass's temporary output, removed once read
  for (int pass = 1;; ++pass) {
    std::unique_ptr<Deduplicator> dedup;
    Status s = Deduplicator::Open(store, fresh, &dedup);
    // The first pass's records go through the transform in batches, then to the deduplicator.
    const bool transforming = pass == 1 && first_pass.transform;
    // One batch is transformed on a thread of its own while the batch before it is offered, so
    // the conversions and the deduplicator overlap; batches are offered in order (`alcor rebuild`:
    // docs/benchmarks.md).
    std::vector<Record> batch;
    std::vector<Record> in_flight;
    std::future<Status> transformed;
    auto offer_in_flight = [&]() -> Status {
      if (!transformed.valid()) return Status::OK();
      ALCOR_RETURN_IF_ERROR(transformed.get());
      for (Record& r : in_flight) ALCOR_RETURN_IF_ERROR(dedup->Offer(std::move(r)));
      in_flight.clear();
      return Status::OK();
    };
    auto flush = [&](bool last) -> Status {
      if (!batch.empty()) {
        std::vector<Record> next = std::move(batch);
        batch.clear();
        Status previous = offer_in_flight();
        if (!previous.ok()) return previous;
        in_flight = std::move(next);
        transformed = std::async(std::launch::async, [&first_pass, &in_flight] { return first_pass.transform(&in_flight); });
      }
      return last ? offer_in_flight() : Status::OK();
    };
    for (const PassInput& in : inputs) {
      if (!s.ok()) break;
      ShardReader reader(env, in.read_path, in.name);
      reader.LimitJsonlBytes(in.jsonl_bytes);
      std::string line;
      while (s.ok() && reader.NextLine(&line)) {
        if (pass == 1) ++report->records_before;
        if (superseded.Contains(in.name, reader.line_number())) {
          if (pass == 1) ++report->superseded_dropped;
          continue;
        }
        Result<Record> record = Record::FromJsonLine(line);
        if (!record.ok()) {
          s = record.status().WithContext(in.name + ":" + std::to_string(reader.line_number()));
          break;
        }
        if (!transforming) {
          s = dedup->Offer(std::move(record).value());
          continue;
        }
        batch.push_back(std::move(record).value());
        if (batch.size() >= std::max<size_t>(first_pass.batch_size, 1)) s = flush(/*last=*/false);
      }
      if (s.ok() && !reader.status().ok()) s = reader.status();
    }
    if (s.ok() && transforming) s = flush(/*last=*/true);
    if (transformed.valid()) transformed.wait();  // an error above: the transform still owns in_flight
    if (s.ok()) s = dedup->AddToTransaction(&txn);
    SupersededSet left;
    if (s.ok()) {
      std::string text;
      s = ReadFileToString(env, txn.state_files[kSupersededState], &text, uint64_t{2} << 30);
      if (s.ok()) s = SupersededSet::Parse(text, txn.state_files[kSupersededState], &left);
    }
    RemovePassFiles(env, previous);
    previous = Transaction();
    if (!s.ok()) {
      RemovePassFiles(env, txn);
      return s.WithContext("compaction stopped, the store is unchanged");
    }
    const DedupStats& st = dedup->stats();
    report->merged_same_item += st.merged_same_id + st.merged_same_url + st.unchanged;
    report->merged_exact += st.merged_exact;
    report->merged_near += st.merged_near;
    if (left.empty() || pass == kMaxPasses) {
      if (!left.empty()) spdlog::warn("dedup: {} superseded lines remain after {} passes", left.size(), pass);
      break;
    }
    spdlog::info("dedup: pass {} left {} superseded lines; compacting again", pass, left.size());
    superseded = std::move(left);
    inputs.clear();
    for (const PendingShard& p : txn.shards) inputs.push_back(PassInput{p.temp_path, p.info.path, p.info.jsonl_bytes});
    previous = std::move(txn);
    txn = Transaction();
  }
  report->duplicates_merged = report->merged_same_item + report->merged_exact + report->merged_near;

  for (const ShardInfo& shard : old_shards) txn.remove_shards.push_back(shard.path);
  Status s = store->Commit(&txn);
  if (!s.ok()) {
    RemovePassFiles(env, txn);
    return s;
  }
  report->shards_after = store->manifest().shards.size();
  SupersededSet after;
  ALCOR_RETURN_IF_ERROR(LoadSuperseded(*store, &after));
  for (const ShardInfo& shard : store->manifest().shards) {
    report->records_after += shard.records;
    report->jsonl_bytes_after += shard.jsonl_bytes;
  }
  report->records_after -= std::min<uint64_t>(report->records_after, after.size());
  return Status::OK();
}

}  // namespace alcor
