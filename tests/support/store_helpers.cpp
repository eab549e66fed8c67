#include "support/store_helpers.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>

#include <nlohmann/json.hpp>

#include "alcor/corpus.hpp"
#include "alcor/dedup.hpp"
#include "alcor/env.hpp"
#include "support/temp_dir.hpp"

namespace alcor::testing {

Record MakeRecord(uint64_t n, const std::string& source, size_t text_bytes) {
  Record r;
  r.id = "test:" + std::to_string(n);
  r.source = source;
  r.source_kind = "file";
  r.url = "https://example.org/doc/" + std::to_string(n);
  r.title = "Document " + std::to_string(n);
  r.authors = {"Author " + std::to_string(n % 7)};
  r.date_published = "2022-03-04T18:04:53Z";
  static const char* kWords[] = {"alignment", "corpus", "model", "reward", "agent", "interpretability",
                                 "policy", "gradient", "oversight", "deception", "$x^2$", "ω"};
  uint64_t state = n * 2654435761u + 17;
  while (r.text.size() < text_bytes) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    r.text += kWords[(state >> 33) % 12];
    r.text += (state >> 40) % 11 == 0 ? "\n\n" : " ";
  }
  r.metadata = {{"n", n}};
  r.fetched_at = "2026-11-28T00:00:00Z";
  r.Seal();
  return r;
}

std::unique_ptr<Store> OpenStore(const std::string& dir, ShardWriterOptions shard) {
  StoreOptions options;
  options.shard = shard;
  std::unique_ptr<Store> store;
  Status s = Store::Open(Env::Default(), dir, options, &store);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return store;
}

void WriteRecords(Store* store, uint64_t first, uint64_t count, const std::string& source) {
  auto writer = store->NewShardWriter(source);
  for (uint64_t i = first; i < first + count; ++i) ASSERT_TRUE(writer->Add(MakeRecord(i, source)).ok());
  Transaction txn;
  ASSERT_TRUE(writer->Finish(&txn.shards).ok());
  Status s = store->Commit(&txn);
  ASSERT_TRUE(s.ok()) << s.ToString();
}

std::vector<Record> CurrentRecords(const std::string& dir) {
  std::vector<Record> records;
  std::unique_ptr<Store> store;
  StoreOptions ro;
  ro.read_only = true;
  EXPECT_TRUE(Store::Open(Env::Default(), dir, ro, &store).ok());
  if (!store) return records;
  SupersededSet superseded;
  EXPECT_TRUE(LoadSuperseded(*store, &superseded).ok());
  EXPECT_TRUE(ScanStore(*store, {}, [&](std::string_view line, const RecordLocation& where) {
                if (superseded.Contains(where)) return true;
                Result<Record> r = Record::FromJsonLine(line);
                EXPECT_TRUE(r.ok()) << r.status().ToString();
                if (r.ok()) records.push_back(std::move(r.value()));
                return true;
              }).ok());
  return records;
}

size_t CheckRawArchiveWithWarcio(const std::string& dir) {
  const char* source_dir = std::getenv("ALCOR_SOURCE_DIR");
  std::string script = std::string(source_dir ? source_dir : ".") + "/tools/warcio/read_store.mjs";
  std::string out, err;
  int rc = RunCommand("node " + script + " " + dir, &out, &err);
  EXPECT_EQ(rc, 0) << "warcio could not read the raw archive (is it installed? scripts/setup does it):\n" << err;
  if (rc != 0) return 0;
  std::map<std::pair<std::string, uint64_t>, nlohmann::json> read;
  for (const nlohmann::json& r : ParseJsonLines(out)) {
    EXPECT_EQ(r["payload_digest"], "sha256:" + r["payload_sha256"].get<std::string>()) << r.dump();
    read[{r["file"].get<std::string>(), r["offset"].get<uint64_t>()}] = r;
  }
  for (const Record& record : CurrentRecords(dir)) {
    if (!record.metadata.is_object() || !record.metadata.contains("raw")) continue;
    const nlohmann::json& raw = record.metadata["raw"];
    auto it = read.find({raw["file"].get<std::string>(), raw["offset"].get<uint64_t>()});
    if (it == read.end()) {
      ADD_FAILURE() << record.id << ": warcio read no record at " << raw.dump();
      continue;
    }
    EXPECT_EQ(it->second["record_id"], raw["record_id"]) << record.id;
  }
  return read.size();
}

}  // namespace alcor::testing
