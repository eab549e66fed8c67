// Selection: which records a reader wants. One object shared by `alcor cat`, `export` and
// `search`, so a flag means the same thing in each (docs/usage.md "Selecting records").
//
// A record is selected when it passes every filter that is set:
//   sources    a name or a glob ('*' any run, '?' one character: "blog:*"); the record's source or
//              any of its also_at sources matches one of them (per-source views include the items
//              a record holds in also_at)
//   ids        its id is one of them
//   since      date_published >= since; until: date_published < the day after `until` when it is a
//              date alone, else <= until (records without a date are left out by either)
//   kinds      its kind (RecordKind) is one of them
//   tags       it carries every one of them (case-insensitive)
//   min_karma  metadata.karma is a number >= it
//   af         metadata.af is true
//   query      full-text (the search index, alcor/search.hpp); Matches does not look at it
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "alcor/status.hpp"

namespace alcor {

// The kinds of record a selection can name.
inline constexpr const char* kRecordKinds[] = {"post", "comment", "paper", "book", "page", "file"};

// The fields of a record a selection and the reports look at, read from its stored line.
struct RecordFacts {
  std::string id;
  std::string source;
  std::string source_kind;
  std::string url;
  std::vector<std::string> also_at_sources;
  std::string date_published;  // "" when null
  std::vector<std::string> tags;
  std::vector<std::string> authors;
  std::optional<double> karma;  // metadata.karma when a number
  bool af = false;              // metadata.af == true
  bool feed_entry = false;      // metadata.feed_url is a non-empty string (a feed's post, not a page)
};

// Reads the facts of one stored record line (JSON). InvalidArgument when it is not a JSON object.
Status ReadRecordFacts(std::string_view line, RecordFacts* facts);

// The id, title and text of a stored record line (export's fast path). The views stay valid until
// the next call on the same thread. InvalidArgument when the line is not a JSON object with a
// string id.
struct RecordText {
  std::string_view id, title, text;
};
Status ReadRecordText(std::string_view line, RecordText* out);

// The kind of a record: forummagnum → "comment" (ids "<site>:comment:...") or "post"; arxiv →
// "paper"; book → "book"; file → "file"; feed → "post" for a feed's entry, "page" for a page found
// otherwise (sitemaps); any other kind → "page".
std::string RecordKind(const RecordFacts& facts);

struct Selection {
  std::vector<std::string> sources;
  std::vector<std::string> ids;
  std::string since;  // as given: a date or an RFC 3339 date-time
  std::string until;
  std::vector<std::string> kinds;
  std::vector<std::string> tags;
  std::optional<int64_t> min_karma;
  bool af = false;
  std::string query;

  // Checks the values and prepares the date bounds. InvalidArgument naming the flag and what is
  // wrong ("--since: '2023-13-01' is not a date (YYYY-MM-DD or RFC 3339)", "--kind: 'blog' is not a
  // kind (post, comment, paper, book, page, file)"). Sources are checked against a store by
  // CheckSources.
  Status Prepare();
  // Every --source that matches none of known (the sources that hold records, shards' or
  // also_at's) is an InvalidArgument with a did-you-mean.
  Status CheckSources(const std::vector<std::string>& known) const;

  // Whether a record passes every filter but query. REQUIRES: Prepare succeeded.
  bool Matches(const RecordFacts& facts) const;
  // Whether a source name matches --source (true when no --source is given).
  bool MatchesSource(std::string_view source) const;
  // No filter but possibly query: every record passes Matches.
  bool SelectsAll() const;

 private:
  std::string since_bound_;  // inclusive, RFC 3339 UTC
  std::string until_bound_;  // inclusive upper bound, RFC 3339 UTC
  bool until_exclusive_ = false;
  std::vector<std::string> folded_tags_;
};

}  // namespace alcor
