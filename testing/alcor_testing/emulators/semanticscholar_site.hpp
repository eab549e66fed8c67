// SemanticScholarSite: the references endpoint of the Semantic Scholar Graph API, emulated from
// data, for tests and the offline mirror. Installed under a prefix (the mirror's "/s2/graph/v1"):
//
//   <prefix>/paper/<id>/references?fields=...&offset=N&limit=M
//     <id> is "ARXIV:<arXiv id>" (case-insensitive prefix, '/' of old-style ids percent-encoded
//     or not) or a paper's S2 paperId. Answers {"offset": N, "next": N+M (absent on the last
//     page), "data": [{"citedPaper": {"paperId", "externalIds"?, "title"?}}]}: externalIds and
//     title only when `fields` asks for them, as the real API does; a reference S2 could not
//     resolve has "paperId": null. Unknown papers get 404 {"error": "Paper with id ... not
//     found"}; limit above 1000 gets 400.
//
// Faults: InjectThrottle(n) answers the next n requests with 429 (the keyless rate limit).
// Thread safe; the data is shared with the installed routes.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "alcor/status.hpp"
#include "alcor_testing/test_server.hpp"

namespace alcor::testing {

struct S2Reference {
  std::string paper_id;  // "" → S2 could not resolve it (paperId null, no ids)
  std::string title;
  std::string arxiv;     // externalIds.ArXiv, "" when none
  std::string doi;       // externalIds.DOI, "" when none
};

class SemanticScholarSite {
 public:
  SemanticScholarSite();

  // Reads <dir>/references.json: {"<arXiv id>": {"paperId": "...", "references": [{"paperId",
  // "title", "arxiv", "doi"}...]}, ...}. InvalidArgument naming the file when malformed.
  static Result<SemanticScholarSite> Load(const std::string& dir);

  // The paper with this arXiv id (and S2 paperId, may be "") has these references. Papers never
  // added are unknown (404).
  void Put(const std::string& arxiv_id, const std::string& paper_id, std::vector<S2Reference> references);
  void InjectThrottle(int n);

  void Install(TestServer* server, const std::string& prefix) const;

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace alcor::testing
