// NormalizeHtml: the steps of docs/normalization.md in order.
#include "alcor/normalize.hpp"

#include <memory>

#include <gumbo.h>

#include "formats/html_dom.hpp"
#include "formats/html_prestrip.hpp"
#include "formats/main_content.hpp"
#include "formats/markdown_writer.hpp"
#include "formats/page_metadata.hpp"

namespace alcor {

nlohmann::json NormalizeResult::MetadataJson() const {
  nlohmann::json j = nlohmann::json::object();
  if (!title.empty()) j["title"] = title;
  if (!authors.empty()) j["authors"] = authors;
  if (date_published) j["date_published"] = *date_published;
  if (date_modified) j["date_modified"] = *date_modified;
  if (!canonical_url.empty()) j["canonical_url"] = canonical_url;
  if (!language.empty()) j["language"] = language;
  if (!description.empty()) j["description"] = description;
  if (!site_name.empty()) j["site_name"] = site_name;
  return j;
}

Result<NormalizeResult> NormalizeHtml(std::string_view raw, const NormalizeOptions& options,
                                      std::string_view http_charset) {
  if (raw.size() > options.max_input_bytes) {
    return Status::LimitExceeded("HTML of " + std::to_string(raw.size()) + " bytes is above the limit of " +
                                 std::to_string(options.max_input_bytes));
  }
  NormalizeResult result;
  // 1. Bytes → UTF-8.
  DecodedText decoded;
  if (options.input_is_utf8) {
    decoded.charset = "utf-8";
    decoded.text = ReplaceInvalidUtf8(raw, &decoded.invalid_utf8_replaced);
  } else {
    decoded = DecodeToUtf8(raw, http_charset, /*sniff_html_meta=*/true);
  }
  result.charset = decoded.charset;
  result.invalid_utf8_replaced = decoded.invalid_utf8_replaced;

  // 2. Pre-pass: drop script/style/svg bodies and comments, cap nesting.
  std::string html = text::PrestripHtml(decoded.text);
  decoded.text = std::string();

  // 3. Parse. Error recording is off: it costs time and nothing here reads it.
  GumboOptions gumbo_options = kGumboDefaultOptions;
  gumbo_options.max_errors = 0;
  std::unique_ptr<GumboOutput, void (*)(GumboOutput*)> output(
      gumbo_parse_with_options(&gumbo_options, html.data(), html.size()),
      [](GumboOutput* o) { gumbo_destroy_output(&kGumboDefaultOptions, o); });
  text::Dom dom(output->document);

  // 4. Metadata (before anything is marked dropped: JSON-LD lives in scripts).
  text::PageMetadata meta = text::ExtractPageMetadata(dom, options.base_url);

  // 5. What is never text; 6. the main content when asked.
  text::MarkNeverText(&dom);
  uint32_t root = dom.Find(GUMBO_TAG_BODY);
  if (root == text::kNoNode) root = 0;
  bool use_article_body = false;
  if (options.main_content) {
    text::MainContentChoice choice = text::SelectMainContent(&dom, meta.article_body);
    root = choice.root;
    use_article_body = choice.use_article_body;
  }

  // 7. Markdown; 8. hygiene of the whole text (NFC, blank lines, trailing spaces).
  text::RenderOptions render;
  render.base_url = meta.base_href.empty() ? options.base_url : meta.base_href;
  render.images_as_alt = options.images_as_alt;
  render.links = options.links;
  if (render.links == LinkStyle::kAuto) render.links = options.main_content ? LinkStyle::kTextOnly : LinkStyle::kInline;
  std::string markdown = use_article_body ? meta.article_body : text::RenderMarkdown(dom, root, render);
  // The tree and the HTML it points into are done with: released before the text's last copies,
  // so the peak is not all of them at once (docs/security.md, memory per input byte).
  output.reset();
  std::string().swap(html);
  result.text = CleanText(markdown);

  result.title = std::move(meta.title);
  result.authors = std::move(meta.authors);
  result.date_published = std::move(meta.date_published);
  result.date_modified = std::move(meta.date_modified);
  result.canonical_url = std::move(meta.canonical_url);
  result.language = std::move(meta.language);
  result.description = std::move(meta.description);
  result.site_name = std::move(meta.site_name);
  return result;
}

}  // namespace alcor
