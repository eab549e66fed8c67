// Semantic Scholar reference pages and e-print scanning (sources/arxiv/arxiv_refs.hpp).
#include "sources/arxiv/arxiv_refs.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <memory>
#include <set>

#include <nlohmann/json.hpp>

#include "alcor/arxiv.hpp"
#include "alcor/json.hpp"
#include "alcor/secrets.hpp"
#include "alcor/strings.hpp"

namespace alcor {

namespace {

using json = nlohmann::json;

// A member path we are willing to read: relative, no "..", no NUL, bounded length.
bool SafeMemberPath(std::string_view path) {
  if (path.empty() || path.size() > 1024 || path[0] == '/' || path.find('\0') != std::string_view::npos) return false;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    std::string_view part = path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (part == "..") return false;
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return true;
}

bool LooksLikeTex(std::string_view text) {
  std::string_view head = text.substr(0, 1 << 16);
  return head.find("\\documentclass") != std::string_view::npos || head.find("\\begin{") != std::string_view::npos ||
         head.find("\\bibitem") != std::string_view::npos || head.find("\\section") != std::string_view::npos ||
         head.find("@article") != std::string_view::npos || head.find("@misc") != std::string_view::npos ||
         head.find("\\input") != std::string_view::npos;
}

std::string ErrorString(struct archive* a) {
  const char* e = archive_error_string(a);
  return e ? e : "unknown error";
}

struct ArchiveDeleter {
  void operator()(struct archive* a) const { archive_read_free(a); }
};

void AddIds(const std::vector<std::string>& ids, std::vector<std::string>* out, std::set<std::string>* seen,
            size_t max_ids) {
  for (const std::string& id : ids) {
    if (out->size() >= max_ids) return;
    if (seen->insert(id).second) out->push_back(id);
  }
}

}  // namespace

std::string ArxivIdOfS2Paper(const json& paper) {
  if (!paper.is_object()) return "";
  auto ext = paper.find("externalIds");
  if (ext == paper.end() || !ext->is_object()) return "";
  auto arxiv = ext->find("ArXiv");
  if (arxiv != ext->end() && arxiv->is_string()) {
    Result<ArxivId> id = ParseArxivId(arxiv->get<std::string>());
    if (id.ok()) return id->id;
  }
  auto doi = ext->find("DOI");
  if (doi != ext->end() && doi->is_string()) return ArxivIdFromDoi(doi->get<std::string>());
  return "";
}

Result<ReferencesPage> ParseReferencesPage(std::string_view body) {
  Result<json> parsed = ParseJson(body, "Semantic Scholar references page");
  if (parsed.status().code() == Status::Code::kLimitExceeded) return parsed.status();
  if (!parsed.ok()) return Status::Corruption("Semantic Scholar references page is not valid JSON");
  json j = std::move(parsed).value();
  if (!j.is_object()) return Status::Corruption("Semantic Scholar references page is not a JSON object");
  ReferencesPage page;
  if (auto off = j.find("offset"); off != j.end() && off->is_number_integer()) page.offset = off->get<int64_t>();
  if (auto next = j.find("next"); next != j.end() && next->is_number_integer()) page.next = next->get<int64_t>();
  auto data = j.find("data");
  if (data == j.end()) {
    return Status::Corruption("Semantic Scholar references page has no \"data\" array" +
                              (SemanticScholarErrorMessage(body).empty() ? std::string()
                                                                         : ": " + SemanticScholarErrorMessage(body)));
  }
  if (data->is_null()) return page;  // a paper without references data
  if (!data->is_array()) return Status::Corruption("Semantic Scholar references page: \"data\" is not an array");
  for (const json& item : *data) {
    ++page.items;
    if (!item.is_object()) continue;
    auto cited = item.find("citedPaper");
    if (cited == item.end()) continue;
    std::string id = ArxivIdOfS2Paper(*cited);
    if (!id.empty()) page.arxiv_ids.push_back(std::move(id));
  }
  if (page.next && *page.next <= page.offset) page.next.reset();  // never loop on a bad cursor
  return page;
}

std::string SemanticScholarErrorMessage(std::string_view body) {
  Result<json> parsed = ParseJson(body, "Semantic Scholar error");
  if (!parsed.ok() || !parsed->is_object()) return "";
  const json& j = *parsed;
  for (const char* key : {"error", "message"}) {
    auto it = j.find(key);
    if (it != j.end() && it->is_string()) return RedactedExcerpt(it->get<std::string>(), 500);
  }
  return "";
}

Result<EprintScan> ScanEprint(std::string_view bytes, const EprintLimits& limits) {
  EprintScan scan;
  if (bytes.substr(0, 5) == "%PDF-") return scan;  // a PDF-only submission: no source to read
  std::unique_ptr<struct archive, ArchiveDeleter> a(archive_read_new());
  if (!a) return Status::LimitExceeded("e-print: out of memory");
  archive_read_support_filter_all(a.get());
  archive_read_support_format_tar(a.get());
  archive_read_support_format_raw(a.get());
  if (archive_read_open_memory(a.get(), bytes.data(), bytes.size()) != ARCHIVE_OK) {
    return Status::Corruption(std::string("e-print: cannot open: ") + ErrorString(a.get()));
  }
  std::set<std::string> seen_bib, seen_tex;
  std::vector<std::string> bib_ids, tex_ids;
  std::vector<std::string> bib_files, tex_files;
  uint64_t total = 0, entries = 0;
  bool limit_hit = false;
  std::string content;
  char buffer[1 << 15];
  while (true) {
    struct archive_entry* entry = nullptr;
    int r = archive_read_next_header(a.get(), &entry);
    if (r == ARCHIVE_EOF) break;
    if (r == ARCHIVE_FATAL || (r != ARCHIVE_OK && r != ARCHIVE_WARN)) {
      if (!bib_ids.empty() || !tex_ids.empty()) break;  // keep what a damaged tail left us
      return Status::Corruption(std::string("e-print: damaged archive: ") +
                                ErrorString(a.get()));
    }
    if (++entries > limits.max_entries) {
      limit_hit = true;
      break;
    }
    bool raw = archive_format(a.get()) == ARCHIVE_FORMAT_RAW;
    scan.is_archive = !raw;
    const char* name_c = archive_entry_pathname(entry);
    std::string name = name_c ? name_c : "";
    bool regular = raw || archive_entry_filetype(entry) == AE_IFREG;
    bool is_bib = EndsWithNoCase(name, ".bbl") || EndsWithNoCase(name, ".bib");
    bool is_tex = EndsWithNoCase(name, ".tex") || EndsWithNoCase(name, ".ltx");
    bool wanted = regular && (raw || ((is_bib || is_tex) && SafeMemberPath(name)));
    if (!raw && (!regular || !SafeMemberPath(name))) ++scan.skipped_members;
    if (!raw && regular && archive_entry_size_is_set(entry) &&
        static_cast<uint64_t>(archive_entry_size(entry)) > limits.max_member_bytes && wanted) {
      wanted = false;
      ++scan.skipped_members;
    }
    // Read the member's data in chunks (also when unwanted: a bounded read instead of a skip
    // keeps a compression bomb from running unchecked).
    content.clear();
    bool too_big = false;
    while (true) {
      la_ssize_t n = archive_read_data(a.get(), buffer, sizeof buffer);
      if (n == 0) break;
      if (n < 0) {
        if (!bib_ids.empty() || !tex_ids.empty()) {
          wanted = false;
          break;
        }
        return Status::Corruption("e-print: damaged member " + name + ": " +
                                  ErrorString(a.get()));
      }
      total += static_cast<uint64_t>(n);
      if (total > limits.max_total_bytes) {
        limit_hit = true;
        break;
      }
      if (wanted) {
        if (content.size() + static_cast<size_t>(n) > limits.max_member_bytes) {
          too_big = true;
          wanted = false;
          content.clear();
        } else {
          content.append(buffer, static_cast<size_t>(n));
        }
      }
    }
    if (too_big) ++scan.skipped_members;
    if (limit_hit) break;
    if (!wanted) continue;
    if (raw) {
      if (!LooksLikeTex(content)) continue;
      AddIds(FindArxivIdsInText(content, limits.max_ids), &tex_ids, &seen_tex, limits.max_ids);
      tex_files.push_back("(single file)");
    } else if (is_bib) {
      AddIds(FindArxivIdsInText(content, limits.max_ids), &bib_ids, &seen_bib, limits.max_ids);
      bib_files.push_back(name);
    } else {
      AddIds(FindArxivIdsInText(content, limits.max_ids), &tex_ids, &seen_tex, limits.max_ids);
      tex_files.push_back(name);
    }
  }
  if (!bib_files.empty()) {
    scan.files_scanned = std::move(bib_files);
    scan.arxiv_ids = std::move(bib_ids);
  } else {
    scan.files_scanned = std::move(tex_files);
    scan.arxiv_ids = std::move(tex_ids);
  }
  if (limit_hit && scan.arxiv_ids.empty()) {
    return Status::LimitExceeded("e-print: more than " + std::to_string(limits.max_total_bytes) +
                                 " uncompressed bytes or " + std::to_string(limits.max_entries) + " members");
  }
  return scan;
}

}  // namespace alcor
