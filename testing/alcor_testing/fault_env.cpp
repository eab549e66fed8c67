#include "alcor_testing/fault_env.hpp"

#include <cstring>

namespace alcor::testing {
namespace {

class MemorySequentialFile : public SequentialFile {
 public:
  explicit MemorySequentialFile(const std::string* data) : data_(data) {}
  Status Read(size_t n, char* scratch, size_t* read) override {
    *read = std::min(n, data_->size() - pos_);
    std::memcpy(scratch, data_->data() + pos_, *read);
    pos_ += *read;
    return Status::OK();
  }

 private:
  const std::string* data_;
  size_t pos_ = 0;
};

class FaultyWritableFile : public WritableFile {
 public:
  FaultyWritableFile(FaultEnv* env, std::string path, std::unique_ptr<WritableFile> base)
      : env_(env), path_(std::move(path)), base_(std::move(base)) {}
  Status Append(std::string_view data) override {
    if (env_->ShouldFail(FaultEnv::Op::kAppend)) return Status::IOError(path_ + ": write: injected fault");
    return base_->Append(data);
  }
  Status Sync() override {
    if (env_->ShouldFail(FaultEnv::Op::kSync)) return Status::IOError(path_ + ": fsync: injected fault");
    return base_->Sync();
  }
  Status Close() override { return base_->Close(); }

 private:
  FaultEnv* env_;
  std::string path_;
  std::unique_ptr<WritableFile> base_;
};

}  // namespace

Status FaultEnv::NewWritableFile(const std::string& path, mode_t mode, std::unique_ptr<WritableFile>* file) {
  std::unique_ptr<WritableFile> real;
  ALCOR_RETURN_IF_ERROR(base()->NewWritableFile(path, mode, &real));
  *file = std::make_unique<FaultyWritableFile>(this, path, std::move(real));
  return Status::OK();
}

Status FaultEnv::NewSequentialFile(const std::string& path, std::unique_ptr<SequentialFile>* file) {
  auto it = memory_.find(path);
  if (it != memory_.end()) {
    *file = std::make_unique<MemorySequentialFile>(&it->second);
    return Status::OK();
  }
  return base()->NewSequentialFile(path, file);
}

Status FaultEnv::RenameFile(const std::string& from, const std::string& to) {
  if (ShouldFail(Op::kRename)) return Status::IOError(from + ": rename: injected fault");
  ALCOR_RETURN_IF_ERROR(base()->RenameFile(from, to));
  renames_.push_back(to);
  return Status::OK();
}

Status FaultEnv::GetFileSize(const std::string& path, uint64_t* size) {
  auto it = memory_.find(path);
  if (it != memory_.end()) {
    *size = it->second.size();
    return Status::OK();
  }
  return base()->GetFileSize(path, size);
}

}  // namespace alcor::testing
