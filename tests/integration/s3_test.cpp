// push, pull and --store s3://… against a real S3 API: a one-node OpenStack Swift with s3api and
// tempauth (testing/swift/swift_server.py), started once for the suite on loopback ports. s3cmd
// checks the objects as an independent client; curl checks that nothing is readable anonymously.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <thread>

#include "alcor/hash.hpp"
#include "alcor/s3.hpp"
#include "alcor/s3_sync.hpp"
#include "support/store_helpers.hpp"
#include "support/temp_dir.hpp"

namespace alcor {
namespace {

using testing::AlcorBin;
using testing::RunCommand;
using testing::TempDir;

class S3Test : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_dir_ = new TempDir();
    const char* source = std::getenv("ALCOR_SOURCE_DIR");
    ASSERT_NE(source, nullptr) << "ALCOR_SOURCE_DIR is not set (run through ctest)";
    script_ = std::string(source) + "/testing/swift/swift_server.py";
    std::string out, err;
    // This process as the owner: should it crash, the servers are stopped all the same.
    int rc = RunCommand("/usr/bin/python3 " + script_ + " start " + server_dir_->Sub("swift") + " " +
                            std::to_string(getpid()), &out, &err);
    ASSERT_EQ(rc, 0) << "Swift did not start: " << out << err;
    endpoint_ = out.substr(0, out.find('\n'));
    testing::WriteFile(server_dir_->Sub("s3cfg"),
                       "[default]\naccess_key = test:tester\nsecret_key = testing\nhost_base = " + endpoint_.substr(7) +
                           "\nhost_bucket = " + endpoint_.substr(7) +
                           "\nuse_https = False\nsignature_v2 = False\nbucket_location = us-east-1\n");
  }
  static void TearDownTestSuite() {
    if (server_dir_ != nullptr) RunCommand("/usr/bin/python3 " + script_ + " stop " + server_dir_->Sub("swift"));
    delete server_dir_;
    server_dir_ = nullptr;
  }

  // The environment alcor reads its S3 settings from.
  static std::string AwsEnv(const std::string& secret = "testing") {
    return "AWS_ENDPOINT_URL=" + endpoint_ + " AWS_ACCESS_KEY_ID=test:tester AWS_SECRET_ACCESS_KEY=" + secret + " ";
  }
  static std::string Alcor(const std::string& args) { return AwsEnv() + AlcorBin() + " " + args; }
  static std::string S3cmd(const std::string& args) { return "s3cmd -c " + server_dir_->Sub("s3cfg") + " " + args; }
  // A fresh bucket per test (Swift keeps them until the suite's server stops).
  static std::string NewBucket() {
    static int n = 0;
    std::string bucket = "b" + std::to_string(getpid()) + "-" + std::to_string(++n);
    std::string err;
    EXPECT_EQ(RunCommand(S3cmd("mb s3://" + bucket), nullptr, &err), 0) << err;
    return bucket;
  }
  static S3Options Options() {
    S3Options o;
    o.endpoint = endpoint_;
    o.access_key_id = "test:tester";
    o.secret_access_key = "testing";
    return o;
  }

  static TempDir* server_dir_;
  static std::string script_;
  static std::string endpoint_;
};
TempDir* S3Test::server_dir_ = nullptr;
std::string S3Test::script_;
std::string S3Test::endpoint_;

// A store of `records` records in shards of about shard_bytes of JSONL.
void MakeStore(const std::string& dir, uint64_t first, uint64_t records, uint64_t shard_bytes = 20 << 10) {
  ShardWriterOptions small;
  small.target_jsonl_bytes = shard_bytes;
  small.frame_jsonl_bytes = std::min<uint64_t>(4 << 10, shard_bytes);
  auto store = testing::OpenStore(dir, small);
  testing::WriteRecords(store.get(), first, records, "s3");
}

std::string Cat(const std::string& command) {
  std::string out, err;
  EXPECT_EQ(RunCommand(command, &out, &err), 0) << command << "\n" << err;
  return out;
}

TEST_F(S3Test, PushPullAndTheBucketAsAReadOnlyStore) {
  TempDir tmp;
  const std::string store = tmp.Sub("store"), bucket = NewBucket(), url = "s3://" + bucket + "/team/corpus";
  MakeStore(store, 0, 300);
  std::string out, err;
  ASSERT_EQ(RunCommand(Alcor("push --store " + store + " " + url + " --json"), &out, &err), 0) << err;
  nlohmann::json first = nlohmann::json::parse(out);
  const uint64_t objects = first["uploaded"].get<uint64_t>();
  EXPECT_GT(objects, 5u);
  EXPECT_EQ(first["skipped"], 0);
  EXPECT_GT(first["bytes"].get<uint64_t>(), 0u);

  // An independent client sees the same manifest, and every object the manifest lists.
  ASSERT_EQ(RunCommand(S3cmd("get --force " + url + "/manifest.json " + tmp.Sub("m.json")), nullptr, &err), 0) << err;
  EXPECT_EQ(testing::ReadFile(tmp.Sub("m.json")), testing::ReadFile(store + "/manifest.json"));
  std::string listing = Cat(S3cmd("ls -r " + url + "/"));
  const nlohmann::json manifest = nlohmann::json::parse(testing::ReadFile(store + "/manifest.json"));
  for (const auto& shard : manifest["shards"])
    EXPECT_NE(listing.find(url + "/" + shard["path"].get<std::string>()), std::string::npos) << shard["path"];
  EXPECT_EQ(listing.find("PUSH-LEASE"), std::string::npos) << "the lease is released";

  // Unchanged: nothing sent.
  ASSERT_EQ(RunCommand(Alcor("push --store " + store + " " + url + " --json"), &out, &err), 0) << err;
  nlohmann::json again = nlohmann::json::parse(out);
  EXPECT_EQ(again["uploaded"], 0);
  EXPECT_EQ(again["skipped"], objects);

  // The bucket read where it lives: validate, cat and stats as on the local store.
  ASSERT_EQ(RunCommand(Alcor("validate --store " + url), &out, &err), 0) << out << err;
  EXPECT_EQ(Cat(Alcor("cat --store " + url)), Cat(AlcorBin() + " cat --store " + store));
  EXPECT_EQ(Cat(Alcor("stats --json --store " + url)), Cat(AlcorBin() + " stats --json --store " + store));
  EXPECT_EQ(RunCommand(Alcor("ingest --store " + url + " " + store + "/manifest.json"), &out, &err), 2);
  EXPECT_NE(err.find("read-only"), std::string::npos) << err;

  // Pull: an ordinary private store with the same records.
  const std::string copy = tmp.Sub("copy");
  ASSERT_EQ(RunCommand(Alcor("pull " + url + " --store " + copy + " --json"), &out, &err), 0) << err;
  EXPECT_EQ(nlohmann::json::parse(out)["uploaded"], objects);
  EXPECT_EQ(RunCommand(AlcorBin() + " validate --store " + copy, &out, &err), 0) << out << err;
  EXPECT_EQ(Cat(AlcorBin() + " cat --store " + copy), Cat(AlcorBin() + " cat --store " + store));
  struct stat st;
  ASSERT_EQ(stat(copy.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);

  // More records: the next push sends the new shards and state, the next pull fetches only them.
  MakeStore(store, 300, 50);
  ASSERT_EQ(RunCommand(Alcor("push --store " + store + " " + url + " --json"), &out, &err), 0) << err;
  nlohmann::json more = nlohmann::json::parse(out);
  EXPECT_GT(more["uploaded"].get<uint64_t>(), 0u);
  EXPECT_GE(more["skipped"].get<uint64_t>(), objects - 4) << "only the new shards, the state files and the manifest";
  ASSERT_EQ(RunCommand(Alcor("pull " + url + " --store " + copy + " --json"), &out, &err), 0) << err;
  EXPECT_GT(nlohmann::json::parse(out)["skipped"].get<uint64_t>(), 0u);
  EXPECT_EQ(Cat(AlcorBin() + " cat --store " + copy), Cat(AlcorBin() + " cat --store " + store));
  EXPECT_EQ(RunCommand(AlcorBin() + " validate --store " + copy, &out, &err), 0) << out << err;
}

TEST_F(S3Test, PullRefusesAnObjectWhoseDigestDiffersFromTheManifest) {
  TempDir tmp;
  const std::string store = tmp.Sub("store"), bucket = NewBucket(), url = "s3://" + bucket + "/c";
  MakeStore(store, 0, 40);
  std::string out, err;
  ASSERT_EQ(RunCommand(Alcor("push --store " + store + " " + url), &out, &err), 0) << err;
  // Another client replaces a shard with other bytes.
  const std::string shard =
      nlohmann::json::parse(testing::ReadFile(store + "/manifest.json"))["shards"][0]["path"].get<std::string>();
  testing::WriteFile(tmp.Sub("bad"), "not the shard\n");
  ASSERT_EQ(RunCommand(S3cmd("put " + tmp.Sub("bad") + " " + url + "/" + shard), nullptr, &err), 0) << err;
  EXPECT_EQ(RunCommand(Alcor("pull " + url + " --store " + tmp.Sub("copy")), &out, &err), 1);
  EXPECT_NE(err.find("sha256"), std::string::npos) << err;
  EXPECT_NE(err.find(shard), std::string::npos) << err;
  EXPECT_FALSE(std::filesystem::exists(tmp.Sub("copy") + "/manifest.json"));
  // validate on the bucket reports the damage too.
  EXPECT_EQ(RunCommand(Alcor("validate --store " + url), &out, &err), 1) << out << err;
}

TEST_F(S3Test, NoObjectIsReadableAnonymouslyAndSecretsAreNeverPrinted) {
  TempDir tmp;
  const std::string store = tmp.Sub("store"), bucket = NewBucket(), url = "s3://" + bucket + "/p";
  MakeStore(store, 0, 20);
  std::string out, err;
  ASSERT_EQ(RunCommand(Alcor("push --store " + store + " " + url), &out, &err), 0) << err;
  std::string listing = Cat(S3cmd("ls -r s3://" + bucket + "/"));
  int checked = 0;
  for (size_t at = listing.find("s3://"); at != std::string::npos; at = listing.find("s3://", at + 1)) {
    std::string object = listing.substr(at + 5, listing.find('\n', at) - at - 5);
    std::string code = Cat("curl -s -o /dev/null -w '%{http_code}' '" + endpoint_ + "/" + object + "'");
    EXPECT_NE(code, "200") << object << " is readable without credentials";
    ++checked;
  }
  EXPECT_GE(checked, 3);  // the shard, the marker, the manifest
  EXPECT_NE(Cat("curl -s -o /dev/null -w '%{http_code}' '" + endpoint_ + "/" + bucket + "/'"), "200");

  const std::string secret = "Wr0ng-S3cret-Value-7f3a";
  EXPECT_EQ(RunCommand(AwsEnv(secret) + AlcorBin() + " -v push --store " + store + " " + url, &out, &err), 1);
  EXPECT_NE(err.find("403"), std::string::npos) << err;
  EXPECT_EQ((out + err).find(secret), std::string::npos) << err;
  EXPECT_EQ(RunCommand(AwsEnv(secret) + AlcorBin() + " -v validate --store " + url, &out, &err), 1);
  EXPECT_EQ((out + err).find(secret), std::string::npos) << err;
}

TEST_F(S3Test, CredentialsFromTheConfigsObjectStoreSection) {
  TempDir tmp;
  const std::string store = tmp.Sub("store"), bucket = NewBucket(), url = "s3://" + bucket + "/cfg";
  MakeStore(store, 0, 10);
  // No AWS_* variables: the endpoint in the file, the credentials as ${ENV} references.
  testing::WriteFile(tmp.Sub("team.json"),
                     "// the scrape's configuration may hold this section too\n"
                     "{\"sources\": [], \"object_store\": {\"endpoint\": \"" + endpoint_ +
                         "\", \"access_key_id\": \"${TEAM_S3_KEY}\", \"secret_access_key\": \"${TEAM_S3_SECRET}\"}}\n");
  const std::string env = "env -u AWS_ENDPOINT_URL -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY TEAM_S3_KEY=test:tester ";
  std::string out, err;
  ASSERT_EQ(RunCommand(env + "TEAM_S3_SECRET=testing " + AlcorBin() + " push --config " + tmp.Sub("team.json") +
                           " --json --store " + store + " " + url, &out, &err), 0) << err;
  EXPECT_GT(nlohmann::json::parse(out)["uploaded"].get<uint64_t>(), 0u);
  EXPECT_EQ(RunCommand(env + "TEAM_S3_SECRET=testing " + AlcorBin() + " pull --config " + tmp.Sub("team.json") + " " +
                           url + " --store " + tmp.Sub("copy"), &out, &err), 0) << err;
  // An unset variable is a usage error naming it.
  EXPECT_EQ(RunCommand(env + AlcorBin() + " push --config " + tmp.Sub("team.json") + " --store " + store + " " + url,
                       &out, &err), 2);
  EXPECT_NE(err.find("TEAM_S3_SECRET"), std::string::npos) << err;
  // The scrape accepts the section.
  EXPECT_EQ(RunCommand(AlcorBin() + " scrape --config " + tmp.Sub("team.json") + " --print-config --store " + tmp.Sub("s"),
                       &out, &err), 0) << err;
}

TEST_F(S3Test, RawArchiveFilesTravelWithTheStore) {
  TempDir tmp;
  const std::string store = tmp.Sub("store"), bucket = NewBucket(), url = "s3://" + bucket + "/raw";
  testing::WriteFile(tmp.Sub("in/note.txt"), "A note about reward models, kept with the bytes it was made from.\n");
  std::string out, err;
  ASSERT_EQ(RunCommand(AlcorBin() + " ingest --store " + store + " " + tmp.Sub("in"), &out, &err), 0) << err;
  const nlohmann::json manifest = nlohmann::json::parse(testing::ReadFile(store + "/manifest.json"));
  ASSERT_TRUE(manifest.contains("raw") && !manifest["raw"].empty()) << manifest.dump();
  ASSERT_EQ(RunCommand(Alcor("push --store " + store + " " + url), &out, &err), 0) << err;
  EXPECT_NE(Cat(S3cmd("ls -r " + url + "/")).find(url + "/" + manifest["raw"][0]["path"].get<std::string>()),
            std::string::npos);
  ASSERT_EQ(RunCommand(Alcor("validate --store " + url), &out, &err), 0) << out << err;
  ASSERT_EQ(RunCommand(Alcor("pull " + url + " --store " + tmp.Sub("copy")), &out, &err), 0) << err;
  ASSERT_EQ(RunCommand(AlcorBin() + " validate --store " + tmp.Sub("copy"), &out, &err), 0) << out << err;
  const std::string id = nlohmann::json::parse(Cat(AlcorBin() + " cat --store " + store))["id"].get<std::string>();
  EXPECT_EQ(Cat(AlcorBin() + " raw --store " + tmp.Sub("copy") + " " + id), testing::ReadFile(tmp.Sub("in/note.txt")));
}

TEST_F(S3Test, ALiveLeaseRefusesASecondPusherAndTwoRacingPushersLeaveOneCorpus) {
  TempDir tmp;
  const std::string store = tmp.Sub("store"), bucket = NewBucket(), url = "s3://" + bucket + "/c";
  MakeStore(store, 0, 200);
  std::string out, err;
  // Another machine's live lease.
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count();
  testing::WriteFile(tmp.Sub("lease"), nlohmann::json{{"owner", "builder-7 pid 42"}, {"host", "builder-7"},
                                                      {"pid", 42}, {"token", "x"}, {"expires", "later"},
                                                      {"expires_unix", now + 600}}.dump());
  ASSERT_EQ(RunCommand(S3cmd("put " + tmp.Sub("lease") + " " + url + "/PUSH-LEASE"), nullptr, &err), 0) << err;
  EXPECT_EQ(RunCommand(Alcor("push --store " + store + " " + url), &out, &err), 3);
  EXPECT_NE(err.find("builder-7 pid 42"), std::string::npos) << err;
  // Expired: taken over.
  testing::WriteFile(tmp.Sub("lease"), nlohmann::json{{"owner", "builder-7 pid 42"}, {"token", "x"},
                                                      {"expires_unix", now - 1}}.dump());
  ASSERT_EQ(RunCommand(S3cmd("put " + tmp.Sub("lease") + " " + url + "/PUSH-LEASE"), nullptr, &err), 0) << err;
  ASSERT_EQ(RunCommand(Alcor("push --store " + store + " " + url), &out, &err), 0) << err;

  // Two pushers of two stores at once: each either publishes or is refused with the lease's
  // holder (exit 3); the bucket holds one complete corpus, one of the two.
  const std::string other = tmp.Sub("other");
  MakeStore(other, 1000, 200);
  const std::string url2 = "s3://" + bucket + "/race";
  std::string out1, err1, out2, err2;
  int rc1 = -1, rc2 = -1;
  std::thread t1([&] { rc1 = RunCommand(Alcor("push --store " + store + " " + url2), &out1, &err1); });
  std::thread t2([&] { rc2 = RunCommand(Alcor("push --store " + other + " " + url2), &out2, &err2); });
  t1.join();
  t2.join();
  EXPECT_TRUE(rc1 == 0 || rc2 == 0) << err1 << err2;
  for (auto [rc, e] : {std::pair{rc1, err1}, std::pair{rc2, err2}}) {
    EXPECT_TRUE(rc == 0 || rc == 3) << e;
    if (rc == 3) {
      EXPECT_NE(e.find("lease"), std::string::npos) << e;
    }
  }
  ASSERT_EQ(RunCommand(Alcor("validate --store " + url2), &out, &err), 0) << out << err;
  const std::string published = Cat(Alcor("cat --store " + url2));
  EXPECT_TRUE(published == Cat(AlcorBin() + " cat --store " + store) ||
              published == Cat(AlcorBin() + " cat --store " + other));
}

TEST_F(S3Test, APushKilledAtRandomMomentsLeavesACompleteCorpusAndTheNextPushFinishes) {
  TempDir tmp;
  const std::string store = tmp.Sub("store"), bucket = NewBucket(), url = "s3://" + bucket + "/c";
  MakeStore(store, 0, 100);
  std::string out, err;
  ASSERT_EQ(RunCommand(Alcor("push --store " + store + " " + url), &out, &err), 0) << err;
  std::mt19937 random(20261207);
  uint64_t next = 100;
  int killed_mid_upload = 0;
  // At least three rounds, and more (up to ten) until one kill lands mid-upload: a push that
  // finished before its kill halves the next delay, so a fast machine is caught as well.
  int delay_ms = 100 + static_cast<int>(random() % 1500);
  for (int round = 0; round < 10 && (round < 3 || killed_mid_upload == 0); ++round) {
    // Shards of a few records: the push takes long enough to be killed mid-upload.
    MakeStore(store, next, 100, 3 << 10);
    next += 100;
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      const std::string command = Alcor("push --quiet --store " + store + " " + url);
      execl("/bin/sh", "sh", "-c", ("exec env " + command).c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    delay_ms = WIFEXITED(status) ? std::max(20, delay_ms / 2) : 50 + static_cast<int>(random() % 1500);
    // Whatever the moment: the bucket holds a complete corpus (the old one or the new one); what
    // a push killed mid-upload left unlisted is named by its intent (a note, not a problem).
    ASSERT_EQ(RunCommand(Alcor("validate --store " + url), &out, &err), 0) << "round " << round << ": " << out << err;
    if (err.find("left by an interrupted commit") != std::string::npos) ++killed_mid_upload;
  }
  EXPECT_GE(killed_mid_upload, 1) << "no push was killed mid-upload: the test missed its point";
  ASSERT_EQ(RunCommand(Alcor("push --json --store " + store + " " + url), &out, &err), 0) << err;
  ASSERT_EQ(RunCommand(Alcor("validate --store " + url), &out, &err), 0) << out << err;
  EXPECT_EQ(Cat(Alcor("cat --store " + url)), Cat(AlcorBin() + " cat --store " + store));
}

TEST_F(S3Test, ClientUploadsLargeObjectsInPartsAndReadsRanges) {
  const std::string bucket = NewBucket();
  S3Options options = Options();
  options.multipart_threshold = 6 << 20;
  options.part_size = 5 << 20;
  std::unique_ptr<S3Client> client;
  ASSERT_TRUE(S3Client::Open(options, bucket, &client).ok());
  TempDir tmp;
  std::string data;
  std::mt19937_64 random(7);
  while (data.size() < (11u << 20) + 12345) data += std::to_string(random());
  testing::WriteFile(tmp.Sub("big"), data);
  ASSERT_TRUE(client->PutFile("dir/big file+%.bin", tmp.Sub("big")).ok());
  S3ObjectInfo info;
  ASSERT_TRUE(client->Head("dir/big file+%.bin", &info).ok());
  EXPECT_EQ(info.size, data.size());
  EXPECT_EQ(info.sha256, Sha256Hex(data));
  std::string range;
  ASSERT_TRUE(client->GetRange("dir/big file+%.bin", (5 << 20) - 3, 10, &range).ok());
  EXPECT_EQ(range, data.substr((5 << 20) - 3, 10));
  std::vector<S3ObjectInfo> listed;
  ASSERT_TRUE(client->List("dir/", &listed).ok());
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].key, "dir/big file+%.bin");
  // s3cmd reads back the same bytes.
  std::string err;
  ASSERT_EQ(RunCommand(S3cmd("get --force 's3://" + bucket + "/dir/big file+%.bin' " + tmp.Sub("back")), nullptr, &err), 0)
      << err;
  EXPECT_TRUE(testing::ReadFile(tmp.Sub("back")) == data);
  EXPECT_TRUE(client->Head("dir/none", &info).IsNotFound());
  ASSERT_TRUE(client->Delete("dir/big file+%.bin").ok());
  EXPECT_TRUE(client->Delete("dir/big file+%.bin").ok());
}

}  // namespace
}  // namespace alcor
