// The conversion layer (src/formats/; docs/architecture.md "Where a page becomes text"): every
// document a source emits, whatever its format, becomes a Record through Convert. Sources fetch
// bytes and say what they know; they never convert.
//
// Two kinds of document come through:
//   - an item of a service (a post, a paper, a feed entry): the source sets record.id and what it
//     knows; conversion turns the body into record.text and fills only what the source left empty
//     (a page's title and dates, a PDF's authors);
//   - a file of its own (a book, a file given to `alcor ingest`): the source leaves record.id
//     empty, and conversion derives the id and the record from the bytes (docs/sources.md, "book"):
//     "book:isbn:<ISBN-13>" or "book:<sha256>" for EPUB, PDF and Project Gutenberg text,
//     "web:<record.url>" for a page or text fetched from a URL, "file:<sha256>" for a local
//     text, Markdown or HTML file; title, authors, dates and language from the document, and
//     metadata.format, .file_bytes, .file_sha256, .isbn, .pages, .gutenberg_id … describing it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "alcor/book.hpp"
#include "alcor/pdf.hpp"
#include "alcor/record.hpp"
#include "alcor/status.hpp"

namespace alcor {

// What RawDocument::body holds, which decides how it becomes Record::text.
enum class BodyFormat {
  kFinalText,  // no body: record.text is the text already (still cleaned by CleanText)
  kPlainText,  // plain text bytes; decoded (charset, else detected) and cleaned; a Project
               // Gutenberg file is recognised and its header and licence dropped
  kMarkdown,   // Markdown (a forum's contents.markdown); decoded and cleaned, LaTeX kept as is
  kHtml,       // an HTML fragment or document kept whole (post body, feed content, chapter)
  kHtmlPage,   // a whole web page: main-content extraction; the page's metadata fills the
               // record's empty title, authors, dates and language
  kPdf,        // PDF bytes: text layer through poppler (alcor/pdf.hpp)
  kEpub,       // an EPUB 2 or 3 archive: its spine through the normalizer (alcor/book.hpp)
  kDetect,     // unknown: told by content_type, then the extension of record.url or
               // metadata.path, then the bytes (DetectDocumentFormat); HTML is read as kHtmlPage
               // when record.url is set or main_content, else as kHtml
};
// "text", "plain", "markdown", "html", "html-page", "pdf", "epub", "detect"
const char* BodyFormatName(BodyFormat format);

// The BodyFormat that reads a document of this format (kUnknown: kDetect). HTML is a whole page
// (kHtmlPage) when page is true.
BodyFormat BodyFormatFor(DocumentFormat format, bool page);

// What was fetched or read, as the raw archive keeps it (alcor/raw_archive.hpp, alcor/warc.hpp):
// an HTTP answer (a WARC response record) or a file's bytes (a resource record).
struct RawCapture {
  std::string uri;         // the URL asked for (after redirects), or file://<path> for a local file
  int http_status = 0;     // 0: not an HTTP answer (a resource record)
  std::vector<std::pair<std::string, std::string>> headers;  // the answer's header fields
  std::string content_type;  // a resource's media type ("" when not known)
  std::string payload;
  // True when payload is exactly the document's body (so `alcor rebuild` can convert it again);
  // false for an answer several documents were taken from (a GraphQL page of many posts), whose
  // records point at it with metadata.raw.part.
  bool is_body = true;
  int64_t fetched_micros = 0;  // when it was fetched or read (0: when archived)
};

struct RawDocument {
  // Everything the source knows: id ("" for a file of its own, see above), source, source_kind,
  // url, title, authors, dates, language, also_at, metadata (a local file's path in
  // metadata.path). text only with kFinalText. content_sha256 and schema fields are set by
  // conversion (Record::Seal).
  Record record;
  std::string body;
  BodyFormat format = BodyFormat::kFinalText;
  // charset parameter of the HTTP Content-Type (HttpResponse::charset()), "" when none.
  std::string charset;
  // kDetect: the HTTP Content-Type the body came with, "" for a file.
  std::string content_type;
  // Links in HTML are resolved against this; "" means record.url.
  std::string base_url;
  // What the source calls the document in messages and per-document reports (a path, "-" for
  // stdin, the URL asked for); "" means record.url, else record.id.
  std::string origin;
  // kDetect, and HTML files of their own: a local HTML file is read as a whole page too (pages
  // with a record.url always are).
  bool main_content = false;
  // Caps and choices of the book converters.
  EpubOptions epub;
  PdfTextOptions pdf;
  // The source met an item it may have stored before, whose fields other than the text (karma,
  // votes, tags, comment count) may have changed without an edit: the deduplicator then replaces
  // the stored record of the same id and source when they did, though the text is the same
  // (OfferHints::update_metadata; counted as metadata_updated in the run report).
  bool update_metadata = false;
  // The bytes to archive for this document (alcor/raw_archive.hpp). nullptr: body itself is
  // archived (a resource record for record.url, or file://metadata.path for a local file).
  // Documents made from one shared answer share one capture, which is archived once.
  std::shared_ptr<const RawCapture> capture;
  // Runs on the normalizer worker after conversion, before Seal (a source's own cleanup, such as
  // dropping a bibliography). An error fails this document only.
  std::function<Status(Record*)> finish;

  // origin, else record.url, else record.id.
  const std::string& DisplayName() const;
};

// Converts doc into a sealed record: body → text as its format says (and for a file of its own,
// the id and description above), metadata.text_format set to BodyFormatName of the format read
// unless the source set it, then finish, then Record::Seal.
// Errors: InvalidArgument when the format is unknown ("unsupported document type") or the text
// ends up empty (a record always has text); whatever NormalizeHtml, ExtractPdfText or ReadEpub
// return. Messages start with record.id when the source set it.
// Thread safe (normalizer workers call it concurrently).
Status Convert(RawDocument doc, Record* out);

}  // namespace alcor
