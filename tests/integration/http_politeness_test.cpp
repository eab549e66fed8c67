// Politeness of the libcurl HttpClient, observed by the loopback TestServer: per-host
// concurrency and interval limits, robots.txt (rules, Crawl-delay, fetched once), User-Agent.
#include <gtest/gtest.h>

#include <cstdlib>

#include "alcor/http.hpp"
#include "alcor_testing/test_server.hpp"

namespace alcor {
namespace {

using testing::Reply;
using testing::ServerRequest;
using testing::TestServer;

// Arrival gaps at the server can be shorter than the client's start gaps by the difference in
// connection and send time of two requests: allow for that on a loaded (or sanitized) machine.
const int64_t kToleranceUs = std::getenv("ALCOR_SANITIZED") != nullptr ? 80000 : 40000;

HttpOptions LoopbackOptions() {
  HttpOptions o;
  o.default_rule = HostRule{4, 0.0, {}};
  o.retry.max_attempts = 2;
  o.retry.initial_backoff_ms = 50;
  o.connect_timeout_ms = 2000;
  o.timeout_ms = 10000;
  o.jitter_seed = 1;
  return o;
}

std::unique_ptr<HttpClient> MakeClient(HttpOptions o) {
  ::setenv("no_proxy", "*", 1);
  Result<std::unique_ptr<HttpClient>> client = NewCurlHttpClient(std::move(o));
  EXPECT_TRUE(client.ok()) << client.status().ToString();
  return std::move(client).value();
}

std::vector<ServerRequest> WithoutRobots(std::vector<ServerRequest> all) {
  std::vector<ServerRequest> out;
  for (ServerRequest& r : all) {
    if (r.path != "/robots.txt") out.push_back(std::move(r));
  }
  return out;
}

void FetchAll(HttpClient* client, const TestServer& server, int n) {
  std::vector<std::future<Result<HttpResponse>>> futures;
  for (int i = 0; i < n; ++i) {
    futures.push_back(client->FetchAsync(HttpRequest::Get(server.Url("/p?" + std::to_string(i)))));
  }
  for (auto& f : futures) {
    Result<HttpResponse> r = f.get();
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
}

TEST(HttpPolitenessTest, ConcurrencyLimitIsReachedButNeverExceeded) {
  TestServer server;
  server.Route("/p", Reply::Text("x"));
  server.SetLatencyMs(60);
  HttpOptions o = LoopbackOptions();
  o.hosts[server.HostPort()] = HostRule{3, 0.0, {}};
  auto client = MakeClient(o);
  FetchAll(client.get(), server, 18);
  EXPECT_EQ(server.MaxInFlight(), 3);
  EXPECT_EQ(client->Stats().hosts[server.HostPort()].max_in_flight, 3);
}

TEST(HttpPolitenessTest, IntervalBetweenStartsIsKept) {
  TestServer server;
  server.Route("/p", Reply::Text("x"));
  HttpOptions o = LoopbackOptions();
  o.hosts[server.HostPort()] = HostRule{4, 0.15, {}};
  auto client = MakeClient(o);
  int64_t start = TestServer::NowMicros();
  FetchAll(client.get(), server, 5);
  // robots.txt + 5 requests, each start 150 ms after the previous one.
  EXPECT_GE(TestServer::MinGapMicros(server.Requests()), 150000 - kToleranceUs);
  EXPECT_GE(TestServer::NowMicros() - start, 5 * 150000 - kToleranceUs);
}

TEST(HttpPolitenessTest, HostsAreLimitedIndependently) {
  TestServer slow_host, other_host;
  slow_host.Route("/p", Reply::Text("x"));
  other_host.Route("/p", Reply::Text("y"));
  HttpOptions o = LoopbackOptions();
  o.hosts[slow_host.HostPort()] = HostRule{1, 1.0, {}};
  auto client = MakeClient(o);
  auto slow = client->FetchAsync(HttpRequest::Get(slow_host.Url("/p")));
  auto slow2 = client->FetchAsync(HttpRequest::Get(slow_host.Url("/p")));
  int64_t start = TestServer::NowMicros();
  FetchAll(client.get(), other_host, 8);
  EXPECT_LT(TestServer::NowMicros() - start, 800000);  // not held up by the slow host's 1 s
  ASSERT_TRUE(slow.get().ok());
  ASSERT_TRUE(slow2.get().ok());
  EXPECT_GE(TestServer::MinGapMicros(slow_host.Requests()), 1000000 - kToleranceUs);
}

TEST(HttpPolitenessTest, RobotsDisallowedUrlsAreSkippedAndCounted) {
  TestServer server;
  server.ServeRobots("User-agent: *\nDisallow: /private\n\nUser-agent: otherbot\nDisallow: /\n");
  server.Route("/private/x", Reply::Text("secret"));
  server.Route("/public", Reply::Text("public"));
  auto client = MakeClient(LoopbackOptions());
  Result<HttpResponse> denied = client->Fetch(HttpRequest::Get(server.Url("/private/x")));
  ASSERT_TRUE(denied.ok()) << denied.status().ToString();
  EXPECT_EQ(denied->outcome, FetchOutcome::kRobotsDisallowed);
  EXPECT_TRUE(denied->robots_disallowed());
  EXPECT_EQ(denied->status, 0);
  EXPECT_EQ(denied->body, "");
  for (int i = 0; i < 3; ++i) {
    Result<HttpResponse> ok = client->Fetch(HttpRequest::Get(server.Url("/public")));
    ASSERT_TRUE(ok.ok());
    EXPECT_EQ(ok->body, "public");
  }
  EXPECT_EQ(server.Count("/private/x"), 0u);
  EXPECT_EQ(server.Count("/robots.txt"), 1u);  // once per origin per client
  HostStats s = client->Stats().hosts[server.HostPort()];
  EXPECT_EQ(s.robots_skipped, 1u);
  EXPECT_EQ(s.failures, 0u);
}

TEST(HttpPolitenessTest, OurOwnGroupIsObeyed) {
  TestServer server;
  server.ServeRobots("User-agent: alcor\nDisallow: /\n\nUser-agent: *\nAllow: /\n");
  server.Route("/any", Reply::Text("x"));
  auto client = MakeClient(LoopbackOptions());
  Result<HttpResponse> r = client->Fetch(HttpRequest::Get(server.Url("/any")));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->robots_disallowed());
  EXPECT_EQ(server.Count("/any"), 0u);
}

TEST(HttpPolitenessTest, RedirectIntoADisallowedPathIsSkipped) {
  TestServer first, second;
  second.ServeRobots("User-agent: *\nDisallow: /no\n");
  second.Route("/no/entry", Reply::Text("x"));
  first.Route("/go", Reply::Redirect(302, second.Url("/no/entry")));
  auto client = MakeClient(LoopbackOptions());
  Result<HttpResponse> r = client->Fetch(HttpRequest::Get(first.Url("/go")));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->robots_disallowed());
  EXPECT_EQ(second.Count("/no/entry"), 0u);
  EXPECT_EQ(client->Stats().hosts[second.HostPort()].robots_skipped, 1u);
}

TEST(HttpPolitenessTest, CrawlDelayWinsOverAFasterSetting) {
  TestServer server;
  server.ServeRobots("User-agent: *\nCrawl-delay: 0.3\n");
  server.Route("/p", Reply::Text("x"));
  HttpOptions o = LoopbackOptions();
  o.hosts[server.HostPort()] = HostRule{4, 0.0, {}};
  auto client = MakeClient(o);
  FetchAll(client.get(), server, 4);
  std::vector<ServerRequest> all = server.Requests();
  ASSERT_EQ(all.size(), 5u);
  // Between the requests after robots.txt was read, never less than the Crawl-delay.
  EXPECT_GE(TestServer::MinGapMicros(WithoutRobots(all)), 300000 - kToleranceUs);
  EXPECT_EQ(TestServer::MaxOverlap(WithoutRobots(all)), 1);
}

TEST(HttpPolitenessTest, ASlowerConfiguredIntervalWinsOverCrawlDelay) {
  TestServer server;
  server.ServeRobots("User-agent: *\nCrawl-delay: 0.05\n");
  server.Route("/p", Reply::Text("x"));
  HttpOptions o = LoopbackOptions();
  o.hosts[server.HostPort()] = HostRule{2, 0.25, {}};
  auto client = MakeClient(o);
  FetchAll(client.get(), server, 3);
  EXPECT_GE(TestServer::MinGapMicros(server.Requests()), 250000 - kToleranceUs);
}

TEST(HttpPolitenessTest, MissingOrForbiddenRobotsTxtAllowsEverything) {
  for (int status : {404, 403, 410}) {
    TestServer server;
    server.Route("/robots.txt", Reply::Status(status));
    server.Route("/p", Reply::Text("x"));
    auto client = MakeClient(LoopbackOptions());
    Result<HttpResponse> r = client->Fetch(HttpRequest::Get(server.Url("/p")));
    ASSERT_TRUE(r.ok()) << status << ": " << r.status().ToString();
    EXPECT_EQ(r->outcome, FetchOutcome::kOk) << status;
    EXPECT_EQ(client->Stats().hosts[server.HostPort()].failures, 0u);
  }
}

TEST(HttpPolitenessTest, UnavailableRobotsTxtKeepsTheOriginOffLimits) {
  TestServer server;
  server.Route("/robots.txt", Reply::Status(503));
  server.Route("/p", Reply::Text("x"));
  auto client = MakeClient(LoopbackOptions());
  for (int i = 0; i < 2; ++i) {
    Result<HttpResponse> r = client->Fetch(HttpRequest::Get(server.Url("/p")));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), Status::Code::kHttp);
    EXPECT_NE(r.status().message().find("robots.txt of " + server.BaseUrl() + " unavailable"),
              std::string::npos)
        << r.status().message();
    EXPECT_NE(r.status().message().find("GET " + server.Url("/p")), std::string::npos);
  }
  EXPECT_EQ(server.Count("/p"), 0u);
  EXPECT_EQ(server.Count("/robots.txt"), 2u);  // one fetch, retried once; not again per request
}

TEST(HttpPolitenessTest, RobotsTxtIsTheFirstRequestToAnOrigin) {
  TestServer server;
  server.Route("/p", Reply::Text("x"));
  auto client = MakeClient(LoopbackOptions());
  FetchAll(client.get(), server, 6);
  std::vector<ServerRequest> all = server.Requests();
  ASSERT_EQ(all.size(), 7u);
  EXPECT_EQ(all[0].path, "/robots.txt");
  for (size_t i = 1; i < all.size(); ++i) EXPECT_GE(all[i].arrival_us, all[0].finish_us);
}

}  // namespace
}  // namespace alcor
