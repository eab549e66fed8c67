#include "formats/markdown_writer.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <unordered_map>
#include <unordered_set>

#include "alcor/strings.hpp"
#include "alcor/url.hpp"
#include "formats/math_tex.hpp"
#include "text/unicode_util.hpp"

namespace alcor::text {
namespace {

// ---------------------------------------------------------------------------------------------
// Output with Markdown block structure: line prefixes (blockquote "> ", list indentation), lazy
// line breaks and spaces, and inline markers that vanish when their element turns out empty.
class MdOut {
 public:
  // flat: everything on one line (table cells, headings' inner blocks): breaks become spaces.
  explicit MdOut(bool flat = false) : flat_(flat) {}

  void Break(int strength) {  // 1: new line, 2: blank line
    if (flat_ || heading_depth_ > 0) {
      if (has_content_) pending_space_ = true;
      return;
    }
    if (!has_content_) return;
    if (strength > need_) need_ = strength;
    break_depth_ = std::min(break_depth_, prefixes_.size());
    pending_space_ = false;
  }
  // A <br>: a new line; a second one in a row makes a blank line.
  void LineBreak() {
    if (flat_ || heading_depth_ > 0) {
      if (has_content_) pending_space_ = true;
      return;
    }
    if (!has_content_) return;
    if (need_ >= 1 && line_empty_since_break_) {
      need_ = 2;
    } else if (need_ < 1) {
      need_ = 1;
    }
    line_empty_since_break_ = true;
    pending_space_ = false;
  }

  // Beyond kMaxPrefixDepth nested quotes/lists the prefix stops growing, so output stays linear
  // in the input even for pathological nesting.
  static constexpr size_t kMaxPrefixDepth = 32;
  void PushPrefix(std::string prefix, std::string first_line_marker = "") {
    if (prefixes_.size() >= kMaxPrefixDepth) prefix.clear(), first_line_marker.clear();
    prefixes_.push_back(std::move(prefix));
    markers_.push_back(std::move(first_line_marker));
  }
  void PopPrefix() {
    if (!prefixes_.empty()) {
      prefixes_.pop_back();
      markers_.pop_back();
    }
    break_depth_ = std::min(break_depth_, prefixes_.size());
  }
  void SetLineMarker(std::string marker) {
    if (!flat_) line_marker_ = std::move(marker);
  }
  void ClearLineMarker() { line_marker_.clear(); }
  void EnterHeading() { ++heading_depth_; }
  void LeaveHeading() {
    if (heading_depth_ > 0) --heading_depth_;
  }

  // Text as in HTML: whitespace runs collapse to one space; removed characters are dropped.
  // Runs of ordinary characters are appended whole (this is the hot loop of the renderer).
  void Text(std::string_view t) {
    size_t i = 0, n = t.size();
    while (i < n) {
      size_t start = i;
      while (i < n) {
        unsigned char c = static_cast<unsigned char>(t[i]);
        if (c > 0x20 && c < 0x7F) {
          ++i;
          continue;
        }
        if (c < 0x80) break;
        size_t j = i;
        char32_t cp = NextCodePoint(t, &j);
        if (IsSpaceChar(cp) || IsRemovedChar(cp)) break;
        i = j;
      }
      if (i > start) Emit(t.substr(start, i - start));
      if (i >= n) break;
      size_t j = i;
      char32_t cp = NextCodePoint(t, &j);
      if (IsSpaceChar(cp)) SpaceAfterContent();  // else a removed character: dropped
      i = j;
    }
  }

  // Content written verbatim (no whitespace handling), e.g. "$x^2$" or a heading marker's text.
  void Emit(std::string_view content) {
    if (content.empty()) return;
    StartContent();
    out_.append(content);
    has_content_ = true;
    line_empty_since_break_ = false;
  }

  void OpenInline(const std::string& marker) {
    inline_stack_.push_back({marker, out_.size(), pending_inline_.size()});
    pending_inline_ += marker;
  }
  // Closes the innermost inline element; `closer` is written unless the element had no content.
  void CloseInline(std::string_view closer) {
    if (inline_stack_.empty()) return;
    Inline in = inline_stack_.back();
    inline_stack_.pop_back();
    if (pending_inline_.size() > in.pending_pos) {  // nothing was written since it opened
      pending_inline_.resize(in.pending_pos);
      return;
    }
    out_.append(closer);
  }

  // A fenced or other pre-formatted block: lines written as they are, with the line prefix.
  void Preformatted(std::string_view first, std::string_view body, std::string_view last) {
    Break(2);
    Emit(first);
    size_t i = 0;
    while (i <= body.size()) {
      size_t nl = body.find('\n', i);
      if (nl == std::string_view::npos) nl = body.size();
      NewLine();
      out_.append(body.substr(i, nl - i));
      i = nl + 1;
    }
    NewLine();
    out_.append(last);
    has_content_ = true;
    Break(2);
  }

  bool line_has_content() const { return line_has_content_; }
  std::string Take() { return std::move(out_); }
  const std::string& str() const { return out_; }

 private:
  struct Inline {
    std::string marker;
    size_t out_pos;
    size_t pending_pos;
  };

  // Spaces are written lazily, before the next content and before any opening marker waiting
  // for it, so "a<em> b</em>" becomes "a *b*" and no line starts or ends with a space.
  void SpaceAfterContent() {
    if (line_has_content_) pending_space_ = true;
  }

  std::string LinePrefix(bool blank) {
    std::string p;
    for (size_t k = 0; k < prefixes_.size(); ++k) {
      if (!markers_[k].empty()) {
        p += markers_[k];
        markers_[k].clear();
      } else {
        p += prefixes_[k];
      }
    }
    if (blank) {
      while (!p.empty() && p.back() == ' ') p.pop_back();
    }
    return p;
  }

  void NewLine() {
    out_ += '\n';
    out_ += LinePrefix(false);
  }

  void StartContent() {
    if (need_ > 0 || !line_open_) {
      if (!out_.empty()) {
        out_ += '\n';
        if (need_ >= 2) {
          std::string blank = LinePrefixNoConsume();
          out_ += blank;
          out_ += '\n';
        }
      }
      out_ += LinePrefix(false);
      line_open_ = true;
      need_ = 0;
      break_depth_ = SIZE_MAX;
      pending_space_ = false;
      line_has_content_ = false;
      if (!line_marker_.empty()) {
        out_ += line_marker_;
        line_marker_.clear();
      }
    }
    if (pending_space_ && line_has_content_) out_ += ' ';
    pending_space_ = false;
    if (!pending_inline_.empty()) {
      out_ += pending_inline_;
      pending_inline_.clear();
    }
    line_has_content_ = true;
  }

  // The prefix of a blank line: only the prefixes open when the break was asked for, so a
  // blockquote that starts after a paragraph is not preceded by an empty "> " line.
  std::string LinePrefixNoConsume() const {
    std::string p;
    for (size_t k = 0; k < prefixes_.size() && k < break_depth_; ++k) p += prefixes_[k];
    while (!p.empty() && p.back() == ' ') p.pop_back();
    return p;
  }

  bool flat_;
  std::string out_;
  std::vector<std::string> prefixes_, markers_;
  std::string line_marker_;
  std::string pending_inline_;
  std::vector<Inline> inline_stack_;
  int need_ = 0;
  size_t break_depth_ = SIZE_MAX;
  int heading_depth_ = 0;
  bool pending_space_ = false;
  bool has_content_ = false;
  bool line_open_ = false;
  bool line_has_content_ = false;
  bool line_empty_since_break_ = false;
};

// ---------------------------------------------------------------------------------------------
// The renderer.

std::string CodeLanguage(const Dom& dom, uint32_t pre) {
  auto from_class = [&](uint32_t k) -> std::string {
    std::string_view cls = dom.Attr(k, "class");
    size_t i = 0;
    while (i < cls.size()) {
      while (i < cls.size() && cls[i] == ' ') ++i;
      size_t j = i;
      while (j < cls.size() && cls[j] != ' ') ++j;
      std::string_view tok = cls.substr(i, j - i);
      for (std::string_view p : {"language-", "lang-", "highlight-source-", "highlight-", "sourcecode-"})
        if (tok.size() > p.size() && StartsWithNoCase(tok, p)) return std::string(tok.substr(p.size()));
      i = j;
    }
    std::string_view lang = dom.Attr(k, "data-lang");
    if (lang.empty()) lang = dom.Attr(k, "data-language");
    if (lang.empty()) lang = dom.Attr(k, "lang");
    return std::string(lang);
  };
  std::string l = from_class(pre);
  if (l.empty()) {
    uint32_t code = dom.Find(GUMBO_TAG_CODE, pre + 1, dom[pre].end);
    if (code != kNoNode) l = from_class(code);
  }
  if (l.empty() && dom[pre].parent != kNoNode) l = from_class(dom[pre].parent);
  std::string clean;
  for (char c : l)
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '#' || c == '-' || c == '_') clean += c;
  return clean;
}

// Text of a <pre>, with <br> as newlines, dropped nodes skipped.
std::string PreText(const Dom& dom, uint32_t pre) {
  std::string out;
  for (uint32_t k = pre + 1; k < dom[pre].end; ++k) {
    const DomNode& d = dom[k];
    if (d.dropped) {
      k = d.end - 1;
      continue;
    }
    if (d.is_text) {
      if (d.g->v.text.text) out += d.g->v.text.text;
    } else if (d.tag == GUMBO_TAG_BR) {
      out += '\n';
    } else if ((d.tag == GUMBO_TAG_DIV || d.tag == GUMBO_TAG_P) && !out.empty() && out.back() != '\n') {
      out += '\n';  // line-per-div highlighters
    }
  }
  // Remove control characters but keep tabs and newlines; drop a single leading newline (HTML
  // ignores it) and trailing blank lines.
  std::string clean;
  clean.reserve(out.size());
  for (size_t i = 0; i < out.size();) {
    unsigned char c = static_cast<unsigned char>(out[i]);
    if (c < 0x80) {
      if (c == '\r') {
        if (i + 1 < out.size() && out[i + 1] == '\n') {
          ++i;
          continue;
        }
        clean += '\n';
      } else if (!IsRemovedChar(c) || c == '\t' || c == '\n') {
        clean += static_cast<char>(c);
      }
      ++i;
      continue;
    }
    size_t start = i;
    char32_t cp = NextCodePoint(out, &i);
    if (cp == 0xA0) clean += ' ';
    else if (!IsRemovedChar(cp)) clean.append(out, start, i - start);
  }
  while (!clean.empty() && (clean.back() == '\n' || clean.back() == ' ' || clean.back() == '\t')) clean.pop_back();
  size_t lead = 0;
  while (lead < clean.size() && clean[lead] == '\n') ++lead;
  return clean.substr(lead);
}

std::string Fence(std::string_view body, char c) {
  size_t longest = 0, run = 0;
  for (char ch : body) {
    run = ch == c ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  return std::string(std::max<size_t>(3, longest + 1), c);
}

class Renderer {
 public:
  Renderer(const Dom& dom, const RenderOptions& options) : dom_(dom), options_(options) {}

  std::string Render(uint32_t root) {
    CollectFootnotes(root);
    MdOut out;
    Walk(root, &out);
    return out.Take();
  }

 private:
  enum class Action { kDescend, kSkip };

  struct ListContext {
    bool ordered;
    long next;
  };
  struct OpenElement {
    uint32_t index;
    int kind;  // what Close must undo
  };
  enum Kind {
    kNone = 0, kBlock, kLink, kInline, kHeading, kList, kListItem, kQuote, kFootnoteItem,
  };

  void Walk(uint32_t root, MdOut* out) {
    std::vector<OpenElement> open;
    uint32_t end = dom_[root].end;
    uint32_t i = root;
    while (i < end) {
      while (!open.empty() && dom_[open.back().index].end <= i) {
        Close(open.back(), out);
        open.pop_back();
      }
      const DomNode& d = dom_[i];
      if (d.dropped) {
        i = d.end;
        continue;
      }
      if (d.is_text) {
        if (d.g->type != GUMBO_NODE_WHITESPACE || out->line_has_content()) out->Text(d.g->v.text.text);
        ++i;
        continue;
      }
      int kind = kNone;
      if (Open(i, out, &kind) == Action::kSkip) {
        i = d.end;
        continue;
      }
      open.push_back({i, kind});
      ++i;
    }
    while (!open.empty()) {
      Close(open.back(), out);
      open.pop_back();
    }
  }

  std::string Href(uint32_t i) const {
    std::string_view h = dom_.Attr(i, "href");
    if (options_.base_url.empty()) return std::string(h);
    return ResolveUrl(options_.base_url, h);
  }

  // Footnotes: a reference is an in-page link inside <sup> (or with a footnote-ish class/id);
  // its target becomes "[^label]: " when rendered.
  void CollectFootnotes(uint32_t root) {
    struct Candidate {
      uint32_t a;
      std::string target;
    };
    std::vector<Candidate> candidates;
    std::unordered_set<std::string> targets, ref_ids;
    for (uint32_t i = root; i < dom_[root].end; ++i) {
      if (dom_[i].tag != GUMBO_TAG_A || dom_[i].is_text) continue;
      std::string_view href = dom_.Attr(i, "href");
      if (href.size() < 2 || href[0] != '#' || !IsFootnoteRef(i)) continue;
      candidates.push_back({i, std::string(href.substr(1))});
      targets.emplace(href.substr(1));
      if (!dom_.Attr(i, "id").empty()) ref_ids.emplace(dom_.Attr(i, "id"));
      uint32_t p = dom_[i].parent;
      if (p != kNoNode && !dom_.Attr(p, "id").empty()) ref_ids.emplace(dom_.Attr(p, "id"));
    }
    if (candidates.empty()) return;
    for (const std::string& id : ref_ids) targets.erase(id);  // targets now: footnote bodies
    notes_->backref_ids.insert(ref_ids.begin(), ref_ids.end());      // links to these go back up
    // A link back to a reference ("↩"), or any footnote link inside a footnote body, is a back
    // reference: dropped, not numbered.
    auto in_footnote_body = [&](uint32_t a) {
      for (uint32_t p = dom_[a].parent; p != kNoNode; p = dom_[p].parent) {
        std::string_view id = dom_.Attr(p, "id");
        if (!id.empty() && targets.count(std::string(id))) return true;
      }
      return false;
    };
    for (const Candidate& c : candidates) {
      if (ref_ids.count(c.target) || in_footnote_body(c.a)) {
        notes_->backref_ids.insert(c.target);
        continue;
      }
      auto known = notes_->labels.find(c.target);
      if (known != notes_->labels.end()) {
        notes_->refs[c.a] = known->second;
        continue;
      }
      std::string label;
      for (char ch : dom_.TextOf(c.a))
        if (std::isalnum(static_cast<unsigned char>(ch))) label += ch;
      if (label.empty() || label.size() > 12) label = std::to_string(notes_->labels.size() + 1);
      notes_->labels[c.target] = label;
      notes_->refs[c.a] = label;
    }
  }

  bool IsFootnoteRef(uint32_t a) const {
    uint32_t p = dom_[a].parent;
    std::string_view href = dom_.Attr(a, "href");
    if (p != kNoNode && dom_[p].tag == GUMBO_TAG_SUP) return true;
    if (ContainsNoCase(dom_.Attr(a, "class"), "footnote") || StartsWithNoCase(dom_.Attr(a, "id"), "fnref")) return true;
    if (StartsWithNoCase(href, "#fn") || StartsWithNoCase(href, "#footnote")) return true;
    return false;
  }

  // The footnote label for an element that is a footnote target (li with the id, or whose first
  // descendant carries it), or "".
  std::string FootnoteLabelFor(uint32_t i) const {
    if (notes_->labels.empty()) return "";
    std::string_view id = dom_.Attr(i, "id");
    if (!id.empty()) {
      auto it = notes_->labels.find(std::string(id));
      if (it != notes_->labels.end()) return it->second;
    }
    return "";
  }

  Action Open(uint32_t i, MdOut* out, int* kind) {
    const DomNode& d = dom_[i];
    GumboTag t = d.tag;
    // Math first: its containers hold glyphs that must not reach the text.
    if (MaybeMath(dom_, i)) {
      MathFound m = DetectMath(dom_, i);
      if (m.is_math) {
        if (!m.tex.empty()) {
          if (m.display) {
            out->Break(2);
            out->Emit("$$" + m.tex + "$$");
            out->Break(2);
          } else {
            out->Emit("$" + m.tex + "$");
          }
        }
        return Action::kSkip;
      }
      if (t == GUMBO_TAG_SCRIPT) return Action::kSkip;
    }
    switch (t) {
      case GUMBO_TAG_HEAD: case GUMBO_TAG_TITLE: case GUMBO_TAG_STYLE: case GUMBO_TAG_NOSCRIPT:
      case GUMBO_TAG_TEMPLATE: case GUMBO_TAG_SVG: case GUMBO_TAG_CANVAS: case GUMBO_TAG_IFRAME:
      case GUMBO_TAG_OBJECT: case GUMBO_TAG_EMBED: case GUMBO_TAG_VIDEO: case GUMBO_TAG_AUDIO:
      case GUMBO_TAG_BUTTON: case GUMBO_TAG_INPUT: case GUMBO_TAG_SELECT: case GUMBO_TAG_TEXTAREA:
      case GUMBO_TAG_OPTION: case GUMBO_TAG_MAP: case GUMBO_TAG_META: case GUMBO_TAG_LINK:
      case GUMBO_TAG_BASE: case GUMBO_TAG_PARAM: case GUMBO_TAG_SOURCE: case GUMBO_TAG_TRACK:
      case GUMBO_TAG_DATALIST: case GUMBO_TAG_KEYGEN: case GUMBO_TAG_FRAMESET: case GUMBO_TAG_FRAME:
        return Action::kSkip;
      case GUMBO_TAG_H1: case GUMBO_TAG_H2: case GUMBO_TAG_H3: case GUMBO_TAG_H4: case GUMBO_TAG_H5:
      case GUMBO_TAG_H6: {
        int level = 1 + (t - GUMBO_TAG_H1);
        out->Break(2);
        out->SetLineMarker(std::string(level, '#') + " ");
        out->EnterHeading();
        *kind = kHeading;
        return Action::kDescend;
      }
      case GUMBO_TAG_BR:
        out->LineBreak();
        return Action::kSkip;
      case GUMBO_TAG_HR:
        out->Break(2);
        out->Emit("---");
        out->Break(2);
        return Action::kSkip;
      case GUMBO_TAG_PRE: {
        std::string body = PreText(dom_, i);
        if (body.empty()) return Action::kSkip;
        std::string fence = Fence(body, '`');
        out->Preformatted(fence + CodeLanguage(dom_, i), body, fence);
        return Action::kSkip;
      }
      case GUMBO_TAG_CODE: case GUMBO_TAG_KBD: case GUMBO_TAG_SAMP: case GUMBO_TAG_TT: {
        if (d.has_block) break;
        std::string code = dom_.TextOf(i);
        std::string clean;
        for (char c : code)
          if (static_cast<unsigned char>(c) >= 0x20 || c == ' ') clean += c;
        if (clean.empty()) return Action::kSkip;
        std::string ticks = "`";
        size_t run = 0, longest = 0;
        for (char c : clean) {
          run = c == '`' ? run + 1 : 0;
          longest = std::max(longest, run);
        }
        if (longest) ticks = std::string(longest + 1, '`');
        bool pad = clean.front() == '`' || clean.back() == '`';
        out->Emit(ticks + (pad ? " " : "") + clean + (pad ? " " : "") + ticks);
        return Action::kSkip;
      }
      case GUMBO_TAG_A: {
        auto ref = notes_->refs.find(i);
        if (ref != notes_->refs.end()) {
          out->Emit("[^" + ref->second + "]");
          return Action::kSkip;
        }
        std::string_view href = dom_.Attr(i, "href");
        if (!href.empty() && href[0] == '#') {
          std::string target(href.substr(1));
          if (notes_->backref_ids.count(target)) return Action::kSkip;  // "↩" back to the reference
        }
        if (options_.links == LinkStyle::kTextOnly || d.has_block || href.empty() || href[0] == '#' ||
            StartsWithNoCase(href, "javascript:"))
          break;
        out->OpenInline("[");
        link_targets_.push_back(Href(i));
        *kind = kLink;
        return Action::kDescend;
      }
      case GUMBO_TAG_EM: case GUMBO_TAG_I: case GUMBO_TAG_CITE: case GUMBO_TAG_DFN: case GUMBO_TAG_VAR:
        if (d.has_block || emphasis_depth_ > 0) break;
        ++emphasis_depth_;
        out->OpenInline("*");
        inline_closers_.push_back("*");
        *kind = kInline;
        return Action::kDescend;
      case GUMBO_TAG_STRONG: case GUMBO_TAG_B:
        if (d.has_block || strong_depth_ > 0) break;
        ++strong_depth_;
        out->OpenInline("**");
        inline_closers_.push_back("**");
        *kind = kInline;
        return Action::kDescend;
      case GUMBO_TAG_DEL: case GUMBO_TAG_S: case GUMBO_TAG_STRIKE:
        if (d.has_block) break;
        out->OpenInline("~~");
        inline_closers_.push_back("~~");
        *kind = kInline;
        return Action::kDescend;
      case GUMBO_TAG_IMG: {
        if (!options_.images_as_alt) return Action::kSkip;
        std::string_view alt = dom_.Attr(i, "alt");
        if (!alt.empty()) out->Text(alt);
        return Action::kSkip;
      }
      case GUMBO_TAG_UL: case GUMBO_TAG_OL: case GUMBO_TAG_MENU: case GUMBO_TAG_DIR: {
        out->Break(lists_.empty() ? 2 : 1);
        long start = 1;
        std::string_view s = dom_.Attr(i, "start");
        if (!s.empty()) start = std::strtol(std::string(s).c_str(), nullptr, 10);
        if (start < 0 || start > 1000000000) start = 1;
        lists_.push_back({t == GUMBO_TAG_OL, start});
        *kind = kList;
        return Action::kDescend;
      }
      case GUMBO_TAG_LI: {
        std::string label = FootnoteLabelFor(i);
        out->Break(1);
        if (!label.empty()) {
          out->Break(2);
          std::string marker = "[^" + label + "]: ";
          out->PushPrefix("    ", marker);
          *kind = kFootnoteItem;
          return Action::kDescend;
        }
        std::string marker = "- ";
        if (!lists_.empty() && lists_.back().ordered) {
          std::string_view v = dom_.Attr(i, "value");
          if (!v.empty()) lists_.back().next = std::strtol(std::string(v).c_str(), nullptr, 10);
          marker = std::to_string(lists_.back().next++) + ". ";
        }
        out->PushPrefix(std::string(marker.size(), ' '), marker);
        *kind = kListItem;
        return Action::kDescend;
      }
      case GUMBO_TAG_BLOCKQUOTE:
        out->Break(2);
        out->PushPrefix("> ");
        *kind = kQuote;
        return Action::kDescend;
      case GUMBO_TAG_TABLE:
        if (RenderTable(i, out)) return Action::kSkip;
        out->Break(2);
        *kind = kBlock;
        return Action::kDescend;
      case GUMBO_TAG_TR:
        out->Break(2);
        *kind = kBlock;
        return Action::kDescend;
      case GUMBO_TAG_TD: case GUMBO_TAG_TH: case GUMBO_TAG_DT: case GUMBO_TAG_DD:
        out->Break(1);
        *kind = kBlock;
        return Action::kDescend;
      default:
        break;
    }
    if (!notes_->labels.empty() && !dom_.Attr(i, "id").empty()) {
      // A footnote target that is not an <li> (e.g. <div id="fn1">).
      std::string label = FootnoteLabelFor(i);
      if (!label.empty() && IsBlockTag(t)) {
        out->Break(2);
        out->PushPrefix("    ", "[^" + label + "]: ");
        *kind = kFootnoteItem;
        return Action::kDescend;
      }
    }
    if (IsBlockTag(t)) {
      out->Break(2);
      *kind = kBlock;
    }
    return Action::kDescend;
  }

  void Close(const OpenElement& e, MdOut* out) {
    switch (e.kind) {
      case kBlock:
        out->Break(dom_[e.index].tag == GUMBO_TAG_TD || dom_[e.index].tag == GUMBO_TAG_TH ||
                           dom_[e.index].tag == GUMBO_TAG_DT || dom_[e.index].tag == GUMBO_TAG_DD
                       ? 1
                       : 2);
        break;
      case kHeading:
        out->LeaveHeading();
        out->ClearLineMarker();
        out->Break(2);
        break;
      case kLink: {
        std::string target = link_targets_.back();
        link_targets_.pop_back();
        out->CloseInline("](" + EscapeUrl(target) + ")");
        break;
      }
      case kInline: {
        std::string closer = inline_closers_.back();
        inline_closers_.pop_back();
        if (closer == "*") --emphasis_depth_;
        if (closer == "**") --strong_depth_;
        out->CloseInline(closer);
        break;
      }
      case kList:
        lists_.pop_back();
        out->Break(lists_.empty() ? 2 : 1);
        break;
      case kListItem:
        out->PopPrefix();
        out->Break(1);
        break;
      case kFootnoteItem:
        out->PopPrefix();
        out->Break(2);
        break;
      case kQuote:
        out->PopPrefix();
        out->Break(2);
        break;
      default:
        break;
    }
  }

  static std::string EscapeUrl(const std::string& url) {
    std::string r;
    for (char c : url) {
      if (c == ' ') r += "%20";
      else if (c == '(') r += "%28";
      else if (c == ')') r += "%29";
      else r += c;
    }
    return r;
  }

  // GitHub pipe table when every cell is inline content (at most one paragraph, no lists, quotes,
  // code blocks or nested tables) and the table has at least two rows and two columns. Returns
  // false to have the caller render the rows as plain blocks.
  bool RenderTable(uint32_t table, MdOut* out) {
    std::vector<std::vector<uint32_t>> rows;
    uint32_t caption = kNoNode;
    for (uint32_t k = table + 1; k < dom_[table].end; ++k) {
      const DomNode& d = dom_[k];
      if (d.dropped || d.is_text) {
        if (d.dropped) k = d.end - 1;
        continue;
      }
      if (d.tag == GUMBO_TAG_TABLE) return false;  // nested table: plain rows
      if (d.tag == GUMBO_TAG_CAPTION) caption = k;
      if (d.tag == GUMBO_TAG_TR) rows.emplace_back();
      if ((d.tag == GUMBO_TAG_TD || d.tag == GUMBO_TAG_TH) && !rows.empty()) {
        uint32_t paragraphs = 0;
        for (uint32_t c = k + 1; c < d.end; ++c) {
          GumboTag ct = dom_[c].tag;
          if (dom_[c].is_text) continue;
          if (ct == GUMBO_TAG_P || ct == GUMBO_TAG_DIV) ++paragraphs;
          if (ct == GUMBO_TAG_UL || ct == GUMBO_TAG_OL || ct == GUMBO_TAG_PRE || ct == GUMBO_TAG_BLOCKQUOTE ||
              ct == GUMBO_TAG_TABLE || ct == GUMBO_TAG_H1 || ct == GUMBO_TAG_H2 || ct == GUMBO_TAG_H3 ||
              ct == GUMBO_TAG_DL)
            return false;
        }
        if (paragraphs > 1) return false;
        rows.back().push_back(k);
        long span = std::strtol(std::string(dom_.Attr(k, "colspan")).c_str(), nullptr, 10);
        for (long s = 1; s < std::min(span, 50L); ++s) rows.back().push_back(kNoNode);
        k = d.end - 1;
      }
    }
    size_t cols = 0;
    for (auto& r : rows) cols = std::max(cols, r.size());
    rows.erase(std::remove_if(rows.begin(), rows.end(), [](const auto& r) { return r.empty(); }), rows.end());
    if (rows.size() < 2 || cols < 2) return false;
    auto cell_text = [&](uint32_t c) -> std::string {
      if (c == kNoNode) return "";
      MdOut cell(true);
      Renderer sub(dom_, options_);
      sub.notes_ = notes_;  // shared, not copied: a big table with many footnotes stays linear
      sub.WalkChildren(c, &cell);
      std::string s = cell.Take();
      std::string r;
      for (char ch : s) {
        if (ch == '|') r += "\\|";
        else if (ch == '\n') r += ' ';
        else r += ch;
      }
      return r;
    };
    out->Break(2);
    if (caption != kNoNode) {
      std::string cap = dom_.TextOf(caption);
      if (!cap.empty()) {
        out->Text(cap);
        out->Break(2);
      }
    }
    std::string body;
    for (size_t r = 0; r < rows.size(); ++r) {
      std::string line = "|";
      for (size_t c = 0; c < cols; ++c) {
        std::string t = c < rows[r].size() ? cell_text(rows[r][c]) : "";
        line += " " + t + " |";
      }
      body += line;
      if (r == 0) {
        body += "\n|";
        for (size_t c = 0; c < cols; ++c) body += " --- |";
      }
      if (r + 1 < rows.size()) body += "\n";
    }
    // Written line by line so blockquote/list prefixes apply.
    size_t pos = 0;
    bool first = true;
    while (pos <= body.size()) {
      size_t nl = body.find('\n', pos);
      if (nl == std::string::npos) nl = body.size();
      if (!first) out->Break(1);
      out->Emit(std::string_view(body).substr(pos, nl - pos));
      first = false;
      pos = nl + 1;
    }
    out->Break(2);
    return true;
  }

  void WalkChildren(uint32_t parent, MdOut* out) {
    for (uint32_t c = parent + 1; c < dom_[parent].end; c = dom_[c].end) Walk(c, out);
  }

  const Dom& dom_;
  const RenderOptions& options_;
  std::vector<ListContext> lists_;
  std::vector<std::string> link_targets_;
  std::vector<std::string> inline_closers_;
  int emphasis_depth_ = 0;
  int strong_depth_ = 0;
  struct Footnotes {
    std::unordered_map<std::string, std::string> labels;  // target id → label
    std::unordered_map<uint32_t, std::string> refs;       // <a> index → label
    std::unordered_set<std::string> backref_ids;          // links to these ids go back up
  };
  Footnotes own_notes_;
  Footnotes* notes_ = &own_notes_;
};

}  // namespace

void MarkNeverText(Dom* dom) {
  Dom& d = *dom;
  d.ComputeStats();  // forms are judged by the paragraph text they hold
  for (uint32_t i = 0; i < d.size(); ++i) {
    DomNode& n = d[i];
    if (n.is_text || n.dropped) continue;
    bool drop = false;
    switch (n.tag) {
      case GUMBO_TAG_HEAD: case GUMBO_TAG_STYLE: case GUMBO_TAG_NOSCRIPT: case GUMBO_TAG_TEMPLATE:
      case GUMBO_TAG_SVG: case GUMBO_TAG_CANVAS: case GUMBO_TAG_IFRAME: case GUMBO_TAG_OBJECT:
      case GUMBO_TAG_EMBED: case GUMBO_TAG_VIDEO: case GUMBO_TAG_AUDIO: case GUMBO_TAG_BUTTON:
      case GUMBO_TAG_INPUT: case GUMBO_TAG_SELECT: case GUMBO_TAG_TEXTAREA: case GUMBO_TAG_MAP:
      case GUMBO_TAG_DATALIST:
        drop = true;
        break;
      case GUMBO_TAG_SCRIPT:
        drop = !IsTexScript(d, i);
        break;
      case GUMBO_TAG_FORM:
        // A form is controls and labels; but some sites wrap the whole page in one (ASP.NET):
        // a form holding paragraph text is kept, its controls still dropped.
        drop = n.good_chars == 0;
        break;
      case GUMBO_TAG_LABEL: case GUMBO_TAG_FIELDSET: case GUMBO_TAG_LEGEND: case GUMBO_TAG_OUTPUT:
      case GUMBO_TAG_PROGRESS: case GUMBO_TAG_METER:
        drop = n.good_chars == 0;
        break;
      default:
        break;
    }
    if (!drop) {
      if (IsMathElement(d, i)) {
        i = n.end - 1;  // the math rules read what they need, hidden or not
        continue;
      }
      if (d.HasAttr(i, "hidden") || d.Attr(i, "aria-hidden") == "true") drop = true;
      std::string_view style = d.Attr(i, "style");
      if (!style.empty()) {
        std::string s;
        for (char c : style)
          if (c != ' ') s += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (s.find("display:none") != std::string::npos || s.find("visibility:hidden") != std::string::npos)
          drop = true;
      }
    }
    if (drop) {
      n.dropped = true;
      i = n.end - 1;
    }
  }
}

std::string RenderMarkdown(const Dom& dom, uint32_t root, const RenderOptions& options) {
  if (root == kNoNode || root >= dom.size()) return "";
  Renderer r(dom, options);
  return r.Render(root);
}

}  // namespace alcor::text
