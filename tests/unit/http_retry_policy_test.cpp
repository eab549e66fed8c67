#include "net/retry_policy.hpp"

#include <gtest/gtest.h>

#include "alcor/dates.hpp"

namespace alcor {
namespace {

RetryOptions Options() {
  RetryOptions o;
  o.max_attempts = 5;
  o.initial_backoff_ms = 1000;
  o.multiplier = 2.0;
  o.max_backoff_ms = 5000;
  o.max_retry_after_ms = 60000;
  o.max_total_ms = 30000;
  return o;
}

TEST(RetryPolicyTest, RetryableStatusesAreExactlyTheTransientOnes) {
  for (int s : {408, 429, 500, 502, 503, 504}) EXPECT_TRUE(IsRetryableHttpStatus(s)) << s;
  for (int s : {200, 301, 304, 400, 401, 403, 404, 410, 501, 505}) {
    EXPECT_FALSE(IsRetryableHttpStatus(s)) << s;
  }
}

TEST(RetryPolicyTest, OnlyIdempotentMethodsRetryByDefault) {
  EXPECT_TRUE(IsIdempotentMethod("GET"));
  EXPECT_TRUE(IsIdempotentMethod("HEAD"));
  EXPECT_TRUE(IsIdempotentMethod("PUT"));
  EXPECT_FALSE(IsIdempotentMethod("POST"));
  EXPECT_FALSE(IsIdempotentMethod("PATCH"));
}

TEST(RetryPolicyTest, BackoffGrowsExponentiallyAndIsCapped) {
  RetryPolicy p(Options());
  EXPECT_EQ(p.BaseBackoffMicros(1), 1000000);
  EXPECT_EQ(p.BaseBackoffMicros(2), 2000000);
  EXPECT_EQ(p.BaseBackoffMicros(3), 4000000);
  EXPECT_EQ(p.BaseBackoffMicros(4), 5000000);  // capped
  EXPECT_EQ(p.BaseBackoffMicros(10), 5000000);
}

TEST(RetryPolicyTest, JitterKeepsTheDelayWithinHalfToFullBackoff) {
  RetryPolicy p(Options());
  RetryPolicy::Decision low = p.Next(2, 0, std::nullopt, 0.0);
  RetryPolicy::Decision high = p.Next(2, 0, std::nullopt, 0.999999);
  RetryPolicy::Decision mid = p.Next(2, 0, std::nullopt, 0.5);
  ASSERT_TRUE(low.retry && high.retry && mid.retry);
  EXPECT_EQ(low.delay_micros, 1000000);   // half of 2 s
  EXPECT_NEAR(high.delay_micros, 2000000, 10);
  EXPECT_EQ(mid.delay_micros, 1500000);
}

TEST(RetryPolicyTest, GivesUpAfterMaxAttempts) {
  RetryPolicy p(Options());
  EXPECT_TRUE(p.Next(4, 0, std::nullopt, 0.5).retry);
  RetryPolicy::Decision d = p.Next(5, 0, std::nullopt, 0.5);
  EXPECT_FALSE(d.retry);
  EXPECT_EQ(d.why_not, "after 5 attempts");
}

TEST(RetryPolicyTest, RetryAfterRaisesTheDelay) {
  RetryPolicy p(Options());
  RetryPolicy::Decision d = p.Next(1, 0, int64_t{7} * 1000000, 0.0);
  ASSERT_TRUE(d.retry);
  EXPECT_EQ(d.delay_micros, 7000000);
  // A Retry-After shorter than the backoff does not shorten it.
  d = p.Next(3, 0, int64_t{0}, 0.0);
  ASSERT_TRUE(d.retry);
  EXPECT_EQ(d.delay_micros, 2000000);
}

TEST(RetryPolicyTest, TooLongRetryAfterGivesUpAtOnce) {
  RetryPolicy p(Options());
  RetryPolicy::Decision d = p.Next(1, 0, int64_t{3600} * 1000000, 0.5);
  EXPECT_FALSE(d.retry);
  EXPECT_NE(d.why_not.find("Retry-After of 3600 s"), std::string::npos) << d.why_not;
}

TEST(RetryPolicyTest, TotalTimeBudgetBoundsRetries) {
  RetryPolicy p(Options());
  EXPECT_TRUE(p.Next(2, 27000000, std::nullopt, 0.0).retry);   // 27 s + 1 s <= 30 s
  RetryPolicy::Decision d = p.Next(2, 29500000, std::nullopt, 0.0);  // 29.5 + 1 > 30
  EXPECT_FALSE(d.retry);
  EXPECT_NE(d.why_not.find("retry budget"), std::string::npos);
}

TEST(RetryPolicyTest, SingleAttemptPolicyNeverRetries) {
  RetryOptions o = Options();
  o.max_attempts = 1;
  RetryPolicy::Decision d = RetryPolicy(o).Next(1, 0, std::nullopt, 0.5);
  EXPECT_FALSE(d.retry);
  EXPECT_EQ(d.why_not, "after 1 attempt");
}

TEST(RetryAfterTest, ParsesDeltaSeconds) {
  EXPECT_EQ(ParseRetryAfter("120", 0), int64_t{120} * 1000000);
  EXPECT_EQ(ParseRetryAfter(" 0 ", 0), 0);
  EXPECT_FALSE(ParseRetryAfter("", 0));
  EXPECT_FALSE(ParseRetryAfter("-5", 0));
  EXPECT_FALSE(ParseRetryAfter("soon", 0));
  EXPECT_FALSE(ParseRetryAfter("1.5", 0));
}

TEST(RetryAfterTest, ParsesHttpDatesRelativeToNow) {
  int64_t when = *ParseRfc822("Fri, 04 Mar 2022 18:05:03 GMT");
  int64_t now = (when - 10) * 1000000;
  EXPECT_EQ(ParseRetryAfter("Fri, 04 Mar 2022 18:05:03 GMT", now), int64_t{10} * 1000000);
  // A date in the past means "now".
  EXPECT_EQ(ParseRetryAfter("Fri, 04 Mar 2022 18:05:03 GMT", (when + 100) * 1000000), 0);
}

TEST(RetryAfterTest, HugeDeltaDoesNotOverflow) {
  std::optional<int64_t> d = ParseRetryAfter("99999999999999999999", 0);
  ASSERT_TRUE(d);
  EXPECT_GT(*d, int64_t{1000000} * 1000000);
}

}  // namespace
}  // namespace alcor
