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
#include "sources/own_documents.hpp"

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
    ctx.SetPhase(SourcePhase::kFetchingPages);  // the documents themselves: there is no list to read
    sources::OwnDocumentOptions options;
    options.max_file_bytes = settings_.max_document_bytes;
    options.max_folder_depth = settings_.max_folder_depth;
    options.main_content = settings_.main_content;
    auto emit = [&ctx](const std::string& /*key*/, RawDocument doc) {
      doc.record.source = ctx.source_name();
      doc.record.source_kind = "file";
      return ctx.Emit(std::move(doc));
    };
    for (const std::string& input : settings_.inputs) {
      Status s = input == "-"          ? ReadStdin(ctx, emit)
                 : IsHttpUrl(input)    ? sources::FetchOwnDocument(ctx, HttpRequest::Get(input), emit)
                                       : sources::ReadOwnDocuments(ctx, input, options, emit);
      // The body cap of a URL is the client's max_response_bytes (the "http" settings).
      if (s.IsInterrupted() || ctx.stopping()) return Status::OK();
    }
    return Status::OK();
  }

 private:
  // One document on stdin, its type from the bytes.
  Status ReadStdin(SourceContext& ctx, const sources::OwnDocumentFn& emit) {
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
    RawDocument doc;
    doc.body = std::move(bytes);
    doc.format = BodyFormatFor(format, settings_.main_content);
    doc.record.metadata["path"] = "-";
    doc.origin = "-";
    return emit("-", std::move(doc));
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
