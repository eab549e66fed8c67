// `alcor dedup`: compaction from the command line, and its atomicity under SIGKILL.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <random>
#include <set>
#include <thread>

#include "alcor/corpus.hpp"
#include "alcor/dedup.hpp"
#include "alcor/validate.hpp"
#include "support/store_helpers.hpp"
#include "support/temp_dir.hpp"

namespace alcor {
namespace {

using testing::AlcorBin;
using testing::RunCommand;
using testing::TempDir;

// Current ids of a store (superseded lines skipped); fails the test when the store is invalid.
std::multiset<std::string> CurrentIdsOfValidStore(const std::string& dir) {
  std::multiset<std::string> ids;
  StoreOptions ro;
  ro.read_only = true;
  std::unique_ptr<Store> store;
  Status s = Store::Open(Env::Default(), dir, ro, &store);
  EXPECT_TRUE(s.ok()) << s.ToString();
  if (!s.ok()) return ids;
  SupersededSet superseded;
  s = LoadSuperseded(*store, &superseded);
  EXPECT_TRUE(s.ok()) << s.ToString();
  ValidateOptions vo;
  vo.is_superseded = [&](const RecordLocation& w) { return superseded.Contains(w); };
  ValidationReport report;
  EXPECT_TRUE(ValidateStore(Env::Default(), dir, vo, &report).ok());
  for (const auto& p : report.problems) ADD_FAILURE() << p.ToString();
  ScanOptions scan;
  scan.is_superseded = vo.is_superseded;
  s = ScanStore(*store, scan, [&](std::string_view line, const RecordLocation&) {
    Result<Record> r = Record::FromJsonLine(line);
    EXPECT_TRUE(r.ok());
    if (r.ok()) ids.insert(r->id);
    return true;
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return ids;
}

// Records test:0..n-1, then exact copies of test:0..9's texts under ids copy:0..9 (a valid store:
// ids are unique), written without the deduplicator (as after copying shards from another store).
void MakeStoreWithCopies(const std::string& dir, uint64_t n) {
  auto store = testing::OpenStore(dir);
  testing::WriteRecords(store.get(), 0, n);
  auto writer = store->NewShardWriter("copies");
  for (uint64_t i = 0; i < 10; ++i) {
    Record r = testing::MakeRecord(i, "copies");  // the text of test:i
    r.id = "copy:" + std::to_string(i);
    r.url = "https://copies.example/" + std::to_string(i);
    ASSERT_TRUE(writer->Add(r).ok());
  }
  Transaction txn;
  ASSERT_TRUE(writer->Finish(&txn.shards).ok());
  ASSERT_TRUE(store->Commit(&txn).ok());
}

// The same plus test:n/2..n-1 stored a second time (same ids: what merging two stores gives).
void MakeStoreWithDuplicates(const std::string& dir, uint64_t n) {
  MakeStoreWithCopies(dir, n);
  auto store = testing::OpenStore(dir);
  testing::WriteRecords(store.get(), n / 2, n - n / 2);
}

TEST(DedupCli, CompactsAndPrintsWhatItRemoved) {
  TempDir dir;
  MakeStoreWithDuplicates(dir.path(), 40);  // 20 same-id copies, 10 exact copies under other ids
  std::string out, err;
  int rc = RunCommand(AlcorBin() + " dedup --store " + dir.path(), &out, &err);
  ASSERT_EQ(rc, 0) << out << err;
  EXPECT_NE(out.find("removed"), std::string::npos) << out;
  EXPECT_NE(out.find("10 exact"), std::string::npos) << out;
  EXPECT_NE(out.find("records: 70 -> 40"), std::string::npos) << out;
  std::multiset<std::string> ids = CurrentIdsOfValidStore(dir.path());
  EXPECT_EQ(ids.size(), 40u);
  EXPECT_EQ(ids.count("copy:3"), 0u);
  // Nothing left to do the second time; --json is one object.
  rc = RunCommand(AlcorBin() + " dedup --json --store " + dir.path(), &out, &err);
  ASSERT_EQ(rc, 0) << err;
  nlohmann::json j = nlohmann::json::parse(out);
  EXPECT_EQ(j["duplicates_merged"], 0);
  EXPECT_EQ(j["records_after"], 40);
}

TEST(DedupCli, UsageErrors) {
  TempDir dir;
  // A missing store is exit 1 for every command (was 2 for dedup alone; issue 19).
  EXPECT_EQ(RunCommand(AlcorBin() + " dedup --store " + dir.Sub("none") + " 2>/dev/null"), 1);
  EXPECT_FALSE(Env::Default()->FileExists(dir.Sub("none")));
  MakeStoreWithDuplicates(dir.path(), 4);
  EXPECT_EQ(RunCommand(AlcorBin() + " dedup --policy bogus --store " + dir.path() + " 2>/dev/null"), 2);
}

// SIGKILL at a random moment of `alcor dedup`: the store is always valid, and is either the old
// one or the compacted one — never a mix.
TEST(DedupCli, KilledCompactionLeavesTheOldOrTheNewStore) {
  TempDir dir;
  const std::string pristine = dir.Sub("pristine");
  MakeStoreWithCopies(pristine, 2000);
  const std::multiset<std::string> old_ids = CurrentIdsOfValidStore(pristine);
  // The compacted result, and how long compaction takes.
  ASSERT_EQ(RunCommand("cp -a " + pristine + " " + dir.Sub("full")), 0);
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(RunCommand(AlcorBin() + " dedup --quiet --store " + dir.Sub("full") + " >/dev/null"), 0);
  const auto full_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  const std::multiset<std::string> new_ids = CurrentIdsOfValidStore(dir.Sub("full"));
  ASSERT_NE(old_ids, new_ids);

  std::mt19937 rng(1234);
  int saw_old = 0, saw_new = 0;
  const int trials = std::getenv("ALCOR_SANITIZED") ? 5 : 10;
  for (int t = 0; t < trials; ++t) {
    const std::string store = dir.Sub("trial" + std::to_string(t));
    ASSERT_EQ(RunCommand("cp -a " + pristine + " " + store), 0);
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      execl(AlcorBin().c_str(), "alcor", "dedup", "--quiet", "--store", store.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    // Kill anywhere from start-up to a while after the time a full run took (the machine's load
    // varies, so some trials end before the commit and some after).
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::uniform_int_distribution<long>(0, full_ms * 3 / 2 + 20)(rng)));
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    SCOPED_TRACE("trial " + std::to_string(t));
    std::multiset<std::string> ids = CurrentIdsOfValidStore(store);
    EXPECT_TRUE(ids == old_ids || ids == new_ids) << ids.size() << " current records";
    if (ids == old_ids) ++saw_old;
    if (ids == new_ids) ++saw_new;
    // The next run sweeps what the killed one left and completes.
    ASSERT_EQ(RunCommand(AlcorBin() + " dedup --quiet --store " + store + " >/dev/null"), 0);
    EXPECT_EQ(CurrentIdsOfValidStore(store), new_ids);
    RunCommand("rm -rf " + store);
  }
  std::printf("  killed compactions (a full run took %ld ms): %d left the old store, %d the new one\n",
              static_cast<long>(full_ms), saw_old, saw_new);
}

}  // namespace
}  // namespace alcor
