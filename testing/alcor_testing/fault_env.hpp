// An Env for tests: forwards to the real POSIX Env, except that
//   - files put with PutMemoryFile are read from memory (fast byte-by-byte damage tests);
//   - a write-side fault can be armed: the Nth Append/Sync/Rename from now fails with IOError;
// and it records the operations it saw (ninja's fakes style) for tests to assert on.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "alcor_testing/forwarding_env.hpp"

namespace alcor::testing {

class FaultEnv : public ForwardingEnv {
 public:
  enum class Op { kAppend, kSync, kRename };

  FaultEnv() : ForwardingEnv(Env::Default()) {}

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
  bool FileExists(const std::string& path) override { return memory_.count(path) || base()->FileExists(path); }
  Status GetFileSize(const std::string& path, uint64_t* size) override;

 private:
  std::map<std::string, std::string> memory_;
  std::mutex mu_;
  Op fail_op_ = Op::kAppend;
  int countdown_ = 0;
  std::vector<std::string> renames_;
};

}  // namespace alcor::testing
