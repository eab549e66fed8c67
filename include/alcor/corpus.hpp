// Reading a store's records: the checked reading path every reader shares (cat, stats, dedup,
// repair, and writers before they append), the scan behind cat and stats, and the statistics.
//
// What every reader checks, once, here (docs/operations.md "What every command checks"):
//   - the manifest lists each shard once;
//   - a listed shard exists as a regular file (a symbolic link is refused, never followed) and is
//     not empty;
//   - every zstd frame's checksum (ShardReader), and every line is a record (CheckRecordLine:
//     UTF-8, JSON, schema v1; not the text digest, which is validate's);
//   - at the end of a shard: its size, sha256, record count and JSONL bytes against the manifest.
// validate checks more (digests, duplicate ids, unlisted files, permissions): see validate.hpp.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "alcor/env.hpp"
#include "alcor/shard.hpp"
#include "alcor/status.hpp"
#include "alcor/store.hpp"

namespace alcor {

// The file-level checks of a listed shard before it is read: present, a regular file and not a
// symbolic link, not empty. path: where it is; display: how messages name it.
Status CheckShardFile(Env* env, const std::string& path, const std::string& display);

// What reading a shard to its end found.
struct ShardTotals {
  uint64_t records = 0;      // lines
  uint64_t jsonl_bytes = 0;  // lines plus newlines
  uint64_t file_bytes = 0;
  std::string sha256;        // of the file
};
// Where those disagree with the manifest entry: one short sentence each ("3 records, manifest
// says 4"); empty when they agree.
std::vector<std::string> CompareWithManifest(const ShardInfo& expected, const ShardTotals& seen);

// Shard paths the manifest lists more than once, each once, in manifest order.
std::vector<std::string> ShardsListedTwice(const Manifest& manifest);

struct ReadShardOptions {
  // Read past lines that are not records (they are counted, not visited) instead of stopping at
  // the first. Frame damage always ends the shard: nothing after it can be decoded.
  bool keep_going = false;
};

// Reads the listed shard `info` of the store at store_dir with every check above, calling visit
// for each line that is a record (exactly as stored, without '\n'), in order, including
// superseded lines (the caller decides). Stops early, with OK, when visit returns false.
// Returns OK when the shard is intact, else Corruption naming the shard and, where it is about
// one line, the line ("<store>/shards/a/b.jsonl.zst:12: not valid JSON"); with keep_going, the
// first damage, after every intact line was visited. *damage_count (optional) receives how many
// problems were found in all.
Status ReadListedShard(Env* env, const std::string& store_dir, const ShardInfo& info,
                       const ReadShardOptions& options,
                       const std::function<bool(std::string_view line, const RecordLocation& where)>& visit,
                       uint64_t* damage_count = nullptr);

// Reads every listed shard with the checks above and returns the first damage (OK when the store
// reads clean). Writers call it before they append (Store::Open), so nothing is added to a
// damaged store.
Status CheckStoreReadable(Env* env, const std::string& store_dir, const Manifest& manifest);

struct ScanOptions {
  std::string source;  // only this source's shards ("" = all)
  // Older versions of re-stored items (dedup rule 2) are skipped when this says so.
  std::function<bool(const RecordLocation&)> is_superseded;
  // Read past damage: a damaged shard yields every record that still reads, on_damaged is called
  // once for it with its first damage, and the scan goes on with the next shard. A shard the
  // manifest lists twice is read once.
  bool skip_damaged = false;
  std::function<void(const Status& damage)> on_damaged;
};

// Calls visit for every current record line of the store, in manifest order, without re-parsing
// or re-serialising (the line is exactly as stored, without its '\n'). Stops early, with OK, when
// visit returns false. Every shard is read through ReadListedShard: the first damage stops the
// scan with its error (shard and line), unless skip_damaged; a shard listed twice stops it
// before anything is visited.
Status ScanStore(const Store& store, const ScanOptions& options,
                 const std::function<bool(std::string_view line, const RecordLocation& where)>& visit);

struct SourceStats {
  uint64_t records = 0;
  uint64_t shards = 0;
  uint64_t jsonl_bytes = 0;
  uint64_t file_bytes = 0;
  uint64_t words = 0;
  // Grouped by source: records another source keeps that this one also reached (listed in their
  // also_at: an Alignment Forum post also on LessWrong), so a source's reach shows whichever copy
  // the deduplicator kept. Not in `records`; the total sums them.
  uint64_t also_held = 0;
  // The source's raw archive files (alcor/raw_archive.hpp): their bytes on disk (grouped by source
  // only).
  uint64_t raw_bytes = 0;
  std::optional<std::string> earliest;  // of date_published
  std::optional<std::string> latest;
};

struct StoreStats {
  // Groups by source, or by what ComputeStatsBy groups by (then shards and file_bytes are 0).
  std::map<std::string, SourceStats> sources;
  SourceStats total;
  std::string by = "source";  // the column the groups are named in; JSON "sources" when "source", else "groups"
  nlohmann::json ToJson() const;
  // A table for people: one line per source and a total.
  std::string ToText() const;
};

Status ComputeStats(const Store& store, const ScanOptions& options, StoreStats* stats);

// The groups ComputeStatsBy knows: source (ComputeStats), year (of date_published; "unknown"),
// kind (alcor/selection.hpp's RecordKind), tag and author (a record counts once for each of its
// tags or authors, "(none)" without any; the total counts it once).
inline constexpr const char* kStatsGroups[] = {"source", "year", "kind", "tag", "author"};
Status ComputeStatsBy(const Store& store, const ScanOptions& options, std::string_view by, StoreStats* stats);

}  // namespace alcor
