// Synthetic corpora with planted duplicates at known Jaccard levels, for the deduplicator's tests
// and benchmark (tools/dedup_corpus_gen, scripts/bench.d/dedup.sh).
//
// Documents are paragraphs of sentences of pseudo-words drawn from a Zipf distribution, with a
// per-topic vocabulary and per-topic stock phrases so that documents of one topic share words and
// some shingles (planted non-duplicates on the same topic). Each original may get variants:
//   - an exact copy with different case, whitespace and punctuation (J = 1 after normalisation);
//   - variants at a target Jaccard similarity, made by word insertions, deletions and
//     substitutions, optionally reordered paragraphs and added boilerplate. The truth recorded is
//     the exact 5-word-shingle Jaccard similarity to the original (ExactShingleJaccard), measured,
//     not the target.
// Deterministic for a given seed. Not thread safe.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "alcor/record.hpp"

namespace alcor::dedup {

struct CorpusGenOptions {
  uint64_t seed = 1;
  size_t documents = 10000;  // total documents emitted (originals + variants)
  size_t topics = 50;
  size_t min_words = 150;
  size_t max_words = 1500;
  // Fractions of originals that get a variant of each kind.
  double exact_copy = 0.10;
  double near_variant = 0.30;    // target J uniform in [0.80, 1.00)
  double gray_variant = 0.10;    // target J uniform in [0.50, 0.80)
  double far_variant = 0.20;     // target J uniform in [0.20, 0.50]: must not be merged
};

struct GeneratedDoc {
  enum class Kind { kOriginal, kExactCopy, kVariant };
  Record record;
  Kind kind = Kind::kOriginal;
  std::string original_id;  // the family: id of the original (itself for an original)
  double jaccard = 1.0;     // exact shingle Jaccard similarity to the original
  double target_jaccard = 1.0;
};

class CorpusGenerator {
 public:
  explicit CorpusGenerator(CorpusGenOptions options);
  // Next document; false when options.documents have been emitted. An original is always emitted
  // before its variants.
  bool Next(GeneratedDoc* doc);

  // A variant of `original` aimed at target Jaccard similarity (exposed for tests).
  std::string MakeVariant(const std::string& original, double target, uint64_t seed, double* actual);
  // An original text of the given topic (exposed for tests).
  std::string MakeOriginal(size_t topic, uint64_t seed);

 private:
  struct Planned {
    uint64_t family;
    int variant;  // -1 original, 0 exact copy, 1 near, 2 gray, 3 far
  };
  void PlanMore();
  const std::string& Word(size_t rank) const { return vocabulary_[rank]; }
  size_t SampleRank(std::mt19937_64& rng, size_t topic) const;

  CorpusGenOptions options_;
  std::mt19937_64 rng_;
  std::vector<std::string> vocabulary_;
  std::vector<uint16_t> zipf_table_;  // uniform 20-bit value -> Zipf rank (inverse CDF)
  std::vector<std::vector<std::string>> topic_phrases_;
  std::vector<std::string> boilerplate_;
  std::vector<Planned> queue_;
  size_t queue_pos_ = 0;
  uint64_t next_family_ = 0;
  size_t emitted_ = 0;
  std::vector<bool> original_emitted_;
};

}  // namespace alcor::dedup
