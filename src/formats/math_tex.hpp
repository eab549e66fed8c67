// Math markup in a Dom → LaTeX (docs/normalization.md, "Math"): MathJax 2 (the math/tex script or
// its rendered output's aria-label), MathJax 3 (<mjx-container>), KaTeX (the TeX annotation),
// MathML (alttext, a TeX annotation, else the presentation elements converted) and TeX left as
// text in a .math/.math-tex/.tex element. Used by the Markdown renderer (markdown_writer.hpp).
// Bounded work per element: searches below an element look at no more than 4096 nodes and
// MathML conversion is depth-capped.
#pragma once

#include <cstdint>
#include <string>

#include "formats/html_dom.hpp"

namespace alcor::text {

struct MathFound {
  bool is_math = false;  // i is a math container: render tex (possibly empty) instead of its subtree
  bool display = false;  // display math ($$…$$) rather than inline ($…$)
  std::string tex;       // the TeX source, whitespace collapsed, delimiters (\( \) $ $$ \[ \]) removed
};

// A cheap test that rules out almost every element; DetectMath only finds math where it holds.
bool MaybeMath(const Dom& dom, uint32_t i);

// Whether node i is a math container, and its TeX.
MathFound DetectMath(const Dom& dom, uint32_t i);

// True when node i is a math container the renderer turns into LaTeX.
bool IsMathElement(const Dom& dom, uint32_t i);

// <script type="math/tex…">: MathJax 2's TeX source, the one script that is text.
bool IsTexScript(const Dom& dom, uint32_t i);

}  // namespace alcor::text
