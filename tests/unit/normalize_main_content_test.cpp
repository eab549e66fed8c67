// Main-content extraction, page metadata, and the JSONL line function.
#include <gtest/gtest.h>

#include <string>

#include <nlohmann/json.hpp>

#include "alcor/normalize.hpp"
#include "support/temp_dir.hpp"

namespace alcor {
namespace {

using testing::ProjectFixturesDir;
using testing::ReadFile;

std::string Fixture(const std::string& name) { return ReadFile(ProjectFixturesDir() + "/normalize/" + name); }

NormalizeResult Page(const std::string& html, bool main_content = true) {
  NormalizeOptions o;
  o.main_content = main_content;
  o.base_url = "https://review.example/essays/interpretability";
  Result<NormalizeResult> r = NormalizeHtml(html, o);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : NormalizeResult{};
}

std::string Paragraph(const std::string& words) {
  return "<p>" + words + " This sentence makes the paragraph long enough to count as prose.</p>";
}

TEST(MainContent, ArticlePageGolden) {
  NormalizeResult r = Page(Fixture("article_page.html"));
  EXPECT_EQ(r.text, Fixture("article_page.md"));
}

TEST(MainContent, EachKindOfBoilerplateIsDropped) {
  std::string text = Page(Fixture("article_page.html")).text;
  for (const char* gone : {"cookies", "About us", "Share on Twitter", "Subscribe", "inbox", "Related posts",
                           "Scaling laws", "Great essay", "most read", "All rights reserved", "Tags:"}) {
    EXPECT_EQ(text.find(gone), std::string::npos) << gone;
  }
  EXPECT_NE(text.find("induction heads"), std::string::npos);
}

TEST(MainContent, WithoutTheFlagEverythingVisibleStays) {
  std::string text = Page(Fixture("article_page.html"), false).text;
  for (const char* kept : {"cookies", "About us", "Great essay", "All rights reserved", "induction heads"})
    EXPECT_NE(text.find(kept), std::string::npos) << kept;
  EXPECT_NE(text.find("[News](https://review.example/news)"), std::string::npos);  // links inline by default
}

TEST(MainContent, Metadata) {
  NormalizeResult r = Page(Fixture("article_page.html"));
  EXPECT_EQ(r.title, "Why Interpretability Matters");
  EXPECT_EQ(r.authors, (std::vector<std::string>{"Ada Example", "Grace Sample"}));
  EXPECT_EQ(r.date_published.value_or(""), "2022-03-04T18:04:53Z");
  EXPECT_EQ(r.date_modified.value_or(""), "2022-03-05T13:00:00Z");  // -05:00 converted to UTC
  EXPECT_EQ(r.canonical_url, "https://review.example/essays/interpretability?utm_source=feed");
  EXPECT_EQ(r.language, "en-GB");
  EXPECT_EQ(r.site_name, "The Example Review");
  nlohmann::json j = r.MetadataJson();
  EXPECT_EQ(j["authors"].size(), 2u);
  EXPECT_EQ(j["description"], "A short essay on interpretability.");
}

TEST(MainContent, MetadataFromMetaTagsAndTime) {
  std::string html =
      "<html><head><title>Plain title</title><meta name='author' content='By Jane Doe and John Roe'>"
      "<meta http-equiv='content-language' content='pt-BR'></head><body>"
      "<time datetime='2021-06-01T10:00:00-03:00'>June 1</time>" + Paragraph("Body.") + "</body></html>";
  NormalizeResult r = Page(html);
  EXPECT_EQ(r.title, "Plain title");
  EXPECT_EQ(r.authors, (std::vector<std::string>{"Jane Doe", "John Roe"}));
  EXPECT_EQ(r.date_published.value_or(""), "2021-06-01T13:00:00Z");
  EXPECT_FALSE(r.date_modified.has_value());
  EXPECT_EQ(r.language, "pt-BR");
}

TEST(MainContent, AuthorNamesWithCommaStayWhole) {
  NormalizeResult r = Page("<head><meta name='author' content='Doe, Jane'></head><body><p>x</p></body>");
  EXPECT_EQ(r.authors, (std::vector<std::string>{"Doe, Jane"}));
}

TEST(MainContent, TeaserListDoesNotPullInOtherStories) {
  std::string article;
  for (int i = 0; i < 5; ++i) article += Paragraph("Article paragraph " + std::to_string(i) + ".");
  std::string teasers;
  for (int i = 0; i < 6; ++i)
    teasers += "<div class='card'><h3><a href='/s" + std::to_string(i) + "'>Another story headline number " +
               std::to_string(i) + "</a></h3><p>A teaser sentence that describes the other story in a few words.</p></div>";
  std::string html = "<body><div class='wrap'><div class='story'>" + article + "</div><div class='grid'>" + teasers +
                     "</div></div></body>";
  std::string text = Page(html).text;
  EXPECT_NE(text.find("Article paragraph 4"), std::string::npos);
  EXPECT_EQ(text.find("teaser sentence"), std::string::npos);
}

TEST(MainContent, LayoutWrapperWithNegativeWordsKeepsArticle) {
  // Class words like "grid" or "sidebar-layout" on a wrapper that holds the article.
  std::string article;
  for (int i = 0; i < 4; ++i) article += Paragraph("Wrapped paragraph " + std::to_string(i) + ".");
  std::string html = "<body><div class='grid has-sidebar-layout'><div class='grid-item'>" + article +
                     "</div></div><div class='sidebar'><p>Sidebar text that is long enough to be prose by itself.</p></div></body>";
  std::string text = Page(html).text;
  EXPECT_NE(text.find("Wrapped paragraph 3"), std::string::npos);
  EXPECT_EQ(text.find("Sidebar text"), std::string::npos);
}

TEST(MainContent, NoArticleFallsBackToBody) {
  std::string text = Page("<body><div>short</div><span>bits</span></body>").text;
  EXPECT_EQ(text, "short\n\nbits\n");
}

TEST(MainContent, MathSurvivesMainContent) {
  std::string html = "<body><nav><a href='/'>Home</a></nav><article>" + Paragraph("Intro.") +
                     "<p>Consider <script type='math/tex'>\\lambda</script> in a sentence of reasonable length.</p>" +
                     Paragraph("More.") + "</article></body>";
  EXPECT_NE(Page(html).text.find("$\\lambda$"), std::string::npos);
}

TEST(NormalizeJsonLine, KeepsFieldsSetsTextAndMetadata) {
  std::string out, id;
  NormalizeOptions o;
  Status s = NormalizeJsonLine(
      R"({"id":"x1","url":"https://a.example/p/","extra":[1,{"k":"v"}],"html":"<title>T</title><p>Hi <a href=\"q\">there</a> \u00e9\ud83d\ude00</p>"})",
      o, &out, &id);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(id, "x1");
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(out.back(), '\n');
  nlohmann::json j = nlohmann::json::parse(out);
  EXPECT_FALSE(j.contains("html"));
  EXPECT_EQ(j["text"], "Hi [there](https://a.example/p/q) é😀\n");
  EXPECT_EQ(j["extra"], nlohmann::json::parse(R"([1,{"k":"v"}])"));
  EXPECT_EQ(j["metadata"]["title"], "T");
}

TEST(NormalizeJsonLine, ExistingMetadataGetsOnlyMissingKeys) {
  std::string out, id;
  Status s = NormalizeJsonLine(R"({"metadata":{"title":"Mine","karma":5},"html":"<title>Page</title><html lang=de>x"})",
                               NormalizeOptions{}, &out, &id);
  ASSERT_TRUE(s.ok()) << s.ToString();
  nlohmann::json j = nlohmann::json::parse(out);
  EXPECT_EQ(j["metadata"]["title"], "Mine");
  EXPECT_EQ(j["metadata"]["karma"], 5);
}

TEST(NormalizeJsonLine, Failures) {
  std::string out, id;
  EXPECT_EQ(NormalizeJsonLine("not json", {}, &out, &id).code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(NormalizeJsonLine("[1,2]", {}, &out, &id).code(), Status::Code::kInvalidArgument);
  Status s = NormalizeJsonLine(R"({"id":"n7","html":42})", {}, &out, &id);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(id, "n7");
  EXPECT_FALSE(NormalizeJsonLine(R"({"id":"n8","html":"x", "bad": tru})", {}, &out, &id).ok());
  EXPECT_FALSE(NormalizeJsonLine(R"({"html":"unterminated)", {}, &out, &id).ok());
}

}  // namespace
}  // namespace alcor
