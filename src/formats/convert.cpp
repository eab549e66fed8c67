// RawDocument → Record (alcor/source.hpp): the normalizer workers' job.
#include "alcor/normalize.hpp"
#include "alcor/pdf.hpp"
#include "alcor/source.hpp"

namespace alcor {

const char* BodyFormatName(BodyFormat format) {
  switch (format) {
    case BodyFormat::kFinalText: return "text";
    case BodyFormat::kPlainText: return "plain";
    case BodyFormat::kMarkdown: return "markdown";
    case BodyFormat::kHtml: return "html";
    case BodyFormat::kHtmlPage: return "html-page";
    case BodyFormat::kPdf: return "pdf";
  }
  return "unknown";
}

namespace {

// Page metadata fills what the source did not know; the source's own values win.
void FillFromPage(const NormalizeResult& page, Record* r) {
  if (r->title.empty()) r->title = page.title;
  if (r->authors.empty()) r->authors = page.authors;
  if (!r->date_published) r->date_published = page.date_published;
  if (!r->date_modified) r->date_modified = page.date_modified;
  if (!page.language.empty() && !r->metadata.contains("language")) r->metadata["language"] = page.language;
  if (!page.canonical_url.empty() && !r->metadata.contains("canonical_url")) {
    r->metadata["canonical_url"] = page.canonical_url;
  }
}

Status ConvertBody(RawDocument& doc, Record* r) {
  switch (doc.format) {
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
      options.main_content = doc.format == BodyFormat::kHtmlPage;
      Result<NormalizeResult> page = NormalizeHtml(doc.body, options, doc.charset);
      if (!page.ok()) return page.status();
      r->text = std::move(page->text);
      if (doc.format == BodyFormat::kHtmlPage) FillFromPage(*page, r);
      if (page->invalid_utf8_replaced > 0) r->metadata["invalid_utf8_replaced"] = page->invalid_utf8_replaced;
      return Status::OK();
    }
    case BodyFormat::kPdf: {
      Result<PdfText> pdf = ExtractPdfText(doc.body);
      if (!pdf.ok()) return pdf.status();
      r->text = std::move(pdf->text);
      if (r->title.empty()) r->title = pdf->title;
      if (r->authors.empty()) r->authors = pdf->authors;
      if (!r->date_published) r->date_published = pdf->date_created;
      if (!r->date_modified) r->date_modified = pdf->date_modified;
      if (!r->metadata.contains("pages")) r->metadata["pages"] = pdf->pages;
      return Status::OK();
    }
  }
  return Status::InvalidArgument("unknown body format");
}

}  // namespace

Status ConvertRawDocument(RawDocument doc, Record* out) {
  Record& r = doc.record;
  Status s = ConvertBody(doc, &r);
  if (!s.ok()) return s.WithContext(r.id);
  if (!r.metadata.is_object()) r.metadata = nlohmann::json::object();
  if (!r.metadata.contains("text_format")) r.metadata["text_format"] = BodyFormatName(doc.format);
  doc.body.clear();
  doc.body.shrink_to_fit();
  if (doc.finish) {
    s = doc.finish(&r);
    if (!s.ok()) return s.WithContext(r.id);
  }
  if (r.text.find_first_not_of(" \t\n") == std::string::npos) {
    return Status::InvalidArgument(r.id + ": the document has no text");
  }
  r.Seal();
  *out = std::move(r);
  return Status::OK();
}

}  // namespace alcor
