// The Deduplicator against a real store in a temporary directory: same-item merging, new
// versions, exact and near duplicates, persistence across runs, commit atomicity, compaction.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "alcor/corpus.hpp"
#include "alcor/dedup.hpp"
#include "alcor/validate.hpp"
#include "alcor_testing/corpus_gen.hpp"
#include "support/store_helpers.hpp"
#include "support/temp_dir.hpp"

namespace alcor {
namespace {

using testing::OpenStore;
using testing::TempDir;

std::string Text(uint64_t seed, size_t words = 300) {
  static std::map<size_t, std::unique_ptr<dedup::CorpusGenerator>> generators;
  auto& gen = generators[words];
  if (!gen) {
    dedup::CorpusGenOptions o;
    o.min_words = o.max_words = words;
    gen = std::make_unique<dedup::CorpusGenerator>(o);
  }
  return gen->MakeOriginal(seed % 50, seed);
}

Record Make(const std::string& id, const std::string& source, const std::string& url, std::string text,
            std::optional<std::string> modified = std::nullopt) {
  Record r;
  r.id = id;
  r.source = source;
  r.source_kind = "forummagnum";
  r.url = url;
  r.title = "T " + id;
  r.text = std::move(text);
  r.date_modified = std::move(modified);
  r.fetched_at = "2026-01-01T00:00:00Z";
  r.Seal();
  return r;
}

// The store's current records (superseded lines skipped), by id.
std::map<std::string, Record> Current(const std::string& dir) {
  StoreOptions ro;
  ro.read_only = true;
  std::unique_ptr<Store> store;
  EXPECT_TRUE(Store::Open(Env::Default(), dir, ro, &store).ok());
  SupersededSet superseded;
  Status s = LoadSuperseded(*store, &superseded);
  EXPECT_TRUE(s.ok()) << s.ToString();
  ScanOptions scan;
  scan.is_superseded = [&](const RecordLocation& w) { return superseded.Contains(w); };
  std::map<std::string, Record> out;
  s = ScanStore(*store, scan, [&](std::string_view line, const RecordLocation& where) {
    Result<Record> r = Record::FromJsonLine(line);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_FALSE(out.count(r->id)) << "id twice among current records: " << r->id << " at " << where.shard;
    out[r->id] = std::move(r).value();
    return true;
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

void ExpectValid(const std::string& dir) {
  StoreOptions ro;
  ro.read_only = true;
  std::unique_ptr<Store> store;
  ASSERT_TRUE(Store::Open(Env::Default(), dir, ro, &store).ok());
  SupersededSet superseded;
  ASSERT_TRUE(LoadSuperseded(*store, &superseded).ok());
  ValidateOptions vo;
  vo.is_superseded = [&](const RecordLocation& w) { return superseded.Contains(w); };
  ValidationReport report;
  ASSERT_TRUE(ValidateStore(Env::Default(), dir, vo, &report).ok());
  for (const auto& p : report.problems) ADD_FAILURE() << p.ToString();
}

struct RunResult {
  std::vector<DedupDecision> decisions;
  DedupStats stats;
  size_t shards_after = 0;
};

// One writer run: opens the store, offers every record, commits.
RunResult RunDedup(const std::string& dir, std::vector<Record> records, DedupOptions options = {}) {
  RunResult out;
  auto store = OpenStore(dir);
  std::unique_ptr<Deduplicator> dedup;
  Status s = Deduplicator::Open(store.get(), options, &dedup);
  EXPECT_TRUE(s.ok()) << s.ToString();
  if (!s.ok()) return out;
  for (Record& r : records) {
    DedupDecision d;
    s = dedup->Offer(std::move(r), &d);
    EXPECT_TRUE(s.ok()) << s.ToString();
    out.decisions.push_back(d);
  }
  Transaction txn;
  s = dedup->AddToTransaction(&txn);
  EXPECT_TRUE(s.ok()) << s.ToString();
  s = store->Commit(&txn);
  EXPECT_TRUE(s.ok()) << s.ToString();
  out.stats = dedup->stats();
  out.shards_after = store->manifest().shards.size();
  return out;
}

TEST(DedupStore, AlignmentForumPostIsTheSameRowAsItsLessWrongPost) {
  TempDir dir;
  std::string text = Text(1);
  RunResult r = RunDedup(dir.path(), {Make("lw:abc", "lesswrong", "https://www.lesswrong.com/posts/abc", text),
                                 Make("lw:abc", "alignmentforum", "https://www.alignmentforum.org/posts/abc", text)});
  ASSERT_EQ(r.decisions.size(), 2u);
  EXPECT_EQ(r.decisions[0].outcome, DedupOutcome::kNew);
  EXPECT_EQ(r.decisions[1].outcome, DedupOutcome::kMerged);
  EXPECT_EQ(r.decisions[1].reason, DedupReason::kSameId);
  EXPECT_EQ(r.decisions[1].matched_id, "lw:abc");
  auto current = Current(dir.path());
  ASSERT_EQ(current.size(), 1u);
  const Record& kept = current["lw:abc"];
  EXPECT_EQ(kept.source, "lesswrong");
  ASSERT_EQ(kept.also_at.size(), 1u);
  EXPECT_EQ(kept.also_at[0], (AlsoAt{"alignmentforum", "https://www.alignmentforum.org/posts/abc"}));
  EXPECT_EQ(r.stats.merged_same_id, 1u);
  EXPECT_EQ(r.stats.rewritten, 1u);
  EXPECT_EQ(r.stats.superseded, 1u);
  ExpectValid(dir.path());
}

TEST(DedupStore, MatchedThisRunIsKnownWithoutRememberingIds) {
  // The scraper keeps no ids (max_remembered_ids = 0) and still tells "the same item reached twice
  // in this run" (matched_this_run) from "a new version of an item stored by an earlier run".
  TempDir dir;
  DedupOptions options;
  options.max_remembered_ids = 0;
  RunResult first = RunDedup(dir.path(),
                             {Make("lw:abc", "lesswrong", "https://www.lesswrong.com/posts/abc", Text(1)),
                              Make("lw:abc", "alignmentforum", "https://www.alignmentforum.org/posts/abc", Text(1))},
                             options);
  ASSERT_EQ(first.decisions.size(), 2u);
  EXPECT_FALSE(first.decisions[0].matched_this_run);
  EXPECT_EQ(first.decisions[1].reason, DedupReason::kSameId);
  EXPECT_TRUE(first.decisions[1].matched_this_run);
  EXPECT_EQ(first.decisions[1].matched_id, "");

  RunResult second = RunDedup(
      dir.path(), {Make("lw:abc", "lesswrong", "https://www.lesswrong.com/posts/abc", Text(2), "2026-02-01T00:00:00Z"),
                   Make("lw:abc", "lesswrong", "https://www.lesswrong.com/posts/abc", Text(2), "2026-02-01T00:00:00Z")},
      options);
  ASSERT_EQ(second.decisions.size(), 2u);
  EXPECT_EQ(second.decisions[0].outcome, DedupOutcome::kMerged);
  EXPECT_EQ(second.decisions[0].reason, DedupReason::kSameId);
  EXPECT_FALSE(second.decisions[0].matched_this_run) << "stored by the first run";
  EXPECT_TRUE(second.decisions[1].matched_this_run) << "its new version was written by this run";
  ExpectValid(dir.path());
}

TEST(DedupStore, NightlyRerunAddsNothing) {
  TempDir dir;
  std::vector<Record> records;
  for (int i = 0; i < 20; ++i)
    records.push_back(Make("lw:" + std::to_string(i), "lesswrong", "https://lw.example/" + std::to_string(i), Text(i)));
  records.push_back(Make("lw:0", "alignmentforum", "https://af.example/0", Text(0)));
  RunResult first = RunDedup(dir.path(), records);
  EXPECT_EQ(first.stats.stored_new, 20u);
  std::string manifest_before = testing::ReadFile(dir.Sub("manifest.json"));

  RunResult second = RunDedup(dir.path(), records);
  EXPECT_EQ(second.stats.unchanged, 21u);
  EXPECT_EQ(second.stats.stored_new, 0u);
  EXPECT_EQ(second.stats.rewritten, 0u);
  EXPECT_EQ(second.shards_after, first.shards_after);
  // Nothing changed: not even a new index generation was committed.
  EXPECT_EQ(testing::ReadFile(dir.Sub("manifest.json")), manifest_before);
  for (const DedupDecision& d : second.decisions) EXPECT_EQ(d.outcome, DedupOutcome::kUnchanged) << d.ToString();
  EXPECT_EQ(Current(dir.path()).size(), 20u);
}

TEST(DedupStore, NewVersionSupersedesTheOlderOne) {
  TempDir dir;
  std::string v1 = Text(5), v2 = v1 + "\n\nAn edit: a paragraph added in the second version of this post.";
  RunDedup(dir.path(), {Make("arxiv:2203.02155", "arxiv", "https://arxiv.org/abs/2203.02155", v1, "2022-03-04T00:00:00Z")});
  RunResult r = RunDedup(dir.path(), {Make("arxiv:2203.02155", "arxiv", "https://arxiv.org/abs/2203.02155", v2,
                                      "2022-05-01T00:00:00Z")});
  EXPECT_EQ(r.stats.new_versions, 1u);
  EXPECT_EQ(r.stats.superseded, 1u);
  auto current = Current(dir.path());
  ASSERT_EQ(current.size(), 1u);
  EXPECT_EQ(current.begin()->second.text, v2);
  EXPECT_TRUE(current.begin()->second.also_at.empty());
  ExpectValid(dir.path());  // the id appears twice in the shards, once as a superseded line

  // The older version reached again (by citation) changes nothing.
  RunResult again = RunDedup(dir.path(), {Make("arxiv:2203.02155", "arxiv", "https://arxiv.org/abs/2203.02155", v1,
                                          "2022-03-04T00:00:00Z")});
  EXPECT_EQ(again.stats.rewritten, 0u);
  EXPECT_EQ(Current(dir.path()).begin()->second.text, v2);
}

TEST(DedupStore, ExactDuplicatesUnderDifferentIdsAfterNormalisation) {
  TempDir dir;
  std::string text = Text(7);
  std::string shouted = text;
  for (char& c : shouted) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  shouted = "  " + shouted + " !!!";
  RunResult r = RunDedup(dir.path(), {Make("web:https://a.example/p", "blog-a", "https://a.example/p", text),
                                 Make("web:https://b.example/q", "blog-b", "https://b.example/q", shouted),
                                 // Short texts under different ids are not merged for their text alone.
                                 Make("lw:c1", "lesswrong", "https://lw.example/c1", "Thanks, great post!"),
                                 Make("lw:c2", "lesswrong", "https://lw.example/c2", "Thanks, great post!")});
  EXPECT_EQ(r.decisions[1].outcome, DedupOutcome::kMerged);
  EXPECT_EQ(r.decisions[1].reason, DedupReason::kExactText);
  EXPECT_EQ(r.decisions[3].outcome, DedupOutcome::kNew);
  auto current = Current(dir.path());
  ASSERT_EQ(current.size(), 3u);
  const Record& kept = current["web:https://a.example/p"];
  ASSERT_EQ(kept.also_at.size(), 1u);
  EXPECT_EQ(kept.also_at[0], (AlsoAt{"blog-b", "https://b.example/q"}));
  EXPECT_EQ(r.stats.merged_exact, 1u);
}

TEST(DedupStore, NearDuplicateIsMergedAndListedInAlsoAt) {
  TempDir dir;
  dedup::CorpusGenerator gen(dedup::CorpusGenOptions{});
  std::string original = Text(9, 600);
  double j = 0;
  std::string variant = gen.MakeVariant(original, 0.88, 4242, &j);
  ASSERT_GT(j, 0.84);
  ASSERT_LT(j, 0.92);
  std::string unrelated = Text(59, 600);  // same topic (59 % 50 == 9), different document
  DedupOptions keep_first;
  keep_first.policy = MergePolicy::kKeepFirst;
  RunResult r = RunDedup(dir.path(),
                    {Make("web:https://a.example/x", "blog-a", "https://a.example/x", original),
                     Make("web:https://m.example/x", "mirror", "https://m.example/x", variant),
                     Make("web:https://a.example/y", "blog-a", "https://a.example/y", unrelated)},
                    keep_first);
  EXPECT_EQ(r.decisions[1].outcome, DedupOutcome::kMerged);
  EXPECT_EQ(r.decisions[1].reason, DedupReason::kNearText);
  EXPECT_NEAR(r.decisions[1].estimated_jaccard, j, 0.12);
  EXPECT_EQ(r.decisions[2].outcome, DedupOutcome::kNew);
  EXPECT_EQ(r.stats.merged_near, 1u);
  auto current = Current(dir.path());
  ASSERT_EQ(current.size(), 2u);
  EXPECT_EQ(current["web:https://a.example/x"].text, original);
  ASSERT_EQ(current["web:https://a.example/x"].also_at.size(), 1u);
  EXPECT_EQ(current["web:https://a.example/x"].also_at[0].url, "https://m.example/x");
}

TEST(DedupStore, CrossPostFoundByUrlRicherTextWins) {
  TempDir dir;
  std::string blog = Text(11);
  std::string lw = "Crossposted from my blog.\n\n" + blog + "\n\n" + Text(12, 100);
  Record lw_record = Make("lw:xp", "lesswrong", "https://www.lesswrong.com/posts/xp", lw);
  lw_record.also_at = {{"blog", "https://blog.example/post/"}};
  lw_record.Seal();
  RunResult r = RunDedup(dir.path(), {Make("web:https://blog.example/post", "blog", "https://blog.example/post", blog),
                                 lw_record});
  EXPECT_EQ(r.decisions[1].reason, DedupReason::kSameUrl);
  auto current = Current(dir.path());
  ASSERT_EQ(current.size(), 1u);
  const Record& kept = current.begin()->second;
  EXPECT_EQ(kept.id, "lw:xp");  // richer text
  ASSERT_EQ(kept.also_at.size(), 1u);
  EXPECT_EQ(kept.also_at[0].source, "blog");
  ExpectValid(dir.path());
  // Both ids are now known: neither is stored again.
  RunResult again = RunDedup(dir.path(), {Make("web:https://blog.example/post", "blog", "https://blog.example/post", blog)});
  EXPECT_EQ(again.decisions[0].outcome, DedupOutcome::kUnchanged);
  EXPECT_EQ(again.stats.stored_new, 0u);
  EXPECT_EQ(Current(dir.path()).size(), 1u);
}

TEST(DedupStore, UncommittedRunLeavesTheIndexAsItWas) {
  TempDir dir;
  RunDedup(dir.path(), {Make("a:1", "s", "https://x/1", Text(21))});
  {
    auto store = OpenStore(dir.path());
    std::unique_ptr<Deduplicator> dedup;
    ASSERT_TRUE(Deduplicator::Open(store.get(), {}, &dedup).ok());
    ASSERT_TRUE(dedup->Offer(Make("a:2", "s", "https://x/2", Text(22))).ok());
    Transaction txn;
    ASSERT_TRUE(dedup->AddToTransaction(&txn).ok());
    // The process dies here: no Commit. Index file and shard stay uncommitted temporaries.
  }
  RunResult r = RunDedup(dir.path(), {Make("a:2", "s", "https://x/2", Text(22)), Make("a:1", "s", "https://x/1", Text(21))});
  EXPECT_EQ(r.decisions[0].outcome, DedupOutcome::kNew);  // the index did not claim a:2
  EXPECT_EQ(r.decisions[1].outcome, DedupOutcome::kUnchanged);
  EXPECT_EQ(Current(dir.path()).size(), 2u);
  ExpectValid(dir.path());
}

TEST(DedupStore, ShardsWrittenWithoutTheDeduplicatorAreIndexedOnOpen) {
  TempDir dir;
  {
    auto store = OpenStore(dir.path());
    testing::WriteRecords(store.get(), 0, 10);  // ids test:0..9
    testing::WriteRecords(store.get(), 5, 10);  // test:5..9 again, and test:10..14
  }
  RunResult r = RunDedup(dir.path(), {testing::MakeRecord(3), testing::MakeRecord(100)});
  EXPECT_EQ(r.stats.indexed_from_shards, 15u);
  EXPECT_EQ(r.stats.unchanged, 1u);  // test:3
  EXPECT_EQ(r.stats.stored_new, 1u);
  EXPECT_EQ(r.stats.superseded, 5u);  // the second copies of test:5..9
  EXPECT_EQ(Current(dir.path()).size(), 16u);
  ExpectValid(dir.path());
}

TEST(DedupStore, DamagedIndexIsRebuiltFromTheShards) {
  TempDir dir;
  std::vector<Record> records;
  for (int i = 0; i < 5; ++i) records.push_back(Make("a:" + std::to_string(i), "s", "https://x/" + std::to_string(i), Text(30 + i)));
  RunDedup(dir.path(), records);
  std::string index_path;
  {
    StoreOptions ro;
    ro.read_only = true;
    std::unique_ptr<Store> store;
    ASSERT_TRUE(Store::Open(Env::Default(), dir.path(), ro, &store).ok());
    index_path = store->CurrentStateFile(kDedupIndexState);
  }
  ASSERT_FALSE(index_path.empty());
  std::string data = testing::ReadFile(index_path);
  data[data.size() / 2] ^= 0x5a;
  testing::WriteFile(index_path, data);
  RunResult r = RunDedup(dir.path(), records);
  EXPECT_EQ(r.stats.indexed_from_shards, 5u);
  EXPECT_EQ(r.stats.unchanged, 5u);
  EXPECT_EQ(Current(dir.path()).size(), 5u);
}

TEST(DedupStore, MergesIntoRecordsOfTheSameRunWhenTheBufferIsSmall) {
  TempDir dir;
  DedupOptions small;
  small.max_pending_merge_bytes = 1;  // flush after every merge: read back this run's shards
  std::vector<Record> records;
  for (int i = 0; i < 30; ++i) {
    std::string text = Text(40 + i);
    records.push_back(Make("lw:" + std::to_string(i), "lesswrong", "https://lw.example/" + std::to_string(i), text));
    records.push_back(Make("lw:" + std::to_string(i), "alignmentforum", "https://af.example/" + std::to_string(i), text));
    records.push_back(Make("ea:" + std::to_string(i), "eaforum", "https://ea.example/" + std::to_string(i), text));
  }
  RunResult r = RunDedup(dir.path(), records, small);
  EXPECT_EQ(r.stats.stored_new, 30u);
  EXPECT_EQ(r.stats.merged_same_id + r.stats.merged_exact, 60u);
  auto current = Current(dir.path());
  ASSERT_EQ(current.size(), 30u);
  for (const auto& [id, rec] : current) EXPECT_EQ(rec.also_at.size(), 2u) << id;
  ExpectValid(dir.path());
}

TEST(DedupStore, CompactionDropsSupersededAndDuplicateRecordsAtomically) {
  TempDir dir;
  // Duplicates the deduplicator never saw (two stores merged by copying shards, say) ...
  {
    auto store = OpenStore(dir.path());
    testing::WriteRecords(store.get(), 0, 8);
    testing::WriteRecords(store.get(), 4, 8);
  }
  // ... plus a new version (superseded line) and an exact duplicate under another id.
  std::string text = Text(60);
  RunDedup(dir.path(), {Make("p:1", "s", "https://p/1", text, "2024-01-01T00:00:00Z")});
  RunDedup(dir.path(), {Make("p:1", "s", "https://p/1", text + " Edited.", "2024-02-01T00:00:00Z")});
  auto before = Current(dir.path());
  ASSERT_EQ(before.size(), 13u);  // test:0..11 and p:1

  auto store = OpenStore(dir.path());
  std::set<std::string> old_shards;
  for (const ShardInfo& s : store->manifest().shards) old_shards.insert(s.path);
  CompactionReport report;
  Status s = CompactStore(store.get(), {}, &report);
  ASSERT_TRUE(s.ok()) << s.ToString();
  // Lines: 8 + 8 test records, p:1 twice. Superseded: the second copies of test:4..7 (found when
  // the deduplicator first indexed those shards) and p:1's first version.
  EXPECT_EQ(report.records_before, 18u);
  EXPECT_EQ(report.superseded_dropped, 5u);
  EXPECT_EQ(report.records_after, 13u);
  for (const ShardInfo& sh : store->manifest().shards) EXPECT_FALSE(old_shards.count(sh.path)) << sh.path;
  for (const std::string& p : old_shards) EXPECT_FALSE(Env::Default()->FileExists(dir.Sub(p))) << p;
  SupersededSet after;
  ASSERT_TRUE(LoadSuperseded(*store, &after).ok());
  EXPECT_TRUE(after.empty());
  store.reset();

  auto current = Current(dir.path());
  EXPECT_EQ(current.size(), 13u);
  EXPECT_EQ(current["p:1"].text, text + " Edited.");
  ExpectValid(dir.path());
  // The rebuilt index knows everything: a rerun stores nothing.
  RunResult r = RunDedup(dir.path(), {testing::MakeRecord(2), Make("p:1", "s", "https://p/1", text + " Edited.", "2024-02-01T00:00:00Z")});
  EXPECT_EQ(r.stats.unchanged, 2u);
  EXPECT_EQ(r.stats.indexed_from_shards, 0u);
}

}  // namespace
}  // namespace alcor
