// HostScheduler on a fake clock: the politeness rules of the HTTP client (interval between
// starts, concurrency cap, Crawl-delay, retry delays, hosts independent) without sleeping.
#include "net/host_scheduler.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <vector>

#include "alcor_testing/fault_env.hpp"

namespace alcor {
namespace {

// The real Env for everything but the monotonic clock, which only moves when told.
class FakeClockEnv : public testing::FaultEnv {
 public:
  int64_t MonotonicMicros() override { return now_us; }
  int64_t now_us = 1'000'000;
};

constexpr int64_t kSecond = 1'000'000;

class HostSchedulerTest : public ::testing::Test {
 protected:
  // Tickets that may start now, in order.
  std::vector<HostScheduler::Ticket> StartAll() {
    std::vector<HostScheduler::Ticket> out;
    while (std::optional<HostScheduler::Start> s = scheduler_.NextStart()) out.push_back(s->ticket);
    return out;
  }
  using Tickets = std::vector<HostScheduler::Ticket>;

  FakeClockEnv env_;
  HostScheduler scheduler_{&env_};
};

TEST_F(HostSchedulerTest, StartsAreAtLeastTheIntervalApart) {
  scheduler_.AddHost("a.org", /*concurrency=*/4, 3 * kSecond);
  for (HostScheduler::Ticket t : {1, 2, 3}) scheduler_.Enqueue("a.org", t);
  EXPECT_EQ(StartAll(), Tickets({1})) << "the first request starts at once";
  EXPECT_EQ(scheduler_.MicrosUntilNext(60 * kSecond), 3 * kSecond);
  env_.now_us += 3 * kSecond - 1;
  EXPECT_EQ(StartAll(), Tickets());
  EXPECT_EQ(scheduler_.MicrosUntilNext(60 * kSecond), 1);
  env_.now_us += 1;
  EXPECT_EQ(StartAll(), Tickets({2}));
  env_.now_us += 10 * kSecond;  // a long pause does not allow a burst
  EXPECT_EQ(StartAll(), Tickets({3}));
  EXPECT_EQ(scheduler_.MicrosUntilNext(60 * kSecond), 60 * kSecond) << "nothing waits";
}

TEST_F(HostSchedulerTest, ConcurrencyCapsTransfersInFlight) {
  scheduler_.AddHost("a.org", /*concurrency=*/2, /*interval_us=*/0);
  for (HostScheduler::Ticket t : {1, 2, 3, 4}) scheduler_.Enqueue("a.org", t);
  std::optional<HostScheduler::Start> first = scheduler_.NextStart();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->in_flight, 1);
  std::optional<HostScheduler::Start> second = scheduler_.NextStart();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->in_flight, 2);
  EXPECT_FALSE(scheduler_.NextStart()) << "two in flight";
  env_.now_us += 100 * kSecond;
  EXPECT_FALSE(scheduler_.NextStart()) << "time alone frees no slot";
  EXPECT_EQ(scheduler_.MicrosUntilNext(kSecond), kSecond) << "a full host wakes nobody";
  scheduler_.Finished("a.org");
  EXPECT_EQ(scheduler_.in_flight("a.org"), 1);
  EXPECT_EQ(StartAll(), Tickets({3}));
  scheduler_.Finished("a.org");
  scheduler_.Finished("a.org");
  EXPECT_EQ(StartAll(), Tickets({4}));
}

TEST_F(HostSchedulerTest, CrawlDelayOnlyRaisesTheInterval) {
  scheduler_.AddHost("a.org", 1, kSecond);
  scheduler_.RaiseInterval("a.org", 5 * kSecond);
  EXPECT_EQ(scheduler_.interval_us("a.org"), 5 * kSecond);
  scheduler_.RaiseInterval("a.org", 2 * kSecond);
  EXPECT_EQ(scheduler_.interval_us("a.org"), 5 * kSecond) << "a shorter Crawl-delay changes nothing";
  scheduler_.AddHost("a.org", 8, 0);
  EXPECT_EQ(scheduler_.interval_us("a.org"), 5 * kSecond) << "a known host keeps its rule";
  scheduler_.Enqueue("a.org", 1);
  scheduler_.Enqueue("a.org", 2);
  EXPECT_EQ(StartAll(), Tickets({1}));
  scheduler_.Finished("a.org");
  env_.now_us += 4 * kSecond;
  EXPECT_EQ(StartAll(), Tickets());
  env_.now_us += kSecond;
  EXPECT_EQ(StartAll(), Tickets({2}));
}

TEST_F(HostSchedulerTest, IntervalPendingUntilTheIntervalSinceTheLastStartPassed) {
  scheduler_.AddHost("a.org", 4, 3 * kSecond);
  EXPECT_FALSE(scheduler_.IntervalPending("a.org")) << "nothing started yet";
  EXPECT_FALSE(scheduler_.IntervalPending("unknown.org"));
  scheduler_.Enqueue("a.org", 1);
  EXPECT_EQ(StartAll(), Tickets({1}));
  EXPECT_TRUE(scheduler_.IntervalPending("a.org"));
  env_.now_us += 3 * kSecond - 1;
  EXPECT_TRUE(scheduler_.IntervalPending("a.org"));
  env_.now_us += 1;
  EXPECT_FALSE(scheduler_.IntervalPending("a.org"));
}

TEST_F(HostSchedulerTest, HostsAreIndependent) {
  scheduler_.AddHost("slow.org", 1, 60 * kSecond);
  scheduler_.AddHost("fast.org:8080", 1, 0);
  scheduler_.Enqueue("slow.org", 1);
  scheduler_.Enqueue("slow.org", 2);
  scheduler_.Enqueue("fast.org:8080", 3);
  scheduler_.Enqueue("fast.org:8080", 4);
  EXPECT_EQ(StartAll(), Tickets({3, 1}));
  scheduler_.Finished("fast.org:8080");
  EXPECT_EQ(StartAll(), Tickets({4})) << "slow.org's interval and busy slot do not hold fast.org";
  scheduler_.Finished("slow.org");
  EXPECT_EQ(StartAll(), Tickets());
  EXPECT_EQ(scheduler_.MicrosUntilNext(120 * kSecond), 60 * kSecond);
}

TEST_F(HostSchedulerTest, ARetryWaitsItsDelayThenGoesFirst) {
  scheduler_.AddHost("a.org", 1, 0);
  scheduler_.Defer("a.org", /*ticket=*/9, /*delay_us=*/30 * kSecond);  // Retry-After: 30
  scheduler_.Enqueue("a.org", 1);
  EXPECT_EQ(StartAll(), Tickets({1})) << "new work runs while the retry waits";
  scheduler_.Finished("a.org");
  scheduler_.Enqueue("a.org", 2);
  EXPECT_EQ(scheduler_.MicrosUntilNext(60 * kSecond), 0);
  EXPECT_EQ(StartAll(), Tickets({2}));
  scheduler_.Finished("a.org");
  scheduler_.Enqueue("a.org", 3);
  scheduler_.Enqueue("a.org", 4);
  scheduler_.NextStart();  // 3 runs
  EXPECT_EQ(scheduler_.MicrosUntilNext(60 * kSecond), 30 * kSecond) << "woken for the retry";
  env_.now_us += 30 * kSecond;
  EXPECT_EQ(StartAll(), Tickets()) << "due, but the host's slot is taken";
  scheduler_.Finished("a.org");
  EXPECT_EQ(StartAll(), Tickets({9})) << "the due retry goes before queued work";
  scheduler_.Finished("a.org");
  EXPECT_EQ(StartAll(), Tickets({4}));
}

TEST_F(HostSchedulerTest, TakeAllEmptiesQueuesAndDeferrals) {
  scheduler_.AddHost("a.org", 1, kSecond);
  scheduler_.Enqueue("a.org", 1);
  scheduler_.Enqueue("a.org", 2);
  scheduler_.Defer("a.org", 3, kSecond);
  EXPECT_EQ(StartAll(), Tickets({1}));
  Tickets taken = scheduler_.TakeAll();
  std::sort(taken.begin(), taken.end());
  EXPECT_EQ(taken, Tickets({2, 3}));
  env_.now_us += 10 * kSecond;
  EXPECT_EQ(StartAll(), Tickets());
  EXPECT_EQ(scheduler_.in_flight("a.org"), 1) << "running transfers are the caller's to finish";
}

}  // namespace
}  // namespace alcor
