// A missing store and a folder that is not a store are reported the same way by every command
// (issue 19; tools/alcor/commands.hpp, StoreAccess): a folder that does not exist is exit 1 for
// the commands that read or rewrite a store (scrape and ingest create one there), a folder that
// holds other files is exit 2 for all of them; the message names the folder, and for the latter
// the "store marker file ALCOR_STORE"; nothing is created. (Damaged stores: damage_matrix_test.)
#include <gtest/gtest.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "alcor/env.hpp"
#include "support/temp_dir.hpp"

namespace alcor {
namespace {

using testing::TempDir;

class StoreMissingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("no_proxy", "*", 1);
    testing::WriteFile(tmp_.Sub("in/a.md"), "# A\n\nA note about oversight of learned models.\n");
    // A source that fails at once without a network (nothing listens on port 9).
    nlohmann::json config = {{"sources", {{{"name", "s"}, {"kind", "feed"}, {"feed_url", "http://127.0.0.1:9/f"}}}}};
    config_ = tmp_.Sub("c.json");
    testing::WriteFile(config_, config.dump());
  }

  int Alcor(const std::string& store, const std::string& args, std::string* err) {
    std::string out;
    return testing::RunCommand(testing::AlcorBin() + " --no-progress --store " + store + " " + args, &out, err);
  }

  TempDir tmp_;
  std::string config_;
};

TEST_F(StoreMissingTest, EveryCommandTheSameExitCodeAndMessage) {
  const std::vector<std::string> readers = {"validate", "cat", "stats", "dedup", "repair"};
  const std::vector<std::string> writers = {"ingest " + tmp_.Sub("in"), "scrape --config " + config_};

  const std::string nowhere = tmp_.Sub("no-such-folder");
  for (const std::string& command : readers) {
    SCOPED_TRACE(command);
    std::string err;
    EXPECT_EQ(Alcor(nowhere, command, &err), 1) << err;
    EXPECT_NE(err.find(nowhere + ": no such folder, so no alcor store here"), std::string::npos) << err;
    EXPECT_FALSE(Env::Default()->FileExists(nowhere));
  }

  const std::string other = tmp_.Sub("not-a-store");
  testing::WriteFile(other + "/notes.txt", "not a store\n");
  for (const std::vector<std::string>* commands : {&readers, &writers}) {
    for (const std::string& command : *commands) {
      SCOPED_TRACE(command);
      std::string err;
      EXPECT_EQ(Alcor(other, command, &err), 2) << err;
      EXPECT_NE(err.find(other + ": not an alcor store (no store marker file ALCOR_STORE)"), std::string::npos) << err;
      std::vector<std::string> children;
      for (const auto& e : std::filesystem::directory_iterator(other)) children.push_back(e.path().filename());
      EXPECT_EQ(children, std::vector<std::string>{"notes.txt"}) << "something was created";
    }
  }
}

}  // namespace
}  // namespace alcor
