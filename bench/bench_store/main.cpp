// bench_store: the driver behind `scripts/bench store`.
//   bench_store generate --bytes N --out FILE   deterministic synthetic records as JSONL
//   bench_store write --in FILE --store DIR [--shard-bytes N]
//                                               FILE's lines through ShardWriter into a store
//                                               (a shard per N bytes of JSONL; default 256 MiB)
// so that `zstd -3` on FILE and `write` compress the same bytes read from the same file.
#include <algorithm>
#include <cstdio>
#include <string>

#include <CLI/CLI.hpp>

#include "alcor/store.hpp"

namespace {

// A record of about 2-12 KB of word-salad text drawn from a fixed vocabulary: compressible like
// prose (zstd -3 gets roughly 3-4x), never identical, deterministic in n.
alcor::Record MakeBenchRecord(uint64_t n) {
  static const char* kWords[] = {
      "the", "of", "and", "a", "to", "in", "is", "that", "model", "reward", "agent", "alignment",
      "policy", "training", "objective", "oversight", "deceptive", "mesa-optimizer", "gradient",
      "interpretability", "circuit", "feature", "superposition", "corrigible", "values", "human",
      "feedback", "preference", "inner", "outer", "misalignment", "capabilities", "risk", "safety",
      "evaluation", "benchmark", "language", "transformer", "attention", "head", "layer", "loss",
      "$\\nabla_\\theta L$", "$x^2$", "honest", "harmless", "helpful", "debate", "amplification",
      "distillation", "ELK", "latent", "knowledge", "probe", "activation", "steering", "vector"};
  constexpr size_t kWordCount = sizeof(kWords) / sizeof(kWords[0]);
  uint64_t state = n * 0x9E3779B97F4A7C15ULL + 0x632BE59BD9B4E019ULL;
  auto next = [&state]() {
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return state * 0x2545F4914F6CDD1DULL;
  };
  alcor::Record r;
  r.id = "bench:" + std::to_string(n);
  r.source = "bench";
  r.source_kind = "file";
  r.url = "https://example.org/posts/" + std::to_string(n);
  r.title = "Synthetic post number " + std::to_string(n);
  r.authors = {"Author " + std::to_string(next() % 500), "Co-author " + std::to_string(next() % 500)};
  r.date_published = "2022-03-04T18:04:53Z";
  size_t target = 2000 + next() % 10000;
  r.text.reserve(target + 64);
  while (r.text.size() < target) {
    r.text += kWords[next() % kWordCount];
    uint64_t sep = next() % 40;
    r.text += sep == 0 ? "\n\n" : (sep == 1 ? ". " : " ");
  }
  r.tags = {"AI", "bench"};
  r.metadata = {{"karma", next() % 300}, {"n", n}};
  r.fetched_at = "2026-11-28T00:00:00Z";
  r.Seal();
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"store benchmark driver"};
  app.require_subcommand(1);
  uint64_t bytes = 1000000000;
  std::string out, store_dir;
  auto* gen = app.add_subcommand("generate", "write the records as JSONL");
  gen->add_option("--bytes", bytes, "stop after this much JSONL");
  gen->add_option("--out", out, "output file")->required();
  std::string in;
  auto* write = app.add_subcommand("write", "write a JSONL file's records into a store");
  write->add_option("--in", in, "JSONL file")->required();
  write->add_option("--store", store_dir, "store directory")->required();
  uint64_t shard_bytes = alcor::ShardWriterOptions().target_jsonl_bytes;
  write->add_option("--shard-bytes", shard_bytes, "rotate to a new shard after this much JSONL");
  CLI11_PARSE(app, argc, argv);

  if (gen->parsed()) {
    std::FILE* f = std::fopen(out.c_str(), "wb");
    if (!f) {
      std::perror(out.c_str());
      return 1;
    }
    uint64_t written = 0;
    for (uint64_t n = 0; written < bytes; ++n) {
      std::string line = MakeBenchRecord(n).ToJsonLine();
      std::fwrite(line.data(), 1, line.size(), f);
      written += line.size();
    }
    std::fclose(f);
    std::printf("%llu\n", static_cast<unsigned long long>(written));
    return 0;
  }
  std::unique_ptr<alcor::Store> store;
  alcor::StoreOptions options;
  options.shard.target_jsonl_bytes = shard_bytes;
  options.shard.frame_jsonl_bytes = std::min(options.shard.frame_jsonl_bytes, shard_bytes);
  alcor::Status s = alcor::Store::Open(alcor::Env::Default(), store_dir, options, &store);
  if (!s.ok()) {
    std::fprintf(stderr, "bench_store: %s\n", s.ToString().c_str());
    return 1;
  }
  auto writer = store->NewShardWriter("bench");
  std::FILE* f = std::fopen(in.c_str(), "rb");
  if (!f) {
    std::perror(in.c_str());
    return 1;
  }
  uint64_t written = 0;
  char* buf = nullptr;
  size_t cap = 0;
  ssize_t n;
  while (s.ok() && (n = ::getline(&buf, &cap, f)) > 0) {
    written += static_cast<uint64_t>(n);
    s = writer->AddLine(std::string_view(buf, static_cast<size_t>(n)));
  }
  std::free(buf);
  std::fclose(f);
  alcor::Transaction txn;
  if (s.ok()) s = writer->Finish(&txn.shards);
  if (s.ok()) s = store->Commit(&txn);
  if (!s.ok()) {
    std::fprintf(stderr, "bench_store: %s\n", s.ToString().c_str());
    return 1;
  }
  std::printf("%llu\n", static_cast<unsigned long long>(written));
  return 0;
}
