// The `book` source kind: a configured list of book files and URLs (EPUB, PDF, Project Gutenberg
// text, HTML, text, Markdown), one record per book (alcor/book.hpp).
//
// State "books" maps each file ("path:<resolved path>") or URL ("url:<url>") to the SHA-256 of
// the bytes last emitted, so an unchanged book is counted unchanged and not emitted again; URLs
// are fetched with conditional GET, so an unchanged one usually costs a 304.
#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "alcor/book.hpp"
#include "alcor/convert.hpp"
#include "alcor/env.hpp"
#include "alcor/hash.hpp"
#include "alcor/http.hpp"
#include "alcor/source_config.hpp"
#include "alcor/url.hpp"

namespace alcor {
namespace book {
namespace {

constexpr const char* kStateName = "books";
constexpr int kMaxFolderDepth = 32;

struct Settings {
  std::vector<std::string> paths;  // resolved against the config's folder
  std::vector<std::string> urls;
  bool main_content = false;
  bool include_non_linear = false;
  uint64_t max_book_bytes = 0;
};

class BookSource : public Source {
 public:
  explicit BookSource(Settings settings) : settings_(std::move(settings)) {}

  Status Run(SourceContext& ctx) override {
    ctx.SetPhase(SourcePhase::kFetchingPages);  // the books themselves: there is no list to read
    Result<std::string> saved = ctx.ReadState(kStateName);
    if (saved.ok()) {
      nlohmann::json j = nlohmann::json::parse(*saved, nullptr, /*allow_exceptions=*/false);
      if (j.is_object()) {
        for (const auto& [key, value] : j.items())
          if (value.is_string()) seen_[key] = value.get<std::string>();
      } else {
        ctx.Log("state \"books\" is unreadable; every book is read again");
      }
    }
    for (const std::string& path : settings_.paths) {
      if (ctx.stopping()) return Status::OK();
      Env* env = ctx.env();
      if (!env->FileExists(path)) {
        ctx.ReportFailure(path, Status::NotFound("no such file or folder"));
        continue;
      }
      Status s = env->IsDirectory(path) ? DoFolder(ctx, path, 0) : DoFile(ctx, path, true);
      if (s.IsInterrupted()) return Status::OK();
    }
    for (const std::string& url : settings_.urls) {
      if (ctx.stopping()) return Status::OK();
      if (DoUrl(ctx, url).IsInterrupted()) return Status::OK();
    }
    return Status::OK();
  }

 private:
  // A book as it comes: its bytes, converted on a normalizer worker (alcor/convert.hpp derives
  // its id and record, a file of its own).
  RawDocument BookDocument(std::string bytes, DocumentFormat format, bool page) const {
    RawDocument doc;
    doc.record.source_kind = "book";
    doc.body = std::move(bytes);
    doc.format = BodyFormatFor(format, page || settings_.main_content);
    doc.epub.include_non_linear = settings_.include_non_linear;
    doc.pdf.max_input_bytes = settings_.max_book_bytes;
    return doc;
  }

  Status DoFolder(SourceContext& ctx, const std::string& dir, int depth) {
    if (depth > kMaxFolderDepth) {
      ctx.ReportFailure(dir, Status::LimitExceeded("folders nested too deep (a symlink loop?)"));
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
      if (name.empty() || name[0] == '.') continue;
      if (ctx.stopping()) return Status::Interrupted("stopping");
      std::string child = JoinPath(dir, name);
      Status r = ctx.env()->IsDirectory(child) ? DoFolder(ctx, child, depth + 1) : DoFile(ctx, child, false);
      if (r.IsInterrupted()) return r;
    }
    return Status::OK();
  }

  Status DoFile(SourceContext& ctx, const std::string& path, bool configured) {
    std::string bytes;
    Status s = ReadFileToString(ctx.env(), path, &bytes, settings_.max_book_bytes);
    if (!s.ok()) {
      ctx.ReportFailure(path, s);
      return Status::OK();
    }
    DocumentFormat format = DetectDocumentFormat(path, bytes);
    if (format == DocumentFormat::kUnknown) {
      // A file named in the config must be a book; a stray file in a folder of books is not one.
      if (configured) ctx.ReportFailure(path, Status::InvalidArgument("unsupported document type"));
      else ctx.ReportSkipped(path, "unsupported document type");
      return Status::OK();
    }
    RawDocument doc = BookDocument(std::move(bytes), format, /*page=*/false);
    doc.record.metadata["path"] = path;
    doc.origin = path;
    return EmitBook(ctx, "path:" + path, std::move(doc));
  }

  Status DoUrl(SourceContext& ctx, const std::string& url) {
    HttpRequest request = HttpRequest::Get(url);
    request.conditional = true;
    request.max_bytes = settings_.max_book_bytes;
    Result<HttpResponse> response = ctx.http().Fetch(request);
    if (!response.ok()) {
      if (response.status().IsInterrupted()) return response.status();
      ctx.ReportFailure(url, response.status());
      return Status::OK();
    }
    if (response->robots_disallowed()) {
      ctx.ReportFailure(url, Status::RobotsDenied("robots.txt disallows " + url));
      return Status::OK();
    }
    if (response->not_modified()) {
      ctx.CountUnchanged();
      return Status::OK();
    }
    const std::string* type = response->Header("content-type");
    std::string final_url = response->final_url.empty() ? url : response->final_url;
    DocumentFormat format = DetectDocumentFormat(final_url, response->body, type != nullptr ? *type : "");
    if (format == DocumentFormat::kUnknown) {
      ctx.http().ForgetValidators(url);
      ctx.ReportFailure(url, Status::InvalidArgument("unsupported document type (Content-Type: " +
                                                     (type != nullptr ? *type : std::string("none")) + ")"));
      return Status::OK();
    }
    RawDocument doc = BookDocument(std::move(response->body), format, /*page=*/true);
    doc.record.url = CanonicalizeUrl(final_url);
    doc.charset = response->charset();
    doc.origin = url;
    return EmitBook(ctx, "url:" + url, std::move(doc));
  }

  // Emits one book unless its bytes are those emitted last time. A book that then fails
  // conversion is not read again until its bytes change (its failure is in the run report).
  Status EmitBook(SourceContext& ctx, const std::string& key, RawDocument doc) {
    std::string digest = Sha256Hex(doc.body);
    auto it = seen_.find(key);
    if (it != seen_.end() && it->second == digest) {
      ctx.CountUnchanged();
      return Status::OK();
    }
    doc.record.source = ctx.source_name();
    Status s = ctx.Emit(std::move(doc));
    if (!s.ok()) return s;
    seen_[key] = digest;
    nlohmann::json state = nlohmann::json::object();
    for (const auto& [k, v] : seen_) state[k] = v;
    ctx.Checkpoint(kStateName, state.dump());
    return Status::OK();
  }

  Settings settings_;
  std::map<std::string, std::string> seen_;  // state key → sha256 of the bytes emitted
};

// The settings of kind book, each declared once with its default and its doc
// (docs/sources.md "## book" is generated from this table).
struct BookKeys : KeyTable {
  Key<std::vector<std::string>> paths{this, "paths", {},
                                      "book files, or folders of them (read recursively, sorted, hidden entries left "
                                      "out); a relative path is relative to the config file's folder"};
  Key<std::vector<std::string>> urls{this, "urls", {},
                                     "http(s) URLs of books, fetched with conditional GET"};
  Key<bool> include_non_linear{this, "include_non_linear", false,
                               "EPUB: also read spine items marked `linear=\"no\"` (notes, answer keys, pop-ups), in "
                               "spine order"};
  Key<bool> main_content{this, "main_content", false,
                         "local HTML books: keep only the article body. Pages from URLs always get main-content "
                         "extraction"};
  Key<int64_t> max_book_bytes{this, "max_book_bytes", int64_t{256} << 20,
                              "larger files and downloads fail instead of being read"};
};

Result<std::unique_ptr<Source>> CreateBookSource(const SourceConfig& config) {
  const BookKeys& keys = KeysOf<BookKeys>();
  Settings s;
  for (const std::string& p : keys.paths.Get(config)) {
    if (p.empty()) return Status::InvalidArgument(config.Describe() + "paths: an empty path");
    s.paths.push_back(p[0] == '/' ? p : JoinPath(config.config_dir.empty() ? "." : config.config_dir, p));
  }
  for (const std::string& u : keys.urls.Get(config)) {
    if (!IsHttpUrl(u)) return Status::InvalidArgument(config.Describe() + "urls: '" + u + "' is not an http(s) URL");
    s.urls.push_back(u);
  }
  if (s.paths.empty() && s.urls.empty()) {
    return Status::InvalidArgument(config.Describe() + "a book source needs \"paths\" or \"urls\"");
  }
  s.main_content = keys.main_content.Get(config);
  s.include_non_linear = keys.include_non_linear.Get(config);
  int64_t max_bytes = keys.max_book_bytes.Get(config);
  if (max_bytes <= 0) return Status::InvalidArgument(config.Describe() + "max_book_bytes must be positive");
  s.max_book_bytes = static_cast<uint64_t>(max_bytes);
  return std::unique_ptr<Source>(new BookSource(std::move(s)));
}

}  // namespace
}  // namespace book

const SourceKind& BookSourceKind() {
  static const SourceKind kind = {
      "book",
      "books from files and URLs: EPUB, PDF, Project Gutenberg text, HTML, text, Markdown",
      &KeysOf<book::BookKeys>(),
      book::CreateBookSource,
  };
  return kind;
}

}  // namespace alcor
