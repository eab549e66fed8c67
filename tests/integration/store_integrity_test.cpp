// Integrity on every read path (issue 19), beyond the damage matrix: validate's live and
// superseded counts in both modes, ids after a non-JSON line, a store without its marker, --store
// naming nothing, cat --skip-damaged, and a repair interrupted between its commit and its moves.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zstd.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "alcor/dedup.hpp"
#include "alcor/env.hpp"
#include "alcor/store.hpp"
#include "alcor/validate.hpp"
#include "support/store_helpers.hpp"
#include "support/temp_dir.hpp"

namespace alcor {
namespace {

using nlohmann::json;
using testing::RunCommand;
using testing::TempDir;

std::string Alcor(const std::string& store) { return testing::AlcorBin() + " --store " + store + " "; }

std::string Problems(const ValidationReport& report) {
  std::string out;
  for (const ValidationProblem& p : report.problems) out += p.ToString() + "\n";
  return out;
}

size_t CountLines(const std::string& text) { return static_cast<size_t>(std::count(text.begin(), text.end(), '\n')); }

// A store of 5 records, one of them stored twice (a new version): 6 lines, 5 live, 1 superseded.
void MakeStoreWithANewVersion(const std::string& dir) {
  auto store = testing::OpenStore(dir);
  for (int round = 0; round < 2; ++round) {
    std::unique_ptr<Deduplicator> dedup;
    ASSERT_TRUE(Deduplicator::Open(store.get(), DedupOptions(), &dedup).ok());
    if (round == 0) {
      for (uint64_t n = 0; n < 5; ++n) ASSERT_TRUE(dedup->Offer(testing::MakeRecord(n)).ok());
    } else {
      Record edited = testing::MakeRecord(3);
      edited.text += "\n\nA paragraph added in the second version.";
      edited.date_modified = "2026-01-01T00:00:00Z";
      edited.Seal();
      ASSERT_TRUE(dedup->Offer(std::move(edited)).ok());
    }
    Transaction txn;
    ASSERT_TRUE(dedup->AddToTransaction(&txn).ok());
    ASSERT_TRUE(store->Commit(&txn).ok());
  }
}

TEST(StoreIntegrity, LooseShardsCountAndValidateLikeTheWholeStore) {
  TempDir tmp;
  MakeStoreWithANewVersion(tmp.Sub("c"));
  std::string out, err;
  ASSERT_EQ(RunCommand(Alcor(tmp.Sub("c")) + "validate --json", &out, &err), 0) << out << err;
  json whole = json::parse(out);
  EXPECT_EQ(whole["records"], 5);
  EXPECT_EQ(whole["superseded_records"], 1);
  ASSERT_EQ(RunCommand(Alcor(tmp.Sub("c")) + "stats --json", &out, &err), 0) << err;
  EXPECT_EQ(json::parse(out)["total"]["records"], 5) << "validate's live count is stats' count";

  // The CI recipe's loose form, from another folder, with --store left at its default: the
  // shards are checked against their own store, superseded lines as such, not as duplicate ids.
  const std::string loose = "cd " + tmp.path() + " && " + testing::AlcorBin() + " validate ";
  ASSERT_EQ(RunCommand(loose + "--json c/shards/test/*.jsonl.zst", &out, &err), 0) << out << err;
  json shards = json::parse(out);
  EXPECT_EQ(shards["records"], whole["records"]);
  EXPECT_EQ(shards["superseded_records"], whole["superseded_records"]);
  EXPECT_EQ(shards["problem_count"], 0);
  ASSERT_EQ(RunCommand(loose + "./c/shards/test/*.jsonl.zst", &out, &err), 0) << out << err;
  EXPECT_NE(err.find("5 live records, 1 superseded: ok"), std::string::npos) << err;
}

// Issue 21: a 61 KB shard that decompresses hugely made validate use about 675 MB before it
// refused it. A listed shard is now refused once it decompresses past its manifest's jsonl_bytes.
// One zstd frame of `mib` MiB of short JSON lines: a few KB per hundred MiB once compressed.
std::string ZstdBombOfShortLines(int mib) {
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
  std::string chunk;
  while (chunk.size() < (size_t{1} << 20)) chunk += "{\"id\":\"x\"}\n";
  std::string buffer(ZSTD_CStreamOutSize(), '\0'), out;
  for (int i = 0; i < mib; ++i) {
    ZSTD_inBuffer in{chunk.data(), chunk.size(), 0};
    while (in.pos < in.size) {
      ZSTD_outBuffer o{buffer.data(), buffer.size(), 0};
      if (ZSTD_isError(ZSTD_compressStream2(cctx, &o, &in, ZSTD_e_continue))) ADD_FAILURE() << "zstd";
      out.append(buffer.data(), o.pos);
    }
  }
  for (size_t left = 1; left != 0 && !ZSTD_isError(left);) {
    ZSTD_inBuffer in{nullptr, 0, 0};
    ZSTD_outBuffer o{buffer.data(), buffer.size(), 0};
    left = ZSTD_compressStream2(cctx, &o, &in, ZSTD_e_end);
    out.append(buffer.data(), o.pos);
  }
  ZSTD_freeCCtx(cctx);
  return out;
}

TEST(StoreIntegrity, ZstdBombShardIsRefusedAtItsManifestSize) {
  TempDir tmp;
  const std::string dir = tmp.Sub("s");
  std::string shard;
  uint64_t listed_jsonl = 0;
  {
    auto store = testing::OpenStore(dir);
    testing::WriteRecords(store.get(), 0, 3);
    shard = store->PathOf(store->manifest().shards[0].path);
    listed_jsonl = store->manifest().shards[0].jsonl_bytes;
  }
  std::string out = ZstdBombOfShortLines(512);
  ASSERT_LT(out.size(), size_t{1} << 20);
  std::ofstream(shard, std::ios::binary | std::ios::trunc) << out;

  ValidationReport report;
  ASSERT_TRUE(ValidateStore(Env::Default(), dir, ValidateOptions(), &report).ok());
  EXPECT_NE(Problems(report).find("decompresses to more than the " + std::to_string(listed_jsonl) +
                                  " bytes of JSONL its manifest entry lists"),
            std::string::npos)
      << Problems(report);
  // The command's peak memory stays far below the 512 MiB the shard expands to.
  std::string out_text, err;
  RunCommand("/usr/bin/time -f 'peak %M KB' " + Alcor(dir) + "validate", &out_text, &err);
  size_t at = err.rfind("peak ");
  ASSERT_NE(at, std::string::npos) << err;
  EXPECT_LT(std::stoull(err.substr(at + 5)), 200u * 1024) << err;
}

// A loose shard states no size: validate stops at kMaxUnlistedShardRatio times its file size
// (at least kMinUnlistedShardJsonlBytes), naming the cap, instead of decompressing it all.
TEST(StoreIntegrity, UnlistedZstdBombShardIsRefusedAtItsRatioCap) {
  TempDir tmp;
  const std::string bomb = ZstdBombOfShortLines(256);
  ASSERT_LT(bomb.size() * kMaxUnlistedShardRatio, kMinUnlistedShardJsonlBytes);
  const std::string loose = tmp.Sub("loose.jsonl.zst");
  std::ofstream(loose, std::ios::binary | std::ios::trunc) << bomb;
  ValidateOptions options;
  options.shard_paths = {loose};
  ValidationReport report;
  ASSERT_TRUE(ValidateStore(Env::Default(), tmp.Sub("nostore"), options, &report).ok());
  EXPECT_NE(Problems(report).find("decompresses to more than the " + std::to_string(kMinUnlistedShardJsonlBytes) +
                                  " bytes of JSONL allowed for an unlisted shard of " + std::to_string(bomb.size()) +
                                  " bytes (1000 times its size, at least 67108864)"),
            std::string::npos)
      << Problems(report);
  // What was read before the cap is counted, and stops at the cap.
  EXPECT_LE(report.jsonl_bytes, kMinUnlistedShardJsonlBytes);
}

TEST(StoreIntegrity, NoDuplicateIdReportedAfterANonJsonLine) {
  TempDir tmp;
  {
    auto store = testing::OpenStore(tmp.Sub("src"));
    auto writer = store->NewShardWriter("test");
    ASSERT_TRUE(writer->Add(testing::MakeRecord(1)).ok());
    ASSERT_TRUE(writer->AddLine("{ not json").ok());
    ASSERT_TRUE(writer->Add(testing::MakeRecord(2)).ok());
    std::vector<PendingShard> pending;
    ASSERT_TRUE(writer->Finish(&pending).ok());
    ASSERT_EQ(::rename(pending[0].temp_path.c_str(), tmp.Sub("loose.jsonl.zst").c_str()), 0);
  }
  ValidateOptions options;
  options.shard_paths = {tmp.Sub("loose.jsonl.zst")};
  ValidationReport report;
  ASSERT_TRUE(ValidateStore(Env::Default(), tmp.Sub("nostore"), options, &report).ok());
  ASSERT_EQ(report.problems.size(), 1u) << Problems(report);
  EXPECT_EQ(report.problems[0].line, 2u);
  EXPECT_EQ(report.problems[0].message, "not valid JSON");
}

TEST(StoreIntegrity, AStoreWithoutItsMarkerIsNeverCreatedAfresh) {
  TempDir tmp;
  const std::string dir = tmp.Sub("c");
  MakeStoreWithANewVersion(dir);
  ASSERT_EQ(::unlink((dir + "/ALCOR_STORE").c_str()), 0);
  const std::string manifest = testing::ReadFile(dir + "/manifest.json");
  std::unique_ptr<Store> store;
  Status s = Store::Open(Env::Default(), dir, StoreOptions(), &store);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("store marker file ALCOR_STORE is missing, but manifest.json is here"),
            std::string::npos)
      << s.message();
  EXPECT_EQ(testing::ReadFile(dir + "/manifest.json"), manifest) << "the manifest was not rewritten";
  EXPECT_FALSE(Env::Default()->FileExists(dir + "/ALCOR_STORE"));
  // A manifest gone too, but shards left: still a store's files.
  ASSERT_EQ(::unlink((dir + "/manifest.json").c_str()), 0);
  s = Store::Open(Env::Default(), dir, StoreOptions(), &store);
  EXPECT_NE(s.message().find("is missing, but shards/test/"), std::string::npos) << s.ToString();
}

TEST(StoreIntegrity, OnlyScrapeAndIngestCreateAStoreAndTheySaySo) {
  TempDir tmp;
  const std::string none = tmp.Sub("none");
  std::string out, err;
  for (const char* command : {"validate", "cat", "stats", "dedup", "repair"}) {
    EXPECT_EQ(RunCommand(Alcor(none) + command, &out, &err), 1) << command << ": " << out << err;
    EXPECT_NE(err.find(none), std::string::npos) << command << " names the path: " << err;
    EXPECT_FALSE(Env::Default()->FileExists(none)) << command << " created the store";
  }
  testing::WriteFile(tmp.Sub("a.md"), "# A\n\nSome words.\n");
  ASSERT_EQ(RunCommand(Alcor(none) + "ingest " + tmp.Sub("a.md"), &out, &err), 0) << out << err;
  EXPECT_NE(err.find(none + ": no such folder; created a new, empty store there"), std::string::npos) << err;
  ASSERT_EQ(RunCommand(Alcor(none) + "ingest " + tmp.Sub("a.md"), &out, &err), 0) << out << err;
  EXPECT_EQ(err.find("created a new"), std::string::npos) << "only when it does: " << err;
}

TEST(StoreIntegrity, CatSkipDamagedReadsPastDamageWithAWarningPerShard) {
  TempDir tmp;
  const std::string dir = tmp.Sub("c");
  std::string first;
  {
    auto store = testing::OpenStore(dir);
    testing::WriteRecords(store.get(), 0, 3);
    testing::WriteRecords(store.get(), 3, 2);
    first = store->PathOf(store->manifest().shards[0].path);
  }
  ASSERT_EQ(::truncate(first.c_str(), 0), 0);
  std::string out, err;
  EXPECT_EQ(RunCommand(Alcor(dir) + "cat", &out, &err), 1);
  EXPECT_EQ(CountLines(out), 0u);
  EXPECT_NE(err.find(first + ": is empty (0 bytes)"), std::string::npos) << err;
  EXPECT_EQ(RunCommand(Alcor(dir) + "cat --skip-damaged", &out, &err), 1);
  EXPECT_EQ(CountLines(out), 2u) << "the records of the other shard";
  EXPECT_EQ(CountLines(err), 2u) << err;  // one warning for the shard, one summary line
  EXPECT_NE(err.find("skipped damage: " + first), std::string::npos) << err;
}

TEST(StoreIntegrity, AnInterruptedQuarantineIsFinishedByTheNextWriter) {
  TempDir tmp;
  const std::string dir = tmp.Sub("c");
  std::string shard;
  {
    auto store = testing::OpenStore(dir);
    testing::WriteRecords(store.get(), 0, 3);
    testing::WriteRecords(store.get(), 3, 2);
    shard = store->manifest().shards[0].path;
    // A repair killed after publishing the manifest without the shard, before moving it.
    json manifest = json::parse(testing::ReadFile(dir + "/manifest.json"));
    manifest["shards"].erase(0);
    testing::WriteFile(dir + "/manifest.json", manifest.dump(2));
    testing::WriteFile(dir + "/COMMIT-INTENT", json({{"shards", json::array()}, {"quarantine", {shard}}}).dump());
    ::chmod((dir + "/manifest.json").c_str(), 0600);
    ::chmod((dir + "/COMMIT-INTENT").c_str(), 0600);
  }
  ValidateOptions options;
  ValidationReport report;
  ASSERT_TRUE(ValidateStore(Env::Default(), dir, options, &report).ok());
  EXPECT_TRUE(report.ok()) << Problems(report);
  ASSERT_EQ(report.notes.size(), 1u);
  EXPECT_NE(report.notes[0].find("interrupted repair"), std::string::npos) << report.notes[0];

  auto store = testing::OpenStore(dir);
  ASSERT_NE(store, nullptr);
  EXPECT_FALSE(Env::Default()->FileExists(dir + "/" + shard));
  EXPECT_TRUE(Env::Default()->FileExists(dir + "/" + store_files::QuarantinePath(shard))) << "moved, not deleted";
  store.reset();
  ASSERT_TRUE(ValidateStore(Env::Default(), dir, options, &report).ok());
  EXPECT_TRUE(report.ok());
  EXPECT_TRUE(report.notes.empty());
}

}  // namespace
}  // namespace alcor
