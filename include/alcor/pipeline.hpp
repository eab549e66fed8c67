// The scrape pipeline (`alcor scrape`): configured sources run concurrently, each on its own
// thread (they mostly wait on the network); their documents go through a bounded queue to the
// normalizer workers (one per core by default), then through a second bounded queue to one
// writer thread that offers them to the deduplicator and commits. Memory therefore stays flat
// however large the run (the dedup index aside).
//
// Crash safety: a source's Checkpoint (its cursor) is committed in the same Store::Commit as
// the documents emitted before it, or a later one, never an earlier one. A run killed at any
// moment and run again ends with the same records as an uninterrupted run: what was committed
// is not fetched again (the cursor covers it), what was not committed is fetched again, and the
// deduplicator keeps a document that was stored once from being stored twice.
//
// Stopping: RequestStop (SIGINT/SIGTERM) makes Emit fail with Interrupted and cancels the HTTP
// client; the writer drains what is queued, commits it with the checkpoints it covers, and Run
// returns Interrupted within a few seconds.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "alcor/config.hpp"
#include "alcor/dedup.hpp"
#include "alcor/http.hpp"
#include "alcor/source.hpp"
#include "alcor/status.hpp"
#include "alcor/store.hpp"

namespace alcor {

// Per-source figures of one run (runs/<run-id>.json and the end-of-run summary).
struct SourceRunReport {
  std::string name;
  std::string kind;
  std::string status = "ok";  // ok, failed, interrupted, skipped (not run)
  std::string error;          // why it failed, when it did
  uint64_t fetched = 0;       // documents the source emitted
  uint64_t stored_new = 0;    // stored as new records
  uint64_t updated = 0;       // items stored by an earlier run, met again with changes (a new
                              // version, or new URLs): the stored record is updated
  uint64_t unchanged = 0;     // found unchanged (304, known version, same text)
  // Items stored by an earlier run whose text is the same but whose other fields (karma, votes,
  // tags, comment count) changed: the stored record was replaced (RawDocument::update_metadata).
  uint64_t metadata_updated = 0;
  uint64_t merged = 0;        // duplicates merged into another record: the same item reached twice
                              // in this run, or the same or nearly the same text under another id
  uint64_t robots_skipped = 0;
  // Waits because a service asked to slow down (429, 503, Retry-After): the HTTP client's retries
  // and the source's own waits, and the seconds they took.
  uint64_t throttled = 0;
  double throttled_seconds = 0;
  uint64_t failed = 0;        // items that failed (fetch, conversion)
  std::vector<std::string> failures;  // the first reasons (capped)
  uint64_t http_requests = 0;
  uint64_t bytes = 0;         // HTTP body bytes received for this source
  uint64_t input_bytes = 0;   // bytes of documents handed to conversion
  double seconds = 0;
  nlohmann::json notes = nlohmann::json::object();  // SourceContext::SetNote/AddToNote
  // What the source is doing, for the progress display only (not in the JSON): while running,
  // the wait the HTTP client holds it in ("throttled", "backing off", "Crawl-delay wait"), else
  // its own SourcePhaseName ("starting", "listing", "fetching pages"); once ended "done",
  // "failed" or "interrupted".
  std::string phase;

  nlohmann::json ToJson() const;
};

struct RunReport {
  std::string run_id;
  std::string command = "scrape";  // the command that ran the pipeline: "scrape" or "ingest"
  std::string started_at;  // RFC 3339 UTC
  std::string finished_at;
  bool dry_run = false;
  bool interrupted = false;
  std::string error;  // a run-level failure (store commit), "" when none
  std::vector<SourceRunReport> sources;
  DedupStats dedup;
  // Hosts whose robots.txt was not consulted (http.hosts.<host>.robots: "ignore") and that this
  // run contacted; "robots_ignored" in the JSON, only when there are any.
  std::vector<std::string> robots_ignored;
  uint64_t commits = 0;
  double seconds = 0;

  bool any_source_failed() const;
  nlohmann::json ToJson() const;
  // The end-of-run summary for people: a table of the sources and their total, then the failures.
  // Its lines fit `columns` (the table always; a message line breaks at spaces, and only a single
  // word longer than the width, such as a URL, may exceed it). Columns that are 0 for every
  // source are left out (fetched, new and failed always stay); a name too long for its column
  // has a line of its own above its figures.
  std::string Summary(int columns = 80) const;

  // The live progress display, as lines of fewer than `columns` characters (never wrapped: what
  // does not fit is cut), at most max_lines of them: a header, one row per source (its phase,
  // HTTP requests, documents, new records, failures; more figures on a wide terminal) and a total
  // with the time elapsed since the run started. When the sources do not fit, the running ones
  // come first and a last row says how many more there are.
  std::vector<std::string> ProgressLines(int columns, int max_lines, double elapsed_seconds) const;
};

// A duration for people, at most 6 characters: "12.3s", "5m07s", "2h03m".
std::string FormatDuration(double seconds);

// What became of one document a source met (ScrapeOptions::on_document).
struct DocumentOutcome {
  enum class Kind {
    kStored,     // stored as a new record
    kDuplicate,  // merged into a record or found unchanged (detail: DedupDecision::ToString())
    kSkipped,    // left out on purpose (SourceContext::ReportSkipped; detail: why)
    kFailed,     // SourceContext::ReportFailure, or the conversion failed (detail: the message)
  };
  size_t source = 0;  // index of the source instance in RunReport::sources
  // The order in which the source met its documents: emitted, skipped and failed ones counted
  // together, from 0. Outcomes arrive out of that order (conversion runs on several workers).
  uint64_t sequence = 0;
  Kind kind = Kind::kFailed;
  std::string what;    // the document (RawDocument::DisplayName), or the `what` the source reported
  std::string id;      // the record's id (stored, duplicate)
  std::string detail;  // see Kind
};

struct ScrapeOptions {
  std::vector<std::string> only;  // run only these source names (empty: every enabled source)
  uint64_t limit = 0;             // documents per source (0: no limit)
  bool dry_run = false;           // fetch and process, commit nothing
  int workers = 0;                // normalizer threads (0: from the config, else one per core)
  size_t queue = 0;               // queue capacity (0: from the config)
  // A commit is made after this many documents or this many seconds, whichever first, so a long
  // run's progress is durable as it goes.
  uint64_t commit_every_documents = 1000;
  double commit_every_seconds = 30;
  // Called about twice a second from the writer thread with the figures so far (progress
  // display); may be empty.
  std::function<void(const RunReport&)> on_progress;
  // Called once per document a source emitted, skipped or failed (may be empty). A stored or
  // duplicate outcome is reported only after the commit that made it durable (in a dry run, once
  // decided), so a document a failed commit lost is never reported; skipped and failed ones as
  // they happen. Calls come from the pipeline's threads, one at a time, in no particular order
  // (sort by source and sequence for the order the sources met them). A document the run
  // dropped while stopping on a store failure gets no outcome.
  std::function<void(const DocumentOutcome&)> on_document;
  // Sources (by name) that re-list their whole history to bring the stored records' metadata up
  // to date (`alcor scrape --refresh-metadata SOURCE`; SourceContext::refresh_metadata). Each must
  // be a selected source of a kind that can (SourceKind::refreshes_metadata), else Run fails with
  // InvalidArgument.
  std::vector<std::string> refresh_metadata;
  // A one-off run (`alcor ingest`): sources start without state (ReadState is NotFound) and their
  // checkpoints are dropped, so its instances never read or overwrite a configured source's cursor.
  bool keep_no_state = false;
};

// Runs the sources of config into store. REQUIRES: store open for writing (also in dry-run:
// shards are written to temporary files and abandoned), http and store outlive the Scraper.
class Scraper {
 public:
  Scraper(Store* store, HttpClient* http, const RunConfig& config, ScrapeOptions options);
  ~Scraper();

  // Runs every selected source to its end. Returns OK when the run completed (sources may have
  // failed: see report), Interrupted after RequestStop, InvalidArgument for an unknown --only
  // name, or the store's error when a commit failed (the store stays valid; nothing is lost
  // that was committed). report is filled in every case.
  Status Run(RunReport* report);

  // Thread safe, async-signal unsafe: call from a normal thread (see SignalWatcher).
  void RequestStop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The logical store state name of a source instance's state `name` (file-name safe).
std::string SourceStateName(const std::string& source_name, const std::string& name);

// Turns SIGINT and SIGTERM into a call of on_signal on a normal thread (so it may lock and
// allocate). While a watcher lives, the signals do not kill the process. One at a time.
class SignalWatcher {
 public:
  explicit SignalWatcher(std::function<void(int signal)> on_signal);
  ~SignalWatcher();
  // The first signal received (0: none).
  int received() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace alcor
