// The full-text search index of a store (`alcor search`, `--query`): SQLite FTS5 over every
// current record's title and text, ranked by BM25 (a title match weighs 4 times a text match).
//
// The index is a cache of the store, never its truth. It lives at state/search-index.sqlite
// (not a manifest state file: SQLite keeps it consistent with its own journal) and records which
// shards (path and sha256) and which superseded set it reflects. SyncSearchIndex brings it to the
// store's current manifest in one SQLite transaction: shards the manifest no longer lists are
// dropped, shards it does not know yet are read through the checked reading path and added, lines
// the superseded set names (older versions, removed records) are deleted. Store::Commit calls it
// after every commit; every reader calls it before a query. A process killed at any moment leaves
// the previous transaction's index (SQLite rolls the journal back), which the next sync brings up
// to date, so an answer always describes the manifest the reader opened. An index that is missing,
// damaged or of another format is rebuilt from the shards, with a warning when it was damaged.
#pragma once

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "alcor/selection.hpp"
#include "alcor/shard.hpp"
#include "alcor/status.hpp"
#include "alcor/store.hpp"

namespace alcor {

// Store-relative path of the index.
inline constexpr const char* kSearchIndexPath = "state/search-index.sqlite";

struct SearchHit {
  std::string id;
  std::string date;  // date_published, "" when none
  std::string source;
  std::string title;
  std::string snippet;  // text around the matches, each match between "**" and "**", one line
  double score = 0;     // BM25: higher is better
  RecordLocation where;
};

struct SyncStats {
  uint64_t shards_added = 0;
  uint64_t shards_dropped = 0;
  uint64_t documents_added = 0;
  uint64_t lines_deleted = 0;  // superseded or removed lines taken out
  uint64_t shards_skipped = 0; // listed shards that could not be read (left for the next sync)
  bool rebuilt = false;        // the index was missing, damaged or of another format
};

// Matches ranked per window by SearchIndex::Search: at 2-8 µs a match (a prefix costs the most),
// 5,000 keep a query near the 50 ms the search benchmark allows (docs/benchmarks.md).
inline constexpr uint64_t kRankedWindow = 5000;

struct SearchStats {
  // Windows ranked that were full, so more matches were left beyond them; 0 when every match
  // was ranked. window is their length.
  uint64_t full_windows = 0;
  uint64_t window = 0;
};

class SearchIndex {
 public:
  // Opens (creating when missing) the index of store and syncs it. With rebuild, the index is
  // deleted and built again from the shards. The store may be read-only: the index is a cache
  // the reader may write. A damaged index is rebuilt with a warning.
  static Status Open(const Store& store, bool rebuild, std::unique_ptr<SearchIndex>* out, SyncStats* stats = nullptr);
  ~SearchIndex();

  // The best hits for query (FTS5 syntax: words, "a phrase", prefix*, AND/OR/NOT, NEAR) among the
  // records selection passes (its query field is ignored), best first, at most limit.
  // InvalidArgument naming the query when FTS5 cannot parse it.
  // Ranking scores every match, so a query matching more than kRankedWindow records is ranked in
  // windows of that many matches, the most recently indexed first: the hits are the best of the
  // newest window (then of the next, while the selection leaves fewer than limit). stats says
  // whether windows were used. A query with a prefix (word*) is ranked in
  // windows a fifth as long: scoring a prefix match costs several times a word's.
  Status Search(const std::string& query, const Selection& selection, size_t limit, std::vector<SearchHit>* hits,
                SearchStats* stats = nullptr);
  // The window Search ranks at a time (kRankedWindow unless a test sets a small one).
  void set_ranked_window(uint64_t n) { ranked_window_ = n < 1 ? 1 : n; }

  // Where every record matching query is stored (for cat and export --query).
  Status MatchingLocations(const std::string& query, std::set<RecordLocation>* where);
  // Where the current record with this id, or with this canonical URL, is stored.
  Status Locate(const std::string& id_or_url, std::vector<RecordLocation>* where);
  // Every source that holds a record (its own source or an also_at source), sorted.
  Status Sources(std::vector<std::string>* sources);
  // Number of documents indexed.
  uint64_t documents();

  struct Impl;

 private:
  explicit SearchIndex(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  uint64_t ranked_window_ = kRankedWindow;
};

// Brings the index of store up to date (creating it when missing); Store::Commit's hook.
Status SyncSearchIndex(const Store& store, SyncStats* stats = nullptr);

// Keeps a writer's index in step with its commits off the commit path
// (StoreOptions::index_in_background): Store::Commit posts every manifest it publishes, and one
// background thread syncs the index to the newest one posted (a newer manifest covers every older
// one it has not started). Indexing then overlaps the writer's next batch instead of holding it.
// A failed sync is logged unless a newer manifest is already waiting (a commit replaced a file
// under it; the newer sync does the work) and is left to the next sync: the index is a cache, and
// every reader syncs it before answering. The destructor returns once the newest posted manifest
// is indexed, so the writer's process ends with its index current; a kill at any moment leaves
// the last complete SQLite transaction, as with the synchronous hook.
class SearchIndexFollower {
 public:
  SearchIndexFollower(Env* env, std::string store_dir);
  ~SearchIndexFollower();
  SearchIndexFollower(const SearchIndexFollower&) = delete;
  SearchIndexFollower& operator=(const SearchIndexFollower&) = delete;

  // The manifest a commit just published (copied).
  void Post(const Manifest& manifest);
  // Blocks until every posted manifest has been synced (or its sync failed).
  void WaitUntilCurrent();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace alcor
