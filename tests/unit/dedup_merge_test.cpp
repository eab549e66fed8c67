#include "dedup/merge.hpp"

#include <gtest/gtest.h>

namespace alcor::dedup {
namespace {

Record Make(const std::string& id, const std::string& source, const std::string& url, const std::string& text,
            std::optional<std::string> modified = std::nullopt) {
  Record r;
  r.id = id;
  r.source = source;
  r.source_kind = "forummagnum";
  r.url = url;
  r.title = "Title";
  r.text = text;
  r.date_modified = std::move(modified);
  r.fetched_at = "2026-01-01T00:00:00Z";
  r.Seal();
  return r;
}

std::string Long(int words) {
  std::string s;
  for (int i = 0; i < words; ++i) s += "word" + std::to_string(i) + " ";
  return s;
}

TEST(DedupMerge, SameItemFromAnotherSourceAddsAlsoAt) {
  Record kept = Make("lw:abc", "lesswrong", "https://www.lesswrong.com/posts/abc", Long(100));
  Record af = Make("lw:abc", "alignmentforum", "https://www.alignmentforum.org/posts/abc", Long(100));
  MergeResult r = MergeRecords(&kept, af, DedupOptions{});
  EXPECT_FALSE(r.incoming_won);
  EXPECT_TRUE(r.changed);
  EXPECT_EQ(kept.source, "lesswrong");
  ASSERT_EQ(kept.also_at.size(), 1u);
  EXPECT_EQ(kept.also_at[0], (AlsoAt{"alignmentforum", "https://www.alignmentforum.org/posts/abc"}));
  // Merging the same again changes nothing.
  EXPECT_FALSE(MergeRecords(&kept, af, DedupOptions{}).changed);
  EXPECT_EQ(kept.also_at.size(), 1u);
  // A field the kept record lacks is filled, and that is a change.
  Record with_summary = af;
  with_summary.summary = "abstract";
  EXPECT_TRUE(MergeRecords(&kept, with_summary, DedupOptions{}).changed);
  EXPECT_EQ(kept.summary, "abstract");
}

TEST(DedupMerge, RicherTextWinsAndKeepsTheOtherInAlsoAt) {
  Record kept = Make("web:https://blog.example/p", "blog", "https://blog.example/p", Long(100));
  kept.summary = "A summary only the blog has";
  Record lw = Make("lw:xyz", "lesswrong", "https://www.lesswrong.com/posts/xyz", Long(200));
  lw.also_at = {{"blog", "https://blog.example/p"}};  // the crosspost already points back
  MergeResult r = MergeRecords(&kept, lw, DedupOptions{});
  EXPECT_TRUE(r.incoming_won);
  EXPECT_FALSE(r.new_version);
  EXPECT_EQ(kept.id, "lw:xyz");
  EXPECT_EQ(kept.summary, "A summary only the blog has");  // filled from the loser
  ASSERT_EQ(kept.also_at.size(), 1u);                      // no duplicate entry
  EXPECT_EQ(kept.also_at[0].url, "https://blog.example/p");
}

TEST(DedupMerge, SimilarRichnessNewestModificationWins) {
  Record kept = Make("a", "s1", "https://a", Long(100), "2024-01-01T00:00:00Z");
  Record newer = Make("b", "s2", "https://b", Long(102), "2025-01-01T00:00:00Z");
  EXPECT_TRUE(MergeRecords(&kept, newer, DedupOptions{}).incoming_won);
  Record older = Make("c", "s3", "https://c", Long(101), "2023-01-01T00:00:00Z");
  EXPECT_FALSE(MergeRecords(&kept, older, DedupOptions{}).incoming_won);
  EXPECT_EQ(kept.id, "b");
  EXPECT_EQ(kept.also_at.size(), 2u);
}

TEST(DedupMerge, PolicyIsConfigurable) {
  DedupOptions newer_first;
  newer_first.policy = MergePolicy::kNewerThenRicher;
  Record kept = Make("a", "s1", "https://a", Long(300), "2024-01-01T00:00:00Z");
  Record newer_short = Make("b", "s2", "https://b", Long(100), "2025-01-01T00:00:00Z");
  EXPECT_TRUE(MergeRecords(&kept, newer_short, newer_first).incoming_won);

  DedupOptions first;
  first.policy = MergePolicy::kKeepFirst;
  Record k2 = Make("a", "s1", "https://a", Long(10));
  EXPECT_FALSE(MergeRecords(&k2, Make("b", "s2", "https://b", Long(500)), first).incoming_won);
  EXPECT_EQ(k2.id, "a");
  ASSERT_EQ(k2.also_at.size(), 1u);

  MergePolicy p;
  EXPECT_TRUE(ParseMergePolicy("newer", &p));
  EXPECT_EQ(p, MergePolicy::kNewerThenRicher);
  EXPECT_FALSE(ParseMergePolicy("bogus", &p));
}

TEST(DedupMerge, NewVersionFromTheSameSourceReplacesEvenWhenShorter) {
  Record kept = Make("arxiv:1", "arxiv", "https://arxiv.org/abs/1", Long(300), "2024-01-01T00:00:00Z");
  Record v2 = Make("arxiv:1", "arxiv", "https://arxiv.org/abs/1", Long(200), "2024-06-01T00:00:00Z");
  MergeResult r = MergeRecords(&kept, v2, DedupOptions{});
  EXPECT_TRUE(r.incoming_won);
  EXPECT_TRUE(r.new_version);
  EXPECT_EQ(kept.text, Long(200));
  EXPECT_TRUE(kept.also_at.empty());  // same source and url: nothing to add
  // An older version reached again (e.g. by citation) does not replace the newer one.
  Record v1 = Make("arxiv:1", "arxiv", "https://arxiv.org/abs/1", Long(300), "2024-01-01T00:00:00Z");
  r = MergeRecords(&kept, v1, DedupOptions{});
  EXPECT_FALSE(r.incoming_won);
  EXPECT_EQ(kept.text, Long(200));
  // The same text again is not a new version.
  EXPECT_FALSE(MergeRecords(&kept, v2, DedupOptions{}).new_version);
}

TEST(DedupMerge, LoserWithoutUrlIsListedByItsId) {
  Record kept = Make("web:https://x", "blog", "https://x", Long(100));
  Record file = Make("file:abcd", "local", "", Long(100));
  MergeRecords(&kept, file, DedupOptions{});
  ASSERT_EQ(kept.also_at.size(), 1u);
  EXPECT_EQ(kept.also_at[0], (AlsoAt{"local", "file:abcd"}));
}


TEST(DedupMerge, ACopyAwayFromItsHomeGivesWayWhicheverComesFirst) {
  Record lw = Make("lw:abc", "lesswrong", "https://www.lesswrong.com/posts/abc", Long(100));
  lw.metadata["home"] = false;  // an AF post's LessWrong copy
  lw.Seal();
  Record af = Make("lw:abc", "alignmentforum", "https://www.alignmentforum.org/posts/abc", Long(100));
  af.metadata["home"] = true;
  af.Seal();
  for (MergePolicy policy : {MergePolicy::kRicherThenNewer, MergePolicy::kNewerThenRicher}) {
    DedupOptions options;
    options.policy = policy;
    for (bool lw_first : {true, false}) {
      Record kept = lw_first ? lw : af;
      MergeResult r = MergeRecords(&kept, lw_first ? af : lw, options);
      EXPECT_EQ(r.incoming_won, lw_first);
      EXPECT_EQ(kept.source, "alignmentforum") << lw_first;
      EXPECT_EQ(kept.also_at, (std::vector<AlsoAt>{{"lesswrong", "https://www.lesswrong.com/posts/abc"}})) << lw_first;
    }
  }
  // Richer or newer still decide first; and "first" keeps the first whatever the mark.
  Record richer_lw = Make("lw:abc", "lesswrong", "https://www.lesswrong.com/posts/abc", Long(200));
  richer_lw.metadata["home"] = false;
  Record kept = af;
  EXPECT_TRUE(MergeRecords(&kept, richer_lw, DedupOptions{}).incoming_won);
  DedupOptions first;
  first.policy = MergePolicy::kKeepFirst;
  kept = lw;
  EXPECT_FALSE(MergeRecords(&kept, af, first).incoming_won);
}

TEST(DedupMerge, AMetadataUpdateReplacesTheSameTextWhenAFieldChanged) {
  Record stored = Make("lw:abc", "lesswrong", "https://www.lesswrong.com/posts/abc", Long(100), "2024-01-01T00:00:00Z");
  stored.metadata["karma"] = 12;
  stored.also_at = {{"alignmentforum", "https://www.alignmentforum.org/posts/abc"}};
  Record fresh = stored;
  fresh.metadata["karma"] = 40;
  fresh.tags = {"AI"};
  fresh.also_at.clear();
  fresh.fetched_at = "2026-02-01T00:00:00Z";

  // Without the hint the same text is the same version: the stale karma stays.
  Record kept = stored;
  MergeResult r = MergeRecords(&kept, fresh, DedupOptions{});
  EXPECT_FALSE(r.incoming_won);
  EXPECT_EQ(kept.metadata["karma"], 12);

  kept = stored;
  r = MergeRecords(&kept, fresh, DedupOptions{}, /*update_metadata=*/true);
  EXPECT_TRUE(r.incoming_won);
  EXPECT_TRUE(r.metadata_update);
  EXPECT_FALSE(r.new_version);
  EXPECT_TRUE(r.changed);
  EXPECT_EQ(kept.metadata["karma"], 40);
  EXPECT_EQ(kept.tags, std::vector<std::string>{"AI"});
  EXPECT_EQ(kept.also_at, stored.also_at) << "also_at is kept";

  // Only fetched_at or also_at differing: nothing to update.
  Record refetched = stored;
  refetched.fetched_at = "2026-03-01T00:00:00Z";
  refetched.also_at.clear();
  kept = stored;
  r = MergeRecords(&kept, refetched, DedupOptions{}, true);
  EXPECT_FALSE(r.metadata_update);
  EXPECT_FALSE(r.changed);
  // Nor from an older copy.
  Record older = fresh;
  older.date_modified = "2023-01-01T00:00:00Z";
  kept = stored;
  EXPECT_FALSE(MergeRecords(&kept, older, DedupOptions{}, true).metadata_update);
  EXPECT_EQ(kept.metadata["karma"], 12);
}

}  // namespace
}  // namespace alcor::dedup
