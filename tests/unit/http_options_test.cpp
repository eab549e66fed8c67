// Configuration, host rules, secrets and small helpers of include/alcor/http.hpp.
#include <gtest/gtest.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "alcor/http.hpp"
#include "alcor/version.hpp"

namespace alcor {
namespace {

using nlohmann::json;

TEST(HttpOptionsTest, AbsentObjectGivesPoliteDefaults) {
  Result<HttpOptions> o = ParseHttpOptions(json());
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->max_response_bytes, uint64_t{64} << 20);
  EXPECT_EQ(o->default_rule.concurrency, 2);
  EXPECT_DOUBLE_EQ(o->default_rule.interval_s, 1.0);
  EXPECT_TRUE(o->contact.empty());
}

TEST(HttpOptionsTest, ParsesEveryKey) {
  json j = json::parse(R"({
    "contact": "mailto:ops@example.org",
    "max_response_bytes": 1048576,
    "timeout_s": 30, "connect_timeout_s": 5, "stall_timeout_s": 10, "max_attempts": 3,
    "hosts": {
      "www.lesswrong.com": {"concurrency": 1, "interval_s": 2},
      "*.substack.com": {"concurrency": 3, "interval_s": 0.5},
      "127.0.0.1:8080": {"concurrency": 8, "interval_s": 0}
    }})");
  Result<HttpOptions> o = ParseHttpOptions(j);
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->contact, "mailto:ops@example.org");
  EXPECT_EQ(o->max_response_bytes, 1048576u);
  EXPECT_EQ(o->timeout_ms, 30000);
  EXPECT_EQ(o->connect_timeout_ms, 5000);
  EXPECT_EQ(o->stall_timeout_ms, 10000);
  EXPECT_EQ(o->retry.max_attempts, 3);
  ASSERT_EQ(o->hosts.size(), 3u);
  EXPECT_EQ(o->hosts["www.lesswrong.com"].concurrency, 1);
  EXPECT_DOUBLE_EQ(o->hosts["*.substack.com"].interval_s, 0.5);
  EXPECT_EQ(o->hosts["127.0.0.1:8080"].concurrency, 8);
}

TEST(HttpOptionsTest, RobotsPolicyIsObeyUnlessAHostSaysIgnore) {
  Result<HttpOptions> o = ParseHttpOptions(json::parse(
      R"({"hosts": {"export.arxiv.org": {"robots": "ignore", "interval_s": 3}, "arxiv.org": {"robots": "obey"}}})"));
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_FALSE(ResolveHostRule(*o, "export.arxiv.org").obey_robots);
  EXPECT_TRUE(ResolveHostRule(*o, "arxiv.org").obey_robots);
  EXPECT_TRUE(ResolveHostRule(*o, "example.org").obey_robots);  // the default rule
  HttpOptions defaults;
  EXPECT_TRUE(defaults.default_rule.obey_robots);
  for (const char* host : {"export.arxiv.org", "arxiv.org", "api.semanticscholar.org"}) {
    EXPECT_TRUE(ResolveHostRule(defaults, host).obey_robots) << host;  // nothing ignored by default
  }
  // The site's built-in rule: one connection, 3 s (robots.txt's Crawl-delay raises it).
  EXPECT_EQ(ResolveHostRule(defaults, "arxiv.org").concurrency, 1);
  EXPECT_DOUBLE_EQ(ResolveHostRule(defaults, "arxiv.org").interval_s, 3.0);
}

TEST(HttpOptionsTest, ErrorsNameTheKeyPath) {
  struct Case {
    const char* config;
    const char* expected;
  } cases[] = {
      {R"({"contakt": "x"})", "http.contakt: unknown key"},
      {R"({"contact": 5})", "http.contact: must be a string"},
      {R"({"max_response_bytes": 0})", "http.max_response_bytes: must be between"},
      {R"({"max_response_bytes": "big"})", "http.max_response_bytes: must be an integer"},
      {R"({"hosts": {"a.org": {"concurrency": 0}}})", "http.hosts.a.org.concurrency: must be between"},
      {R"({"hosts": {"a.org": {"concurrency": 2.5}}})", "http.hosts.a.org.concurrency: must be an integer"},
      {R"({"hosts": {"a.org": {"interval_s": -1}}})", "http.hosts.a.org.interval_s: must be between"},
      {R"({"hosts": {"a.org": {"speed": 1}}})", "http.hosts.a.org.speed: unknown key"},
      {R"({"hosts": {"a.org": 3}})", "http.hosts.a.org: must be an object"},
      {R"({"hosts": {"a.org": {"robots": "skip"}}})", "http.hosts.a.org.robots: must be \"obey\" or \"ignore\""},
      {R"({"hosts": {"a.org": {"robots": false}}})", "http.hosts.a.org.robots: must be \"obey\" or \"ignore\""},
      {R"({"hosts": {"http://a.org": {}}})", "http.hosts.http://a.org: is not a host"},
      {R"({"hosts": {"*.": {}}})", "is not a host"},
      {R"({"hosts": {"a.org": {"headers": {"X-Key": 1}}}})", "http.hosts.a.org.headers.X-Key: must be a string"},
      {R"([1])", "http: must be an object"},
  };
  for (const Case& c : cases) {
    Result<HttpOptions> o = ParseHttpOptions(json::parse(c.config));
    ASSERT_FALSE(o.ok()) << c.config;
    EXPECT_EQ(o.status().code(), Status::Code::kInvalidArgument);
    EXPECT_NE(o.status().message().find(c.expected), std::string::npos)
        << c.config << " -> " << o.status().message();
  }
}

TEST(HttpOptionsTest, HostHeadersExpandEnvironmentAndAreSecret) {
  ::setenv("ALCOR_TEST_OPTIONS_KEY", "k-123-secret", 1);
  Result<HttpOptions> o = ParseHttpOptions(json::parse(R"({"hosts": {"api.example.org": {
      "headers": {"x-api-key": "${ALCOR_TEST_OPTIONS_KEY}", "Accept": "application/json"}}}})"));
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  const HostRule& rule = o->hosts["api.example.org"];
  ASSERT_EQ(rule.headers.size(), 2u);
  const HttpHeader* key = nullptr;
  for (const HttpHeader& h : rule.headers) {
    if (h.name == "x-api-key") key = &h;
  }
  ASSERT_NE(key, nullptr);
  EXPECT_EQ(key->value, "k-123-secret");
  EXPECT_TRUE(key->secret);
  EXPECT_EQ(SecretRegistry::Global()->Redact("key=k-123-secret"), "key=[REDACTED]");
  // An unset variable is an error that names the variable, not a value.
  ::unsetenv("ALCOR_TEST_OPTIONS_UNSET");
  Result<HttpOptions> bad = ParseHttpOptions(json::parse(
      R"({"hosts": {"a.org": {"headers": {"x-api-key": "${ALCOR_TEST_OPTIONS_UNSET}"}}}})"));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("ALCOR_TEST_OPTIONS_UNSET is not set"), std::string::npos)
      << bad.status().message();
}

TEST(HostRuleTest, ResolutionOrder) {
  HttpOptions o;
  o.hosts["example.org"] = HostRule{5, 0.1, {}};
  o.hosts["example.org:8080"] = HostRule{6, 0.2, {}};
  o.hosts["*.example.org"] = HostRule{7, 0.3, {}};
  o.hosts["*.deep.example.org"] = HostRule{8, 0.4, {}};
  o.hosts["export.arxiv.org"] = HostRule{3, 0.5, {}};
  EXPECT_EQ(ResolveHostRule(o, "example.org").concurrency, 5);
  EXPECT_EQ(ResolveHostRule(o, "Example.ORG", 8080).concurrency, 6);
  EXPECT_EQ(ResolveHostRule(o, "example.org", 9090).concurrency, 5);
  EXPECT_EQ(ResolveHostRule(o, "a.example.org").concurrency, 7);
  EXPECT_EQ(ResolveHostRule(o, "a.deep.example.org").concurrency, 8);
  EXPECT_EQ(ResolveHostRule(o, "deep.example.org").concurrency, 8);
  EXPECT_EQ(ResolveHostRule(o, "notexample.org").concurrency, 2);  // default
  // Configuration overrides the built-in rules.
  EXPECT_EQ(ResolveHostRule(o, "export.arxiv.org").concurrency, 3);
}

TEST(HostRuleTest, BuiltInRulesAndDefaults) {
  HttpOptions o;
  HostRule arxiv = ResolveHostRule(o, "export.arxiv.org");
  EXPECT_EQ(arxiv.concurrency, 1);
  EXPECT_DOUBLE_EQ(arxiv.interval_s, 3.0);
  HostRule s2 = ResolveHostRule(o, "api.semanticscholar.org");
  EXPECT_EQ(s2.concurrency, 1);
  EXPECT_DOUBLE_EQ(s2.interval_s, 1.0);
  HostRule other = ResolveHostRule(o, "www.lesswrong.com");
  EXPECT_EQ(other.concurrency, 2);
  EXPECT_DOUBLE_EQ(other.interval_s, 1.0);
}

TEST(EnvReferencesTest, ExpandsAndCollectsSecrets) {
  EnvLookup lookup = [](const std::string& name) -> std::optional<std::string> {
    if (name == "TOKEN") return std::string("tok-999");
    if (name == "EMPTY") return std::string();
    return std::nullopt;
  };
  std::vector<std::string> secrets;
  Result<std::string> r = ExpandEnvReferences("Bearer ${TOKEN}; $HOME ${EMPTY}$", lookup, &secrets);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, "Bearer tok-999; $HOME $");
  EXPECT_EQ(secrets, std::vector<std::string>{"tok-999"});
  EXPECT_EQ(SecretRegistry::Global()->Redact("tok-999"), "[REDACTED]");

  Result<std::string> missing = ExpandEnvReferences("${NOPE}", lookup, nullptr);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(), "environment variable NOPE is not set");
  EXPECT_FALSE(ExpandEnvReferences("${TOKEN", lookup, nullptr).ok());
  EXPECT_FALSE(ExpandEnvReferences("${1BAD}", lookup, nullptr).ok());
  EXPECT_FALSE(ExpandEnvReferences("${}", lookup, nullptr).ok());
}

TEST(EnvReferencesTest, HeaderFromConfigIsSecretOnlyWithAReference) {
  ::setenv("ALCOR_TEST_HEADER_VALUE", "hv-42", 1);
  Result<HttpHeader> h = HttpHeader::FromConfig("Authorization", "Bearer ${ALCOR_TEST_HEADER_VALUE}");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->value, "Bearer hv-42");
  EXPECT_TRUE(h->secret);
  Result<HttpHeader> plain = HttpHeader::FromConfig("Accept", "text/html");
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->secret);
}

TEST(RedactTest, ReplacesEveryOccurrenceLongestFirst) {
  EXPECT_EQ(RedactValues("a-abc-abcd-x", {"abc", "abcd"}), "a-[REDACTED]-[REDACTED]-x");
  EXPECT_EQ(RedactValues("nothing", {""}), "nothing");
  SecretRegistry registry;
  registry.Add("abc");
  registry.Add("abcdef");
  registry.Add("");
  EXPECT_EQ(registry.size(), 2u);
  EXPECT_EQ(registry.Redact("xabcdefx abc"), "x[REDACTED]x [REDACTED]");
}

TEST(UserAgentTest, VersionAndContact) {
  EXPECT_EQ(UserAgentFor(""), std::string("alcor/") + kVersion);
  EXPECT_EQ(UserAgentFor("https://example.org/bot"),
            std::string("alcor/") + kVersion + " (+https://example.org/bot)");
}

TEST(HttpResponseTest, HeaderLookupIsCaseInsensitive) {
  HttpResponse r;
  r.headers = {{"content-type", "text/html"}, {"etag", "\"a\""}};
  ASSERT_NE(r.Header("Content-Type"), nullptr);
  EXPECT_EQ(*r.Header("ETAG"), "\"a\"");
  EXPECT_EQ(r.Header("x-missing"), nullptr);
  EXPECT_STREQ(FetchOutcomeName(FetchOutcome::kNotModified), "not-modified");
}

TEST(HttpResponseTest, CharsetComesFromTheContentTypeParameter) {
  HttpResponse r;
  EXPECT_EQ(r.charset(), "") << "no Content-Type";
  r.headers = {{"content-type", "text/html"}};
  EXPECT_EQ(r.charset(), "");
  r.headers = {{"content-type", "text/html; Charset=\"ISO-8859-1\"; q=1"}};
  EXPECT_EQ(r.charset(), "iso-8859-1");
  EXPECT_EQ(CharsetOfContentType("text/plain;charset=UTF-8"), "utf-8");
  EXPECT_EQ(CharsetOfContentType("text/plain; format=flowed; charset = 'koi8-r' "), "koi8-r");
  EXPECT_EQ(CharsetOfContentType("text/plain; xcharset=utf-8"), "") << "another parameter's name";
}

}  // namespace
}  // namespace alcor
