#include "fuzz_target.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <map>

namespace alcor::fuzz {
namespace {

std::map<std::string, TargetFunction, std::less<>>& Targets() {
  static std::map<std::string, TargetFunction, std::less<>> targets;
  return targets;
}

}  // namespace

int RegisterTarget(const char* name, TargetFunction function) {
  Targets()[name] = function;
  return 0;
}

TargetFunction FindTarget(std::string_view name) {
  auto it = Targets().find(name);
  return it == Targets().end() ? nullptr : it->second;
}

std::vector<std::string> TargetNames() {
  std::vector<std::string> names;
  for (const auto& [name, function] : Targets()) names.push_back(name);
  return names;
}

void Check(bool promised, const char* what) {
  if (promised) return;
  std::fprintf(stderr, "fuzz: broken promise: %s\n", what);
  std::abort();
}

std::string WriteScratchFile(std::string_view name, std::string_view bytes) {
  const char* dir = std::getenv("TMPDIR");
  std::string path = std::string(dir && *dir ? dir : "/tmp") + "/alcor-fuzz-" + std::to_string(getpid()) + "-" +
                     std::string(name);
  std::FILE* f = std::fopen(path.c_str(), "wb");
  Check(f != nullptr, "the scratch file opens");
  Check(std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size(), "the scratch file is written");
  Check(std::fclose(f) == 0, "the scratch file is written");
  return path;
}

}  // namespace alcor::fuzz
