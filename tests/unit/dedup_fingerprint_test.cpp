#include "dedup/fingerprint.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace alcor::dedup {
namespace {

std::string Words(size_t n, uint64_t seed, const std::string& prefix = "w") {
  std::mt19937_64 rng(seed);
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    if (i) out.push_back(' ');
    out += prefix + std::to_string(rng() % 100000);
  }
  return out;
}

TEST(DedupNormalisation, CaseWhitespaceAndPunctuationDoNotMatter) {
  EXPECT_EQ(NormaliseForComparison("Hello,   World!\n\nIt's  *fine*."), "hello world it s fine");
  Fingerprint a = ComputeFingerprint("The quick brown fox -- jumps over the lazy dog.");
  Fingerprint b = ComputeFingerprint("the QUICK brown fox jumps over\tthe lazy dog");
  EXPECT_EQ(a.exact_hash, b.exact_hash);
  EXPECT_EQ(a.words, 9u);
  Fingerprint c = ComputeFingerprint("the quick brown fox jumps over the lazy cat");
  EXPECT_NE(a.exact_hash, c.exact_hash);
  // Word order matters.
  Fingerprint d = ComputeFingerprint("quick the brown fox jumps over the lazy dog");
  EXPECT_NE(a.exact_hash, d.exact_hash);
}

TEST(DedupNormalisation, UnicodeLettersAreFoldedAndSymbolsSeparate) {
  EXPECT_EQ(NormaliseForComparison("ÉCOLE Straße — naïve…"), "école straße naïve");
  EXPECT_EQ(NormaliseForComparison("$x^2$ + 3"), "x 2 3");
  EXPECT_EQ(ComputeFingerprint("Ωmega Über").exact_hash, ComputeFingerprint("ωmega über").exact_hash);
}

TEST(DedupNormalisation, InvalidUtf8AndEmptyTextNeverCrash) {
  std::string bad = "ab\xff\xfe cd \xc3 e\xe2\x82";
  EXPECT_EQ(NormaliseForComparison(bad), "ab cd e");
  Fingerprint empty = ComputeFingerprint("  ,.; ");
  EXPECT_EQ(empty.words, 0u);
  EXPECT_EQ(empty.exact_hash, 0u);
  EXPECT_FALSE(empty.has_signature);
  Fingerprint one = ComputeFingerprint("word");
  EXPECT_TRUE(one.has_signature);
  EXPECT_NE(one.exact_hash, 0u);
  std::string binary(4096, '\0');
  for (size_t i = 0; i < binary.size(); ++i) binary[i] = static_cast<char>(i * 131 + 7);
  ComputeFingerprint(binary);
}

TEST(DedupSketch, IdenticalTextsEstimateOneUnrelatedNearZero) {
  std::string a = Words(600, 1), b = Words(600, 2);
  Fingerprint fa = ComputeFingerprint(a), fa2 = ComputeFingerprint(a), fb = ComputeFingerprint(b);
  EXPECT_EQ(fa.bands, fa2.bands);
  EXPECT_DOUBLE_EQ(EstimateJaccard(fa.sketch, fa2.sketch), 1.0);
  EXPECT_LT(EstimateJaccard(fa.sketch, fb.sketch), 0.2);
  for (int i = 0; i < kBands; ++i) EXPECT_NE(fa.bands[i], fb.bands[i]);
}

TEST(DedupSketch, EstimateTracksExactJaccard) {
  // Texts sharing a known fraction of their words: the estimate should be within ~0.1.
  std::mt19937_64 rng(7);
  for (double keep : {0.95, 0.85, 0.7, 0.5}) {
    std::string base = Words(1000, 11);
    std::string edited;
    size_t i = 0, start = 0;
    while (start <= base.size()) {
      size_t end = base.find(' ', start);
      if (end == std::string::npos) end = base.size();
      std::string w = base.substr(start, end - start);
      if (std::uniform_real_distribution<double>(0, 1)(rng) > keep) w = "x" + std::to_string(i);
      if (!edited.empty()) edited.push_back(' ');
      edited += w;
      start = end + 1;
      ++i;
    }
    double exact = ExactShingleJaccard(base, edited);
    double est = EstimateJaccard(ComputeFingerprint(base).sketch, ComputeFingerprint(edited).sketch);
    EXPECT_NEAR(est, exact, 0.12) << "keep=" << keep;
  }
}

TEST(DedupSketch, ShortTextsAreDensified) {
  // Texts with fewer shingles than bins still get full, comparable signatures.
  std::string a = Words(60, 3);
  Fingerprint fa = ComputeFingerprint(a), fb = ComputeFingerprint(a + " extra");
  EXPECT_GT(EstimateJaccard(fa.sketch, fb.sketch), 0.8);
}

TEST(DedupLsh, SCurveMeetsTheRequirements) {
  // P(candidate | J = 0.8) must leave room for the confirmation step: >= 0.98.
  EXPECT_GE(LshCandidateProbability(0.8), 0.98);
  EXPECT_NEAR(LshCandidateProbability(0.8), 1 - std::pow(1 - std::pow(0.8, 4), 8), 1e-12);
  EXPECT_LT(LshCandidateProbability(0.5), 0.41);
  EXPECT_LT(LshCandidateProbability(0.2), 0.02);
  EXPECT_DOUBLE_EQ(LshCandidateProbability(1.0), 1.0);
  EXPECT_DOUBLE_EQ(LshCandidateProbability(0.0), 0.0);
}

TEST(DedupJaccard, ExactShingleJaccard) {
  EXPECT_DOUBLE_EQ(ExactShingleJaccard("a b c d e f", "A, b c d e f!"), 1.0);
  // 6 words = 2 shingles; changing the last word keeps 1 of 3 distinct shingles.
  EXPECT_DOUBLE_EQ(ExactShingleJaccard("a b c d e f", "a b c d e g"), 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(ExactShingleJaccard("", ""), 1.0);
  EXPECT_DOUBLE_EQ(ExactShingleJaccard("a b c d e", ""), 0.0);
}

}  // namespace
}  // namespace alcor::dedup
