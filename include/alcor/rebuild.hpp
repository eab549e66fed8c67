// `alcor rebuild` (docs/architecture.md "The raw archive"): re-derives every record that has raw
// bytes (metadata.raw, alcor/raw_archive.hpp) with today's conversion, offline. The bytes go
// through the same Convert as in a scrape (alcor/convert.hpp: HTML and main content, Markdown,
// PDF, EPUB, files of their own), the records through a fresh deduplicator into a new generation
// of shards, which one Store::Commit swaps in for the old (CompactStore, alcor/dedup.hpp): a crash
// or SIGINT before it leaves the store's records exactly as they were. Resumable: the records
// re-derived so far are staged under <store>/rebuild/ (checkpointed every 2 s and when stopped,
// outside the manifest), and a rebuild of the same store generation with the same options takes
// them from there instead of converting them again; the swap removes the staging. Records without raw bytes (stored before
// the archive existed, or an answer several records were taken from: metadata.raw.part) are
// carried over unchanged and counted. A damaged or missing raw record is reported with its file
// and offset; that record is kept as it was.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "alcor/dedup.hpp"
#include "alcor/record.hpp"
#include "alcor/status.hpp"
#include "alcor/store.hpp"

namespace alcor {

struct RebuildOptions {
  std::vector<std::string> sources;  // only these sources' records are re-derived (empty: all)
  bool dry_run = false;              // convert and report; write nothing
  int workers = 0;                   // conversion threads (0: one per core)
  DedupOptions dedup;
  // Test only (`alcor rebuild --test-alter-conversion WORD`): after conversion, every occurrence
  // of this word in a record's text is upper-cased, so exactly the records containing it change.
  std::string test_alter_word;
  // A checkpoint of the staging at most this often (and when stopped): what a kill -9 can lose.
  // Test only: 0 checkpoints every batch (`--test-checkpoint-every-batch`).
  int64_t checkpoint_micros = 2'000'000;
  // Called from the rebuilding thread after each batch with the figures so far (may be empty).
  std::function<void(const struct RebuildReport&)> on_progress;
  // Set (from a signal watcher) to stop: Rebuild checkpoints its staging and returns Interrupted;
  // the store's records are unchanged.
  const std::atomic<bool>* stop = nullptr;
};

struct RebuildSourceReport {
  std::string name;
  uint64_t changed = 0;    // re-derived records whose stored form differs
  uint64_t unchanged = 0;  // re-derived, the same
  uint64_t failed = 0;     // raw bytes unreadable or conversion failed: kept as they were
  uint64_t no_raw = 0;     // no raw bytes to re-derive from: carried over unchanged
  // Over the changed records: the words by which a new text is longer, and by which it is shorter,
  // than the old (CountWords).
  uint64_t words_gained = 0;
  uint64_t words_lost = 0;
  std::vector<std::string> failures;  // the first reasons (file@offset or id: why)
  nlohmann::json ToJson() const;
  static RebuildSourceReport FromJson(const nlohmann::json& j);
};

struct RebuildReport {
  bool dry_run = false;
  std::vector<RebuildSourceReport> sources;  // by name
  uint64_t records = 0;                      // records read (of every source)
  uint64_t converted = 0;  // records whose raw bytes this run converted (RederiveRecord)
  // Records taken as an interrupted rebuild had re-derived them (not converted again); the counts
  // per source include them, so a resumed rebuild reports what an uninterrupted one would.
  uint64_t resumed = 0;
  CompactionReport compaction;               // what the swap did (not in a dry run)
  double seconds = 0;
  nlohmann::json ToJson() const;
  std::string Summary() const;
};

// Rebuilds the store's records (see above). InvalidArgument for a --source no record has;
// Interrupted when options.stop was set (nothing changed). REQUIRES: a writer (a dry run too).
Status RebuildStore(Store* store, const RebuildOptions& options, RebuildReport* report);

// Re-derives one record from its raw bytes with today's conversion (what RebuildStore does to
// each): *out is the new record. NotFound when it has no raw bytes to convert (none, or a part of
// a shared answer); Corruption naming file@offset when they do not read; conversion errors.
Status RederiveRecord(const Store& store, const Record& stored, Record* out,
                      const std::string& test_alter_word = "");

}  // namespace alcor
