#include "net/robots.hpp"

#include <gtest/gtest.h>

namespace alcor {
namespace {

TEST(RobotsTest, EmptyOrMissingAllowsEverything) {
  RobotsRules none;
  EXPECT_TRUE(none.Allowed("/anything"));
  EXPECT_FALSE(none.crawl_delay_s());
  EXPECT_TRUE(RobotsRules::Parse("").Allowed("/x"));
  EXPECT_TRUE(RobotsRules::Parse("# only a comment\n").Allowed("/x"));
}

TEST(RobotsTest, StarGroupApplies) {
  RobotsRules r = RobotsRules::Parse("User-agent: *\nDisallow: /private\n");
  EXPECT_FALSE(r.Allowed("/private"));
  EXPECT_FALSE(r.Allowed("/private/a?b=1"));
  EXPECT_TRUE(r.Allowed("/public"));
  EXPECT_TRUE(r.Allowed("/"));
  EXPECT_TRUE(r.Allowed(""));
}

TEST(RobotsTest, OurGroupReplacesTheStarGroup) {
  RobotsRules r = RobotsRules::Parse(
      "User-agent: *\nDisallow: /\n\nUser-agent: Alcor\nDisallow: /secret\n");
  EXPECT_TRUE(r.Allowed("/posts/1"));
  EXPECT_FALSE(r.Allowed("/secret/1"));
}

TEST(RobotsTest, ProductTokenMatchesCaseInsensitivelyWithVersion) {
  RobotsRules r = RobotsRules::Parse("User-agent: ALCOR/0.1\nDisallow: /x\n");
  EXPECT_FALSE(r.Allowed("/x"));
  // Another bot's group does not apply to us.
  RobotsRules other = RobotsRules::Parse("User-agent: alcorbot\nDisallow: /\n");
  EXPECT_TRUE(other.Allowed("/x"));
}

TEST(RobotsTest, EmptyGroupNamingUsAllowsEverything) {
  RobotsRules r = RobotsRules::Parse("User-agent: *\nDisallow: /\n\nUser-agent: alcor\nDisallow:\n");
  EXPECT_TRUE(r.Allowed("/a"));
}

TEST(RobotsTest, ConsecutiveUserAgentsShareAGroup) {
  RobotsRules r =
      RobotsRules::Parse("User-agent: googlebot\nUser-agent: alcor\nDisallow: /g\n");
  EXPECT_FALSE(r.Allowed("/g"));
}

TEST(RobotsTest, LongestMatchWinsAndAllowWinsTies) {
  RobotsRules r = RobotsRules::Parse(
      "User-agent: *\nDisallow: /a\nAllow: /a/b\nDisallow: /a/b/c\nAllow: /t\nDisallow: /t\n");
  EXPECT_FALSE(r.Allowed("/a"));
  EXPECT_TRUE(r.Allowed("/a/b"));
  EXPECT_TRUE(r.Allowed("/a/bx"));
  EXPECT_FALSE(r.Allowed("/a/b/c/d"));
  EXPECT_TRUE(r.Allowed("/t"));
}

TEST(RobotsTest, WildcardsAndEndAnchor) {
  RobotsRules r = RobotsRules::Parse(
      "User-agent: *\nDisallow: /*.pdf$\nDisallow: /search*q=\nDisallow: /exact$\n");
  EXPECT_FALSE(r.Allowed("/papers/x.pdf"));
  EXPECT_TRUE(r.Allowed("/papers/x.pdf?download=1"));
  EXPECT_FALSE(r.Allowed("/search?page=2&q=ai"));
  EXPECT_TRUE(r.Allowed("/search?page=2"));
  EXPECT_FALSE(r.Allowed("/exact"));
  EXPECT_TRUE(r.Allowed("/exactly"));
}

TEST(RobotsTest, CrawlDelayOfTheApplicableGroup) {
  RobotsRules r = RobotsRules::Parse(
      "User-agent: *\nCrawl-delay: 10\n\nUser-agent: alcor\nCrawl-delay: 2.5\nDisallow: /x\n");
  ASSERT_TRUE(r.crawl_delay_s());
  EXPECT_DOUBLE_EQ(*r.crawl_delay_s(), 2.5);
  RobotsRules star = RobotsRules::Parse("User-agent: *\r\nCrawl-delay: 4\r\n");
  ASSERT_TRUE(star.crawl_delay_s());
  EXPECT_DOUBLE_EQ(*star.crawl_delay_s(), 4.0);
  EXPECT_TRUE(star.Allowed("/x"));
  EXPECT_FALSE(RobotsRules::Parse("User-agent: *\nCrawl-delay: soon\n").crawl_delay_s());
}

TEST(RobotsTest, RobotsTxtItselfIsAlwaysAllowed) {
  RobotsRules r = RobotsRules::Parse("User-agent: *\nDisallow: /\n");
  EXPECT_FALSE(r.Allowed("/index.html"));
  EXPECT_TRUE(r.Allowed("/robots.txt"));
}

TEST(RobotsTest, CommentsBomAndOddSpacing) {
  RobotsRules r = RobotsRules::Parse(
      "\xEF\xBB\xBFuser-AGENT :  *   # everyone\n  disallow:/tmp # temp\nnonsense line\n");
  EXPECT_FALSE(r.Allowed("/tmp/x"));
  EXPECT_TRUE(r.Allowed("/x"));
}

TEST(RobotsTest, RulesBeforeAnyGroupAreIgnored) {
  RobotsRules r = RobotsRules::Parse("Disallow: /\nUser-agent: *\nDisallow: /b\n");
  EXPECT_TRUE(r.Allowed("/a"));
  EXPECT_FALSE(r.Allowed("/b"));
}

TEST(RobotsTest, HostileInputIsBounded) {
  std::string big = "User-agent: *\n";
  for (int i = 0; i < 100000; ++i) big += "Disallow: /" + std::to_string(i) + "*a*b*c*d*e$\n";
  RobotsRules r = RobotsRules::Parse(big);
  EXPECT_LE(r.rule_count(), 10000u);
  EXPECT_TRUE(r.Allowed("/zzz"));
  std::string stars(4000, '*');
  RobotsRules s = RobotsRules::Parse("User-agent: *\nDisallow: /" + stars + "x$\n");
  EXPECT_TRUE(s.Allowed("/" + std::string(3000, 'a') + "y"));
  EXPECT_FALSE(s.Allowed("/" + std::string(3000, 'a') + "x"));
}

// The rules arXiv's two hosts served in 2026 (issue 14): the API host disallows everything, the
// site sets a Crawl-delay and disallows its API, e-print, source and search paths.
TEST(RobotsTest, ArxivApiHostDisallowsEverything) {
  RobotsRules r = RobotsRules::Parse("User-agent: *\nDisallow: /\n");
  EXPECT_FALSE(r.Allowed("/api/query?id_list=2203.02155"));
  EXPECT_FALSE(r.Allowed("/abs/2203.02155"));
  EXPECT_FALSE(r.Allowed("/"));
  EXPECT_TRUE(r.Allowed("/robots.txt"));
  EXPECT_FALSE(r.crawl_delay_s());
}

TEST(RobotsTest, ArxivSiteCrawlDelayAndDisallowedPaths) {
  RobotsRules r = RobotsRules::Parse(
      "User-agent: *\nCrawl-delay: 15\nDisallow: /api\nDisallow: /e-print\nDisallow: /src\nDisallow: /search\n");
  ASSERT_TRUE(r.crawl_delay_s());
  EXPECT_DOUBLE_EQ(*r.crawl_delay_s(), 15.0);
  for (const char* path : {"/api/query?search_query=all:x", "/e-print/2203.02155v1", "/src/2203.02155v1/anc/x",
                           "/search/?query=alignment&searchtype=all"}) {
    EXPECT_FALSE(r.Allowed(path)) << path;
  }
  for (const char* path : {"/abs/2203.02155", "/pdf/2203.02155v3", "/html/2203.02155v3", "/html/2203.02155v3/x1.png",
                           "/list/cs.AI/recent"}) {
    EXPECT_TRUE(r.Allowed(path)) << path;
  }
}

}  // namespace
}  // namespace alcor
