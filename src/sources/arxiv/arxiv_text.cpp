// Text helpers of the arxiv module (sources/arxiv/arxiv_text.hpp).
#include "sources/arxiv/arxiv_text.hpp"

#include <cctype>
#include <vector>

#include "alcor/strings.hpp"

namespace alcor {

namespace {

// Heading level of a Markdown ATX heading line (1-6), 0 when it is not one; *title gets its text.
int HeadingLevel(std::string_view line, std::string_view* title) {
  size_t n = 0;
  while (n < line.size() && line[n] == '#') ++n;
  if (n == 0 || n > 6 || n >= line.size() || line[n] != ' ') return 0;
  *title = TrimAscii(line.substr(n));
  return static_cast<int>(n);
}

// "References", "7 References", "7. Bibliography", "**References**" ...
bool IsBibliographyTitle(std::string_view title) {
  std::string_view t = TrimAscii(title);
  while (!t.empty() && t.front() == '*') t.remove_prefix(1);
  while (!t.empty() && t.back() == '*') t.remove_suffix(1);
  size_t i = 0;
  while (i < t.size() && (std::isdigit(static_cast<unsigned char>(t[i])) || t[i] == '.')) ++i;
  t = TrimAscii(t.substr(i));
  std::string l = AsciiLower(t);
  return l == "references" || l == "bibliography" || l == "works cited" || l == "literature cited" ||
         l == "references and notes";
}

bool IsAppendixLine(std::string_view line) {
  std::string l = AsciiLower(TrimAscii(line).substr(0, 40));
  return l.rfind("appendix", 0) == 0 || l.rfind("appendices", 0) == 0 || l.rfind("supplementary material", 0) == 0;
}

struct Line {
  size_t begin, end;  // [begin, end) without the '\n'
};

std::vector<Line> SplitLines(const std::string& text) {
  std::vector<Line> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    size_t end = nl == std::string::npos ? text.size() : nl;
    lines.push_back({start, end});
    start = end + 1;
  }
  return lines;
}

// The message of a withdrawal, if text states one.
bool SaysWithdrawn(std::string_view text) {
  std::string l = AsciiLower(text);
  if (l.rfind("withdrawn", 0) == 0 || l.rfind("this paper is withdrawn", 0) == 0) return true;
  for (const char* phrase : {"has been withdrawn", "have been withdrawn", "was withdrawn", "is withdrawn",
                             "withdrawn by the author", "withdrawn by arxiv", "withdrawn by the submitter",
                             "paper withdrawn", "submission withdrawn", "article withdrawn"}) {
    if (l.find(phrase) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

std::string_view LatexmlArticle(std::string_view html) {
  size_t open = html.find("<article");
  if (open == std::string_view::npos) return html;
  size_t close = html.rfind("</article>");
  if (close == std::string_view::npos || close < open) return html;
  if (html.find("<article", open + 8) != std::string_view::npos &&
      html.find("<article", open + 8) < close && html.find("ltx_document") == std::string_view::npos) {
    return html;  // several articles and not LaTeXML: keep the page
  }
  return html.substr(open, close + 10 - open);
}

bool ApplyBibliographyMode(std::string* text, BibliographyMode mode) {
  std::vector<Line> lines = SplitLines(*text);
  // The last heading (or, without headings, the last bare line) naming the bibliography.
  int found = -1;
  int level = 0;
  for (int i = static_cast<int>(lines.size()) - 1; i >= 0; --i) {
    std::string_view line(text->data() + lines[i].begin, lines[i].end - lines[i].begin);
    std::string_view title;
    int h = HeadingLevel(line, &title);
    if (h > 0 && IsBibliographyTitle(title)) {
      found = i;
      level = h;
      break;
    }
  }
  if (found < 0) {
    for (int i = static_cast<int>(lines.size()) - 1; i >= 0; --i) {
      std::string_view line(text->data() + lines[i].begin, lines[i].end - lines[i].begin);
      if (line.size() < 40 && IsBibliographyTitle(line)) {
        found = i;
        break;
      }
    }
  }
  if (found < 0) return false;
  const Line& at = lines[found];
  if (mode == BibliographyMode::kKeep) {
    if (level == 0) {
      text->replace(at.begin, at.end - at.begin, "## References");
    }
    return true;
  }
  // Drop: up to the next heading of the same or a higher level (or an appendix line in text
  // without headings), else to the end.
  size_t stop = text->size();
  for (size_t i = static_cast<size_t>(found) + 1; i < lines.size(); ++i) {
    std::string_view line(text->data() + lines[i].begin, lines[i].end - lines[i].begin);
    std::string_view title;
    int h = HeadingLevel(line, &title);
    if ((level > 0 && h > 0 && h <= level) || (level == 0 && (h > 0 || IsAppendixLine(line)))) {
      stop = lines[i].begin;
      break;
    }
  }
  text->erase(at.begin, stop - at.begin);
  return true;
}

bool LooksWithdrawn(const ArxivEntry& entry) {
  return SaysWithdrawn(entry.comment) || SaysWithdrawn(entry.summary.substr(0, 400));
}

std::string WithdrawnText(const ArxivEntry& entry) {
  std::string text = "This paper (arXiv:" + entry.id;
  if (entry.version > 0) text += "v" + std::to_string(entry.version);
  text += ") has been withdrawn; its full text is no longer distributed by arXiv.\n\n";
  if (!entry.comment.empty()) text += "Comment: " + entry.comment + "\n\n";
  if (!entry.summary.empty()) text += "Abstract: " + entry.summary + "\n";
  return text;
}

}  // namespace alcor
