// Renders a subtree of a Dom as Markdown (docs/normalization.md, "HTML to Markdown"); math
// through math_tex.hpp.
#pragma once

#include <string>

#include "alcor/normalize.hpp"
#include "formats/html_dom.hpp"

namespace alcor::text {

struct RenderOptions {
  std::string base_url;  // absolute; links and footnote targets resolve against it ("" = keep)
  bool images_as_alt = true;
  LinkStyle links = LinkStyle::kInline;
};

// Markdown of the subtree rooted at `root`, skipping nodes marked dropped. The result is not yet
// NFC-normalised nor blank-line squeezed (CleanText does that last). Math found in the markup is
// written as $…$ / $$…$$ LaTeX, never as rendered glyphs.
std::string RenderMarkdown(const Dom& dom, uint32_t root, const RenderOptions& options);

// Marks what is never text whatever the mode: script (but math), style, template, noscript, head,
// form controls, svg/canvas/iframe/object/embed/media, and elements hidden by attribute (hidden,
// aria-hidden="true", style display:none / visibility:hidden). Math containers are left alone:
// their hidden glyphs are skipped by the math rules instead.
void MarkNeverText(Dom* dom);

}  // namespace alcor::text
