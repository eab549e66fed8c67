#include "formats/html_prestrip.hpp"

#include <algorithm>
#include <cstring>
#include <unordered_map>
#include <vector>

#include "alcor/strings.hpp"

namespace alcor::text {
namespace {

inline bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
inline bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

bool IsVoid(std::string_view n) {
  static const char* const kVoid[] = {"area",  "base", "br",     "col",   "embed", "hr",      "img",
                                      "input", "link", "meta",   "param", "source", "track",  "wbr",
                                      "keygen", "basefont", "bgsound", "frame", "command", "image"};
  for (const char* v : kVoid)
    if (n == v) return true;
  return false;
}

// Finds "</name" (any case) followed by a tag-name terminator at or after `from`; npos if none.
size_t FindEndTag(std::string_view s, size_t from, std::string_view name) {
  size_t i = from;
  while (i < s.size()) {
    const void* p = std::memchr(s.data() + i, '<', s.size() - i);
    if (!p) return std::string_view::npos;
    i = static_cast<const char*>(p) - s.data();
    if (i + 2 + name.size() <= s.size() && s[i + 1] == '/') {
      bool match = true;
      for (size_t k = 0; k < name.size() && match; ++k) match = AsciiLower(s[i + 2 + k]) == name[k];
      size_t after = i + 2 + name.size();
      if (match && (after == s.size() || IsSpace(s[after]) || s[after] == '/' || s[after] == '>')) return i;
    }
    ++i;
  }
  return std::string_view::npos;
}

// Index just past the '>' closing the tag whose name ends at `i`, honouring quoted attribute
// values; s.size() when the tag never closes. *self_closing is set when it ends in "/>".
// When `cut` is given, *cut receives where the tag's (keep+1)-th attribute starts (npos when it
// has no more than keep) and *attributes how many it has.
size_t SkipAttributes(std::string_view s, size_t i, bool* self_closing, size_t keep = 0, size_t* cut = nullptr,
                      size_t* attributes = nullptr) {
  *self_closing = false;
  if (cut) *cut = std::string_view::npos, *attributes = 0;
  size_t n = s.size();
  while (i < n) {
    char c = s[i];
    if (c == '>') {
      *self_closing = i > 0 && s[i - 1] == '/';
      return i + 1;
    }
    if (IsSpace(c) || c == '/') {
      ++i;
      continue;
    }
    // Attribute name (its first character may be anything, '=' included).
    if (cut) {
      if (*attributes == keep) *cut = i;
      ++*attributes;
    }
    ++i;
    while (i < n && !IsSpace(s[i]) && s[i] != '/' && s[i] != '>' && s[i] != '=') ++i;
    while (i < n && IsSpace(s[i])) ++i;
    if (i < n && s[i] == '=') {
      ++i;
      while (i < n && IsSpace(s[i])) ++i;
      if (i < n && (s[i] == '"' || s[i] == '\'')) {
        const void* q = std::memchr(s.data() + i + 1, s[i], n - i - 1);
        if (!q) return n;
        i = static_cast<const char*>(q) - s.data() + 1;
      } else {
        while (i < n && !IsSpace(s[i]) && s[i] != '>') ++i;
      }
    }
  }
  return n;
}

// Tags that end an <svg> left open, as the HTML parser's rules for foreign content do: these
// start tags, and the end tag of an HTML element around the svg ("<svg><use/></div>" closes the
// svg with the div). Lower-case names.
bool BreaksOutOfSvg(std::string_view name, bool end_tag) {
  static const char* const kStart[] = {
      "b",  "big", "blockquote", "body", "br",   "center", "code",   "dd",    "div",    "dl",     "dt",
      "em", "embed", "h1",       "h2",   "h3",   "h4",     "h5",     "h6",    "head",   "hr",     "i",
      "img", "li", "listing",    "menu", "meta", "nobr",   "ol",     "p",     "pre",    "ruby",   "s",
      "small", "span", "strong", "strike", "sub", "sup",   "table",  "tt",    "u",      "ul",     "var"};
  static const char* const kEndOnly[] = {"html", "section", "article", "header", "footer", "main", "nav",
                                         "aside", "form", "button", "td", "th", "tr", "tbody", "figure",
                                         "label", "picture"};
  for (const char* t : kStart)
    if (name == t) return true;
  if (end_tag)
    for (const char* t : kEndOnly)
      if (name == t) return true;
  return false;
}

// Where parsing resumes after the <svg> whose start tag ends at `from`: just past the </svg>
// that balances it (nested <svg> counted, comments skipped), or at a tag that breaks out of
// foreign content before that (BreaksOutOfSvg), or the end of input. Inside a <foreignObject>
// HTML is allowed, so from there on only </svg> ends the element. Linear in what it skips.
size_t SvgContentEnd(std::string_view s, size_t from) {
  const size_t n = s.size();
  size_t depth = 1;
  bool html_inside = false;
  std::string name;
  for (size_t i = from; i < n;) {
    const void* p = std::memchr(s.data() + i, '<', n - i);
    if (!p) return n;
    size_t lt = static_cast<const char*>(p) - s.data();
    if (s.substr(lt, 4) == "<!--") {
      size_t close = s.find("-->", lt + 4);
      if (close == std::string_view::npos) return n;
      i = close + 3;
      continue;
    }
    bool end_tag = lt + 1 < n && s[lt + 1] == '/';
    size_t k = lt + (end_tag ? 2 : 1);
    if (k >= n || !IsAlpha(s[k])) {
      i = lt + 1;
      continue;
    }
    name.clear();
    while (k < n && !IsSpace(s[k]) && s[k] != '/' && s[k] != '>' && name.size() < 16) name += AsciiLower(s[k++]);
    bool self_closing;
    size_t tag_end = SkipAttributes(s, k, &self_closing);
    if (name == "svg") {
      if (end_tag && --depth == 0) return tag_end;
      if (!end_tag && !self_closing) ++depth;
    } else if (name == "foreignobject") {
      html_inside = true;
    } else if (!html_inside && BreaksOutOfSvg(name, end_tag)) {
      return lt;
    }
    i = tag_end;
  }
  return n;
}

}  // namespace

std::string PrestripHtml(std::string_view s, size_t max_depth, PrestripStats* stats) {
  PrestripStats local_stats;
  if (!stats) stats = &local_stats;
  size_t attributes_left = kMaxHtmlAttributesPerDocument;
  std::string out;
  out.reserve(s.size() / 2 + 64);
  std::vector<std::string> stack;  // open elements as this pass sees them (lower-case names)
  std::unordered_map<std::string, size_t> dropped;  // start tags dropped at the cap, by name
  size_t math_depth = 0;  // inside <math>, "/>" really closes (foreign content)
  std::string name;
  size_t n = s.size(), i = 0;
  auto pop_if_top = [&](std::initializer_list<const char*> names) {
    if (stack.empty()) return;
    for (const char* nm : names)
      if (stack.back() == nm) {
        stack.pop_back();
        return;
      }
  };
  while (i < n) {
    const void* p = std::memchr(s.data() + i, '<', n - i);
    size_t lt = p ? static_cast<const char*>(p) - s.data() : n;
    out.append(s.data() + i, lt - i);
    i = lt;
    if (i >= n) break;
    if (i + 1 >= n) {
      out += '<';
      break;
    }
    char c1 = s[i + 1];
    if (c1 == '!') {
      if (s.substr(i, 4) == "<!--") {
        size_t body = i + 4;
        if (s.substr(body, 1) == ">") {
          i = body + 1;
        } else if (s.substr(body, 2) == "->") {
          i = body + 2;
        } else {
          size_t end = s.find("-->", body);
          i = end == std::string_view::npos ? n : end + 3;
        }
        continue;
      }
      size_t gt = s.find('>', i);  // doctype, CDATA, bogus comment: copied as is
      size_t end = gt == std::string_view::npos ? n : gt + 1;
      out.append(s.data() + i, end - i);
      i = end;
      continue;
    }
    if (c1 == '/' && i + 2 < n && IsAlpha(s[i + 2])) {  // end tag
      size_t k = i + 2;
      name.clear();
      while (k < n && !IsSpace(s[k]) && s[k] != '/' && s[k] != '>') name += AsciiLower(s[k++]);
      bool sc;
      size_t end = SkipAttributes(s, k, &sc);
      bool emit = true;
      // What the tokenizer keeps of an end tag: its name (attributes there mean nothing, and
      // each would cost gumbo a scan of the others).
      auto append_end_tag = [&] {
        out.append(s.data() + i, k - i);
        if (end > k && s[end - 1] == '>') out += '>';
      };
      size_t found = stack.size();
      for (size_t d = stack.size(); d > 0; --d)
        if (stack[d - 1] == name) {
          found = d - 1;
          break;
        }
      if (found < stack.size()) {
        for (size_t d = found; d < stack.size(); ++d)
          if (stack[d] == "math" && math_depth) --math_depth;
        stack.resize(found);
      } else {
        auto it = dropped.find(name);
        if (it != dropped.end() && it->second > 0) {
          --it->second;
          emit = false;
        }
      }
      if (emit) append_end_tag();
      i = end;
      continue;
    }
    if (!IsAlpha(c1)) {  // "<" as text, "<?...>" and "</>": left to gumbo
      out += '<';
      ++i;
      continue;
    }
    // Start tag.
    size_t k = i + 1;
    name.clear();
    while (k < n && !IsSpace(s[k]) && s[k] != '/' && s[k] != '>') name += AsciiLower(s[k++]);
    bool self_closing;
    size_t cut, attributes;
    size_t keep = std::min(kMaxHtmlAttributes, attributes_left);
    size_t end = SkipAttributes(s, k, &self_closing, keep, &cut, &attributes);
    std::string_view tag = s.substr(i, end - i);
    // The start tag as gumbo gets it: its first `keep` attributes (gumbo compares each attribute
    // with every earlier one of its tag, so 300,000 attributes on one tag took minutes).
    auto append_start_tag = [&] {
      if (cut == std::string_view::npos) {
        out.append(tag);
        attributes_left -= attributes;
        return;
      }
      size_t stop = cut;
      while (stop > k && IsSpace(s[stop - 1])) --stop;
      out.append(s.data() + i, stop - i);
      if (s[end - 1] == '>') out += self_closing ? "/>" : ">";
      attributes_left -= keep;
      stats->dropped_attributes += attributes - keep;
    };
    // The end tag that closes a raw-text or removed element, found at `close`: its name only.
    auto append_close = [&](size_t close, size_t close_end) {
      out.append(s.data() + close, 2 + name.size());
      if (close_end > close + 2 + name.size() && s[close_end - 1] == '>') out += '>';
    };
    // A raw-text or kept element whose end tag is at `close` (npos: none): its start tag, its body
    // as written, its end tag.
    auto append_element = [&](size_t close, size_t close_end) {
      append_start_tag();
      if (close == std::string_view::npos) {
        out.append(s.data() + end, n - end);
        return;
      }
      out.append(s.data() + end, close - end);
      append_close(close, close_end);
    };

    if (name == "script" || name == "style" || name == "noscript" || name == "template") {
      size_t close = FindEndTag(s, end, name);
      size_t close_end = n;
      if (close != std::string_view::npos) {
        bool sc;
        close_end = SkipAttributes(s, close + 2 + name.size(), &sc);
      }
      bool keep_script = name == "script" &&
                  (ContainsNoCase(tag, "ld+json") || ContainsNoCase(tag, "math/tex") ||
                   ContainsNoCase(tag, "math/asciimath") || ContainsNoCase(tag, "math/mml"));
      if (keep_script) append_element(close, close_end);
      i = close_end;
      continue;
    }
    if (name == "svg") {
      size_t close_end = self_closing ? end : SvgContentEnd(s, end);
      if (stack.size() < max_depth) {
        append_start_tag();
        if (!self_closing) out += "</svg>";
      }
      i = close_end;
      continue;
    }
    if (name == "textarea" || name == "title" || name == "xmp" || name == "iframe" || name == "noembed" ||
        name == "noframes") {
      size_t close = FindEndTag(s, end, name);
      size_t close_end = n;
      if (close != std::string_view::npos) {
        bool sc;
        close_end = SkipAttributes(s, close + 2 + name.size(), &sc);
      }
      append_element(close, close_end);
      i = close_end;
      continue;
    }
    if (name == "plaintext") {
      append_start_tag();
      out.append(s.data() + end, n - end);
      break;
    }

    // Implied end tags, so that sloppy but common markup does not look deep.
    if (name == "p" || name == "li" || name == "option" || name == "dt" || name == "dd") {
      if (name == "dt" || name == "dd") {
        pop_if_top({"dt", "dd"});
      } else {
        pop_if_top({name.c_str()});
      }
    } else if (name == "td" || name == "th") {
      pop_if_top({"td", "th"});
    } else if (name == "tr") {
      pop_if_top({"td", "th"});
      pop_if_top({"tr"});
    }
    bool pushes = !IsVoid(name) && !(self_closing && math_depth > 0);
    if (pushes && stack.size() >= max_depth) {
      ++dropped[name];
      ++stats->dropped_start_tags;
      i = end;
      continue;
    }
    if (pushes) {
      stack.push_back(name);
      if (name == "math") ++math_depth;
    }
    append_start_tag();
    i = end;
  }
  return out;
}

}  // namespace alcor::text
