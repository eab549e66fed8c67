// The store and its shards on real temporary directories.
#include "alcor/search.hpp"
#include "alcor/store.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <regex>
#include <set>
#include <thread>

#include "alcor/corpus.hpp"
#include "alcor/shard.hpp"
#include "alcor/validate.hpp"
#include "alcor_testing/fault_env.hpp"
#include "support/store_helpers.hpp"
#include "support/temp_dir.hpp"

namespace alcor {
namespace {

using testing::MakeRecord;
using testing::OpenStore;
using testing::TempDir;
using testing::WriteRecords;

ValidationReport Validate(const std::string& dir, std::vector<std::string> shards = {}) {
  ValidateOptions options;
  options.shard_paths = std::move(shards);
  ValidationReport report;
  Status s = ValidateStore(Env::Default(), dir, options, &report);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return report;
}

std::string Problems(const ValidationReport& r) {
  std::string out;
  for (const auto& p : r.problems) out += p.ToString() + "\n";
  return out;
}

std::vector<std::string> ReadAllIds(const Store& store) {
  std::vector<std::string> ids;
  Status s = ScanStore(store, {}, [&](std::string_view line, const RecordLocation&) {
    ids.push_back(Record::FromJsonLine(line)->id);
    return true;
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return ids;
}

TEST(StoreTest, CreatesAPrivateStoreAndCommitsShards) {
  TempDir tmp;
  std::string dir = tmp.Sub("corpus");
  auto store = OpenStore(dir);
  WriteRecords(store.get(), 0, 10);
  ASSERT_EQ(store->manifest().shards.size(), 1u);
  const ShardInfo& info = store->manifest().shards[0];
  EXPECT_EQ(info.records, 10u);
  EXPECT_EQ(info.source, "test");
  EXPECT_EQ(info.run_id, store->run_id());
  struct stat st;
  ASSERT_EQ(::stat(dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ASSERT_EQ(::stat(store->PathOf(info.path).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(store->PathOf("manifest.json").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_TRUE(store->permission_problems().empty());
  store.reset();

  ValidationReport report = Validate(dir);
  EXPECT_TRUE(report.ok()) << Problems(report);
  EXPECT_EQ(report.records, 10u);

  // Reopening sees the same manifest and appends.
  store = OpenStore(dir);
  WriteRecords(store.get(), 10, 5);
  EXPECT_EQ(ReadAllIds(*store).size(), 15u);
}

TEST(StoreTest, RunIdsSortByStartTimeWithinOneSecond) {
  // runs/<run-id>.json are listed in time order by name: two runs started 2 ms apart (almost
  // always in the same second) must sort in that order, whatever their random suffixes.
  TempDir tmp;
  std::string dir = tmp.Sub("corpus");
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    auto store = OpenStore(dir);
    ids.push_back(store->run_id());
    store.reset();
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  for (size_t i = 1; i < ids.size(); ++i) EXPECT_LT(ids[i - 1], ids[i]);
  EXPECT_TRUE(std::regex_match(ids[0], std::regex(R"(\d{8}T\d{6}\.\d{3}Z-[0-9a-f]{4})"))) << ids[0];
}

TEST(StoreTest, RotatesShardsAtTheTargetSize) {
  TempDir tmp;
  ShardWriterOptions shard;
  shard.target_jsonl_bytes = 4000;
  shard.frame_jsonl_bytes = 1000;
  auto store = OpenStore(tmp.Sub("c"), shard);
  WriteRecords(store.get(), 0, 100);
  const auto& shards = store->manifest().shards;
  ASSERT_GT(shards.size(), 5u);
  uint64_t total = 0;
  std::set<std::string> paths;
  for (const ShardInfo& s : shards) {
    total += s.records;
    paths.insert(s.path);
    EXPECT_LT(s.jsonl_bytes, 4000u + 1000u) << "a shard rotates once it passes the target";
  }
  EXPECT_EQ(total, 100u);
  EXPECT_EQ(paths.size(), shards.size()) << "shard names are unique";
  auto ids = ReadAllIds(*store);
  ASSERT_EQ(ids.size(), 100u);
  for (size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(ids[i], "test:" + std::to_string(i));
  EXPECT_TRUE(Validate(tmp.Sub("c")).ok());
}

TEST(StoreTest, AbandonedWriterLeavesNoFile) {
  TempDir tmp;
  ShardWriterOptions shard;
  shard.target_jsonl_bytes = 2000;
  auto store = OpenStore(tmp.Sub("c"), shard);
  {
    auto writer = store->NewShardWriter("test");
    for (int i = 0; i < 30; ++i) ASSERT_TRUE(writer->Add(MakeRecord(i)).ok());
    writer->Abandon();
  }
  {
    auto writer = store->NewShardWriter("test");
    for (int i = 0; i < 30; ++i) ASSERT_TRUE(writer->Add(MakeRecord(i)).ok());
    // Destroyed without Finish: abandons too.
  }
  std::vector<std::string> files;
  Env::Default()->GetChildren(tmp.Sub("c/shards/test"), &files);
  EXPECT_TRUE(files.empty()) << files.size() << " files left, first: " << (files.empty() ? "" : files[0]);
  EXPECT_TRUE(Validate(tmp.Sub("c")).ok());
}

TEST(StoreTest, WriterRejectsRecordOfAnotherSource) {
  TempDir tmp;
  auto store = OpenStore(tmp.Sub("c"));
  auto writer = store->NewShardWriter("test");
  Status s = writer->Add(MakeRecord(1, "other"));
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
}

TEST(StoreTest, SecondWriterIsLockedOutAndNamesTheHolder) {
  TempDir tmp;
  auto first = OpenStore(tmp.Sub("c"));
  std::unique_ptr<Store> second;
  Status s = Store::Open(Env::Default(), tmp.Sub("c"), StoreOptions(), &second);
  ASSERT_TRUE(s.IsLocked()) << s.ToString();
  EXPECT_NE(s.message().find("pid " + std::to_string(::getpid())), std::string::npos) << s.message();
  // Readers are not locked out.
  StoreOptions ro;
  ro.read_only = true;
  EXPECT_TRUE(Store::Open(Env::Default(), tmp.Sub("c"), ro, &second).ok());
  first.reset();
  second.reset();
  EXPECT_TRUE(Store::Open(Env::Default(), tmp.Sub("c"), StoreOptions(), &second).ok()) << "released on close";
}

TEST(StoreTest, RefusesUnknownFormatVersionAndForeignFolders) {
  TempDir tmp;
  { auto store = OpenStore(tmp.Sub("c")); }
  testing::WriteFile(tmp.Sub("c/ALCOR_STORE"), "{\"format\":\"alcor-store\",\"version\":9}\n");
  std::unique_ptr<Store> store;
  Status s = Store::Open(Env::Default(), tmp.Sub("c"), StoreOptions(), &store);
  EXPECT_EQ(s.code(), Status::Code::kNotSupported);
  EXPECT_NE(s.message().find("version 9"), std::string::npos) << s.message();
  ValidationReport report = Validate(tmp.Sub("c"));
  ASSERT_EQ(report.problems.size(), 1u);
  EXPECT_NE(report.problems[0].message.find("version 9"), std::string::npos);

  testing::WriteFile(tmp.Sub("notastore/file.txt"), "x");
  s = Store::Open(Env::Default(), tmp.Sub("notastore"), StoreOptions(), &store);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument) << s.ToString();
}

TEST(StoreTest, CreationKilledBeforeTheMarkerIsDoneAgain) {
  TempDir tmp;
  // What a writer killed in the middle of creating a store leaves: the lock, folders, a manifest.
  testing::WriteFile(tmp.Sub("c/LOCK"), "pid 1\n");
  ASSERT_TRUE(Env::Default()->CreateDirs(tmp.Sub("c/shards"), 0700).ok());
  testing::WriteFile(tmp.Sub("c/.manifest.json.tmp"), "{");
  ::chmod(tmp.Sub("c").c_str(), 0700);  // as the killed writer made them
  ::chmod(tmp.Sub("c/LOCK").c_str(), 0600);
  auto store = OpenStore(tmp.Sub("c"));
  ASSERT_NE(store, nullptr);
  WriteRecords(store.get(), 0, 2);
  store.reset();
  EXPECT_TRUE(Validate(tmp.Sub("c")).ok());
}

TEST(StoreTest, WarnsAndValidateReportsWhenNotPrivate) {
  TempDir tmp;
  { auto store = OpenStore(tmp.Sub("c")); WriteRecords(store.get(), 0, 3); }
  ASSERT_EQ(::chmod(tmp.Sub("c").c_str(), 0755), 0);
  ASSERT_EQ(::chmod(tmp.Sub("c/manifest.json").c_str(), 0644), 0);
  StoreOptions ro;
  ro.read_only = true;
  std::unique_ptr<Store> store;
  ASSERT_TRUE(Store::Open(Env::Default(), tmp.Sub("c"), ro, &store).ok());
  EXPECT_EQ(store->permission_problems(), (std::vector<std::string>{".", "manifest.json"}));
  ValidationReport report = Validate(tmp.Sub("c"));
  ASSERT_EQ(report.problems.size(), 2u) << Problems(report);
  EXPECT_EQ(report.problems[0].path, tmp.Sub("c"));
  EXPECT_NE(report.problems[0].message.find("0755"), std::string::npos);
  EXPECT_EQ(report.problems[1].path, tmp.Sub("c/manifest.json"));
}

TEST(StoreTest, ShardPathNamingRoundTripsAndIsSafe) {
  std::string dir, run;
  uint64_t seq;
  std::string p = store_files::ShardPath("blog:lilian weng/../x", "20261128T001503Z-3fa9", 12);
  EXPECT_EQ(p, "shards/blog%3Alilian%20weng%2F..%2Fx/20261128T001503Z-3fa9-000012.jsonl.zst");
  ASSERT_TRUE(store_files::ParseShardPath(p, &dir, &run, &seq));
  EXPECT_EQ(dir, "blog%3Alilian%20weng%2F..%2Fx");
  EXPECT_EQ(run, "20261128T001503Z-3fa9");
  EXPECT_EQ(seq, 12u);
  EXPECT_EQ(store_files::SourceDirName(".."), "%2E.");
  EXPECT_FALSE(store_files::ParseShardPath("shards/x/../../etc.jsonl.zst", &dir, &run, &seq));
  EXPECT_FALSE(store_files::ParseShardPath("shards/a/b-1.jsonl.zst", &dir, &run, &seq));
  EXPECT_TRUE(store_files::IsTemporaryName(".x.jsonl.zst.tmp"));
  EXPECT_FALSE(store_files::IsTemporaryName("x.jsonl.zst"));
}

// ---- damage ---------------------------------------------------------------------------------

class DamagedShardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ShardWriterOptions shard;
    shard.frame_jsonl_bytes = 2500;  // many small frames
    auto store = OpenStore(tmp_.Sub("c"), shard);
    WriteRecords(store.get(), 0, 60);
    info_ = store->manifest().shards.at(0);
    path_ = store->PathOf(info_.path);
    bytes_ = testing::ReadFile(path_);
    // Where each frame ends: read with a cut after every byte, remember counts.
  }
  TempDir tmp_;
  ShardInfo info_;
  std::string path_;
  std::string bytes_;
};

TEST_F(DamagedShardTest, CutAtAnyByteRecoversEveryRecordOfCompleteFrames) {
  // Frame boundaries: decompressible prefixes. For each cut, records read must be a prefix of the
  // original, must include every record of frames wholly before the cut, and the reader must report
  // truncation unless the cut is exactly at a frame end.
  std::vector<std::string> all;
  {
    ShardReader reader(Env::Default(), path_);
    std::string line;
    while (reader.NextLine(&line)) all.push_back(line);
    ASSERT_TRUE(reader.status().ok());
  }
  ASSERT_EQ(all.size(), 60u);
  std::string cut_path = tmp_.Sub("cut.jsonl.zst");
  uint64_t best_so_far = 0;
  size_t frames_seen = 0;
  for (size_t cut = 0; cut <= bytes_.size(); ++cut) {
    testing::FaultEnv env;  // the cut file lives in memory: thousands of cuts stay fast
    env.PutMemoryFile(cut_path, bytes_.substr(0, cut));
    ShardReader reader(&env, cut_path);
    std::string line;
    uint64_t n = 0;
    while (reader.NextLine(&line)) {
      ASSERT_LT(n, all.size());
      ASSERT_EQ(line, all[n]) << "cut " << cut;
      ++n;
    }
    ASSERT_GE(n, best_so_far) << "a longer prefix never recovers fewer records (cut " << cut << ")";
    if (n > best_so_far) ++frames_seen;
    best_so_far = n;
    if (cut < bytes_.size() && !reader.status().ok()) {
      EXPECT_NE(reader.status().message().find(cut_path + ":" + std::to_string(n + 1) + ":"), std::string::npos)
          << reader.status().message();
    }
    if (cut == bytes_.size()) {
      EXPECT_TRUE(reader.status().ok());
      EXPECT_EQ(n, 60u);
    }
  }
  EXPECT_GT(frames_seen, 3u) << "the shard has several frames, each recovered as soon as it is complete";
}

TEST_F(DamagedShardTest, ValidateReportsFlippedByteWithPathAndExitsOne) {
  std::string damaged = bytes_;
  damaged[damaged.size() / 2] ^= 0x5a;
  testing::WriteFile(path_, damaged);
  ValidationReport report = Validate(tmp_.Sub("c"));
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.problems[0].path, path_);
  EXPECT_GT(report.problems[0].line, 1u) << "records before the damage were read";

  std::string out, err;
  int rc = testing::RunCommand(testing::AlcorBin() + " validate --store " + tmp_.Sub("c"), &out, &err);
  EXPECT_EQ(rc, 1) << out << err;
  EXPECT_EQ(out.rfind(path_ + ":", 0), 0u) << out;
}

TEST_F(DamagedShardTest, ValidateReportsTruncationAndManifestMismatch) {
  testing::WriteFile(path_, bytes_.substr(0, bytes_.size() - 7));
  ValidationReport report = Validate(tmp_.Sub("c"));
  ASSERT_FALSE(report.ok());
  EXPECT_NE(Problems(report).find("truncated"), std::string::npos) << Problems(report);

  // A valid shard that is not the one the manifest describes.
  testing::TempDir other;
  auto store = OpenStore(other.Sub("c"));
  WriteRecords(store.get(), 100, 3);
  testing::WriteFile(path_, testing::ReadFile(store->PathOf(store->manifest().shards[0].path)));
  report = Validate(tmp_.Sub("c"));
  std::string problems = Problems(report);
  EXPECT_NE(problems.find("sha256"), std::string::npos) << problems;
  EXPECT_NE(problems.find("3 records, manifest says 60"), std::string::npos) << problems;
}

TEST_F(DamagedShardTest, ValidateFindsUnlistedMissingAndDuplicateIds) {
  // Unlisted shard: a copy under another valid name.
  std::string copy = tmp_.Sub("c/shards/test/20990101T000000Z-0000-000001.jsonl.zst");
  testing::WriteFile(copy, bytes_);
  ::chmod(copy.c_str(), 0600);
  ValidationReport report = Validate(tmp_.Sub("c"));
  std::string problems = Problems(report);
  EXPECT_NE(problems.find(copy + ": shard not listed in the manifest"), std::string::npos) << problems;
  // Checked on its own, the copy is fine; checked with the original, every id repeats.
  EXPECT_TRUE(Validate(tmp_.Sub("c"), {copy}).ok());
  report = Validate(tmp_.Sub("c"), {path_, copy});
  EXPECT_EQ(report.problems.size(), 51u) << "50 duplicates shown, then a summary line";
  EXPECT_NE(report.problems[0].message.find("duplicate id 'test:0' (first at " + path_ + ":1)"), std::string::npos)
      << report.problems[0].message;

  ::unlink(copy.c_str());
  ::unlink(path_.c_str());
  report = Validate(tmp_.Sub("c"));
  EXPECT_NE(Problems(report).find("listed in the manifest but missing"), std::string::npos);
}

// ---- injected faults ------------------------------------------------------------------------

TEST(StoreTest, FailedWriteOrCommitLeavesNoFileAndTheStoreUnchanged) {
  TempDir tmp;
  testing::FaultEnv env;
  StoreOptions options;
  options.shard.frame_jsonl_bytes = 500;
  std::unique_ptr<Store> store;
  ASSERT_TRUE(Store::Open(&env, tmp.Sub("c"), options, &store).ok());
  WriteRecords(store.get(), 0, 4);
  const std::string manifest_before = testing::ReadFile(tmp.Sub("c/manifest.json"));

  // A write fails in the middle of a shard: the writer reports it and abandons cleanly.
  {
    auto writer = store->NewShardWriter("test");
    env.FailNth(testing::FaultEnv::Op::kAppend, 3);
    Status s;
    for (int i = 10; i < 40 && s.ok(); ++i) s = writer->Add(MakeRecord(i));
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.message().find("injected fault"), std::string::npos);
    writer->Abandon();
  }
  // The fsync of the manifest's temporary fails: the commit fails, the old manifest stays.
  {
    auto writer = store->NewShardWriter("test");
    ASSERT_TRUE(writer->Add(MakeRecord(50)).ok());
    Transaction txn;
    ASSERT_TRUE(writer->Finish(&txn.shards).ok());
    env.FailNth(testing::FaultEnv::Op::kSync, 2);  // 1: the intent, 2: the manifest
    EXPECT_FALSE(store->Commit(&txn).ok());
  }
  EXPECT_EQ(testing::ReadFile(tmp.Sub("c/manifest.json")), manifest_before);
  store.reset();
  ValidationReport report = Validate(tmp.Sub("c"));
  EXPECT_TRUE(report.ok()) << Problems(report);
  EXPECT_EQ(report.records, 4u);
  auto reopened = OpenStore(tmp.Sub("c"));
  std::vector<std::string> files;
  Env::Default()->GetChildren(tmp.Sub("c/shards/test"), &files);
  EXPECT_EQ(files.size(), 1u) << "the failed shard was swept";
}

// ---- interrupted commits ----------------------------------------------------------------------

TEST(StoreTest, InterruptedCommitIsIgnoredByValidateAndSweptByTheNextWriter) {
  TempDir tmp;
  std::string dir = tmp.Sub("c");
  std::string orphan;
  {
    auto store = OpenStore(dir);
    WriteRecords(store.get(), 0, 5);
    // Simulate a crash between renaming a shard into place and publishing the manifest.
    auto writer = store->NewShardWriter("test");
    ASSERT_TRUE(writer->Add(MakeRecord(99)).ok());
    std::vector<PendingShard> pending;
    ASSERT_TRUE(writer->Finish(&pending).ok());
    orphan = pending[0].info.path;
    testing::WriteFile(store->PathOf("COMMIT-INTENT"), "{\"shards\":[\"" + orphan + "\"]}");
    ::chmod(store->PathOf("COMMIT-INTENT").c_str(), 0600);
    ASSERT_EQ(::rename(pending[0].temp_path.c_str(), pending[0].final_path.c_str()), 0);
    // And an unfinished temporary of another writer.
    auto other = store->NewShardWriter("test");
    ASSERT_TRUE(other->Add(MakeRecord(98)).ok());
    std::vector<PendingShard> more;
    ASSERT_TRUE(other->Finish(&more).ok());  // left as a temporary: never committed
  }
  ValidationReport report = Validate(dir);
  EXPECT_TRUE(report.ok()) << Problems(report);
  EXPECT_EQ(report.records, 5u);
  EXPECT_EQ(report.notes.size(), 2u);

  auto store = OpenStore(dir);
  EXPECT_FALSE(Env::Default()->FileExists(store->PathOf(orphan)));
  EXPECT_FALSE(Env::Default()->FileExists(store->PathOf("COMMIT-INTENT")));
  std::vector<std::string> files;
  Env::Default()->GetChildren(tmp.Sub("c/shards/test"), &files);
  EXPECT_EQ(files.size(), 1u);
  report = Validate(dir);
  EXPECT_TRUE(report.ok() && report.notes.empty()) << Problems(report);
}

TEST(StoreTest, StateFilesCommitWithShardsAndOldGenerationsGo) {
  TempDir tmp;
  auto store = OpenStore(tmp.Sub("c"));
  for (int gen = 0; gen < 3; ++gen) {
    std::string temp = JoinPath(store->StateDir(), ".cursor.tmp");
    ASSERT_TRUE(WriteFileAtomically(Env::Default(), temp, "cursor " + std::to_string(gen)).ok());
    auto writer = store->NewShardWriter("test");
    ASSERT_TRUE(writer->Add(MakeRecord(gen)).ok());
    Transaction txn;
    ASSERT_TRUE(writer->Finish(&txn.shards).ok());
    txn.state_files["cursors"] = temp;
    ASSERT_TRUE(store->Commit(&txn).ok());
    EXPECT_EQ(testing::ReadFile(store->CurrentStateFile("cursors")), "cursor " + std::to_string(gen));
  }
  std::vector<std::string> files;
  Env::Default()->GetChildren(store->StateDir(), &files);
  // The search index (alcor/search.hpp) lives beside the state generations, outside the manifest.
  std::erase(files, BaseName(kSearchIndexPath));
  EXPECT_EQ(files, std::vector<std::string>{"cursors.000003"});

  // Compaction-style commit: replace two shards by one.
  std::vector<std::string> old_paths = {store->manifest().shards[0].path, store->manifest().shards[1].path};
  auto writer = store->NewShardWriter("test");
  ASSERT_TRUE(writer->Add(MakeRecord(0)).ok());
  ASSERT_TRUE(writer->Add(MakeRecord(1)).ok());
  Transaction txn;
  ASSERT_TRUE(writer->Finish(&txn.shards).ok());
  txn.remove_shards = old_paths;
  ASSERT_TRUE(store->Commit(&txn).ok());
  EXPECT_EQ(store->manifest().shards.size(), 2u);
  EXPECT_FALSE(Env::Default()->FileExists(store->PathOf(old_paths[0])));
  EXPECT_EQ(ReadAllIds(*store).size(), 3u);
  EXPECT_TRUE(Validate(tmp.Sub("c")).ok());
}

}  // namespace
}  // namespace alcor
