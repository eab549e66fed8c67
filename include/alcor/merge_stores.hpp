// Merging stores (`alcor merge`): the records of stores scraped apart (one machine per group of
// sources) brought into one store through its deduplicator, so ids, URLs, exact and near
// duplicates are recognised across stores and also_at lists are merged (docs/operations.md
// "Several machines").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "alcor/dedup.hpp"
#include "alcor/status.hpp"
#include "alcor/store.hpp"

namespace alcor {

// What merging one source store did to the destination.
struct SourceStoreMerge {
  std::string store;       // the source store's folder, as given
  uint64_t records = 0;    // current records read (superseded and removed lines skipped)
  uint64_t added = 0;      // stored as new records
  uint64_t merged = 0;     // merged into a record already there (same item, exact or near text)
  uint64_t unchanged = 0;  // already there exactly so, or refused as taken down in the destination
  nlohmann::json ToJson() const;
};

struct MergeStoresReport {
  std::vector<SourceStoreMerge> sources;  // in the order given
  DedupStats dedup;                       // the destination deduplicator's counters
  nlohmann::json ToJson() const;
  std::string ToText() const;  // one line per source store and a total
};

// Offers every current record of each source store (in the order given, each in manifest order)
// to a Deduplicator of dest, then commits everything in one Store::Commit: a crash or an error
// leaves dest as it was. Source stores are opened read-only (no lock, nothing written) and must
// read clean; a damaged one stops the merge with its first damage (nothing changes). A source
// that is dest itself is refused (InvalidArgument).
// REQUIRES: dest open for writing.
Status MergeStores(Store* dest, const std::vector<std::string>& source_dirs, const DedupOptions& options,
                   MergeStoresReport* report);

}  // namespace alcor
