// The `file` source kind (src/sources/file/): what it emits for files and folders, what it skips
// and fails, its settings, and that it keeps no cursor.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "alcor/env.hpp"
#include "alcor/hash.hpp"
#include "alcor/source_config.hpp"
#include "alcor_testing/fake_source_context.hpp"
#include "support/temp_dir.hpp"

namespace alcor {
namespace {

using testing::TempDir;

Result<std::unique_ptr<Source>> MakeFileSource(nlohmann::json entry, const std::string& config_dir = "") {
  entry["name"] = "desk";
  entry["kind"] = "file";
  Result<SourceConfig> config = ValidateSourceConfig(entry, "test", config_dir);
  if (!config.ok()) return config.status();
  return FindSourceKind("file")->create(*config);
}

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST(FileSourceTest, FoldersAreReadSortedRecursivelyWithoutHiddenEntries) {
  TempDir tmp;
  std::string note = "# Note\n\nOn oversight.\n";
  testing::WriteFile(tmp.Sub("in/b/deep.txt"), "Deep title\nand text\n");
  testing::WriteFile(tmp.Sub("in/a.md"), note);
  testing::WriteFile(tmp.Sub("in/.hidden.md"), "# Hidden\n");
  testing::WriteFile(tmp.Sub("in/.git/c.md"), "# In a hidden folder\n");
  testing::WriteFile(tmp.Sub("in/c.png"), std::string("\x89PNG\r\n\x1a\n\0\0\0", 11));
  testing::WriteFile(tmp.Sub("in/page.html"), "<html><head><title>Page</title></head><body><p>Words.</p></body></html>");
  ASSERT_EQ(::mkfifo(tmp.Sub("in/pipe").c_str(), 0600), 0);
  Result<std::unique_ptr<Source>> source = MakeFileSource({{"inputs", {tmp.Sub("in")}}});
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  ::testing::FakeSourceContext ctx("desk", nullptr);
  ASSERT_TRUE((*source)->Run(ctx).ok());
  EXPECT_TRUE(ctx.failures.empty()) << ctx.failures[0].first << ": " << ctx.failures[0].second;
  ASSERT_EQ(ctx.records.size(), 3u);
  EXPECT_EQ(ctx.records[0].id, "file:" + Sha256Hex(note));
  EXPECT_EQ(ctx.records[0].source, "desk");
  EXPECT_EQ(ctx.records[0].source_kind, "file");
  EXPECT_EQ(ctx.records[0].metadata["path"], tmp.Sub("in/a.md"));
  EXPECT_EQ(ctx.records[1].title, "Deep title") << "subfolders, in path order";
  EXPECT_EQ(ctx.records[2].title, "Page");
  // Skipped files are notes for the log, one per file, naming why.
  std::string logs;
  for (const std::string& l : ctx.logs) logs += l + "\n";
  EXPECT_TRUE(Contains(logs, "skipped " + tmp.Sub("in/c.png") + ": unsupported document type")) << logs;
  EXPECT_TRUE(Contains(logs, "skipped " + tmp.Sub("in/pipe") + ": not a regular file")) << logs;
  EXPECT_FALSE(Contains(logs, "hidden")) << logs;
  // No cursor: a second run emits the same documents again (the deduplicator recognises them).
  EXPECT_TRUE(ctx.checkpoints.empty());
  ctx.NextRun();
  ASSERT_TRUE((*source)->Run(ctx).ok());
  EXPECT_EQ(ctx.records.size(), 3u);
}

TEST(FileSourceTest, NamedInputsFailClearlyAndTheOthersGoOn) {
  TempDir tmp;
  testing::WriteFile(tmp.Sub("big.md"), "# Big\n\n" + std::string(2000, 'x') + "\n");
  testing::WriteFile(tmp.Sub("data.bin"), std::string("\x00\x01\x02\xff", 4));
  testing::WriteFile(tmp.Sub("ok.md"), "# Fine\n");
  testing::WriteFile(tmp.Sub("l1/l2/l3/deep.md"), "# Deep\n");
  Result<std::unique_ptr<Source>> source = MakeFileSource(
      {{"inputs", {tmp.Sub("missing.md"), tmp.Sub("big.md"), tmp.Sub("data.bin"), tmp.Sub("l1"), tmp.Sub("ok.md")}},
       {"max_document_bytes", 1000},
       {"max_folder_depth", 1}});
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  ::testing::FakeSourceContext ctx("desk", nullptr);
  ASSERT_TRUE((*source)->Run(ctx).ok());
  ASSERT_EQ(ctx.records.size(), 1u);
  EXPECT_EQ(ctx.records[0].title, "Fine");
  ASSERT_EQ(ctx.failures.size(), 4u);
  EXPECT_EQ(ctx.failures[0].first, tmp.Sub("missing.md"));
  EXPECT_TRUE(Contains(ctx.failures[0].second, "no such file or folder")) << ctx.failures[0].second;
  EXPECT_EQ(ctx.failures[1].first, tmp.Sub("big.md")) << "over max_document_bytes";
  EXPECT_EQ(ctx.failures[2].first, tmp.Sub("data.bin"));
  EXPECT_TRUE(Contains(ctx.failures[2].second, "unsupported document type")) << ctx.failures[2].second;
  EXPECT_EQ(ctx.failures[3].first, tmp.Sub("l1/l2/l3"));
  EXPECT_TRUE(Contains(ctx.failures[3].second, "nested deeper than 1")) << ctx.failures[3].second;
}

TEST(FileSourceTest, SettingsAreCheckedAndRelativePathsFollowTheConfig) {
  EXPECT_FALSE(MakeFileSource(nlohmann::json::object()).ok()) << "inputs are required";
  EXPECT_FALSE(MakeFileSource({{"inputs", {"-", "-"}}}).ok()) << "stdin once";
  EXPECT_FALSE(MakeFileSource({{"inputs", {""}}}).ok());
  EXPECT_FALSE(MakeFileSource({{"inputs", {"a"}}, {"max_document_bytes", 0}}).ok());
  EXPECT_FALSE(MakeFileSource({{"inputs", {"a"}}, {"max_folder_depth", -1}}).ok());
  EXPECT_FALSE(MakeFileSource({{"inputs", "a"}}).ok()) << "a list, not a string";
  EXPECT_FALSE(MakeFileSource({{"inputs", {"a"}}, {"paths", {"b"}}}).ok()) << "an unknown key";

  TempDir tmp;
  testing::WriteFile(tmp.Sub("cfg/notes/a.md"), "# A\n");
  Result<std::unique_ptr<Source>> source = MakeFileSource({{"inputs", {"notes"}}}, tmp.Sub("cfg"));
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  ::testing::FakeSourceContext ctx("desk", nullptr);
  ASSERT_TRUE((*source)->Run(ctx).ok());
  ASSERT_EQ(ctx.records.size(), 1u) << (ctx.failures.empty() ? "" : ctx.failures[0].second);
  EXPECT_EQ(ctx.records[0].metadata["path"], tmp.Sub("cfg/notes/a.md"));
}

TEST(FileSourceTest, StopsBetweenDocuments) {
  TempDir tmp;
  for (int i = 0; i < 5; ++i) testing::WriteFile(tmp.Sub("in/" + std::to_string(i) + ".md"), "# N" + std::to_string(i) + "\n");
  Result<std::unique_ptr<Source>> source = MakeFileSource({{"inputs", {tmp.Sub("in")}}});
  ASSERT_TRUE(source.ok());
  ::testing::FakeSourceContext ctx("desk", nullptr);
  ctx.limit = 2;  // Emit answers Interrupted after two documents
  EXPECT_TRUE((*source)->Run(ctx).ok()) << "a stop is not a failure";
  EXPECT_EQ(ctx.records.size(), 2u);
  EXPECT_TRUE(ctx.failures.empty());
}

}  // namespace
}  // namespace alcor
