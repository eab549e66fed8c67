#include "dedup/dedup_index.hpp"

#include <algorithm>
#include <cstring>

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace alcor::dedup {

template <typename Key>
void KeyTable<Key>::Insert(Key key, DocId doc) {
  if (slots_.empty() || static_cast<double>(size_ + 1) > kMaxLoad * static_cast<double>(slots_.size())) {
    Rehash(std::max<size_t>(64, static_cast<size_t>(static_cast<double>(slots_.size()) * kGrowth)));
  }
  size_t i = Home(key);
  while (slots_[i].doc != kNoDoc) {
    if (++i == slots_.size()) i = 0;
  }
  slots_[i].key = key;
  slots_[i].doc = doc;
  ++size_;
}

template <typename Key>
bool KeyTable<Key>::Contains(Key key, DocId doc) const {
  bool found = false;
  ForEach(key, [&](DocId d) {
    found = d == doc;
    return !found;
  });
  return found;
}

template <typename Key>
void KeyTable<Key>::Rehash(size_t capacity) {
  capacity = std::max(capacity, static_cast<size_t>(static_cast<double>(size_) / kMaxLoad) + 1);
  std::vector<Slot> old;
  old.swap(slots_);
  slots_.assign(capacity, Slot{Key{}, kNoDoc});
  slots_.shrink_to_fit();
  size_ = 0;
  for (const Slot& s : old) {
    if (s.doc == kNoDoc) continue;
    size_t i = Home(s.key);
    while (slots_[i].doc != kNoDoc) {
      if (++i == slots_.size()) i = 0;
    }
    slots_[i] = s;
    ++size_;
  }
}

template class KeyTable<uint64_t>;
template class KeyTable<uint32_t>;

DocId DedupIndex::AddDoc(const DocEntry& entry) {
  // Grow by 1.25x, not the vector's default 2x: the entries are a third of the memory budget.
  if (docs_.size() == docs_.capacity()) docs_.reserve(docs_.capacity() + docs_.capacity() / 4 + 1024);
  docs_.push_back(entry);
  return static_cast<DocId>(docs_.size() - 1);
}

uint32_t DedupIndex::ShardIndex(std::string_view path) {
  auto [it, inserted] = shard_lookup_.try_emplace(std::string(path), static_cast<uint32_t>(shards_.size()));
  if (inserted) shards_.emplace_back(path);
  return it->second;
}

size_t DedupIndex::MemoryBytes() const {
  size_t bytes = docs_.capacity() * sizeof(DocEntry) + ids.MemoryBytes() + urls.MemoryBytes() +
                 texts.MemoryBytes() + bands.MemoryBytes();
  for (const std::string& s : shards_) bytes += s.capacity() + sizeof(std::string) * 2 + 32;
  return bytes;
}

uint64_t IdKey(std::string_view id) { return XXH3_64bits_withSeed(id.data(), id.size(), 0x1d); }

uint64_t UrlKey(std::string_view url) {
  std::string_view rest = url;
  if (rest.substr(0, 7) == "http://") rest.remove_prefix(7);
  else if (rest.substr(0, 8) == "https://") rest.remove_prefix(8);
  while (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  std::string canonical(rest);
  size_t host_end = std::min(canonical.find('/'), canonical.size());
  for (size_t i = 0; i < host_end; ++i)
    if (canonical[i] >= 'A' && canonical[i] <= 'Z') canonical[i] = static_cast<char>(canonical[i] + 32);
  return XXH3_64bits_withSeed(canonical.data(), canonical.size(), 0xa1);
}

// ---- Serialisation -------------------------------------------------------------------------

namespace {

constexpr char kMagic[8] = {'A', 'L', 'C', 'D', 'D', 'X', '0', '1'};
constexpr uint64_t kMaxShardPath = 4096;

class HashingWriter {
 public:
  explicit HashingWriter(WritableFile* file) : file_(file) { XXH3_64bits_reset(&state_); }
  Status Write(const void* data, size_t n) {
    XXH3_64bits_update(&state_, data, n);
    // Append in bounded pieces so a huge table does not need one giant write call.
    const char* p = static_cast<const char*>(data);
    while (n > 0) {
      size_t chunk = std::min<size_t>(n, size_t{8} << 20);
      ALCOR_RETURN_IF_ERROR(file_->Append(std::string_view(p, chunk)));
      p += chunk;
      n -= chunk;
    }
    return Status::OK();
  }
  template <typename T>
  Status Put(T value) {
    return Write(&value, sizeof(value));
  }
  uint64_t Digest() { return XXH3_64bits_digest(&state_); }

 private:
  WritableFile* file_;
  XXH3_state_t state_;
};

class HashingReader {
 public:
  HashingReader(SequentialFile* file, uint64_t file_size, std::string path)
      : file_(file), remaining_(file_size), path_(std::move(path)) {
    XXH3_64bits_reset(&state_);
  }
  Status Read(void* data, size_t n, bool hash = true) {
    if (n > remaining_) return Status::Corruption(path_ + ": dedup index is truncated or a size is wrong");
    char* p = static_cast<char*>(data);
    size_t left = n;
    while (left > 0) {
      size_t got = 0;
      ALCOR_RETURN_IF_ERROR(file_->Read(left, p, &got));
      if (got == 0) return Status::Corruption(path_ + ": dedup index is truncated");
      p += got;
      left -= got;
    }
    remaining_ -= n;
    if (hash) XXH3_64bits_update(&state_, data, n);
    return Status::OK();
  }
  template <typename T>
  Status Get(T* value) {
    return Read(value, sizeof(T));
  }
  uint64_t remaining() const { return remaining_; }
  uint64_t Digest() { return XXH3_64bits_digest(&state_); }
  const std::string& path() const { return path_; }

 private:
  SequentialFile* file_;
  uint64_t remaining_;
  std::string path_;
  XXH3_state_t state_;
};

template <typename Key>
Status WriteTable(HashingWriter* w, KeyTable<Key>* table) {
  if (table->capacity() > 0 && table->load() < 0.7) table->CompactTo(0.8);
  ALCOR_RETURN_IF_ERROR(w->Put<uint64_t>(table->capacity()));
  ALCOR_RETURN_IF_ERROR(w->Put<uint64_t>(table->size()));
  return w->Write(table->slots().data(), table->slots().size() * sizeof(typename KeyTable<Key>::Slot));
}

template <typename Key>
Status ReadTable(HashingReader* r, KeyTable<Key>* table, uint64_t doc_count) {
  using Slot = typename KeyTable<Key>::Slot;
  uint64_t capacity = 0, size = 0;
  ALCOR_RETURN_IF_ERROR(r->Get(&capacity));
  ALCOR_RETURN_IF_ERROR(r->Get(&size));
  if (size > capacity || capacity > r->remaining() / sizeof(Slot) || (capacity > 0 && size == capacity))
    return Status::Corruption(r->path() + ": dedup index table sizes are inconsistent");
  table->Clear();
  std::vector<Slot>& slots = table->slots();
  slots.resize(capacity);
  ALCOR_RETURN_IF_ERROR(r->Read(slots.data(), capacity * sizeof(Slot)));
  uint64_t used = 0;
  for (const Slot& s : slots) {
    if (s.doc == kNoDoc) continue;
    if (s.doc >= doc_count) return Status::Corruption(r->path() + ": dedup index entry names a missing document");
    ++used;
  }
  if (used != size) return Status::Corruption(r->path() + ": dedup index table count mismatch");
  table->set_size(size);
  return Status::OK();
}

}  // namespace

Status DedupIndex::Save(Env* env, const std::string& path) {
  std::unique_ptr<WritableFile> file;
  ALCOR_RETURN_IF_ERROR(env->NewWritableFile(path, kPrivateFileMode, &file));
  HashingWriter w(file.get());
  Status s = [&]() -> Status {
    ALCOR_RETURN_IF_ERROR(w.Write(kMagic, sizeof(kMagic)));
    ALCOR_RETURN_IF_ERROR(w.Put<uint32_t>(kFingerprintVersion));
    ALCOR_RETURN_IF_ERROR(w.Put<uint32_t>(sizeof(DocEntry)));
    ALCOR_RETURN_IF_ERROR(w.Put<uint64_t>(docs_.size()));
    ALCOR_RETURN_IF_ERROR(w.Put<uint64_t>(shards_.size()));
    for (const std::string& p : shards_) {
      ALCOR_RETURN_IF_ERROR(w.Put<uint32_t>(static_cast<uint32_t>(p.size())));
      ALCOR_RETURN_IF_ERROR(w.Write(p.data(), p.size()));
    }
    ALCOR_RETURN_IF_ERROR(w.Write(docs_.data(), docs_.size() * sizeof(DocEntry)));
    ALCOR_RETURN_IF_ERROR(WriteTable(&w, &ids));
    ALCOR_RETURN_IF_ERROR(WriteTable(&w, &urls));
    ALCOR_RETURN_IF_ERROR(WriteTable(&w, &texts));
    ALCOR_RETURN_IF_ERROR(WriteTable(&w, &bands));
    uint64_t digest = w.Digest();
    ALCOR_RETURN_IF_ERROR(file->Append(std::string_view(reinterpret_cast<const char*>(&digest), sizeof(digest))));
    ALCOR_RETURN_IF_ERROR(file->Sync());
    return file->Close();
  }();
  if (!s.ok()) {
    file.reset();
    env->RemoveFile(path);
    return s.WithContext("writing dedup index " + path);
  }
  return Status::OK();
}

Status DedupIndex::Load(Env* env, const std::string& path) {
  uint64_t file_size = 0;
  ALCOR_RETURN_IF_ERROR(env->GetFileSize(path, &file_size));
  if (file_size < sizeof(kMagic) + 8 + 16 + 8) return Status::Corruption(path + ": dedup index is too short");
  std::unique_ptr<SequentialFile> file;
  ALCOR_RETURN_IF_ERROR(env->NewSequentialFile(path, &file));
  HashingReader r(file.get(), file_size - sizeof(uint64_t), path);
  DedupIndex fresh;

  char magic[sizeof(kMagic)];
  ALCOR_RETURN_IF_ERROR(r.Read(magic, sizeof(magic)));
  if (std::memcmp(magic, kMagic, sizeof(kMagic)) != 0) return Status::Corruption(path + ": not a dedup index");
  uint32_t version = 0, entry_size = 0;
  ALCOR_RETURN_IF_ERROR(r.Get(&version));
  ALCOR_RETURN_IF_ERROR(r.Get(&entry_size));
  if (version != kFingerprintVersion || entry_size != sizeof(DocEntry))
    return Status::NotSupported(path + ": dedup index was built with other parameters");
  uint64_t doc_count = 0, shard_count = 0;
  ALCOR_RETURN_IF_ERROR(r.Get(&doc_count));
  ALCOR_RETURN_IF_ERROR(r.Get(&shard_count));
  if (doc_count >= kNoDoc || doc_count > r.remaining() / sizeof(DocEntry) || shard_count > r.remaining() / 4)
    return Status::Corruption(path + ": dedup index header sizes are inconsistent");
  fresh.shards_.reserve(shard_count);
  for (uint64_t i = 0; i < shard_count; ++i) {
    uint32_t len = 0;
    ALCOR_RETURN_IF_ERROR(r.Get(&len));
    if (len > kMaxShardPath) return Status::Corruption(path + ": dedup index shard path too long");
    std::string p(len, '\0');
    ALCOR_RETURN_IF_ERROR(r.Read(p.data(), len));
    if (!fresh.shard_lookup_.emplace(p, static_cast<uint32_t>(i)).second)
      return Status::Corruption(path + ": dedup index lists a shard twice");
    fresh.shards_.push_back(std::move(p));
  }
  fresh.docs_.resize(doc_count);
  ALCOR_RETURN_IF_ERROR(r.Read(fresh.docs_.data(), doc_count * sizeof(DocEntry)));
  for (const DocEntry& d : fresh.docs_)
    if (d.shard >= shard_count || d.line == 0)
      return Status::Corruption(path + ": dedup index document names a missing shard");
  ALCOR_RETURN_IF_ERROR(ReadTable(&r, &fresh.ids, doc_count));
  ALCOR_RETURN_IF_ERROR(ReadTable(&r, &fresh.urls, doc_count));
  ALCOR_RETURN_IF_ERROR(ReadTable(&r, &fresh.texts, doc_count));
  ALCOR_RETURN_IF_ERROR(ReadTable(&r, &fresh.bands, doc_count));
  if (r.remaining() != 0) return Status::Corruption(path + ": dedup index has trailing bytes");
  uint64_t expected = r.Digest();
  uint64_t stored = 0;
  HashingReader tail(file.get(), sizeof(uint64_t), path);
  ALCOR_RETURN_IF_ERROR(tail.Read(&stored, sizeof(stored), /*hash=*/false));
  if (stored != expected) return Status::Corruption(path + ": dedup index checksum mismatch");
  *this = std::move(fresh);
  return Status::OK();
}

}  // namespace alcor::dedup
