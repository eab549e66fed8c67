// Deduplicator: decisions (Offer), deferred merges (Flush), persistence (AddToTransaction).
// Policy and formats: docs/dedup.md.
#include <algorithm>
#include <atomic>
#include <functional>
#include <optional>
#include <time.h>
#include <unordered_map>

#include <spdlog/spdlog.h>

#include "alcor/enum_names.hpp"
#include "alcor/dates.hpp"
#include "alcor/dedup.hpp"
#include "alcor/removal.hpp"
#include "dedup/dedup_index.hpp"
#include "dedup/fingerprint.hpp"
#include "dedup/merge.hpp"

namespace alcor {

using dedup::DocEntry;
using dedup::DocId;
using dedup::Fingerprint;

constexpr EnumName<MergePolicy> kMergePolicyNames[] = {
    {MergePolicy::kRicherThenNewer, "richer"},
    {MergePolicy::kNewerThenRicher, "newer"},
    {MergePolicy::kKeepFirst, "first"},
};

const char* MergePolicyName(MergePolicy policy) { return NameIn(kMergePolicyNames, policy, "?"); }

bool ParseMergePolicy(std::string_view name, MergePolicy* policy) {
  std::optional<MergePolicy> named = ValueNamed(kMergePolicyNames, name);
  if (named) *policy = *named;
  return named.has_value();
}

constexpr EnumName<DedupOutcome> kDedupOutcomeNames[] = {
    {DedupOutcome::kNew, "new"},
    {DedupOutcome::kUnchanged, "unchanged"},
    {DedupOutcome::kMerged, "merged"},
};

const char* DedupOutcomeName(DedupOutcome outcome) { return NameIn(kDedupOutcomeNames, outcome, "?"); }

constexpr EnumName<DedupReason> kDedupReasonNames[] = {
    {DedupReason::kNone, "none"},
    {DedupReason::kSameId, "same id"},
    {DedupReason::kSameUrl, "same url"},
    {DedupReason::kExactText, "exact duplicate"},
    {DedupReason::kNearText, "near duplicate"},
    {DedupReason::kRemoved, "removed"},
};

const char* DedupReasonName(DedupReason reason) { return NameIn(kDedupReasonNames, reason, "?"); }

std::string DedupDecision::ToString() const {
  std::string where = location.shard.empty() ? "" : location.shard + ":" + std::to_string(location.line);
  switch (outcome) {
    case DedupOutcome::kNew: return "new (" + where + ")";
    case DedupOutcome::kUnchanged:
      if (reason == DedupReason::kRemoved)
        return "refused: " + (matched_id.empty() ? std::string("it") : matched_id) +
               " was removed from the store (alcor removed lists it)";
      return std::string("unchanged (") + DedupReasonName(reason) + ")";
    case DedupOutcome::kMerged: {
      std::string s = std::string("merged: ") + DedupReasonName(reason);
      if (reason == DedupReason::kNearText) {
        char buf[32];
        std::snprintf(buf, sizeof(buf), " (J~%.2f)", estimated_jaccard);
        s += buf;
      }
      s += " of " + (matched_id.empty() ? where : matched_id + " (" + where + ")");
      return s;
    }
  }
  return "?";
}

nlohmann::json DedupStats::ToJson() const {
  return {{"offered", offered},
          {"stored_new", stored_new},
          {"unchanged", unchanged},
          {"merged_same_id", merged_same_id},
          {"merged_same_url", merged_same_url},
          {"merged_exact", merged_exact},
          {"merged_near", merged_near},
          {"new_versions", new_versions},
          {"rewritten", rewritten},
          {"superseded", superseded},
          {"indexed_from_shards", indexed_from_shards},
          {"unreadable_targets", unreadable_targets},
          {"refused_removed", refused_removed},
          {"storage_cpu_seconds", storage_cpu_seconds},
          {"index_documents", index_documents},
          {"index_memory_bytes", index_memory_bytes},
          {"metadata_updated", [&] {
             uint64_t total = 0;
             for (const auto& [source, n] : metadata_updated) total += n;
             return total;
           }()}};
}

namespace {
// Measures thread CPU time (not wall time: benchmarks run on shared machines) into
// DedupStats::storage_cpu_seconds. Profiling only; no behaviour depends on it.
class StorageTimer {
 public:
  explicit StorageTimer(DedupStats* stats) : stats_(stats), start_(Now()) {}
  ~StorageTimer() { stats_->storage_cpu_seconds += Now() - start_; }

 private:
  static double Now() {
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
  }
  DedupStats* stats_;
  double start_;
};
}  // namespace

struct Deduplicator::Impl {
  Store* store = nullptr;
  Env* env = nullptr;
  DedupOptions options;
  dedup::DedupIndex index;
  SupersededSet superseded;
  RemovalList removals;  // refused whenever offered again
  bool dirty = false;  // the index or the superseded set changed since the last transaction
  bool has_committed_index = false;

  std::map<std::string, std::unique_ptr<ShardWriter>> writers;  // by source
  std::map<std::string, PendingShard> pending_shards;            // by final (store-relative) path

  struct Incoming {
    Record record;
    DedupReason reason = DedupReason::kNone;
    std::optional<RecordLocation> stored_at;  // already in a shard (indexing at Open)
    std::string stored_line;                  // its line as serialised, when stored_at
    bool metadata_check = false;              // DedupDecision::metadata_check
  };
  struct Group {
    DocId doc = dedup::kNoDoc;
    std::vector<Incoming> incoming;
  };
  std::vector<Group> groups;
  std::unordered_map<DocId, size_t> group_of;
  uint64_t pending_bytes = 0;

  // Ids for DedupDecision::matched_id, bounded (the index itself keeps only hashes).
  std::unordered_map<DocId, std::string> remembered_ids;
  std::vector<bool> touched_this_run;  // by DocId: written or merged into by this run
  DedupStats stats;
  std::vector<uint64_t> scratch;

  struct Match {
    DocId doc = dedup::kNoDoc;
    DedupReason reason = DedupReason::kNone;
    double jaccard = 0.0;
  };

  RecordLocation LocationOf(DocId d) const {
    const DocEntry& e = index.doc(d);
    return RecordLocation{index.ShardPath(e.shard), e.line};
  }

  bool ExactEligible(const Fingerprint& fp) const {
    return options.exact_duplicates && fp.words >= options.min_words_exact && fp.exact_hash != 0;
  }
  bool NearEligible(const Fingerprint& fp) const {
    return options.near_duplicates && fp.has_signature && fp.words >= options.min_words_near;
  }

  static void UrlKeys(const Record& r, std::vector<uint64_t>* keys) {
    keys->clear();
    if (!r.url.empty()) keys->push_back(dedup::UrlKey(r.url));
    for (const AlsoAt& a : r.also_at)
      if (!a.url.empty()) keys->push_back(dedup::UrlKey(a.url));
  }

  Match FindMatch(const Fingerprint& fp, uint64_t id_key, const std::vector<uint64_t>& url_keys) const {
    Match m;
    auto first = [&](const auto& table, auto key) {
      DocId found = dedup::kNoDoc;
      table.ForEach(key, [&](DocId d) {
        found = d;
        return false;
      });
      return found;
    };
    if ((m.doc = first(index.ids, id_key)) != dedup::kNoDoc) {
      m.reason = DedupReason::kSameId;
      return m;
    }
    for (uint64_t k : url_keys) {
      if ((m.doc = first(index.urls, k)) != dedup::kNoDoc) {
        m.reason = DedupReason::kSameUrl;
        return m;
      }
    }
    if (ExactEligible(fp) && (m.doc = first(index.texts, fp.exact_hash)) != dedup::kNoDoc) {
      m.reason = DedupReason::kExactText;
      return m;
    }
    if (NearEligible(fp)) {
      // Candidates from every band, each confirmed by its sketch; the most similar one wins.
      DocId candidates[dedup::kBands * 8];
      size_t n = 0;
      double best = -1.0;
      DocId best_doc = dedup::kNoDoc;
      for (int b = 0; b < dedup::kBands; ++b) {
        size_t seen = 0;
        index.bands.ForEach(fp.bands[b], [&](DocId d) {
          if (++seen > options.max_candidates_per_band) return false;
          for (size_t i = 0; i < n; ++i)
            if (candidates[i] == d) return true;
          if (n < std::size(candidates)) candidates[n++] = d;
          double j = dedup::EstimateJaccard(fp.sketch, index.doc(d).sketch);
          if (j > best) best = j, best_doc = d;
          return true;
        });
      }
      if (best_doc != dedup::kNoDoc && best >= options.near_threshold) {
        m.doc = best_doc;
        m.reason = DedupReason::kNearText;
        m.jaccard = best;
        return m;
      }
    }
    m.doc = dedup::kNoDoc;
    return m;
  }

  // Adds the keys of a text to doc d (its own text, or a text that won a merge into it).
  void InsertTextKeys(DocId d, const Fingerprint& fp) {
    if (ExactEligible(fp)) index.texts.InsertUnique(fp.exact_hash, d);
    if (NearEligible(fp))
      for (uint32_t band : fp.bands) index.bands.InsertUnique(band, d);
  }

  void Remember(DocId d, const std::string& id) {
    if (remembered_ids.size() < options.max_remembered_ids || remembered_ids.count(d)) remembered_ids[d] = id;
  }
  // One bit per document: cheap enough to keep for every document of a run of any size.
  void MarkTouched(DocId d) {
    if (touched_this_run.size() <= d) touched_this_run.resize(static_cast<size_t>(d) + 1);
    touched_this_run[d] = true;
  }
  bool Touched(DocId d) const { return d < touched_this_run.size() && touched_this_run[d]; }

  ShardWriter* WriterFor(const std::string& source) {
    auto& w = writers[source];
    if (!w) w = store->NewShardWriter(source);
    return w.get();
  }

  Status Write(const Record& r, RecordLocation* where) {
    StorageTimer timer(&stats);
    ALCOR_RETURN_IF_ERROR(WriterFor(r.source)->Add(r, where));
    dirty = true;
    return Status::OK();
  }

  void Supersede(const RecordLocation& where) {
    superseded.Add(where.shard, where.line);
    ++stats.superseded;
    dirty = true;
  }

  Status FinishWriters() {
    for (auto& [source, w] : writers) {
      std::vector<PendingShard> done;
      ALCOR_RETURN_IF_ERROR(w->Finish(&done));
      for (PendingShard& p : done) pending_shards[p.info.path] = std::move(p);
    }
    return Status::OK();
  }

  Status OfferImpl(Record record, const std::optional<RecordLocation>& stored_at, DedupDecision* decision,
                   OfferHints hints = {});
  Status Flush();
  Status Resolve(Group& group, std::optional<Record> stored, const std::string& stored_line);
  Status IndexUnknownShards();
  Status WriteStateFile(const std::string& logical, const std::function<Status(const std::string&)>& write,
                        std::string* path);
};

Status Deduplicator::Impl::OfferImpl(Record record, const std::optional<RecordLocation>& stored_at,
                                     DedupDecision* decision, OfferHints hints) {
  if (record.id.empty() || record.source.empty())
    return Status::InvalidArgument("deduplicator: record without id or source");
  if (record.content_sha256.empty()) record.Seal();  // merges compare content digests
  if (!stored_at) ++stats.offered;
  Fingerprint fp;
  dedup::ComputeFingerprint(record.text, &fp, &scratch);
  const uint64_t id_key = dedup::IdKey(record.id);
  std::vector<uint64_t> url_keys;
  UrlKeys(record, &url_keys);

  Match m = FindMatch(fp, id_key, url_keys);
  DedupDecision d;
  // A removed record stays out: the same item or text again, or a match onto a removed record
  // (the index still knows it, at a line superseded by the removal).
  if (!stored_at) {
    const Removal* removal = removals.Refuses(record);
    if (removal || (m.doc != dedup::kNoDoc && superseded.Contains(LocationOf(m.doc)))) {
      ++stats.refused_removed;
      d.outcome = DedupOutcome::kUnchanged;
      d.reason = DedupReason::kRemoved;
      d.matched_id = removal ? removal->id : "";
      if (decision) *decision = std::move(d);
      return Status::OK();
    }
  }
  if (m.doc == dedup::kNoDoc) {
    RecordLocation where;
    if (stored_at) {
      where = *stored_at;
    } else {
      ALCOR_RETURN_IF_ERROR(Write(record, &where));
    }
    DocEntry e;
    e.shard = index.ShardIndex(where.shard);
    e.line = static_cast<uint32_t>(where.line);
    e.text_hash = static_cast<uint32_t>(fp.exact_hash);
    e.sketch = fp.sketch;
    DocId doc = index.AddDoc(e);
    index.ids.Insert(id_key, doc);
    for (uint64_t k : url_keys) index.urls.InsertUnique(k, doc);
    InsertTextKeys(doc, fp);
    Remember(doc, record.id);
    if (!stored_at) MarkTouched(doc);
    dirty = true;
    if (stored_at) ++stats.indexed_from_shards;
    else ++stats.stored_new;
    d.outcome = DedupOutcome::kNew;
    d.location = where;
    if (decision) *decision = std::move(d);
    return Status::OK();
  }

  d.reason = m.reason;
  d.location = LocationOf(m.doc);
  d.estimated_jaccard = m.jaccard;
  if (auto it = remembered_ids.find(m.doc); it != remembered_ids.end()) d.matched_id = it->second;
  d.matched_this_run = Touched(m.doc);

  // The nightly fast path: the id, the text and every URL were already merged into this item (the
  // stored record, or an earlier version or copy of it): merging again would change nothing.
  bool all_urls_known = std::all_of(url_keys.begin(), url_keys.end(),
                                    [&](uint64_t k) { return index.urls.Contains(k, m.doc); });
  bool text_known = static_cast<uint32_t>(fp.exact_hash) == index.doc(m.doc).text_hash ||
                    (ExactEligible(fp) && index.texts.Contains(fp.exact_hash, m.doc));
  // An update_metadata record takes the merge path instead: its other fields may have changed.
  const bool metadata_check = hints.update_metadata && !stored_at && m.reason == DedupReason::kSameId && text_known;
  // So does a copy that says it is at the item's home: the record stored may be another source's
  // copy, which it replaces (MergePolicy); the merge keeps the stored line when it is its own.
  if (m.reason == DedupReason::kSameId && all_urls_known && text_known && !group_of.count(m.doc) && !metadata_check &&
      !(dedup::AtHome(record) && !stored_at)) {
    if (!stored_at) ++stats.unchanged;
    if (stored_at) Supersede(*stored_at);  // a second copy already in a shard
    d.outcome = DedupOutcome::kUnchanged;
    if (decision) *decision = std::move(d);
    return Status::OK();
  }

  switch (stored_at || metadata_check ? DedupReason::kNone : m.reason) {  // counted apart
    case DedupReason::kSameId: ++stats.merged_same_id; break;
    case DedupReason::kSameUrl: ++stats.merged_same_url; break;
    case DedupReason::kExactText: ++stats.merged_exact; break;
    case DedupReason::kNearText: ++stats.merged_near; break;
    case DedupReason::kRemoved:  // refused before this point
    case DedupReason::kNone: break;
  }
  // Later records of the same item must find it in this run too.
  index.ids.InsertUnique(id_key, m.doc);
  for (uint64_t k : url_keys) index.urls.InsertUnique(k, m.doc);
  if (ExactEligible(fp)) index.texts.InsertUnique(fp.exact_hash, m.doc);
  dirty = true;

  auto [it, inserted] = group_of.try_emplace(m.doc, groups.size());
  if (inserted) groups.push_back(Group{m.doc, {}});
  if (!stored_at) MarkTouched(m.doc);  // met in this run, though the merge is written later
  Incoming inc;
  inc.reason = m.reason;
  inc.stored_at = stored_at;
  inc.metadata_check = metadata_check;
  if (stored_at) inc.stored_line = record.ToJsonLine();
  pending_bytes += record.text.size() + inc.stored_line.size() + 1024;
  inc.record = std::move(record);
  groups[it->second].incoming.push_back(std::move(inc));

  d.outcome = DedupOutcome::kMerged;
  d.metadata_check = metadata_check;
  if (decision) *decision = std::move(d);
  if (pending_bytes >= options.max_pending_merge_bytes) return Flush();
  return Status::OK();
}

// Reads the stored record of every pending group (one pass per shard, lines in order), merges,
// and writes what changed.
Status Deduplicator::Impl::Flush() {
  if (groups.empty()) return Status::OK();
  // Shards written in this run must be complete before they can be read back.
  ALCOR_RETURN_IF_ERROR(FinishWriters());

  struct Target {
    uint32_t shard;
    uint32_t line;
    size_t group;
  };
  std::vector<Target> targets;
  targets.reserve(groups.size());
  for (size_t g = 0; g < groups.size(); ++g) {
    const DocEntry& e = index.doc(groups[g].doc);
    targets.push_back(Target{e.shard, e.line, g});
  }
  std::sort(targets.begin(), targets.end(), [](const Target& a, const Target& b) {
    return a.shard != b.shard ? a.shard < b.shard : a.line < b.line;
  });

  std::vector<Group> work;
  work.swap(groups);
  group_of.clear();
  pending_bytes = 0;

  size_t i = 0;
  while (i < targets.size()) {
    const uint32_t shard = targets[i].shard;
    const std::string rel = index.ShardPath(shard);
    auto pending = pending_shards.find(rel);
    std::string path = pending != pending_shards.end() ? pending->second.temp_path : store->PathOf(rel);
    ShardReader reader(env, path, rel);
    // What the shard says it holds caps what is decompressed (a damaged shard cannot expand without end).
    if (pending != pending_shards.end()) {
      reader.LimitJsonlBytes(pending->second.info.jsonl_bytes);
    } else {
      for (const ShardInfo& listed : store->manifest().shards)
        if (listed.path == rel) reader.LimitJsonlBytes(listed.jsonl_bytes);
    }
    std::string line;
    bool reader_ok = true;
    for (; i < targets.size() && targets[i].shard == shard; ++i) {
      const Target& t = targets[i];
      std::optional<Record> stored;
      std::string stored_line;
      {
        StorageTimer timer(&stats);
        while (reader_ok && reader.line_number() < t.line) {
          if (!reader.NextLine(&line)) reader_ok = false;
        }
        if (reader_ok && reader.line_number() == t.line) {
          Result<Record> r = Record::FromJsonLine(line);
          if (r.ok()) {
            stored = std::move(r).value();
            bool needs_line = false;
            for (const Incoming& inc : work[t.group].incoming) needs_line |= inc.stored_at.has_value();
            if (needs_line) stored_line = stored->ToJsonLine();
          } else {
            spdlog::warn("dedup: {}:{}: cannot read the stored record to merge into: {}", rel, t.line,
                         r.status().ToString());
          }
        } else {
          spdlog::warn("dedup: {}:{}: stored record missing ({}); the newer record replaces it", rel, t.line,
                       reader.status().ok() ? "shard too short" : reader.status().ToString());
        }
      }
      if (!stored) ++stats.unreadable_targets;
      ALCOR_RETURN_IF_ERROR(Resolve(work[t.group], std::move(stored), stored_line));
    }
  }
  return Status::OK();
}

Status Deduplicator::Impl::Resolve(Group& group, std::optional<Record> stored, const std::string& stored_line) {
  const DocId d = group.doc;
  const RecordLocation old_location = LocationOf(d);
  const bool have_stored = stored.has_value();
  Record current;
  size_t start = 0;
  if (have_stored) {
    current = std::move(*stored);
  } else {
    current = std::move(group.incoming[0].record);
    start = 1;
  }
  const std::string original_sha = have_stored ? current.content_sha256 : std::string();
  bool changed = !have_stored;
  bool any_stored_incoming = false;
  for (size_t k = start; k < group.incoming.size(); ++k) {
    any_stored_incoming |= group.incoming[k].stored_at.has_value();
    const bool metadata_check = group.incoming[k].metadata_check;
    const std::string incoming_source = metadata_check ? group.incoming[k].record.source : std::string();
    dedup::MergeResult r =
        dedup::MergeRecords(&current, std::move(group.incoming[k].record), options, metadata_check);
    if (r.new_version) ++stats.new_versions;
    if (metadata_check) ++(r.metadata_update ? stats.metadata_updated : stats.metadata_unchanged)[incoming_source];
    changed |= r.changed;
  }

  // Reuse a line that already holds exactly the merged record; otherwise write it. Lines are
  // compared only when records indexed at Open take part (rare); otherwise the merge tells.
  std::optional<RecordLocation> reuse;
  if (have_stored && !changed) reuse = old_location;
  if (!reuse && (any_stored_incoming || (!have_stored && group.incoming[0].stored_at))) {
    std::string merged_line = current.ToJsonLine();
    if (have_stored && merged_line == stored_line) reuse = old_location;
    for (size_t k = 0; !reuse && k < group.incoming.size(); ++k) {
      const Incoming& inc = group.incoming[k];
      if (inc.stored_at && inc.stored_line == merged_line) reuse = *inc.stored_at;
    }
  }
  RecordLocation final_location;
  if (reuse) {
    final_location = *reuse;
  } else {
    ALCOR_RETURN_IF_ERROR(Write(current, &final_location));
    ++stats.rewritten;
  }
  if (!(old_location == final_location)) Supersede(old_location);
  for (const Incoming& inc : group.incoming)
    if (inc.stored_at && !(*inc.stored_at == final_location)) Supersede(*inc.stored_at);

  DocEntry& e = index.doc(d);
  e.shard = index.ShardIndex(final_location.shard);
  e.line = static_cast<uint32_t>(final_location.line);
  if (!have_stored || current.content_sha256 != original_sha) {
    Fingerprint fp;
    dedup::ComputeFingerprint(current.text, &fp, &scratch);
    DocEntry& entry = index.doc(d);
    entry.text_hash = static_cast<uint32_t>(fp.exact_hash);
    entry.sketch = fp.sketch;
    InsertTextKeys(d, fp);
  }
  index.ids.InsertUnique(dedup::IdKey(current.id), d);
  Remember(d, current.id);
  MarkTouched(d);
  dirty = true;
  return Status::OK();
}

Status Deduplicator::Impl::IndexUnknownShards() {
  const std::vector<ShardInfo> shards = store->manifest().shards;
  size_t scanned = 0;
  for (const ShardInfo& s : shards) {
    if (index.HasShard(s.path)) continue;
    index.ShardIndex(s.path);
    dirty = true;
    ++scanned;
    ShardReader reader(env, store->PathOf(s.path), s.path);
    reader.LimitJsonlBytes(s.jsonl_bytes);
    std::string line;
    while (reader.NextLine(&line)) {
      const uint64_t n = reader.line_number();
      if (superseded.Contains(s.path, n)) continue;
      Result<Record> r = Record::FromJsonLine(line);
      if (!r.ok()) {
        spdlog::warn("dedup: {}:{}: not indexed: {}", s.path, n, r.status().ToString());
        continue;
      }
      ALCOR_RETURN_IF_ERROR(OfferImpl(std::move(r).value(), RecordLocation{s.path, n}, nullptr));
    }
    if (!reader.status().ok())
      spdlog::warn("dedup: {}; records after that point are not indexed", reader.status().ToString());
  }
  if (scanned > 0)
    spdlog::info("dedup: indexed {} records of {} shards the index did not list yet", stats.indexed_from_shards,
                 scanned);
  return Status::OK();
}

Status Deduplicator::Impl::WriteStateFile(const std::string& logical,
                                          const std::function<Status(const std::string&)>& write,
                                          std::string* path) {
  // Unique within the process (several Deduplicators may share one store and run id).
  static std::atomic<uint64_t> sequence{0};
  *path = JoinPath(store->StateDir(),
                   "." + logical + "." + store->run_id() + "-" + std::to_string(++sequence) + ".tmp");
  Status s = write(*path);
  if (!s.ok()) env->RemoveFile(*path);
  return s;
}

Deduplicator::Deduplicator(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Deduplicator::~Deduplicator() { Abandon(); }

Status Deduplicator::Open(Store* store, const DedupOptions& options, std::unique_ptr<Deduplicator>* out) {
  if (store->read_only()) return Status::InvalidArgument(store->dir() + ": the deduplicator needs a writable store");
  auto impl = std::make_unique<Impl>();
  impl->store = store;
  impl->env = store->env();
  impl->options = options;
  ALCOR_RETURN_IF_ERROR(LoadRemovals(*store, &impl->removals));
  if (options.rebuild) {
    impl->dirty = true;
  } else {
    const std::string path = store->CurrentStateFile(kDedupIndexState);
    if (!path.empty()) {
      int64_t t0 = impl->env->MonotonicMicros();
      Status s = impl->index.Load(impl->env, path);
      if (s.ok()) {
        impl->has_committed_index = true;
        spdlog::debug("dedup: loaded {} documents from {} in {} ms", impl->index.doc_count(), path,
                      (impl->env->MonotonicMicros() - t0) / 1000);
      } else {
        spdlog::warn("dedup: {}; rebuilding the index from the shards", s.ToString());
        impl->index = dedup::DedupIndex();
      }
    }
    ALCOR_RETURN_IF_ERROR(LoadSuperseded(*store, &impl->superseded));
    ALCOR_RETURN_IF_ERROR(impl->IndexUnknownShards());
  }
  out->reset(new Deduplicator(std::move(impl)));
  return Status::OK();
}

Status Deduplicator::Offer(Record record, DedupDecision* decision, OfferHints hints) {
  return impl_->OfferImpl(std::move(record), std::nullopt, decision, hints);
}

Status Deduplicator::AddToTransaction(Transaction* txn) {
  Impl& m = *impl_;
  ALCOR_RETURN_IF_ERROR(m.Flush());
  ALCOR_RETURN_IF_ERROR(m.FinishWriters());
  if (m.dirty || !m.has_committed_index) {
    ALCOR_RETURN_IF_ERROR(m.env->CreateDirs(m.store->StateDir(), kPrivateDirMode));
    std::string index_path, superseded_path;
    ALCOR_RETURN_IF_ERROR(m.WriteStateFile(
        kDedupIndexState, [&](const std::string& p) { return m.index.Save(m.env, p); }, &index_path));
    Status s = m.WriteStateFile(
        kSupersededState,
        [&](const std::string& p) -> Status {
          std::unique_ptr<WritableFile> f;
          ALCOR_RETURN_IF_ERROR(m.env->NewWritableFile(p, kPrivateFileMode, &f));
          ALCOR_RETURN_IF_ERROR(f->Append(m.superseded.Serialize()));
          ALCOR_RETURN_IF_ERROR(f->Sync());
          return f->Close();
        },
        &superseded_path);
    if (!s.ok()) {
      m.env->RemoveFile(index_path);
      return s;
    }
    txn->state_files[kDedupIndexState] = index_path;
    txn->state_files[kSupersededState] = superseded_path;
    m.dirty = false;
    m.has_committed_index = true;
  }
  for (auto& [path, shard] : m.pending_shards) txn->shards.push_back(std::move(shard));
  m.pending_shards.clear();
  return Status::OK();
}

void Deduplicator::Abandon() {
  if (!impl_) return;
  for (auto& [source, w] : impl_->writers) w->Abandon();
  impl_->writers.clear();
  for (auto& [path, shard] : impl_->pending_shards) impl_->env->RemoveFile(shard.temp_path);
  impl_->pending_shards.clear();
  impl_->groups.clear();
  impl_->group_of.clear();
}

const DedupStats& Deduplicator::stats() {
  impl_->stats.index_documents = impl_->index.doc_count();
  impl_->stats.index_memory_bytes = impl_->index.MemoryBytes();
  return impl_->stats;
}

size_t Deduplicator::indexed_documents() const { return impl_->index.doc_count(); }

}  // namespace alcor
