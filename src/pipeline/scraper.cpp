// The scrape pipeline (alcor/pipeline.hpp): source threads → normalizer workers → one writer.
#include <algorithm>
#include <chrono>
#include <map>
#include <new>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>

#include <spdlog/spdlog.h>
#ifdef __GLIBC__
#include <malloc.h>  // malloc_trim
#endif

#include "alcor/dates.hpp"
#include "alcor/env.hpp"
#include "alcor/log.hpp"
#include "alcor/pipeline.hpp"
#include "alcor/suggest.hpp"
#include "alcor/url.hpp"
#include "alcor/raw_archive.hpp"
#include "alcor/warc.hpp"
#include "pipeline/bounded_queue.hpp"
#include "pipeline/counting_http_client.hpp"
#include "pipeline/raw_capture.hpp"

namespace alcor {

namespace {

constexpr size_t kMaxFailureReasons = 20;

struct WorkItem {
  size_t source = 0;
  uint64_t seq = 0;
  uint64_t met = 0;  // DocumentOutcome::sequence
  RawDocument doc;
};

// The compressed WARC record of an answer several documents share (a GraphQL page), made once, by
// the first normalizer worker that meets it, so that the writer thread only appends it.
struct SharedMember {
  std::once_flag made;
  std::string member;
  std::string record_id;
};

// The SharedMember of each of the last answers met, by address. An entry does not keep its answer
// alive (the answer's bytes go with its last document); it is taken only while its answer still
// lives, so an address reused by a later answer is never mistaken for it. Bounded: the documents
// of one answer arrive together; an answer met again after its entry went is compressed again, and
// the writer still stores it once. Thread-safe.
class SharedMembers {
 public:
  std::shared_ptr<SharedMember> For(const std::shared_ptr<const RawCapture>& capture) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = entries_.find(capture.get());
    if (it != entries_.end() && it->second.first.lock() == capture) return it->second.second;
    if (it == entries_.end() && order_.size() >= kMax) {
      entries_.erase(order_.front());
      order_.erase(order_.begin());
    }
    if (it == entries_.end()) order_.push_back(capture.get());
    auto member = std::make_shared<SharedMember>();
    entries_[capture.get()] = {capture, member};
    return member;
  }

 private:
  static constexpr size_t kMax = 16;
  std::mutex mu_;
  std::unordered_map<const RawCapture*, std::pair<std::weak_ptr<const RawCapture>, std::shared_ptr<SharedMember>>> entries_;
  std::vector<const RawCapture*> order_;  // oldest first
};

struct DoneItem {
  size_t source = 0;
  uint64_t seq = 0;
  uint64_t met = 0;
  std::string what;  // RawDocument::DisplayName
  std::string id;
  bool update_metadata = false;  // RawDocument::update_metadata
  Status status;
  Record record;
  // For the raw archive: the document's own WARC record, compressed on the worker (member, its
  // WARC-Record-ID and payload digest), or the answer it shares with other documents.
  std::string raw_member;
  std::string raw_record_id;
  std::string raw_digest;
  std::shared_ptr<const RawCapture> shared_capture;
  std::shared_ptr<const SharedMember> shared_member;  // shared_capture's WARC record, compressed
};


// Compression level of the raw archive's gzip members: zlib's fast end; HTML still shrinks to
// about a fifth (docs/benchmarks.md).
constexpr int kRawGzipLevel = 3;

// Where the raw bytes of this run went, so that bytes met again are stored once: answers shared
// by several documents by address, a document's own bytes by payload digest. Bounded: past the
// cap it starts afresh (bytes met again after that are stored again, never lost).
struct RawWritten {
  static constexpr size_t kMax = 100000;
  std::unordered_map<const RawCapture*, std::pair<std::shared_ptr<const RawCapture>, RawLocation>> shared;
  std::unordered_map<std::string, RawLocation> by_digest;
  void Bound() {
    // Each entry keeps a whole answer alive (a GraphQL page): only the last few, since the
    // documents of one answer arrive together. 1024 of them held 40 MB in scripts/bench scrape.
    if (shared.size() > 16) shared.clear();
    if (by_digest.size() > kMax) by_digest.clear();
  }
};

// What the HTTP client holds back of one source's requests: counts of requests per wait, and the
// throttled waits (the server asked to slow down) with the time during which any was waiting.
class SourceWaits final : public HttpObserver {
 public:
  explicit SourceWaits(std::string name) : name_(std::move(name)) {}
  const std::string& party() const override { return name_; }
  void WaitBegan(Wait why) override {
    if (why == Wait::kThrottled) {
      std::lock_guard<std::mutex> lock(mu_);
      ++throttled_;
      if (throttled_now_++ == 0) throttled_since_ = std::chrono::steady_clock::now();
    }
    waiting_[static_cast<int>(why)]++;
  }
  void WaitEnded(Wait why) override {
    waiting_[static_cast<int>(why)]--;
    if (why == Wait::kThrottled) {
      std::lock_guard<std::mutex> lock(mu_);
      if (--throttled_now_ == 0) throttled_us_ += MicrosSince(throttled_since_);
    }
  }
  // Throttled waits so far and the time spent in them (a wait still going counts up to now).
  void Throttled(uint64_t* count, int64_t* micros) const {
    std::lock_guard<std::mutex> lock(mu_);
    *count = throttled_;
    *micros = throttled_us_ + (throttled_now_ > 0 ? MicrosSince(throttled_since_) : 0);
  }

  // The phase to show for the wait that holds the source back, "" when none does. The server's
  // own request to slow down first, then backoff after failures, then robots.txt Crawl-delay.
  std::string Phase() const {
    if (waiting_[static_cast<int>(Wait::kThrottled)] > 0) return "throttled";
    if (waiting_[static_cast<int>(Wait::kBackoff)] > 0) return "backing off";
    if (waiting_[static_cast<int>(Wait::kCrawlDelay)] > 0) return "Crawl-delay wait";
    return "";
  }

 private:
  static int64_t MicrosSince(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t).count();
  }

  const std::string name_;
  std::atomic<int> waiting_[3] = {0, 0, 0};
  mutable std::mutex mu_;
  uint64_t throttled_ = 0;      // guarded by mu_
  int throttled_now_ = 0;       // guarded by mu_
  int64_t throttled_us_ = 0;    // guarded by mu_
  std::chrono::steady_clock::time_point throttled_since_;  // guarded by mu_
};

struct PendingCheckpoint {
  uint64_t covers = 0;  // documents emitted before it: seqs [0, covers) must be done
  std::string name;
  std::string contents;
};

}  // namespace

std::string SourceStateName(const std::string& source_name, const std::string& name) {
  // File-name safe and injective: [A-Za-z0-9_-] kept, every other byte as %XX.
  static const char* kHex = "0123456789ABCDEF";
  std::string out = "source-";
  auto append = [&](const std::string& s) {
    for (unsigned char c : s) {
      if (std::isalnum(c) || c == '_' || c == '-') {
        out += static_cast<char>(c);
      } else {
        out += '%';
        out += kHex[c >> 4];
        out += kHex[c & 15];
      }
    }
  };
  append(source_name);
  out += '~';
  append(name);
  return out;
}

struct Scraper::Impl {
  class Context;

  // One configured source taking part in the run.
  struct SourceRun {
    const SourceConfig* config = nullptr;
    std::unique_ptr<Source> source;
    SourceHttpCounters http_counters;
    std::unique_ptr<SourceWaits> waits;
    std::unique_ptr<CountingHttpClient> http;
    std::unique_ptr<Context> context;
    std::thread thread;
    std::atomic<bool> finished{false};

    std::mutex mu;  // guards what follows
    SourceRunReport report;
    std::atomic<uint64_t> emitted{0};
    uint64_t met = 0;  // documents emitted, skipped or failed so far (DocumentOutcome::sequence)
    std::vector<PendingCheckpoint> pending;  // in call order
    // Writer-thread only: seqs done, as a prefix count plus the out-of-order ones.
    uint64_t done_prefix = 0;
    std::set<uint64_t> done_out_of_order;
  };

  class Context : public SourceContext {
   public:
    Context(Impl* impl, size_t index) : impl_(impl), index_(index) {}
    SourceRun& run() { return *impl_->sources[index_]; }

    const std::string& source_name() const override { return impl_->sources[index_]->config->name; }
    HttpClient& http() override { return *run().http; }
    Env* env() override { return impl_->store->env(); }

    Status Emit(RawDocument doc) override {
      SourceRun& r = run();
      if (impl_->stopping) return Status::Interrupted("the run is stopping");
      if (limit_reached()) return Status::Interrupted("--limit reached");
      if (doc.record.source.empty()) doc.record.source = r.config->name;
      if (doc.record.source_kind.empty()) doc.record.source_kind = r.config->kind;
      WorkItem item;
      item.source = index_;
      {
        std::lock_guard<std::mutex> lock(r.mu);
        item.seq = r.emitted++;
        item.met = r.met++;
        r.report.fetched++;
        r.report.input_bytes += doc.body.size() + doc.record.text.size();
      }
      item.doc = std::move(doc);
      if (!impl_->work.Push(std::move(item))) return Status::Interrupted("the run is stopping");
      return Status::OK();
    }

    Result<std::string> ReadState(const std::string& name) override {
      if (impl_->options.keep_no_state) return Status::NotFound("a one-off run keeps no state");
      std::string path = impl_->store->CurrentStateFile(SourceStateName(source_name(), name));
      if (path.empty()) return Status::NotFound("no state " + name + " for " + source_name());
      std::string text;
      ALCOR_RETURN_IF_ERROR(ReadFileToString(impl_->store->env(), path, &text, uint64_t{256} << 20));
      return SecretRegistry::Global()->Reveal(text);
    }

    // State is stored with each configured secret as its ${NAME} (ReadState puts the values back).
    void Checkpoint(const std::string& name, std::string contents) override {
      if (impl_->options.keep_no_state) return;
      contents = SecretRegistry::Global()->Conceal(contents);
      SourceRun& r = run();
      std::lock_guard<std::mutex> lock(r.mu);
      uint64_t covers = r.emitted.load();
      // A newer checkpoint of the same state covering the same documents replaces the older one,
      // so a source that checkpoints often without emitting holds one copy, not one per call.
      for (auto it = r.pending.rbegin(); it != r.pending.rend() && it->covers == covers; ++it) {
        if (it->name == name) {
          it->contents = std::move(contents);
          return;
        }
      }
      r.pending.push_back({covers, name, std::move(contents)});
    }

    bool stopping() const override { return impl_->stopping || limit_reached(); }

    bool refresh_metadata() const override {
      const std::vector<std::string>& names = impl_->options.refresh_metadata;
      return std::find(names.begin(), names.end(), impl_->sources[index_]->config->name) != names.end();
    }

    void CountUnchanged(uint64_t n) override {
      std::lock_guard<std::mutex> lock(run().mu);
      run().report.unchanged += n;
    }

    void CountThrottled(int64_t waited_micros) override {
      std::lock_guard<std::mutex> lock(run().mu);
      run().report.throttled++;
      run().report.throttled_seconds += static_cast<double>(waited_micros) / 1e6;
    }

    void ReportFailure(const std::string& what, const Status& why) override {
      if (impl_->stopping && why.IsInterrupted()) return;  // the run's own stop, not a failure
      LogFields fields;
      fields.event = "item_failed";
      fields.source = source_name();
      if (IsHttpUrl(what)) fields.url = what;
      if (why.http_status() > 0) fields.status = why.http_status();
      LogEvent(LogLevel::kWarn, fields, source_name() + ": " + what + ": " + why.ToString());
      impl_->AddFailure(run(), what + ": " + why.ToString());
      impl_->Report(Met(DocumentOutcome::Kind::kFailed, what, why.message()));
    }

    void ReportSkipped(const std::string& what, const std::string& why) override {
      Log("skipped " + what + ": " + why);
      impl_->Report(Met(DocumentOutcome::Kind::kSkipped, what, why));
    }

    void Log(const std::string& message) override {
      LogFields fields;
      fields.event = "source_note";
      fields.source = source_name();
      LogEvent(LogLevel::kInfo, fields, source_name() + ": " + message);
    }

    void SetNote(const std::string& key, nlohmann::json value) override {
      std::lock_guard<std::mutex> lock(run().mu);
      run().report.notes[key] = std::move(value);
    }

    void AddToNote(const std::string& key, double n) override {
      std::lock_guard<std::mutex> lock(run().mu);
      AddToNoteNumber(&run().report.notes, key, n);
    }

   private:
    // An outcome the source reports itself, numbered in the order the source met its documents.
    DocumentOutcome Met(DocumentOutcome::Kind kind, const std::string& what, std::string detail) {
      DocumentOutcome o;
      o.source = index_;
      o.kind = kind;
      o.what = what;
      o.detail = std::move(detail);
      std::lock_guard<std::mutex> lock(run().mu);
      o.sequence = run().met++;
      return o;
    }
    bool limit_reached() const {
      return impl_->options.limit > 0 && impl_->sources[index_]->emitted.load() >= impl_->options.limit;
    }
    Impl* impl_;
    size_t index_;
  };

  Impl(Store* s, HttpClient* h, const RunConfig& c, ScrapeOptions o)
      : store(s), shared_http(h), config(c), options(std::move(o)),
        work(QueueCapacity()), done(QueueCapacity()) {}

  size_t QueueCapacity() const { return options.queue > 0 ? options.queue : config.pipeline.queue; }

  // Hands an outcome to options.on_document, one call at a time.
  void Report(const DocumentOutcome& outcome) {
    if (!options.on_document) return;
    std::lock_guard<std::mutex> lock(outcome_mu);
    options.on_document(outcome);
  }

  void AddFailure(SourceRun& r, std::string reason) {
    std::lock_guard<std::mutex> lock(r.mu);
    r.report.failed++;
    if (r.report.failures.size() < kMaxFailureReasons) r.report.failures.push_back(std::move(reason));
  }

  Status SelectSources();
  void RunSource(size_t index);
  void RunWorker();
  Status Write(RunReport* report);
  void Account(const DoneItem& item, const DedupDecision& decision);
  void MarkDone(SourceRun& r, uint64_t seq);  // r.mu held
  void PromoteReadyCheckpoints(SourceRun& r);  // r.mu held; writer thread only
  Status CommitNow();
  // Appends the item's raw bytes to its source's archive (unless this run stored the same bytes
  // already) and points the record at them. *appended: a member was added for it.
  Status ArchiveRaw(DoneItem& item, bool* appended);
  // Reports the outcomes the commit just made true (writer thread).
  void ReportCommitted() {
    for (const DocumentOutcome& o : uncommitted) Report(o);
    uncommitted.clear();
  }
  RunReport Snapshot();

  Store* store;
  HttpClient* shared_http;
  const RunConfig& config;
  ScrapeOptions options;
  std::vector<std::unique_ptr<SourceRun>> sources;
  BoundedQueue<WorkItem> work;
  BoundedQueue<DoneItem> done;
  std::atomic<bool> stopping{false};
  std::unique_ptr<Deduplicator> dedup;
  // Checkpoints whose documents are all offered to the deduplicator: they go into the next commit.
  // Writer thread only.
  std::map<std::string, std::string> ready_state;  // logical state name → contents
  uint64_t commits = 0;
  uint64_t state_sequence = 0;
  std::mutex outcome_mu;  // serialises options.on_document
  // Stored and duplicate outcomes waiting for the commit that makes them true. Writer thread only.
  std::vector<DocumentOutcome> uncommitted;
  // The raw archive (alcor/raw_archive.hpp): kept unless the configuration says raw: "none".
  bool archive_raw = true;
  std::map<std::string, std::unique_ptr<RawArchiveWriter>> raw_writers;  // by source name; writer thread
  std::map<std::string, RawWritten> raw_written;                         // by source name; writer thread
  SharedMembers shared_members;                                          // normalizer workers
};

Status Scraper::Impl::SelectSources() {
  std::vector<std::string> names;
  for (const SourceConfig& s : config.sources) names.push_back(s.name);
  for (const std::string& only : options.only) {
    if (std::find(names.begin(), names.end(), only) == names.end()) {
      return Status::InvalidArgument("--only " + only + ": no source of that name in " + config.path +
                                     DidYouMean(only, names));
    }
  }
  for (const std::string& name : options.refresh_metadata) {
    auto s = std::find_if(config.sources.begin(), config.sources.end(),
                          [&](const SourceConfig& c) { return c.name == name; });
    if (s == config.sources.end()) {
      return Status::InvalidArgument("--refresh-metadata " + name + ": no source of that name in " + config.path +
                                     DidYouMean(name, names));
    }
    bool selected = options.only.empty() ? s->enabled
                                         : std::find(options.only.begin(), options.only.end(), name) != options.only.end();
    if (!selected) return Status::InvalidArgument("--refresh-metadata " + name + ": the source is not run (disabled or left out by --only)");
    if (!s->source_kind || !s->source_kind->refreshes_metadata) {
      return Status::InvalidArgument("--refresh-metadata " + name + ": sources of kind " + s->kind +
                                     " cannot refresh their records' metadata");
    }
  }
  for (const SourceConfig& s : config.sources) {
    bool selected = options.only.empty() ? s.enabled
                                         : std::find(options.only.begin(), options.only.end(), s.name) != options.only.end();
    if (!selected) continue;
    auto run = std::make_unique<SourceRun>();
    run->config = &s;
    run->report.name = s.name;
    run->report.kind = s.kind;
    run->waits = std::make_unique<SourceWaits>(s.name);
    run->http = std::make_unique<CountingHttpClient>(shared_http, &run->http_counters, run->waits.get());
    run->context = std::make_unique<Context>(this, sources.size());
    sources.push_back(std::move(run));
  }
  return Status::OK();
}

void Scraper::Impl::RunSource(size_t index) {
  SourceRun& r = *sources[index];
  ScopedLogSource log_source(r.config->name);
  int64_t start = store->env()->MonotonicMicros();
  Status s;
  // The kind the config was validated against: the scraper only runs the kinds its caller's
  // configuration was loaded with (alcor/config.hpp), never a global list.
  const SourceKind* kind = r.config->source_kind;
  try {
    if (!kind) {
      s = Status::InvalidArgument("source " + r.config->name + ": not validated against a kind (ValidateSourceConfig)");
    } else {
      Result<std::unique_ptr<Source>> source = kind->create(*r.config);
      if (!source.ok()) {
        s = source.status();
      } else {
        r.source = std::move(source.value());
        s = r.source->Run(*r.context);
      }
    }
  } catch (const std::exception& e) {
    s = Status::Internal(std::string("exception escaped the source: ") + e.what());
  }
  {
    std::lock_guard<std::mutex> lock(r.mu);
    r.report.seconds = static_cast<double>(store->env()->MonotonicMicros() - start) / 1e6;
    if (stopping) {
      r.report.status = "interrupted";
    } else if (!s.ok() && !(s.IsInterrupted() && r.context->stopping())) {
      r.report.status = "failed";
      r.report.error = SecretRegistry::Global()->Redact(s.ToString());
    }
  }
  if (r.report.status == "failed") {
    LogFields fields;
    fields.event = "source_failed";
    fields.source = r.config->name;
    if (s.http_status() > 0) fields.status = s.http_status();
    LogEvent(LogLevel::kError, fields, r.config->name + ": failed: " + r.report.error);
  }
  r.finished = true;
}

void Scraper::Impl::RunWorker() {
  WorkItem item;
  while (work.Pop(&item)) {
    DoneItem out;
    out.source = item.source;
    out.seq = item.seq;
    out.met = item.met;
    out.what = item.doc.DisplayName();
    out.id = item.doc.record.id;
    out.update_metadata = item.doc.update_metadata;
    if (archive_raw) {
      try {
        if (item.doc.capture && !item.doc.capture->is_body) {
          out.shared_capture = item.doc.capture;
          std::shared_ptr<SharedMember> shared = shared_members.For(item.doc.capture);
          std::call_once(shared->made, [&] {
            WarcRecord w = WarcRecordOfCapture(*item.doc.capture, store->env()->NowMicros());
            shared->member = GzipMember(SerializeWarcRecord(w), kRawGzipLevel);
            shared->record_id = std::move(w.record_id);
          });
          out.shared_member = std::move(shared);
        } else if (item.doc.capture || !item.doc.body.empty()) {
          WarcRecord w = WarcRecordOfCapture(item.doc.capture ? *item.doc.capture : BodyCaptureOf(item.doc),
                                             store->env()->NowMicros());
          out.raw_member = GzipMember(SerializeWarcRecord(w), kRawGzipLevel);
          out.raw_record_id = std::move(w.record_id);
          out.raw_digest = std::move(w.payload_digest);
        }
      } catch (const std::bad_alloc&) {
        out.raw_member.clear();  // archived without its raw bytes rather than not at all
      }
      item.doc.capture.reset();
    }
    // Failures name the document: its id, else what its source calls it (a path, a URL).
    const std::string& name = out.id.empty() ? out.what : out.id;
    try {
      out.status = Convert(std::move(item.doc), &out.record);
    } catch (const std::bad_alloc&) {
      out.status = Status::LimitExceeded(name + ": out of memory while converting it");
    } catch (const std::exception& e) {
      out.status = Status::Internal(name + ": exception escaped the conversion: " + e.what());
    }
    if (!done.Push(std::move(out))) return;
  }
}

void Scraper::Impl::MarkDone(SourceRun& r, uint64_t seq) {
  if (seq == r.done_prefix) {
    ++r.done_prefix;
    while (!r.done_out_of_order.empty() && *r.done_out_of_order.begin() == r.done_prefix) {
      r.done_out_of_order.erase(r.done_out_of_order.begin());
      ++r.done_prefix;
    }
  } else {
    r.done_out_of_order.insert(seq);
  }
  PromoteReadyCheckpoints(r);
}

void Scraper::Impl::PromoteReadyCheckpoints(SourceRun& r) {
  // Done as soon as the documents are through, not at commit time: only the newest ready copy of
  // each state is kept, so memory does not grow with the checkpoints made between two commits.
  auto it = r.pending.begin();
  while (it != r.pending.end() && it->covers <= r.done_prefix) {
    ready_state[SourceStateName(r.config->name, it->name)] = std::move(it->contents);
    ++it;
  }
  r.pending.erase(r.pending.begin(), it);
}

void Scraper::Impl::Account(const DoneItem& item, const DedupDecision& decision) {
  SourceRun& r = *sources[item.source];
  std::lock_guard<std::mutex> lock(r.mu);
  switch (decision.outcome) {
    case DedupOutcome::kNew: r.report.stored_new++; break;
    case DedupOutcome::kUnchanged: r.report.unchanged++; break;
    case DedupOutcome::kMerged:
      // Counted once the deduplicator has written the merge (Snapshot: metadata_updated, or
      // unchanged when only the text's fields came back as they were).
      if (decision.metadata_check) break;
      // The same id stored by an earlier run is a new version of it (the deduplicator keeps the
      // newer); the same id met earlier in this run (matched_this_run) is the same
      // item reached twice, such as an Alignment Forum post also listed on LessWrong.
      if (decision.reason == DedupReason::kSameId && !decision.matched_this_run) {
        r.report.updated++;
      } else {
        r.report.merged++;
      }
      break;
  }
}

Status Scraper::Impl::ArchiveRaw(DoneItem& item, bool* appended) {
  *appended = false;
  if (item.raw_member.empty() && !item.shared_capture) return Status::OK();
  const std::string& source = item.record.source;
  std::unique_ptr<RawArchiveWriter>& writer = raw_writers[source];
  if (!writer) writer = store->NewRawArchiveWriter(source);
  RawWritten& written = raw_written[source];
  written.Bound();
  RawLocation loc;
  if (item.shared_capture) {
    auto it = written.shared.find(item.shared_capture.get());
    if (it != written.shared.end()) {
      loc = it->second.second;
    } else {
      if (!item.shared_member || item.shared_member->member.empty()) return Status::OK();  // out of memory on the worker
      ALCOR_RETURN_IF_ERROR(writer->Append(item.shared_member->member, item.shared_member->record_id, &loc));
      written.shared[item.shared_capture.get()] = {item.shared_capture, loc};
      *appended = true;
    }
  } else if (auto it = written.by_digest.find(item.raw_digest); it != written.by_digest.end()) {
    loc = it->second;
  } else {
    ALCOR_RETURN_IF_ERROR(writer->Append(std::move(item.raw_member), item.raw_record_id, &loc));
    written.by_digest[item.raw_digest] = loc;
    *appended = true;
  }
  if (!item.record.metadata.is_object()) item.record.metadata = nlohmann::json::object();
  nlohmann::json raw = loc.ToJson();
  // An answer several records were taken from: `alcor rebuild` cannot convert it as the body.
  if (item.shared_capture) raw["part"] = true;
  item.record.metadata["raw"] = std::move(raw);
  return Status::OK();
}

Status Scraper::Impl::CommitNow() {
  // Checkpoints whose documents are all through the deduplicator become ready.
  for (auto& r : sources) {
    std::lock_guard<std::mutex> lock(r->mu);
    PromoteReadyCheckpoints(*r);
  }
  if (options.dry_run) {
    ready_state.clear();
    for (auto& [name, writer] : raw_writers) writer->Abandon();
    ReportCommitted();
    return Status::OK();
  }
  Transaction txn;
  for (auto& [name, writer] : raw_writers) ALCOR_RETURN_IF_ERROR(writer->Finish(&txn.raw_files));
  if (Status d = dedup->AddToTransaction(&txn); !d.ok()) {
    for (const PendingRawFile& p : txn.raw_files) store->env()->RemoveFile(p.temp_path);
    return d;
  }
  Env* env = store->env();
  Status s = env->CreateDirs(store->StateDir(), kPrivateDirMode);
  for (auto& [logical, contents] : ready_state) {
    if (!s.ok()) break;
    std::string path = JoinPath(store->StateDir(), "." + logical + "." + store->run_id() + "-" +
                                                       std::to_string(++state_sequence) + ".tmp");
    s = WriteFileAtomically(env, path, contents);
    if (s.ok()) txn.state_files[logical] = path;
  }
  if (s.ok()) s = store->Commit(&txn);
  if (!s.ok()) {
    for (const auto& [name, path] : txn.state_files) env->RemoveFile(path);
    for (const PendingRawFile& p : txn.raw_files) env->RemoveFile(p.temp_path);
    return s;
  }
  ready_state.clear();
  ++commits;
  ReportCommitted();
#ifdef __GLIBC__
  // The source, worker and writer threads allocate from separate malloc arenas; pages freed in
  // the middle of an arena are not given back on their own, and a long run's RSS would creep up
  // with fragmentation. Once per commit (every 1000 documents or 30 s) this costs little.
  malloc_trim(0);
#endif
  // Validators only now: a validator saved for a document that was not stored would make the
  // next run skip it.
  Status v = shared_http->SaveValidators();
  if (!v.ok()) spdlog::warn("could not save HTTP validators: {}", v.ToString());
  return Status::OK();
}

RunReport Scraper::Impl::Snapshot() {
  RunReport report;
  report.run_id = store->run_id();
  report.dry_run = options.dry_run;
  report.commits = commits;
  for (auto& r : sources) {
    std::lock_guard<std::mutex> lock(r->mu);
    SourceRunReport s = r->report;
    s.http_requests = r->http_counters.requests;
    s.bytes = r->http_counters.bytes;
    s.robots_skipped = r->http_counters.robots_skipped;
    uint64_t client_throttled = 0;
    int64_t client_throttled_us = 0;
    r->waits->Throttled(&client_throttled, &client_throttled_us);
    s.throttled += client_throttled;
    s.throttled_seconds += static_cast<double>(client_throttled_us) / 1e6;
    // 304 answers are unchanged items the source may not count itself.
    s.unchanged = std::max<uint64_t>(s.unchanged, r->http_counters.not_modified);
    if (dedup) {
      const DedupStats& stats = dedup->stats();
      if (auto it = stats.metadata_updated.find(s.name); it != stats.metadata_updated.end()) {
        s.metadata_updated = it->second;
      }
      if (auto it = stats.metadata_unchanged.find(s.name); it != stats.metadata_unchanged.end()) {
        s.unchanged += it->second;
      }
    }
    if (!r->finished && s.status == "ok") s.status = "running";
    if (s.status == "running") {
      s.phase = r->waits->Phase();
      if (s.phase.empty()) s.phase = SourcePhaseName(r->context->phase());
    } else {
      s.phase = s.status == "ok" ? "done" : s.status;
    }
    report.sources.push_back(std::move(s));
  }
  if (dedup) report.dedup = dedup->stats();
  for (const auto& [host, stats] : shared_http->Stats().hosts) {
    if (stats.robots_ignored) report.robots_ignored.push_back(host);
  }
  return report;
}

Status Scraper::Impl::Write(RunReport* report) {
  Env* env = store->env();
  int64_t last_commit = env->MonotonicMicros();
  int64_t last_progress = 0;
  uint64_t since_commit = 0;
  Status failure;
  DoneItem item;
  while (true) {
    auto r = done.PopFor(&item, std::chrono::milliseconds(200));
    if (r == BoundedQueue<DoneItem>::PopResult::kClosed) break;
    if (r == BoundedQueue<DoneItem>::PopResult::kItem && failure.ok()) {
      SourceRun& run = *sources[item.source];
      DocumentOutcome outcome;
      outcome.source = item.source;
      outcome.sequence = item.met;
      outcome.what = item.what;
      if (!item.status.ok()) {
        AddFailure(run, item.status.ToString());
        LogFields fields;
        fields.event = "conversion_failed";
        fields.source = run.config->name;
        LogEvent(LogLevel::kWarn, fields, run.config->name + ": " + item.status.ToString());
        outcome.detail = item.status.message();
        Report(outcome);
      } else if (item.record.id.empty()) {
        AddFailure(run, "a document without an id");
        outcome.detail = "a document without an id";
        Report(outcome);
      } else {
        outcome.id = item.record.id;
        DedupDecision decision;
        bool appended = false;
        Status s = archive_raw ? ArchiveRaw(item, &appended) : Status::OK();
        const std::string source = item.record.source;
        if (s.ok()) s = dedup->Offer(std::move(item.record), &decision, {.update_metadata = item.update_metadata});
        // Bytes of a document found unchanged are not kept again.
        if (s.ok() && appended && decision.outcome == DedupOutcome::kUnchanged) {
          raw_writers[source]->DropLast();
          RawWritten& written = raw_written[source];
          if (item.shared_capture) written.shared.erase(item.shared_capture.get());
          else written.by_digest.erase(item.raw_digest);
        }
        if (!s.ok()) {
          failure = s;  // the store failed: stop the run
          stopping = true;
          shared_http->Cancel();
        } else {
          Account(item, decision);
          outcome.kind = decision.outcome == DedupOutcome::kNew ? DocumentOutcome::Kind::kStored
                                                                : DocumentOutcome::Kind::kDuplicate;
          outcome.detail = decision.ToString();
          if (options.on_document) uncommitted.push_back(std::move(outcome));
        }
      }
      std::lock_guard<std::mutex> lock(run.mu);
      MarkDone(run, item.seq);
      ++since_commit;
    }
    int64_t now = env->MonotonicMicros();
    if (failure.ok() && (since_commit >= options.commit_every_documents ||
                         now - last_commit >= static_cast<int64_t>(options.commit_every_seconds * 1e6))) {
      Status s = CommitNow();
      if (!s.ok()) {
        failure = s;
        stopping = true;
        shared_http->Cancel();
      }
      since_commit = 0;
      last_commit = now;
    }
    if (options.on_progress && now - last_progress >= 500000) {
      options.on_progress(Snapshot());
      last_progress = now;
    }
  }
  if (failure.ok()) failure = CommitNow();
  if (options.dry_run || !failure.ok()) dedup->Abandon();
  for (auto& [name, writer] : raw_writers) writer->Abandon();
  *report = Snapshot();
  return failure;
}

Scraper::Scraper(Store* store, HttpClient* http, const RunConfig& config, ScrapeOptions options)
    : impl_(std::make_unique<Impl>(store, http, config, std::move(options))) {}

Scraper::~Scraper() = default;

void Scraper::RequestStop() {
  if (impl_->stopping.exchange(true)) return;
  impl_->shared_http->Cancel();
}

Status Scraper::Run(RunReport* report) {
  Impl& m = *impl_;
  Env* env = m.store->env();
  int64_t start_micros = env->NowMicros();
  int64_t start = env->MonotonicMicros();
  report->run_id = m.store->run_id();
  report->started_at = FormatRfc3339Utc(start_micros / 1000000);
  report->dry_run = m.options.dry_run;
  ALCOR_RETURN_IF_ERROR(m.SelectSources());
  m.archive_raw = m.config.raw == RawRetention::kAll;
  DedupOptions dedup_options = m.config.dedup;
  // The run report needs only DedupDecision::matched_this_run; keeping the ids of every document
  // of the run would make memory grow with the run.
  dedup_options.max_remembered_ids = 0;
  ALCOR_RETURN_IF_ERROR(Deduplicator::Open(m.store, dedup_options, &m.dedup));

  int workers = m.options.workers > 0 ? m.options.workers : m.config.pipeline.workers;
  if (workers <= 0) workers = std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::thread> worker_threads;
  for (int i = 0; i < workers; ++i) worker_threads.emplace_back([&m] { m.RunWorker(); });
  for (size_t i = 0; i < m.sources.size(); ++i) {
    m.sources[i]->thread = std::thread([&m, i] { m.RunSource(i); });
  }
  // Closes the stages in order once the sources are done: work queue, then the done queue.
  std::thread closer([&] {
    for (auto& r : m.sources) r->thread.join();
    m.work.Close();
    for (std::thread& t : worker_threads) t.join();
    m.done.Close();
  });
  Status s = m.Write(report);
  if (!s.ok()) {
    // A failed store: unblock sources and workers so the closer can finish.
    m.stopping = true;
    m.work.Close();
    m.done.Close();
  }
  closer.join();
  report->run_id = m.store->run_id();
  report->started_at = FormatRfc3339Utc(start_micros / 1000000);
  report->finished_at = FormatRfc3339Utc(env->NowMicros() / 1000000);
  report->seconds = static_cast<double>(env->MonotonicMicros() - start) / 1e6;
  report->interrupted = m.stopping && s.ok();
  if (!s.ok()) {
    report->error = s.ToString();
    return s;
  }
  if (report->interrupted) return Status::Interrupted("interrupted: committed what was processed");
  return Status::OK();
}

}  // namespace alcor
