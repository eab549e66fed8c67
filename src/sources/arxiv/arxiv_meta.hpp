// Paper metadata without the arXiv API host: Semantic Scholar's paper/batch and paper/search
// answers, and the citation_* meta tags of arXiv's abs page. Pure functions over bytes (no I/O),
// thread safe; untrusted input fails with a Status or a per-paper problem, never crashes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "alcor/status.hpp"
#include "sources/arxiv/arxiv_atom.hpp"

namespace alcor {

// The fields of a paper (ArxivEntry) Semantic Scholar is asked for: title, abstract, authors,
// dates, ids, venue, fields of study, citation count.
inline constexpr const char* kS2PaperFields =
    "title,abstract,authors,year,publicationDate,externalIds,venue,fieldsOfStudy,citationCount";

// What one answer said about one paper.
struct PaperMetadata {
  std::string id;  // the arXiv id asked for (batch) or found (search), without version
  // The paper, when the answer had one; its missing fields are named in `missing`.
  std::optional<ArxivEntry> entry;
  // Fields the answer lacked or had in a wrong type ("abstract", "authors", "date", "title",
  // "version"); the abs page can supply them.
  std::vector<std::string> missing;
  // Why there is no entry ("unknown to Semantic Scholar", "not an object"), "" when there is one.
  std::string problem;
  std::optional<int64_t> citation_count;
  std::vector<std::string> fields_of_study;
  std::string venue;
};

// One paper object of the Graph API (a batch element or a search item) for arXiv id `id`
// ("" takes externalIds.ArXiv). A null element is "unknown to Semantic Scholar".
PaperMetadata ParseS2Paper(const nlohmann::json& paper, const std::string& id);

// The answer to POST paper/batch for ids (arXiv ids without the "ARXIV:" prefix): one
// PaperMetadata per id, in order. Fails with Corruption naming what is wrong when the body is not a
// JSON array of ids.size() elements (HTML, an error object, a truncated answer).
Result<std::vector<PaperMetadata>> ParseS2Batch(std::string_view body, const std::vector<std::string>& ids);

// One page of GET paper/search: the items that have an arXiv id, and the paging figures.
struct S2SearchPage {
  std::vector<PaperMetadata> papers;  // only items with externalIds.ArXiv
  size_t items = 0;                   // items on the page, arXiv or not
  int64_t total = -1;
  std::optional<int64_t> next;  // absent on the last page
};
Result<S2SearchPage> ParseS2SearchPage(std::string_view body);

// The abs page of an arXiv paper: citation_title, citation_author ("Last, First" → "First Last"),
// citation_date / citation_online_date (YYYY/MM/DD), citation_abstract, the comments cell and
// the submission history's last version. Fails with Corruption ("no citation meta tags") when the
// page has no citation_title.
Result<ArxivEntry> ParseAbsPage(std::string_view html, const std::string& id);

// Fills the fields of *entry that are empty from `from` (title, summary, authors, dates, comment,
// version).
void FillMissing(ArxivEntry* entry, const ArxivEntry& from);

}  // namespace alcor
