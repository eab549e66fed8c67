// `alcor rebuild` (alcor/rebuild.hpp): records re-derived from the raw archive, swapped in as one
// new generation.
#include "alcor/rebuild.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <new>
#include <set>
#include <thread>

#include <spdlog/spdlog.h>

#include "alcor/convert.hpp"
#include "alcor/corpus.hpp"
#include "alcor/env.hpp"
#include "alcor/http.hpp"
#include "alcor/json.hpp"
#include "alcor/raw_store.hpp"
#include "alcor/shard.hpp"
#include "alcor/source_config.hpp"
#include "alcor/url.hpp"
#include "pipeline/raw_capture.hpp"

namespace alcor {

namespace {

constexpr size_t kMaxRebuildFailures = 20;

// Where a rebuild keeps what it has re-derived until the swap (docs/architecture.md "Rebuild").
constexpr char kStagingDir[] = "rebuild";
constexpr char kStagingProgress[] = "progress.json";
constexpr char kStagingSource[] = "staged";

bool IsPartOfSharedAnswer(const nlohmann::json& metadata) {
  return metadata.is_object() && metadata.contains("raw") && metadata["raw"].is_object() &&
         metadata["raw"].value("part", false);
}

// Every occurrence of word in text upper-cased (ASCII).
void UpperCaseWord(std::string* text, const std::string& word) {
  if (word.empty()) return;
  std::string upper = word;
  for (char& c : upper) c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  for (size_t at = text->find(word); at != std::string::npos; at = text->find(word, at + word.size()))
    text->replace(at, word.size(), upper);
}

}  // namespace

Status RederiveRecord(const Store& store, const Record& stored, Record* out, const std::string& test_alter_word) {
  const nlohmann::json& m = stored.metadata;
  if (!m.is_object() || !m.contains("raw")) return Status::NotFound(stored.id + ": no raw bytes");
  // A file of its own (a book, an ingested file) gets its id and description from its bytes, as
  // when it was stored; an item of a service keeps the fields its source set.
  const bool file_of_its_own = m.contains("file_sha256");
  // A kind whose source made its documents of more than the bytes as they are (a part of a shared
  // answer, a page's article, a PDF's text) makes them again itself (SourceKind::document_from_raw).
  const SourceKind* kind = file_of_its_own ? nullptr : FindSourceKind(stored.source_kind);
  const bool by_kind = kind && kind->document_from_raw;
  if (IsPartOfSharedAnswer(m) && !by_kind)
    return Status::NotFound(stored.id + ": its raw bytes are an answer several records were taken from");
  const std::string text_format = m.value("text_format", "");
  RawDocument doc;
  doc.format = BodyFormatNamed(text_format);
  if (!by_kind && (doc.format == BodyFormat::kDetect || doc.format == BodyFormat::kFinalText))
    return Status::NotFound(stored.id + ": text_format '" + text_format + "' is not one converted from bytes");
  WarcRecord raw;
  ALCOR_RETURN_IF_ERROR(ReadRawOf(store, m, &raw));

  if (file_of_its_own) {
    doc.record.source = stored.source;
    doc.record.source_kind = stored.source_kind;
    doc.record.url = stored.url;
    if (m.contains("path")) doc.record.metadata["path"] = m["path"];
    doc.main_content = text_format == BodyFormatName(BodyFormat::kHtmlPage);
  } else {
    doc.record = stored;
    doc.record.text.clear();
    doc.record.content_sha256.clear();
    doc.record.metadata.erase("invalid_utf8_replaced");  // set again by the conversion when it applies
  }
  doc.record.fetched_at = stored.fetched_at;
  if (by_kind) {
    ALCOR_RETURN_IF_ERROR(kind->document_from_raw(raw, &doc));
  } else {
    doc.charset = CharsetOfContentType(raw.PayloadContentType());
    if (IsHttpUrl(raw.target_uri)) doc.base_url = raw.target_uri;
    doc.body = std::move(raw.payload);
  }
  ALCOR_RETURN_IF_ERROR(Convert(std::move(doc), out));
  if (file_of_its_own) {
    out->also_at = stored.also_at;
    out->metadata["raw"] = m["raw"];
    if (out->id != stored.id) return Status::Corruption(stored.id + ": its raw bytes now make the record " + out->id);
  }
  if (!test_alter_word.empty()) {
    UpperCaseWord(&out->text, test_alter_word);
    out->content_sha256.clear();
    out->Seal();
  }
  return Status::OK();
}

nlohmann::json RebuildSourceReport::ToJson() const {
  return {{"source", name},         {"changed", changed},           {"unchanged", unchanged},
          {"failed", failed},       {"no_raw", no_raw},             {"words_gained", words_gained},
          {"words_lost", words_lost}, {"failures", failures}};
}

nlohmann::json RebuildReport::ToJson() const {
  nlohmann::json list = nlohmann::json::array();
  for (const RebuildSourceReport& s : sources) list.push_back(s.ToJson());
  nlohmann::json j = {{"dry_run", dry_run}, {"records", records},  {"converted", converted},
                      {"resumed", resumed},   {"sources", list},    {"seconds", seconds}};
  if (!dry_run) j["compaction"] = compaction.ToJson();
  return j;
}

std::string RebuildReport::Summary() const {
  std::string out = std::string(dry_run ? "rebuild (dry run, nothing written)" : "rebuild") + ": " +
                    std::to_string(records) + " records read, " + std::to_string(converted) + " converted" +
                    (resumed ? ", " + std::to_string(resumed) + " taken from the interrupted rebuild it resumed" : "") +
                    "\n";
  char line[256];
  std::snprintf(line, sizeof(line), "%-24s %9s %9s %7s %8s %10s %10s\n", "source", "changed", "unchanged", "failed",
                "no raw", "words +", "words -");
  out += line;
  for (const RebuildSourceReport& s : sources) {
    std::snprintf(line, sizeof(line), "%-24s %9llu %9llu %7llu %8llu %10llu %10llu\n", s.name.c_str(),
                  static_cast<unsigned long long>(s.changed), static_cast<unsigned long long>(s.unchanged),
                  static_cast<unsigned long long>(s.failed), static_cast<unsigned long long>(s.no_raw),
                  static_cast<unsigned long long>(s.words_gained), static_cast<unsigned long long>(s.words_lost));
    out += line;
    for (const std::string& f : s.failures) out += "  failed: " + f + "\n";
  }
  return out;
}


RebuildSourceReport RebuildSourceReport::FromJson(const nlohmann::json& j) {
  RebuildSourceReport s;
  s.name = j.value("source", "");
  s.changed = j.value("changed", uint64_t{0});
  s.unchanged = j.value("unchanged", uint64_t{0});
  s.failed = j.value("failed", uint64_t{0});
  s.no_raw = j.value("no_raw", uint64_t{0});
  s.words_gained = j.value("words_gained", uint64_t{0});
  s.words_lost = j.value("words_lost", uint64_t{0});
  if (j.contains("failures") && j["failures"].is_array())
    for (const nlohmann::json& f : j["failures"])
      if (f.is_string()) s.failures.push_back(f.get<std::string>());
  return s;
}

namespace {

// The records a rebuild has re-derived so far, kept outside the store's manifest under
// <store>/rebuild/: staged shards (the batches' final records in store order, zstd JSONL) and
// progress.json naming them, the batches they hold, the report's counts so far and the key of
// the store generation and options they were made for. Every checkpoint finishes a staged shard
// and then replaces progress.json atomically, so a kill leaves the last checkpoint; files it does
// not name are removed when the next rebuild opens the staging. A rebuild whose key differs (the
// store was written since, or other options) discards the staging and starts over.
class Staging {
 public:
  // A checkpoint (a staged shard and the progress file naming it) is due every checkpoint_micros.
  Staging(Store* store, std::string key, int64_t checkpoint_micros)
      : env_(store->env()),
        root_(store->PathOf(kStagingDir)),
        key_(std::move(key)),
        run_id_(store->run_id()),
        checkpoint_micros_(checkpoint_micros) {}
  ~Staging() {
    if (writer_) writer_->Abandon();
  }

  // Reads the progress of an interrupted rebuild with the same key (none: starts empty) and
  // removes every file it does not name. *counts receives its report so far.
  Status Open(nlohmann::json* counts) {
    *counts = nlohmann::json();
    std::string text;
    const std::string progress_path = JoinPath(root_, kStagingProgress);
    if (env_->FileExists(progress_path) && ReadFileToString(env_, progress_path, &text, 64 << 20).ok()) {
      Result<nlohmann::json> j = ParseJson(text, progress_path);
      if (j.ok() && j->is_object() && j->value("key", "") == key_ && j->contains("shards") && (*j)["shards"].is_array()) {
        for (const nlohmann::json& s : (*j)["shards"])
          shards_.push_back({s.value("path", ""), s.value("records", uint64_t{0}), s.value("jsonl_bytes", uint64_t{0})});
        staged_batches_ = j->value("batches", uint64_t{0});
        staged_records_ = j->value("records", uint64_t{0});
        *counts = j->value("counts", nlohmann::json());
      } else {
        spdlog::info("rebuild: the staged records of an earlier rebuild are for another store generation or other "
                     "options; starting over");
      }
    }
    std::set<std::string> named;
    for (const StagedShard& s : shards_) named.insert(s.path);
    const std::string dir = JoinPath(root_, std::string("shards/") + kStagingSource);
    std::vector<std::string> files;
    if (env_->GetChildren(dir, &files).ok())
      for (const std::string& f : files)
        if (!named.count(std::string("shards/") + kStagingSource + "/" + f)) env_->RemoveFile(JoinPath(dir, f));
    if (shards_.empty() && env_->FileExists(progress_path)) ALCOR_RETURN_IF_ERROR(env_->RemoveFile(progress_path));
    last_checkpoint_ = env_->MonotonicMicros();
    return Status::OK();
  }

  uint64_t staged_batches() const { return staged_batches_; }

  // The next staged batch: n records, which must have the ids of batch (in order).
  Status ReadBatch(std::vector<Record>* batch) {
    std::string line;
    for (Record& r : *batch) {
      while (!reader_ || !reader_->NextLine(&line)) {
        if (reader_ && !reader_->status().ok()) return reader_->status();
        if (next_shard_ >= shards_.size()) return Status::Corruption(root_ + ": fewer staged records than it says");
        const StagedShard& s = shards_[next_shard_++];
        reader_ = std::make_unique<ShardReader>(env_, JoinPath(root_, s.path), s.path);
        reader_->LimitJsonlBytes(s.jsonl_bytes);
      }
      Result<Record> staged = Record::FromJsonLine(line);
      if (!staged.ok()) return staged.status().WithContext(root_);
      if (staged->id != r.id)
        return Status::Corruption(root_ + ": a staged record (" + staged->id + ") is not the store's (" + r.id + ")");
      r = std::move(staged).value();
    }
    return Status::OK();
  }

  // Appends a batch's final records (their JSON lines) to the staging.
  Status AppendBatch(const std::vector<std::string>& lines) {
    if (!writer_) {
      ALCOR_RETURN_IF_ERROR(env_->CreateDirs(root_, kPrivateDirMode));
      ShardWriterOptions options;
      options.compression_level = 1;  // read back once, or never
      options.target_jsonl_bytes = uint64_t{1} << 40;
      writer_ = std::make_unique<ShardWriter>(env_, root_, kStagingSource, run_id_, options, sequence_);
    }
    for (const std::string& line : lines) ALCOR_RETURN_IF_ERROR(writer_->AddLine(line));
    ++unsaved_batches_;
    return Status::OK();
  }

  bool CheckpointDue() const { return env_->MonotonicMicros() - last_checkpoint_ >= checkpoint_micros_; }

  // Makes every appended batch durable: the staged shard finished and named by progress.json
  // with the counts so far.
  Status Checkpoint(const nlohmann::json& counts) {
    if (unsaved_batches_ == 0) return Status::OK();
    std::vector<PendingShard> done;
    ALCOR_RETURN_IF_ERROR(writer_->Finish(&done));
    for (const PendingShard& p : done) {
      ALCOR_RETURN_IF_ERROR(env_->RenameFile(p.temp_path, p.final_path));
      ALCOR_RETURN_IF_ERROR(env_->SyncDir(DirName(p.final_path)));
      shards_.push_back({p.info.path, p.info.records, p.info.jsonl_bytes});
      staged_records_ += p.info.records;
    }
    staged_batches_ += unsaved_batches_;
    unsaved_batches_ = 0;
    nlohmann::json list = nlohmann::json::array();
    for (const StagedShard& s : shards_) list.push_back({{"path", s.path}, {"records", s.records}, {"jsonl_bytes", s.jsonl_bytes}});
    nlohmann::json progress = {{"key", key_},      {"batches", staged_batches_}, {"records", staged_records_},
                               {"shards", list},   {"counts", counts}};
    ALCOR_RETURN_IF_ERROR(WriteFileAtomically(env_, JoinPath(root_, kStagingProgress), progress.dump()));
    last_checkpoint_ = env_->MonotonicMicros();
    return Status::OK();
  }

  // After the swap: the staging is of no use. progress.json goes first, so a crash midway leaves
  // files the next rebuild removes.
  void Remove() {
    if (writer_) writer_->Abandon();
    writer_.reset();
    reader_.reset();
    env_->RemoveFile(JoinPath(root_, kStagingProgress));
    for (const StagedShard& s : shards_) env_->RemoveFile(JoinPath(root_, s.path));
    std::error_code ignored;
    std::filesystem::remove(JoinPath(root_, std::string("shards/") + kStagingSource), ignored);
    std::filesystem::remove(JoinPath(root_, "shards"), ignored);
    std::filesystem::remove(root_, ignored);
  }

 private:
  struct StagedShard {
    std::string path;  // relative to root_
    uint64_t records = 0;
    uint64_t jsonl_bytes = 0;
  };
  Env* env_;
  std::string root_;
  std::string key_;
  std::string run_id_;
  int64_t checkpoint_micros_;
  std::vector<StagedShard> shards_;
  uint64_t staged_batches_ = 0;
  uint64_t staged_records_ = 0;
  std::unique_ptr<ShardReader> reader_;
  size_t next_shard_ = 0;
  std::unique_ptr<ShardWriter> writer_;
  // Shared by every writer of this run, so a second staged shard never takes the first's name.
  std::shared_ptr<std::atomic<uint64_t>> sequence_ = std::make_shared<std::atomic<uint64_t>>(1);
  uint64_t unsaved_batches_ = 0;
  int64_t last_checkpoint_ = 0;
};

// What one record's conversion came to, worked out on the conversion thread.
struct Outcome {
  Status status;
  bool changed = false;
  uint64_t words_before = 0, words_after = 0;
  std::string line;  // the record's final JSON line (the new one when it changed)
};

}  // namespace

Status RebuildStore(Store* store, const RebuildOptions& options, RebuildReport* report) {
  *report = RebuildReport();
  report->dry_run = options.dry_run;
  const auto start = std::chrono::steady_clock::now();
  std::map<std::string, RebuildSourceReport> by_source;
  std::vector<std::string> known_sources;
  for (const ShardInfo& s : store->manifest().shards) known_sources.push_back(s.source);
  for (const std::string& name : options.sources) {
    if (std::find(known_sources.begin(), known_sources.end(), name) == known_sources.end())
      return Status::InvalidArgument("--source " + name + ": the store holds no record of that source");
  }
  auto selected = [&](const std::string& source) {
    return options.sources.empty() ||
           std::find(options.sources.begin(), options.sources.end(), source) != options.sources.end();
  };
  int workers = options.workers > 0 ? options.workers : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  constexpr size_t kBatch = 256;

  // The staging of a rebuild that writes (a dry run keeps nothing), resumed when an interrupted
  // rebuild of the same store generation and options left one.
  std::unique_ptr<Staging> staging;
  if (!options.dry_run) {
    nlohmann::json key = {{"generation", store->manifest().generation}, {"updated", store->manifest().updated},
                          {"sources", options.sources}, {"alter", options.test_alter_word}, {"batch", kBatch}};
    staging = std::make_unique<Staging>(store, key.dump(), options.checkpoint_micros);
    nlohmann::json counts;
    ALCOR_RETURN_IF_ERROR(staging->Open(&counts));
    if (counts.is_object() && counts.contains("sources"))
      for (const nlohmann::json& s : counts["sources"]) {
        RebuildSourceReport r = RebuildSourceReport::FromJson(s);
        by_source[r.name] = r;
      }
  }
  auto counts_so_far = [&] {
    nlohmann::json list = nlohmann::json::array();
    for (auto& [name, s] : by_source) {
      list.push_back(s.ToJson());
      list.back()["source"] = name;
    }
    return nlohmann::json{{"sources", list}};
  };
  uint64_t batch_number = 0;
  const auto interrupted = [&] {
    return Status::Interrupted("rebuild interrupted; the store is unchanged" +
                               std::string(staging ? " (the records re-derived so far are kept: run it again to resume)" : ""));
  };

  // One batch: each selected record re-derived and compared on a conversion thread, then counted
  // in order (or, resuming, the batch as an interrupted rebuild staged it).
  auto transform = [&](std::vector<Record>* batch) -> Status {
    const bool resumed = staging && batch_number < staging->staged_batches();
    ++batch_number;
    if (resumed) {
      ALCOR_RETURN_IF_ERROR(staging->ReadBatch(batch));
      report->records += batch->size();
      report->resumed += batch->size();
      return Status::OK();
    }
    if (options.stop && options.stop->load()) {
      if (staging) ALCOR_RETURN_IF_ERROR(staging->Checkpoint(counts_so_far()));
      return interrupted();
    }
    std::vector<Outcome> outcome(batch->size());
    std::vector<Record> fresh(batch->size());
    std::atomic<size_t> next{0};
    auto work = [&] {
      for (size_t i = next++; i < batch->size(); i = next++) {
        const Record& r = (*batch)[i];
        Outcome& o = outcome[i];
        if (!selected(r.source)) {
          o.status = Status::NotFound("not selected");
        } else {
          try {
            o.status = RederiveRecord(*store, r, &fresh[i], options.test_alter_word);
          } catch (const std::bad_alloc&) {
            o.status = Status::LimitExceeded(r.id + ": out of memory while converting it");
          } catch (const std::exception& e) {
            o.status = Status::Internal(r.id + ": exception escaped the conversion: " + e.what());
          }
        }
        std::string old_line = r.ToJsonLine();
        if (o.status.ok()) {
          std::string new_line = fresh[i].ToJsonLine();
          o.changed = new_line != old_line;
          if (o.changed) {
            o.words_before = CountWords(r.text);
            o.words_after = CountWords(fresh[i].text);
            old_line = std::move(new_line);
          }
        }
        if (staging) o.line = std::move(old_line);
      }
    };
    std::vector<std::thread> threads;
    for (int t = 1; t < workers; ++t) threads.emplace_back(work);
    work();
    for (std::thread& t : threads) t.join();
    for (size_t i = 0; i < batch->size(); ++i) {
      Record& old = (*batch)[i];
      report->records++;
      if (!selected(old.source)) continue;
      RebuildSourceReport& s = by_source[old.source];
      const Outcome& o = outcome[i];
      if (o.status.IsNotFound()) {
        s.no_raw++;
        continue;
      }
      report->converted++;
      if (!o.status.ok()) {
        s.failed++;
        if (s.failures.size() < kMaxRebuildFailures) s.failures.push_back(old.id + ": " + o.status.ToString());
      } else if (!o.changed) {
        s.unchanged++;
      } else {
        s.changed++;
        if (o.words_after > o.words_before) s.words_gained += o.words_after - o.words_before;
        else s.words_lost += o.words_before - o.words_after;
        old = std::move(fresh[i]);
      }
    }
    if (staging) {
      std::vector<std::string> lines;
      lines.reserve(outcome.size());
      for (Outcome& o : outcome) lines.push_back(std::move(o.line));
      ALCOR_RETURN_IF_ERROR(staging->AppendBatch(lines));
      const bool stopping = options.stop && options.stop->load();
      if (stopping || staging->CheckpointDue()) ALCOR_RETURN_IF_ERROR(staging->Checkpoint(counts_so_far()));
      if (stopping) return interrupted();
    }
    if (options.on_progress) {
      RebuildReport snapshot = *report;
      for (auto& [name, s] : by_source) {
        snapshot.sources.push_back(s);
        snapshot.sources.back().name = name;
      }
      options.on_progress(snapshot);
    }
    return Status::OK();
  };

  Status s;
  if (options.dry_run) {
    // The same conversions and counts, reading the current records only.
    SupersededSet superseded;
    ALCOR_RETURN_IF_ERROR(LoadSuperseded(*store, &superseded));
    ScanOptions scan;
    scan.is_superseded = [&](const RecordLocation& where) { return superseded.Contains(where); };
    std::vector<Record> batch;
    Status visited;
    s = ScanStore(*store, scan, [&](std::string_view line, const RecordLocation& where) {
      Result<Record> r = Record::FromJsonLine(line);
      if (!r.ok()) {
        visited = r.status().WithContext(where.shard + ":" + std::to_string(where.line));
        return false;
      }
      batch.push_back(std::move(r).value());
      if (batch.size() < kBatch) return true;
      visited = transform(&batch);
      batch.clear();
      return visited.ok();
    });
    if (s.ok()) s = visited;
    if (s.ok() && !batch.empty()) s = transform(&batch);
  } else {
    CompactionTransform first_pass;
    first_pass.transform = transform;
    first_pass.batch_size = kBatch;
    s = CompactStore(store, options.dedup, &report->compaction, first_pass);
    if (s.ok()) staging->Remove();
  }
  for (auto& [name, src] : by_source) {
    report->sources.push_back(std::move(src));
    report->sources.back().name = name;
  }
  report->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return s;
}

}  // namespace alcor
