// The deduplicator (docs/dedup.md): every record passes through it on its way into the store, so
// researchers never see one document twice and a nightly run never re-adds what is stored.
//
// What counts as a duplicate, in the order matches are looked for:
//   1. the same item: same record id, or a URL (url or an also_at URL) already known;
//   2. a new version of a stored item: same id and source, different text (the newer replaces it);
//   3. an exact duplicate: same text after normalisation (case, whitespace, punctuation);
//   4. a near duplicate: estimated shingle Jaccard similarity >= near_threshold, found with MinHash
//      + LSH (P(caught | J >= 0.8) >= 0.95, P(merged | J <= 0.5) <= 0.01; docs/dedup.md).
// One record is kept; the other's (source, url) goes into its also_at. Which one's text and
// metadata win is MergePolicy. Shards are append-only: when a kept record changes (a new version
// or text wins, also_at grows), it is written again and its old line is listed in the store's
// "superseded" state; cat/stats/validate skip superseded lines, `alcor dedup` drops them.
//
// Persistence: the index lives in the store's state as logical file "dedup-index" and is
// committed in the same Store::Commit as the shards it describes (AddToTransaction), so it never
// names a record that is not stored. Records of shards the index does not know (written without
// the deduplicator, or before it existed) are indexed when the Deduplicator opens.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "alcor/record.hpp"
#include "alcor/shard.hpp"
#include "alcor/status.hpp"
#include "alcor/store.hpp"

namespace alcor {

// Logical state names (Store::CurrentStateFile).
inline constexpr const char* kDedupIndexState = "dedup-index";
inline constexpr const char* kSupersededState = "superseded";

// Which of two records of the same item keeps its text and metadata. A new version from the same
// source (same id and source) always replaces the older one regardless of policy, unless its
// date_modified is older. When the policy finds two copies of one item (the same id from two
// sources) equal, a copy whose source marks it as away from the item's home (metadata "home":
// false, e.g. a forum's copy of a post that belongs to a sister site) gives way to one that is not
// so marked, whichever came first; otherwise a tie keeps the record met first. A copy marked
// "home": true is therefore never taken as unchanged unread (Offer): the stored record may be
// the copy away from home, which it replaces.
enum class MergePolicy {
  kRicherThenNewer,  // default: more words (by richer_margin) wins; else newest date_modified
  kNewerThenRicher,  // newest date_modified (else date_published) wins; else more words
  kKeepFirst,        // the record stored first always wins; only also_at grows
};
const char* MergePolicyName(MergePolicy policy);  // "richer", "newer", "first"
bool ParseMergePolicy(std::string_view name, MergePolicy* policy);

struct DedupOptions {
  MergePolicy policy = MergePolicy::kRicherThenNewer;
  // "Richer" means more words by at least this fraction (0.05: 5% more).
  double richer_margin = 0.05;
  bool exact_duplicates = true;
  bool near_duplicates = true;
  // Texts shorter than this (normalised words) are never merged for their text alone, so short
  // comments such as "Thanks, great post!" under different ids stay distinct.
  size_t min_words_exact = 10;
  // Near-duplicate detection needs enough shingles for the estimate to be reliable.
  size_t min_words_near = 50;
  // Estimated Jaccard similarity from which a candidate is confirmed as a near duplicate.
  double near_threshold = 0.67;
  // Candidates looked at per LSH band (bounds the work of a pathological bucket).
  size_t max_candidates_per_band = 64;
  // Records waiting to be merged with a stored record are buffered up to this many bytes of
  // text; then the stored records are read and the merges written (see Offer).
  uint64_t max_pending_merge_bytes = uint64_t{64} << 20;
  // How many ids of this run's documents are remembered for DedupDecision::matched_id.
  size_t max_remembered_ids = size_t{1} << 16;
  // Start from an empty index, ignoring the stored one and the shards (compaction uses this).
  bool rebuild = false;
};

enum class DedupOutcome {
  kNew,        // stored as a new record
  kUnchanged,  // already stored exactly so (same id, same text, every URL known): nothing written
  kMerged,     // merged into a stored or earlier record (which may be rewritten; see Offer)
};
// kRemoved: refused (outcome kUnchanged), the record or one it matches was removed (alcor/removal.hpp).
enum class DedupReason { kNone, kSameId, kSameUrl, kExactText, kNearText, kRemoved };
const char* DedupOutcomeName(DedupOutcome outcome);
const char* DedupReasonName(DedupReason reason);

struct DedupDecision {
  DedupOutcome outcome = DedupOutcome::kNew;
  DedupReason reason = DedupReason::kNone;
  // kNew: where the record was written. Otherwise: where the matched record is stored as of this
  // call (it may move when a merge rewrites it).
  RecordLocation location;
  // Id of the matched record when this run wrote or merged it (up to max_remembered_ids of them);
  // "" for records of earlier runs (the index keeps hashes, not ids).
  std::string matched_id;
  // The matched record was written, or merged into, by this run (whatever max_remembered_ids is).
  bool matched_this_run = false;
  double estimated_jaccard = 0.0;  // kNearText only
  // kMerged: an OfferHints::update_metadata record with the text already stored under its id.
  // Whether its other fields changed is known only when the merge is written: DedupStats counts
  // it then (metadata_updated or metadata_unchanged), not this decision.
  bool metadata_check = false;
  // "new", "unchanged (same id)", "merged: near duplicate (J~0.86) of shards/...:12"
  std::string ToString() const;
};

// Per-run counters (for the run report).
struct DedupStats {
  uint64_t offered = 0;
  uint64_t stored_new = 0;
  uint64_t unchanged = 0;
  uint64_t merged_same_id = 0;
  uint64_t merged_same_url = 0;
  uint64_t merged_exact = 0;
  uint64_t merged_near = 0;
  uint64_t new_versions = 0;   // merges where a newer version replaced the stored text
  uint64_t rewritten = 0;      // kept records written again (text won or also_at grew)
  uint64_t superseded = 0;     // lines newly listed as superseded
  uint64_t indexed_from_shards = 0;  // records indexed at Open from shards the index did not know
  uint64_t unreadable_targets = 0;   // stored records that could not be read back for a merge
  uint64_t refused_removed = 0;      // offered again after `alcor remove` took them out
  // Thread CPU seconds spent writing records (serialising, compressing) and reading stored records
  // back for merges: the store's share of the deduplicator's time.
  double storage_cpu_seconds = 0;
  uint64_t index_documents = 0;
  uint64_t index_memory_bytes = 0;
  // OfferHints::update_metadata records with the stored text, by their source, counted when their
  // merge is written: the stored record's other fields changed and were replaced, or not.
  std::map<std::string, uint64_t> metadata_updated;
  std::map<std::string, uint64_t> metadata_unchanged;
  nlohmann::json ToJson() const;  // metadata_updated as a total
};

// What the caller knows of a record it offers (Deduplicator::Offer).
struct OfferHints {
  // The item may be stored already with the same text and older fields (karma, votes, tags,
  // comment count: a forum changes them without an edit). The stored record of the same id and
  // source is then read back and replaced when any field other than fetched_at and also_at
  // differs, even with the same text (unless the offered date_modified is older); see
  // DedupDecision::metadata_check. Without it, the same id and text count as unchanged unread.
  bool update_metadata = false;
};

// The set of superseded record lines of a store (logical state "superseded").
//
// File format (text, UTF-8): the line "alcor-superseded 1", then one line per shard
// "<store-relative shard path>\t<line>,<line>,..." with line numbers ascending, then
// "end <total number of lines>". Immutable once loaded; Contains is safe from many threads.
class SupersededSet {
 public:
  bool Contains(std::string_view shard, uint64_t line) const;
  bool Contains(const RecordLocation& where) const { return Contains(where.shard, where.line); }
  void Add(std::string_view shard, uint64_t line);
  // Forgets every line of a shard (repair, when the shard leaves the store).
  void RemoveShard(std::string_view shard);
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // Shards with at least one superseded line.
  std::vector<std::string> Shards() const;

  std::string Serialize() const;
  // Corruption (naming path_for_errors) when text is not in the format above.
  static Status Parse(std::string_view text, std::string_view path_for_errors, SupersededSet* out);

 private:
  std::map<std::string, std::vector<uint64_t>, std::less<>> lines_;  // sorted, unique
  size_t size_ = 0;
};

// Loads the store's current superseded set (empty, OK, when the store has none). Works on
// read-only stores: cat, stats and validate call it and skip what it Contains.
Status LoadSuperseded(const Store& store, SupersededSet* set);
// The same from the file at path (absolute; "" gives the empty set).
Status LoadSupersededFile(Env* env, const std::string& path, SupersededSet* set);

// The pipeline-facing deduplicator of one writer. Not thread safe: one thread offers records.
//
// Usage:
//   std::unique_ptr<Deduplicator> dedup;
//   ALCOR_RETURN_IF_ERROR(Deduplicator::Open(store, DedupOptions{}, &dedup));
//   for (...) { record.Seal(); ALCOR_RETURN_IF_ERROR(dedup->Offer(std::move(record), &decision)); }
//   Transaction txn;                       // may also carry the caller's own state files
//   ALCOR_RETURN_IF_ERROR(dedup->AddToTransaction(&txn));
//   ALCOR_RETURN_IF_ERROR(store->Commit(&txn));
// After a successful Commit the Deduplicator may go on (more Offers, another AddToTransaction).
// After a failed Commit it must be destroyed: its memory describes shards that were not stored.
class Deduplicator {
 public:
  // REQUIRES: store is open for writing and outlives the Deduplicator.
  // Loads the committed index (a damaged index, or one built with other parameters, is rebuilt
  // from the shards with a warning), the superseded set, and indexes records of shards the index
  // does not list yet. Unless options.rebuild.
  static Status Open(Store* store, const DedupOptions& options, std::unique_ptr<Deduplicator>* out);
  ~Deduplicator();  // Abandons what was not handed to a transaction.

  // Decides what record is. A new record is written to its source's shard at once. A record that
  // matches a stored one is buffered and merged later (when the buffer is full, or in
  // AddToTransaction): then both records are read, the policy picks the winner, and when the kept
  // record changes it is written again and its older line superseded.
  // REQUIRES: record is sealed (Record::Seal), record.source and record.id are not empty.
  Status Offer(Record record, DedupDecision* decision = nullptr, OfferHints hints = {});

  // Writes pending merges, finishes the shards, and adds to txn: every finished shard, the new
  // index ("dedup-index") and the superseded set ("superseded").
  Status AddToTransaction(Transaction* txn);

  // Removes uncommitted shard files. The Deduplicator must not be used afterwards.
  void Abandon();

  const DedupStats& stats();
  size_t indexed_documents() const;

  struct Impl;

 private:
  explicit Deduplicator(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// What `alcor dedup` did.
struct CompactionReport {
  uint64_t shards_before = 0;
  uint64_t shards_after = 0;
  uint64_t records_before = 0;        // lines in the old shards
  uint64_t superseded_dropped = 0;    // superseded lines dropped
  uint64_t duplicates_merged = 0;     // records merged into another (same id/url, exact, near)
  uint64_t merged_same_item = 0;
  uint64_t merged_exact = 0;
  uint64_t merged_near = 0;
  uint64_t records_after = 0;
  uint64_t jsonl_bytes_before = 0;
  uint64_t jsonl_bytes_after = 0;
  nlohmann::json ToJson() const;
  std::string ToText() const;
};

// Re-deduplicates and compacts the whole store: reads every current record (skipping superseded
// lines) in manifest order, passes it through a fresh Deduplicator, and commits new shards, a new
// index and an empty superseded set while removing every old shard, in one Store::Commit (a crash
// leaves the old store or the new one). A damaged shard aborts the compaction (nothing changes).
// REQUIRES: store open for writing.
//
// transform (may be empty; `alcor rebuild`): the records of the first pass go through it in
// batches of up to batch_size, in store order, before they are offered; it may change each record
// in place but drops none. An error from it (Interrupted on SIGINT) stops the compaction with the
// store unchanged.
struct CompactionTransform {
  std::function<Status(std::vector<Record>* batch)> transform;
  size_t batch_size = 256;
};
Status CompactStore(Store* store, const DedupOptions& options, CompactionReport* report,
                    const CompactionTransform& first_pass = {});

}  // namespace alcor
