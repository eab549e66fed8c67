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

// Prose that holds no class word and no link: `n` sentences about `topic`.
std::string Prose(const std::string& topic, int n) {
  std::string p;
  for (int i = 0; i < n; ++i)
    p += "The " + topic + " sentence number " + std::to_string(i) + " adds plain words to the text. ";
  return p;
}

TEST(MainContent, ArticleSplitInThreeSiblingContainers) {
  // The first part holds most of the text: the walk to the deepest element stops in it, and the
  // two later parts (same tag and class) must join it.
  std::string first, second, third;
  for (int i = 0; i < 8; ++i) first += Paragraph("First part " + std::to_string(i) + ".");
  second = Paragraph("Second part continues the story.");
  third = Paragraph("Third part ends the story.");
  std::string html = "<body><nav><a href='/'>Home</a> <a href='/n'>News</a></nav><div class='layout'>"
                     "<div class='chunk'>" + first + "</div><div class='chunk'>" + second +
                     "</div><div class='chunk'>" + third + "</div><div class='note'>Sign in to continue</div></div>"
                     "<footer>Footer text</footer></body>";
  std::string text = Page(html).text;
  EXPECT_NE(text.find("First part 7"), std::string::npos) << text;
  EXPECT_NE(text.find("Second part"), std::string::npos) << text;
  EXPECT_NE(text.find("Third part"), std::string::npos) << text;
  EXPECT_EQ(text.find("Sign in"), std::string::npos) << text;
  EXPECT_EQ(text.find("Footer"), std::string::npos) << text;
}

TEST(MainContent, ArticleSplitOverGridRowsJoinsOneLevelUp) {
  // Each part sits in its own grid row (row > column): the walk ends in the column of the long
  // middle part, which has no siblings; the rows beside its row that hold two or more
  // paragraphs join it, a row with a one-paragraph notice does not.
  std::string intro, middle, closing;
  for (int i = 0; i < 2; ++i) intro += Paragraph("Intro part " + std::to_string(i) + ".");
  for (int i = 0; i < 20; ++i) middle += Paragraph("Middle part " + std::to_string(i) + ".");
  for (int i = 0; i < 2; ++i) closing += Paragraph("Closing part " + std::to_string(i) + ".");
  auto row = [](const std::string& body) { return "<div class='row'><div class='column'>" + body + "</div></div>"; };
  std::string html = "<body><nav><a href='/'>Home</a> <a href='/n'>News</a></nav><div class='page'>" + row(intro) +
                     row(middle) + row(closing) +
                     row(Paragraph("Community notice: this post is the opinion of its author.")) +
                     "</div><footer>Footer text</footer></body>";
  std::string text = Page(html).text;
  EXPECT_NE(text.find("Intro part 0"), std::string::npos) << text;
  EXPECT_NE(text.find("Middle part 19"), std::string::npos) << text;
  EXPECT_NE(text.find("Closing part 1"), std::string::npos) << text;
  EXPECT_EQ(text.find("Community notice"), std::string::npos) << text;
  EXPECT_EQ(text.find("Footer"), std::string::npos) << text;
}

TEST(MainContent, ShortNewsBriefIsNeverEmpty) {
  // A 60-word brief in a post container whose class list carries taxonomy words ("tag-…"),
  // next to a comment thread longer than the brief: the strict rules drop the post; the brief
  // must still come out rather than the page's leftovers.
  std::string brief =
      "City council approved the new budget on Monday after a long debate about road repairs, school "
      "funding and the library. The vote was seven to two. The mayor said work on the main bridge "
      "starts in spring and should end before winter. Residents can read the full budget at the town "
      "hall or online from next week, officials said in a statement after the meeting.";
  std::string comments;
  for (int i = 0; i < 6; ++i) comments += "<li class='comment'>" + Paragraph("Reader comment " + std::to_string(i) + ".") + "</li>";
  std::string html = "<body><header><a href='/'>Town News</a></header><main><article class='post-7 post tag-budget tag-council'>"
                     "<h1>Council approves budget</h1><p>" + brief + "</p></article><section id='comments'><ol>" +
                     comments + "</ol></section></main><footer>Contact</footer></body>";
  std::string text = Page(html).text;
  EXPECT_NE(text.find("City council approved"), std::string::npos) << text;
  EXPECT_NE(text.find("officials said in a statement"), std::string::npos) << text;
  EXPECT_EQ(text.find("Reader comment"), std::string::npos) << text;
}

TEST(MainContent, RelatedBoxLongerThanTheArticle) {
  // The page's one <article> holds the story; a box of other stories without any class word
  // holds more paragraph text than the story itself.
  std::string article;
  for (int i = 0; i < 4; ++i) article += Paragraph("Story paragraph " + std::to_string(i) + ".");
  std::string box;
  for (int i = 0; i < 8; ++i)
    box += "<div><p>" + Prose("other story " + std::to_string(i), 2) + "<a href='/o" + std::to_string(i) + "'>more</a></p></div>";
  std::string html = "<body><div class='page'><article><h1>The story</h1>" + article + "</article><div class='box'>" + box +
                     "</div></div></body>";
  std::string text = Page(html).text;
  EXPECT_NE(text.find("Story paragraph 0"), std::string::npos) << text;
  EXPECT_NE(text.find("Story paragraph 3"), std::string::npos) << text;
  EXPECT_EQ(text.find("other story"), std::string::npos) << text;
}

TEST(MainContent, NumbersAndNamesInLinksAndSpansStayInTheSentence) {
  // Inline elements inside a sentence carry class words of their own (tag, label, author, date):
  // they belong to the sentence.
  std::string html = "<body><article>" + Paragraph("Intro.") +
                     "<p>The committee voted <span class='label'>seven</span> to <a class='tag' href='/t/2'>two</a> "
                     "after <a class='author' href='/p/jane'>Jane Doe</a> spoke on <span class='date'>Monday</span> evening "
                     "in the town hall.</p>" + Paragraph("Outro.") +
                     "<div class='author'>By Jane Doe</div></article></body>";
  std::string text = Page(html).text;
  EXPECT_NE(text.find("The committee voted seven to two after Jane Doe spoke on Monday evening in the town hall."),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("By Jane Doe"), std::string::npos) << text;  // a byline block still goes
}

std::string JsonLd(const std::string& body_field) {
  return "<script type='application/ld+json'>{\"@type\":\"NewsArticle\",\"headline\":\"H\"" + body_field +
         "}</script>";
}

TEST(MainContent, JsonLdArticleBodyLocatesTheArticle) {
  // articleBody names the text of the story, which sits beside a longer box of other text.
  std::string story_text[4];
  std::string story, ld;
  for (int i = 0; i < 4; ++i) {
    story_text[i] = Prose("stated story part " + std::to_string(i), 2);
    story += "<p>" + story_text[i] + "</p>";
    ld += story_text[i] + " ";
  }
  std::string box;
  for (int i = 0; i < 15; ++i) box += "<p>" + Prose("neighbour " + std::to_string(i), 2) + "</p>";
  std::string page = "<html><head>" + JsonLd(",\"articleBody\":\"" + ld + "\"") + "</head><body><div class='a'><div class='s'>" +
                     story + "</div><div class='b'>" + box + "</div></div></body></html>";
  std::string text = Page(page).text;
  EXPECT_NE(text.find("stated story part 3"), std::string::npos) << text;
  EXPECT_EQ(text.find("neighbour"), std::string::npos) << text;
  // Without articleBody the same page has no evidence: the longer box wins the walk.
  std::string without = "<html><head>" + JsonLd("") + "</head><body><div class='a'><div class='s'>" + story +
                        "</div><div class='b'>" + box + "</div></div></body></html>";
  EXPECT_EQ(Page(without).text.find("stated story"), std::string::npos);
}

TEST(MainContent, JsonLdArticleBodyStandsInWhenThePageHoldsLittle) {
  // The article is rendered by scripts: the document holds a headline and a menu only.
  std::string ld = Prose("rendered elsewhere", 8);
  std::string page = "<html><head>" + JsonLd(",\"articleBody\":\"" + ld + "\"") +
                     "</head><body><nav><a href='/'>Home</a></nav><h1>Headline</h1><div id='app'></div></body></html>";
  std::string text = Page(page).text;
  EXPECT_NE(text.find("The rendered elsewhere sentence number 7"), std::string::npos) << text;
  // Without articleBody the headline is what there is.
  std::string bare = "<html><head>" + JsonLd("") +
                     "</head><body><nav><a href='/'>Home</a></nav><h1>Headline</h1><div id='app'></div></body></html>";
  EXPECT_EQ(Page(bare).text, "# Headline\n");
}

TEST(MainContent, ItempropArticleBodyIsKeptDespiteClassWords) {
  // itemprop="articleBody" on a container whose class words alone would drop it.
  std::string body;
  for (int i = 0; i < 3; ++i) body += Paragraph("Marked paragraph " + std::to_string(i) + ".");
  std::string comments, sidebar;
  for (int i = 0; i < 2; ++i) comments += Paragraph("Comment text " + std::to_string(i) + ".");
  for (int i = 0; i < 3; ++i) sidebar += Paragraph("Sidebar text " + std::to_string(i) + ".");
  std::string html = "<body><div class='wrap'><div class='teaser-body' itemprop='articleBody'>" + body +
                     "</div><div class='comments'>" + comments + "</div><div class='sidebar'>" + sidebar +
                     "</div></div></body>";
  std::string text = Page(html).text;
  EXPECT_NE(text.find("Marked paragraph 0"), std::string::npos) << text;
  EXPECT_NE(text.find("Marked paragraph 2"), std::string::npos) << text;
  EXPECT_EQ(text.find("Comment text"), std::string::npos) << text;
  EXPECT_EQ(text.find("Sidebar text"), std::string::npos) << text;
}

TEST(MainContent, TrailingHeadingsAndCreditLinesGo) {
  std::string html = "<body><article>" + Paragraph("Body one.") + "<p><img alt=''> Photo: Agency © 2024 Someone</p>" +
                     Paragraph("Body two.") + Paragraph("Body three.") + Paragraph("Body four.") +
                     "<h3>More on this topic</h3><p><strong>Read next:</strong></p></article></body>";
  std::string text = Page(html).text;
  EXPECT_NE(text.find("Body four."), std::string::npos) << text;
  EXPECT_EQ(text.find("©"), std::string::npos) << text;
  EXPECT_EQ(text.find("More on this topic"), std::string::npos) << text;
  EXPECT_EQ(text.find("Read next"), std::string::npos) << text;
}

TEST(MainContent, LeadInTheArticleHeaderJoinsTheBody) {
  // The standfirst sits in the article's <header> (dropped as a boilerplate tag), the body in a
  // container after it; the title and byline in the header stay out.
  std::string body;
  for (int i = 0; i < 6; ++i) body += Paragraph("Body paragraph " + std::to_string(i) + ".");
  std::string html = "<body><nav><a href='/'>Home</a></nav><article><header><h1>The title</h1>"
                     "<p class='intro'>The lead sentence sums up the whole story in a good many more words than any title would ever have in it.</p>"
                     "<div class='byline'>By Someone</div></header><div class='article-body'>" + body +
                     "</div></article><footer>Footer text</footer></body>";
  std::string text = Page(html).text;
  EXPECT_NE(text.find("The lead sentence sums up"), std::string::npos) << text;
  EXPECT_LT(text.find("The lead sentence"), text.find("Body paragraph 0")) << text;
  EXPECT_NE(text.find("Body paragraph 5"), std::string::npos) << text;
  EXPECT_EQ(text.find("By Someone"), std::string::npos) << text;
  EXPECT_EQ(text.find("Footer"), std::string::npos) << text;
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
