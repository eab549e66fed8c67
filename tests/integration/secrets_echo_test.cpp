// No configured secret reaches any output (issue 19, docs/configuration.md "Secrets"): a config
// with a secret in a URL query (feed, book), in access headers (forummagnum, a host rule), in an
// arXiv API URL and in http.contact runs against a loopback server that echoes every request
// (target, headers, body) back in its answers: in feed items, pages, texts and error answers,
// with the first secret of an error answer placed across the places messages cut answers. Then
// neither a secret nor a prefix of 8 of its characters appears on stdout or stderr (text and
// JSON logs, -v), in the run report, a state file, a record or any file of the store; records
// name the key by its ${NAME}.
#include <gtest/gtest.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "alcor/strings.hpp"
#include "alcor_testing/test_server.hpp"
#include "support/temp_dir.hpp"

namespace alcor {
namespace {

using nlohmann::json;
using testing::Reply;
using testing::ServerRequest;
using testing::TempDir;
using testing::TestServer;

// name -> value. The values share no 8-character prefix with anything else the run prints.
const std::vector<std::pair<std::string, std::string>> kSecrets = {
    {"ALCOR_ECHO_FEED_KEY", "Fk7Qp2Lx9Vb4Rw8Zt1Nc"},
    {"ALCOR_ECHO_BOOK_KEY", "Bk3Hs8Jd2Mq6Wp9Xv5Ly"},
    {"ALCOR_ECHO_TOKEN", "Tk9Gz4Cr7Ua1Ye6Pb3Ks"},
    {"ALCOR_ECHO_HOST_KEY", "Hk5Vn2Qe8Ts4Xa7Jm1Rd"},
    {"ALCOR_ECHO_ARXIV_KEY", "Ak6Wy3Lb9Fp2Zc8Nh4Gu"},
    {"ALCOR_ECHO_CONTACT", "mailto:Ck8Ej5Rt1Ym7Qa3Bw6Xp@example.org"},
};

// Everything the request carried, one "name: value" line each.
std::string EchoOf(const ServerRequest& req) {
  std::string out = req.method + " " + req.target + "\n";
  for (const auto& [name, value] : req.headers) out += name + ": " + value + "\n";
  return out + req.body;
}

// The echo with filler before it so that the first secret in it starts at byte cut - 10: an
// excerpt cut at `cut` bytes ends with the secret's first 10 characters.
std::string EchoAcross(const ServerRequest& req, size_t cut) {
  std::string echo = EchoOf(req);
  size_t first = std::string::npos;
  for (const auto& [name, value] : kSecrets) first = std::min(first, echo.find(value));
  if (first == std::string::npos || first >= cut - 10) return echo;
  return std::string(cut - 10 - first, '-') + echo;
}

class SecretsEchoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("no_proxy", "*", 1);
    for (const auto& [name, value] : kSecrets) ::setenv(name.c_str(), value.c_str(), 1);
    store_ = tmp_.Sub("store");
    const std::string base = server_.BaseUrl();
    // The feed: items whose links carry the key the feed was asked with, and whose content is the
    // echo; the pages they link to echo too.
    server_.RouteHandler("/feed.xml", [base](const ServerRequest& req) {
      std::string key = req.query.substr(req.query.find('=') + 1);
      std::string items;
      for (int i = 1; i <= 2; ++i) {
        std::string link = base + "/post/" + std::to_string(i) + "?key=" + key;
        items += "<item><title>Echo " + std::to_string(i) + "</title><link>" + XmlEscape(link) + "</link><guid>" +
                 XmlEscape(link) + "</guid><pubDate>Tue, 02 Jan 2024 03:04:0" + std::to_string(i) +
                 " GMT</pubDate><description>" + XmlEscape("<p>The request was:</p><pre>" + EchoOf(req) + "</pre>") +
                 "</description></item>";
      }
      return Reply::Text("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Echo</title><link>" + base +
                             "/</link><description>echo</description>" + items + "</channel></rss>",
                         "application/rss+xml");
    });
    server_.RoutePrefix("/post/", [](const ServerRequest& req) {
      return Reply::Text("<html><head><title>Echo page</title></head><body><article><h1>Echo page</h1><p>" +
                             XmlEscape(EchoOf(req)) + "</p><p>" + std::string(40, 'w') + " words of a page.</p></article></body></html>",
                         "text/html; charset=utf-8");
    });
    server_.RouteHandler("/book.txt", [](const ServerRequest& req) {
      return Reply::Text("An echoed book\n\nThe request was:\n" + EchoOf(req) + "\nThe end of the book.\n");
    });
    // Error answers, each with the first secret across a cut the messages make of answers.
    server_.RouteHandler("/broken.xml", [](const ServerRequest& req) { return Reply::Status(404, EchoAcross(req, 200)); });
    server_.RouteHandler("/fm/graphql", [](const ServerRequest& req) { return Reply::Status(400, EchoAcross(req, 200)); });
    server_.RouteHandler("/fm2/graphql", [](const ServerRequest& req) { return Reply::Text(EchoAcross(req, 120)); });
    server_.RouteHandler("/arxiv/api", [](const ServerRequest& req) { return Reply::Status(500, EchoAcross(req, 400)); });
    server_.RoutePrefix("/", [](const ServerRequest& req) { return Reply::Status(404, EchoAcross(req, 200)); });

    json host_rule = {{"concurrency", 2}, {"interval_s", 0}, {"headers", {{"x-api-key", "${ALCOR_ECHO_HOST_KEY}"}}}};
    json config = {
        // Two attempts: a retried error answer passes through the retry warning once (its excerpt
        // too) without the seconds of backoff of the default five attempts.
        {"http",
         {{"contact", "${ALCOR_ECHO_CONTACT}"},
          {"hosts", {{server_.HostPort(), host_rule}}},
          {"timeout_s", 10},
          {"max_attempts", 2}}},
        {"sources",
         {{{"name", "echo-feed"}, {"kind", "feed"}, {"feed_url", base + "/feed.xml?key=${ALCOR_ECHO_FEED_KEY}"},
           {"fetch_pages", "always"}},
          {{"name", "echo-broken-feed"}, {"kind", "feed"}, {"feed_url", base + "/broken.xml?key=${ALCOR_ECHO_FEED_KEY}"}},
          {{"name", "echo-book"}, {"kind", "book"}, {"urls", {base + "/book.txt?key=${ALCOR_ECHO_BOOK_KEY}"}}},
          {{"name", "echo-forum"}, {"kind", "forummagnum"}, {"base_url", base + "/fm"},
           {"headers", {{"Authorization", "Bearer ${ALCOR_ECHO_TOKEN}"}}}},
          {{"name", "echo-forum-text"}, {"kind", "forummagnum"}, {"base_url", base + "/fm2"},
           {"headers", {{"Authorization", "Bearer ${ALCOR_ECHO_TOKEN}"}}}},
          {{"name", "echo-arxiv"}, {"kind", "arxiv"}, {"metadata", "api"},
           {"api_url", base + "/arxiv/api?key=${ALCOR_ECHO_ARXIV_KEY}"},
           {"ids", {"2101.00001"}}, {"request_interval_s", 0}}}}};
    config_ = tmp_.Sub("echo.json");
    testing::WriteFile(config_, config.dump(2));
  }

  int Alcor(const std::string& args, std::string* out, std::string* err) {
    return testing::RunCommand(testing::AlcorBin() + " --no-progress --store " + store_ + " " + args, out, err);
  }

  // Neither a secret nor the first 8 characters of one in text.
  static void ExpectNoSecret(const std::string& text, const std::string& where) {
    for (const auto& [name, value] : kSecrets) {
      EXPECT_EQ(text.find(value.substr(0, 8)), std::string::npos) << name << " (or its prefix) in " << where << ":\n"
                                                                  << text;
    }
  }

  TempDir tmp_;
  TestServer server_;
  std::string store_, config_;
};

TEST_F(SecretsEchoTest, NoSecretReachesAnyOutputLogRunReportStateOrRecord) {
  std::string out, err;
  // Text logs with -v, then JSON logs: every source ran (so the secrets were sent and echoed).
  EXPECT_EQ(Alcor("-v scrape --config " + config_, &out, &err), 1) << out << err;  // some sources fail
  ExpectNoSecret(out, "stdout");
  ExpectNoSecret(err, "stderr (text)");
  EXPECT_NE(err.find("[REDACTED]"), std::string::npos) << "an echoed secret was in a message: " << err;
  EXPECT_EQ(Alcor("--log-format json -v scrape --config " + config_, &out, &err), 1) << out << err;
  ExpectNoSecret(out, "stdout (json run)");
  ExpectNoSecret(err, "stderr (json)");
  EXPECT_EQ(Alcor("scrape --print-config --config " + config_, &out, &err), 0) << err;
  ExpectNoSecret(out + err, "--print-config");

  // The secrets did reach the server, each where it was configured.
  std::map<std::string, bool> sent;
  for (const ServerRequest& req : server_.Requests()) {
    std::string echo = EchoOf(req);
    for (const auto& [name, value] : kSecrets)
      if (echo.find(value) != std::string::npos) sent[name] = true;
  }
  for (const auto& [name, value] : kSecrets) EXPECT_TRUE(sent[name]) << name << " was never sent";

  // Every file of the store, byte for byte, and every record as cat prints it.
  size_t files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(store_)) {
    if (!entry.is_regular_file()) continue;
    ++files;
    ExpectNoSecret(testing::ReadFile(entry.path().string()), entry.path().string());
  }
  EXPECT_GT(files, 5u);
  ASSERT_EQ(Alcor("cat", &out, &err), 0) << err;
  ExpectNoSecret(out, "records");
  // The records keep which key was used, by name; the echoed pages and book are stored.
  EXPECT_NE(out.find("key=${ALCOR_ECHO_FEED_KEY}"), std::string::npos) << out;
  EXPECT_NE(out.find("key=${ALCOR_ECHO_BOOK_KEY}"), std::string::npos) << out;
  EXPECT_NE(out.find("GET /post/1?key=${ALCOR_ECHO_FEED_KEY}"), std::string::npos) << out;  // the page, echoing
  std::string reports;
  for (const auto& entry : std::filesystem::directory_iterator(store_ + "/runs")) {
    reports += testing::ReadFile(entry.path().string());
  }
  EXPECT_NE(reports.find("echo-forum"), std::string::npos) << reports;
  ExpectNoSecret(reports, "run reports");
  ASSERT_EQ(Alcor("stats", &out, &err), 0) << err;
  ExpectNoSecret(out + err, "stats");
}

}  // namespace
}  // namespace alcor
