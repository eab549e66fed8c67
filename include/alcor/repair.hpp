// Repair: one damaged shard must not hide the rest of a store (docs/operations.md "Repairing a
// damaged store"). Repair sits above the store and the deduplicator: it changes the store only
// through Store::Commit and rebuilds the dedup index (alcor/dedup.hpp) from what remains.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "alcor/status.hpp"
#include "alcor/store.hpp"

namespace alcor {

struct RepairReport {
  struct DamagedShard {
    std::string path;           // store-relative, as the manifest listed it
    std::string damage;         // the first damage the readers' checks found (names the line)
    uint64_t listed_records = 0;  // what the manifest said it held
    uint64_t salvaged = 0;        // live records that still read, stored again in a new shard
    uint64_t superseded = 0;      // superseded lines that read (older versions: not kept)
    // Listed records neither salvaged nor superseded, by the manifest's count (which may be the
    // damaged part: then this says how far it was off).
    uint64_t lost = 0;
  };
  bool marker_restored = false;
  std::vector<DamagedShard> damaged;
  uint64_t records_salvaged = 0;
  uint64_t records_lost = 0;
  uint64_t salvage_shards = 0;      // new shards holding the salvaged records
  bool index_rebuilt = false;
  uint64_t indexed_documents = 0;   // documents in the rebuilt dedup index
  bool changed() const { return marker_restored || !damaged.empty() || index_rebuilt; }
  nlohmann::json ToJson() const;
  std::string ToText() const;
};

// Finds every damaged listed shard with the readers' checks (alcor/corpus.hpp: missing, symbolic
// link, empty, listed twice, frame damage, a line that is not a record, size, sha256 or record
// count unlike the manifest), then in one Store::Commit: drops them from the manifest and moves
// their files to quarantine/ (never deletes them; a symbolic link is moved, not followed), stores
// every live record that still reads in new shards (the intact leading frames; the lines that
// parse after a bad one), drops their lines from the superseded set and drops the dedup index.
// A second commit installs a dedup index rebuilt from the shards that remain, so the ids of
// records that were lost leave it and the next scrape or ingest stores them again. A crash
// between the two commits leaves a store without an index, which the next writer (or repair)
// rebuilds. A store without damage and with an index is left unchanged.
// REQUIRES: store open for writing with StoreOptions::check_before_writing off.
Status RepairStore(Store* store, RepairReport* report);

}  // namespace alcor
