// The store's raw archive (docs/architecture.md "The raw archive"): the bytes each record was made
// from, as WARC/1.1 records (alcor/warc.hpp) in files raw/<source>/<run-id>-<seq>.warc.gz, one
// gzip member per WARC record. The files are ordinary manifest-listed files (path, sha256, size),
// written under a temporary name and published by the same Store::Commit as the shards whose
// records point at them (metadata.raw), so a crash never leaves a record pointing at bytes that are
// not there. Private (0600) like every file of the store.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "alcor/env.hpp"
#include "alcor/status.hpp"

namespace alcor {

// What the manifest says of one raw archive file ("raw" in manifest.json).
struct RawFileInfo {
  std::string path;  // relative to the store root: "raw/<source>/<run>-<seq>.warc.gz"
  std::string source;
  uint64_t records = 0;     // WARC records in it
  uint64_t file_bytes = 0;  // on disk
  std::string sha256;       // of the file
  std::string run_id;
  std::string created;      // RFC 3339 UTC
};

// A finished raw archive file waiting to be committed: complete and synced under temp_path.
struct PendingRawFile {
  std::string temp_path;
  std::string final_path;
  RawFileInfo info;
};

// Where a record's raw bytes are: metadata.raw = {"file", "offset", "record_id"}. Valid once the
// file is committed.
struct RawLocation {
  std::string file;  // store-relative path of the archive file
  uint64_t offset = 0;  // where the record's gzip member starts
  std::string record_id;  // its WARC-Record-ID
  bool operator==(const RawLocation&) const = default;

  nlohmann::json ToJson() const;
  // From a record's metadata.raw; InvalidArgument when it is not such an object.
  static Result<RawLocation> FromJson(const nlohmann::json& j);
};

// Where the store keeps raw bytes: every document's ("all", the default) or none ("none").
enum class RawRetention { kAll, kNone };
// "all", "none".
const char* RawRetentionName(RawRetention r);
Result<RawRetention> ParseRawRetention(std::string_view text);

// Appends the WARC records of one source to archive files (builder protocol, like ShardWriter:
// Append..., then Finish or Abandon). The member appended last is held in memory until the next
// Append or Finish, so DropLast can take it back (a document the deduplicator found unchanged
// keeps no bytes). Not thread safe.
class RawArchiveWriter {
 public:
  // sequence: the store's counter of file numbers (shared with the shard writers of the run).
  RawArchiveWriter(Env* env, std::string store_root, std::string source, std::string run_id,
                   std::shared_ptr<std::atomic<uint64_t>> sequence);
  ~RawArchiveWriter();  // Abandons unless Finish handed the files over.
  RawArchiveWriter(const RawArchiveWriter&) = delete;
  RawArchiveWriter& operator=(const RawArchiveWriter&) = delete;

  // Appends one gzip member (GzipMember(SerializeWarcRecord(record))) whose record id is
  // record_id; *where receives its location.
  Status Append(std::string member, const std::string& record_id, RawLocation* where);
  // Takes back the member the last Append added (only that one; no-op when none is held).
  void DropLast();
  // Ends the current file if it holds anything and hands it over for Store::Commit; later
  // Appends start a new file.
  Status Finish(std::vector<PendingRawFile>* files);
  // Removes the file being written.
  void Abandon();

  // Compressed bytes appended so far (all files).
  uint64_t bytes_appended() const { return bytes_appended_; }

 private:
  struct OpenFile;
  Status FlushHeld();

  Env* env_;
  std::string store_root_;
  std::string source_;
  std::string run_id_;
  std::shared_ptr<std::atomic<uint64_t>> sequence_;
  std::unique_ptr<OpenFile> current_;
  std::string held_;  // the last member, not written yet
  bool holding_ = false;
  uint64_t bytes_appended_ = 0;
  Status error_;
};

}  // namespace alcor
