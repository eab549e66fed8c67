// The normalizer: turns the HTML every source brings (forum post bodies, blog pages, arXiv HTML,
// EPUB chapters) into the Markdown `text` of a Record, with math kept as LaTeX, and reads a page's
// metadata. docs/normalization.md lists every step in order.
//
// All functions here are pure functions of their arguments: thread-safe, no I/O, no global state.
// Untrusted input never crashes them: nesting is capped (after the HTML parsing rules browsers use),
// every walk over the tree is iterative, and time and memory stay linear in the input size.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "alcor/status.hpp"

namespace alcor {

// How <a href> elements are written.
enum class LinkStyle {
  kAuto,      // kTextOnly with main_content (reader-mode text of a web page), else kInline
  kInline,    // [text](absolute URL)
  kTextOnly,  // text: the link's text only
};

struct NormalizeOptions {
  // The page's own URL. Relative links and image sources are resolved against it (or against the
  // page's <base href>, itself resolved against this). Empty: relative links are kept as written.
  std::string base_url;
  // Whole web pages: keep only the article body, dropping navigation, headers, footers, sidebars,
  // comment sections, share/subscribe widgets, related-post lists and cookie banners. When no
  // article body can be told apart, the whole body is kept (less the elements named above).
  bool main_content = false;
  // <img> becomes its alt text (true) or nothing (false).
  bool images_as_alt = true;
  // kAuto: a post body or chapter keeps its links; the article of a whole page keeps its words
  // only (a page's links are mostly site navigation, trackers and ads, and URLs inside the
  // sentences of an article are noise to a reader of the corpus).
  LinkStyle links = LinkStyle::kAuto;
  // The input is already UTF-8 text (a JSON string, a decoded feed): no charset sniffing or
  // conversion; invalid sequences are still replaced and counted.
  bool input_is_utf8 = false;
  // Larger inputs fail with LimitExceeded rather than being processed.
  size_t max_input_bytes = size_t{256} << 20;
};

struct NormalizeResult {
  std::string text;  // Markdown, NFC, ends with '\n' unless empty
  // Page metadata (meta tags, JSON-LD, <time>, <link rel=canonical>, <html lang>), "" or empty
  // when the page does not state it. Dates are RFC 3339 UTC.
  std::string title;
  std::vector<std::string> authors;  // one name per element
  std::optional<std::string> date_published;
  std::optional<std::string> date_modified;
  std::string canonical_url;  // absolute, as the page states it (not canonicalised)
  std::string language;       // BCP 47 tag as written ("en", "pt-BR")
  std::string description;
  std::string site_name;
  std::string charset;             // the encoding the bytes were read as ("utf-8", "windows-1252")
  size_t invalid_utf8_replaced = 0;  // byte sequences replaced with U+FFFD

  // The metadata above as a JSON object with only the fields the page stated (title, authors,
  // date_published, date_modified, canonical_url, language, description, site_name).
  nlohmann::json MetadataJson() const;
};

// HTML (a whole page or a fragment) → Markdown. `raw` is the undecoded bytes; `http_charset` the
// charset parameter of the HTTP Content-Type header ("" when none or unknown).
// Fails only with LimitExceeded (input above options.max_input_bytes).
Result<NormalizeResult> NormalizeHtml(std::string_view raw, const NormalizeOptions& options,
                                      std::string_view http_charset = {});

// One line of `alcor normalize --jsonl`: a JSON object with an "html" string (and optional "id",
// "url"). On success *out is the same object, one line ending in '\n', with "html" removed,
// "text" set, and the page metadata (NormalizeResult::MetadataJson) as "metadata" when the input
// has none, or added to an input metadata object under the keys it lacks. Other fields are kept.
// The html is taken as UTF-8 text (options.input_is_utf8); options.base_url, when empty, is the
// object's "url". *id receives the object's "id" (when readable) for error messages.
// Fails with InvalidArgument (not a JSON object, no html string), LimitExceeded (nested deeper
// than kMaxJsonDepth, alcor/json.hpp) or as NormalizeHtml does.
Status NormalizeJsonLine(std::string_view line, const NormalizeOptions& options, std::string* out,
                         std::string* id);

// ---- Text hygiene, shared with the modules that bring Markdown or plain text ----

struct DecodedText {
  std::string text;     // valid UTF-8
  std::string charset;  // what the bytes were read as, lower-case ("utf-8", "windows-1252", ...)
  size_t invalid_utf8_replaced = 0;  // sequences replaced with U+FFFD (UTF-8 input only)
};

// Bytes of unknown encoding → UTF-8. Order: byte-order mark; `declared_charset` (an HTTP header
// or a file's declaration); when `sniff_html_meta`, <meta charset> or <meta http-equiv> in the
// first 4 KiB; bytes that are valid UTF-8 are UTF-8; otherwise uchardet's guess, else
// windows-1252. Labels follow the WHATWG Encoding rules where they differ from ICU's
// (iso-8859-1 and us-ascii read as windows-1252). Invalid UTF-8 becomes U+FFFD, counted.
DecodedText DecodeToUtf8(std::string_view bytes, std::string_view declared_charset, bool sniff_html_meta);

struct CleanTextStats {
  size_t invalid_utf8_replaced = 0;  // byte sequences replaced with U+FFFD
  size_t removed_chars = 0;          // control, soft hyphen, zero-width and BOM characters dropped
};

// Plain-text or Markdown hygiene, for text that does not come through NormalizeHtml:
// invalid UTF-8 → U+FFFD (counted); CRLF and CR → LF; Unicode NFC; C0/C1 controls (but tab and
// LF), soft hyphens, zero-width characters (U+200B..U+200D, U+2060, U+FEFF) removed; no-break
// and other Unicode spaces → ' '; trailing whitespace of each line removed; at most one blank
// line in a row outside fenced code blocks; no blank lines at the start or end; the result ends
// with '\n' unless empty. Runs of spaces inside a line and leading indentation are kept (they
// carry meaning in Markdown and code).
std::string CleanText(std::string_view text, CleanTextStats* stats = nullptr);

// Unicode NFC of valid UTF-8 (utf8proc). Returns the input unchanged if it is not valid UTF-8.
std::string NfcNormalize(std::string_view utf8);

// Copies `bytes` replacing every invalid UTF-8 sequence (overlong forms, surrogates, code points
// above U+10FFFF, truncated sequences) with U+FFFD, one per maximal invalid subpart; adds the
// number of replacements to *replaced when given.
std::string ReplaceInvalidUtf8(std::string_view bytes, size_t* replaced = nullptr);

}  // namespace alcor
