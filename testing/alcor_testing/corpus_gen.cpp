#include "alcor_testing/corpus_gen.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_set>

#include "alcor/dates.hpp"
#include "dedup/fingerprint.hpp"

namespace alcor::dedup {
namespace {

constexpr size_t kVocabulary = 30000;
constexpr size_t kTopicWords = 1500;
constexpr size_t kPhrasesPerTopic = 40;

const char* const kSyllables[] = {"ka", "to", "ri", "men", "sa", "lo", "vi", "der", "an", "el", "ur", "po",
                                  "qui", "zen", "tra", "bel", "mo", "nu", "fi", "gor", "ste", "lin", "ark",
                                  "ol", "pre", "dun", "sho", "val", "tem", "is", "cor", "rha", "ex", "ba",
                                  "ny", "wel", "op", "gri", "tas", "mi"};

const char* const kBoilerplate[] = {
    "Subscribe to our newsletter to get every new post in your inbox, and follow us for updates on "
    "future research and events.",
    "This post was cross-posted from the author's personal blog. Comments are welcome on either site; "
    "the author reads both.",
    "Thanks to the reviewers who read early drafts of this essay and gave detailed feedback. All "
    "remaining errors are my own.",
    "Share this article on social media, leave a comment below, and check out the rest of the series "
    "in the archive linked from the sidebar.",
    "Disclaimer: the views expressed here are the author's own and do not necessarily reflect those of "
    "their employer or any organisation they are affiliated with."};

using Paragraphs = std::vector<std::vector<std::string>>;

Paragraphs Parse(const std::string& text) {
  Paragraphs out;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find("\n\n", pos);
    if (end == std::string::npos) end = text.size();
    std::vector<std::string> words;
    size_t i = pos;
    while (i < end) {
      while (i < end && (text[i] == ' ' || text[i] == '\n')) ++i;
      size_t j = i;
      while (j < end && text[j] != ' ' && text[j] != '\n') ++j;
      if (j > i) words.emplace_back(text.substr(i, j - i));
      i = j;
    }
    if (!words.empty()) out.push_back(std::move(words));
    pos = end + 2;
  }
  return out;
}

std::string Render(const Paragraphs& paragraphs) {
  std::string out;
  for (const auto& p : paragraphs) {
    if (!out.empty()) out += "\n\n";
    bool sentence_start = true;
    for (size_t i = 0; i < p.size(); ++i) {
      if (i) out.push_back(' ');
      std::string w = p[i];
      if (sentence_start && !w.empty() && w[0] >= 'a' && w[0] <= 'z') w[0] = static_cast<char>(w[0] - 32);
      sentence_start = !w.empty() && (w.back() == '.' || w.back() == '?');
      out += w;
    }
  }
  return out;
}

size_t WordCount(const Paragraphs& p) {
  size_t n = 0;
  for (const auto& x : p) n += x.size();
  return n;
}

}  // namespace

CorpusGenerator::CorpusGenerator(CorpusGenOptions options) : options_(options), rng_(options.seed) {
  // The vocabulary is the same for every seed: pseudo-words of 1 to 4 syllables.
  std::mt19937_64 vrng(0x766f636162ULL);
  std::unordered_set<std::string> seen;
  std::uniform_int_distribution<int> syl(0, static_cast<int>(std::size(kSyllables)) - 1);
  std::discrete_distribution<int> len({10, 45, 35, 10});
  while (vocabulary_.size() < kVocabulary) {
    std::string w;
    int n = len(vrng) + 1;
    for (int i = 0; i < n; ++i) w += kSyllables[syl(vrng)];
    if (seen.insert(w).second) vocabulary_.push_back(std::move(w));
  }
  std::vector<double> cdf(kVocabulary);
  double sum = 0;
  for (size_t r = 0; r < kVocabulary; ++r) cdf[r] = (sum += 1.0 / static_cast<double>(r + 1));
  for (double& c : cdf) c /= sum;
  zipf_table_.resize(size_t{1} << 20);
  for (size_t k = 0; k < zipf_table_.size(); ++k) {
    double u = (static_cast<double>(k) + 0.5) / static_cast<double>(zipf_table_.size());
    size_t r = static_cast<size_t>(std::lower_bound(cdf.begin(), cdf.end(), u) - cdf.begin());
    zipf_table_[k] = static_cast<uint16_t>(std::min(r, kVocabulary - 1));
  }

  for (size_t t = 0; t < options_.topics; ++t) {
    std::mt19937_64 trng(options_.seed * 7919 + t);
    std::vector<std::string> phrases;
    std::uniform_int_distribution<size_t> plen(6, 12);
    for (size_t k = 0; k < kPhrasesPerTopic; ++k) {
      std::string phrase;
      size_t n = plen(trng);
      for (size_t i = 0; i < n; ++i) {
        if (i) phrase.push_back(' ');
        phrase += Word(SampleRank(trng, t));
      }
      phrases.push_back(std::move(phrase));
    }
    topic_phrases_.push_back(std::move(phrases));
  }
  boilerplate_.assign(std::begin(kBoilerplate), std::end(kBoilerplate));
}

size_t CorpusGenerator::SampleRank(std::mt19937_64& rng, size_t topic) const {
  const uint64_t bits = rng();
  if ((bits & 0xffff) < 0.35 * 65536) {
    // A topic word: a fixed pseudo-random rank from the topic's own slice of the vocabulary,
    // low ranks of the slice more often.
    double x = static_cast<double>((bits >> 16) & 0xffffff) / static_cast<double>(1 << 24);
    size_t k = static_cast<size_t>(x * x * kTopicWords);
    return (topic * 2654435761ULL + k * 40503ULL) % kVocabulary;
  }
  return zipf_table_[(bits >> 40) & ((size_t{1} << 20) - 1)];
}

std::string CorpusGenerator::MakeOriginal(size_t topic, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<size_t> total_words(options_.min_words, options_.max_words);
  std::uniform_int_distribution<size_t> para_words(40, 150);
  std::uniform_int_distribution<size_t> sentence_words(8, 25);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  const auto& phrases = topic_phrases_[topic % topic_phrases_.size()];
  std::uniform_int_distribution<size_t> pick_phrase(0, phrases.size() - 1);
  size_t target = total_words(rng);
  Paragraphs doc;
  size_t words = 0;
  while (words < target) {
    std::vector<std::string> para;
    size_t plen = std::min(para_words(rng), target - words);
    while (para.size() < plen) {
      size_t slen = sentence_words(rng);
      for (size_t i = 0; i < slen; ++i) {
        if (i == slen / 2 && u(rng) < 0.15) {
          // A stock phrase of the topic: shared shingles between unrelated same-topic documents.
          std::string phrase = phrases[pick_phrase(rng)];
          size_t a = 0;
          while (a < phrase.size()) {
            size_t b = phrase.find(' ', a);
            if (b == std::string::npos) b = phrase.size();
            para.push_back(phrase.substr(a, b - a));
            a = b + 1;
          }
        }
        std::string w = Word(SampleRank(rng, topic));
        if (i + 1 == slen) w += u(rng) < 0.1 ? "?" : ".";
        else if (u(rng) < 0.06) w += ",";
        para.push_back(std::move(w));
      }
    }
    words += para.size();
    doc.push_back(std::move(para));
  }
  return Render(doc);
}

std::string CorpusGenerator::MakeVariant(const std::string& original, double target, uint64_t seed,
                                         double* actual) {
  std::vector<uint64_t> original_shingles, variant_shingles;
  ShingleSet(original, &original_shingles);
  const Paragraphs base = Parse(original);
  const size_t n = std::max<size_t>(WordCount(base), 1);

  std::mt19937_64 srng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  const bool reorder = u(srng) < 0.3 && target < 0.97;
  const bool boilerplate = u(srng) < 0.3 && target < 0.97;
  const size_t boiler_pick = static_cast<size_t>(u(srng) * static_cast<double>(boilerplate_.size()));
  const bool boiler_front = u(srng) < 0.5;
  const size_t swap_a = static_cast<size_t>(u(srng) * static_cast<double>(base.size()));
  const size_t swap_b = static_cast<size_t>(u(srng) * static_cast<double>(base.size()));

  struct Op {
    int type;  // 0 substitute, 1 insert, 2 delete
    double where;
    size_t rank;
  };
  const size_t max_ops = 2 * n + 16;
  std::vector<Op> ops;
  ops.reserve(max_ops);
  std::discrete_distribution<int> op_type({50, 25, 25});
  for (size_t i = 0; i < max_ops; ++i) {
    int type = op_type(srng);
    double where = u(srng);
    ops.push_back(Op{type, where, SampleRank(srng, static_cast<size_t>(seed % 97))});
  }

  auto build = [&](size_t k) {
    Paragraphs p = base;
    if (reorder && p.size() >= 2 && swap_a != swap_b) std::swap(p[swap_a], p[swap_b]);
    for (size_t i = 0; i < k && i < ops.size(); ++i) {
      size_t total = WordCount(p);
      if (total == 0) break;
      size_t pos = std::min(static_cast<size_t>(ops[i].where * static_cast<double>(total)), total - 1);
      size_t pi = 0;
      while (pos >= p[pi].size()) pos -= p[pi++].size();
      auto& para = p[pi];
      switch (ops[i].type) {
        case 0: para[pos] = Word(ops[i].rank); break;
        case 1: para.insert(para.begin() + static_cast<long>(pos), Word(ops[i].rank)); break;
        case 2:
          if (para.size() > 1) para.erase(para.begin() + static_cast<long>(pos));
          break;
      }
    }
    if (boilerplate) {
      Paragraphs b = Parse(boilerplate_[boiler_pick]);
      if (boiler_front) p.insert(p.begin(), b.begin(), b.end());
      else p.insert(p.end(), b.begin(), b.end());
    }
    return Render(p);
  };
  auto jaccard_of = [&](const std::string& text) {
    ShingleSet(text, &variant_shingles);
    return ExactJaccard(original_shingles, variant_shingles);
  };

  // Each scattered edit changes about kShingleWords shingles, so J(k) ~ (n - 5k) / (n + 5k);
  // start there and correct with the measured value (a few secant-like steps).
  double k = static_cast<double>(n) * (1.0 - target) / (kShingleWords * (1.0 + target));
  std::string best_text;
  double best_j = -1.0;
  for (int iter = 0; iter < 6; ++iter) {
    size_t ki = static_cast<size_t>(std::max(0.0, std::round(k)));
    std::string text = build(ki);
    double j = jaccard_of(text);
    if (best_j < 0 || std::fabs(j - target) < std::fabs(best_j - target)) best_j = j, best_text = text;
    if (std::fabs(j - target) < 0.01) break;
    // Model: (1-J)/(1+J) is proportional to k.
    double have = (1.0 - j) / (1.0 + j), want = (1.0 - target) / (1.0 + target);
    if (have <= 1e-9) k = std::max(k * 2.0, 1.0);
    else k = k * want / have;
  }
  *actual = best_j;
  return best_text;
}

void CorpusGenerator::PlanMore() {
  // A batch of families; each variant is emitted at a random later position.
  queue_.clear();
  queue_pos_ = 0;
  std::uniform_real_distribution<double> u(0.0, 1.0);
  for (int f = 0; f < 512; ++f) {
    uint64_t family = next_family_++;
    original_emitted_.push_back(false);
    queue_.push_back(Planned{family, -1});
    if (u(rng_) < options_.exact_copy) queue_.push_back(Planned{family, 0});
    if (u(rng_) < options_.near_variant) queue_.push_back(Planned{family, 1});
    if (u(rng_) < options_.gray_variant) queue_.push_back(Planned{family, 2});
    if (u(rng_) < options_.far_variant) queue_.push_back(Planned{family, 3});
  }
  std::shuffle(queue_.begin(), queue_.end(), rng_);
}

bool CorpusGenerator::Next(GeneratedDoc* doc) {
  if (emitted_ >= options_.documents) return false;
  Planned p;
  for (;;) {
    if (queue_pos_ >= queue_.size()) PlanMore();
    p = queue_[queue_pos_];
    if (p.variant >= 0 && !original_emitted_[p.family]) {
      p.variant = -1;  // emit the original first; the variant stays in the queue
      break;
    }
    ++queue_pos_;
    if (p.variant == -1 && original_emitted_[p.family]) continue;  // emitted early already
    break;
  }

  const size_t topic = p.family % options_.topics;
  const uint64_t family_seed = options_.seed * 1000003ULL + p.family * 7919ULL;
  const std::string original_id = "gen:" + std::to_string(p.family);
  Record r;
  r.source = "synthetic";
  r.source_kind = "file";
  r.title = "Synthetic document " + std::to_string(p.family);
  r.authors = {"Author " + std::to_string(p.family % 1000)};
  r.date_published = FormatRfc3339Utc(1600000000 + static_cast<int64_t>(p.family) * 3600);
  r.fetched_at = "2026-01-01T00:00:00Z";
  r.tags = {"topic" + std::to_string(topic)};
  std::string text = MakeOriginal(topic, family_seed);
  GeneratedDoc out;
  out.original_id = original_id;
  if (p.variant == -1) {
    original_emitted_[p.family] = true;
    r.id = original_id;
    r.url = "https://topic" + std::to_string(topic) + ".example.org/posts/" + std::to_string(p.family);
    out.kind = GeneratedDoc::Kind::kOriginal;
  } else {
    r.id = original_id + "-v" + std::to_string(p.variant);
    r.url = "https://mirror" + std::to_string(p.variant) + ".example.net/" + std::to_string(p.family);
    std::mt19937_64 vrng(family_seed ^ (0x9e3779b97f4a7c15ULL * static_cast<uint64_t>(p.variant + 1)));
    std::uniform_real_distribution<double> u(0.0, 1.0);
    if (p.variant == 0) {
      // Same words; different case, whitespace and punctuation.
      std::string copy;
      for (char c : text) {
        double x = u(vrng);
        if (c == ' ' && x < 0.05) copy += "  ";
        else if (c == ' ' && x < 0.08) copy += " - ";
        else if (c == ',' && x < 0.5) continue;
        else if (c >= 'a' && c <= 'z' && x < 0.02) copy.push_back(static_cast<char>(c - 32));
        else copy.push_back(c);
      }
      text = std::move(copy);
      out.kind = GeneratedDoc::Kind::kExactCopy;
      out.jaccard = out.target_jaccard = 1.0;
    } else {
      double lo = p.variant == 1 ? 0.80 : p.variant == 2 ? 0.50 : 0.20;
      double hi = p.variant == 1 ? 1.00 : p.variant == 2 ? 0.80 : 0.50;
      out.target_jaccard = lo + (hi - lo) * u(vrng);
      double actual = 0;
      text = MakeVariant(text, out.target_jaccard, vrng(), &actual);
      out.jaccard = actual;
      out.kind = GeneratedDoc::Kind::kVariant;
    }
  }
  r.text = std::move(text);
  r.Seal();
  out.record = std::move(r);
  *doc = std::move(out);
  ++emitted_;
  return true;
}

}  // namespace alcor::dedup
