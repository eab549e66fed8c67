// Retries of the libcurl HttpClient against the loopback TestServer: which failures are retried,
// backoff timing, Retry-After in both forms, attempt and time bounds, POST. And the waits the
// client reports to a request's HttpObserver (the real signals behind the phases of `alcor
// scrape`'s progress display): robots.txt Crawl-delay, a retry the server asked for (429,
// Retry-After: throttled), a retry after another failure (backoff), nothing for a request that is
// not held back, and every wait ended, also when the client is cancelled during one.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "alcor/dates.hpp"
#include "alcor/env.hpp"
#include "alcor/http.hpp"
#include "alcor_testing/test_server.hpp"

namespace alcor {
namespace {

using testing::Reply;
using testing::ServerRequest;
using testing::TestServer;
using Wait = HttpObserver::Wait;

// Arrival gaps at the server can be shorter than the client's start gaps by the difference in
// connection and send time of two requests: allow for that on a loaded (or sanitized) machine.
const int64_t kToleranceUs = std::getenv("ALCOR_SANITIZED") != nullptr ? 80000 : 40000;

HttpOptions LoopbackOptions() {
  HttpOptions o;
  o.default_rule = HostRule{4, 0.0, {}};
  o.retry.max_attempts = 3;
  o.retry.initial_backoff_ms = 200;
  o.retry.max_backoff_ms = 800;
  o.retry.max_retry_after_ms = 5000;
  o.connect_timeout_ms = 2000;
  o.timeout_ms = 10000;
  o.stall_timeout_ms = 2000;
  o.jitter_seed = 7;
  return o;
}

std::unique_ptr<HttpClient> MakeClient(HttpOptions o = LoopbackOptions()) {
  ::setenv("no_proxy", "*", 1);
  Result<std::unique_ptr<HttpClient>> client = NewCurlHttpClient(std::move(o));
  EXPECT_TRUE(client.ok()) << client.status().ToString();
  return std::move(client).value();
}

std::vector<int64_t> Gaps(const std::vector<ServerRequest>& requests) {
  std::vector<int64_t> gaps;
  for (size_t i = 1; i < requests.size(); ++i) {
    gaps.push_back(requests[i].arrival_us - requests[i - 1].arrival_us);
  }
  return gaps;
}

TEST(HttpRetryTest, TransientStatusesAreRetriedWithGrowingBackoff) {
  TestServer server;
  server.RouteSequence("/feed", {Reply::Status(503), Reply::Status(503), Reply::Text("ok")});
  auto client = MakeClient();
  Result<HttpResponse> r = client->Fetch(HttpRequest::Get(server.Url("/feed")));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->body, "ok");
  EXPECT_EQ(r->attempts, 3);
  std::vector<int64_t> gaps = Gaps(server.RequestsFor("/feed"));
  ASSERT_EQ(gaps.size(), 2u);
  // Backoff n is in [base/2, base] with base 200 ms, then 400 ms (plus the answer's own time).
  EXPECT_GE(gaps[0], 100000 - kToleranceUs);
  EXPECT_LE(gaps[0], 200000 + 400000);
  EXPECT_GE(gaps[1], 200000 - kToleranceUs);
  EXPECT_LE(gaps[1], 400000 + 400000);
  HostStats s = client->Stats().hosts[server.HostPort()];
  EXPECT_EQ(s.retries, 2u);
  EXPECT_EQ(s.requests, 4u);  // robots.txt + 3
  EXPECT_EQ(s.failures, 0u);
}

TEST(HttpRetryTest, EveryRetryableStatusIsRetried) {
  TestServer server;
  auto client = MakeClient();
  for (int status : {408, 429, 500, 502, 503, 504}) {
    std::string path = "/s" + std::to_string(status);
    server.RouteSequence(path, {Reply::Status(status), Reply::Text("fine")});
    Result<HttpResponse> r = client->Fetch(HttpRequest::Get(server.Url(path)));
    ASSERT_TRUE(r.ok()) << status << ": " << r.status().ToString();
    EXPECT_EQ(server.Count(path), 2u) << status;
  }
}

TEST(HttpRetryTest, OtherErrorsAreNotRetried) {
  TestServer server;
  auto client = MakeClient();
  for (int status : {400, 401, 403, 404, 410, 501}) {
    std::string path = "/s" + std::to_string(status);
    server.RouteSequence(path, {Reply::Status(status), Reply::Text("fine")});
    Result<HttpResponse> r = client->Fetch(HttpRequest::Get(server.Url(path)));
    ASSERT_FALSE(r.ok()) << status;
    EXPECT_EQ(r.status().http_status(), status);
    EXPECT_EQ(server.Count(path), 1u) << status;
  }
}

TEST(HttpRetryTest, RetryAfterSecondsIsHonoured) {
  TestServer server;
  server.RouteSequence("/limited",
                       {Reply::Status(429).WithHeader("Retry-After", "1"), Reply::Text("ok")});
  auto client = MakeClient();
  Result<HttpResponse> r = client->Fetch(HttpRequest::Get(server.Url("/limited")));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::vector<int64_t> gaps = Gaps(server.RequestsFor("/limited"));
  ASSERT_EQ(gaps.size(), 1u);
  EXPECT_GE(gaps[0], 1000000 - kToleranceUs);
  EXPECT_LE(gaps[0], 2000000);
}

TEST(HttpRetryTest, RetryAfterHttpDateIsHonoured) {
  TestServer server;
  server.RouteHandler("/dated", [&server](const ServerRequest&) {
    if (server.Count("/dated") >= 2) return Reply::Text("ok");
    // Two seconds from now in whole seconds: the wait is between 1 and 2 s.
    int64_t when = Env::Default()->NowMicros() / 1000000 + 2;
    std::string date = FormatRfc3339Utc(when);  // 2022-03-04T18:04:53Z -> HTTP date below
    static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    int month = std::atoi(date.substr(5, 2).c_str());
    std::string http_date = "Mon, " + date.substr(8, 2) + " " + kMonths[month - 1] + " " +
                            date.substr(0, 4) + " " + date.substr(11, 8) + " GMT";
    return Reply::Status(503).WithHeader("Retry-After", http_date);
  });
  auto client = MakeClient();
  Result<HttpResponse> r = client->Fetch(HttpRequest::Get(server.Url("/dated")));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::vector<int64_t> gaps = Gaps(server.RequestsFor("/dated"));
  ASSERT_EQ(gaps.size(), 1u);
  EXPECT_GE(gaps[0], 1000000 - kToleranceUs);
  EXPECT_LE(gaps[0], 2500000);
}

TEST(HttpRetryTest, GivesUpAfterMaxAttemptsWithTheLastStatus) {
  TestServer server;
  server.Route("/down", Reply::Status(503, "maintenance"));
  auto client = MakeClient();
  Result<HttpResponse> r = client->Fetch(HttpRequest::Get(server.Url("/down")));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kHttp);
  EXPECT_EQ(r.status().http_status(), 503);
  EXPECT_NE(r.status().message().find("after 3 attempts"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find(server.Url("/down")), std::string::npos);
  EXPECT_EQ(server.Count("/down"), 3u);
  EXPECT_EQ(client->Stats().hosts[server.HostPort()].failures, 1u);
}

TEST(HttpRetryTest, TooLongRetryAfterGivesUpAtOnce) {
  TestServer server;
  server.Route("/later", Reply::Status(503).WithHeader("Retry-After", "3600"));
  auto client = MakeClient();
  Result<HttpResponse> r = client->Fetch(HttpRequest::Get(server.Url("/later")));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("Retry-After of 3600 s"), std::string::npos)
      << r.status().message();
  EXPECT_EQ(server.Count("/later"), 1u);
}

TEST(HttpRetryTest, TotalRetryTimeIsBounded) {
  TestServer server;
  server.Route("/down", Reply::Status(500));
  HttpOptions o = LoopbackOptions();
  o.retry.max_attempts = 20;
  o.retry.initial_backoff_ms = 200;
  o.retry.multiplier = 1.0;
  o.retry.max_total_ms = 700;  // delays of 100..200 ms each
  auto client = MakeClient(o);
  Result<HttpResponse> r = client->Fetch(HttpRequest::Get(server.Url("/down")));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("retry budget"), std::string::npos) << r.status().message();
  size_t n = server.Count("/down");
  EXPECT_GE(n, 3u);   // 100..200 ms apart within 700 ms
  EXPECT_LE(n, 8u);
  std::vector<ServerRequest> seen = server.RequestsFor("/down");
  EXPECT_LE(seen.back().arrival_us - seen.front().arrival_us, 700000 + kToleranceUs);
}

TEST(HttpRetryTest, PostIsRetriedOnlyWhenMarked) {
  TestServer server;
  server.RouteSequence("/graphql", {Reply::Status(502), Reply::Text("{\"data\":{}}")});
  auto client = MakeClient();
  HttpRequest post = HttpRequest::Post(server.Url("/graphql"), "{}", "application/json");
  Result<HttpResponse> once = client->Fetch(post);
  ASSERT_FALSE(once.ok());
  EXPECT_EQ(once.status().http_status(), 502);
  EXPECT_NE(once.status().message().find("not retried"), std::string::npos) << once.status().message();
  EXPECT_EQ(server.Count("/graphql"), 1u);

  server.RouteSequence("/graphql", {Reply::Status(502), Reply::Text("{\"data\":{}}")});
  post.retry_post = true;
  Result<HttpResponse> retried = client->Fetch(post);
  ASSERT_TRUE(retried.ok()) << retried.status().ToString();
  EXPECT_EQ(retried->attempts, 2);
  std::vector<ServerRequest> seen = server.RequestsFor("/graphql");
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[2].body, "{}");
}

TEST(HttpRetryTest, RetryOfOneRequestDoesNotBlockOthers) {
  TestServer server;
  server.Route("/down", Reply::Status(503).WithHeader("Retry-After", "1"));
  server.Route("/up", Reply::Text("up"));
  HttpOptions o = LoopbackOptions();
  o.retry.max_attempts = 2;
  auto client = MakeClient(o);
  auto down = client->FetchAsync(HttpRequest::Get(server.Url("/down")));
  ASSERT_TRUE(server.WaitForRequests(2, 3000));
  int64_t start = TestServer::NowMicros();
  Result<HttpResponse> up = client->Fetch(HttpRequest::Get(server.Url("/up")));
  ASSERT_TRUE(up.ok());
  EXPECT_LT(TestServer::NowMicros() - start, 500000);
  EXPECT_FALSE(down.get().ok());
}

// ---------------------------------------------------------------------------------------------
// Waits reported to an HttpObserver

class RecordingObserver : public HttpObserver {
 public:
  struct Event {
    bool began;
    Wait why;
    bool operator==(const Event& o) const { return began == o.began && why == o.why; }
  };
  const std::string& party() const override { return party_; }
  void WaitBegan(Wait why) override { Record({true, why}); }
  void WaitEnded(Wait why) override { Record({false, why}); }

  std::vector<Event> events() const {
    std::lock_guard<std::mutex> lock(mu_);
    return events_;
  }
  // Every WaitBegan followed by its WaitEnded, none open.
  bool Balanced() const {
    int open[3] = {0, 0, 0};
    for (const Event& e : events()) {
      int& n = open[static_cast<int>(e.why)];
      n += e.began ? 1 : -1;
      if (n < 0) return false;
    }
    return open[0] == 0 && open[1] == 0 && open[2] == 0;
  }
  bool Saw(Wait why) const {
    for (const Event& e : events())
      if (e.began && e.why == why) return true;
    return false;
  }

 private:
  void Record(Event e) {
    std::lock_guard<std::mutex> lock(mu_);
    events_.push_back(e);
  }
  const std::string party_ = "a-source";
  mutable std::mutex mu_;
  std::vector<Event> events_;
};

Result<HttpResponse> FetchObserved(HttpClient& client, const std::string& url, HttpObserver* observer) {
  HttpRequest request = HttpRequest::Get(url);
  request.observer = observer;
  return client.Fetch(std::move(request));
}

TEST(HttpObserverTest, ARequestNotHeldBackReportsNoWait) {
  TestServer server;
  server.Route("/a", Reply::Text("a"));
  auto client = MakeClient();
  RecordingObserver observer;
  ASSERT_TRUE(FetchObserved(*client, server.Url("/a"), &observer).ok());
  ASSERT_TRUE(FetchObserved(*client, server.Url("/a"), &observer).ok());
  EXPECT_TRUE(observer.events().empty());
}

TEST(HttpObserverTest, CrawlDelayOfRobotsTxtIsReported) {
  TestServer server;
  server.ServeRobots("User-agent: *\nCrawl-delay: 1\n");
  server.Route("/a", Reply::Text("a"));
  auto client = MakeClient();
  RecordingObserver observer;
  ASSERT_TRUE(FetchObserved(*client, server.Url("/a"), &observer).ok());
  ASSERT_TRUE(FetchObserved(*client, server.Url("/a"), &observer).ok());
  EXPECT_TRUE(observer.Saw(Wait::kCrawlDelay));
  EXPECT_FALSE(observer.Saw(Wait::kThrottled));
  EXPECT_FALSE(observer.Saw(Wait::kBackoff));
  EXPECT_TRUE(observer.Balanced());
}

TEST(HttpObserverTest, ARetryTheServerAskedForIsThrottling) {
  TestServer server;
  server.RouteSequence("/t", {Reply::Status(429).WithHeader("Retry-After", "1"), Reply::Text("ok")});
  auto client = MakeClient();
  RecordingObserver observer;
  Result<HttpResponse> r = FetchObserved(*client, server.Url("/t"), &observer);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(observer.events(), (std::vector<RecordingObserver::Event>{{true, Wait::kThrottled},
                                                                      {false, Wait::kThrottled}}));
}

TEST(HttpObserverTest, ARetryAfterAServerErrorIsBackoff) {
  TestServer server;
  server.RouteSequence("/b", {Reply::Status(500), Reply::Text("ok")});
  auto client = MakeClient();
  RecordingObserver observer;
  Result<HttpResponse> r = FetchObserved(*client, server.Url("/b"), &observer);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(observer.events(), (std::vector<RecordingObserver::Event>{{true, Wait::kBackoff},
                                                                      {false, Wait::kBackoff}}));
}

TEST(HttpObserverTest, CancellingDuringAWaitEndsIt) {
  TestServer server;
  server.RouteSequence("/t", {Reply::Status(503).WithHeader("Retry-After", "4"), Reply::Text("ok")});
  auto client = MakeClient();
  RecordingObserver observer;
  HttpRequest request = HttpRequest::Get(server.Url("/t"));
  request.observer = &observer;
  std::future<Result<HttpResponse>> answer = client->FetchAsync(std::move(request));
  ASSERT_TRUE(server.WaitForRequests(2, 5000));  // robots.txt, the 503
  for (int i = 0; i < 200 && observer.events().empty(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(observer.events(), (std::vector<RecordingObserver::Event>{{true, Wait::kThrottled}}));
  client->Cancel();
  EXPECT_TRUE(answer.get().status().IsInterrupted());
  EXPECT_TRUE(observer.Balanced());
}

}  // namespace
}  // namespace alcor
