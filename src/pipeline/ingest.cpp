#include "alcor/ingest.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>

#include <spdlog/spdlog.h>

#include "alcor/config.hpp"
#include "alcor/env.hpp"
#include "alcor/hash.hpp"
#include "alcor/http.hpp"
#include "alcor/source.hpp"
#include "alcor/url.hpp"

namespace alcor {

std::string IngestOutcome::ToString() const {
  switch (kind) {
    case Kind::kStored: return "stored " + id + " (" + input + ")";
    case Kind::kDuplicate: return "duplicate " + input + ": " + detail;
    case Kind::kSkipped: return "skipped " + input + ": " + detail;
    case Kind::kFailed: return "failed " + input + ": " + detail;
  }
  return input;
}

namespace {

// Runs a source kind for `alcor ingest arxiv:ID`: every emitted document is converted and offered
// to the sink at once; there is no state (a one-off ingest starts fresh and keeps no cursor).
class IngestSourceContext : public SourceContext {
 public:
  using OutcomeFn = std::function<void(const IngestOutcome&)>;
  IngestSourceContext(std::string name, HttpClient* http, IngestSink* sink, std::string input,
                      const OutcomeFn* on_outcome, const std::atomic<bool>* stop)
      : name_(std::move(name)), http_(http), sink_(sink), input_(std::move(input)), on_outcome_(on_outcome),
        stop_(stop) {}

  const std::string& source_name() const override { return name_; }
  HttpClient& http() override { return *http_; }
  Env* env() override { return Env::Default(); }

  Status Emit(RawDocument doc) override {
    if (stop_->load()) return Status::Interrupted("ingest is stopping");
    ++emitted_;
    IngestOutcome outcome{input_, IngestOutcome::Kind::kFailed, doc.record.id, ""};
    Record record;
    Status s = Convert(std::move(doc), &record);
    if (s.ok()) s = sink_->Offer(std::move(record), &outcome);
    if (!s.ok()) {
      ++failed_;
      outcome.kind = IngestOutcome::Kind::kFailed;
      outcome.detail = s.ToString();
    }
    (*on_outcome_)(outcome);
    return Status::OK();
  }
  Result<std::string> ReadState(const std::string& name) override {
    return Status::NotFound("a one-off ingest keeps no state");
  }
  void Checkpoint(const std::string& name, std::string contents) override {}
  bool stopping() const override { return stop_->load(); }
  void CountUnchanged(uint64_t n) override {}
  void ReportFailure(const std::string& what, const Status& why) override {
    ++failed_;
    (*on_outcome_)({input_, IngestOutcome::Kind::kFailed, "", what + ": " + why.ToString()});
  }
  void Log(const std::string& message) override { spdlog::info("{}: {}", input_, message); }

  uint64_t emitted() const { return emitted_; }
  uint64_t failed() const { return failed_; }

 private:
  std::string name_;
  HttpClient* http_;
  IngestSink* sink_;
  std::string input_;
  const OutcomeFn* on_outcome_;
  const std::atomic<bool>* stop_;
  uint64_t emitted_ = 0;
  uint64_t failed_ = 0;
};

}  // namespace

Ingester::Ingester(IngestSink* sink, IngestOptions options) : sink_(sink), options_(std::move(options)) {}

RawDocument Ingester::FileDocument(std::string bytes, DocumentFormat format, bool page) const {
  RawDocument doc;
  doc.record.source = options_.source;
  doc.record.source_kind = "file";
  doc.body = std::move(bytes);
  doc.format = BodyFormatFor(format, page || options_.main_content);
  doc.epub = options_.epub;
  doc.pdf = options_.pdf;
  return doc;
}

void Ingester::Fail(const std::string& input, const std::string& why, const OutcomeFn& on_outcome) {
  ++failed_;
  on_outcome({input, IngestOutcome::Kind::kFailed, "", why});
}

void Ingester::RequestStop() {
  if (stop_.exchange(true)) return;
  if (options_.http != nullptr) options_.http->Cancel();
}

void Ingester::Ingest(const std::string& input, const OutcomeFn& on_outcome) {
  if (stopping()) return;
  Env* env = Env::Default();
  if (input == "-") {
    std::string bytes;
    char buf[1 << 16];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof(buf), stdin)) > 0) {
      if (bytes.size() + n > options_.max_document_bytes) {
        Fail("-", "stdin is larger than " + std::to_string(options_.max_document_bytes) + " bytes", on_outcome);
        return;
      }
      bytes.append(buf, n);
    }
    DocumentFormat format = DetectDocumentFormat("-", bytes);
    if (format == DocumentFormat::kUnknown) {
      Fail("-", "stdin is not a supported document (EPUB, PDF, HTML, text or Markdown)", on_outcome);
      return;
    }
    RawDocument doc = FileDocument(std::move(bytes), format, /*page=*/false);
    doc.record.metadata["path"] = "-";
    doc.origin = "-";
    IngestDocument(std::move(doc), on_outcome);
    return;
  }
  if (IsHttpUrl(input)) {
    IngestUrl(input, on_outcome);
    return;
  }
  if (input.starts_with("arxiv:") && !env->FileExists(input)) {
    IngestArxiv(input, on_outcome);
    return;
  }
  if (!env->FileExists(input)) {
    Fail(input, "no such file or folder", on_outcome);
    return;
  }
  if (env->IsDirectory(input)) {
    IngestFolder(input, 0, on_outcome);
  } else {
    IngestFile(input, true, on_outcome);
  }
}

void Ingester::IngestFolder(const std::string& path, int depth, const OutcomeFn& on_outcome) {
  Env* env = Env::Default();
  if (depth > options_.max_folder_depth) {
    Fail(path, "folders nested deeper than " + std::to_string(options_.max_folder_depth) + " (a symlink loop?)",
         on_outcome);
    return;
  }
  std::vector<std::string> names;
  Status s = env->GetChildren(path, &names);
  if (!s.ok()) {
    Fail(path, s.message(), on_outcome);
    return;
  }
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) {
    if (stopping()) return;
    if (name.empty() || name[0] == '.') continue;  // hidden files and folders
    std::string child = JoinPath(path, name);
    if (env->IsDirectory(child)) {
      IngestFolder(child, depth + 1, on_outcome);
    } else {
      IngestFile(child, false, on_outcome);
    }
  }
}

void Ingester::IngestFile(const std::string& path, bool explicit_argument, const OutcomeFn& on_outcome) {
  // Reading a FIFO would wait for a writer, and a device may never end: only regular files are
  // documents (the store is locked while ingest runs).
  Env* env = Env::Default();
  if (env->FileExists(path) && !env->IsDirectory(path) && !env->IsRegularFile(path)) {
    on_outcome({path, IngestOutcome::Kind::kSkipped, "", "not a regular file (a FIFO, socket or device)"});
    return;
  }
  std::string bytes;
  Status s = ReadFileToString(Env::Default(), path, &bytes, options_.max_document_bytes);
  if (!s.ok()) {
    Fail(path, s.message(), on_outcome);
    return;
  }
  DocumentFormat format = DetectDocumentFormat(path, bytes);
  if (format == DocumentFormat::kUnknown) {
    if (explicit_argument) {
      Fail(path, "unsupported document type (not EPUB, PDF, HTML, text or Markdown)", on_outcome);
    } else {
      on_outcome({path, IngestOutcome::Kind::kSkipped, "", "unsupported document type"});
    }
    return;
  }
  RawDocument doc = FileDocument(std::move(bytes), format, /*page=*/false);
  doc.record.metadata["path"] = path;
  doc.origin = path;
  IngestDocument(std::move(doc), on_outcome);
}

void Ingester::IngestUrl(const std::string& url, const OutcomeFn& on_outcome) {
  if (options_.http == nullptr) {
    Fail(url, "URLs cannot be fetched here (no HTTP client)", on_outcome);
    return;
  }
  // The body cap is the client's max_response_bytes ("http" of --config), as in a scrape.
  HttpRequest request = HttpRequest::Get(url);
  Result<HttpResponse> response = options_.http->Fetch(request);
  if (!response.ok()) {
    if (stopping() && response.status().IsInterrupted()) return;  // the stop, not the URL's fault
    Fail(url, response.status().ToString(), on_outcome);
    return;
  }
  if (response->robots_disallowed()) {
    Fail(url, "robots.txt of the site disallows fetching it", on_outcome);
    return;
  }
  const std::string* content_type = response->Header("content-type");
  std::string type = content_type != nullptr ? *content_type : "";
  std::string final_url = response->final_url.empty() ? url : response->final_url;
  DocumentFormat format = DetectDocumentFormat(final_url, response->body, type);
  if (format == DocumentFormat::kUnknown) {
    Fail(url, "unsupported document type (Content-Type: " + (type.empty() ? std::string("none") : type) + ")",
         on_outcome);
    return;
  }
  RawDocument doc = FileDocument(std::move(response->body), format, /*page=*/true);
  doc.record.url = CanonicalizeUrl(final_url);
  doc.charset = response->charset();
  doc.origin = url;
  IngestDocument(std::move(doc), on_outcome);
}

void Ingester::IngestArxiv(const std::string& input, const OutcomeFn& on_outcome) {
  const SourceKind* kind = FindSourceKind("arxiv");
  if (kind == nullptr) {
    Fail(input, "arxiv:ID needs the arxiv source kind, which this build of alcor does not have", on_outcome);
    return;
  }
  if (options_.http == nullptr) {
    Fail(input, "arxiv:ID cannot be fetched here (no HTTP client)", on_outcome);
    return;
  }
  std::string id = input.substr(std::string_view("arxiv:").size());
  nlohmann::json entry = options_.arxiv_settings.is_object() ? options_.arxiv_settings : nlohmann::json::object();
  entry["name"] = options_.source;
  entry["kind"] = "arxiv";
  entry["enabled"] = true;
  entry["ids"] = nlohmann::json::array({id});
  entry.erase("queries");
  entry.erase("seed_file");
  // One paper was asked for, not its citation graph, whatever depth a scrape configuration
  // gives its arxiv sources (docs/sources.md, "alcor ingest").
  if (!entry.contains("citations") || !entry["citations"].is_object()) entry["citations"] = nlohmann::json::object();
  entry["citations"]["max_depth"] = 0;
  Result<SourceConfig> config = ValidateSourceConfig(entry, "alcor ingest " + input, options_.config_dir);
  if (!config.ok()) {
    Fail(input, config.status().ToString(), on_outcome);
    return;
  }
  Result<std::unique_ptr<Source>> source = kind->create(*config);
  if (!source.ok()) {
    Fail(input, source.status().ToString(), on_outcome);
    return;
  }
  IngestSourceContext ctx(options_.source, options_.http, sink_, input, &on_outcome, &stop_);
  Status s = (*source)->Run(ctx);
  failed_ += ctx.failed();
  if (stopping()) return;
  if (!s.ok()) {
    Fail(input, s.ToString(), on_outcome);
  } else if (ctx.emitted() == 0 && ctx.failed() == 0) {
    Fail(input, "the arxiv source found no paper with this id", on_outcome);
  }
}

void Ingester::IngestDocument(RawDocument doc, const OutcomeFn& on_outcome) {
  IngestOutcome outcome{doc.origin, IngestOutcome::Kind::kFailed, "", ""};
  Record record;
  Status converted = Convert(std::move(doc), &record);
  if (!converted.ok()) {
    ++failed_;
    outcome.detail = converted.message();
    on_outcome(outcome);
    return;
  }
  Status s = sink_->Offer(std::move(record), &outcome);
  if (!s.ok()) {
    ++failed_;
    outcome.kind = IngestOutcome::Kind::kFailed;
    outcome.detail = s.ToString();
  }
  on_outcome(outcome);
}

}  // namespace alcor
