// The damage matrix (issue 19): each kind of damage x each command, with the real alcor binary on
// real temporary stores. Every command but repair refuses a damaged store: exit 1, a message that
// names the shard (and the line, where the damage is about one line), and nothing in the store
// changed. repair sets the damaged shard aside, keeps what still reads, and makes what was lost
// fetchable again: re-ingesting the inputs stores exactly the lost records again.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include <filesystem>
#include <functional>
#include <map>

#include <nlohmann/json.hpp>

#include "alcor/env.hpp"
#include "alcor/hash.hpp"
#include "alcor/shard.hpp"
#include "alcor_testing/emulators/blog_site.hpp"
#include "support/temp_dir.hpp"
#include "alcor_testing/test_server.hpp"

namespace alcor {
namespace {

using nlohmann::json;
using testing::RunCommand;
using testing::TempDir;

// Every file and link under dir with its content (a link: its target), LOCK excepted (a writer
// rewrites the pid in it whether or not it writes anything else).
std::map<std::string, std::string> TreeOf(const std::string& dir) {
  std::map<std::string, std::string> tree;
  namespace fs = std::filesystem;
  for (auto it = fs::recursive_directory_iterator(dir); it != fs::recursive_directory_iterator(); ++it) {
    std::string rel = fs::relative(it->path(), dir).string();
    if (rel == "LOCK") continue;
    if (it->is_symlink()) tree[rel] = "link to " + fs::read_symlink(it->path()).string();
    else if (it->is_regular_file()) tree[rel] = Sha256Hex(testing::ReadFile(it->path().string()));
    else tree[rel] = "folder";
  }
  return tree;
}

std::vector<std::string> ShardLines(const std::string& path) {
  ShardReader reader(Env::Default(), path);
  std::vector<std::string> lines;
  std::string line;
  while (reader.NextLine(&line)) lines.push_back(line);
  EXPECT_TRUE(reader.status().ok()) << reader.status().ToString();
  return lines;
}

// One zstd frame with its checksum, as the shard writer makes them.
std::string CompressFrame(const std::string& data) {
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
  std::string out(ZSTD_compressBound(data.size()), '\0');
  size_t n = ZSTD_compress2(cctx, out.data(), out.size(), data.data(), data.size());
  ZSTD_freeCCtx(cctx);
  EXPECT_FALSE(ZSTD_isError(n));
  out.resize(n);
  return out;
}

size_t CountLines(const std::string& text) { return static_cast<size_t>(std::count(text.begin(), text.end(), '\n')); }

// A store of two shards made by `alcor ingest`: shard 1 holds a, b, c (in1/), shard 2 holds d;
// and a blog on a loopback server for `alcor scrape`.
class DamageMatrixTest : public ::testing::Test {
 public:
  void SetUp() override {
    ::setenv("no_proxy", "*", 1);  // the scrape talks to the loopback server directly
    store_ = tmp_.Sub("c");
    testing::WriteFile(tmp_.Sub("in1/a.md"), std::string("# Note A\n\nFirst note") + kWords);
    testing::WriteFile(tmp_.Sub("in1/b.md"), std::string("# Note B\n\nSecond note") + kWords);
    testing::WriteFile(tmp_.Sub("in1/c.md"), std::string("# Note C\n\nThird note") + kWords);
    testing::WriteFile(tmp_.Sub("in2/d.md"), std::string("# Note D\n\nFourth note") + kWords);
    testing::WriteFile(tmp_.Sub("in3/e.md"), std::string("# Note E\n\nFifth note") + kWords);

    testing::BlogData blog;
    blog.name = "wp";
    blog.platform = "wordpress";
    blog.title = "A blog";
    blog.description = "Notes.";
    testing::BlogPostData post;
    post.slug = "post-1";
    post.title = "A post about alignment";
    post.authors = {"Ada Example"};
    post.published = "2024-01-02T03:04:05Z";
    post.html = std::string("<p>A post") + kWords + "</p><p>A second paragraph" + kWords + "</p>";
    blog.posts = {post};
    blog.feed_items = 10;
    site_ = std::make_unique<testing::BlogSite>(blog);
    site_->Install(&server_, "/blog");
    json config = {{"http", {{"contact", "https://example.invalid/contact"},
                             {"hosts", {{server_.HostPort(), {{"concurrency", 1}, {"interval_s", 0}}}}}}},
                   {"sources", {{{"name", "blog"}, {"kind", "feed"}, {"feed_url", server_.Url(site_->FeedPath())}}}}};
    config_ = tmp_.Sub("scrape.json");
    testing::WriteFile(config_, config.dump(2));
  }

  // A fresh sound store in store_.
  void MakeStore() {
    std::filesystem::remove_all(store_);
    std::string out, err;
    ASSERT_EQ(Alcor("ingest " + tmp_.Sub("in1"), &out, &err), 0) << out << err;
    ASSERT_EQ(Alcor("ingest " + tmp_.Sub("in2"), &out, &err), 0) << out << err;
    json manifest = json::parse(testing::ReadFile(store_ + "/manifest.json"));
    ASSERT_EQ(manifest["shards"].size(), 2u);
    shard1_ = manifest["shards"][0]["path"].get<std::string>();
    shard2_ = manifest["shards"][1]["path"].get<std::string>();
    ASSERT_EQ(manifest["shards"][0]["records"], 3);
  }

  int Alcor(const std::string& args, std::string* out, std::string* err) {
    return RunCommand(testing::AlcorBin() + " --no-progress --store " + store_ + " " + args, out, err);
  }

  std::string Shard1() const { return store_ + "/" + shard1_; }

  void EditManifest(const std::function<void(json&)>& edit) {
    json manifest = json::parse(testing::ReadFile(store_ + "/manifest.json"));
    edit(manifest);
    testing::WriteFile(store_ + "/manifest.json", manifest.dump(2));
    ::chmod((store_ + "/manifest.json").c_str(), 0600);
  }

  static constexpr const char* kWords =
      " about oversight of learned models, reward hacking and what evaluations can show.\n";
  TempDir tmp_;
  std::string store_, shard1_, shard2_, config_;
  testing::TestServer server_;
  std::unique_ptr<testing::BlogSite> site_;
};

// One kind of damage: how to do it, what every command's message must contain, and how many of
// shard 1's three records repair keeps.
struct Damage {
  const char* name;
  std::function<void(DamageMatrixTest&)> apply;
  std::function<std::string(const DamageMatrixTest&)> message;
  size_t salvaged;
  bool quarantined;  // repair moves shard 1 (or the link in its place) to quarantine/
};

TEST_F(DamageMatrixTest, EveryCommandRefusesEveryDamageAndRepairRecovers) {
  // The commands other than repair, as they would be typed.
  const std::vector<std::pair<std::string, std::string>> commands = {
      {"validate", "validate"},
      {"cat", "cat"},
      {"stats", "stats"},
      {"dedup", "dedup"},
      {"ingest", "ingest " + tmp_.Sub("in3")},
      {"scrape", "scrape --config " + config_},
  };
  using T = DamageMatrixTest;
  const std::vector<Damage> damages = {
      {"0-byte shard", [](T& t) { ASSERT_EQ(::truncate(t.Shard1().c_str(), 0), 0); },
       [](const T& t) { return t.Shard1() + ": is empty (0 bytes)"; }, 0, true},
      {"shard listed twice", [](T& t) { t.EditManifest([](json& j) { j["shards"].push_back(j["shards"][0]); }); },
       [](const T& t) { return "lists " + t.shard1_ + " twice"; }, 3, true},
      {"non-JSON line",
       [](T& t) {
         std::vector<std::string> lines = ShardLines(t.Shard1());
         ASSERT_EQ(lines.size(), 3u);
         lines[1] = "this line is not JSON";
         std::string jsonl;
         for (const std::string& l : lines) jsonl += l + "\n";
         testing::WriteFile(t.Shard1(), CompressFrame(jsonl));
         ::chmod(t.Shard1().c_str(), 0600);
       },
       [](const T& t) { return t.Shard1() + ":2: not valid JSON"; }, 2, true},
      {"wrong sha256", [](T& t) { t.EditManifest([](json& j) { j["shards"][0]["sha256"] = std::string(64, '0'); }); },
       [](const T& t) { return t.Shard1() + ": sha256 "; }, 3, true},
      {"wrong record count", [](T& t) { t.EditManifest([](json& j) { j["shards"][0]["records"] = 5; }); },
       [](const T& t) { return t.Shard1() + ": 3 records, manifest says 5"; }, 3, true},
      {"truncated zstd frame",
       [](T& t) {
         uint64_t size = 0;
         ASSERT_TRUE(Env::Default()->GetFileSize(t.Shard1(), &size).ok());
         ASSERT_EQ(::truncate(t.Shard1().c_str(), static_cast<off_t>(size - 4)), 0);  // its checksum cut off
       },
       [](const T& t) { return t.Shard1() + ":1: shard is truncated"; }, 0, true},
      {"missing marker", [](T& t) { ASSERT_EQ(::unlink((t.store_ + "/ALCOR_STORE").c_str()), 0); },
       [](const T&) { return std::string("store marker file ALCOR_STORE is missing"); }, 3, false},
      {"symlinked shard",
       [](T& t) {
         std::string elsewhere = t.tmp_.Sub("elsewhere.jsonl.zst");
         ASSERT_EQ(::rename(t.Shard1().c_str(), elsewhere.c_str()), 0);
         ASSERT_EQ(::symlink(elsewhere.c_str(), t.Shard1().c_str()), 0);
       },
       [](const T& t) { return t.Shard1() + ": is a symbolic link"; }, 0, true},
  };

  // Control: on the sound store every command works (so a refusal below is the damage's doing).
  MakeStore();
  {
    std::string out, err;
    EXPECT_EQ(Alcor("validate", &out, &err), 0) << out << err;
    EXPECT_EQ(Alcor("cat", &out, &err), 0) << err;
    EXPECT_EQ(CountLines(out), 4u);
  }

  for (const Damage& damage : damages) {
    SCOPED_TRACE(damage.name);
    MakeStore();  // a fresh one per damage
    const std::string shard2_bytes = testing::ReadFile(store_ + "/" + shard2_);
    damage.apply(*this);
    const std::string expected = damage.message(*this);
    const auto before = TreeOf(store_);

    for (const auto& [name, args] : commands) {
      SCOPED_TRACE(name);
      std::string out, err;
      int rc = Alcor(args, &out, &err);
      EXPECT_EQ(rc, 1) << out << err;
      EXPECT_NE((out + err).find(expected), std::string::npos) << "expected '" << expected << "' in:\n" << out << err;
      EXPECT_EQ(TreeOf(store_), before) << "the store changed";
    }
    EXPECT_EQ(server_.RequestsFor(site_->FeedPath()).size(), 0u) << "scrape fetched for a damaged store";

    // repair: the damaged shard to quarantine/, what still reads kept, the rest fetchable again.
    std::string out, err;
    ASSERT_EQ(Alcor("repair", &out, &err), 0) << out << err;
    if (damage.quarantined) {
      EXPECT_NE(out.find("quarantined " + shard1_), std::string::npos) << out;
      std::string moved = store_ + "/quarantine/" + shard1_.substr(std::string("shards/").size());
      EXPECT_TRUE(Env::Default()->FileExists(moved) || Env::Default()->IsSymlink(moved)) << moved;
      EXPECT_FALSE(Env::Default()->FileExists(Shard1()) || Env::Default()->IsSymlink(Shard1()));
    } else {
      EXPECT_NE(out.find("restored the store marker file ALCOR_STORE"), std::string::npos) << out << err;
    }
    EXPECT_EQ(testing::ReadFile(store_ + "/" + shard2_), shard2_bytes) << "the sound shard is untouched";
    EXPECT_EQ(Alcor("validate", &out, &err), 0) << out << err;
    ASSERT_EQ(Alcor("cat", &out, &err), 0) << err;
    EXPECT_EQ(CountLines(out), 1 + damage.salvaged);
    EXPECT_EQ(Alcor("repair", &out, &err), 0) << out << err;
    EXPECT_NE(out.find("nothing to repair"), std::string::npos) << out;

    // The lost records are stored again, not reported as duplicates of what the index knew.
    ASSERT_EQ(Alcor("ingest " + tmp_.Sub("in1"), &out, &err), 0) << out << err;
    EXPECT_EQ(testing::CountOccurrences(out, "stored "), 3 - damage.salvaged) << out;
    EXPECT_EQ(testing::CountOccurrences(out, "duplicate "), damage.salvaged) << out;
    ASSERT_EQ(Alcor("cat", &out, &err), 0) << err;
    EXPECT_EQ(CountLines(out), 4u);
    EXPECT_EQ(Alcor("validate", &out, &err), 0) << out << err;
  }

  // And on a sound store, scrape adds records (the server was reachable all along).
  MakeStore();
  std::string out, err;
  EXPECT_EQ(Alcor("scrape --config " + config_, &out, &err), 0) << out << err;
  ASSERT_EQ(Alcor("cat --source blog", &out, &err), 0) << err;
  EXPECT_GE(CountLines(out), 1u);
}

}  // namespace
}  // namespace alcor
