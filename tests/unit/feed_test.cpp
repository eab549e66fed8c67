// Feed, sitemap and robots.txt parsing (src/sources/feed/feed_parse.hpp) and the feed source's pure
// helpers: contract tests on the real feeds in ../shared/fixtures/real/feeds and on our own
// fixtures in tests/fixtures/feeds (RSS 1.0, encodings, BOM, padding, double escaping, Atom text
// constructs, malformed feeds).
#include <gtest/gtest.h>

#include "alcor/env.hpp"
#include "alcor/source_config.hpp"
#include "alcor/strings.hpp"
#include "alcor/url.hpp"
#include "alcor_testing/test_server.hpp"
#include "sources/feed/feed_parse.hpp"
#include "sources/feed/feed_source.hpp"
#include "support/temp_dir.hpp"

namespace alcor::feed {
namespace {

std::string Read(const std::string& path) {
  std::string out;
  Status s = ReadFileToString(Env::Default(), path, &out);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

std::string RealFeed(const std::string& name) {
  std::string dir = testing::RealFixturesDir();
  if (dir.empty()) return {};
  return Read(dir + "/feeds/" + name);
}

std::string OwnFeed(const std::string& name) { return Read(testing::ProjectFixturesDir() + "/feeds/" + name); }

ParsedFeed MustParse(const std::string& bytes, const std::string& url) {
  FeedParseOptions o;
  o.document_url = url;
  Result<ParsedFeed> r = ParseFeed(bytes, o);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r.value()) : ParsedFeed{};
}

#define REAL_FEED_OR_SKIP(var, name)                                                   \
  std::string var = RealFeed(name);                                                    \
  if (var.empty()) GTEST_SKIP() << "../shared/fixtures/real/feeds is absent (" name ")"

// ---- Real feeds (the contract) ----

TEST(FeedRealTest, AtomGithubReleases) {
  REAL_FEED_OR_SKIP(bytes, "feedrs_atom_example_6.xml");
  ParsedFeed f = MustParse(bytes, "https://github.com/feed-rs/feed-rs/releases.atom");
  EXPECT_EQ(f.format, ParsedFeed::Format::kAtom);
  EXPECT_EQ(f.title, "Release notes from feed-rs");
  ASSERT_EQ(f.entries.size(), 4u);
  const FeedEntry& e = f.entries[0];
  EXPECT_EQ(e.title, "0.2.0");
  EXPECT_EQ(e.link, "https://github.com/feed-rs/feed-rs/releases/tag/v0.2.0");
  // +11:00 converted, never dropped; no <published>: the updated date stands for it.
  EXPECT_EQ(e.updated, "2020-01-19T05:08:59Z");
  EXPECT_EQ(e.published, "2020-01-19T05:08:59Z");
  EXPECT_EQ(e.authors, std::vector<std::string>{"markpritchard"});
  EXPECT_NE(e.content_html.find("<li>migrate to Rust 2018 edition</li>"), std::string::npos) << e.content_html;
  EXPECT_EQ(f.entries[3].updated, "2017-06-15T06:44:26Z");
  EXPECT_EQ(f.entries[3].authors, std::vector<std::string>{"kumabook"});
}

TEST(FeedRealTest, AtomBloggerXhtmlContentInPlanet) {
  REAL_FEED_OR_SKIP(bytes, "feedrs_atom_example_7.xml");
  ParsedFeed f = MustParse(bytes, "https://planet.gnome.org/atom.xml");
  ASSERT_EQ(f.entries.size(), 1u);
  const FeedEntry& e = f.entries[0];
  EXPECT_EQ(e.title, "High resolution wheel scrolling in the desktop stack");
  EXPECT_EQ(e.published, "2020-04-04T04:00:00Z");
  EXPECT_EQ(e.categories, std::vector<std::string>{"libinput. wayland"});
  // Inline XHTML: the div's children, markup kept (links absolute as written).
  EXPECT_EQ(e.content_html.rfind("<p>This is a follow up from <a href=\"https://who-t.blogspot.com/", 0), 0u)
      << e.content_html.substr(0, 200);
  EXPECT_NE(e.content_html.find("<b>REL_WHEEL_HI_RES</b>"), std::string::npos);
  // No author on the entry: the feed's author is inherited (RFC 4287 4.2.1).
  EXPECT_EQ(e.authors, std::vector<std::string>{"GNOME Sysadmin Team"});
  // The entry names no link, and its id is a tag: URI, so it has no URL.
  EXPECT_EQ(e.link, "");
  EXPECT_TRUE(LooksComplete(e.content_html, false));
  EXPECT_EQ(DetectPlatform("https://planet.gnome.org/atom.xml", f.generator), Platform::kGeneric);
}

TEST(FeedRealTest, AtomRelativeLinksResolveAgainstTheFeedUrl) {
  REAL_FEED_OR_SKIP(bytes, "feedrs_atom_relative.xml");
  for (const std::string& doc_url : {std::string("https://example.com/blog/feed.xml"), std::string()}) {
    // Without a document URL the feed's rel=self link is the base.
    ParsedFeed f = MustParse(bytes, doc_url);
    EXPECT_EQ(f.site_link, "https://example.com/blog/");
    ASSERT_EQ(f.entries.size(), 1u);
    const FeedEntry& e = f.entries[0];
    EXPECT_EQ(e.link, "https://example.com/blog/2003/12/13/atom03");
    EXPECT_EQ(e.title, "Atom-Powered Robots Run Amok");
    EXPECT_EQ(e.updated, "2003-12-13T18:30:02Z");
    EXPECT_EQ(e.content_html, "");
    EXPECT_EQ(e.summary_html, "<p>Some text.</p>\n");
    EXPECT_EQ(e.authors, std::vector<std::string>{"Jane Doe"});
    EXPECT_FALSE(LooksComplete(e.summary_html, true));
  }
}

TEST(FeedRealTest, AtomXmlBaseOnContent) {
  REAL_FEED_OR_SKIP(bytes, "feedrs_atom_xml_base.xml");
  ParsedFeed f = MustParse(bytes, "https://numi.st/feed.xml");
  EXPECT_EQ(f.title, "my cool website title");
  ASSERT_EQ(f.entries.size(), 1u);
  const FeedEntry& e = f.entries[0];
  EXPECT_EQ(e.title, "my cool entry title");
  // No <link>: the id is an http URL and stands for it.
  EXPECT_EQ(e.link, "https://numi.st/post/2022/travel-uke");
  EXPECT_EQ(e.content_base, "https://numi.st/post/2022/travel-uke/");
  EXPECT_EQ(e.content_html, "<p><img src=\"IMG_1232.jpeg\" /></p>");
  EXPECT_EQ(e.updated, "2022-04-21T00:00:00Z");
  EXPECT_EQ(e.authors, std::vector<std::string>{"Not Blank"});
  // An image and no words: not a whole post, the page is worth fetching.
  EXPECT_FALSE(LooksComplete(e.content_html, false));
}

TEST(FeedRealTest, Rss2WordPress) {
  REAL_FEED_OR_SKIP(bytes, "feedrs_rss_2.0_example_4.xml");
  ParsedFeed f = MustParse(bytes, "http://www.earthquakenewstoday.com/feed/");
  EXPECT_EQ(f.format, ParsedFeed::Format::kRss2);
  EXPECT_EQ(DetectPlatform("http://www.earthquakenewstoday.com/feed/", f.generator), Platform::kWordPress);
  ASSERT_EQ(f.entries.size(), 1u);
  const FeedEntry& e = f.entries[0];
  EXPECT_EQ(e.title, "Minor earthquake, 3.5 mag was detected near Aris in Greece");
  // Whitespace around the link trimmed.
  EXPECT_EQ(e.link,
            "http://www.earthquakenewstoday.com/2019/08/06/minor-earthquake-3-5-mag-was-detected-near-aris-in-greece/");
  EXPECT_EQ(e.published, "2019-08-06T05:01:15Z");
  EXPECT_EQ(e.authors, std::vector<std::string>{"admin"});
  EXPECT_EQ(e.categories, (std::vector<std::string>{"Earthquake breaking news",
                                                     "Minor World Earthquakes Magnitude -3.9", "Spárti"}));
  // content:encoded is the body; description the summary.
  EXPECT_NE(e.content_html.find("A minor earthquake with magnitude 3.5 (ml/mb) was detected on Tuesday"),
            std::string::npos);
  EXPECT_EQ(e.summary_html.rfind("A minor earthquake magnitude 3.5 (ml/mb) strikes near", 0), 0u);
  EXPECT_EQ(e.comments, 0);
}

TEST(FeedRealTest, Rss2SubstackPaidPreviewIsNotComplete) {
  REAL_FEED_OR_SKIP(bytes, "feedrs_rss_2.0_heated.xml");
  ParsedFeed f = MustParse(bytes, "https://heated.world/feed");
  EXPECT_EQ(f.title, "HEATED");
  EXPECT_EQ(DetectPlatform("https://heated.world/feed", f.generator), Platform::kSubstack);
  ASSERT_EQ(f.entries.size(), 1u);
  const FeedEntry& e = f.entries[0];
  EXPECT_EQ(e.title, "A conversation about Keystone XL");
  EXPECT_EQ(e.link, "https://heated.world/p/a-conversation-about-keystone-xl");
  EXPECT_EQ(e.published, "2021-02-03T12:00:47Z");
  EXPECT_EQ(e.authors, std::vector<std::string>{"Emily Atkin"});
  EXPECT_NE(e.content_html.find("Hello, dear paid subscriber fam!"), std::string::npos);
  // A preview closing with a "Read more" link to the post: the page must be fetched.
  EXPECT_FALSE(LooksComplete(e.content_html, false));
}

TEST(FeedRealTest, Rss2GhostFullContent) {
  REAL_FEED_OR_SKIP(bytes, "feedrs_rss_2.0_cloudflare.xml");
  ParsedFeed f = MustParse(bytes, "https://blog.cloudflare.com/rss/");
  EXPECT_EQ(f.title, "The Cloudflare Blog");
  EXPECT_EQ(DetectPlatform("https://blog.cloudflare.com/rss/", f.generator), Platform::kGhost);
  ASSERT_EQ(f.entries.size(), 1u);
  const FeedEntry& e = f.entries[0];
  EXPECT_EQ(e.title, "Privacy-Preserving Compromised Credential Checking");
  EXPECT_EQ(e.link, "https://blog.cloudflare.com/privacy-preserving-compromised-credential-checking/");
  EXPECT_EQ(e.id, "6166e7e065133e02a961145d");
  EXPECT_EQ(e.published, "2021-10-14T12:59:53Z");
  EXPECT_EQ(e.authors, std::vector<std::string>{"Luke Valenta"});
  EXPECT_EQ(e.categories, (std::vector<std::string>{"Research", "Security", "Product News"}));
  EXPECT_TRUE(LooksComplete(e.content_html, false));
  EXPECT_GT(e.content_html.size(), e.summary_html.size());
}

TEST(FeedRealTest, Rss2ItemXmlBaseAndInlineMarkup) {
  REAL_FEED_OR_SKIP(bytes, "feedrs_rss_2.0_relurl_1.xml");
  ParsedFeed f = MustParse(bytes, "https://insanity.industries/index.xml");
  ASSERT_EQ(f.entries.size(), 2u);
  const FeedEntry& a = f.entries[0];
  EXPECT_EQ(a.title, "Pareto-optimal compression");
  // +0100 converted to UTC.
  EXPECT_EQ(a.published, "2021-03-02T22:39:15Z");
  EXPECT_EQ(a.authors, std::vector<std::string>{"Jonas Große Sundrup"});
  EXPECT_EQ(a.content_base, "https://insanity.industries/post/pareto-optimal-compression/");
  // Unescaped markup inside <description> is kept as markup.
  EXPECT_NE(a.summary_html.find("<em>is</em>"), std::string::npos) << a.summary_html;
  // content:encoded holds only "...": an excerpt, not the post.
  EXPECT_EQ(a.content_html, "...");
  EXPECT_FALSE(LooksComplete(a.content_html, false));
  EXPECT_EQ(f.entries[1].published, "2021-02-13T00:00:00Z");
}

// ---- Our fixtures ----

TEST(FeedParseTest, Rss1Rdf) {
  ParsedFeed f = MustParse(OwnFeed("rss1_rdf.xml"), "https://interp.example.org/index.rdf");
  EXPECT_EQ(f.format, ParsedFeed::Format::kRss1);
  EXPECT_EQ(f.title, "Interpretability Notes");
  ASSERT_EQ(f.entries.size(), 2u);
  const FeedEntry& e = f.entries[0];
  EXPECT_EQ(e.id, "https://interp.example.org/notes/superposition-toy-models");
  EXPECT_EQ(e.link, "https://interp.example.org/notes/superposition-toy-models");
  EXPECT_EQ(e.published, "2023-05-02T13:30:00Z");
  EXPECT_EQ(e.authors, (std::vector<std::string>{"Ada Example", "Grace Sample"}));
  EXPECT_EQ(e.categories, std::vector<std::string>{"interpretability"});
  EXPECT_NE(e.content_html.find("phase change"), std::string::npos);
  EXPECT_EQ(f.entries[1].published, "2023-04-20T00:00:00Z");
  EXPECT_EQ(f.entries[1].content_html, "");
}

TEST(FeedParseTest, Windows1252IsConverted) {
  ParsedFeed f = MustParse(OwnFeed("windows1252.xml"), "https://cafe.example.org/feed");
  EXPECT_EQ(f.title, "Café Alignment");
  ASSERT_EQ(f.entries.size(), 1u);
  EXPECT_EQ(f.entries[0].title, "\u201CCorrigibility\u201D \u2014 a café chat");
  EXPECT_EQ(f.entries[0].published, "2024-03-05T16:00:00Z");  // PST
}

TEST(FeedParseTest, BomPaddingAndDoubleEscaping) {
  ParsedFeed f = MustParse(OwnFeed("bom_padded_escaped.xml"), "https://padded.example.org/feed");
  EXPECT_EQ(f.title, "Padded & Escaped");
  EXPECT_EQ(f.site_link, "https://padded.example.org/");
  ASSERT_EQ(f.entries.size(), 1u);
  const FeedEntry& e = f.entries[0];
  EXPECT_EQ(e.title, "Reward hacking \u2019s many faces & forms");
  EXPECT_EQ(e.link, "https://padded.example.org/reward-hacking?utm_source=rss&utm_medium=rss");
  EXPECT_EQ(e.id, "post-4711");
  EXPECT_EQ(e.published, "2024-03-07T07:30:00Z");
  EXPECT_EQ(e.authors, (std::vector<std::string>{"Sam Example", "Alex Sample"}));
  EXPECT_EQ(e.categories, std::vector<std::string>{"RL"});
  EXPECT_EQ(e.summary_html, "<p>Policies find the gap between the reward and the intent.</p>");
}

TEST(FeedParseTest, AtomTextConstructsAndXmlBase) {
  ParsedFeed f = MustParse(OwnFeed("atom_constructs.xml"), "https://evals.example.net/blog/atom.xml");
  EXPECT_EQ(f.title, "Evals & Oversight");
  EXPECT_EQ(f.site_link, "https://evals.example.net/blog/");
  ASSERT_EQ(f.entries.size(), 4u);
  const FeedEntry& a = f.entries[0];
  EXPECT_EQ(a.title, "Scalable oversight <in practice>");  // type=text: literal
  EXPECT_EQ(a.link, "https://evals.example.net/blog/posts/debate-experiments");
  EXPECT_EQ(a.published, "2024-01-15T16:00:00Z");
  EXPECT_EQ(a.updated, "2024-01-20T09:15:00Z");
  EXPECT_EQ(a.authors, (std::vector<std::string>{"Jane Doe", "John Roe"}));
  EXPECT_EQ(a.categories, (std::vector<std::string>{"oversight", "debate"}));
  EXPECT_EQ(a.content_base, "https://evals.example.net/blog/posts/debate-experiments/");
  EXPECT_NE(a.content_html.find("<b>debate</b>"), std::string::npos) << a.content_html;
  EXPECT_EQ(a.summary_html, "<p>A short summary that must not win over the content.</p>\n");
  EXPECT_TRUE(LooksComplete(a.content_html, false));

  const FeedEntry& b = f.entries[1];
  EXPECT_EQ(b.title, "Red-teaming language models");
  EXPECT_EQ(b.link, "https://evals.example.net/blog/posts/red-teaming");
  EXPECT_EQ(b.authors, std::vector<std::string>{"The Evals Team"});  // inherited
  EXPECT_EQ(b.content_html, "");
  EXPECT_FALSE(LooksComplete(b.summary_html, true));  // ends in an ellipsis

  const FeedEntry& c = f.entries[2];
  EXPECT_EQ(c.link, "https://evals.example.net/blog/posts/plain");
  EXPECT_EQ(c.content_html, "<p>First paragraph with a &lt;tag&gt; written as text.</p>\n<p>Second paragraph.</p>\n");

  const FeedEntry& d = f.entries[3];
  EXPECT_EQ(d.content_src, "https://evals.example.net/blog/posts/out-of-line/body.html");
  EXPECT_EQ(d.content_html, "");
}

TEST(FeedParseTest, TruncatedFeedIsRecoveredUpToTheError) {
  FeedParseOptions o;
  o.document_url = "https://half.example.org/feed";
  Result<ParsedFeed> r = ParseFeed(OwnFeed("malformed_truncated.xml"), o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->recovered_error.empty());
  // The third item was cut off: dropped, not emitted half-read.
  ASSERT_EQ(r->entries.size(), 2u);
  EXPECT_EQ(r->entries[0].published, "2024-03-04T15:00:00Z");  // EST
  EXPECT_EQ(r->entries[1].published, "2024-03-03T04:30:00Z");  // +0530
}

TEST(FeedParseTest, UnrecoverableFeedNamesTheParserError) {
  Result<ParsedFeed> r = ParseFeed(OwnFeed("malformed_fatal.xml"), {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kCorruption);
  EXPECT_NE(r.status().message().find("line 4"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("mismatch"), std::string::npos) << r.status().message();
}

TEST(FeedParseTest, NotAFeed) {
  Result<ParsedFeed> r = ParseFeed("<html><body>hello</body></html>", {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find("<html>"), std::string::npos);
  EXPECT_FALSE(ParseFeed("", {}).ok());
  EXPECT_FALSE(ParseFeed("{\"json\": true}", {}).ok());
}

TEST(FeedParseTest, HostileInputsDoNotCrash) {
  std::string deep = "<rss><channel><item><description>";
  for (int i = 0; i < 20000; ++i) deep += "<div>";
  deep += "x</description></item></channel></rss>";
  (void)ParseFeed(deep, {});
  std::string nested;
  for (int i = 0; i < 30000; ++i) nested += "<span>";
  EXPECT_FALSE(LooksComplete(nested + "word", false));
  EXPECT_EQ(HtmlSnippetToText(nested + "a &amp;amp; b"), "a & b");
  std::string many = "<rss><channel>";
  for (int i = 0; i < 3000; ++i) many += "<item><title>t</title><link>https://x.org/" + std::to_string(i) + "</link></item>";
  many += "</channel></rss>";
  FeedParseOptions o;
  o.max_entries = 100;
  Result<ParsedFeed> r = ParseFeed(many, o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->entries.size(), 100u);
  o.max_bytes = 10;
  EXPECT_EQ(ParseFeed(many, o).status().code(), Status::Code::kLimitExceeded);
  (void)ParseFeed(std::string(1000, '\0'), {});
  (void)ParseFeed("<rss><channel><item><title>&#xD800;&#99999999;&#x;</title></item></channel></rss>", {});
}

// ---- Sitemaps, robots.txt ----

TEST(SitemapTest, UrlsetIndexAndGzip) {
  std::string urlset =
      "<?xml version=\"1.0\"?><urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"
      "<url><loc> https://b.example.org/posts/a/ </loc><lastmod>2024-03-01</lastmod></url>"
      "<url><loc>/posts/b/</loc><lastmod>2024-03-02T10:00:00+02:00</lastmod></url></urlset>";
  Result<ParsedSitemap> s = ParseSitemap(urlset, "https://b.example.org/sitemap.xml");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_FALSE(s->is_index);
  ASSERT_EQ(s->entries.size(), 2u);
  EXPECT_EQ(s->entries[0].loc, "https://b.example.org/posts/a/");
  EXPECT_EQ(s->entries[0].lastmod, "2024-03-01T00:00:00Z");
  EXPECT_EQ(s->entries[1].loc, "https://b.example.org/posts/b/");
  EXPECT_EQ(s->entries[1].lastmod, "2024-03-02T08:00:00Z");

  Result<ParsedSitemap> gz = ParseSitemap(testing::TestServer::Gzip(urlset), "https://b.example.org/s.xml.gz");
  ASSERT_TRUE(gz.ok()) << gz.status().ToString();
  EXPECT_EQ(gz->entries.size(), 2u);

  std::string index =
      "<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"><sitemap><loc>https://b.example.org/"
      "sitemap-posts.xml</loc></sitemap></sitemapindex>";
  Result<ParsedSitemap> idx = ParseSitemap(index, "https://b.example.org/sitemap.xml");
  ASSERT_TRUE(idx.ok());
  EXPECT_TRUE(idx->is_index);
  ASSERT_EQ(idx->entries.size(), 1u);
  EXPECT_EQ(idx->entries[0].loc, "https://b.example.org/sitemap-posts.xml");

  EXPECT_EQ(ParseSitemap("<html/>", "").status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(ParseSitemap("<urlset><url><loc>", "").status().code(), Status::Code::kCorruption);
  EXPECT_EQ(ParseSitemap(std::string("\x1f\x8b garbage", 10), "").status().code(), Status::Code::kCorruption);
  // A gzip bomb is capped.
  std::string big(1 << 20, 'a');
  EXPECT_EQ(ParseSitemap(testing::TestServer::Gzip(big), "", 1000).status().code(), Status::Code::kLimitExceeded);
}

TEST(SitemapTest, RobotsSitemapLines) {
  std::string robots =
      "User-agent: *\nDisallow: /admin\n\nSITEMAP: https://b.example.org/sitemap.xml\n"
      "sitemap:/blog/sitemap.xml # relative\nSitemap: https://b.example.org/sitemap.xml\n";
  EXPECT_EQ(RobotsSitemaps(robots, "https://b.example.org/robots.txt"),
            (std::vector<std::string>{"https://b.example.org/sitemap.xml", "https://b.example.org/blog/sitemap.xml"}));
  EXPECT_TRUE(RobotsSitemaps("User-agent: *\nDisallow:\n", "https://x.org/robots.txt").empty());
}

// ---- Helpers ----

TEST(FeedHelpersTest, LooksComplete) {
  std::string long_body;
  for (int i = 0; i < 40; ++i) long_body += "<p>Reward models can be gamed by optimisation pressure.</p>";
  EXPECT_TRUE(LooksComplete(long_body, false));
  EXPECT_TRUE(LooksComplete(long_body + "<p>The post <a href=\"x\">Foo</a> appeared first on Bar.</p>", false));
  EXPECT_FALSE(LooksComplete(long_body + "<p>And then [&#8230;]</p>", false));
  EXPECT_FALSE(LooksComplete(long_body + "<p><a href=\"https://x.org/p\">Continue reading &rarr;</a></p>", false));
  EXPECT_FALSE(LooksComplete("", false));
  EXPECT_FALSE(LooksComplete("<p>Too short to be a post from a summary field.</p>", true));
  EXPECT_TRUE(LooksComplete("<p>A short but whole post: twenty words are plenty for a note like this one about "
                            "evals, oversight and interpretability research.</p>",
                            false));
}

TEST(FeedHelpersTest, SplitAuthors) {
  EXPECT_EQ(SplitAuthors("Paul Christiano, Ajeya Cotra and Mark Xu"),
            (std::vector<std::string>{"Paul Christiano", "Ajeya Cotra", "Mark Xu"}));
  EXPECT_EQ(SplitAuthors("Smith, John"), std::vector<std::string>{"Smith, John"});
  EXPECT_EQ(SplitAuthors("jonas@x.org (Jonas Große Sundrup)"), std::vector<std::string>{"Jonas Große Sundrup"});
  EXPECT_EQ(SplitAuthors("A. Author & B. Writer"), (std::vector<std::string>{"A. Author", "B. Writer"}));
  EXPECT_TRUE(SplitAuthors("   ").empty());
}

TEST(FeedHelpersTest, UrlGlobsMatchWholeUrls) {
  EXPECT_TRUE(WildcardMatch("*/tag/*", "https://b.org/tag/ai/"));
  EXPECT_FALSE(WildcardMatch("*/tag/*", "https://b.org/posts/tagging/"));
  EXPECT_TRUE(WildcardMatch("https://b.org/20?\?/*", "https://b.org/2024/03/x/"));
  EXPECT_FALSE(WildcardMatch("https://b.org/20?\?/*", "https://b.org/about/"));
  EXPECT_TRUE(WildcardMatch("*", ""));
  EXPECT_FALSE(WildcardMatch("https://b.org/tag/", "https://b.org/tag/ai/"));  // whole text, not a prefix
}

TEST(FeedHelpersTest, PlatformsAndUrls) {
  EXPECT_EQ(DetectPlatform("https://www.astralcodexten.com/feed", "substack"), Platform::kSubstack);
  EXPECT_EQ(DetectPlatform("https://x.substack.com/feed", ""), Platform::kSubstack);
  EXPECT_EQ(DetectPlatform("https://x.blogspot.com/feeds/posts/default", ""), Platform::kBlogger);
  EXPECT_EQ(DetectPlatform("https://medium.com/feed/@someone", ""), Platform::kMedium);
  EXPECT_EQ(DetectPlatform("https://x.org/index.xml", "hugo"), Platform::kGeneric);
  EXPECT_EQ(DefaultFeedUrl(Platform::kWordPress, "https://b.org/"), "https://b.org/feed/");
  EXPECT_EQ(DefaultFeedUrl(Platform::kBlogger, "https://b.blogspot.com"), "https://b.blogspot.com/feeds/posts/default");
  EXPECT_EQ(WithQueryParameter("https://b.org/feed/", "paged", "3"), "https://b.org/feed/?paged=3");
  EXPECT_EQ(WithQueryParameter("https://b.org/f?alt=rss&paged=2#x", "paged", "3"), "https://b.org/f?alt=rss&paged=3");
  std::string home =
      "<html><head><link rel=\"alternate\" type=\"application/rss+xml\" title=\"Feed\" href=\"/feed/\">"
      "<LINK REL='alternate' TYPE='application/atom+xml' HREF='https://b.org/atom.xml'>"
      "<link rel=\"stylesheet\" href=\"/s.css\"></head></html>";
  EXPECT_EQ(DiscoverFeedLinks(home, "https://b.org/"),
            (std::vector<std::string>{"https://b.org/feed/", "https://b.org/atom.xml"}));
}

TEST(FeedKindTest, RegisteredWithDocumentedKeys) {
  const SourceKind* kind = FindSourceKind("feed");
  ASSERT_NE(kind, nullptr);
  std::vector<std::string> keys;
  for (const KeySpec& k : kind->keys->specs()) {
    keys.push_back(k.path);
    EXPECT_FALSE(k.doc.empty()) << k.path;
  }
  for (const char* want : {"feed_url", "site_url", "platform", "fetch_pages", "sitemap_url", "sitemap_include",
                           "sitemap_exclude", "history", "max_archive_pages", "max_page_fetches"}) {
    EXPECT_NE(std::find(keys.begin(), keys.end(), want), keys.end()) << want;
  }
}

}  // namespace
}  // namespace alcor::feed
