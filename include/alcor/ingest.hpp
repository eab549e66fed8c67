// alcor ingest: one-off additions from the shell. An input is
//   a file          EPUB, PDF, HTML, plain text or Markdown (Project Gutenberg text included);
//                   the type from the extension, then the content (alcor/book.hpp);
//   a folder        every file in it, recursively, sorted by path; hidden files and folders are
//                   left out, and files of no supported type are reported as skipped;
//   "-"             one document on stdin, its type from the content;
//   an http(s) URL  fetched with the run's HttpClient; the type from Content-Type, then the URL's
//                   extension, then the content; an HTML page gets main-content extraction and
//                   id "web:<canonical URL>";
//   arxiv:ID        one paper through the arxiv source kind (when this build registers it).
// Each document's outcome is reported; one failure never stops the rest. Only regular files are
// read: a FIFO, socket or device inside a folder is skipped (reading it could block forever). Records go to an
// IngestSink, which in `alcor ingest` is the deduplicator's.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "alcor/book.hpp"
#include "alcor/convert.hpp"
#include "alcor/record.hpp"
#include "alcor/status.hpp"
#include "alcor/store.hpp"

namespace alcor {

class HttpClient;

struct IngestOutcome {
  enum class Kind { kStored, kDuplicate, kSkipped, kFailed };
  std::string input;   // the file path, "-" for stdin, the URL or "arxiv:ID"
  Kind kind = Kind::kFailed;
  std::string id;      // the record id (stored, duplicate)
  std::string detail;  // duplicate of which id, why skipped or failed
  // "stored file:ab12… (path)", "duplicate path: duplicate of …", "skipped path: why",
  // "failed path: why": one line for people.
  std::string ToString() const;
};

struct IngestOptions {
  std::string source = "local";  // the record's `source`
  uint64_t max_document_bytes = uint64_t{256} << 20;
  int max_folder_depth = 64;
  // Local HTML files and stdin: keep only the article body (pages from URLs always are).
  bool main_content = false;
  EpubOptions epub;
  PdfTextOptions pdf;
  // Fetches URL inputs and runs arxiv:ID. Not owned; must outlive the Ingester. nullptr: those
  // inputs fail with a message saying so.
  HttpClient* http = nullptr;
  // arxiv:ID: settings of the arxiv kind (a config "sources" entry without name, kind and ids:
  // api_url, base_url, citations…); "ids" is set to the one ID, and citations.max_depth to 0
  // unless given here. Relative paths in it resolve against config_dir.
  nlohmann::json arxiv_settings = nlohmann::json::object();
  std::string config_dir = ".";
};

// Where ingested records go. The deduplicator provides the one `alcor ingest` uses
// (NewDedupIngestSink in dedup.hpp); tests may supply their own.
class IngestSink {
 public:
  virtual ~IngestSink() = default;
  // Stores record (or finds it is a duplicate) and fills outcome->kind/id/detail.
  virtual Status Offer(Record record, IngestOutcome* outcome) = 0;
  // Makes everything offered so far durable (one store commit).
  virtual Status Commit() = 0;
};

class Ingester {
 public:
  // REQUIRES: sink outlives the Ingester.
  Ingester(IngestSink* sink, IngestOptions options);

  // Ingests one command-line input; calls on_outcome once per document met (a folder yields one
  // outcome per file in it, sorted by path). stdin is read when input is "-". Not thread safe.
  void Ingest(const std::string& input, const std::function<void(const IngestOutcome&)>& on_outcome);

  uint64_t failed() const { return failed_; }

  // Stops promptly (SIGINT/SIGTERM): the document being read is finished or dropped, no further
  // input is started, and the HTTP client's transfers are cancelled. What was offered before can
  // still be committed. Thread safe; call from a normal thread (SignalWatcher, alcor/pipeline.hpp).
  void RequestStop();
  bool stopping() const { return stop_.load(); }

 private:
  using OutcomeFn = std::function<void(const IngestOutcome&)>;
  void IngestFile(const std::string& path, bool explicit_argument, const OutcomeFn& on_outcome);
  void IngestFolder(const std::string& path, int depth, const OutcomeFn& on_outcome);
  void IngestUrl(const std::string& url, const OutcomeFn& on_outcome);
  void IngestArxiv(const std::string& input, const OutcomeFn& on_outcome);
  // Converts one document (alcor/convert.hpp) and offers it to the sink.
  void IngestDocument(RawDocument doc, const OutcomeFn& on_outcome);
  void Fail(const std::string& input, const std::string& why, const OutcomeFn& on_outcome);
  // A file of its own with this run's source, options and bytes; page: HTML from a URL.
  RawDocument FileDocument(std::string bytes, DocumentFormat format, bool page) const;

  IngestSink* sink_;
  IngestOptions options_;
  uint64_t failed_ = 0;
  std::atomic<bool> stop_{false};
};

}  // namespace alcor
