// Env: every file-system and clock access of alcor goes through this interface (after leveldb's
// Env), so tests can inject faults (a failing fsync, a full disk) and a fake clock.
//
// Thread safety: Env methods may be called from any thread. A WritableFile or SequentialFile is
// used by one thread at a time.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "alcor/status.hpp"

namespace alcor {

// Permission bits of everything alcor creates in a store: private to the owner.
inline constexpr mode_t kPrivateDirMode = 0700;
inline constexpr mode_t kPrivateFileMode = 0600;

class WritableFile {
 public:
  virtual ~WritableFile() = default;
  virtual Status Append(std::string_view data) = 0;
  // Pushes buffered data to the OS and then to stable storage (fsync).
  virtual Status Sync() = 0;
  // Flushes and closes. Calling Close twice is harmless.
  virtual Status Close() = 0;
};

class SequentialFile {
 public:
  virtual ~SequentialFile() = default;
  // Reads up to n bytes into scratch; *read is 0 only at end of file.
  virtual Status Read(size_t n, char* scratch, size_t* read) = 0;
  // Moves n bytes forward (reading them when the file cannot seek); past the end is the end.
  virtual Status Skip(uint64_t n);
};

// An exclusive advisory lock on a file; released on destruction or when the process dies.
class FileLock {
 public:
  virtual ~FileLock() = default;
};

class Env {
 public:
  virtual ~Env() = default;

  // The process-wide POSIX environment. Never deleted.
  static Env* Default();

  // Creates or truncates path with the given mode (the mode is enforced even against umask).
  virtual Status NewWritableFile(const std::string& path, mode_t mode,
                                 std::unique_ptr<WritableFile>* file) = 0;
  // "-" is not special here; callers wrap stdin themselves.
  virtual Status NewSequentialFile(const std::string& path,
                                   std::unique_ptr<SequentialFile>* file) = 0;
  // Atomically replaces to with from (rename(2)).
  virtual Status RenameFile(const std::string& from, const std::string& to) = 0;
  virtual Status RemoveFile(const std::string& path) = 0;
  // mkdir -p; directories it creates get mode.
  virtual Status CreateDirs(const std::string& path, mode_t mode) = 0;
  // Makes renames and creations inside dir durable (fsync of the directory).
  virtual Status SyncDir(const std::string& dir) = 0;
  // Names (not paths) of the entries of dir, without "." and "..".
  virtual Status GetChildren(const std::string& dir, std::vector<std::string>* names) = 0;
  virtual bool FileExists(const std::string& path) = 0;
  virtual bool IsDirectory(const std::string& path) = 0;
  // True when path itself is a symbolic link (lstat(2); the link is not followed).
  virtual bool IsSymlink(const std::string& path) = 0;
  // True for a regular file (after symlinks); false for folders, FIFOs, sockets, devices, absent paths.
  virtual bool IsRegularFile(const std::string& path) = 0;
  virtual Status GetFileSize(const std::string& path, uint64_t* size) = 0;
  // Permission bits (st_mode & 07777).
  virtual Status GetMode(const std::string& path, mode_t* mode) = 0;
  // Takes an exclusive lock on path (creating it), without waiting. On failure because another
  // process holds it, returns Locked whose message names the holder's pid when known.
  virtual Status LockFile(const std::string& path, std::unique_ptr<FileLock>* lock) = 0;

  // Wall-clock microseconds since the Unix epoch.
  virtual int64_t NowMicros() = 0;
  // Monotonic microseconds, for measuring durations.
  virtual int64_t MonotonicMicros() = 0;
  virtual void SleepMicros(int64_t micros) = 0;
};

// Reads a whole file. Fails with LimitExceeded when it is larger than max_bytes.
Status ReadFileToString(Env* env, const std::string& path, std::string* out,
                        uint64_t max_bytes = uint64_t{1} << 30);

// Writes data to path atomically: a temporary sibling, fsync, rename over path, fsync of the
// directory. Readers see the old content or the new, never a mix; a failure leaves no temporary.
Status WriteFileAtomically(Env* env, const std::string& path, std::string_view data,
                           mode_t mode = kPrivateFileMode);

// Path helpers (plain string manipulation, no I/O).
std::string JoinPath(std::string_view dir, std::string_view name);
std::string DirName(std::string_view path);
std::string BaseName(std::string_view path);

}  // namespace alcor
