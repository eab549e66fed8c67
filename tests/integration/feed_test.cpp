// The feed source against emulated blogs (testing/alcor_testing/emulators/blog_site.hpp) on the loopback server,
// through the real libcurl client: the real feeds' contract, archive paging on every platform,
// sitemap discovery through robots.txt (gzip too), summary-only feeds with main-content
// extraction, malformed feeds, conditional GET (304) and incremental runs.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <set>

#include "alcor/config.hpp"
#include "alcor/dates.hpp"
#include "alcor/env.hpp"
#include "alcor/http.hpp"
#include "alcor/source.hpp"
#include "alcor/url.hpp"
#include "alcor_testing/emulators/blog_site.hpp"
#include "alcor_testing/fake_source_context.hpp"
#include "alcor_testing/test_server.hpp"
#include "support/temp_dir.hpp"

namespace alcor {
namespace {

using json = nlohmann::json;
using testing::BlogData;
using testing::BlogPostData;
using testing::BlogSite;
using testing::Reply;
using testing::TestServer;
using ::testing::FakeSourceContext;

std::unique_ptr<HttpClient> MakeClient(const TestServer& server) {
  ::setenv("no_proxy", "*", 1);
  HttpOptions o;
  o.hosts[server.HostPort()] = HostRule{4, 0.0, {}};
  o.retry.max_attempts = 2;
  o.retry.initial_backoff_ms = 10;
  o.retry.max_backoff_ms = 20;
  Result<std::unique_ptr<HttpClient>> c = NewCurlHttpClient(std::move(o));
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return std::move(c).value();
}

std::unique_ptr<Source> MakeSource(json entry) {
  entry["kind"] = "feed";
  if (!entry.contains("name")) entry["name"] = "blog:test";
  Result<SourceConfig> config = ValidateSourceConfig(entry, "test");
  EXPECT_TRUE(config.ok()) << config.status().ToString();
  const SourceKind* kind = FindSourceKind("feed");
  EXPECT_NE(kind, nullptr);
  Result<std::unique_ptr<Source>> source = kind->create(config.value());
  EXPECT_TRUE(source.ok()) << source.status().ToString();
  return std::move(source).value();
}

// n posts, newest first: "post-0" is the newest. Bodies are long enough to count as whole posts.
std::vector<BlogPostData> MakePosts(int n, const std::string& tag = "alignment") {
  std::vector<BlogPostData> posts;
  for (int i = 0; i < n; ++i) {
    BlogPostData p;
    p.slug = "post-" + std::to_string(i);
    p.title = "Alignment note number " + std::to_string(i);
    p.authors = {"Ada Example"};
    p.published = FormatRfc3339Utc(1700000000 - int64_t{i} * 86400);
    p.tags = {tag};
    p.summary = "Summary of note " + std::to_string(i) + ".";
    p.html = "<p>Body of note " + std::to_string(i) +
             ": reward models are proxies, and optimising a proxy hard enough finds the places where it and the "
             "intended goal come apart. We look at three such cases.</p><p>Second paragraph of note " +
             std::to_string(i) + ": each case starts with a measurable stand-in for what we want, adds "
             "optimisation pressure, and ends with behaviour that scores well and misses the point, as the "
             "<a href=\"/related\">earlier note</a> described in more detail.</p>";
    posts.push_back(std::move(p));
  }
  return posts;
}

BlogData Blog(const std::string& platform, int posts, int feed_items) {
  BlogData d;
  d.name = platform + "-blog";
  d.platform = platform;
  d.title = "The " + platform + " blog";
  d.description = "Notes on alignment.";
  d.posts = MakePosts(posts);
  d.feed_items = feed_items;
  return d;
}

size_t CountQuery(const TestServer& server, const std::string& path, const std::string& query_part) {
  size_t n = 0;
  for (const auto& r : server.RequestsFor(path))
    if (r.query.find(query_part) != std::string::npos) ++n;
  return n;
}

std::set<std::string> Ids(const FakeSourceContext& ctx) {
  std::set<std::string> ids;
  for (const Record& r : ctx.records) ids.insert(r.id);
  return ids;
}

std::string Describe(const FakeSourceContext& ctx) {
  std::string out;
  for (const auto& [what, why] : ctx.failures) out += "failure " + what + ": " + why + "\n";
  for (const auto& [id, why] : ctx.conversion_failures) out += "conversion " + id + ": " + why + "\n";
  return out;
}

// ---- The real feeds' contract ----

TEST(FeedRealContractTest, EveryRealFeedBecomesRecords) {
  std::string dir = testing::RealFixturesDir();
  if (dir.empty()) GTEST_SKIP() << "../shared/fixtures/real is absent";
  std::vector<std::string> names;
  ASSERT_TRUE(Env::Default()->GetChildren(dir + "/feeds", &names).ok());
  TestServer server;
  auto http = MakeClient(server);
  int feeds = 0;
  for (const std::string& name : names) {
    if (name.size() < 4 || name.substr(name.size() - 4) != ".xml") continue;
    ++feeds;
    std::string body;
    ASSERT_TRUE(ReadFileToString(Env::Default(), dir + "/feeds/" + name, &body).ok());
    server.Route("/real/" + name, Reply::Text(body, "application/xml"));
    auto source = MakeSource({{"feed_url", server.Url("/real/" + name)}, {"fetch_pages", "never"}, {"history", false}});
    FakeSourceContext ctx("blog:" + name, http.get());
    Status s = source->Run(ctx);
    ASSERT_TRUE(s.ok()) << name << ": " << s.ToString();
    if (name == "feedrs_atom_example_7.xml" || name == "feedrs_atom_xml_base.xml") {
      // The Planet entry names no URL; the xml:base entry's content is one image without alt text
      // (with fetch_pages auto its page would be fetched). Both are checked below.
      EXPECT_TRUE(ctx.records.empty()) << name;
      continue;
    }
    EXPECT_FALSE(ctx.records.empty()) << name << "\n" << Describe(ctx);
    for (const Record& r : ctx.records) {
      SCOPED_TRACE(name + " " + r.id);
      EXPECT_FALSE(r.title.empty());
      EXPECT_TRUE(IsHttpUrl(r.url)) << "links resolved to absolute URLs";
      EXPECT_EQ(r.url, PublishedUrl(r.url)) << "the link as published, cleaned";
      EXPECT_EQ(r.id, "web:" + CanonicalizeUrl(r.url));
      EXPECT_EQ(r.source_kind, "feed");
      ASSERT_TRUE(r.date_published.has_value());
      EXPECT_TRUE(IsRfc3339Utc(*r.date_published)) << *r.date_published;
      EXPECT_FALSE(r.text.empty());
      EXPECT_EQ(r.metadata.value("text_format", ""), "html");
    }
  }
  EXPECT_GE(feeds, 8);

  // Spot checks: content chosen over summary, the summary kept apart.
  auto run_one = [&](const std::string& name) {
    auto source = MakeSource({{"feed_url", server.Url("/real/" + name)}, {"fetch_pages", "never"}, {"history", false}});
    auto ctx = std::make_unique<FakeSourceContext>("blog:x", http.get());
    http->ForgetValidators(server.Url("/real/" + name));
    EXPECT_TRUE(source->Run(*ctx).ok());
    return ctx;
  };
  {
    auto ctx = run_one("feedrs_rss_2.0_cloudflare.xml");
    ASSERT_EQ(ctx->records.size(), 1u);
    const Record& r = ctx->records[0];
    EXPECT_EQ(r.metadata.value("text_from", ""), "feed-content");
    EXPECT_NE(r.text.find("Might I Get Pwned"), std::string::npos);
    EXPECT_EQ(r.summary.value_or(""), "Announcing a public demo and open-sourced implementation of a "
                                      "privacy-preserving compromised credential checking service");
    EXPECT_EQ(r.tags, (std::vector<std::string>{"Research", "Security", "Product News"}));
    EXPECT_EQ(r.date_published, "2021-10-14T12:59:53Z");
    EXPECT_EQ(r.metadata.value("platform", ""), "ghost");
  }
  {
    auto ctx = run_one("feedrs_atom_relative.xml");
    ASSERT_EQ(ctx->records.size(), 1u);
    // Relative to the document URL it was fetched from (the loopback server here, plain http:
    // the link keeps its scheme, the id does not).
    EXPECT_EQ(ctx->records[0].url, "http://127.0.0.1:" + std::to_string(server.port()) + "/blog/2003/12/13/atom03");
    EXPECT_EQ(ctx->records[0].id, "web:https://127.0.0.1:" + std::to_string(server.port()) + "/blog/2003/12/13/atom03");
    EXPECT_EQ(ctx->records[0].metadata.value("text_from", ""), "feed-summary");
  }
  {
    auto ctx = run_one("feedrs_atom_xml_base.xml");
    ASSERT_EQ(ctx->conversion_failures.size(), 1u);
    EXPECT_EQ(ctx->conversion_failures[0].first, "web:https://numi.st/post/2022/travel-uke");
    EXPECT_NE(ctx->conversion_failures[0].second.find("no text"), std::string::npos);
  }
  {
    auto ctx = run_one("feedrs_atom_example_7.xml");
    // The Planet entry names no URL: reported, not stored under a made-up id.
    EXPECT_TRUE(ctx->records.empty());
    ASSERT_EQ(ctx->failures.size(), 1u);
    EXPECT_NE(ctx->failures[0].second.find("no http(s) link"), std::string::npos);
  }
}

// ---- Platforms ----

TEST(FeedPlatformTest, WordPressPagesThroughTheWholeArchiveOnceThenOnlyAsFarAsNeeded) {
  TestServer server;
  BlogSite site(Blog("wordpress", 25, 10));
  site.Install(&server, "/blogs/wp");
  auto http = MakeClient(server);
  auto source = MakeSource({{"feed_url", server.Url(site.FeedPath())}});
  FakeSourceContext ctx("blog:wp", http.get());

  ASSERT_TRUE(source->Run(ctx).ok());
  EXPECT_EQ(ctx.records.size(), 25u) << Describe(ctx);
  EXPECT_EQ(Ids(ctx).size(), 25u);
  EXPECT_EQ(CountQuery(server, site.FeedPath(), "paged=2"), 1u);
  EXPECT_EQ(CountQuery(server, site.FeedPath(), "paged=3"), 1u);
  EXPECT_EQ(CountQuery(server, site.FeedPath(), "paged=4"), 1u);  // 404: the end
  const Record* first = ctx.Find("web:https://127.0.0.1:" + std::to_string(server.port()) + site.PostPath("post-0"));
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->title, "Alignment note number 0");
  EXPECT_EQ(first->authors, std::vector<std::string>{"Ada Example"});
  EXPECT_EQ(first->date_published, "2023-11-14T22:13:20Z");
  EXPECT_EQ(first->tags, std::vector<std::string>{"alignment"});
  EXPECT_EQ(first->summary, "Summary of note 0.");
  EXPECT_EQ(first->metadata.value("text_from", ""), "feed-content");
  EXPECT_EQ(first->metadata.value("platform", ""), "wordpress");
  // Links in the body resolved against the post.
  EXPECT_NE(first->text.find("(http://127.0.0.1:" + std::to_string(server.port()) + "/related)"), std::string::npos)
      << first->text;
  ASSERT_FALSE(ctx.checkpoints.empty());
  EXPECT_EQ(ctx.checkpoints.back().first, "feed");
  // The state (written entry by entry, not through a json tree) is JSON with every post in it.
  json state = json::parse(ctx.checkpoints.back().second, nullptr, false);
  ASSERT_TRUE(state.is_object()) << ctx.checkpoints.back().second.substr(0, 200);
  EXPECT_EQ(state["version"], 1);
  EXPECT_EQ(state["platform"], "wordpress");
  EXPECT_EQ(state["history"]["done"], true);
  ASSERT_TRUE(state["seen"].is_object());
  EXPECT_EQ(state["seen"].size(), 25u);
  for (const auto& [url, entry] : state["seen"].items()) {
    EXPECT_EQ(url.rfind("https://127.0.0.1:", 0), 0u) << url;
    EXPECT_TRUE(entry.contains("h") || entry.contains("m")) << url << " " << entry.dump();
  }

  // Second run, nothing new: the feed answers 304 and nothing else is asked for.
  ctx.NextRun();
  server.ClearRequests();
  ASSERT_TRUE(source->Run(ctx).ok());
  EXPECT_TRUE(ctx.records.empty());
  EXPECT_EQ(ctx.unchanged, 1u);
  ASSERT_EQ(server.RequestsFor(site.FeedPath()).size(), 1u);
  EXPECT_NE(server.RequestsFor(site.FeedPath())[0].Header("if-none-match"), nullptr);

  // Third run, one new post: only it is emitted, and the archive is not walked.
  BlogPostData fresh = MakePosts(1)[0];
  fresh.slug = "fresh";
  fresh.title = "A fresh post";
  fresh.published = "2023-11-20T00:00:00Z";
  site.SetPost(fresh);
  ctx.NextRun();
  server.ClearRequests();
  ASSERT_TRUE(source->Run(ctx).ok());
  ASSERT_EQ(ctx.records.size(), 1u);
  EXPECT_EQ(ctx.records[0].title, "A fresh post");
  EXPECT_EQ(ctx.unchanged, 9u);
  EXPECT_EQ(CountQuery(server, site.FeedPath(), "paged="), 0u);

  // Fourth run, more new posts than a feed page holds: paging goes on until it meets known posts.
  for (int i = 0; i < 12; ++i) {
    BlogPostData p = MakePosts(1)[0];
    p.slug = "burst-" + std::to_string(i);
    p.title = "Burst " + std::to_string(i);
    p.published = FormatRfc3339Utc(1701000000 + i * 60);
    site.SetPost(p);
  }
  ctx.NextRun();
  server.ClearRequests();
  ASSERT_TRUE(source->Run(ctx).ok());
  EXPECT_EQ(ctx.records.size(), 12u);
  EXPECT_EQ(CountQuery(server, site.FeedPath(), "paged=2"), 1u);
  EXPECT_EQ(CountQuery(server, site.FeedPath(), "paged=3"), 0u);

  // A changed post (new content in the feed) is emitted again.
  BlogPostData edited = MakePosts(1)[0];
  edited.slug = "burst-11";
  edited.title = "Burst 11 (corrected)";
  edited.published = FormatRfc3339Utc(1701000000 + 11 * 60);
  site.SetPost(edited);
  ctx.NextRun();
  ASSERT_TRUE(source->Run(ctx).ok());
  ASSERT_EQ(ctx.records.size(), 1u);
  EXPECT_EQ(ctx.records[0].title, "Burst 11 (corrected)");
}

TEST(FeedPlatformTest, InterruptedFirstRunResumesWithoutLosingPosts) {
  TestServer server;
  BlogSite site(Blog("wordpress", 25, 10));
  site.Install(&server, "/blogs/wp");
  auto http = MakeClient(server);
  auto source = MakeSource({{"feed_url", server.Url(site.FeedPath())}});
  FakeSourceContext ctx("blog:wp", http.get());
  ctx.limit = 13;  // stops in the middle of the second feed page
  ASSERT_TRUE(source->Run(ctx).ok());
  std::set<std::string> all = Ids(ctx);
  EXPECT_EQ(all.size(), 13u);
  ctx.NextRun();
  ctx.limit = 0;
  ASSERT_TRUE(source->Run(ctx).ok());
  for (const Record& r : ctx.records) EXPECT_TRUE(all.insert(r.id).second) << "emitted twice: " << r.id;
  EXPECT_EQ(all.size(), 25u) << Describe(ctx);
}

TEST(FeedPlatformTest, SubstackArchiveApiAndPaidPreviews) {
  TestServer server;
  BlogData data = Blog("substack", 30, 20);
  data.posts[1].paid = true;  // in the feed, preview only
  data.posts[25].paid = true;  // only in the archive
  BlogSite site(std::move(data));
  site.Install(&server, "/blogs/stack");
  auto http = MakeClient(server);
  auto source = MakeSource({{"feed_url", server.Url(site.FeedPath())}, {"archive_page_size", 10}});
  FakeSourceContext ctx("blog:stack", http.get());
  ASSERT_TRUE(source->Run(ctx).ok());
  EXPECT_EQ(ctx.records.size(), 30u) << Describe(ctx);
  EXPECT_EQ(CountQuery(server, "/blogs/stack/api/v1/archive", "offset=0&limit=10"), 1u);
  EXPECT_EQ(CountQuery(server, "/blogs/stack/api/v1/archive", "offset=30"), 1u);  // empty: the end
  // Bodies from the post API only for the posts the feed did not carry.
  size_t post_api = 0;
  for (const auto& r : server.Requests())
    if (r.path.find("/api/v1/posts/") != std::string::npos) ++post_api;
  EXPECT_EQ(post_api, 10u);
  std::string base = "web:https://127.0.0.1:" + std::to_string(server.port());
  const Record* paid = ctx.Find(base + "/blogs/stack/p/post-1");
  ASSERT_NE(paid, nullptr);
  EXPECT_EQ(paid->metadata.value("text_from", ""), "page");  // the preview ended in "Read more"
  EXPECT_EQ(paid->metadata.value("text_format", ""), "html-page");
  const Record* old = ctx.Find(base + "/blogs/stack/p/post-27");
  ASSERT_NE(old, nullptr);
  EXPECT_EQ(old->metadata.value("text_from", ""), "archive-api");
  EXPECT_EQ(old->authors, std::vector<std::string>{"Ada Example"});
  EXPECT_EQ(old->tags, std::vector<std::string>{"alignment"});
  EXPECT_EQ(old->date_published, FormatRfc3339Utc(1700000000 - 27 * 86400));
  const Record* old_paid = ctx.Find(base + "/blogs/stack/p/post-25");
  ASSERT_NE(old_paid, nullptr);
  EXPECT_EQ(old_paid->metadata.value("paywalled", false), true);

  // Next run: 304, no archive requests.
  ctx.NextRun();
  server.ClearRequests();
  ASSERT_TRUE(source->Run(ctx).ok());
  EXPECT_TRUE(ctx.records.empty());
  EXPECT_EQ(server.RequestsFor("/blogs/stack/api/v1/archive").size(), 0u);
}

TEST(FeedPlatformTest, BloggerStartIndexPaging) {
  TestServer server;
  BlogSite site(Blog("blogger", 12, 5));
  site.Install(&server, "/blogs/spot");
  auto http = MakeClient(server);
  auto source = MakeSource({{"feed_url", server.Url(site.FeedPath())}, {"archive_page_size", 5}});
  FakeSourceContext ctx("blog:spot", http.get());
  ASSERT_TRUE(source->Run(ctx).ok());
  EXPECT_EQ(ctx.records.size(), 12u) << Describe(ctx);
  EXPECT_EQ(CountQuery(server, site.FeedPath(), "start-index=6&max-results=5"), 1u);
  EXPECT_EQ(CountQuery(server, site.FeedPath(), "start-index=11&max-results=5"), 1u);
  EXPECT_EQ(CountQuery(server, site.FeedPath(), "start-index=13&max-results=5"), 1u);  // empty: the end
  // Links are relative with xml:base on the link element.
  const Record* r = ctx.Find("web:https://127.0.0.1:" + std::to_string(server.port()) + site.PostPath("post-7"));
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->metadata.value("platform", ""), "blogger");
}

TEST(FeedPlatformTest, GhostSitemapIndexFoundThroughRobots) {
  TestServer server;
  BlogSite site(Blog("ghost", 8, 5));
  site.Install(&server, "/blogs/ghostly");
  std::string robots = "User-agent: *\nAllow: /\n";
  for (const std::string& line : site.RobotsLines(server.BaseUrl())) robots += line + "\n";
  robots += "Sitemap: " + server.BaseUrl() + "/blogs/someone-else/sitemap.xml\n";
  server.ServeRobots(robots);
  auto http = MakeClient(server);
  auto source = MakeSource({{"feed_url", server.Url(site.FeedPath())}});
  FakeSourceContext ctx("blog:ghostly", http.get());
  ASSERT_TRUE(source->Run(ctx).ok());
  EXPECT_EQ(ctx.records.size(), 8u) << Describe(ctx);
  EXPECT_EQ(server.Count("/blogs/ghostly/sitemap.xml"), 1u);
  EXPECT_EQ(server.Count("/blogs/ghostly/sitemap-posts.xml"), 1u);
  EXPECT_EQ(server.Count("/blogs/ghostly/sitemap-pages.xml"), 0u);
  EXPECT_EQ(server.Count("/blogs/someone-else/sitemap.xml"), 0u);
  // The three posts older than the feed come from their pages, article only.
  const Record* r = ctx.Find("web:https://127.0.0.1:" + std::to_string(server.port()) + site.PostPath("post-6"));
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->metadata.value("text_from", ""), "page");
  EXPECT_EQ(r->title, "Alignment note number 6");
  EXPECT_EQ(r->date_published, FormatRfc3339Utc(1700000000 - 6 * 86400));
  EXPECT_NE(r->text.find("Body of note 6"), std::string::npos) << r->text;
  for (const char* chrome : {"Popular posts", "Leave a comment", "All rights reserved", "First!", "Subscribe to our"}) {
    EXPECT_EQ(r->text.find(chrome), std::string::npos) << chrome << " in\n" << r->text;
  }
  // Next run: the sitemaps are asked for conditionally and nothing is fetched again.
  ctx.NextRun();
  server.ClearRequests();
  ASSERT_TRUE(source->Run(ctx).ok());
  EXPECT_TRUE(ctx.records.empty());
  for (const auto& req : server.Requests()) {
    EXPECT_EQ(req.path.find("/blogs/ghostly/post-"), std::string::npos) << req.path;
  }
}

TEST(FeedPlatformTest, SummaryOnlyFeedWithGzipSitemap) {
  TestServer server;
  BlogData data = Blog("generic", 6, 4);
  data.summary_only = true;
  data.gzip_sitemap = true;
  BlogSite site(std::move(data));
  site.Install(&server, "/blogs/plain");
  std::string robots;
  for (const std::string& line : site.RobotsLines(server.BaseUrl())) robots += line + "\n";
  server.ServeRobots(robots);
  auto http = MakeClient(server);
  auto source = MakeSource({{"feed_url", server.Url(site.FeedPath())}});
  FakeSourceContext ctx("blog:plain", http.get());
  ASSERT_TRUE(source->Run(ctx).ok());
  EXPECT_EQ(ctx.records.size(), 6u) << Describe(ctx);
  EXPECT_EQ(server.Count("/blogs/plain/sitemap-posts.xml.gz"), 1u);
  // The home page, the about page and the tag page in the sitemap are not posts.
  EXPECT_EQ(server.Count("/blogs/plain/about/"), 0u);
  EXPECT_EQ(server.Count("/blogs/plain/tag/alignment/"), 0u);
  EXPECT_EQ(server.Count("/blogs/plain/"), 0u);
  for (const Record& r : ctx.records) {
    SCOPED_TRACE(r.id);
    EXPECT_EQ(r.metadata.value("text_from", ""), "page");
    EXPECT_EQ(r.metadata.value("text_format", ""), "html-page");
    EXPECT_NE(r.text.find("Second paragraph of note"), std::string::npos) << r.text;
    EXPECT_EQ(r.text.find("Popular posts"), std::string::npos);
  }
  const Record* r0 = ctx.Find("web:https://127.0.0.1:" + std::to_string(server.port()) + site.PostPath("post-0"));
  ASSERT_NE(r0, nullptr);
  EXPECT_EQ(r0->summary, "Summary of note 0.");  // from the feed

  // fetch_pages never: the summaries themselves, no page requested.
  TestServer server2;
  BlogData data2 = Blog("generic", 3, 4);
  data2.summary_only = true;
  BlogSite site2(std::move(data2));
  site2.Install(&server2, "/b");
  auto http2 = MakeClient(server2);
  auto never = MakeSource({{"feed_url", server2.Url(site2.FeedPath())}, {"fetch_pages", "never"}, {"history", false}});
  FakeSourceContext ctx2("blog:never", http2.get());
  ASSERT_TRUE(never->Run(ctx2).ok());
  ASSERT_EQ(ctx2.records.size(), 3u);
  EXPECT_EQ(ctx2.records[0].metadata.value("text_from", ""), "feed-summary");
  EXPECT_EQ(ctx2.records[0].text, "Summary of note 0.\n");
  EXPECT_EQ(server2.Count(site2.PostPath("post-0")), 0u);
}

TEST(FeedPlatformTest, MediumFeedHoldsTheLatestTenAndTheSitemapTheRest) {
  TestServer server;
  BlogData data = Blog("medium", 25, 10);
  for (int i = 0; i < 25; ++i) {  // two years of posts: the sitemap has one file per year
    data.posts[static_cast<size_t>(i)].published = FormatRfc3339Utc(1700000000 - int64_t{i} * 30 * 86400);
  }
  BlogSite site(std::move(data));
  site.Install(&server, "/blogs/med");
  auto http = MakeClient(server);
  // Without history: the feed's ten.
  auto feed_only = MakeSource({{"feed_url", server.Url(site.FeedPath())}, {"history", false}});
  FakeSourceContext ctx1("blog:med", http.get());
  ASSERT_TRUE(feed_only->Run(ctx1).ok());
  EXPECT_EQ(ctx1.records.size(), 10u);
  EXPECT_EQ(server.Count(site.SitemapPath()), 0u);

  // With history: the publication's sitemap index, its yearly post sitemaps, and every older post;
  // its other pages (about, a tag listing) are not posts. (A new client: the first one would get
  // a 304 for the feed, and this new state knows no site URL.)
  auto http2 = MakeClient(server);
  auto source = MakeSource({{"feed_url", server.Url(site.FeedPath())}});
  FakeSourceContext ctx("blog:med", http2.get());
  ASSERT_TRUE(source->Run(ctx).ok());
  EXPECT_EQ(ctx.records.size(), 25u) << Describe(ctx);
  EXPECT_EQ(server.Count(site.SitemapPath()), 1u);
  EXPECT_GE(server.Count("/blogs/med/sitemap/posts/2023.xml"), 1u);
  EXPECT_EQ(server.Count("/blogs/med/about"), 0u);
  EXPECT_EQ(server.Count("/blogs/med/tagged/alignment"), 0u);
  EXPECT_NE(ctx.Find("web:https://127.0.0.1:" + std::to_string(server.port()) + site.PostPath("post-24")), nullptr);
}

// Sentences of about 20 words each, numbered so that every part of a post is told apart.
std::string Sentences(const std::string& label, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) {
    out += "In " + label + " sentence " + std::to_string(i) +
           " we note that an optimiser pushed against a proxy finds the gap between the proxy and the goal. ";
  }
  return out;
}

// Posts of a first section (about 220 words: a whole post by the 150-word rule) and, with
// long_posts, four more sections (about 1,800 words) after an <h2>.
std::vector<BlogPostData> SectionedPosts(int n, bool long_posts) {
  std::vector<BlogPostData> posts = MakePosts(n);
  for (int i = 0; i < n; ++i) {
    std::string id = std::to_string(i);
    std::string html = "<p>" + Sentences("the opening of post " + id, 11) + "</p>";
    if (long_posts) {
      for (int part = 2; part <= 5; ++part) {
        html += "<h2>Part " + std::to_string(part) + "</h2><p>" +
                Sentences("part " + std::to_string(part) + " of post " + id, 22) + "</p>";
      }
    }
    posts[static_cast<size_t>(i)].html = html;
  }
  return posts;
}

// The feed blog of the summary measure tests: summary-only, each summary the post's first section.
BlogData FirstSectionBlog(int posts, bool long_posts) {
  BlogData d = Blog("generic", posts, 10);
  d.posts = SectionedPosts(posts, long_posts);
  d.summary_only = true;
  d.summary_first_section = true;
  return d;
}

size_t PostPageRequests(const TestServer& server, const BlogSite& site, int posts) {
  size_t n = 0;
  for (int i = 0; i < posts; ++i) n += server.Count(site.PostPath("post-" + std::to_string(i)));
  return n;
}

TEST(FeedSummaryTest, LongSummariesOfLongerPostsAreMeasuredAndEveryPageIsRead) {
  // Hugo's default feed: each description is the post's first section, 220 words, which the
  // 150-word rule alone took for the whole post. The pages hold 2,000 words.
  TestServer server;
  BlogSite site(FirstSectionBlog(6, /*long_posts=*/true));
  site.Install(&server, "/blogs/hugo");
  auto http = MakeClient(server);
  auto source = MakeSource({{"feed_url", server.Url(site.FeedPath())}, {"history", false}});
  FakeSourceContext ctx("blog:hugo", http.get());
  ASSERT_TRUE(source->Run(ctx).ok());
  ASSERT_EQ(ctx.records.size(), 6u) << Describe(ctx);
  for (const Record& r : ctx.records) {
    SCOPED_TRACE(r.id);
    EXPECT_EQ(r.metadata.value("text_from", ""), "page");
    EXPECT_NE(r.text.find("part 5 of post"), std::string::npos) << "the whole article, not its first section";
  }
  EXPECT_EQ(PostPageRequests(server, site, 6), 6u);
  EXPECT_EQ(ctx.notes.value("feed_summaries", ""), "summary-only") << ctx.notes.dump();
  EXPECT_EQ(ctx.notes.value("summary_pages_compared", 0), 3);
  json state = json::parse(ctx.checkpoints.back().second);
  EXPECT_EQ(state["summaries"]["kind"], "summary-only");
  EXPECT_TRUE(IsRfc3339Utc(state["summaries"]["checked"].get<std::string>()));

  // The next run keeps the decision without measuring: a new post is read from its page at once.
  ctx.NextRun();
  BlogPostData extra = SectionedPosts(7, true)[6];
  extra.published = FormatRfc3339Utc(1800000000);
  site.SetPost(extra);
  ASSERT_TRUE(source->Run(ctx).ok());
  ASSERT_EQ(ctx.records.size(), 1u) << Describe(ctx);
  EXPECT_EQ(ctx.records[0].metadata.value("text_from", ""), "page");
  EXPECT_FALSE(ctx.notes.contains("summary_pages_compared"));
  EXPECT_EQ(ctx.notes.value("feed_summaries", ""), "summary-only");
}

TEST(FeedSummaryTest, SummariesThatHoldThePostsAreKeptAndLaterPagesAreNotFetched) {
  TestServer server;
  BlogSite site(FirstSectionBlog(6, /*long_posts=*/false));  // the first section is the whole post
  site.Install(&server, "/blogs/whole");
  auto http = MakeClient(server);
  auto source = MakeSource({{"feed_url", server.Url(site.FeedPath())}, {"history", false}});
  FakeSourceContext ctx("blog:whole", http.get());
  ASSERT_TRUE(source->Run(ctx).ok());
  ASSERT_EQ(ctx.records.size(), 6u) << Describe(ctx);
  for (const Record& r : ctx.records) EXPECT_EQ(r.metadata.value("text_from", ""), "feed-summary") << r.id;
  EXPECT_EQ(PostPageRequests(server, site, 6), 3u);  // the three measured, no more
  EXPECT_EQ(ctx.notes.value("feed_summaries", ""), "whole-posts");

  ctx.NextRun();
  BlogPostData extra = SectionedPosts(7, false)[6];
  extra.published = FormatRfc3339Utc(1800000000);
  site.SetPost(extra);
  ASSERT_TRUE(source->Run(ctx).ok());
  ASSERT_EQ(ctx.records.size(), 1u);
  EXPECT_EQ(ctx.records[0].metadata.value("text_from", ""), "feed-summary");
  EXPECT_EQ(server.Count(site.PostPath("post-6")), 0u);
}

TEST(FeedSummaryTest, ARecheckFindsATemplateChangeAndRereadsPostsStoredFromSummaries) {
  TestServer server;
  BlogSite site(FirstSectionBlog(4, /*long_posts=*/false));
  site.Install(&server, "/blogs/switch");
  auto http = MakeClient(server);
  // summary_recheck_days 0: every run measures again.
  auto source = MakeSource({{"feed_url", server.Url(site.FeedPath())}, {"history", false}, {"summary_recheck_days", 0}});
  FakeSourceContext ctx("blog:switch", http.get());
  ASSERT_TRUE(source->Run(ctx).ok());
  ASSERT_EQ(ctx.records.size(), 4u);
  EXPECT_EQ(ctx.notes.value("feed_summaries", ""), "whole-posts");

  // The posts grow past their first section (the blog now publishes a section per summary), and
  // a new post changes the feed.
  for (BlogPostData p : SectionedPosts(4, /*long_posts=*/true)) site.SetPost(p);
  BlogPostData extra = SectionedPosts(5, true)[4];
  extra.published = FormatRfc3339Utc(1800000000);
  site.SetPost(extra);
  ctx.NextRun();
  ASSERT_TRUE(source->Run(ctx).ok());
  EXPECT_EQ(ctx.notes.value("feed_summaries", ""), "summary-only");
  // The new post and every post stored from its summary, read from their pages.
  ASSERT_EQ(ctx.records.size(), 5u) << Describe(ctx);
  for (const Record& r : ctx.records) {
    EXPECT_EQ(r.metadata.value("text_from", ""), "page") << r.id;
    EXPECT_NE(r.text.find("part 3 of post"), std::string::npos);
  }
}

TEST(FeedSummaryTest, AFullContentFeedFetchesNoPage) {
  TestServer server;
  BlogData data = Blog("generic", 5, 10);
  data.posts = SectionedPosts(5, true);
  BlogSite site(std::move(data));  // Atom <content>: the whole post
  site.Install(&server, "/blogs/full");
  auto http = MakeClient(server);
  auto source = MakeSource({{"feed_url", server.Url(site.FeedPath())}, {"history", false}});
  FakeSourceContext ctx("blog:full", http.get());
  ASSERT_TRUE(source->Run(ctx).ok());
  ASSERT_EQ(ctx.records.size(), 5u);
  EXPECT_EQ(PostPageRequests(server, site, 5), 0u);
  for (const Record& r : ctx.records) EXPECT_EQ(r.metadata.value("text_from", ""), "feed-content");
  EXPECT_FALSE(ctx.notes.contains("feed_summaries"));
}

TEST(FeedPlatformTest, ASiteWithoutAFeedIsReadFromItsSitemap) {
  TestServer server;
  BlogSite site(Blog("generic", 7, 10));
  site.Install(&server, "/blogs/nofeed");
  auto http = MakeClient(server);
  auto source = MakeSource(
      {{"sitemap_url", server.Url(site.SitemapPath())}, {"site_url", server.Url(site.HomePath())}, {"history", false}});
  FakeSourceContext ctx("blog:nofeed", http.get());
  ASSERT_TRUE(source->Run(ctx).ok()) << Describe(ctx);
  EXPECT_EQ(ctx.records.size(), 7u) << Describe(ctx);
  EXPECT_EQ(server.Count(site.FeedPath()), 0u);
  EXPECT_EQ(server.Count(site.HomePath()), 0u);  // no feed to discover; the home page is not a post
  for (const Record& r : ctx.records) {
    EXPECT_EQ(r.metadata.value("text_from", ""), "page");
    EXPECT_FALSE(r.title.empty());  // from the page
  }
  // The next run reads the sitemap again (conditional GET): nothing new, nothing emitted.
  ctx.NextRun();
  ASSERT_TRUE(source->Run(ctx).ok());
  EXPECT_TRUE(ctx.records.empty());
  EXPECT_EQ(server.Count(site.SitemapPath()), 2u);
}

TEST(FeedPlatformTest, ASiteListingItsPostsOnlyOnAnIndexPage) {
  TestServer server;
  BlogSite site(Blog("generic", 5, 10));
  site.Install(&server, "/blogs/papers");
  // The index: relative and absolute links to the posts, a fragment link to one of them, and
  // navigation that is not a post.
  std::string index = "<html><head><base href=\"/blogs/papers/\"></head><body><nav><a href=\"/\">Home</a>"
                      "<a href=\"about/\">About</a><a href=\"mailto:x@example.org\">Mail</a></nav><ul>";
  for (int i = 0; i < 5; ++i) {
    std::string path = site.PostPath("post-" + std::to_string(i));
    index += i % 2 ? "<li><a href=\"" + server.Url(path) + "\">Post " + std::to_string(i) + "</a></li>"
                   : "<li><a href=\"" + path.substr(std::string("/blogs/papers/").size()) + "\">Post</a></li>";
  }
  index += "<li><a href=\"" + site.PostPath("post-0") + "#comments\">comments</a></li></ul></body></html>";
  server.Route("/papers-index", Reply::Text(index, "text/html"));
  auto http = MakeClient(server);
  json config = {{"index_urls", {server.Url("/papers-index")}},
                 {"index_include", {server.Url("/blogs/papers/posts/*")}}};
  auto source = MakeSource(config);
  FakeSourceContext ctx("blog:papers", http.get());
  ASSERT_TRUE(source->Run(ctx).ok()) << Describe(ctx);
  EXPECT_EQ(ctx.records.size(), 5u) << Describe(ctx);
  EXPECT_EQ(server.Count("/blogs/papers/about/"), 0u);
  EXPECT_EQ(server.Count(site.PostPath("post-0")), 1u);  // the #comments link is the same page
  for (const Record& r : ctx.records) EXPECT_EQ(r.metadata.value("text_from", ""), "page");

  // Next run: the index again (conditional), the posts known: nothing fetched.
  ctx.NextRun();
  ASSERT_TRUE(source->Run(ctx).ok());
  EXPECT_TRUE(ctx.records.empty());
  EXPECT_EQ(server.Count(site.PostPath("post-1")), 1u);

  // index_urls without index_include is refused: an index links to much that is not a post.
  Result<SourceConfig> bad = ValidateSourceConfig(
      {{"kind", "feed"}, {"name", "blog:x"}, {"index_urls", {"https://x.org/papers"}}}, "test");
  ASSERT_TRUE(bad.ok());
  Result<std::unique_ptr<Source>> refused = FindSourceKind("feed")->create(bad.value());
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("index_include"), std::string::npos);
}

TEST(FeedUrlTest, AnHttpOnlySiteKeepsItsHttpUrlsAndTheIdIgnoresTheScheme) {
  TestServer server;  // plain http, as an http-only site
  BlogData data = Blog("wordpress", 3, 10);
  data.summary_only = true;  // pages fetched too: their URLs keep the scheme as well
  BlogSite site(std::move(data));
  site.Install(&server, "/blogs/plain");
  auto http = MakeClient(server);
  auto source = MakeSource({{"feed_url", server.Url(site.FeedPath())}, {"history", false}});
  FakeSourceContext ctx("blog:plain", http.get());
  ASSERT_TRUE(source->Run(ctx).ok());
  ASSERT_EQ(ctx.records.size(), 3u) << Describe(ctx);
  for (const Record& r : ctx.records) {
    SCOPED_TRACE(r.id);
    EXPECT_EQ(r.url.rfind("http://127.0.0.1:", 0), 0u) << r.url;
    EXPECT_EQ(r.id, "web:" + CanonicalizeUrl(r.url));
    EXPECT_EQ(r.id.rfind("web:https://127.0.0.1:", 0), 0u);
  }
  EXPECT_EQ(ctx.records[0].metadata.value("text_from", ""), "page");
}

TEST(FeedPlatformTest, FeedFoundFromTheHomePage) {
  TestServer server;
  BlogSite site(Blog("wordpress", 3, 10));
  site.Install(&server, "/blogs/home");
  auto http = MakeClient(server);
  auto source = MakeSource({{"site_url", server.Url(site.HomePath())}, {"history", false}});
  FakeSourceContext ctx("blog:home", http.get());
  ASSERT_TRUE(source->Run(ctx).ok());
  EXPECT_EQ(ctx.records.size(), 3u) << Describe(ctx);
  EXPECT_EQ(server.Count("/blogs/home/comments/feed/"), 0u);  // the comments feed is skipped
}

// ---- Failures ----

TEST(FeedFailureTest, MalformedFeedIsReportedWithTheBlogAndTheParserMessage) {
  TestServer server;
  server.Route("/broken/feed", Reply::Text("<?xml version=\"1.0\"?>\n<rss><channel><title>x <b>y</title>"
                                           "<item><title>t</title></item></channel></rss>",
                                           "application/rss+xml"));
  auto http = MakeClient(server);
  auto source = MakeSource({{"name", "blog:broken"}, {"feed_url", server.Url("/broken/feed")}});
  FakeSourceContext ctx("blog:broken", http.get());
  Status s = source->Run(ctx);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Status::Code::kCorruption);
  EXPECT_NE(s.message().find("blog blog:broken"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("mismatch"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("line 2"), std::string::npos) << s.message();
  EXPECT_TRUE(ctx.records.empty());

  // A feed cut off mid-way: the complete items are kept and the damage reported.
  std::string truncated =
      "<rss><channel><title>Half</title>"
      "<item><title>One</title><link>" + server.Url("/half/one") + "</link><description>" + std::string(200, 'w') +
      " words</description><content:encoded xmlns:content=\"http://purl.org/rss/1.0/modules/content/\">"
      "<![CDATA[<p>One whole post with enough words to count as complete: reward, oversight, evals, "
      "interpretability, honesty.</p>]]></content:encoded></item>"
      "<item><title>Two</title><link>" + server.Url("/half/two") + "</link><descr";
  server.ServeConditional("/half/feed", truncated, "\"half-1\"", "");
  auto half = MakeSource({{"name", "blog:half"}, {"feed_url", server.Url("/half/feed")}, {"history", false}});
  FakeSourceContext ctx2("blog:half", http.get());
  ASSERT_TRUE(half->Run(ctx2).ok());
  ASSERT_EQ(ctx2.records.size(), 1u) << Describe(ctx2);
  EXPECT_EQ(ctx2.records[0].title, "One");
  ASSERT_EQ(ctx2.failures.size(), 1u);
  EXPECT_NE(ctx2.failures[0].second.find("malformed feed"), std::string::npos);
  // The half-read feed is fetched in full next time, not answered with 304.
  ctx2.NextRun();
  ASSERT_TRUE(half->Run(ctx2).ok());
  EXPECT_EQ(server.RequestsFor("/half/feed").back().Header("if-none-match"), nullptr);
  EXPECT_EQ(ctx2.unchanged, 1u);  // "One", known; the feed itself was not a 304
  EXPECT_EQ(ctx2.failures.size(), 1u);
}

TEST(FeedFailureTest, UnreachableFeedAndMissingPages) {
  TestServer server;
  server.Route("/gone/feed", Reply::Status(404));
  auto http = MakeClient(server);
  auto source = MakeSource({{"name", "blog:gone"}, {"feed_url", server.Url("/gone/feed")}});
  FakeSourceContext ctx("blog:gone", http.get());
  Status s = source->Run(ctx);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("blog blog:gone"), std::string::npos) << s.message();
  EXPECT_EQ(s.http_status(), 404);

  // A summary-only entry whose page is gone: the summary is kept and the page tried again later.
  std::string feed = "<rss><channel><title>S</title><item><title>Lost page</title><link>" + server.Url("/s/lost") +
                     "</link><description>Only a short summary.</description></item></channel></rss>";
  server.Route("/s/feed", Reply::Text(feed, "application/rss+xml"));
  auto summary = MakeSource({{"name", "blog:s"}, {"feed_url", server.Url("/s/feed")}, {"history", false}});
  FakeSourceContext ctx2("blog:s", http.get());
  ASSERT_TRUE(summary->Run(ctx2).ok());
  ASSERT_EQ(ctx2.records.size(), 1u);
  EXPECT_EQ(ctx2.records[0].metadata.value("text_from", ""), "feed-summary");
  EXPECT_TRUE(ctx2.records[0].metadata.contains("page_error"));
  server.Route("/s/lost", Reply::Text("<html><body><article><h1>Lost page</h1><p>The whole post is back, with all "
                                      "of its paragraphs about alignment and oversight.</p></article></body></html>",
                                      "text/html"));
  ctx2.NextRun();
  http->ForgetValidators(server.Url("/s/feed"));
  ASSERT_TRUE(summary->Run(ctx2).ok());
  ASSERT_EQ(ctx2.records.size(), 1u);
  EXPECT_EQ(ctx2.records[0].metadata.value("text_from", ""), "page");
}

TEST(FeedFailureTest, DamagedStateIsReportedNotThrown) {
  TestServer server;
  auto http = MakeClient(server);
  auto source = MakeSource({{"name", "blog:damaged"}, {"feed_url", server.Url("/feed")}});
  FakeSourceContext ctx("blog:damaged", http.get());
  ctx.state["feed"] = "{\"platform\": 3, \"seen\": []}";
  Status s = source->Run(ctx);
  EXPECT_EQ(s.code(), Status::Code::kCorruption) << s.ToString();
  EXPECT_NE(s.message().find("blog blog:damaged"), std::string::npos) << s.message();
  ctx.state["feed"] = "not json";
  EXPECT_EQ(source->Run(ctx).code(), Status::Code::kCorruption);
  EXPECT_EQ(server.TotalCount(), 0u);
}

TEST(FeedConfigTest, BadSettingsAreRejected) {
  const SourceKind* kind = FindSourceKind("feed");
  ASSERT_NE(kind, nullptr);
  auto create = [&](json entry) {
    entry["name"] = "blog:x";
    entry["kind"] = "feed";
    Result<SourceConfig> config = ValidateSourceConfig(entry, "test");
    if (!config.ok()) return config.status();
    return kind->create(config.value()).status();
  };
  EXPECT_TRUE(create({{"feed_url", "https://x.org/feed"}}).ok());
  EXPECT_FALSE(create(json::object()).ok());
  EXPECT_FALSE(create({{"feed_url", "ftp://x.org/feed"}}).ok());
  EXPECT_FALSE(create({{"feed_url", "https://x.org/feed"}, {"platform", "tumblr"}}).ok());
  EXPECT_FALSE(create({{"feed_url", "https://x.org/feed"}, {"fetch_pages", "sometimes"}}).ok());
  EXPECT_FALSE(create({{"feed_url", "https://x.org/feed"}, {"feeds_url", "x"}}).ok());
}

// The quickstart's blogs (examples/mirror/blogs) served as the offline mirror serves them, read
// with the feed entries of configs/quickstart.json (or, before those exist, entries made here).
TEST(FeedMirrorDataTest, QuickstartBlogsLoadAndServe) {
  const char* source_dir = getenv("ALCOR_SOURCE_DIR");
  if (!source_dir) GTEST_SKIP() << "ALCOR_SOURCE_DIR is not set";
  std::string dir = std::string(source_dir) + "/examples/mirror/blogs";
  if (!Env::Default()->IsDirectory(dir)) GTEST_SKIP() << dir << " is absent";
  TestServer server;
  Result<std::vector<std::string>> lines = testing::InstallBlogsFromDirectory(&server, dir, "/blogs");
  ASSERT_TRUE(lines.ok()) << lines.status().ToString();
  ASSERT_FALSE(lines->empty());
  std::string robots;
  for (const std::string& l : *lines) robots += l + "\n";
  server.ServeRobots(robots);
  ::setenv("MIRROR_PORT", std::to_string(server.port()).c_str(), 1);

  json entries = json::array();
  std::string config_text;
  if (ReadFileToString(Env::Default(), std::string(source_dir) + "/configs/quickstart.json", &config_text).ok()) {
    json config = json::parse(config_text, nullptr, false);
    if (config.is_object() && config.contains("sources") && config["sources"].is_array()) {
      for (const json& e : config["sources"])
        if (e.is_object() && e.value("kind", "") == "feed") entries.push_back(e);
    }
  }
  if (entries.empty()) {
    std::vector<std::string> names;
    ASSERT_TRUE(Env::Default()->GetChildren(dir, &names).ok());
    for (const std::string& name : names) {
      Result<BlogData> data = BlogData::LoadDirectory(dir + "/" + name);
      if (!data.ok()) continue;
      std::string platform = data->platform;
      BlogSite probe(std::move(data.value()));
      TestServer scratch;
      probe.Install(&scratch, "/blogs/" + name);
      entries.push_back({{"name", "blog:" + name}, {"kind", "feed"}, {"platform", platform},
                         {"feed_url", "http://127.0.0.1:${MIRROR_PORT}" + probe.FeedPath()}});
    }
  }
  // The config names the mirror's fixed port: point every URL at this test's server instead.
  std::function<void(json*)> repoint = [&](json* v) {
    if (v->is_string()) {
      std::string s = v->get<std::string>();
      const std::string loopback = "http://127.0.0.1:";
      if (s.rfind(loopback, 0) == 0) {
        size_t slash = s.find('/', loopback.size());
        *v = server.BaseUrl() + (slash == std::string::npos ? "" : s.substr(slash));
      }
    } else if (v->is_object() || v->is_array()) {
      for (json& e : *v) repoint(&e);
    }
  };
  for (json& e : entries) repoint(&e);
  auto http = MakeClient(server);
  size_t total = 0;
  for (const json& entry : entries) {
    SCOPED_TRACE(entry.dump());
    Result<SourceConfig> config = ValidateSourceConfig(entry, "quickstart");
    ASSERT_TRUE(config.ok()) << config.status().ToString();
    auto source = FindSourceKind("feed")->create(config.value());
    ASSERT_TRUE(source.ok()) << source.status().ToString();
    FakeSourceContext ctx(config->name, http.get());
    ASSERT_TRUE(source.value()->Run(ctx).ok());
    EXPECT_FALSE(ctx.records.empty()) << Describe(ctx);
    EXPECT_TRUE(ctx.failures.empty()) << Describe(ctx);
    EXPECT_TRUE(ctx.conversion_failures.empty()) << Describe(ctx);
    total += ctx.records.size();
  }
  EXPECT_GE(total, 8u);
}

}  // namespace
}  // namespace alcor
