// A real temporary directory for a test, removed with everything in it on destruction.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace alcor::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Writes content to path (creating parent folders); aborts the test on failure.
void WriteFile(const std::string& path, const std::string& content);
// The whole file. A file that cannot be opened fails the current test (ADD_FAILURE naming the
// path) and reads as "": a golden test whose expected file is missing fails instead of comparing
// "" with "".
std::string ReadFile(const std::string& path);

// Runs a shell command line; returns its exit status (as from WEXITSTATUS; 128+N for signal N)
// and captures stdout and stderr when the pointers are given.
int RunCommand(const std::string& command, std::string* out = nullptr, std::string* err = nullptr);

// Each non-empty line of text (JSON lines, as commands print them) parsed; a line that is not
// JSON throws, failing the test.
std::vector<nlohmann::json> ParseJsonLines(const std::string& text);

// How many times what occurs in text (overlapping occurrences counted).
size_t CountOccurrences(const std::string& text, const std::string& what);

// Path of the alcor binary under test ($ALCOR_BIN, set by CTest).
std::string AlcorBin();
// True when the CI environment variable is set (to anything but ""): tests must then not skip
// for want of inputs.
bool OnCi();
// The shared real fixtures folder (../shared/fixtures/real relative to the source tree), or ""
// when it is absent; tests then GTEST_SKIP with a message. Absent on CI (OnCi()), it also fails
// the current test, naming the folder, so CI cannot pass with the real-payload contract tests
// skipped unseen.
std::string RealFixturesDir();
// tests/fixtures of the source tree.
std::string ProjectFixturesDir();

}  // namespace alcor::testing
