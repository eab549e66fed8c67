// DedupIndex: the persistent, compact in-memory index behind the Deduplicator
// (docs/dedup.md "Index format" and "Memory").
//
// One DocEntry per kept record (where it is stored, a 32-bit hash of its normalised text, its
// confirmation sketch) and four open-addressing multimaps from keys to documents:
//   ids    64-bit hash of a record id            → doc   (every id ever merged into the doc)
//   urls   64-bit hash of a canonical URL        → doc   (url and also_at URLs)
//   texts  64-bit exact hash of normalised text  → doc
//   bands  32-bit LSH band key                   → doc   (kBands per indexed text)
// Keys are never removed: a doc's slot only ever moves to a newer location, so keys of older
// versions keep pointing at the item they belonged to.
//
// Not thread safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "alcor/env.hpp"
#include "alcor/status.hpp"
#include "dedup/fingerprint.hpp"

namespace alcor::dedup {

using DocId = uint32_t;
inline constexpr DocId kNoDoc = UINT32_MAX;

#pragma pack(push, 4)
struct DocEntry {
  uint32_t shard = 0;      // index into the index's shard table
  uint32_t line = 0;       // 1-based line in that shard
  uint32_t text_hash = 0;  // low 32 bits of Fingerprint::exact_hash (0: no text)
  Sketch sketch{};
};
#pragma pack(pop)
static_assert(sizeof(DocEntry) == 68);

// An open-addressing multimap (linear probing) from Key to DocId. Several entries may share a
// key. Capacity is not a power of two so the load factor can be kept high.
template <typename Key>
class KeyTable {
 public:
#pragma pack(push, 4)
  struct Slot {
    Key key;
    DocId doc;  // kNoDoc: empty
  };
#pragma pack(pop)

  static constexpr double kMaxLoad = 0.85;
  static constexpr double kGrowth = 1.25;  // keeps the load >= 0.68 after growing (memory budget)

  void Insert(Key key, DocId doc);
  // Inserts unless that exact (key, doc) pair is present.
  void InsertUnique(Key key, DocId doc) {
    if (!Contains(key, doc)) Insert(key, doc);
  }
  bool Contains(Key key, DocId doc) const;
  // Calls visit(doc) for every entry with this key until visit returns false.
  template <typename Visit>
  void ForEach(Key key, Visit&& visit) const {
    if (slots_.empty()) return;
    size_t i = Home(key);
    for (;;) {
      const Slot& s = slots_[i];
      if (s.doc == kNoDoc) return;
      if (s.key == key && !visit(s.doc)) return;
      if (++i == slots_.size()) i = 0;
    }
  }
  // Rebuilds with capacity size/target_load (used before saving, so a loaded index is dense).
  void Rehash(size_t capacity);
  void CompactTo(double target_load) {
    Rehash(static_cast<size_t>(static_cast<double>(size_) / target_load) + 16);
  }
  void Clear() {
    slots_.clear();
    size_ = 0;
  }

  size_t size() const { return size_; }
  size_t capacity() const { return slots_.size(); }
  double load() const { return slots_.empty() ? 0.0 : static_cast<double>(size_) / slots_.size(); }
  size_t MemoryBytes() const { return slots_.capacity() * sizeof(Slot); }

  // Raw access for (de)serialisation.
  std::vector<Slot>& slots() { return slots_; }
  const std::vector<Slot>& slots() const { return slots_; }
  void set_size(size_t n) { size_ = n; }

 private:
  size_t Home(Key key) const {
    if constexpr (sizeof(Key) == 8) {
      return static_cast<size_t>((static_cast<unsigned __int128>(key) * slots_.size()) >> 64);
    } else {
      return static_cast<size_t>((static_cast<uint64_t>(key) * slots_.size()) >> 32);
    }
  }
  std::vector<Slot> slots_;
  size_t size_ = 0;
};

class DedupIndex {
 public:
  DocId AddDoc(const DocEntry& entry);
  DocEntry& doc(DocId id) { return docs_[id]; }
  const DocEntry& doc(DocId id) const { return docs_[id]; }
  size_t doc_count() const { return docs_.size(); }
  void ReserveDocs(size_t n) { docs_.reserve(n); }

  // Index of a shard path in the shard table, adding it when absent.
  uint32_t ShardIndex(std::string_view path);
  bool HasShard(std::string_view path) const { return shard_lookup_.count(std::string(path)) > 0; }
  const std::string& ShardPath(uint32_t index) const { return shards_[index]; }
  size_t shard_count() const { return shards_.size(); }

  KeyTable<uint64_t> ids;
  KeyTable<uint64_t> urls;
  KeyTable<uint64_t> texts;
  KeyTable<uint32_t> bands;

  // Writes the whole index to path (created with private mode, synced, closed). Tables whose load
  // fell below 0.7 are rehashed to 0.8 first, so a freshly loaded index stays dense.
  Status Save(Env* env, const std::string& path);
  // Replaces *this with the index stored at path. Corruption when the file is damaged (checksum,
  // sizes) or was written with other fingerprint parameters.
  Status Load(Env* env, const std::string& path);

  // Bytes of heap memory held by the index (docs, tables, shard table).
  size_t MemoryBytes() const;

 private:
  std::vector<DocEntry> docs_;
  std::vector<std::string> shards_;
  std::unordered_map<std::string, uint32_t> shard_lookup_;
};

// 64-bit keys for ids and URLs. A URL key ignores the scheme (http and https are one item), a
// trailing '/', and letter case of the host.
uint64_t IdKey(std::string_view id);
uint64_t UrlKey(std::string_view url);

}  // namespace alcor::dedup
