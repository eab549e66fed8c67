// Files of their own (alcor/convert.hpp, formats/file_record.hpp): format detection, ISBNs and
// the records of books and ingested files.
#include <algorithm>
#include <optional>
#include <cctype>
#include <string>
#include <vector>

#include "alcor/enum_names.hpp"
#include "alcor/book.hpp"
#include "alcor/convert.hpp"
#include "alcor/env.hpp"
#include "alcor/hash.hpp"
#include "alcor/normalize.hpp"
#include "alcor/secrets.hpp"
#include "alcor/strings.hpp"
#include "alcor/url.hpp"
#include "formats/file_record.hpp"

namespace alcor {

constexpr EnumName<DocumentFormat> kDocumentFormatNames[] = {
    {DocumentFormat::kUnknown, "unknown"},
    {DocumentFormat::kPlainText, "text"},
    {DocumentFormat::kMarkdown, "markdown"},
    {DocumentFormat::kHtml, "html"},
    {DocumentFormat::kPdf, "pdf"},
    {DocumentFormat::kEpub, "epub"},
};

const char* DocumentFormatName(DocumentFormat format) { return NameIn(kDocumentFormatNames, format, "unknown"); }

namespace {

std::string_view TrimView(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Text, not binary: no NUL bytes and few control characters in the first 8 KiB.
bool LooksLikeText(std::string_view bytes) {
  std::string_view head = bytes.substr(0, 8192);
  size_t control = 0;
  for (unsigned char c : head) {
    if (c == 0) return false;
    if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f') ++control;
  }
  return control * 100 <= head.size();
}

bool IsPdfBytes(std::string_view bytes) {
  size_t at = bytes.substr(0, 1024).find("%PDF-");
  return at != std::string_view::npos;
}

bool IsZipBytes(std::string_view bytes) { return bytes.substr(0, 4) == std::string_view("PK\x03\x04", 4); }

// The EPUB container's signature: its first entry is an uncompressed "mimetype" file holding
// "application/epub+zip" (after the local header's extra field, which some writers fill).
bool IsEpubBytes(std::string_view bytes) {
  if (!IsZipBytes(bytes) || bytes.size() < 30) return false;
  auto u16 = [&](size_t at) {
    return static_cast<size_t>(static_cast<unsigned char>(bytes[at])) |
           static_cast<size_t>(static_cast<unsigned char>(bytes[at + 1])) << 8;
  };
  size_t name_len = u16(26), extra_len = u16(28);
  if (bytes.substr(30, name_len) != "mimetype") return false;
  return bytes.substr(30 + name_len + extra_len, 20) == "application/epub+zip";
}

std::string_view TextHead(std::string_view bytes) {
  std::string_view head = bytes.substr(0, 4096);
  if (head.substr(0, 3) == "\xEF\xBB\xBF") head.remove_prefix(3);
  return TrimView(head);
}

bool IsHtmlText(std::string_view bytes) {
  if (!LooksLikeText(bytes)) return false;
  std::string_view head = TextHead(bytes);
  if (head.empty() || head[0] != '<') return false;
  std::string lower = AsciiLower(head.substr(0, 2048));
  for (const char* tag : {"<!doctype html", "<html", "<head", "<body", "<article", "<div", "<p>", "<p ", "<h1"}) {
    if (lower.find(tag) != std::string::npos) return true;
  }
  return false;
}

// The extension of a path or URL (query and fragment ignored), lower case, with the dot.
std::string ExtensionOf(std::string_view name) {
  size_t cut = name.find_first_of("?#");
  if (name.find("://") != std::string_view::npos && cut != std::string_view::npos) name = name.substr(0, cut);
  size_t slash = name.find_last_of('/');
  std::string_view base = slash == std::string_view::npos ? name : name.substr(slash + 1);
  size_t dot = base.rfind('.');
  return dot == std::string_view::npos ? "" : AsciiLower(base.substr(dot));
}

// A stated format, believed when the bytes do not contradict it.
DocumentFormat Confirm(DocumentFormat stated, std::string_view bytes) {
  switch (stated) {
    case DocumentFormat::kPdf: return IsPdfBytes(bytes) ? stated : DocumentFormat::kUnknown;
    case DocumentFormat::kEpub: return IsZipBytes(bytes) ? stated : DocumentFormat::kUnknown;
    case DocumentFormat::kHtml:
    case DocumentFormat::kMarkdown:
    case DocumentFormat::kPlainText:
      // A PDF's header and a zip's are text-like; they are not text documents.
      if (IsPdfBytes(bytes.substr(0, 16)) || IsZipBytes(bytes)) return DocumentFormat::kUnknown;
      return LooksLikeText(bytes) ? stated : DocumentFormat::kUnknown;
    case DocumentFormat::kUnknown: return stated;
  }
  return DocumentFormat::kUnknown;
}

}  // namespace

DocumentFormat DetectDocumentFormat(std::string_view name, std::string_view bytes, std::string_view content_type) {
  std::string type = AsciiLower(TrimView(content_type.substr(0, content_type.find(';'))));
  DocumentFormat by_type = DocumentFormat::kUnknown;
  if (type == "application/pdf" || type == "application/x-pdf") by_type = DocumentFormat::kPdf;
  if (type == "application/epub+zip") by_type = DocumentFormat::kEpub;
  if (type == "text/html" || type == "application/xhtml+xml") by_type = DocumentFormat::kHtml;
  if (by_type != DocumentFormat::kUnknown) {
    if (DocumentFormat f = Confirm(by_type, bytes); f != DocumentFormat::kUnknown) return f;
  }

  std::string ext = ExtensionOf(name);
  DocumentFormat by_ext = DocumentFormat::kUnknown;
  if (ext == ".pdf") by_ext = DocumentFormat::kPdf;
  if (ext == ".epub") by_ext = DocumentFormat::kEpub;
  if (ext == ".html" || ext == ".htm" || ext == ".xhtml") by_ext = DocumentFormat::kHtml;
  if (ext == ".md" || ext == ".markdown") by_ext = DocumentFormat::kMarkdown;
  if (ext == ".txt" || ext == ".text") by_ext = DocumentFormat::kPlainText;
  if (by_ext != DocumentFormat::kUnknown) {
    if (DocumentFormat f = Confirm(by_ext, bytes); f != DocumentFormat::kUnknown) return f;
  }

  // text/plain is what many servers say of any text (Markdown included): weaker than an extension.
  if (type == "text/markdown" || type == "text/x-markdown") {
    if (LooksLikeText(bytes)) return DocumentFormat::kMarkdown;
  }

  // Content.
  if (IsPdfBytes(bytes)) return DocumentFormat::kPdf;
  if (IsEpubBytes(bytes)) return DocumentFormat::kEpub;
  if (!LooksLikeText(bytes)) return DocumentFormat::kUnknown;
  if (IsHtmlText(bytes)) return DocumentFormat::kHtml;
  std::string_view head = TextHead(bytes);
  if (!head.empty() && head[0] == '<') return DocumentFormat::kUnknown;  // other markup (XML, SVG)
  if (type == "text/plain") return DocumentFormat::kPlainText;
  return head.substr(0, 2) == "# " ? DocumentFormat::kMarkdown : DocumentFormat::kPlainText;
}

// ---- ISBN -------------------------------------------------------------------------------------

std::optional<std::string> NormalizeIsbn(std::string_view text) {
  std::string lower = AsciiLower(TrimView(text));
  for (const char* prefix : {"urn:isbn:", "isbn-13:", "isbn-10:", "isbn:", "isbn"}) {
    if (lower.rfind(prefix, 0) == 0) {
      lower = std::string(TrimView(lower.substr(std::string_view(prefix).size())));
      break;
    }
  }
  std::string digits;
  for (char c : lower) {
    if (std::isdigit(static_cast<unsigned char>(c)) || (c == 'x' && digits.size() == 9)) {
      digits += c == 'x' ? 'X' : c;
    } else if (c != '-' && c != ' ') {
      return std::nullopt;
    }
  }
  if (digits.size() == 10) {
    int sum = 0;
    for (int i = 0; i < 10; ++i) sum += (10 - i) * (digits[i] == 'X' ? 10 : digits[i] - '0');
    if (sum % 11 != 0) return std::nullopt;
    digits = "978" + digits.substr(0, 9);
    int s13 = 0;
    for (int i = 0; i < 12; ++i) s13 += (i % 2 == 0 ? 1 : 3) * (digits[i] - '0');
    digits += static_cast<char>('0' + (10 - s13 % 10) % 10);
    return digits;
  }
  if (digits.size() != 13 || digits.find('X') != std::string::npos) return std::nullopt;
  if (digits.compare(0, 3, "978") != 0 && digits.compare(0, 3, "979") != 0) return std::nullopt;
  int sum = 0;
  for (int i = 0; i < 13; ++i) sum += (i % 2 == 0 ? 1 : 3) * (digits[i] - '0');
  if (sum % 10 != 0) return std::nullopt;
  return digits;
}

std::optional<std::string> FindIsbnInText(std::string_view text) {
  size_t pos = 0;
  while ((pos = text.find("ISBN", pos)) != std::string_view::npos) {
    size_t p = pos + 4;
    if (text.substr(p, 3) == "-13" || text.substr(p, 3) == "-10") p += 3;
    while (p < text.size() && (text[p] == ':' || text[p] == ' ')) ++p;
    size_t q = p;
    while (q < text.size() && q - p < 20 &&
           (std::isdigit(static_cast<unsigned char>(text[q])) || text[q] == '-' || text[q] == ' ' || text[q] == 'X' ||
            text[q] == 'x')) {
      ++q;
    }
    std::string_view candidate = TrimView(text.substr(p, q - p));
    while (!candidate.empty() && candidate.back() == '-') candidate.remove_suffix(1);
    if (auto isbn = NormalizeIsbn(candidate)) return isbn;
    pos += 4;
  }
  return std::nullopt;
}

// ---- files of their own → records (alcor/convert.hpp) -------------------------------------------

namespace {

// BOM removed, CRLF and CR to LF, invalid UTF-8 replaced (counted).
std::string TextFromBytes(std::string_view bytes, size_t* replaced) {
  std::string_view in = bytes;
  if (in.substr(0, 3) == "\xEF\xBB\xBF") in.remove_prefix(3);
  std::string text;
  text.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '\r') {
      text += '\n';
      if (i + 1 < in.size() && in[i + 1] == '\n') ++i;
    } else {
      text += in[i];
    }
  }
  *replaced = ReplaceInvalidUtf8(&text);
  return text;
}

std::string TitleOf(std::string_view text, BodyFormat format, const std::string& display_name) {
  size_t pos = 0;
  std::string_view first_line;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line = TrimView(text.substr(pos, nl == std::string_view::npos ? text.npos : nl - pos));
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    if (line.empty()) continue;
    if (format == BodyFormat::kMarkdown && line.substr(0, 2) == "# ") return std::string(TrimView(line.substr(2)));
    if (first_line.empty()) first_line = line;
    if (format != BodyFormat::kMarkdown) break;
  }
  if (!first_line.empty()) {
    std::string title = RedactedExcerpt(first_line, 200);
    while (!title.empty() && title.front() == '#') title.erase(0, 1);
    title = std::string(TrimView(title));
    if (!title.empty()) return title;
  }
  return display_name == "-" ? "stdin" : BaseName(display_name);
}

std::string NameForTitle(const std::string& display_name) {
  if (display_name == "-") return "stdin";
  std::string base = BaseName(display_name);
  size_t dot = base.rfind('.');
  if (dot != std::string::npos && dot > 0) base = base.substr(0, dot);
  return base.empty() ? display_name : base;
}

std::string BookId(std::string_view bytes, const std::string& isbn) {
  return isbn.empty() ? "book:" + Sha256Hex(bytes) : "book:isbn:" + isbn;
}

// Text and HTML fetched from a URL are named by it (its canonical form: http and https one
// item); local ones by their bytes.
std::string FileId(const RawDocument& doc) {
  return doc.record.url.empty() ? "file:" + Sha256Hex(doc.body) : "web:" + CanonicalizeUrl(doc.record.url);
}

// The document's own metadata fills what the source did not set.
template <typename T>
void FillIfEmpty(T* field, T value) {
  if (field->empty()) *field = std::move(value);
}
void FillIfEmpty(std::optional<std::string>* field, std::optional<std::string> value) {
  if (!*field) *field = std::move(value);
}

Status EpubFile(RawDocument& doc) {
  Result<EpubBook> book = ReadEpub(doc.body, doc.epub);
  if (!book.ok()) return book.status();
  Record& r = doc.record;
  r.id = BookId(doc.body, book->isbn);
  FillIfEmpty(&r.title, !book->title.empty() ? book->title : NameForTitle(doc.DisplayName()));
  FillIfEmpty(&r.authors, book->authors);
  FillIfEmpty(&r.date_published, book->date);
  FillIfEmpty(&r.date_modified, book->modified);
  r.text = CleanText(book->text);
  if (!book->description.empty()) r.summary = book->description;
  FillIfEmpty(&r.tags, book->subjects);
  nlohmann::json& m = r.metadata;
  m["format"] = "epub";
  m["epub_version"] = book->version;
  m["file_bytes"] = doc.body.size();
  m["file_sha256"] = Sha256Hex(doc.body);
  m["chapters"] = book->chapters;
  if (book->skipped_non_linear > 0) m["skipped_non_linear"] = book->skipped_non_linear;
  if (!book->language.empty()) m["language"] = book->language;
  if (!book->identifiers.empty()) m["identifiers"] = book->identifiers;
  if (!book->isbn.empty()) m["isbn"] = book->isbn;
  if (!book->uuid.empty()) m["uuid"] = book->uuid;
  if (!book->publisher.empty()) m["publisher"] = book->publisher;
  nlohmann::json creators = nlohmann::json::array();
  for (const EpubCreator& c : book->creators) {
    nlohmann::json j = {{"name", c.name}};
    if (!c.role.empty()) j["role"] = c.role;
    if (!c.file_as.empty()) j["file_as"] = c.file_as;
    creators.push_back(std::move(j));
  }
  if (!creators.empty()) m["creators"] = std::move(creators);
  return Status::OK();
}

Status PdfFile(RawDocument& doc) {
  Result<PdfText> pdf = ExtractPdfText(doc.body, doc.pdf);
  if (!pdf.ok()) return pdf.status();
  // A book states its ISBN on the copyright page, near the front.
  std::optional<std::string> isbn = FindIsbnInText(std::string_view(pdf->text).substr(0, 20000));
  Record& r = doc.record;
  r.id = BookId(doc.body, isbn.value_or(""));
  FillIfEmpty(&r.title, !pdf->title.empty() ? pdf->title : NameForTitle(doc.DisplayName()));
  FillIfEmpty(&r.authors, pdf->authors);
  FillIfEmpty(&r.date_published, pdf->date_created);
  FillIfEmpty(&r.date_modified, pdf->date_modified);
  r.text = std::move(pdf->text);
  r.metadata["format"] = "pdf";
  r.metadata["pages"] = pdf->pages;
  r.metadata["file_bytes"] = doc.body.size();
  r.metadata["file_sha256"] = Sha256Hex(doc.body);
  if (isbn) r.metadata["isbn"] = *isbn;
  return Status::OK();
}

Status TextFile(RawDocument& doc, BodyFormat format) {
  size_t replaced = 0;
  std::string text;
  if (!doc.charset.empty()) {
    DecodedText decoded = DecodeToUtf8(doc.body, doc.charset, /*sniff_html_meta=*/false);
    text = TextFromBytes(decoded.text, &replaced);
  } else {
    text = TextFromBytes(doc.body, &replaced);
  }
  Record& r = doc.record;
  GutenbergText gutenberg = ParseGutenbergText(text);
  if (gutenberg.found) {
    r.id = BookId(doc.body, "");
    r.text = CleanText(gutenberg.body);
    FillIfEmpty(&r.title, !gutenberg.title.empty() ? gutenberg.title
                                                   : TitleOf(r.text, BodyFormat::kPlainText, doc.DisplayName()));
    FillIfEmpty(&r.authors, gutenberg.authors);
    r.metadata["format"] = "gutenberg";
    if (!gutenberg.ebook_number.empty()) {
      r.metadata["gutenberg_id"] = gutenberg.ebook_number;
      r.metadata["gutenberg_url"] = "https://www.gutenberg.org/ebooks/" + gutenberg.ebook_number;
    }
    if (!gutenberg.language.empty()) r.metadata["language"] = gutenberg.language;
    if (!gutenberg.release_date.empty()) r.metadata["release_date"] = gutenberg.release_date;
    r.metadata["file_bytes"] = doc.body.size();
    r.metadata["file_sha256"] = Sha256Hex(doc.body);
  } else {
    // The form `alcor ingest` has always stored for notes and Markdown files.
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
    if (TrimView(text).empty()) return Status::InvalidArgument("document is empty");
    r.id = FileId(doc);
    FillIfEmpty(&r.title, TitleOf(text, format, doc.DisplayName()));
    r.text = std::move(text);
    r.metadata["format"] = format == BodyFormat::kMarkdown ? "markdown" : "text";
    r.metadata["file_bytes"] = doc.body.size();
  }
  if (replaced > 0) r.metadata["invalid_utf8_replaced"] = replaced;
  return Status::OK();
}

Status HtmlFile(RawDocument& doc, BodyFormat format) {
  Record& r = doc.record;
  NormalizeOptions normalize;
  normalize.base_url = doc.base_url.empty() ? r.url : doc.base_url;
  // A page fetched from the web is a whole page with navigation around its article.
  normalize.main_content = format == BodyFormat::kHtmlPage || !r.url.empty();
  Result<NormalizeResult> page = NormalizeHtml(doc.body, normalize, doc.charset);
  if (!page.ok()) return page.status();
  r.id = FileId(doc);
  r.text = std::move(page->text);
  FillIfEmpty(&r.title, !page->title.empty() ? page->title : TitleOf(r.text, BodyFormat::kMarkdown, doc.DisplayName()));
  FillIfEmpty(&r.authors, page->authors);
  FillIfEmpty(&r.date_published, page->date_published);
  FillIfEmpty(&r.date_modified, page->date_modified);
  if (!page->description.empty()) r.summary = page->description;
  r.metadata["format"] = "html";
  r.metadata["file_bytes"] = doc.body.size();
  if (!page->language.empty()) r.metadata["language"] = page->language;
  AdoptCanonicalLink(page->canonical_url, &r);
  if (!page->site_name.empty()) r.metadata["site_name"] = page->site_name;
  if (page->invalid_utf8_replaced > 0) r.metadata["invalid_utf8_replaced"] = page->invalid_utf8_replaced;
  return Status::OK();
}

}  // namespace

Status ConvertFile(RawDocument& doc, BodyFormat format) {
  if (!doc.record.metadata.is_object()) doc.record.metadata = nlohmann::json::object();
  switch (format) {
    case BodyFormat::kEpub: return EpubFile(doc);
    case BodyFormat::kPdf: return PdfFile(doc);
    case BodyFormat::kPlainText:
    case BodyFormat::kMarkdown: return TextFile(doc, format);
    case BodyFormat::kHtml:
    case BodyFormat::kHtmlPage: return HtmlFile(doc, format);
    case BodyFormat::kFinalText:
    case BodyFormat::kDetect: break;
  }
  return Status::InvalidArgument(std::string("a file of its own cannot be read as ") + BodyFormatName(format));
}

}  // namespace alcor
