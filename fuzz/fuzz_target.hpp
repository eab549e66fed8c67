// One fuzz target: a function of the bytes of one input that must return (not crash, not hang,
// not allocate without bound) whatever the bytes are.
//
//   ALCOR_FUZZ_TARGET(feed) { ... ParseFeed(input, ...) ... }
//
// Every file of fuzz/targets/ defines one, and all of them are compiled into two programs that
// pick a target by name: alcor_fuzz (the fuzz build of scripts/fuzz, build-fuzz/: clang with
// -fsanitize=fuzzer,address,undefined; the target is named by ALCOR_FUZZ_TARGET or by the name
// the binary is run under, fuzz_<target>) and fuzz_replay (the test build: a ctest suite that
// replays the inputs kept under fuzz/regressions/<target>/, so a fixed crash stays fixed).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace alcor::fuzz {

using TargetFunction = void (*)(std::string_view input);

// Adds a target to the table of targets; returns a dummy for a static initialiser.
int RegisterTarget(const char* name, TargetFunction function);
// The target registered under name, or nullptr.
TargetFunction FindTarget(std::string_view name);
// The names of the registered targets, sorted.
std::vector<std::string> TargetNames();

// A harness states a property its target promises; a violation aborts (a finding, like a crash).
void Check(bool promised, const char* what);

// Writes bytes to this process's scratch file `name` (under $TMPDIR, else /tmp; no fsync: a
// reader of paths gets its input quickly) and returns its path.
std::string WriteScratchFile(std::string_view name, std::string_view bytes);

}  // namespace alcor::fuzz

#define ALCOR_FUZZ_TARGET(name)                                                    \
  static void AlcorFuzzTarget_##name(std::string_view input);                      \
  [[maybe_unused]] static const int kAlcorFuzzRegistered_##name =                 \
      ::alcor::fuzz::RegisterTarget(#name, &AlcorFuzzTarget_##name);              \
  static void AlcorFuzzTarget_##name(std::string_view input)
