// Status: the typed parts of an error (code, HTTP status) that callers branch on.
#include <gtest/gtest.h>

#include "alcor/status.hpp"

namespace alcor {
namespace {

TEST(StatusTest, HttpStatusIsAFieldThatSurvivesContextAndNewMessages) {
  Status s = Status::Http(404, "HTTP 404 from GET http://x/");
  EXPECT_EQ(s.code(), Status::Code::kHttp);
  EXPECT_EQ(s.http_status(), 404);
  EXPECT_EQ(s.WithContext("feed").http_status(), 404);
  EXPECT_EQ(s.WithContext("feed").message(), "feed: HTTP 404 from GET http://x/");
  Status redacted = s.WithMessage("HTTP 404 from GET [REDACTED]");
  EXPECT_EQ(redacted.http_status(), 404);
  EXPECT_EQ(redacted.code(), Status::Code::kHttp);
  // The message is text for people: a code in it is never read back.
  EXPECT_EQ(Status::Http(503, "no code here").http_status(), 503);
  EXPECT_EQ(Status::Network("HTTP 404 from GET http://x/").http_status(), 0);
  EXPECT_EQ(Status::OK().http_status(), 0);
  EXPECT_TRUE(Status::OK().WithMessage("ignored").ok());
}

TEST(StatusTest, RefusalsAndBugsHaveTheirOwnCodes) {
  Status blocked = Status::Blocked("HTTP 403 from POST http://x/graphql");
  EXPECT_TRUE(blocked.IsBlocked());
  EXPECT_EQ(blocked.ToString(), "Blocked: HTTP 403 from POST http://x/graphql");
  Status robots = Status::RobotsDenied("robots.txt forbids http://x/a");
  EXPECT_TRUE(robots.IsRobotsDenied());
  EXPECT_FALSE(robots.IsBlocked());
  EXPECT_EQ(robots.ToString(), "Robots denied: robots.txt forbids http://x/a");
  Status bug = Status::Internal("exception escaped the source: vector::at");
  EXPECT_EQ(bug.code(), Status::Code::kInternal);
  EXPECT_FALSE(bug.IsCorruption());
  EXPECT_EQ(bug.message(), "internal error: exception escaped the source: vector::at");
  EXPECT_EQ(bug.WithContext("feed").code(), Status::Code::kInternal);
}

}  // namespace
}  // namespace alcor
