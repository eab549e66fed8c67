// Conditional GET across runs: validators saved under the state directory by one client are
// sent by the next, and a 304 reaches the caller as "not modified".
#include <gtest/gtest.h>

#include <cstdlib>

#include "alcor/env.hpp"
#include "alcor/http.hpp"
#include "alcor_testing/test_server.hpp"
#include "support/temp_dir.hpp"

namespace alcor {
namespace {

using testing::ReadFile;
using testing::Reply;
using testing::ServerRequest;
using testing::TempDir;
using testing::TestServer;

std::unique_ptr<HttpClient> MakeClient(const std::string& state_dir) {
  ::setenv("no_proxy", "*", 1);
  HttpOptions o;
  o.default_rule = HostRule{4, 0.0, {}};
  o.retry.initial_backoff_ms = 50;
  o.state_dir = state_dir;
  Result<std::unique_ptr<HttpClient>> client = NewCurlHttpClient(std::move(o));
  EXPECT_TRUE(client.ok()) << client.status().ToString();
  return std::move(client).value();
}

HttpRequest Conditional(const std::string& url) {
  HttpRequest r = HttpRequest::Get(url);
  r.conditional = true;
  return r;
}

TEST(HttpConditionalTest, SecondRunGetsNotModified) {
  TempDir dir;
  std::string state = dir.Sub("store/state/http");
  TestServer server;
  server.ServeConditional("/post", "<p>text</p>", "\"v1\"", "Fri, 04 Mar 2022 18:04:53 GMT");
  {
    auto run1 = MakeClient(state);
    Result<HttpResponse> r = run1->Fetch(Conditional(server.Url("/post")));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->outcome, FetchOutcome::kOk);
    EXPECT_EQ(r->body, "<p>text</p>");
    ASSERT_TRUE(run1->SaveValidators().ok());
  }
  std::string saved = ReadFile(state + "/validators.json");
  EXPECT_NE(saved.find("\\\"v1\\\""), std::string::npos) << saved;
  mode_t mode = 0;
  ASSERT_TRUE(Env::Default()->GetMode(state + "/validators.json", &mode).ok());
  EXPECT_EQ(mode, 0600u);

  auto run2 = MakeClient(state);
  Result<HttpResponse> r = run2->Fetch(Conditional(server.Url("/post")));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->outcome, FetchOutcome::kNotModified);
  EXPECT_TRUE(r->not_modified());
  EXPECT_EQ(r->status, 304);
  EXPECT_EQ(r->body, "");
  std::vector<ServerRequest> seen = server.RequestsFor("/post");
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].Header("if-none-match"), nullptr);
  ASSERT_NE(seen[1].Header("if-none-match"), nullptr);
  EXPECT_EQ(*seen[1].Header("if-none-match"), "\"v1\"");
  EXPECT_EQ(*seen[1].Header("if-modified-since"), "Fri, 04 Mar 2022 18:04:53 GMT");
  EXPECT_EQ(run2->Stats().hosts[server.HostPort()].not_modified, 1u);
}

TEST(HttpConditionalTest, NothingIsRememberedUntilSaved) {
  TempDir dir;
  TestServer server;
  server.ServeConditional("/post", "body", "\"v1\"", "");
  {
    auto run1 = MakeClient(dir.path());
    ASSERT_TRUE(run1->Fetch(Conditional(server.Url("/post"))).ok());
    // Within the run the validators are known already.
    Result<HttpResponse> again = run1->Fetch(Conditional(server.Url("/post")));
    ASSERT_TRUE(again.ok());
    EXPECT_TRUE(again->not_modified());
    // The run ends without SaveValidators (it crashed, or its documents were not committed).
  }
  auto run2 = MakeClient(dir.path());
  Result<HttpResponse> r = run2->Fetch(Conditional(server.Url("/post")));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->outcome, FetchOutcome::kOk);
  EXPECT_EQ(r->body, "body");
}

TEST(HttpConditionalTest, ForgottenUrlsAreFetchedInFullNextRun) {
  TempDir dir;
  TestServer server;
  server.ServeConditional("/a", "A", "\"a1\"", "");
  server.ServeConditional("/b", "B", "\"b1\"", "");
  {
    auto run1 = MakeClient(dir.path());
    ASSERT_TRUE(run1->Fetch(Conditional(server.Url("/a"))).ok());
    ASSERT_TRUE(run1->Fetch(Conditional(server.Url("/b"))).ok());
    run1->ForgetValidators(server.Url("/b#section"));  // the source could not use /b
    ASSERT_TRUE(run1->SaveValidators().ok());
  }
  auto run2 = MakeClient(dir.path());
  EXPECT_TRUE(run2->Fetch(Conditional(server.Url("/a")))->not_modified());
  Result<HttpResponse> b = run2->Fetch(Conditional(server.Url("/b")));
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->body, "B");
}

TEST(HttpConditionalTest, LastModifiedAloneWorks) {
  TempDir dir;
  TestServer server;
  server.ServeConditional("/feed", "<rss/>", "", "Sat, 05 Mar 2022 10:00:00 GMT");
  {
    auto run1 = MakeClient(dir.path());
    ASSERT_TRUE(run1->Fetch(Conditional(server.Url("/feed"))).ok());
    ASSERT_TRUE(run1->SaveValidators().ok());
  }
  auto run2 = MakeClient(dir.path());
  Result<HttpResponse> r = run2->Fetch(Conditional(server.Url("/feed")));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->not_modified());
  std::vector<ServerRequest> seen = server.RequestsFor("/feed");
  EXPECT_EQ(seen[1].Header("if-none-match"), nullptr);
  EXPECT_EQ(*seen[1].Header("if-modified-since"), "Sat, 05 Mar 2022 10:00:00 GMT");
}

TEST(HttpConditionalTest, ChangedResourceIsFetchedAndNewValidatorsKept) {
  TempDir dir;
  TestServer server;
  server.ServeConditional("/post", "old", "\"v1\"", "");
  {
    auto run1 = MakeClient(dir.path());
    ASSERT_TRUE(run1->Fetch(Conditional(server.Url("/post"))).ok());
    ASSERT_TRUE(run1->SaveValidators().ok());
  }
  server.ServeConditional("/post", "new", "\"v2\"", "");
  {
    auto run2 = MakeClient(dir.path());
    Result<HttpResponse> r = run2->Fetch(Conditional(server.Url("/post")));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->outcome, FetchOutcome::kOk);
    EXPECT_EQ(r->body, "new");
    ASSERT_TRUE(run2->SaveValidators().ok());
  }
  auto run3 = MakeClient(dir.path());
  EXPECT_TRUE(run3->Fetch(Conditional(server.Url("/post")))->not_modified());
  EXPECT_EQ(*server.RequestsFor("/post").back().Header("if-none-match"), "\"v2\"");
}

TEST(HttpConditionalTest, UnconditionalRequestsSendNoValidators) {
  TempDir dir;
  TestServer server;
  server.ServeConditional("/post", "body", "\"v1\"", "");
  auto client = MakeClient(dir.path());
  ASSERT_TRUE(client->Fetch(Conditional(server.Url("/post"))).ok());
  Result<HttpResponse> plain = client->Fetch(HttpRequest::Get(server.Url("/post")));
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->body, "body");
  EXPECT_EQ(server.RequestsFor("/post").back().Header("if-none-match"), nullptr);
}

TEST(HttpConditionalTest, CorruptStateIsReportedAtStart) {
  TempDir dir;
  testing::WriteFile(dir.Sub("validators.json"), "garbage");
  HttpOptions o;
  o.state_dir = dir.path();
  Result<std::unique_ptr<HttpClient>> client = NewCurlHttpClient(o);
  ASSERT_FALSE(client.ok());
  EXPECT_TRUE(client.status().IsCorruption()) << client.status().ToString();
}

}  // namespace
}  // namespace alcor
