// validate: proves a store (or a set of shard files) intact and well formed. CI's gate.
//
// Checks: zstd integrity (frame checksums), every line valid UTF-8 JSON satisfying schema v1
// (CheckRecordJson) with a matching content_sha256, ids unique among live records, the record's
// source equal to its shard's, no empty shard; for a store also: manifest entries match their
// files (sha256, size, records, bytes; CompareWithManifest in alcor/corpus.hpp, which every reader
// uses too), no shard listed twice, missing, unlisted or a symbolic link, private permissions, no
// live record the removal list names; the raw archive (alcor/raw_archive.hpp): every listed file
// reads as WARC records (framing, both digests), matches its manifest entry, none unlisted, and every
// live record's metadata.raw names a WARC record there with its WARC-Record-ID.
// Loose shard files inside a store are checked exactly as the whole store checks them (manifest
// entry, superseded lines). Streams: memory grows only with the id set.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "alcor/env.hpp"
#include "alcor/shard.hpp"
#include "alcor/status.hpp"

namespace alcor {

struct ValidationProblem {
  std::string path;  // as the user would type it (store dir joined with the relative path)
  uint64_t line = 0; // 0 when the problem is not about one line
  std::string message;
  // "PATH:LINE: message" (or "PATH: message" when line is 0).
  std::string ToString() const;
};

struct ValidationReport {
  uint64_t shards = 0;
  uint64_t records = 0;             // live records: what cat prints and stats counts
  uint64_t superseded_records = 0;  // older versions of re-stored items, kept in the shards
  uint64_t jsonl_bytes = 0;
  uint64_t file_bytes = 0;
  uint64_t raw_files = 0;  // raw archive files read (alcor/raw_archive.hpp)
  uint64_t raw_bytes = 0;
  std::vector<ValidationProblem> problems;
  std::vector<std::string> notes;  // not problems: e.g. files an interrupted commit left
  bool ok() const { return problems.empty(); }
  nlohmann::json ToJson() const;
};

// A shard the manifest does not list (a loose file, or one in a store that its manifest misses)
// states no size, so validate caps what it decompresses at kMaxUnlistedShardRatio times the
// file's size, never below kMinUnlistedShardJsonlBytes: a zstd bomb costs bounded time.
inline constexpr uint64_t kMaxUnlistedShardRatio = 1000;
inline constexpr uint64_t kMinUnlistedShardJsonlBytes = uint64_t{64} << 20;

struct ValidateOptions {
  // Shard files to check instead of the whole store. Those inside the store and listed in its
  // manifest are also checked against their manifest entry.
  std::vector<std::string> shard_paths;
  // Further problems of one shard are summarised once this many are reported.
  size_t max_problems_per_shard = 50;
  // Records for which this returns true are older versions of a re-stored item (dedup rule 2):
  // they are checked for integrity but their ids do not count as duplicates.
  std::function<bool(const RecordLocation&)> is_superseded;
  // Ids taken down (alcor/removal.hpp): a live record with such an id is a problem.
  std::function<bool(std::string_view id)> is_removed;
  // Report files and folders that group or others may use. Off for copies whose modes were lost
  // on the way (a store checked out of git), where only the data is in question.
  bool check_permissions = true;
};

// The store a shard file belongs to, found from its path ("<store>/shards/<source>/<file>" with a
// store marker file in <store>), as an absolute, normal path; "" when it is in none. Loose shards
// are validated against their own store whatever --store says.
std::string StoreOfShard(Env* env, const std::string& shard_path);

// Validates the store at store_dir. Returns a non-OK Status only when validation could not run
// at all (no store at store_dir); everything wrong with the data goes into report->problems.
// Never modifies anything.
Status ValidateStore(Env* env, const std::string& store_dir, const ValidateOptions& options,
                     ValidationReport* report);

}  // namespace alcor
