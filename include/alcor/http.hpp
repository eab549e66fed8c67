// HttpClient: the one way alcor talks to the network (only src/net/ includes libcurl).
//
// A source builds HttpRequests and gets back an HttpResponse or a Status. The client is polite on
// the source's behalf: per host it limits concurrent transfers and the interval between request
// starts, fetches robots.txt once per origin per client and obeys it (Crawl-delay included), retries
// transient failures with exponential backoff and jitter (honouring Retry-After), sends stored
// ETag/Last-Modified validators back and reports 304 as "not modified", follows at most 10
// redirects and only to http/https, caps response sizes and keeps secret header values out of
// every message it writes. docs/http.md describes the behaviour in full.
//
// Outcomes of one request (Fetch / Submit):
//   ok, outcome kOk                 a 2xx response (after redirects and retries); body set.
//   ok, outcome kNotModified        the server answered 304 to a conditional request: "unchanged".
//   ok, outcome kRobotsDisallowed   robots.txt forbids the URL; nothing was requested (counted). A
//                                   source failing on it reports Status::RobotsDenied.
//   Status kHttp                    a final non-2xx answer (4xx, or 5xx after retries); its code is
//                                   Status::http_status() and the message starts
//                                   "HTTP <code> from <METHOD> <url>".
//   Status kNetwork                 connection, DNS, TLS, timeout, stalled transfer, a redirect to a
//                                   refused protocol, too many redirects, robots.txt unavailable.
//   Status kLimitExceeded           the response is larger than the request's byte cap.
//   Status kInvalidArgument         the request URL is malformed or not http(s).
//   Status kInterrupted             the client was cancelled or destroyed before the answer.
// Every message names the method and URL (userinfo removed) and never contains a secret value.
// At debug level (-v) the client logs one line per transfer, robots.txt, retries and redirect hops
// included: event "http_request", method, URL, status (0: no answer), body bytes, milliseconds,
// and the source (HttpObserver::party) when the request has an observer (alcor/log.hpp).
#pragma once

#include <cstdint>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "alcor/secrets.hpp"
#include "alcor/status.hpp"

namespace alcor {

class Env;

// ---------------------------------------------------------------------------------------------
// Secrets

// SecretRegistry, RedactValues, RedactedExcerpt: alcor/secrets.hpp.

// Expands ${NAME} references in text from the process environment ("$" not followed by "{" is
// kept as is; NAME is [A-Za-z_][A-Za-z0-9_]*). Each expanded value is added to
// SecretRegistry::Global() under its NAME and, when secrets is non-null, appended to *secrets.
// Fails with InvalidArgument naming the variable (never a value) when it is unset or the
// reference is malformed ("${", "${1X}").
Result<std::string> ExpandEnvReferences(std::string_view text,
                                        std::vector<std::string>* secrets = nullptr);
// The same with an injected lookup (tests); lookup returns nullopt for an unset variable.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
Result<std::string> ExpandEnvReferences(std::string_view text, const EnvLookup& lookup,
                                        std::vector<std::string>* secrets);

// ---------------------------------------------------------------------------------------------
// Observing requests

// Follows the requests of one party (a source of `alcor scrape`) through the client: what holds
// them back before a transfer, and whom they are for. The client calls it from its own thread:
// implementations must be thread safe and quick, and must not call the client.
class HttpObserver {
 public:
  // Why a request waits before its next transfer: the host's robots.txt Crawl-delay (the request
  // is queued and the host's interval, raised by Crawl-delay, has not passed); a retry after the
  // server asked to slow down (429, 503, or any answer with Retry-After); a retry after another
  // transient failure (exponential backoff).
  enum class Wait { kCrawlDelay, kThrottled, kBackoff };

  virtual ~HttpObserver() = default;
  // Whom the requests are for: the "source" field of the client's log lines ("" for none).
  virtual const std::string& party() const = 0;
  // Each WaitBegan is followed by exactly one WaitEnded with the same reason: when the transfer
  // starts, or when the request ends without one (cancelled).
  virtual void WaitBegan(Wait why) = 0;
  virtual void WaitEnded(Wait why) = 0;
};

// ---------------------------------------------------------------------------------------------
// Requests and responses

struct HttpHeader {
  std::string name;
  std::string value;
  // A secret value is never written anywhere by the client (it is replaced by "[REDACTED]" in
  // messages) and is not sent on a redirect to another origin.
  bool secret = false;

  // A header from configuration: value may hold ${ENV} references (expanded here); the header is
  // secret when it had any reference. Fails as ExpandEnvReferences does.
  static Result<HttpHeader> FromConfig(std::string name, std::string_view configured_value);
};

struct HttpRequest {
  std::string method = "GET";  // GET, POST, HEAD, PUT...
  std::string url;             // absolute http:// or https:// URL
  std::string body;            // sent when non-empty (or when method is POST/PUT)
  std::vector<HttpHeader> headers;
  // Retry this request on transient failures even though its method is not idempotent (a
  // GraphQL read sent as POST). GET, HEAD, PUT, DELETE, OPTIONS are always retryable.
  bool retry_post = false;
  // Return the body exactly as sent (no Content-Encoding decoding): arXiv e-prints are served
  // with "Content-Encoding: x-gzip" and must stay gzip.
  bool raw = false;
  // Cap on the (decoded) body in bytes; 0 means the client's max_response_bytes.
  uint64_t max_bytes = 0;
  // Return a final non-2xx answer (after any retries) as an HttpResponse with its status and
  // whole body instead of an error Status: for APIs that explain their errors in the body, such
  // as arXiv's Atom error entries (the error Status keeps only an excerpt of the body).
  bool error_responses = false;
  // Send the stored ETag / Last-Modified of this URL as If-None-Match / If-Modified-Since and
  // remember the validators of the answer (see HttpClient::SaveValidators).
  bool conditional = false;
  // Told about this request's waits (redirect hops and retries included); nullptr: nobody. Not
  // owned; must outlive the request's callback.
  HttpObserver* observer = nullptr;

  static HttpRequest Get(std::string url) {
    HttpRequest r;
    r.url = std::move(url);
    return r;
  }
  static HttpRequest Post(std::string url, std::string body, std::string content_type) {
    HttpRequest r;
    r.method = "POST";
    r.url = std::move(url);
    r.body = std::move(body);
    r.headers.push_back({"Content-Type", std::move(content_type), false});
    return r;
  }
};

enum class FetchOutcome {
  kOk,                // 2xx
  kNotModified,       // 304 to a conditional request: the stored copy is current
  kRobotsDisallowed,  // robots.txt forbids the URL; no request was sent
};
const char* FetchOutcomeName(FetchOutcome outcome);

struct HttpResponse {
  FetchOutcome outcome = FetchOutcome::kOk;
  int status = 0;          // HTTP status of the final answer; 0 when robots-disallowed
  std::string url;         // the URL requested
  std::string final_url;   // after redirects (== url without redirects)
  // Headers of the final answer in order; names lower-case.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;        // decoded unless the request was raw
  int attempts = 0;        // transfers made for the final URL (1 + retries)
  int redirects = 0;

  bool not_modified() const { return outcome == FetchOutcome::kNotModified; }
  bool robots_disallowed() const { return outcome == FetchOutcome::kRobotsDisallowed; }
  // The first header with this name (case-insensitive), or nullptr.
  const std::string* Header(std::string_view name) const;
  // The charset parameter of the Content-Type header, lower-case and unquoted ("iso-8859-1"),
  // "" when there is none: what the converters decode the body with (alcor/convert.hpp).
  std::string charset() const;
};

// The charset parameter of a Content-Type value ("text/html; Charset=\"UTF-8\"" → "utf-8"), "".
std::string CharsetOfContentType(std::string_view content_type);

// ---------------------------------------------------------------------------------------------
// Options (configuration)

// Politeness for one host: at most `concurrency` transfers at once, and request starts at least
// `interval_s` apart. robots.txt Crawl-delay raises the interval when it is slower.
struct HostRule {
  int concurrency = 2;
  double interval_s = 1.0;
  // Extra headers sent to this host (API keys: values from ${ENV}, secret).
  std::vector<HttpHeader> headers;
  // false ("robots": "ignore"): robots.txt of this host is never fetched nor obeyed, for an
  // operator who decided that a documented API's own terms govern it. The client then says so
  // once per run (a warning) and counts it (HostStats::robots_ignored). Default: obeyed.
  bool obey_robots = true;
};

struct RetryOptions {
  int max_attempts = 5;                  // transfers per URL, first one included (>= 1)
  int64_t initial_backoff_ms = 1000;     // delay before the first retry, before jitter
  double multiplier = 2.0;               // growth per retry
  int64_t max_backoff_ms = 60000;        // cap of one computed delay
  int64_t max_retry_after_ms = 600000;   // a longer Retry-After gives up at once
  int64_t max_total_ms = 900000;         // no retry starts later than this after the first try
};

struct HttpOptions {
  // URL or e-mail address put in the User-Agent: "alcor/<version> (+<contact>)".
  std::string contact;
  uint64_t max_response_bytes = uint64_t{64} << 20;
  // Host rules by pattern: "host", "host:port" or "*.domain" (the domain and every subdomain).
  // They override the defaults and the built-in rules (export.arxiv.org: 1 connection, 3 s;
  // arxiv.org: 1 connection, 3 s, robots.txt's Crawl-delay on top; api.semanticscholar.org:
  // 1 connection, 1 s).
  std::map<std::string, HostRule> hosts;
  HostRule default_rule;  // 2 connections, 1 s
  RetryOptions retry;
  int64_t connect_timeout_ms = 30000;
  int64_t timeout_ms = 600000;        // whole transfer, per attempt
  int64_t stall_timeout_ms = 60000;   // abort when no byte arrives for this long
  // Directory where conditional-GET validators persist (the store's state/http/); "" keeps them
  // in memory only.
  std::string state_dir;
  // Clock and files; nullptr means Env::Default(). Not owned; must outlive the client.
  Env* env = nullptr;
  // Seed of the backoff jitter (0: from the clock).
  uint64_t jitter_seed = 0;
};

// Parses the config's top-level "http" object (docs/http.md "Configuration"):
//   {"contact": "...", "max_response_bytes": N, "timeout_s": X, "connect_timeout_s": X,
//    "stall_timeout_s": X, "max_attempts": N,
//    "hosts": {"<host>|<host:port>|*.<domain>": {"concurrency": N, "interval_s": X,
//                                               "robots": "obey"|"ignore",
//                                               "headers": {"Name": "value or ${ENV}"}}}}
// Unknown keys, wrong types and out-of-range values are InvalidArgument naming the key path
// ("http.hosts.example.org.concurrency"). A null or absent object gives the defaults.
Result<HttpOptions> ParseHttpOptions(const nlohmann::json& http);

// The rule for a request to host (lower-case) on port (-1: the scheme's default): an options.hosts
// entry for "host:port", then "host", then the longest matching "*.domain", then the built-in
// rules, then options.default_rule.
HostRule ResolveHostRule(const HttpOptions& options, std::string_view host, int port = -1);

// "alcor/<version>" plus " (+<contact>)" when contact is set.
std::string UserAgentFor(std::string_view contact);

// ---------------------------------------------------------------------------------------------
// Statistics (for the run report)

struct HostStats {
  uint64_t requests = 0;        // transfers started (robots.txt, retries and redirect hops too)
  uint64_t retries = 0;         // transfers that were retries
  uint64_t bytes = 0;           // body bytes received (decoded)
  uint64_t robots_skipped = 0;  // requests not sent because robots.txt disallows them
  uint64_t not_modified = 0;    // 304 answers
  uint64_t failures = 0;        // requests that ended in an error Status
  int max_in_flight = 0;        // highest number of simultaneous transfers seen
  bool robots_ignored = false;  // requested without consulting robots.txt (HostRule::obey_robots)

  void Add(const HostStats& other);
};

struct HttpStats {
  // Key: host name, with ":port" when the port is not the scheme's default.
  std::map<std::string, HostStats> hosts;
  HostStats Total() const;
};

// ---------------------------------------------------------------------------------------------
// The client

using FetchCallback = std::function<void(Result<HttpResponse>)>;

// Thread safety: every method may be called from any thread, concurrently.
class HttpClient {
 public:
  virtual ~HttpClient() = default;

  // Queues request; done is called exactly once with the outcome, on the client's own thread
  // (it may call Submit, but must not block and must not call Fetch). After Cancel or during
  // destruction, done gets Interrupted.
  virtual void Submit(HttpRequest request, FetchCallback done) = 0;

  // Blocking convenience over Submit: waits for the outcome. REQUIRES: not called from a
  // FetchCallback (that would deadlock; it fails with InvalidArgument instead).
  Result<HttpResponse> Fetch(HttpRequest request);
  // Submit returning a future, for many requests in flight from one thread.
  std::future<Result<HttpResponse>> FetchAsync(HttpRequest request);

  // Ends every queued and running request with Interrupted; later Submits fail the same way.
  virtual void Cancel() = 0;

  virtual HttpStats Stats() const = 0;

  // Validators (conditional GET). Responses to conditional requests update an in-memory table;
  // SaveValidators writes it to options.state_dir. Call it only after the documents fetched in
  // this run are committed: a validator saved for a document that was then lost would make the
  // next run see "unchanged" and never fetch it again. A source that could not use a response
  // calls ForgetValidators(url) so the next run fetches it in full.
  virtual Status SaveValidators() = 0;
  virtual void ForgetValidators(const std::string& url) = 0;

 protected:
  // True on the client's own thread (used by Fetch to refuse a deadlock).
  virtual bool OnClientThread() const = 0;
};

// The libcurl client (multi interface, one event-loop thread). Loads validators from
// options.state_dir when it is set (a missing file is an empty table; a corrupt one is an error).
Result<std::unique_ptr<HttpClient>> NewCurlHttpClient(HttpOptions options);

}  // namespace alcor
