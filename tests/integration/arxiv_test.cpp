// The arxiv source with `metadata: api` against the emulated arXiv and Semantic Scholar on one
// loopback server that serves no robots.txt, through the real libcurl client: discovery (ids, seed file, queries with paging, spurious empty pages,
// error entries, dropped ids), records (fields, HTML with math, PDF fallback, withdrawn papers,
// bibliography), state (unchanged papers, new versions, query cursors, the citation queue) and
// citation-following (depth 2 with a cycle, e-print fallback, budget, relevance gate,
// throttling, API key), plus politeness (one arXiv request at a time, the interval).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "alcor/arxiv.hpp"
#include "alcor/config.hpp"
#include "alcor/http.hpp"
#include "alcor/pdf.hpp"
#include "alcor/source.hpp"
#include "alcor/source_config.hpp"
#include "alcor/warc.hpp"
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
using testing::S2Reference;
using testing::SemanticScholarSite;
using testing::ServerRequest;
using testing::TestServer;

std::string FixtureHtml() { return testing::ReadFile(testing::ProjectFixturesDir() + "/arxiv/latexml_article.html"); }

ArxivPaper Paper(const std::string& id, const std::string& title, const std::string& date, int version = 1) {
  ArxivPaper p;
  p.id = id;
  p.version = version;
  p.title = title;
  p.summary = "Abstract of " + title + ": we study how learned objectives diverge from intended ones.";
  p.authors = {"Ada Quill", "Ben Okafor"};
  p.categories = {"cs.LG", "cs.AI"};
  p.published = date;
  p.updated = date;
  return p;
}

// The data set: A cites B, C (by arXiv DOI), a non-arXiv paper and an unresolved one; B cites
// A (a cycle) and D; C is unknown to Semantic Scholar and its e-print .bbl cites E and A.
// W is withdrawn; O has an old-style id; N has neither HTML nor PDF.
struct World {
  // with_data: install the data set below; else the routes are left to the test.
  explicit World(bool with_data = true) {
    ::setenv("no_proxy", "*", 1);
    HttpOptions o_http;
    o_http.hosts[server.HostPort()] = HostRule{4, 0.0, {}};
    o_http.retry.max_attempts = 4;
    o_http.retry.initial_backoff_ms = 10;
    o_http.retry.max_backoff_ms = 50;
    o_http.connect_timeout_ms = 2000;
    o_http.timeout_ms = 10000;
    o_http.jitter_seed = 1;
    http = std::move(NewCurlHttpClient(o_http)).value();
    if (!with_data) return;
    ArxivPaper a = Paper("2401.90001", "Measuring Reward Hacking in\n   Learned Reward Models", "2024-01-10T12:00:00Z", 2);
    a.html = FixtureHtml();
    a.affiliations = {{"Example Institute"}, {}};
    a.doi = "10.1000/rh.2024.1";
    a.journal_ref = "Workshop on Safe Learning 2024";
    a.comment = "14 pages, 3 figures";
    a.updated = "2024-02-01T08:00:00Z";
    ArxivPaper b = Paper("2401.90002", "Scaling Laws for Proxy Reward Overoptimisation", "2024-01-05T12:00:00Z");
    b.pdf_pages = {"Scaling Laws for Proxy Reward Overoptimisation\n\nWe measure how the gold reward falls as the proxy "
                   "is optimised harder.\n\n1 Introduction\n\nOveroptimisation appears at every scale we tried.",
                   "2 Results\n\nLarger reward models delay the fall.\n\nReferences\n\n[1] A. Quill. Measuring reward hacking."};
    ArxivPaper c = Paper("2401.90003", "Interpretability Probes for Deceptive Behaviour", "2024-01-03T12:00:00Z");
    c.html = "<h1 class=\"ltx_title\">Interpretability Probes</h1><section class=\"ltx_section\"><h2 class=\"ltx_title\">1 "
             "Introduction</h2><p class=\"ltx_p\">Linear probes find a direction that predicts deceptive answers.</p></section>";
    c.eprint_files = {{"main.tex", "\\documentclass{article}\\begin{document}x\\end{document}"},
                      {"main.bbl", "\\bibitem{e} E. Moreau. Goal misgeneralisation. arXiv preprint arXiv:2401.90005, "
                                   "2024.\n\\bibitem{a} A. Quill. \\url{https://arxiv.org/abs/2401.90001v1}\n"}};
    ArxivPaper d = Paper("2401.90004", "Debate as a Scalable Oversight Method", "2023-12-20T12:00:00Z");
    d.html = "<section class=\"ltx_section\"><h2 class=\"ltx_title\">1 Debate</h2><p class=\"ltx_p\">Two models argue; a judge decides "
             "which answer is better supported.</p></section>";
    ArxivPaper e = Paper("2401.90005", "Goal Misgeneralisation in Gridworlds", "2023-12-15T12:00:00Z");
    e.html = "<section class=\"ltx_section\"><h2 class=\"ltx_title\">1 Setup</h2><p class=\"ltx_p\">An agent learns to reach the coin "
             "and keeps going right when the coin moves.</p></section>";
    ArxivPaper w = Paper("2401.90006", "A Flawed Proof of Safe Interruptibility", "2024-01-08T12:00:00Z", 2);
    w.withdrawn = true;
    w.comment = "This paper has been withdrawn by the author due to an error in the main theorem";
    w.html = "<p>never served for the withdrawn version</p>";
    ArxivPaper o = Paper("hep-th/9901001", "An Old-Style Identifier", "1999-01-04T00:00:00Z");
    o.categories = {"hep-th"};
    ArxivPaper n = Paper("2401.90007", "Abstract Only", "2024-01-09T12:00:00Z");
    arxiv = ArxivSite({a, b, c, d, e, w, o, n});
    s2.Put("2401.90001", "s2-a",
           {{"s2-b", "Scaling Laws", "2401.90002", ""},
            {"s2-c", "Probes", "", "10.48550/arXiv.2401.90003"},
            {"s2-x", "A journal paper", "", "10.1145/1"},
            {"", "Unresolved", "", ""}});
    s2.Put("2401.90002", "s2-b", {{"s2-a", "Reward Hacking", "2401.90001", ""}, {"s2-d", "Debate", "2401.90004", ""}});
    s2.Put("2401.90004", "s2-d", {});
    s2.Put("2401.90005", "s2-e", {{"s2-d", "Debate", "2401.90004", ""}});
    s2.Put("hep-th/9901001", "s2-o", {{"s2-b", "Scaling Laws", "2401.90002", ""}});
    arxiv.Install(&server, "/arxiv");
    s2.Install(&server, "/s2/graph/v1");
  }

  // A validated config entry pointed at the emulators; extra keys merged in. These tests check
  // the arXiv query API path (`metadata: api`); arxiv_live_rules_test the default one.
  SourceConfig Config(json extra, const std::string& config_dir = ".") {
    json entry = {{"name", "arxiv"},
                  {"kind", "arxiv"},
                  {"metadata", "api"},
                  {"api_url", server.Url("/arxiv/api/query")},
                  {"base_url", server.Url("/arxiv")},
                  {"request_interval_s", 0},
                  {"citations", {{"api_url", server.Url("/s2/graph/v1")}}}};
    for (auto& [k, v] : extra.items()) {
      if (k == "citations") {
        for (auto& [ck, cv] : v.items()) entry["citations"][ck] = cv;
      } else {
        entry[k] = v;
      }
    }
    Result<SourceConfig> config = ValidateSourceConfig(entry, "test", config_dir);
    EXPECT_TRUE(config.ok()) << config.status().ToString();
    return config.value();
  }

  Status Run(const SourceConfig& config, ::testing::FakeSourceContext* ctx) {
    Result<std::unique_ptr<Source>> source = FindSourceKind("arxiv")->create(config);
    if (!source.ok()) return source.status();
    return source.value()->Run(*ctx);
  }

  std::vector<ServerRequest> Under(const std::string& prefix) const {
    std::vector<ServerRequest> out;
    for (ServerRequest& r : server.Requests())
      if (r.path.rfind(prefix, 0) == 0) out.push_back(std::move(r));
    return out;
  }
  size_t CountUnder(const std::string& prefix) const { return Under(prefix).size(); }

  TestServer server;
  ArxivSite arxiv;
  SemanticScholarSite s2;
  std::unique_ptr<HttpClient> http;
};

std::vector<std::string> Ids(const ::testing::FakeSourceContext& ctx) { return ctx.RecordIds(); }

bool PdfExtractorBuilt() {
  std::string pdf = ArxivSite::MakePdf({"probe"}, "t", "a", "h");
  return ExtractPdfText(pdf).status().code() != Status::Code::kNotSupported;
}

// ---------------------------------------------------------------------------------------------

TEST(ArxivSourceTest, CitationChainOfDepthTwoWithACycleFetchesEachPaperOnce) {
  World w;
  ::testing::FakeSourceContext ctx("arxiv", w.http.get());
  ASSERT_TRUE(w.Run(w.Config({{"ids", {"2401.90001"}}, {"citations", {{"max_depth", 2}}}}), &ctx).ok());
  EXPECT_TRUE(ctx.failures.empty()) << ctx.failures[0].first << ": " << ctx.failures[0].second;
  EXPECT_TRUE(ctx.conversion_failures.empty());
  EXPECT_EQ(Ids(ctx), (std::vector<std::string>{"arxiv:2401.90001", "arxiv:2401.90002", "arxiv:2401.90003",
                                               "arxiv:2401.90004", "arxiv:2401.90005"}));
  auto meta = [&](const std::string& id) { return ctx.Find("arxiv:" + id)->metadata; };
  EXPECT_EQ(meta("2401.90001")["citation_depth"], 0);
  EXPECT_EQ(meta("2401.90001")["cited_by"], json::array());
  EXPECT_EQ(meta("2401.90001")["references"], json({"arxiv:2401.90002", "arxiv:2401.90003"}));
  EXPECT_EQ(meta("2401.90001")["references_from"], "semanticscholar");
  EXPECT_EQ(meta("2401.90002")["citation_depth"], 1);
  EXPECT_EQ(meta("2401.90002")["cited_by"], json({"arxiv:2401.90001"}));
  EXPECT_EQ(meta("2401.90003")["citation_depth"], 1);
  EXPECT_EQ(meta("2401.90003")["references_from"], "eprint");  // unknown to Semantic Scholar
  EXPECT_EQ(meta("2401.90003")["references"], json({"arxiv:2401.90005", "arxiv:2401.90001"}));
  EXPECT_EQ(meta("2401.90004")["citation_depth"], 2);
  EXPECT_EQ(meta("2401.90004")["cited_by"], json({"arxiv:2401.90002"}));
  EXPECT_EQ(meta("2401.90005")["citation_depth"], 2);
  EXPECT_EQ(meta("2401.90005")["cited_by"], json({"arxiv:2401.90003"}));
  EXPECT_FALSE(meta("2401.90004").contains("references"));  // max_depth: not followed further
  // Each paper's text fetched once although A is cited twice (a cycle through B, and C's .bbl).
  for (const char* id : {"2401.90001v2", "2401.90003v1", "2401.90004v1", "2401.90005v1"}) {
    EXPECT_EQ(w.server.Count(std::string("/arxiv/html/") + id), 1u) << id;
  }
  EXPECT_EQ(w.CountUnder("/arxiv/e-print/"), 1u);
  // No Semantic Scholar request for papers at max_depth.
  EXPECT_EQ(w.CountUnder("/s2/graph/v1/paper/ARXIV:2401.90004"), 0u);
  EXPECT_EQ(w.CountUnder("/s2/graph/v1/paper/ARXIV:2401.90005"), 0u);
  // Politeness: the source's arXiv requests never overlap.
  EXPECT_EQ(TestServer::MaxOverlap(w.Under("/arxiv/")), 1);
}

TEST(ArxivSourceTest, DefaultDepthIsOne) {
  World w;
  ::testing::FakeSourceContext ctx("arxiv", w.http.get());
  ASSERT_TRUE(w.Run(w.Config({{"ids", {"2401.90001"}}}), &ctx).ok());
  EXPECT_EQ(Ids(ctx), (std::vector<std::string>{"arxiv:2401.90001", "arxiv:2401.90002", "arxiv:2401.90003"}));
  EXPECT_EQ(w.CountUnder("/arxiv/e-print/"), 0u);  // C is at max_depth: its references are not needed
}

TEST(ArxivSourceTest, RecordFieldsAndHtmlTextWithMath) {
  World w;
  ::testing::FakeSourceContext ctx("arxiv", w.http.get());
  ASSERT_TRUE(w.Run(w.Config({{"ids", {"https://arxiv.org/abs/2401.90001v1"}}, {"citations", {{"max_depth", 0}}}}), &ctx).ok());
  ASSERT_EQ(ctx.records.size(), 1u);
  const Record& r = ctx.records[0];
  EXPECT_EQ(r.id, "arxiv:2401.90001");
  EXPECT_EQ(r.source, "arxiv");
  EXPECT_EQ(r.source_kind, "arxiv");
  EXPECT_EQ(r.url, w.server.Url("/arxiv/abs/2401.90001"));
  EXPECT_EQ(r.title, "Measuring Reward Hacking in Learned Reward Models");
  EXPECT_EQ(r.authors, (std::vector<std::string>{"Ada Quill", "Ben Okafor"}));
  EXPECT_EQ(r.date_published, "2024-01-10T12:00:00Z");
  EXPECT_EQ(r.date_modified, "2024-02-01T08:00:00Z");
  ASSERT_TRUE(r.summary.has_value());
  EXPECT_EQ(r.summary->find('\n'), std::string::npos);
  EXPECT_EQ(r.metadata["version"], 2);  // the latest, whatever version the seed named
  EXPECT_EQ(r.metadata["categories"], json({"cs.LG", "cs.AI"}));
  EXPECT_EQ(r.metadata["primary_category"], "cs.LG");
  EXPECT_EQ(r.metadata["doi"], "10.1000/rh.2024.1");
  EXPECT_EQ(r.metadata["journal_ref"], "Workshop on Safe Learning 2024");
  EXPECT_EQ(r.metadata["comment"], "14 pages, 3 figures");
  EXPECT_EQ(r.metadata["affiliations"], json::parse(R"([{"author": "Ada Quill", "affiliations": ["Example Institute"]}])"));
  EXPECT_EQ(r.metadata["text_from"], "html");
  EXPECT_EQ(r.metadata["withdrawn"], false);
  EXPECT_NE(r.text.find("r_{\\theta}(x,y)"), std::string::npos) << r.text;
  EXPECT_NE(r.text.find("Introduction"), std::string::npos);
  EXPECT_NE(r.text.find("References"), std::string::npos);  // kept by default
  EXPECT_EQ(r.text.find("Report issue"), std::string::npos);  // the site's banner is not the paper
  EXPECT_EQ(r.text.find("Generated by LaTeXML"), std::string::npos);
  EXPECT_EQ(w.CountUnder("/s2/"), 0u);  // max_depth 0: what `alcor ingest arxiv:ID` uses
}

TEST(ArxivSourceTest, BibliographyCanBeDropped) {
  World w;
  ::testing::FakeSourceContext ctx("arxiv", w.http.get());
  ASSERT_TRUE(w.Run(w.Config({{"ids", {"2401.90001"}}, {"bibliography", "drop"}, {"citations", {{"max_depth", 0}}}}), &ctx).ok());
  ASSERT_EQ(ctx.records.size(), 1u);
  EXPECT_EQ(ctx.records[0].text.find("Scaling laws for proxy"), std::string::npos) << ctx.records[0].text;
  EXPECT_NE(ctx.records[0].text.find("Training details"), std::string::npos);  // the appendix stays
}

// `alcor rebuild` (SourceKind::document_from_raw): from the bytes the source archived (the
// LaTeXML page, the PDF) the kind makes the document again, and Convert the record the scrape made,
// the bibliography dropped again when the source dropped it.
TEST(ArxivSourceTest, TheKindRemakesEachRecordFromTheBytesItsSourceArchived) {
  const SourceKind* kind = FindSourceKind("arxiv");
  ASSERT_TRUE(kind && kind->document_from_raw);
  std::vector<std::string> ids = {"2401.90001"};
  if (PdfExtractorBuilt()) ids.push_back("2401.90002");
  for (const char* bibliography : {"keep", "drop"}) {
    World w;
    ::testing::FakeSourceContext ctx("arxiv", w.http.get());
    ASSERT_TRUE(w.Run(w.Config({{"ids", ids}, {"bibliography", bibliography}, {"citations", {{"max_depth", 0}}}}), &ctx).ok());
    ASSERT_EQ(ctx.records.size(), ids.size());
    for (size_t i = 0; i < ctx.records.size(); ++i) {
      const Record& stored = ctx.records[i];
      ASSERT_TRUE(ctx.captures[i]) << stored.id << " archived no bytes";
      const RawCapture& c = *ctx.captures[i];
      WarcRecord raw = MakeWarcResponse(c.uri, "2026-12-08T00:00:00Z", c.http_status, c.headers, c.payload);
      RawDocument doc;
      doc.record = stored;
      doc.record.text.clear();
      doc.record.content_sha256.clear();
      ASSERT_TRUE(kind->document_from_raw(raw, &doc).ok()) << stored.id;
      Record again;
      ASSERT_TRUE(Convert(std::move(doc), &again).ok()) << stored.id;
      EXPECT_EQ(again.ToJsonLine(), stored.ToJsonLine()) << bibliography << " " << stored.id;
    }
    if (std::string(bibliography) == "drop") {
      EXPECT_EQ(ctx.records[0].metadata["bibliography"], "dropped");
    }
  }
}

TEST(ArxivSourceTest, WithdrawnPaperIsRecordedAsWithdrawnNeverEmpty) {
  World w;
  ::testing::FakeSourceContext ctx("arxiv", w.http.get());
  ASSERT_TRUE(w.Run(w.Config({{"ids", {"2401.90006"}}}), &ctx).ok());
  ASSERT_EQ(ctx.records.size(), 1u);
  const Record& r = ctx.records[0];
  EXPECT_EQ(r.metadata["withdrawn"], true);
  EXPECT_EQ(r.metadata["text_from"], "abstract");
  EXPECT_NE(r.text.find("withdrawn"), std::string::npos);
  EXPECT_NE(r.text.find("error in the main theorem"), std::string::npos);
  EXPECT_NE(r.text.find("Abstract of A Flawed Proof"), std::string::npos);
  EXPECT_EQ(w.CountUnder("/arxiv/html/"), 0u);
  EXPECT_EQ(w.CountUnder("/arxiv/pdf/"), 0u);
  EXPECT_EQ(w.CountUnder("/s2/"), 0u);
}

TEST(ArxivSourceTest, PdfIsTheFallbackWhenThereIsNoHtml) {
  World w;
  ::testing::FakeSourceContext ctx("arxiv", w.http.get());
  ASSERT_TRUE(w.Run(w.Config({{"ids", {"2401.90002"}}, {"citations", {{"max_depth", 0}}}}), &ctx).ok());
  ASSERT_EQ(ctx.records.size(), 1u);
  const Record& r = ctx.records[0];
  EXPECT_EQ(w.server.Count("/arxiv/html/2401.90002v1"), 1u);
  EXPECT_EQ(w.server.Count("/arxiv/pdf/2401.90002v1"), 1u);
  if (!PdfExtractorBuilt()) {
    // Until the poppler extractor lands the source must still give a record: the abstract.
    EXPECT_EQ(r.metadata["text_from"], "abstract");
    EXPECT_NE(r.metadata["text_error"].get<std::string>().find("pdf"), std::string::npos);
    GTEST_SKIP() << "ExtractPdfText is still the placeholder: PDF text not checked";
  }
  EXPECT_EQ(r.metadata["text_from"], "pdf");
  EXPECT_NE(r.text.find("Overoptimisation appears at every scale we tried."), std::string::npos) << r.text;
  EXPECT_NE(r.text.find("Larger reward models delay the fall."), std::string::npos) << r.text;
  EXPECT_EQ(r.text.find("Preprint. arXiv:2401.90002v1"), std::string::npos) << "running header kept:\n" << r.text;
  EXPECT_NE(r.text.find("## References"), std::string::npos) << r.text;  // its own section
}

TEST(ArxivSourceTest, AbstractWhenNeitherHtmlNorPdf) {
  World w;
  ::testing::FakeSourceContext ctx("arxiv", w.http.get());
  ASSERT_TRUE(w.Run(w.Config({{"ids", {"2401.90007"}}, {"citations", {{"max_depth", 0}}}}), &ctx).ok());
  ASSERT_EQ(ctx.records.size(), 1u);
  EXPECT_EQ(ctx.records[0].metadata["text_from"], "abstract");
  EXPECT_EQ(ctx.records[0].text, "Abstract of Abstract Only: we study how learned objectives diverge from intended ones.\n");
  EXPECT_FALSE(ctx.records[0].metadata.contains("text_error"));  // 404s are not errors
}

TEST(ArxivSourceTest, NoReferencesAnywhereIsNotAFailure) {
  World w;
  w.s2.Put("2401.90005", "s2-e", {{"s2-x", "A journal paper", "", "10.1145/1"}});  // none on arXiv
  ::testing::FakeSourceContext ctx("arxiv", w.http.get());
  ASSERT_TRUE(w.Run(w.Config({{"ids", {"2401.90007", "2401.90004", "2401.90005"}}}), &ctx).ok());
  EXPECT_TRUE(ctx.failures.empty()) << ctx.failures[0].first << ": " << ctx.failures[0].second;
  // Unknown to Semantic Scholar and no e-print (404): nothing to follow.
  EXPECT_EQ(ctx.Find("arxiv:2401.90007")->metadata["references"], json::array());
  EXPECT_EQ(ctx.Find("arxiv:2401.90007")->metadata["references_from"], "none");
  // Known without references: the e-print is tried, its 404 is not an error.
  EXPECT_EQ(ctx.Find("arxiv:2401.90004")->metadata["references_from"], "semanticscholar");
  // Known with references, none on arXiv: the list is the answer; no e-print is fetched for it.
  EXPECT_EQ(ctx.Find("arxiv:2401.90005")->metadata["references"], json::array());
  EXPECT_EQ(w.server.Count("/arxiv/e-print/2401.90005v1"), 0u);
  EXPECT_EQ(w.server.Count("/arxiv/e-print/2401.90007v1"), 1u);
  // The three seeds were looked up with one id_list request.
  EXPECT_EQ(w.server.Count("/arxiv/api/query"), 1u);
}

TEST(ArxivSourceTest, EprintForbiddenByRobotsIsLoggedNotFailed) {
  World w;
  w.server.ServeRobots("User-agent: *\nDisallow: /arxiv/e-print/\n");
  ::testing::FakeSourceContext ctx("arxiv", w.http.get());
  ASSERT_TRUE(w.Run(w.Config({{"ids", {"2401.90003"}}}), &ctx).ok());
  EXPECT_TRUE(ctx.failures.empty()) << ctx.failures[0].first << ": " << ctx.failures[0].second;
  EXPECT_EQ(ctx.Find("arxiv:2401.90003")->metadata["references_from"], "none");
  EXPECT_EQ(w.CountUnder("/arxiv/e-print/"), 0u);
  bool logged = false;
  for (const std::string& l : ctx.logs) logged |= l.find("robots.txt forbids") != std::string::npos;
  EXPECT_TRUE(logged);
}

TEST(ArxivSourceTest, UnchangedPaperIsNotFetchedAgainAndANewVersionIs) {
  World w;
  ::testing::FakeSourceContext ctx("arxiv", w.http.get());
  SourceConfig config = w.Config({{"ids", {"2401.90001"}}, {"citations", {{"max_depth", 0}}}});
  ASSERT_TRUE(w.Run(config, &ctx).ok());
  ASSERT_EQ(ctx.records.size(), 1u);
  ctx.NextRun();
  w.server.ClearRequests();
  ASSERT_TRUE(w.Run(config, &ctx).ok());
  EXPECT_TRUE(ctx.records.empty());
  EXPECT_EQ(ctx.unchanged, 1u);
  EXPECT_EQ(w.CountUnder("/arxiv/html/"), 0u);
  EXPECT_EQ(w.CountUnder("/arxiv/api/query"), 1u);
  // Version 3 appears: emitted again (the deduplicator replaces the stored one by id).
  ArxivPaper a = Paper("2401.90001", "Measuring Reward Hacking in Learned Reward Models", "2024-01-10T12:00:00Z", 3);
  a.html = FixtureHtml() + "<section><h2>Erratum</h2><p>Version three fixes a sign.</p></section>";
  w.arxiv.Put(a);
  ctx.NextRun();
  ASSERT_TRUE(w.Run(config, &ctx).ok());
  ASSERT_EQ(ctx.records.size(), 1u);
  EXPECT_EQ(ctx.records[0].id, "arxiv:2401.90001");
  EXPECT_EQ(ctx.records[0].metadata["version"], 3);
  EXPECT_EQ(w.server.Count("/arxiv/html/2401.90001v3"), 1u);
}

TEST(ArxivSourceTest, QueryPagingRetriesSpuriousEmptyPagesAndKeepsACursor) {
  World w;
  ::testing::FakeSourceContext ctx("arxiv", w.http.get());
  SourceConfig config = w.Config({{"queries", {"cat:cs.AI AND abs:objectives"}}, {"page_size", 2},
                                  {"html", false}, {"pdf", false}, {"citations", {{"max_depth", 0}}}});
  w.arxiv.InjectEmptyPages(1);
  ASSERT_TRUE(w.Run(config, &ctx).ok());
  EXPECT_TRUE(ctx.failures.empty()) << ctx.failures[0].second;
  // Seven cs.AI papers, newest updated first, in pages of two; one page came back empty once.
  EXPECT_EQ(ctx.records.size(), 7u);
  EXPECT_EQ(ctx.records[0].id, "arxiv:2401.90001");  // updated 2024-02-01
  EXPECT_EQ(w.CountUnder("/arxiv/api/query"), 5u);   // 4 pages + 1 retry
  bool logged = false;
  for (const std::string& l : ctx.logs) logged |= l.find("empty page") != std::string::npos;
  EXPECT_TRUE(logged);
  // Next run: the first page reaches the cursor; nothing is fetched again.
  ctx.NextRun();
  w.server.ClearRequests();
  ASSERT_TRUE(w.Run(config, &ctx).ok());
  EXPECT_TRUE(ctx.records.empty());
  EXPECT_EQ(w.CountUnder("/arxiv/api/query"), 1u);
  // A newer paper appears: it alone is emitted.
  w.arxiv.Put(Paper("2403.90020", "Newer Work on Objectives", "2024-03-01T00:00:00Z"));
  ctx.NextRun();
  ASSERT_TRUE(w.Run(config, &ctx).ok());
  EXPECT_EQ(Ids(ctx), (std::vector<std::string>{"arxiv:2403.90020"}));
}

TEST(ArxivSourceTest, PersistentlyEmptyPagesAreReportedAndTheCursorStays) {
  World w;
  ::testing::FakeSourceContext ctx("arxiv", w.http.get());
  SourceConfig config = w.Config({{"queries", {"cat:cs.AI"}}, {"page_size", 3}, {"empty_page_retries", 1},
                                  {"html", false}, {"pdf", false}, {"citations", {{"max_depth", 0}}}});
  w.arxiv.InjectEmptyPages(100);
  ASSERT_TRUE(w.Run(config, &ctx).ok());
  ASSERT_EQ(ctx.failures.size(), 1u);
  EXPECT_NE(ctx.failures[0].second.find("empty page"), std::string::npos) << ctx.failures[0].second;
  ctx.NextRun();
  EXPECT_EQ(json::parse(ctx.state["papers"])["queries"], json::object());
}

TEST(ArxivSourceTest, ErrorsAreReportedByNameAndOtherWorkGoesOn) {
  World w;
  ::testing::FakeSourceContext ctx("arxiv", w.http.get());
  ASSERT_TRUE(w.Run(w.Config({{"ids", {"2401.90001", "2401.99999", "not-an-id"}},
                              {"queries", {"ti:(unbalanced"}},
                              {"citations", {{"max_depth", 0}}}}),
                    &ctx)
                  .ok());
  EXPECT_EQ(Ids(ctx), (std::vector<std::string>{"arxiv:2401.90001"}));
  std::map<std::string, std::string> failures(ctx.failures.begin(), ctx.failures.end());
  ASSERT_EQ(failures.size(), 3u) << ::testing::PrintToString(ctx.failures);
  EXPECT_NE(failures["ids: not-an-id"].find("not an arXiv identifier"), std::string::npos);
  EXPECT_NE(failures["arxiv:2401.99999"].find("no paper 2401.99999"), std::string::npos);  // dropped by the API
  EXPECT_NE(failures["query ti:(unbalanced"].find("HTTP 400"), std::string::npos) << failures["query ti:(unbalanced"];
  // The Atom error entry's own message is reported, not only the status.
  EXPECT_NE(failures["query ti:(unbalanced"].find("malformed search_query"), std::string::npos)
      << failures["query ti:(unbalanced"];
}

TEST(ArxivSourceTest, BudgetLeavesTheRestQueuedForTheNextRun) {
  World w;
  ::testing::FakeSourceContext ctx("arxiv", w.http.get());
  SourceConfig config = w.Config({{"ids", {"2401.90001", "hep-th/9901001"}}, {"citations", {{"max_papers", 1}}}});
  ASSERT_TRUE(w.Run(config, &ctx).ok());
  // B is cited by both seeds: it goes first; C waits.
  EXPECT_EQ(Ids(ctx), (std::vector<std::string>{"arxiv:2401.90001", "arxiv:2401.90002", "arxiv:hep-th/9901001"}));
  EXPECT_EQ(ctx.Find("arxiv:2401.90002")->metadata["cited_by"], json({"arxiv:2401.90001", "arxiv:hep-th/9901001"}));
  // The old-style id reached Semantic Scholar with its '/' encoded.
  EXPECT_EQ(w.server.Count("/s2/graph/v1/paper/ARXIV:hep-th%2F9901001/references"), 1u);
  ctx.NextRun();
  w.server.ClearRequests();
  ASSERT_TRUE(w.Run(config, &ctx).ok());
  EXPECT_EQ(Ids(ctx), (std::vector<std::string>{"arxiv:2401.90003"}));
  EXPECT_EQ(ctx.records[0].metadata["cited_by"], json({"arxiv:2401.90001"}));
  EXPECT_EQ(w.CountUnder("/s2/"), 0u);  // the seeds' references were followed last run
}

TEST(ArxivSourceTest, RelevanceGateSkipsCitedPapersOutsideIt) {
  World w;
  ArxivPaper c = Paper("2401.90003", "Interpretability Probes for Deceptive Behaviour", "2024-01-03T12:00:00Z");
  c.categories = {"q-bio.NC"};
  w.arxiv.Put(c);
  ::testing::FakeSourceContext ctx("arxiv", w.http.get());
  ASSERT_TRUE(w.Run(w.Config({{"ids", {"2401.90001"}}, {"citations", {{"categories", {"cs"}}, {"keywords", {"reward"}}}}}), &ctx).ok());
  EXPECT_EQ(Ids(ctx), (std::vector<std::string>{"arxiv:2401.90001", "arxiv:2401.90002"}));
}

TEST(ArxivSourceTest, ThrottledSemanticScholarIsRetriedAndTheKeyIsSent) {
  World w;
  ::setenv("ALCOR_TEST_S2_KEY", "s3cret-key", 1);
  w.s2.InjectThrottle(2);
  ::testing::FakeSourceContext ctx("arxiv", w.http.get());
  ASSERT_TRUE(w.Run(w.Config({{"ids", {"2401.90001"}}, {"citations", {{"api_key", "${ALCOR_TEST_S2_KEY}"}, {"page_size", 2}}}}), &ctx).ok());
  EXPECT_TRUE(ctx.failures.empty()) << ctx.failures[0].second;
  EXPECT_EQ(Ids(ctx), (std::vector<std::string>{"arxiv:2401.90001", "arxiv:2401.90002", "arxiv:2401.90003"}));
  std::vector<ServerRequest> s2 = w.Under("/s2/");
  ASSERT_EQ(s2.size(), 4u);  // 2 throttled + 2 pages of 2 references
  for (const ServerRequest& r : s2) {
    ASSERT_NE(r.Header("x-api-key"), nullptr);
    EXPECT_EQ(*r.Header("x-api-key"), "s3cret-key");
  }
  EXPECT_NE(s2.back().query.find("offset=2"), std::string::npos);
  for (const ServerRequest& r : w.Under("/arxiv/")) EXPECT_EQ(r.Header("x-api-key"), nullptr);
}

TEST(ArxivSourceTest, SeedFileOfIdsAndUrlsRelativeToTheConfig) {
  World w;
  testing::TempDir dir;
  testing::WriteFile(dir.Sub("seeds.txt"),
                     "# papers to start from\n"
                     "https://arxiv.org/pdf/2401.90007v1.pdf\n\n"
                     "arXiv:2401.90001v1   # the reward hacking paper\n"
                     "http://arxiv.org/abs/hep-th/9901001\n"
                     "garbage-line\n");
  ::testing::FakeSourceContext ctx("arxiv", w.http.get());
  ASSERT_TRUE(w.Run(w.Config({{"seed_file", "seeds.txt"}, {"citations", {{"max_depth", 0}}}}, dir.path()), &ctx).ok());
  EXPECT_EQ(Ids(ctx), (std::vector<std::string>{"arxiv:2401.90001", "arxiv:2401.90007", "arxiv:hep-th/9901001"}));
  ASSERT_EQ(ctx.failures.size(), 1u);
  EXPECT_NE(ctx.failures[0].first.find("seeds.txt:6"), std::string::npos) << ctx.failures[0].first;
  EXPECT_EQ(w.CountUnder("/arxiv/api/query"), 1u);  // one id_list request for all seeds
}

TEST(ArxivSourceTest, RequestIntervalSpacesAllArxivRequests) {
  World w;
  ::testing::FakeSourceContext ctx("arxiv", w.http.get());
  SourceConfig config = w.Config({{"ids", {"2401.90001"}}, {"request_interval_s", 0.15}});
  ASSERT_TRUE(w.Run(config, &ctx).ok());
  std::vector<ServerRequest> arxiv = w.Under("/arxiv/");
  ASSERT_GE(arxiv.size(), 5u);  // id_list, html, id_list for cited, 2 html
  int64_t tolerance = std::getenv("ALCOR_SANITIZED") ? 60000 : 30000;
  EXPECT_GE(TestServer::MinGapMicros(arxiv), 150000 - tolerance);
}

TEST(ArxivSourceTest, LimitStopsPromptlyAndTheStateCoversOnlyWhatWasEmitted) {
  World w;
  ::testing::FakeSourceContext ctx("arxiv", w.http.get());
  ctx.limit = 1;
  SourceConfig config = w.Config({{"ids", {"2401.90001", "2401.90007"}}, {"citations", {{"max_depth", 0}}}});
  ASSERT_TRUE(w.Run(config, &ctx).ok());
  EXPECT_EQ(ctx.records.size(), 1u);
  ctx.NextRun();
  json state = json::parse(ctx.state["papers"]);
  EXPECT_EQ(state["papers"].size(), 1u);
  ASSERT_TRUE(w.Run(config, &ctx).ok());
  EXPECT_EQ(ctx.records.size(), 1u);  // the other one, now
  EXPECT_EQ(ctx.unchanged, 1u);
}

TEST(ArxivSourceTest, MirrorDataSetLoadsAndServes) {
  const char* root = std::getenv("ALCOR_SOURCE_DIR");
  std::string dir = std::string(root ? root : "..") + "/examples/mirror";
  Result<ArxivSite> site = ArxivSite::Load(dir + "/arxiv");
  ASSERT_TRUE(site.ok()) << site.status().ToString();
  Result<SemanticScholarSite> s2 = SemanticScholarSite::Load(dir + "/s2");
  ASSERT_TRUE(s2.ok()) << s2.status().ToString();
  World w(/*with_data=*/false);
  site->Install(&w.server, "/arxiv");
  s2->Install(&w.server, "/s2/graph/v1");
  // The quickstart entry (/work/staging/quickstart-arxiv.json) asks for the same.
  ::testing::FakeSourceContext ctx("arxiv", w.http.get());
  ASSERT_TRUE(w.Run(w.Config({{"queries", {"cat:cs.AI AND all:alignment"}}, {"ids", {"2412.90001"}},
                              {"citations", {{"max_depth", 2}, {"max_papers", 20}}}}),
                    &ctx)
                  .ok());
  EXPECT_TRUE(ctx.failures.empty()) << ctx.failures[0].first << ": " << ctx.failures[0].second;
  EXPECT_TRUE(ctx.conversion_failures.empty()) << ctx.conversion_failures[0].second;
  EXPECT_GE(ctx.records.size(), 5u);
  size_t cited = 0, html = 0;
  for (const Record& r : ctx.records) {
    cited += r.metadata["citation_depth"].get<int>() > 0;
    html += r.metadata["text_from"] == "html";
  }
  EXPECT_GE(cited, 2u);
  EXPECT_GE(html, 3u);
}

}  // namespace
}  // namespace alcor
