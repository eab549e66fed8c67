// The libcurl HttpClient against the loopback TestServer: requests and responses, decoding,
// protocol and redirect limits, size limits, timeouts, dropped connections, proxies, cancel.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "alcor/http.hpp"
#include "alcor/version.hpp"
#include "alcor_testing/test_server.hpp"
#include "support/temp_dir.hpp"

namespace alcor {
namespace {

using testing::Reply;
using testing::ServerRequest;
using testing::TestServer;

// A port nothing listens on right now.
int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

bool CanConnect(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  ::close(fd);
  return ok;
}

// Fast, unthrottled settings for loopback tests.
HttpOptions LoopbackOptions() {
  HttpOptions o;
  o.default_rule = HostRule{4, 0.0, {}};
  o.retry.max_attempts = 3;
  o.retry.initial_backoff_ms = 50;
  o.retry.max_backoff_ms = 200;
  o.connect_timeout_ms = 2000;
  o.timeout_ms = 10000;
  o.stall_timeout_ms = 1000;
  o.jitter_seed = 42;
  return o;
}

std::unique_ptr<HttpClient> MakeClient(HttpOptions o = LoopbackOptions()) {
  Result<std::unique_ptr<HttpClient>> client = NewCurlHttpClient(std::move(o));
  EXPECT_TRUE(client.ok()) << client.status().ToString();
  return std::move(client).value();
}

class HttpClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // A proxy configured on the machine must not capture loopback traffic.
    ::setenv("no_proxy", "*", 1);
  }
  TestServer server_;
};

TEST_F(HttpClientTest, GetReturnsBodyStatusAndHeadersAndSendsOurUserAgent) {
  server_.Route("/page", Reply::Text("hello world", "text/html").WithHeader("X-Thing", "1"));
  server_.ServeRobots("");
  HttpOptions o = LoopbackOptions();
  o.contact = "mailto:ops@example.org";
  auto client = MakeClient(o);
  Result<HttpResponse> r = client->Fetch(HttpRequest::Get(server_.Url("/page?a=1#frag")));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->outcome, FetchOutcome::kOk);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "hello world");
  EXPECT_EQ(r->attempts, 1);
  EXPECT_EQ(r->redirects, 0);
  ASSERT_NE(r->Header("Content-Type"), nullptr);
  EXPECT_EQ(*r->Header("content-type"), "text/html");
  EXPECT_EQ(*r->Header("x-thing"), "1");
  EXPECT_EQ(r->final_url, server_.Url("/page?a=1"));
  std::vector<ServerRequest> seen = server_.RequestsFor("/page");
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].query, "a=1");
  ASSERT_NE(seen[0].Header("user-agent"), nullptr);
  EXPECT_EQ(*seen[0].Header("user-agent"),
            std::string("alcor/") + kVersion + " (+mailto:ops@example.org)");
  HttpStats stats = client->Stats();
  ASSERT_TRUE(stats.hosts.count(server_.HostPort()));
  EXPECT_EQ(stats.hosts[server_.HostPort()].bytes, 11u);
  EXPECT_EQ(stats.hosts[server_.HostPort()].requests, 2u);  // robots.txt + /page
}

TEST_F(HttpClientTest, PostSendsBodyAndHeadersButNeverAnotherUserAgent) {
  server_.RouteHandler("/graphql", [](const ServerRequest& req) {
    return Reply::Text("{\"echo\":" + std::to_string(req.body.size()) + "}", "application/json");
  });
  auto client = MakeClient();
  HttpRequest req = HttpRequest::Post(server_.Url("/graphql"), "{\"query\":\"{a}\"}", "application/json");
  req.headers.push_back({"X-Access", "open", false});
  req.headers.push_back({"User-Agent", "curl/1.0", false});
  Result<HttpResponse> r = client->Fetch(req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->body, "{\"echo\":15}");
  std::vector<ServerRequest> seen = server_.RequestsFor("/graphql");
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "POST");
  EXPECT_EQ(seen[0].body, "{\"query\":\"{a}\"}");
  EXPECT_EQ(*seen[0].Header("content-type"), "application/json");
  EXPECT_EQ(*seen[0].Header("x-access"), "open");
  EXPECT_EQ(seen[0].Header("user-agent")->rfind("alcor/", 0), 0u);
  EXPECT_EQ(seen[0].Header("expect"), nullptr);
}

TEST_F(HttpClientTest, HeadAndPutMethods) {
  server_.Route("/r", Reply::Text("body-not-sent-for-head"));
  auto client = MakeClient();
  HttpRequest head = HttpRequest::Get(server_.Url("/r"));
  head.method = "HEAD";
  Result<HttpResponse> r = client->Fetch(head);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->body, "");
  HttpRequest put = HttpRequest::Get(server_.Url("/r"));
  put.method = "put";
  put.body = "data";
  ASSERT_TRUE(client->Fetch(put).ok());
  std::vector<ServerRequest> seen = server_.RequestsFor("/r");
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].method, "HEAD");
  EXPECT_EQ(seen[1].method, "PUT");
  EXPECT_EQ(seen[1].body, "data");
}

TEST_F(HttpClientTest, DecodesCompressedBodiesUnlessRawIsAsked) {
  std::string text(5000, 'x');
  text += "end";
  std::string gz = TestServer::Gzip(text);
  server_.Route("/gz", Reply::Text(gz, "text/plain").WithHeader("Content-Encoding", "gzip"));
  server_.Route("/e-print", Reply::Text(gz, "application/x-eprint-tar")
                                .WithHeader("Content-Encoding", "x-gzip"));
  auto client = MakeClient();
  Result<HttpResponse> decoded = client->Fetch(HttpRequest::Get(server_.Url("/gz")));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->body, text);
  ASSERT_NE(server_.RequestsFor("/gz")[0].Header("accept-encoding"), nullptr);

  HttpRequest raw = HttpRequest::Get(server_.Url("/e-print"));
  raw.raw = true;
  Result<HttpResponse> bytes = client->Fetch(raw);
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  EXPECT_EQ(bytes->body, gz);
  EXPECT_EQ(server_.RequestsFor("/e-print")[0].Header("accept-encoding"), nullptr);
}

TEST_F(HttpClientTest, ClientErrorIsAnHttpStatusNamingTheUrlAndIsNotRetried) {
  server_.Route("/missing", Reply::Status(404, "no such page"));
  auto client = MakeClient();
  Result<HttpResponse> r = client->Fetch(HttpRequest::Get(server_.Url("/missing")));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kHttp);
  EXPECT_EQ(r.status().http_status(), 404);
  EXPECT_NE(r.status().message().find("GET " + server_.Url("/missing")), std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find("no such page"), std::string::npos);
  EXPECT_EQ(server_.Count("/missing"), 1u);
  EXPECT_EQ(client->Stats().hosts[server_.HostPort()].failures, 1u);
}

TEST_F(HttpClientTest, RefusesUrlsThatAreNotHttpOrHttps) {
  auto client = MakeClient();
  for (const char* url : {"file:///etc/passwd", "ftp://127.0.0.1/x", "gopher://h/", "not a url",
                          "http://"}) {
    Result<HttpResponse> r = client->Fetch(HttpRequest::Get(url));
    ASSERT_FALSE(r.ok()) << url;
    EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument) << url;
  }
  Result<HttpResponse> r = client->Fetch(HttpRequest::Get("file:///etc/passwd"));
  EXPECT_NE(r.status().message().find("refused protocol 'file'"), std::string::npos)
      << r.status().message();
  EXPECT_EQ(server_.TotalCount(), 0u);
}

TEST_F(HttpClientTest, FollowsRedirectsWithinAndAcrossHosts) {
  TestServer other;
  other.Route("/final", Reply::Text("arrived"));
  server_.Route("/a", Reply::Redirect(301, "/b"));
  server_.Route("/b", Reply::Redirect(302, other.Url("/final")));
  auto client = MakeClient();
  HttpRequest req = HttpRequest::Get(server_.Url("/a"));
  req.headers.push_back({"X-Api-Key", "configured-for-first-host", true});
  req.headers.push_back({"Accept", "text/html", false});
  Result<HttpResponse> r = client->Fetch(req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->body, "arrived");
  EXPECT_EQ(r->redirects, 2);
  EXPECT_EQ(r->url, server_.Url("/a"));
  EXPECT_EQ(r->final_url, other.Url("/final"));
  // The secret header went only to the origin it was meant for.
  ASSERT_EQ(server_.Count("/b"), 1u);
  EXPECT_NE(server_.RequestsFor("/b")[0].Header("x-api-key"), nullptr);
  std::vector<ServerRequest> final_seen = other.RequestsFor("/final");
  ASSERT_EQ(final_seen.size(), 1u);
  EXPECT_EQ(final_seen[0].Header("x-api-key"), nullptr);
  EXPECT_NE(final_seen[0].Header("accept"), nullptr);
  // The other host's robots.txt was consulted before its first request.
  EXPECT_EQ(other.Count("/robots.txt"), 1u);
}

TEST_F(HttpClientTest, SeeOtherTurnsPostIntoGet) {
  server_.Route("/submit", Reply::Redirect(303, "/result"));
  server_.Route("/result", Reply::Text("done"));
  auto client = MakeClient();
  Result<HttpResponse> r =
      client->Fetch(HttpRequest::Post(server_.Url("/submit"), "q=1", "application/x-www-form-urlencoded"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::vector<ServerRequest> seen = server_.RequestsFor("/result");
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "GET");
  EXPECT_EQ(seen[0].body, "");
}

TEST_F(HttpClientTest, RedirectToFileOrFtpIsRefused) {
  server_.Route("/to-file", Reply::Redirect(302, "file:///etc/passwd"));
  server_.Route("/to-ftp", Reply::Redirect(301, "ftp://127.0.0.1/x"));
  auto client = MakeClient();
  for (const char* path : {"/to-file", "/to-ftp"}) {
    Result<HttpResponse> r = client->Fetch(HttpRequest::Get(server_.Url(path)));
    ASSERT_FALSE(r.ok()) << path;
    EXPECT_EQ(r.status().code(), Status::Code::kNetwork) << r.status().ToString();
    EXPECT_NE(r.status().message().find("redirect refused"), std::string::npos)
        << r.status().message();
    EXPECT_NE(r.status().message().find("refused protocol"), std::string::npos);
  }
}

TEST_F(HttpClientTest, AtMostTenRedirects) {
  server_.RouteHandler("/hop", [](const ServerRequest& req) {
    int n = req.query.empty() ? 0 : std::atoi(req.query.c_str());
    return Reply::Redirect(302, "/hop?" + std::to_string(n + 1));
  });
  auto client = MakeClient();
  Result<HttpResponse> r = client->Fetch(HttpRequest::Get(server_.Url("/hop")));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kNetwork);
  EXPECT_NE(r.status().message().find("more than 10 redirects"), std::string::npos)
      << r.status().message();
  EXPECT_EQ(server_.Count("/hop"), 11u);  // the first request and ten redirects

  // Exactly ten are fine.
  server_.RouteHandler("/ten", [](const ServerRequest& req) {
    int n = req.query.empty() ? 0 : std::atoi(req.query.c_str());
    return n == 10 ? Reply::Text("ok") : Reply::Redirect(307, "/ten?" + std::to_string(n + 1));
  });
  Result<HttpResponse> ok = client->Fetch(HttpRequest::Get(server_.Url("/ten")));
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->redirects, 10);
}

TEST_F(HttpClientTest, OversizedBodyIsAbortedWithAClearError) {
  server_.Route("/big", Reply::Text(std::string(200000, 'b')));
  Reply unsized = Reply::Text(std::string(200000, 'u'));
  unsized.send_content_length = false;
  unsized.chunk_bytes = 16384;
  server_.Route("/big-unsized", unsized);
  HttpOptions o = LoopbackOptions();
  o.max_response_bytes = 100000;
  auto client = MakeClient(o);
  for (const char* path : {"/big", "/big-unsized"}) {
    Result<HttpResponse> r = client->Fetch(HttpRequest::Get(server_.Url(path)));
    ASSERT_FALSE(r.ok()) << path;
    EXPECT_EQ(r.status().code(), Status::Code::kLimitExceeded) << r.status().ToString();
    EXPECT_NE(r.status().message().find("larger than the limit of 100000 bytes"), std::string::npos)
        << r.status().message();
    EXPECT_NE(r.status().message().find(path), std::string::npos);
    EXPECT_EQ(server_.Count(path), 1u) << "a size error is not retried";
  }
  // The per-request cap overrides the client's.
  HttpRequest small = HttpRequest::Get(server_.Url("/big"));
  small.max_bytes = 300000;
  EXPECT_TRUE(client->Fetch(small).ok());
  small.max_bytes = 1000;
  EXPECT_EQ(client->Fetch(small).status().code(), Status::Code::kLimitExceeded);
}

TEST_F(HttpClientTest, DecodedSizeCountsAgainstTheLimit) {
  std::string text(300000, 'z');
  server_.Route("/bomb", Reply::Text(TestServer::Gzip(text)).WithHeader("Content-Encoding", "gzip"));
  auto client = MakeClient();
  HttpRequest req = HttpRequest::Get(server_.Url("/bomb"));
  req.max_bytes = 301000;  // the gzip bytes are slightly larger than the text: allowed on the wire
  ASSERT_TRUE(client->Fetch(req).ok());
  req.max_bytes = 200000;
  EXPECT_EQ(client->Fetch(req).status().code(), Status::Code::kLimitExceeded);
}

TEST_F(HttpClientTest, StalledTransferIsAbortedAndRetried) {
  Reply stall = Reply::Text(std::string(1000, 's'));
  stall.stall_after_bytes = 100;
  server_.Route("/stall", stall);
  HttpOptions o = LoopbackOptions();
  o.retry.max_attempts = 2;
  auto client = MakeClient(o);
  auto start = std::chrono::steady_clock::now();
  Result<HttpResponse> r = client->Fetch(HttpRequest::Get(server_.Url("/stall")));
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kNetwork);
  EXPECT_NE(r.status().message().find("stalled"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("after 2 attempts"), std::string::npos);
  EXPECT_EQ(server_.Count("/stall"), 2u);
  EXPECT_LT(seconds, 8.0);
}

TEST_F(HttpClientTest, SlowButSteadyBodyIsNotAStall) {
  Reply slow = Reply::Text(std::string(50, 'w'));
  slow.chunk_bytes = 10;
  slow.chunk_delay_ms = 300;  // 1.5 s in all, never 1 s without a byte
  server_.Route("/slow", slow);
  auto client = MakeClient();
  Result<HttpResponse> r = client->Fetch(HttpRequest::Get(server_.Url("/slow")));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->body.size(), 50u);
}

TEST_F(HttpClientTest, TotalTimeoutAbortsASlowAnswer) {
  server_.Route("/late", Reply::Text("late").WithLatency(3000));
  HttpOptions o = LoopbackOptions();
  o.timeout_ms = 400;
  o.retry.max_attempts = 1;
  auto client = MakeClient(o);
  Result<HttpResponse> r = client->Fetch(HttpRequest::Get(server_.Url("/late")));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kNetwork);
  EXPECT_NE(r.status().message().find("timed out"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("after 1 attempt"), std::string::npos);
}

TEST_F(HttpClientTest, DroppedConnectionsAreRetried) {
  Reply drop_early;
  drop_early.drop_before_response = true;
  Reply drop_mid = Reply::Text(std::string(1000, 'd'));
  drop_mid.drop_after_bytes = 10;
  server_.RouteSequence("/flaky", {drop_early, drop_mid, Reply::Text("finally")});
  // A fresh connection for /flaky: libcurl itself silently retries a request once when a
  // *reused* connection closes without an answer, which would hide the first drop from us.
  Reply robots = Reply::Status(404);
  robots.close_connection = true;
  server_.Route("/robots.txt", robots);
  auto client = MakeClient();
  Result<HttpResponse> r = client->Fetch(HttpRequest::Get(server_.Url("/flaky")));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->body, "finally");
  EXPECT_EQ(r->attempts, 3);
  EXPECT_EQ(client->Stats().hosts[server_.HostPort()].retries, 2u);
}

TEST_F(HttpClientTest, ConnectionRefusedIsANetworkError) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  ::close(fd);  // nothing listens there now
  auto client = MakeClient();
  std::string url = "http://127.0.0.1:" + std::to_string(port) + "/x";
  Result<HttpResponse> r = client->Fetch(HttpRequest::Get(url));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kNetwork) << r.status().ToString();
  // robots.txt could not be fetched, so nothing of that origin is requested.
  EXPECT_NE(r.status().message().find("robots.txt"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find(url), std::string::npos) << r.status().message();
}

TEST_F(HttpClientTest, ProxyComesFromTheEnvironment) {
  server_.Route("/via-proxy", Reply::Text("proxied"));
  ::unsetenv("no_proxy");
  ::unsetenv("NO_PROXY");
  ::setenv("http_proxy", server_.BaseUrl().c_str(), 1);
  auto client = MakeClient();
  Result<HttpResponse> r = client->Fetch(HttpRequest::Get("http://alcor-proxy-test.invalid/via-proxy"));
  ::unsetenv("http_proxy");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->body, "proxied");
  std::vector<ServerRequest> seen = server_.RequestsFor("/via-proxy");
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].target, "http://alcor-proxy-test.invalid/via-proxy");
}

TEST_F(HttpClientTest, ManyRequestsInFlightFromOneThread) {
  server_.RouteHandler("/n", [](const ServerRequest& req) { return Reply::Text(req.query); });
  server_.SetLatencyMs(20);
  auto client = MakeClient();
  std::vector<std::future<Result<HttpResponse>>> futures;
  for (int i = 0; i < 40; ++i) {
    futures.push_back(client->FetchAsync(HttpRequest::Get(server_.Url("/n?" + std::to_string(i)))));
  }
  for (int i = 0; i < 40; ++i) {
    Result<HttpResponse> r = futures[i].get();
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->body, std::to_string(i));
  }
  EXPECT_EQ(server_.MaxInFlight(false), 4);
}

TEST_F(HttpClientTest, FetchFromACallbackIsRefusedInsteadOfDeadlocking) {
  server_.Route("/x", Reply::Text("x"));
  auto client = MakeClient();
  std::promise<Status> inner;
  client->Submit(HttpRequest::Get(server_.Url("/x")), [&](Result<HttpResponse>) {
    inner.set_value(client->Fetch(HttpRequest::Get(server_.Url("/x"))).status());
  });
  Status s = inner.get_future().get();
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(s.message().find("deadlock"), std::string::npos);
}

TEST_F(HttpClientTest, CallbacksMaySubmitMoreWork) {
  server_.RouteHandler("/chain", [](const ServerRequest& req) { return Reply::Text(req.query); });
  auto client = MakeClient();
  std::promise<std::string> last;
  std::function<void(Result<HttpResponse>)> next = [&](Result<HttpResponse> r) {
    int n = std::atoi(r->body.c_str());
    if (n == 5) {
      last.set_value(r->body);
      return;
    }
    client->Submit(HttpRequest::Get(server_.Url("/chain?" + std::to_string(n + 1))), next);
  };
  client->Submit(HttpRequest::Get(server_.Url("/chain?0")), next);
  EXPECT_EQ(last.get_future().get(), "5");
}

TEST_F(HttpClientTest, CancelInterruptsQueuedAndRunningRequests) {
  server_.Route("/slow", Reply::Text("slow").WithLatency(5000));
  HttpOptions o = LoopbackOptions();
  o.default_rule = HostRule{1, 0.0, {}};
  auto client = MakeClient(o);
  auto running = client->FetchAsync(HttpRequest::Get(server_.Url("/slow")));
  auto queued = client->FetchAsync(HttpRequest::Get(server_.Url("/slow")));
  ASSERT_TRUE(server_.WaitForRequests(2, 3000));  // robots.txt and the first /slow
  auto start = std::chrono::steady_clock::now();
  client->Cancel();
  Result<HttpResponse> a = running.get();
  Result<HttpResponse> b = queued.get();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  EXPECT_EQ(a.status().code(), Status::Code::kInterrupted) << a.status().ToString();
  EXPECT_EQ(b.status().code(), Status::Code::kInterrupted) << b.status().ToString();
  EXPECT_EQ(client->Fetch(HttpRequest::Get(server_.Url("/slow"))).status().code(),
            Status::Code::kInterrupted);
}

TEST_F(HttpClientTest, DestroyingTheClientEndsPendingRequests) {
  server_.Route("/slow", Reply::Text("slow").WithLatency(5000));
  auto client = MakeClient();
  auto pending = client->FetchAsync(HttpRequest::Get(server_.Url("/slow")));
  ASSERT_TRUE(server_.WaitForRequests(2, 3000));
  client.reset();
  EXPECT_EQ(pending.get().status().code(), Status::Code::kInterrupted);
}

TEST_F(HttpClientTest, SelfSignedCertificateIsRejected) {
  // TLS verification is always on: a server with a certificate no CA signed is refused.
  if (testing::RunCommand("command -v openssl >/dev/null") != 0) {
    GTEST_SKIP() << "the openssl command is not installed";
  }
  testing::TempDir dir;
  ASSERT_EQ(testing::RunCommand("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 "
                                "-nodes -days 1 -subj /CN=127.0.0.1 -keyout " + dir.Sub("key.pem") +
                                " -out " + dir.Sub("cert.pem") + " 2>/dev/null"),
            0);
  int port = FreePort();
  // Everything the child needs is prepared before fork: this process has threads.
  std::string accept = "127.0.0.1:" + std::to_string(port);
  std::string cert = dir.Sub("cert.pem"), key = dir.Sub("key.pem");
  int devnull = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::dup2(devnull, 1);
    ::dup2(devnull, 2);
    ::execlp("openssl", "openssl", "s_server", "-quiet", "-www", "-accept", accept.c_str(), "-cert",
             cert.c_str(), "-key", key.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(devnull);
  bool up = false;
  for (int i = 0; i < 100 && !up; ++i) {
    up = CanConnect(port);
    if (!up) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  Result<HttpResponse> r = Status::IOError("not run");
  if (up) {
    auto client = MakeClient();
    r = client->Fetch(HttpRequest::Get("https://127.0.0.1:" + std::to_string(port) + "/"));
  }
  ::kill(pid, SIGTERM);
  ::waitpid(pid, nullptr, 0);
  ASSERT_TRUE(up) << "openssl s_server did not start";
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kNetwork) << r.status().ToString();
  EXPECT_NE(r.status().message().find("certificate"), std::string::npos) << r.status().message();
  EXPECT_EQ(r.status().message().find("attempts"), std::string::npos)
      << "a certificate error is final, not retried: " << r.status().message();
}

TEST_F(HttpClientTest, HttpsIsAttemptedWithTlsAndFailsAgainstAPlainServer) {
  HttpOptions o = LoopbackOptions();
  o.retry.max_attempts = 1;
  o.connect_timeout_ms = 500;
  auto client = MakeClient(o);
  Result<HttpResponse> r =
      client->Fetch(HttpRequest::Get("https://127.0.0.1:" + std::to_string(server_.port()) + "/x"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kNetwork) << r.status().ToString();
}

}  // namespace
}  // namespace alcor
