// Usage errors come before any request and any store (issue 19, docs/operations.md "Exit
// codes"): an impossible config value (a date key with no such day), a negative --limit or
// --workers, an empty value of any option or argument exit 2 with a message naming the key or
// flag and the value, the server sees no request and no store is created.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "alcor/env.hpp"
#include "alcor_testing/test_server.hpp"
#include "support/temp_dir.hpp"

namespace alcor {
namespace {

using nlohmann::json;
using testing::TempDir;
using testing::TestServer;

class UsageErrorsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("no_proxy", "*", 1);
    store_ = tmp_.Sub("store");
    testing::WriteFile(tmp_.Sub("in/a.md"), "# A\n\nA note about oversight of learned models.\n");
  }

  // A config with one source of kind and settings, pointed at the loopback server.
  std::string Config(const json& source) {
    json entry = source;
    entry["name"] = "s";
    json config = {{"http", {{"contact", "https://example.invalid/contact"}}}, {"sources", {entry}}};
    std::string path = tmp_.Sub("c" + std::to_string(++configs_) + ".json");
    testing::WriteFile(path, config.dump(2));
    return path;
  }

  // Runs alcor with args; expects exit 2, every one of expected in stderr, no request, no store.
  void ExpectUsageError(const std::string& args, const std::vector<std::string>& expected) {
    SCOPED_TRACE(args);
    std::string out, err;
    int rc = testing::RunCommand(testing::AlcorBin() + " --no-progress --store " + store_ + " " + args + " </dev/null",
                                 &out, &err);
    EXPECT_EQ(rc, 2) << out << err;
    for (const std::string& e : expected) EXPECT_NE(err.find(e), std::string::npos) << "'" << e << "' in: " << err;
    EXPECT_TRUE(server_.Requests().empty()) << "a request was made";
    EXPECT_FALSE(Env::Default()->FileExists(store_)) << "a store was created";
  }

  TempDir tmp_;
  TestServer server_;
  std::string store_;
  int configs_ = 0;
};

TEST_F(UsageErrorsTest, ImpossibleDatesInTheConfig) {
  const std::string fm = server_.Url("/fm");
  for (const char* key : {"posted_after", "posted_before"}) {
    for (const char* date : {"2023-13-45", "2023-02-30"}) {
      std::string config = Config({{"kind", "forummagnum"}, {"base_url", fm}, {key, date}});
      ExpectUsageError("scrape --config " + config, {key, date});
    }
  }
  const std::string api = server_.Url("/arxiv/api");
  for (const char* key : {"date_from", "date_to"}) {
    for (const char* date : {"2023-13-45", "2023-02-30", "2023-1-5"}) {
      std::string config = Config({{"kind", "arxiv"}, {"metadata", "api"}, {"api_url", api}, {"queries", {"alignment"}}, {key, date}});
      ExpectUsageError("scrape --config " + config, {key, date});
    }
  }
  // ingest takes an arxiv source's settings from a scrape configuration: checked the same way.
  std::string bad_arxiv =
      Config({{"kind", "arxiv"}, {"metadata", "api"}, {"api_url", api}, {"queries", {"alignment"}}, {"date_from", "2023-13-45"}});
  ExpectUsageError("ingest --config " + bad_arxiv + " arxiv:2101.00001", {"date_from", "2023-13-45"});
  // The same config with possible dates goes on to run (the check is the dates').
  std::string ok = Config({{"kind", "arxiv"}, {"metadata", "api"}, {"api_url", api}, {"queries", {"alignment"}},
                           {"date_from", "2024-02-29"}, {"date_to", "2024-03-01"}});
  std::string out, err;
  testing::RunCommand(testing::AlcorBin() + " --no-progress --store " + store_ + " scrape --config " + ok, &out, &err);
  EXPECT_FALSE(server_.Requests().empty()) << out << err;
}

TEST_F(UsageErrorsTest, NegativeNumbersAndEmptyValuesOfFlags) {
  std::string config = Config({{"kind", "feed"}, {"feed_url", server_.Url("/feed.xml")}});
  ExpectUsageError("scrape --limit -1 --config " + config, {"--limit", "-1"});
  ExpectUsageError("scrape --workers -3 --config " + config, {"--workers", "-3"});
  ExpectUsageError("scrape --workers 5000 --config " + config, {"--workers", "5000"});
  ExpectUsageError("scrape --only '' --config " + config, {"--only", "empty value"});
  ExpectUsageError("scrape --config ''", {"--config", "empty value"});
  ExpectUsageError("cat --source ''", {"--source", "empty value"});
  ExpectUsageError("ingest --source '' " + tmp_.Sub("in"), {"--source", "empty value"});
  ExpectUsageError("ingest ''", {"INPUT", "empty value"});
  ExpectUsageError("dedup --policy ''", {"--policy"});
  ExpectUsageError("normalize --base-url ''", {"--base-url", "empty value"});
  ExpectUsageError("--log-format '' stats", {"--log-format"});
  std::string out, err;
  EXPECT_EQ(testing::RunCommand(testing::AlcorBin() + " --store '' stats", &out, &err), 2) << out << err;
  EXPECT_NE(err.find("--store"), std::string::npos) << err;
}

}  // namespace
}  // namespace alcor
