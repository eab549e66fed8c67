#include "dedup/fingerprint.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <string>

#define XXH_INLINE_ALL
#include <utf8proc.h>
#include <xxhash.h>

namespace alcor::dedup {
namespace {

constexpr uint64_t kWordSeed = 0x616c636f72646564ULL;  // "alcorded"

// Murmur3's 64-bit finaliser: a bijection that spreads every input bit over the output.
inline uint64_t Mix64(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

// Odd multipliers: a shingle's hash is sum(word_i * kShingleMul[i]) mixed, so word order matters.
constexpr uint64_t kShingleMul[kShingleWords] = {0x9e3779b97f4a7c15ULL, 0xc2b2ae3d27d4eb4fULL,
                                                 0x165667b19e3779f9ULL, 0xd6e8feb86659fd93ULL,
                                                 0xa0761d6478bd642fULL};

// ASCII characters that belong to words: letters and digits.
struct AsciiClass {
  bool word[128];
  char lower[128];
  constexpr AsciiClass() : word(), lower() {
    for (int c = 0; c < 128; ++c) {
      bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
      word[c] = alpha || (c >= '0' && c <= '9');
      lower[c] = static_cast<char>((c >= 'A' && c <= 'Z') ? c + 32 : c);
    }
  }
};
constexpr AsciiClass kAscii;

inline bool IsWordCategory(utf8proc_category_t cat) {
  switch (cat) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
      return true;
    default:
      return false;
  }
}

// Calls emit(std::string_view normalised_word) for every word of text.
template <typename Emit>
void ForEachWord(std::string_view text, Emit&& emit) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  std::string folded;  // used only for words that need case folding or contain non-ASCII
  size_t i = 0;
  while (i < n) {
    // Skip separators quickly.
    while (i < n && p[i] < 0x80 && !kAscii.word[p[i]]) ++i;
    if (i >= n) break;
    // A word: first try the all-lower-case ASCII fast path (no copy).
    size_t start = i;
    while (i < n && p[i] < 0x80 && kAscii.word[p[i]] && !(p[i] >= 'A' && p[i] <= 'Z')) ++i;
    if (i >= n || (p[i] < 0x80 && !kAscii.word[p[i]])) {
      emit(std::string_view(text.data() + start, i - start));
      continue;
    }
    // Slow path: copy what we have and continue with folding.
    folded.assign(text.data() + start, i - start);
    while (i < n) {
      unsigned char c = p[i];
      if (c < 0x80) {
        if (!kAscii.word[c]) break;
        folded.push_back(kAscii.lower[c]);
        ++i;
        continue;
      }
      utf8proc_int32_t cp = 0;
      utf8proc_ssize_t len = utf8proc_iterate(p + i, static_cast<utf8proc_ssize_t>(n - i), &cp);
      if (len <= 0) break;  // invalid UTF-8 separates words; the byte is skipped below
      if (!IsWordCategory(utf8proc_category(cp))) break;
      utf8proc_uint8_t buf[4];
      utf8proc_ssize_t out = utf8proc_encode_char(utf8proc_tolower(cp), buf);
      folded.append(reinterpret_cast<const char*>(buf), static_cast<size_t>(out));
      i += static_cast<size_t>(len);
    }
    if (!folded.empty()) emit(std::string_view(folded));
    // Skip the non-word character (or invalid byte) that ended the word.
    if (i < n) {
      if (p[i] < 0x80) {
        ++i;
      } else {
        utf8proc_int32_t cp = 0;
        utf8proc_ssize_t len = utf8proc_iterate(p + i, static_cast<utf8proc_ssize_t>(n - i), &cp);
        if (len <= 0) {
          ++i;
        } else if (!IsWordCategory(utf8proc_category(cp))) {
          i += static_cast<size_t>(len);
        }
        // else: a word character after an invalid sequence; the next iteration starts a word.
      }
    }
  }
}

inline uint64_t HashWord(std::string_view w) { return XXH3_64bits_withSeed(w.data(), w.size(), kWordSeed); }

}  // namespace

void NormalisedWordHashes(std::string_view text, std::vector<uint64_t>* word_hashes) {
  word_hashes->clear();
  ForEachWord(text, [&](std::string_view w) { word_hashes->push_back(HashWord(w)); });
}

std::string NormaliseForComparison(std::string_view text) {
  std::string out;
  ForEachWord(text, [&](std::string_view w) {
    if (!out.empty()) out.push_back(' ');
    out.append(w);
  });
  return out;
}

void ComputeFingerprint(std::string_view text, Fingerprint* fp, std::vector<uint64_t>* scratch) {
  NormalisedWordHashes(text, scratch);
  const std::vector<uint64_t>& w = *scratch;
  *fp = Fingerprint{};
  fp->words = w.size();
  if (w.empty()) return;

  uint64_t e = 0x243f6a8885a308d3ULL;
  for (uint64_t h : w) e = (std::rotl(e, 27) ^ h) * 0x9e3779b97f4a7c15ULL;
  fp->exact_hash = Mix64(e ^ w.size()) | 1;  // never 0, which means "no text"

  // One Permutation Hashing: each shingle hash picks a bin by its top 8 bits and competes for the
  // bin's minimum with its low 32 bits.
  uint32_t bins[kBins];
  std::fill(std::begin(bins), std::end(bins), UINT32_MAX);
  uint64_t filled[kBins / 64] = {0, 0, 0, 0};
  auto add = [&](uint64_t s) {
    s = Mix64(s);
    unsigned bin = static_cast<unsigned>(s >> 56);
    uint32_t v = static_cast<uint32_t>(s);
    if (v < bins[bin]) bins[bin] = v;
    filled[bin >> 6] |= uint64_t{1} << (bin & 63);
  };
  if (w.size() < static_cast<size_t>(kShingleWords)) {
    uint64_t s = 0;
    for (size_t i = 0; i < w.size(); ++i) s += w[i] * kShingleMul[i];
    add(s);
  } else {
    const size_t last = w.size() - kShingleWords;
    for (size_t i = 0; i <= last; ++i) {
      add(w[i] * kShingleMul[0] + w[i + 1] * kShingleMul[1] + w[i + 2] * kShingleMul[2] +
          w[i + 3] * kShingleMul[3] + w[i + 4] * kShingleMul[4]);
    }
  }

  // Optimal densification (Shrivastava 2017): an empty bin copies the value of the first
  // originally filled bin on its own pseudo-random probe sequence, the same for every text, so
  // two texts' bins agree with probability close to their Jaccard similarity.
  auto is_filled = [&](unsigned b) { return (filled[b >> 6] >> (b & 63)) & 1; };
  uint32_t dense[kBins];
  for (unsigned b = 0; b < kBins; ++b) {
    if (is_filled(b)) {
      dense[b] = bins[b];
      continue;
    }
    uint32_t value = 0;
    bool found = false;
    for (uint64_t attempt = 1; attempt <= 4096 && !found; ++attempt) {
      unsigned probe = static_cast<unsigned>(Mix64((uint64_t{b} << 32) | attempt) >> 56);
      if (is_filled(probe)) value = bins[probe], found = true;
    }
    for (unsigned k = 1; !found && k < kBins; ++k) {  // practically unreachable fallback
      unsigned probe = (b + k) % kBins;
      if (is_filled(probe)) value = bins[probe], found = true;
    }
    dense[b] = value;
  }

  for (int band = 0; band < kBands; ++band) {
    const uint32_t* r = dense + band * kRows;
    uint64_t h = XXH3_64bits_withSeed(r, sizeof(uint32_t) * kRows, 0xb0a0 + band);
    fp->bands[band] = static_cast<uint32_t>(h);
  }
  for (int i = 0; i < kSketchBins; ++i) {
    uint32_t code = static_cast<uint32_t>(Mix64(dense[kBandBins + i])) & 3;
    fp->sketch[i >> 2] |= static_cast<uint8_t>(code << ((i & 3) * 2));
  }
  fp->has_signature = true;
}

Fingerprint ComputeFingerprint(std::string_view text) {
  Fingerprint fp;
  std::vector<uint64_t> scratch;
  ComputeFingerprint(text, &fp, &scratch);
  return fp;
}

double EstimateJaccard(const Sketch& a, const Sketch& b) {
  int mismatches = 0;
  for (int i = 0; i < kSketchBytes; i += 8) {
    uint64_t x, y;
    std::memcpy(&x, a.data() + i, 8);
    std::memcpy(&y, b.data() + i, 8);
    uint64_t d = x ^ y;
    mismatches += std::popcount((d | (d >> 1)) & 0x5555555555555555ULL);
  }
  // With 2-bit codes two unrelated bins agree by chance with probability 1/4:
  // P(agree) = J + (1 - J) / 4, so J = (P - 1/4) / (3/4).
  double agree = 1.0 - static_cast<double>(mismatches) / kSketchBins;
  double j = (agree - 0.25) / 0.75;
  return std::clamp(j, 0.0, 1.0);
}

void ShingleSet(std::string_view text, std::vector<uint64_t>* out) {
  std::vector<uint64_t> w;
  NormalisedWordHashes(text, &w);
  out->clear();
  if (w.empty()) return;
  if (w.size() < static_cast<size_t>(kShingleWords)) {
    uint64_t s = 0;
    for (size_t i = 0; i < w.size(); ++i) s += w[i] * kShingleMul[i];
    out->push_back(s);
    return;
  }
  out->reserve(w.size());
  for (size_t i = 0; i + kShingleWords <= w.size(); ++i) {
    uint64_t s = 0;
    for (int k = 0; k < kShingleWords; ++k) s += w[i + k] * kShingleMul[k];
    out->push_back(s);
  }
  std::sort(out->begin(), out->end());
  out->erase(std::unique(out->begin(), out->end()), out->end());
}

double ExactJaccard(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b) {
  if (a.empty() && b.empty()) return 1.0;
  size_t inter = 0, i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i] < b[j]) ++i;
    else if (b[j] < a[i]) ++j;
    else ++inter, ++i, ++j;
  }
  return static_cast<double>(inter) / static_cast<double>(a.size() + b.size() - inter);
}

double ExactShingleJaccard(std::string_view a, std::string_view b) {
  std::vector<uint64_t> sa, sb;
  ShingleSet(a, &sa);
  ShingleSet(b, &sb);
  return ExactJaccard(sa, sb);
}

double LshCandidateProbability(double j, int bands, int rows) {
  double p = 1.0;
  for (int r = 0; r < rows; ++r) p *= j;
  double miss = 1.0;
  for (int b = 0; b < bands; ++b) miss *= (1.0 - p);
  return 1.0 - miss;
}

}  // namespace alcor::dedup
