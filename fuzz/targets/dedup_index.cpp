// The dedup index file (state/dedup-index.N) past its checksum: the harness stamps a valid XXH3
// checksum on the input, so the fuzzer reaches every structural check of DedupIndex::Load rather
// than stopping at the checksum. A loaded index must then answer lookups of every table without
// leaving it (an open-addressing table with no empty slot would loop forever), name only
// documents and shards it holds, and save and load back to the same index.
#include <xxhash.h>

#include <cstring>

#include "alcor/env.hpp"
#include "dedup/dedup_index.hpp"
#include "fuzz_target.hpp"

namespace {

template <typename Key>
void ProbeTable(const alcor::dedup::KeyTable<Key>& table, const alcor::dedup::DedupIndex& index) {
  size_t visited = 0;
  // Every stored key must be found from its home slot, and each visit names a held document.
  for (const auto& slot : table.slots()) {
    if (slot.doc == alcor::dedup::kNoDoc) continue;
    bool found = false;
    table.ForEach(slot.key, [&](alcor::dedup::DocId doc) {
      alcor::fuzz::Check(doc < index.doc_count(), "a table entry names a document the index holds");
      found = found || doc == slot.doc;
      return ++visited < 4096;  // bounds the harness's own work on a table of one repeated key
    });
    if (visited >= 4096) break;
    (void)found;  // a garbled (but consistent) file may place a key away from its home: no claim
  }
  // A key nobody stored ends at an empty slot.
  table.ForEach(static_cast<Key>(0x9e3779b97f4a7c15ull), [](alcor::dedup::DocId) { return true; });
}

}  // namespace

ALCOR_FUZZ_TARGET(dedup_index) {
  std::string bytes(input);
  if (bytes.size() >= sizeof(uint64_t)) {
    uint64_t digest = XXH3_64bits(bytes.data(), bytes.size() - sizeof(uint64_t));
    std::memcpy(bytes.data() + bytes.size() - sizeof(uint64_t), &digest, sizeof(digest));
  }
  alcor::Env* env = alcor::Env::Default();
  std::string path = alcor::fuzz::WriteScratchFile("dedup-index", bytes);
  alcor::dedup::DedupIndex index;
  if (index.Load(env, path).ok()) {
    for (size_t d = 0; d < index.doc_count(); ++d)
      alcor::fuzz::Check(index.doc(static_cast<alcor::dedup::DocId>(d)).shard < index.shard_count(),
                         "a document names a shard of the index");
    ProbeTable(index.ids, index);
    ProbeTable(index.urls, index);
    ProbeTable(index.texts, index);
    ProbeTable(index.bands, index);
    std::string again = path + ".saved";
    alcor::fuzz::Check(index.Save(env, again).ok(), "a loaded index saves");
    alcor::dedup::DedupIndex reloaded;
    alcor::fuzz::Check(reloaded.Load(env, again).ok(), "a saved index loads back");
    alcor::fuzz::Check(reloaded.doc_count() == index.doc_count() && reloaded.shard_count() == index.shard_count() &&
                           reloaded.ids.size() == index.ids.size() && reloaded.bands.size() == index.bands.size(),
                       "an index loads back as it was saved");
    (void)env->RemoveFile(again);
  }
  (void)env->RemoveFile(path);
}
