// Secret values (from ${ENV} references in configured headers and URLs) never appear in error
// messages, log lines or statistics, and are not sent to another origin on a redirect.
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <sstream>

#include "alcor/http.hpp"
#include "alcor_testing/test_server.hpp"

namespace alcor {
namespace {

using testing::Reply;
using testing::ServerRequest;
using testing::TestServer;

constexpr const char* kKey = "sk-live-5f1e2d3c4b5a69788796";
constexpr const char* kToken = "tok-ab12cd34ef56";

// Captures everything logged (debug level included) while alive.
class LogCapture {
 public:
  LogCapture() : previous_(spdlog::default_logger()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out_);
    auto logger = std::make_shared<spdlog::logger>("capture", sink);
    logger->set_level(spdlog::level::trace);
    spdlog::set_default_logger(logger);
  }
  ~LogCapture() { spdlog::set_default_logger(previous_); }
  std::string text() const { return out_.str(); }

 private:
  std::shared_ptr<spdlog::logger> previous_;
  std::ostringstream out_;
};

class HttpSecretsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("no_proxy", "*", 1);
    ::setenv("ALCOR_TEST_API_KEY", kKey, 1);
    ::setenv("ALCOR_TEST_TOKEN", kToken, 1);
  }

  // Options as scrape builds them from a config with ${ENV} header values.
  HttpOptions Options() {
    nlohmann::json http = {
        {"hosts",
         {{server_.HostPort(),
           {{"concurrency", 2},
            {"interval_s", 0},
            {"headers", {{"x-api-key", "${ALCOR_TEST_API_KEY}"}}}}}}}};
    Result<HttpOptions> o = ParseHttpOptions(http);
    EXPECT_TRUE(o.ok()) << o.status().ToString();
    o->retry.max_attempts = 2;
    o->retry.initial_backoff_ms = 50;
    return std::move(o).value();
  }

  std::unique_ptr<HttpClient> MakeClient() {
    Result<std::unique_ptr<HttpClient>> client = NewCurlHttpClient(Options());
    EXPECT_TRUE(client.ok()) << client.status().ToString();
    return std::move(client).value();
  }

  static void ExpectClean(const std::string& text) {
    EXPECT_EQ(text.find(kKey), std::string::npos) << text;
    EXPECT_EQ(text.find(kToken), std::string::npos) << text;
  }

  TestServer server_;
};

TEST_F(HttpSecretsTest, ConfiguredSecretHeaderIsSentButNeverWritten) {
  // The server echoes the credentials back in an error body, and fails so the client retries,
  // logs and builds an error message.
  server_.RouteHandler("/api", [](const ServerRequest& req) {
    const std::string* key = req.Header("x-api-key");
    const std::string* auth = req.Header("authorization");
    return Reply::Status(503, "bad key " + (key ? *key : "") + " / " + (auth ? *auth : ""));
  });
  LogCapture logs;
  auto client = MakeClient();
  Result<HttpHeader> auth = HttpHeader::FromConfig("Authorization", "Bearer ${ALCOR_TEST_TOKEN}");
  ASSERT_TRUE(auth.ok());
  HttpRequest req = HttpRequest::Get(server_.Url(std::string("/api?token=") + kToken));  // in the URL too
  req.headers.push_back(*auth);
  Result<HttpResponse> r = client->Fetch(req);
  ASSERT_FALSE(r.ok());
  // The secrets did reach the server...
  std::vector<ServerRequest> seen = server_.RequestsFor("/api");
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(*seen[0].Header("x-api-key"), kKey);
  EXPECT_EQ(*seen[0].Header("authorization"), std::string("Bearer ") + kToken);
  // ...and appear nowhere we write.
  std::string message = r.status().ToString();
  ExpectClean(message);
  EXPECT_NE(message.find("[REDACTED]"), std::string::npos) << message;
  EXPECT_NE(message.find("HTTP 503"), std::string::npos) << message;
  ExpectClean(logs.text());
  EXPECT_NE(logs.text().find("retrying"), std::string::npos) << "the retry was logged";
  for (const auto& [host, stats] : client->Stats().hosts) ExpectClean(host);
}

TEST_F(HttpSecretsTest, NetworkErrorsAreRedactedToo) {
  Reply stall = Reply::Text(std::string(100, 'x'));
  stall.drop_after_bytes = 10;
  server_.Route("/drop", stall);
  LogCapture logs;
  auto client = MakeClient();
  HttpRequest req = HttpRequest::Get(server_.Url(std::string("/drop?key=") + kKey));
  Result<HttpResponse> r = client->Fetch(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kNetwork);
  ExpectClean(r.status().ToString());
  ExpectClean(logs.text());
}

TEST_F(HttpSecretsTest, SecretHeadersDoNotFollowARedirectToAnotherOrigin) {
  TestServer elsewhere;
  elsewhere.Route("/landing", Reply::Text("ok"));
  server_.Route("/moved", Reply::Redirect(301, elsewhere.Url("/landing")));
  auto client = MakeClient();
  Result<HttpHeader> auth = HttpHeader::FromConfig("Authorization", "Bearer ${ALCOR_TEST_TOKEN}");
  HttpRequest req = HttpRequest::Get(server_.Url("/moved"));
  req.headers.push_back(*auth);
  Result<HttpResponse> r = client->Fetch(req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::vector<ServerRequest> seen = elsewhere.RequestsFor("/landing");
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].Header("authorization"), nullptr);
  EXPECT_EQ(seen[0].Header("x-api-key"), nullptr);  // host rule headers belong to their host
  EXPECT_NE(server_.RequestsFor("/moved")[0].Header("x-api-key"), nullptr);
}

TEST_F(HttpSecretsTest, RobotsTxtOfTheSameHostGetsTheHostsHeadersButNotTheRequests) {
  // Host rule headers were configured for this host (an access header may be what lets us past
  // its bot protection, robots.txt included); a request's own headers are for that request.
  server_.Route("/p", Reply::Text("x"));
  auto client = MakeClient();
  HttpRequest req = HttpRequest::Get(server_.Url("/p"));
  req.headers.push_back({"Authorization", "Bearer per-request", true});
  ASSERT_TRUE(client->Fetch(req).ok());
  std::vector<ServerRequest> robots = server_.RequestsFor("/robots.txt");
  ASSERT_EQ(robots.size(), 1u);
  ASSERT_NE(robots[0].Header("x-api-key"), nullptr);
  EXPECT_EQ(robots[0].Header("authorization"), nullptr);
}

}  // namespace
}  // namespace alcor
