// Books and one-off documents: format detection, ISBNs, EPUB and Project Gutenberg text. The
// converters of src/formats/ use them to turn such files into Records (alcor/convert.hpp), for
// the `book` source kind and `alcor ingest`.
//
// Every function here is a pure function of its arguments (no I/O, no global state) and thread
// safe. Inputs are untrusted: archives are read with caps on entry count, sizes and compression
// ratio, paths inside them may not leave the archive, XML is parsed without DTDs or entities, and
// every failure is a Status naming what is wrong.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "alcor/pdf.hpp"
#include "alcor/status.hpp"

namespace alcor {

// ---------------------------------------------------------------------------------------------
// Formats

enum class DocumentFormat { kUnknown, kPlainText, kMarkdown, kHtml, kPdf, kEpub };
// "unknown", "text", "markdown", "html", "pdf", "epub"
const char* DocumentFormatName(DocumentFormat format);

// The format of a document named `name` (a path or URL, for its extension) with contents `bytes`.
// Order: a telling HTTP content_type (application/pdf, application/epub+zip, text/html,
// application/xhtml+xml, text/markdown, text/plain; generic types such as
// application/octet-stream tell nothing); then the extension (.epub .pdf .html .htm .xhtml .md
// .markdown .txt .text); then the content (%PDF- header, a zip whose first entry is an EPUB
// mimetype, an HTML tag, text that opens with a Markdown heading, other text). Binary data of no
// known kind is kUnknown.
// A stated type is believed only when the content does not contradict it: a ".pdf" without a
// %PDF- header is looked at by content instead.
DocumentFormat DetectDocumentFormat(std::string_view name, std::string_view bytes,
                                    std::string_view content_type = {});

// ---------------------------------------------------------------------------------------------
// ISBN

// The ISBN-13 (13 digits, no hyphens) of text such as "978-0-306-40615-7", "urn:isbn:0306406152"
// or "ISBN 0-306-40615-2" (an ISBN-10 is converted); nullopt when the check digit is wrong or
// the text holds no ISBN.
std::optional<std::string> NormalizeIsbn(std::string_view text);

// The first valid ISBN written after the word "ISBN" in text (a copyright page), or nullopt.
std::optional<std::string> FindIsbnInText(std::string_view text);

// ---------------------------------------------------------------------------------------------
// EPUB

struct EpubOptions {
  // Archive caps. An entry or the sum of the entries read above these fails with LimitExceeded,
  // as does an archive with more entries.
  uint64_t max_entry_bytes = uint64_t{64} << 20;
  uint64_t max_total_bytes = uint64_t{256} << 20;
  size_t max_entries = 20000;
  // A spine listing more itemrefs fails with LimitExceeded. A document listed again is read once.
  size_t max_spine_items = 10000;
  // Zip bombs: once more than min_bytes_for_ratio_check bytes are inflated, the inflated total may
  // not exceed this multiple of the archive's size (books compress 2-10x; a bomb 1000x).
  double max_compression_ratio = 100;
  uint64_t min_bytes_for_ratio_check = uint64_t{4} << 20;
  // Spine items marked linear="no" (notes, answer keys, pop-ups) are skipped unless true.
  bool include_non_linear = false;
};

struct EpubCreator {
  std::string name;
  std::string role;     // MARC relator ("aut", "edt", "trl"), "" when not stated
  std::string file_as;  // sort form ("Carroll, Lewis"), "" when not stated
};

struct EpubBook {
  int version = 0;  // 2 or 3, from the package's version attribute
  std::string title;
  std::vector<EpubCreator> creators;  // in document order
  // Creators whose role is "aut" or not stated (all creators when none is an author).
  std::vector<std::string> authors;
  std::string language;
  std::vector<std::string> identifiers;  // every dc:identifier as written
  std::string isbn;                      // ISBN-13 when an identifier is an ISBN, else ""
  std::string uuid;                      // lower-case UUID when an identifier is one, else ""
  std::optional<std::string> date;       // dc:date, RFC 3339 UTC
  std::optional<std::string> modified;   // dcterms:modified, RFC 3339 UTC
  std::string publisher;
  std::string description;  // dc:description as text
  std::vector<std::string> subjects;
  // The spine's items in reading order through the normalizer (not main-content: a chapter is
  // kept whole, headings included), separated by blank lines. Links are written as their text
  // (links inside a book point at its own files).
  std::string text;
  int chapters = 0;            // spine items read
  int skipped_non_linear = 0;  // linear="no" items left out
};

// Reads an EPUB 2 or 3 from its bytes: META-INF/container.xml → the package document (OPF) →
// manifest and spine. When container.xml is missing, an archive with exactly one .opf is read
// through it. Errors: Corruption for an archive libarchive cannot read ("broken zip archive: …")
// or a missing or malformed container/package document; InvalidArgument for an entry name or an
// href that leaves the archive ("../", an absolute path) and for a book without text;
// LimitExceeded when a cap of options is hit (the message names the cap).
Result<EpubBook> ReadEpub(std::string_view bytes, const EpubOptions& options = {});

// ---------------------------------------------------------------------------------------------
// Project Gutenberg plain text

struct GutenbergText {
  // True when START and END markers (current "*** START OF THE PROJECT GUTENBERG EBOOK …", the
  // older "*** START OF THIS PROJECT GUTENBERG EBOOK …", "*END*THE SMALL PRINT!…" and "End of
  // [the] Project Gutenberg…" forms) were found; the others fields are meaningful only then.
  bool found = false;
  std::string title;                 // header "Title:" (continuation lines joined)
  std::vector<std::string> authors;  // header "Author:" split on " and " / ";"
  std::string language;              // header "Language:"
  std::string release_date;          // header "Release Date:" without the "[eBook #N]" part
  std::string ebook_number;          // "1065" from "[eBook #1065]" / "[EBook #1065]" / "[Etext #…]"
  std::string body;                  // the text between the markers: no header, no licence
};

// Finds the book inside a Project Gutenberg file. text is UTF-8 with LF line ends (the BOM and
// CRLF already handled); markers are recognised after trimming a line's leading whitespace and
// case-insensitively. Without markers, returns found == false.
GutenbergText ParseGutenbergText(std::string_view text);

}  // namespace alcor
