// An Env for tests: forwards to the real POSIX Env, except that
//   - files put with PutMemoryFile are read from memory (fast byte-by-byte damage tests);
//   - a write-side fault can be armed: the Nth Append/Sync/Rename from now fails with IOError;
// and it records the operations it saw (ninja's fakes style) for tests to assert on.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "alcor/env.hpp"

namespace alcor::testing {

class FaultEnv : public Env {
 public:
  enum class Op { kAppend, kSync, kRename };

  FaultEnv() : base_(Env::Default()) {}

  void PutMemoryFile(const std::string& path, std::string content) { memory_[path] = std::move(content); }
  // The nth (1-based) operation of this kind from now fails.
  void FailNth(Op op, int nth) {
    std::lock_guard<std::mutex> l(mu_);
    fail_op_ = op;
    countdown_ = nth;
  }
  const std::vector<std::string>& renames() const { return renames_; }

  // Returns true when this operation must fail.
  bool ShouldFail(Op op) {
    std::lock_guard<std::mutex> l(mu_);
    if (countdown_ <= 0 || op != fail_op_) return false;
    return --countdown_ == 0;
  }

  Status NewWritableFile(const std::string& path, mode_t mode, std::unique_ptr<WritableFile>* file) override;
  Status NewSequentialFile(const std::string& path, std::unique_ptr<SequentialFile>* file) override;
  Status RenameFile(const std::string& from, const std::string& to) override;
  Status RemoveFile(const std::string& path) override { return base_->RemoveFile(path); }
  Status CreateDirs(const std::string& path, mode_t mode) override { return base_->CreateDirs(path, mode); }
  Status SyncDir(const std::string& dir) override { return base_->SyncDir(dir); }
  Status GetChildren(const std::string& dir, std::vector<std::string>* names) override {
    return base_->GetChildren(dir, names);
  }
  bool FileExists(const std::string& path) override { return memory_.count(path) || base_->FileExists(path); }
  bool IsDirectory(const std::string& path) override { return base_->IsDirectory(path); }
  bool IsSymlink(const std::string& path) override { return base_->IsSymlink(path); }
  Status GetFileSize(const std::string& path, uint64_t* size) override;
  Status GetMode(const std::string& path, mode_t* mode) override { return base_->GetMode(path, mode); }
  Status LockFile(const std::string& path, std::unique_ptr<FileLock>* lock) override {
    return base_->LockFile(path, lock);
  }
  int64_t NowMicros() override { return base_->NowMicros(); }
  int64_t MonotonicMicros() override { return base_->MonotonicMicros(); }
  void SleepMicros(int64_t micros) override { base_->SleepMicros(micros); }

 private:
  Env* base_;
  std::map<std::string, std::string> memory_;
  std::mutex mu_;
  Op fail_op_ = Op::kAppend;
  int countdown_ = 0;
  std::vector<std::string> renames_;
};

}  // namespace alcor::testing
