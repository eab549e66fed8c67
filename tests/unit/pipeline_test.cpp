// The scrape pipeline with fake sources (no network): documents reach the store through the
// normalizer workers and the deduplicator, checkpoints are committed only with the documents
// they cover, one failing source does not stop the others, --limit, --only, --dry-run, stop.
// Also the configuration loader's validation and --print-config masking.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <set>
#include <stdexcept>
#include <thread>

#include "alcor/config.hpp"
#include "alcor/corpus.hpp"
#include "alcor/pipeline.hpp"
#include "alcor/store.hpp"
#include "alcor/validate.hpp"
#include "alcor_testing/fake_http_client.hpp"
#include "support/temp_dir.hpp"

namespace alcor {
namespace {

using nlohmann::json;

// A source that emits `count` documents "<name>:<i>" continuing from its cursor, checkpointing
// the cursor after every `checkpoint_every` documents; `fail_after` >= 0 makes Run fail after
// that many; `html` emits HTML bodies; `block` waits until the run stops; `throw_after` >= 0
// throws (a bug in a source) after that many.
struct FakeKeys : KeyTable {
  Key<int64_t> count{this, "count", 10, "documents"};
  Key<int64_t> checkpoint_every{this, "checkpoint_every", 3, "cursor interval"};
  Key<int64_t> fail_after{this, "fail_after", -1, "fail after N"};
  Key<int64_t> throw_after{this, "throw_after", -1, "throw after N"};
  Key<bool> html{this, "html", false, "HTML bodies"};
  Key<bool> block{this, "block", false, "wait for stop"};
  OptionalKey<std::string> token{this, "token", "a secret", {.secret = true}};
  Key<int64_t> nested_depth{this, "nested.depth", 1, "a nested key"};
};
class FakeSource : public Source {
 public:
  explicit FakeSource(const SourceConfig& c) : config_(c) {}
  Status Run(SourceContext& ctx) override {
    int64_t start = 0;
    if (Result<std::string> cursor = ctx.ReadState("cursor"); cursor.ok()) start = std::stoll(cursor.value());
    int64_t count = KeysOf<FakeKeys>().count.Get(config_);
    int64_t every = std::max<int64_t>(1, KeysOf<FakeKeys>().checkpoint_every.Get(config_));
    int64_t fail_after = KeysOf<FakeKeys>().fail_after.Get(config_);
    int64_t throw_after = KeysOf<FakeKeys>().throw_after.Get(config_);
    if (KeysOf<FakeKeys>().block.Get(config_)) {
      while (!ctx.stopping()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
      return Status::OK();
    }
    for (int64_t i = start; i < count; ++i) {
      if (fail_after >= 0 && i - start >= fail_after) return Status::Http(503, "HTTP 503 from the fake service");
      if (throw_after >= 0 && i - start >= throw_after) throw std::out_of_range("fake index out of range");
      RawDocument doc;
      doc.record.id = ctx.source_name() + ":" + std::to_string(i);
      doc.record.url = "https://example.org/" + ctx.source_name() + "/" + std::to_string(i);
      doc.record.title = "Document " + std::to_string(i);
      std::string words;
      for (int w = 0; w < 80; ++w) words += ctx.source_name() + "w" + std::to_string(i * 131 + w) + " ";
      if (KeysOf<FakeKeys>().html.Get(config_)) {
        doc.format = BodyFormat::kHtml;
        doc.body = "<p><b>Doc</b> " + words + "</p>";
      } else {
        doc.record.text = words;
      }
      Status s = ctx.Emit(std::move(doc));
      if (s.IsInterrupted()) return Status::OK();
      if (!s.ok()) return s;
      if ((i + 1) % every == 0 || i + 1 == count) ctx.Checkpoint("cursor", std::to_string(i + 1));
    }
    return Status::OK();
  }

 private:
  SourceConfig config_;
};

const SourceKind& FakeKind() {
  static const SourceKind kind = {"fake", "test source", &KeysOf<FakeKeys>(),
                                  [](const SourceConfig& c) -> Result<std::unique_ptr<Source>> {
                                    return std::unique_ptr<Source>(new FakeSource(c));
                                  }};
  return kind;
}

// The built-in kinds and the fake one: what these tests load configurations with.
const SourceKindList& TestKinds() {
  static const SourceKindList kinds = [] {
    SourceKindList k = BuiltinSourceKinds();
    k.push_back(&FakeKind());
    return k;
  }();
  return kinds;
}

class PipelineTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = tmp_.Sub("store"); }

  RunConfig Config(const std::string& sources_json) {
    Result<RunConfig> c = ParseRunConfig("{\"sources\": " + sources_json + "}", "test.json", TestKinds());
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? std::move(c.value()) : RunConfig();
  }

  Status Run(const RunConfig& config, ScrapeOptions options, RunReport* report,
             std::function<void(Scraper&)> during = nullptr) {
    std::unique_ptr<Store> store;
    ALCOR_RETURN_IF_ERROR(Store::Open(Env::Default(), dir_, StoreOptions(), &store));
    FakeHttpClient http;
    options.workers = 2;
    Scraper scraper(store.get(), &http, config, options);
    std::thread helper;
    if (during) helper = std::thread([&] { during(scraper); });
    Status s = scraper.Run(report);
    if (helper.joinable()) helper.join();
    return s;
  }

  std::vector<std::string> StoredIds() {
    std::vector<std::string> ids;
    std::unique_ptr<Store> store;
    StoreOptions ro;
    ro.read_only = true;
    if (!Store::Open(Env::Default(), dir_, ro, &store).ok()) return ids;
    SupersededSet superseded;
    EXPECT_TRUE(LoadSuperseded(*store, &superseded).ok());
    ScanOptions scan;
    EXPECT_TRUE(ScanStore(*store, scan, [&](std::string_view line, const RecordLocation& where) {
                  if (superseded.Contains(where)) return true;
                  Result<Record> r = Record::FromJsonLine(line);
                  EXPECT_TRUE(r.ok());
                  if (r.ok()) ids.push_back(r->id);
                  return true;
                }).ok());
    std::sort(ids.begin(), ids.end());
    return ids;
  }

  std::string State(const std::string& source, const std::string& name) {
    std::unique_ptr<Store> store;
    StoreOptions ro;
    ro.read_only = true;
    if (!Store::Open(Env::Default(), dir_, ro, &store).ok()) return "";
    std::string path = store->CurrentStateFile(SourceStateName(source, name));
    return path.empty() ? "" : testing::ReadFile(path);
  }

  // As `alcor validate` checks it: superseded older versions do not count as duplicate ids.
  void ExpectValid() {
    auto superseded = std::make_shared<SupersededSet>();
    {
      std::unique_ptr<Store> store;
      StoreOptions ro;
      ro.read_only = true;
      ASSERT_TRUE(Store::Open(Env::Default(), dir_, ro, &store).ok());
      ASSERT_TRUE(LoadSuperseded(*store, superseded.get()).ok());
    }
    ValidateOptions options;
    options.is_superseded = [superseded](const RecordLocation& where) { return superseded->Contains(where); };
    ValidationReport report;
    ASSERT_TRUE(ValidateStore(Env::Default(), dir_, options, &report).ok());
    std::string problems;
    for (const auto& p : report.problems) problems += p.ToString() + "\n";
    EXPECT_TRUE(report.ok()) << problems;
  }

  testing::TempDir tmp_;
  std::string dir_;
};

TEST_F(PipelineTest, StoresEveryDocumentAndCommitsTheCursor) {
  RunConfig config = Config(R"([{"name": "a", "kind": "fake", "count": 25, "html": true},
                                {"name": "b", "kind": "fake", "count": 7}])");
  RunReport report;
  ASSERT_TRUE(Run(config, {}, &report).ok());
  std::vector<std::string> ids = StoredIds();
  EXPECT_EQ(ids.size(), 32u);
  EXPECT_EQ(State("a", "cursor"), "25");
  EXPECT_EQ(State("b", "cursor"), "7");
  ASSERT_EQ(report.sources.size(), 2u);
  EXPECT_EQ(report.sources[0].fetched, 25u);
  EXPECT_EQ(report.sources[0].stored_new, 25u);
  EXPECT_EQ(report.sources[1].stored_new, 7u);
  EXPECT_FALSE(report.any_source_failed());
  ExpectValid();

  // The next run resumes from the cursors: nothing fetched again, nothing doubled.
  RunReport second;
  ASSERT_TRUE(Run(config, {}, &second).ok());
  EXPECT_EQ(second.sources[0].fetched, 0u);
  EXPECT_EQ(StoredIds().size(), 32u);
}

TEST_F(PipelineTest, HtmlBodiesAreConvertedOnTheWorkers) {
  RunConfig config = Config(R"([{"name": "h", "kind": "fake", "count": 3, "html": true}])");
  RunReport report;
  ASSERT_TRUE(Run(config, {}, &report).ok());
  std::unique_ptr<Store> store;
  StoreOptions ro;
  ro.read_only = true;
  ASSERT_TRUE(Store::Open(Env::Default(), dir_, ro, &store).ok());
  int seen = 0;
  ASSERT_TRUE(ScanStore(*store, {}, [&](std::string_view line, const RecordLocation&) {
                Result<Record> r = Record::FromJsonLine(line);
                EXPECT_TRUE(r.ok());
                EXPECT_EQ(r->text.rfind("**Doc** ", 0), 0u) << r->text;
                EXPECT_EQ(r->source, "h");
                EXPECT_EQ(r->source_kind, "fake");
                EXPECT_EQ(r->metadata.value("text_format", ""), "html");
                ++seen;
                return true;
              }).ok());
  EXPECT_EQ(seen, 3);
}

TEST_F(PipelineTest, AFailingSourceDoesNotStopTheOthersAndKeepsWhatItEmitted) {
  RunConfig config = Config(R"([{"name": "bad", "kind": "fake", "count": 20, "fail_after": 5,
                                 "checkpoint_every": 2},
                                {"name": "good", "kind": "fake", "count": 9}])");
  RunReport report;
  ASSERT_TRUE(Run(config, {}, &report).ok());
  EXPECT_TRUE(report.any_source_failed());
  EXPECT_EQ(report.sources[0].status, "failed");
  EXPECT_NE(report.sources[0].error.find("503"), std::string::npos);
  EXPECT_EQ(report.sources[1].status, "ok");
  EXPECT_EQ(StoredIds().size(), 5u + 9u);
  EXPECT_EQ(State("bad", "cursor"), "4");  // the last checkpoint it made
  nlohmann::json j = report.ToJson();
  EXPECT_EQ(j["sources"][0]["status"], "failed");
  EXPECT_EQ(j["sources"][1]["new"], 9);
}

TEST_F(PipelineTest, AnExceptionInASourceIsAnInternalErrorNotCorruption) {
  RunConfig config = Config(R"([{"name": "buggy", "kind": "fake", "count": 20, "throw_after": 3,
                                 "checkpoint_every": 1}])");
  RunReport report;
  ASSERT_TRUE(Run(config, {}, &report).ok());
  EXPECT_EQ(report.sources[0].status, "failed");
  EXPECT_EQ(report.sources[0].error.rfind("Internal: internal error: ", 0), 0u) << report.sources[0].error;
  EXPECT_NE(report.sources[0].error.find("fake index out of range"), std::string::npos);
  EXPECT_EQ(report.sources[0].error.find("Corruption"), std::string::npos);
  EXPECT_EQ(StoredIds().size(), 3u) << "what it emitted before the bug is kept";
}

TEST_F(PipelineTest, LimitOnlyAndUnknownOnly) {
  RunConfig config = Config(R"([{"name": "a", "kind": "fake", "count": 50},
                                {"name": "b", "kind": "fake", "count": 50},
                                {"name": "off", "kind": "fake", "count": 2, "enabled": false}])");
  ScrapeOptions options;
  options.limit = 4;
  options.only = {"a", "off"};
  RunReport report;
  ASSERT_TRUE(Run(config, options, &report).ok());
  ASSERT_EQ(report.sources.size(), 2u);
  EXPECT_EQ(report.sources[0].fetched, 4u);
  EXPECT_EQ(report.sources[1].name, "off");  // --only runs a disabled source
  EXPECT_EQ(StoredIds().size(), 4u + 2u);
  EXPECT_EQ(State("a", "cursor"), "3");  // the last checkpoint covering stored documents

  ScrapeOptions wrong;
  wrong.only = {"bb"};
  Status s = Run(config, wrong, &report);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(s.message().find("did you mean 'b'"), std::string::npos) << s.message();
}

TEST_F(PipelineTest, DryRunStoresNothing) {
  RunConfig config = Config(R"([{"name": "a", "kind": "fake", "count": 6}])");
  ScrapeOptions options;
  options.dry_run = true;
  RunReport report;
  ASSERT_TRUE(Run(config, options, &report).ok());
  EXPECT_EQ(report.sources[0].stored_new, 6u);  // what would be stored
  EXPECT_TRUE(StoredIds().empty());
  EXPECT_EQ(State("a", "cursor"), "");
  ExpectValid();
}

TEST_F(PipelineTest, StopEndsABlockedRunPromptlyAndLeavesAValidStore) {
  RunConfig config = Config(R"([{"name": "wait", "kind": "fake", "block": true},
                                {"name": "a", "kind": "fake", "count": 5}])");
  RunReport report;
  auto start = std::chrono::steady_clock::now();
  Status s = Run(config, {}, &report, [](Scraper& scraper) {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    scraper.RequestStop();
  });
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(s.IsInterrupted()) << s.ToString();
  EXPECT_TRUE(report.interrupted);
  EXPECT_LT(took, std::chrono::seconds(10));
  EXPECT_EQ(StoredIds().size(), 5u);  // what was processed before the stop is committed
  ExpectValid();
}

TEST_F(PipelineTest, CheckpointsAreNeverCommittedBeforeTheirDocuments) {
  // Many small commits while documents are still in flight: after the run, every committed
  // cursor value c must have documents 0..c-1 stored. Checked after each of several runs cut
  // short by --limit.
  RunConfig config = Config(R"([{"name": "a", "kind": "fake", "count": 200, "checkpoint_every": 1}])");
  for (int run = 0; run < 4; ++run) {
    ScrapeOptions options;
    options.limit = 37;
    options.commit_every_documents = 3;
    options.queue = 4;
    RunReport report;
    ASSERT_TRUE(Run(config, options, &report).ok());
    int64_t cursor = std::stoll(State("a", "cursor"));
    std::vector<std::string> ids = StoredIds();
    EXPECT_EQ(static_cast<int64_t>(ids.size()), cursor) << "run " << run;
  }
}

TEST_F(PipelineTest, EachDocumentsOutcomeIsReportedOnceAfterTheCommitThatStoredIt) {
  RunConfig config = Config(R"([{"name": "a", "kind": "fake", "count": 12, "checkpoint_every": 1}])");
  std::vector<DocumentOutcome> outcomes;
  ScrapeOptions options;
  options.commit_every_documents = 5;
  options.on_document = [&](const DocumentOutcome& o) {
    outcomes.push_back(o);
    // Durable when reported: a reader of the store already sees the record.
    std::vector<std::string> stored = StoredIds();
    EXPECT_TRUE(std::binary_search(stored.begin(), stored.end(), o.id)) << o.id << " reported before its commit";
  };
  RunReport report;
  ASSERT_TRUE(Run(config, options, &report).ok());
  ASSERT_EQ(outcomes.size(), 12u);
  std::set<uint64_t> sequences;
  for (const DocumentOutcome& o : outcomes) {
    EXPECT_EQ(o.kind, DocumentOutcome::Kind::kStored) << o.id;
    EXPECT_EQ(o.source, 0u);
    EXPECT_EQ(o.id, "a:" + std::to_string(o.sequence)) << "the order the source met it";
    EXPECT_EQ(o.what, "https://example.org/a/" + std::to_string(o.sequence));
    sequences.insert(o.sequence);
  }
  EXPECT_EQ(sequences.size(), 12u);

  // A one-off run keeps no state: it starts from the beginning and commits no cursor, and what it
  // meets again is reported as a duplicate.
  std::string cursor = State("a", "cursor");
  EXPECT_EQ(cursor, "12");
  outcomes.clear();
  options.keep_no_state = true;
  ASSERT_TRUE(Run(config, options, &report).ok());
  ASSERT_EQ(outcomes.size(), 12u) << "the committed cursor was not read";
  for (const DocumentOutcome& o : outcomes) {
    EXPECT_EQ(o.kind, DocumentOutcome::Kind::kDuplicate) << o.id;
    EXPECT_EQ(o.detail, "unchanged (same id)");
  }
  EXPECT_EQ(State("a", "cursor"), cursor);
  EXPECT_EQ(StoredIds().size(), 12u);
}

// ---- configuration ----

TEST(ConfigTest, ErrorsNameTheFileTheKeyAndADidYouMean) {
  auto error = [](const std::string& text) {
    Result<RunConfig> c = ParseRunConfig(text, "my.json", TestKinds());
    return c.ok() ? std::string("OK") : c.status().message();
  };
  EXPECT_NE(error(R"({"sources": [{"name": "a", "kind": "fake", "cont": 3}]})").find("\"cont\""), std::string::npos);
  EXPECT_NE(error(R"({"sources": [{"name": "a", "kind": "fake", "cont": 3}]})").find("did you mean 'count'"),
            std::string::npos);
  EXPECT_NE(error(R"({"sources": [{"name": "a", "kind": "fake", "count": "3"}]})").find("must be an integer"),
            std::string::npos);
  EXPECT_NE(error(R"({"sources": [{"name": "a", "kind": "fak"}]})").find("did you mean 'fake'"), std::string::npos);
  EXPECT_NE(error(R"({"sources": [{"name": "a", "kind": "fake", "nested": {"dept": 2}}]})").find("nested.dept"),
            std::string::npos);
  EXPECT_NE(error(R"({"sources": [{"name": "a", "kind": "fake"}, {"name": "a", "kind": "fake"}]})").find("unique"),
            std::string::npos);
  EXPECT_NE(error(R"({"source": []})").find("did you mean 'sources'"), std::string::npos);
  EXPECT_NE(error(R"({"sources": [}")").find("my.json: not valid JSON"), std::string::npos);
  EXPECT_NE(error(R"({"sources": [], "http": {"hosts": {"x": {"concurency": 1}}}})").find("concurency"),
            std::string::npos);
  EXPECT_EQ(error(R"({"sources": [{"name": "a", "kind": "fake", "nested": {"depth": 2}}]})"), "OK");
}

TEST(ConfigTest, DefaultsAreFilledAndSecretsMaskedInTheEffectiveConfig) {
  ::setenv("ALCOR_TEST_TOKEN", "s3cret-value", 1);
  Result<RunConfig> c = ParseRunConfig(
      R"({"sources": [{"name": "a", "kind": "fake", "token": "${ALCOR_TEST_TOKEN}"},
                      {"name": "b", "kind": "fake", "token": "plain-secret"}],
          "http": {"contact": "ops@example.org",
                   "hosts": {"example.org": {"headers": {"Authorization": "Bearer xyz"}}}}})",
      "t.json", TestKinds());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(KeysOf<FakeKeys>().token.Get(c->sources[0]), "s3cret-value");
  EXPECT_EQ(KeysOf<FakeKeys>().count.Get(c->sources[0]), 10);
  EXPECT_EQ(c->sources[0].Get("count"), 10) << "the default is filled in (--print-config shows it)";
  EXPECT_EQ(c->sources[0].Get("nested.depth"), 1);
  std::string effective = c->EffectiveJson().dump();
  EXPECT_EQ(effective.find("s3cret-value"), std::string::npos);
  EXPECT_EQ(effective.find("plain-secret"), std::string::npos);
  EXPECT_EQ(effective.find("Bearer xyz"), std::string::npos);
  EXPECT_NE(effective.find("${ALCOR_TEST_TOKEN}"), std::string::npos);
  EXPECT_NE(effective.find("\"checkpoint_every\":3"), std::string::npos);

  Result<RunConfig> unset = ParseRunConfig(
      R"({"sources": [{"name": "a", "kind": "fake", "token": "${ALCOR_TEST_UNSET_VAR}"}]})", "t.json", TestKinds());
  ASSERT_FALSE(unset.ok());
  EXPECT_NE(unset.status().message().find("ALCOR_TEST_UNSET_VAR"), std::string::npos);
}

TEST(ConfigTest, SourceStateNamesAreFileNameSafeAndDistinct) {
  EXPECT_EQ(SourceStateName("lesswrong", "cursor"), "source-lesswrong~cursor");
  EXPECT_NE(SourceStateName("blog:a/b", "x"), SourceStateName("blog:a_b", "x"));
  EXPECT_EQ(SourceStateName("blog:a/b", "x").find('/'), std::string::npos);
}

}  // namespace
}  // namespace alcor
