// Project Gutenberg plain text (alcor/book.hpp): the book between the START and END markers,
// the header's title and author, the licence dropped.
#include <cctype>
#include <string>
#include <vector>

#include "alcor/book.hpp"

namespace alcor {

namespace {

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string_view TrimLeft(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  return s;
}

std::string Trim(std::string_view s) {
  s = TrimLeft(s);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

// "*** START OF THE PROJECT GUTENBERG EBOOK X ***", "*** START OF THIS PROJECT GUTENBERG EBOOK",
// "***START OF THE PROJECT GUTENBERG EBOOK", and the end of the old small print, after which the
// text of 1990s files begins: "*END*THE SMALL PRINT! FOR PUBLIC DOMAIN ETEXTS*Ver.04.29.93*END*".
bool IsStartMarker(std::string_view trimmed_upper) {
  if (trimmed_upper.starts_with("*END*THE SMALL PRINT") || trimmed_upper.starts_with("*END THE SMALL PRINT")) {
    return true;
  }
  return trimmed_upper.starts_with("*") && trimmed_upper.find("START OF TH") != std::string_view::npos &&
         trimmed_upper.find("PROJECT GUTENBERG") != std::string_view::npos;
}

// "*** END OF THE PROJECT GUTENBERG EBOOK X ***", "*** END OF THIS PROJECT GUTENBERG EBOOK",
// "End of the Project Gutenberg EBook of X", "End of Project Gutenberg's X".
bool IsEndMarker(std::string_view trimmed_upper) {
  if (trimmed_upper.starts_with("*") && trimmed_upper.find("END OF TH") != std::string_view::npos &&
      trimmed_upper.find("PROJECT GUTENBERG") != std::string_view::npos) {
    return true;
  }
  return trimmed_upper.starts_with("END OF THE PROJECT GUTENBERG") ||
         trimmed_upper.starts_with("END OF THIS PROJECT GUTENBERG") ||
         trimmed_upper.starts_with("END OF PROJECT GUTENBERG");
}

std::vector<std::string> SplitNames(const std::string& field) {
  std::vector<std::string> names;
  std::string rest = field;
  for (const char* sep : {";", " and ", " & "}) {
    std::vector<std::string> next;
    for (const std::string& piece : names.empty() ? std::vector<std::string>{rest} : names) {
      size_t pos = 0;
      while (true) {
        size_t at = piece.find(sep, pos);
        next.push_back(Trim(piece.substr(pos, at == std::string::npos ? std::string::npos : at - pos)));
        if (at == std::string::npos) break;
        pos = at + std::string_view(sep).size();
      }
    }
    names = std::move(next);
  }
  std::vector<std::string> out;
  for (std::string& n : names)
    if (!n.empty()) out.push_back(std::move(n));
  return out;
}

// "[eBook #1065]", "[EBook #1065]", "[Etext #1065]", "EBook #1065" → "1065".
std::string EbookNumber(std::string_view header_upper) {
  for (const char* key : {"EBOOK #", "ETEXT #", "EBOOK#", "ETEXT#"}) {
    size_t at = header_upper.find(key);
    if (at == std::string_view::npos) continue;
    size_t p = at + std::string_view(key).size();
    std::string digits;
    while (p < header_upper.size() && std::isdigit(static_cast<unsigned char>(header_upper[p]))) digits += header_upper[p++];
    if (!digits.empty()) return digits;
  }
  return "";
}

}  // namespace

GutenbergText ParseGutenbergText(std::string_view text) {
  GutenbergText out;
  std::vector<std::string_view> lines;
  for (size_t pos = 0; pos <= text.size();) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    lines.push_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  size_t start = lines.size(), end = lines.size();
  for (size_t i = 0; i < lines.size(); ++i) {
    if (IsStartMarker(Upper(TrimLeft(lines[i])))) {
      start = i;
      break;
    }
  }
  if (start == lines.size()) return out;
  for (size_t i = start + 1; i < lines.size(); ++i) {
    if (IsEndMarker(Upper(TrimLeft(lines[i])))) {
      end = i;
      break;
    }
  }
  out.found = true;

  // The header: "Key: value" lines, a value continuing on indented lines below it.
  std::string header_upper;
  std::string authors;
  for (size_t i = 0; i < start; ++i) {
    std::string_view line = lines[i];
    header_upper += Upper(line) + "\n";
    std::string_view t = TrimLeft(line);
    size_t colon = t.find(':');
    if (colon == std::string_view::npos || line.size() != t.size()) continue;  // continuation lines are indented
    std::string key = Upper(t.substr(0, colon));
    std::string value = Trim(t.substr(colon + 1));
    // A continuation line is the wrapped rest of the value, or (after a line that ends without
    // punctuation, starting with a capital) a subtitle: "Frankenstein" / "Or, The Modern
    // Prometheus" reads "Frankenstein: Or, The Modern Prometheus".
    auto continued = [&](std::string v, bool subtitles) {
      for (size_t j = i + 1; j < start && !lines[j].empty() && std::isspace(static_cast<unsigned char>(lines[j][0])) &&
                             !Trim(lines[j]).empty();
           ++j) {
        std::string next = Trim(lines[j]);
        bool subtitle = subtitles && !v.empty() && std::isalnum(static_cast<unsigned char>(v.back())) &&
                        std::isupper(static_cast<unsigned char>(next[0]));
        v += (subtitle ? ": " : " ") + next;
      }
      return v;
    };
    if (key == "TITLE" && out.title.empty()) {
      out.title = continued(value, /*subtitles=*/true);
    } else if ((key == "AUTHOR" || key == "AUTHORS") && authors.empty()) {
      authors = continued(value, /*subtitles=*/false);
    } else if (key == "LANGUAGE" && out.language.empty()) {
      out.language = value;
    } else if (key == "RELEASE DATE" && out.release_date.empty()) {
      size_t bracket = value.find('[');
      out.release_date = Trim(value.substr(0, bracket));
    }
  }
  out.ebook_number = EbookNumber(header_upper);
  // Older files have no "Title:" line, only "The Project Gutenberg EBook of Title, by Author".
  if (out.title.empty() || authors.empty()) {
    for (size_t i = 0; i < start && i < 10; ++i) {
      std::string line = Trim(lines[i]);
      std::string upper = Upper(line);
      size_t of = upper.find("PROJECT GUTENBERG EBOOK OF ");
      size_t skip = std::string_view("PROJECT GUTENBERG EBOOK OF ").size();
      if (of == std::string::npos) {
        of = upper.find("PROJECT GUTENBERG'S ");
        skip = std::string_view("PROJECT GUTENBERG'S ").size();
      }
      if (of == std::string::npos) continue;
      std::string rest = line.substr(of + skip);
      size_t by = rest.rfind(", by ");
      if (out.title.empty()) out.title = Trim(rest.substr(0, by));
      if (authors.empty() && by != std::string::npos) authors = Trim(rest.substr(by + 5));
      break;
    }
  }
  out.authors = SplitNames(authors);

  size_t first = start + 1, last = end;
  while (first < last && Trim(lines[first]).empty()) ++first;
  while (last > first && Trim(lines[last - 1]).empty()) --last;
  for (size_t i = first; i < last; ++i) {
    out.body.append(lines[i]);
    out.body += '\n';
  }
  return out;
}

}  // namespace alcor
