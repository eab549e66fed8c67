// SemanticScholarSite: the Semantic Scholar Graph API endpoints alcor uses, emulated from data, for
// tests and the offline mirror. Installed under a prefix (the mirror's "/s2/graph/v1"), on a host
// of its own like the live API: no robots.txt (404: everything allowed).
//
//   POST <prefix>/paper/batch?fields=a,b  body {"ids": ["ARXIV:<id>", ...]} (at most 500): a JSON
//     array in the order of the ids, null for an unknown id; each paper has paperId and the
//     fields asked for (title, abstract, authors [{authorId, name}], year, publicationDate,
//     externalIds {ArXiv, DOI, CorpusId}, venue, fieldsOfStudy, citationCount). A body that is not
//     {"ids": [strings]} or more than 500 ids gets 400 {"error": ...}.
//   GET <prefix>/paper/search?query=&fields=&offset=&limit=  relevance search (every query word in
//     the title or abstract, case-insensitive): {"total", "offset", "next" (absent on the last
//     page), "data": [papers]}; limit above 100 or offset + limit above 1000 get 400.
//   GET <prefix>/paper/search/bulk?query=&fields=&token=  the same matches, 1000 a page, paged by
//     an opaque "token" (absent on the last page): {"total", "token"?, "data"}.
//   <prefix>/paper/<id>/references?fields=...&offset=N&limit=M
//     <id> is "ARXIV:<arXiv id>" (case-insensitive prefix, '/' of old-style ids percent-encoded
//     or not) or a paper's S2 paperId. Answers {"offset": N, "next": N+M (absent on the last
//     page), "data": [{"citedPaper": {"paperId", "externalIds"?, "title"?}}]}: externalIds and
//     title only when `fields` asks for them, as the real API does; a reference S2 could not
//     resolve has "paperId": null. Unknown papers get 404 {"error": "Paper with id ... not
//     found"}; limit above 1000 gets 400.
//
// Faults: InjectThrottle(n) answers the next n requests with 429 (the keyless rate limit);
// ThrottleBursts(every, length) starts a burst of `length` 429 answers at every `every`-th request
// that comes when no burst is running (each with Retry-After when given; (0, 0) stops them); InjectBatchReply(reply) answers the next batch request with
// reply as is (HTML instead of JSON, wrong types); a paper's `raw` replaces its batch element.
// Thread safe; the data is shared with the installed routes.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "alcor/status.hpp"
#include "alcor_testing/emulators/arxiv_site.hpp"
#include "alcor_testing/test_server.hpp"

namespace alcor::testing {

struct S2Reference {
  std::string paper_id;  // "" → S2 could not resolve it (paperId null, no ids)
  std::string title;
  std::string arxiv;     // externalIds.ArXiv, "" when none
  std::string doi;       // externalIds.DOI, "" when none
};

// What the Graph API knows of one paper (the fields of a batch or search answer).
struct S2Paper {
  std::string arxiv;     // externalIds.ArXiv (the key of the paper in this emulator)
  std::string paper_id;  // S2 paperId
  std::string title, abstract;  // "" → null, as S2 answers for papers without one
  std::vector<std::string> authors;
  std::string publication_date;  // "YYYY-MM-DD", "" → null
  int year = 0;                  // 0 → null
  std::string venue, doi;
  std::vector<std::string> fields_of_study;
  int citation_count = 0;
  // When set, the batch answer carries this JSON text for the paper instead (bad input tests).
  std::string raw;
};

// The Graph API's view of an arXiv paper: its title, abstract, authors, submission date and DOI;
// paperId "s2-<id>".
S2Paper S2PaperOf(const ArxivPaper& paper);

class SemanticScholarSite {
 public:
  SemanticScholarSite();

  // Reads <dir>/references.json: {"<arXiv id>": {"paperId": "...", "references": [{"paperId",
  // "title", "arxiv", "doi"}...]}, ...}. InvalidArgument naming the file when malformed.
  static Result<SemanticScholarSite> Load(const std::string& dir);

  // The paper with this arXiv id (and S2 paperId, may be "") has these references. Papers never
  // added are unknown (404).
  void Put(const std::string& arxiv_id, const std::string& paper_id, std::vector<S2Reference> references);
  // Adds or replaces (same arxiv id) a paper known to the batch and search endpoints.
  void PutPaper(S2Paper paper);
  void InjectThrottle(int n, const std::string& retry_after = "");
  void ThrottleBursts(int every, int length, const std::string& retry_after = "");
  void InjectBatchReply(Reply reply);

  void Install(TestServer* server, const std::string& prefix) const;

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace alcor::testing
