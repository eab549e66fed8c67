// The arxiv source module: papers' metadata from Semantic Scholar's batch endpoint (per paper the
// arXiv abs page where that fails or lacks a field) or, when an operator chooses `metadata: api`,
// from the arXiv query API; discovery through Semantic Scholar search (or the API's
// search_query); their full text from the arXiv site (LaTeXML HTML, else the PDF, else the
// abstract); and the arXiv papers they cite (Semantic Scholar references, else the .bbl/.bib of
// the e-print), breadth first up to citations.max_depth, through the gates min_cited_by,
// keywords and categories. docs/sources.md "arxiv".
//
// Politeness: every arXiv request of a run (API, abs, html, pdf, e-print) is made from the
// source's one thread, one at a time, request_interval_s from the end of one to the start of the
// next, on top of the HTTP client's per-host rules (robots.txt and its Crawl-delay included).
// Semantic Scholar's 429 and 503 answers are waited out (Retry-After, else backoff) up to
// citations.throttle_wait_s per run; what could not be had then waits in the state.
//
// State (one JSON document, "papers"): the version of every paper emitted, its citation depth and
// whether its references were followed (those not followed are retried by the next run), each
// query's cursor (the newest `updated` seen by its last complete pass), and the queue of cited
// papers not yet fetched (budget, gates, throttling or interruption). It is checkpointed only
// after the documents it covers were emitted.
#include <algorithm>
#include <cctype>
#include <limits>
#include <optional>
#include <map>
#include <memory>
#include <set>

#include <nlohmann/json.hpp>

#include "alcor/arxiv.hpp"
#include "alcor/dates.hpp"
#include "alcor/env.hpp"
#include "alcor/json.hpp"
#include "alcor/pdf.hpp"
#include "alcor/secrets.hpp"
#include "alcor/source.hpp"
#include "alcor/source_config.hpp"
#include "alcor/strings.hpp"
#include "alcor/url.hpp"
#include "alcor/warc.hpp"
#include "sources/arxiv/arxiv_atom.hpp"
#include "sources/arxiv/arxiv_meta.hpp"
#include "sources/arxiv/arxiv_refs.hpp"
#include "sources/arxiv/arxiv_text.hpp"

namespace alcor {

namespace {

using json = nlohmann::json;

constexpr const char* kStateName = "papers";
constexpr size_t kIdBatch = 50;           // ids per id_list or paper/batch request
constexpr int kMaxReferencePages = 20;    // Semantic Scholar pages per paper
constexpr int64_t kS2SearchLimit = 100;   // results per paper/search request (the API's cap)
constexpr int64_t kS2SearchWindow = 1000;  // offset + limit of paper/search stay below this
constexpr int64_t kFirstBackoffUs = 1000000;  // wait after a 429/503 without Retry-After, doubling
constexpr int64_t kMaxBackoffUs = 60000000;
constexpr int64_t kMinThrottleWaitUs = 100000;  // even after "Retry-After: 0": no busy loop
constexpr int kCheckpointEvery = 20;       // papers between checkpoints

// True for a Semantic Scholar answer asking us to slow down, which is not a failure: the work
// waits for later in the run or for the next run.
bool IsThrottled(const Status& s) { return s.http_status() == 429 || s.http_status() == 503; }

// What the source runs with, filled by CreateArxivSource from the kind's keys (ArxivKeys below,
// which hold every default).
struct ArxivSettings {
  std::string api_url, base_url, s2_url;
  bool metadata_from_api = false;  // metadata: "api" (the arXiv query API) or "semanticscholar"
  std::vector<std::string> ids, queries;
  std::string seed_file;  // resolved against the config's directory; "" when none
  std::string date_from, date_to;  // YYYYMMDD, "" when open
  std::string day_from, day_to;    // YYYY-MM-DD, "" when open
  int64_t page_size = 0, max_results = 0, empty_page_retries = 0;
  double interval_s = 0;
  bool html = false, pdf = false;
  BibliographyMode bibliography = BibliographyMode::kKeep;
  uint64_t max_document_bytes = 0;
  // Citations.
  int64_t max_depth = 0, max_papers = 0, s2_page_size = 0, min_cited_by = 1;
  int64_t throttle_wait_us = 0;
  std::string api_key;
  std::vector<std::string> categories, keywords;
  bool eprint_fallback = false;
  uint64_t max_eprint_bytes = 0;
};

bool Blank(std::string_view text) { return text.find_first_not_of(" \t\r\n") == std::string_view::npos; }

// What Convert does last to a paper's record (RawDocument::finish): the abstract (fallback) when
// the full text converted to (almost) nothing, else the bibliography handled as mode says. A
// dropped bibliography is noted (metadata.bibliography), so that `alcor rebuild` drops it again.
std::function<Status(Record*)> FinishStep(BibliographyMode mode, std::string fallback) {
  return [mode, fallback = std::move(fallback)](Record* rec) {
    if (Blank(rec->text) || rec->text.size() < 16) {
      // The page converted to (almost) nothing: the abstract rather than an empty record.
      rec->text = fallback.empty() ? rec->id + " (no text)" : fallback;
      rec->metadata["text_from"] = "abstract";
      rec->metadata["text_error"] = "the full text converted to no text";
      return Status::OK();
    }
    if (rec->metadata.value("text_from", "") != "abstract" && ApplyBibliographyMode(&rec->text, mode) &&
        mode == BibliographyMode::kDrop)
      rec->metadata["bibliography"] = "dropped";
    return Status::OK();
  };
}

// The message of an Atom error entry when the client's error message carries it in its body
// excerpt (short bodies only).
std::string ErrorEntryMessage(std::string_view m) {
  size_t open = m.find("<summary>");
  if (open == std::string::npos) return "";
  size_t close = m.find("</summary>", open);
  if (close == std::string::npos) return "";
  return std::string(m.substr(open + 9, close - open - 9));
}

struct PaperState {
  int version = 0;
  bool refs_done = false;
  int depth = 0;
};

struct Queued {
  int depth = 0;
  std::set<std::string> cited_by;  // record ids
};

class ArxivSource : public Source {
 public:
  explicit ArxivSource(ArxivSettings settings) : s_(std::move(settings)) {}
  Status Run(SourceContext& ctx) override;

 private:
  // --- state ---
  void LoadState();
  void Checkpoint();
  void MaybeCheckpoint();

  // --- requests ---
  // Fetches an arXiv URL (API or base_url), keeping every arXiv request of the run sequential,
  // each starting request_interval_s after the previous one ended.
  Result<HttpResponse> ArxivGet(const std::string& url, bool raw = false, uint64_t max_bytes = 0,
                                bool error_responses = false);
  // One API page. Spurious empty pages (no entries although the total says there are more)
  // are asked again up to empty_page_retries times.
  Result<ArxivFeed> FetchFeed(const std::string& url, int64_t start, int64_t known_total);
  // What the API (or Semantic Scholar and the abs pages) answered for a list of ids.
  struct IdAnswer {
    std::vector<ArxivEntry> entries;  // latest versions
    std::vector<std::string> missing;  // ids arXiv did not return
    std::vector<std::pair<std::string, Status>> rejected;  // ids the API refused, with its error
    // Ids whose metadata could not be read (a bad answer, an abs page without meta tags), with
    // the reason: reported per paper.
    std::vector<std::pair<std::string, Status>> unreadable;
  };
  // Entries for ids, added to *answer: from the API or from Semantic Scholar and abs pages.
  // A throttled Semantic Scholar (IsThrottled) fails the whole call: the ids wait.
  Status FetchByIds(const std::vector<std::string>& ids, IdAnswer* answer);
  Status FetchByIdsFromApi(const std::vector<std::string>& ids, IdAnswer* answer);
  Status FetchByIdsFromS2(const std::vector<std::string>& ids, IdAnswer* answer);
  // A paper's metadata completed from its abs page (what Semantic Scholar said, if anything, is
  // kept; `why` is why the page was needed). NotFound for a 404.
  Result<ArxivEntry> CompleteFromAbs(const std::string& id, const std::optional<ArxivEntry>& partial,
                                     const std::string& why);
  // A Semantic Scholar request: its 429 and 503 answers are waited out (Retry-After, else
  // backoff) while the run's throttle_wait_s lasts, then it fails with that status (IsThrottled).
  // Other final answers of 400 and above fail as Status::Http with the API's error message.
  Result<HttpResponse> S2Fetch(HttpRequest request);
  // The arXiv ids a paper cites; *from is "semanticscholar" or "eprint".
  Status FetchReferences(const ArxivEntry& entry, std::vector<std::string>* ids, std::string* from);
  // *unknown: a 404 (Semantic Scholar knows nothing of the paper); *items: references listed,
  // arXiv or not.
  Status ReferencesFromS2(const std::string& id, std::vector<std::string>* ids, bool* unknown, size_t* items);
  Status ReferencesFromEprint(const ArxivEntry& entry, std::vector<std::string>* ids);

  // --- papers ---
  Status RunSeeds();
  Status RunQuery(const std::string& query);
  Status RunQueryS2(const std::string& query);
  // References of papers stored by earlier runs whose references could not be had then.
  Status RunPendingReferences();
  Status RunCitationLevel(int depth);
  // Fetches (unless unchanged), emits, and queues the references of one paper.
  Status ProcessEntry(const ArxivEntry& entry, int depth, const std::set<std::string>& cited_by);
  void Enqueue(const std::vector<std::string>& refs, int depth, const std::string& citer);
  // The gates a cited paper passed (its record's "citation_gate"), or nullopt when it is outside
  // the categories or keywords.
  std::optional<json> PassesGate(const ArxivEntry& entry, size_t cited_by) const;
  RawDocument BuildDocument(const ArxivEntry& entry, int depth, const std::set<std::string>& cited_by,
                            const std::vector<std::string>* refs, const std::string& refs_from);
  void AttachText(const ArxivEntry& entry, RawDocument* doc);

  ArxivSettings s_;
  SourceContext* ctx_ = nullptr;
  std::map<std::string, PaperState> papers_;
  std::map<std::string, std::string> cursors_;
  std::set<std::string> visited_;                  // papers looked at in this run
  std::vector<std::map<std::string, Queued>> queue_;  // queue_[d]: cited papers waiting at depth d
  int64_t cited_fetched_ = 0;
  int64_t gated_ = 0;
  int since_checkpoint_ = 0;
  int64_t throttle_waited_us_ = 0;   // Semantic Scholar throttling waited out in this run
  bool throttle_budget_spent_ = false;
  bool eprint_refused_logged_ = false;
  int64_t last_arxiv_us_ = 0;
  std::map<std::string, json> gate_reasons_;  // why each cited paper of this run was taken
};

// ---------------------------------------------------------------------------------------------
// State

void ArxivSource::LoadState() {
  Result<std::string> text = ctx_->ReadState(kStateName);
  if (!text.ok()) return;
  Result<json> parsed = ParseJson(text.value(), "state");
  json j = parsed.ok() ? std::move(parsed).value() : json();
  if (!j.is_object()) {
    ctx_->Log("stored state is not readable JSON; starting afresh");
    return;
  }
  if (j.contains("papers") && j["papers"].is_object()) {
    for (const auto& [id, v] : j["papers"].items()) {
      if (!v.is_object()) continue;
      PaperState p;
      p.version = v.value("v", 0);
      p.refs_done = v.value("r", false);
      p.depth = v.value("d", 0);
      papers_[id] = p;
    }
  }
  if (j.contains("queries") && j["queries"].is_object()) {
    for (const auto& [q, c] : j["queries"].items())
      if (c.is_string()) cursors_[q] = c.get<std::string>();
  }
  if (j.contains("pending") && j["pending"].is_array()) {
    for (const json& p : j["pending"]) {
      if (!p.is_object() || !p.contains("id") || !p["id"].is_string()) continue;
      int depth = p.value("depth", 1);
      if (depth < 1 || depth > s_.max_depth) continue;
      if (queue_.size() <= static_cast<size_t>(depth)) queue_.resize(depth + 1);
      Queued& q = queue_[depth][p["id"].get<std::string>()];
      q.depth = depth;
      if (p.contains("cited_by") && p["cited_by"].is_array())
        for (const json& c : p["cited_by"])
          if (c.is_string()) q.cited_by.insert(c.get<std::string>());
    }
  }
}

void ArxivSource::Checkpoint() {
  json papers = json::object();
  for (const auto& [id, p] : papers_) papers[id] = {{"v", p.version}, {"r", p.refs_done}, {"d", p.depth}};
  json queries = json::object();
  for (const auto& [q, c] : cursors_) queries[q] = c;
  json pending = json::array();
  for (size_t d = 0; d < queue_.size(); ++d) {
    for (const auto& [id, q] : queue_[d]) {
      pending.push_back({{"id", id}, {"depth", d}, {"cited_by", json(std::vector<std::string>(q.cited_by.begin(), q.cited_by.end()))}});
    }
  }
  json state = {{"papers", std::move(papers)}, {"queries", std::move(queries)}, {"pending", std::move(pending)}};
  ctx_->Checkpoint(kStateName, state.dump());
  since_checkpoint_ = 0;
}

void ArxivSource::MaybeCheckpoint() {
  if (++since_checkpoint_ >= kCheckpointEvery) Checkpoint();
}

// ---------------------------------------------------------------------------------------------
// Requests

Result<HttpResponse> ArxivSource::ArxivGet(const std::string& url, bool raw, uint64_t max_bytes,
                                           bool error_responses) {
  Env* env = ctx_->env();
  int64_t interval_us = static_cast<int64_t>(s_.interval_s * 1e6);
  while (last_arxiv_us_ > 0) {
    int64_t wait = last_arxiv_us_ + interval_us - env->MonotonicMicros();
    if (wait <= 0) break;
    if (ctx_->stopping()) return Status::Interrupted("stopping");
    env->SleepMicros(std::min<int64_t>(wait, 100000));
  }
  last_arxiv_us_ = env->MonotonicMicros();
  HttpRequest request = HttpRequest::Get(url);
  request.raw = raw;
  request.max_bytes = max_bytes;
  request.error_responses = error_responses;
  Result<HttpResponse> r = ctx_->http().Fetch(std::move(request));
  // Counted from the end of the answer: the next request then starts at least the interval
  // after this one reached the server, whatever the client's queueing delays.
  last_arxiv_us_ = env->MonotonicMicros();
  return r;
}

Result<ArxivFeed> ArxivSource::FetchFeed(const std::string& url, int64_t start, int64_t known_total) {
  for (int64_t attempt = 0;; ++attempt) {
    // The API explains a refusal in an Atom error entry of an HTTP 400 answer: keep its body.
    Result<HttpResponse> r = ArxivGet(url, false, 0, /*error_responses=*/true);
    if (r.ok() && r->status >= 400) {
      Result<ArxivFeed> error_feed = ParseArxivFeed(r->body);
      std::string message = error_feed.ok() ? error_feed->error : "";
      if (message.empty()) message = ErrorEntryMessage(r->body);
      return Status::InvalidArgument("arXiv API refused the request (HTTP " + std::to_string(r->status) +
                                     (message.empty() ? std::string(")") : "): " + message) + ": " + url);
    }
    if (!r.ok()) {
      if (r.status().http_status() == 400) {
        std::string message = ErrorEntryMessage(r.status().message());
        return Status::InvalidArgument("arXiv API refused the request (HTTP 400" +
                                       (message.empty() ? std::string(")") : "): " + message) + ": " + url);
      }
      return r.status();
    }
    if (r->robots_disallowed()) return Status::RobotsDenied("robots.txt forbids " + url);
    Result<ArxivFeed> feed = ParseArxivFeed(r->body);
    if (!feed.ok()) return feed.status().WithContext(url);
    if (!feed->error.empty()) return Status::InvalidArgument("arXiv API error: " + feed->error + ": " + url);
    int64_t total = std::max(known_total, feed->total_results);
    bool spurious = feed->entries.empty() && feed->unreadable_entries.empty() && start < total;
    if (!spurious) return feed;
    if (attempt >= s_.empty_page_retries) {
      return Status::Network("arXiv API kept returning an empty page at start " + std::to_string(start) + " of " +
                          std::to_string(total) + " results after " + std::to_string(attempt + 1) + " tries: " + url);
    }
    ctx_->Log("arXiv returned an empty page at start " + std::to_string(start) + " of " + std::to_string(total) +
              "; asking again");
  }
}

Status ArxivSource::FetchByIds(const std::vector<std::string>& ids, IdAnswer* answer) {
  return s_.metadata_from_api ? FetchByIdsFromApi(ids, answer) : FetchByIdsFromS2(ids, answer);
}

Result<HttpResponse> ArxivSource::S2Fetch(HttpRequest request) {
  if (!s_.api_key.empty()) request.headers.push_back({"x-api-key", s_.api_key, /*secret=*/true});
  request.error_responses = true;
  int64_t backoff_us = kFirstBackoffUs;
  Env* env = ctx_->env();
  while (true) {
    if (ctx_->stopping()) return Status::Interrupted("stopping");
    if (throttle_budget_spent_) {
      return Status::Http(429, "Semantic Scholar throttled this run beyond citations.throttle_wait_s");
    }
    Result<HttpResponse> r = ctx_->http().Fetch(request);
    // The client retries 429 and 503 itself; when its attempts are spent it fails with the status
    // (and the Retry-After is gone), otherwise the answer comes back as a response.
    int status = r.ok() ? r->status : r.status().http_status();
    if (!r.ok() && !IsThrottled(r.status())) return r.status();
    if (r.ok() && r->robots_disallowed()) return Status::RobotsDenied("robots.txt forbids " + request.url);
    if (status == 429 || status == 503) {
      int64_t wait_us = backoff_us;
      backoff_us = std::min(backoff_us * 2, kMaxBackoffUs);
      if (const std::string* after = r.ok() ? r->Header("retry-after") : nullptr) {
        std::string value(TrimAscii(*after));
        if (!value.empty() && value.size() < 7 && std::all_of(value.begin(), value.end(), [](unsigned char c) { return std::isdigit(c) != 0; })) {
          wait_us = std::stoll(value) * 1000000;
        } else if (std::optional<int64_t> at = ParseRfc822(value)) {
          wait_us = std::max<int64_t>(0, *at * 1000000 - env->NowMicros());
        }
      }
      wait_us = std::max(wait_us, kMinThrottleWaitUs);
      if (throttle_waited_us_ + wait_us > s_.throttle_wait_us) {
        throttle_budget_spent_ = true;
        ctx_->Log("Semantic Scholar keeps answering HTTP " + std::to_string(status) + " after " +
                  std::to_string(throttle_waited_us_ / 1000000) +
                  " s of waiting in this run (citations.throttle_wait_s); the rest waits for the next run");
        return Status::Http(status, "Semantic Scholar throttled (HTTP " + std::to_string(status) + ")");
      }
      int64_t until = env->MonotonicMicros() + wait_us;
      for (int64_t left = wait_us; left > 0; left = until - env->MonotonicMicros()) {
        if (ctx_->stopping()) return Status::Interrupted("stopping");
        env->SleepMicros(std::min<int64_t>(left, 100000));
      }
      throttle_waited_us_ += wait_us;
      ctx_->CountThrottled(wait_us);
      continue;
    }
    if (r->status >= 400) {
      std::string message = SemanticScholarErrorMessage(r->body);
      return Status::Http(r->status, "HTTP " + std::to_string(r->status) + " from Semantic Scholar" +
                                         (message.empty() ? std::string() : ": " + message) + ": " + request.url);
    }
    return r;
  }
}

Result<ArxivEntry> ArxivSource::CompleteFromAbs(const std::string& id, const std::optional<ArxivEntry>& partial,
                                                const std::string& why) {
  std::string url = s_.base_url + "/abs/" + id;
  Result<HttpResponse> r = ArxivGet(url);
  if (!r.ok()) {
    if (r.status().http_status() == 404) {
      return Status::NotFound("arXiv has no paper " + id + " (" + why + "; abs page: HTTP 404)");
    }
    return r.status().WithContext(why + "; abs page");
  }
  if (r->robots_disallowed()) return Status::RobotsDenied("robots.txt forbids " + url + " (" + why + ")");
  Result<ArxivEntry> page = ParseAbsPage(r->body, id);
  if (!page.ok()) {
    // What Semantic Scholar gave is better than nothing when it has a title.
    if (partial && !partial->title.empty()) return *partial;
    return page.status().WithContext(why);
  }
  if (!partial) return page;
  ArxivEntry merged = *partial;
  FillMissing(&merged, *page);
  merged.metadata_from = "semanticscholar+abs";
  return merged;
}

// A paper Semantic Scholar told nothing usable about, and why.
PaperMetadata Unreadable(const std::string& id, std::string problem) {
  PaperMetadata m;
  m.id = id;
  m.problem = std::move(problem);
  return m;
}

Status ArxivSource::FetchByIdsFromS2(const std::vector<std::string>& ids, IdAnswer* answer) {
  json body = {{"ids", json::array()}};
  for (const std::string& id : ids) body["ids"].push_back("ARXIV:" + id);
  HttpRequest request = HttpRequest::Post(s_.s2_url + "/paper/batch?fields=" + kS2PaperFields, body.dump(),
                                         "application/json");
  request.retry_post = true;  // a read: safe to ask again
  Result<HttpResponse> r = S2Fetch(std::move(request));
  std::vector<PaperMetadata> papers;
  if (!r.ok()) {
    if (IsThrottled(r.status()) || r.status().IsInterrupted()) return r.status();
    // Semantic Scholar failed for the whole batch: every paper from its abs page.
    for (const std::string& id : ids) papers.push_back(Unreadable(id, "Semantic Scholar: " + r.status().message()));
  } else {
    Result<std::vector<PaperMetadata>> parsed = ParseS2Batch(r->body, ids);
    if (parsed.ok()) {
      papers = std::move(parsed).value();
    } else {
      for (const std::string& id : ids) papers.push_back(Unreadable(id, parsed.status().message()));
    }
  }
  for (PaperMetadata& m : papers) {
    if (ctx_->stopping()) return Status::Interrupted("stopping");
    if (m.entry && m.missing.empty()) {
      answer->entries.push_back(std::move(*m.entry));
      continue;
    }
    std::string why = m.entry ? "Semantic Scholar lacks " + [&] {
      std::string list;
      for (const std::string& f : m.missing) list += (list.empty() ? "" : ", ") + f;
      return list;
    }() : m.problem;
    Result<ArxivEntry> entry = CompleteFromAbs(m.id, m.entry, why);
    if (entry.ok()) {
      answer->entries.push_back(std::move(entry).value());
    } else if (entry.status().IsInterrupted()) {
      return entry.status();
    } else if (entry.status().code() == Status::Code::kNotFound) {
      answer->missing.push_back(m.id);
      answer->unreadable.emplace_back(m.id, entry.status());
    } else {
      answer->unreadable.emplace_back(m.id, entry.status());
    }
  }
  return Status::OK();
}

Status ArxivSource::FetchByIdsFromApi(const std::vector<std::string>& ids, IdAnswer* answer) {
  std::string list;
  for (const std::string& id : ids) list += (list.empty() ? "" : ",") + id;
  std::string url = s_.api_url + "?id_list=" + PercentEncode(list) + "&start=0&max_results=" +
                    std::to_string(ids.size());
  Result<ArxivFeed> feed = FetchFeed(url, 0, -1);
  if (!feed.ok()) {
    if (feed.status().code() == Status::Code::kInvalidArgument && ids.size() > 1) {
      // One bad id fails the whole list: ask for each alone to find it.
      for (const std::string& id : ids) {
        if (ctx_->stopping()) return Status::Interrupted("stopping");
        ALCOR_RETURN_IF_ERROR(FetchByIdsFromApi({id}, answer));
      }
      return Status::OK();
    }
    if (feed.status().code() == Status::Code::kInvalidArgument) {
      answer->rejected.emplace_back(ids.front(), feed.status());
      return Status::OK();
    }
    return feed.status();
  }
  std::set<std::string> returned;
  for (ArxivEntry& e : feed->entries) {
    returned.insert(e.id);
    answer->entries.push_back(std::move(e));
  }
  for (const std::string& id : ids)
    if (!returned.count(id)) answer->missing.push_back(id);
  return Status::OK();
}

Status ArxivSource::ReferencesFromS2(const std::string& id, std::vector<std::string>* ids, bool* unknown,
                                     size_t* items) {
  *unknown = false;
  *items = 0;
  int64_t offset = 0;
  for (int page = 0; page < kMaxReferencePages; ++page) {
    if (ctx_->stopping()) return Status::Interrupted("stopping");
    HttpRequest request = HttpRequest::Get(s_.s2_url + "/paper/ARXIV:" + PercentEncode(id) +
                                           "/references?fields=externalIds&offset=" + std::to_string(offset) +
                                           "&limit=" + std::to_string(s_.s2_page_size));
    Result<HttpResponse> r = S2Fetch(std::move(request));
    if (!r.ok()) {
      if (r.status().http_status() == 404) {
        *unknown = true;
        return Status::OK();
      }
      return r.status();
    }
    Result<ReferencesPage> p = ParseReferencesPage(r->body);
    if (!p.ok()) return p.status().WithContext("references of arXiv:" + id);
    *items += p->items;
    for (std::string& ref : p->arxiv_ids) ids->push_back(std::move(ref));
    if (!p->next) break;
    offset = *p->next;
  }
  return Status::OK();
}

Status ArxivSource::ReferencesFromEprint(const ArxivEntry& entry, std::vector<std::string>* ids) {
  std::string url = s_.base_url + "/e-print/" + entry.id + (entry.version > 0 ? "v" + std::to_string(entry.version) : "");
  Result<HttpResponse> r = ArxivGet(url, /*raw=*/true, s_.max_eprint_bytes);
  if (!r.ok()) return r.status();
  if (r->robots_disallowed()) return Status::RobotsDenied("robots.txt forbids " + url);
  EprintLimits limits;
  limits.max_total_bytes = std::max<uint64_t>(s_.max_eprint_bytes * 2, uint64_t{1} << 20);
  Result<EprintScan> scan = ScanEprint(r->body, limits);
  if (!scan.ok()) return scan.status().WithContext(url);
  *ids = std::move(scan->arxiv_ids);
  return Status::OK();
}

Status ArxivSource::FetchReferences(const ArxivEntry& entry, std::vector<std::string>* ids, std::string* from) {
  ids->clear();
  // What Semantic Scholar said: a reference list (found, even if none is on arXiv), a known
  // paper without any (empty), a 404 (unknown), or an error (failed, also when it is paused
  // for this run). Only the last three send us to the e-print.
  enum class S2 { kFound, kEmpty, kUnknown, kFailed } s2_outcome = S2::kFailed;
  bool unknown = false;
  size_t items = 0;
  Status s2 = ReferencesFromS2(entry.id, ids, &unknown, &items);
  if (s2.code() == Status::Code::kInterrupted) return s2;
  if (s2.ok()) s2_outcome = items > 0 ? S2::kFound : unknown ? S2::kUnknown : S2::kEmpty;
  if (s2_outcome == S2::kFound) {
    *from = "semanticscholar";
  } else if (s_.eprint_fallback) {
    ids->clear();
    Status e = ReferencesFromEprint(entry, ids);
    if (e.ok()) {
      *from = "eprint";
    } else if (e.code() == Status::Code::kInterrupted) {
      return e;
    } else if (s2_outcome == S2::kFailed) {
      return s2;
    } else if (e.http_status() == 404 || e.code() == Status::Code::kNotSupported || e.IsRobotsDenied() ||
               s2_outcome == S2::kEmpty) {
      if ((e.code() == Status::Code::kNotSupported || e.IsRobotsDenied()) && !eprint_refused_logged_) {
        eprint_refused_logged_ = true;
        ctx_->Log("e-print fallback unavailable: " + e.message());
      }
      // No source to read (a PDF-only submission), or one we cannot read for a paper Semantic
      // Scholar knows without references: no references, not a failure.
      ids->clear();
      *from = s2_outcome == S2::kEmpty ? "semanticscholar" : "none";
    } else {
      return e.WithContext("e-print fallback");
    }
  } else if (s2_outcome == S2::kFailed) {
    return s2;
  } else {
    *from = s2_outcome == S2::kEmpty ? "semanticscholar" : "none";
  }
  // Self-citations and repeats out.
  std::vector<std::string> unique;
  std::set<std::string> seen;
  for (std::string& id : *ids)
    if (id != entry.id && seen.insert(id).second) unique.push_back(std::move(id));
  *ids = std::move(unique);
  return Status::OK();
}

// ---------------------------------------------------------------------------------------------
// Papers

std::optional<json> ArxivSource::PassesGate(const ArxivEntry& entry, size_t cited_by) const {
  json why = {{"cited_by_count", cited_by}, {"min_cited_by", s_.min_cited_by}};
  // Categories are known from the API only (Semantic Scholar has none): without any, this gate
  // cannot judge and lets the paper through to the others.
  if (!s_.categories.empty() && !entry.categories.empty()) {
    std::string matched;
    for (const std::string& want : s_.categories) {
      std::string w = want;
      if (w.size() > 2 && w.compare(w.size() - 2, 2, ".*") == 0) w.resize(w.size() - 2);
      bool whole_archive = w.find('.') == std::string::npos;
      for (const std::string& c : entry.categories) {
        if (matched.empty() && (c == w || (whole_archive && c.rfind(w + ".", 0) == 0))) matched = c;
      }
    }
    if (matched.empty()) return std::nullopt;
    why["category"] = matched;
  }
  if (!s_.keywords.empty()) {
    std::string hay = AsciiLower(entry.title + "\n" + entry.summary);
    std::string matched;
    for (const std::string& k : s_.keywords)
      if (matched.empty() && !k.empty() && hay.find(AsciiLower(k)) != std::string::npos) matched = k;
    if (matched.empty()) return std::nullopt;
    why["keyword"] = matched;
  }
  return why;
}

void ArxivSource::Enqueue(const std::vector<std::string>& refs, int depth, const std::string& citer) {
  if (depth > s_.max_depth) return;
  if (queue_.size() <= static_cast<size_t>(depth)) queue_.resize(depth + 1);
  for (const std::string& ref : refs) {
    if (visited_.count(ref)) continue;  // fetched (or refused) in this run already: cycles end here
    Queued& q = queue_[depth][ref];
    q.depth = depth;
    q.cited_by.insert(ArxivRecordId(citer));
  }
}

void ArxivSource::AttachText(const ArxivEntry& entry, RawDocument* doc) {
  Record& r = doc->record;
  std::string versioned = entry.id + (entry.version > 0 ? "v" + std::to_string(entry.version) : "");
  if (LooksWithdrawn(entry)) {
    r.text = WithdrawnText(entry);
    r.metadata["withdrawn"] = true;
    r.metadata["text_from"] = "abstract";
    return;
  }
  r.metadata["withdrawn"] = false;
  std::vector<std::string> problems;
  if (s_.html) {
    std::string url = s_.base_url + "/html/" + versioned;
    Result<HttpResponse> h = ArxivGet(url, false, s_.max_document_bytes);
    if (h.ok() && !h->robots_disallowed() && !Blank(h->body)) {
      std::string_view article = LatexmlArticle(h->body);
      // The whole page is archived; the body is its article element.
      doc->capture = CaptureOf(*h, /*is_body=*/false);
      doc->body.assign(article.data(), article.size());
      doc->format = BodyFormat::kHtml;
      doc->charset = h->charset();
      // LaTeXML pages link their figures relative to IDvN/ (the page's own URL after redirects).
      doc->base_url = (h->final_url.empty() ? url : h->final_url) + "/";
      r.metadata["text_from"] = "html";
      r.metadata["text_url"] = url;
      return;
    }
    if (!h.ok() && h.status().http_status() != 404) problems.push_back("html: " + h.status().ToString());
  }
  if (s_.pdf && !ctx_->stopping()) {
    std::string url = s_.base_url + "/pdf/" + versioned;
    Result<HttpResponse> p = ArxivGet(url, false, s_.max_document_bytes);
    if (p.ok() && !p->robots_disallowed()) {
      // Extracted here rather than on a normalizer worker so that a PDF without a usable text
      // layer still gives a record (the abstract) instead of a failed conversion.
      Result<PdfText> pdf = ExtractPdfText(p->body);
      if (pdf.ok() && !Blank(pdf->text)) {
        doc->capture = CaptureOf(*p, /*is_body=*/false);  // the PDF the text came from
        r.text = std::move(pdf->text);
        r.metadata["text_from"] = "pdf";
        r.metadata["text_format"] = "pdf";
        r.metadata["text_url"] = url;
        r.metadata["pages"] = pdf->pages;
        return;
      }
      problems.push_back("pdf: " + (pdf.ok() ? std::string("no text") : pdf.status().ToString()));
    } else if (!p.ok() && p.status().http_status() != 404) {
      problems.push_back("pdf: " + p.status().ToString());
    }
  }
  r.text = entry.summary.empty() ? entry.title : entry.summary;
  if (Blank(r.text)) r.text = "arXiv:" + entry.id + " (no abstract)";
  r.metadata["text_from"] = "abstract";
  if (!problems.empty()) {
    std::string joined;
    for (const std::string& p : problems) joined += (joined.empty() ? "" : "; ") + p;
    r.metadata["text_error"] = RedactedExcerpt(joined, 1000);
  }
}

RawDocument ArxivSource::BuildDocument(const ArxivEntry& entry, int depth, const std::set<std::string>& cited_by,
                                       const std::vector<std::string>* refs, const std::string& refs_from) {
  RawDocument doc;
  Record& r = doc.record;
  r.id = ArxivRecordId(entry.id);
  r.source = ctx_->source_name();
  r.source_kind = kArxivKindName;
  r.url = s_.base_url + "/abs/" + entry.id;
  r.title = entry.title;
  r.authors = entry.authors;
  r.date_published = entry.published;
  r.date_modified = entry.updated ? entry.updated : entry.published;
  if (!entry.summary.empty()) r.summary = entry.summary;
  r.tags = entry.categories;
  json& m = r.metadata;
  m["arxiv_id"] = entry.id;
  m["version"] = entry.version;
  m["categories"] = entry.categories;
  m["primary_category"] = entry.primary_category;
  if (!entry.doi.empty()) m["doi"] = entry.doi;
  if (!entry.journal_ref.empty()) m["journal_ref"] = entry.journal_ref;
  if (!entry.comment.empty()) m["comment"] = entry.comment;
  m["metadata_from"] = entry.metadata_from;
  if (entry.citation_count) m["citation_count"] = *entry.citation_count;
  if (!entry.fields_of_study.empty()) m["fields_of_study"] = entry.fields_of_study;
  if (!entry.venue.empty()) m["venue"] = entry.venue;
  json affiliations = json::array();
  for (size_t i = 0; i < entry.authors.size() && i < entry.affiliations.size(); ++i) {
    if (!entry.affiliations[i].empty()) {
      affiliations.push_back({{"author", entry.authors[i]}, {"affiliations", entry.affiliations[i]}});
    }
  }
  if (!affiliations.empty()) m["affiliations"] = std::move(affiliations);
  m["citation_depth"] = depth;
  m["cited_by"] = std::vector<std::string>(cited_by.begin(), cited_by.end());
  if (auto reason = gate_reasons_.find(entry.id); reason != gate_reasons_.end()) m["citation_gate"] = reason->second;
  if (refs) {
    std::vector<std::string> ref_ids;
    for (const std::string& id : *refs) ref_ids.push_back(ArxivRecordId(id));
    m["references"] = std::move(ref_ids);
    m["references_from"] = refs_from;
  }
  AttachText(entry, &doc);
  doc.finish = FinishStep(s_.bibliography, entry.summary.empty() ? entry.title : entry.summary);
  return doc;
}

Status ArxivSource::ProcessEntry(const ArxivEntry& entry, int depth, const std::set<std::string>& cited_by) {
  if (!visited_.insert(entry.id).second) return Status::OK();
  ScopedSourcePhase fetching(*ctx_, SourcePhase::kFetchingPages);  // its text, its references
  bool follow = depth < s_.max_depth;
  auto known = papers_.find(entry.id);
  if (known != papers_.end() && known->second.version >= entry.version) {
    ctx_->CountUnchanged(1);
    if (follow && !known->second.refs_done && !LooksWithdrawn(entry)) {
      std::vector<std::string> refs;
      std::string from;
      Status s = FetchReferences(entry, &refs, &from);
      if (s.code() == Status::Code::kInterrupted) return s;
      if (IsThrottled(s)) {
        ctx_->Log("references of " + ArxivRecordId(entry.id) + " wait for the next run: " + s.message());
      } else if (!s.ok()) {
        ctx_->ReportFailure("references of " + ArxivRecordId(entry.id), s);
      } else {
        Enqueue(refs, depth + 1, entry.id);
        known->second.refs_done = true;
        MaybeCheckpoint();
      }
    }
    return Status::OK();
  }
  bool withdrawn = LooksWithdrawn(entry);
  std::vector<std::string> refs;
  std::string from;
  bool refs_ok = false;
  if (follow && !withdrawn) {
    Status s = FetchReferences(entry, &refs, &from);
    if (s.code() == Status::Code::kInterrupted) return s;
    if (IsThrottled(s)) {
      ctx_->Log("references of " + ArxivRecordId(entry.id) + " wait for the next run: " + s.message());
    } else if (!s.ok()) {
      ctx_->ReportFailure("references of " + ArxivRecordId(entry.id), s);
    } else {
      refs_ok = true;
    }
  }
  if (ctx_->stopping()) return Status::Interrupted("stopping");
  RawDocument doc = BuildDocument(entry, depth, cited_by, refs_ok ? &refs : nullptr, from);
  if (ctx_->stopping()) return Status::Interrupted("stopping");
  Status emitted = ctx_->Emit(std::move(doc));
  if (!emitted.ok()) return emitted;
  papers_[entry.id] = PaperState{entry.version, refs_ok || withdrawn, depth};
  if (refs_ok) Enqueue(refs, depth + 1, entry.id);
  if (depth > 0) ++cited_fetched_;
  MaybeCheckpoint();
  return Status::OK();
}

Status ArxivSource::RunSeeds() {
  std::vector<std::string> seeds;
  std::set<std::string> seen;
  auto add = [&](const std::string& text, const std::string& where) {
    Result<ArxivId> id = ParseArxivId(text);
    if (!id.ok()) {
      ctx_->ReportFailure(where, id.status());
      return;
    }
    if (seen.insert(id->id).second) seeds.push_back(id->id);
  };
  for (const std::string& id : s_.ids) add(id, "ids: " + id);
  if (!s_.seed_file.empty()) {
    std::string text;
    Status s = ReadFileToString(ctx_->env(), s_.seed_file, &text, uint64_t{64} << 20);
    if (!s.ok()) return s.WithContext("seed_file");
    size_t line_no = 0, start = 0;
    while (start < text.size()) {
      size_t nl = text.find('\n', start);
      std::string line = text.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
      start = nl == std::string::npos ? text.size() : nl + 1;
      ++line_no;
      size_t hash = line.find('#');
      if (hash != std::string::npos && (hash == 0 || std::isspace(static_cast<unsigned char>(line[hash - 1])))) {
        line.resize(hash);
      }
      std::string token = CollapseWhitespace(line);
      if (token.empty()) continue;
      token = token.substr(0, token.find(' '));
      add(token, s_.seed_file + ":" + std::to_string(line_no));
    }
  }
  for (size_t i = 0; i < seeds.size(); i += kIdBatch) {
    if (ctx_->stopping()) return Status::Interrupted("stopping");
    std::vector<std::string> batch(seeds.begin() + i, seeds.begin() + std::min(seeds.size(), i + kIdBatch));
    IdAnswer answer;
    Status s = FetchByIds(batch, &answer);
    if (s.code() == Status::Code::kInterrupted) return s;
    if (IsThrottled(s)) {
      // The ids are in the configuration: the next run asks for them again.
      ctx_->Log("metadata of " + std::to_string(seeds.size() - i) + " papers waits for the next run: " + s.message());
      return Status::OK();
    }
    if (!s.ok()) {
      for (const std::string& id : batch) ctx_->ReportFailure(ArxivRecordId(id), s);
      continue;
    }
    std::set<std::string> unreadable;
    for (const auto& [id, why] : answer.unreadable) {
      unreadable.insert(id);
      ctx_->ReportFailure(ArxivRecordId(id), why);
    }
    for (const std::string& id : answer.missing) {
      if (unreadable.count(id)) continue;
      ctx_->ReportFailure(ArxivRecordId(id), Status::NotFound("arXiv has no paper " + id + " (dropped from the id_list answer)"));
    }
    for (const auto& [id, why] : answer.rejected) ctx_->ReportFailure(ArxivRecordId(id), why);
    for (const ArxivEntry& e : answer.entries) ALCOR_RETURN_IF_ERROR(ProcessEntry(e, 0, {}));
  }
  return Status::OK();
}

Status ArxivSource::RunQueryS2(const std::string& query) {
  std::string dates;
  if (!s_.day_from.empty() || !s_.day_to.empty()) dates = "&publicationDateOrYear=" + s_.day_from + ":" + s_.day_to;
  int64_t offset = 0, seen = 0;
  while (seen < s_.max_results) {
    if (ctx_->stopping()) return Status::Interrupted("stopping");
    int64_t limit = std::min({kS2SearchLimit, s_.page_size, s_.max_results - seen, kS2SearchWindow - 1 - offset});
    if (limit <= 0) break;
    std::string url = s_.s2_url + "/paper/search?query=" + PercentEncode(query) + "&fields=" + kS2PaperFields +
                      "&offset=" + std::to_string(offset) + "&limit=" + std::to_string(limit) + dates;
    Result<HttpResponse> r = S2Fetch(HttpRequest::Get(url));
    if (!r.ok()) {
      if (r.status().IsInterrupted()) return r.status();
      if (IsThrottled(r.status())) {
        ctx_->Log("query " + query + " waits for the next run: " + r.status().message());
      } else {
        ctx_->ReportFailure("query " + query, r.status());
      }
      return Status::OK();
    }
    Result<S2SearchPage> page = ParseS2SearchPage(r->body);
    if (!page.ok()) {
      ctx_->ReportFailure("query " + query, page.status().WithContext(url));
      return Status::OK();
    }
    for (PaperMetadata& m : page->papers) {
      if (visited_.count(m.id)) continue;
      if (papers_.count(m.id)) {  // stored: nothing to ask the abs page for
        ALCOR_RETURN_IF_ERROR(ProcessEntry(*m.entry, 0, {}));
        continue;
      }
      Result<ArxivEntry> entry = *m.entry;
      if (!m.missing.empty()) {
        std::string why = "Semantic Scholar lacks";
        for (const std::string& f : m.missing) why += " " + f;
        entry = CompleteFromAbs(m.id, m.entry, why);
      }
      if (entry.status().IsInterrupted()) return entry.status();
      if (!entry.ok()) {
        ctx_->ReportFailure(ArxivRecordId(m.id), entry.status());
        continue;
      }
      ALCOR_RETURN_IF_ERROR(ProcessEntry(*entry, 0, {}));
    }
    seen += static_cast<int64_t>(page->items);
    if (!page->next || page->items == 0) break;
    offset = *page->next;
  }
  return Status::OK();
}

Status ArxivSource::RunQuery(const std::string& query) {
  if (!s_.metadata_from_api) return RunQueryS2(query);
  std::string q = query;
  if (!s_.date_from.empty() || !s_.date_to.empty()) {
    std::string from = s_.date_from.empty() ? "19910101" : s_.date_from;
    std::string to = s_.date_to.empty() ? "20991231" : s_.date_to;
    q = "(" + q + ") AND submittedDate:[" + from + "0000 TO " + to + "2359]";
  }
  std::optional<std::string> cursor;
  if (auto it = cursors_.find(q); it != cursors_.end()) cursor = it->second;
  std::string newest = cursor.value_or("");
  int64_t start = 0, known_total = -1, seen = 0;
  bool complete = false;
  while (seen < s_.max_results) {
    if (ctx_->stopping()) return Status::Interrupted("stopping");
    int64_t n = std::min(s_.page_size, s_.max_results - seen);
    std::string url = s_.api_url + "?search_query=" + PercentEncode(q) + "&start=" + std::to_string(start) +
                      "&max_results=" + std::to_string(n) + "&sortBy=lastUpdatedDate&sortOrder=descending";
    Result<ArxivFeed> feed = FetchFeed(url, start, known_total);
    if (!feed.ok()) {
      if (feed.status().code() == Status::Code::kInterrupted) return feed.status();
      ctx_->ReportFailure("query " + query, feed.status());
      return Status::OK();  // the cursor stays: the next run tries again from the top
    }
    if (feed->total_results >= 0) known_total = std::max(known_total, feed->total_results);
    for (const std::string& bad : feed->unreadable_entries) {
      ctx_->ReportFailure("query " + query, Status::Corruption("entry with an unreadable id: " + bad));
    }
    if (feed->entries.empty()) {
      complete = true;
      break;
    }
    bool reached_cursor = false;
    for (const ArxivEntry& e : feed->entries) {
      std::string updated = e.updated.value_or(e.published.value_or(""));
      if (cursor && !updated.empty() && updated < *cursor) {
        reached_cursor = true;
        break;
      }
      if (updated > newest) newest = updated;
      ALCOR_RETURN_IF_ERROR(ProcessEntry(e, 0, {}));
    }
    seen += static_cast<int64_t>(feed->entries.size());
    start += static_cast<int64_t>(feed->entries.size());
    if (reached_cursor || (known_total >= 0 && start >= known_total)) {
      complete = true;
      break;
    }
  }
  if (seen >= s_.max_results) complete = true;  // the newest max_results are what was asked for
  if (complete && !newest.empty()) {
    cursors_[q] = newest;
    Checkpoint();
  }
  return Status::OK();
}

Status ArxivSource::RunCitationLevel(int depth) {
  if (queue_.size() <= static_cast<size_t>(depth)) return Status::OK();
  std::map<std::string, Queued>& level = queue_[depth];
  std::vector<std::string> missing_all;
  size_t too_few_citers = 0;
  while (!level.empty()) {
    if (ctx_->stopping()) return Status::Interrupted("stopping");
    int64_t budget = s_.max_papers - cited_fetched_;
    if (budget <= 0) {
      ctx_->Log("citation budget of " + std::to_string(s_.max_papers) + " papers reached; " +
                std::to_string(level.size()) + " cited papers at depth " + std::to_string(depth) +
                " wait for the next run");
      return Status::OK();
    }
    // Most-cited first, so the budget goes to the papers this corpus leans on most. Papers cited
    // by fewer than min_cited_by stored papers stay queued: later papers may cite them too.
    std::vector<std::pair<std::string, size_t>> order;
    too_few_citers = 0;
    for (const auto& [id, q] : level) {
      if (static_cast<int64_t>(q.cited_by.size()) >= s_.min_cited_by) {
        order.emplace_back(id, q.cited_by.size());
      } else {
        ++too_few_citers;
      }
    }
    std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    std::vector<std::string> batch;
    for (const auto& [id, n] : order) {
      if (batch.size() >= std::min<size_t>(kIdBatch, static_cast<size_t>(budget))) break;
      if (visited_.count(id)) {
        level.erase(id);
        continue;
      }
      batch.push_back(id);
    }
    if (batch.empty()) {
      if (order.empty()) break;  // only papers below min_cited_by are left
      continue;
    }
    IdAnswer answer;
    Status s = FetchByIds(batch, &answer);
    if (s.code() == Status::Code::kInterrupted) return s;
    if (IsThrottled(s)) {
      ctx_->Log(std::to_string(level.size()) + " cited papers at depth " + std::to_string(depth) +
                " wait for the next run: " + s.message());
      return Status::OK();
    }
    if (!s.ok()) {
      ctx_->ReportFailure("cited papers " + batch.front() + (batch.size() > 1 ? " and others" : ""), s);
      return Status::OK();  // they stay queued for the next run
    }
    const std::vector<ArxivEntry>& entries = answer.entries;
    std::set<std::string> reported;
    for (const auto& [id, why] : answer.unreadable) {
      ctx_->ReportFailure(ArxivRecordId(id), why);
      reported.insert(id);
      visited_.insert(id);
      level.erase(id);
    }
    for (const std::string& id : answer.missing) {
      if (!reported.count(id)) missing_all.push_back(id);
      visited_.insert(id);
      level.erase(id);
    }
    for (const auto& [id, why] : answer.rejected) {
      visited_.insert(id);
      level.erase(id);
    }
    for (const ArxivEntry& e : entries) {
      auto it = level.find(e.id);
      std::set<std::string> cited_by = it != level.end() ? it->second.cited_by : std::set<std::string>();
      std::optional<json> why = PassesGate(e, cited_by.size());
      if (!why) {
        ++gated_;
        visited_.insert(e.id);
        if (it != level.end()) level.erase(it);
        continue;
      }
      if (s_.max_papers - cited_fetched_ <= 0) break;  // left queued
      if (it != level.end()) level.erase(it);
      gate_reasons_[e.id] = std::move(*why);
      Status processed = ProcessEntry(e, depth, cited_by);
      if (!processed.ok()) {
        // Not emitted (the run stops): it stays queued for the next run.
        if (!papers_.count(e.id)) level[e.id] = Queued{depth, cited_by};
        return processed;
      }
    }
    for (const std::string& id : batch) {
      // Ids the answer did not account for (a different id form): do not ask again this run.
      if (level.count(id) && visited_.count(id)) level.erase(id);
    }
    // Entries whose id differs from the one asked for (arXiv renamed it) leave their ask behind.
    for (const std::string& id : batch) {
      auto it = level.find(id);
      if (it != level.end() && std::none_of(entries.begin(), entries.end(), [&](const ArxivEntry& e) { return e.id == id; })) {
        visited_.insert(id);
        level.erase(it);
      }
    }
  }
  if (too_few_citers > 0) {
    ctx_->Log(std::to_string(too_few_citers) + " cited papers at depth " + std::to_string(depth) + " have fewer than " +
              std::to_string(s_.min_cited_by) + " citing papers (citations.min_cited_by) and stay queued");
  }
  if (!missing_all.empty()) {
    std::string list;
    for (size_t i = 0; i < missing_all.size() && i < 20; ++i) list += (i ? ", " : "") + missing_all[i];
    ctx_->Log(std::to_string(missing_all.size()) + " cited ids unknown to arXiv: " + list);
  }
  return Status::OK();
}

Status ArxivSource::RunPendingReferences() {
  std::vector<std::pair<std::string, PaperState>> pending;
  for (const auto& [id, p] : papers_) {
    if (!p.refs_done && p.depth < s_.max_depth && !visited_.count(id)) pending.emplace_back(id, p);
  }
  for (const auto& [id, p] : pending) {
    if (ctx_->stopping()) return Status::Interrupted("stopping");
    ArxivEntry entry;
    entry.id = id;
    entry.version = p.version;
    std::vector<std::string> refs;
    std::string from;
    Status s = FetchReferences(entry, &refs, &from);
    if (s.IsInterrupted()) return s;
    if (IsThrottled(s)) {
      ctx_->Log("references of " + ArxivRecordId(id) + " wait for the next run: " + s.message());
      continue;
    }
    if (!s.ok()) {
      ctx_->ReportFailure("references of " + ArxivRecordId(id), s);
      continue;
    }
    visited_.insert(id);
    Enqueue(refs, p.depth + 1, id);
    papers_[id].refs_done = true;
    MaybeCheckpoint();
  }
  return Status::OK();
}

Status ArxivSource::Run(SourceContext& ctx) {
  ctx_ = &ctx;
  ctx.SetPhase(SourcePhase::kListing);
  papers_.clear();
  cursors_.clear();
  visited_.clear();
  queue_.assign(static_cast<size_t>(std::max<int64_t>(s_.max_depth, 0)) + 1, {});
  cited_fetched_ = gated_ = 0;
  throttle_waited_us_ = 0;
  throttle_budget_spent_ = false;
  gate_reasons_.clear();
  eprint_refused_logged_ = false;
  last_arxiv_us_ = 0;
  LoadState();

  Status s = RunSeeds();
  for (size_t i = 0; s.ok() && i < s_.queries.size(); ++i) s = RunQuery(s_.queries[i]);
  if (s.ok()) s = RunPendingReferences();
  for (int64_t d = 1; s.ok() && d <= s_.max_depth; ++d) s = RunCitationLevel(static_cast<int>(d));
  if (gated_ > 0) ctx.Log(std::to_string(gated_) + " cited papers outside the relevance gate were skipped");
  Checkpoint();
  if (s.code() == Status::Code::kInterrupted) return Status::OK();
  return s;
}

// ---------------------------------------------------------------------------------------------
// Configuration

// "2024-01-31" → "20240131"; "" stays ""; nullopt when malformed.
std::optional<std::string> CompactDate(const std::string& date) {
  if (date.empty()) return std::string();
  if (date.size() != 10 || date[4] != '-' || date[7] != '-') return std::nullopt;
  std::string out = date.substr(0, 4) + date.substr(5, 2) + date.substr(8, 2);
  for (char c : out)
    if (c < '0' || c > '9') return std::nullopt;
  if (!ParseRfc3339(date)) return std::nullopt;  // no such day: 2023-13-45, 2023-02-30
  return out;
}

// The settings of kind arxiv, each declared once with its default and its doc
// (docs/sources.md "## arxiv" is generated from this table).
using StringList = std::vector<std::string>;
struct ArxivKeys : KeyTable {
  Key<std::string> metadata{this, "metadata", "semanticscholar",
                            "where metadata and query results come from: `semanticscholar` (its batch and search "
                            "endpoints at `citations.api_url`, the abs page where they fail) or `api` (the arXiv "
                            "query API at `api_url`, whose host's robots.txt disallows everything: see "
                            "`http.hosts.<host>.robots`)"};
  Key<std::string> api_url{this, "api_url", "https://export.arxiv.org/api/query", "the query API (`metadata: api`)"};
  Key<std::string> base_url{this, "base_url", "https://arxiv.org",
                            "where `/abs/ID`, `/html/ID[vN]`, `/pdf/ID[vN]` and `/e-print/IDvN` are fetched"};
  Key<StringList> ids{this, "ids", {},
                      "papers to fetch: ids (`2203.02155`, `hep-th/9901001`), `arXiv:` ids, abs/pdf/html URLs, arXiv "
                      "DOIs; any version suffix is ignored (the latest version is fetched)"};
  Key<StringList> queries{this, "queries", {},
                          "searches: Semantic Scholar relevance search terms (`reward hacking language models`; "
                          "papers with an arXiv id kept), or with `metadata: api` API `search_query` strings "
                          "(`cat:cs.AI AND abs:\"reward hacking\"`, read newest-updated first)"};
  OptionalKey<std::string> seed_file{this, "seed_file",
                                     "a file of ids or URLs, one per line, `#` comments; a relative path is relative "
                                     "to the config file"};
  OptionalKey<std::string> date_from{this, "date_from",
                                     "`YYYY-MM-DD`, queries only: Semantic Scholar `publicationDateOrYear`, or the "
                                     "API's `submittedDate:[from TO to]`"};
  OptionalKey<std::string> date_to{this, "date_to", "`YYYY-MM-DD`, queries only: the end of that range"};
  Key<int64_t> page_size{this, "page_size", 100,
                         "results per search request: 1–2000 for the API, Semantic Scholar takes at most 100"};
  Key<int64_t> max_results{this, "max_results", 1000,
                           "most results read per query per run (Semantic Scholar search stops at 1000)"};
  Key<int64_t> empty_page_retries{this, "empty_page_retries", 3, "times a spuriously empty API page is asked again"};
  Key<double> request_interval_s{this, "request_interval_s", 3.0,
                                 "seconds from the end of one arXiv request of the source to the start of the next "
                                 "(API, abs, html, pdf, e-print), on top of robots.txt Crawl-delay"};
  Key<bool> html{this, "html", true, "take the text from arXiv's HTML (`/html/IDvN`) when it exists"};
  Key<bool> pdf{this, "pdf", true, "else from the PDF (text layer through poppler)"};
  Key<std::string> bibliography{this, "bibliography", "keep", "`keep` the references as their own section, or `drop` them"};
  Key<int64_t> max_document_bytes{this, "max_document_bytes", int64_t{64} << 20, "largest HTML or PDF downloaded"};
  Key<std::string> s2_url{this, "citations.api_url", "https://api.semanticscholar.org/graph/v1",
                          "Semantic Scholar's Graph API: metadata (paper/batch), search and references"};
  Key<int64_t> max_depth{this, "citations.max_depth", 1,
                         "hops of references followed from the seeds; 0 turns citation-following off"};
  Key<int64_t> max_papers{this, "citations.max_papers", 200,
                          "most cited papers (depth ≥ 1) fetched per run; the rest wait in the state for the next run"};
  Key<int64_t> min_cited_by{this, "citations.min_cited_by", 1,
                            "relevance gate: a cited paper is fetched only when at least this many stored papers "
                            "cite it (the others stay queued)"};
  Key<int64_t> s2_page_size{this, "citations.page_size", 1000, "references per Semantic Scholar request, 1–1000"};
  Key<double> throttle_wait_s{this, "citations.throttle_wait_s", 900,
                              "most seconds per run spent waiting out Semantic Scholar's 429/503 answers "
                              "(Retry-After, else backoff); the work left waits in the state for the next run"};
  OptionalKey<std::string> api_key{this, "citations.api_key",
                                   "Semantic Scholar key, written `\"${S2_API_KEY}\"`; sent as `x-api-key`, secret",
                                   {.secret = true}};
  Key<StringList> categories{this, "citations.categories", {},
                             "relevance gate: a cited paper needs one of these categories (`cs.AI`; `cs` or `cs.*` "
                             "for a whole archive); only papers whose categories are known (`metadata: api`)"};
  Key<StringList> keywords{this, "citations.keywords", {},
                           "relevance gate: a cited paper needs one of these in its title or abstract "
                           "(case-insensitive)"};
  Key<bool> eprint_fallback{this, "citations.eprint_fallback", true,
                            "when Semantic Scholar knows nothing of a paper, read arXiv ids from its e-print's "
                            "`.bbl`/`.bib`"};
  Key<int64_t> max_eprint_bytes{this, "citations.max_eprint_bytes", int64_t{64} << 20, "largest e-print downloaded"};
};

Result<std::unique_ptr<Source>> CreateArxivSource(const SourceConfig& config) {
  const ArxivKeys& keys = KeysOf<ArxivKeys>();
  ArxivSettings s;
  auto bad = [&](const std::string& key, const std::string& what) {
    return Status::InvalidArgument(config.Describe() + "\"" + key + "\": " + what);
  };
  // An integer setting checked against its range.
  auto ranged = [&](const Key<int64_t>& key, int64_t min, int64_t max, const std::string& what, int64_t* out) {
    *out = key.Get(config);
    return *out < min || *out > max ? bad(key.path(), what) : Status::OK();
  };
  std::string metadata = keys.metadata.Get(config);
  if (metadata != "semanticscholar" && metadata != "api") {
    return bad("metadata", "must be \"semanticscholar\" or \"api\", not \"" + metadata + "\"");
  }
  s.metadata_from_api = metadata == "api";
  s.api_url = keys.api_url.Get(config);
  s.base_url = StripTrailingSlashes(keys.base_url.Get(config));
  s.s2_url = StripTrailingSlashes(keys.s2_url.Get(config));
  for (const auto& [key, url] : {std::pair{&keys.api_url, s.api_url}, {&keys.base_url, s.base_url}, {&keys.s2_url, s.s2_url}}) {
    if (!IsHttpUrl(url)) return bad(key->path(), "must be an http:// or https:// URL, not \"" + url + "\"");
  }
  s.ids = keys.ids.Get(config);
  s.queries = keys.queries.Get(config);
  for (const std::string& q : s.queries)
    if (CollapseWhitespace(q).empty()) return bad("queries", "an empty query");
  std::string seed = keys.seed_file.Get(config).value_or("");
  if (!seed.empty()) s.seed_file = seed.front() == '/' ? seed : JoinPath(config.config_dir.empty() ? "." : config.config_dir, seed);
  std::optional<std::string> from = CompactDate(keys.date_from.Get(config).value_or(""));
  std::optional<std::string> to = CompactDate(keys.date_to.Get(config).value_or(""));
  if (!from) return bad("date_from", "must be a date YYYY-MM-DD, not \"" + keys.date_from.Get(config).value_or("") + "\"");
  if (!to) return bad("date_to", "must be a date YYYY-MM-DD, not \"" + keys.date_to.Get(config).value_or("") + "\"");
  s.date_from = *from;
  s.date_to = *to;
  s.day_from = keys.date_from.Get(config).value_or("");
  s.day_to = keys.date_to.Get(config).value_or("");
  constexpr int64_t kNoMax = std::numeric_limits<int64_t>::max();
  ALCOR_RETURN_IF_ERROR(ranged(keys.page_size, 1, 2000, "must be from 1 to 2000 (the API's cap)", &s.page_size));
  ALCOR_RETURN_IF_ERROR(ranged(keys.max_results, 0, kNoMax, "must not be negative", &s.max_results));
  ALCOR_RETURN_IF_ERROR(ranged(keys.empty_page_retries, 0, 20, "must be from 0 to 20", &s.empty_page_retries));
  s.interval_s = keys.request_interval_s.Get(config);
  if (s.interval_s < 0 || s.interval_s > 600) return bad("request_interval_s", "must be from 0 to 600");
  s.html = keys.html.Get(config);
  s.pdf = keys.pdf.Get(config);
  std::string bib = keys.bibliography.Get(config);
  if (bib == "keep") {
    s.bibliography = BibliographyMode::kKeep;
  } else if (bib == "drop") {
    s.bibliography = BibliographyMode::kDrop;
  } else {
    return bad("bibliography", "must be \"keep\" or \"drop\", not \"" + bib + "\"");
  }
  int64_t max_doc = 0;
  ALCOR_RETURN_IF_ERROR(ranged(keys.max_document_bytes, 1024, kNoMax, "must be at least 1024", &max_doc));
  s.max_document_bytes = static_cast<uint64_t>(max_doc);
  ALCOR_RETURN_IF_ERROR(ranged(keys.max_depth, 0, 10, "must be from 0 to 10", &s.max_depth));
  ALCOR_RETURN_IF_ERROR(ranged(keys.max_papers, 0, kNoMax, "must not be negative", &s.max_papers));
  ALCOR_RETURN_IF_ERROR(ranged(keys.s2_page_size, 1, 1000, "must be from 1 to 1000 (the API's cap)", &s.s2_page_size));
  ALCOR_RETURN_IF_ERROR(ranged(keys.min_cited_by, 1, 1000000, "must be from 1 to 1000000", &s.min_cited_by));
  double throttle_wait_s = keys.throttle_wait_s.Get(config);
  if (!(throttle_wait_s >= 0 && throttle_wait_s <= 86400)) return bad("citations.throttle_wait_s", "must be from 0 to 86400");
  s.throttle_wait_us = static_cast<int64_t>(throttle_wait_s * 1e6);
  s.api_key = keys.api_key.Get(config).value_or("");
  s.categories = keys.categories.Get(config);
  s.keywords = keys.keywords.Get(config);
  s.eprint_fallback = keys.eprint_fallback.Get(config);
  int64_t max_eprint = 0;
  ALCOR_RETURN_IF_ERROR(ranged(keys.max_eprint_bytes, 1024, kNoMax, "must be at least 1024", &max_eprint));
  s.max_eprint_bytes = static_cast<uint64_t>(max_eprint);
  if (s.ids.empty() && s.queries.empty() && s.seed_file.empty()) {
    return bad("ids", "nothing to fetch: set ids, queries or seed_file");
  }
  return std::unique_ptr<Source>(new ArxivSource(std::move(s)));
}

}  // namespace

namespace {

// `alcor rebuild` (SourceKind::document_from_raw): a paper's text made again as AttachText and
// BuildDocument made it, from the HTML page or the PDF it was taken from.
Status ArxivDocumentFromRaw(const WarcRecord& raw, RawDocument* doc) {
  Record& r = doc->record;
  const std::string from = r.metadata.value("text_from", "");
  if (from == "html") {
    // As AttachText: the page's article, its figures resolved against IDvN/.
    std::string_view article = LatexmlArticle(raw.payload);
    doc->body.assign(article.data(), article.size());
    doc->format = BodyFormat::kHtml;
    doc->charset = CharsetOfContentType(raw.PayloadContentType());
    doc->base_url = raw.target_uri + "/";
  } else if (from == "pdf") {
    Result<PdfText> pdf = ExtractPdfText(raw.payload);
    if (!pdf.ok()) return pdf.status().WithContext(r.id);
    if (Blank(pdf->text)) return Status::InvalidArgument(r.id + ": its PDF has no text now");
    r.text = std::move(pdf->text);
    r.metadata["pages"] = pdf->pages;
    doc->format = BodyFormat::kFinalText;
  } else {
    return Status::NotFound(r.id + ": its text (from " + (from.empty() ? "nowhere" : from) + ") was not made of raw bytes");
  }
  const bool dropped = r.metadata.value("bibliography", "") == "dropped";
  r.metadata.erase("bibliography");
  doc->finish = FinishStep(dropped ? BibliographyMode::kDrop : BibliographyMode::kKeep,
                           r.summary && !r.summary->empty() ? *r.summary : r.title);
  return Status::OK();
}

}  // namespace

const SourceKind& ArxivSourceKind() {
  static const SourceKind kind = {
      kArxivKindName,
      "arXiv papers (ids, seed file, searches) with metadata and citations from Semantic Scholar and full text "
      "from arXiv",
      &KeysOf<ArxivKeys>(),
      CreateArxivSource,
      /*refreshes_metadata=*/false,
      ArxivDocumentFromRaw,
  };
  return kind;
}

}  // namespace alcor
