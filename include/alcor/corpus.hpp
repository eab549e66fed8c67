// Reading a store's records: the scan behind cat and stats, and the per-source statistics.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "alcor/shard.hpp"
#include "alcor/status.hpp"
#include "alcor/store.hpp"

namespace alcor {

struct ScanOptions {
  std::string source;  // only this source's shards ("" = all)
  // Older versions of re-stored items (dedup rule 2) are skipped when this says so.
  std::function<bool(const RecordLocation&)> is_superseded;
};

// Calls visit for every current record line of the store, in manifest order, without re-parsing
// or re-serialising (the line is exactly as stored, without its '\n'). Stops early, with OK, when
// visit returns false. A damaged shard stops the scan with its reader's error (path and line).
Status ScanStore(const Store& store, const ScanOptions& options,
                 const std::function<bool(std::string_view line, const RecordLocation& where)>& visit);

struct SourceStats {
  uint64_t records = 0;
  uint64_t shards = 0;
  uint64_t jsonl_bytes = 0;
  uint64_t file_bytes = 0;
  uint64_t words = 0;
  std::optional<std::string> earliest;  // of date_published
  std::optional<std::string> latest;
};

struct StoreStats {
  std::map<std::string, SourceStats> sources;
  SourceStats total;
  nlohmann::json ToJson() const;
  // A table for people: one line per source and a total.
  std::string ToText() const;
};

Status ComputeStats(const Store& store, const ScanOptions& options, StoreStats* stats);

}  // namespace alcor
