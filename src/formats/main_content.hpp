// Main-content extraction (docs/normalization.md, "Main content"): finds the article body of a
// whole web page and marks the boilerplate around and inside it as dropped. General heuristics
// only: semantic tags and roles, class/id hints, text and link density, JSON-LD articleBody.
#pragma once

#include <string>

#include "formats/html_dom.hpp"

namespace alcor::text {

// What SelectMainContent chose: the root to render, or the page's JSON-LD articleBody instead
// when the document holds clearly less text than that (pages whose article scripts render).
struct MainContentChoice {
  uint32_t root = 0;
  bool use_article_body = false;
};

// REQUIRES: never-text elements already marked (MarkNeverText). Marks boilerplate dropped,
// recomputes the statistics and returns the root to render (the <body> when no article body
// stands out). `article_body_hint` is the page's JSON-LD articleBody ("" when none): it locates
// the article in the document, and stands in for it when the document's text is implausibly short.
MainContentChoice SelectMainContent(Dom* dom, const std::string& article_body_hint);

}  // namespace alcor::text
