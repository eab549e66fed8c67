// The `file` source kind: documents given by hand (docs/sources.md "file"), the source `alcor
// ingest` runs, also usable from a scrape configuration. An input is
//   a file          EPUB, PDF, HTML, plain text or Markdown (Project Gutenberg text included);
//                   the type from the extension, then the content (alcor/book.hpp);
//   a folder        every file in it, recursively, sorted by path; hidden files and folders are
//                   left out, files of no supported type and files that are not regular (a FIFO,
//                   socket or device: reading one could block forever) are reported as skipped;
//   "-"             one document on stdin, its type from the content;
//   an http(s) URL  fetched with the run's HttpClient; the type from Content-Type, then the URL's
//                   extension, then the content; an HTML page gets main-content extraction and
//                   id "web:<canonical URL>".
// Every document is emitted as its bytes (converted on the pipeline's workers, alcor/convert.hpp)
// with source_kind "file"; one failure never stops the rest. The kind keeps no cursor: a file
// read again is recognised by the deduplicator (unchanged or merged), never stored twice.
#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "alcor/book.hpp"
#include "alcor/convert.hpp"
#include "alcor/env.hpp"
#include "alcor/http.hpp"
#include "alcor/source_config.hpp"
#include "alcor/url.hpp"

namespace alcor {
namespace file {
namespace {

struct Settings {
  std::vector<std::string> inputs;  // paths resolved against the config's folder
  bool main_content = false;
  uint64_t max_document_bytes = 0;
  int max_folder_depth = 0;
};

class FileSource : public Source {
 public:
  explicit FileSource(Settings settings) : settings_(std::move(settings)) {}

  Status Run(SourceContext& ctx) override {
    for (const std::string& input : settings_.inputs) {
      if (ctx.stopping()) return Status::OK();
      if (DoInput(ctx, input).IsInterrupted()) return Status::OK();
    }
    return Status::OK();
  }

 private:
  // An Interrupted status means the run is stopping; every other problem is reported and the
  // source goes on.
  Status DoInput(SourceContext& ctx, const std::string& input) {
    if (input == "-") return DoStdin(ctx);
    if (IsHttpUrl(input)) return DoUrl(ctx, input);
    Env* env = ctx.env();
    if (!env->FileExists(input)) {
      ctx.ReportFailure(input, Status::NotFound("no such file or folder"));
      return Status::OK();
    }
    return env->IsDirectory(input) ? DoFolder(ctx, input, 0) : DoFile(ctx, input, /*named=*/true);
  }

  // A file of its own with this source's name, options and bytes; page: HTML from a URL.
  RawDocument FileDocument(SourceContext& ctx, std::string bytes, DocumentFormat format, bool page) const {
    RawDocument doc;
    doc.record.source = ctx.source_name();
    doc.record.source_kind = "file";
    doc.body = std::move(bytes);
    doc.format = BodyFormatFor(format, page || settings_.main_content);
    return doc;
  }

  Status DoStdin(SourceContext& ctx) {
    std::string bytes;
    char buf[1 << 16];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof(buf), stdin)) > 0) {
      if (bytes.size() + n > settings_.max_document_bytes) {
        ctx.ReportFailure("-", Status::LimitExceeded("stdin is larger than " +
                                                     std::to_string(settings_.max_document_bytes) + " bytes"));
        return Status::OK();
      }
      bytes.append(buf, n);
    }
    DocumentFormat format = DetectDocumentFormat("-", bytes);
    if (format == DocumentFormat::kUnknown) {
      ctx.ReportFailure("-", Status::InvalidArgument("stdin is not a supported document (EPUB, PDF, HTML, text or "
                                                     "Markdown)"));
      return Status::OK();
    }
    RawDocument doc = FileDocument(ctx, std::move(bytes), format, /*page=*/false);
    doc.record.metadata["path"] = "-";
    doc.origin = "-";
    return ctx.Emit(std::move(doc));
  }

  Status DoFolder(SourceContext& ctx, const std::string& dir, int depth) {
    if (depth > settings_.max_folder_depth) {
      ctx.ReportFailure(dir, Status::LimitExceeded("folders nested deeper than " +
                                                   std::to_string(settings_.max_folder_depth) + " (a symlink loop?)"));
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
      Status r = ctx.env()->IsDirectory(child) ? DoFolder(ctx, child, depth + 1) : DoFile(ctx, child, false);
      if (r.IsInterrupted()) return r;
    }
    return Status::OK();
  }

  // named: given as an input itself, so it must be a document; a stray file in a folder is
  // skipped instead.
  Status DoFile(SourceContext& ctx, const std::string& path, bool named) {
    // Reading a FIFO would wait for a writer, and a device may never end: only regular files are
    // documents.
    Env* env = ctx.env();
    if (env->FileExists(path) && !env->IsDirectory(path) && !env->IsRegularFile(path)) {
      ctx.ReportSkipped(path, "not a regular file (a FIFO, socket or device)");
      return Status::OK();
    }
    std::string bytes;
    Status s = ReadFileToString(env, path, &bytes, settings_.max_document_bytes);
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
    RawDocument doc = FileDocument(ctx, std::move(bytes), format, /*page=*/false);
    doc.record.metadata["path"] = path;
    doc.origin = path;
    return ctx.Emit(std::move(doc));
  }

  Status DoUrl(SourceContext& ctx, const std::string& url) {
    // The body cap is the client's max_response_bytes (the "http" settings), as for every source.
    Result<HttpResponse> response = ctx.http().Fetch(HttpRequest::Get(url));
    if (!response.ok()) {
      if (response.status().IsInterrupted() && ctx.stopping()) return response.status();
      ctx.ReportFailure(url, response.status());
      return Status::OK();
    }
    if (response->robots_disallowed()) {
      ctx.ReportFailure(url, Status::RobotsDenied("robots.txt of the site disallows fetching it"));
      return Status::OK();
    }
    const std::string* content_type = response->Header("content-type");
    std::string type = content_type != nullptr ? *content_type : "";
    std::string final_url = response->final_url.empty() ? url : response->final_url;
    DocumentFormat format = DetectDocumentFormat(final_url, response->body, type);
    if (format == DocumentFormat::kUnknown) {
      ctx.ReportFailure(url, Status::InvalidArgument("unsupported document type (Content-Type: " +
                                                     (type.empty() ? std::string("none") : type) + ")"));
      return Status::OK();
    }
    RawDocument doc = FileDocument(ctx, std::move(response->body), format, /*page=*/true);
    doc.record.url = CanonicalizeUrl(final_url);
    doc.charset = response->charset();
    doc.origin = url;
    return ctx.Emit(std::move(doc));
  }

  Settings settings_;
};

// The settings of kind file, each declared once with its default and its doc
// (docs/sources.md "## file" is generated from this table).
struct FileKeys : KeyTable {
  Key<std::vector<std::string>> inputs{
      this, "inputs", {},
      "files, folders (read recursively, sorted, hidden entries left out), `-` for stdin, http(s) URLs; a relative "
      "path is relative to the config file's folder"};
  Key<bool> main_content{this, "main_content", false,
                         "local HTML files and stdin: keep only the article body. Pages from URLs always get "
                         "main-content extraction"};
  Key<int64_t> max_document_bytes{this, "max_document_bytes", int64_t{256} << 20,
                                  "larger files and stdin fail instead of being read (downloads are capped by "
                                  "`http.max_response_bytes`)"};
  Key<int64_t> max_folder_depth{this, "max_folder_depth", 64,
                                "folders nested deeper fail (a symbolic link loop)"};
};

Result<std::unique_ptr<Source>> CreateFileSource(const SourceConfig& config) {
  const FileKeys& keys = KeysOf<FileKeys>();
  Settings s;
  for (const std::string& in : keys.inputs.Get(config)) {
    if (in.empty()) return Status::InvalidArgument(config.Describe() + "inputs: an empty input");
    bool as_given = in == "-" || IsHttpUrl(in) || in[0] == '/' || config.config_dir.empty();
    s.inputs.push_back(as_given ? in : JoinPath(config.config_dir, in));
  }
  if (s.inputs.empty()) return Status::InvalidArgument(config.Describe() + "a file source needs \"inputs\"");
  if (std::count(s.inputs.begin(), s.inputs.end(), "-") > 1) {
    return Status::InvalidArgument(config.Describe() + "inputs: stdin (\"-\") can be read only once");
  }
  s.main_content = keys.main_content.Get(config);
  int64_t max_bytes = keys.max_document_bytes.Get(config);
  if (max_bytes <= 0) return Status::InvalidArgument(config.Describe() + "max_document_bytes must be positive");
  s.max_document_bytes = static_cast<uint64_t>(max_bytes);
  int64_t depth = keys.max_folder_depth.Get(config);
  if (depth < 0 || depth > 4096) {
    return Status::InvalidArgument(config.Describe() + "max_folder_depth must be between 0 and 4096");
  }
  s.max_folder_depth = static_cast<int>(depth);
  return std::unique_ptr<Source>(new FileSource(std::move(s)));
}

}  // namespace
}  // namespace file

const SourceKind& FileSourceKind() {
  static const SourceKind kind = {
      "file",
      "documents given by hand: files, folders, stdin and URLs (what `alcor ingest` runs)",
      &KeysOf<file::FileKeys>(),
      file::CreateFileSource,
  };
  return kind;
}

}  // namespace alcor
