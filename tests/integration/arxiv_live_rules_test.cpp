// The arxiv source under the access rules of the live services, against emulators on three
// loopback hosts like the real ones: the API host (its robots.txt disallows everything), the site
// (robots.txt with a Crawl-delay, /api /e-print /src /search disallowed) and Semantic Scholar (no
// robots.txt; 429 bursts with Retry-After). Checked: no request to the API host beyond its
// robots.txt (unless the operator says "ignore"), the Crawl-delay held between request starts as
// the server counted them, no disallowed path asked, metadata from the batch endpoint and from
// abs pages, discovery through Semantic Scholar search, full text from HTML and from PDF,
// citations followed to the configured depth through 429 bursts, the gates and the reasons
// recorded, throttled or interrupted work carried to the next run, and bad answers reported per
// paper while the run goes on; end to end through `alcor scrape`, the run log and run report
// (robots_ignored, throttled).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "alcor/arxiv.hpp"
#include "alcor/config.hpp"
#include "alcor/env.hpp"
#include "alcor/http.hpp"
#include "alcor/pdf.hpp"
#include "alcor/source.hpp"
#include "alcor_testing/emulators/arxiv_site.hpp"
#include "alcor_testing/emulators/semanticscholar_site.hpp"
#include "alcor_testing/fake_source_context.hpp"
#include "alcor_testing/test_server.hpp"
#include "support/temp_dir.hpp"

namespace alcor {
namespace {

using json = nlohmann::json;
using testing::ArxivPaper;
using testing::ArxivSite;
using testing::Reply;
using testing::S2Paper;
using testing::SemanticScholarSite;
using testing::ServerRequest;
using testing::TestServer;

constexpr double kCrawlDelayS = 0.2;

ArxivPaper Paper(const std::string& id, const std::string& title, const std::string& date, int version = 1) {
  ArxivPaper p;
  p.id = id;
  p.version = version;
  p.title = title;
  p.summary = "Abstract of " + title + ": we study how learned objectives diverge from intended ones.";
  p.authors = {"Ada Quill", "Ben Okafor"};
  p.categories = {"cs.LG"};
  p.published = date;
  p.updated = date;
  return p;
}

std::string Section(const std::string& text) {
  return "<section class=\"ltx_section\"><h2 class=\"ltx_title\">1 Introduction</h2><p class=\"ltx_p\">" + text +
         "</p></section>";
}

// A cites B, C and a journal paper; B cites A (a cycle) and D; O cites B. C is unknown to
// Semantic Scholar (metadata from its abs page; no references there, and its e-print is
// disallowed). B has only a PDF.
struct LiveWorld {
  explicit LiveWorld(int client_attempts = 4) {
    ::setenv("no_proxy", "*", 1);
    HttpOptions o;
    o.hosts[api.HostPort()] = HostRule{1, 0.0, {}};
    o.hosts[site.HostPort()] = HostRule{1, 0.0, {}};
    o.hosts[s2_host.HostPort()] = HostRule{4, 0.0, {}};
    o.retry.max_attempts = client_attempts;
    o.retry.initial_backoff_ms = 10;
    o.retry.max_backoff_ms = 50;
    o.connect_timeout_ms = 2000;
    o.timeout_ms = 10000;
    o.jitter_seed = 1;
    options = o;
    http = std::move(NewCurlHttpClient(o)).value();
    ArxivPaper a = Paper("2401.90001", "Measuring Reward Hacking in Learned Reward Models", "2024-01-10T12:00:00Z", 2);
    a.html = Section("Policies exploit the learned reward model in ways the designers did not intend.");
    a.comment = "14 pages";
    ArxivPaper b = Paper("2401.90002", "Scaling Laws for Proxy Reward Overoptimisation", "2024-01-05T12:00:00Z");
    b.pdf_pages = {"Scaling Laws for Proxy Reward Overoptimisation\n\nWe measure how the gold reward falls as the proxy "
                   "is optimised harder.\n\n1 Introduction\n\nOveroptimisation appears at every scale we tried."};
    ArxivPaper c = Paper("2401.90003", "Interpretability Probes for Deceptive Behaviour", "2024-01-03T12:00:00Z", 3);
    c.authors = {"Chen Li", "Dana Fox"};
    c.comment = "Accepted at a workshop";
    c.html = Section("Linear probes find a direction that predicts deceptive answers.");
    c.eprint_files = {{"main.bbl", "\\bibitem{e} arXiv preprint arXiv:2401.90005"}};
    ArxivPaper d = Paper("2401.90004", "Debate as a Scalable Oversight Method", "2023-12-20T12:00:00Z");
    d.html = Section("Two models argue; a judge decides which answer is better supported.");
    ArxivPaper o_paper = Paper("hep-th/9901001", "An Old-Style Identifier", "1999-01-04T00:00:00Z");
    o_paper.html = Section("An old paper that cites the scaling laws, somehow.");
    arxiv = ArxivSite({a, b, c, d, o_paper});
    for (const ArxivPaper& p : arxiv.Papers()) {
      if (p.id != "2401.90003") s2.PutPaper(testing::S2PaperOf(p));
    }
    s2.Put("2401.90001", "s2-2401.90001",
           {{"s2-2401.90002", "Scaling Laws", "2401.90002", ""},
            {"s2-2401.90003", "Probes", "", "10.48550/arXiv.2401.90003"},
            {"s2-x", "A journal paper", "", "10.1145/1"}});
    s2.Put("2401.90002", "s2-2401.90002",
           {{"s2-2401.90001", "Reward Hacking", "2401.90001", ""}, {"s2-2401.90004", "Debate", "2401.90004", ""}});
    s2.Put("2401.90004", "s2-2401.90004", {});
    s2.Put("hep-th/9901001", "s2-hep-th/9901001", {{"s2-2401.90002", "Scaling Laws", "2401.90002", ""}});
    arxiv.InstallLive(&api, &site, kCrawlDelayS);
    s2.Install(&s2_host, "/graph/v1");
  }

  SourceConfig Config(json extra) {
    json entry = {{"name", "arxiv"},
                  {"kind", "arxiv"},
                  {"api_url", api.Url("/api/query")},
                  {"base_url", site.BaseUrl()},
                  {"request_interval_s", 0},
                  {"citations", {{"api_url", s2_host.Url("/graph/v1")}, {"throttle_wait_s", 20}}}};
    for (auto& [k, v] : extra.items()) {
      if (k == "citations") {
        for (auto& [ck, cv] : v.items()) entry["citations"][ck] = cv;
      } else {
        entry[k] = v;
      }
    }
    Result<SourceConfig> config = ValidateSourceConfig(entry, "test", ".");
    EXPECT_TRUE(config.ok()) << config.status().ToString();
    return config.value();
  }

  Status Run(const SourceConfig& config, ::testing::FakeSourceContext* ctx) {
    Result<std::unique_ptr<Source>> source = FindSourceKind("arxiv")->create(config);
    if (!source.ok()) return source.status();
    return source.value()->Run(*ctx);
  }

  // Requests to the site other than its robots.txt.
  std::vector<ServerRequest> SitePages() const {
    std::vector<ServerRequest> out;
    for (ServerRequest& r : site.Requests())
      if (r.path != "/robots.txt") out.push_back(std::move(r));
    return out;
  }

  TestServer api, site, s2_host;
  ArxivSite arxiv;
  SemanticScholarSite s2;
  HttpOptions options;
  std::unique_ptr<HttpClient> http;
};

std::vector<std::string> Ids(const ::testing::FakeSourceContext& ctx) { return ctx.RecordIds(); }

std::string Failures(const ::testing::FakeSourceContext& ctx) { return ::testing::PrintToString(ctx.failures); }

bool PdfExtractorBuilt() {
  std::string pdf = ArxivSite::MakePdf({"probe"}, "t", "a", "h");
  return ExtractPdfText(pdf).status().code() != Status::Code::kNotSupported;
}

// What every run against the live rules must hold.
void ExpectLiveRulesHeld(const LiveWorld& w) {
  for (const ServerRequest& r : w.api.Requests()) EXPECT_EQ(r.path, "/robots.txt") << "API host asked for " << r.target;
  for (const ServerRequest& r : w.site.Requests()) {
    for (const char* disallowed : {"/api", "/e-print", "/src", "/search"}) {
      EXPECT_NE(r.path.rfind(disallowed, 0), 0u) << "disallowed path asked: " << r.target;
    }
  }
  std::vector<ServerRequest> pages = w.SitePages();
  if (pages.size() >= 2) {
    int64_t tolerance = std::getenv("ALCOR_SANITIZED") ? 60000 : 30000;
    EXPECT_GE(TestServer::MinGapMicros(pages), static_cast<int64_t>(kCrawlDelayS * 1e6) - tolerance);
  }
  EXPECT_EQ(TestServer::MaxOverlap(pages), pages.empty() ? 0 : 1);
}

// ---------------------------------------------------------------------------------------------

TEST(ArxivLiveRulesTest, MetadataFromTheBatchAndAbsPagesTextFromHtmlAndPdfNoApiHost) {
  LiveWorld w;
  ::testing::FakeSourceContext ctx("arxiv", w.http.get());
  ASSERT_TRUE(w.Run(w.Config({{"ids", {"2401.90001"}}, {"citations", {{"max_depth", 2}}}}), &ctx).ok());
  EXPECT_TRUE(ctx.failures.empty()) << Failures(ctx);
  EXPECT_TRUE(ctx.conversion_failures.empty());
  EXPECT_EQ(Ids(ctx), (std::vector<std::string>{"arxiv:2401.90001", "arxiv:2401.90002", "arxiv:2401.90003",
                                               "arxiv:2401.90004"}));
  ExpectLiveRulesHeld(w);
  EXPECT_EQ(w.api.TotalCount(), 0u);  // the API host is never needed
  EXPECT_EQ(w.s2_host.Count("/robots.txt"), 1u);  // asked once, absent: allowed

  const Record* a = ctx.Find("arxiv:2401.90001");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->title, "Measuring Reward Hacking in Learned Reward Models");
  EXPECT_EQ(a->authors, (std::vector<std::string>{"Ada Quill", "Ben Okafor"}));
  EXPECT_EQ(a->date_published.value_or(""), "2024-01-10T00:00:00Z");
  EXPECT_EQ(a->metadata["metadata_from"], "semanticscholar");
  EXPECT_EQ(a->metadata["text_from"], "html");
  EXPECT_EQ(a->metadata["references"], json({"arxiv:2401.90002", "arxiv:2401.90003"}));
  EXPECT_NE(a->text.find("exploit the learned reward model"), std::string::npos);
  // Semantic Scholar knows no versions: the latest is asked for without one.
  EXPECT_EQ(w.site.Count("/html/2401.90001"), 1u);

  // C is unknown to Semantic Scholar: its metadata comes from the abs page's meta tags.
  const Record* c = ctx.Find("arxiv:2401.90003");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->metadata["metadata_from"], "abs");
  EXPECT_EQ(c->title, "Interpretability Probes for Deceptive Behaviour");
  EXPECT_EQ(c->authors, (std::vector<std::string>{"Chen Li", "Dana Fox"}));  // from "Li, Chen"
  EXPECT_EQ(c->date_published.value_or(""), "2024-01-03T00:00:00Z");
  EXPECT_EQ(c->metadata["comment"], "Accepted at a workshop");
  EXPECT_EQ(c->metadata["version"], 3);  // the submission history's last version
  EXPECT_EQ(w.site.Count("/abs/2401.90003"), 1u);
  EXPECT_EQ(w.site.Count("/html/2401.90003v3"), 1u);
  EXPECT_EQ(c->metadata["citation_depth"], 1);
  EXPECT_EQ(c->metadata["references_from"], "none");  // S2 has none; the e-print is disallowed

  const Record* b = ctx.Find("arxiv:2401.90002");
  ASSERT_NE(b, nullptr);
  if (PdfExtractorBuilt()) {
    EXPECT_EQ(b->metadata["text_from"], "pdf");
    EXPECT_NE(b->text.find("Overoptimisation appears at every scale"), std::string::npos);
  }
  EXPECT_EQ(w.site.Count("/pdf/2401.90002"), 1u);
  EXPECT_EQ(ctx.Find("arxiv:2401.90004")->metadata["citation_depth"], 2);
  // Only abs pages of papers Semantic Scholar could not describe.
  size_t abs_pages = 0;
  for (const ServerRequest& r : w.SitePages()) abs_pages += r.path.rfind("/abs/", 0) == 0;
  EXPECT_EQ(abs_pages, 1u);
  bool logged = false;
  for (const std::string& line : ctx.logs) logged = logged || line.find("e-print fallback unavailable") != std::string::npos;
  EXPECT_TRUE(logged);
}

TEST(ArxivLiveRulesTest, QueriesRunThroughSemanticScholarSearchWithOffsetPaging) {
  LiveWorld w;
  ::testing::FakeSourceContext ctx("arxiv", w.http.get());
  S2Paper journal;  // a match without an arXiv id: not kept
  journal.paper_id = "s2-journal";
  journal.arxiv = "";
  journal.title = "Reward hacking in a journal";
  w.s2.PutPaper(journal);
  ASSERT_TRUE(w.Run(w.Config({{"queries", {"reward"}}, {"page_size", 1}, {"citations", {{"max_depth", 0}}}}), &ctx).ok());
  EXPECT_TRUE(ctx.failures.empty()) << Failures(ctx);
  EXPECT_EQ(Ids(ctx), (std::vector<std::string>{"arxiv:2401.90001", "arxiv:2401.90002"}));
  std::vector<ServerRequest> searches = w.s2_host.RequestsFor("/graph/v1/paper/search");
  ASSERT_EQ(searches.size(), 3u);  // three matches, one a page
  EXPECT_NE(searches[1].query.find("offset=1"), std::string::npos);
  EXPECT_NE(searches[2].query.find("offset=2"), std::string::npos);
  ExpectLiveRulesHeld(w);
  EXPECT_EQ(w.api.TotalCount(), 0u);
}

TEST(ArxivLiveRulesTest, CitationsAreFollowedToTheirDepthThrough429Bursts) {
  LiveWorld w(/*client_attempts=*/2);  // bursts outlast the client's retries: the source waits
  w.s2.ThrottleBursts(/*every=*/2, /*length=*/3, /*retry_after=*/"0");
  ::testing::FakeSourceContext ctx("arxiv", w.http.get());
  ASSERT_TRUE(w.Run(w.Config({{"ids", {"2401.90001"}}, {"citations", {{"max_depth", 2}}}}), &ctx).ok());
  EXPECT_TRUE(ctx.failures.empty()) << Failures(ctx);
  EXPECT_EQ(Ids(ctx), (std::vector<std::string>{"arxiv:2401.90001", "arxiv:2401.90002", "arxiv:2401.90003",
                                               "arxiv:2401.90004"}));
  EXPECT_GT(ctx.throttled, 0u);
  size_t throttled_answers = 0;
  for (const ServerRequest& r : w.s2_host.Requests()) throttled_answers += r.path != "/robots.txt";
  EXPECT_GT(throttled_answers, 6u);  // 6 requests of work and the bursts between them
  ExpectLiveRulesHeld(w);
}

TEST(ArxivLiveRulesTest, ThrottlingBeyondTheBudgetIsNoFailureAndTheWorkWaitsForTheNextRun) {
  LiveWorld w(/*client_attempts=*/1);
  // The seed's metadata gets through; from the second request on, Semantic Scholar answers 429.
  w.s2.ThrottleBursts(/*every=*/2, /*length=*/1000, /*retry_after=*/"1");
  ::testing::FakeSourceContext ctx("arxiv", w.http.get());
  SourceConfig config = w.Config({{"ids", {"2401.90001"}}, {"citations", {{"throttle_wait_s", 0.5}}}});
  ASSERT_TRUE(w.Run(config, &ctx).ok());
  EXPECT_TRUE(ctx.failures.empty()) << Failures(ctx);
  EXPECT_EQ(Ids(ctx), (std::vector<std::string>{"arxiv:2401.90001"}));
  EXPECT_FALSE(ctx.Find("arxiv:2401.90001")->metadata.contains("references"));
  ctx.NextRun();
  json state = json::parse(ctx.state["papers"]);
  EXPECT_EQ(state["papers"]["2401.90001"]["r"], false);  // its references are still to do

  w.s2.ThrottleBursts(0, 0);
  w.s2.InjectThrottle(0);
  ASSERT_TRUE(w.Run(config, &ctx).ok());
  EXPECT_TRUE(ctx.failures.empty()) << Failures(ctx);
  EXPECT_EQ(Ids(ctx), (std::vector<std::string>{"arxiv:2401.90002", "arxiv:2401.90003"}));
  EXPECT_EQ(ctx.unchanged, 1u);
  ExpectLiveRulesHeld(w);
}

TEST(ArxivLiveRulesTest, QueuedCitedPapersOfAnInterruptedRunAreDoneByTheNextRun) {
  LiveWorld w;
  ::testing::FakeSourceContext ctx("arxiv", w.http.get());
  ctx.limit = 2;  // the run stops after A and B
  SourceConfig config = w.Config({{"ids", {"2401.90001"}}});
  ASSERT_TRUE(w.Run(config, &ctx).ok());
  EXPECT_EQ(ctx.records.size(), 2u);
  ctx.NextRun();
  json state = json::parse(ctx.state["papers"]);
  ASSERT_EQ(state["pending"].size(), 1u) << state.dump();
  EXPECT_EQ(state["pending"][0]["id"], "2401.90003");
  ASSERT_TRUE(w.Run(config, &ctx).ok());
  EXPECT_EQ(Ids(ctx), (std::vector<std::string>{"arxiv:2401.90003"}));
  EXPECT_EQ(ctx.records[0].metadata["cited_by"], json({"arxiv:2401.90001"}));
}

TEST(ArxivLiveRulesTest, MinCitedByGateFetchesOnlyPapersCitedOftenEnoughAndRecordsWhy) {
  LiveWorld w;
  ::testing::FakeSourceContext ctx("arxiv", w.http.get());
  SourceConfig config = w.Config({{"ids", {"2401.90001", "hep-th/9901001"}}, {"citations", {{"min_cited_by", 2}}}});
  ASSERT_TRUE(w.Run(config, &ctx).ok());
  EXPECT_TRUE(ctx.failures.empty()) << Failures(ctx);
  // B is cited by both seeds; C by A alone: it stays queued.
  EXPECT_EQ(Ids(ctx), (std::vector<std::string>{"arxiv:2401.90001", "arxiv:2401.90002", "arxiv:hep-th/9901001"}));
  EXPECT_EQ(ctx.Find("arxiv:2401.90002")->metadata["citation_gate"], json({{"cited_by_count", 2}, {"min_cited_by", 2}}));
  ctx.NextRun();
  json state = json::parse(ctx.state["papers"]);
  ASSERT_EQ(state["pending"].size(), 1u);
  EXPECT_EQ(state["pending"][0]["id"], "2401.90003");
}

TEST(ArxivLiveRulesTest, KeywordGateMatchesTitleOrAbstractCaseInsensitively) {
  LiveWorld w;
  ::testing::FakeSourceContext ctx("arxiv", w.http.get());
  ASSERT_TRUE(w.Run(w.Config({{"ids", {"2401.90001"}}, {"citations", {{"keywords", {"OVEROPTIMISATION", "debate"}}}}}), &ctx).ok());
  EXPECT_EQ(Ids(ctx), (std::vector<std::string>{"arxiv:2401.90001", "arxiv:2401.90002"}));
  EXPECT_EQ(ctx.Find("arxiv:2401.90002")->metadata["citation_gate"]["keyword"], "OVEROPTIMISATION");
  EXPECT_FALSE(ctx.Find("arxiv:2401.90001")->metadata.contains("citation_gate"));  // a seed
}

TEST(ArxivLiveRulesTest, BadAnswersAreReportedPerPaperAndTheRunGoesOn) {
  LiveWorld w;
  // D's batch element has wrong types: its abs page completes it. E is unknown everywhere (null,
  // then a 404 abs page). F is unknown to S2 and its abs page has no meta tags.
  S2Paper d = testing::S2PaperOf(w.arxiv.Papers()[3]);
  d.raw = R"({"paperId": "s2-2401.90004", "title": 42, "authors": "Ada", "externalIds": {"ArXiv": "2401.90004"}})";
  w.s2.PutPaper(d);
  ArxivPaper f = Paper("2401.90006", "A Page Without Meta Tags", "2024-01-02T00:00:00Z");
  f.abs_without_meta = true;
  w.arxiv.Put(f);
  ::testing::FakeSourceContext ctx("arxiv", w.http.get());
  ASSERT_TRUE(w.Run(w.Config({{"ids", {"2401.90004", "2401.90005", "2401.90006", "hep-th/9901001"}},
                              {"citations", {{"max_depth", 0}}}}),
                    &ctx)
                  .ok());
  EXPECT_EQ(Ids(ctx), (std::vector<std::string>{"arxiv:2401.90004", "arxiv:hep-th/9901001"}));
  EXPECT_EQ(ctx.Find("arxiv:2401.90004")->title, "Debate as a Scalable Oversight Method");
  EXPECT_EQ(ctx.Find("arxiv:2401.90004")->metadata["metadata_from"], "semanticscholar+abs");
  std::map<std::string, std::string> failures(ctx.failures.begin(), ctx.failures.end());
  ASSERT_EQ(failures.size(), 2u) << Failures(ctx);
  EXPECT_NE(failures["arxiv:2401.90005"].find("unknown to Semantic Scholar"), std::string::npos);
  EXPECT_NE(failures["arxiv:2401.90005"].find("404"), std::string::npos);
  EXPECT_NE(failures["arxiv:2401.90006"].find("no citation meta tags"), std::string::npos);

  // A batch answered with an HTML page: every paper from its abs page, nothing lost.
  ctx.NextRun();
  ctx.state.clear();
  w.s2.InjectBatchReply(Reply::Text("<html><body>Service unavailable</body></html>", "text/html"));
  ASSERT_TRUE(w.Run(w.Config({{"ids", {"2401.90001", "2401.90002"}}, {"citations", {{"max_depth", 0}}}}), &ctx).ok());
  EXPECT_TRUE(ctx.failures.empty()) << Failures(ctx);
  EXPECT_EQ(Ids(ctx), (std::vector<std::string>{"arxiv:2401.90001", "arxiv:2401.90002"}));
  EXPECT_EQ(ctx.Find("arxiv:2401.90001")->metadata["metadata_from"], "abs");
  EXPECT_EQ(ctx.Find("arxiv:2401.90001")->metadata["version"], 2);
  ExpectLiveRulesHeld(w);
}

TEST(ArxivLiveRulesTest, TheApiHostIsUsedOnlyWhenItsRobotsPolicyIsIgnore) {
  {
    LiveWorld w;
    ::testing::FakeSourceContext ctx("arxiv", w.http.get());
    ASSERT_TRUE(w.Run(w.Config({{"metadata", "api"}, {"ids", {"2401.90001"}}, {"citations", {{"max_depth", 0}}}}), &ctx).ok());
    EXPECT_TRUE(ctx.records.empty());
    ASSERT_EQ(ctx.failures.size(), 1u);
    EXPECT_NE(ctx.failures[0].second.find("robots.txt forbids"), std::string::npos) << Failures(ctx);
    EXPECT_EQ(w.api.TotalCount(), 1u);  // its robots.txt, nothing else
    ExpectLiveRulesHeld(w);
  }
  LiveWorld w;
  HttpOptions o = w.options;
  o.hosts[w.api.HostPort()].obey_robots = false;
  std::unique_ptr<HttpClient> http = std::move(NewCurlHttpClient(o)).value();
  ::testing::FakeSourceContext ctx("arxiv", http.get());
  ASSERT_TRUE(w.Run(w.Config({{"metadata", "api"}, {"ids", {"2401.90001"}}, {"citations", {{"max_depth", 0}}}}), &ctx).ok());
  EXPECT_TRUE(ctx.failures.empty()) << Failures(ctx);
  EXPECT_EQ(Ids(ctx), (std::vector<std::string>{"arxiv:2401.90001"}));
  EXPECT_EQ(w.api.Count("/robots.txt"), 0u);
  EXPECT_EQ(w.api.Count("/api/query"), 1u);
  EXPECT_TRUE(http->Stats().hosts[w.api.HostPort()].robots_ignored);
  EXPECT_FALSE(http->Stats().hosts[w.site.HostPort()].robots_ignored);
  EXPECT_EQ(w.site.Count("/robots.txt"), 1u);  // the site's own rules still hold
  EXPECT_EQ(w.site.Count("/html/2401.90001v2"), 1u);  // the API names the version
}

TEST(ArxivLiveRulesTest, ScrapeLogsAnIgnoredRobotsTxtOnceAndTheRunReportRecordsItAndTheThrottling) {
  LiveWorld w;
  w.s2.InjectThrottle(2, "0");  // more 429s than the client's two attempts: the source waits too
  testing::TempDir tmp;
  json host = {{"concurrency", 1}, {"interval_s", 0}};
  json api_host = host;
  api_host["robots"] = "ignore";
  json config = {
      {"http",
       {{"hosts", {{w.api.HostPort(), api_host}, {w.site.HostPort(), host}, {w.s2_host.HostPort(), host}}},
        {"max_attempts", 2}}},
      {"sources",
       {{{"name", "arxiv"},
         {"kind", "arxiv"},
         {"metadata", "api"},
         {"api_url", w.api.Url("/api/query")},
         {"base_url", w.site.BaseUrl()},
         {"request_interval_s", 0},
         {"ids", {"2401.90001"}},
         {"citations", {{"api_url", w.s2_host.Url("/graph/v1")}, {"max_depth", 1}}}}}}};
  testing::WriteFile(tmp.Sub("config.json"), config.dump(2));
  std::string out, err;
  int rc = testing::RunCommand(testing::AlcorBin() + " --no-progress --store " + tmp.Sub("store") +
                                   " scrape --config " + tmp.Sub("config.json"),
                               &out, &err);
  ASSERT_EQ(rc, 0) << out << err;
  EXPECT_EQ(testing::CountOccurrences(err, "robots.txt of " + w.api.HostPort() + " is not consulted"), 1u) << err;
  EXPECT_EQ(w.api.Count("/robots.txt"), 0u);
  EXPECT_GE(w.api.Count("/api/query"), 2u);  // the seed, then its cited papers
  std::vector<std::string> runs;
  ASSERT_TRUE(Env::Default()->GetChildren(tmp.Sub("store/runs"), &runs).ok());
  ASSERT_EQ(runs.size(), 1u);
  json report = json::parse(testing::ReadFile(tmp.Sub("store/runs/" + runs[0])));
  EXPECT_EQ(report["robots_ignored"], json({w.api.HostPort()})) << report.dump();
  const json& source = report["sources"][0];
  EXPECT_EQ(source["fetched"], 3) << source.dump();  // A, then B and C
  EXPECT_EQ(source["failed"], 0) << source.dump();
  EXPECT_GE(source["throttled"].get<int>(), 2) << source.dump();  // the client's retry and the source's wait
  EXPECT_GE(source["throttled_seconds"].get<double>(), 0.1) << source.dump();
  for (const ServerRequest& r : w.site.Requests()) {
    for (const char* disallowed : {"/api", "/e-print", "/src", "/search"}) {
      EXPECT_NE(r.path.rfind(disallowed, 0), 0u) << "disallowed path asked: " << r.target;
    }
  }
}

}  // namespace
}  // namespace alcor
