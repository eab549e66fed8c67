#include "sources/own_documents.hpp"

#include <algorithm>
#include <vector>

#include "alcor/book.hpp"
#include "alcor/env.hpp"
#include "alcor/url.hpp"

namespace alcor::sources {

namespace {

// Reads one file; named: given itself, so it must be a document (a stray file in a folder is
// skipped instead).
Status ReadOwnFile(SourceContext& ctx, const std::string& path, bool named, const OwnDocumentOptions& options,
                   const OwnDocumentFn& on_document) {
  Env* env = ctx.env();
  if (env->FileExists(path) && !env->IsRegularFile(path)) {
    ctx.ReportSkipped(path, "not a regular file (a FIFO, socket or device)");
    return Status::OK();
  }
  std::string bytes;
  Status s = ReadFileToString(env, path, &bytes, options.max_file_bytes);
  if (!s.ok()) {
    ctx.ReportFailure(path, s);
    return Status::OK();
  }
  DocumentFormat format = DetectDocumentFormat(path, bytes);
  if (format == DocumentFormat::kUnknown) {
    if (named) {
      ctx.ReportFailure(path, Status::InvalidArgument("unsupported document type (not EPUB, PDF, HTML, text or "
                                                      "Markdown)"));
    } else {
      ctx.ReportSkipped(path, "unsupported document type");
    }
    return Status::OK();
  }
  RawDocument doc;
  doc.body = std::move(bytes);
  doc.format = BodyFormatFor(format, options.main_content);
  doc.record.metadata["path"] = path;
  doc.origin = path;
  return on_document("path:" + path, std::move(doc));
}

Status ReadOwnFolder(SourceContext& ctx, const std::string& dir, int depth, const OwnDocumentOptions& options,
                     const OwnDocumentFn& on_document) {
  if (depth > options.max_folder_depth) {
    ctx.ReportFailure(dir, Status::LimitExceeded("folders nested deeper than " +
                                                 std::to_string(options.max_folder_depth) + " (a symlink loop?)"));
    return Status::OK();
  }
  std::vector<std::string> names;
  Status s = ctx.env()->GetChildren(dir, &names);
  if (!s.ok()) {
    ctx.ReportFailure(dir, s);
    return Status::OK();
  }
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) {
    if (name.empty() || name[0] == '.') continue;  // hidden files and folders
    if (ctx.stopping()) return Status::Interrupted("stopping");
    std::string child = JoinPath(dir, name);
    Status r = ctx.env()->IsDirectory(child) ? ReadOwnFolder(ctx, child, depth + 1, options, on_document)
                                             : ReadOwnFile(ctx, child, /*named=*/false, options, on_document);
    if (r.IsInterrupted()) return r;
  }
  return Status::OK();
}

}  // namespace

Status ReadOwnDocuments(SourceContext& ctx, const std::string& path, const OwnDocumentOptions& options,
                        const OwnDocumentFn& on_document) {
  if (ctx.stopping()) return Status::Interrupted("stopping");
  if (!ctx.env()->FileExists(path)) {
    ctx.ReportFailure(path, Status::NotFound("no such file or folder"));
    return Status::OK();
  }
  Status s = ctx.env()->IsDirectory(path) ? ReadOwnFolder(ctx, path, 0, options, on_document)
                                          : ReadOwnFile(ctx, path, /*named=*/true, options, on_document);
  return s.IsInterrupted() ? s : Status::OK();
}

Status FetchOwnDocument(SourceContext& ctx, HttpRequest request, const OwnDocumentFn& on_document) {
  if (ctx.stopping()) return Status::Interrupted("stopping");
  std::string url = request.url;
  Result<HttpResponse> response = ctx.http().Fetch(request);
  if (!response.ok()) {
    if (response.status().IsInterrupted() && ctx.stopping()) return response.status();
    ctx.ReportFailure(url, response.status());
    return Status::OK();
  }
  if (response->robots_disallowed()) {
    ctx.ReportFailure(url, Status::RobotsDenied("robots.txt of the site disallows fetching it"));
    return Status::OK();
  }
  if (response->not_modified()) {
    ctx.CountUnchanged();
    return Status::OK();
  }
  const std::string* content_type = response->Header("content-type");
  std::string type = content_type != nullptr ? *content_type : "";
  std::string final_url = response->final_url.empty() ? url : response->final_url;
  DocumentFormat format = DetectDocumentFormat(final_url, response->body, type);
  if (format == DocumentFormat::kUnknown) {
    ctx.http().ForgetValidators(url);
    ctx.ReportFailure(url, Status::InvalidArgument("unsupported document type (Content-Type: " +
                                                   (type.empty() ? std::string("none") : type) + ")"));
    return Status::OK();
  }
  RawDocument doc;
  doc.capture = CaptureOf(*response);
  doc.body = std::move(response->body);
  doc.format = BodyFormatFor(format, /*page=*/true);
  doc.record.url = PublishedUrl(final_url);  // the id is made of its canonical form
  doc.charset = response->charset();
  doc.origin = url;
  Status s = on_document("url:" + url, std::move(doc));
  return s.IsInterrupted() ? s : Status::OK();
}

}  // namespace alcor::sources
