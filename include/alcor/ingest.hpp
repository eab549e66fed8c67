// alcor ingest: one-off additions from the shell. Inputs are files, folders (recursive) and "-"
// (one document on stdin). Each document's outcome is reported; one failure never stops the rest.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "alcor/record.hpp"
#include "alcor/status.hpp"
#include "alcor/store.hpp"

namespace alcor {

struct IngestOutcome {
  enum class Kind { kStored, kDuplicate, kSkipped, kFailed };
  std::string input;   // the file path, or "-" for stdin
  Kind kind = Kind::kFailed;
  std::string id;      // the record id (stored, duplicate)
  std::string detail;  // duplicate of which id, why skipped or failed
  // "stored file:ab12… (path)" etc., one line for people.
  std::string ToString() const;
};

struct IngestOptions {
  std::string source = "local";  // the record's `source`
  uint64_t max_document_bytes = uint64_t{256} << 20;
  int max_folder_depth = 64;
};

// The formats a local document can have, told by extension first and then by content.
enum class DocumentFormat { kUnknown, kPlainText, kMarkdown };
DocumentFormat DetectDocumentFormat(const std::string& path, std::string_view bytes);

// Builds the record of one local text or Markdown document (id "file:<sha256 of the bytes>",
// source_kind "file"): BOM and CRLF handled, invalid UTF-8 replaced, title from the first heading
// or line. display_path is what metadata.path records ("-" for stdin).
Result<Record> RecordFromTextDocument(const std::string& display_path, std::string bytes, DocumentFormat format,
                                      const std::string& source);

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
  // outcome per file in it, sorted by path). stdin is read when input is "-".
  void Ingest(const std::string& input, const std::function<void(const IngestOutcome&)>& on_outcome);

  uint64_t failed() const { return failed_; }

 private:
  void IngestFile(const std::string& path, bool explicit_argument,
                  const std::function<void(const IngestOutcome&)>& on_outcome);
  void IngestFolder(const std::string& path, int depth, const std::function<void(const IngestOutcome&)>& on_outcome);
  void IngestBytes(const std::string& display, std::string bytes, DocumentFormat format,
                   const std::function<void(const IngestOutcome&)>& on_outcome);

  IngestSink* sink_;
  IngestOptions options_;
  uint64_t failed_ = 0;
};

}  // namespace alcor
