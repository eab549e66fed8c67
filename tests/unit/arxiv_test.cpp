// The arxiv module's pure parts: identifiers, Atom parsing (project fixtures and the real API's
// payloads), Semantic Scholar pages, batch and search answers (real payloads), abs pages, e-print
// scanning, bibliography handling,
// withdrawn papers, the kind's configuration, and the emulator's generated PDF.
#include <gtest/gtest.h>

#include <poppler-document.h>
#include <poppler-page.h>

#include <memory>
#include <set>

#include "alcor/arxiv.hpp"
#include "alcor/config.hpp"
#include "alcor/source.hpp"
#include "alcor_testing/emulators/arxiv_site.hpp"
#include "sources/arxiv/arxiv_atom.hpp"
#include "sources/arxiv/arxiv_meta.hpp"
#include "sources/arxiv/arxiv_refs.hpp"
#include "sources/arxiv/arxiv_text.hpp"
#include "support/temp_dir.hpp"

namespace alcor {
namespace {

using testing::ArxivSite;
using testing::ReadFile;
using testing::RealFixturesDir;

std::string Fixture(const std::string& name) { return ReadFile(testing::ProjectFixturesDir() + "/arxiv/" + name); }

// ---------------------------------------------------------------------------------------------
// Identifiers

TEST(ArxivIdTest, ParsesEveryWrittenForm) {
  struct Case {
    const char* input;
    const char* id;
    int version;
  } cases[] = {
      {"2203.02155", "2203.02155", 0},
      {"2203.02155v2", "2203.02155", 2},
      {"  arXiv:2203.02155v12 ", "2203.02155", 12},
      {"arxiv:1706.0376", "1706.0376", 0},
      {"https://arxiv.org/abs/2203.02155", "2203.02155", 0},
      {"http://arxiv.org/abs/1605.08386v1", "1605.08386", 1},
      {"https://www.arxiv.org/pdf/2203.02155v3.pdf", "2203.02155", 3},
      {"https://arxiv.org/pdf/2203.02155", "2203.02155", 0},
      {"https://export.arxiv.org/abs/2203.02155v1?context=cs#x", "2203.02155", 1},
      {"https://arxiv.org/html/2401.90001v2/", "2401.90001", 2},
      {"hep-th/9901001", "hep-th/9901001", 0},
      {"hep-th/9901001v2", "hep-th/9901001", 2},
      {"math.GT/0309136", "math/0309136", 0},
      {"https://arxiv.org/abs/cond-mat/0102536v1", "cond-mat/0102536", 1},
      {"10.48550/arXiv.2203.02155", "2203.02155", 0},
      {"https://doi.org/10.48550/arXiv.2305.10601", "2305.10601", 0},
      // URLs are read by libcurl: scheme and host in any case, an explicit port, a DOI link's query.
      {"HTTPS://ArXiv.ORG/abs/2203.02155v2", "2203.02155", 2},
      {"https://arxiv.org:443/abs/2203.02155v2", "2203.02155", 2},
      {"https://doi.org/10.48550/arXiv.2305.10601?via=x", "2305.10601", 0},
  };
  for (const Case& c : cases) {
    Result<ArxivId> id = ParseArxivId(c.input);
    ASSERT_TRUE(id.ok()) << c.input << ": " << id.status().ToString();
    EXPECT_EQ(id->id, c.id) << c.input;
    EXPECT_EQ(id->version, c.version) << c.input;
  }
  EXPECT_EQ(ParseArxivId("2203.02155v2")->Versioned(), "2203.02155v2");
  EXPECT_EQ(ArxivRecordId("hep-th/9901001"), "arxiv:hep-th/9901001");
}

TEST(ArxivIdTest, RejectsWhatIsNotAnId) {
  for (const char* bad : {"", "abc", "2203.021", "2203.0215567", "2213.02155", "2203-02155", "2203.02155v",
                          "2203.02155 extra", "https://example.org/abs/2203.02155", "https://arxiv.org/list/cs.AI",
                          "hep-th/990100", "Hep-th/9901001", "10.1000/arXiv.2203.02155", "arxiv:", "https://arxiv.org",
                          "https://arxiv.org/abs/", "ftp://arxiv.org/abs/2203.02155"}) {
    Result<ArxivId> id = ParseArxivId(bad);
    EXPECT_FALSE(id.ok()) << "accepted \"" << bad << "\"";
    if (!id.ok()) {
      EXPECT_EQ(id.status().code(), Status::Code::kInvalidArgument);
    }
  }
}

TEST(ArxivIdTest, FindsCitedIdsInBblAndBib) {
  std::string bbl =
      "\\bibitem{a} A. Author. Title. \\newblock arXiv preprint arXiv:1606.06565, 2016.\n"
      "\\bibitem{b} B. Author. \\url{https://arxiv.org/abs/2203.02155v3}.\n"
      "\\bibitem{c} Old. arXiv:hep-th/9901001.\n"
      "\\bibitem{d} DOI 10.48550/arXiv.2305.10601.\n"
      "\\bibitem{e} Again arXiv:1606.06565v2 and a year 2016.1234 that is not one.\n";
  std::string bib =
      "@article{x, title={T}, eprint = {1811.07871}, archivePrefix={arXiv}}\n"
      "@misc{y, eprint=\"2009.01325\"}\n@misc{z, eprint={2020/123}}\n";
  EXPECT_EQ(FindArxivIdsInText(bbl),
            (std::vector<std::string>{"1606.06565", "2203.02155", "hep-th/9901001", "2305.10601"}));
  std::vector<std::string> from_bib = FindArxivIdsInText(bib);
  EXPECT_EQ(from_bib, (std::vector<std::string>{"1811.07871", "2009.01325"}));
  EXPECT_EQ(FindArxivIdsInText(bbl, 2).size(), 2u);
  EXPECT_EQ(ArxivIdFromDoi("10.48550/ARXIV.2203.02155"), "2203.02155");
  EXPECT_EQ(ArxivIdFromDoi("10.1145/3442188.3445922"), "");
}

// ---------------------------------------------------------------------------------------------
// Atom

TEST(ArxivAtomTest, ParsesByNamespaceNotPrefixOrPosition) {
  Result<ArxivFeed> feed = ParseArxivFeed(Fixture("feed_namespaces.atom.xml"));
  ASSERT_TRUE(feed.ok()) << feed.status().ToString();
  EXPECT_EQ(feed->total_results, 57);
  EXPECT_EQ(feed->start_index, 20);
  EXPECT_EQ(feed->items_per_page, 2);
  ASSERT_EQ(feed->entries.size(), 2u);
  ASSERT_EQ(feed->unreadable_entries.size(), 1u);
  const ArxivEntry& e = feed->entries[0];
  EXPECT_EQ(e.id, "2402.90010");
  EXPECT_EQ(e.version, 3);
  EXPECT_EQ(e.title, "Corrigibility Under Distribution Shift");
  EXPECT_EQ(e.summary, "We ask whether an agent trained to accept shutdown keeps doing so when its environment changes.");
  EXPECT_EQ(e.authors, (std::vector<std::string>{"Farah Idowu", "Gus Halvorsen"}));
  EXPECT_EQ(e.affiliations[0], (std::vector<std::string>{"Example Institute", "Second Lab"}));
  EXPECT_TRUE(e.affiliations[1].empty());
  EXPECT_EQ(e.categories, (std::vector<std::string>{"cs.LG", "cs.AI"}));
  EXPECT_EQ(e.primary_category, "cs.LG");
  EXPECT_EQ(e.doi, "10.1000/example.2024.17");
  EXPECT_EQ(e.journal_ref, "Proceedings of the Workshop on Safe Learning, 2024");
  EXPECT_EQ(e.comment, "12 pages, 4 figures");
  EXPECT_EQ(e.published, "2024-02-14T09:30:00Z");
  EXPECT_EQ(e.updated, "2024-03-05T15:00:00Z");  // -05:00 converted, not dropped
  EXPECT_EQ(feed->entries[1].id, "math/0309136");
  EXPECT_EQ(feed->entries[1].primary_category, "math.GT");
}

TEST(ArxivAtomTest, RefusesWhatIsNotAFeed) {
  EXPECT_EQ(ParseArxivFeed("<html><body>503</body></html>").status().code(), Status::Code::kCorruption);
  EXPECT_EQ(ParseArxivFeed("<feed xmlns=\"http://example.org/other\"/>").status().code(), Status::Code::kCorruption);
  EXPECT_EQ(ParseArxivFeed("not xml at all <").status().code(), Status::Code::kCorruption);
  EXPECT_EQ(ParseArxivFeed("").status().code(), Status::Code::kCorruption);
  // Deep nesting and junk inside a valid feed do not crash it.
  std::string deep = "<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><id>http://arxiv.org/abs/2401.00001v1</id><title>";
  for (int i = 0; i < 5000; ++i) deep += "<b>";
  deep += "x";
  for (int i = 0; i < 5000; ++i) deep += "</b>";
  deep += "</title></entry></feed>";
  Result<ArxivFeed> feed = ParseArxivFeed(deep);
  ASSERT_TRUE(feed.ok()) << feed.status().ToString();
  EXPECT_EQ(feed->entries.at(0).title, "x");
}

// Contract tests: the real API's payloads (../shared/fixtures/real/arxiv).
class ArxivRealFixtureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = RealFixturesDir();
    if (dir_.empty()) GTEST_SKIP() << "../shared/fixtures/real is absent: real-payload contract tests skipped";
  }
  Result<ArxivFeed> Load(const std::string& name) { return ParseArxivFeed(ReadFile(dir_ + "/arxiv/" + name)); }
  std::string dir_;
};

TEST_F(ArxivRealFixtureTest, SingleIdEntry) {
  Result<ArxivFeed> feed = Load("query_id_list_1605.08386.atom.xml");
  ASSERT_TRUE(feed.ok()) << feed.status().ToString();
  ASSERT_EQ(feed->entries.size(), 1u);
  const ArxivEntry& e = feed->entries[0];
  EXPECT_EQ(e.id, "1605.08386");
  EXPECT_EQ(e.version, 1);
  EXPECT_EQ(e.title, "Heat-bath random walks with Markov bases");
  EXPECT_EQ(e.authors, (std::vector<std::string>{"Caprice Stanley", "Tobias Windisch"}));
  EXPECT_EQ(e.categories, (std::vector<std::string>{"math.CO", "math.ST"}));
  EXPECT_EQ(e.primary_category, "math.CO");
  EXPECT_EQ(e.comment, "20 pages, 3 figures");
  EXPECT_EQ(e.published, "2016-05-26T17:59:46Z");
  EXPECT_EQ(e.summary.find('\n'), std::string::npos);
  EXPECT_EQ(e.summary.rfind("Graphs on lattice points", 0), 0u);
  EXPECT_TRUE(feed->error.empty());
}

TEST_F(ArxivRealFixtureTest, SearchPagesCarryTotalsAndDistinctEntries) {
  Result<ArxivFeed> first = Load("query_search_testing_start0_max10.atom.xml");
  Result<ArxivFeed> second = Load("query_search_testing_start10_max10.atom.xml");
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->start_index, 0);
  EXPECT_EQ(second->start_index, 10);
  EXPECT_GT(first->total_results, 1000);
  EXPECT_EQ(first->entries.size(), 10u);
  EXPECT_EQ(second->entries.size(), 10u);
  std::set<std::string> ids;
  for (const auto* feed : {&first.value(), &second.value()}) {
    for (const ArxivEntry& e : feed->entries) {
      ids.insert(e.id);
      EXPECT_GT(e.version, 0) << e.id;
      EXPECT_FALSE(e.title.empty()) << e.id;
      EXPECT_FALSE(e.authors.empty()) << e.id;
      EXPECT_FALSE(e.primary_category.empty()) << e.id;
      EXPECT_TRUE(e.published.has_value()) << e.id;
    }
  }
  EXPECT_EQ(ids.size(), 20u);
  EXPECT_EQ(first->entries[0].doi, "10.1109/ICSTW55395.2022.00035");
  EXPECT_FALSE(first->entries[0].journal_ref.empty());
}

TEST_F(ArxivRealFixtureTest, ErrorEntryMessageIsRead) {
  Result<ArxivFeed> feed = Load("query_error_http400_id_abc.atom.xml");
  ASSERT_TRUE(feed.ok());
  EXPECT_EQ(feed->error, "incorrect id format for abc");
  EXPECT_TRUE(feed->entries.empty());
}

TEST_F(ArxivRealFixtureTest, EmptyResultAndSilentlyDroppedId) {
  Result<ArxivFeed> empty = Load("query_empty_id_0000.0000.atom.xml");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->total_results, 0);
  EXPECT_TRUE(empty->entries.empty());
  EXPECT_TRUE(empty->error.empty());
  Result<ArxivFeed> two = Load("query_id_list_two_ids_one_missing.atom.xml");
  ASSERT_TRUE(two.ok());
  ASSERT_EQ(two->entries.size(), 1u);  // 0808.05394 was asked for and silently left out
  EXPECT_EQ(two->entries[0].id, "1707.08567");
  EXPECT_EQ(two->entries[0].authors.size(), 34u);
}

// ---------------------------------------------------------------------------------------------
// Semantic Scholar

TEST(ArxivReferencesTest, ProjectPageWithArxivIdsAndDois) {
  std::string page = R"({"offset": 100, "next": 200, "data": [
    {"citedPaper": {"paperId": "a1", "externalIds": {"ArXiv": "1606.06565", "DOI": "10.1/x"}}},
    {"citedPaper": {"paperId": "a2", "externalIds": {"DOI": "10.48550/arXiv.2203.02155"}}},
    {"citedPaper": {"paperId": "a3", "externalIds": {"DOI": "10.1145/1"}}},
    {"citedPaper": {"paperId": null, "externalIds": null}},
    {"citedPaper": null}, 17]})";
  Result<ReferencesPage> p = ParseReferencesPage(page);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->offset, 100);
  EXPECT_EQ(p->next, 200);
  EXPECT_EQ(p->items, 6u);
  EXPECT_EQ(p->arxiv_ids, (std::vector<std::string>{"1606.06565", "2203.02155"}));
  EXPECT_FALSE(ParseReferencesPage(R"({"offset": 0, "data": []})")->next.has_value());
  EXPECT_FALSE(ParseReferencesPage(R"({"offset": 50, "next": 10, "data": []})")->next.has_value());
  EXPECT_EQ(ParseReferencesPage("[1,2]").status().code(), Status::Code::kCorruption);
  EXPECT_EQ(ParseReferencesPage("{\"error\": \"x\"}").status().code(), Status::Code::kCorruption);
  EXPECT_EQ(ParseReferencesPage("<html>").status().code(), Status::Code::kCorruption);
}

TEST_F(ArxivRealFixtureTest, SemanticScholarPagesAndErrors) {
  Result<ReferencesPage> p = ParseReferencesPage(ReadFile(dir_ + "/semanticscholar/references_page1_offset0.json"));
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->offset, 0);
  EXPECT_EQ(p->next, 50);
  EXPECT_GT(p->items, 10u);
  EXPECT_TRUE(p->arxiv_ids.empty());  // fields=title only: no externalIds, and null paperIds survive
  std::string item = ReadFile(dir_ + "/semanticscholar/reference_item_all_fields_arxiv_cited.json");
  Result<ReferencesPage> one = ParseReferencesPage("{\"offset\": 0, \"data\": [" + item + "]}");
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  EXPECT_EQ(one->arxiv_ids, (std::vector<std::string>{"1402.0030"}));
  std::string not_found = ReadFile(dir_ + "/semanticscholar/error_404_paper_not_found.json");
  EXPECT_EQ(SemanticScholarErrorMessage(not_found), "Paper with id 0 not found");
  EXPECT_FALSE(ParseReferencesPage(not_found).ok());
}

// Semantic Scholar batch and search answers, abs pages: metadata without the API host.

TEST(ArxivMetadataTest, BatchElementsNullsMissingFieldsAndWrongTypes) {
  std::string body = R"([
    {"paperId": "p1", "title": "Reward  Hacking", "abstract": "We study it.", "year": 2024,
     "publicationDate": "2024-01-10", "authors": [{"authorId": "1", "name": "Ada Quill"}, {"name": 3}],
     "externalIds": {"ArXiv": "2401.90001", "DOI": "10.1000/x"}, "venue": "arXiv.org",
     "fieldsOfStudy": ["Computer Science"], "citationCount": 12},
    null,
    {"paperId": "p3", "title": 42, "abstract": null, "authors": "Ada", "year": 2023,
     "externalIds": {"ArXiv": "2401.90003"}},
    "a string",
    {"paperId": "p5", "title": "Another", "externalIds": {"ArXiv": "2401.90099"}}])";
  std::vector<std::string> ids = {"2401.90001", "2401.90002", "2401.90003", "2401.90004", "2401.90005"};
  Result<std::vector<PaperMetadata>> batch = ParseS2Batch(body, ids);
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  ASSERT_EQ(batch->size(), 5u);
  const PaperMetadata& a = (*batch)[0];
  ASSERT_TRUE(a.entry.has_value());
  EXPECT_TRUE(a.missing.empty()) << ::testing::PrintToString(a.missing);
  EXPECT_EQ(a.entry->id, "2401.90001");
  EXPECT_EQ(a.entry->title, "Reward Hacking");
  EXPECT_EQ(a.entry->authors, (std::vector<std::string>{"Ada Quill"}));
  EXPECT_EQ(a.entry->published.value_or(""), "2024-01-10T00:00:00Z");
  EXPECT_EQ(a.entry->doi, "10.1000/x");
  EXPECT_EQ(a.entry->metadata_from, "semanticscholar");
  EXPECT_EQ(a.citation_count, 12);
  EXPECT_EQ(a.entry->version, 0);  // Semantic Scholar knows no versions
  EXPECT_FALSE((*batch)[1].entry.has_value());
  EXPECT_EQ((*batch)[1].problem, "unknown to Semantic Scholar");
  const PaperMetadata& c = (*batch)[2];
  ASSERT_TRUE(c.entry.has_value());
  EXPECT_EQ(c.entry->published.value_or(""), "2023-01-01T00:00:00Z");  // the year alone
  EXPECT_EQ(c.missing, (std::vector<std::string>{"title", "abstract", "authors", "title (wrong type)",
                                                 "authors (wrong type)"}));
  EXPECT_FALSE((*batch)[3].entry.has_value());
  EXPECT_NE((*batch)[3].problem.find("string"), std::string::npos);
  EXPECT_NE((*batch)[4].problem.find("2401.90099"), std::string::npos);  // an answer for another paper

  EXPECT_NE(ParseS2Batch("<html><body>Bad gateway</body></html>", ids).status().message().find("HTML"),
            std::string::npos);
  EXPECT_NE(ParseS2Batch(R"({"error": "Too many ids"})", ids).status().message().find("Too many ids"),
            std::string::npos);
  EXPECT_NE(ParseS2Batch("[null]", ids).status().message().find("1 elements for 5 ids"), std::string::npos);
}

TEST(ArxivMetadataTest, SearchPageKeepsArxivPapersAndPaging) {
  Result<S2SearchPage> page = ParseS2SearchPage(R"({"total": 3, "offset": 0, "next": 2, "data": [
      {"paperId": "a", "title": "On arXiv", "externalIds": {"ArXiv": "2401.90001"}},
      {"paperId": "b", "title": "In a journal", "externalIds": {"DOI": "10.1/x"}}]})");
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_EQ(page->total, 3);
  EXPECT_EQ(page->items, 2u);
  EXPECT_EQ(page->next, 2);
  ASSERT_EQ(page->papers.size(), 1u);
  EXPECT_EQ(page->papers[0].id, "2401.90001");
  EXPECT_FALSE(ParseS2SearchPage(R"({"total": 3, "offset": 2, "data": []})")->next.has_value());
  EXPECT_FALSE(ParseS2SearchPage(R"({"offset": 5, "next": 5, "data": []})")->next.has_value());  // no loop
  EXPECT_FALSE(ParseS2SearchPage("<html>").ok());
  EXPECT_FALSE(ParseS2SearchPage(R"({"data": 7})").ok());
}

TEST_F(ArxivRealFixtureTest, SemanticScholarBatchAndSearchAnswers) {
  std::string batch_body = ReadFile(dir_ + "/semanticscholar/batch_with_unknown_ids.json");
  Result<std::vector<PaperMetadata>> batch = ParseS2Batch(batch_body, {"x0", "x1", "x2", "x3"});
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  EXPECT_EQ((*batch)[0].problem, "unknown to Semantic Scholar");
  ASSERT_TRUE((*batch)[1].entry.has_value());
  EXPECT_EQ((*batch)[1].entry->title, "How Much Should We Trust Differences-in-Differences Estimates?");
  EXPECT_EQ((*batch)[1].entry->authors.size(), 3u);
  EXPECT_EQ((*batch)[1].entry->published.value_or(""), "2001-10-01T00:00:00Z");
  EXPECT_EQ((*batch)[1].citation_count, 10670);
  EXPECT_TRUE((*batch)[1].missing.empty());
  EXPECT_EQ((*batch)[3].entry->published.value_or(""), "2023-01-01T00:00:00Z");  // publicationDate null
  // Another answer of the same endpoint, asked for authors only: the rest is missing, not wrong.
  Result<std::vector<PaperMetadata>> authors_only =
      ParseS2Batch(ReadFile(dir_ + "/semanticscholar/batch_three_ids_fields_authors.json"), {"a", "b", "c"});
  ASSERT_TRUE(authors_only.ok()) << authors_only.status().ToString();
  EXPECT_EQ((*authors_only)[0].missing, (std::vector<std::string>{"title", "abstract", "date"}));
  Result<S2SearchPage> search = ParseS2SearchPage(ReadFile(dir_ + "/semanticscholar/search_query.json"));
  ASSERT_TRUE(search.ok()) << search.status().ToString();
  EXPECT_EQ(search->total, 70499);
  EXPECT_EQ(search->next, 100);
  EXPECT_EQ(search->items, 100u);
  EXPECT_TRUE(search->papers.empty());  // fields=title: no externalIds, so no arXiv id to keep
}

TEST(ArxivMetadataTest, AbsPageMetaTagsCommentsAndSubmissionHistory) {
  testing::ArxivPaper p;
  p.id = "2401.90003";
  p.version = 3;
  p.title = "Probes & Deception";
  p.summary = "Linear probes <find> a direction.";
  p.authors = {"Chen Li", "Dana van Fox"};
  p.published = "2024-01-03T12:00:00Z";
  p.updated = "2024-02-04T12:00:00Z";
  p.comment = "12 pages, 3 figures";
  // The page as the emulator serves it (its meta tags follow arxiv.org's).
  std::string html = ArxivSite::MakeAbsPage(p, 3);
  Result<ArxivEntry> e = ParseAbsPage(html, "2401.90003");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->title, "Probes & Deception");
  EXPECT_EQ(e->summary, "Linear probes <find> a direction.");
  EXPECT_EQ(e->authors, (std::vector<std::string>{"Chen Li", "Dana van Fox"}));  // "Fox, Dana van"
  EXPECT_EQ(e->published.value_or(""), "2024-01-03T00:00:00Z");
  EXPECT_EQ(e->updated.value_or(""), "2024-02-04T00:00:00Z");
  EXPECT_EQ(e->comment, "12 pages, 3 figures");
  EXPECT_EQ(e->version, 3);
  EXPECT_EQ(e->metadata_from, "abs");
  Result<ArxivEntry> none = ParseAbsPage("<html><head><title>x</title></head><body>[v1]</body></html>", "2401.1");
  EXPECT_EQ(none.status().code(), Status::Code::kCorruption);
  EXPECT_NE(none.status().message().find("no citation meta tags"), std::string::npos);
  EXPECT_FALSE(ParseAbsPage(std::string(100000, '<'), "2401.1").ok());
}

// ---------------------------------------------------------------------------------------------
// E-prints

TEST(ArxivEprintTest, ReadsBblAndBibFromATarAndSkipsUnsafeMembers) {
  std::string tar = ArxivSite::MakeTarGz({
      {"main.tex", "\\documentclass{article}\\begin{document} see arXiv:1111.11111 \\end{document}"},
      {"main.bbl", "\\bibitem{a} arXiv:1606.06565\n\\bibitem{b} \\url{https://arxiv.org/abs/2203.02155v2}\n"},
      {"refs/extra.bib", "@misc{c, eprint={1811.07871}, archivePrefix={arXiv}}"},
      {"../escape.bbl", "arXiv:2001.00001"},
      {"/etc/absolute.bib", "arXiv:2001.00002"},
      {"figures/plot.png", std::string(5000, '\x89')},
  });
  Result<EprintScan> scan = ScanEprint(tar);
  ASSERT_TRUE(scan.ok()) << scan.status().ToString();
  EXPECT_TRUE(scan->is_archive);
  EXPECT_EQ(scan->arxiv_ids, (std::vector<std::string>{"1606.06565", "2203.02155", "1811.07871"}));
  EXPECT_EQ(scan->files_scanned, (std::vector<std::string>{"main.bbl", "refs/extra.bib"}));
  EXPECT_EQ(scan->skipped_members, 2u);
}

TEST(ArxivEprintTest, TexIsReadWhenThereIsNoBblAndSingleFilesWork) {
  std::string tar = ArxivSite::MakeTarGz({{"paper.tex", "\\begin{thebibliography}\\bibitem{x} arXiv:1706.03762\\end{thebibliography}"}});
  Result<EprintScan> scan = ScanEprint(tar);
  ASSERT_TRUE(scan.ok()) << scan.status().ToString();
  EXPECT_EQ(scan->arxiv_ids, (std::vector<std::string>{"1706.03762"}));
  std::string single = ArxivSite::MakeGzip("\\documentclass{article}\\bibitem{y} arXiv:hep-th/9901001v1");
  scan = ScanEprint(single);
  ASSERT_TRUE(scan.ok()) << scan.status().ToString();
  EXPECT_FALSE(scan->is_archive);
  EXPECT_EQ(scan->arxiv_ids, (std::vector<std::string>{"hep-th/9901001"}));
  scan = ScanEprint("%PDF-1.4 arXiv:1706.03762");  // a PDF-only submission has no source
  ASSERT_TRUE(scan.ok());
  EXPECT_TRUE(scan->arxiv_ids.empty());
}

TEST(ArxivEprintTest, DamagedOrOversizedArchivesFailCleanly) {
  std::string tar = ArxivSite::MakeTarGz({{"a.bbl", "arXiv:1606.06565 " + std::string(200000, 'x')}});
  std::string cut = tar.substr(0, tar.size() / 2);
  Result<EprintScan> scan = ScanEprint(cut);
  EXPECT_FALSE(scan.ok());
  if (!scan.ok()) {
    EXPECT_EQ(scan.status().code(), Status::Code::kCorruption) << scan.status().ToString();
  }
  EprintLimits small;
  small.max_total_bytes = 1000;
  std::string big = ArxivSite::MakeTarGz({{"huge.tex", std::string(100000, 'a')}, {"z.bbl", "arXiv:1606.06565"}});
  scan = ScanEprint(big, small);
  ASSERT_FALSE(scan.ok());
  EXPECT_EQ(scan.status().code(), Status::Code::kLimitExceeded);
  EprintLimits member;
  member.max_member_bytes = 100;
  scan = ScanEprint(ArxivSite::MakeTarGz({{"big.bbl", "arXiv:1606.06565" + std::string(1000, ' ')}}), member);
  ASSERT_TRUE(scan.ok());
  EXPECT_TRUE(scan->arxiv_ids.empty());
  EXPECT_EQ(scan->skipped_members, 1u);
  // Random bytes are not gzip: read as one raw file that is not TeX.
  scan = ScanEprint(std::string("\x1f\x8b\x08\x00garbage garbage", 20));
  EXPECT_FALSE(scan.ok() && !scan->arxiv_ids.empty());
}

// ---------------------------------------------------------------------------------------------
// Text

TEST(ArxivTextTest, BibliographyKeptAsSectionOrDroppedBeforeAppendix) {
  std::string md = "# Title\n\n## 1 Introduction\n\nText.\n\n## References\n\n- [1] A. arXiv:1.\n\n### Notes in refs\n\nx\n\n"
                   "## Appendix A Training details\n\nDetails.\n";
  std::string kept = md;
  EXPECT_TRUE(ApplyBibliographyMode(&kept, BibliographyMode::kKeep));
  EXPECT_EQ(kept, md);
  std::string dropped = md;
  EXPECT_TRUE(ApplyBibliographyMode(&dropped, BibliographyMode::kDrop));
  EXPECT_EQ(dropped, "# Title\n\n## 1 Introduction\n\nText.\n\n## Appendix A Training details\n\nDetails.\n");

  std::string pdf = "Intro text.\n\n6 References\n\n[1] Someone. 2020.\n\nAppendix A\n\nMore.\n";
  std::string pdf_kept = pdf;
  EXPECT_TRUE(ApplyBibliographyMode(&pdf_kept, BibliographyMode::kKeep));
  EXPECT_NE(pdf_kept.find("\n## References\n"), std::string::npos);
  std::string pdf_dropped = pdf;
  EXPECT_TRUE(ApplyBibliographyMode(&pdf_dropped, BibliographyMode::kDrop));
  EXPECT_EQ(pdf_dropped, "Intro text.\n\nAppendix A\n\nMore.\n");
  std::string none = "No bibliography here. References are discussed in prose.\n";
  EXPECT_FALSE(ApplyBibliographyMode(&none, BibliographyMode::kDrop));
}

TEST(ArxivTextTest, WithdrawnPapersAreRecognised) {
  ArxivEntry e;
  e.id = "2401.90006";
  e.version = 2;
  e.summary = "We propose a method.";
  e.comment = "This paper has been withdrawn by the author due to an error in Lemma 2";
  EXPECT_TRUE(LooksWithdrawn(e));
  std::string text = WithdrawnText(e);
  EXPECT_NE(text.find("withdrawn"), std::string::npos);
  EXPECT_NE(text.find("Lemma 2"), std::string::npos);
  EXPECT_NE(text.find("We propose a method."), std::string::npos);
  e.comment = "Withdrawn.";
  EXPECT_TRUE(LooksWithdrawn(e));
  e.comment = "";
  e.summary = "This submission has been withdrawn by arXiv administrators.";
  EXPECT_TRUE(LooksWithdrawn(e));
  e.summary = "We study drugs withdrawn from the market and their side effects.";
  e.comment = "10 pages";
  EXPECT_FALSE(LooksWithdrawn(e));
}

TEST(ArxivTextTest, LatexmlArticleThroughTheNormalizerKeepsMathAndSections) {
  std::string page = "<html><body><header>arXiv banner</header><div class=\"ltx_page_main\"><article class=\"ltx_document\">" +
                     Fixture("latexml_article.html") + "</article></div><footer>Generated by LaTeXML</footer></body></html>";
  std::string_view article = LatexmlArticle(page);
  EXPECT_EQ(article.find("<article"), 0u);
  EXPECT_EQ(article.find("banner"), std::string_view::npos);
  RawDocument doc;
  doc.record.id = "arxiv:2401.90001";
  doc.record.url = "https://arxiv.org/abs/2401.90001";
  doc.body = std::string(article);
  doc.format = BodyFormat::kHtml;
  Record r;
  ASSERT_TRUE(Convert(std::move(doc), &r).ok());
  EXPECT_NE(r.text.find("r_{\\theta}(x,y)"), std::string::npos) << r.text;
  EXPECT_NE(r.text.find("\\mathrm{gap}(\\pi)"), std::string::npos) << r.text;
  EXPECT_NE(r.text.find("Introduction"), std::string::npos);
  EXPECT_NE(r.text.find("References"), std::string::npos);
  EXPECT_EQ(r.text.find("Generated by LaTeXML"), std::string::npos);
  std::string dropped = r.text;
  EXPECT_TRUE(ApplyBibliographyMode(&dropped, BibliographyMode::kDrop)) << r.text;
  EXPECT_EQ(dropped.find("Scaling laws for proxy"), std::string::npos) << dropped;
  EXPECT_NE(dropped.find("Training details"), std::string::npos) << dropped;
}

// ---------------------------------------------------------------------------------------------
// Kind and configuration

TEST(ArxivKindTest, RegisteredWithDocumentedDefaults) {
  const SourceKind* kind = FindSourceKind("arxiv");
  ASSERT_NE(kind, nullptr);
  for (const KeySpec& k : kind->keys->specs()) EXPECT_FALSE(k.doc.empty()) << k.path;
  Result<SourceConfig> config = ValidateSourceConfig(
      nlohmann::json::parse(R"({"name": "arxiv", "kind": "arxiv", "queries": ["cat:cs.AI"]})"), "test");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->Get("api_url"), "https://export.arxiv.org/api/query");
  EXPECT_EQ(config->Get("base_url"), "https://arxiv.org");
  EXPECT_EQ(config->Get("citations.api_url"), "https://api.semanticscholar.org/graph/v1");
  EXPECT_EQ(config->Get("citations.max_depth"), 1);
  EXPECT_TRUE(kind->create(config.value()).ok());
}

TEST(ArxivKindTest, WrongSettingsAreRefusedByName) {
  auto create = [](const char* text) -> Status {
    Result<SourceConfig> config = ValidateSourceConfig(nlohmann::json::parse(text), "test", "/tmp");
    if (!config.ok()) return config.status();
    Result<std::unique_ptr<Source>> source = FindSourceKind("arxiv")->create(config.value());
    return source.ok() ? Status::OK() : source.status();
  };
  struct Case {
    const char* config;
    const char* names;
  } cases[] = {
      {R"({"name": "a", "kind": "arxiv", "ids": ["1"], "citation": {}})", "citation"},
      {R"({"name": "a", "kind": "arxiv", "ids": ["1"], "citations": {"max_dept": 2}})", "max_dept"},
      {R"({"name": "a", "kind": "arxiv", "ids": ["1"], "bibliography": "burn"})", "bibliography"},
      {R"({"name": "a", "kind": "arxiv", "ids": ["1"], "api_url": "ftp://x"})", "api_url"},
      {R"({"name": "a", "kind": "arxiv", "ids": ["1"], "page_size": 5000})", "page_size"},
      {R"({"name": "a", "kind": "arxiv", "ids": ["1"], "date_from": "2024/01/01"})", "date_from"},
      {R"({"name": "a", "kind": "arxiv", "ids": ["1"], "citations": {"max_depth": -1}})", "max_depth"},
      {R"({"name": "a", "kind": "arxiv"})", "ids"},
  };
  for (const Case& c : cases) {
    Status s = create(c.config);
    EXPECT_EQ(s.code(), Status::Code::kInvalidArgument) << c.config;
    EXPECT_NE(s.message().find(c.names), std::string::npos) << s.ToString();
  }
  EXPECT_TRUE(create(R"({"name": "a", "kind": "arxiv", "seed_file": "seeds.txt"})").ok());
}

// ---------------------------------------------------------------------------------------------
// The emulator's PDF is a real PDF.

TEST(ArxivEmulatorTest, GeneratedPdfIsReadableByPoppler) {
  std::string pdf = ArxivSite::MakePdf({"First page about (reward) models.\n\nSecond paragraph.", "Page two text."},
                                       "A Title", "Ada Quill", "Preprint. arXiv:2401.90002v1");
  std::unique_ptr<poppler::document> doc(poppler::document::load_from_raw_data(pdf.data(), static_cast<int>(pdf.size())));
  ASSERT_NE(doc, nullptr);
  ASSERT_EQ(doc->pages(), 2);
  std::unique_ptr<poppler::page> page(doc->create_page(0));
  poppler::byte_array text = page->text().to_utf8();
  std::string s(text.begin(), text.end());
  EXPECT_NE(s.find("First page about (reward) models."), std::string::npos) << s;
  EXPECT_NE(s.find("Preprint. arXiv:2401.90002v1"), std::string::npos) << s;
  poppler::byte_array title = doc->get_title().to_utf8();
  EXPECT_EQ(std::string(title.begin(), title.end()), "A Title");
}

}  // namespace
}  // namespace alcor
