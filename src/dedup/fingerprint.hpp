// Text fingerprints for duplicate detection (docs/dedup.md "Normalisation" and "MinHash and LSH").
//
// A text is reduced to a sequence of normalised words: maximal runs of Unicode letters, marks and
// digits, lower-cased (simple case mapping); everything else (whitespace, punctuation, symbols,
// invalid UTF-8) only separates words. From the words:
//   - exact_hash: a 64-bit hash of the word sequence. Two texts that differ only in case,
//     whitespace or punctuation have the same exact_hash.
//   - a One Permutation Hashing MinHash signature (kBins bins) over 5-word shingles, densified so
//     short texts still fill every bin; from it
//   - kBands LSH band keys (kRows bins each, bins 0..kBands*kRows-1), and
//   - a compact confirmation sketch: 2 bits of each remaining bin (b-bit minwise hashing), from which
//     EstimateJaccard estimates the shingle Jaccard similarity of two texts.
//
// Everything here is a pure function of the text; thread safe.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace alcor::dedup {

inline constexpr int kShingleWords = 5;
inline constexpr int kBins = 256;              // OPH bins (one 32-bit minimum each)
inline constexpr int kBands = 8;               // LSH bands
inline constexpr int kRows = 4;                // bins per band
inline constexpr int kBandBins = kBands * kRows;           // bins 0..31 feed the bands
inline constexpr int kSketchBins = kBins - kBandBins;      // bins 32..255 feed the sketch
inline constexpr int kSketchBytes = kSketchBins * 2 / 8;   // 2 bits per bin: 56 bytes
// Changes whenever any parameter or hash function above changes; stored in the index so an index
// built with other parameters is rebuilt instead of misread.
inline constexpr uint32_t kFingerprintVersion = 0x0105'0804;

using Sketch = std::array<uint8_t, kSketchBytes>;

struct Fingerprint {
  size_t words = 0;         // normalised words
  uint64_t exact_hash = 0;  // of the normalised word sequence; 0 when words == 0
  bool has_signature = false;  // words > 0: bands and sketch are meaningful
  std::array<uint32_t, kBands> bands{};  // LSH band keys (band index mixed in)
  Sketch sketch{};
};

// Splits text into normalised word hashes (64-bit), appended to *word_hashes (cleared first).
void NormalisedWordHashes(std::string_view text, std::vector<uint64_t>* word_hashes);

// Computes the fingerprint of text. scratch is reused between calls to avoid allocation.
void ComputeFingerprint(std::string_view text, Fingerprint* fp, std::vector<uint64_t>* scratch);
Fingerprint ComputeFingerprint(std::string_view text);

// The normalised text itself (words joined by one space), for tests and documentation.
std::string NormaliseForComparison(std::string_view text);

// Estimated Jaccard similarity of the shingle sets behind two sketches, in [0, 1] (clamped).
double EstimateJaccard(const Sketch& a, const Sketch& b);

// The text's distinct 5-word shingle hashes, sorted (a text of fewer words is one shingle).
void ShingleSet(std::string_view text, std::vector<uint64_t>* sorted_shingles);
// Exact Jaccard similarity of two sorted shingle sets (1 when both are empty).
double ExactJaccard(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b);
// Exact Jaccard similarity of the 5-word shingle sets of two texts (for the corpus generator's
// ground truth and tests).
double ExactShingleJaccard(std::string_view a, std::string_view b);

// Probability that a pair with Jaccard similarity j shares at least one LSH band:
// 1 - (1 - j^rows)^bands.
double LshCandidateProbability(double j, int bands = kBands, int rows = kRows);

}  // namespace alcor::dedup
