// S3ReadEnv: a bucket prefix seen as a read-only folder, so the readers of a store (Store::Open
// read-only, ScanStore, ValidateStore) work on a published corpus where it lives (alcor/s3.hpp).
#include <algorithm>
#include <map>
#include <mutex>
#include <set>

#include "alcor/env.hpp"
#include "alcor/s3.hpp"

namespace alcor {

namespace s3_env_internal {

// Reads an object front to back in ranged GETs of kChunk bytes: memory stays one chunk whatever the
// object's size, and a failed range is retried on its own by the client.
constexpr uint64_t kChunk = uint64_t{8} << 20;

class S3SequentialFile : public SequentialFile {
 public:
  S3SequentialFile(S3Client* client, std::string key) : client_(client), key_(std::move(key)) {}

  Status Read(size_t n, char* scratch, size_t* read) override {
    *read = 0;
    while (*read < n) {
      if (pos_ == chunk_.size()) {
        if (at_end_) break;
        ALCOR_RETURN_IF_ERROR(client_->GetRange(key_, offset_, kChunk, &chunk_));
        offset_ += chunk_.size();
        pos_ = 0;
        if (chunk_.size() < kChunk) at_end_ = true;
        if (chunk_.empty()) break;
      }
      size_t k = std::min(n - *read, chunk_.size() - pos_);
      std::copy_n(chunk_.data() + pos_, k, scratch + *read);
      pos_ += k;
      *read += k;
    }
    return Status::OK();
  }

 private:
  S3Client* client_;
  std::string key_;
  std::string chunk_;
  size_t pos_ = 0;
  uint64_t offset_ = 0;
  bool at_end_ = false;
};

class S3ReadEnv : public Env {
 public:
  S3ReadEnv(S3Client* client, S3Url root) : client_(client), root_(std::move(root)) {}

  Status NewWritableFile(const std::string& path, mode_t, std::unique_ptr<WritableFile>*) override {
    return ReadOnly(path);
  }
  Status NewSequentialFile(const std::string& path, std::unique_ptr<SequentialFile>* file) override {
    std::string key;
    ALCOR_RETURN_IF_ERROR(KeyOf(path, &key));
    uint64_t size = 0;
    if (!ObjectSize(key, &size)) return Status::NotFound(path + ": no such object");
    *file = std::make_unique<S3SequentialFile>(client_, key);
    return Status::OK();
  }
  Status RenameFile(const std::string& from, const std::string&) override { return ReadOnly(from); }
  Status RemoveFile(const std::string& path) override { return ReadOnly(path); }
  Status CreateDirs(const std::string& path, mode_t) override { return ReadOnly(path); }
  Status SyncDir(const std::string& dir) override { return ReadOnly(dir); }
  Status GetChildren(const std::string& dir, std::vector<std::string>* names) override {
    names->clear();
    std::string key;
    ALCOR_RETURN_IF_ERROR(KeyOf(dir, &key));
    ALCOR_RETURN_IF_ERROR(EnsureListed());
    const std::string prefix = key.empty() ? "" : key + "/";
    std::set<std::string> children;
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = sizes_.lower_bound(prefix); it != sizes_.end() && it->first.compare(0, prefix.size(), prefix) == 0;
         ++it) {
      std::string rest = it->first.substr(prefix.size());
      children.insert(rest.substr(0, rest.find('/')));
    }
    if (children.empty()) return Status::NotFound(dir + ": no such folder");
    names->assign(children.begin(), children.end());
    return Status::OK();
  }
  bool FileExists(const std::string& path) override { return IsRegularFile(path) || IsDirectory(path); }
  bool IsDirectory(const std::string& path) override {
    std::string key;
    if (!KeyOf(path, &key).ok() || !EnsureListed().ok()) return false;
    const std::string prefix = key.empty() ? "" : key + "/";
    std::lock_guard<std::mutex> lock(mu_);
    auto it = sizes_.lower_bound(prefix);
    return it != sizes_.end() && it->first.compare(0, prefix.size(), prefix) == 0;
  }
  bool IsSymlink(const std::string&) override { return false; }
  bool IsRegularFile(const std::string& path) override {
    std::string key;
    uint64_t size = 0;
    return KeyOf(path, &key).ok() && ObjectSize(key, &size);
  }
  Status GetFileSize(const std::string& path, uint64_t* size) override {
    std::string key;
    ALCOR_RETURN_IF_ERROR(KeyOf(path, &key));
    if (!ObjectSize(key, size)) return Status::NotFound(path + ": no such object");
    return Status::OK();
  }
  // Objects are private (alcor never uploads with a public ACL), folders are only key prefixes.
  Status GetMode(const std::string& path, mode_t* mode) override {
    *mode = IsDirectory(path) ? kPrivateDirMode : kPrivateFileMode;
    return Status::OK();
  }
  Status LockFile(const std::string& path, std::unique_ptr<FileLock>*) override { return ReadOnly(path); }
  int64_t NowMicros() override { return Env::Default()->NowMicros(); }
  int64_t MonotonicMicros() override { return Env::Default()->MonotonicMicros(); }
  void SleepMicros(int64_t micros) override { Env::Default()->SleepMicros(micros); }

 private:
  Status ReadOnly(const std::string& path) const {
    return Status::NotSupported(path + ": a store in a bucket is read-only here");
  }

  // The key of a path under the root ("s3://BUCKET/PREFIX/manifest.json" → "PREFIX/manifest.json";
  // the root itself → the prefix).
  Status KeyOf(const std::string& path, std::string* key) const {
    const std::string base = "s3://" + root_.bucket;
    if (path == base || path == base + "/") {
      key->clear();
      return Status::OK();
    }
    if (path.compare(0, base.size() + 1, base + "/") != 0)
      return Status::InvalidArgument(path + ": not in " + base);
    *key = path.substr(base.size() + 1);
    while (!key->empty() && key->back() == '/') key->pop_back();
    return Status::OK();
  }

  // One listing of the prefix answers the questions about files and folders; an object the
  // listing does not know (uploaded since) is looked up on its own.
  Status EnsureListed() {
    std::lock_guard<std::mutex> lock(mu_);
    if (listed_) return Status::OK();
    std::vector<S3ObjectInfo> objects;
    ALCOR_RETURN_IF_ERROR(client_->List(root_.prefix.empty() ? "" : root_.prefix + "/", &objects));
    for (const S3ObjectInfo& o : objects) sizes_[o.key] = o.size;
    listed_ = true;
    return Status::OK();
  }

  bool ObjectSize(const std::string& key, uint64_t* size) {
    if (key.empty() || !EnsureListed().ok()) return false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = sizes_.find(key);
      if (it != sizes_.end()) {
        *size = it->second;
        return true;
      }
      if (missing_.count(key)) return false;
    }
    S3ObjectInfo info;
    Status s = client_->Head(key, &info);
    std::lock_guard<std::mutex> lock(mu_);
    if (!s.ok()) {
      missing_.insert(key);
      return false;
    }
    sizes_[key] = info.size;
    *size = info.size;
    return true;
  }

  S3Client* client_;
  S3Url root_;
  std::mutex mu_;
  bool listed_ = false;                     // guarded by mu_
  std::map<std::string, uint64_t> sizes_;   // guarded by mu_: key → size
  std::set<std::string> missing_;           // guarded by mu_
};

}  // namespace s3_env_internal

std::unique_ptr<Env> NewS3ReadEnv(S3Client* client, const S3Url& root) {
  return std::make_unique<s3_env_internal::S3ReadEnv>(client, root);
}

}  // namespace alcor
