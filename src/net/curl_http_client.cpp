// The libcurl HttpClient: one event-loop thread owns a curl multi handle; callers hand requests
// over through a mutex-guarded queue and get their outcome through a callback on that thread.
//
// Scheduling, all on the loop thread:
//   Submit ──▶ incoming_ ──▶ Admit (parse URL) ──▶ Dispatch: robots.txt of the origin known?
//        no: park the job, start the robots.txt job        yes: allowed? ──▶ HostScheduler
//   HostScheduler (net/host_scheduler.hpp: concurrency, interval, Crawl-delay, retry delays)
//        ──NextStart──▶ transfer (curl easy)
//   transfer done ──▶ 2xx/304: complete · 3xx: next hop, Dispatch again · retryable: deferred in
//        the HostScheduler ──▶ front of the host queue · otherwise: complete with an error
// Redirects are followed here rather than by libcurl, so every hop goes through the politeness,
// robots.txt and protocol checks of its own host, and secret headers never cross origins.
#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cmath>
#include <deque>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>
#include <unordered_map>

#include <spdlog/spdlog.h>

#include "alcor/env.hpp"
#include "alcor/http.hpp"
#include "alcor/log.hpp"
#include "alcor/strings.hpp"
#include "net/host_scheduler.hpp"
#include "net/http_url.hpp"
#include "net/retry_policy.hpp"
#include "net/robots.hpp"
#include "net/validator_store.hpp"

namespace alcor {

namespace {

constexpr int kMaxRedirects = 10;
constexpr size_t kMaxHeaderLines = 1000;
constexpr int64_t kIdleWaitMs = 1000;

void GlobalCurlInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

bool SameName(std::string_view a, std::string_view b) {
  return a.size() == b.size() && AsciiLower(a) == AsciiLower(b);
}

// Errors worth another try: the network or the server may behave next time.
bool IsRetryableCurlError(CURLcode rc) {
  switch (rc) {
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PROXY:
      return true;
    default:
      return false;
  }
}

// A short printable excerpt of an error body, for messages: secrets (the registry's and the
// request's own) are redacted before the body is cut, and a secret's prefix at a cut as well.
std::string Snippet(std::string_view body, const std::vector<std::string>& secrets) {
  std::string out;
  bool space = false;
  for (char c : RedactedExcerpt(body, 400, secrets)) {
    unsigned char u = static_cast<unsigned char>(c);
    if (std::isspace(u)) {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(u < 0x20 || u == 0x7f ? '?' : c);
    if (out.size() >= 200) break;
  }
  return RedactCutPrefix(SecretRegistry::Global()->RedactCut(out), secrets);
}

struct Job {
  HttpRequest request;  // the current hop: url, method and body change on redirects
  FetchCallback done;
  HttpUrl target;
  std::string original_url;
  int attempts = 0;            // transfers of the current hop
  int redirects = 0;
  int64_t first_start_us = -1;  // first transfer of the current hop (retry budget)
  bool is_robots = false;
  std::vector<std::string> secrets;  // values to keep out of every message
  std::optional<HttpObserver::Wait> wait;  // the wait request.observer was told of, if any
};

// Tells job's observer that job waits for why (after ending the wait it was in, if any).
void EndWait(Job& job) {
  if (job.wait && job.request.observer != nullptr) job.request.observer->WaitEnded(*job.wait);
  job.wait.reset();
}
void BeginWait(Job& job, HttpObserver::Wait why) {
  EndWait(job);
  if (job.request.observer == nullptr) return;
  job.wait = why;
  job.request.observer->WaitBegan(why);
}

struct RobotsState {
  enum State { kFetching, kReady, kFailed };
  State state = kFetching;
  RobotsRules rules;
  Status failure;
  HttpUrl origin_url;
  std::vector<std::unique_ptr<Job>> waiting;
};

struct Transfer {
  CURL* easy = nullptr;
  std::unique_ptr<Job> job;
  std::string host;  // HostScheduler key
  curl_slist* header_list = nullptr;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  uint64_t max_bytes = 0;
  bool truncate_at_max = false;  // robots.txt: keep the first bytes instead of failing
  bool too_large = false;
  bool conditional_sent = false;
  bool stalled = false;
  Env* env = nullptr;
  int64_t start_us = 0;
  int64_t stall_us = 0;
  int64_t last_progress_us = 0;  // when a header or body byte last arrived (or the start)
  char error[CURL_ERROR_SIZE] = {0};

  ~Transfer() {
    if (header_list != nullptr) curl_slist_free_all(header_list);
  }
};

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t len = size * count;
  t->last_progress_us = t->env->MonotonicMicros();
  if (t->body.size() + len > t->max_bytes) {
    if (t->truncate_at_max) {
      t->body.append(data, t->max_bytes - t->body.size());
      return len;
    }
    t->too_large = true;
    return 0;  // aborts the transfer with CURLE_WRITE_ERROR
  }
  t->body.append(data, len);
  return len;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t len = size * count;
  t->last_progress_us = t->env->MonotonicMicros();
  std::string_view line(data, len);
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
  if (line.substr(0, 5) == "HTTP/") {
    t->headers.clear();  // a new response (after 100 Continue or a proxy's CONNECT answer)
    return len;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos || t->headers.size() >= kMaxHeaderLines) return len;
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  t->headers.emplace_back(AsciiLower(line.substr(0, colon)), std::string(value));
  return len;
}

// libcurl calls this at least about once a second during a transfer. Its own low-speed check
// averages over several seconds; this one aborts as soon as nothing arrived for stall_us.
int OnProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* t = static_cast<Transfer*>(user);
  if (t->env->MonotonicMicros() - t->last_progress_us > t->stall_us) {
    t->stalled = true;
    return 1;  // aborts with CURLE_ABORTED_BY_CALLBACK
  }
  return 0;
}

const std::string* FindHeader(const std::vector<std::pair<std::string, std::string>>& headers,
                              std::string_view lower_name) {
  for (const auto& [k, v] : headers) {
    if (k == lower_name) return &v;
  }
  return nullptr;
}

class CurlHttpClient final : public HttpClient {
 public:
  explicit CurlHttpClient(HttpOptions options)
      : options_(std::move(options)),
        env_(options_.env != nullptr ? options_.env : Env::Default()),
        policy_(options_.retry),
        validators_(env_, options_.state_dir),
        user_agent_(UserAgentFor(options_.contact)),
        rng_(options_.jitter_seed != 0 ? options_.jitter_seed
                                       : static_cast<uint64_t>(env_->NowMicros())) {}

  ~CurlHttpClient() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      cancelled_ = true;
      stop_ = true;
    }
    if (multi_ != nullptr) curl_multi_wakeup(multi_);
    if (loop_.joinable()) loop_.join();
    for (CURL* easy : easy_pool_) curl_easy_cleanup(easy);
    if (multi_ != nullptr) curl_multi_cleanup(multi_);
  }

  Status Start() {
    GlobalCurlInit();
    ALCOR_RETURN_IF_ERROR(validators_.Load());
    multi_ = curl_multi_init();
    if (multi_ == nullptr) return Status::IOError("curl_multi_init failed");
    curl_multi_setopt(multi_, CURLMOPT_MAXCONNECTS, 64L);
    loop_ = std::thread([this] { Loop(); });
    return Status::OK();
  }

  void Submit(HttpRequest request, FetchCallback done) override {
    auto job = std::make_unique<Job>();
    job->original_url = request.url;
    job->request = std::move(request);
    job->done = std::move(done);
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!cancelled_) {
        incoming_.push_back(std::move(job));
        job = nullptr;
      }
    }
    if (job != nullptr) {
      job->done(Status::Interrupted("HTTP client cancelled: " + Describe(*job)));
      return;
    }
    curl_multi_wakeup(multi_);
  }

  void Cancel() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      cancelled_ = true;
    }
    curl_multi_wakeup(multi_);
  }

  HttpStats Stats() const override {
    std::lock_guard<std::mutex> lock(stats_mu_);
    return stats_;
  }

  Status SaveValidators() override { return validators_.Save(); }
  void ForgetValidators(const std::string& url) override {
    // Validators are kept under the normalised URL the transfer used.
    Result<HttpUrl> parsed = ParseHttpUrl(url);
    validators_.Forget(parsed.ok() ? parsed->request : url);
  }

 protected:
  bool OnClientThread() const override { return std::this_thread::get_id() == loop_.get_id(); }

 private:
  // --- loop ----------------------------------------------------------------------------------

  void Loop() {
    while (true) {
      std::vector<std::unique_ptr<Job>> arrived;
      bool cancelled, stop;
      {
        std::lock_guard<std::mutex> lock(mu_);
        arrived.swap(incoming_);
        cancelled = cancelled_;
        stop = stop_;
      }
      if (cancelled) {
        for (auto& job : arrived) Fail(std::move(job), Interrupted(*job));
        FailEverything();
        if (stop) return;
      } else {
        for (auto& job : arrived) Admit(std::move(job));
        StartReady();
      }
      int running = 0;
      curl_multi_perform(multi_, &running);
      ReapDone();
      if (!cancelled) StartReady();
      int wait_ms = static_cast<int>(WaitMillis());
      curl_multi_poll(multi_, nullptr, 0, wait_ms, nullptr);
    }
  }

  int64_t Now() { return env_->MonotonicMicros(); }

  // How long the loop may sleep before a retry is due or a host's interval allows new work.
  int64_t WaitMillis() { return (scheduler_.MicrosUntilNext(kIdleWaitMs * 1000) + 999) / 1000; }

  // --- admission, robots.txt, queues ---------------------------------------------------------

  void Admit(std::unique_ptr<Job> job) {
    for (const HttpHeader& h : job->request.headers) {
      if (h.secret && !h.value.empty()) job->secrets.push_back(h.value);
    }
    Result<HttpUrl> url = ParseHttpUrl(job->request.url);
    if (!url.ok()) {
      Fail(std::move(job), Status::InvalidArgument(Redact(url.status().message(), {})));
      return;
    }
    job->target = std::move(url).value();
    WarnOnceWithoutContact(job->target.host);
    job->request.url = job->target.request;
    job->request.method = job->request.method.empty() ? "GET" : job->request.method;
    for (char& c : job->request.method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    Dispatch(std::move(job));
  }

  // A live run (its first request to a host other than loopback, docs/http.md) without
  // http.contact: warned once per client, that is once per run.
  void WarnOnceWithoutContact(const std::string& host) {
    if (!options_.contact.empty() || IsLoopbackHost(host) || warned_no_contact_.exchange(true)) return;
    spdlog::warn("http.contact is not set: requests to {} and other sites carry no way to reach you; set "
                 "\"contact\" in the config's \"http\" object to your URL or e-mail address (docs/http.md)",
                 host);
  }

  void Dispatch(std::unique_ptr<Job> job) {
    if (job->is_robots) {
      Enqueue(std::move(job), /*front=*/false);
      return;
    }
    if (IgnoresRobots(job->target)) {
      Enqueue(std::move(job), /*front=*/false);
      return;
    }
    std::unique_ptr<RobotsState>& robots = robots_[job->target.origin];
    if (robots == nullptr) {
      robots = std::make_unique<RobotsState>();
      robots->origin_url = job->target;
      StartRobotsFetch(job->target);
    }
    switch (robots->state) {
      case RobotsState::kFetching:
        robots->waiting.push_back(std::move(job));
        return;
      case RobotsState::kFailed:
        Fail(std::move(job), Status(robots->failure).WithContext(Describe(*job)));
        return;
      case RobotsState::kReady:
        break;
    }
    if (!robots->rules.Allowed(job->target.path_query)) {
      {
        std::lock_guard<std::mutex> lock(stats_mu_);
        stats_.hosts[job->target.host_key].robots_skipped++;
      }
      spdlog::debug("robots.txt disallows {}", Describe(*job));
      HttpResponse response;
      response.outcome = FetchOutcome::kRobotsDisallowed;
      response.url = job->original_url;
      response.final_url = job->target.display;
      response.redirects = job->redirects;
      Complete(std::move(job), std::move(response));
      return;
    }
    Enqueue(std::move(job), /*front=*/false);
  }

  // True when the host's rule says "robots": "ignore"; the first time per host, says so in the
  // log and marks the host's statistics.
  bool IgnoresRobots(const HttpUrl& target) {
    const std::string& host = AddHost(target);
    if (obey_robots_[host]) return false;
    if (robots_ignored_logged_.insert(host).second) {
      spdlog::warn("robots.txt of {} is not consulted in this run (http.hosts rule \"robots\": \"ignore\")", host);
      std::lock_guard<std::mutex> lock(stats_mu_);
      stats_.hosts[host].robots_ignored = true;
    }
    return true;
  }

  void StartRobotsFetch(const HttpUrl& target) {
    auto robots_job = std::make_unique<Job>();
    robots_job->is_robots = true;
    robots_job->request = HttpRequest::Get(target.origin + "/robots.txt");
    robots_job->original_url = robots_job->request.url;
    std::string origin = target.origin;
    robots_job->done = [this, origin](Result<HttpResponse> result) {
      OnRobotsFetched(origin, std::move(result));
    };
    Result<HttpUrl> url = ParseHttpUrl(robots_job->request.url);
    if (!url.ok()) {  // cannot happen for an origin we parsed; fail closed all the same
      OnRobotsFetched(origin, url.status());
      return;
    }
    robots_job->target = std::move(url).value();
    Enqueue(std::move(robots_job), /*front=*/true);
  }

  void OnRobotsFetched(const std::string& origin, Result<HttpResponse> result) {
    auto it = robots_.find(origin);
    if (it == robots_.end()) return;
    RobotsState& robots = *it->second;
    if (result.ok()) {
      robots.state = RobotsState::kReady;
      robots.rules = RobotsRules::Parse(result->body);
    } else if (int code = result.status().http_status(); code >= 400 && code < 500) {
      robots.state = RobotsState::kReady;  // RFC 9309: "unavailable" means no restrictions
      robots.rules = RobotsRules();
    } else {
      robots.state = RobotsState::kFailed;
      Status s = result.status();
      robots.failure = s.code() == Status::Code::kInterrupted
                           ? s
                           : Status(s).WithContext("robots.txt of " + origin + " unavailable");
      if (s.code() != Status::Code::kInterrupted) {
        spdlog::warn("{}: skipping requests to this origin for this run", robots.failure.ToString());
      }
    }
    if (robots.state == RobotsState::kReady && robots.rules.crawl_delay_s()) {
      const std::string& host = AddHost(robots.origin_url);
      int64_t delay_us = static_cast<int64_t>(*robots.rules.crawl_delay_s() * 1e6);
      if (delay_us > scheduler_.interval_us(host)) {
        spdlog::debug("{}: robots.txt Crawl-delay {} s", host, *robots.rules.crawl_delay_s());
        scheduler_.RaiseInterval(host, delay_us);
        crawl_delay_hosts_.insert(host);
      }
    }
    std::vector<std::unique_ptr<Job>> waiting;
    waiting.swap(robots.waiting);
    for (auto& job : waiting) Dispatch(std::move(job));
  }

  // Declares url's host to the scheduler (its rule: ResolveHostRule) on first sight; returns its key.
  const std::string& AddHost(const HttpUrl& url) {
    if (!scheduler_.HasHost(url.host_key)) {
      HostRule rule = ResolveHostRule(options_, url.host, url.default_port ? -1 : url.port);
      scheduler_.AddHost(url.host_key, rule.concurrency,
                         static_cast<int64_t>(std::max(0.0, rule.interval_s) * 1e6));
      host_headers_[url.host_key] = std::move(rule.headers);
      obey_robots_[url.host_key] = rule.obey_robots;
    }
    return url.host_key;
  }

  // Hands job to the scheduler: queued (front: before the host's other work) or, with a delay,
  // deferred until a retry is due.
  void Enqueue(std::unique_ptr<Job> job, bool front, int64_t delay_us = -1) {
    const std::string& host = AddHost(job->target);
    HostScheduler::Ticket ticket = next_ticket_++;
    if (delay_us >= 0) {
      scheduler_.Defer(host, ticket, delay_us);
    } else {
      if (crawl_delay_hosts_.count(host) != 0 && scheduler_.IntervalPending(host)) {
        BeginWait(*job, HttpObserver::Wait::kCrawlDelay);
      }
      scheduler_.Enqueue(host, ticket, front);
    }
    scheduled_[ticket] = std::move(job);
  }

  std::unique_ptr<Job> TakeScheduled(HostScheduler::Ticket ticket) {
    auto it = scheduled_.find(ticket);
    std::unique_ptr<Job> job = std::move(it->second);
    scheduled_.erase(it);
    return job;
  }

  void StartReady() {
    while (std::optional<HostScheduler::Start> start = scheduler_.NextStart()) {
      StartTransfer(TakeScheduled(start->ticket), start->host, start->in_flight, Now());
    }
  }

  // --- transfers -----------------------------------------------------------------------------

  CURL* TakeEasy() {
    if (!easy_pool_.empty()) {
      CURL* easy = easy_pool_.back();
      easy_pool_.pop_back();
      curl_easy_reset(easy);
      return easy;
    }
    return curl_easy_init();
  }

  void ReleaseEasy(CURL* easy) {
    if (easy_pool_.size() < 64) {
      easy_pool_.push_back(easy);
    } else {
      curl_easy_cleanup(easy);
    }
  }

  // Runs job's transfer; the scheduler has counted it as started (in_flight with it).
  void StartTransfer(std::unique_ptr<Job> job, const std::string& host, int in_flight, int64_t now) {
    auto t = std::make_unique<Transfer>();
    t->host = host;
    t->easy = TakeEasy();
    if (t->easy == nullptr) {
      scheduler_.Finished(host);
      Fail(std::move(job), Status::IOError("curl_easy_init failed: " + Describe(*job)));
      return;
    }
    EndWait(*job);
    const std::vector<HttpHeader>& rule_headers = host_headers_[host];
    if (job->first_start_us < 0) job->first_start_us = now;
    bool is_retry = job->attempts > 0;
    job->attempts++;
    for (const HttpHeader& h : rule_headers) {
      if (h.secret && !h.value.empty() &&
          std::find(job->secrets.begin(), job->secrets.end(), h.value) == job->secrets.end()) {
        job->secrets.push_back(h.value);
      }
    }
    const HttpRequest& req = job->request;
    uint64_t max_bytes = req.max_bytes != 0 ? req.max_bytes : options_.max_response_bytes;
    if (job->is_robots) {
      max_bytes = kMaxRobotsBytes;
      t->truncate_at_max = true;
    }
    t->max_bytes = max_bytes;

    CURL* e = t->easy;
    curl_easy_setopt(e, CURLOPT_URL, req.url.c_str());
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(e, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
    curl_easy_setopt(e, CURLOPT_USERAGENT, user_agent_.c_str());
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout_ms));
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout_ms));
    t->env = env_;
    t->start_us = now;
    t->stall_us = options_.stall_timeout_ms * 1000;
    t->last_progress_us = now;
    curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, OnProgress);
    curl_easy_setopt(e, CURLOPT_XFERINFODATA, t.get());
    curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(max_bytes));
    if (job->is_robots) curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, curl_off_t{0});
    if (!req.raw) curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");  // all built-in decoders
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, OnBody);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, t.get());
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, OnHeader);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, t.get());
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->error);
    curl_easy_setopt(e, CURLOPT_PRIVATE, t.get());

    bool has_body = !req.body.empty() || req.method == "POST" || req.method == "PUT";
    if (req.method == "GET") {
      curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    } else if (req.method == "HEAD") {
      curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    } else if (req.method == "POST") {
      curl_easy_setopt(e, CURLOPT_POST, 1L);
    } else {
      curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, req.method.c_str());
    }
    if (has_body && req.method != "GET" && req.method != "HEAD") {
      curl_easy_setopt(e, CURLOPT_POSTFIELDS, req.body.data());
      curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
    }

    // Headers: the host rule's, then the request's (same name: the request wins), then validators.
    std::vector<const HttpHeader*> merged;
    for (const HttpHeader& h : rule_headers) merged.push_back(&h);
    for (const HttpHeader& h : req.headers) {
      if (SameName(h.name, "User-Agent")) continue;  // always ours: sites identify us by it
      merged.erase(std::remove_if(merged.begin(), merged.end(),
                                  [&](const HttpHeader* m) { return SameName(m->name, h.name); }),
                   merged.end());
      merged.push_back(&h);
    }
    auto has_header = [&](std::string_view name) {
      return std::any_of(merged.begin(), merged.end(),
                         [&](const HttpHeader* m) { return SameName(m->name, name); });
    };
    auto add = [&](const std::string& name, const std::string& value) {
      std::string line = value.empty() ? name + ";" : name + ": " + value;
      t->header_list = curl_slist_append(t->header_list, line.c_str());
    };
    for (const HttpHeader* h : merged) add(h->name, h->value);
    if (req.conditional && !job->is_robots) {
      if (std::optional<Validators> v = validators_.Get(req.url)) {
        if (!v->etag.empty() && !has_header("If-None-Match")) add("If-None-Match", v->etag);
        if (!v->last_modified.empty() && !has_header("If-Modified-Since")) {
          add("If-Modified-Since", v->last_modified);
        }
        t->conditional_sent = true;
      }
    }
    if (has_body && !has_header("Expect")) {  // no 100-continue round trip
      t->header_list = curl_slist_append(t->header_list, "Expect:");
    }
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->header_list);

    t->job = std::move(job);
    {
      std::lock_guard<std::mutex> lock(stats_mu_);
      HostStats& s = stats_.hosts[host];
      s.requests++;
      if (is_retry) s.retries++;
      s.max_in_flight = std::max(s.max_in_flight, in_flight);
    }
    CURLMcode mc = curl_multi_add_handle(multi_, e);
    if (mc != CURLM_OK) {
      scheduler_.Finished(host);
      std::unique_ptr<Job> failed = std::move(t->job);
      ReleaseEasy(t->easy);
      Fail(std::move(failed), Status::IOError(std::string("curl_multi_add_handle: ") +
                                              curl_multi_strerror(mc)));
      return;
    }
    transfers_[e] = std::move(t);
  }

  void ReapDone() {
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi_, &left)) {
      if (msg->msg != CURLMSG_DONE) continue;
      CURL* easy = msg->easy_handle;
      CURLcode rc = msg->data.result;
      curl_multi_remove_handle(multi_, easy);
      auto it = transfers_.find(easy);
      if (it == transfers_.end()) continue;
      std::unique_ptr<Transfer> t = std::move(it->second);
      transfers_.erase(it);
      scheduler_.Finished(t->host);
      {
        std::lock_guard<std::mutex> lock(stats_mu_);
        stats_.hosts[t->host].bytes += t->body.size();
      }
      Finished(std::move(t), rc);
      ReleaseEasy(easy);
    }
  }

  void Finished(std::unique_ptr<Transfer> t, CURLcode rc) {
    std::unique_ptr<Job> job = std::move(t->job);
    LogTransfer(*job, *t, rc);
    if (t->too_large || rc == CURLE_FILESIZE_EXCEEDED) {
      Fail(std::move(job),
           Status::LimitExceeded(Describe(*job) + ": response larger than the limit of " +
                                 std::to_string(t->max_bytes) + " bytes; transfer aborted"));
      return;
    }
    if (rc != CURLE_OK) {
      std::string what;
      if (t->stalled) {
        rc = CURLE_OPERATION_TIMEDOUT;  // retried like a timeout
        what = fmt::format("stalled: nothing received for {:.1f} s", options_.stall_timeout_ms / 1000.0);
      } else {
        what = curl_easy_strerror(rc);
        if (t->error[0] != '\0') what += " (" + std::string(t->error) + ")";
      }
      Status final_status = Status::Network(Describe(*job) + ": " + what);
      if (IsRetryableCurlError(rc)) {
        RetryOrFail(std::move(job), std::nullopt, final_status);
      } else {
        Fail(std::move(job), final_status);
      }
      return;
    }
    long status = 0;
    curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
    if (status >= 300 && status < 400 && status != 304) {
      char* location = nullptr;
      curl_easy_getinfo(t->easy, CURLINFO_REDIRECT_URL, &location);
      if (location != nullptr && *location != '\0') {
        Redirect(std::move(job), location, static_cast<int>(status));
        return;
      }
    }
    if (status == 304 || (status >= 200 && status < 300)) {
      if (job->request.conditional && !job->is_robots) {
        Validators v;
        if (const std::string* etag = FindHeader(t->headers, "etag")) v.etag = *etag;
        if (const std::string* lm = FindHeader(t->headers, "last-modified")) v.last_modified = *lm;
        if (!v.empty() || status != 304) validators_.Put(job->request.url, v);
      }
      HttpResponse response = TakeResponse(*job, t, static_cast<int>(status));
      response.outcome = status == 304 ? FetchOutcome::kNotModified : FetchOutcome::kOk;
      if (status == 304) {
        std::lock_guard<std::mutex> lock(stats_mu_);
        stats_.hosts[job->target.host_key].not_modified++;
      }
      Complete(std::move(job), std::move(response));
      return;
    }
    std::string message = "HTTP " + std::to_string(status) + " from " + Describe(*job);
    std::string snippet = Snippet(t->body, job->secrets);
    Status final_status =
        Status::Http(static_cast<int>(status), message + (snippet.empty() ? "" : "; body: " + snippet));
    if (IsRetryableHttpStatus(static_cast<int>(status))) {
      std::optional<int64_t> retry_after;
      if (const std::string* ra = FindHeader(t->headers, "retry-after")) {
        retry_after = ParseRetryAfter(*ra, env_->NowMicros());
      }
      RetryOrFail(std::move(job), retry_after, Status::Http(static_cast<int>(status), message));
      return;
    }
    if (job->request.error_responses) {
      HttpResponse response = TakeResponse(*job, t, static_cast<int>(status));
      Complete(std::move(job), std::move(response));
      return;
    }
    Fail(std::move(job), final_status);
  }

  // The final answer of job as a response, taking t's headers and body.
  static HttpResponse TakeResponse(const Job& job, const std::unique_ptr<Transfer>& t, int status) {
    HttpResponse response;
    response.status = status;
    response.url = job.original_url;
    response.final_url = job.target.request;
    response.headers = std::move(t->headers);
    response.body = std::move(t->body);
    response.attempts = job.attempts;
    response.redirects = job.redirects;
    return response;
  }

  void RetryOrFail(std::unique_ptr<Job>&& job, std::optional<int64_t> retry_after,
                   const Status& failure) {
    const HttpRequest& req = job->request;
    if (!IsIdempotentMethod(req.method) && !req.retry_post) {
      Fail(std::move(job), failure.WithContext("not retried (" + req.method + " is not marked retryable)"));
      return;
    }
    int64_t now = Now();
    double jitter = std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
    RetryPolicy::Decision d = policy_.Next(job->attempts, now - job->first_start_us, retry_after, jitter);
    if (!d.retry) {
      Fail(std::move(job), failure.WithMessage(failure.message() + " " + d.why_not));
      return;
    }
    spdlog::debug("retrying in {:.1f} s (attempt {} of {}): {}", d.delay_micros / 1e6,
                  job->attempts + 1, policy_.options().max_attempts, Redact(failure.message(), job->secrets));
    // The server asked to slow down (429, 503, Retry-After), or the request failed otherwise.
    int code = failure.http_status();
    bool throttled = retry_after.has_value() || code == 429 || code == 503;
    BeginWait(*job, throttled ? HttpObserver::Wait::kThrottled : HttpObserver::Wait::kBackoff);
    Enqueue(std::move(job), /*front=*/true, d.delay_micros);
  }

  void Redirect(std::unique_ptr<Job> job, const std::string& location, int status) {
    if (job->redirects >= kMaxRedirects) {
      Fail(std::move(job), Status::Network(Describe(*job) + ": more than " +
                                           std::to_string(kMaxRedirects) + " redirects"));
      return;
    }
    Result<HttpUrl> next = ParseHttpUrl(location);
    if (!next.ok()) {
      Fail(std::move(job), Status::Network(Describe(*job) + ": HTTP " + std::to_string(status) +
                                           " redirect refused: " + next.status().message()));
      return;
    }
    HttpRequest& req = job->request;
    bool to_get = (status == 303 && req.method != "HEAD") ||
                  ((status == 301 || status == 302) && req.method == "POST");
    if (to_get) {
      req.method = "GET";
      req.body.clear();
      req.headers.erase(std::remove_if(req.headers.begin(), req.headers.end(),
                                       [](const HttpHeader& h) {
                                         return SameName(h.name, "Content-Type") ||
                                                SameName(h.name, "Content-Length");
                                       }),
                        req.headers.end());
    }
    if (next->origin != job->target.origin) {
      // Credentials were meant for the origin they were configured for.
      req.headers.erase(std::remove_if(req.headers.begin(), req.headers.end(),
                                       [](const HttpHeader& h) { return h.secret; }),
                        req.headers.end());
    }
    job->target = std::move(next).value();
    req.url = job->target.request;
    job->attempts = 0;
    job->first_start_us = -1;
    job->redirects++;
    Dispatch(std::move(job));
  }

  // --- completion ----------------------------------------------------------------------------

  // -v: one debug line per transfer (robots.txt, retries and redirect hops included) with the
  // method, the URL (without secrets), the status (0: no answer), the body bytes and the time.
  void LogTransfer(const Job& job, const Transfer& t, CURLcode rc) const {
    if (!spdlog::default_logger_raw()->should_log(spdlog::level::debug)) return;
    long status = 0;
    if (rc == CURLE_OK) curl_easy_getinfo(t.easy, CURLINFO_RESPONSE_CODE, &status);
    LogFields f;
    f.event = "http_request";
    if (job.request.observer != nullptr) f.source = job.request.observer->party();
    f.method = job.request.method;
    f.url = Redact(job.target.display.empty() ? DisplayUrl(job.request.url) : job.target.display, job.secrets);
    f.status = static_cast<int>(status);
    f.bytes = static_cast<int64_t>(t.body.size());
    f.ms = (env_->MonotonicMicros() - t.start_us) / 1000;
    std::string outcome = rc == CURLE_OK ? std::to_string(status)
                          : t.stalled    ? std::string("stalled")
                                         : std::string("failed: ") + curl_easy_strerror(rc);
    LogEvent(LogLevel::kDebug, f,
             fmt::format("{}{} {} {}, {} bytes, {} ms", f.source.empty() ? "" : f.source + ": ", f.method, f.url,
                         outcome, f.bytes, f.ms));
  }

  std::string Redact(const std::string& text, const std::vector<std::string>& secrets) const {
    return RedactValues(SecretRegistry::Global()->Redact(text), secrets);
  }

  std::string Describe(const Job& job) const {
    std::string url = job.target.display.empty() ? DisplayUrl(job.request.url) : job.target.display;
    return Redact(job.request.method + " " + url, job.secrets);
  }

  Status Interrupted(const Job& job) const {
    return Status::Interrupted("HTTP client cancelled: " + Describe(job));
  }

  // Takes job by rvalue reference so callers may use *job in the other arguments.
  void Complete(std::unique_ptr<Job>&& job, HttpResponse response) {
    EndWait(*job);
    FetchCallback done = std::move(job->done);
    job.reset();
    done(std::move(response));
  }

  void Fail(std::unique_ptr<Job>&& job, const Status& status) {
    Status failure(status.ok() ? Status::IOError("unknown failure") : status);
    Status out = failure.WithMessage(Redact(failure.message(), job->secrets));
    if (!job->is_robots && out.code() != Status::Code::kInterrupted) {
      std::lock_guard<std::mutex> lock(stats_mu_);
      std::string key = job->target.host_key.empty() ? "(invalid)" : job->target.host_key;
      stats_.hosts[key].failures++;
    }
    EndWait(*job);
    FetchCallback done = std::move(job->done);
    job.reset();
    done(std::move(out));
  }

  // Ends every job the client holds with Interrupted (after Cancel). Callbacks may Submit (which
  // fails at once) or, for robots.txt jobs, release parked jobs; loop until nothing is left.
  void FailEverything() {
    while (true) {
      std::vector<std::unique_ptr<Job>> jobs;
      for (auto& [easy, t] : transfers_) {
        curl_multi_remove_handle(multi_, easy);
        scheduler_.Finished(t->host);
        jobs.push_back(std::move(t->job));
        ReleaseEasy(easy);
      }
      transfers_.clear();
      for (HostScheduler::Ticket ticket : scheduler_.TakeAll()) jobs.push_back(TakeScheduled(ticket));
      for (auto& [origin, robots] : robots_) {
        for (auto& job : robots->waiting) jobs.push_back(std::move(job));
        robots->waiting.clear();
      }
      {
        std::lock_guard<std::mutex> lock(mu_);
        for (auto& job : incoming_) jobs.push_back(std::move(job));
        incoming_.clear();
      }
      if (jobs.empty()) return;
      for (auto& job : jobs) {
        Status s = Interrupted(*job);
        Fail(std::move(job), s);
      }
    }
  }

  const HttpOptions options_;
  Env* const env_;
  const RetryPolicy policy_;
  ValidatorStore validators_;
  const std::string user_agent_;
  std::mt19937_64 rng_;  // loop thread only
  std::atomic<bool> warned_no_contact_{false};

  CURLM* multi_ = nullptr;
  std::thread loop_;

  std::mutex mu_;
  std::vector<std::unique_ptr<Job>> incoming_;  // guarded by mu_
  bool cancelled_ = false;                      // guarded by mu_
  bool stop_ = false;                           // guarded by mu_

  mutable std::mutex stats_mu_;
  HttpStats stats_;  // guarded by stats_mu_

  // Loop thread only.
  HostScheduler scheduler_{env_};
  std::unordered_map<HostScheduler::Ticket, std::unique_ptr<Job>> scheduled_;  // queued or deferred
  HostScheduler::Ticket next_ticket_ = 1;
  std::map<std::string, std::vector<HttpHeader>> host_headers_;  // the host rules' headers
  std::map<std::string, bool> obey_robots_;                 // the host rules' robots policy
  std::set<std::string> robots_ignored_logged_;             // hosts whose ignored robots.txt was logged
  std::map<std::string, std::unique_ptr<RobotsState>> robots_;
  std::set<std::string> crawl_delay_hosts_;  // hosts whose interval robots.txt Crawl-delay raised
  std::unordered_map<CURL*, std::unique_ptr<Transfer>> transfers_;
  std::vector<CURL*> easy_pool_;
};

}  // namespace

Result<std::unique_ptr<HttpClient>> NewCurlHttpClient(HttpOptions options) {
  if (options.retry.max_attempts < 1) {
    return Status::InvalidArgument("http: max_attempts must be at least 1");
  }
  auto client = std::make_unique<CurlHttpClient>(std::move(options));
  ALCOR_RETURN_IF_ERROR(client->Start());
  return std::unique_ptr<HttpClient>(std::move(client));
}

}  // namespace alcor
