// The ASCII string helpers of alcor/strings.hpp that more than one part of the library shares.
#include "alcor/strings.hpp"

#include <string>

#include <gtest/gtest.h>

namespace alcor {
namespace {

TEST(StringsTest, CollapseWhitespaceJoinsRunsAndTrimsEnds) {
  EXPECT_EQ(CollapseWhitespace("  a \n\t b\r\n\fc\v "), "a b c");
  EXPECT_EQ(CollapseWhitespace(""), "");
  EXPECT_EQ(CollapseWhitespace(" \n "), "");
  EXPECT_EQ(CollapseWhitespace("caf\xc3\xa9\xc2\xa0x"), "caf\xc3\xa9\xc2\xa0x");  // non-ASCII bytes kept
}

TEST(StringsTest, WildcardMatchIsWholeTextByDefault) {
  EXPECT_TRUE(WildcardMatch("a*c", "abbbc"));
  EXPECT_TRUE(WildcardMatch("a?c", "abc"));
  EXPECT_FALSE(WildcardMatch("a?c", "ac"));
  EXPECT_FALSE(WildcardMatch("a*c", "abcd"));
  EXPECT_TRUE(WildcardMatch("", ""));
  EXPECT_FALSE(WildcardMatch("", "a"));
}

TEST(StringsTest, WildcardOptionsForRobotsPaths) {
  WildcardOptions robots{.question_mark_matches_one = false, .prefix_is_enough = true};
  EXPECT_TRUE(WildcardMatch("/private", "/private/x", robots));
  EXPECT_FALSE(WildcardMatch("/a?b", "/axb", robots));  // '?' is literal in robots.txt
  EXPECT_TRUE(WildcardMatch("/a?b", "/a?b=1", robots));
  EXPECT_TRUE(WildcardMatch("/*.pdf", "/docs/x.pdf?dl=1", robots));
  EXPECT_FALSE(WildcardMatch("/*.pdf", "/docs/x.html", robots));
  // A pattern that needs backtracking over many stars stays linear enough to finish at once.
  EXPECT_FALSE(WildcardMatch(std::string(200, '*') + "b", std::string(100000, 'a'), robots));
}

}  // namespace
}  // namespace alcor
