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
#include "alcor/json.hpp"
#include "alcor/source_config.hpp"
#include "alcor/url.hpp"
#include "sources/own_documents.hpp"

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
      Result<nlohmann::json> parsed = ParseJson(*saved, "state \"books\"");
      nlohmann::json j = parsed.ok() ? std::move(parsed).value() : nlohmann::json();
      if (j.is_object()) {
        for (const auto& [key, value] : j.items())
          if (value.is_string()) seen_[key] = value.get<std::string>();
      } else {
        ctx.Log("state \"books\" is unreadable; every book is read again");
      }
    }
    sources::OwnDocumentOptions options;
    options.max_file_bytes = settings_.max_book_bytes;
    options.max_folder_depth = kMaxFolderDepth;
    options.main_content = settings_.main_content;
    // A book as it comes: its bytes, converted on a normalizer worker (alcor/convert.hpp derives
    // its id and record, a file of its own).
    auto emit = [&](const std::string& key, RawDocument doc) {
      doc.record.source_kind = "book";
      doc.epub.include_non_linear = settings_.include_non_linear;
      doc.pdf.max_input_bytes = settings_.max_book_bytes;
      return EmitBook(ctx, key, std::move(doc));
    };
    for (const std::string& path : settings_.paths) {
      if (sources::ReadOwnDocuments(ctx, path, options, emit).IsInterrupted()) return Status::OK();
    }
    for (const std::string& url : settings_.urls) {
      HttpRequest request = HttpRequest::Get(url);
      request.conditional = true;
      request.max_bytes = settings_.max_book_bytes;
      if (sources::FetchOwnDocument(ctx, std::move(request), emit).IsInterrupted()) return Status::OK();
    }
    return Status::OK();
  }

 private:
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
