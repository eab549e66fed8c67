// The test helpers' own promises: inputs a test needs cannot go missing unseen (the shared real
// fixtures on CI, an expected golden file anywhere), the fake clock moves only when told, and the
// product does not include the test code.
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "alcor_testing/fake_clock_env.hpp"
#include "support/temp_dir.hpp"

namespace alcor {
namespace {

// Sets (or, with nullopt, unsets) an environment variable for one scope.
class ScopedEnvVar {
 public:
  ScopedEnvVar(const char* name, std::optional<std::string> value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) {
      ::setenv(name, value->c_str(), 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~ScopedEnvVar() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// A source tree with no ../shared/fixtures next to it (EXPECT_NONFATAL_FAILURE's statement may
// not use locals, hence the static).
std::string& TreeWithoutSharedFixtures() {
  static testing::TempDir dir;
  static std::string tree = [] {
    std::filesystem::create_directories(dir.Sub("workspace/alcor"));
    return dir.Sub("workspace/alcor");
  }();
  return tree;
}

TEST(RealFixturesTest, AbsentOnCiFailsTheTest) {
  ScopedEnvVar source("ALCOR_SOURCE_DIR", TreeWithoutSharedFixtures());
  ScopedEnvVar ci("CI", "true");
  EXPECT_NONFATAL_FAILURE(EXPECT_EQ(testing::RealFixturesDir(), ""), "the real-payload tests must run");
}

TEST(RealFixturesTest, AbsentOutsideCiIsOnlyEmpty) {
  ScopedEnvVar source("ALCOR_SOURCE_DIR", TreeWithoutSharedFixtures());
  ScopedEnvVar ci("CI", std::nullopt);
  EXPECT_EQ(testing::RealFixturesDir(), "");
  ScopedEnvVar empty_ci("CI", "");
  EXPECT_EQ(testing::RealFixturesDir(), "");
  EXPECT_FALSE(testing::OnCi());
}

TEST(RealFixturesTest, PresentOnCiIsReturned) {
  testing::TempDir dir;
  std::filesystem::create_directories(dir.Sub("shared/fixtures/real"));
  std::filesystem::create_directories(dir.Sub("alcor"));
  ScopedEnvVar source("ALCOR_SOURCE_DIR", dir.Sub("alcor"));
  ScopedEnvVar ci("CI", "1");
  EXPECT_EQ(std::filesystem::weakly_canonical(testing::RealFixturesDir()),
            std::filesystem::weakly_canonical(dir.Sub("shared/fixtures/real")));
}

// A golden comparison whose expected file is missing must not pass by comparing "" with "".
TEST(ReadFileTest, MissingFileFailsTheTest) {
  EXPECT_NONFATAL_FAILURE(testing::ReadFile(TreeWithoutSharedFixtures() + "/no-such-golden.md"),
                          "no-such-golden.md");
}

TEST(ReadFileTest, EmptyFileReadsAsEmptyWithoutFailure) {
  testing::TempDir dir;
  testing::WriteFile(dir.Sub("empty.md"), "");
  EXPECT_EQ(testing::ReadFile(dir.Sub("empty.md")), "");
}

TEST(FakeClockEnvTest, SleepAdvancesTheClockWithoutWaiting) {
  testing::FakeClockEnv env(1000);
  EXPECT_EQ(env.NowMicros(), 1000);
  EXPECT_EQ(env.MonotonicMicros(), 1000);
  int64_t real_start = Env::Default()->MonotonicMicros();
  env.SleepMicros(3'600'000'000);  // an hour
  EXPECT_LT(Env::Default()->MonotonicMicros() - real_start, 1'000'000);
  EXPECT_EQ(env.NowMicros(), 1000 + 3'600'000'000);
  env.SleepMicros(-5);
  env.Advance(10);
  env.Advance(-10);
  EXPECT_EQ(env.MonotonicMicros(), 1000 + 3'600'000'000 + 10);
  EXPECT_EQ(env.sleeps(), (std::vector<int64_t>{3'600'000'000, -5}));
}

TEST(FakeClockEnvTest, FilesGoToTheBaseEnv) {
  testing::TempDir dir;
  testing::FakeClockEnv env;
  ASSERT_TRUE(WriteFileAtomically(&env, dir.Sub("f"), "data").ok());
  std::string back;
  ASSERT_TRUE(ReadFileToString(&env, dir.Sub("f"), &back).ok());
  EXPECT_EQ(back, "data");
}

// alcor_core and the alcor executable link no test code: nothing they compile may include it.
TEST(ProductBoundaryTest, ProductSourcesIncludeNoTestCode) {
  const char* src = std::getenv("ALCOR_SOURCE_DIR");
  ASSERT_NE(src, nullptr) << "ALCOR_SOURCE_DIR is not set (run through ctest)";
  int files = 0;
  for (const char* folder : {"src", "include", "tools/alcor"}) {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(std::string(src) + "/" + folder)) {
      if (!entry.is_regular_file()) continue;
      ++files;
      std::ifstream in(entry.path());
      std::string line;
      for (int n = 1; std::getline(in, line); ++n) {
        bool includes = line.find("#include") != std::string::npos;
        EXPECT_FALSE(includes && (line.find("alcor_testing/") != std::string::npos ||
                                  line.find("support/") != std::string::npos))
            << entry.path().string() << ":" << n << " includes test code: " << line;
      }
    }
  }
  EXPECT_GT(files, 20);
}

}  // namespace
}  // namespace alcor
