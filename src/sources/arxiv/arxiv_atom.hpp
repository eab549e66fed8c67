// The arXiv query API's Atom responses (export.arxiv.org/api/query), parsed by namespace and
// element name, never by position. Pure functions; thread safe; hostile input fails cleanly.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "alcor/status.hpp"

namespace alcor {

struct ArxivEntry {
  std::string id;    // without version: "2203.02155", "hep-th/9901001"
  int version = 0;   // from the entry id ("http://arxiv.org/abs/IDvN"); 0 when it names none
  std::string title;    // whitespace collapsed
  std::string summary;  // the abstract, whitespace collapsed
  std::vector<std::string> authors;
  // affiliations[i] are those of authors[i] (arxiv:affiliation), often empty.
  std::vector<std::vector<std::string>> affiliations;
  std::optional<std::string> published;  // RFC 3339 UTC
  std::optional<std::string> updated;    // RFC 3339 UTC
  std::vector<std::string> categories;   // in feed order, primary first when listed so
  std::string primary_category;
  std::string doi, journal_ref, comment;  // "" when absent
  // Where the fields came from: "api", "semanticscholar", "abs" or "semanticscholar+abs".
  std::string metadata_from = "api";
  // Semantic Scholar's figures, when the metadata came from there.
  std::optional<int64_t> citation_count;
  std::vector<std::string> fields_of_study;
  std::string venue;
};

struct ArxivFeed {
  std::vector<ArxivEntry> entries;
  int64_t total_results = -1;  // opensearch:totalResults; -1 when absent
  int64_t start_index = 0;
  int64_t items_per_page = -1;
  // The message of an error entry (the API reports errors as a feed with one entry whose id is
  // under https://arxiv.org/api/errors), e.g. "incorrect id format for abc"; "" otherwise.
  std::string error;
  // Entries dropped because their id could not be read (named in messages).
  std::vector<std::string> unreadable_entries;
};

// Parses a response body. Fails with Corruption naming the problem when it is not an Atom feed.
Result<ArxivFeed> ParseArxivFeed(std::string_view xml);

}  // namespace alcor
