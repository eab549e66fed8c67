// bench_search: the driver behind `scripts/bench search`.
//   bench_search build --store DIR --docs N [--per-commit K] [--no-index]
//       N synthetic documents (Zipf-distributed words from a 60,000-word vocabulary, ~2.5 KB of
//       text each) through the deduplicator into a new store, committing every K documents as a
//       scrape does; prints seconds and JSONL bytes. With --no-index the commits skip the search
//       index, so two runs give the index's share of the store side of a scrape.
//   bench_search query --store DIR [--queries Q]
//       Q queries (single words of every frequency, two-word AND, phrases, prefixes, one with a
//       selection) through SearchIndex::Search, limit 20; prints p50, p95 and max milliseconds.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "alcor/dedup.hpp"
#include "alcor/search.hpp"
#include "alcor/store.hpp"

namespace {

constexpr size_t kVocabulary = 60000;

// A pronounceable word for rank r: distinct for every r.
std::string Word(size_t r) {
  static const char* kSyllables[] = {"ka", "lo", "mi", "ne", "su", "ta", "ri", "vo", "de", "pa",
                                     "go", "shi", "ru", "ben", "tor", "al", "ex", "quin", "zo", "yu"};
  std::string w;
  size_t v = r + 20;
  while (v > 0) {
    w += kSyllables[v % 20];
    v /= 20;
  }
  return w;
}

class Zipf {
 public:
  explicit Zipf(size_t n) : cdf_(n) {
    double sum = 0;
    for (size_t i = 0; i < n; ++i) cdf_[i] = sum += 1.0 / std::pow(static_cast<double>(i + 1), 1.07);
    for (double& c : cdf_) c /= sum;
  }
  size_t operator()(std::mt19937_64& rng) const {
    double u = std::uniform_real_distribution<double>(0, 1)(rng);
    return static_cast<size_t>(std::lower_bound(cdf_.begin(), cdf_.end(), u) - cdf_.begin());
  }

 private:
  std::vector<double> cdf_;
};

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

int Build(const std::string& dir, uint64_t docs, uint64_t per_commit, bool no_index, bool background) {
  alcor::StoreOptions options;
  options.update_search_index = !no_index;
  options.index_in_background = background;
  std::unique_ptr<alcor::Store> store;
  alcor::Status s = alcor::Store::Open(alcor::Env::Default(), dir, options, &store);
  if (!s.ok()) return std::fprintf(stderr, "%s\n", s.ToString().c_str()), 1;
  std::mt19937_64 rng(20261207);
  Zipf zipf(kVocabulary);
  auto start = std::chrono::steady_clock::now();
  std::unique_ptr<alcor::Deduplicator> dedup;
  alcor::DedupOptions dedup_options;
  dedup_options.near_duplicates = false;  // the index is what is measured, not MinHash
  s = alcor::Deduplicator::Open(store.get(), dedup_options, &dedup);
  for (uint64_t n = 0; s.ok() && n < docs; ++n) {
    alcor::Record r;
    r.id = "bench:" + std::to_string(n);
    r.source = n % 10 == 0 ? "arxiv" : "forum";
    r.source_kind = n % 10 == 0 ? "arxiv" : "forummagnum";
    r.url = "https://example.org/posts/" + std::to_string(n);
    for (int i = 0; i < 6; ++i) r.title += (i ? " " : "") + Word(zipf(rng));
    r.authors = {"Author " + std::to_string(rng() % 500)};
    r.date_published = "20" + std::to_string(10 + n % 15) + "-03-04T18:04:53Z";
    size_t words = 250 + rng() % 300;
    for (size_t i = 0; i < words; ++i) {
      r.text += Word(zipf(rng));
      r.text += i % 90 == 89 ? "\n\n" : " ";
    }
    r.metadata = {{"karma", rng() % 300}};
    r.fetched_at = "2026-11-28T00:00:00Z";
    r.Seal();
    s = dedup->Offer(std::move(r));
    if (s.ok() && (n + 1) % per_commit == 0) {
      alcor::Transaction txn;
      s = dedup->AddToTransaction(&txn);
      if (s.ok()) s = store->Commit(&txn);
    }
  }
  if (s.ok()) {
    alcor::Transaction txn;
    s = dedup->AddToTransaction(&txn);
    if (s.ok()) s = store->Commit(&txn);
  }
  if (!s.ok()) return std::fprintf(stderr, "%s\n", s.ToString().c_str()), 1;
  dedup.reset();
  const double store_seconds = Seconds(start);
  uint64_t bytes = 0;
  for (const alcor::ShardInfo& shard : store->manifest().shards) bytes += shard.jsonl_bytes;
  store.reset();  // a background index finishes here
  std::printf("{\"seconds\": %.2f, \"commits_seconds\": %.2f, \"docs\": %llu, \"jsonl_bytes\": %llu}\n",
              Seconds(start), store_seconds, static_cast<unsigned long long>(docs),
              static_cast<unsigned long long>(bytes));
  return 0;
}

int Query(const std::string& dir, size_t queries) {
  alcor::StoreOptions options;
  options.read_only = true;
  std::unique_ptr<alcor::Store> store;
  alcor::Status s = alcor::Store::Open(alcor::Env::Default(), dir, options, &store);
  std::unique_ptr<alcor::SearchIndex> index;
  if (s.ok()) s = alcor::SearchIndex::Open(*store, false, &index);
  if (!s.ok()) return std::fprintf(stderr, "%s\n", s.ToString().c_str()), 1;
  std::mt19937_64 rng(7);
  std::vector<double> ms;
  std::vector<std::vector<double>> ms_by_kind(5);
  alcor::Selection selected;
  selected.sources = {"arxiv"};
  selected.since = "2015-01-01";
  if (!selected.Prepare().ok()) return 1;
  std::vector<alcor::SearchHit> hits;
  uint64_t total_hits = 0;
  for (size_t q = 0; q < queries; ++q) {
    // Words across the frequency range: rank 10..60000, log-uniform.
    auto word = [&]() {
      double e = std::uniform_real_distribution<double>(std::log(10.0), std::log(double(kVocabulary)))(rng);
      return Word(static_cast<size_t>(std::exp(e)));
    };
    std::string query;
    switch (q % 5) {
      case 0: query = word(); break;
      case 1: query = word() + " " + word(); break;
      case 2: query = "\"" + word() + " " + word() + "\""; break;
      case 3: query = word().substr(0, 5) + "*"; break;
      case 4: query = word(); break;
    }
    auto start = std::chrono::steady_clock::now();
    s = index->Search(query, q % 5 == 4 ? selected : alcor::Selection(), 20, &hits);
    ms.push_back(Seconds(start) * 1000);
    ms_by_kind[q % 5].push_back(ms.back());
    if (!s.ok()) return std::fprintf(stderr, "%s: %s\n", query.c_str(), s.ToString().c_str()), 1;
    total_hits += hits.size();
  }
  auto pct_of = [](std::vector<double>& v, double p) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0.0 : v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))];
  };
  // p95 per kind of query, to stderr: word, two words, phrase, prefix, word with a selection.
  std::fprintf(stderr, "p95 ms by kind: word %.1f, two words %.1f, phrase %.1f, prefix %.1f, selection %.1f\n",
               pct_of(ms_by_kind[0], 0.95), pct_of(ms_by_kind[1], 0.95), pct_of(ms_by_kind[2], 0.95),
               pct_of(ms_by_kind[3], 0.95), pct_of(ms_by_kind[4], 0.95));
  std::sort(ms.begin(), ms.end());
  auto pct = [&](double p) { return ms[std::min(ms.size() - 1, static_cast<size_t>(p * ms.size()))]; };
  std::printf("{\"queries\": %zu, \"documents\": %llu, \"p50_ms\": %.2f, \"p95_ms\": %.2f, \"max_ms\": %.2f, "
              "\"mean_hits\": %.1f}\n",
              queries, static_cast<unsigned long long>(index->documents()), pct(0.50), pct(0.95), ms.back(),
              double(total_hits) / double(queries));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"search benchmark driver"};
  app.require_subcommand(1);
  std::string dir;
  uint64_t docs = 100000, per_commit = 2000;
  size_t queries = 500;
  bool no_index = false, background = false;
  CLI::App* build = app.add_subcommand("build", "write a synthetic store");
  build->add_option("--store", dir)->required();
  build->add_option("--docs", docs);
  build->add_option("--per-commit", per_commit);
  build->add_flag("--no-index", no_index);
  build->add_flag("--background-index", background, "index on the store's background thread, as the CLI does");
  CLI::App* query = app.add_subcommand("query", "time queries");
  query->add_option("--store", dir)->required();
  query->add_option("--queries", queries);
  CLI11_PARSE(app, argc, argv);
  if (build->parsed()) return Build(dir, docs, per_commit, no_index, background);
  return Query(dir, queries);
}
