#include "dedup/merge.hpp"

#include <algorithm>

#include "alcor/dates.hpp"
#include "dedup/dedup_index.hpp"

namespace alcor::dedup {

std::optional<int64_t> RecordTimestamp(const Record& r) {
  if (r.date_modified)
    if (auto t = ParseRfc3339(*r.date_modified)) return t;
  if (r.date_published)
    if (auto t = ParseRfc3339(*r.date_published)) return t;
  return std::nullopt;
}

namespace {

// -1: a is older than b, +1: newer, 0: equal or unknown.
int CompareAge(const Record& a, const Record& b) {
  auto ta = RecordTimestamp(a), tb = RecordTimestamp(b);
  if (!ta || !tb || *ta == *tb) return 0;
  return *ta < *tb ? -1 : 1;
}

// +1: a is richer than b by the margin, -1: b richer than a, 0: neither.
int CompareRichness(const Record& a, const Record& b, double margin) {
  double wa = static_cast<double>(CountWords(a.text)), wb = static_cast<double>(CountWords(b.text));
  if (wa > wb * (1.0 + margin)) return 1;
  if (wb > wa * (1.0 + margin)) return -1;
  return 0;
}

// Returns whether anything was filled.
bool FillMissing(Record* winner, const Record& loser) {
  bool changed = false;
  auto fill = [&](auto& field, const auto& from, bool missing) {
    if (missing && field != from) {
      field = from;
      changed = true;
    }
  };
  fill(winner->title, loser.title, winner->title.empty());
  fill(winner->authors, loser.authors, winner->authors.empty());
  fill(winner->date_published, loser.date_published, !winner->date_published);
  fill(winner->date_modified, loser.date_modified, !winner->date_modified);
  fill(winner->summary, loser.summary, !winner->summary);
  fill(winner->tags, loser.tags, winner->tags.empty());
  return changed;
}

// Returns whether winner->also_at changed.
bool UnionAlsoAt(Record* winner, const Record& loser) {
  // Entries are the same place when source and canonical URL (UrlKey) agree.
  std::vector<AlsoAt> merged;
  std::vector<uint64_t> keys;
  const uint64_t winner_key = UrlKey(winner->url);
  auto add = [&](const AlsoAt& a) {
    if (a.source.empty() && a.url.empty()) return;
    const uint64_t key = UrlKey(a.url);
    if (a.source == winner->source && key == winner_key) return;
    for (size_t i = 0; i < merged.size(); ++i)
      if (merged[i].source == a.source && keys[i] == key) return;
    merged.push_back(a);
    keys.push_back(key);
  };
  for (const AlsoAt& a : winner->also_at) add(a);
  for (const AlsoAt& a : loser.also_at) add(a);
  add(AlsoAt{loser.source, loser.url.empty() ? loser.id : loser.url});
  bool changed = merged != winner->also_at;
  winner->also_at = std::move(merged);
  return changed;
}

// Whether two records differ in anything but their text, fetch time and also_at.
bool FieldsDiffer(const Record& a, const Record& b) {
  nlohmann::json ja = a.ToJson(), jb = b.ToJson();
  for (const char* ignored : {"fetched_at", "also_at", "text", "content_sha256"}) {
    ja.erase(ignored);
    jb.erase(ignored);
  }
  // Where the raw bytes are kept (alcor/raw_archive.hpp) is not a field of the item.
  for (nlohmann::json* j : {&ja, &jb})
    if (j->contains("metadata") && (*j)["metadata"].is_object()) (*j)["metadata"].erase("raw");
  return ja != jb;
}

// The record's "home" mark: true or false, nullopt when it has none.
std::optional<bool> HomeMark(const Record& r) {
  if (!r.metadata.is_object()) return std::nullopt;
  auto home = r.metadata.find("home");
  if (home == r.metadata.end() || !home->is_boolean()) return std::nullopt;
  return home->get<bool>();
}

// +1 when a should be kept over b, two copies of one item the policy found equal; -1 for b; 0
// when neither is preferred (or they are not copies of one item). Order-free: a copy whose source
// marked it as away from the item's home gives way to one not so marked.
int CompareCopies(const Record& a, const Record& b) {
  if (a.id != b.id || a.source == b.source || AwayFromHome(a) == AwayFromHome(b)) return 0;
  return AwayFromHome(a) ? -1 : 1;
}

}  // namespace

bool AtHome(const Record& r) { return HomeMark(r) == true; }
bool AwayFromHome(const Record& r) { return HomeMark(r) == false; }

MergeResult MergeRecords(Record* kept, Record incoming, const DedupOptions& options, bool update_metadata) {
  MergeResult result;
  const bool same_version = kept->id == incoming.id && kept->source == incoming.source;
  const bool same_text = kept->content_sha256 == incoming.content_sha256;
  bool incoming_wins = false;
  if (same_version) {
    incoming_wins = !same_text && CompareAge(incoming, *kept) >= 0;
    result.new_version = incoming_wins;
    if (same_text && update_metadata) {
      incoming_wins = CompareAge(incoming, *kept) >= 0 && FieldsDiffer(incoming, *kept);
      result.metadata_update = incoming_wins;
    }
  } else {
    switch (options.policy) {
      case MergePolicy::kRicherThenNewer: {
        int rich = CompareRichness(incoming, *kept, options.richer_margin);
        int age = CompareAge(incoming, *kept);
        incoming_wins = rich > 0 || (rich == 0 && (age > 0 || (age == 0 && CompareCopies(incoming, *kept) > 0)));
        break;
      }
      case MergePolicy::kNewerThenRicher: {
        int age = CompareAge(incoming, *kept);
        int rich = CompareRichness(incoming, *kept, options.richer_margin);
        incoming_wins = age > 0 || (age == 0 && (rich > 0 || (rich == 0 && CompareCopies(incoming, *kept) > 0)));
        break;
      }
      case MergePolicy::kKeepFirst:
        incoming_wins = false;
        break;
    }
  }
  result.incoming_won = incoming_wins;
  if (incoming_wins) {
    std::swap(*kept, incoming);  // *kept is now the winner, incoming the loser
  }
  result.changed = incoming_wins;
  if (!same_version) result.changed |= FillMissing(kept, incoming);
  result.changed |= UnionAlsoAt(kept, incoming);
  return result;
}

}  // namespace alcor::dedup
