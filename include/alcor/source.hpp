// Source modules (docs/architecture.md "Sources and the scrape pipeline"): a source fetches
// documents from one kind of service through the run's HttpClient and emits them as RawDocuments
// (alcor/convert.hpp). It never writes files, never converts and never touches libcurl. The
// pipeline (alcor/pipeline.hpp) converts each document to a Record on a normalizer worker
// (Convert), passes it through the deduplicator and stores it; it commits a source's cursor
// (Checkpoint) only once every document emitted before it is in a published shard.
//
// A kind (alcor/source_config.hpp: its name, its typed keys, how to create an instance) is
// registered by one line in src/sources/registry.cpp; `alcor sources` lists the kinds and
// `alcor scrape --config` builds one Source per configured instance.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "alcor/convert.hpp"
#include "alcor/http.hpp"
#include "alcor/record.hpp"
#include "alcor/status.hpp"

namespace alcor {

class Env;

// ---------------------------------------------------------------------------------------------
// What a running source sees

// What a source is doing, as it says itself (SourceContext::SetPhase): paging through lists (a
// feed, API result pages, sitemaps, search results) or fetching the pages or files of single
// items. The progress display of `alcor scrape` shows it, unless the HTTP client holds the
// source's requests back (Crawl-delay, throttled, backing off: alcor/http.hpp HttpObserver).
enum class SourcePhase { kStarting, kListing, kFetchingPages };
// "starting", "listing", "fetching pages".
const char* SourcePhaseName(SourcePhase phase);

// Adds n to the number under key in the object *notes (absent or not a number: 0 first). A sum
// that is a whole number is stored as an integer, so counts print as counts. The one rule behind
// every SourceContext::AddToNote.
void AddToNoteNumber(nlohmann::json* notes, const std::string& key, double n);

class SourceContext {
 public:
  virtual ~SourceContext() = default;

  // The configured instance name (records' `source`).
  virtual const std::string& source_name() const = 0;
  // The run's HTTP client. Shared by every source; thread safe. Fetch from the source's thread.
  virtual HttpClient& http() = 0;
  virtual Env* env() = 0;

  // Hands a document to the pipeline; blocks while its queue is full. Returns Interrupted when the
  // run is stopping (a signal, or this source reached its --limit): return from Run promptly.
  virtual Status Emit(RawDocument doc) = 0;

  // The committed contents of this source's state `name` (kept per source instance, so two
  // instances of one kind never share a cursor). NotFound on a first run.
  virtual Result<std::string> ReadState(const std::string& name) = 0;
  // Sets state `name` to contents once every document emitted before this call is stored (or
  // failed conversion, or was merged or unchanged): it goes into the same store commit as those
  // documents or a later one, never an earlier one. A killed run therefore resumes from a cursor
  // that covers only what is stored. Not committed in --dry-run.
  virtual void Checkpoint(const std::string& name, std::string contents) = 0;

  // True once the run is stopping; long loops check it between requests.
  virtual bool stopping() const = 0;

  // `alcor scrape --refresh-metadata SOURCE`: re-list the whole history, not only the recent
  // items, and emit the items met again with RawDocument::update_metadata, so that the stored
  // records' karma, tags and the like are brought up to date. Only kinds with
  // SourceKind::refreshes_metadata are asked.
  virtual bool refresh_metadata() const { return false; }

  // Report counters (runs/<run-id>.json, per source).
  // Items found unchanged since the last run (304, or a version already stored) and not emitted.
  virtual void CountUnchanged(uint64_t n = 1) = 0;
  // The source waited this long because a service asked it to slow down (429 or 503) and the
  // HTTP client's own retries were not enough: counted with the client's throttled waits
  // (HttpObserver) in the report's "throttled" figures.
  virtual void CountThrottled(int64_t waited_micros) = 0;
  // One item failed (what: its URL or id); the source goes on with the others.
  virtual void ReportFailure(const std::string& what, const Status& why) = 0;
  // An item left out on purpose, not a failure (a file of no supported type in a folder of
  // books): a note for the log.
  virtual void ReportSkipped(const std::string& what, const std::string& why) { Log("skipped " + what + ": " + why); }
  // A note for the log (info level), prefixed with the source name.
  virtual void Log(const std::string& message) = 0;
  // Facts of this run the source states for the run report (runs/<run-id>.json, per source,
  // object "notes"): a decision it made ({"feed": "summary-only"}), a figure of its own
  // ("throttled_seconds"). SetNote replaces the key's value; AddToNote adds n to the key's number
  // (0 when absent). Keys are snake_case and documented with the kind in docs/sources.md.
  virtual void SetNote(const std::string& key, nlohmann::json value) = 0;
  virtual void AddToNote(const std::string& key, double n) = 0;

  // What the source is doing now (for the progress display; no other effect). Thread safe.
  void SetPhase(SourcePhase phase) { phase_.store(phase, std::memory_order_relaxed); }
  SourcePhase phase() const { return phase_.load(std::memory_order_relaxed); }

 private:
  std::atomic<SourcePhase> phase_{SourcePhase::kStarting};
};

// The raw archive's capture of an HTTP answer (RawDocument::capture): its final URL, status,
// headers and body, with is_body as given. Call before moving the body out of the response.
std::shared_ptr<const RawCapture> CaptureOf(const HttpResponse& response, bool is_body = true);

// Sets ctx's phase for a scope (fetching one item's page amid a listing) and restores the one
// before at its end.
class ScopedSourcePhase {
 public:
  ScopedSourcePhase(SourceContext& ctx, SourcePhase phase) : ctx_(ctx), previous_(ctx.phase()) { ctx.SetPhase(phase); }
  ~ScopedSourcePhase() { ctx_.SetPhase(previous_); }
  ScopedSourcePhase(const ScopedSourcePhase&) = delete;
  ScopedSourcePhase& operator=(const ScopedSourcePhase&) = delete;

 private:
  SourceContext& ctx_;
  SourcePhase previous_;
};

// One configured source instance.
class Source {
 public:
  virtual ~Source() = default;
  // Fetches and emits documents until done or ctx.stopping(). Failures of single items go to
  // ctx.ReportFailure. A returned error means the source as a whole failed (the service refused
  // us, its API changed): the run reports it and goes on with the other sources; documents
  // emitted before are still stored. Return OK (or Interrupted) when stopping.
  virtual Status Run(SourceContext& ctx) = 0;
};

}  // namespace alcor
