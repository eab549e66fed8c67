// store_crash_writer: writes numbered records into a store in many small commits, forever or up
// to --records, so the crash test can SIGKILL it at any instant. Record n has id "crash:<n>"; it
// continues from the highest committed number, so a store it wrote holds crash:0..crash:N-1 with
// nothing missing and nothing doubled — exactly what the test checks after each kill. After each
// commit it prints "committed <N>" on stdout. Each record's bytes go to the raw archive (a WARC
// record per record, alcor/raw_archive.hpp) in the same commit, and metadata.raw points at them.
#include <cstdio>
#include <cstdlib>
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "alcor/corpus.hpp"
#include "alcor/raw_archive.hpp"
#include "alcor/store.hpp"
#include "alcor/warc.hpp"

int main(int argc, char** argv) {
  CLI::App app{"write numbered records into a store, in small commits (crash test driver)"};
  std::string dir;
  uint64_t records = 0, per_commit = 7;
  size_t text_bytes = 3000;
  app.add_option("--store", dir, "store directory")->required();
  app.add_option("--records", records, "stop after this many records in the store (0: never)");
  app.add_option("--per-commit", per_commit, "records per commit");
  app.add_option("--text-bytes", text_bytes, "text size of each record");
  CLI11_PARSE(app, argc, argv);

  alcor::StoreOptions options;
  options.shard.target_jsonl_bytes = 64 << 10;  // rotate often
  options.shard.frame_jsonl_bytes = 8 << 10;    // many frames
  std::unique_ptr<alcor::Store> store;
  alcor::Status s = alcor::Store::Open(alcor::Env::Default(), dir, options, &store);
  if (!s.ok()) {
    std::fprintf(stderr, "store_crash_writer: %s\n", s.ToString().c_str());
    return s.IsLocked() ? 3 : 1;
  }
  uint64_t next = 0;
  for (const alcor::ShardInfo& shard : store->manifest().shards) next += shard.records;
  std::string filler;
  while (filler.size() < text_bytes) filler += "The quick brown fox considers corrigibility. ";
  filler.resize(text_bytes);
  while (records == 0 || next < records) {
    auto writer = store->NewShardWriter("crash");
    auto raw_writer = store->NewRawArchiveWriter("crash");
    for (uint64_t i = 0; i < per_commit && (records == 0 || next < records); ++i, ++next) {
      alcor::Record r;
      r.id = "crash:" + std::to_string(next);
      r.source = "crash";
      r.source_kind = "file";
      r.title = "record " + std::to_string(next);
      r.text = std::to_string(next) + " " + filler;
      alcor::WarcRecord raw = alcor::MakeWarcResource("file:///crash/" + std::to_string(next), "2026-12-01T00:00:00Z",
                                                      "text/plain", r.text);
      alcor::RawLocation where;
      s = raw_writer->Append(alcor::GzipMember(alcor::SerializeWarcRecord(raw)), raw.record_id, &where);
      if (!s.ok()) break;
      r.metadata["raw"] = where.ToJson();
      r.Seal();
      s = writer->Add(r);
      if (!s.ok()) break;
    }
    alcor::Transaction txn;
    if (s.ok()) s = writer->Finish(&txn.shards);
    if (s.ok()) s = raw_writer->Finish(&txn.raw_files);
    if (s.ok()) s = store->Commit(&txn);
    if (!s.ok()) {
      std::fprintf(stderr, "store_crash_writer: %s\n", s.ToString().c_str());
      return 1;
    }
    // The crash test reads these lines to kill at moments after a known commit.
    std::printf("committed %llu\n", static_cast<unsigned long long>(next));
    std::fflush(stdout);
  }
  return 0;
}
