// What the pipeline archives for a document (raw_capture.hpp).
#include "pipeline/raw_capture.hpp"

#include <filesystem>

#include "alcor/dates.hpp"
#include "alcor/url.hpp"

namespace alcor {

namespace {

const char* MediaTypeOf(BodyFormat format) {
  switch (format) {
    case BodyFormat::kPlainText: return "text/plain";
    case BodyFormat::kMarkdown: return "text/markdown";
    case BodyFormat::kHtml:
    case BodyFormat::kHtmlPage: return "text/html";
    case BodyFormat::kPdf: return "application/pdf";
    case BodyFormat::kEpub: return "application/epub+zip";
    case BodyFormat::kFinalText: return "text/plain";
    case BodyFormat::kDetect: break;
  }
  return "application/octet-stream";
}

}  // namespace

RawCapture BodyCaptureOf(const RawDocument& doc) {
  RawCapture c;
  const Record& r = doc.record;
  if (!doc.base_url.empty()) {
    c.uri = doc.base_url;
  } else if (!r.url.empty()) {
    c.uri = r.url;
  } else if (r.metadata.is_object() && r.metadata.contains("path") && r.metadata["path"].is_string() &&
             r.metadata["path"].get<std::string>() != "-") {
    // file:// and the path's segments percent-encoded, its slashes kept.
    std::error_code ec;
    std::filesystem::path given(r.metadata["path"].get<std::string>());
    std::filesystem::path absolute = std::filesystem::absolute(given, ec);
    const std::string path = (ec ? given : absolute).lexically_normal().string();
    c.uri = "file://";
    size_t start = 0;
    while (true) {
      size_t slash = path.find('/', start);
      c.uri += PercentEncode(std::string_view(path).substr(start, slash == std::string::npos ? std::string::npos : slash - start));
      if (slash == std::string::npos) break;
      c.uri += '/';
      start = slash + 1;
    }
  } else {
    c.uri = "urn:alcor:" + (doc.origin.empty() ? r.id : doc.origin);
  }
  c.content_type = !doc.content_type.empty() ? doc.content_type : MediaTypeOf(doc.format);
  if (!doc.charset.empty() && c.content_type.find("charset=") == std::string::npos)
    c.content_type += "; charset=" + doc.charset;
  c.payload = doc.body;
  return c;
}

WarcRecord WarcRecordOfCapture(const RawCapture& capture, int64_t now_micros) {
  std::string date = FormatRfc3339UtcMicros(capture.fetched_micros > 0 ? capture.fetched_micros : now_micros);
  if (capture.http_status > 0)
    return MakeWarcResponse(capture.uri, date, capture.http_status, capture.headers, capture.payload);
  return MakeWarcResource(capture.uri, date, capture.content_type, capture.payload);
}

BodyFormat BodyFormatNamed(std::string_view name) {
  for (BodyFormat f : {BodyFormat::kFinalText, BodyFormat::kPlainText, BodyFormat::kMarkdown, BodyFormat::kHtml,
                       BodyFormat::kHtmlPage, BodyFormat::kPdf, BodyFormat::kEpub}) {
    if (name == BodyFormatName(f)) return f;
  }
  return BodyFormat::kDetect;
}

}  // namespace alcor
