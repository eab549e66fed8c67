// Issue 18's researcher tools end to end through the alcor executable: the selection flags of
// cat, export and search; search and its index; show; export formats and splits; remove and the
// deduplicator's refusal; stats --by and runs.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <set>

#include <nlohmann/json.hpp>

#include "alcor/dedup.hpp"
#include "alcor/env.hpp"
#include "alcor/removal.hpp"
#include "alcor/search.hpp"
#include "alcor/store.hpp"
#include "support/store_helpers.hpp"
#include "support/temp_dir.hpp"

namespace alcor {
namespace {

using testing::RunCommand;
using testing::TempDir;

std::string Alcor(const TempDir& tmp) { return testing::AlcorBin() + " --store " + tmp.Sub("c") + " "; }

std::vector<nlohmann::json> JsonLines(const std::string& out) { return testing::ParseJsonLines(out); }

std::set<std::string> Ids(const std::string& jsonl) {
  std::set<std::string> ids;
  for (const nlohmann::json& j : JsonLines(jsonl)) ids.insert(j["id"].get<std::string>());
  return ids;
}

Record Post(const std::string& id, const std::string& source, const std::string& title, const std::string& text) {
  Record r;
  r.id = id;
  r.source = source;
  r.source_kind = "forummagnum";
  r.url = "https://forum.example/posts/" + id.substr(id.rfind(':') + 1);
  r.title = title;
  r.authors = {"Ada Example"};
  r.text = text;
  r.fetched_at = "2026-11-28T00:00:00Z";
  r.Seal();
  return r;
}

// A small store of varied records, written through the deduplicator as a scrape writes them.
void WriteCorpus(const std::string& dir) {
  std::vector<Record> records;
  Record a = Post("lw:aaa", "lesswrong", "Mesa optimizers explained",
                  "A mesa optimizer is a learned optimizer inside a model. Inner alignment asks whether its "
                  "objective matches the base objective {not a placeholder}.");
  a.date_published = "2019-06-05T22:05:52Z";
  a.tags = {"AI", "Inner Alignment"};
  a.metadata = {{"karma", 200}, {"af", true}, {"author_usernames", {"ada"}}};
  a.also_at = {{"alignmentforum", "https://af.example/posts/aaa"}};
  a.Seal();
  records.push_back(a);
  Record b = Post("lw:comment:bbb", "lesswrong", "", "Corrigibility seems hard to get by training alone; a comment.");
  b.date_published = "2021-01-02T03:04:05Z";
  b.metadata = {{"karma", 12}, {"af", false}, {"author_username", "bo"}};
  b.Seal();
  records.push_back(b);
  Record c = Post("arxiv:2203.02155", "arxiv", "Training language models to follow instructions",
                  "We fine-tune with human feedback; reward models and corrigible behaviour are discussed.");
  c.source_kind = "arxiv";
  c.url = "https://arxiv.org/abs/2203.02155";
  c.authors = {"Long Ouyang", "Jeff Wu"};
  c.date_published = "2022-03-04T18:04:53Z";
  c.tags = {"cs.CL"};
  c.Seal();
  records.push_back(c);
  Record d = Post("web:https://blog.example/p/1", "blog:example", "A blog post about reward hacking",
                  "Reward hacking happens when the proxy diverges. Ünïcödé wörds stay searchable.");
  d.source_kind = "feed";
  d.url = "https://blog.example/p/1";
  d.date_published = "2023-07-01T00:00:00Z";
  d.metadata = {{"feed_url", "https://blog.example/feed"}};
  d.Seal();
  records.push_back(d);

  std::unique_ptr<Store> store = testing::OpenStore(dir);
  ASSERT_TRUE(store);
  std::unique_ptr<Deduplicator> dedup;
  ASSERT_TRUE(Deduplicator::Open(store.get(), DedupOptions(), &dedup).ok());
  for (Record& r : records) ASSERT_TRUE(dedup->Offer(std::move(r)).ok());
  Transaction txn;
  ASSERT_TRUE(dedup->AddToTransaction(&txn).ok());
  ASSERT_TRUE(store->Commit(&txn).ok());
}

class ResearcherToolsTest : public ::testing::Test {
 protected:
  void SetUp() override { WriteCorpus(tmp.Sub("c")); }
  std::string Run(const std::string& args, int expect_rc = 0) {
    std::string out, err;
    int rc = RunCommand(Alcor(tmp) + args, &out, &err);
    EXPECT_EQ(rc, expect_rc) << args << "\n" << out << err;
    last_err = err;
    return out;
  }
  TempDir tmp;
  std::string last_err;
};

TEST_F(ResearcherToolsTest, CatSelectsBySourceGlobAlsoAtIdDatesKindTagKarmaAfAndQuery) {
  EXPECT_EQ(Ids(Run("cat")).size(), 4u);
  EXPECT_EQ(Ids(Run("cat --source arxiv")), std::set<std::string>{"arxiv:2203.02155"});
  EXPECT_EQ(Ids(Run("cat --source 'blog:*'")), std::set<std::string>{"web:https://blog.example/p/1"});
  // Per-source views include items held in also_at.
  EXPECT_EQ(Ids(Run("cat --source alignmentforum")), std::set<std::string>{"lw:aaa"});
  EXPECT_EQ(Ids(Run("cat --source arxiv --source 'blog:*'")).size(), 2u);
  EXPECT_EQ(Ids(Run("cat --id lw:aaa --id arxiv:2203.02155")).size(), 2u);
  EXPECT_EQ(Ids(Run("cat --since 2021-01-02 --until 2022-03-04")),
            (std::set<std::string>{"lw:comment:bbb", "arxiv:2203.02155"}))
      << "a date alone as --until takes in its whole day";
  EXPECT_EQ(Ids(Run("cat --until 2022-03-04T18:00:00Z")).size(), 2u);
  EXPECT_EQ(Ids(Run("cat --kind comment")), std::set<std::string>{"lw:comment:bbb"});
  EXPECT_EQ(Ids(Run("cat --kind post")), (std::set<std::string>{"lw:aaa", "web:https://blog.example/p/1"}));
  EXPECT_EQ(Ids(Run("cat --kind paper")), std::set<std::string>{"arxiv:2203.02155"});
  EXPECT_EQ(Ids(Run("cat --tag 'inner alignment'")), std::set<std::string>{"lw:aaa"}) << "tags in any case";
  EXPECT_EQ(Ids(Run("cat --tag ai --tag cs.CL")).size(), 0u) << "every --tag must be present";
  EXPECT_EQ(Ids(Run("cat --min-karma 100")), std::set<std::string>{"lw:aaa"});
  EXPECT_EQ(Ids(Run("cat --min-karma 12")).size(), 2u);
  EXPECT_EQ(Ids(Run("cat --af")), std::set<std::string>{"lw:aaa"});
  EXPECT_EQ(Ids(Run("cat --query 'corrigib*'")), (std::set<std::string>{"lw:comment:bbb", "arxiv:2203.02155"}));
  EXPECT_EQ(Ids(Run("cat --query 'corrigib*' --source arxiv")), std::set<std::string>{"arxiv:2203.02155"});
}

TEST_F(ResearcherToolsTest, BadSelectionsAreUsageErrorsNamingTheFlag) {
  Run("cat --source lesswrnog", 2);
  EXPECT_NE(last_err.find("no source 'lesswrnog' in this store, did you mean 'lesswrong'?"), std::string::npos) << last_err;
  Run("search mesa --source arxv", 2);
  EXPECT_NE(last_err.find("did you mean 'arxiv'"), std::string::npos) << last_err;
  Run("export --out - --source nothing", 2);
  Run("cat --since 2023-13-45", 2);
  EXPECT_NE(last_err.find("--since: '2023-13-45' is not a date"), std::string::npos) << last_err;
  Run("cat --until yesterday", 2);
  EXPECT_NE(last_err.find("--until: 'yesterday'"), std::string::npos) << last_err;
  Run("cat --kind blog", 2);
  EXPECT_NE(last_err.find("--kind: 'blog' is not a kind"), std::string::npos) << last_err;
  Run("cat --since 2023-01-01 --until 2022-01-01", 2);
}

TEST_F(ResearcherToolsTest, SearchRanksPhrasesPrefixesAndSnippets) {
  std::vector<nlohmann::json> hits = JsonLines(Run("search optimizer --json"));
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0]["id"], "lw:aaa");
  EXPECT_EQ(hits[0]["source"], "lesswrong");
  EXPECT_EQ(hits[0]["title"], "Mesa optimizers explained");
  EXPECT_EQ(hits[0]["date"], "2019-06-05T22:05:52Z");
  EXPECT_NE(hits[0]["snippet"].get<std::string>().find("**optimizer**"), std::string::npos) << hits[0];
  EXPECT_TRUE(hits[0]["score"].is_number());

  EXPECT_EQ(JsonLines(Run("search '\"mesa optimizer\"' --json")).size(), 1u);
  EXPECT_EQ(JsonLines(Run("search '\"optimizer mesa\"' --json")).size(), 0u) << "a phrase keeps its order";
  EXPECT_EQ(Ids(Run("search 'corrigib*' --json")), (std::set<std::string>{"lw:comment:bbb", "arxiv:2203.02155"}));
  EXPECT_EQ(JsonLines(Run("search 'corrigib*' --json --limit 1")).size(), 1u);
  EXPECT_EQ(Ids(Run("search 'corrigib*' --json --kind comment")), std::set<std::string>{"lw:comment:bbb"});
  EXPECT_EQ(Ids(Run("search 'woerds OR wörds' --json")), std::set<std::string>{"web:https://blog.example/p/1"})
      << "UTF-8 words are indexed";

  // A title match ranks above a text-only match.
  {
    std::unique_ptr<Store> store = testing::OpenStore(tmp.Sub("c"));
    auto writer = store->NewShardWriter("notes");
    Record t = Post("n:1", "notes", "Reward", "Nothing else here at all, just words.");
    Record u = Post("n:2", "notes", "Unrelated", "Reward reward appears in this text twice.");
    ASSERT_TRUE(writer->Add(t).ok());
    ASSERT_TRUE(writer->Add(u).ok());
    Transaction txn;
    ASSERT_TRUE(writer->Finish(&txn.shards).ok());
    ASSERT_TRUE(store->Commit(&txn).ok());
  }
  hits = JsonLines(Run("search reward --json --source notes"));
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0]["id"], "n:1");
  EXPECT_GT(hits[0]["score"].get<double>(), hits[1]["score"].get<double>());

  // Text output: id, date, source, title, snippet; tab-separated.
  std::string text = Run("search 'mesa optimizer'");
  EXPECT_EQ(text.rfind("lw:aaa\t2019-06-05\tlesswrong\tMesa optimizers explained\t", 0), 0u) << text;
}

TEST_F(ResearcherToolsTest, MalformedQueryIsAUsageError) {
  Run("search 'mesa AND ('", 2);
  EXPECT_NE(last_err.find("query 'mesa AND ('"), std::string::npos) << last_err;
  Run("search", 2);
}

TEST_F(ResearcherToolsTest, IndexFollowsCommitsAndIsRebuiltWhenDamagedOrMissing) {
  // A commit made without the hook leaves the index behind; the next search catches up.
  {
    StoreOptions options;
    options.update_search_index = false;
    std::unique_ptr<Store> store;
    ASSERT_TRUE(Store::Open(Env::Default(), tmp.Sub("c"), options, &store).ok());
    auto writer = store->NewShardWriter("notes");
    ASSERT_TRUE(writer->Add(Post("n:late", "notes", "Late", "A late zebra arrives.")).ok());
    Transaction txn;
    ASSERT_TRUE(writer->Finish(&txn.shards).ok());
    ASSERT_TRUE(store->Commit(&txn).ok());
  }
  EXPECT_EQ(Ids(Run("search zebra --json")), std::set<std::string>{"n:late"});

  // Damaged: rebuilt with a warning, the answer still right.
  const std::string index = tmp.Sub("c") + "/" + kSearchIndexPath;
  testing::WriteFile(index, std::string(8192, 'x'));
  ::chmod(index.c_str(), 0600);
  EXPECT_EQ(Ids(Run("search zebra --json")), std::set<std::string>{"n:late"});
  EXPECT_NE(last_err.find("search index damaged"), std::string::npos) << last_err;
  // Missing: built again without fuss.
  ASSERT_TRUE(Env::Default()->RemoveFile(index).ok());
  EXPECT_EQ(Ids(Run("search zebra --json")), std::set<std::string>{"n:late"});
  Run("search --rebuild-index");
  EXPECT_EQ(Ids(Run("search 'corrigib*' --json")).size(), 2u);
  // The index is private like every file of the store, and validate is content with it.
  Run("validate");
}

// Opens the store at dir read-only and its search index (synced), as a reader does.
struct IndexReader {
  std::unique_ptr<Store> store;
  std::unique_ptr<SearchIndex> index;
  SyncStats stats;
  explicit IndexReader(const std::string& dir) {
    StoreOptions read_only;
    read_only.read_only = true;
    EXPECT_TRUE(Store::Open(Env::Default(), dir, read_only, &store).ok());
    if (store) {
      EXPECT_TRUE(SearchIndex::Open(*store, false, &index, &stats).ok());
    }
  }
};

// The CLI's writers index on a background thread (StoreOptions::index_in_background): many
// commits in a row, with superseded lines among them and a reader syncing in between, leave an
// index that is current the moment the writer's Store is gone: a reader then finds nothing to do.
TEST_F(ResearcherToolsTest, BackgroundIndexIsCurrentWhenTheWriterCloses) {
  const std::string dir = tmp.Sub("bg");
  StoreOptions options;
  options.index_in_background = true;
  {
    std::unique_ptr<Store> store;
    ASSERT_TRUE(Store::Open(Env::Default(), dir, options, &store).ok());
    std::unique_ptr<Deduplicator> dedup;
    ASSERT_TRUE(Deduplicator::Open(store.get(), DedupOptions(), &dedup).ok());
    for (int batch = 0; batch < 6; ++batch) {
      for (int i = 0; i < 5; ++i) {
        const std::string n = std::to_string(batch * 5 + i);
        ASSERT_TRUE(dedup->Offer(Post("n:" + n, "notes", "Note " + n, "quokka number " + n + " of a long list")).ok());
      }
      // A new version of an earlier note supersedes its old line.
      if (batch > 0) {
        ASSERT_TRUE(dedup->Offer(Post("n:0", "notes", "Note 0", "quokka number 0, edited in batch " +
                                                                   std::to_string(batch)))
                        .ok());
      }
      Transaction txn;
      ASSERT_TRUE(dedup->AddToTransaction(&txn).ok());
      ASSERT_TRUE(store->Commit(&txn).ok());
      if (batch == 2) {  // a reader meanwhile: synced with whatever the follower has done
        IndexReader reader(dir);
        ASSERT_TRUE(reader.index);
        EXPECT_EQ(reader.index->documents(), 15u);
      }
    }
  }
  IndexReader reader(dir);
  ASSERT_TRUE(reader.index);
  SearchIndex* index = reader.index.get();
  const SyncStats& stats = reader.stats;
  EXPECT_FALSE(stats.rebuilt);
  EXPECT_EQ(stats.shards_added, 0u) << "the writer's follower indexed every shard";
  EXPECT_EQ(stats.lines_deleted, 0u) << "and took out every superseded line";
  EXPECT_EQ(index->documents(), 30u);
  std::vector<SearchHit> hits;
  ASSERT_TRUE(index->Search("edited", Selection(), 20, &hits).ok());
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].id, "n:0");
  EXPECT_NE(hits[0].snippet.find("batch 5"), std::string::npos) << hits[0].snippet;
}

// A query matching more records than the ranked window is ranked window by window, newest first:
// the hits are the best of the newest window, the next window is used only when a selection
// leaves fewer than the limit, and the stats say whether windows were used.
TEST_F(ResearcherToolsTest, ManyMatchesAreRankedInWindowsNewestFirst) {
  const std::string dir = tmp.Sub("win");
  {
    std::unique_ptr<Store> store;
    ASSERT_TRUE(Store::Open(Env::Default(), dir, StoreOptions(), &store).ok());
    auto writer = store->NewShardWriter("notes");
    // 25 records in indexing order; "walrus" thrice in the oldest (the best BM25 match of all),
    // once in every other; only n:3 (old) and n:21 (new) are tagged.
    for (int i = 0; i < 25; ++i) {
      Record r = Post("n:" + std::to_string(i), "notes", "Note", i == 0 ? "walrus walrus walrus" : "a walrus here");
      if (i == 3 || i == 21) r.tags = {"rare"};
      r.Seal();
      ASSERT_TRUE(writer->Add(r).ok());
    }
    Transaction txn;
    ASSERT_TRUE(writer->Finish(&txn.shards).ok());
    ASSERT_TRUE(store->Commit(&txn).ok());
  }
  IndexReader reader(dir);
  ASSERT_TRUE(reader.index);
  SearchIndex* index = reader.index.get();
  std::vector<SearchHit> hits;
  SearchStats stats;
  ASSERT_TRUE(index->Search("walrus", Selection(), 3, &hits, &stats).ok());
  EXPECT_EQ(stats.full_windows, 0u) << "the default window ranks all of them";
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits[0].id, "n:0");

  index->set_ranked_window(10);
  ASSERT_TRUE(index->Search("walrus", Selection(), 3, &hits, &stats).ok());
  EXPECT_EQ(stats.full_windows, 1u);
  EXPECT_EQ(stats.window, 10u);
  ASSERT_EQ(hits.size(), 3u);
  for (const SearchHit& hit : hits) EXPECT_GE(std::stoi(hit.id.substr(2)), 15) << hit.id << " is not of the newest 10";

  Selection rare;
  rare.tags = {"rare"};
  ASSERT_TRUE(rare.Prepare().ok());
  ASSERT_TRUE(index->Search("walrus", rare, 5, &hits, &stats).ok());
  std::vector<std::string> ids;
  for (const SearchHit& hit : hits) ids.push_back(hit.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"n:21", "n:3"})) << "newest window first, then the older ones";
  EXPECT_EQ(stats.full_windows, 2u);
  // A prefix query's windows are a fifth as long.
  ASSERT_TRUE(index->Search("walru*", Selection(), 3, &hits, &stats).ok());
  EXPECT_EQ(stats.window, 2u);
  ASSERT_EQ(hits.size(), 3u) << "the newest window gives two, the next one more";
  EXPECT_GE(std::stoi(hits[0].id.substr(2)), 23) << hits[0].id;
  EXPECT_GE(std::stoi(hits[1].id.substr(2)), 23) << hits[1].id;
  EXPECT_GE(std::stoi(hits[2].id.substr(2)), 21) << hits[2].id;
  EXPECT_LT(std::stoi(hits[2].id.substr(2)), 23) << hits[2].id;
}

TEST_F(ResearcherToolsTest, ShowPrintsOneRecordByIdOrUrl) {
  std::string out = Run("show lw:aaa");
  EXPECT_EQ(out.rfind("Mesa optimizers explained\nby Ada Example · 2019-06-05 · lesswrong · karma 200 · "
                      "Alignment Forum\ntags: AI, Inner Alignment\nhttps://forum.example/posts/aaa\n"
                      "also at alignmentforum: https://af.example/posts/aaa\nid: lw:aaa\n\nA mesa optimizer",
                      0),
            0u)
      << out;
  EXPECT_EQ(JsonLines(Run("show https://ARXIV.org/abs/2203.02155 --json"))[0]["id"], "arxiv:2203.02155")
      << "a URL is found in its canonical form";
  Run("show lw:nothing", 1);
  EXPECT_NE(last_err.find("no record with id or URL 'lw:nothing'"), std::string::npos);
}

TEST_F(ResearcherToolsTest, ExportJsonlTemplateTextAndSummaries) {
  std::string out = Run("export --out - --source lesswrong");
  EXPECT_EQ(Ids(out), (std::set<std::string>{"lw:aaa", "lw:comment:bbb"}));
  EXPECT_NE(last_err.find("all: 2 records,"), std::string::npos) << last_err;

  out = Run("export --out - --id lw:aaa --id lw:comment:bbb --template "
            "'username: {username}, Karma: {karma}, post: {text} [{{literal}}] {metadata.missing}|{date}'");
  std::vector<nlohmann::json> lines = JsonLines(out);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["id"], "lw:aaa");
  EXPECT_EQ(lines[0]["text"],
            "username: ada, Karma: 200, post: A mesa optimizer is a learned optimizer inside a model. Inner "
            "alignment asks whether its objective matches the base objective {not a placeholder}. [{literal}] |2019-06-05");
  EXPECT_EQ(lines[1]["text"].get<std::string>().rfind("username: bo, Karma: 12, post: Corrigibility", 0), 0u);

  Run("export --out " + tmp.Sub("txt") + " --format text --kind paper");
  EXPECT_EQ(testing::ReadFile(tmp.Sub("txt") + "/arxiv%3A2203.02155.txt"),
            "Training language models to follow instructions\n\nWe fine-tune with human feedback; reward models "
            "and corrigible behaviour are discussed.\n");

  Run("export --out - --template 'a {autor} b'", 2);
  EXPECT_NE(last_err.find("unknown field {autor} at character 3, did you mean 'author'?"), std::string::npos) << last_err;
  Run("export --out - --template 'a {title'", 2);
  Run("export --out " + tmp.Sub("x") + " --split train=0.9,validation=0.2", 2);
  EXPECT_NE(last_err.find("--split: the fractions sum to"), std::string::npos) << last_err;
  Run("export --out - --split train=0.5,test=0.5", 2);
}

// Records that never change split as the corpus grows: export, add records, export again.
TEST(ResearcherToolsSplitTest, SplitsAreStableAsRecordsAreAdded) {
  TempDir tmp;
  {
    std::unique_ptr<Store> store = testing::OpenStore(tmp.Sub("c"));
    testing::WriteRecords(store.get(), 0, 400);
  }
  std::string out, err;
  const std::string split = " --split train=0.8,validation=0.1,test=0.1 --seed s1";
  ASSERT_EQ(RunCommand(Alcor(tmp) + "export --out " + tmp.Sub("e1") + split, &out, &err), 0) << err;
  EXPECT_NE(err.find("train: "), std::string::npos) << err;
  std::map<std::string, std::set<std::string>> first;
  for (const char* part : {"train", "validation", "test"}) first[part] = Ids(testing::ReadFile(tmp.Sub("e1") + "/" + part + ".jsonl"));
  EXPECT_EQ(first["train"].size() + first["validation"].size() + first["test"].size(), 400u);
  EXPECT_GT(first["train"].size(), 280u);
  EXPECT_GT(first["test"].size(), 15u);
  {
    std::unique_ptr<Store> store = testing::OpenStore(tmp.Sub("c"));
    testing::WriteRecords(store.get(), 400, 300);
  }
  ASSERT_EQ(RunCommand(Alcor(tmp) + "export --out " + tmp.Sub("e2") + split, &out, &err), 0) << err;
  size_t total = 0;
  for (const char* part : {"train", "validation", "test"}) {
    std::set<std::string> now = Ids(testing::ReadFile(tmp.Sub("e2") + "/" + part + ".jsonl"));
    total += now.size();
    for (const std::string& id : first[part]) EXPECT_TRUE(now.count(id)) << id << " left " << part;
  }
  EXPECT_EQ(total, 700u);
  // Another seed draws another split.
  ASSERT_EQ(RunCommand(Alcor(tmp) + "export --out " + tmp.Sub("e3") + " --split train=0.8,validation=0.1,test=0.1 --seed s2",
                       &out, &err),
            0);
  EXPECT_NE(Ids(testing::ReadFile(tmp.Sub("e3") + "/test.jsonl")), Ids(testing::ReadFile(tmp.Sub("e2") + "/test.jsonl")));
}

TEST_F(ResearcherToolsTest, RemovedRecordsDisappearEverywhereAndStayOut) {
  Run("remove lw:aaa lw:nothing --reason 'author asked'", 2);
  EXPECT_NE(last_err.find("no record with id 'lw:nothing'"), std::string::npos) << last_err;
  EXPECT_EQ(Ids(Run("cat")).size(), 4u) << "nothing removed when an id is wrong";

  EXPECT_EQ(Run("remove lw:aaa --reason 'author asked'"), "removed lw:aaa (lesswrong)\n");
  EXPECT_EQ(Ids(Run("cat")).count("lw:aaa"), 0u);
  Run("show lw:aaa", 1);
  EXPECT_TRUE(JsonLines(Run("search optimizer --json")).empty());
  EXPECT_EQ(Ids(Run("export --out -")).count("lw:aaa"), 0u);
  EXPECT_EQ(nlohmann::json::parse(Run("stats --json"))["total"]["records"], 3);
  std::vector<nlohmann::json> removed = JsonLines(Run("removed --json"));
  ASSERT_EQ(removed.size(), 1u);
  EXPECT_EQ(removed[0]["id"], "lw:aaa");
  EXPECT_EQ(removed[0]["reason"], "author asked");
  EXPECT_EQ(removed[0]["content_sha256"].get<std::string>().size(), 64u);
  EXPECT_EQ(removed[0]["also_at"], nlohmann::json::array({"https://af.example/posts/aaa"}));
  Run("remove lw:aaa --reason again", 2);
  EXPECT_NE(last_err.find("removed already"), std::string::npos) << last_err;
  Run("validate");

  // A re-scrape offers it again: the same id, its URL, its text under another id (a copy).
  Record again = Post("lw:aaa", "lesswrong", "Mesa optimizers explained (edited)",
                      "A new version of the text that would replace the stored one.");
  Record copy = Post("web:https://mirror.example/mesa", "blog:mirror", "Mirror",
                     "A mesa optimizer is a learned optimizer inside a model. Inner alignment asks whether its "
                     "objective matches the base objective {not a placeholder}.");
  Record same_url = Post("lw:other", "lesswrong", "x", "Some different words, enough of them to count for a text.");
  same_url.url = "https://af.example/posts/aaa";
  same_url.Seal();
  Record fresh = Post("lw:fresh", "lesswrong", "Fresh", "Nothing to do with the removed post.");
  {
    std::unique_ptr<Store> store = testing::OpenStore(tmp.Sub("c"));
    std::unique_ptr<Deduplicator> dedup;
    ASSERT_TRUE(Deduplicator::Open(store.get(), DedupOptions(), &dedup).ok());
    for (Record* r : {&again, &copy, &same_url, &fresh}) {
      DedupDecision decision;
      ASSERT_TRUE(dedup->Offer(*r, &decision).ok());
      if (r == &fresh) {
        EXPECT_EQ(decision.outcome, DedupOutcome::kNew);
      } else {
        EXPECT_EQ(decision.reason, DedupReason::kRemoved) << r->id << ": " << decision.ToString();
        EXPECT_NE(decision.ToString().find("removed from the store"), std::string::npos);
      }
    }
    EXPECT_EQ(dedup->stats().refused_removed, 3u);
    Transaction txn;
    ASSERT_TRUE(dedup->AddToTransaction(&txn).ok());
    ASSERT_TRUE(store->Commit(&txn).ok());
  }
  std::set<std::string> ids = Ids(Run("cat"));
  EXPECT_EQ(ids.count("lw:aaa") + ids.count("web:https://mirror.example/mesa") + ids.count("lw:other"), 0u);
  EXPECT_EQ(ids.count("lw:fresh"), 1u);

  // Compaction drops the removed line for good; the removal list still keeps it out.
  Run("dedup");
  Run("validate");
  {
    std::unique_ptr<Store> store = testing::OpenStore(tmp.Sub("c"));
    std::unique_ptr<Deduplicator> dedup;
    ASSERT_TRUE(Deduplicator::Open(store.get(), DedupOptions(), &dedup).ok());
    // The same id, and the removed record's also_at URL: only the removal list knows them now.
    for (Record* r : {&again, &same_url}) {
      DedupDecision decision;
      ASSERT_TRUE(dedup->Offer(*r, &decision).ok());
      EXPECT_EQ(decision.reason, DedupReason::kRemoved) << r->id << ": " << decision.ToString();
    }
  }
  EXPECT_EQ(Ids(Run("cat")).count("lw:aaa"), 0u);
  EXPECT_EQ(JsonLines(Run("removed --json")).size(), 1u);
}

// A removal list written before also_at was kept still loads (its entries have no also_at), and
// a new entry's also_at URLs refuse a record at any of them.
TEST(ResearcherToolsRemoveTest, RemovalListsWithAndWithoutAlsoAtLoad) {
  const std::string old_list =
      "alcor-removed 1\n"
      R"({"id":"lw:a","source":"lesswrong","url":"https://forum.example/posts/a","content_sha256":"","text_key":"",)"
      R"("reason":"r","time":"2026-12-01T00:00:00Z"})"
      "\n";
  RemovalList list;
  ASSERT_TRUE(RemovalList::Parse(old_list, "removed.1", &list).ok());
  ASSERT_EQ(list.entries().size(), 1u);
  EXPECT_TRUE(list.entries()[0].also_at.empty());
  Removal with;
  with.id = "lw:b";
  with.url = "https://forum.example/posts/b";
  with.also_at = {"https://af.example/posts/b"};
  list.Add(with);
  RemovalList again;
  ASSERT_TRUE(RemovalList::Parse(list.Serialize(), "removed.2", &again).ok());
  ASSERT_EQ(again.entries().size(), 2u);
  EXPECT_EQ(again.entries()[1].also_at, std::vector<std::string>{"https://af.example/posts/b"});
  Record at_copy = Post("af:b", "alignmentforum", "B", "Any text at all.");
  at_copy.url = "https://af.example/posts/b";
  const Removal* refused = again.Refuses(at_copy);
  ASSERT_NE(refused, nullptr);
  EXPECT_EQ(refused->id, "lw:b");
  std::string bad = old_list;
  bad.insert(bad.find("\"content_sha256\""), R"("also_at":"https://af.example/posts/a",)");
  Status refused_list = RemovalList::Parse(bad, "removed.3", &again);
  EXPECT_NE(refused_list.message().find("field 'also_at' must be an array of strings"), std::string::npos)
      << refused_list.ToString();
}

TEST(ResearcherToolsRemoveTest, RemovalSurvivesAReIngestOfTheSameFiles) {
  TempDir tmp;
  testing::WriteFile(tmp.Sub("in/a.md"), "# Takedown\n\nThis note is to be taken down on request of its author.\n");
  testing::WriteFile(tmp.Sub("in/b.md"), "# Kept\n\nThis one stays.\n");
  std::string out, err;
  ASSERT_EQ(RunCommand(Alcor(tmp) + "ingest --source notes " + tmp.Sub("in"), &out, &err), 0) << err;
  std::string id;
  for (const nlohmann::json& j : JsonLines([&] {
         RunCommand(Alcor(tmp) + "cat", &out, &err);
         return out;
       }()))
    if (j["title"] == "Takedown") id = j["id"];
  ASSERT_FALSE(id.empty());
  ASSERT_EQ(RunCommand(Alcor(tmp) + "remove " + id + " --reason 'on request'", &out, &err), 0) << err;
  ASSERT_EQ(RunCommand(Alcor(tmp) + "ingest --source notes " + tmp.Sub("in"), &out, &err), 0) << err;
  EXPECT_NE(out.find("refused: " + id + " was removed from the store"), std::string::npos) << out;
  RunCommand(Alcor(tmp) + "cat", &out, &err);
  EXPECT_EQ(Ids(out).count(id), 0u);
  EXPECT_EQ(Ids(out).size(), 1u);
  // Under another source name too: the same text is refused.
  ASSERT_EQ(RunCommand(Alcor(tmp) + "ingest --source other " + tmp.Sub("in/a.md"), &out, &err), 0) << err;
  RunCommand(Alcor(tmp) + "cat", &out, &err);
  EXPECT_EQ(Ids(out).size(), 1u);
  EXPECT_EQ(RunCommand(Alcor(tmp) + "validate", &out, &err), 0) << out << err;
}

TEST(ResearcherToolsRemoveTest, ValidateReportsARemovedRecordThatIsVisible) {
  TempDir tmp;
  {
    std::unique_ptr<Store> store = testing::OpenStore(tmp.Sub("c"));
    testing::WriteRecords(store.get(), 0, 3);
  }
  std::string out, err;
  ASSERT_EQ(RunCommand(Alcor(tmp) + "remove test:1 --reason x", &out, &err), 0) << err;
  {
    // Written again past the deduplicator (as a bug or a hand edit would).
    std::unique_ptr<Store> store = testing::OpenStore(tmp.Sub("c"));
    testing::WriteRecords(store.get(), 1, 1);
  }
  EXPECT_EQ(RunCommand(Alcor(tmp) + "validate", &out, &err), 1);
  EXPECT_NE(out.find("record 'test:1' was removed (alcor removed lists it) but is still visible"), std::string::npos)
      << out << err;
}

// A source's count includes the items another source keeps that it also reached (also_at), beside
// its own records, so the per-source figures do not depend on which copy the deduplicator kept.
TEST_F(ResearcherToolsTest, StatsBySourceCountsItemsHeldInAlsoAt) {
  nlohmann::json stats = nlohmann::json::parse(Run("stats --json"));
  EXPECT_EQ(stats["sources"]["lesswrong"]["records"], 2);
  EXPECT_EQ(stats["sources"]["lesswrong"]["also_held"], 0);
  EXPECT_EQ(stats["sources"]["alignmentforum"]["records"], 0);
  EXPECT_EQ(stats["sources"]["alignmentforum"]["also_held"], 1) << stats.dump();
  EXPECT_EQ(stats["total"]["records"], 4) << "an item is counted once among the records";
  std::string text = Run("stats");
  EXPECT_NE(text.find("also at"), std::string::npos) << text;
  size_t row = text.find("\nalignmentforum ");
  ASSERT_NE(row, std::string::npos) << text;
  std::string line = text.substr(row + 1, text.find('\n', row + 1) - row - 1);
  EXPECT_EQ(line.substr(line.find_last_not_of(' ') ), "1") << line;
}

TEST_F(ResearcherToolsTest, StatsByYearKindTagAuthorAndRuns) {
  nlohmann::json by_year = nlohmann::json::parse(Run("stats --by year --json"));
  EXPECT_EQ(by_year["by"], "year");
  EXPECT_EQ(by_year["groups"]["2019"]["records"], 1);
  EXPECT_EQ(by_year["groups"]["2023"]["records"], 1);
  EXPECT_EQ(by_year["total"]["records"], 4);
  // A group's shards are those holding its records (one shard per source here).
  EXPECT_EQ(by_year["groups"]["2019"]["shards"], 1);
  EXPECT_EQ(by_year["total"]["shards"], 3);
  nlohmann::json by_kind = nlohmann::json::parse(Run("stats --by kind --json"));
  EXPECT_EQ(by_kind["groups"]["post"]["records"], 2);
  EXPECT_EQ(by_kind["groups"]["paper"]["records"], 1);
  EXPECT_EQ(by_kind["groups"]["comment"]["records"], 1);
  nlohmann::json by_tag = nlohmann::json::parse(Run("stats --by tag --json"));
  EXPECT_EQ(by_tag["groups"]["AI"]["records"], 1);
  EXPECT_EQ(by_tag["groups"]["(none)"]["records"], 2);
  nlohmann::json by_author = nlohmann::json::parse(Run("stats --by author --json"));
  EXPECT_EQ(by_author["groups"]["Ada Example"]["records"], 3);
  EXPECT_EQ(by_author["groups"]["Jeff Wu"]["records"], 1);
  EXPECT_EQ(by_author["groups"]["Ada Example"]["shards"], 2) << "lesswrong's and blog:example's";
  EXPECT_EQ(by_author["groups"]["Jeff Wu"]["shards"], 1);
  EXPECT_EQ(by_author["total"]["records"], 4) << "a record with two authors counts once in the total";
  EXPECT_NE(Run("stats --by year").find("year "), std::string::npos);
  Run("stats --by colour", 2);

  // runs: the reports of the runs in the store, newest first.
  testing::WriteFile(tmp.Sub("in/a.md"), "# A\n\nSome text.\n");
  Run("ingest --source notes " + tmp.Sub("in"));
  Run("remove lw:comment:bbb --reason spam");
  std::vector<nlohmann::json> runs = JsonLines(Run("runs --json"));
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0]["command"], "remove");
  EXPECT_EQ(runs[1]["command"], "ingest");
  EXPECT_EQ(runs[1]["status"], "ok (0)");
  ASSERT_EQ(runs[1]["sources"].size(), 1u);
  EXPECT_EQ(runs[1]["sources"][0]["name"], "notes");
  EXPECT_EQ(runs[1]["sources"][0]["new"], 1);
  EXPECT_EQ(JsonLines(Run("runs --json --limit 1")).size(), 1u);
  std::string text = Run("runs");
  EXPECT_NE(text.find("notes: 1 fetched, 1 new, 0 failed"), std::string::npos) << text;
}

}  // namespace
}  // namespace alcor
