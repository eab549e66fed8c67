// The raw archive end to end (alcor/raw_archive.hpp, alcor/rebuild.hpp): what ingest keeps of
// files and fetched pages, `alcor raw`, validate's checks, `alcor rebuild` (unchanged store, a
// conversion change, dry run, interrupt and resume, damaged raw bytes), `alcor raw prune`, stats.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "alcor/env.hpp"
#include "alcor/hash.hpp"
#include "alcor/rebuild.hpp"
#include "alcor/store.hpp"
#include "alcor/url.hpp"
#include "alcor_testing/emulators/static_site.hpp"
#include "alcor_testing/test_server.hpp"
#include "support/store_helpers.hpp"
#include "support/temp_dir.hpp"

namespace alcor {
namespace {

using testing::ReadFile;
using testing::RunCommand;
using testing::StaticSite;
using testing::TempDir;
using testing::TestServer;
using testing::WriteFile;

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

std::string Alcor(const TempDir& tmp) { return testing::AlcorBin() + " --store " + tmp.Sub("c") + " "; }

std::string Page(const std::string& title, const std::string& body) {
  return "<html><head><title>" + title + "</title></head><body><nav><a href='/'>Home</a> <a href='/x'>More</a></nav>"
         "<article><h1>" + title + "</h1><p>" + body + "</p><p>A second paragraph so the article is the main "
         "content of the page and the navigation is not.</p></article><footer>footer links</footer></body></html>";
}

// The records `alcor cat` prints, by id, as their JSON lines.
std::map<std::string, std::string> CatById(const TempDir& tmp) {
  std::string out, err;
  EXPECT_EQ(RunCommand(Alcor(tmp) + "cat", &out, &err), 0) << err;
  std::map<std::string, std::string> by_id;
  for (const nlohmann::json& r : testing::ParseJsonLines(out)) by_id[r["id"]] = r.dump();
  return by_id;
}

Manifest ReadManifest(const TempDir& tmp) {
  Result<Manifest> m = Manifest::Parse(ReadFile(tmp.Sub("c/manifest.json")), "manifest.json");
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return m.ok() ? m.value() : Manifest();
}

// Writes n HTML files; those with an even number mention "corrigibility".
std::vector<std::string> WritePages(const TempDir& tmp, int n) {
  std::vector<std::string> paths;
  for (int i = 0; i < n; ++i) {
    std::string path = tmp.Sub("in/page" + std::to_string(i) + ".html");
    WriteFile(path, Page("Page " + std::to_string(i), "Number " + std::to_string(i) + " discusses " +
                                                          (i % 2 == 0 ? "corrigibility" : "interpretability") +
                                                          " at some length, with care."));
    paths.push_back(path);
  }
  return paths;
}

TEST(RawArchiveCliTest, IngestKeepsTheBytesOfFilesAndFetchedPagesOnce) {
  TempDir tmp;
  TestServer server;
  StaticSite site;
  const std::string fetched = Page("Fetched", "A page served over HTTP about reward hacking.");
  site.SetFile("essay.html", fetched);
  site.Install(&server, "/site");
  ::setenv("no_proxy", "*", 1);
  nlohmann::json config = {{"http", {{"max_attempts", 1}, {"hosts", {{server.HostPort(), {{"interval_s", 0}}}}}}},
                           {"sources", nlohmann::json::array()}};
  WriteFile(tmp.Sub("ingest.json"), config.dump());
  const std::string local = Page("Local", "A local file about goal misgeneralization.");
  WriteFile(tmp.Sub("in/local.html"), local);
  WriteFile(tmp.Sub("in/notes.txt"), "Plain notes on scalable oversight.\n");
  const std::string url = server.Url("/site/essay.html");
  const std::string inputs = tmp.Sub("in/local.html") + " " + tmp.Sub("in/notes.txt") + " " + url;
  std::string out, err;
  ASSERT_EQ(RunCommand(Alcor(tmp) + "ingest --config " + tmp.Sub("ingest.json") + " " + inputs, &out, &err), 0)
      << out << err;

  Manifest m = ReadManifest(tmp);
  ASSERT_EQ(m.raw.size(), 1u) << "one file for the one commit";
  EXPECT_EQ(m.raw[0].records, 3u);
  struct stat st;
  ASSERT_EQ(::stat(tmp.Sub("c/" + m.raw[0].path).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(m.raw[0].sha256, Sha256Hex(ReadFile(tmp.Sub("c/" + m.raw[0].path))));

  std::map<std::string, std::string> records = CatById(tmp);
  ASSERT_EQ(records.size(), 3u);
  std::map<std::string, std::string> originals = {{"file:" + Sha256Hex(local), local},
                                                  {"web:" + CanonicalizeUrl(url), fetched}};
  for (const auto& [id, bytes] : originals) {
    ASSERT_TRUE(records.count(id)) << id;
    nlohmann::json r = nlohmann::json::parse(records[id]);
    ASSERT_TRUE(r["metadata"].contains("raw")) << records[id];
    EXPECT_EQ(r["metadata"]["raw"]["file"], m.raw[0].path);
    EXPECT_TRUE(r["metadata"]["raw"]["offset"].is_number_unsigned());
    EXPECT_EQ(r["metadata"]["raw"]["record_id"].get<std::string>().rfind("<urn:uuid:", 0), 0u);
    ASSERT_EQ(RunCommand(Alcor(tmp) + "raw '" + id + "'", &out, &err), 0) << err;
    EXPECT_EQ(out, bytes) << id;
  }
  // The fetched page is a response record with its HTTP head; the file a resource record.
  ASSERT_EQ(RunCommand(Alcor(tmp) + "raw " + url + " --warc", &out, &err), 0) << err;
  EXPECT_EQ(out.rfind("WARC/1.1\r\n", 0), 0u);
  EXPECT_TRUE(Contains(out, "WARC-Type: response\r\n")) << out.substr(0, 600);
  EXPECT_TRUE(Contains(out, "WARC-Target-URI: " + url + "\r\n"));
  EXPECT_TRUE(Contains(out, "WARC-Payload-Digest: sha256:" + Sha256Hex(fetched) + "\r\n"));
  EXPECT_TRUE(Contains(out, "\r\n\r\nHTTP/1.1 200 OK\r\n"));
  ASSERT_EQ(RunCommand(Alcor(tmp) + "raw file:" + Sha256Hex(local) + " --warc", &out, &err), 0) << err;
  EXPECT_TRUE(Contains(out, "WARC-Type: resource\r\n"));
  EXPECT_TRUE(Contains(out, "WARC-Target-URI: file:///")) << out.substr(0, 600);
  EXPECT_TRUE(Contains(out, "Content-Type: text/html\r\n")) << out.substr(0, 600);
  EXPECT_NE(RunCommand(Alcor(tmp) + "raw web:https://nowhere.test/", &out, &err), 0);
  // A WARC reader alcor did not write reads every record, digests and ids included.
  EXPECT_EQ(testing::CheckRawArchiveWithWarcio(tmp.Sub("c")), 3u);

  // The same inputs again: nothing new is stored, and no bytes either.
  ASSERT_EQ(RunCommand(Alcor(tmp) + "ingest --config " + tmp.Sub("ingest.json") + " " + inputs, &out, &err), 0)
      << out << err;
  EXPECT_EQ(ReadManifest(tmp).raw.size(), 1u);

  ASSERT_EQ(RunCommand(Alcor(tmp) + "validate --json", &out, &err), 0) << out << err;
  EXPECT_EQ(nlohmann::json::parse(out)["raw_files"], 1);
  ASSERT_EQ(RunCommand(Alcor(tmp) + "stats --json", &out, &err), 0) << err;
  EXPECT_EQ(nlohmann::json::parse(out)["total"]["raw_bytes"], m.raw[0].file_bytes);

  // A record pointing at bytes that are not there is a problem for validate.
  std::string raw_path = tmp.Sub("c/" + m.raw[0].path);
  std::string bytes = ReadFile(raw_path);
  WriteFile(raw_path, bytes.substr(0, bytes.size() - 7));
  ::chmod(raw_path.c_str(), 0600);
  EXPECT_EQ(RunCommand(Alcor(tmp) + "validate", &out, &err), 1) << out << err;
  EXPECT_TRUE(Contains(out + err, m.raw[0].path + "@")) << out << err;
}

TEST(RawArchiveCliTest, RawNoneKeepsNoBytes) {
  TempDir tmp;
  WriteFile(tmp.Sub("in/a.html"), Page("A", "Some text about agents."));
  nlohmann::json config = {{"raw", "none"},
                           {"sources", {{{"name", "files"}, {"kind", "file"}, {"inputs", {tmp.Sub("in")}}}}}};
  WriteFile(tmp.Sub("scrape.json"), config.dump());
  std::string out, err;
  ASSERT_EQ(RunCommand(Alcor(tmp) + "scrape --config " + tmp.Sub("scrape.json"), &out, &err), 0) << out << err;
  EXPECT_TRUE(ReadManifest(tmp).raw.empty());
  std::map<std::string, std::string> records = CatById(tmp);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_FALSE(Contains(records.begin()->second, "\"raw\""));
  EXPECT_EQ(RunCommand(Alcor(tmp) + "raw " + records.begin()->first, &out, &err), 1);
  EXPECT_TRUE(Contains(err, "no raw bytes")) << err;
  config["raw"] = "some";
  WriteFile(tmp.Sub("scrape.json"), config.dump());
  EXPECT_EQ(RunCommand(Alcor(tmp) + "scrape --config " + tmp.Sub("scrape.json"), &out, &err), 2) << err;
}

TEST(RawArchiveCliTest, RebuildChangesNothingUnlessTheConversionChangedThenExactlyTheAffectedRecords) {
  TempDir tmp;
  std::vector<std::string> paths = WritePages(tmp, 12);
  std::string out, err;
  ASSERT_EQ(RunCommand(Alcor(tmp) + "ingest " + tmp.Sub("in"), &out, &err), 0) << out << err;
  std::map<std::string, std::string> before = CatById(tmp);
  ASSERT_EQ(before.size(), 12u);

  ASSERT_EQ(RunCommand(Alcor(tmp) + "rebuild --json", &out, &err), 0) << err;
  nlohmann::json report = nlohmann::json::parse(out);
  ASSERT_EQ(report["sources"].size(), 1u) << out;
  EXPECT_EQ(report["sources"][0]["changed"], 0) << out;
  EXPECT_EQ(report["sources"][0]["unchanged"], 12) << out;
  EXPECT_EQ(report["sources"][0]["failed"], 0) << out;
  EXPECT_EQ(CatById(tmp), before);

  // A dry run of a conversion change reports it and writes nothing.
  Manifest manifest_before = ReadManifest(tmp);
  ASSERT_EQ(RunCommand(Alcor(tmp) + "rebuild --dry-run --json --test-alter-conversion corrigibility", &out, &err), 0)
      << err;
  EXPECT_EQ(nlohmann::json::parse(out)["sources"][0]["changed"], 6) << out;
  EXPECT_EQ(ReadManifest(tmp).generation, manifest_before.generation);
  EXPECT_EQ(CatById(tmp), before);

  ASSERT_EQ(RunCommand(Alcor(tmp) + "rebuild --json --test-alter-conversion corrigibility", &out, &err), 0) << err;
  report = nlohmann::json::parse(out);
  EXPECT_EQ(report["sources"][0]["changed"], 6) << out;
  EXPECT_EQ(report["sources"][0]["unchanged"], 6) << out;
  std::map<std::string, std::string> after = CatById(tmp);
  ASSERT_EQ(after.size(), before.size());
  int changed = 0;
  for (const auto& [id, line] : before) {
    ASSERT_TRUE(after.count(id)) << id;
    bool affected = Contains(line, "corrigibility");
    if (affected) {
      ++changed;
      EXPECT_TRUE(Contains(after[id], "CORRIGIBILITY")) << after[id];
      EXPECT_EQ(nlohmann::json::parse(after[id])["metadata"]["raw"], nlohmann::json::parse(line)["metadata"]["raw"]);
    } else {
      EXPECT_EQ(after[id], line) << "a record the change does not affect stays as it was";
    }
  }
  EXPECT_EQ(changed, 6);
  ASSERT_EQ(RunCommand(Alcor(tmp) + "validate", &out, &err), 0) << out << err;
  ASSERT_EQ(RunCommand(Alcor(tmp) + "rebuild --source nosuch", &out, &err), 2) << err;
}

TEST(RawArchiveCliTest, PruneKeepsOnlyTheBytesCurrentRecordsPointAt) {
  TempDir tmp;
  std::vector<std::string> paths = WritePages(tmp, 2);
  std::string out, err;
  ASSERT_EQ(RunCommand(Alcor(tmp) + "ingest " + paths[0], &out, &err), 0) << out << err;
  ASSERT_EQ(RunCommand(Alcor(tmp) + "ingest " + paths[1], &out, &err), 0) << out << err;
  Manifest m = ReadManifest(tmp);
  ASSERT_EQ(m.raw.size(), 2u);
  std::map<std::string, std::string> records = CatById(tmp);
  std::string first = "file:" + Sha256Hex(ReadFile(paths[0]));
  std::string second = "file:" + Sha256Hex(ReadFile(paths[1]));
  ASSERT_TRUE(records.count(first) && records.count(second));
  ASSERT_EQ(RunCommand(Alcor(tmp) + "raw prune --keep-latest --json", &out, &err), 0) << err;
  EXPECT_EQ(nlohmann::json::parse(out)["files_removed"], 0) << out;
  ASSERT_EQ(RunCommand(Alcor(tmp) + "remove " + first + " --reason test", &out, &err), 0) << err;
  ASSERT_EQ(RunCommand(Alcor(tmp) + "raw prune --keep-latest --json", &out, &err), 0) << err;
  nlohmann::json report = nlohmann::json::parse(out);
  EXPECT_EQ(report["files_removed"], 1) << out;
  EXPECT_EQ(report["files_kept"], 1) << out;
  Manifest pruned = ReadManifest(tmp);
  ASSERT_EQ(pruned.raw.size(), 1u);
  EXPECT_EQ(pruned.raw[0].path, nlohmann::json::parse(records[second])["metadata"]["raw"]["file"]);
  EXPECT_FALSE(Env::Default()->FileExists(tmp.Sub("c/" + report["removed"][0].get<std::string>())));
  ASSERT_EQ(RunCommand(Alcor(tmp) + "raw " + second, &out, &err), 0) << err;
  EXPECT_EQ(out, ReadFile(paths[1]));
  ASSERT_EQ(RunCommand(Alcor(tmp) + "validate", &out, &err), 0) << out << err;
  EXPECT_EQ(RunCommand(Alcor(tmp) + "raw prune", &out, &err), 2) << "--keep-latest is required";

  // Two records in one file, one of them removed: the file stays whole, its dead record counted.
  std::vector<std::string> more = WritePages(tmp, 4);
  ASSERT_EQ(RunCommand(Alcor(tmp) + "ingest " + more[2] + " " + more[3], &out, &err), 0) << out << err;
  ASSERT_EQ(RunCommand(Alcor(tmp) + "remove file:" + Sha256Hex(ReadFile(more[2])) + " --reason test", &out, &err), 0)
      << err;
  ASSERT_EQ(RunCommand(Alcor(tmp) + "raw prune --keep-latest --json", &out, &err), 0) << err;
  report = nlohmann::json::parse(out);
  EXPECT_EQ(report["files_removed"], 0) << out;
  EXPECT_EQ(report["files_kept"], 2) << out;
  EXPECT_EQ(report["dead_records_kept"], 1) << out;
  ASSERT_EQ(RunCommand(Alcor(tmp) + "raw file:" + Sha256Hex(ReadFile(more[3])), &out, &err), 0) << err;
  EXPECT_EQ(out, ReadFile(more[3]));
}

TEST(RawArchiveCliTest, MergeBringsTheRawArchiveAlong) {
  TempDir tmp;
  std::vector<std::string> paths = WritePages(tmp, 2);
  std::string out, err;
  const std::string alcor = testing::AlcorBin();
  ASSERT_EQ(RunCommand(alcor + " --store " + tmp.Sub("m1") + " ingest " + paths[0], &out, &err), 0) << err;
  ASSERT_EQ(RunCommand(alcor + " --store " + tmp.Sub("m2") + " ingest " + paths[1], &out, &err), 0) << err;
  ASSERT_EQ(RunCommand(alcor + " merge --store " + tmp.Sub("c") + " " + tmp.Sub("m1") + " " + tmp.Sub("m2"), &out,
                       &err), 0) << err;
  EXPECT_EQ(ReadManifest(tmp).raw.size(), 2u);
  ASSERT_EQ(RunCommand(Alcor(tmp) + "validate", &out, &err), 0) << out << err;
  for (const std::string& path : paths) {
    ASSERT_EQ(RunCommand(Alcor(tmp) + "raw file:" + Sha256Hex(ReadFile(path)), &out, &err), 0) << err;
    EXPECT_EQ(out, ReadFile(path));
  }
  // Merged again: the files are there already.
  ASSERT_EQ(RunCommand(alcor + " merge --store " + tmp.Sub("c") + " " + tmp.Sub("m1"), &out, &err), 0) << err;
  EXPECT_EQ(ReadManifest(tmp).raw.size(), 2u);
  ASSERT_EQ(RunCommand(Alcor(tmp) + "validate", &out, &err), 0) << out << err;
}

TEST(RawArchiveCliTest, RebuildKeepsARecordWhoseRawBytesAreDamagedAndSaysWhere) {
  TempDir tmp;
  std::vector<std::string> paths = WritePages(tmp, 3);
  std::string out, err;
  ASSERT_EQ(RunCommand(Alcor(tmp) + "ingest " + tmp.Sub("in"), &out, &err), 0) << out << err;
  std::map<std::string, std::string> before = CatById(tmp);
  Manifest m = ReadManifest(tmp);
  ASSERT_EQ(m.raw.size(), 1u);
  // Damage the last member (its gzip trailer).
  std::string raw_path = tmp.Sub("c/" + m.raw[0].path);
  std::string bytes = ReadFile(raw_path);
  bytes[bytes.size() - 3] ^= 0x7f;
  WriteFile(raw_path, bytes);
  ::chmod(raw_path.c_str(), 0600);
  ASSERT_EQ(RunCommand(Alcor(tmp) + "rebuild --json", &out, &err), 0) << err;
  nlohmann::json report = nlohmann::json::parse(out);
  EXPECT_EQ(report["sources"][0]["failed"], 1) << out;
  EXPECT_EQ(report["sources"][0]["unchanged"], 2) << out;
  EXPECT_TRUE(Contains(report["sources"][0]["failures"][0].get<std::string>(), m.raw[0].path + "@")) << out;
  EXPECT_EQ(CatById(tmp), before) << "the record whose bytes failed is kept as it was";
}

TEST(RebuildTest, AnInterruptedRebuildLeavesTheStoreAsItWasAndRunsAgainToTheEnd) {
  TempDir tmp;
  WritePages(tmp, 5);
  std::string out, err;
  ASSERT_EQ(RunCommand(Alcor(tmp) + "ingest " + tmp.Sub("in"), &out, &err), 0) << out << err;
  std::map<std::string, std::string> before = CatById(tmp);
  std::string manifest_before = ReadFile(tmp.Sub("c/manifest.json"));
  {
    std::unique_ptr<Store> store;
    ASSERT_TRUE(Store::Open(Env::Default(), tmp.Sub("c"), StoreOptions(), &store).ok());
    std::atomic<bool> stop{true};  // SIGINT before the first batch is converted
    RebuildOptions options;
    options.stop = &stop;
    options.test_alter_word = "corrigibility";
    RebuildReport report;
    Status s = RebuildStore(store.get(), options, &report);
    EXPECT_TRUE(s.IsInterrupted()) << s.ToString();
  }
  EXPECT_EQ(ReadFile(tmp.Sub("c/manifest.json")), manifest_before);
  std::vector<std::string> leftovers;
  Env::Default()->GetChildren(tmp.Sub("c/shards/local"), &leftovers);
  EXPECT_EQ(leftovers.size(), ReadManifest(tmp).shards.size()) << "no temporary shard left behind";
  EXPECT_EQ(CatById(tmp), before);
  ASSERT_EQ(RunCommand(Alcor(tmp) + "rebuild --json --test-alter-conversion corrigibility", &out, &err), 0) << err;
  EXPECT_EQ(nlohmann::json::parse(out)["sources"][0]["changed"], 3) << out;
  ASSERT_EQ(RunCommand(Alcor(tmp) + "validate", &out, &err), 0) << out << err;
}

// Resume: what an interrupted rebuild had re-derived is staged (outside the manifest) and taken
// by the next rebuild instead of being converted again; the result is an uninterrupted rebuild's.
TEST(RebuildTest, AnInterruptedRebuildResumesWithoutConvertingAgainWhatItHadDone) {
  TempDir tmp;
  WritePages(tmp, 600);  // three batches of 256 records at most
  std::string out, err;
  ASSERT_EQ(RunCommand(Alcor(tmp) + "ingest " + tmp.Sub("in"), &out, &err), 0) << out << err;
  std::map<std::string, std::string> before = CatById(tmp);
  const std::string manifest_before = ReadFile(tmp.Sub("c/manifest.json"));
  ASSERT_EQ(RunCommand("cp -a " + tmp.Sub("c") + " " + tmp.Sub("ref"), &out, &err), 0) << err;
  ASSERT_EQ(RunCommand(testing::AlcorBin() + " --store " + tmp.Sub("ref") + " rebuild --json --test-alter-conversion corrigibility",
                       &out, &err), 0) << err;
  const nlohmann::json uninterrupted = nlohmann::json::parse(out);
  ASSERT_EQ(uninterrupted["converted"], 600) << out;
  ASSERT_EQ(RunCommand(testing::AlcorBin() + " --store " + tmp.Sub("ref") + " cat", &out, &err), 0) << err;
  std::map<std::string, std::string> rebuilt;
  for (const nlohmann::json& r : testing::ParseJsonLines(out)) rebuilt[r["id"]] = r.dump();
  ASSERT_NE(rebuilt, before);

  // Stopped (as by SIGINT) once the first batch is converted.
  auto interrupt_after_one_batch = [&](const std::string& alter) {
    std::unique_ptr<Store> store;
    ASSERT_TRUE(Store::Open(Env::Default(), tmp.Sub("c"), StoreOptions(), &store).ok());
    std::atomic<bool> stop{false};
    RebuildOptions options;
    options.stop = &stop;
    options.test_alter_word = alter;
    options.on_progress = [&stop](const RebuildReport&) { stop = true; };
    RebuildReport report;
    Status s = RebuildStore(store.get(), options, &report);
    EXPECT_TRUE(s.IsInterrupted()) << s.ToString();
    EXPECT_EQ(report.converted, 256u);
  };
  interrupt_after_one_batch("corrigibility");
  EXPECT_EQ(ReadFile(tmp.Sub("c/manifest.json")), manifest_before);
  EXPECT_EQ(CatById(tmp), before);
  ASSERT_EQ(RunCommand(Alcor(tmp) + "validate", &out, &err), 0) << out << err;
  EXPECT_TRUE(Env::Default()->FileExists(tmp.Sub("c/rebuild/progress.json")));

  ASSERT_EQ(RunCommand(Alcor(tmp) + "rebuild --json --test-alter-conversion corrigibility", &out, &err), 0) << err;
  nlohmann::json resumed = nlohmann::json::parse(out);
  EXPECT_EQ(resumed["resumed"], 256) << out;
  EXPECT_EQ(resumed["converted"], 600 - 256) << "the first batch is not converted again: " << out;
  EXPECT_EQ(resumed["sources"], uninterrupted["sources"]) << "the report of an uninterrupted rebuild";
  EXPECT_EQ(CatById(tmp), rebuilt);
  EXPECT_FALSE(Env::Default()->FileExists(tmp.Sub("c/rebuild"))) << "the swap removes the staging";
  ASSERT_EQ(RunCommand(Alcor(tmp) + "validate", &out, &err), 0) << out << err;

  // Staged records made with other options are not taken: everything is converted again.
  interrupt_after_one_batch("corrigibility");
  ASSERT_EQ(RunCommand(Alcor(tmp) + "rebuild --json", &out, &err), 0) << err;
  EXPECT_EQ(nlohmann::json::parse(out)["resumed"], 0) << out;
  EXPECT_EQ(nlohmann::json::parse(out)["converted"], 600) << out;
  EXPECT_EQ(CatById(tmp), before) << "back to the unaltered text";
}

// A kill -9 loses at most what came after the last checkpoint: the rerun takes the records
// progress.json names, converts only the rest, and ends with the store an uninterrupted rebuild makes.
TEST(RebuildTest, AfterAKillTheRerunConvertsOnlyWhatNoCheckpointKept) {
  TempDir tmp;
  WritePages(tmp, 1200);  // five batches
  std::string out, err;
  ASSERT_EQ(RunCommand(Alcor(tmp) + "ingest " + tmp.Sub("in"), &out, &err), 0) << out << err;
  ASSERT_EQ(RunCommand("cp -a " + tmp.Sub("c") + " " + tmp.Sub("orig") + " && cp -a " + tmp.Sub("c") + " " +
                           tmp.Sub("ref"), &out, &err), 0) << err;
  const std::string alter = " --test-alter-conversion corrigibility";
  auto start = std::chrono::steady_clock::now();
  ASSERT_EQ(RunCommand(testing::AlcorBin() + " --store " + tmp.Sub("ref") + " --no-progress rebuild" + alter, &out, &err), 0)
      << err;
  const double full_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::map<std::string, std::string> rebuilt;
  ASSERT_EQ(RunCommand(testing::AlcorBin() + " --store " + tmp.Sub("ref") + " cat", &out, &err), 0) << err;
  for (const nlohmann::json& r : testing::ParseJsonLines(out)) rebuilt[r["id"]] = r.dump();

  // Killed at later and later moments until a kill lands after a checkpoint and before the swap.
  const std::string rebuild = Alcor(tmp) + "--no-progress rebuild --json --test-checkpoint-every-batch" + alter;
  uint64_t staged = 0;
  for (int trial = 0; trial < 12 && staged == 0; ++trial) {
    ASSERT_EQ(RunCommand("rm -rf " + tmp.Sub("c") + " && cp -a " + tmp.Sub("orig") + " " + tmp.Sub("c"), &out, &err), 0);
    char seconds[32];
    std::snprintf(seconds, sizeof(seconds), "%.3f", full_s * (0.15 + 0.1 * trial));
    int rc = RunCommand("timeout -s KILL " + std::string(seconds) + " " + rebuild, &out, &err);
    if (rc == 0) continue;  // it finished first
    ASSERT_TRUE(rc == 137 || rc == 128 + 9) << "exit " << rc << "\n" << err;
    if (!Env::Default()->FileExists(tmp.Sub("c/rebuild/progress.json"))) continue;
    if (ReadFile(tmp.Sub("c/manifest.json")) != ReadFile(tmp.Sub("orig/manifest.json"))) continue;  // after the swap
    staged = nlohmann::json::parse(ReadFile(tmp.Sub("c/rebuild/progress.json")))["records"].get<uint64_t>();
  }
  ASSERT_GT(staged, 0u) << "no kill landed between a checkpoint and the swap";
  ASSERT_LT(staged, 1200u);
  ASSERT_EQ(RunCommand(Alcor(tmp) + "validate", &out, &err), 0) << out << err;
  ASSERT_EQ(RunCommand(rebuild, &out, &err), 0) << err;
  nlohmann::json report = nlohmann::json::parse(out);
  EXPECT_EQ(report["resumed"], staged) << out;
  EXPECT_EQ(report["converted"], 1200 - staged) << out;
  EXPECT_EQ(CatById(tmp), rebuilt);
  EXPECT_FALSE(Env::Default()->FileExists(tmp.Sub("c/rebuild")));
  ASSERT_EQ(RunCommand(Alcor(tmp) + "validate", &out, &err), 0) << out << err;
}

TEST(RebuildTest, SigkillAtRandomMomentsLeavesTheOldStoreOrTheNewOne) {
  TempDir tmp;
  WritePages(tmp, 150);
  std::string out, err;
  ASSERT_EQ(RunCommand(Alcor(tmp) + "ingest " + tmp.Sub("in"), &out, &err), 0) << out << err;
  std::map<std::string, std::string> before = CatById(tmp);
  const std::string rebuild = Alcor(tmp) + "--no-progress rebuild --test-alter-conversion corrigibility";
  auto start = std::chrono::steady_clock::now();
  ASSERT_EQ(RunCommand(Alcor(tmp) + "rebuild --dry-run --test-alter-conversion corrigibility", &out, &err), 0) << err;
  const double full_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // The reference: what an uninterrupted rebuild makes, in another copy of the store.
  ASSERT_EQ(RunCommand("cp -a " + tmp.Sub("c") + " " + tmp.Sub("ref"), &out, &err), 0) << err;
  ASSERT_EQ(RunCommand(testing::AlcorBin() + " --store " + tmp.Sub("ref") + " " +
                           "rebuild --test-alter-conversion corrigibility", &out, &err), 0) << err;
  std::map<std::string, std::string> rebuilt;
  ASSERT_EQ(RunCommand(testing::AlcorBin() + " --store " + tmp.Sub("ref") + " cat", &out, &err), 0) << err;
  for (const nlohmann::json& r : testing::ParseJsonLines(out)) rebuilt[r["id"]] = r.dump();
  ASSERT_NE(rebuilt, before);
  int old_seen = 0, new_seen = 0;
  for (int trial = 0; trial < 6; ++trial) {
    char seconds[32];
    std::snprintf(seconds, sizeof(seconds), "%.3f", full_s * (0.1 + 0.25 * trial));
    int rc = RunCommand("timeout -s KILL " + std::string(seconds) + " " + rebuild, &out, &err);
    ASSERT_TRUE(rc == 0 || rc == 137 || rc == 128 + 9) << "trial " << trial << ": exit " << rc << "\n" << err;
    ASSERT_EQ(RunCommand(Alcor(tmp) + "validate", &out, &err), 0) << "trial " << trial << ":\n" << out << err;
    std::map<std::string, std::string> now = CatById(tmp);
    ASSERT_TRUE(now == before || now == rebuilt) << "trial " << trial << ": neither the old store nor the new one";
    (now == before ? old_seen : new_seen)++;
    if (now == rebuilt) {  // start again from the old store
      ASSERT_EQ(RunCommand("rm -rf " + tmp.Sub("c") + " && cp -a " + tmp.Sub("ref") + " " + tmp.Sub("c"), &out, &err), 0);
      ASSERT_EQ(RunCommand(Alcor(tmp) + "rebuild", &out, &err), 0) << err;  // back to the unaltered text
      ASSERT_EQ(CatById(tmp), before);
    }
  }
  EXPECT_GT(old_seen, 0) << "some kills came before the swap";
}

}  // namespace
}  // namespace alcor
