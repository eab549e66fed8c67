// The store's raw archive as a whole (alcor/raw_archive.hpp): reading the bytes a record points
// at, and retention (`alcor raw`, `alcor raw prune`).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "alcor/raw_archive.hpp"
#include "alcor/status.hpp"
#include "alcor/store.hpp"
#include "alcor/warc.hpp"

namespace alcor {

// The WARC record metadata.raw (a record's metadata) points at: the file must be listed in the
// manifest and the record there must carry the same WARC-Record-ID. NotFound when the record has
// no raw bytes; Corruption naming file@offset when they do not read.
Status ReadRawOf(const Store& store, const nlohmann::json& metadata, WarcRecord* out);

struct RawPruneReport {
  uint64_t files_removed = 0;
  uint64_t bytes_removed = 0;
  uint64_t files_kept = 0;
  uint64_t bytes_kept = 0;
  // WARC records of the kept files that no current record points at: bytes prune cannot free
  // without rewriting the records that point into those files (docs/architecture.md).
  uint64_t dead_records_kept = 0;
  std::vector<std::string> removed;  // store-relative paths
  nlohmann::json ToJson() const;
};

// `alcor raw prune --keep-latest`: drops, in one commit, every raw archive file that no current
// record (superseded versions and removed records aside) points at. A file some current record
// points at is kept whole (records address their bytes by offset; its dead WARC records are
// counted in dead_records_kept). is_superseded: as for
// ScanStore (nullptr: none). REQUIRES: a writer.
Status PruneRawArchive(Store* store, const std::function<bool(const RecordLocation&)>& is_superseded,
                       RawPruneReport* report);

// Adds to txn the raw archive files of the store at from_dir (its manifest `from`) that dest does
// not list yet, copied under the same store-relative paths (so the records brought over keep
// pointing at them) into temporaries that dest's Commit renames into place (`alcor merge`). A path
// dest lists already with the same sha256 is skipped; with another, Corruption naming it. On error
// the temporaries made so far are removed.
Status CopyRawFilesInto(Store* dest, const std::string& from_dir, const Manifest& from, Transaction* txn);

}  // namespace alcor
