// RawDocument → Record (alcor/convert.hpp): the normalizer workers' one entry.
#include "alcor/enum_names.hpp"
#include "alcor/convert.hpp"

#include "alcor/normalize.hpp"
#include "alcor/secrets.hpp"
#include "alcor/url.hpp"
#include "formats/file_record.hpp"

namespace alcor {

constexpr EnumName<BodyFormat> kBodyFormatNames[] = {
    {BodyFormat::kFinalText, "text"},
    {BodyFormat::kPlainText, "plain"},
    {BodyFormat::kMarkdown, "markdown"},
    {BodyFormat::kHtml, "html"},
    {BodyFormat::kHtmlPage, "html-page"},
    {BodyFormat::kPdf, "pdf"},
    {BodyFormat::kEpub, "epub"},
    {BodyFormat::kDetect, "detect"},
};

const char* BodyFormatName(BodyFormat format) { return NameIn(kBodyFormatNames, format, "unknown"); }

BodyFormat BodyFormatFor(DocumentFormat format, bool page) {
  switch (format) {
    case DocumentFormat::kPlainText: return BodyFormat::kPlainText;
    case DocumentFormat::kMarkdown: return BodyFormat::kMarkdown;
    case DocumentFormat::kHtml: return page ? BodyFormat::kHtmlPage : BodyFormat::kHtml;
    case DocumentFormat::kPdf: return BodyFormat::kPdf;
    case DocumentFormat::kEpub: return BodyFormat::kEpub;
    case DocumentFormat::kUnknown: break;
  }
  return BodyFormat::kDetect;
}

const std::string& RawDocument::DisplayName() const {
  if (!origin.empty()) return origin;
  return record.url.empty() ? record.id : record.url;
}

void AdoptCanonicalLink(const std::string& canonical_url, Record* r) {
  if (canonical_url.empty()) return;
  r->metadata["canonical_url"] = canonical_url;
  if (IsHttpUrl(canonical_url) && !r->url.empty() && CanonicalizeUrl(canonical_url) == CanonicalizeUrl(r->url)) {
    r->url = PublishedUrl(canonical_url);
  }
}

namespace {

// Page metadata fills what the source did not know; the source's own values win.
void FillFromPage(const NormalizeResult& page, Record* r) {
  if (r->title.empty()) r->title = page.title;
  if (r->authors.empty()) r->authors = page.authors;
  if (!r->date_published) r->date_published = page.date_published;
  if (!r->date_modified) r->date_modified = page.date_modified;
  if (!page.language.empty() && !r->metadata.contains("language")) r->metadata["language"] = page.language;
  if (!r->metadata.contains("canonical_url")) AdoptCanonicalLink(page.canonical_url, r);
}

// An item of a service: the body becomes the text; the source's fields stay.
Status ConvertItem(RawDocument& doc, BodyFormat format, Record* r) {
  switch (format) {
    case BodyFormat::kFinalText:
      r->text = CleanText(r->text);
      return Status::OK();
    case BodyFormat::kPlainText:
    case BodyFormat::kMarkdown: {
      DecodedText decoded = DecodeToUtf8(doc.body, doc.charset, /*sniff_html_meta=*/false);
      r->text = CleanText(decoded.text);
      return Status::OK();
    }
    case BodyFormat::kHtml:
    case BodyFormat::kHtmlPage: {
      NormalizeOptions options;
      options.base_url = doc.base_url.empty() ? r->url : doc.base_url;
      options.main_content = format == BodyFormat::kHtmlPage;
      Result<NormalizeResult> page = NormalizeHtml(doc.body, options, doc.charset);
      if (!page.ok()) return page.status();
      r->text = std::move(page->text);
      if (format == BodyFormat::kHtmlPage) FillFromPage(*page, r);
      if (page->invalid_utf8_replaced > 0) r->metadata["invalid_utf8_replaced"] = page->invalid_utf8_replaced;
      return Status::OK();
    }
    case BodyFormat::kPdf: {
      Result<PdfText> pdf = ExtractPdfText(doc.body, doc.pdf);
      if (!pdf.ok()) return pdf.status();
      r->text = std::move(pdf->text);
      if (r->title.empty()) r->title = pdf->title;
      if (r->authors.empty()) r->authors = pdf->authors;
      if (!r->date_published) r->date_published = pdf->date_created;
      if (!r->date_modified) r->date_modified = pdf->date_modified;
      if (!r->metadata.contains("pages")) r->metadata["pages"] = pdf->pages;
      return Status::OK();
    }
    case BodyFormat::kEpub: {
      Result<EpubBook> book = ReadEpub(doc.body, doc.epub);
      if (!book.ok()) return book.status();
      r->text = CleanText(book->text);
      if (r->title.empty()) r->title = book->title;
      if (r->authors.empty()) r->authors = book->authors;
      if (!r->date_published) r->date_published = book->date;
      if (!r->date_modified) r->date_modified = book->modified;
      if (!book->language.empty() && !r->metadata.contains("language")) r->metadata["language"] = book->language;
      return Status::OK();
    }
    case BodyFormat::kDetect: break;
  }
  return Status::InvalidArgument("unknown body format");
}

// kDetect → the format the bytes are in, or kDetect when none is supported.
BodyFormat DetectFormat(const RawDocument& doc) {
  const Record& r = doc.record;
  std::string name = r.url;
  if (name.empty() && r.metadata.is_object() && r.metadata.contains("path") && r.metadata["path"].is_string()) {
    name = r.metadata["path"].get<std::string>();
  }
  if (name.empty()) name = doc.origin;
  return BodyFormatFor(DetectDocumentFormat(name, doc.body, doc.content_type), !r.url.empty() || doc.main_content);
}

// Secrets never reach records (docs/configuration.md, "Secrets"): a configured secret in any
// field (a feed URL with a key, a server echoing a header into a page) is stored as the ${NAME}
// it was configured as.
void ConcealSecrets(Record* r) {
  const SecretRegistry& secrets = *SecretRegistry::Global();
  if (secrets.size() == 0) return;
  for (std::string* field : {&r->id, &r->source, &r->url, &r->title, &r->text}) *field = secrets.Conceal(*field);
  for (std::vector<std::string>* list : {&r->authors, &r->tags}) {
    for (std::string& e : *list) e = secrets.Conceal(e);
  }
  if (r->summary) *r->summary = secrets.Conceal(*r->summary);
  for (AlsoAt& a : r->also_at) a.url = secrets.Conceal(a.url);
  secrets.ConcealJson(&r->metadata);
}

}  // namespace

Status Convert(RawDocument doc, Record* out) {
  Record& r = doc.record;
  if (!r.metadata.is_object()) r.metadata = nlohmann::json::object();
  // Errors name the item; a file of its own has no id yet (the caller names it by DisplayName).
  auto fail = [&](const Status& s) { return r.id.empty() ? s : s.WithContext(r.id); };
  BodyFormat format = doc.format == BodyFormat::kDetect ? DetectFormat(doc) : doc.format;
  if (format == BodyFormat::kDetect) {
    return fail(Status::InvalidArgument("unsupported document type (not EPUB, PDF, HTML, text or Markdown)"));
  }
  bool file_of_its_own = r.id.empty() && format != BodyFormat::kFinalText;
  Status s = file_of_its_own ? ConvertFile(doc, format) : ConvertItem(doc, format, &r);
  if (!s.ok()) return fail(s);
  if (!r.metadata.contains("text_format")) r.metadata["text_format"] = BodyFormatName(format);
  doc.body.clear();
  doc.body.shrink_to_fit();
  if (doc.finish) {
    s = doc.finish(&r);
    if (!s.ok()) return fail(s);
  }
  if (r.text.find_first_not_of(" \t\n") == std::string::npos) {
    return fail(Status::InvalidArgument("the document has no text"));
  }
  ConcealSecrets(&r);
  r.Seal();
  *out = std::move(r);
  return Status::OK();
}

}  // namespace alcor
