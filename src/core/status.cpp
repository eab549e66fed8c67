#include "alcor/status.hpp"

#include <cstring>

namespace alcor {

Status Status::IOErrorFromErrno(std::string_view what, std::string_view path, int errno_value) {
  std::string msg(path);
  msg += ": ";
  msg += what;
  msg += ": ";
  msg += std::strerror(errno_value);
  return Status(Code::kIOError, msg);
}

Status Status::Internal(std::string_view msg) {
  return Status(Code::kInternal, "internal error: " + std::string(msg));
}

const char* Status::CodeName(Code code) {
  switch (code) {
    case Code::kOk: return "OK";
    case Code::kNotFound: return "Not found";
    case Code::kCorruption: return "Corruption";
    case Code::kIOError: return "IO error";
    case Code::kInvalidArgument: return "Invalid argument";
    case Code::kNotSupported: return "Not supported";
    case Code::kLocked: return "Locked";
    case Code::kNetwork: return "Network error";
    case Code::kHttp: return "HTTP error";
    case Code::kLimitExceeded: return "Limit exceeded";
    case Code::kInterrupted: return "Interrupted";
    case Code::kAlreadyExists: return "Already exists";
    case Code::kBlocked: return "Blocked";
    case Code::kRobotsDenied: return "Robots denied";
    case Code::kInternal: return "Internal";
  }
  return "Unknown";
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string out = CodeName(code_);
  out += ": ";
  out += message_;
  return out;
}

Status Status::WithContext(std::string_view context) const {
  if (ok()) return *this;
  std::string msg(context);
  msg += ": ";
  msg += message_;
  return WithMessage(msg);
}

Status Status::WithMessage(std::string_view message) const {
  if (ok()) return *this;
  Status out(code_, message);
  out.http_status_ = http_status_;
  return out;
}

}  // namespace alcor
