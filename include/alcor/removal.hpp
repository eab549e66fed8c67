// Takedowns (`alcor remove`, `alcor removed`): records taken out of the store for a reason, and
// kept out.
//
// Removing a record lists its line in the store's superseded set (alcor/dedup.hpp), so every
// reader (cat, show, search, export, stats, validate) skips it from the commit on, and `alcor
// dedup` compaction drops the line for good. The removal list, logical state "removed", keeps
// per removed record its id, source, URL and also_at URLs, content_sha256, the hash of its normalised text, the
// reason and the time; the deduplicator refuses a later record with the same id, URL, content
// digest or normalised text (a re-scrape or re-ingest), and any record matching a removed one
// (docs/dedup.md). validate reports a live record the list names.
//
// File format (text, UTF-8): the line "alcor-removed 1", then one JSON object per removal:
//   {"id","source","url","also_at":[URL...],"content_sha256","text_key","reason","time"}
// (also_at may be missing in lists written before it was kept: read as none).
// text_key is the hex hash of the normalised text ("" when the text is too short to compare).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "alcor/record.hpp"
#include "alcor/status.hpp"
#include "alcor/store.hpp"

namespace alcor {

inline constexpr const char* kRemovedState = "removed";

struct Removal {
  std::string id;
  std::string source;
  std::string url;
  std::vector<std::string> also_at;  // the URLs of the same item elsewhere (Record::also_at)
  std::string content_sha256;
  std::string text_key;
  std::string reason;
  std::string time;  // RFC 3339 UTC
  nlohmann::json ToJson() const;
};

class RemovalList {
 public:
  void Add(Removal removal);
  const std::vector<Removal>& entries() const { return entries_; }
  bool empty() const { return entries_.empty(); }
  // The removal of id, or nullptr.
  const Removal* FindId(std::string_view id) const;
  // The removal a record would bring back (its id, or its URL or an also_at URL equal to the
  // removed record's URL or one of its also_at URLs, its content digest, or
  // normalised text), or nullptr.
  const Removal* Refuses(const Record& record) const;

  std::string Serialize() const;
  // Corruption naming path_for_errors and the line when text is not in the format above.
  static Status Parse(std::string_view text, std::string_view path_for_errors, RemovalList* out);

 private:
  std::vector<Removal> entries_;
  std::map<std::string, size_t, std::less<>> by_id_, by_url_, by_sha_, by_text_;
};

// The hex key of a text's normalised form as the deduplicator compares it, "" when the text is
// too short to be compared for itself (fewer than 10 normalised words).
std::string RemovalTextKey(std::string_view text);

// Loads the store's removal list (empty, OK, when it has none). Works on read-only stores.
Status LoadRemovals(const Store& store, RemovalList* list);

// Removes the live records with these ids, in one commit: their lines become superseded and the
// removal list gains an entry each (reason, now). Nothing changes when any id names no live
// record: InvalidArgument naming every such id (and saying so when it was removed already).
// REQUIRES: store open for writing.
Status RemoveRecords(Store* store, const std::vector<std::string>& ids, const std::string& reason,
                     std::vector<Removal>* removed);

}  // namespace alcor
