// A live run without http.contact warns once on stderr (docs/http.md, "User-Agent"): a run is
// live when it sends a request to a host other than loopback. Such a host is reached here through
// a proxy on 127.0.0.1 (http_proxy), so nothing leaves the machine.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "alcor_testing/test_server.hpp"
#include "support/temp_dir.hpp"

namespace alcor {
namespace {

using nlohmann::json;
using testing::Reply;
using testing::TempDir;
using testing::TestServer;

constexpr const char* kWarning = "http.contact is not set";

class HttpContactWarningTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string feed =
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>T</title><link>http://blog.example/</link>"
        "<description>d</description>";
    for (int i = 1; i <= 3; ++i) {
      feed += "<item><title>Post " + std::to_string(i) + "</title><link>http://blog.example/p" + std::to_string(i) +
              "</link><pubDate>Tue, 02 Jan 2024 03:04:0" + std::to_string(i) +
              " GMT</pubDate><description>A post about oversight of learned models and what evaluations show, "
              "long enough to be a text of its own.</description></item>";
    }
    feed += "</channel></rss>";
    server_.Route("/feed.xml", Reply::Text(feed, "application/rss+xml"));
  }

  // Runs a scrape of feed_url with contact ("" for none); returns stderr.
  std::string Scrape(const std::string& feed_url, const std::string& contact, bool via_proxy) {
    json http = {{"hosts", {{"blog.example", {{"interval_s", 0}}}, {server_.HostPort(), {{"interval_s", 0}}}}}};
    if (!contact.empty()) http["contact"] = contact;
    json config = {{"http", http},
                   {"sources", {{{"name", "blog"}, {"kind", "feed"}, {"feed_url", feed_url}, {"fetch_pages", "never"},
                                 {"history", false}}}}};
    std::string path = tmp_.Sub("c" + std::to_string(++runs_) + ".json");
    testing::WriteFile(path, config.dump(2));
    std::string env = via_proxy ? "env -u no_proxy -u NO_PROXY http_proxy=" + server_.BaseUrl() + " "
                                : "env no_proxy='*' ";
    std::string out, err;
    int rc = testing::RunCommand(env + testing::AlcorBin() + " --no-progress --store " + tmp_.Sub("s" + std::to_string(runs_)) +
                                     " scrape --config " + path,
                                 &out, &err);
    EXPECT_EQ(rc, 0) << out << err;
    EXPECT_NE(out.find("blog"), std::string::npos) << out;
    return err;
  }

  TempDir tmp_;
  TestServer server_;
  int runs_ = 0;
};

TEST_F(HttpContactWarningTest, OnceOnALiveRunWithoutContact) {
  std::string err = Scrape("http://blog.example/feed.xml", "", /*via_proxy=*/true);
  EXPECT_EQ(testing::CountOccurrences(err, kWarning), 1u) << err;
  EXPECT_NE(err.find("blog.example"), std::string::npos) << err;
  EXPECT_GE(server_.RequestsFor("/feed.xml").size(), 1u) << "the run went through the proxy";
}

TEST_F(HttpContactWarningTest, NotWithAContactOrOnLoopback) {
  std::string with_contact = Scrape("http://blog.example/feed.xml", "mailto:ops@example.org", /*via_proxy=*/true);
  EXPECT_EQ(testing::CountOccurrences(with_contact, kWarning), 0u) << with_contact;
  std::string loopback = Scrape(server_.Url("/feed.xml"), "", /*via_proxy=*/false);
  EXPECT_EQ(testing::CountOccurrences(loopback, kWarning), 0u) << loopback;
  EXPECT_EQ(server_.RequestsFor("/feed.xml").size(), 2u);
}

}  // namespace
}  // namespace alcor
