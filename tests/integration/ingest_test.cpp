// alcor ingest end to end (folders of mixed books, stdin, URLs from the loopback server, arxiv:ID
// through the arXiv emulator, signals, the run report), the `file` and book sources over real
// HTTP, a `file` source in a scrape configuration, and StaticSite.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>

#include <nlohmann/json.hpp>

#include "alcor/book.hpp"
#include "alcor/config.hpp"
#include "alcor/env.hpp"
#include "alcor/hash.hpp"
#include "alcor/http.hpp"
#include "alcor/source_config.hpp"
#include "alcor/url.hpp"
#include "alcor_testing/emulators/arxiv_site.hpp"
#include "alcor_testing/emulators/static_site.hpp"
#include "alcor_testing/fake_source_context.hpp"
#include "alcor_testing/test_server.hpp"
#include "fixtures/books/book_fixtures.hpp"
#include "support/temp_dir.hpp"

namespace alcor {
namespace {

namespace books = testing::books;
using testing::RunCommand;
using testing::StaticSite;
using testing::TempDir;
using testing::TestServer;

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

std::string Alcor(const TempDir& tmp) { return testing::AlcorBin() + " --store " + tmp.Sub("c") + " "; }

std::vector<nlohmann::json> CatRecords(const TempDir& tmp) {
  std::string out, err;
  EXPECT_EQ(RunCommand(Alcor(tmp) + "cat", &out, &err), 0) << err;
  std::vector<nlohmann::json> records;
  size_t pos = 0;
  while (pos < out.size()) {
    size_t nl = out.find('\n', pos);
    records.push_back(nlohmann::json::parse(out.substr(pos, nl - pos)));
    pos = nl + 1;
  }
  return records;
}

const nlohmann::json* FindRecord(const std::vector<nlohmann::json>& records, const std::string& id) {
  for (const nlohmann::json& r : records)
    if (r["id"] == id) return &r;
  return nullptr;
}

// The store's run reports (runs/*.json), oldest first (run ids sort by time).
std::vector<nlohmann::json> RunReports(const TempDir& tmp) {
  std::vector<std::string> names;
  EXPECT_TRUE(Env::Default()->GetChildren(tmp.Sub("c/runs"), &names).ok());
  std::sort(names.begin(), names.end());
  std::vector<nlohmann::json> runs;
  for (const std::string& name : names) {
    std::string text;
    EXPECT_TRUE(ReadFileToString(Env::Default(), tmp.Sub("c/runs/" + name), &text, 1 << 20).ok());
    runs.push_back(nlohmann::json::parse(text));
  }
  return runs;
}

// A config for `alcor ingest --config`: no politeness delay and one attempt for the loopback host.
std::string WriteLoopbackConfig(const TempDir& tmp, const TestServer& server, nlohmann::json sources = nullptr) {
  nlohmann::json config = {
      {"http", {{"max_attempts", 1}, {"hosts", {{server.HostPort(), {{"concurrency", 4}, {"interval_s", 0}}}}}}},
      {"sources", sources.is_null() ? nlohmann::json::array() : sources}};
  std::string path = tmp.Sub("ingest.json");
  testing::WriteFile(path, config.dump(2));
  return path;
}

std::unique_ptr<HttpClient> LoopbackClient(const TestServer& server) {
  ::setenv("no_proxy", "*", 1);
  HttpOptions o;
  o.hosts[server.HostPort()] = HostRule{4, 0.0, {}};
  o.retry.max_attempts = 1;
  Result<std::unique_ptr<HttpClient>> client = NewCurlHttpClient(std::move(o));
  EXPECT_TRUE(client.ok()) << client.status().ToString();
  return std::move(client).value();
}

std::string GutenbergFile(const std::string& title, const std::string& body) {
  return "\xEF\xBB\xBFThe Project Gutenberg eBook of " + title + "\r\n\r\nTitle: " + title +
         "\r\n\r\nAuthor: A. Writer\r\n\r\n*** START OF THE PROJECT GUTENBERG EBOOK ***\r\n" + body +
         "\r\n     *** END OF THE PROJECT GUTENBERG EBOOK ***\r\nLicence.\r\n";
}

TEST(IngestCliTest, FolderOfMixedAndUnknownFiles) {
  TempDir tmp;
  std::string epub = books::MakeLinearNoEpub();
  std::string pdf = books::MakeRunningHeaderPdf();
  std::string gutenberg = GutenbergFile("Tiny Tales", "Once there was a model.");
  testing::WriteFile(tmp.Sub("in/handbook.epub"), epub);
  testing::WriteFile(tmp.Sub("in/papers/oversight.pdf"), pdf);
  testing::WriteFile(tmp.Sub("in/papers/scan.pdf"), books::MakeNoTextPdf());
  testing::WriteFile(tmp.Sub("in/papers/unlabelled"), pdf.substr(0, pdf.size()));  // a PDF without extension
  testing::WriteFile(tmp.Sub("in/tales.txt"), gutenberg);
  testing::WriteFile(tmp.Sub("in/notes.md"), "# Notes\n\nOn corrigibility.\n");
  testing::WriteFile(tmp.Sub("in/page.html"),
                     "<html><head><title>A page</title></head><body><p>Words on a page.</p></body></html>");
  testing::WriteFile(tmp.Sub("in/evil.epub"), books::MakeTraversalZip());
  testing::WriteFile(tmp.Sub("in/bomb.epub"), books::MakeZipBomb(size_t{16} << 20));
  testing::WriteFile(tmp.Sub("in/cover.png"), std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16));
  testing::WriteFile(tmp.Sub("in/data.bin"), std::string("\x00\x01\x02\x03\xff\xfe", 6));
  testing::WriteFile(tmp.Sub("in/feed.xml"), "<?xml version=\"1.0\"?><rss/>");
  std::string out, err;
  int rc = RunCommand(Alcor(tmp) + "ingest " + tmp.Sub("in"), &out, &err);
  EXPECT_EQ(rc, 1) << "some inputs failed\n" << out << err;
  EXPECT_TRUE(Contains(out, "stored book:isbn:9780306406157 (" + tmp.Sub("in/handbook.epub") + ")")) << out;
  EXPECT_TRUE(Contains(out, "stored book:" + Sha256Hex(pdf) + " (" + tmp.Sub("in/papers/oversight.pdf") + ")")) << out;
  EXPECT_TRUE(Contains(out, "duplicate " + tmp.Sub("in/papers/unlabelled"))) << "same bytes, same id\n" << out;
  EXPECT_TRUE(Contains(out, "stored book:" + Sha256Hex(gutenberg) + " (" + tmp.Sub("in/tales.txt") + ")")) << out;
  EXPECT_TRUE(Contains(out, "stored file:")) << out;
  EXPECT_TRUE(Contains(out, "failed " + tmp.Sub("in/papers/scan.pdf") + ": no text layer")) << out;
  EXPECT_TRUE(Contains(out, "failed " + tmp.Sub("in/evil.epub") + ": unsafe entry path")) << out;
  EXPECT_TRUE(Contains(out, "failed " + tmp.Sub("in/bomb.epub") + ": compression ratio")) << out;
  for (const char* skipped : {"in/cover.png", "in/data.bin", "in/feed.xml"}) {
    EXPECT_TRUE(Contains(out, "skipped " + tmp.Sub(skipped) + ": unsupported document type")) << skipped << "\n" << out;
  }
  // One line per file met, in path order.
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 12) << out;
  EXPECT_LT(out.find("bomb.epub"), out.find("cover.png"));

  std::vector<nlohmann::json> records = CatRecords(tmp);
  EXPECT_EQ(records.size(), 5u);
  const nlohmann::json* book = FindRecord(records, "book:isbn:9780306406157");
  ASSERT_NE(book, nullptr);
  EXPECT_EQ((*book)["title"], "The Corrigibility Handbook");
  EXPECT_EQ((*book)["source"], "local");
  EXPECT_EQ((*book)["source_kind"], "file");
  EXPECT_EQ((*book)["authors"], nlohmann::json({"Mira Okonkwo", "Jun Sato"}));
  const nlohmann::json* tales = FindRecord(records, "book:" + Sha256Hex(gutenberg));
  ASSERT_NE(tales, nullptr);
  EXPECT_EQ((*tales)["title"], "Tiny Tales");
  EXPECT_EQ((*tales)["text"], "Once there was a model.\n");
  EXPECT_EQ(RunCommand(Alcor(tmp) + "validate", &out, &err), 0) << out << err;

  // Again: everything is a duplicate now, the broken files still fail.
  rc = RunCommand(Alcor(tmp) + "ingest " + tmp.Sub("in/handbook.epub") + " " + tmp.Sub("in/papers"), &out, &err);
  EXPECT_EQ(rc, 1);
  EXPECT_FALSE(Contains(out, "stored")) << out;
  EXPECT_TRUE(Contains(out, "duplicate " + tmp.Sub("in/handbook.epub"))) << out;
}

TEST(IngestCliTest, StdinTakesAnyFormatAndMainContentIsAFlag) {
  TempDir tmp;
  testing::WriteFile(tmp.Sub("paper.pdf"), books::MakeRunningHeaderPdf());
  std::string out, err;
  int rc = RunCommand(Alcor(tmp) + "ingest --source papers - < " + tmp.Sub("paper.pdf"), &out, &err);
  ASSERT_EQ(rc, 0) << out << err;
  EXPECT_TRUE(Contains(out, "stored book:")) << out;

  std::string page =
      "<html><head><title>Debate</title></head><body><nav><a href='/'>Home</a> | <a href='/x'>Archive</a></nav>"
      "<article><h1>Debate</h1><p>Two models argue and a human judges; the honest strategy should win if the "
      "judge can check the key step of the argument. This sentence makes the article long enough.</p></article>"
      "<footer>Site footer text</footer></body></html>";
  testing::WriteFile(tmp.Sub("page.html"), page);
  rc = RunCommand(Alcor(tmp) + "ingest --main-content " + tmp.Sub("page.html"), &out, &err);
  ASSERT_EQ(rc, 0) << out << err;
  rc = RunCommand("printf 'not\\001a\\002doc\\000' | " + Alcor(tmp) + "ingest -", &out, &err);
  EXPECT_EQ(rc, 1);
  EXPECT_TRUE(Contains(out, "failed -: stdin is not a supported document")) << out;

  std::vector<nlohmann::json> records = CatRecords(tmp);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0]["source"], "papers");
  EXPECT_EQ(records[0]["metadata"]["path"], "-");
  EXPECT_EQ(records[0]["title"], "Notes on Scalable Oversight");
  EXPECT_EQ(records[1]["title"], "Debate");
  EXPECT_FALSE(Contains(records[1]["text"], "Site footer text")) << records[1]["text"];
  EXPECT_TRUE(Contains(records[1]["text"], "honest strategy"));
}

TEST(IngestCliTest, UrlsFromTheLoopbackServer) {
  TempDir tmp;
  TestServer server;
  StaticSite site;
  std::string epub = books::MakeLinearNoEpub();
  site.SetFile("handbook.epub", epub);
  site.SetFile("scan.pdf", books::MakeNoTextPdf());
  site.SetFile("paper", books::MakeRunningHeaderPdf(), "application/pdf");  // type only from the header
  site.SetFile("essay.html",
               "<html><head><title>An essay</title><meta name='author' content='Kim Doe'></head><body>"
               "<nav><a href='/'>Home</a></nav><article><h1>An essay</h1><p>Specification gaming is when a "
               "system satisfies the letter of an objective but not its spirit, as many examples show.</p>"
               "</article><footer>footer links</footer></body></html>");
  site.SetFile("readme.md", "# Readme\n\nServed as text/plain.\n", "text/plain; charset=utf-8");
  site.SetFile("logo.png", std::string("\x89PNG\r\n\x1a\n\0\0", 10));
  site.Install(&server, "/books");
  std::string config = WriteLoopbackConfig(tmp, server);
  std::string base = server.Url("/books/");
  // Stored URLs are canonical: http and https forms of one URL are one item, written https.
  std::string canonical = CanonicalizeUrl(base);
  ASSERT_EQ(canonical.rfind("https://", 0), 0u) << canonical;
  std::string out, err;
  int rc = RunCommand(Alcor(tmp) + "ingest --config " + config + " " + base + "handbook.epub " + base + "paper " +
                          base + "essay.html?utm_source=x " + base + "readme.md " + base + "missing.pdf " + base +
                          "scan.pdf " + base + "logo.png",
                      &out, &err);
  EXPECT_EQ(rc, 1) << out << err;
  EXPECT_TRUE(Contains(out, "stored book:isbn:9780306406157 (" + base + "handbook.epub)")) << out;
  EXPECT_TRUE(Contains(out, "stored book:" + Sha256Hex(books::MakeRunningHeaderPdf()))) << out;
  EXPECT_TRUE(Contains(out, "stored web:" + canonical + "essay.html (")) << "tracking parameter dropped\n" << out;
  EXPECT_TRUE(Contains(out, "stored web:" + canonical + "readme.md")) << out;
  EXPECT_TRUE(Contains(out, "failed " + base + "missing.pdf: ") && Contains(out, "404")) << out;
  EXPECT_TRUE(Contains(out, "failed " + base + "scan.pdf: no text layer")) << out;
  EXPECT_TRUE(Contains(out, "failed " + base + "logo.png: unsupported document type (Content-Type: image/png)"))
      << out;

  std::vector<nlohmann::json> records = CatRecords(tmp);
  ASSERT_EQ(records.size(), 4u);
  const nlohmann::json* book = FindRecord(records, "book:isbn:9780306406157");
  ASSERT_NE(book, nullptr);
  EXPECT_EQ((*book)["url"], base + "handbook.epub") << "the URL as fetched: http stays http";
  const nlohmann::json* essay = FindRecord(records, "web:" + canonical + "essay.html");
  ASSERT_NE(essay, nullptr);
  EXPECT_EQ((*essay)["url"], base + "essay.html") << "tracking parameter dropped, scheme kept";
  EXPECT_EQ((*essay)["title"], "An essay");
  EXPECT_EQ((*essay)["authors"], nlohmann::json({"Kim Doe"}));
  EXPECT_FALSE(Contains((*essay)["text"], "footer links")) << "pages from URLs get main-content extraction";
  const nlohmann::json* readme = FindRecord(records, "web:" + canonical + "readme.md");
  ASSERT_NE(readme, nullptr);
  EXPECT_EQ((*readme)["title"], "Readme") << "Markdown by the extension although served as text/plain";
  EXPECT_EQ(server.Count("/books/handbook.epub"), 1u);
}

// The `file` kind over real HTTP: what `alcor ingest URL` runs.
std::unique_ptr<Source> FileSource(const std::vector<std::string>& inputs) {
  nlohmann::json entry = {{"name", "web"}, {"kind", "file"}, {"inputs", inputs}};
  Result<SourceConfig> config = ValidateSourceConfig(entry, "test", "");
  EXPECT_TRUE(config.ok()) << config.status().ToString();
  Result<std::unique_ptr<Source>> source = FindSourceKind("file")->create(*config);
  EXPECT_TRUE(source.ok()) << source.status().ToString();
  return std::move(source).value();
}

TEST(FileSourceHttpTest, UrlTypeFromContentTypeThenContentAndRedirects) {
  TestServer server;
  std::string epub = books::MakeLinearNoEpub();
  server.Route("/download", testing::Reply::Text(epub, "application/octet-stream"));
  server.Route("/old", testing::Reply::Redirect(301, "/new.html"));
  server.Route("/new.html", testing::Reply::Text("<html><head><title>Moved</title></head><body><p>Here now, with "
                                                 "enough words to count as an article body for the page.</p></body></html>",
                                                 "text/html; charset=utf-8"));
  server.Route("/latin1.txt", testing::Reply::Text("Caf\xe9 notes", "text/plain; charset=iso-8859-1"));
  std::unique_ptr<HttpClient> client = LoopbackClient(server);
  std::unique_ptr<Source> source =
      FileSource({server.Url("/download"), server.Url("/old"), server.Url("/latin1.txt")});
  ::testing::FakeSourceContext ctx("web", client.get());
  ASSERT_TRUE(source->Run(ctx).ok());
  EXPECT_TRUE(ctx.failures.empty()) << ctx.failures[0].first << ": " << ctx.failures[0].second;
  EXPECT_TRUE(ctx.conversion_failures.empty()) << ctx.conversion_failures[0].second;
  ASSERT_EQ(ctx.records.size(), 3u);
  EXPECT_EQ(ctx.records[0].id, "book:isbn:9780306406157") << "an EPUB told by its bytes";
  EXPECT_EQ(ctx.records[1].id, "web:" + CanonicalizeUrl(server.Url("/new.html"))) << "the final URL after the redirect";
  EXPECT_EQ(ctx.records[1].title, "Moved");
  EXPECT_EQ(ctx.records[2].text, "Caf\xC3\xA9 notes") << "decoded by the Content-Type charset";
  for (const Record& r : ctx.records) {
    EXPECT_EQ(r.source, "web");
    EXPECT_EQ(r.source_kind, "file");
  }
}

// arxiv:ID runs the arxiv kind with the first arxiv source's settings of --config.
TEST(IngestCliTest, ArxivIdsGoThroughTheArxivKind) {
  TempDir tmp;
  TestServer server;
  testing::ArxivPaper paper;
  paper.id = "2401.00001";
  paper.title = "Weak-to-strong supervision of toy models";
  paper.summary = "We study whether weak supervisors can elicit strong capabilities.";
  paper.authors = {"Ada Example", "Ben Placeholder"};
  paper.categories = {"cs.LG"};
  paper.published = "2024-01-02T03:04:05Z";
  paper.html = "<h1 class=\"ltx_title\">Weak-to-strong supervision of toy models</h1><section><h2>Introduction</h2>"
               "<p>Weak supervisors label data for a strong student model.</p></section>";
  testing::ArxivSite arxiv({paper});
  arxiv.Install(&server, "/arxiv");
  ::setenv("no_proxy", "*", 1);
  nlohmann::json settings = {{"name", "papers"},
                             {"kind", "arxiv"},
                             {"metadata", "api"},
                             {"queries", {"cat:cs.LG"}},
                             {"api_url", server.Url("/arxiv/api/query")},
                             {"base_url", server.Url("/arxiv")},
                             {"request_interval_s", 0},
                             {"citations", {{"api_url", server.Url("/s2")}}}};
  std::string config = WriteLoopbackConfig(tmp, server, nlohmann::json::array({settings}));
  ASSERT_NE(FindSourceKind("arxiv"), nullptr);
  std::string out, err;
  int rc = RunCommand(Alcor(tmp) + "ingest --config " + config + " arxiv:2401.00001", &out, &err);
  EXPECT_EQ(rc, 0) << out << err;
  EXPECT_EQ(out, "stored arxiv:2401.00001 (arxiv:2401.00001)\n") << err;
  std::vector<nlohmann::json> records = CatRecords(tmp);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0]["id"], "arxiv:2401.00001");
  EXPECT_EQ(records[0]["source"], "local");
  EXPECT_TRUE(Contains(records[0]["text"], "Weak supervisors label data")) << records[0]["text"];
  EXPECT_EQ(server.Count("/s2/paper/ARXIV:2401.00001/references"), 0u) << "no citation walk for one paper";

  // A scrape configuration's citation depth does not make a one-paper ingest walk citations; the
  // paper ingested again is a duplicate (the run keeps no arxiv cursor that would hide it).
  settings["citations"]["max_depth"] = 2;
  config = WriteLoopbackConfig(tmp, server, nlohmann::json::array({settings}));
  rc = RunCommand(Alcor(tmp) + "ingest --config " + config + " arxiv:2401.00001", &out, &err);
  EXPECT_EQ(rc, 0) << out << err;
  EXPECT_TRUE(Contains(out, "duplicate arxiv:2401.00001: ")) << out << err;
  EXPECT_EQ(server.Count("/s2/paper/ARXIV:2401.00001/references"), 0u) << "citations.max_depth 2 in --config";

  rc = RunCommand(Alcor(tmp) + "ingest --config " + config + " arxiv:2401.99999 arxiv:not-an-id", &out, &err);
  EXPECT_EQ(rc, 1) << out << err;
  EXPECT_TRUE(Contains(out, "failed arxiv:2401.99999: ")) << out;
  size_t bad = out.find("failed arxiv:not-an-id: ");
  ASSERT_NE(bad, std::string::npos) << out;
  EXPECT_TRUE(Contains(out.substr(bad + std::string("failed arxiv:not-an-id: ").size()), "not-an-id")) << out;
  EXPECT_EQ(CatRecords(tmp).size(), 1u);
}

// ---- issue 19: FIFOs, --config http caps, arxiv depth, signals ------------------------------

TEST(IngestCliTest, FifoInAFolderIsSkippedNotWaitedOn) {
  TempDir tmp;
  Env::Default()->CreateDirs(tmp.Sub("in"), 0700);
  testing::WriteFile(tmp.Sub("in/a.md"), "# A note\n\nSome words.\n");
  ASSERT_EQ(::mkfifo(tmp.Sub("in/pipe").c_str(), 0600), 0);
  std::string out, err;
  // timeout: without the check, reading the FIFO would wait for a writer forever.
  int rc = RunCommand("timeout 60 " + Alcor(tmp) + "ingest " + tmp.Sub("in"), &out, &err);
  EXPECT_EQ(rc, 0) << out << err;
  EXPECT_TRUE(Contains(out, "skipped " + tmp.Sub("in/pipe") + ": not a regular file")) << out;
  EXPECT_TRUE(Contains(out, "stored file:")) << out;
}

TEST(IngestCliTest, HttpCapsOfConfigApplyToUrls) {
  TempDir tmp;
  TestServer server;
  server.Route("/big.txt", testing::Reply::Text(std::string(20000, 'x') + "\n"));
  server.Route("/small.txt", testing::Reply::Text("small enough\n"));
  nlohmann::json config = {{"http",
                            {{"max_attempts", 1},
                             {"max_response_bytes", 5000},
                             {"hosts", {{server.HostPort(), {{"concurrency", 4}, {"interval_s", 0}}}}}}}};
  testing::WriteFile(tmp.Sub("cap.json"), config.dump());
  ::setenv("no_proxy", "*", 1);
  std::string out, err;
  int rc = RunCommand(Alcor(tmp) + "ingest --config " + tmp.Sub("cap.json") + " " + server.Url("/big.txt") + " " +
                          server.Url("/small.txt"),
                      &out, &err);
  EXPECT_EQ(rc, 1) << out << err;
  EXPECT_TRUE(Contains(out, "failed " + server.Url("/big.txt") + ": ")) << "max_response_bytes 5000\n" << out;
  EXPECT_TRUE(Contains(out, "stored web:")) << out;
}

// Interrupts an ingest of slow URLs with sig: it commits what was processed, prints exactly that
// as stored, writes the run report and exits 130.
void InterruptSlowIngest(int sig) {
  TempDir tmp;
  TestServer server;
  for (int i = 0; i < 40; ++i) {
    server.Route("/slow/" + std::to_string(i) + ".txt",
                 testing::Reply::Text("Slow document number " + std::to_string(i) + ".\n").WithLatency(250));
  }
  std::string config = WriteLoopbackConfig(tmp, server);
  testing::WriteFile(tmp.Sub("first.md"), "# First\n\nStored before the signal.\n");
  std::string command = "exec " + Alcor(tmp) + "ingest --config " + config + " " + tmp.Sub("first.md");
  for (int i = 0; i < 40; ++i) command += " " + server.Url("/slow/" + std::to_string(i) + ".txt");
  command += " > " + tmp.Sub("out.txt") + " 2> " + tmp.Sub("err.txt");
  pid_t pid = ::fork();
  if (pid == 0) {
    ::setenv("no_proxy", "*", 1);
    ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ASSERT_GT(pid, 0);
  // Wait until a few slow URLs were served, then interrupt.
  for (int i = 0; i < 200 && server.Count("/slow/2.txt") == 0; ++i) ::usleep(50000);
  ASSERT_EQ(::kill(pid, sig), 0);
  int64_t start = Env::Default()->MonotonicMicros();
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_LT(Env::Default()->MonotonicMicros() - start, 5000000) << "stops within seconds";
  ASSERT_TRUE(WIFEXITED(status));
  std::string out, err;
  ReadFileToString(Env::Default(), tmp.Sub("out.txt"), &out, 1 << 20);
  ReadFileToString(Env::Default(), tmp.Sub("err.txt"), &err, 1 << 20);
  EXPECT_EQ(WEXITSTATUS(status), 130) << out << err;
  size_t stored_lines = 0;
  for (size_t at = out.find("stored "); at != std::string::npos; at = out.find("stored ", at + 1)) ++stored_lines;
  EXPECT_GE(stored_lines, 3u) << out;
  EXPECT_LT(stored_lines, 41u) << "the signal stopped the run early\n" << out;
  std::vector<nlohmann::json> records = CatRecords(tmp);
  EXPECT_EQ(records.size(), stored_lines) << "what was printed as stored is committed, and only that";
  EXPECT_EQ(RunCommand(Alcor(tmp) + "validate", &out, &err), 0) << out << err;

  // The pipeline's run report: one `file` source, interrupted, its stored documents counted.
  std::vector<nlohmann::json> runs = RunReports(tmp);
  ASSERT_EQ(runs.size(), 1u);
  const nlohmann::json& run = runs[0];
  std::string text = run.dump(2);
  EXPECT_EQ(run["interrupted"], true) << text;
  ASSERT_EQ(run["sources"].size(), 1u) << text;
  EXPECT_EQ(run["sources"][0]["name"], "local");
  EXPECT_EQ(run["sources"][0]["kind"], "file");
  EXPECT_EQ(run["sources"][0]["new"], stored_lines) << text;
}

TEST(IngestCliTest, SigintStopsCommitsWhatWasProcessedAndExits130) { InterruptSlowIngest(SIGINT); }

TEST(IngestCliTest, SigtermStopsCommitsWhatWasProcessedAndExits130) { InterruptSlowIngest(SIGTERM); }

TEST(IngestCliTest, WritesTheRunReportOfThePipeline) {
  TempDir tmp;
  testing::WriteFile(tmp.Sub("in/a.md"), "# A\n\nA note about oversight.\n");
  testing::WriteFile(tmp.Sub("in/b.png"), std::string("\x89PNG\r\n\x1a\n\0\0\0", 11));
  std::string out, err;
  ASSERT_EQ(RunCommand(Alcor(tmp) + "ingest --source notes " + tmp.Sub("in") + " " + tmp.Sub("in/a.md"), &out, &err),
            0)
      << out << err;
  EXPECT_EQ(out, "stored file:" + Sha256Hex("# A\n\nA note about oversight.\n") + " (" + tmp.Sub("in/a.md") +
                     ")\nskipped " + tmp.Sub("in/b.png") + ": unsupported document type\nduplicate " +
                     tmp.Sub("in/a.md") + ": unchanged (same id)\n");
  std::vector<nlohmann::json> runs = RunReports(tmp);
  ASSERT_EQ(runs.size(), 1u);
  const nlohmann::json& run = runs[0];
  std::string text = run.dump(2);
  EXPECT_EQ(run["interrupted"], false);
  ASSERT_EQ(run["sources"].size(), 1u) << text;
  EXPECT_EQ(run["sources"][0]["name"], "notes");
  EXPECT_EQ(run["sources"][0]["kind"], "file");
  EXPECT_EQ(run["sources"][0]["fetched"], 2) << text;
  EXPECT_EQ(run["sources"][0]["new"], 1) << text;
  EXPECT_EQ(run["commits"], 1) << text;
}

// A `file` source in a scrape configuration: relative inputs from the config's folder, URLs, and
// a second run that stores nothing twice although the kind keeps no cursor.
TEST(FileSourceScrapeTest, AFileSourceInAScrapeConfig) {
  TempDir tmp;
  TestServer server;
  server.Route("/essay.md", testing::Reply::Text("# An essay\n\nOn reward hacking.\n", "text/markdown"));
  testing::WriteFile(tmp.Sub("cfg/notes/a.md"), "# Note A\n\nOn corrigibility.\n");
  testing::WriteFile(tmp.Sub("cfg/notes/.hidden.md"), "# Hidden\n");
  nlohmann::json config = {
      {"http", {{"max_attempts", 1}, {"hosts", {{server.HostPort(), {{"concurrency", 4}, {"interval_s", 0}}}}}}},
      {"sources", {{{"name", "desk"}, {"kind", "file"}, {"inputs", {"notes", server.Url("/essay.md")}}}}}};
  testing::WriteFile(tmp.Sub("cfg/scrape.json"), config.dump(2));
  ::setenv("no_proxy", "*", 1);
  std::string out, err;
  ASSERT_EQ(RunCommand(Alcor(tmp) + "--no-progress scrape --config " + tmp.Sub("cfg/scrape.json"), &out, &err), 0)
      << out << err;
  std::vector<nlohmann::json> records = CatRecords(tmp);
  ASSERT_EQ(records.size(), 2u);
  const nlohmann::json* note = FindRecord(records, "file:" + Sha256Hex("# Note A\n\nOn corrigibility.\n"));
  ASSERT_NE(note, nullptr) << records[0].dump() << records[1].dump();
  EXPECT_EQ((*note)["source"], "desk");
  EXPECT_EQ((*note)["source_kind"], "file");
  EXPECT_EQ((*note)["metadata"]["path"], tmp.Sub("cfg/notes/a.md")) << "relative to the config's folder";
  const nlohmann::json* essay = FindRecord(records, "web:" + CanonicalizeUrl(server.Url("/essay.md")));
  ASSERT_NE(essay, nullptr) << records[0].dump() << records[1].dump();
  EXPECT_EQ((*essay)["title"], "An essay");

  ASSERT_EQ(RunCommand(Alcor(tmp) + "--no-progress scrape --config " + tmp.Sub("cfg/scrape.json"), &out, &err), 0)
      << out << err;
  EXPECT_EQ(CatRecords(tmp).size(), 2u) << "read again, stored once";
  std::vector<nlohmann::json> runs = RunReports(tmp);
  ASSERT_EQ(runs.size(), 2u);
  const nlohmann::json& run = runs[1];
  std::string text = run.dump(2);
  EXPECT_EQ(run["sources"][0]["fetched"], 2) << text;
  EXPECT_EQ(run["sources"][0]["new"], 0) << text;
  EXPECT_EQ(run["sources"][0]["unchanged"], 2) << text;
}

// ---- the book source over HTTP, and the static site -----------------------------------------

TEST(BookSourceHttpTest, UnchangedUrlsCostA304AndChangedOnesAreEmittedAgain) {
  TempDir tmp;
  TestServer server;
  testing::WriteFile(tmp.Sub("site/shelf/tales.txt"), GutenbergFile("Tales", "First edition."));
  testing::WriteFile(tmp.Sub("site/shelf/handbook.epub"), books::MakeLinearNoEpub());
  StaticSite site(tmp.Sub("site"));
  site.Install(&server, "/books");
  std::unique_ptr<HttpClient> client = LoopbackClient(server);
  nlohmann::json entry = {{"name", "library"},
                          {"kind", "book"},
                          {"urls", {server.Url("/books/shelf/tales.txt"), server.Url("/books/shelf/handbook.epub"),
                                    server.Url("/books/shelf/gone.pdf")}}};
  Result<SourceConfig> config = ValidateSourceConfig(entry, "test", tmp.path());
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  const SourceKind* kind = FindSourceKind("book");
  ASSERT_NE(kind, nullptr);
  Result<std::unique_ptr<Source>> source = kind->create(*config);
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  ::testing::FakeSourceContext ctx("library", client.get());
  ASSERT_TRUE((*source)->Run(ctx).ok());
  ASSERT_EQ(ctx.records.size(), 2u);
  EXPECT_EQ(ctx.records[0].title, "Tales");
  EXPECT_EQ(ctx.records[0].url, server.Url("/books/shelf/tales.txt"));  // as fetched: http stays http
  EXPECT_EQ(ctx.records[0].source_kind, "book");
  EXPECT_EQ(ctx.records[1].id, "book:isbn:9780306406157");
  ASSERT_EQ(ctx.failures.size(), 1u);
  EXPECT_TRUE(Contains(ctx.failures[0].second, "404")) << ctx.failures[0].second;

  ctx.NextRun();
  server.ClearRequests();
  ASSERT_TRUE((*source)->Run(ctx).ok());
  EXPECT_TRUE(ctx.records.empty());
  EXPECT_EQ(ctx.unchanged, 2u);
  std::vector<testing::ServerRequest> again = server.RequestsFor("/books/shelf/tales.txt");
  ASSERT_EQ(again.size(), 1u);
  EXPECT_NE(again[0].Header("if-none-match"), nullptr) << "a conditional request";

  ctx.NextRun();
  testing::WriteFile(tmp.Sub("site/shelf/tales.txt"), GutenbergFile("Tales", "Second edition."));
  ASSERT_TRUE((*source)->Run(ctx).ok());
  ASSERT_EQ(ctx.records.size(), 1u);
  EXPECT_EQ(ctx.records[0].text, "Second edition.\n");
  EXPECT_EQ(ctx.unchanged, 1u);
}

TEST(StaticSiteTest, TypesValidatorsAndTraversal) {
  TempDir tmp;
  testing::WriteFile(tmp.Sub("secret.txt"), "outside the site");
  testing::WriteFile(tmp.Sub("site/a/b.pdf"), "%PDF-1.4 x");
  testing::WriteFile(tmp.Sub("site/index.html"), "<p>home</p>");
  ASSERT_EQ(::symlink(tmp.Sub("secret.txt").c_str(), tmp.Sub("site/link.txt").c_str()), 0);
  TestServer server;
  StaticSite site(tmp.Sub("site"));
  site.SetFile("mem/notes.md", "# in memory");
  site.Install(&server, "/files");
  std::unique_ptr<HttpClient> client = LoopbackClient(server);

  Result<HttpResponse> pdf = client->Fetch(HttpRequest::Get(server.Url("/files/a/b.pdf")));
  ASSERT_TRUE(pdf.ok()) << pdf.status().ToString();
  EXPECT_EQ(pdf->body, "%PDF-1.4 x");
  ASSERT_NE(pdf->Header("content-type"), nullptr);
  EXPECT_EQ(*pdf->Header("content-type"), "application/pdf");
  ASSERT_NE(pdf->Header("etag"), nullptr);
  ASSERT_NE(pdf->Header("last-modified"), nullptr);
  Result<HttpResponse> md = client->Fetch(HttpRequest::Get(server.Url("/files/mem/notes.md")));
  ASSERT_TRUE(md.ok());
  EXPECT_EQ(*md->Header("content-type"), "text/markdown; charset=utf-8");
  Result<HttpResponse> home = client->Fetch(HttpRequest::Get(server.Url("/files/")));
  ASSERT_TRUE(home.ok());
  EXPECT_EQ(home->body, "<p>home</p>");

  // Conditional GET, by ETag (the client sends what it stored) and by date.
  HttpRequest conditional = HttpRequest::Get(server.Url("/files/a/b.pdf"));
  conditional.conditional = true;
  ASSERT_TRUE(client->Fetch(conditional).ok());
  Result<HttpResponse> unchanged = client->Fetch(conditional);
  ASSERT_TRUE(unchanged.ok()) << unchanged.status().ToString();
  EXPECT_TRUE(unchanged->not_modified());
  EXPECT_NE(server.RequestsFor("/files/a/b.pdf").back().Header("if-none-match"), nullptr);
  HttpRequest by_date = HttpRequest::Get(server.Url("/files/a/b.pdf"));
  by_date.headers.push_back({"If-Modified-Since", *pdf->Header("last-modified"), false});
  Result<HttpResponse> dated = client->Fetch(by_date);
  EXPECT_FALSE(dated.ok() && dated->status == 200 && !dated->body.empty()) << "a 304, not the file again";
  by_date.headers.back().value = "Thu, 01 Jan 1970 00:00:00 GMT";
  Result<HttpResponse> older = client->Fetch(by_date);
  ASSERT_TRUE(older.ok());
  EXPECT_EQ(older->body, "%PDF-1.4 x") << "modified since 1970";

  // Leaving the folder: encoded dots, a backslash, a symlink out.
  for (const char* path : {"/files/%2e%2e/secret.txt", "/files/a/%2E%2E/%2e%2e/secret.txt", "/files/..%5csecret.txt",
                           "/files/link.txt"}) {
    Result<HttpResponse> r = client->Fetch(HttpRequest::Get(server.Url(path)));
    ASSERT_FALSE(r.ok()) << path;
    int status = r.status().http_status();
    EXPECT_TRUE(status == 403 || status == 404) << path << ": " << r.status().ToString();
    EXPECT_FALSE(Contains(r.status().ToString(), "outside the site"));
  }
  Result<HttpResponse> missing = client->Fetch(HttpRequest::Get(server.Url("/files/nope.epub")));
  EXPECT_EQ(missing.status().http_status(), 404);
  EXPECT_EQ(StaticSite::ContentTypeFor("x/y.EPUB"), "application/epub+zip");
  EXPECT_EQ(StaticSite::ContentTypeFor("x.y/z"), "application/octet-stream");
}

}  // namespace
}  // namespace alcor
