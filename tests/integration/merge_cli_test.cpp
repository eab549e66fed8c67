// `alcor merge --store DEST SRC...`: stores scraped apart brought into one through DEST's
// deduplicator, in one commit, sources only read.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>

#include "support/store_helpers.hpp"
#include "support/temp_dir.hpp"

namespace alcor {
namespace {

using testing::AlcorBin;
using testing::RunCommand;
using testing::TempDir;

// Every file under dir with its content: what "only read" is checked against.
std::map<std::string, std::string> Snapshot(const std::string& dir) {
  std::map<std::string, std::string> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) files[entry.path().string()] = testing::ReadFile(entry.path().string());
  }
  return files;
}

void ExpectValid(const std::string& dir) {
  std::string out, err;
  EXPECT_EQ(RunCommand(AlcorBin() + " validate --store " + dir, &out, &err), 0) << out << err;
}

// Store A: test:0..9 from source "a". Store B: test:5..14 from source "b" (the same items as A's
// 5..9, as when two machines reach one post), and copy:0, the text of test:0 under another id
// and URL (an exact duplicate across stores).
struct TwoStores {
  TempDir tmp;
  std::string a = tmp.Sub("a"), b = tmp.Sub("b"), dest = tmp.Sub("dest");
  TwoStores() {
    auto sa = testing::OpenStore(a);
    testing::WriteRecords(sa.get(), 0, 10, "a");
    auto sb = testing::OpenStore(b);
    testing::WriteRecords(sb.get(), 5, 10, "b");
    auto writer = sb->NewShardWriter("b");
    Record copy = testing::MakeRecord(0, "b");
    copy.id = "copy:0";
    copy.url = "https://mirror.example/copy-0";
    copy.Seal();
    EXPECT_TRUE(writer->Add(copy).ok());
    Transaction txn;
    EXPECT_TRUE(writer->Finish(&txn.shards).ok());
    EXPECT_TRUE(sb->Commit(&txn).ok());
  }
  std::string Merge(const std::string& extra = "") const {
    return AlcorBin() + " merge --store " + dest + " " + a + " " + b + " " + extra;
  }
};

TEST(MergeCli, MergesStoresThroughTheDeduplicatorAndReportsPerSourceStore) {
  TwoStores s;
  auto before_a = Snapshot(s.a), before_b = Snapshot(s.b);
  std::string out, err;
  ASSERT_EQ(RunCommand(s.Merge("--json"), &out, &err), 0) << err;
  nlohmann::json report = nlohmann::json::parse(out);
  ASSERT_EQ(report["sources"].size(), 2u);
  EXPECT_EQ(report["sources"][0]["store"], s.a);
  EXPECT_EQ(report["sources"][0]["records"], 10);
  EXPECT_EQ(report["sources"][0]["added"], 10);
  EXPECT_EQ(report["sources"][1]["records"], 11);
  EXPECT_EQ(report["sources"][1]["added"], 5);      // test:10..14
  EXPECT_EQ(report["sources"][1]["unchanged"], 5);  // test:5..9: the same id, text and URL
  EXPECT_EQ(report["sources"][1]["merged"], 1);     // copy:0: the same text
  EXPECT_EQ(report["total"]["added"], 15);

  std::set<std::string> ids;
  bool also_at_merged = false;
  for (const Record& r : testing::CurrentRecords(s.dest)) {
    EXPECT_TRUE(ids.insert(r.id).second) << r.id << " twice";
    if (r.id == "test:0")
      for (const auto& at : r.also_at) also_at_merged |= at.source == "b" && at.url == "https://mirror.example/copy-0";
  }
  EXPECT_EQ(ids.size(), 15u);
  EXPECT_FALSE(ids.count("copy:0"));
  EXPECT_TRUE(also_at_merged) << "test:0's also_at names the copy in the other store";
  ExpectValid(s.dest);
  // The sources were only read: not a byte changed, nothing added (no lock file either).
  EXPECT_EQ(Snapshot(s.a), before_a);
  EXPECT_EQ(Snapshot(s.b), before_b);

  // Merged again: everything is there already.
  ASSERT_EQ(RunCommand(s.Merge("--json"), &out, &err), 0) << err;
  report = nlohmann::json::parse(out);
  EXPECT_EQ(report["total"]["added"], 0);
  EXPECT_EQ(report["total"]["records"], 21);
  EXPECT_EQ(testing::CurrentRecords(s.dest).size(), 15u);

  // The text report: one line per source store and a total.
  ASSERT_EQ(RunCommand(s.Merge(), &out, &err), 0) << err;
  EXPECT_NE(out.find(s.a + ": 10 records: 0 added"), std::string::npos) << out;
  EXPECT_NE(out.find("total: 0 added"), std::string::npos) << out;
}

TEST(MergeCli, ADamagedSourceLeavesTheDestinationUnchanged) {
  TwoStores s;
  std::string out, err;
  ASSERT_EQ(RunCommand(AlcorBin() + " merge --store " + s.dest + " " + s.a, &out, &err), 0) << err;
  const std::string manifest_before = testing::ReadFile(s.dest + "/manifest.json");
  // Cut B's first shard short.
  std::string shard;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(s.b + "/shards"))
    if (entry.is_regular_file()) shard = entry.path().string();
  ASSERT_FALSE(shard.empty());
  std::filesystem::resize_file(shard, std::filesystem::file_size(shard) / 2);

  EXPECT_EQ(RunCommand(s.Merge(), &out, &err), 1);
  EXPECT_NE(err.find("merge stopped"), std::string::npos) << err;
  EXPECT_EQ(testing::ReadFile(s.dest + "/manifest.json"), manifest_before);
  EXPECT_EQ(testing::CurrentRecords(s.dest).size(), 10u);
  ExpectValid(s.dest);
}

TEST(MergeCli, RefusesTheDestinationAsASource) {
  TwoStores s;
  std::string out, err;
  ASSERT_EQ(RunCommand(AlcorBin() + " merge --store " + s.a + " " + s.a + "/", &out, &err), 2);
  EXPECT_NE(err.find("is the destination store itself"), std::string::npos) << err;
}

}  // namespace
}  // namespace alcor
