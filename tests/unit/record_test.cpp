#include "alcor/record.hpp"

#include <cctype>

#include <gtest/gtest.h>

#include "alcor/dates.hpp"
#include "alcor/hash.hpp"

namespace alcor {
namespace {

Record Sample() {
  Record r;
  r.id = "lw:abc123";
  r.source = "lesswrong";
  r.source_kind = "forummagnum";
  r.url = "https://www.lesswrong.com/posts/abc123/x";
  r.title = "On \"quotes\"\nand newlines";
  r.authors = {"Ada Lovelace", "Alan Turing"};
  r.date_published = "2022-03-04T18:04:53Z";
  r.text = "Line one\n\nMath $x^2$ and unicode: café ∀";
  r.tags = {"AI"};
  r.metadata = {{"karma", 42}, {"af", true}};
  r.also_at = {{"alignmentforum", "https://www.alignmentforum.org/posts/abc123/x"}};
  r.fetched_at = "2026-11-28T00:00:00Z";
  r.Seal();
  return r;
}

TEST(RecordTest, RoundTripsThroughOneJsonLine) {
  Record r = Sample();
  std::string line = r.ToJsonLine();
  ASSERT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1) << "no raw newline inside a record line";
  Result<Record> back = Record::FromJsonLine(line);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->ToJsonLine(), line);
  EXPECT_EQ(back->authors, r.authors);
  EXPECT_EQ(back->also_at, r.also_at);
  EXPECT_FALSE(back->date_modified.has_value());
  EXPECT_EQ(back->content_sha256, Sha256Hex(r.text));
  EXPECT_EQ(line.rfind("{\"id\":\"lw:abc123\",\"source\":", 0), 0u) << "schema order, id first";
}

TEST(RecordTest, SealComputesDigestOfText) {
  Record r = Sample();
  EXPECT_EQ(r.content_sha256, Sha256Hex(r.text));
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(RecordTest, InvalidUtf8IsReplacedNotThrown) {
  Record r = Sample();
  r.text = std::string("bad \xff\xfe bytes");
  r.Seal();
  std::string line = r.ToJsonLine();
  EXPECT_NE(line.find("\xEF\xBF\xBD"), std::string::npos);
  // The digest is of the text as stored, so validate agrees with it.
  std::vector<std::string> problems;
  CheckRecordJson(nlohmann::json::parse(line), true, &problems);
  EXPECT_TRUE(problems.empty()) << ::testing::PrintToString(problems);
}

TEST(RecordTest, ReplaceInvalidUtf8CountsEachMaximalSubpart) {
  std::string s = "ok \xC0\xAF overlong, \xED\xA0\x80 surrogate, cut \xE2\x82";
  EXPECT_EQ(ReplaceInvalidUtf8(&s), 6u);  // C0|AF, ED|A0|80, E2 82 (one truncated sequence)
  std::string good = "caf\xC3\xA9 \xF0\x9F\x98\x80";
  EXPECT_EQ(ReplaceInvalidUtf8(&good), 0u);
  EXPECT_EQ(good, "caf\xC3\xA9 \xF0\x9F\x98\x80");
}

TEST(RecordTest, CheckFindsEachKindOfProblem) {
  nlohmann::json j = Sample().ToJson();
  std::vector<std::string> problems;
  CheckRecordJson(j, true, &problems);
  EXPECT_TRUE(problems.empty());

  nlohmann::json bad = j;
  bad.erase("title");
  bad["authors"] = "Ada, Alan";
  bad["date_published"] = "2022-03-04T18:04:53+01:00";
  bad["schema_version"] = 2;
  bad["text"] = "changed";
  problems.clear();
  CheckRecordJson(bad, true, &problems);
  ASSERT_EQ(problems.size(), 4u) << ::testing::PrintToString(problems);
  EXPECT_EQ(problems[0], "missing field 'title'");
  EXPECT_NE(problems[1].find("authors"), std::string::npos);
  EXPECT_NE(problems[2].find("RFC 3339"), std::string::npos);
  EXPECT_NE(problems[3].find("schema_version 2"), std::string::npos);

  bad = j;
  bad["text"] = "changed";
  problems.clear();
  CheckRecordJson(bad, true, &problems);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0], "content_sha256 does not match text");
}

// Words are runs of bytes that std::isspace (the "C" locale) does not call space; the word
// counts of every stored record and of `alcor stats` depend on this exact rule.
TEST(RecordTest, CountWordsSplitsOnTheSixAsciiSpaces) {
  EXPECT_EQ(CountWords(""), 0u);
  EXPECT_EQ(CountWords(" \t\n\v\f\r"), 0u);
  EXPECT_EQ(CountWords("one"), 1u);
  EXPECT_EQ(CountWords("  one two\tthree\nfour\vfive\fsix\rseven  "), 7u);
  EXPECT_EQ(CountWords("a\u00a0b \u4e2d\u6587 x-y"), 3u);  // no-break space and CJK are word bytes
  EXPECT_EQ(CountWords(std::string("nul\0inside", 10)), 1u);
  std::string all;
  for (int c = 0; c < 256; ++c) all += static_cast<char>(c), all += ' ';
  size_t expected = 0;
  for (int c = 0; c < 256; ++c) expected += std::isspace(c) ? 0 : 1;
  EXPECT_EQ(CountWords(all), expected);
}

TEST(DatesTest, ConvertsZonesToUtc) {
  EXPECT_EQ(NormalizeDateToUtc("2022-03-04T19:04:53+01:00"), "2022-03-04T18:04:53Z");
  EXPECT_EQ(NormalizeDateToUtc("2022-03-04T18:04:53.123Z"), "2022-03-04T18:04:53Z");
  EXPECT_EQ(NormalizeDateToUtc("2022-03-04"), "2022-03-04T00:00:00Z");
  EXPECT_EQ(NormalizeDateToUtc("Fri, 04 Mar 2022 18:04:53 GMT"), "2022-03-04T18:04:53Z");
  EXPECT_EQ(NormalizeDateToUtc("Fri, 04 Mar 2022 13:04:53 EST"), "2022-03-04T18:04:53Z");
  EXPECT_EQ(NormalizeDateToUtc("4 Mar 2022 19:04:53 +0100"), "2022-03-04T18:04:53Z");
  EXPECT_EQ(NormalizeDateToUtc("Friday, 04-Mar-22 18:04:53 GMT"), "2022-03-04T18:04:53Z");
  EXPECT_EQ(NormalizeDateToUtc("2021-12-31T23:30:00-01:00"), "2022-01-01T00:30:00Z");
  EXPECT_FALSE(NormalizeDateToUtc("2022-02-30T00:00:00Z"));
  EXPECT_FALSE(NormalizeDateToUtc("yesterday"));
  EXPECT_FALSE(NormalizeDateToUtc("Fri, 04 Mar 2022 18:04:53 XYZ"));
  EXPECT_TRUE(IsRfc3339Utc("2022-03-04T18:04:53Z"));
  EXPECT_FALSE(IsRfc3339Utc("2022-03-04 18:04:53Z"));
  EXPECT_FALSE(IsRfc3339Utc("2022-03-04T18:04:53+00:00"));
  EXPECT_EQ(FormatRfc3339Utc(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339Utc(-1), "1969-12-31T23:59:59Z");
}

}  // namespace
}  // namespace alcor
