// Math markup → LaTeX (docs/normalization.md, "Math"): MathJax 2 and 3, KaTeX, MathML and TeX
// left as text, recognised in the DOM and written as their TeX source.
#include "formats/math_tex.hpp"

#include <algorithm>
#include <cctype>
#include <functional>

#include "alcor/strings.hpp"
#include "text/unicode_util.hpp"

namespace alcor::text {
namespace {

std::string CleanTex(std::string_view tex) {
  std::string t = CollapseWhitespace(tex);
  auto strip = [&](std::string_view open, std::string_view close) {
    if (t.size() >= open.size() + close.size() && t.compare(0, open.size(), open) == 0 &&
        t.compare(t.size() - close.size(), close.size(), close) == 0) {
      t = t.substr(open.size(), t.size() - open.size() - close.size());
      while (!t.empty() && t.front() == ' ') t.erase(t.begin());
      while (!t.empty() && t.back() == ' ') t.pop_back();
      return true;
    }
    return false;
  };
  strip("\\(", "\\)") || strip("\\[", "\\]") || strip("$$", "$$") || strip("$", "$");
  return t;
}

bool ClassHas(const Dom& dom, uint32_t i, std::string_view token) {
  return HasClassToken(dom.Attr(i, "class"), token);
}

// The first element below i (dropped flags ignored: math glyphs are often aria-hidden) for which
// pred holds. Looks at no more than kMathScanNodes nodes: real math markup is far smaller, and
// the bound keeps nested pseudo-math containers from costing depth × size.
constexpr uint32_t kMathScanNodes = 4096;
uint32_t FindBelow(const Dom& dom, uint32_t i, const std::function<bool(uint32_t)>& pred) {
  uint32_t end = std::min(dom[i].end, i + 1 + kMathScanNodes);
  for (uint32_t k = i + 1; k < end; ++k)
    if (!dom[k].is_text && pred(k)) return k;
  return kNoNode;
}

std::string RawText(const Dom& dom, uint32_t i) {
  std::string out;
  for (uint32_t k = i; k < dom[i].end; ++k) {
    const GumboNode* g = dom[k].g;
    if (dom[k].is_text && g->v.text.text) out += g->v.text.text;
  }
  return out;
}

// MathML → LaTeX for the common presentation elements; a fallback for MathJax 3 output and
// MathML without alttext. Depth-capped: deeper structure is written as its plain text.
void MathMlToTex(const Dom& dom, uint32_t i, int depth, std::string* out) {
  const DomNode& d = dom[i];
  if (d.is_text) {
    const char* t = d.g->v.text.text;
    if (t) {
      for (const char* p = t; *p; ++p)
        if (*p != '\n' && *p != '\r') *out += *p;
    }
    return;
  }
  std::string name = dom.TagName(i);
  std::vector<uint32_t> kids;
  for (uint32_t c = i + 1; c < d.end; c = dom[c].end)
    if (!dom[c].is_text || name == "mi" || name == "mn" || name == "mo" || name == "mtext" || name == "ms")
      kids.push_back(c);
  if (depth > 64) {
    *out += RawText(dom, i);
    return;
  }
  auto sub = [&](uint32_t k) {
    std::string s;
    MathMlToTex(dom, k, depth + 1, &s);
    return s;
  };
  auto group = [&](uint32_t k) { return "{" + sub(k) + "}"; };
  if (name == "annotation" || name == "annotation-xml") return;
  if (name == "semantics") {
    if (!kids.empty()) *out += sub(kids[0]);
    return;
  }
  if ((name == "msup" || name == "msub") && kids.size() >= 2) {
    *out += sub(kids[0]) + (name == "msup" ? "^" : "_") + group(kids[1]);
    return;
  }
  if (name == "msubsup" && kids.size() >= 3) {
    *out += sub(kids[0]) + "_" + group(kids[1]) + "^" + group(kids[2]);
    return;
  }
  if ((name == "munder" || name == "mover") && kids.size() >= 2) {
    *out += sub(kids[0]) + (name == "mover" ? "^" : "_") + group(kids[1]);
    return;
  }
  if (name == "munderover" && kids.size() >= 3) {
    *out += sub(kids[0]) + "_" + group(kids[1]) + "^" + group(kids[2]);
    return;
  }
  if (name == "mfrac" && kids.size() >= 2) {
    *out += "\\frac" + group(kids[0]) + group(kids[1]);
    return;
  }
  if (name == "msqrt") {
    std::string s;
    for (uint32_t k : kids) s += sub(k);
    *out += "\\sqrt{" + s + "}";
    return;
  }
  if (name == "mroot" && kids.size() >= 2) {
    *out += "\\sqrt[" + sub(kids[1]) + "]" + group(kids[0]);
    return;
  }
  if (name == "mi" || name == "mn" || name == "mo" || name == "mtext" || name == "ms") {
    std::string t = RawText(dom, i);
    if (name == "mtext") t = "\\text{" + t + "}";
    *out += t;
    return;
  }
  for (uint32_t k : kids) *out += sub(k);
}

bool IsMathJax2Rendered(const Dom& dom, uint32_t i) {
  std::string_view cls = dom.Attr(i, "class");
  if (cls.empty()) return false;
  return HasClassToken(cls, "MathJax") || HasClassToken(cls, "MathJax_Preview") ||
         HasClassToken(cls, "MathJax_Display") || HasClassToken(cls, "MathJax_SVG") ||
         HasClassToken(cls, "MathJax_SVG_Display") || HasClassToken(cls, "MathJax_CHTML") ||
         HasClassToken(cls, "MJX_Assistive_MathML") || HasClassToken(cls, "mjx-chtml") ||
         HasClassToken(cls, "MJXc-display") || HasClassToken(cls, "MathJax_MathML");
}

// The next element sibling of i, skipping whitespace text.
uint32_t NextElementSibling(const Dom& dom, uint32_t i) {
  uint32_t p = dom[i].parent;
  if (p == kNoNode) return kNoNode;
  for (uint32_t k = dom[i].end; k < dom[p].end; k = dom[k].end) {
    if (!dom[k].is_text) return k;
    if (dom[k].g->type != GUMBO_NODE_WHITESPACE) return kNoNode;
  }
  return kNoNode;
}

}  // namespace

bool IsTexScript(const Dom& dom, uint32_t i) {
  return dom[i].tag == GUMBO_TAG_SCRIPT && StartsWithNoCase(dom.Attr(i, "type"), "math/tex");
}

// A cheap test that rules out almost every element before DetectMath looks closer.
bool MaybeMath(const Dom& dom, uint32_t i) {
  const DomNode& d = dom[i];
  if (d.is_text) return false;
  if (d.tag == GUMBO_TAG_SCRIPT || d.tag == GUMBO_TAG_MATH) return true;
  if (d.tag == GUMBO_TAG_UNKNOWN && StartsWithNoCase(dom.TagName(i), "mjx")) return true;
  std::string_view cls = dom.Attr(i, "class");
  if (cls.empty()) return false;
  std::string lower(cls);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower.find("math") != std::string::npos || lower.find("mjx") != std::string::npos ||
         lower.find("katex") != std::string::npos || lower.find("tex") != std::string::npos;
}

MathFound DetectMath(const Dom& dom, uint32_t i) {
  MathFound m;
  if (!MaybeMath(dom, i)) return m;
  const DomNode& d = dom[i];
  if (d.is_text) return m;
  // MathJax 2 source: <script type="math/tex[; mode=display]">.
  if (d.tag == GUMBO_TAG_SCRIPT) {
    std::string_view type = dom.Attr(i, "type");
    if (StartsWithNoCase(type, "math/tex")) {
      m.is_math = true;
      m.display = ContainsNoCase(type, "mode=display");
      m.tex = CleanTex(RawText(dom, i));
    }
    return m;
  }
  std::string_view cls = dom.Attr(i, "class");
  // KaTeX: the TeX is in the MathML annotation; .katex-display marks display math.
  if (HasClassToken(cls, "katex") || HasClassToken(cls, "katex-display") || HasClassToken(cls, "katex-mathml")) {
    uint32_t ann = FindBelow(dom, i, [&](uint32_t k) {
      return dom.TagName(k) == "annotation" && ContainsNoCase(dom.Attr(k, "encoding"), "tex");
    });
    if (ann != kNoNode) {
      m.is_math = true;
      m.display = HasClassToken(cls, "katex-display") ||
                  (d.parent != kNoNode && ClassHas(dom, d.parent, "katex-display"));
      m.tex = CleanTex(RawText(dom, ann));
    }
    return m;
  }
  std::string name = d.tag == GUMBO_TAG_UNKNOWN ? dom.TagName(i) : "";
  // MathJax 3: <mjx-container [display="true"]>.
  if (name == "mjx-container") {
    m.is_math = true;
    m.display = dom.Attr(i, "display") == "true" || dom.Attr(i, "display") == "block";
    uint32_t ann = FindBelow(dom, i, [&](uint32_t k) {
      return dom.TagName(k) == "annotation" && ContainsNoCase(dom.Attr(k, "encoding"), "tex");
    });
    if (ann != kNoNode) {
      m.tex = CleanTex(RawText(dom, ann));
      return m;
    }
    uint32_t math = FindBelow(dom, i, [&](uint32_t k) { return dom[k].tag == GUMBO_TAG_MATH; });
    if (math != kNoNode && !dom.Attr(math, "alttext").empty()) {
      m.tex = CleanTex(dom.Attr(math, "alttext"));
      return m;
    }
    std::string_view label = dom.Attr(i, "aria-label");
    if (label.empty()) {
      uint32_t inner = FindBelow(dom, i, [&](uint32_t k) { return !dom.Attr(k, "aria-label").empty(); });
      if (inner != kNoNode) label = dom.Attr(inner, "aria-label");
    }
    if (!label.empty()) {
      m.tex = CleanTex(label);
      return m;
    }
    if (math != kNoNode) {
      std::string s;
      MathMlToTex(dom, math, 0, &s);
      m.tex = CleanTex(s);
    }
    return m;
  }
  // MathJax 2 rendered output. When the TeX source script follows, the script speaks; otherwise
  // the .mjx-math aria-label (server-side rendering, as LessWrong's) holds the TeX.
  if (IsMathJax2Rendered(dom, i)) {
    m.is_math = true;
    uint32_t next = NextElementSibling(dom, i);
    if (next != kNoNode && IsTexScript(dom, next)) return m;  // empty tex: rendered as nothing
    m.display = HasClassToken(cls, "MJXc-display") || HasClassToken(cls, "MathJax_Display") ||
                HasClassToken(cls, "MathJax_SVG_Display") ||
                (d.parent != kNoNode && (ClassHas(dom, d.parent, "MJXc-display") || ClassHas(dom, d.parent, "MathJax_Display")));
    uint32_t label_node = HasClassToken(cls, "mjx-math") && !dom.Attr(i, "aria-label").empty()
                              ? i
                              : FindBelow(dom, i, [&](uint32_t k) {
                                  return ClassHas(dom, k, "mjx-math") && !dom.Attr(k, "aria-label").empty();
                                });
    if (label_node != kNoNode) {
      m.tex = CleanTex(dom.Attr(label_node, "aria-label"));
      return m;
    }
    uint32_t math = FindBelow(dom, i, [&](uint32_t k) { return dom[k].tag == GUMBO_TAG_MATH; });
    if (math != kNoNode) {
      std::string_view alt = dom.Attr(math, "alttext");
      if (!alt.empty()) {
        m.tex = CleanTex(alt);
      } else {
        std::string s;
        MathMlToTex(dom, math, 0, &s);
        m.tex = CleanTex(s);
      }
    }
    return m;
  }
  if (HasClassToken(cls, "mjx-math") && !dom.Attr(i, "aria-label").empty()) {
    m.is_math = true;
    m.tex = CleanTex(dom.Attr(i, "aria-label"));
    m.display = d.parent != kNoNode && ClassHas(dom, d.parent, "MJXc-display");
    return m;
  }
  // MathML (arXiv's LaTeXML puts the TeX in alttext).
  if (d.tag == GUMBO_TAG_MATH) {
    m.is_math = true;
    m.display = dom.Attr(i, "display") == "block" || dom.Attr(i, "mode") == "display";
    std::string_view alt = dom.Attr(i, "alttext");
    if (!alt.empty()) {
      m.tex = CleanTex(alt);
      return m;
    }
    uint32_t ann = FindBelow(dom, i, [&](uint32_t k) {
      return dom.TagName(k) == "annotation" && ContainsNoCase(dom.Attr(k, "encoding"), "tex");
    });
    if (ann != kNoNode) {
      m.tex = CleanTex(RawText(dom, ann));
      return m;
    }
    std::string s;
    MathMlToTex(dom, i, 0, &s);
    m.tex = CleanTex(s);
    return m;
  }
  // CKEditor / server-rendered TeX left as text: <span class="math-tex">\(x\)</span>.
  if (HasClassToken(cls, "math-tex") || HasClassToken(cls, "math") || HasClassToken(cls, "tex")) {
    // Look at the first text node only before reading the whole subtree.
    uint32_t first_text = kNoNode;
    for (uint32_t k = i + 1; k < dom[i].end && k < i + 64; ++k)
      if (dom[k].is_text && dom[k].g->type != GUMBO_NODE_WHITESPACE) {
        first_text = k;
        break;
      }
    if (first_text == kNoNode) return m;
    std::string_view head = dom[first_text].g->v.text.text;
    while (!head.empty() && (head.front() == ' ' || head.front() == '\n')) head.remove_prefix(1);
    if (!StartsWithNoCase(head, "\\(") && !StartsWithNoCase(head, "\\[") && !StartsWithNoCase(head, "$")) return m;
    std::string raw = RawText(dom, i);
    std::string_view r = raw;
    while (!r.empty() && (r.front() == ' ' || r.front() == '\n')) r.remove_prefix(1);
    if (StartsWithNoCase(r, "\\(") || StartsWithNoCase(r, "\\[") || StartsWithNoCase(r, "$")) {
      m.is_math = true;
      m.display = StartsWithNoCase(r, "\\[") || StartsWithNoCase(r, "$$");
      m.tex = CleanTex(raw);
    }
  }
  return m;
}

bool IsMathElement(const Dom& dom, uint32_t i) { return DetectMath(dom, i).is_math; }

}  // namespace alcor::text
