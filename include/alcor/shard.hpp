// Shards: zstd-compressed JSONL files, one record per line (docs/schema.md).
//
// A shard is a sequence of independent zstd frames, each ending on a line boundary, so a shard
// damaged or cut short is readable up to its last complete frame. Files are written under a
// temporary name and become visible only when the Store commits them (store.hpp).
#pragma once

#include <atomic>
#include <compare>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "alcor/env.hpp"
#include "alcor/record.hpp"
#include "alcor/status.hpp"

namespace alcor {

struct ShardWriterOptions {
  // Rotate to a new shard once this much uncompressed JSONL has gone into the current one.
  uint64_t target_jsonl_bytes = uint64_t{256} << 20;
  // End a zstd frame after this much uncompressed JSONL (bounds what a damaged shard loses).
  uint64_t frame_jsonl_bytes = uint64_t{4} << 20;
  int compression_level = 3;
};

// What the manifest says of one shard.
struct ShardInfo {
  std::string path;      // relative to the store root: "shards/<source>/<run>-<seq>.jsonl.zst"
  std::string source;
  uint64_t records = 0;
  uint64_t jsonl_bytes = 0;  // uncompressed
  uint64_t file_bytes = 0;   // compressed, on disk
  std::string sha256;        // of the file
  std::string run_id;
  std::string created;       // RFC 3339 UTC
};

// Where a record was written: the shard's final path (relative to the store root) and its line
// number (1-based). Valid once the shard is committed.
struct RecordLocation {
  std::string shard;
  uint64_t line = 0;
  bool operator==(const RecordLocation&) const = default;
  auto operator<=>(const RecordLocation&) const = default;
};

// A finished shard waiting to be committed: complete and synced under temp_path.
struct PendingShard {
  std::string temp_path;   // absolute or relative to cwd, as given to the writer
  std::string final_path;  // same form, where Store::Commit renames it
  ShardInfo info;
};

// Streams records of one source into shards (builder protocol after leveldb's TableBuilder:
// Add..., then Finish or Abandon). Memory is constant: one frame of input at most.
// Not thread safe.
class ShardWriter {
 public:
  // store_root: the store directory; shards go under store_root/shards/<source>/.
  // sequence: counter of shard numbers, shared by every writer of one run so that file names never
  // collide (nullptr: a counter of this writer's own, starting at 1).
  ShardWriter(Env* env, std::string store_root, std::string source, std::string run_id,
              ShardWriterOptions options, std::shared_ptr<std::atomic<uint64_t>> sequence = nullptr);
  ~ShardWriter();  // Abandons unless Finish succeeded.
  ShardWriter(const ShardWriter&) = delete;
  ShardWriter& operator=(const ShardWriter&) = delete;

  // Appends one record; `where` (optional) receives its location.
  // REQUIRES: record.source == the writer's source; Finish/Abandon not called.
  Status Add(const Record& record, RecordLocation* where = nullptr);
  // Appends one already-serialised JSON line (with or without its trailing '\n').
  Status AddLine(std::string_view json_line, RecordLocation* where = nullptr);

  // Ends the current shard if it holds anything, and hands over every shard this writer completed
  // (those rotated earlier too) for Store::Commit. After Finish, the writer may be used again:
  // later Adds start a new shard file.
  Status Finish(std::vector<PendingShard>* shards);
  // Removes every file this writer made that was not handed over by Finish.
  void Abandon();

  uint64_t records_added() const { return records_added_; }

 private:
  struct OpenShard;
  Status OpenNewShard();
  Status EndFrame();
  Status CloseCurrent();

  Env* env_;
  std::string store_root_;
  std::string source_;
  std::string run_id_;
  ShardWriterOptions options_;
  std::shared_ptr<std::atomic<uint64_t>> sequence_;
  uint64_t records_added_ = 0;
  std::unique_ptr<OpenShard> current_;
  std::vector<PendingShard> completed_;
  Status error_;  // first failure; the writer is unusable afterwards
};

// Streams the records of one shard. Every error names the shard path and, for content errors,
// the line number ("shards/a/b.jsonl.zst:12: ...").
class ShardReader {
 public:
  // max_line_bytes caps one line (a corrupt or hostile shard cannot exhaust memory).
  ShardReader(Env* env, std::string path, std::string display_path = "",
              uint64_t max_line_bytes = uint64_t{256} << 20);
  ~ShardReader();

  // Reads the next line into *line (without '\n'). Returns false at the end or on error; then
  // status() tells which (OK at a clean end). line_number() is the number of the line returned.
  bool NextLine(std::string* line);
  // Caps the decompressed JSONL of the whole shard at max_jsonl_bytes (a listed shard: its
  // manifest entry's jsonl_bytes). Past it reading stops with Corruption as soon as the excess is
  // decompressed, so a small shard that expands hugely (a zstd bomb) costs no more than its
  // manifest says. `why` ends the error message ("... more than the N bytes of JSONL <why>").
  // Call before the first NextLine.
  void LimitJsonlBytes(uint64_t max_jsonl_bytes, std::string why = "its manifest entry lists");
  // Reads and parses the next record (schema checks via Record::FromJson).
  bool Next(Record* record);
  const Status& status() const { return status_; }
  uint64_t line_number() const { return line_number_; }
  // Uncompressed bytes returned so far (lines plus their newlines) and raw file bytes read.
  uint64_t jsonl_bytes() const { return jsonl_bytes_; }
  // SHA-256 of the raw file bytes read so far; complete once NextLine returned false.
  std::string FileSha256();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  Status status_;
  uint64_t line_number_ = 0;
  uint64_t jsonl_bytes_ = 0;
};

}  // namespace alcor
