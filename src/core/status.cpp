#include "alcor/enum_names.hpp"
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

constexpr EnumName<Status::Code> kCodeNames[] = {
    {Status::Code::kOk, "OK"},
    {Status::Code::kNotFound, "Not found"},
    {Status::Code::kCorruption, "Corruption"},
    {Status::Code::kIOError, "IO error"},
    {Status::Code::kInvalidArgument, "Invalid argument"},
    {Status::Code::kNotSupported, "Not supported"},
    {Status::Code::kLocked, "Locked"},
    {Status::Code::kNetwork, "Network error"},
    {Status::Code::kHttp, "HTTP error"},
    {Status::Code::kLimitExceeded, "Limit exceeded"},
    {Status::Code::kInterrupted, "Interrupted"},
    {Status::Code::kAlreadyExists, "Already exists"},
    {Status::Code::kBlocked, "Blocked"},
    {Status::Code::kRobotsDenied, "Robots denied"},
    {Status::Code::kInternal, "Internal"},
};

const char* Status::CodeName(Code code) { return NameIn(kCodeNames, code, "Unknown"); }

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
