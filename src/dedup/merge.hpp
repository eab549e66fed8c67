// Merging two records of the same item under a MergePolicy (docs/dedup.md "Policy").
#pragma once

#include "alcor/dedup.hpp"
#include "alcor/record.hpp"

namespace alcor::dedup {

struct MergeResult {
  bool incoming_won = false;  // the merged record carries the incoming record's text and metadata
  bool new_version = false;   // same id and source, different text, and the incoming one won
  bool changed = false;       // *kept differs from what it was before the merge
  bool metadata_update = false;  // update_metadata: same id, source and text; other fields won
};

// Merges incoming into *kept (the record stored, or kept so far). Rules:
//  - same id and same source: a new version. A different text replaces the kept one unless its
//    date_modified (else date_published) is older; the same text keeps the kept record.
//    With update_metadata (OfferHints), the same text with other fields changed (any but
//    fetched_at and also_at) replaces the kept record too, unless its date is older.
//  - otherwise options.policy decides (MergePolicy). In a tie between two copies of one item
//    (same id, other source) a copy marked "home": false gives way, whichever came first
//    (MergePolicy's comment); other ties keep the kept record (no churn).
// The winner keeps its fields; fields it lacks (title, authors, dates, summary, tags) are filled
// from the loser, except for a new version. also_at becomes the union of both also_at lists plus
// the loser's (source, url) — its id when it has no url — minus the winner's own (source, url).
MergeResult MergeRecords(Record* kept, Record incoming, const DedupOptions& options, bool update_metadata = false);

// Whether the record's source marks it as a copy at the item's home (metadata "home": true), or
// away from it ("home": false); both false when it has no such mark.
bool AtHome(const Record& r);
bool AwayFromHome(const Record& r);

// Seconds since the epoch of date_modified, else date_published; nullopt when neither parses.
std::optional<int64_t> RecordTimestamp(const Record& r);

}  // namespace alcor::dedup
