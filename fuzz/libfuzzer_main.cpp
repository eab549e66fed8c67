// alcor_fuzz: the libFuzzer entry points for every target of fuzz/targets/. The target is the
// ALCOR_FUZZ_TARGET environment variable, else the name the binary runs under without its
// "fuzz_" prefix (scripts/fuzz links build-fuzz/fuzz/fuzz_<target> to alcor_fuzz).
#include <cstdio>
#include <cstdlib>
#include <string>

#include "fuzz_target.hpp"

namespace {

alcor::fuzz::TargetFunction selected = nullptr;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  std::string name;
  if (const char* env = std::getenv("ALCOR_FUZZ_TARGET"); env && *env) {
    name = env;
  } else {
    name = (*argv)[0];
    if (size_t slash = name.rfind('/'); slash != std::string::npos) name.erase(0, slash + 1);
    if (name.rfind("fuzz_", 0) == 0) name.erase(0, 5);
  }
  selected = alcor::fuzz::FindTarget(name);
  if (selected == nullptr) {
    std::fprintf(stderr, "alcor_fuzz: no target '%s'; set ALCOR_FUZZ_TARGET to one of:", name.c_str());
    for (const std::string& n : alcor::fuzz::TargetNames()) std::fprintf(stderr, " %s", n.c_str());
    std::fprintf(stderr, "\n");
    std::exit(2);
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  selected(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
