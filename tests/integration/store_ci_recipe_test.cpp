// docs/operations.md's CI recipe, run as written: the commands of the block marked "ci-recipe"
// each exit 0 on a store restored from a tarball, on a copy that lost its modes, and on loose
// shards, and the copy does need --no-permissions.
#include <gtest/gtest.h>

#include <sstream>

#include <nlohmann/json.hpp>

#include "alcor/env.hpp"
#include "support/temp_dir.hpp"

namespace alcor {
namespace {

using testing::RunCommand;
using testing::TempDir;

// The shell lines of the first ```sh block after the "ci-recipe" marker, comments cut off.
std::vector<std::string> RecipeCommands() {
  std::string doc = testing::ReadFile(testing::ProjectFixturesDir() + "/../../docs/operations.md");
  size_t marker = doc.find("<!-- ci-recipe");
  EXPECT_NE(marker, std::string::npos) << "docs/operations.md lost its ci-recipe block";
  if (marker == std::string::npos) return {};
  size_t begin = doc.find("```sh\n", marker);
  size_t end = doc.find("```\n", begin + 6);
  std::istringstream block(doc.substr(begin + 6, end - begin - 6));
  std::vector<std::string> commands;
  for (std::string line; std::getline(block, line);) {
    size_t comment = line.find("  #");
    if (comment != std::string::npos) line.resize(comment);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    if (!line.empty()) commands.push_back(line);
  }
  return commands;
}

TEST(StoreCiRecipe, TheDocumentedCommandsPass) {
  std::vector<std::string> commands = RecipeCommands();
  ASSERT_EQ(commands.size(), 4u);
  TempDir tmp;
  const std::string in = "cd " + tmp.path() + " && umask 022 && ";
  const std::string alcor = testing::AlcorBin();
  testing::WriteFile(tmp.Sub("notes/a.md"), "# A\n\nA note about oversight.\n");
  testing::WriteFile(tmp.Sub("notes/b.md"), "# B\n\nAnother note, about reward models.\n");
  std::string out, err;
  // What the nightly job publishes: the store in a tarball that keeps its modes.
  ASSERT_EQ(RunCommand(in + alcor + " --store corpus ingest notes", &out, &err), 0) << out << err;
  // And a copy with the modes a git checkout gives (0644 files, 0755 folders).
  ASSERT_EQ(RunCommand(in + "tar -cpzf corpus.tar.gz corpus && cp -r corpus corpus-checkout && "
                            "chmod -R go+rX corpus-checkout && rm -rf corpus",
                       &out, &err),
            0)
      << err;
  // Without --no-permissions the copy fails for its modes alone.
  EXPECT_EQ(RunCommand(in + alcor + " validate --store corpus-checkout", &out, &err), 1) << out << err;
  EXPECT_NE(out.find("let group or others in"), std::string::npos) << out;

  for (std::string command : commands) {
    if (command.rfind("alcor ", 0) == 0) command = alcor + command.substr(5);
    // In a subshell: RunCommand's own redirections must not override the recipe's.
    EXPECT_EQ(RunCommand("(" + in + command + ")", &out, &err), 0) << command << "\n" << out << err;
  }
  ASSERT_TRUE(Env::Default()->FileExists(tmp.Sub("validate.json")));
  nlohmann::json report = nlohmann::json::parse(testing::ReadFile(tmp.Sub("validate.json")));
  EXPECT_EQ(report["ok"], true);
  EXPECT_EQ(report["records"], 2);
}

}  // namespace
}  // namespace alcor
