// ForwardingEnv: an Env that passes every call to a base Env (after leveldb's EnvWrapper). Test
// Envs derive from it and override only what they change: FaultEnv the writes, FakeClockEnv the
// clock.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "alcor/env.hpp"

namespace alcor::testing {

class ForwardingEnv : public Env {
 public:
  // base must outlive this Env.
  explicit ForwardingEnv(Env* base) : base_(base) {}

  Env* base() const { return base_; }

  Status NewWritableFile(const std::string& path, mode_t mode, std::unique_ptr<WritableFile>* file) override {
    return base_->NewWritableFile(path, mode, file);
  }
  Status NewSequentialFile(const std::string& path, std::unique_ptr<SequentialFile>* file) override {
    return base_->NewSequentialFile(path, file);
  }
  Status RenameFile(const std::string& from, const std::string& to) override { return base_->RenameFile(from, to); }
  Status RemoveFile(const std::string& path) override { return base_->RemoveFile(path); }
  Status CreateDirs(const std::string& path, mode_t mode) override { return base_->CreateDirs(path, mode); }
  Status SyncDir(const std::string& dir) override { return base_->SyncDir(dir); }
  Status GetChildren(const std::string& dir, std::vector<std::string>* names) override {
    return base_->GetChildren(dir, names);
  }
  bool FileExists(const std::string& path) override { return base_->FileExists(path); }
  bool IsDirectory(const std::string& path) override { return base_->IsDirectory(path); }
  bool IsSymlink(const std::string& path) override { return base_->IsSymlink(path); }
  bool IsRegularFile(const std::string& path) override { return base_->IsRegularFile(path); }
  Status GetFileSize(const std::string& path, uint64_t* size) override { return base_->GetFileSize(path, size); }
  Status GetMode(const std::string& path, mode_t* mode) override { return base_->GetMode(path, mode); }
  Status LockFile(const std::string& path, std::unique_ptr<FileLock>* lock) override {
    return base_->LockFile(path, lock);
  }
  int64_t NowMicros() override { return base_->NowMicros(); }
  int64_t MonotonicMicros() override { return base_->MonotonicMicros(); }
  void SleepMicros(int64_t micros) override { base_->SleepMicros(micros); }

 private:
  Env* base_;
};

}  // namespace alcor::testing
