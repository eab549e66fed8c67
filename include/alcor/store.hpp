// The corpus store (docs/architecture.md "The store"): a private directory of shards, a manifest that lists them,
// state/ for cursors, caches and the dedup index, runs/ for run reports, and a lock.
//
//   <dir>/ALCOR_STORE       marker: {"format": "alcor-store", "version": 1}
//   <dir>/manifest.json     every committed shard and the current state files; replaced atomically
//   <dir>/shards/<source>/  <run-id>-<seq>.jsonl.zst (temporaries: .<name>.tmp)
//   <dir>/state/            module state; <name>.<generation> files named by the manifest
//   <dir>/runs/<run-id>.json
//   <dir>/LOCK              flock'ed by the one writer; holds "pid N"
//   <dir>/COMMIT-INTENT     exists only during a commit (see Commit)
//   <dir>/quarantine/       damaged shards `alcor repair` set aside (never read, never deleted)
//   <dir>/raw/<source>/     <run-id>-<seq>.warc.gz: the raw archive (alcor/raw_archive.hpp),
//                           committed like shards
//
// Commit protocol: write COMMIT-INTENT (every shard path the commit adds or removes), rename the
// new shards' temporaries to their final names, install new state files, publish manifest.json
// atomically, delete removed shards and replaced state, move quarantined shards into quarantine/,
// remove the intent, then sync the search index (a cache of the manifest; with
// StoreOptions::index_in_background a thread does it while the writer goes on). The manifest is the
// single commit point: a crash before it leaves the previous store, after it the new one. Files the
// intent names that the published manifest does not list are swept by the next writer and are
// not problems for validate.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "alcor/env.hpp"
#include "alcor/raw_archive.hpp"
#include "alcor/shard.hpp"
#include "alcor/status.hpp"

namespace alcor {

inline constexpr int kStoreFormatVersion = 1;

struct Manifest {
  int format_version = kStoreFormatVersion;
  uint64_t generation = 0;  // bumped by every commit
  std::string updated;      // RFC 3339 UTC of the last commit
  std::vector<ShardInfo> shards;
  // The raw archive's files (alcor/raw_archive.hpp), "raw" in the JSON.
  std::vector<RawFileInfo> raw;
  // Logical state name → file path relative to the store root ("state/dedup-index.000012").
  std::map<std::string, std::string> state;

  std::string ToJson() const;
  static Result<Manifest> Parse(std::string_view json_text, std::string_view path_for_errors);
};

struct StoreOptions {
  // A writer may create the store when dir does not exist or is an empty folder. Never where
  // files of a store are (a store whose marker is missing is damaged, not new).
  bool create_if_missing = true;
  // Read-only opens take no lock and never modify anything (validate, cat, stats).
  bool read_only = false;
  // A writer reads every listed shard with the readers' checks (CheckStoreReadable in
  // alcor/corpus.hpp) and refuses a damaged store with the first damage, so nothing is appended
  // to it. Off only for repair, whose job is a damaged store.
  bool check_before_writing = true;
  // Repair: a store whose marker is missing but whose manifest reads gets its marker back
  // (logged). Otherwise such a store is refused (Corruption naming the marker).
  bool restore_missing_marker = false;
  // After every commit, bring the search index (state/search-index.sqlite, alcor/search.hpp) up
  // to date with the new manifest. Off only where a benchmark measures what it costs.
  bool update_search_index = true;
  // With update_search_index: sync on a background thread (SearchIndexFollower in
  // alcor/search.hpp) so a commit returns without waiting for the index, and the Store's
  // destructor waits until the index is current. The CLI's writers use it; off, Commit syncs
  // before it returns (the order tests that count file operations rely on).
  bool index_in_background = false;
  ShardWriterOptions shard;
};

// What one commit adds.
struct Transaction {
  std::vector<PendingShard> shards;
  // Logical state name → a complete, synced file the caller wrote under state/ (any name).
  // Commit installs it as the new version of that state.
  std::map<std::string, std::string> state_files;
  // Store-relative paths of listed shards to drop from the manifest (compaction). Their files are
  // deleted after the new manifest is published.
  std::vector<std::string> remove_shards;
  // Store-relative paths of listed shards to drop from the manifest and move, after the commit
  // point, to quarantine/<source dir>/<file> (repair). A missing file is only dropped.
  std::vector<std::string> quarantine_shards;
  // Logical state names to drop from the manifest (their files are deleted after publishing).
  std::vector<std::string> remove_state;
  // Raw archive files to add (alcor/raw_archive.hpp), renamed and listed like shards, and
  // store-relative paths of listed ones to drop (deleted after publishing: `alcor raw prune`).
  std::vector<PendingRawFile> raw_files;
  std::vector<std::string> remove_raw;
};

class SearchIndexFollower;

class Store {
 public:
  // Opens the store at dir. A writer creates it if allowed (mode 0700), takes the lock (Locked
  // naming the holder when another process has it) and sweeps what an interrupted commit left.
  // Refuses a marker of an unknown format version.
  static Status Open(Env* env, const std::string& dir, const StoreOptions& options,
                     std::unique_ptr<Store>* store);
  ~Store();

  const std::string& dir() const { return dir_; }
  Env* env() const { return env_; }
  const Manifest& manifest() const { return manifest_; }
  bool read_only() const { return options_.read_only; }
  // Open wrote back a missing marker (StoreOptions::restore_missing_marker).
  bool restored_marker() const { return restored_marker_; }
  // Files or folders of the store readable or writable by group or others (paths relative to the
  // store root). Open logs a warning naming them; validate reports them.
  const std::vector<std::string>& permission_problems() const { return permission_problems_; }

  // This writer's run id ("20261128T001503Z-3fa9"): sortable, unique per Open.
  const std::string& run_id() const { return run_id_; }

  // A writer for one source's shards. REQUIRES: !read_only().
  std::unique_ptr<ShardWriter> NewShardWriter(const std::string& source);
  // A writer for one source's raw archive files. REQUIRES: !read_only().
  std::unique_ptr<RawArchiveWriter> NewRawArchiveWriter(const std::string& source);

  // Commits a transaction (see the protocol above); on success the manifest lists the shards and
  // state files. On failure nothing committed changes and the transaction's files are removed
  // (its shards are lost: the caller reports them as not stored). REQUIRES: !read_only().
  Status Commit(Transaction* txn);

  // Absolute path of the directory for module state (created by writers).
  std::string StateDir() const;
  // Path of the current version of a logical state file, or "" when there is none.
  std::string CurrentStateFile(const std::string& name) const;
  // Absolute path of a store-relative path.
  std::string PathOf(const std::string& relative) const;

  // Writes runs/<run_id>.json atomically.
  Status WriteRunReport(const std::string& json_text);

 private:
  Store(Env* env, std::string dir, StoreOptions options);
  Status Init();
  Status SweepInterruptedCommit();

  Env* env_;
  std::string dir_;
  StoreOptions options_;
  Manifest manifest_;
  std::unique_ptr<FileLock> lock_;
  std::string run_id_;
  std::shared_ptr<std::atomic<uint64_t>> shard_sequence_ = std::make_shared<std::atomic<uint64_t>>(1);
  std::vector<std::string> permission_problems_;
  bool restored_marker_ = false;
  // Shards a failed commit renamed but could not remove; named by every later intent until swept.
  std::vector<std::string> uncommitted_leftovers_;
  // With StoreOptions::index_in_background; joined by the destructor before the lock is released.
  std::unique_ptr<SearchIndexFollower> index_follower_;
};

// Store-relative paths ("." for the root) of the store's folders and files that group or others
// may read, write or enter: the root, the marker, manifest, lock, intent, and everything under
// shards/, state/, runs/ and quarantine/ to two levels.
std::vector<std::string> FindNonPrivatePaths(Env* env, const std::string& dir);

// Shard and raw archive paths (store-relative) named by an interrupted commit's intent file, if
// there is one: files it added or removed (the next writer deletes them) and, in *quarantine_paths when
// given, shards it was moving to quarantine/ (the next writer finishes the move). validate does
// not count either as unlisted.
Status ReadCommitIntent(Env* env, const std::string& dir, std::vector<std::string>* shard_paths,
                        std::vector<std::string>* quarantine_paths = nullptr);

// File naming, in one place with its inverse (after leveldb's filename.h).
namespace store_files {
inline constexpr const char* kMarker = "ALCOR_STORE";
inline constexpr const char* kManifest = "manifest.json";
inline constexpr const char* kLock = "LOCK";
inline constexpr const char* kCommitIntent = "COMMIT-INTENT";
inline constexpr const char* kShardsDir = "shards";
inline constexpr const char* kStateDir = "state";
inline constexpr const char* kRunsDir = "runs";
inline constexpr const char* kQuarantineDir = "quarantine";
inline constexpr const char* kShardSuffix = ".jsonl.zst";
inline constexpr const char* kRawDir = "raw";
inline constexpr const char* kRawSuffix = ".warc.gz";
// A source name as a folder name: [A-Za-z0-9._-] kept, everything else %XX (no '/', no "..").
std::string SourceDirName(std::string_view source);
// "shards/<source dir>/<run id>-<seq 6 digits>.jsonl.zst"
std::string ShardPath(std::string_view source, std::string_view run_id, uint64_t sequence);
// Parses a shard path back; false when path is not one ShardPath makes.
bool ParseShardPath(std::string_view path, std::string* source_dir, std::string* run_id, uint64_t* sequence);
// "raw/<source dir>/<run id>-<seq 6 digits>.warc.gz" (alcor/raw_archive.hpp), and its inverse.
std::string RawPath(std::string_view source, std::string_view run_id, uint64_t sequence);
bool ParseRawPath(std::string_view path, std::string* source_dir, std::string* run_id, uint64_t* sequence);
bool IsRawPath(std::string_view path);
// True for the temporary names writers use (".<name>.tmp").
bool IsTemporaryName(std::string_view file_name);
// "state/<name>.<generation 6 digits>"
std::string StateFilePath(std::string_view name, uint64_t generation);
// Where a quarantined shard goes: "shards/<source>/<file>" -> "quarantine/<source>/<file>".
std::string QuarantinePath(std::string_view shard_path);
}  // namespace store_files

}  // namespace alcor
