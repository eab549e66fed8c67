// Typed source keys (alcor/source_config.hpp): one default per key, read back through the key,
// validation against the declared table, and docs/sources.md kept equal to the generated tables.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "alcor/env.hpp"
#include "alcor/source.hpp"
#include "alcor/source_config.hpp"

namespace alcor {
namespace {

using nlohmann::json;

struct TestKeys : KeyTable {
  Key<int64_t> size{this, "size", 50, "items per request"};
  Key<int64_t> cap{this, "cap", int64_t{64} << 20, "largest download"};
  Key<double> interval{this, "interval_s", 3.0, "seconds between requests"};
  Key<std::string> mode{this, "mode", "keep", "`keep` or `drop`"};
  Key<bool> deep{this, "deep", true, "follow links"};
  Key<std::vector<std::string>> tags{this, "tags", {}, "tags to keep"};
  OptionalKey<std::string> since{this, "since", "a date", {.shown_default = "the first post"}};
  OptionalKey<double> karma{this, "karma_min", "least karma"};
  Key<std::map<std::string, std::string>> headers{this, "headers", {}, "access headers", {.secret = true}};
  Key<int64_t> depth{this, "citations.max_depth", 1, "hops"};
};

const SourceKind& TestKind() {
  static const SourceKind kind = {"testkind", "a kind for this test", &KeysOf<TestKeys>(), nullptr};
  return kind;
}

Result<SourceConfig> Validate(json entry) {
  entry["name"] = "t";
  entry["kind"] = "testkind";
  return ValidateSourceConfig(entry, "test.json: sources[0]", ".", {&TestKind()});
}

TEST(SourceKeysTest, DefaultsComeFromTheKeyAndConfiguredValuesWin) {
  Result<SourceConfig> config = Validate({{"size", 7}, {"tags", {"a"}}, {"citations", {{"max_depth", 2}}}});
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->source_kind, &TestKind());
  EXPECT_EQ(KeysOf<TestKeys>().size.Get(*config), 7);
  EXPECT_EQ(KeysOf<TestKeys>().cap.Get(*config), int64_t{64} << 20);
  EXPECT_EQ(KeysOf<TestKeys>().interval.Get(*config), 3.0);
  EXPECT_EQ(KeysOf<TestKeys>().mode.Get(*config), "keep");
  EXPECT_TRUE(KeysOf<TestKeys>().deep.Get(*config));
  EXPECT_EQ(KeysOf<TestKeys>().tags.Get(*config), std::vector<std::string>{"a"});
  EXPECT_EQ(KeysOf<TestKeys>().since.Get(*config), std::nullopt);
  EXPECT_EQ(KeysOf<TestKeys>().karma.Get(*config), std::nullopt);
  EXPECT_EQ(KeysOf<TestKeys>().depth.Get(*config), 2);
  // The loader fills the declared default in (what --print-config shows): the same value.
  EXPECT_EQ(config->Get("mode"), "keep");
  EXPECT_EQ(config->display_settings["cap"], int64_t{64} << 20);
  EXPECT_TRUE(config->Get("since").is_null());
  // A config built in code, never validated: the key still answers its one default.
  SourceConfig bare;
  EXPECT_EQ(KeysOf<TestKeys>().size.Get(bare), 50);
  EXPECT_EQ(KeysOf<TestKeys>().depth.Get(bare), 1);
}

TEST(SourceKeysTest, ValidationChecksTypesNamesAndSecrets) {
  auto error = [](json entry) {
    Result<SourceConfig> c = Validate(std::move(entry));
    return c.ok() ? std::string("OK") : c.status().message();
  };
  EXPECT_NE(error({{"size", "7"}}).find("\"size\": must be an integer, not a string"), std::string::npos);
  EXPECT_NE(error({{"karma_min", true}}).find("must be a number"), std::string::npos);
  EXPECT_NE(error({{"tags", {1}}}).find("must be an array of strings"), std::string::npos);
  EXPECT_NE(error({{"sise", 7}}).find("did you mean 'size'"), std::string::npos);
  EXPECT_NE(error({{"citations", {{"max_dept", 2}}}}).find("citations.max_dept"), std::string::npos);
  EXPECT_EQ(error({{"karma_min", 5}}), "OK");  // an integer is a number
  Result<SourceConfig> unknown =
      ValidateSourceConfig(json{{"name", "t"}, {"kind", "testkinf"}}, "test", ".", {&TestKind()});
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("did you mean 'testkind'"), std::string::npos);
  EXPECT_FALSE(ValidateSourceConfig(json{{"name", "t"}, {"kind", "testkind"}}, "test").ok())
      << "a kind outside the list given is unknown";

  Result<SourceConfig> secret = Validate({{"headers", {{"Authorization", "Bearer x"}}}});
  ASSERT_TRUE(secret.ok());
  EXPECT_EQ(KeysOf<TestKeys>().headers.Get(*secret).at("Authorization"), "Bearer x");
  EXPECT_EQ(secret->display_settings["headers"], "[REDACTED]");
}

TEST(SourceKeysTest, MarkdownTableShowsNameTypeDefaultAndDoc) {
  EXPECT_EQ(KeyTableMarkdown(TestKind()),
            "| key | type | default | meaning |\n"
            "|---|---|---|---|\n"
            "| `size` | integer | 50 | items per request |\n"
            "| `cap` | integer | 64 MiB | largest download |\n"
            "| `interval_s` | number | 3 | seconds between requests |\n"
            "| `mode` | string | `keep` | `keep` or `drop` |\n"
            "| `deep` | bool | `true` | follow links |\n"
            "| `tags` | list of strings | `[]` | tags to keep |\n"
            "| `since` | string | the first post | a date |\n"
            "| `karma_min` | number | none | least karma |\n"
            "| `headers` | object of strings | `{}` | access headers |\n"
            "| `citations.max_depth` | integer | 1 | hops |\n");
}

// The repository's root: $ALCOR_SOURCE_DIR (set by CTest), else from this file's path.
std::string SourceDir() {
  if (const char* dir = std::getenv("ALCOR_SOURCE_DIR"); dir && *dir) return dir;
  std::string here = __FILE__;  // <root>/tests/unit/source_config_test.cpp
  return here.substr(0, here.rfind("/tests/unit/"));
}

// The first Markdown table after the heading "## <kind>" of docs/sources.md, or "".
std::string DocumentedTable(const std::string& docs, const std::string& kind) {
  size_t heading = docs.find("\n## " + kind + "\n");
  if (heading == std::string::npos) return "";
  size_t start = docs.find("\n| key |", heading);
  if (start == std::string::npos) return "";
  std::string table;
  for (size_t pos = start + 1; pos < docs.size() && docs[pos] == '|';) {
    size_t end = docs.find('\n', pos);
    if (end == std::string::npos) end = docs.size() - 1;
    table += docs.substr(pos, end - pos + 1);
    pos = end + 1;
  }
  return table;
}

TEST(SourceKeysTest, DocsShowTheGeneratedTableOfEveryKind) {
  std::string docs;
  ASSERT_TRUE(ReadFileToString(Env::Default(), SourceDir() + "/docs/sources.md", &docs, 1 << 22).ok())
      << "docs/sources.md not found under " << SourceDir();
  for (const SourceKind* kind : BuiltinSourceKinds()) {
    ASSERT_NE(kind->keys, nullptr) << kind->name;
    for (const KeySpec& key : kind->keys->specs()) EXPECT_FALSE(key.doc.empty()) << kind->name << "." << key.path;
    EXPECT_EQ(DocumentedTable(docs, kind->name), KeyTableMarkdown(*kind))
        << "docs/sources.md \"## " << kind->name << "\" differs from the keys the kind declares; regenerate it with "
        << "`alcor sources --keys " << kind->name << "`";
  }
}

// The progress display of `alcor scrape` shows these names (docs/operations.md, "What a run shows").
TEST(SourcePhaseTest, EveryPhaseHasItsName) {
  EXPECT_STREQ(SourcePhaseName(SourcePhase::kStarting), "starting");
  EXPECT_STREQ(SourcePhaseName(SourcePhase::kListing), "listing");
  EXPECT_STREQ(SourcePhaseName(SourcePhase::kFetchingPages), "fetching pages");
}

}  // namespace
}  // namespace alcor
