// ParseJson (alcor/json.hpp) and every reader of untrusted JSON built on it: a document nested
// 200,000 deep is refused with a message naming the input, never a crash (issue 21).
#include "alcor/json.hpp"

#include <gtest/gtest.h>

#include <string>

#include "alcor/config.hpp"
#include "alcor/http.hpp"
#include "alcor/normalize.hpp"
#include "alcor/record.hpp"
#include "alcor/shard.hpp"
#include "alcor/env.hpp"
#include "sources/forummagnum/forummagnum.hpp"
#include "support/store_helpers.hpp"
#include "support/temp_dir.hpp"

namespace alcor {
namespace {

// "[[[...]]]" nested depth deep.
std::string DeepArrays(size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }
// {"a":{"a":...{}...}} nested depth deep, unterminated like a hostile answer may be.
std::string DeepObjects(size_t depth) {
  std::string s;
  for (size_t i = 0; i < depth; ++i) s += "{\"a\":";
  return s + "1";
}

bool Has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

TEST(ParseJsonTest, ReadsWhatJsonParseReads) {
  const char* texts[] = {"0", "-1.5e3", "\"x\\u00e9\"", "null", "true", "[]", "{}", " [1, \"a\", {\"b\": [null]}] ",
                         R"({"id":"x","n":18446744073709551615,"m":{"k":[1,2,{"z":false}]},"dup":1,"dup":2})"};
  for (const char* t : texts) {
    Result<nlohmann::json> j = ParseJson(t, "test");
    ASSERT_TRUE(j.ok()) << t << ": " << j.status().ToString();
    EXPECT_EQ(*j, nlohmann::json::parse(t)) << t;
  }
}

TEST(ParseJsonTest, SyntaxErrorNamesTheInputAndPosition) {
  Result<nlohmann::json> j = ParseJson("{\"a\":[1,2,}", "conf.json");
  ASSERT_FALSE(j.ok());
  EXPECT_EQ(j.status().code(), Status::Code::kInvalidArgument);
  EXPECT_TRUE(Has(j.status().message(), "conf.json: not valid JSON: parse error at line 1, column 11"))
      << j.status().message();
  EXPECT_FALSE(ParseJson("{} {}", "x").ok());  // one value only
  EXPECT_FALSE(ParseJson("", "x").ok());
}

TEST(ParseJsonTest, DepthLimitIsExact) {
  EXPECT_TRUE(ParseJson(DeepArrays(kMaxJsonDepth), "x").ok());
  Result<nlohmann::json> j = ParseJson(DeepArrays(kMaxJsonDepth + 1), "x");
  ASSERT_FALSE(j.ok());
  EXPECT_EQ(j.status().code(), Status::Code::kLimitExceeded);
  JsonParseOptions shallow;
  shallow.max_depth = 2;
  EXPECT_TRUE(ParseJson("{\"a\":[1]}", "x", shallow).ok());
  EXPECT_FALSE(ParseJson("{\"a\":[[1]]}", "x", shallow).ok());
}

TEST(ParseJsonTest, TwoHundredThousandDeepIsRefusedNamingTheInput) {
  for (const std::string& text : {DeepArrays(200000), DeepObjects(200000)}) {
    Result<nlohmann::json> j = ParseJson(text, "https://example.org/graphql");
    ASSERT_FALSE(j.ok());
    EXPECT_EQ(j.status().code(), Status::Code::kLimitExceeded);
    EXPECT_EQ(j.status().message(), "https://example.org/graphql: JSON nested deeper than 512 levels");
  }
}

TEST(ParseJsonTest, CommentsOnlyWhenAsked) {
  JsonParseOptions comments;
  comments.ignore_comments = true;
  EXPECT_TRUE(ParseJson("{\"a\": 1 /* one */} // end", "x", comments).ok());
  EXPECT_FALSE(ParseJson("{\"a\": 1 /* one */}", "x").ok());
}

TEST(DeepJsonTest, RecordLineWithDeepMetadata) {
  std::string line = testing::MakeRecord(1).ToJsonLine();
  size_t at = line.find("\"metadata\":");
  ASSERT_NE(at, std::string::npos);
  line.insert(at, "\"deep\":" + DeepArrays(200000) + ",");
  Result<Record> r = Record::FromJsonLine(line);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(Has(r.status().message(), "nested deeper than 512 levels")) << r.status().message();
  std::vector<std::string> problems;
  CheckRecordLine(line, false, &problems);
  ASSERT_FALSE(problems.empty());
  EXPECT_TRUE(Has(problems[0], "nested deeper than 512 levels")) << problems[0];
}

TEST(DeepJsonTest, ShardLineNestedDeepNamesShardAndLine) {
  testing::TempDir dir;
  ShardWriter writer(Env::Default(), dir.path(), "test", "run1", ShardWriterOptions{});
  ASSERT_TRUE(writer.Add(testing::MakeRecord(1)).ok());
  std::string deep = testing::MakeRecord(2).ToJsonLine();
  deep.insert(deep.find("\"metadata\":"), "\"x\":" + DeepObjects(200000) + std::string(200000, '}') + ",");
  ASSERT_TRUE(writer.AddLine(deep).ok());
  std::vector<PendingShard> shards;
  ASSERT_TRUE(writer.Finish(&shards).ok());
  ASSERT_EQ(shards.size(), 1u);
  ShardReader reader(Env::Default(), shards[0].temp_path, "shards/test/run1-1.jsonl.zst");
  Record r;
  EXPECT_TRUE(reader.Next(&r));
  EXPECT_FALSE(reader.Next(&r));
  EXPECT_TRUE(Has(reader.status().message(), "shards/test/run1-1.jsonl.zst:2: ")) << reader.status().message();
  EXPECT_TRUE(Has(reader.status().message(), "nested deeper than 512 levels")) << reader.status().message();
}

TEST(DeepJsonTest, GraphQlAnswerNestedDeep) {
  HttpResponse r;
  r.status = 200;
  r.url = "https://forum.example/graphql";
  r.headers = {{"content-type", "application/json"}};
  r.body = "{\"data\":{\"posts\":{\"results\":[{\"_id\":\"p\",\"contents\":" + DeepObjects(200000) +
           std::string(200000, '}') + "}]}}}";
  Result<nlohmann::json> posts = ReadForumAnswer(Result<HttpResponse>(r), "posts", Forum::kLessWrong,
                                                 "POST https://forum.example/graphql");
  ASSERT_FALSE(posts.ok());
  EXPECT_EQ(posts.status().code(), Status::Code::kLimitExceeded);
  EXPECT_EQ(posts.status().message(), "POST https://forum.example/graphql: JSON nested deeper than 512 levels");
  EXPECT_EQ(GraphQlErrorMessage(r.body), "");
}

TEST(DeepJsonTest, ConfigNestedDeep) {
  std::string text = "{\"description\": " + DeepArrays(200000) + ", \"sources\": []}";
  Result<RunConfig> config = ParseRunConfig(text, "deep.json");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), Status::Code::kLimitExceeded);
  EXPECT_EQ(config.status().message(), "deep.json: JSON nested deeper than 512 levels");
}

TEST(DeepJsonTest, NormalizeJsonlLineNestedDeep) {
  std::string out, id;
  // Deep nesting beside the html member, and deep nesting with no html member found by the scanner.
  for (const std::string& line : {"{\"id\":\"d\",\"html\":\"<p>x</p>\",\"meta\":" + DeepArrays(200000) + "}",
                                  DeepArrays(200000)}) {
    Status s = NormalizeJsonLine(line, NormalizeOptions{}, &out, &id);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.code(), Status::Code::kLimitExceeded);
    EXPECT_TRUE(Has(s.message(), "JSON nested deeper than 512 levels")) << s.message();
  }
}

}  // namespace
}  // namespace alcor
