// Where the arxiv module finds a paper's references: Semantic Scholar's Graph API pages and, as
// a fallback, the .bbl/.bib files of the paper's e-print source. Pure functions over bytes (no
// I/O), thread safe; untrusted input fails with a Status, never crashes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "alcor/status.hpp"

namespace alcor {

// The arXiv id in an arXiv DOI ("10.48550/arXiv.2203.02155" → "2203.02155"), "" for other DOIs.
std::string ArxivIdFromDoi(std::string_view doi);

// The arXiv id of a Graph API paper object (externalIds.ArXiv, else an arXiv DOI), "" when it
// has none or is not an object.
std::string ArxivIdOfS2Paper(const nlohmann::json& paper);

// arXiv ids (without version, canonical form, first occurrence order, no repeats) cited in TeX,
// BibTeX or plain text: "arXiv:ID", "arxiv.org/abs/ID", "arXiv preprint arXiv:ID",
// "10.48550/arXiv.ID", "eprint = {ID}". At most max_ids are returned.
std::vector<std::string> FindArxivIdsInText(std::string_view text, size_t max_ids = 5000);

// One page of GET /paper/{id}/references (Semantic Scholar Graph API v1).
struct ReferencesPage {
  int64_t offset = 0;
  std::optional<int64_t> next;  // absent on the last page
  size_t items = 0;             // references on this page, arXiv or not
  // arXiv ids of the cited papers (externalIds.ArXiv, else an arXiv DOI), in page order.
  std::vector<std::string> arxiv_ids;
};

// Parses a page body. Items whose citedPaper is null or has no externalIds are counted but carry
// no id. Fails with Corruption naming what is wrong when the body is not such a page.
Result<ReferencesPage> ParseReferencesPage(std::string_view json_body);

// The message of a Semantic Scholar error body ({"error": "..."} or {"message": "..."}), or "".
std::string SemanticScholarErrorMessage(std::string_view json_body);

struct EprintLimits {
  uint64_t max_entries = 10000;                 // archive members looked at
  uint64_t max_member_bytes = uint64_t{16} << 20;  // a .bbl/.bib/.tex larger than this is skipped
  uint64_t max_total_bytes = uint64_t{128} << 20;  // uncompressed bytes read in all
  size_t max_ids = 5000;
};

struct EprintScan {
  bool is_archive = false;  // a (gzipped) tar; false for a single gzipped file or plain bytes
  std::vector<std::string> files_scanned;  // member names whose text was searched
  std::vector<std::string> arxiv_ids;      // found, first occurrence order, no repeats
  size_t skipped_members = 0;              // unsafe paths, oversized or non-regular members
};

// Searches an arXiv e-print (as served by /e-print/ID: a gzipped tar of the source files, a
// gzipped single .tex file, or a PDF for PDF-only submissions) for cited arXiv ids. In a tar,
// .bbl and .bib members are read, or every .tex member when there is neither; a single file is
// read when it is TeX. Members with absolute paths, ".." components, or over the limits are
// skipped. Fails with Corruption naming the problem when the bytes are a damaged archive, and
// LimitExceeded when max_total_bytes or max_entries is crossed before anything was found.
Result<EprintScan> ScanEprint(std::string_view bytes, const EprintLimits& limits = {});

}  // namespace alcor
