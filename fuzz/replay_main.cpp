// fuzz_replay: runs fuzz targets over kept inputs without libFuzzer (a ctest suite of the normal
// build). Usage:
//   fuzz_replay DIR              every registered target over DIR/<target>/* (fuzz/regressions)
//   fuzz_replay TARGET FILE...   one target over the given files
//   fuzz_replay --list           the target names, one per line
// A crash or a broken promise ends the process (ctest reports it); otherwise it prints how many
// inputs each target ran and exits 0.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz_target.hpp"

namespace alcor::fuzz {
namespace {

std::string ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void RunOne(TargetFunction target, const std::filesystem::path& file) {
  std::string bytes = ReadAll(file);
  target(bytes);
}

}  // namespace
}  // namespace alcor::fuzz

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  using alcor::fuzz::FindTarget;
  using alcor::fuzz::TargetNames;
  if (argc == 2 && std::string(argv[1]) == "--list") {
    for (const std::string& name : TargetNames()) std::printf("%s\n", name.c_str());
    return 0;
  }
  if (argc == 2) {
    fs::path root = argv[1];
    for (const std::string& name : TargetNames()) {
      std::vector<fs::path> files;
      if (fs::is_directory(root / name))
        for (const auto& e : fs::directory_iterator(root / name))
          if (e.is_regular_file()) files.push_back(e.path());
      std::sort(files.begin(), files.end());
      for (const fs::path& f : files) alcor::fuzz::RunOne(FindTarget(name), f);
      std::printf("%s: %zu inputs\n", name.c_str(), files.size());
    }
    return 0;
  }
  if (argc >= 3) {
    alcor::fuzz::TargetFunction target = FindTarget(argv[1]);
    if (target == nullptr) {
      std::fprintf(stderr, "fuzz_replay: no target %s (see --list)\n", argv[1]);
      return 2;
    }
    for (int i = 2; i < argc; ++i) alcor::fuzz::RunOne(target, argv[i]);
    std::printf("%s: %d inputs\n", argv[1], argc - 2);
    return 0;
  }
  std::fprintf(stderr, "usage: fuzz_replay DIR | fuzz_replay TARGET FILE... | fuzz_replay --list\n");
  return 2;
}
