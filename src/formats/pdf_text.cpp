// PDF text extraction (alcor/pdf.hpp) on poppler-cpp.
//
// poppler's text_list() gives the words of a page in reading order (its TextOutputDev flows and
// blocks, so columns come out one after the other) with their boxes. From the boxes we rebuild
// lines and paragraphs, drop lines that repeat at the top or bottom of most pages (running
// headers, footers, page numbers), join words hyphenated across lines and spell out ligatures.
#include <poppler/cpp/poppler-document.h>
#include <poppler/cpp/poppler-global.h>
#include <poppler/cpp/poppler-page.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <ctime>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "alcor/dates.hpp"
#include "alcor/normalize.hpp"
#include "alcor/pdf.hpp"

namespace alcor {

namespace {

// poppler writes syntax warnings of damaged files to stderr by default; they are noise for a
// corpus run (the outcome is reported as a Status), so they go to the debug log instead.
void QuietPopplerErrors(const std::string& message, void*) { spdlog::debug("poppler: {}", message); }

void InstallPopplerErrorHandler() {
  static std::once_flag once;
  std::call_once(once, [] { poppler::set_debug_error_function(&QuietPopplerErrors, nullptr); });
}

std::string ToUtf8(const poppler::ustring& s) {
  poppler::byte_array bytes = s.to_utf8();
  std::string out(bytes.begin(), bytes.end());
  // Some producers put NULs or stray BOMs into info strings.
  out.erase(std::remove(out.begin(), out.end(), '\0'), out.end());
  return out;
}

struct Word {
  std::string text;
  double left, top, right, bottom;
  bool space_after;
};

struct Line {
  std::string text;
  double left = 0, top = 0, right = 0, bottom = 0;
  double height() const { return std::max(1.0, bottom - top); }
};

struct PageLines {
  std::vector<Line> lines;          // reading order
  std::vector<bool> paragraph_start;  // per line: begins a new paragraph
};

// Groups reading-order words into lines: a word starts a new line when its vertical centre moves
// by more than half a line height or it lies left of where the previous word ended (a wrap).
std::vector<Line> BuildLines(const std::vector<Word>& words) {
  std::vector<Line> lines;
  const Word* prev = nullptr;
  for (const Word& w : words) {
    bool new_line = true;
    if (prev != nullptr) {
      double h = std::max(1.0, std::min(prev->bottom - prev->top, w.bottom - w.top));
      double dy = std::fabs((w.top + w.bottom) / 2 - (prev->top + prev->bottom) / 2);
      new_line = dy > 0.5 * h || w.left < prev->left;
    }
    if (new_line) {
      lines.push_back(Line{w.text, w.left, w.top, w.right, w.bottom});
    } else {
      Line& line = lines.back();
      if (prev->space_after || w.left - prev->right > 0.15 * (w.bottom - w.top)) line.text += ' ';
      line.text += w.text;
      line.left = std::min(line.left, w.left);
      line.top = std::min(line.top, w.top);
      line.right = std::max(line.right, w.right);
      line.bottom = std::max(line.bottom, w.bottom);
    }
    prev = &w;
  }
  return lines;
}

// Header/footer identity of a line: digits masked (page numbers change), case and spacing folded.
std::string RunningKey(const std::string& text) {
  std::string key;
  bool in_digits = false;
  for (unsigned char c : text) {
    if (std::isdigit(c)) {
      if (!in_digits) key += '#';
      in_digits = true;
      continue;
    }
    in_digits = false;
    if (std::isspace(c)) {
      if (!key.empty() && key.back() != ' ') key += ' ';
      continue;
    }
    key += static_cast<char>(std::tolower(c));
  }
  while (!key.empty() && key.back() == ' ') key.pop_back();
  return key;
}

// The indexes of the lines nearest the top and bottom edges of a page: where running headers,
// footers and page numbers sit.
std::vector<size_t> EdgeLines(const std::vector<Line>& lines) {
  constexpr size_t kPerEdge = 2;
  std::vector<size_t> order(lines.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return lines[a].top < lines[b].top; });
  std::set<size_t> edge;
  for (size_t i = 0; i < order.size() && i < kPerEdge; ++i) edge.insert(order[i]);
  for (size_t i = 0; i < order.size() && i < kPerEdge; ++i) edge.insert(order[order.size() - 1 - i]);
  return {edge.begin(), edge.end()};
}

bool EndsSentence(const std::string& s) {
  if (s.empty()) return true;
  static const char* const kEnds[] = {".", "!", "?", ":", "\"", "'", ")", "\xE2\x80\x9D", "\xE2\x80\x99"};
  for (const char* e : kEnds) {
    size_t n = std::strlen(e);
    if (s.size() >= n && s.compare(s.size() - n, n, e) == 0) return true;
  }
  return false;
}

// Marks paragraph starts: a vertical gap clearly larger than the line spacing, a jump upwards
// (next column or block), or a first-line indent after a line that ended a sentence.
PageLines FindParagraphs(std::vector<Line> lines) {
  PageLines page;
  page.paragraph_start.assign(lines.size(), false);
  double left_margin = 1e9;
  for (const Line& l : lines) left_margin = std::min(left_margin, l.left);
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i == 0) {
      page.paragraph_start[i] = true;
      continue;
    }
    const Line& prev = lines[i - 1];
    const Line& cur = lines[i];
    double h = std::min(prev.height(), cur.height());
    double gap = cur.top - prev.bottom;
    bool upward = cur.top < prev.top - 0.5 * h;
    bool indented = cur.left > left_margin + 1.0 * h && cur.left > prev.left + 1.0 * h;
    page.paragraph_start[i] = gap > 0.7 * h || upward || (indented && EndsSentence(prev.text));
  }
  page.lines = std::move(lines);
  return page;
}

// Length of a trailing hyphen (ASCII '-', U+2010, U+00AD) preceded by a letter, else 0.
size_t TrailingHyphen(const std::string& s) {
  auto letter_before = [&](size_t n) {
    return s.size() > n && std::isalpha(static_cast<unsigned char>(s[s.size() - n - 1])) != 0;
  };
  if (s.size() >= 1 && s.back() == '-' && letter_before(1)) return 1;
  if (s.size() >= 3 && s.compare(s.size() - 3, 3, "\xE2\x80\x90") == 0 && letter_before(3)) return 3;
  if (s.size() >= 2 && s.compare(s.size() - 2, 2, "\xC2\xAD") == 0 && letter_before(2)) return 2;
  return 0;
}

bool StartsLowercase(const std::string& s) {
  return !s.empty() && std::islower(static_cast<unsigned char>(s[0])) != 0;
}

// Appends a line to a paragraph: a word hyphenated across the break is joined when the next line
// goes on in lower case ("inter-" + "pretability" → "interpretability"); a hyphen before a capital
// or a digit is kept ("Jean-Paul"); other lines are joined by a space.
void AppendLine(std::string* paragraph, const std::string& line) {
  if (paragraph->empty()) {
    *paragraph = line;
    return;
  }
  size_t hyphen = TrailingHyphen(*paragraph);
  bool soft = hyphen == 2;  // U+00AD only ever marks a break
  if (hyphen > 0 && (StartsLowercase(line) || soft)) {
    paragraph->resize(paragraph->size() - hyphen);
    *paragraph += line;
  } else if (hyphen > 0) {
    // "Jean-" + "Paul", "GPT-" + "4": a hyphen that belongs to the word stays, without a space.
    *paragraph += line;
  } else {
    *paragraph += ' ';
    *paragraph += line;
  }
}

std::string RepairLigatures(std::string_view text) {
  static const std::pair<std::string_view, std::string_view> kLigatures[] = {
      {"\xEF\xAC\x80", "ff"}, {"\xEF\xAC\x81", "fi"},  {"\xEF\xAC\x82", "fl"}, {"\xEF\xAC\x83", "ffi"},
      {"\xEF\xAC\x84", "ffl"}, {"\xEF\xAC\x85", "st"}, {"\xEF\xAC\x86", "st"},
  };
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    bool replaced = false;
    if (static_cast<unsigned char>(text[i]) == 0xEF && i + 2 < text.size()) {
      for (const auto& [from, to] : kLigatures) {
        if (text.compare(i, from.size(), from) == 0) {
          out += to;
          i += from.size();
          replaced = true;
          break;
        }
      }
    }
    if (!replaced) out += text[i++];
  }
  return out;
}

// "A. Smith; B. Jones", "A. Smith, B. Jones", "A. Smith and B. Jones" → one name each. A single
// comma between two parts with no space in the first ("Smith, John") is one inverted name.
std::vector<std::string> SplitAuthors(const std::string& field) {
  auto trim = [](std::string s) {
    size_t b = s.find_first_not_of(" \t\r\n");
    size_t e = s.find_last_not_of(" \t\r\n");
    return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
  };
  auto split = [](const std::string& s, const std::string& sep) {
    std::vector<std::string> parts;
    size_t pos = 0;
    while (true) {
      size_t at = s.find(sep, pos);
      parts.push_back(s.substr(pos, at == std::string::npos ? std::string::npos : at - pos));
      if (at == std::string::npos) break;
      pos = at + sep.size();
    }
    return parts;
  };
  std::vector<std::string> pieces;
  std::string s = trim(field);
  if (s.empty()) return {};
  if (s.find(';') != std::string::npos) {
    pieces = split(s, ";");
  } else {
    std::vector<std::string> commas = split(s, ",");
    bool inverted = commas.size() == 2 && trim(commas[0]).find(' ') == std::string::npos;
    pieces = inverted ? std::vector<std::string>{s} : commas;
  }
  std::vector<std::string> names;
  for (const std::string& p : pieces) {
    for (std::string q : split(p, " and ")) {
      for (std::string r : split(q, " & ")) {
        r = trim(r);
        if (!r.empty()) names.push_back(r);
      }
    }
  }
  return names;
}

std::optional<std::string> InfoDate(const poppler::document& doc, const char* key) {
  time_t t = doc.info_date_t(key);
  if (t == static_cast<time_t>(-1) || t <= 0) return std::nullopt;
  return FormatRfc3339Utc(static_cast<int64_t>(t));
}

}  // namespace

Result<PdfText> ExtractPdfText(std::string_view bytes, const PdfTextOptions& options) {
  if (bytes.size() > options.max_input_bytes) {
    return Status::LimitExceeded("PDF of " + std::to_string(bytes.size()) + " bytes is larger than the cap of " +
                                 std::to_string(options.max_input_bytes));
  }
  if (bytes.size() < 8 || bytes.find("%PDF-") > 1024) {
    return Status::Corruption("not a PDF (no %PDF- header)");
  }
  InstallPopplerErrorHandler();
  // load_from_raw_data reads bytes in place; they outlive doc.
  std::unique_ptr<poppler::document> doc(
      poppler::document::load_from_raw_data(bytes.data(), static_cast<int>(bytes.size())));
  if (!doc) return Status::Corruption("poppler cannot read the PDF (damaged or not a PDF)");
  if (doc->is_locked()) return Status::InvalidArgument("the PDF is encrypted (a password is needed to read it)");

  PdfText result;
  result.pages = doc->pages();
  if (result.pages <= 0) return Status::Corruption("the PDF has no pages");
  if (result.pages > options.max_pages) {
    return Status::LimitExceeded("PDF of " + std::to_string(result.pages) + " pages is above the cap of " +
                                 std::to_string(options.max_pages));
  }

  std::vector<std::vector<Line>> page_lines;
  page_lines.reserve(result.pages);
  size_t text_chars = 0, word_count = 0;
  for (int i = 0; i < result.pages; ++i) {
    std::unique_ptr<poppler::page> page(doc->create_page(i));
    if (!page) {
      page_lines.emplace_back();
      continue;
    }
    std::vector<Word> words;
    for (const poppler::text_box& box : page->text_list()) {
      std::string text = ToUtf8(box.text());
      if (text.find_first_not_of(" \t\r\n") == std::string::npos) continue;
      poppler::rectf r = box.bbox();
      words.push_back(Word{std::move(text), r.left(), r.top(), r.right(), r.bottom(), box.has_space_after()});
      text_chars += words.back().text.size();
    }
    word_count += words.size();
    if (word_count > options.max_words) {
      return Status::LimitExceeded("PDF text layer of more than " + std::to_string(options.max_words) +
                                   " words (the cap) by page " + std::to_string(i + 1));
    }
    page_lines.push_back(BuildLines(words));
  }
  if (text_chars == 0) {
    return Status::InvalidArgument("no text layer: the PDF's " + std::to_string(result.pages) +
                                   " page(s) hold no extractable text (a scan needs OCR first)");
  }

  // Running headers and footers: edge lines whose masked text recurs on enough pages.
  std::map<std::string, std::set<int>> pages_with_key;
  for (int p = 0; p < result.pages; ++p) {
    for (size_t i : EdgeLines(page_lines[p])) pages_with_key[RunningKey(page_lines[p][i].text)].insert(p);
  }
  size_t min_pages = std::max<size_t>(
      2, static_cast<size_t>(std::ceil(options.header_footer_min_fraction * result.pages - 1e-9)));
  size_t removed_lines = 0;
  std::vector<PageLines> pages;
  for (int p = 0; p < result.pages; ++p) {
    std::vector<Line>& lines = page_lines[p];
    std::vector<size_t> edge = EdgeLines(lines);
    std::vector<bool> drop(lines.size(), false);
    for (size_t i : edge) {
      if (pages_with_key[RunningKey(lines[i].text)].size() >= min_pages) drop[i] = true;
    }
    std::vector<Line> kept;
    for (size_t i = 0; i < lines.size(); ++i) {
      if (drop[i]) {
        ++removed_lines;
      } else {
        kept.push_back(std::move(lines[i]));
      }
    }
    pages.push_back(FindParagraphs(std::move(kept)));
  }

  // Paragraphs; one that runs over a page break (no sentence end, next page goes on in lower
  // case) is joined.
  std::vector<std::string> paragraphs;
  bool continue_previous = false;
  for (const PageLines& page : pages) {
    for (size_t i = 0; i < page.lines.size(); ++i) {
      bool start = page.paragraph_start[i];
      if (i == 0 && continue_previous && !paragraphs.empty()) {
        const std::string& last = paragraphs.back();
        if (StartsLowercase(page.lines[i].text) && (TrailingHyphen(last) > 0 || !EndsSentence(last))) start = false;
      }
      if (start || paragraphs.empty()) paragraphs.emplace_back();
      AppendLine(&paragraphs.back(), page.lines[i].text);
    }
    continue_previous = !page.lines.empty();
  }
  std::string text;
  for (const std::string& p : paragraphs) {
    if (!text.empty()) text += "\n\n";
    text += p;
  }
  result.text = CleanText(RepairLigatures(text));

  result.title = CleanText(ToUtf8(doc->get_title()));
  while (!result.title.empty() && result.title.back() == '\n') result.title.pop_back();
  for (std::string& name : SplitAuthors(ToUtf8(doc->get_author()))) {
    std::string clean = CleanText(name);
    while (!clean.empty() && clean.back() == '\n') clean.pop_back();
    if (!clean.empty()) result.authors.push_back(std::move(clean));
  }
  result.date_created = InfoDate(*doc, "CreationDate");
  result.date_modified = InfoDate(*doc, "ModDate");
  if (removed_lines > 0) spdlog::debug("pdf: removed {} running header/footer lines", removed_lines);
  return result;
}

}  // namespace alcor
