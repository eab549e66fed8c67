// `alcor rebuild` (alcor/rebuild.hpp): records re-derived from the raw archive, swapped in as one
// new generation.
#include "alcor/rebuild.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <new>
#include <thread>

#include "alcor/convert.hpp"
#include "alcor/corpus.hpp"
#include "alcor/http.hpp"
#include "alcor/raw_store.hpp"
#include "alcor/url.hpp"
#include "pipeline/raw_capture.hpp"

namespace alcor {

namespace {

constexpr size_t kMaxRebuildFailures = 20;

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
  if (IsPartOfSharedAnswer(m))
    return Status::NotFound(stored.id + ": its raw bytes are an answer several records were taken from");
  WarcRecord raw;
  ALCOR_RETURN_IF_ERROR(ReadRawOf(store, m, &raw));

  RawDocument doc;
  const std::string text_format = m.value("text_format", "");
  doc.format = BodyFormatNamed(text_format);
  if (doc.format == BodyFormat::kDetect || doc.format == BodyFormat::kFinalText)
    return Status::NotFound(stored.id + ": text_format '" + text_format + "' is not one converted from bytes");
  // A file of its own (a book, an ingested file) gets its id and description from its bytes, as
  // when it was stored; an item of a service keeps the fields its source set.
  const bool file_of_its_own = m.contains("file_sha256");
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
  doc.charset = CharsetOfContentType(raw.PayloadContentType());
  if (IsHttpUrl(raw.target_uri)) doc.base_url = raw.target_uri;
  doc.body = std::move(raw.payload);
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
  nlohmann::json j = {{"dry_run", dry_run}, {"records", records}, {"sources", list}, {"seconds", seconds}};
  if (!dry_run) j["compaction"] = compaction.ToJson();
  return j;
}

std::string RebuildReport::Summary() const {
  std::string out = std::string(dry_run ? "rebuild (dry run, nothing written)" : "rebuild") + ": " +
                    std::to_string(records) + " records read\n";
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

  // One batch: each selected record re-derived on a worker (in place), then counted in order.
  auto transform = [&](std::vector<Record>* batch) -> Status {
    if (options.stop && options.stop->load()) return Status::Interrupted("rebuild interrupted; the store is unchanged");
    std::vector<Record> fresh(batch->size());
    std::vector<Status> outcome(batch->size());
    std::atomic<size_t> next{0};
    auto work = [&] {
      for (size_t i = next++; i < batch->size(); i = next++) {
        const Record& r = (*batch)[i];
        if (!selected(r.source)) {
          outcome[i] = Status::NotFound("not selected");
          continue;
        }
        try {
          outcome[i] = RederiveRecord(*store, r, &fresh[i], options.test_alter_word);
        } catch (const std::bad_alloc&) {
          outcome[i] = Status::LimitExceeded(r.id + ": out of memory while converting it");
        } catch (const std::exception& e) {
          outcome[i] = Status::Internal(r.id + ": exception escaped the conversion: " + e.what());
        }
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
      const Status& st = outcome[i];
      if (st.IsNotFound()) {
        s.no_raw++;
      } else if (!st.ok()) {
        s.failed++;
        if (s.failures.size() < kMaxRebuildFailures) s.failures.push_back(old.id + ": " + st.ToString());
      } else if (fresh[i].ToJsonLine() == old.ToJsonLine()) {
        s.unchanged++;
      } else {
        s.changed++;
        uint64_t before = CountWords(old.text), after = CountWords(fresh[i].text);
        if (after > before) s.words_gained += after - before;
        else s.words_lost += before - after;
        old = std::move(fresh[i]);
      }
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
      if (batch.size() < 256) return true;
      visited = transform(&batch);
      batch.clear();
      return visited.ok();
    });
    if (s.ok()) s = visited;
    if (s.ok() && !batch.empty()) s = transform(&batch);
  } else {
    CompactionTransform first_pass;
    first_pass.transform = transform;
    s = CompactStore(store, options.dedup, &report->compaction, first_pass);
  }
  for (auto& [name, src] : by_source) {
    report->sources.push_back(std::move(src));
    report->sources.back().name = name;
  }
  report->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return s;
}

}  // namespace alcor
