// PDF text extraction (poppler-cpp), shared by the book module, `alcor ingest` and the arXiv
// module's PDF fallback.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "alcor/status.hpp"

namespace alcor {

struct PdfTextOptions {
  // Inputs larger than this fail with LimitExceeded.
  size_t max_input_bytes = size_t{256} << 20;
  // Lines repeated on at least this fraction of pages (page numbers masked) are running headers
  // or footers and are removed.
  double header_footer_min_fraction = 0.5;
  // Documents with more pages fail with LimitExceeded (bounds the time a hostile file can take).
  int max_pages = 20000;
  // A text layer with more words (about a 4,000-page book) fails with LimitExceeded as soon as
  // the page that crosses it is read: each word is held with its position until the layout is
  // done, so this bounds memory whatever the file's streams inflate to.
  size_t max_words = 2000000;
};

struct PdfText {
  // Reading-order text: words hyphenated across lines joined, ligatures (ﬁ ﬂ ﬀ ﬃ ﬄ) spelled
  // out, running headers and footers removed, paragraphs separated by blank lines. Cleaned
  // (CleanText), ends with '\n'.
  std::string text;
  // From the document information dictionary, "" or nullopt when absent.
  std::string title;
  std::vector<std::string> authors;
  std::optional<std::string> date_created;   // RFC 3339 UTC
  std::optional<std::string> date_modified;  // RFC 3339 UTC
  int pages = 0;
};

// Extracts the text layer. Running headers and footers are looked for among the two lines
// nearest the top and the bottom edge of each page; a line found there on at least
// max(2, header_footer_min_fraction * pages) pages is dropped everywhere it sits at an edge.
// A paragraph that runs over a page break is joined. Thread safe (one poppler document per call).
// Errors: Corruption when poppler cannot open the bytes as a PDF,
// InvalidArgument for an encrypted document, InvalidArgument with "no text layer" in the message
// for a scanned document without text, LimitExceeded above max_input_bytes. Never crashes on
// hostile input.
Result<PdfText> ExtractPdfText(std::string_view bytes, const PdfTextOptions& options = {});

}  // namespace alcor
