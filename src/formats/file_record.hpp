// Files of their own (alcor/convert.hpp: a RawDocument without record.id): books, and the files,
// stdin and URLs of `alcor ingest`. Defined in document.cpp next to format detection.
#pragma once

#include "alcor/convert.hpp"

namespace alcor {

// Reads doc.body as format (not kDetect nor kFinalText) and fills doc.record: id, text, what the
// document states that the source left empty (title, authors, dates), and the metadata that
// describes the file (format, file_bytes, file_sha256, isbn, pages, gutenberg_id …).
// Errors as the format's reader returns them (alcor/book.hpp, alcor/pdf.hpp, NormalizeHtml), or
// InvalidArgument for an empty text document.
Status ConvertFile(RawDocument& doc, BodyFormat format);

// A fetched page's statement of its own URL (`<link rel="canonical">`, og:url): kept in
// metadata.canonical_url, and when it names the same item as r->url (equal CanonicalizeUrl) it
// becomes r->url in its published form, so the record links to the page as its site names it.
// A canonical link to another item (a syndicated copy) leaves r->url as it is.
void AdoptCanonicalLink(const std::string& canonical_url, Record* r);

}  // namespace alcor
