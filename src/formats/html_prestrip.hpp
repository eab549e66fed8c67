// A linear pre-pass over HTML before gumbo parses it (docs/normalization.md, step 2).
//
// Why: on real pages more than half the bytes are <script>, <style> and <svg> bodies that never
// reach the text, and gumbo's tokenizer pays for every one of them; and gumbo's tree builder
// takes time proportional to the nesting depth for each start tag, so 100,000 nested elements
// take quadratic time. This pass
//  - removes comments, <style>, <noscript>, <template> and <script> elements, except scripts
//    whose type is JSON-LD or MathJax TeX (those carry metadata and math);
//  - empties <svg> elements (drawings; the start tag is kept so word spacing stays); an svg left
//    open ends where the HTML parser would end it (an HTML start tag, or the end tag of an
//    HTML element around it), not at a later </svg>;
//  - caps element nesting at `max_depth` the way browsers do (Blink stops nesting at 512): start
//    tags beyond the cap are dropped with their end tags, their text is kept;
//  - keeps at most kMaxHtmlAttributes attributes of a start tag and kMaxHtmlAttributesPerDocument
//    in all (gumbo compares each attribute with every earlier one of its tag: one tag with
//    300,000 attributes took minutes); end tags lose their attributes, which mean nothing.
// Raw-text elements (<textarea>, <title>, <xmp>, <iframe>, <noembed>, <noframes>, <plaintext>)
// are copied through unparsed, as the HTML tokenizer treats them. The result is what gumbo parses.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace alcor::text {

inline constexpr size_t kMaxHtmlDepth = 512;
inline constexpr size_t kMaxHtmlAttributes = 128;                 // per start tag
inline constexpr size_t kMaxHtmlAttributesPerDocument = 1000000;  // in all

struct PrestripStats {
  size_t dropped_start_tags = 0;  // start tags beyond max_depth
  size_t dropped_attributes = 0;  // attributes beyond kMaxHtmlAttributes(PerDocument)
};

std::string PrestripHtml(std::string_view html, size_t max_depth = kMaxHtmlDepth,
                         PrestripStats* stats = nullptr);

}  // namespace alcor::text
