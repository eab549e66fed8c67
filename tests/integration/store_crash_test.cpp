// Kills a process writing to a store with SIGKILL at seeded random moments. After each kill the
// store validates, holds every committed record exactly once (crash:0..N-1, no gaps, no repeats),
// and the next writer resumes without losing or doubling anything.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <random>
#include <set>

#include "alcor/corpus.hpp"
#include "alcor/raw_store.hpp"
#include "alcor/search.hpp"
#include "alcor/store.hpp"
#include "alcor/validate.hpp"
#include "support/temp_dir.hpp"

namespace alcor {
namespace {

std::string WriterBin() {
  const char* dir = std::getenv("ALCOR_BUILD_DIR");
  return std::string(dir ? dir : "build") + "/store_crash_writer";
}

// A running writer whose stdout ("committed N" per commit) the test reads through a pipe.
struct Writer {
  pid_t pid = -1;
  int out = -1;  // read end of the writer's stdout
};

Writer StartWriter(const std::string& store, uint64_t records) {
  int fds[2];
  if (::pipe(fds) != 0) return {};
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(fds[1], 1);
    ::close(fds[0]);
    ::close(fds[1]);
    std::string bin = WriterBin();
    std::string rec = std::to_string(records);
    ::execl(bin.c_str(), bin.c_str(), "--store", store.c_str(), "--records", rec.c_str(), nullptr);
    ::_exit(127);
  }
  ::close(fds[1]);
  return {pid, fds[0]};
}

// Blocks until the writer has reported `commits` more commits; false when it exited first.
bool WaitForCommits(int fd, int commits) {
  char c;
  while (commits > 0) {
    ssize_t n = ::read(fd, &c, 1);
    if (n <= 0) return false;
    if (c == '\n') --commits;
  }
  return true;
}

// The ids of the store, checked to be exactly crash:0..n-1 in order; returns n.
uint64_t CheckCommittedPrefix(const std::string& dir) {
  StoreOptions ro;
  ro.read_only = true;
  std::unique_ptr<Store> store;
  Status s = Store::Open(Env::Default(), dir, ro, &store);
  EXPECT_TRUE(s.ok()) << s.ToString();
  if (!s.ok()) return 0;
  uint64_t n = 0;
  s = ScanStore(*store, {}, [&](std::string_view line, const RecordLocation&) {
    Result<Record> r = Record::FromJsonLine(line);
    EXPECT_TRUE(r.ok());
    EXPECT_EQ(r->id, "crash:" + std::to_string(n)) << "records are committed in order, once";
    // Its raw bytes were committed with it (the same commit): they read and are its text.
    WarcRecord raw;
    Status read = ReadRawOf(*store, r->metadata, &raw);
    EXPECT_TRUE(read.ok()) << r->id << ": " << read.ToString();
    EXPECT_EQ(raw.payload, r->text) << r->id;
    ++n;
    return true;
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return n;
}

// The search index after a kill (kill -9 may have hit its update inside a commit): a reader's
// sync brings it to the manifest, and a word every record holds finds exactly the stored records.
void CheckSearchIndexAgrees(const std::string& dir, uint64_t records, int trial) {
  StoreOptions ro;
  ro.read_only = true;
  std::unique_ptr<Store> store;
  ASSERT_TRUE(Store::Open(Env::Default(), dir, ro, &store).ok());
  std::unique_ptr<SearchIndex> index;
  Status s = SearchIndex::Open(*store, false, &index);
  ASSERT_TRUE(s.ok()) << "trial " << trial << ": " << s.ToString();
  std::vector<SearchHit> hits;
  ASSERT_TRUE(index->Search("corrigibility", Selection(), 1000000, &hits).ok());
  std::set<std::string> ids;
  for (const SearchHit& hit : hits) ids.insert(hit.id);
  EXPECT_EQ(hits.size(), records) << "trial " << trial;
  EXPECT_EQ(ids.size(), records) << "trial " << trial << ": each record found once";
  for (uint64_t n = 0; n < records; n += 37) EXPECT_TRUE(ids.count("crash:" + std::to_string(n))) << n;
}

// Kill moments: a third of the trials at a random time from the start (during open, the sweep
// of what the last kill left, the first writes), the others a random 0-4 ms after a random
// number of reported commits (during writes, renames and manifest publishes of later commits).
// Waiting for commit reports rather than for wall-clock time keeps the trials meaningful on a
// slow or loaded machine.
TEST(StoreCrashTest, SigkillAtRandomMomentsNeverLosesOrDoublesCommittedRecords) {
  const int kTrials = 24;
  std::mt19937 rng(20261128);
  testing::TempDir tmp;
  std::string dir = tmp.Sub("c");
  uint64_t committed = 0;
  uint64_t target = 0;
  int trials_after_commits = 0;
  for (int trial = 0; trial < kTrials; ++trial) {
    target += 100;  // each trial asks for more; a kill usually comes first
    Writer writer = StartWriter(dir, target);
    ASSERT_GT(writer.pid, 0);
    if (trial % 3 == 0) {
      std::uniform_int_distribution<int> delay_us(0, 30000);
      ::usleep(static_cast<useconds_t>(delay_us(rng)));
    } else {
      std::uniform_int_distribution<int> commits(1, 6);
      std::uniform_int_distribution<int> delay_us(0, 4000);
      if (WaitForCommits(writer.out, commits(rng))) ++trials_after_commits;
      ::usleep(static_cast<useconds_t>(delay_us(rng)));
    }
    ::kill(writer.pid, SIGKILL);
    ::close(writer.out);
    int wstatus = 0;
    ::waitpid(writer.pid, &wstatus, 0);
    ASSERT_TRUE(WIFSIGNALED(wstatus) || (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0))
        << "trial " << trial << ": writer failed on its own (exit " << WEXITSTATUS(wstatus) << ")";

    if (!Env::Default()->FileExists(dir + "/ALCOR_STORE")) continue;  // killed before creating it
    ValidationReport report;
    ASSERT_TRUE(ValidateStore(Env::Default(), dir, {}, &report).ok());
    std::string problems;
    for (const auto& p : report.problems) problems += p.ToString() + "\n";
    ASSERT_TRUE(report.ok()) << "trial " << trial << ":\n" << problems;
    uint64_t now = CheckCommittedPrefix(dir);
    ASSERT_GE(now, committed) << "trial " << trial << ": committed records were lost";
    ASSERT_EQ(report.records, now);
    if (now > 0) {
      ASSERT_GT(report.raw_files, 0u) << "trial " << trial << ": the raw archive was checked";
    }
    committed = now;
    CheckSearchIndexAgrees(dir, now, trial);
  }
  // A last uninterrupted run completes the sequence exactly.
  Writer writer = StartWriter(dir, target);
  WaitForCommits(writer.out, 1 << 30);  // drains the pipe until the writer exits
  ::close(writer.out);
  int wstatus = 0;
  ::waitpid(writer.pid, &wstatus, 0);
  ASSERT_TRUE(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0);
  EXPECT_EQ(CheckCommittedPrefix(dir), target);
  CheckSearchIndexAgrees(dir, target, kTrials);
  ValidationReport report;
  ASSERT_TRUE(ValidateStore(Env::Default(), dir, {}, &report).ok());
  EXPECT_TRUE(report.ok() && report.notes.empty());
  EXPECT_GT(committed, 0u) << "some trials committed before the kill";
  EXPECT_GE(trials_after_commits, kTrials / 2) << "most kills came after reported commits";
}

}  // namespace
}  // namespace alcor
