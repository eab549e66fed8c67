// alcor scrape's terminal and logs, end to end against blogs emulated on a loopback server:
//   - `-v` logs one line per HTTP transfer (method, URL without secrets, status, bytes, time);
//     `--log-format json` lines carry the event, source, url and status as fields;
//   - the live progress display, run under tmux at 80 and 160 columns and captured while it runs:
//     no line wider than the pane or wrapped, a header and a total with the elapsed time, the
//     log lines printed during the run whole above it, and nothing of it left at the end.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "alcor_testing/emulators/blog_site.hpp"
#include "alcor_testing/test_server.hpp"
#include "support/temp_dir.hpp"

namespace alcor {
namespace {

using nlohmann::json;
using testing::TempDir;

constexpr const char* kSecret = "sekrit-4711-value";
constexpr int kBlogs = 3;
constexpr int kPostsPerBlog = 4;

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

size_t Columns(const std::string& line) {
  size_t n = 0;
  for (unsigned char c : line) n += (c & 0xC0) != 0x80;
  return n;
}

bool StartsWith(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

// kBlogs WordPress blogs of kPostsPerBlog posts each, their pages fetched one by one; a source
// whose feed does not exist (it fails, and logs so, during the run); the feed URL of the first
// blog and an access header of the host carry a ${ENV} secret.
class TerminalAndLogsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = tmp_.Sub("store");
    json sources = json::array();
    for (int b = 0; b < kBlogs; ++b) {
      testing::BlogData blog;
      blog.name = "blog" + std::to_string(b);
      blog.platform = "wordpress";
      blog.title = "Blog " + std::to_string(b);
      blog.description = "Notes.";
      blog.summary_only = true;
      for (int p = 0; p < kPostsPerBlog; ++p) {
        testing::BlogPostData post;
        post.slug = "post-" + std::to_string(p);
        post.title = "Post " + std::to_string(p) + " of blog " + std::to_string(b);
        post.authors = {"Ada Example"};
        post.published = "2024-01-0" + std::to_string(p + 1) + "T03:04:05Z";
        post.summary = "A summary.";
        post.html = "<p>Post " + std::to_string(p) + " of blog " + std::to_string(b) +
                    " about oversight of learned models, reward hacking and evaluations.</p>";
        blog.posts.push_back(post);
      }
      sites_.push_back(std::make_unique<testing::BlogSite>(blog));
      sites_.back()->Install(&server_, "/blogs/" + blog.name);
      std::string feed = server_.Url(sites_.back()->FeedPath());
      if (b == 0) feed += "?key=${ALCOR_LOG_TEST_KEY}";
      sources.push_back({{"name", "blog:" + blog.name},
                         {"kind", "feed"},
                         {"feed_url", feed},
                         {"fetch_pages", "always"},
                         {"history", false}});
    }
    sources.push_back({{"name", "missing"}, {"kind", "feed"}, {"feed_url", server_.Url("/no/such/feed")}});
    json host = {{"concurrency", 1}, {"interval_s", 0}, {"headers", {{"X-Api-Key", "${ALCOR_LOG_TEST_KEY}"}}}};
    json config = {{"http", {{"contact", "https://example.invalid/contact"}, {"hosts", {{server_.HostPort(), host}}}}},
                   {"sources", sources}};
    config_ = tmp_.Sub("scrape.json");
    testing::WriteFile(config_, config.dump(2));
  }

  std::string Command(const std::string& options) const {
    return std::string("ALCOR_LOG_TEST_KEY=") + kSecret + " " + testing::AlcorBin() + " --store " + store_ + " " +
           options + " scrape --config " + config_;
  }

  // The path of a URL of the server ("http://127.0.0.1:PORT/a/b?c" → "/a/b").
  std::string PathOf(const std::string& url) const {
    std::string base = server_.BaseUrl();
    if (!StartsWith(url, base)) return "";
    std::string rest = url.substr(base.size());
    return rest.substr(0, rest.find('?'));
  }

  std::multiset<std::string> ServedPaths() const {
    std::multiset<std::string> paths;
    for (const testing::ServerRequest& r : server_.Requests()) paths.insert(r.path);
    return paths;
  }

  TempDir tmp_;
  testing::TestServer server_;
  std::vector<std::unique_ptr<testing::BlogSite>> sites_;
  std::string store_, config_;
};

TEST_F(TerminalAndLogsTest, VerboseJsonLogsOneLinePerRequestWithFieldsAndNoSecret) {
  std::string out, err;
  EXPECT_EQ(testing::RunCommand(Command("-v --log-format json --no-progress"), &out, &err), 1)
      << "the source without a feed fails\n" << err;
  EXPECT_EQ(err.find(kSecret), std::string::npos) << err;
  EXPECT_EQ(out.find(kSecret), std::string::npos) << out;

  std::multiset<std::string> logged_paths;
  bool secret_url_redacted = false, failure_logged = false;
  for (const std::string& line : Lines(err)) {
    json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
    ASSERT_TRUE(j.is_object()) << "not a JSON object: " << line;
    for (const char* key : {"time", "level", "event", "msg"}) EXPECT_TRUE(j.contains(key)) << key << ": " << line;
    if (j["event"] == "source_failed") {
      failure_logged = true;
      EXPECT_EQ(j["source"], "missing") << line;
      EXPECT_EQ(j["status"], 404) << line;
      EXPECT_EQ(j["level"], "error") << line;
    }
    if (j["event"] != "http_request") continue;
    EXPECT_EQ(j["level"], "debug") << line;
    EXPECT_EQ(j["method"], "GET") << line;
    ASSERT_TRUE(j["url"].is_string()) << line;
    ASSERT_TRUE(j["status"].is_number_integer()) << line;
    ASSERT_TRUE(j["bytes"].is_number_integer()) << line;
    ASSERT_TRUE(j["ms"].is_number_integer()) << line;
    std::string url = j["url"];
    std::string path = PathOf(url);
    EXPECT_FALSE(path.empty()) << line;
    logged_paths.insert(path);
    EXPECT_EQ(j["status"], path == "/no/such/feed" || path == "/robots.txt" ? 404 : 200) << line;
    if (j["status"] == 200) {
      EXPECT_GT(j["bytes"].get<int64_t>(), 0) << line;
    }
    if (path != "/robots.txt") {
      ASSERT_TRUE(j.contains("source")) << line;
      EXPECT_TRUE(j["source"] == "missing" || StartsWith(j["source"], "blog:")) << line;
    }
    if (url.find("key=") != std::string::npos) {
      EXPECT_NE(url.find("key=[REDACTED]"), std::string::npos) << line;
      EXPECT_EQ(j["source"], "blog:blog0") << line;
      secret_url_redacted = true;
    }
  }
  EXPECT_EQ(logged_paths, ServedPaths()) << "one log line per request the server answered";
  EXPECT_EQ(logged_paths.size(), 1u + kBlogs * (1 + kPostsPerBlog) + 1) << "robots.txt, feeds and pages, missing";
  EXPECT_TRUE(secret_url_redacted);
  EXPECT_TRUE(failure_logged) << err;
  std::vector<testing::ServerRequest> served = server_.Requests();
  ASSERT_FALSE(served.empty());
  const std::string* key = served.back().Header("x-api-key");
  ASSERT_NE(key, nullptr);
  EXPECT_EQ(*key, kSecret) << "the secret was in use in the header and the URL, and logged nowhere";
}

TEST_F(TerminalAndLogsTest, VerboseTextLogsEachRequestAndQuietDoesNot) {
  std::string out, err;
  EXPECT_EQ(testing::RunCommand(Command("-v --no-progress"), &out, &err), 1) << err;
  size_t requests = 0;
  for (const std::string& line : Lines(err)) {
    if (line.find(" bytes, ") == std::string::npos) continue;
    ++requests;
    EXPECT_TRUE(StartsWith(line, "alcor: debug: ")) << line;
    EXPECT_NE(line.find("GET " + server_.BaseUrl() + "/"), std::string::npos) << line;
    EXPECT_TRUE(line.size() > 3 && line.compare(line.size() - 3, 3, " ms") == 0) << line;
    EXPECT_TRUE(line.find(" 200, ") != std::string::npos || line.find(" 404, ") != std::string::npos) << line;
  }
  EXPECT_EQ(requests, server_.TotalCount()) << err;
  EXPECT_EQ(err.find(kSecret), std::string::npos) << err;

  server_.ClearRequests();
  std::filesystem::remove_all(store_);
  ASSERT_EQ(testing::RunCommand(Command("--no-progress"), &out, &err), 1) << err;
  EXPECT_EQ(err.find(" bytes, "), std::string::npos) << "request lines only with -v\n" << err;
  EXPECT_GT(server_.TotalCount(), 0u);
}

TEST_F(TerminalAndLogsTest, NoDisplayWhenStderrIsNotATerminal) {
  std::string out, err;
  EXPECT_EQ(testing::RunCommand(Command(""), &out, &err), 1) << err;
  EXPECT_EQ(err.find('\x1b'), std::string::npos) << "no escape sequences in a file\n" << err;
  EXPECT_EQ(err.find("elapsed"), std::string::npos) << err;
  for (const std::string& line : Lines(err)) EXPECT_TRUE(StartsWith(line, "alcor: ")) << line;
}

// ---------------------------------------------------------------------------------------------
// Under tmux

// A tmux server of its own (its own socket, no configuration file), killed at the end.
class Tmux {
 public:
  Tmux() : socket_("alcor-test-" + std::to_string(::getpid())) {}
  ~Tmux() { testing::RunCommand(Base() + " kill-server"); }

  static bool Available() { return testing::RunCommand("command -v tmux") == 0; }

  int Start(int columns, int rows, const std::string& command) {
    return testing::RunCommand(Base() + " new-session -d -s main -x " + std::to_string(columns) + " -y " +
                               std::to_string(rows) + " " + Quote(command));
  }
  // The visible pane, wrapped lines joined (-J), so a line that wrapped shows as wider than the pane.
  std::string Capture() {
    std::string out;
    testing::RunCommand(Base() + " capture-pane -p -J -t main", &out);
    return out;
  }

 private:
  std::string Base() const { return "tmux -L " + socket_ + " -f /dev/null"; }
  static std::string Quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
  }
  std::string socket_;
};

class ProgressUnderTmuxTest : public TerminalAndLogsTest, public ::testing::WithParamInterface<int> {};

TEST_P(ProgressUnderTmuxTest, FitsThePaneLogsStayWholeAboveItAndNothingStaysBehind) {
  if (!Tmux::Available()) {
    if (testing::OnCi()) FAIL() << "tmux is absent: on CI (the CI variable is set) this test must run (scripts/setup)";
    GTEST_SKIP() << "tmux is absent (scripts/setup installs it)";
  }
  const int columns = GetParam();
  const size_t width = static_cast<size_t>(columns);
  server_.SetLatencyMs(120);  // slow enough to see the display redrawn several times
  Tmux tmux;
  ASSERT_EQ(tmux.Start(columns, 40, Command("-v") + "; echo ALCOR-EXIT=$?; sleep 600"), 0);

  std::set<std::string> names = {"missing"};
  for (int b = 0; b < kBlogs; ++b) names.insert("blog:blog" + std::to_string(b));
  int displays = 0;
  std::string final_screen;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  while (std::chrono::steady_clock::now() < deadline) {
    std::string screen = tmux.Capture();
    if (screen.find("ALCOR-EXIT=") != std::string::npos) {
      final_screen = screen;
      break;
    }
    std::vector<std::string> lines = Lines(screen);
    while (!lines.empty() && lines.back().empty()) lines.pop_back();
    size_t header = lines.size();
    for (size_t i = 0; i < lines.size(); ++i)
      if (StartsWith(lines[i], "source ") && lines[i].find(" phase ") != std::string::npos) {
        EXPECT_EQ(header, lines.size()) << "a second display header: a stale copy\n" << screen;
        header = i;
      }
    if (header == lines.size()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(150));
      continue;
    }
    ++displays;
    for (size_t i = header; i < lines.size(); ++i)
      EXPECT_LT(Columns(lines[i]), width) << "wider than the pane, or wrapped: [" << lines[i] << "]\n" << screen;
    EXPECT_TRUE(StartsWith(lines.back(), "total ") && lines.back().find("elapsed ") != std::string::npos)
        << "the total is the display's last row\n" << screen;
    EXPECT_EQ(lines[header].find("unchanged") != std::string::npos, columns >= 160)
        << "more figures on a wide terminal only\n" << screen;
    for (size_t i = header + 1; i + 1 < lines.size(); ++i) {
      std::string name = lines[i].substr(0, lines[i].find(' '));
      EXPECT_TRUE(names.count(name)) << "a display row names a source: [" << lines[i] << "]\n" << screen;
      EXPECT_TRUE(lines[i].find("listing") != std::string::npos || lines[i].find("fetching pages") != std::string::npos ||
                  lines[i].find("starting") != std::string::npos || lines[i].find("done") != std::string::npos ||
                  lines[i].find("failed") != std::string::npos)
          << "a row shows its source's phase: [" << lines[i] << "]";
    }
    // Above the display: whole log lines only (the request lines of -v, the failed source). A log
    // line longer than the pane wraps as the terminal wraps it (-J joins it again); the top line
    // may be the end of one whose start scrolled away.
    for (size_t i = 1; i < header; ++i) {
      const std::string& l = lines[i];
      if (l.empty()) continue;
      EXPECT_TRUE(StartsWith(l, "alcor: ")) << "a log line torn by the display: [" << l << "]\n" << screen;
      if (l.find(" bytes, ") != std::string::npos) {
        EXPECT_TRUE(l.compare(l.size() - 3, 3, " ms") == 0) << "a request line cut: [" << l << "]\n" << screen;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
  }
  ASSERT_FALSE(final_screen.empty()) << "the run did not end:\n" << tmux.Capture();
  EXPECT_GE(displays, 3) << "the display was seen while the run went on";

  // The end: the display erased, the summary after the log lines, fitting 80 columns (up to the
  // path of the run report).
  std::vector<std::string> lines = Lines(final_screen);
  bool summary = false, summary_seen = false;
  for (const std::string& l : lines) {
    EXPECT_FALSE(StartsWith(l, "source ") && l.find(" phase ") != std::string::npos)
        << "the display's header stayed behind\n" << final_screen;
    EXPECT_EQ(l.find("elapsed "), std::string::npos) << "the display's total stayed behind\n" << final_screen;
    if (StartsWith(l, "source ") && l.find(" status ") != std::string::npos) summary = summary_seen = true;
    if (StartsWith(l, "run report: ")) summary = false;
    if (summary) {
      EXPECT_LE(Columns(l), 80u) << "a summary line: [" << l << "]\n" << final_screen;
    }
  }
  EXPECT_TRUE(summary_seen) << final_screen;
  EXPECT_NE(final_screen.find("run report: "), std::string::npos) << final_screen;
  EXPECT_NE(final_screen.find("ALCOR-EXIT=1"), std::string::npos) << final_screen;
  EXPECT_NE(final_screen.find("missing: failed"), std::string::npos) << final_screen;
}

INSTANTIATE_TEST_SUITE_P(Widths, ProgressUnderTmuxTest, ::testing::Values(80, 160),
                         [](const ::testing::TestParamInfo<int>& info) {
                           return std::to_string(info.param) + "Columns";
                         });

}  // namespace
}  // namespace alcor
