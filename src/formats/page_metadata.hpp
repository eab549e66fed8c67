// Page metadata from <head> meta tags, JSON-LD, <time>, <link rel=canonical>, <html lang>
// (docs/normalization.md, "Metadata").
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "formats/html_dom.hpp"

namespace alcor::text {

struct PageMetadata {
  std::string title;
  std::vector<std::string> authors;
  std::optional<std::string> date_published;  // RFC 3339 UTC
  std::optional<std::string> date_modified;
  std::string canonical_url;
  std::string language;
  std::string description;
  std::string site_name;
  std::string base_href;     // <base href>, resolved against the page URL ("" when absent)
  std::string article_body;  // JSON-LD articleBody (plain text), a hint for main-content selection
};

// Reads the metadata of the document. `page_url` resolves relative canonical and base URLs.
PageMetadata ExtractPageMetadata(const Dom& dom, const std::string& page_url);

// Splits an author string into names: "By Jane Doe and John Roe" → {"Jane Doe", "John Roe"}.
// Commas split only when every part looks like a full name, so "Doe, Jane" stays one name.
std::vector<std::string> SplitAuthorNames(std::string_view s);

}  // namespace alcor::text
