// Templates and splits of alcor export (alcor/export.hpp), and the selection (alcor/selection.hpp).
#include <gtest/gtest.h>

#include <map>

#include "alcor/export.hpp"
#include "alcor/selection.hpp"

namespace alcor {
namespace {

std::string Render(const std::string& tmpl, const nlohmann::json& record) {
  RecordTemplate t;
  Status s = RecordTemplate::Parse(tmpl, &t);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return t.Render(record);
}

const nlohmann::json kRecord = {
    {"id", "lw:1"},
    {"title", "Tïtle ✓"},
    {"authors", {"Ada", "Bo"}},
    {"date_published", "2022-03-04T18:04:53Z"},
    {"source", "lesswrong"},
    {"url", "https://x.example/1"},
    {"tags", {"AI", "Ethics"}},
    {"summary", nullptr},
    {"text", "Body with {title} and {{braces}} and }{ inside."},
    {"metadata", {{"karma", 200}, {"af", true}, {"author_usernames", {"ada"}}, {"note", "n"}, {"list", {1, 2}}}}};

TEST(RecordTemplateTest, RendersEveryField) {
  EXPECT_EQ(Render("{id}|{title}|{author}|{authors}|{username}|{karma}|{date}|{source}|{url}|{tags}", kRecord),
            "lw:1|Tïtle ✓|Ada|Ada, Bo|ada|200|2022-03-04|lesswrong|https://x.example/1|AI, Ethics");
  EXPECT_EQ(Render("{metadata.note} {metadata.af} {metadata.list} {metadata.karma}", kRecord), "n true [1,2] 200");
}

TEST(RecordTemplateTest, MissingValuesRenderEmpty) {
  EXPECT_EQ(Render("[{summary}][{metadata.nothing}][{username}]", nlohmann::json{{"id", "x"}}), "[][][]");
  EXPECT_EQ(Render("[{summary}]", kRecord), "[]") << "null renders empty";
  // No username in metadata: the first author stands in.
  EXPECT_EQ(Render("{username}", nlohmann::json{{"authors", {"Zed"}}, {"metadata", nlohmann::json::object()}}), "Zed");
  EXPECT_EQ(Render("{username}", nlohmann::json{{"metadata", {{"author_username", "cy"}}}}), "cy");
}

TEST(RecordTemplateTest, BracesInTextAreNotPlaceholdersAndDoubledBracesAreLiterals) {
  EXPECT_EQ(Render("{text}", kRecord), "Body with {title} and {{braces}} and }{ inside.");
  EXPECT_EQ(Render("{{title}} {{{title}}}", kRecord), "{title} {Tïtle ✓}");
  EXPECT_EQ(Render("ünïcode → {source} ✓", kRecord), "ünïcode → lesswrong ✓");
  EXPECT_EQ(Render("", kRecord), "");
}

TEST(RecordTemplateTest, MalformedTemplatesNameWhatAndWhere) {
  RecordTemplate t;
  Status s = RecordTemplate::Parse("a {autor}", &t);
  EXPECT_TRUE((s.code() == Status::Code::kInvalidArgument));
  EXPECT_NE(s.message().find("unknown field {autor} at character 3, did you mean 'author'?"), std::string::npos)
      << s.message();
  s = RecordTemplate::Parse("a {title", &t);
  EXPECT_NE(s.message().find("an unclosed '{' at character 3"), std::string::npos) << s.message();
  s = RecordTemplate::Parse("a {ti{tle}", &t);
  EXPECT_NE(s.message().find("an unclosed '{' at character 3"), std::string::npos) << s.message();
  s = RecordTemplate::Parse("ab}", &t);
  EXPECT_NE(s.message().find("a lone '}' at character 3"), std::string::npos) << s.message();
  EXPECT_FALSE(RecordTemplate::Parse("{metadata.}", &t).ok());
  EXPECT_FALSE(RecordTemplate::Parse("{}", &t).ok());
}

TEST(SplitSpecTest, ParsesAndRejects) {
  SplitSpec spec;
  ASSERT_TRUE(SplitSpec::Parse("train=0.98,validation=0.02", &spec).ok());
  ASSERT_EQ(spec.parts().size(), 2u);
  EXPECT_EQ(spec.parts()[1].first, "validation");
  for (const char* bad : {"train=0.9", "train=0.5,train=0.5", "train", "=1", "a=x", "a=0,b=1", "a b=1", "a=0.5,"}) {
    Status s = SplitSpec::Parse(bad, &spec);
    EXPECT_TRUE((s.code() == Status::Code::kInvalidArgument)) << bad;
    EXPECT_EQ(s.message().rfind("--split: ", 0), 0u) << s.message();
  }
}

TEST(SplitSpecTest, AssignmentDependsOnIdAndSeedOnlyAndFollowsTheFractions) {
  SplitSpec spec;
  ASSERT_TRUE(SplitSpec::Parse("train=0.9,validation=0.1", &spec).ok());
  std::map<size_t, int> counts;
  int moved_by_seed = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string id = "id:" + std::to_string(i);
    size_t part = spec.Assign(id, "seed");
    EXPECT_EQ(part, spec.Assign(id, "seed"));
    counts[part]++;
    moved_by_seed += part != spec.Assign(id, "other");
  }
  EXPECT_NEAR(counts[1] / 20000.0, 0.1, 0.01);
  EXPECT_GT(moved_by_seed, 1000);
  EXPECT_EQ(SplitSpec::Single("all").Assign("x", "s"), 0u);
}

TEST(SelectionTest, KindsDatesAndAlsoAt) {
  RecordFacts f;
  ASSERT_TRUE(ReadRecordFacts(R"({"id":"lw:comment:1","source":"lesswrong","source_kind":"forummagnum",)"
                              R"("date_published":"2022-03-04T18:04:53Z","tags":["AI"],"authors":["A"],)"
                              R"("metadata":{"karma":5.5,"af":true},"also_at":[{"source":"af","url":"u"}]})",
                              &f)
                  .ok());
  EXPECT_EQ(RecordKind(f), "comment");
  EXPECT_EQ(f.karma, 5.5);
  Selection s;
  s.sources = {"a?"};
  s.until = "2022-03-04";
  ASSERT_TRUE(s.Prepare().ok());
  EXPECT_TRUE(s.Matches(f)) << "also_at source through a glob; --until takes in the whole day";
  s.until = "2022-03-04T18:04:52Z";
  ASSERT_TRUE(s.Prepare().ok());
  EXPECT_FALSE(s.Matches(f));
  Selection k;
  k.min_karma = 6;
  ASSERT_TRUE(k.Prepare().ok());
  EXPECT_FALSE(k.Matches(f));
  EXPECT_FALSE(ReadRecordFacts("[1]", &f).ok());
  Selection bad;
  bad.kinds = {"paperr"};
  EXPECT_NE(bad.Prepare().message().find("did you mean 'paper'"), std::string::npos);
}

}  // namespace
}  // namespace alcor
