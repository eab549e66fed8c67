#include "alcor_testing/fake_http_client.hpp"

#include <gtest/gtest.h>

namespace alcor {
namespace {

TEST(FakeHttpClientTest, AnswersInOrderAndRepeatsTheLast) {
  FakeHttpClient fake;
  fake.AddResponse("https://a.org/x", FakeHttpClient::Ok("one"));
  fake.AddResponse("https://a.org/x", FakeHttpClient::Ok("two"));
  EXPECT_EQ(fake.Fetch(HttpRequest::Get("https://a.org/x"))->body, "one");
  EXPECT_EQ(fake.Fetch(HttpRequest::Get("https://a.org/x"))->body, "two");
  Result<HttpResponse> again = fake.Fetch(HttpRequest::Get("https://a.org/x"));
  EXPECT_EQ(again->body, "two");
  EXPECT_EQ(again->url, "https://a.org/x");
  EXPECT_EQ(again->status, 200);
  EXPECT_EQ(*again->Header("Content-Type"), "text/html; charset=utf-8");
}

TEST(FakeHttpClientTest, RecordsEveryRequest) {
  FakeHttpClient fake;
  fake.AddResponse("https://a.org/graphql", FakeHttpClient::Ok("{}", "application/json"));
  HttpRequest post = HttpRequest::Post("https://a.org/graphql", "{\"q\":1}", "application/json");
  post.retry_post = true;
  ASSERT_TRUE(fake.Fetch(post).ok());
  ASSERT_FALSE(fake.Fetch(HttpRequest::Get("https://a.org/other")).ok());
  std::vector<HttpRequest> seen = fake.requests();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].method, "POST");
  EXPECT_EQ(seen[0].body, "{\"q\":1}");
  EXPECT_TRUE(seen[0].retry_post);
  EXPECT_EQ(fake.urls(), (std::vector<std::string>{"https://a.org/graphql", "https://a.org/other"}));
}

TEST(FakeHttpClientTest, UnprogrammedUrlsAre404AndErrorsPassThrough) {
  FakeHttpClient fake;
  Result<HttpResponse> missing = fake.Fetch(HttpRequest::Get("https://a.org/nothing"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().http_status(), 404);
  fake.AddError("https://a.org/down", FakeHttpClient::HttpError(503, "GET", "https://a.org/down"));
  EXPECT_EQ(fake.Fetch(HttpRequest::Get("https://a.org/down")).status().http_status(), 503);
  fake.AddError("https://a.org/net", Status::Network("connection refused"));
  EXPECT_EQ(fake.Fetch(HttpRequest::Get("https://a.org/net")).status().code(), Status::Code::kNetwork);
  EXPECT_EQ(fake.Stats().hosts["a.org"].failures, 3u);
}

TEST(FakeHttpClientTest, HandlerRobotsAndNotModified) {
  FakeHttpClient fake;
  fake.SetHandler([](const HttpRequest& req) -> Result<HttpResponse> {
    if (req.conditional) return FakeHttpClient::NotModified();
    return FakeHttpClient::Ok("handled " + req.url);
  });
  fake.DisallowPrefix("https://a.org/private");
  EXPECT_EQ(fake.Fetch(HttpRequest::Get("https://a.org/p"))->body, "handled https://a.org/p");
  HttpRequest cond = HttpRequest::Get("https://a.org/p");
  cond.conditional = true;
  EXPECT_TRUE(fake.Fetch(cond)->not_modified());
  EXPECT_TRUE(fake.Fetch(HttpRequest::Get("https://a.org/private/1"))->robots_disallowed());
  HostStats s = fake.Stats().hosts["a.org"];
  EXPECT_EQ(s.requests, 2u);
  EXPECT_EQ(s.not_modified, 1u);
  EXPECT_EQ(s.robots_skipped, 1u);
}

TEST(FakeHttpClientTest, AsyncSubmitValidatorsAndCancel) {
  FakeHttpClient fake;
  fake.AddResponse("https://a.org/x", FakeHttpClient::Ok("x"));
  auto future = fake.FetchAsync(HttpRequest::Get("https://a.org/x"));
  EXPECT_EQ(future.get()->body, "x");
  fake.ForgetValidators("https://a.org/x");
  EXPECT_TRUE(fake.SaveValidators().ok());
  EXPECT_EQ(fake.save_validators_calls(), 1);
  EXPECT_EQ(fake.forgotten_urls(), std::vector<std::string>{"https://a.org/x"});
  fake.Cancel();
  EXPECT_EQ(fake.Fetch(HttpRequest::Get("https://a.org/x")).status().code(),
            Status::Code::kInterrupted);
}

}  // namespace
}  // namespace alcor
