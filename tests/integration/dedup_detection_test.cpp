// Detection rates per planted Jaccard band (issue: pairs with J >= 0.8 caught with probability
// >= 0.95; pairs with J <= 0.5 merged at most 1% of the time), measured through a real
// Deduplicator on a real store with corpora from the synthetic generator.
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <unordered_map>

#include "alcor/dedup.hpp"
#include "alcor_testing/corpus_gen.hpp"
#include "support/store_helpers.hpp"
#include "support/temp_dir.hpp"

namespace alcor {
namespace {

bool Sanitized() { return std::getenv("ALCOR_SANITIZED") != nullptr; }

struct Rate {
  size_t docs = 0;
  size_t merged = 0;
  size_t wrong_family = 0;
  double rate() const { return docs ? static_cast<double>(merged) / docs : 0.0; }
};

class Detector {
 public:
  explicit Detector(const std::string& dir) : store_(testing::OpenStore(dir)) {
    DedupOptions options;
    options.policy = MergePolicy::kKeepFirst;  // variants are compared with their original
    options.max_remembered_ids = SIZE_MAX;
    Status s = Deduplicator::Open(store_.get(), options, &dedup_);
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  // Offers doc; returns whether it was merged, and whether into its own family.
  bool Offer(dedup::GeneratedDoc doc, bool* right_family) {
    family_[doc.record.id] = doc.original_id;
    DedupDecision d;
    Status s = dedup_->Offer(std::move(doc.record), &d);
    EXPECT_TRUE(s.ok()) << s.ToString();
    *right_family = d.outcome != DedupOutcome::kNew && family_[d.matched_id] == doc.original_id;
    return d.outcome != DedupOutcome::kNew;
  }
  void Commit() {
    Transaction txn;
    ASSERT_TRUE(dedup_->AddToTransaction(&txn).ok());
    ASSERT_TRUE(store_->Commit(&txn).ok());
  }

 private:
  std::unique_ptr<Store> store_;
  std::unique_ptr<Deduplicator> dedup_;
  std::unordered_map<std::string, std::string> family_;
};

TEST(DedupDetection, RatesPerPlantedJaccardBand) {
  testing::TempDir dir;
  dedup::CorpusGenOptions options;
  options.seed = 20261128;
  options.documents = Sanitized() ? 2500 : 4000;
  options.min_words = 120;
  options.max_words = 700;
  options.exact_copy = 0.15;
  options.near_variant = 0.45;
  options.gray_variant = 0.10;
  options.far_variant = 0.35;
  dedup::CorpusGenerator gen(options);
  Detector detector(dir.path());
  std::map<std::string, Rate> bands;
  dedup::GeneratedDoc doc;
  while (gen.Next(&doc)) {
    std::string band;
    if (doc.kind == dedup::GeneratedDoc::Kind::kOriginal) band = "original (same-topic non-duplicates)";
    else if (doc.kind == dedup::GeneratedDoc::Kind::kExactCopy) band = "exact copy";
    else if (doc.jaccard >= 0.9) band = "J in [0.9, 1.0)";
    else if (doc.jaccard >= 0.8) band = "J in [0.8, 0.9)";
    else if (doc.jaccard > 0.5) band = "gray";
    else if (doc.jaccard > 0.4) band = "J in (0.4, 0.5]";
    else band = "J <= 0.4";
    bool right_family = false;
    bool merged = detector.Offer(std::move(doc), &right_family);
    Rate& r = bands[band];
    ++r.docs;
    if (merged) ++r.merged;
    if (merged && !right_family) ++r.wrong_family;
  }
  detector.Commit();
  for (const auto& [band, r] : bands) {
    SCOPED_TRACE(band);
    std::printf("  %-40s %5zu docs  %.4f merged\n", band.c_str(), r.docs, r.rate());
    if (band == "gray") continue;
    if (band == "exact copy" || band.rfind("J in [0.", 0) == 0) {
      EXPECT_GE(r.docs, 50u);
      EXPECT_GE(r.rate(), 0.95);
      EXPECT_EQ(r.wrong_family, 0u);
    } else {
      EXPECT_GE(r.docs, 100u);
      EXPECT_LE(r.rate(), 0.01);
    }
  }
}

// The boundaries themselves: variants just above J = 0.8 and just below J = 0.5.
TEST(DedupDetection, BoundaryPairs) {
  testing::TempDir dir;
  dedup::CorpusGenOptions options;
  options.seed = 77;
  dedup::CorpusGenerator gen(options);
  Detector detector(dir.path());
  const size_t pairs = Sanitized() ? 150 : 400;
  Rate at_08, at_05;
  for (size_t i = 0; i < pairs; ++i) {
    std::string original = gen.MakeOriginal(i % 50, 1000 + i);
    double j_high = 0, j_low = 0;
    std::string high = gen.MakeVariant(original, 0.815, 5000 + i, &j_high);
    std::string low = gen.MakeVariant(original, 0.485, 9000 + i, &j_low);
    auto make = [&](const std::string& id, std::string text) {
      dedup::GeneratedDoc d;
      d.record.id = id;
      d.record.source = "synthetic";
      d.record.source_kind = "file";
      d.record.url = "https://example.org/" + id;
      d.record.title = id;
      d.record.text = std::move(text);
      d.record.fetched_at = "2026-01-01T00:00:00Z";
      d.record.Seal();
      d.original_id = "o" + std::to_string(i);
      return d;
    };
    bool right = false;
    detector.Offer(make("o" + std::to_string(i), original), &right);
    if (j_high >= 0.8) {
      ++at_08.docs;
      if (detector.Offer(make("h" + std::to_string(i), high), &right) && right) ++at_08.merged;
    }
    if (j_low <= 0.5) {
      ++at_05.docs;
      if (detector.Offer(make("l" + std::to_string(i), low), &right)) ++at_05.merged;
    }
  }
  std::printf("  J just >= 0.8: %zu pairs, %.4f caught; J just <= 0.5: %zu pairs, %.4f merged\n", at_08.docs,
              at_08.rate(), at_05.docs, at_05.rate());
  EXPECT_GE(at_08.docs, pairs * 8 / 10);
  EXPECT_GE(at_05.docs, pairs * 8 / 10);
  EXPECT_GE(at_08.rate(), 0.95);
  EXPECT_LE(at_05.rate(), 0.01);
}

}  // namespace
}  // namespace alcor
