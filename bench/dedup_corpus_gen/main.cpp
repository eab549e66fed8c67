// dedup_corpus_gen: synthetic corpora with planted duplicates, and the deduplicator benchmark.
//
//   dedup_corpus_gen generate --docs N [--seed S] --out corpus.jsonl [--truth truth.tsv]
//       writes records (JSONL) and the planted truth: id, kind, original id, exact Jaccard, target.
//   dedup_corpus_gen bench --docs N [--seed S] --store DIR
//       generates N documents in memory and passes them through a Deduplicator on a fresh store
//       (keep-first policy, so every variant is compared with its original); prints throughput,
//       index bytes per document, and precision/recall against the planted truth.
//   dedup_corpus_gen index-build --docs N --out FILE
//       builds an index of N short synthetic documents and saves it.
//   dedup_corpus_gen index-open FILE
//       loads a saved index; prints the time it took and the resident memory it added.
#include <time.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <unordered_map>

#include <CLI/CLI.hpp>

#include "alcor/dedup.hpp"
#include "alcor/env.hpp"
#include "alcor/log.hpp"
#include "alcor/store.hpp"
#include "alcor_testing/corpus_gen.hpp"
#include "dedup/dedup_index.hpp"
#include "dedup/fingerprint.hpp"

namespace {

using alcor::dedup::CorpusGenerator;
using alcor::dedup::CorpusGenOptions;
using alcor::dedup::GeneratedDoc;

double ThreadCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double WallSeconds() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Resident set size of this process, in bytes.
uint64_t ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  uint64_t size = 0, resident = 0;
  statm >> size >> resident;
  return resident * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

const char* KindName(GeneratedDoc::Kind k) {
  switch (k) {
    case GeneratedDoc::Kind::kOriginal: return "original";
    case GeneratedDoc::Kind::kExactCopy: return "exact_copy";
    case GeneratedDoc::Kind::kVariant: return "variant";
  }
  return "?";
}

int Generate(const CorpusGenOptions& options, const std::string& out_path, const std::string& truth_path) {
  CorpusGenerator gen(options);
  std::ofstream out(out_path, std::ios::binary);
  std::ofstream truth;
  if (!truth_path.empty()) {
    truth.open(truth_path);
    truth << "id\tkind\toriginal_id\tjaccard\ttarget_jaccard\n";
  }
  if (!out) {
    std::cerr << "dedup_corpus_gen: cannot write " << out_path << "\n";
    return 1;
  }
  GeneratedDoc doc;
  while (gen.Next(&doc)) {
    out << doc.record.ToJsonLine();
    if (truth.is_open())
      truth << doc.record.id << '\t' << KindName(doc.kind) << '\t' << doc.original_id << '\t' << doc.jaccard << '\t'
            << doc.target_jaccard << '\n';
  }
  return out.good() ? 0 : 1;
}

// Detection counters of one Jaccard band.
struct Band {
  uint64_t docs = 0;
  uint64_t merged = 0;
};

int Bench(const CorpusGenOptions& options, const std::string& store_dir) {
  alcor::Env* env = alcor::Env::Default();
  std::unique_ptr<alcor::Store> store;
  alcor::Status s = alcor::Store::Open(env, store_dir, alcor::StoreOptions{}, &store);
  if (!s.ok()) {
    std::cerr << s.ToString() << "\n";
    return 1;
  }
  alcor::DedupOptions dopts;
  dopts.policy = alcor::MergePolicy::kKeepFirst;
  dopts.max_remembered_ids = SIZE_MAX;
  std::unique_ptr<alcor::Deduplicator> dedup;
  s = alcor::Deduplicator::Open(store.get(), dopts, &dedup);
  if (!s.ok()) {
    std::cerr << s.ToString() << "\n";
    return 1;
  }

  CorpusGenerator gen(options);
  GeneratedDoc doc;
  alcor::dedup::Fingerprint fp;
  std::vector<uint64_t> scratch;
  double fingerprint_cpu = 0, offer_cpu = 0, offer_wall = 0;
  uint64_t text_bytes = 0, docs = 0;
  std::unordered_map<std::string, std::string> family_of;  // id -> original id
  // Truth counters.
  uint64_t positives = 0, true_merges = 0, false_merges = 0, wrong_family = 0, gray_merges = 0, gray = 0;
  std::map<int, Band> bands;  // by floor(J * 10); 10 = exact copies
  uint64_t originals = 0, originals_merged = 0;

  while (gen.Next(&doc)) {
    ++docs;
    text_bytes += doc.record.text.size();
    double c0 = ThreadCpuSeconds();
    alcor::dedup::ComputeFingerprint(doc.record.text, &fp, &scratch);
    double c1 = ThreadCpuSeconds();
    fingerprint_cpu += c1 - c0;

    const std::string id = doc.record.id;
    alcor::DedupDecision decision;
    double w0 = WallSeconds();
    double o0 = ThreadCpuSeconds();
    s = dedup->Offer(std::move(doc.record), &decision);
    offer_cpu += ThreadCpuSeconds() - o0;
    offer_wall += WallSeconds() - w0;
    if (!s.ok()) {
      std::cerr << s.ToString() << "\n";
      return 1;
    }
    family_of[id] = doc.original_id;
    const bool merged = decision.outcome != alcor::DedupOutcome::kNew;
    const bool same_family = merged && family_of.count(decision.matched_id) &&
                             family_of[decision.matched_id] == doc.original_id;
    if (doc.kind == GeneratedDoc::Kind::kOriginal) {
      ++originals;
      if (merged) ++originals_merged, ++false_merges;
      continue;
    }
    int band = doc.kind == GeneratedDoc::Kind::kExactCopy ? 10 : std::min(9, static_cast<int>(doc.jaccard * 10));
    bands[band].docs++;
    if (merged) bands[band].merged++;
    if (doc.kind == GeneratedDoc::Kind::kExactCopy || doc.jaccard >= 0.8) {
      ++positives;
      if (merged && same_family) ++true_merges;
      else if (merged) ++wrong_family, ++false_merges;
    } else if (doc.jaccard <= 0.5) {
      if (merged) ++false_merges;
    } else {
      ++gray;
      if (merged) ++gray_merges;
    }
  }
  double c0 = ThreadCpuSeconds(), w0 = WallSeconds();
  alcor::Transaction txn;
  s = dedup->AddToTransaction(&txn);
  if (s.ok()) s = store->Commit(&txn);
  double commit_cpu = ThreadCpuSeconds() - c0, commit_wall = WallSeconds() - w0;
  if (!s.ok()) {
    std::cerr << s.ToString() << "\n";
    return 1;
  }
  const alcor::DedupStats& st = dedup->stats();
  uint64_t index_file_bytes = 0;
  env->GetFileSize(store->CurrentStateFile(alcor::kDedupIndexState), &index_file_bytes);

  const double mb = static_cast<double>(text_bytes) / 1e6;
  const double total_cpu = offer_cpu + commit_cpu;
  std::printf("documents            %llu (%.1f MB of text, %llu originals)\n", static_cast<unsigned long long>(docs), mb,
              static_cast<unsigned long long>(originals));
  std::printf("fingerprint only     %.1f MB/s per core, %.0f docs/s per core\n", mb / fingerprint_cpu,
              static_cast<double>(docs) / fingerprint_cpu);
  const double dedup_cpu = total_cpu - st.storage_cpu_seconds;
  std::printf("deduplication        %.1f MB/s per core, %.0f docs/s per core (cpu %.1f s: fingerprints, index,\n"
              "                     decisions, merges; without the store's serialising/compressing/reading)\n",
              mb / dedup_cpu, static_cast<double>(docs) / dedup_cpu, dedup_cpu);
  std::printf("with storage         %.1f MB/s per core, %.0f docs/s per core (cpu %.1f s, of which storage %.1f s;\n"
              "                     Offer wall %.1f s, commit wall %.1f s)\n",
              mb / total_cpu, static_cast<double>(docs) / total_cpu, total_cpu, st.storage_cpu_seconds, offer_wall,
              commit_wall);
  std::printf("index                %llu documents, %.1f bytes/doc in memory, %.1f bytes/doc on disk\n",
              static_cast<unsigned long long>(st.index_documents),
              static_cast<double>(st.index_memory_bytes) / static_cast<double>(st.index_documents),
              static_cast<double>(index_file_bytes) / static_cast<double>(st.index_documents));
  std::printf("merges               same id %llu, same url %llu, exact %llu, near %llu; rewritten %llu\n",
              static_cast<unsigned long long>(st.merged_same_id), static_cast<unsigned long long>(st.merged_same_url),
              static_cast<unsigned long long>(st.merged_exact), static_cast<unsigned long long>(st.merged_near),
              static_cast<unsigned long long>(st.rewritten));
  double precision = true_merges + false_merges ? static_cast<double>(true_merges) / (true_merges + false_merges) : 1.0;
  double recall = positives ? static_cast<double>(true_merges) / positives : 1.0;
  std::printf("precision            %.4f  (%llu correct merges, %llu wrong: J<=0.5, originals or wrong family)\n",
              precision, static_cast<unsigned long long>(true_merges), static_cast<unsigned long long>(false_merges));
  std::printf("recall (J>=0.8)      %.4f  (%llu planted duplicates)\n", recall, static_cast<unsigned long long>(positives));
  std::printf("gray zone 0.5<J<0.8  %llu of %llu merged (either answer is acceptable)\n",
              static_cast<unsigned long long>(gray_merges), static_cast<unsigned long long>(gray));
  std::printf("originals merged     %llu of %llu (same-topic non-duplicates)\n",
              static_cast<unsigned long long>(originals_merged), static_cast<unsigned long long>(originals));
  std::printf("merge rate by planted Jaccard band:\n");
  for (const auto& [b, c] : bands) {
    if (b == 10) std::printf("  exact copy      %6llu docs  %.4f merged\n", static_cast<unsigned long long>(c.docs),
                             static_cast<double>(c.merged) / c.docs);
    else std::printf("  [%.1f, %.1f)      %6llu docs  %.4f merged\n", b / 10.0, (b + 1) / 10.0,
                     static_cast<unsigned long long>(c.docs), static_cast<double>(c.merged) / c.docs);
  }
  return 0;
}

int IndexBuild(size_t docs, const std::string& out) {
  CorpusGenOptions options;
  options.min_words = 60;
  options.max_words = 120;
  CorpusGenerator gen(options);
  alcor::dedup::DedupIndex index;
  alcor::dedup::Fingerprint fp;
  std::vector<uint64_t> scratch;
  const uint32_t shard = index.ShardIndex("shards/synthetic/20260101T000000Z-0000-000001.jsonl.zst");
  double t0 = WallSeconds();
  for (size_t i = 0; i < docs; ++i) {
    // Distinct short texts: a generated paragraph plus the document number.
    std::string text = gen.MakeOriginal(i % 50, i) + " doc" + std::to_string(i);
    alcor::dedup::ComputeFingerprint(text, &fp, &scratch);
    alcor::dedup::DocEntry e;
    e.shard = shard;
    e.line = static_cast<uint32_t>(i + 1);
    e.text_hash = static_cast<uint32_t>(fp.exact_hash);
    e.sketch = fp.sketch;
    alcor::dedup::DocId d = index.AddDoc(e);
    std::string id = "gen:" + std::to_string(i);
    index.ids.Insert(alcor::dedup::IdKey(id), d);
    index.urls.Insert(alcor::dedup::UrlKey("https://example.org/posts/" + std::to_string(i)), d);
    index.texts.Insert(fp.exact_hash, d);
    for (uint32_t b : fp.bands) index.bands.InsertUnique(b, d);
  }
  double t1 = WallSeconds();
  alcor::Status s = index.Save(alcor::Env::Default(), out);
  if (!s.ok()) {
    std::cerr << s.ToString() << "\n";
    return 1;
  }
  std::printf("built %zu documents in %.1f s, saved in %.2f s; %.1f bytes/doc in memory\n", docs, t1 - t0,
              WallSeconds() - t1, static_cast<double>(index.MemoryBytes()) / static_cast<double>(docs));
  return 0;
}

int IndexOpen(const std::string& path) {
  uint64_t before = ResidentBytes();
  double t0 = WallSeconds();
  alcor::dedup::DedupIndex index;
  alcor::Status s = index.Load(alcor::Env::Default(), path);
  double t1 = WallSeconds();
  uint64_t after = ResidentBytes();
  if (!s.ok()) {
    std::cerr << s.ToString() << "\n";
    return 1;
  }
  const double n = static_cast<double>(index.doc_count());
  std::printf("opened %zu documents in %.3f s; resident +%.1f MiB = %.1f bytes/doc (heap %.1f bytes/doc)\n",
              index.doc_count(), t1 - t0, static_cast<double>(after - before) / (1 << 20),
              static_cast<double>(after - before) / n, static_cast<double>(index.MemoryBytes()) / n);
  std::printf("  per doc: entry %zu B; ids %.1f, urls %.1f, texts %.1f, bands %.1f B (table loads %.2f %.2f %.2f %.2f)\n",
              sizeof(alcor::dedup::DocEntry), index.ids.MemoryBytes() / n, index.urls.MemoryBytes() / n,
              index.texts.MemoryBytes() / n, index.bands.MemoryBytes() / n, index.ids.load(), index.urls.load(),
              index.texts.load(), index.bands.load());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"synthetic corpora with planted duplicates; deduplicator benchmark", "dedup_corpus_gen"};
  app.require_subcommand(1);
  CorpusGenOptions options;
  std::string out, truth, store_dir, index_path;
  size_t docs = 10000;
  auto add_common = [&](CLI::App* sub) {
    sub->add_option("--docs", options.documents, "documents to generate");
    sub->add_option("--seed", options.seed, "random seed");
    sub->add_option("--min-words", options.min_words, "shortest original");
    sub->add_option("--max-words", options.max_words, "longest original");
  };
  CLI::App* gen = app.add_subcommand("generate", "write a corpus (JSONL) and its planted truth (TSV)");
  add_common(gen);
  gen->add_option("--out", out, "corpus JSONL")->required();
  gen->add_option("--truth", truth, "truth TSV");
  CLI::App* bench = app.add_subcommand("bench", "deduplicate a generated corpus into a fresh store");
  add_common(bench);
  bench->add_option("--store", store_dir, "store directory (must not exist or be empty)")->required();
  CLI::App* build = app.add_subcommand("index-build", "build and save an index of N documents");
  build->add_option("--docs", docs, "documents")->required();
  build->add_option("--out", index_path, "index file")->required();
  CLI::App* open = app.add_subcommand("index-open", "load a saved index; print time and memory");
  open->add_option("file", index_path, "index file")->required();
  CLI11_PARSE(app, argc, argv);
  alcor::LogOptions log;
  log.quiet = true;
  alcor::InitLogging(log);
  if (gen->parsed()) return Generate(options, out, truth);
  if (bench->parsed()) return Bench(options, store_dir);
  if (build->parsed()) return IndexBuild(docs, index_path);
  return IndexOpen(index_path);
}
