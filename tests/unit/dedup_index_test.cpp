#include "dedup/dedup_index.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <set>

#include "support/temp_dir.hpp"

namespace alcor::dedup {
namespace {

using alcor::testing::ReadFile;
using alcor::testing::TempDir;
using alcor::testing::WriteFile;

std::set<DocId> All(const KeyTable<uint64_t>& t, uint64_t key) {
  std::set<DocId> out;
  t.ForEach(key, [&](DocId d) {
    out.insert(d);
    return true;
  });
  return out;
}

TEST(DedupKeyTable, MultimapGrowsAndKeepsEveryEntry) {
  KeyTable<uint64_t> t;
  for (uint64_t i = 0; i < 50000; ++i) t.Insert(i * 0x9e3779b97f4a7c15ULL, static_cast<DocId>(i));
  t.Insert(42 * 0x9e3779b97f4a7c15ULL, 7);  // a second doc under one key
  EXPECT_EQ(t.size(), 50001u);
  EXPECT_LE(t.load(), KeyTable<uint64_t>::kMaxLoad);
  for (uint64_t i = 0; i < 50000; i += 97) EXPECT_TRUE(t.Contains(i * 0x9e3779b97f4a7c15ULL, static_cast<DocId>(i)));
  EXPECT_EQ(All(t, 42 * 0x9e3779b97f4a7c15ULL), (std::set<DocId>{42, 7}));
  EXPECT_TRUE(All(t, 12345).empty());
  t.InsertUnique(42 * 0x9e3779b97f4a7c15ULL, 7);
  EXPECT_EQ(t.size(), 50001u);
  t.CompactTo(0.8);
  EXPECT_NEAR(t.load(), 0.8, 0.01);
  EXPECT_EQ(All(t, 42 * 0x9e3779b97f4a7c15ULL), (std::set<DocId>{42, 7}));
}

TEST(DedupKeyTable, ForEachStopsWhenAsked) {
  KeyTable<uint32_t> t;
  for (DocId d = 0; d < 100; ++d) t.Insert(5, d);
  int visited = 0;
  t.ForEach(5, [&](DocId) { return ++visited < 10; });
  EXPECT_EQ(visited, 10);
}

DedupIndex MakeIndex(size_t docs) {
  DedupIndex index;
  uint32_t shard = index.ShardIndex("shards/a/run-000001.jsonl.zst");
  index.ShardIndex("shards/b/run-000002.jsonl.zst");
  for (size_t i = 0; i < docs; ++i) {
    Fingerprint fp = ComputeFingerprint("document number " + std::to_string(i) + " with some words in it");
    DocEntry e;
    e.shard = shard;
    e.line = static_cast<uint32_t>(i + 1);
    e.text_hash = static_cast<uint32_t>(fp.exact_hash);
    e.sketch = fp.sketch;
    DocId d = index.AddDoc(e);
    index.ids.Insert(IdKey("id:" + std::to_string(i)), d);
    index.urls.Insert(UrlKey("https://example.org/" + std::to_string(i)), d);
    index.texts.Insert(fp.exact_hash, d);
    for (uint32_t b : fp.bands) index.bands.Insert(b, d);
  }
  return index;
}

TEST(DedupIndexFile, SaveLoadRoundTrip) {
  TempDir dir;
  DedupIndex index = MakeIndex(3000);
  ASSERT_TRUE(index.Save(Env::Default(), dir.Sub("idx")).ok());
  DedupIndex loaded;
  Status s = loaded.Load(Env::Default(), dir.Sub("idx"));
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_EQ(loaded.doc_count(), 3000u);
  EXPECT_EQ(loaded.shard_count(), 2u);
  EXPECT_EQ(loaded.ShardPath(1), "shards/b/run-000002.jsonl.zst");
  EXPECT_TRUE(loaded.HasShard("shards/a/run-000001.jsonl.zst"));
  EXPECT_EQ(loaded.doc(2999).line, 3000u);
  EXPECT_EQ(std::memcmp(&loaded.doc(17), &index.doc(17), sizeof(DocEntry)), 0);
  EXPECT_TRUE(loaded.ids.Contains(IdKey("id:1234"), 1234));
  EXPECT_TRUE(loaded.urls.Contains(UrlKey("http://EXAMPLE.org/1234/"), 1234));
  EXPECT_EQ(loaded.bands.size(), index.bands.size());
  // Saving makes tables dense: the loaded index's memory stays within the per-document budget.
  EXPECT_GE(loaded.bands.load(), 0.7);
}

TEST(DedupIndexFile, EmptyIndexRoundTrips) {
  TempDir dir;
  DedupIndex empty;
  ASSERT_TRUE(empty.Save(Env::Default(), dir.Sub("idx")).ok());
  DedupIndex loaded;
  ASSERT_TRUE(loaded.Load(Env::Default(), dir.Sub("idx")).ok());
  EXPECT_EQ(loaded.doc_count(), 0u);
}

TEST(DedupIndexFile, DamageIsDetected) {
  TempDir dir;
  DedupIndex index = MakeIndex(500);
  ASSERT_TRUE(index.Save(Env::Default(), dir.Sub("idx")).ok());
  const std::string good = ReadFile(dir.Sub("idx"));
  // A flipped byte anywhere, and every kind of truncation, is reported, never crashes.
  for (size_t pos : {size_t{3}, size_t{20}, good.size() / 3, good.size() / 2, good.size() - 3}) {
    std::string bad = good;
    bad[pos] ^= 0x40;
    WriteFile(dir.Sub("bad"), bad);
    DedupIndex loaded;
    Status s = loaded.Load(Env::Default(), dir.Sub("bad"));
    EXPECT_FALSE(s.ok()) << "flipped byte at " << pos;
  }
  for (size_t len : {size_t{0}, size_t{10}, size_t{40}, good.size() / 2, good.size() - 1}) {
    WriteFile(dir.Sub("bad"), good.substr(0, len));
    DedupIndex loaded;
    EXPECT_FALSE(loaded.Load(Env::Default(), dir.Sub("bad")).ok()) << "cut at " << len;
  }
  // A loaded index that failed leaves the target untouched.
  DedupIndex target = MakeIndex(3);
  WriteFile(dir.Sub("bad"), good.substr(0, good.size() / 2));
  EXPECT_FALSE(target.Load(Env::Default(), dir.Sub("bad")).ok());
  EXPECT_EQ(target.doc_count(), 3u);
}

TEST(DedupIndexFile, OtherParametersAreRefused) {
  TempDir dir;
  DedupIndex index = MakeIndex(10);
  ASSERT_TRUE(index.Save(Env::Default(), dir.Sub("idx")).ok());
  std::string data = ReadFile(dir.Sub("idx"));
  data[8] ^= 1;  // the fingerprint version right after the magic
  WriteFile(dir.Sub("idx"), data);
  DedupIndex loaded;
  Status s = loaded.Load(Env::Default(), dir.Sub("idx"));
  EXPECT_EQ(s.code(), Status::Code::kNotSupported) << s.ToString();
}

TEST(DedupKeys, UrlKeyIgnoresSchemeTrailingSlashAndHostCase) {
  EXPECT_EQ(UrlKey("https://www.LessWrong.com/posts/abc/"), UrlKey("http://www.lesswrong.com/posts/abc"));
  EXPECT_NE(UrlKey("https://a.org/Path"), UrlKey("https://a.org/path"));
  EXPECT_NE(IdKey("lw:abc"), IdKey("lw:abd"));
}

}  // namespace
}  // namespace alcor::dedup
