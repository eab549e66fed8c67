// The POSIX Env: real files, real clock.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "alcor/env.hpp"

namespace alcor {
namespace {

class PosixWritableFile : public WritableFile {
 public:
  PosixWritableFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixWritableFile() override { Close(); }

  Status Append(std::string_view data) override {
    if (buffer_.size() + data.size() > kBufferSize) ALCOR_RETURN_IF_ERROR(FlushBuffer());
    if (data.size() >= kBufferSize) return WriteRaw(data);
    buffer_.append(data);
    return Status::OK();
  }
  Status Sync() override {
    ALCOR_RETURN_IF_ERROR(FlushBuffer());
    if (fd_ >= 0 && ::fdatasync(fd_) != 0) return Status::IOErrorFromErrno("fsync", path_, errno);
    return Status::OK();
  }
  Status Close() override {
    if (fd_ < 0) return Status::OK();
    Status s = FlushBuffer();
    if (::close(fd_) != 0 && s.ok()) s = Status::IOErrorFromErrno("close", path_, errno);
    fd_ = -1;
    return s;
  }

 private:
  static constexpr size_t kBufferSize = 1 << 16;
  Status FlushBuffer() {
    Status s = WriteRaw(buffer_);
    buffer_.clear();
    return s;
  }
  Status WriteRaw(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::write(fd_, data.data(), data.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return Status::IOErrorFromErrno("write", path_, errno);
      }
      data.remove_prefix(static_cast<size_t>(n));
    }
    return Status::OK();
  }
  std::string path_;
  int fd_;
  std::string buffer_;
};

class PosixSequentialFile : public SequentialFile {
 public:
  PosixSequentialFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixSequentialFile() override { ::close(fd_); }
  Status Read(size_t n, char* scratch, size_t* read) override {
    while (true) {
      ssize_t r = ::read(fd_, scratch, n);
      if (r < 0) {
        if (errno == EINTR) continue;
        *read = 0;
        return Status::IOErrorFromErrno("read", path_, errno);
      }
      *read = static_cast<size_t>(r);
      return Status::OK();
    }
  }
  Status Skip(uint64_t n) override {
    if (::lseek(fd_, static_cast<off_t>(n), SEEK_CUR) < 0) return Status::IOErrorFromErrno("lseek", path_, errno);
    return Status::OK();
  }

 private:
  std::string path_;
  int fd_;
};

class PosixFileLock : public FileLock {
 public:
  explicit PosixFileLock(int fd) : fd_(fd) {}
  ~PosixFileLock() override { ::close(fd_); }  // closing releases the flock

 private:
  int fd_;
};

class PosixEnv : public Env {
 public:
  Status NewWritableFile(const std::string& path, mode_t mode,
                         std::unique_ptr<WritableFile>* file) override {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) return Status::IOErrorFromErrno("open for writing", path, errno);
    if (::fchmod(fd, mode) != 0) {
      int e = errno;
      ::close(fd);
      return Status::IOErrorFromErrno("chmod", path, e);
    }
    *file = std::make_unique<PosixWritableFile>(path, fd);
    return Status::OK();
  }

  Status NewSequentialFile(const std::string& path,
                           std::unique_ptr<SequentialFile>* file) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT) return Status::NotFound(path + ": no such file");
      return Status::IOErrorFromErrno("open", path, errno);
    }
    *file = std::make_unique<PosixSequentialFile>(path, fd);
    return Status::OK();
  }

  Status RenameFile(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0)
      return Status::IOErrorFromErrno("rename to " + to, from, errno);
    return Status::OK();
  }

  Status RemoveFile(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) {
      if (errno == ENOENT) return Status::NotFound(path + ": no such file");
      return Status::IOErrorFromErrno("remove", path, errno);
    }
    return Status::OK();
  }

  Status CreateDirs(const std::string& path, mode_t mode) override {
    if (path.empty()) return Status::OK();
    struct stat st;
    if (::stat(path.c_str(), &st) == 0) {
      if (S_ISDIR(st.st_mode)) return Status::OK();
      return Status::IOError(path + ": exists and is not a directory");
    }
    std::string parent = DirName(path);
    if (parent != path && !parent.empty()) ALCOR_RETURN_IF_ERROR(CreateDirs(parent, mode));
    if (::mkdir(path.c_str(), mode) != 0 && errno != EEXIST)
      return Status::IOErrorFromErrno("mkdir", path, errno);
    ::chmod(path.c_str(), mode);  // mkdir's mode is filtered by umask
    return Status::OK();
  }

  Status SyncDir(const std::string& dir) override {
    int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return Status::IOErrorFromErrno("open directory", dir, errno);
    Status s;
    if (::fsync(fd) != 0) s = Status::IOErrorFromErrno("fsync directory", dir, errno);
    ::close(fd);
    return s;
  }

  Status GetChildren(const std::string& dir, std::vector<std::string>* names) override {
    names->clear();
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) {
      if (errno == ENOENT) return Status::NotFound(dir + ": no such directory");
      return Status::IOErrorFromErrno("list", dir, errno);
    }
    while (struct dirent* e = ::readdir(d)) {
      if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) continue;
      names->emplace_back(e->d_name);
    }
    ::closedir(d);
    return Status::OK();
  }

  bool FileExists(const std::string& path) override { return ::access(path.c_str(), F_OK) == 0; }

  bool IsDirectory(const std::string& path) override {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
  }

  bool IsRegularFile(const std::string& path) override {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
  }

  bool IsSymlink(const std::string& path) override {
    struct stat st;
    return ::lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode);
  }

  Status GetFileSize(const std::string& path, uint64_t* size) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return Status::IOErrorFromErrno("stat", path, errno);
    *size = static_cast<uint64_t>(st.st_size);
    return Status::OK();
  }

  Status GetMode(const std::string& path, mode_t* mode) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return Status::IOErrorFromErrno("stat", path, errno);
    *mode = st.st_mode & 07777;
    return Status::OK();
  }

  Status LockFile(const std::string& path, std::unique_ptr<FileLock>* lock) override {
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, kPrivateFileMode);
    if (fd < 0) return Status::IOErrorFromErrno("open lock file", path, errno);
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      int e = errno;
      char buf[64] = {0};
      ssize_t n = ::pread(fd, buf, sizeof(buf) - 1, 0);
      ::close(fd);
      if (e == EWOULDBLOCK) {
        std::string holder = n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
        while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) holder.pop_back();
        std::string msg = path + ": held by another alcor process";
        if (!holder.empty()) msg += " (" + holder + ")";
        return Status::Locked(msg);
      }
      return Status::IOErrorFromErrno("lock", path, e);
    }
    // Record who holds it, for the message a second writer prints.
    std::string who = "pid " + std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd, 0) == 0) {
      ssize_t ignored = ::pwrite(fd, who.data(), who.size(), 0);
      (void)ignored;
    }
    *lock = std::make_unique<PosixFileLock>(fd);
    return Status::OK();
  }

  int64_t NowMicros() override {
    struct timespec ts;
    ::clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
  }
  int64_t MonotonicMicros() override {
    struct timespec ts;
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
  }
  void SleepMicros(int64_t micros) override {
    if (micros <= 0) return;
    struct timespec ts{static_cast<time_t>(micros / 1000000), static_cast<long>((micros % 1000000) * 1000)};
    while (::nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
  }
};

}  // namespace

Env* Env::Default() {
  static PosixEnv* env = new PosixEnv();
  return env;
}

Status SequentialFile::Skip(uint64_t n) {
  char scratch[1 << 16];
  while (n > 0) {
    size_t got = 0;
    ALCOR_RETURN_IF_ERROR(Read(static_cast<size_t>(std::min<uint64_t>(n, sizeof(scratch))), scratch, &got));
    if (got == 0) break;
    n -= got;
  }
  return Status::OK();
}

Status ReadFileToString(Env* env, const std::string& path, std::string* out, uint64_t max_bytes) {
  out->clear();
  std::unique_ptr<SequentialFile> file;
  ALCOR_RETURN_IF_ERROR(env->NewSequentialFile(path, &file));
  std::string chunk(1 << 16, '\0');
  while (true) {
    size_t n = 0;
    ALCOR_RETURN_IF_ERROR(file->Read(chunk.size(), chunk.data(), &n));
    if (n == 0) break;
    if (out->size() + n > max_bytes)
      return Status::LimitExceeded(path + ": larger than " + std::to_string(max_bytes) + " bytes");
    out->append(chunk.data(), n);
  }
  return Status::OK();
}

Status WriteFileAtomically(Env* env, const std::string& path, std::string_view data, mode_t mode) {
  std::string tmp = JoinPath(DirName(path), "." + BaseName(path) + ".tmp");
  std::unique_ptr<WritableFile> file;
  ALCOR_RETURN_IF_ERROR(env->NewWritableFile(tmp, mode, &file));
  Status s = file->Append(data);
  if (s.ok()) s = file->Sync();
  if (s.ok()) s = file->Close();
  file.reset();
  if (s.ok()) s = env->RenameFile(tmp, path);
  if (!s.ok()) {
    env->RemoveFile(tmp);
    return s;
  }
  return env->SyncDir(DirName(path));
}

std::string JoinPath(std::string_view dir, std::string_view name) {
  if (dir.empty() || dir == ".") return std::string(name);
  std::string out(dir);
  if (out.back() != '/') out += '/';
  out += name;
  return out;
}

std::string DirName(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return ".";
  if (slash == 0) return "/";
  return std::string(path.substr(0, slash));
}

std::string BaseName(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  size_t slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

}  // namespace alcor
