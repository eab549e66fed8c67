// alcor scrape end to end against the offline mirror (build/mirror serving examples/mirror) with
// configs/quickstart.json pointed at it: every source kind produces complete records, a second
// run fetches only what changed, SIGTERM stops a run cleanly with exit 130, and SIGKILL at
// seeded random moments followed by a new run always ends with the records of an uninterrupted
// run, nothing lost and nothing doubled.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "alcor/corpus.hpp"
#include "alcor/dedup.hpp"
#include "alcor/env.hpp"
#include "alcor/source_config.hpp"
#include "alcor/store.hpp"
#include "alcor/validate.hpp"
#include "support/store_helpers.hpp"
#include "support/temp_dir.hpp"

namespace alcor {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

std::string SourceDir() {
  const char* dir = std::getenv("ALCOR_SOURCE_DIR");
  return dir ? dir : ".";
}
std::string BuildDir() {
  const char* dir = std::getenv("ALCOR_BUILD_DIR");
  return dir ? dir : "build";
}

// A child process started with fork/exec; stdout and stderr go to files.
pid_t Spawn(const std::vector<std::string>& args, const std::string& out_path) {
  pid_t pid = ::fork();
  if (pid == 0) {
    FILE* out = std::fopen(out_path.c_str(), "w");
    if (out) {
      ::dup2(fileno(out), 1);
      ::dup2(fileno(out), 2);
    }
    std::vector<char*> argv;
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  return pid;
}

int WaitExit(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

// The mirror on an ephemeral port for the whole suite.
class Mirror {
 public:
  Mirror() {
    port_file_ = tmp_.Sub("port");
    pid_ = Spawn({BuildDir() + "/mirror", "--port", "0", "--root", SourceDir() + "/examples/mirror", "--port-file",
                  port_file_},
                 tmp_.Sub("mirror.log"));
    for (int i = 0; i < 200 && port_.empty(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
      std::ifstream in(port_file_);
      std::string p, api, site;
      if (in >> p >> api >> site) {
        port_ = p;
        arxiv_ports_ = {api, site};
      }
    }
  }
  ~Mirror() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      WaitExit(pid_);
    }
  }
  const std::string& port() const { return port_; }
  // The arXiv API host's and site's ports (configs/quickstart.json: 18090, 18091).
  const std::vector<std::string>& arxiv_ports() const { return arxiv_ports_; }
  std::string Log() const { return testing::ReadFile(tmp_.Sub("mirror.log")); }

 private:
  testing::TempDir tmp_;
  std::string port_file_;
  std::string port_;
  std::vector<std::string> arxiv_ports_;
  pid_t pid_ = -1;
};

class ScrapeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { mirror_ = new Mirror(); }
  static void TearDownTestSuite() {
    delete mirror_;
    mirror_ = nullptr;
  }
  void SetUp() override {
    ASSERT_FALSE(mirror_->port().empty()) << "the mirror did not start:\n" << mirror_->Log();
    config_ = WriteConfig(0);
  }

  // configs/quickstart.json pointed at this suite's mirror; interval_s > 0 slows the run down.
  std::string WriteConfig(double interval_s) {
    std::string text = testing::ReadFile(SourceDir() + "/configs/quickstart.json");
    std::vector<std::pair<std::string, std::string>> ports = {{"18089", mirror_->port()},
                                                              {"18090", mirror_->arxiv_ports()[0]},
                                                              {"18091", mirror_->arxiv_ports()[1]}};
    for (const auto& [fixed_port, port] : ports) {
      const std::string fixed = "127.0.0.1:" + fixed_port;
      for (size_t at = text.find(fixed); at != std::string::npos; at = text.find(fixed, at)) {
        text.replace(at, fixed.size(), "127.0.0.1:" + port);
      }
    }
    json config = json::parse(text);
    config["http"]["hosts"]["127.0.0.1:" + mirror_->port()]["interval_s"] = interval_s;
    std::string path = tmp_.Sub("config-" + std::to_string(interval_s) + ".json");
    testing::WriteFile(path, config.dump(2));
    return path;
  }

  std::vector<std::string> ScrapeArgs(const std::string& store, const std::string& config) {
    return {testing::AlcorBin(), "--store", store, "--no-progress", "scrape", "--config", config};
  }

  int Scrape(const std::string& store, const std::string& config, std::string* output = nullptr) {
    std::string log = tmp_.Sub("scrape.log");
    int rc = WaitExit(Spawn(ScrapeArgs(store, config), log));
    if (output) *output = testing::ReadFile(log);
    return rc;
  }

  static std::vector<Record> Records(const std::string& dir) { return testing::CurrentRecords(dir); }

  // What must be equal between an interrupted-and-resumed run and an uninterrupted one: each
  // record as the set of every URL it stands for (its own and also_at). Which of two merged
  // duplicates keeps its id may depend on which source got there first, but the items, and the
  // URLs each record stands for, do not.
  static std::multiset<std::string> RecordSet(const std::vector<Record>& records) {
    std::multiset<std::string> out;
    for (const Record& r : records) {
      std::set<std::string> urls = {r.url.empty() ? r.id : r.url};
      for (const AlsoAt& a : r.also_at)
        if (!a.url.empty()) urls.insert(a.url);
      std::string key;
      for (const std::string& u : urls) key += u + " ";
      out.insert(key);
    }
    return out;
  }

  // As `alcor validate` checks it: superseded older versions do not count as duplicate ids.
  static void ExpectValid(const std::string& dir, const std::string& when) {
    auto superseded = std::make_shared<SupersededSet>();
    {
      std::unique_ptr<Store> store;
      StoreOptions ro;
      ro.read_only = true;
      ASSERT_TRUE(Store::Open(Env::Default(), dir, ro, &store).ok());
      ASSERT_TRUE(LoadSuperseded(*store, superseded.get()).ok());
    }
    ValidateOptions options;
    options.is_superseded = [superseded](const RecordLocation& where) { return superseded->Contains(where); };
    ValidationReport report;
    ASSERT_TRUE(ValidateStore(Env::Default(), dir, options, &report).ok());
    std::string problems;
    for (const auto& p : report.problems) problems += p.ToString() + "\n";
    EXPECT_TRUE(report.ok()) << when << ":\n" << problems;
  }

  static std::set<std::string> RunReports(const std::string& dir) {
    std::vector<std::string> runs;
    Env::Default()->GetChildren(dir + "/runs", &runs);
    return std::set<std::string>(runs.begin(), runs.end());
  }
  // The one run report that is not in `before` (run ids of one second do not sort by time).
  static json NewRunReport(const std::string& dir, const std::set<std::string>& before) {
    for (const std::string& run : RunReports(dir)) {
      if (!before.count(run)) return json::parse(testing::ReadFile(dir + "/runs/" + run));
    }
    return json();
  }

  static Mirror* mirror_;
  testing::TempDir tmp_;
  std::string config_;
};

Mirror* ScrapeTest::mirror_ = nullptr;

TEST_F(ScrapeTest, EverySourceKindProducesCompleteRecordsAndASecondRunFetchesOnlyChanges) {
  std::string store = tmp_.Sub("store");
  std::string output;
  ASSERT_EQ(Scrape(store, config_, &output), 0) << output;
  ExpectValid(store, "after the first run");
  std::vector<Record> records = Records(store);
  std::map<std::string, int> by_kind;
  std::set<std::string> ids;
  for (const Record& r : records) {
    EXPECT_TRUE(ids.insert(r.id).second) << "doubled: " << r.id;
    by_kind[r.source_kind]++;
    EXPECT_FALSE(r.title.empty()) << r.id;
    EXPECT_FALSE(r.text.empty()) << r.id;
    EXPECT_FALSE(r.fetched_at.empty()) << r.id;
    if (r.source_kind == "forummagnum" || r.source_kind == "arxiv" || r.source_kind == "feed") {
      EXPECT_FALSE(r.url.empty()) << r.id;
      EXPECT_FALSE(r.authors.empty()) << r.id;
      EXPECT_TRUE(r.date_published.has_value()) << r.id;
      EXPECT_TRUE(r.metadata.contains("text_from")) << r.id << " " << r.metadata.dump();
    }
  }
  json config = json::parse(testing::ReadFile(config_));
  std::set<std::string> kinds;
  for (const json& s : config["sources"]) kinds.insert(s["kind"].get<std::string>());
  for (const std::string& kind : kinds) EXPECT_GT(by_kind[kind], 0) << "no records from kind " << kind;

  // The raw archive: every record made from fetched or read bytes points at them; a GraphQL page
  // of many posts is one WARC record they share; warcio reads every record.
  std::map<std::string, int> with_raw;
  std::map<std::string, int> sharing;  // "file@offset" of shared answers → records pointing at it
  for (const Record& r : records) {
    if (!r.metadata.contains("raw")) continue;
    with_raw[r.source_kind]++;
    if (r.metadata["raw"].value("part", false))
      sharing[r.metadata["raw"]["file"].get<std::string>() + "@" + r.metadata["raw"]["offset"].dump()]++;
  }
  for (const char* kind : {"forummagnum", "feed"}) EXPECT_GT(with_raw[kind], 0) << kind;
  int shared_by_several = 0;
  for (const auto& [at, n] : sharing) shared_by_several += n > 1;
  EXPECT_GT(shared_by_several, 0) << "some GraphQL page is pointed at by several records";
  EXPECT_GT(testing::CheckRawArchiveWithWarcio(store), 0u);
  Result<Manifest> manifest = Manifest::Parse(testing::ReadFile(store + "/manifest.json"), "manifest");
  ASSERT_TRUE(manifest.ok());
  const size_t raw_files = manifest->raw.size();
  EXPECT_GT(raw_files, 0u);

  json first = NewRunReport(store, {});
  ASSERT_TRUE(first.is_object());
  EXPECT_EQ(first["sources"].size(), config["sources"].size());

  // The second run: cursors and conditional GET; nothing new is fetched or stored.
  std::set<std::string> before = RunReports(store);
  ASSERT_EQ(Scrape(store, config_, &output), 0) << output;
  json second = NewRunReport(store, before);
  ASSERT_NE(second["run_id"], first["run_id"]);
  for (const json& s : second["sources"]) {
    EXPECT_EQ(s["fetched"], 0) << s.dump();
    EXPECT_EQ(s["new"], 0) << s.dump();
    EXPECT_EQ(s["status"], "ok") << s.dump();
  }
  EXPECT_EQ(RecordSet(Records(store)), RecordSet(records));
  ExpectValid(store, "after the second run");
  Result<Manifest> after = Manifest::Parse(testing::ReadFile(store + "/manifest.json"), "manifest");
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->raw.size(), raw_files) << "nothing fetched again, no bytes stored again";
}

// `alcor rebuild` re-derives the forum's posts and comments out of the GraphQL pages they share and
// arXiv's text out of its HTML page or PDF, through the code the scrape used: unchanged, it
// changes nothing; with a conversion change, exactly the records whose text it touches change.
TEST_F(ScrapeTest, RebuildReDerivesForumAndArxivRecordsFromTheirRawBytes) {
  std::string store = tmp_.Sub("store");
  std::string output;
  ASSERT_EQ(Scrape(store, config_, &output), 0) << output;
  const std::vector<Record> records = Records(store);
  const std::string word = "the";
  std::map<std::string, int> expected_changed, with_raw;
  std::map<std::string, std::string> kind_of;
  for (const Record& r : records) {
    kind_of[r.source] = r.source_kind;
    if (r.source_kind != "forummagnum" && r.source_kind != "arxiv") continue;
    if (!r.metadata.contains("raw")) continue;
    if (r.source_kind == "arxiv" && r.metadata.value("text_from", "") == "abstract") continue;  // not made of raw bytes
    with_raw[r.source]++;
    if (r.text.find(word) != std::string::npos) expected_changed[r.source]++;
  }
  for (const char* kind : {"forummagnum", "arxiv"}) {
    int n = 0;
    for (const auto& [source, count] : with_raw) n += kind_of[source] == kind ? count : 0;
    ASSERT_GT(n, 0) << "no " << kind << " record made of raw bytes";
  }
  std::string out, err;
  auto rebuild = [&](const std::string& args) {
    EXPECT_EQ(testing::RunCommand(testing::AlcorBin() + " --store " + store + " --no-progress rebuild --json " + args,
                                  &out, &err), 0) << err;
    std::map<std::string, json> by_source;
    const json report = json::parse(out);
    for (const json& s : report.value("sources", json::array())) by_source[s["source"]] = s;
    for (const auto& [source, n] : with_raw) {
      EXPECT_TRUE(by_source.count(source)) << source << " is not in the report: " << out;
      by_source.try_emplace(source, json::object());
    }
    return by_source;
  };
  std::map<std::string, json> same = rebuild("");
  for (const auto& [source, n] : with_raw) {
    const json& s = same[source];
    EXPECT_EQ(s["unchanged"], n) << source << ": " << s.dump();
    EXPECT_EQ(s["changed"], 0) << source << ": " << s.dump();
    EXPECT_EQ(s["failed"], 0) << source << ": " << s.dump();
  }
  ExpectValid(store, "after an unchanged rebuild");
  std::map<std::string, json> altered = rebuild("--test-alter-conversion " + word);
  for (const auto& [source, n] : with_raw) {
    const json& s = altered[source];
    EXPECT_EQ(s["changed"], expected_changed[source]) << source << ": " << s.dump();
    EXPECT_EQ(s["unchanged"], n - expected_changed[source]) << source << ": " << s.dump();
    EXPECT_EQ(s["failed"], 0) << source << ": " << s.dump();
  }
  for (const Record& r : Records(store)) {
    if (kind_of[r.source] != "forummagnum" && kind_of[r.source] != "arxiv") continue;
    if (!r.metadata.contains("raw") || r.metadata.value("text_from", "") == "abstract") continue;
    EXPECT_EQ(r.text.find(word), std::string::npos) << r.id << ": the altered conversion reached it";
  }
  ExpectValid(store, "after a rebuild that changed records");
}

TEST_F(ScrapeTest, SigtermStopsWithinSecondsCommitsAndExits130) {
  std::string slow = WriteConfig(0.25);  // each request to the mirror 250 ms apart
  std::string store = tmp_.Sub("term");
  pid_t pid = Spawn(ScrapeArgs(store, slow), tmp_.Sub("term.log"));
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  auto sent = Clock::now();
  ::kill(pid, SIGTERM);
  int rc = WaitExit(pid);
  auto took = Clock::now() - sent;
  std::string log = testing::ReadFile(tmp_.Sub("term.log"));
  EXPECT_EQ(rc, 130) << log;
  EXPECT_LT(took, std::chrono::seconds(5));
  ExpectValid(store, "after SIGTERM");
  json report = NewRunReport(store, {});
  EXPECT_EQ(report["interrupted"], true) << report.dump();
  // Run again to the end: the same records as an uninterrupted run.
  std::string reference = tmp_.Sub("reference");
  ASSERT_EQ(Scrape(reference, config_), 0);
  ASSERT_EQ(Scrape(store, config_), 0);
  EXPECT_EQ(RecordSet(Records(store)), RecordSet(Records(reference)));
}

TEST_F(ScrapeTest, SigkillAtRandomMomentsThenRerunEndsWithTheUninterruptedRecords) {
  std::string reference = tmp_.Sub("reference");
  auto start = Clock::now();
  ASSERT_EQ(Scrape(reference, config_), 0);
  double full_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  std::multiset<std::string> expected = RecordSet(Records(reference));
  ASSERT_FALSE(expected.empty());

  const int kTrials = 20;
  std::mt19937 rng(20261128);
  std::uniform_real_distribution<double> moment(0.0, 1.1);
  int killed_with_records = 0;
  // On a loaded machine a run can take several times the reference's time, so every random
  // moment may fall before the first commit. Then up to 8 more trials kill at 2, 4, 8... times
  // the reference's time, so that a kill after a commit is always among the trials.
  const int kExtraTrials = 8;
  for (int trial = 0; trial < kTrials || (killed_with_records == 0 && trial < kTrials + kExtraTrials); ++trial) {
    std::string store = tmp_.Sub("kill" + std::to_string(trial));
    pid_t pid = Spawn(ScrapeArgs(store, config_), tmp_.Sub("kill.log"));
    double factor = trial < kTrials ? moment(rng) : static_cast<double>(int64_t{1} << (trial - kTrials + 1));
    auto delay = std::chrono::microseconds(static_cast<int64_t>(factor * full_ms * 1000));
    std::this_thread::sleep_for(delay);
    ::kill(pid, SIGKILL);
    WaitExit(pid);
    if (Env::Default()->FileExists(store + "/ALCOR_STORE")) {
      ExpectValid(store, "trial " + std::to_string(trial) + " after SIGKILL");
      if (!Records(store).empty()) ++killed_with_records;
    }
    std::string output;
    ASSERT_EQ(Scrape(store, config_, &output), 0) << "trial " << trial << ":\n" << output;
    ExpectValid(store, "trial " + std::to_string(trial) + " after the rerun");
    std::vector<Record> records = Records(store);
    std::set<std::string> ids;
    for (const Record& r : records) EXPECT_TRUE(ids.insert(r.id).second) << "trial " << trial << " doubled " << r.id;
    EXPECT_EQ(RecordSet(records), expected) << "trial " << trial << " (killed after " << delay.count() << " us)";
  }
  EXPECT_GT(killed_with_records, 0) << "some kills came after a commit";
}

}  // namespace
}  // namespace alcor

namespace alcor {
namespace {

TEST(ScrapeCliTest, ConfigErrorsExitTwoNamingFileKeyAndSuggestion) {
  testing::TempDir tmp;
  std::string config = tmp.Sub("bad.json");
  testing::WriteFile(config, R"({"sources": [{"name": "lw", "kind": "forummagnum", "karma_mn": 5}]})");
  std::string out, err;
  int rc = testing::RunCommand(testing::AlcorBin() + " --store " + tmp.Sub("s") + " scrape --config " + config, &out, &err);
  EXPECT_EQ(rc, 2) << err;
  EXPECT_NE(err.find(config), std::string::npos) << err;
  EXPECT_NE(err.find("karma_mn"), std::string::npos) << err;
  EXPECT_NE(err.find("did you mean 'karma_min'"), std::string::npos) << err;
  EXPECT_FALSE(Env::Default()->FileExists(tmp.Sub("s"))) << "a bad config must not create the store";

  testing::WriteFile(config, R"({"sources": [{"name": "x", "kind": "forummagnun"}]})");
  rc = testing::RunCommand(testing::AlcorBin() + " scrape --config " + config, &out, &err);
  EXPECT_EQ(rc, 2);
  EXPECT_NE(err.find("did you mean 'forummagnum'"), std::string::npos) << err;

  rc = testing::RunCommand(testing::AlcorBin() + " scrape --config " + tmp.Sub("missing.json"), &out, &err);
  EXPECT_EQ(rc, 2);
  EXPECT_NE(err.find("missing.json"), std::string::npos) << err;
}

TEST(ScrapeCliTest, PrintConfigFillsDefaultsAndMasksSecrets) {
  testing::TempDir tmp;
  std::string config = tmp.Sub("c.json");
  testing::WriteFile(config, R"({"http": {"hosts": {"www.lesswrong.com": {"headers": {"Authorization": "${ALCOR_TEST_SECRET}"}}}},
                                 "sources": [{"name": "lw", "kind": "forummagnum"}]})");
  std::string out, err;
  int rc = testing::RunCommand("ALCOR_TEST_SECRET=hunter2-value " + testing::AlcorBin() + " scrape --print-config --config " + config,
                               &out, &err);
  ASSERT_EQ(rc, 0) << err;
  nlohmann::json effective = nlohmann::json::parse(out);
  EXPECT_EQ(out.find("hunter2-value"), std::string::npos);
  EXPECT_NE(out.find("${ALCOR_TEST_SECRET}"), std::string::npos);
  EXPECT_EQ(effective["sources"][0]["base_url"], "https://www.lesswrong.com");  // a default, filled in
  EXPECT_EQ(effective["sources"][0]["enabled"], true);
}

TEST(ScrapeCliTest, SourcesListsEveryKindAndTheDefaultConfigLoads) {
  std::string out, err;
  ASSERT_EQ(testing::RunCommand(testing::AlcorBin() + " sources", &out, &err), 0) << err;
  for (const char* kind : {"forummagnum", "arxiv", "feed", "book"}) {
    EXPECT_NE(out.find(kind), std::string::npos) << out;
  }
  // The shipped configurations are valid as they are.
  for (const char* config : {"/configs/default.json", "/configs/quickstart.json"}) {
    int rc = testing::RunCommand(testing::AlcorBin() + " scrape --print-config --config " + SourceDir() + config, &out, &err);
    EXPECT_EQ(rc, 0) << config << ": " << err;
  }
}

TEST(ScrapeCliTest, SourcesKeysPrintsTheGeneratedTablesAndRejectsAnUnknownKind) {
  std::string out, err;
  ASSERT_EQ(testing::RunCommand(testing::AlcorBin() + " sources --keys feed", &out, &err), 0) << err;
  EXPECT_EQ(out, KeyTableMarkdown(*FindSourceKind("feed")));
  ASSERT_EQ(testing::RunCommand(testing::AlcorBin() + " sources --keys", &out, &err), 0) << err;
  for (const SourceKind* kind : BuiltinSourceKinds()) {
    EXPECT_NE(out.find("## " + kind->name + "\n\n" + KeyTableMarkdown(*kind)), std::string::npos) << kind->name;
  }
  EXPECT_EQ(testing::RunCommand(testing::AlcorBin() + " sources --keys forumagnum", &out, &err), 2);
  EXPECT_NE(err.find("did you mean 'forummagnum'"), std::string::npos) << err;
  EXPECT_EQ(out, "");
}

}  // namespace
}  // namespace alcor
