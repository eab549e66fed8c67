// Status: the one error model of alcor (after leveldb's Status).
//
// Expected failures (a missing file, a corrupt shard, a 404, a duplicate) are values, never
// exceptions. A Status is cheap to copy when ok. Messages are for people: they name the input
// (path, URL, line) and what is wrong with it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace alcor {

class Status {
 public:
  enum class Code {
    kOk = 0,
    kNotFound,
    kCorruption,       // stored data is damaged or malformed
    kIOError,          // the OS refused a file operation
    kInvalidArgument,  // bad user input: flags, config, a malformed document
    kNotSupported,
    kLocked,           // the store is held by another process
    kNetwork,          // connection, TLS, timeout, protocol refused
    kHttp,             // the server answered with an error status
    kLimitExceeded,    // a size, depth or count cap was hit
    kInterrupted,      // SIGINT/SIGTERM asked us to stop
    kAlreadyExists,
    kBlocked,          // the site's bot protection refused us (a challenge page, 403/429 to a client)
    kRobotsDenied,     // robots.txt forbids the URL; nothing was requested
    kInternal,         // a bug: an exception escaped a source or a conversion
  };

  Status() = default;
  static Status OK() { return Status(); }
  static Status NotFound(std::string_view msg) { return Status(Code::kNotFound, msg); }
  static Status Corruption(std::string_view msg) { return Status(Code::kCorruption, msg); }
  static Status IOError(std::string_view msg) { return Status(Code::kIOError, msg); }
  static Status InvalidArgument(std::string_view msg) { return Status(Code::kInvalidArgument, msg); }
  static Status NotSupported(std::string_view msg) { return Status(Code::kNotSupported, msg); }
  static Status Locked(std::string_view msg) { return Status(Code::kLocked, msg); }
  static Status Network(std::string_view msg) { return Status(Code::kNetwork, msg); }
  // The server answered http_status (a final non-2xx answer); http_status() returns it.
  static Status Http(int http_status, std::string_view msg) {
    Status s(Code::kHttp, msg);
    s.http_status_ = http_status;
    return s;
  }
  static Status LimitExceeded(std::string_view msg) { return Status(Code::kLimitExceeded, msg); }
  static Status Interrupted(std::string_view msg) { return Status(Code::kInterrupted, msg); }
  static Status AlreadyExists(std::string_view msg) { return Status(Code::kAlreadyExists, msg); }
  static Status Blocked(std::string_view msg) { return Status(Code::kBlocked, msg); }
  static Status RobotsDenied(std::string_view msg) { return Status(Code::kRobotsDenied, msg); }
  // Message "internal error: <msg>": what a caller catching an exception reports.
  static Status Internal(std::string_view msg);
  // An IOError carrying strerror(errno_value), e.g. IOErrorFromErrno("open", path, errno).
  static Status IOErrorFromErrno(std::string_view what, std::string_view path, int errno_value);

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  bool IsNotFound() const { return code_ == Code::kNotFound; }
  bool IsCorruption() const { return code_ == Code::kCorruption; }
  bool IsLocked() const { return code_ == Code::kLocked; }
  bool IsInterrupted() const { return code_ == Code::kInterrupted; }
  bool IsBlocked() const { return code_ == Code::kBlocked; }
  bool IsRobotsDenied() const { return code_ == Code::kRobotsDenied; }
  const std::string& message() const { return message_; }
  // The HTTP status of a kHttp error made by Status::Http (404, 503, ...); 0 for every other
  // Status. It survives WithContext and WithMessage.
  int http_status() const { return http_status_; }

  // "Corruption: shards/x.jsonl.zst:12: bad JSON" ("OK" when ok).
  std::string ToString() const;
  static const char* CodeName(Code code);

  // Returns a copy whose message is "<context>: <message>".
  Status WithContext(std::string_view context) const;
  // Returns a copy with the same code (and HTTP status) whose message is message (a redacted one).
  Status WithMessage(std::string_view message) const;

 private:
  Status(Code code, std::string_view msg) : code_(code), message_(msg) {}
  Code code_ = Code::kOk;
  int http_status_ = 0;
  std::string message_;
};

// A value or the Status that explains its absence.
// REQUIRES: value() only when ok().
template <typename T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {}  // NOLINT: must not be ok
  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() { return *value_; }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace alcor

#define ALCOR_RETURN_IF_ERROR(expr)      \
  do {                                   \
    ::alcor::Status _alcor_s = (expr);   \
    if (!_alcor_s.ok()) return _alcor_s; \
  } while (0)
