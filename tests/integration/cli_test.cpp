// The alcor executable end to end: exit codes, output formats, pipes, the lock.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "alcor/env.hpp"
#include "alcor/store.hpp"
#include "support/store_helpers.hpp"
#include "support/temp_dir.hpp"

namespace alcor {
namespace {

using testing::RunCommand;
using testing::TempDir;

std::string Alcor(const TempDir& tmp) { return testing::AlcorBin() + " --store " + tmp.Sub("c") + " "; }

TEST(CliTest, IngestCatStatsValidateEndToEnd) {
  TempDir tmp;
  testing::WriteFile(tmp.Sub("in/a.md"), "\xEF\xBB\xBF# Title A\r\n\r\nBody with $x^2$.\r\n");
  testing::WriteFile(tmp.Sub("in/sub/b.txt"), "First line is the title\nand more text\n");
  testing::WriteFile(tmp.Sub("in/c.png"), std::string("\x89PNG\r\n\x1a\n\0\0\0", 11));
  testing::WriteFile(tmp.Sub("in/.hidden.md"), "# hidden\n");
  std::string out, err;
  int rc = RunCommand("echo 'from stdin' | " + Alcor(tmp) + "ingest --source notes " + tmp.Sub("in") + " -", &out, &err);
  ASSERT_EQ(rc, 0) << out << err;
  EXPECT_NE(out.find("stored file:"), std::string::npos) << out;
  EXPECT_NE(out.find("skipped " + tmp.Sub("in/c.png") + ": unsupported document type"), std::string::npos) << out;
  EXPECT_EQ(out.find("hidden"), std::string::npos) << "hidden files are not ingested";

  rc = RunCommand(Alcor(tmp) + "cat", &out, &err);
  ASSERT_EQ(rc, 0) << err;
  std::vector<nlohmann::json> records;
  size_t pos = 0;
  while (pos < out.size()) {
    size_t nl = out.find('\n', pos);
    records.push_back(nlohmann::json::parse(out.substr(pos, nl - pos)));
    pos = nl + 1;
  }
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0]["title"], "Title A");
  EXPECT_EQ(records[0]["text"], "# Title A\n\nBody with $x^2$.");
  EXPECT_EQ(records[0]["source"], "notes");
  EXPECT_EQ(records[1]["title"], "First line is the title");
  EXPECT_EQ(records[2]["metadata"]["path"], "-");

  rc = RunCommand(Alcor(tmp) + "stats --json", &out, &err);
  ASSERT_EQ(rc, 0) << err;
  auto stats = nlohmann::json::parse(out);
  EXPECT_EQ(stats["sources"]["notes"]["records"], 3);
  EXPECT_EQ(stats["total"]["words"], 6 + 8 + 2);  // "#" and "$x^2$." count as words

  rc = RunCommand(Alcor(tmp) + "validate --json", &out, &err);
  EXPECT_EQ(rc, 0) << out << err;
  auto report = nlohmann::json::parse(out);
  EXPECT_EQ(report["ok"], true);
  EXPECT_EQ(report["records"], 3);
}

TEST(CliTest, IngestReportsFailuresAndGoesOn) {
  TempDir tmp;
  testing::WriteFile(tmp.Sub("good.md"), "# Good\n");
  testing::WriteFile(tmp.Sub("empty.txt"), "  \n");
  std::string out, err;
  int rc = RunCommand(Alcor(tmp) + "ingest " + tmp.Sub("missing.md") + " " + tmp.Sub("empty.txt") + " " +
                          tmp.Sub("good.md"),
                      &out, &err);
  EXPECT_EQ(rc, 1) << "any failed input makes exit 1";
  EXPECT_NE(out.find("failed " + tmp.Sub("missing.md") + ": no such file or folder"), std::string::npos) << out;
  EXPECT_NE(out.find("failed " + tmp.Sub("empty.txt") + ": document is empty"), std::string::npos) << out;
  EXPECT_NE(out.find("stored file:"), std::string::npos) << "the good input was still stored";
  rc = RunCommand(Alcor(tmp) + "validate", &out, &err);
  EXPECT_EQ(rc, 0) << out << err;
}

TEST(CliTest, CatIntoAClosedPipeEndsQuietly) {
  TempDir tmp;
  {
    auto store = testing::OpenStore(tmp.Sub("c"));
    testing::WriteRecords(store.get(), 0, 3000);
  }
  std::string out, err;
  int rc = RunCommand("bash -c 'set -o pipefail; " + Alcor(tmp) + "cat | head -n 2'", &out, &err);
  EXPECT_EQ(rc, 0) << err;
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 2);
  EXPECT_EQ(err, "");
  // A source no record is held by is a usage error with a did-you-mean (issue 18), printing nothing.
  rc = RunCommand(Alcor(tmp) + "cat --source nosuch", &out, &err);
  EXPECT_EQ(rc, 2);
  EXPECT_EQ(out, "");
  EXPECT_NE(err.find("--source: no source 'nosuch' in this store"), std::string::npos) << err;
}

TEST(CliTest, SecondWriterExitsThreeNamingTheHolder) {
  TempDir tmp;
  auto store = testing::OpenStore(tmp.Sub("c"));  // this process holds the lock
  testing::WriteFile(tmp.Sub("a.md"), "# A\n");
  std::string out, err;
  int rc = RunCommand(Alcor(tmp) + "ingest " + tmp.Sub("a.md"), &out, &err);
  EXPECT_EQ(rc, 3) << out << err;
  EXPECT_NE(err.find("pid " + std::to_string(::getpid())), std::string::npos) << err;
  // Readers still work while a writer holds the store.
  rc = RunCommand(Alcor(tmp) + "validate", &out, &err);
  EXPECT_EQ(rc, 0) << out << err;
}

TEST(CliTest, UsageErrorsExitTwoWithHelp) {
  TempDir tmp;
  std::string out, err;
  EXPECT_EQ(RunCommand(testing::AlcorBin() + " valdate", &out, &err), 2);
  EXPECT_NE(err.find("did you mean 'validate'"), std::string::npos) << err;
  EXPECT_EQ(RunCommand(testing::AlcorBin() + " validate --bogus", &out, &err), 2);
  EXPECT_EQ(RunCommand(testing::AlcorBin() + " --log-format xml stats", &out, &err), 2);
  EXPECT_EQ(RunCommand(testing::AlcorBin() + " --help", &out, &err), 0);
  for (const char* cmd : {"ingest", "validate", "cat", "stats"})
    EXPECT_NE(out.find(cmd), std::string::npos) << cmd << " listed in --help";
  EXPECT_EQ(RunCommand(testing::AlcorBin() + " validate --help", &out, &err), 0);
  EXPECT_NE(out.find("--json"), std::string::npos);
  EXPECT_EQ(RunCommand(testing::AlcorBin() + " --version", &out, &err), 0);
  EXPECT_EQ(out.rfind("alcor ", 0), 0u) << out;
  // No store: a clear message, exit 1, nothing created by a reader.
  EXPECT_EQ(RunCommand(Alcor(tmp) + "stats", &out, &err), 1);
  EXPECT_NE(err.find("no alcor store"), std::string::npos) << err;
  EXPECT_FALSE(Env::Default()->FileExists(tmp.Sub("c")));
}

TEST(CliTest, JsonLogFormatIsOneObjectPerLine) {
  TempDir tmp;
  testing::WriteFile(tmp.Sub("a.md"), "# A\n");
  std::string out, err;
  ASSERT_EQ(RunCommand(Alcor(tmp) + "--log-format json ingest " + tmp.Sub("a.md"), &out, &err), 0) << err;
  ASSERT_FALSE(err.empty());
  size_t pos = 0;
  while (pos < err.size()) {
    size_t nl = err.find('\n', pos);
    auto j = nlohmann::json::parse(err.substr(pos, nl - pos));
    EXPECT_TRUE(j.contains("time") && j.contains("level") && j.contains("msg")) << j.dump();
    pos = nl + 1;
  }
  // --quiet: nothing on stderr when all is well.
  testing::WriteFile(tmp.Sub("b.md"), "# B\n");
  ASSERT_EQ(RunCommand(Alcor(tmp) + "--quiet ingest " + tmp.Sub("b.md"), &out, &err), 0);
  EXPECT_EQ(err, "");
}

}  // namespace
}  // namespace alcor

namespace alcor {
namespace {

TEST(CliDedupTest, IngestingTheSameFolderTwiceAddsNothing) {
  testing::TempDir tmp;
  testing::WriteFile(tmp.Sub("in/a.md"), "# A\n\nSome words about alignment and oversight of models.\n");
  testing::WriteFile(tmp.Sub("in/b.txt"), "B title\nOther words entirely, about interpretability research.\n");
  std::string out, err;
  ASSERT_EQ(testing::RunCommand(Alcor(tmp) + "ingest " + tmp.Sub("in"), &out, &err), 0) << out << err;
  ASSERT_EQ(testing::RunCommand(Alcor(tmp) + "ingest " + tmp.Sub("in"), &out, &err), 0) << out << err;
  EXPECT_EQ(out.find("stored"), std::string::npos) << out;
  EXPECT_NE(out.find("duplicate " + tmp.Sub("in/a.md")), std::string::npos) << out;
  ASSERT_EQ(testing::RunCommand(Alcor(tmp) + "stats --json", &out, &err), 0);
  EXPECT_EQ(nlohmann::json::parse(out)["total"]["records"], 2);
  EXPECT_EQ(testing::RunCommand(Alcor(tmp) + "validate", &out, &err), 0) << out << err;
}

}  // namespace
}  // namespace alcor
