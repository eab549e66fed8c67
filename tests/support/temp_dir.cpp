#include "support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace alcor::testing {

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string templ = std::string(base && *base ? base : "/tmp") + "/alcor-test-XXXXXX";
  char* made = ::mkdtemp(templ.data());
  if (made == nullptr) std::abort();
  path_ = made;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

void WriteFile(const std::string& path, const std::string& content) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream out(path, std::ios::binary);
  out << content;
  ASSERT_TRUE(out.good()) << "cannot write " << path;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ADD_FAILURE() << "cannot read " << path << " (missing?)";
    return "";
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<nlohmann::json> ParseJsonLines(const std::string& text) {
  std::vector<nlohmann::json> lines;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    if (nl > pos) lines.push_back(nlohmann::json::parse(text.substr(pos, nl - pos)));
    pos = nl + 1;
  }
  return lines;
}

size_t CountOccurrences(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) ++n;
  return n;
}

int RunCommand(const std::string& command, std::string* out, std::string* err) {
  TempDir tmp;
  std::string line = command + " >" + tmp.Sub("out") + " 2>" + tmp.Sub("err");
  int rc = std::system(line.c_str());
  if (out) *out = ReadFile(tmp.Sub("out"));
  if (err) *err = ReadFile(tmp.Sub("err"));
  if (rc == -1) return -1;
  if (WIFEXITED(rc)) return WEXITSTATUS(rc);
  if (WIFSIGNALED(rc)) return 128 + WTERMSIG(rc);
  return rc;
}

std::string AlcorBin() {
  const char* bin = std::getenv("ALCOR_BIN");
  return bin ? bin : "build/alcor";
}

bool OnCi() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && *ci != '\0';
}

std::string RealFixturesDir() {
  const char* src = std::getenv("ALCOR_SOURCE_DIR");
  std::string dir = std::string(src ? src : ".") + "/../shared/fixtures/real";
  if (std::filesystem::is_directory(dir)) return dir;
  if (OnCi()) ADD_FAILURE() << dir << " is absent: on CI (the CI variable is set) the real-payload tests must run";
  return "";
}

std::string ProjectFixturesDir() {
  const char* src = std::getenv("ALCOR_SOURCE_DIR");
  return std::string(src ? src : ".") + "/tests/fixtures";
}

}  // namespace alcor::testing
