// arXiv identifiers, for the arxiv source module and `alcor ingest arxiv:ID`.
//
// To ingest one paper, build a SourceConfig for kind "arxiv" (FindSourceKind("arxiv") and
// ValidateSourceConfig) with {"ids": [ID], "citations": {"max_depth": 0}} and run it: it emits
// one record, id ArxivRecordId(...), with the best text available (HTML, else PDF, else the
// abstract). docs/sources.md "arxiv" lists every setting.
#pragma once

#include <string>
#include <string_view>

#include "alcor/status.hpp"

namespace alcor {

inline constexpr const char* kArxivKindName = "arxiv";

struct ArxivId {
  // Without version: "2203.02155" (new style, 2007 on) or "hep-th/9901001" (old style: archive,
  // '/', YYMMNNN; a subject class such as "math.GT/0309136" is dropped: "math/0309136").
  std::string id;
  int version = 0;  // 0 when the input named no version

  // "2203.02155v2", or id alone when version is 0.
  std::string Versioned() const;
  bool operator==(const ArxivId&) const = default;
};

// Parses an arXiv identifier as people write it: "2203.02155", "2203.02155v2", "arXiv:2203.02155",
// "arxiv:hep-th/9901001v1", an abs/pdf/html URL of arxiv.org or export.arxiv.org (http or https,
// "www." or not, ".pdf" suffix, query or fragment), or the arXiv DOI "10.48550/arXiv.2203.02155"
// (also as a doi.org URL). Surrounding whitespace is ignored. New-style numbers have 4 or 5
// digits after the YYMM. and a month 01-12.
// Fails with InvalidArgument quoting the input when it is none of these.
Result<ArxivId> ParseArxivId(std::string_view text);

// "arxiv:<id>" (no version): the record id of a paper.
std::string ArxivRecordId(std::string_view id);

}  // namespace alcor
