#include <gtest/gtest.h>

#include "alcor/dedup.hpp"

namespace alcor {
namespace {

TEST(SupersededSet, AddContainsAndRoundTrip) {
  SupersededSet set;
  set.Add("shards/a/r-000001.jsonl.zst", 7);
  set.Add("shards/a/r-000001.jsonl.zst", 3);
  set.Add("shards/a/r-000001.jsonl.zst", 7);  // twice is once
  set.Add("shards/b%3Ax/r-000002.jsonl.zst", 1);
  EXPECT_EQ(set.size(), 3u);
  EXPECT_TRUE(set.Contains("shards/a/r-000001.jsonl.zst", 3));
  EXPECT_TRUE(set.Contains(RecordLocation{"shards/a/r-000001.jsonl.zst", 7}));
  EXPECT_FALSE(set.Contains("shards/a/r-000001.jsonl.zst", 4));
  EXPECT_FALSE(set.Contains("shards/c/r-000001.jsonl.zst", 3));
  const std::string text = set.Serialize();
  EXPECT_EQ(text,
            "alcor-superseded 1\n"
            "shards/a/r-000001.jsonl.zst\t3,7\n"
            "shards/b%3Ax/r-000002.jsonl.zst\t1\n"
            "end 3\n");
  SupersededSet parsed;
  Status s = SupersededSet::Parse(text, "state/superseded.000001", &parsed);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(parsed.size(), 3u);
  EXPECT_TRUE(parsed.Contains("shards/a/r-000001.jsonl.zst", 7));
  EXPECT_EQ(parsed.Serialize(), text);
}

TEST(SupersededSet, EmptySetRoundTrips) {
  SupersededSet set, parsed;
  ASSERT_TRUE(SupersededSet::Parse(set.Serialize(), "x", &parsed).ok());
  EXPECT_TRUE(parsed.empty());
}

TEST(SupersededSet, DamagedFilesAreCorruptionNamingThePath) {
  const char* bad[] = {
      "",
      "alcor-superseded 2\nend 0\n",
      "alcor-superseded 1\n",                                  // no end line: cut short
      "alcor-superseded 1\nshards/a\t1,2\nend 2",              // last line without newline
      "alcor-superseded 1\nshards/a\t1,2\nend 3\n",            // wrong count
      "alcor-superseded 1\nshards/a\t2,1\nend 2\n",            // not ascending
      "alcor-superseded 1\nshards/a\t1,,2\nend 2\n",
      "alcor-superseded 1\nshards/a\t0\nend 1\n",
      "alcor-superseded 1\nshards/a 1\nend 1\n",
      "alcor-superseded 1\nshards/a\t1\nshards/a\t2\nend 2\n",  // shard twice
      "alcor-superseded 1\nshards/a\t1,\nend 1\n",
      "alcor-superseded 1\nend 0\nshards/a\t1\n",
      "alcor-superseded 1\nshards/a\t99999999999999999999999\nend 1\n",
  };
  for (const char* text : bad) {
    SupersededSet set;
    Status s = SupersededSet::Parse(text, "state/superseded.000004", &set);
    EXPECT_TRUE(s.IsCorruption()) << "accepted: " << text;
    EXPECT_NE(s.message().find("state/superseded.000004"), std::string::npos);
  }
}

}  // namespace
}  // namespace alcor
