// `alcor normalize` as a process: document mode, --jsonl (fields kept, errors reported with line
// number and id, exit 1 at the end), streaming line by line, and a 50 MB line.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <string>

#include <nlohmann/json.hpp>

#include "support/temp_dir.hpp"

namespace alcor {
namespace {

using testing::AlcorBin;
using testing::ReadFile;
using testing::RunCommand;
using testing::TempDir;
using testing::WriteFile;

std::vector<nlohmann::json> ParseLines(const std::string& out) { return testing::ParseJsonLines(out); }

TEST(NormalizeCli, DocumentFromStdin) {
  TempDir dir;
  WriteFile(dir.Sub("page.html"),
            "<html><head><meta charset=\"iso-8859-1\"><title>t</title></head><body><h2>Caf\xE9</h2>"
            "<p>See <a href=\"x.html\">this</a>.</p></body></html>");
  std::string out, err;
  int rc = RunCommand(AlcorBin() + " normalize --base-url https://ex.org/d/ < " + dir.Sub("page.html"), &out, &err);
  EXPECT_EQ(rc, 0) << err;
  EXPECT_EQ(out, "## Caf\xC3\xA9\n\nSee [this](https://ex.org/d/x.html).\n");
}

TEST(NormalizeCli, JsonlKeepsFieldsAndReportsBadLines) {
  TempDir dir;
  std::string in =
      R"({"id":"a","url":"https://ex.org/p/","source":"blog:x","html":"<p>One <a href='q'>link</a></p>"})" "\n"
      "this is not json\n"
      "\n"
      R"({"id":"c","html":null})" "\n"
      R"({"id":"d","metadata":{"karma":3},"html":"<html lang=fr><title>Titre</title><p>Deux</p>"})" "\n";
  WriteFile(dir.Sub("in.jsonl"), in);
  std::string out, err;
  int rc = RunCommand(AlcorBin() + " normalize --jsonl < " + dir.Sub("in.jsonl"), &out, &err);
  EXPECT_EQ(rc, 1);
  EXPECT_NE(err.find("line 2: "), std::string::npos) << err;
  EXPECT_NE(err.find("line 4 (id c): "), std::string::npos) << err;
  std::vector<nlohmann::json> lines = ParseLines(out);
  ASSERT_EQ(lines.size(), 2u) << out;
  EXPECT_EQ(lines[0]["id"], "a");
  EXPECT_EQ(lines[0]["source"], "blog:x");
  EXPECT_EQ(lines[0]["url"], "https://ex.org/p/");
  EXPECT_FALSE(lines[0].contains("html"));
  EXPECT_EQ(lines[0]["text"], "One [link](https://ex.org/p/q)\n");
  EXPECT_TRUE(lines[0]["metadata"].is_object());
  EXPECT_EQ(lines[1]["text"], "Deux\n");
  EXPECT_EQ(lines[1]["metadata"]["karma"], 3);
  EXPECT_EQ(lines[1]["metadata"]["title"], "Titre");
  EXPECT_EQ(lines[1]["metadata"]["language"], "fr");
}

TEST(NormalizeCli, JsonlAllGoodExitsZero) {
  TempDir dir;
  WriteFile(dir.Sub("in.jsonl"), R"({"html":"<p>x</p>"})" "\n" R"({"html":"<p>y</p>"})");  // no final newline
  std::string out, err;
  EXPECT_EQ(RunCommand(AlcorBin() + " normalize --jsonl --main-content < " + dir.Sub("in.jsonl"), &out, &err), 0)
      << err;
  EXPECT_EQ(ParseLines(out).size(), 2u);
}

// Writes one line, then waits for its output before writing the next: a command that read all of
// stdin first would never answer.
TEST(NormalizeCli, JsonlStreamsLineByLine) {
  int to_child[2], from_child[2];
  ASSERT_EQ(pipe(to_child), 0);
  ASSERT_EQ(pipe(from_child), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    dup2(to_child[0], 0);
    dup2(from_child[1], 1);
    close(to_child[1]);
    close(from_child[0]);
    std::string bin = AlcorBin();
    execl(bin.c_str(), bin.c_str(), "normalize", "--jsonl", static_cast<char*>(nullptr));
    _exit(127);
  }
  close(to_child[0]);
  close(from_child[1]);
  auto read_line = [&](std::string* line) {
    line->clear();
    while (true) {
      pollfd p{from_child[0], POLLIN, 0};
      if (poll(&p, 1, 20000) <= 0) return false;  // nothing within 20 s
      char c;
      if (read(from_child[0], &c, 1) != 1) return false;
      if (c == '\n') return true;
      *line += c;
    }
  };
  std::string line;
  for (int i = 0; i < 3; ++i) {
    std::string in = R"({"id":")" + std::to_string(i) + R"(","html":"<p>n)" + std::to_string(i) + "</p>\"}\n";
    ASSERT_EQ(write(to_child[1], in.data(), in.size()), static_cast<ssize_t>(in.size()));
    ASSERT_TRUE(read_line(&line)) << "no output for line " << i << " while stdin stays open";
    EXPECT_EQ(nlohmann::json::parse(line)["text"], "n" + std::to_string(i) + "\n");
  }
  close(to_child[1]);
  int status = 0;
  waitpid(pid, &status, 0);
  close(from_child[0]);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(NormalizeCli, FiftyMegabyteLine) {
  TempDir dir;
  std::string html = "<p>start of page</p><!--" + std::string(25 << 20, 'c') + "--><script>" +
                     std::string(25 << 20, 's') + "</script><p>end of page</p>";
  WriteFile(dir.Sub("big.jsonl"), R"({"id":"big","html":")" + html + "\"}\n" + R"({"id":"next","html":"<p>after</p>"})" "\n");
  std::string out, err;
  int rc = RunCommand(AlcorBin() + " normalize --jsonl < " + dir.Sub("big.jsonl"), &out, &err);
  EXPECT_EQ(rc, 0) << err;
  std::vector<nlohmann::json> lines = ParseLines(out);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["text"], "start of page\n\nend of page\n");
  EXPECT_EQ(lines[1]["text"], "after\n");
}

// A line nested 200,000 deep (issue 21) is one bad line with a clear message, not a crash.
TEST(NormalizeCli, JsonlLineNestedDeepIsReportedAndSkipped) {
  TempDir dir;
  std::string deep = std::string(200000, '[') + std::string(200000, ']');
  WriteFile(dir.Sub("in.jsonl"), R"({"id":"deep","html":"<p>x</p>","m":)" + deep + "}\n" + deep + "\n" +
                                     R"({"id":"next","html":"<p>after</p>"})" "\n");
  std::string out, err;
  int rc = RunCommand(AlcorBin() + " normalize --jsonl < " + dir.Sub("in.jsonl"), &out, &err);
  EXPECT_EQ(rc, 1) << err;
  EXPECT_NE(err.find("line 1: Limit exceeded: the object: JSON nested deeper than 512 levels"),
            std::string::npos) << err;
  EXPECT_NE(err.find("line 2: Limit exceeded: the object: JSON nested deeper than 512 levels"), std::string::npos)
      << err;
  std::vector<nlohmann::json> lines = ParseLines(out);
  ASSERT_EQ(lines.size(), 1u) << out;
  EXPECT_EQ(lines[0]["text"], "after\n");
}

TEST(NormalizeCli, UsageErrors) {
  std::string out, err;
  EXPECT_EQ(RunCommand(AlcorBin() + " normalize --links sideways < /dev/null", &out, &err), 2);
}

}  // namespace
}  // namespace alcor
