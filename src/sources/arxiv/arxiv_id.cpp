// arXiv identifiers (alcor/arxiv.hpp) and finding them in free text (sources/arxiv/arxiv_refs.hpp).
#include <cctype>
#include <set>

#include "alcor/arxiv.hpp"
#include "alcor/strings.hpp"
#include "alcor/url.hpp"
#include "sources/arxiv/arxiv_refs.hpp"

namespace alcor {

namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsLower(char c) { return c >= 'a' && c <= 'z'; }

bool ValidMonth(std::string_view two) {
  int m = (two[0] - '0') * 10 + (two[1] - '0');
  return m >= 1 && m <= 12;
}

// Matches an identifier at the start of s (no version). On success returns its length and sets
// *canonical (subject class dropped from old-style ids).
size_t MatchBareId(std::string_view s, std::string* canonical) {
  // New style: YYMM.NNNN or YYMM.NNNNN.
  if (s.size() >= 9 && IsDigit(s[0]) && IsDigit(s[1]) && IsDigit(s[2]) && IsDigit(s[3]) && s[4] == '.') {
    size_t n = 5;
    while (n < s.size() && IsDigit(s[n]) && n < 11) ++n;
    size_t digits = n - 5;
    if ((digits == 4 || digits == 5) && (n == s.size() || !IsDigit(s[n])) && ValidMonth(s.substr(2, 2))) {
      *canonical = std::string(s.substr(0, n));
      return n;
    }
    return 0;
  }
  // Old style: archive[-sub][.CLASS]/YYMMNNN.
  size_t i = 0;
  while (i < s.size() && (IsLower(s[i]) || s[i] == '-')) ++i;
  if (i < 2 || s[0] == '-' || s[i - 1] == '-') return 0;
  size_t archive_end = i;
  if (i < s.size() && s[i] == '.') {
    size_t j = i + 1;
    while (j < s.size() && std::isalpha(static_cast<unsigned char>(s[j]))) ++j;
    if (j == i + 1 || j - i - 1 > 8) return 0;
    i = j;
  }
  if (i >= s.size() || s[i] != '/') return 0;
  size_t start = i + 1;
  size_t n = start;
  while (n < s.size() && IsDigit(s[n])) ++n;
  if (n - start != 7 || !ValidMonth(s.substr(start + 2, 2))) return 0;
  *canonical = std::string(s.substr(0, archive_end)) + "/" + std::string(s.substr(start, 7));
  return n;
}

// Matches "vN" at the start of s; returns its length (0 when absent) and sets *version.
size_t MatchVersion(std::string_view s, int* version) {
  if (s.size() < 2 || (s[0] != 'v' && s[0] != 'V') || !IsDigit(s[1])) return 0;
  size_t n = 1;
  int v = 0;
  while (n < s.size() && IsDigit(s[n]) && n < 6) v = v * 10 + (s[n++] - '0');
  if (n < s.size() && IsDigit(s[n])) return 0;
  *version = v;
  return n;
}

}  // namespace

std::string ArxivId::Versioned() const {
  return version > 0 ? id + "v" + std::to_string(version) : id;
}

std::string ArxivRecordId(std::string_view id) { return "arxiv:" + std::string(id); }

Result<ArxivId> ParseArxivId(std::string_view input) {
  std::string_view s = TrimAscii(input);
  auto fail = [&]() {
    return Status::InvalidArgument("not an arXiv identifier or URL: \"" + std::string(input.substr(0, 200)) + "\"");
  };
  if (s.empty() || s.size() > 500) return fail();
  // URLs (read by libcurl): the host, then a path /abs/, /pdf/, /html/... (or a DOI path).
  std::string path;
  if (IsHttpUrl(s)) {
    std::string host = UrlHost(s);
    if (host.rfind("www.", 0) == 0) host = host.substr(4);
    path = UrlPath(s);
    s = path;
    if (host == "doi.org" || host == "dx.doi.org") {
      s.remove_prefix(1);  // "/10.48550/arXiv.ID"
    } else if (host == "arxiv.org" || host == "export.arxiv.org") {
      bool matched = false;
      for (std::string_view kind : {"/abs/", "/pdf/", "/html/", "/e-print/", "/format/"}) {
        if (s.substr(0, kind.size()) == kind) {
          s.remove_prefix(kind.size());
          matched = true;
          break;
        }
      }
      if (!matched) return fail();
      while (!s.empty() && s.back() == '/') s.remove_suffix(1);
      if (s.size() > 4 && AsciiLower(s.substr(s.size() - 4)) == ".pdf") s.remove_suffix(4);
    } else {
      return fail();
    }
  }
  if (StartsWithNoCase(s, "10.48550/arxiv.")) {
    s.remove_prefix(15);
  } else if (StartsWithNoCase(s, "arxiv:")) {
    s.remove_prefix(6);
    s = TrimAscii(s);
  }
  ArxivId out;
  size_t n = MatchBareId(s, &out.id);
  if (n == 0) return fail();
  s.remove_prefix(n);
  s.remove_prefix(MatchVersion(s, &out.version));
  if (!s.empty()) return fail();
  return out;
}

std::string ArxivIdFromDoi(std::string_view doi) {
  std::string_view s = TrimAscii(doi);
  if (!StartsWithNoCase(s, "10.48550/arxiv.")) return "";
  Result<ArxivId> id = ParseArxivId(s);
  return id.ok() ? id->id : "";
}

std::vector<std::string> FindArxivIdsInText(std::string_view text, size_t max_ids) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  std::string lower = AsciiLower(text);
  auto add = [&](std::string_view at) {
    // Skip separators between the marker and the id: ':', spaces, '/', '{', '"', "abs/", "pdf/".
    size_t i = 0;
    while (i < at.size() && i < 24) {
      char c = at[i];
      if (c == ':' || c == ' ' || c == '/' || c == '{' || c == '"' || c == '=' || c == '\t' || c == '\n' ||
          c == '~' || c == '}' || c == '.') {
        ++i;
        continue;
      }
      std::string_view rest = at.substr(i);
      if (rest.substr(0, 4) == "abs/" || rest.substr(0, 4) == "pdf/") {
        i += 4;
        continue;
      }
      std::string canonical;
      if (MatchBareId(rest, &canonical) > 0) {
        if (out.size() < max_ids && seen.insert(canonical).second) out.push_back(canonical);
        return;
      }
      // "arXiv preprint arXiv:..." : let the next marker handle it.
      return;
    }
  };
  // Markers: "arxiv" (arXiv:ID, arxiv.org/abs/ID, 10.48550/arXiv.ID) and BibTeX "eprint" fields.
  for (std::string_view marker : {"arxiv", "eprint"}) {
    size_t pos = 0;
    while ((pos = lower.find(marker, pos)) != std::string::npos) {
      size_t after = pos + marker.size();
      std::string_view rest = std::string_view(text).substr(after);
      if (marker == "arxiv" && lower.compare(after, 4, ".org") == 0) rest.remove_prefix(4);
      add(rest);
      pos = after;
      if (out.size() >= max_ids) return out;
    }
  }
  return out;
}

}  // namespace alcor
