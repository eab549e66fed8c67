#include "net/validator_store.hpp"

#include <gtest/gtest.h>

#include "alcor/env.hpp"
#include "alcor/http.hpp"
#include "support/temp_dir.hpp"

namespace alcor {
namespace {

using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;

TEST(ValidatorStoreTest, RoundTripsThroughTheStateFile) {
  TempDir dir;
  std::string state = dir.Sub("state/http");
  {
    ValidatorStore store(Env::Default(), state);
    ASSERT_TRUE(store.Load().ok());  // missing file: empty
    EXPECT_EQ(store.size(), 0u);
    store.Put("https://a.org/x", {"\"e1\"", ""});
    store.Put("https://a.org/y", {"", "Fri, 04 Mar 2022 18:04:53 GMT"});
    store.Put("https://a.org/z", {"\"gone\"", ""});
    store.Forget("https://a.org/z");
    ASSERT_TRUE(store.Save().ok());
  }
  mode_t mode = 0;
  ASSERT_TRUE(Env::Default()->GetMode(state, &mode).ok());
  EXPECT_EQ(mode, kPrivateDirMode);
  ASSERT_TRUE(Env::Default()->GetMode(state + "/validators.json", &mode).ok());
  EXPECT_EQ(mode, kPrivateFileMode);

  ValidatorStore again(Env::Default(), state);
  ASSERT_TRUE(again.Load().ok());
  EXPECT_EQ(again.size(), 2u);
  ASSERT_TRUE(again.Get("https://a.org/x"));
  EXPECT_EQ(again.Get("https://a.org/x")->etag, "\"e1\"");
  EXPECT_EQ(again.Get("https://a.org/y")->last_modified, "Fri, 04 Mar 2022 18:04:53 GMT");
  EXPECT_FALSE(again.Get("https://a.org/z"));
}

TEST(ValidatorStoreTest, EmptyValidatorsEraseTheEntry) {
  ValidatorStore store(Env::Default(), "");
  store.Put("u", {"\"e\"", ""});
  store.Put("u", {});
  EXPECT_FALSE(store.Get("u"));
  EXPECT_TRUE(store.Save().ok());  // in-memory store: nothing to write
}

TEST(ValidatorStoreTest, CorruptFileIsAnErrorNamingIt) {
  TempDir dir;
  WriteFile(dir.Sub("validators.json"), "{not json");
  ValidatorStore store(Env::Default(), dir.path());
  Status s = store.Load();
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("validators.json"), std::string::npos);
  WriteFile(dir.Sub("validators.json"), R"({"version": 2, "entries": {}})");
  EXPECT_TRUE(store.Load().IsCorruption());
}

TEST(ValidatorStoreTest, UrlsHoldingSecretsAreStoredHashed) {
  TempDir dir;
  SecretRegistry::Global()->Add("qs-secret-7781");
  ValidatorStore store(Env::Default(), dir.path());
  store.Put("https://a.org/api?key=qs-secret-7781", {"\"e\"", ""});
  ASSERT_TRUE(store.Save().ok());
  std::string text = ReadFile(dir.Sub("validators.json"));
  EXPECT_EQ(text.find("qs-secret-7781"), std::string::npos) << text;
  EXPECT_NE(text.find("sha256:"), std::string::npos);
  ValidatorStore again(Env::Default(), dir.path());
  ASSERT_TRUE(again.Load().ok());
  ASSERT_TRUE(again.Get("https://a.org/api?key=qs-secret-7781"));
}

}  // namespace
}  // namespace alcor
