// The forummagnum source against the emulated GraphQL endpoint (testing/alcor_testing/emulators/forum_site.hpp)
// on the loopback server, with the real libcurl client; plus contract tests on the real payloads
// in ../shared/fixtures/real/forummagnum.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>

#include "alcor/config.hpp"
#include "alcor/corpus.hpp"
#include "alcor/dedup.hpp"
#include "alcor/http.hpp"
#include "alcor/pipeline.hpp"
#include "alcor/source.hpp"
#include "alcor/store.hpp"
#include "alcor_testing/emulators/forum_site.hpp"
#include "alcor_testing/fake_source_context.hpp"
#include "alcor_testing/test_server.hpp"
#include "dedup/merge.hpp"
#include "sources/forummagnum/forummagnum.hpp"
#include "support/store_helpers.hpp"
#include "support/temp_dir.hpp"

namespace alcor {
namespace {

using json = nlohmann::json;
using testing::ForumSite;
using testing::ForumSiteOptions;
using testing::Reply;
using testing::TestServer;

json ReadJson(const std::string& path) {
  json j = json::parse(testing::ReadFile(path), nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << path;
  return j;
}

json FixturePosts() { return ReadJson(testing::ProjectFixturesDir() + "/forummagnum/posts.json"); }
json FixtureComments() { return ReadJson(testing::ProjectFixturesDir() + "/forummagnum/comments.json"); }

std::unique_ptr<HttpClient> MakeClient(int max_attempts = 2) {
  ::setenv("no_proxy", "*", 1);
  HttpOptions o;
  o.default_rule = HostRule{4, 0.0, {}};
  o.retry.max_attempts = max_attempts;
  o.retry.initial_backoff_ms = 10;
  o.retry.max_backoff_ms = 20;
  o.connect_timeout_ms = 2000;
  o.timeout_ms = 10000;
  o.jitter_seed = 3;
  Result<std::unique_ptr<HttpClient>> client = NewCurlHttpClient(std::move(o));
  EXPECT_TRUE(client.ok()) << client.status().ToString();
  return std::move(client).value();
}

// A source built from a config entry exactly as `alcor scrape` builds it.
std::unique_ptr<Source> MakeSource(json entry) {
  Result<SourceConfig> config = ValidateSourceConfig(entry, "test: sources[0]");
  EXPECT_TRUE(config.ok()) << config.status().ToString();
  const SourceKind* kind = FindSourceKind("forummagnum");
  EXPECT_NE(kind, nullptr);
  Result<std::unique_ptr<Source>> source = kind->create(config.value());
  EXPECT_TRUE(source.ok()) << source.status().ToString();
  return std::move(source).value();
}

json Entry(const TestServer& server, const std::string& prefix, json extra = json::object()) {
  json e = {{"name", "lesswrong"}, {"kind", "forummagnum"}, {"base_url", server.Url(prefix)}, {"site", "lesswrong"}};
  e.update(extra);
  return e;
}

std::vector<std::string> Ids(const ::testing::FakeSourceContext& ctx) {
  std::vector<std::string> ids;
  for (const Record& r : ctx.records) ids.push_back(r.id);
  return ids;
}

std::vector<json> PostQueries(const ForumSite& site) {
  std::vector<json> out;
  for (const json& q : site.Queries())
    if (q["op"] == "posts") out.push_back(q["terms"]);
  return out;
}

// alcor scrape in miniature: the source entries run by the Scraper into the store at dir (the
// deduplicator, commits, the run report) with the real libcurl client.
Status Scrape(const std::string& dir, const json& sources, RunReport* report, ScrapeOptions options = {}) {
  Result<RunConfig> config = ParseRunConfig(json{{"sources", sources}}.dump(), "test.json");
  if (!config.ok()) return config.status();
  std::unique_ptr<Store> store;
  ALCOR_RETURN_IF_ERROR(Store::Open(Env::Default(), dir, StoreOptions(), &store));
  auto http = MakeClient();
  options.workers = 2;
  Scraper scraper(store.get(), http.get(), config.value(), options);
  return scraper.Run(report);
}

// The current records of the store at dir (superseded lines left out), by id; *lines counts
// the current lines of each id.
std::map<std::string, Record> StoredRecords(const std::string& dir, std::map<std::string, int>* lines = nullptr) {
  std::map<std::string, Record> out;
  for (Record& r : testing::CurrentRecords(dir)) {
    if (lines) ++(*lines)[r.id];
    out[r.id] = std::move(r);
  }
  return out;
}

// Every wanted post of the fixtures (no event, no draft), in postedAt order.
const std::vector<std::string> kAllPosts = {
    "lw:Aq7mTz3LwR9cKd2Xe", "lw:Bh4nVx8PqS2wLm6Ty", "lw:Ct1aTies00000000a", "lw:Ct1aTies00000000b",
    "lw:Ct1aTies00000000c", "lw:Fx7LowKarmaPost1z", "lw:Gy8NotAiPost0001w", "lw:Hz9QuestionPost1v"};

// ---------------------------------------------------------------------------------------------
// Paging and the cursor

TEST(ForumMagnumTest, FirstRunPagesThroughPostedAtTiesAndEmitsEachPostOnce) {
  TestServer server;
  ForumSite site(FixturePosts(), FixtureComments());
  site.Install(&server, "/forum/lw");
  auto http = MakeClient();
  ::testing::FakeSourceContext ctx("lesswrong", http.get());
  // Page size 2 against three posts sharing one postedAt: the inclusive `after` returns the two
  // already seen, so the source must grow the page rather than loop or stop early.
  auto source = MakeSource(Entry(server, "/forum/lw", {{"page_size", 2}}));
  Status s = source->Run(ctx);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(Ids(ctx), kAllPosts);
  EXPECT_TRUE(ctx.failures.empty()) << ctx.failures[0].second;
  EXPECT_TRUE(ctx.conversion_failures.empty()) << ctx.conversion_failures[0].second;
  EXPECT_EQ(ctx.unchanged, 0u);

  std::vector<json> queries = PostQueries(site);
  ASSERT_GE(queries.size(), 3u);
  EXPECT_LT(queries.size(), 12u) << "the pass must not loop";
  bool grew = false;
  for (const json& t : queries) {
    EXPECT_EQ(t["view"], "old");
    EXPECT_EQ(t["excludeEvents"], true);
    ASSERT_TRUE(t.contains("limit")) << "always send a limit";
    if (t["limit"].get<int>() > 2) grew = true;
  }
  EXPECT_TRUE(grew) << "a page full of ties must make the next request larger";
  EXPECT_FALSE(queries.front().contains("after"));
  EXPECT_EQ(queries.back()["after"], "2021-05-10T15:30:00.000Z");

  ASSERT_FALSE(ctx.checkpoints.empty());
  Result<ForumCursor> cursor = ForumCursor::FromJson(ctx.checkpoints.back().second);
  ASSERT_TRUE(cursor.ok()) << cursor.status().ToString();
  EXPECT_EQ(cursor->posted_after, "2021-05-10T15:30:00.000Z");
  EXPECT_EQ(cursor->boundary_ids, std::set<std::string>{"Hz9QuestionPost1v"});
  EXPECT_FALSE(cursor->modified_after.empty());
}

TEST(ForumMagnumTest, MoreTiesThanTheLargestPageAreSkippedPastNotLoopedOn) {
  // 50 posts at one instant and a largest page of 40 (1000 in production): the page grows to the
  // cap, those are emitted, then the pass reports the rest and moves one millisecond on instead of
  // asking forever.
  json posts = json::array();
  json base = FixturePosts()[2];
  for (int i = 0; i < 50; ++i) {
    json p = base;
    char id[32];
    std::snprintf(id, sizeof id, "Tie%014d", i);
    p["_id"] = id;
    p["slug"] = "";
    posts.push_back(p);
  }
  posts.push_back(FixturePosts()[9]);
  TestServer server;
  ForumSite site(posts, json::array());
  site.Install(&server, "/forum/lw");
  auto http = MakeClient();
  ::testing::FakeSourceContext ctx("lesswrong", http.get());
  Result<SourceConfig> config = ValidateSourceConfig(Entry(server, "/forum/lw", {{"page_size", 5}}), "test");
  ASSERT_TRUE(config.ok());
  Result<ForumMagnumOptions> options = ForumMagnumOptionsFromConfig(config.value());
  ASSERT_TRUE(options.ok());
  options->max_limit = 40;
  ASSERT_TRUE(NewForumMagnumSource(options.value())->Run(ctx).ok());
  EXPECT_EQ(ctx.records.size(), 41u);
  std::vector<std::string> ids = Ids(ctx);
  std::set<std::string> unique(ids.begin(), ids.end());
  EXPECT_EQ(unique.size(), ctx.records.size()) << "no post twice";
  EXPECT_NE(ctx.Find("lw:Hz9QuestionPost1v"), nullptr) << "the pass goes on after the ties";
  ASSERT_EQ(ctx.failures.size(), 1u);
  EXPECT_NE(ctx.failures[0].second.find("share this postedAt"), std::string::npos) << ctx.failures[0].second;
  std::vector<json> queries = PostQueries(site);
  EXPECT_LT(queries.size(), 15u);
  int largest = 0;
  for (const json& t : queries) largest = std::max(largest, t["limit"].get<int>());
  EXPECT_EQ(largest, 40);
}

TEST(ForumMagnumTest, AServerIgnoringAfterDoesNotMakeTheSourceLoop) {
  // Always the oldest `limit` posts, whatever `after` says.
  json posts = json::array();
  json base = FixturePosts()[0];
  for (int i = 0; i < 40; ++i) {
    json p = base;
    p["_id"] = "Ignore" + std::to_string(100 + i);
    char date[40];
    std::snprintf(date, sizeof date, "2022-01-%02dT10:00:00.000Z", 1 + i % 28);
    p["postedAt"] = p["modifiedAt"] = std::string(date).replace(11, 2, std::to_string(10 + i / 28));
    posts.push_back(p);
  }
  std::sort(posts.begin(), posts.end(), [](const json& a, const json& b) { return a["postedAt"] < b["postedAt"]; });
  TestServer server;
  server.RouteHandler("/broken/graphql", [&](const testing::ServerRequest& request) {
    json body = json::parse(request.body);
    size_t limit = body["variables"]["terms"].value("limit", 10);
    json results = json::array();
    for (size_t i = 0; i < limit && i < posts.size(); ++i) results.push_back(posts[i]);
    return Reply::Text(json({{"data", {{"posts", {{"results", results}}}}}}).dump(), "application/json");
  });
  auto http = MakeClient();
  ::testing::FakeSourceContext ctx("lesswrong", http.get());
  ASSERT_TRUE(MakeSource(Entry(server, "/broken", {{"page_size", 5}}))->Run(ctx).ok());
  std::vector<std::string> ids = Ids(ctx);
  std::set<std::string> unique(ids.begin(), ids.end());
  EXPECT_EQ(ctx.records.size(), 40u);
  EXPECT_EQ(unique.size(), 40u);
  EXPECT_LT(server.Count("/broken/graphql"), 60u);
}

TEST(ForumMagnumTest, LaterRunsEmitEditedAndNewPostsOnlyAndCountTheUnchanged) {
  TestServer server;
  ForumSite site(FixturePosts(), FixtureComments());
  site.Install(&server, "/forum/lw");
  auto http = MakeClient();
  ::testing::FakeSourceContext ctx("lesswrong", http.get());
  auto source = MakeSource(Entry(server, "/forum/lw"));
  ASSERT_TRUE(source->Run(ctx).ok());
  ASSERT_EQ(ctx.records.size(), kAllPosts.size());

  // Nothing changed: nothing emitted, the boundary post re-read is counted unchanged.
  ctx.NextRun();
  site.ClearQueries();
  ASSERT_TRUE(source->Run(ctx).ok());
  EXPECT_TRUE(ctx.records.empty()) << ctx.records[0].id;
  EXPECT_EQ(ctx.unchanged, 1u);
  std::vector<json> queries = PostQueries(site);
  ASSERT_FALSE(queries.empty());
  EXPECT_EQ(queries.front()["timeField"], "modifiedAt") << "edits are looked for first";

  // An edit of an old post and a new post.
  json posts = FixturePosts();
  json edited = posts[0];
  edited["modifiedAt"] = "2021-06-01T08:00:00.000Z";
  edited["contents"]["markdown"] = "A corrected derivation: the return is $$G_t = r_{t+1} + \\gamma G_{t+1}$$\n";
  site.UpsertPost(edited);
  json fresh = posts[2];
  fresh["_id"] = "Jn2NewPostAfterR1";
  fresh["title"] = "A New Post After the First Run";
  fresh["postedAt"] = fresh["modifiedAt"] = "2021-06-02T10:00:00.000Z";
  fresh["contents"]["markdown"] = "Written after the first run finished.";
  site.UpsertPost(fresh);

  ctx.NextRun();
  ASSERT_TRUE(source->Run(ctx).ok());
  EXPECT_EQ(Ids(ctx), (std::vector<std::string>{"lw:Aq7mTz3LwR9cKd2Xe", "lw:Jn2NewPostAfterR1"}));
  ASSERT_EQ(ctx.records.size(), 2u);
  EXPECT_NE(ctx.records[0].text.find("G_t = r_{t+1}"), std::string::npos) << ctx.records[0].text;
  EXPECT_EQ(ctx.records[0].date_modified, "2021-06-01T08:00:00Z");
  EXPECT_EQ(ctx.unchanged, 1u);  // the boundary post of the first run

  // And again nothing: the new post (edited inside the look-back window) is found unchanged by the
  // edited-posts pass (and is the boundary of the new-posts pass: counted once); the older edit is
  // outside the window and not asked for.
  ctx.NextRun();
  site.ClearQueries();
  ASSERT_TRUE(source->Run(ctx).ok());
  EXPECT_TRUE(ctx.records.empty()) << ctx.records[0].id;
  EXPECT_EQ(ctx.unchanged, 1u);
  queries = PostQueries(site);
  ASSERT_FALSE(queries.empty());
  EXPECT_EQ(queries.front()["after"], "2021-06-02T09:50:01.000Z") << "the previous run's start less the margin";
}

TEST(ForumMagnumTest, AnInterruptedRunResumesWithoutLossOrDuplicates) {
  TestServer server;
  ForumSite site(FixturePosts(), FixtureComments());
  site.Install(&server, "/forum/lw");
  auto http = MakeClient();
  ::testing::FakeSourceContext ctx("lesswrong", http.get());
  auto source = MakeSource(Entry(server, "/forum/lw", {{"page_size", 2}}));
  ctx.limit = 3;
  ASSERT_TRUE(source->Run(ctx).ok());
  std::vector<std::string> first = Ids(ctx);
  ASSERT_EQ(first.size(), 3u);
  ctx.NextRun();
  ctx.limit = 0;
  ASSERT_TRUE(source->Run(ctx).ok());
  std::vector<std::string> all = first;
  for (const std::string& id : Ids(ctx)) all.push_back(id);
  EXPECT_EQ(all, kAllPosts);
}

// ---------------------------------------------------------------------------------------------
// Records

TEST(ForumMagnumTest, MathSurvivesFromMarkdownAndFromMathJaxHtml) {
  TestServer server;
  ForumSite site(FixturePosts(), FixtureComments());
  site.Install(&server, "/forum/lw");
  auto http = MakeClient();
  ::testing::FakeSourceContext ctx("lesswrong", http.get());
  ASSERT_TRUE(MakeSource(Entry(server, "/forum/lw"))->Run(ctx).ok());

  const Record* md = ctx.Find("lw:Aq7mTz3LwR9cKd2Xe");
  ASSERT_NE(md, nullptr);
  EXPECT_EQ(md->metadata["text_from"], "markdown");
  EXPECT_EQ(md->metadata["text_format"], "markdown");
  EXPECT_NE(md->text.find("$$G_t = \\sum_{k=0}^{\\infty} \\gamma^k r_{t+k+1}$$"), std::string::npos) << md->text;
  EXPECT_NE(md->text.find("$\\gamma \\in (0,1)$"), std::string::npos) << md->text;

  const Record* html = ctx.Find("lw:Bh4nVx8PqS2wLm6Ty");
  ASSERT_NE(html, nullptr);
  EXPECT_EQ(html->metadata["text_from"], "html");
  EXPECT_NE(html->text.find("$\\epsilon$"), std::string::npos) << html->text;
  EXPECT_NE(html->text.find("$$\\mathbb{E}_{\\pi}[R^*] \\geq \\mathbb{E}_{\\pi}[\\hat{R}] - \\epsilon$$"), std::string::npos)
      << html->text;
  EXPECT_EQ(html->text.find("mjx"), std::string::npos) << "MathJax markup and styles are gone: " << html->text;
  EXPECT_EQ(html->text.find("<"), std::string::npos) << html->text;
}

TEST(ForumMagnumTest, PostRecordCarriesEveryField) {
  TestServer server;
  ForumSite site(FixturePosts(), FixtureComments());
  site.Install(&server, "/forum/lw");
  auto http = MakeClient();
  ::testing::FakeSourceContext ctx("lesswrong", http.get());
  ASSERT_TRUE(MakeSource(Entry(server, "/forum/lw"))->Run(ctx).ok());
  const Record* r = ctx.Find("lw:Aq7mTz3LwR9cKd2Xe");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->source, "lesswrong");
  EXPECT_EQ(r->source_kind, "forummagnum");
  EXPECT_EQ(r->title, "Reward Is Not the Optimisation Target, Formally");
  EXPECT_EQ(r->url, "https://www.lesswrong.com/posts/Aq7mTz3LwR9cKd2Xe/reward-is-not-the-optimisation-target-formally");
  EXPECT_EQ(r->authors, (std::vector<std::string>{"Ada Quill", "Ben Okafor"}));
  EXPECT_EQ(r->date_published, "2021-03-01T10:00:00Z");
  EXPECT_EQ(r->date_modified, "2021-03-01T10:00:00Z");
  EXPECT_EQ(r->tags, std::vector<std::string>{"AI"});
  const json& m = r->metadata;
  EXPECT_EQ(m["karma"], 142);
  EXPECT_EQ(m["votes"], 77);
  EXPECT_EQ(m["comment_count"], 3);
  EXPECT_EQ(m["word_count"], 61);
  EXPECT_EQ(m["af"], false);
  EXPECT_EQ(m["question"], false);
  EXPECT_EQ(m["slug"], "reward-is-not-the-optimisation-target-formally");
  EXPECT_EQ(m["author_usernames"], json({"ada_quill", "benokafor"}));
  EXPECT_TRUE(r->also_at.empty());
  std::vector<std::string> problems;
  CheckRecordJson(r->ToJson(), true, &problems);
  EXPECT_TRUE(problems.empty()) << problems[0];

  const Record* q = ctx.Find("lw:Hz9QuestionPost1v");
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(q->metadata["question"], true);
  EXPECT_EQ(q->metadata["af_karma"], 20);
  // Events and drafts are never records.
  EXPECT_EQ(ctx.Find("lw:Dv5EventMeetup01x"), nullptr);
  EXPECT_EQ(ctx.Find("lw:Ew6DraftPost0001y"), nullptr);
}

// The LessWrong and Alignment Forum instances of one database on one loopback server.
struct SisterSites {
  TestServer server;
  ForumSite lw{FixturePosts(), FixtureComments(), ForumSiteOptions::LessWrong()};
  ForumSite af{FixturePosts(), FixtureComments(), ForumSiteOptions::AlignmentForum()};
  SisterSites() {
    lw.Install(&server, "/forum/lw");
    af.Install(&server, "/forum/af");
  }
};

TEST(ForumMagnumTest, AnAlignmentForumCrossPostIsOneRecordWhicheverInstanceComesFirst) {
  SisterSites sites;
  TestServer& server = sites.server;
  auto http = MakeClient();
  ::testing::FakeSourceContext lw_ctx("lesswrong", http.get());
  ::testing::FakeSourceContext af_ctx("alignmentforum", http.get());
  ASSERT_TRUE(MakeSource(Entry(server, "/forum/lw"))->Run(lw_ctx).ok());
  ASSERT_TRUE(MakeSource(Entry(server, "/forum/af", {{"name", "alignmentforum"}, {"site", "alignmentforum"}}))
                  ->Run(af_ctx)
                  .ok());
  EXPECT_EQ(Ids(af_ctx), (std::vector<std::string>{"lw:Bh4nVx8PqS2wLm6Ty", "lw:Hz9QuestionPost1v"}));
  for (const json& t : PostQueries(sites.af)) EXPECT_EQ(t["af"], true) << "the AF instance asks for AF posts only";

  const std::string lw_url = "https://www.lesswrong.com/posts/Bh4nVx8PqS2wLm6Ty/goodhart-in-the-tails-of-a-reward-model";
  const std::string af_url = "https://www.alignmentforum.org/posts/Bh4nVx8PqS2wLm6Ty/goodhart-in-the-tails-of-a-reward-model";
  const Record* from_lw = lw_ctx.Find("lw:Bh4nVx8PqS2wLm6Ty");
  const Record* from_af = af_ctx.Find("lw:Bh4nVx8PqS2wLm6Ty");
  ASSERT_NE(from_lw, nullptr);
  ASSERT_NE(from_af, nullptr);
  EXPECT_EQ(from_lw->metadata["af"], true);
  EXPECT_EQ(from_lw->metadata["af_karma"], 35);
  EXPECT_EQ(from_lw->url, lw_url);
  EXPECT_EQ(from_lw->also_at, (std::vector<AlsoAt>{{"alignmentforum", af_url}}));
  EXPECT_EQ(from_af->url, af_url);
  EXPECT_EQ(from_af->also_at, (std::vector<AlsoAt>{{"lesswrong", lw_url}}));
  EXPECT_EQ(from_af->text, from_lw->text);

  // Where the post belongs: the AF copy; the LessWrong copy says it is away from home.
  EXPECT_EQ(from_af->metadata["home"], true);
  EXPECT_EQ(from_lw->metadata["home"], false);
  EXPECT_FALSE(lw_ctx.Find("lw:Aq7mTz3LwR9cKd2Xe")->metadata.contains("home")) << "a LessWrong-only post needs no mark";

  // The deduplicator's merge of the two: one record naming the other site, and the same one
  // either way round (the AF copy, at its home), under every policy that compares records.
  for (MergePolicy policy : {MergePolicy::kRicherThenNewer, MergePolicy::kNewerThenRicher}) {
    for (bool lw_first : {true, false}) {
      Record kept = lw_first ? *from_lw : *from_af;
      DedupOptions options;
      options.policy = policy;
      dedup::MergeRecords(&kept, lw_first ? *from_af : *from_lw, options);
      EXPECT_EQ(kept.id, "lw:Bh4nVx8PqS2wLm6Ty");
      EXPECT_EQ(kept.source, "alignmentforum") << lw_first;
      EXPECT_EQ(kept.url, af_url) << lw_first;
      ASSERT_EQ(kept.also_at.size(), 1u) << lw_first;
      EXPECT_EQ(kept.also_at[0].url, lw_url) << lw_first;
    }
  }
}

TEST(ForumMagnumTest, TheOwnerOfACrossPostIsTheSameOverTenIdenticalRuns) {
  SisterSites sites;
  TestServer& server = sites.server;
  json sources = {Entry(server, "/forum/lw", {{"comments", true}}),
                  Entry(server, "/forum/af", {{"name", "alignmentforum"}, {"site", "alignmentforum"}, {"comments", true}})};
  testing::TempDir tmp;
  for (int run = 0; run < 10; ++run) {
    // Each run into a new store, so that thread timing alone could change who comes first.
    std::string dir = tmp.Sub("store" + std::to_string(run));
    RunReport report;
    ASSERT_TRUE(Scrape(dir, sources, &report).ok()) << report.error;
    std::map<std::string, Record> stored = StoredRecords(dir);
    for (const char* id : {"lw:Bh4nVx8PqS2wLm6Ty", "lw:Hz9QuestionPost1v", "lw:comment:a1AnswerToQuestio"}) {
      ASSERT_TRUE(stored.count(id)) << id;
      EXPECT_EQ(stored[id].source, "alignmentforum") << id << " in run " << run;
      ASSERT_EQ(stored[id].also_at.size(), 1u) << id;
      EXPECT_EQ(stored[id].also_at[0].url.rfind("https://www.lesswrong.com/posts/", 0), 0u) << stored[id].also_at[0].url;
    }
    EXPECT_EQ(stored["lw:Aq7mTz3LwR9cKd2Xe"].source, "lesswrong") << "not on the AF: LessWrong's in run " << run;
    EXPECT_EQ(stored.size(), 12u) << "8 posts and 4 comments (one deleted), each once";
  }
}

TEST(ForumMagnumTest, CommentsAndAnswersBecomeTheirOwnRecords) {
  TestServer server;
  ForumSite site(FixturePosts(), FixtureComments());
  site.Install(&server, "/forum/lw");
  auto http = MakeClient();
  ::testing::FakeSourceContext ctx("lesswrong", http.get());
  ASSERT_TRUE(MakeSource(Entry(server, "/forum/lw", {{"comments", true}}))->Run(ctx).ok());
  EXPECT_TRUE(ctx.failures.empty()) << ctx.failures[0].second;
  EXPECT_TRUE(ctx.conversion_failures.empty()) << ctx.conversion_failures[0].second;

  std::vector<std::string> ids = Ids(ctx);
  auto at = [&](const std::string& id) { return std::find(ids.begin(), ids.end(), id) - ids.begin(); };
  EXPECT_EQ(at("lw:comment:c1TopLevelComment"), at("lw:Aq7mTz3LwR9cKd2Xe") + 1) << "comments follow their post";
  EXPECT_EQ(ctx.Find("lw:comment:c3DeletedComment1"), nullptr) << "deleted comments are skipped";

  const Record* reply = ctx.Find("lw:comment:c2ReplyToComment1");
  ASSERT_NE(reply, nullptr);
  EXPECT_EQ(reply->metadata["post_id"], "lw:Aq7mTz3LwR9cKd2Xe");
  EXPECT_EQ(reply->metadata["parent_id"], "lw:comment:c1TopLevelComment");
  EXPECT_EQ(reply->metadata["karma"], 9);
  EXPECT_EQ(reply->metadata["text_from"], "html");
  EXPECT_EQ(reply->authors, std::vector<std::string>{"Ada Quill"});
  EXPECT_EQ(reply->date_published, "2021-03-01T13:00:00Z");
  EXPECT_EQ(reply->date_modified, "2021-03-01T13:05:00Z");
  EXPECT_EQ(reply->title, "Comment on: Reward Is Not the Optimisation Target, Formally");
  EXPECT_NE(reply->text.find("the argument goes through"), std::string::npos) << reply->text;
  EXPECT_EQ(reply->text.find("<"), std::string::npos) << reply->text;
  EXPECT_EQ(reply->url,
            "https://www.lesswrong.com/posts/Aq7mTz3LwR9cKd2Xe/reward-is-not-the-optimisation-target-formally"
            "?commentId=c2ReplyToComment1");

  const Record* top = ctx.Find("lw:comment:c1TopLevelComment");
  ASSERT_NE(top, nullptr);
  EXPECT_TRUE(top->metadata["parent_id"].is_null());
  EXPECT_NE(top->text.find("$\\gamma \\to 1$"), std::string::npos) << top->text;

  const Record* answer = ctx.Find("lw:comment:a1AnswerToQuestio");
  ASSERT_NE(answer, nullptr) << "a question's answers are fetched too";
  EXPECT_EQ(answer->metadata["answer"], true);
  EXPECT_EQ(answer->metadata["post_id"], "lw:Hz9QuestionPost1v");
  EXPECT_EQ(answer->title, "Answer to: What Would Convince You That Interpretability Is Working?");
  const Record* answer_reply = ctx.Find("lw:comment:r1ReplyToAnswer01");
  ASSERT_NE(answer_reply, nullptr);
  EXPECT_EQ(answer_reply->metadata["parent_id"], "lw:comment:a1AnswerToQuestio");
  EXPECT_EQ(answer_reply->metadata["post_id"], "lw:Hz9QuestionPost1v");

  // A later run: a new reply on an old post comes alone (its post and older comments do not).
  ctx.NextRun();
  site.AddComment({{"_id", "c4LateReplyNewRun"}, {"postId", "Aq7mTz3LwR9cKd2Xe"}, {"parentCommentId", "c1TopLevelComment"},
                   {"postedAt", "2021-07-01T09:00:00.000Z"}, {"baseScore", 2}, {"voteCount", 1}, {"answer", false},
                   {"deleted", false}, {"user", {{"displayName", "Lee Moss"}, {"username", "lmoss"}}},
                   {"contents", {{"markdown", "Late to this, but the limit argument needs uniform convergence."}}}});
  ASSERT_TRUE(MakeSource(Entry(server, "/forum/lw", {{"comments", true}}))->Run(ctx).ok());
  EXPECT_EQ(Ids(ctx), std::vector<std::string>{"lw:comment:c4LateReplyNewRun"});
  ASSERT_EQ(ctx.records.size(), 1u);
  EXPECT_EQ(ctx.records[0].metadata["post_id"], "lw:Aq7mTz3LwR9cKd2Xe");
  EXPECT_EQ(ctx.records[0].title, "Comment on: Reward Is Not the Optimisation Target, Formally");

  // Off by default: no comment queries at all.
  site.ClearQueries();
  ::testing::FakeSourceContext plain("lesswrong", http.get());
  ASSERT_TRUE(MakeSource(Entry(server, "/forum/lw"))->Run(plain).ok());
  for (const json& q : site.Queries()) EXPECT_EQ(q["op"], "posts");
}

TEST(ForumMagnumTest, RepliesToAnswersAreStoredWithTheirParentIds) {
  TestServer server;
  ForumSite site(FixturePosts(), FixtureComments());
  // A reply to the reply to the answer, and a plain comment on the question: a whole thread.
  site.AddComment({{"_id", "r2ReplyToReply001"}, {"postId", "Hz9QuestionPost1v"}, {"parentCommentId", "r1ReplyToAnswer01"},
                   {"postedAt", "2021-05-11T11:00:00.000Z"}, {"baseScore", 1}, {"voteCount", 1}, {"answer", false},
                   {"deleted", false}, {"af", true}, {"user", {{"displayName", "Lee Moss"}, {"username", "lmoss"}}},
                   {"contents", {{"markdown", "And the causal scrubbing results agree with that."}}}});
  site.AddComment({{"_id", "q1CommentOnQuest1"}, {"postId", "Hz9QuestionPost1v"}, {"parentCommentId", nullptr},
                   {"postedAt", "2021-05-10T18:00:00.000Z"}, {"baseScore", 3}, {"voteCount", 2}, {"answer", false},
                   {"deleted", false}, {"af", true}, {"user", {{"displayName", "Ada Quill"}, {"username", "aquill"}}},
                   {"contents", {{"markdown", "Could you say what would count as working?"}}}});
  site.Install(&server, "/forum/lw");
  auto http = MakeClient();
  ::testing::FakeSourceContext ctx("lesswrong", http.get());
  ASSERT_TRUE(MakeSource(Entry(server, "/forum/lw", {{"comments", true}}))->Run(ctx).ok());
  EXPECT_TRUE(ctx.failures.empty()) << ctx.failures[0].second;

  std::map<std::string, json> parent_of;
  for (const Record& r : ctx.records) {
    if (r.metadata.value("post_id", "") == "lw:Hz9QuestionPost1v") parent_of[r.id] = r.metadata["parent_id"];
  }
  EXPECT_EQ(parent_of, (std::map<std::string, json>{{"lw:comment:q1CommentOnQuest1", nullptr},
                                                    {"lw:comment:a1AnswerToQuestio", nullptr},
                                                    {"lw:comment:r1ReplyToAnswer01", "lw:comment:a1AnswerToQuestio"},
                                                    {"lw:comment:r2ReplyToReply001", "lw:comment:r1ReplyToAnswer01"}}));
  // The live views: postCommentsOld has neither answers nor their threads.
  std::set<std::string> views;
  for (const json& q : site.Queries()) {
    if (q["op"] == "comments" && q["terms"]["postId"] == "Hz9QuestionPost1v") views.insert(q["terms"]["view"]);
  }
  EXPECT_EQ(views, (std::set<std::string>{"postCommentsOld", "answersAndReplies"}));
}

// ---------------------------------------------------------------------------------------------
// Recheck: late tags and metadata that change no modifiedAt

TEST(ForumMagnumTest, APostTaggedAfterItsFirstSightingIsStoredByTheNextRun) {
  for (int recheck_days : {30, 0}) {
    TestServer server;
    ForumSite site(FixturePosts(), FixtureComments());
    site.SetClock("2021-03-25T00:00:00Z");  // Aq7... (2021-03-01) is inside a 30-day window
    site.Install(&server, "/forum/lw");
    auto http = MakeClient();
    ::testing::FakeSourceContext ctx("lesswrong", http.get());
    auto source = MakeSource(Entry(server, "/forum/lw", {{"tags_include", {"interpretability-ml-and-ai"}},
                                                         {"comments", true},
                                                         {"recheck_days", recheck_days}}));
    ASSERT_TRUE(source->Run(ctx).ok());
    EXPECT_EQ(ctx.Find("lw:Aq7mTz3LwR9cKd2Xe"), nullptr) << "untagged at first";
    ASSERT_NE(ctx.Find("lw:Bh4nVx8PqS2wLm6Ty"), nullptr);

    // The auto-tagger comes by: tags change, modifiedAt does not.
    json tags = {{{"name", "AI"}, {"slug", "ai"}}, {{"name", "Interpretability (ML & AI)"}, {"slug", "interpretability-ml-and-ai"}}};
    ASSERT_TRUE(site.PatchPost("Aq7mTz3LwR9cKd2Xe", {{"tags", tags}}));
    ctx.NextRun();
    ASSERT_TRUE(source->Run(ctx).ok());
    EXPECT_TRUE(ctx.failures.empty()) << ctx.failures[0].second;
    if (recheck_days == 0) {
      EXPECT_TRUE(ctx.records.empty()) << "without the recheck the post is never looked at again";
      continue;
    }
    // The post comes with its comments (c3 is deleted).
    EXPECT_EQ(Ids(ctx), (std::vector<std::string>{"lw:Aq7mTz3LwR9cKd2Xe", "lw:comment:c1TopLevelComment",
                                                  "lw:comment:c2ReplyToComment1"}));
    const Record* late = ctx.Find("lw:Aq7mTz3LwR9cKd2Xe");
    ASSERT_NE(late, nullptr);
    EXPECT_EQ(late->tags, (std::vector<std::string>{"AI", "Interpretability (ML & AI)"}));
    EXPECT_NE(late->text.find("$$G_t"), std::string::npos) << late->text;
    std::vector<json> rechecks;
    for (const json& t : PostQueries(site))
      if (t.contains("before") && !t.contains("timeField")) rechecks.push_back(t);
    ASSERT_FALSE(rechecks.empty()) << "the window is listed";
    EXPECT_EQ(rechecks.front()["after"], "2021-02-23T00:00:00.000Z") << "30 days before the server's clock";

    // And the run after has nothing more to take.
    ctx.NextRun();
    ASSERT_TRUE(source->Run(ctx).ok());
    EXPECT_TRUE(ctx.records.empty()) << ctx.records[0].id;
  }
}

TEST(ForumMagnumTest, ChangedKarmaInTheWindowIsEmittedAgainAndTheWholeHistoryOnRequest) {
  TestServer server;
  ForumSite site(FixturePosts(), FixtureComments());
  site.SetClock("2021-05-20T00:00:00Z");  // the window holds Hz9... (2021-05-10) only
  site.Install(&server, "/forum/lw");
  auto http = MakeClient();
  ::testing::FakeSourceContext ctx("lesswrong", http.get());
  auto source = MakeSource(Entry(server, "/forum/lw"));
  ASSERT_TRUE(source->Run(ctx).ok());
  ASSERT_EQ(ctx.records.size(), kAllPosts.size());
  const std::string text = ctx.Find("lw:Hz9QuestionPost1v")->text;

  // Votes inside the window and outside it; no modifiedAt moves.
  ASSERT_TRUE(site.PatchPost("Hz9QuestionPost1v", {{"baseScore", 99}, {"voteCount", 51}, {"commentCount", 3}}));
  ASSERT_TRUE(site.PatchPost("Aq7mTz3LwR9cKd2Xe", {{"baseScore", 150}}));
  ctx.NextRun();
  ASSERT_TRUE(source->Run(ctx).ok());
  EXPECT_EQ(Ids(ctx), std::vector<std::string>{"lw:Hz9QuestionPost1v"});
  EXPECT_EQ(ctx.update_metadata_ids, std::vector<std::string>{"lw:Hz9QuestionPost1v"});
  ASSERT_EQ(ctx.records.size(), 1u);
  EXPECT_EQ(ctx.records[0].metadata["karma"], 99);
  EXPECT_EQ(ctx.records[0].metadata["votes"], 51);
  EXPECT_EQ(ctx.records[0].metadata["comment_count"], 3);
  EXPECT_EQ(ctx.records[0].text, text);

  ctx.NextRun();
  ASSERT_TRUE(source->Run(ctx).ok());
  EXPECT_TRUE(ctx.records.empty()) << "emitted once per change";

  // --refresh-metadata: the whole history, every post (without comments), as updates.
  ctx.NextRun();
  ctx.refresh_metadata_run = true;
  ASSERT_TRUE(source->Run(ctx).ok());
  std::vector<std::string> ids = Ids(ctx);
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, kAllPosts);
  EXPECT_EQ(ctx.update_metadata_ids.size(), kAllPosts.size());
  EXPECT_EQ(ctx.Find("lw:Aq7mTz3LwR9cKd2Xe")->metadata["karma"], 150);
}

TEST(ForumMagnumTest, AKarmaChangeReachesTheStoredRecordWithoutATextChange) {
  TestServer server;
  ForumSite site(FixturePosts(), FixtureComments());
  site.SetClock("2021-05-20T00:00:00Z");
  site.Install(&server, "/forum/lw");
  testing::TempDir tmp;
  const std::string dir = tmp.Sub("store");
  // json::array, not braces: clang reads json{one_json} as a copy of it, g++ as an array of one.
  json sources = json::array({Entry(server, "/forum/lw")});
  RunReport report;
  ASSERT_TRUE(Scrape(dir, sources, &report).ok()) << report.error;
  ASSERT_EQ(report.sources[0].stored_new, kAllPosts.size());
  Record before = StoredRecords(dir)["lw:Hz9QuestionPost1v"];
  EXPECT_EQ(before.metadata["karma"], 64);

  ASSERT_TRUE(site.PatchPost("Hz9QuestionPost1v", {{"baseScore", 99}, {"tags", json::array({{{"name", "AI"}, {"slug", "ai"}}})}}));
  ASSERT_TRUE(Scrape(dir, sources, &report).ok()) << report.error;
  EXPECT_EQ(report.sources[0].metadata_updated, 1u);
  EXPECT_EQ(report.sources[0].updated, 0u);
  EXPECT_EQ(report.sources[0].stored_new, 0u);
  EXPECT_EQ(report.ToJson()["sources"][0]["metadata_updated"], 1);
  EXPECT_NE(report.Summary().find("metadata"), std::string::npos) << report.Summary();
  std::map<std::string, int> lines;
  std::map<std::string, Record> stored = StoredRecords(dir, &lines);
  const Record& after = stored["lw:Hz9QuestionPost1v"];
  EXPECT_EQ(after.metadata["karma"], 99);
  EXPECT_EQ(after.tags, std::vector<std::string>{"AI"});
  EXPECT_EQ(after.text, before.text);
  EXPECT_EQ(after.content_sha256, before.content_sha256);
  EXPECT_EQ(lines["lw:Hz9QuestionPost1v"], 1) << "the old line is superseded";
  EXPECT_EQ(stored.size(), kAllPosts.size());

  // Outside the window only --refresh-metadata brings it, and a post whose fields are as stored
  // is counted unchanged, not rewritten.
  ASSERT_TRUE(site.PatchPost("Aq7mTz3LwR9cKd2Xe", {{"baseScore", 150}}));
  ASSERT_TRUE(Scrape(dir, sources, &report).ok()) << report.error;
  EXPECT_EQ(report.sources[0].metadata_updated, 0u);
  EXPECT_EQ(StoredRecords(dir)["lw:Aq7mTz3LwR9cKd2Xe"].metadata["karma"], 142);
  ScrapeOptions refresh;
  refresh.refresh_metadata = {"lesswrong"};
  ASSERT_TRUE(Scrape(dir, sources, &report, refresh).ok()) << report.error;
  EXPECT_EQ(report.sources[0].metadata_updated, 1u);
  EXPECT_EQ(report.sources[0].unchanged, kAllPosts.size() - 1);
  EXPECT_EQ(report.dedup.rewritten, 1u);
  stored = StoredRecords(dir, &(lines = {}));
  EXPECT_EQ(stored["lw:Aq7mTz3LwR9cKd2Xe"].metadata["karma"], 150);
  for (const auto& [id, n] : lines) EXPECT_EQ(n, 1) << id;

  // A source that cannot refresh, or an unknown name, is refused before anything runs.
  refresh.refresh_metadata = {"lesswrongg"};
  Status s = Scrape(dir, sources, &report, refresh);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument) << s.ToString();
  EXPECT_NE(s.message().find("did you mean"), std::string::npos) << s.ToString();
}

// ---------------------------------------------------------------------------------------------
// Filters

TEST(ForumMagnumTest, TagKarmaAndDateFiltersAndAfOnly) {
  TestServer server;
  ForumSite site(FixturePosts(), FixtureComments());
  site.Install(&server, "/forum/lw");
  auto http = MakeClient();

  ::testing::FakeSourceContext ctx("lesswrong", http.get());
  ASSERT_TRUE(MakeSource(Entry(server, "/forum/lw", {{"tags_include", {"ai"}}, {"karma_min", 0}}))->Run(ctx).ok());
  EXPECT_EQ(Ids(ctx), (std::vector<std::string>{"lw:Aq7mTz3LwR9cKd2Xe", "lw:Bh4nVx8PqS2wLm6Ty", "lw:Ct1aTies00000000a",
                                                "lw:Ct1aTies00000000b", "lw:Ct1aTies00000000c", "lw:Hz9QuestionPost1v"}));
  for (const json& t : PostQueries(site)) EXPECT_EQ(t["karmaThreshold"], 0) << "the karma threshold goes to the server";

  site.ClearQueries();
  ::testing::FakeSourceContext excl("lesswrong", http.get());
  ASSERT_TRUE(MakeSource(Entry(server, "/forum/lw", {{"tags_exclude", {"Interpretability (ML & AI)", "rationality"}}}))
                  ->Run(excl)
                  .ok());
  EXPECT_EQ(Ids(excl), (std::vector<std::string>{"lw:Aq7mTz3LwR9cKd2Xe", "lw:Ct1aTies00000000a", "lw:Ct1aTies00000000b",
                                                 "lw:Ct1aTies00000000c", "lw:Fx7LowKarmaPost1z"}));

  site.ClearQueries();
  ::testing::FakeSourceContext af("lesswrong", http.get());
  ASSERT_TRUE(MakeSource(Entry(server, "/forum/lw", {{"af_only", true}}))->Run(af).ok());
  EXPECT_EQ(Ids(af), (std::vector<std::string>{"lw:Bh4nVx8PqS2wLm6Ty", "lw:Hz9QuestionPost1v"}));
  for (const json& t : PostQueries(site)) EXPECT_EQ(t["af"], true);

  site.ClearQueries();
  ::testing::FakeSourceContext range("lesswrong", http.get());
  ASSERT_TRUE(MakeSource(Entry(server, "/forum/lw",
                               {{"posted_after", "2021-04-01T00:00:00Z"}, {"posted_before", "2021-05-01T00:00:00Z"}}))
                  ->Run(range)
                  .ok());
  EXPECT_EQ(Ids(range), (std::vector<std::string>{"lw:Ct1aTies00000000a", "lw:Ct1aTies00000000b", "lw:Ct1aTies00000000c",
                                                  "lw:Fx7LowKarmaPost1z", "lw:Gy8NotAiPost0001w"}));
  std::vector<json> queries = PostQueries(site);
  ASSERT_FALSE(queries.empty());
  EXPECT_EQ(queries.front()["after"], "2021-04-01T00:00:00.000Z");
  EXPECT_EQ(queries.front()["before"], "2021-05-01T00:00:00Z");
}

TEST(ForumMagnumTest, TagFiltersDownloadOnlyTheKeptPostsBodies) {
  for (bool api_knows_post_ids : {true, false}) {
    TestServer server;
    ForumSiteOptions options;
    options.ignore_post_ids = !api_knows_post_ids;
    ForumSite site(FixturePosts(), FixtureComments(), options);
    site.Install(&server, "/forum/lw");
    auto http = MakeClient();
    ::testing::FakeSourceContext ctx("lesswrong", http.get());
    ASSERT_TRUE(MakeSource(Entry(server, "/forum/lw", {{"tags_include", {"AI"}}, {"tags_exclude", {"interpretability-ml-and-ai"}}}))
                    ->Run(ctx)
                    .ok());
    EXPECT_TRUE(ctx.failures.empty()) << ctx.failures[0].second;
    EXPECT_EQ(Ids(ctx), (std::vector<std::string>{"lw:Aq7mTz3LwR9cKd2Xe", "lw:Ct1aTies00000000a", "lw:Ct1aTies00000000b",
                                                  "lw:Ct1aTies00000000c", "lw:Fx7LowKarmaPost1z"}))
        << api_knows_post_ids;
    const Record* r = ctx.Find("lw:Aq7mTz3LwR9cKd2Xe");
    ASSERT_NE(r, nullptr);
    EXPECT_NE(r->text.find("$$G_t"), std::string::npos) << r->text;

    // Listings carry no bodies; bodies are asked for by id, only for kept posts.
    std::set<std::string> bodies_asked;
    for (const auto& request : server.RequestsFor("/forum/lw/graphql")) {
      json body = json::parse(request.body);
      std::string query = body["query"];
      const json& terms = body["variables"].value("terms", json::object());
      if (terms.contains("postIds")) {
        EXPECT_NE(query.find("htmlBody"), std::string::npos);
        for (const json& id : terms["postIds"]) bodies_asked.insert(id.get<std::string>());
      } else if (body["variables"].contains("id")) {
        EXPECT_NE(query.find("post(input: {selector: {_id: $id}})"), std::string::npos);
        bodies_asked.insert(body["variables"]["id"].get<std::string>());
      } else {
        EXPECT_EQ(query.find("htmlBody"), std::string::npos) << "a listing with bodies: " << query;
        EXPECT_EQ(query.find("contents"), std::string::npos) << query;
      }
    }
    EXPECT_EQ(bodies_asked, (std::set<std::string>{"Aq7mTz3LwR9cKd2Xe", "Ct1aTies00000000a", "Ct1aTies00000000b",
                                                   "Ct1aTies00000000c", "Fx7LowKarmaPost1z"}));
    size_t single = 0;
    for (const json& q : site.Queries()) single += q["op"] == "post";
    // An API ignoring postIds answers the oldest posts: four of the five kept ones are among them;
    // the fifth comes through post().
    EXPECT_EQ(single, api_knows_post_ids ? 0u : 1u) << "post() is the fallback only";
  }
}

TEST(ForumMagnumTest, EaForumUsesItsOwnNamespaceAndNoCrossPosts) {
  TestServer server;
  json posts = FixturePosts();
  for (json& p : posts) p["af"] = false;
  ForumSite site(posts, json::array(), ForumSiteOptions::EaForum());
  site.Install(&server, "/forum/ea");
  auto http = MakeClient();
  ::testing::FakeSourceContext ctx("eaforum", http.get());
  ASSERT_TRUE(MakeSource(Entry(server, "/forum/ea", {{"name", "eaforum"}, {"site", "eaforum"}}))->Run(ctx).ok());
  ASSERT_EQ(ctx.records.size(), kAllPosts.size());
  for (const Record& r : ctx.records) {
    EXPECT_EQ(r.id.rfind("ea:", 0), 0u) << r.id;
    EXPECT_TRUE(r.also_at.empty()) << r.id;
    EXPECT_EQ(r.url.rfind("https://forum.effectivealtruism.org/posts/", 0), 0u) << r.url;
  }
}

// ---------------------------------------------------------------------------------------------
// Failures

TEST(ForumMagnumTest, GraphQlErrorsFailTheSourceQuotingTheServerAndKeepProgress) {
  TestServer server;
  ForumSite site(FixturePosts(), FixtureComments());
  site.Install(&server, "/forum/lw");
  auto http = MakeClient();
  ::testing::FakeSourceContext ctx("lesswrong", http.get());
  auto source = MakeSource(Entry(server, "/forum/lw", {{"page_size", 2}}));
  site.InjectFailure(ForumSite::Failure::kGraphQlErrors, 1, "Query exceeds the maximum depth of 10", /*after=*/1);
  Status s = source->Run(ctx);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("Query exceeds the maximum depth of 10"), std::string::npos) << s.ToString();
  EXPECT_EQ(Ids(ctx), (std::vector<std::string>{"lw:Aq7mTz3LwR9cKd2Xe", "lw:Bh4nVx8PqS2wLm6Ty"}));

  // The next run goes on after the two committed posts.
  ctx.NextRun();
  ASSERT_TRUE(source->Run(ctx).ok());
  std::vector<std::string> rest(kAllPosts.begin() + 2, kAllPosts.end());
  EXPECT_EQ(Ids(ctx), rest);

  // A 400 with a GraphQL validation body: the server's words.
  site.InjectFailure(ForumSite::Failure::kValidationError, 1, "Unknown argument \"sortBy\" on field \"Query.posts\".");
  ::testing::FakeSourceContext again("lesswrong", http.get());
  s = source->Run(again);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("Unknown argument \"sortBy\" on field \"Query.posts\"."), std::string::npos) << s.ToString();
}

TEST(ForumMagnumTest, BotProtectionIsExplainedWithTheAccessHeaderSetting) {
  TestServer server;
  ForumSite site(FixturePosts(), FixtureComments());
  site.Install(&server, "/forum/lw");
  auto http = MakeClient(/*max_attempts=*/2);
  auto source = MakeSource(Entry(server, "/forum/lw"));
  struct Case {
    ForumSite::Failure failure;
    int times;
    const char* status;
  };
  for (const Case& c : {Case{ForumSite::Failure::kChallengePage, 1, "HTTP 200"},
                        Case{ForumSite::Failure::kForbidden, 1, "HTTP 403"},
                        Case{ForumSite::Failure::kTooManyRequests, 2, "HTTP 429"}}) {
    site.InjectFailure(c.failure, c.times);
    ::testing::FakeSourceContext ctx("lesswrong", http.get());
    Status s = source->Run(ctx);
    ASSERT_FALSE(s.ok()) << c.status;
    EXPECT_TRUE(s.IsBlocked()) << s.ToString();
    EXPECT_NE(s.message().find("bot protection"), std::string::npos) << s.ToString();
    EXPECT_NE(s.message().find("\"headers\""), std::string::npos) << s.ToString();
    EXPECT_NE(s.message().find("${"), std::string::npos) << s.ToString();
    EXPECT_NE(s.message().find(c.status), std::string::npos) << s.ToString();
    EXPECT_TRUE(ctx.records.empty());
    EXPECT_TRUE(ctx.checkpoints.empty()) << "no cursor from a refused run";
  }
}

TEST(ForumMagnumTest, TheRunReportNamesTheBotProtectionRefusal) {
  TestServer server;
  ForumSite site(FixturePosts(), FixtureComments());
  site.Install(&server, "/forum/lw");
  site.InjectFailure(ForumSite::Failure::kChallengePage, 1);
  testing::TempDir tmp;
  RunReport report;
  ASSERT_TRUE(Scrape(tmp.Sub("store"), json::array({Entry(server, "/forum/lw")}), &report).ok()) << report.error;
  ASSERT_EQ(report.sources.size(), 1u);
  EXPECT_EQ(report.sources[0].status, "failed");
  EXPECT_NE(report.sources[0].error.find("bot protection"), std::string::npos) << report.sources[0].error;
  EXPECT_NE(report.sources[0].error.find("\"headers\""), std::string::npos) << report.sources[0].error;
  EXPECT_NE(report.ToJson().dump().find("bot protection"), std::string::npos);
  EXPECT_NE(report.Summary(200).find("bot protection"), std::string::npos) << report.Summary(200);
}

TEST(ForumMagnumTest, AccessHeaderIsSentAndNeverShown) {
  ::setenv("ALCOR_TEST_FORUM_ACCESS", "s3cret-forum-token-42", 1);
  TestServer server;
  ForumSite site(FixturePosts(), FixtureComments());
  site.Install(&server, "/forum/lw");
  auto http = MakeClient();
  json entry = Entry(server, "/forum/lw", {{"headers", {{"Authorization", "Bearer ${ALCOR_TEST_FORUM_ACCESS}"}}}});
  Result<SourceConfig> config = ValidateSourceConfig(entry, "test");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->display_settings.dump().find("s3cret-forum-token-42"), std::string::npos);

  ::testing::FakeSourceContext ctx("lesswrong", http.get());
  auto source = MakeSource(entry);
  ASSERT_TRUE(source->Run(ctx).ok());
  std::vector<testing::ServerRequest> requests = server.RequestsFor("/forum/lw/graphql");
  ASSERT_FALSE(requests.empty());
  for (const auto& r : requests) {
    ASSERT_NE(r.Header("authorization"), nullptr);
    EXPECT_EQ(*r.Header("authorization"), "Bearer s3cret-forum-token-42");
    ASSERT_NE(r.Header("user-agent"), nullptr);
    EXPECT_EQ(r.method, "POST");
  }

  site.InjectFailure(ForumSite::Failure::kForbidden);
  ::testing::FakeSourceContext refused("lesswrong", http.get());
  Status s = source->Run(refused);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.ToString().find("s3cret-forum-token-42"), std::string::npos) << s.ToString();
}

TEST(ForumMagnumTest, ConfigurationIsCheckedAndTheSiteFollowsTheHost) {
  const SourceKind* kind = FindSourceKind("forummagnum");
  ASSERT_NE(kind, nullptr);
  auto options = [](json entry) -> Result<ForumMagnumOptions> {
    entry["name"] = "x";
    entry["kind"] = "forummagnum";
    Result<SourceConfig> config = ValidateSourceConfig(entry, "test");
    if (!config.ok()) return config.status();
    return ForumMagnumOptionsFromConfig(config.value());
  };
  Result<ForumMagnumOptions> lw = options(json::object());
  ASSERT_TRUE(lw.ok()) << lw.status().ToString();
  EXPECT_EQ(lw->GraphQlUrl(), "https://www.lesswrong.com/graphql");
  EXPECT_EQ(lw->site, Forum::kLessWrong);
  EXPECT_FALSE(lw->comments);
  EXPECT_EQ(lw->page_size, 50);

  Result<ForumMagnumOptions> af = options({{"base_url", "https://www.alignmentforum.org/"}});
  ASSERT_TRUE(af.ok());
  EXPECT_EQ(af->site, Forum::kAlignmentForum);
  EXPECT_EQ(af->GraphQlUrl(), "https://www.alignmentforum.org/graphql");
  Result<ForumMagnumOptions> ea = options({{"base_url", "https://forum.effectivealtruism.org"}});
  ASSERT_TRUE(ea.ok());
  EXPECT_EQ(ea->site, Forum::kEaForum);
  EXPECT_STREQ(ForumIdPrefix(ea->site), "ea:");

  for (json bad : {json{{"site", "lesserwrong"}}, json{{"posted_after", "last tuesday"}}, json{{"page_size", 0}},
                   json{{"base_url", "ftp://example.org"}}}) {
    Result<ForumMagnumOptions> o = options(bad);
    ASSERT_FALSE(o.ok()) << bad.dump();
    EXPECT_NE(o.status().message().find(bad.begin().key()), std::string::npos) << o.status().ToString();
  }
  Result<ForumMagnumOptions> typo = options({{"tag_include", {"AI"}}});
  ASSERT_FALSE(typo.ok());
  EXPECT_NE(typo.status().message().find("tags_include"), std::string::npos) << typo.status().ToString();
}

TEST(ForumMagnumTest, ClientSideChecksBackTheServerFilters) {
  json posts = FixturePosts();
  ForumMagnumOptions lw;
  ForumMagnumOptions af;
  af.site = Forum::kAlignmentForum;
  const json& plain = posts[0];  // af false
  const json& cross = posts[1];  // af true
  EXPECT_TRUE(ForumPostWanted(plain, lw));
  EXPECT_FALSE(ForumPostWanted(plain, af)) << "an AF instance keeps AF posts even if the server sent others";
  EXPECT_TRUE(ForumPostWanted(cross, af));
  EXPECT_FALSE(ForumPostWanted(posts[5], lw)) << "event";
  EXPECT_FALSE(ForumPostWanted(posts[6], lw)) << "draft";
  ForumMagnumOptions karma;
  karma.karma_min = 100;
  EXPECT_TRUE(ForumPostWanted(plain, karma));  // 142
  EXPECT_FALSE(ForumPostWanted(cross, karma));  // 88
}

TEST(ForumMagnumTest, CursorRoundTripsAndRejectsGarbage) {
  ForumCursor c;
  c.posted_after = "2021-04-01T00:00:00.000Z";
  c.boundary_ids = {"a", "b"};
  c.modified_after = "2021-05-11T09:50:01.000Z";
  c.recent = {{"a", "2021-05-11T10:00:00.000Z"}};
  Result<ForumCursor> back = ForumCursor::FromJson(c.ToJson());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->ToJson(), c.ToJson());
  EXPECT_FALSE(ForumCursor::FromJson("[]").ok());
  EXPECT_FALSE(ForumCursor::FromJson("{\"version\":1,\"posted_after\":\"soon\"}").ok());
  EXPECT_EQ(ParseForumMillis("2022-06-05T22:05:52.224Z"), 1654466752224);
  EXPECT_EQ(ParseForumMillis("2022-06-05T22:05:52.2Z"), 1654466752200);
  EXPECT_EQ(FormatForumMillis(1654466752224), "2022-06-05T22:05:52.224Z");
}

// ---------------------------------------------------------------------------------------------
// Contract tests on the real payloads

std::string RealDir() {
  std::string dir = testing::RealFixturesDir();
  return dir.empty() ? "" : dir + "/forummagnum";
}

TEST(ForumMagnumRealTest, TheRealPostParsesIntoACompleteRecord) {
  if (RealDir().empty()) GTEST_SKIP() << "../shared/fixtures/real is absent";
  json answer = ReadJson(RealDir() + "/lw_post_single_uMQ3cqWDPHhjtiesc.json");
  const json& post = answer["data"]["post"]["result"];
  ForumMagnumOptions options;
  Result<RawDocument> doc = ForumPostToDocument(post, options, "lesswrong");
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  Record r;
  ASSERT_TRUE(Convert(std::move(doc.value()), &r).ok());
  EXPECT_EQ(r.id, "lw:uMQ3cqWDPHhjtiesc");
  EXPECT_EQ(r.title, "AGI Ruin: A List of Lethalities");
  EXPECT_EQ(r.url, "https://www.lesswrong.com/posts/uMQ3cqWDPHhjtiesc/agi-ruin-a-list-of-lethalities");
  EXPECT_EQ(r.authors, std::vector<std::string>{"Eliezer Yudkowsky"});
  EXPECT_EQ(r.date_published, "2022-06-05T22:05:52Z");
  EXPECT_EQ(r.metadata["karma"], 956);
  EXPECT_EQ(r.metadata["votes"], 578);
  EXPECT_EQ(r.metadata["comment_count"], 711);
  EXPECT_EQ(r.metadata["word_count"], 9087);
  EXPECT_EQ(r.metadata["author_usernames"], json({"Eliezer_Yudkowsky"}));
  EXPECT_EQ(r.metadata["text_from"], "html");
  EXPECT_NE(r.text.find("Preamble"), std::string::npos);
  EXPECT_NE(r.text.find("orthogonality"), std::string::npos);
  EXPECT_EQ(r.text.find("<p>"), std::string::npos);
  EXPECT_GT(CountWords(r.text), 8000u);
  std::vector<std::string> problems;
  CheckRecordJson(r.ToJson(), true, &problems);
  EXPECT_TRUE(problems.empty()) << problems[0];

  // The same post served by the emulator (which answers only the fields asked for).
  TestServer server;
  ForumSite site(json::array({post}), json::array());
  site.Install(&server, "/real");
  auto http = MakeClient();
  ::testing::FakeSourceContext ctx("lesswrong", http.get());
  ASSERT_TRUE(MakeSource(Entry(server, "/real"))->Run(ctx).ok());
  ASSERT_EQ(ctx.records.size(), 1u);
  EXPECT_EQ(ctx.records[0].id, r.id);
  EXPECT_EQ(ctx.records[0].text, r.text);
}

TEST(ForumMagnumRealTest, TheReal400BodyYieldsTheServersMessage) {
  if (RealDir().empty()) GTEST_SKIP() << "../shared/fixtures/real is absent";
  std::string body = testing::ReadFile(RealDir() + "/lw_graphql_error_400_body.json");
  const std::string expected = "Field \"slug\" is not defined by type \"SelectorInput\".";
  EXPECT_EQ(GraphQlErrorMessage(body), expected);

  TestServer server;
  Reply reply = Reply::Text(body, "application/json; charset=utf-8");
  reply.status = 400;
  server.Route("/real/graphql", reply);
  auto http = MakeClient();
  ::testing::FakeSourceContext ctx("lesswrong", http.get());
  Status s = MakeSource(Entry(server, "/real"))->Run(ctx);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find(expected), std::string::npos) << s.ToString();
  EXPECT_NE(s.message().find("HTTP 400"), std::string::npos) << s.ToString();
}

// The live API schema (read only; nothing of it is copied).
std::string LiveSchema() { return testing::ReadFile(RealDir() + "/forummagnum_gqlSchema.REFERENCE_ONLY_GPL3.gql"); }

// The definition `head { ... }` in schema ("type Post", "input CommentSelector"), "" when absent.
std::string SchemaBlock(const std::string& schema, const std::string& head) {
  size_t at = schema.find("\n" + head + " {");
  EXPECT_NE(at, std::string::npos) << head;
  return at == std::string::npos ? std::string() : schema.substr(at, schema.find("\n}", at) - at);
}

TEST(ForumMagnumRealTest, TheQueryAsksForFieldsTheLiveSchemaHas) {
  if (RealDir().empty()) GTEST_SKIP() << "../shared/fixtures/real is absent";
  // A field the API does not define is a 400 for the whole query: check each one we select
  // against the schema's type.
  std::string schema = LiveSchema();
  auto type_body = [&](const std::string& type) { return SchemaBlock(schema, "type " + type); };
  std::map<std::string, std::vector<std::string>> selected = {
      {"Post", {"_id", "title", "slug", "pageUrl", "postedAt", "modifiedAt", "baseScore", "voteCount", "commentCount",
                "wordCount", "af", "afBaseScore", "question", "isEvent", "draft", "tags", "user", "coauthors",
                "contents", "htmlBody"}},
      {"Comment", {"_id", "postId", "parentCommentId", "postedAt", "lastEditedAt", "baseScore", "voteCount", "answer",
                   "deleted", "pageUrl", "user", "contents", "htmlBody"}},
      {"Revision", {"markdown"}},
      {"User", {"displayName", "username"}},
      {"Tag", {"name", "slug"}},
  };
  for (const auto& [type, fields] : selected) {
    std::string body = type_body(type);
    for (const std::string& f : fields) {
      EXPECT_TRUE(body.find("\n  " + f + ":") != std::string::npos || body.find("\n  " + f + "(") != std::string::npos)
          << type << "." << f;
      std::string query = type == "Comment" ? kForumCommentsQuery : kForumPostsQuery;
      if (type == "Post" || type == "Comment") {
        EXPECT_NE(query.find(" " + f + " "), std::string::npos) << f;
      }
    }
  }
}

TEST(ForumMagnumRealTest, TheCommentViewsAreTheLiveSchemasViews) {
  if (RealDir().empty()) GTEST_SKIP() << "../shared/fixtures/real is absent";
  // An unknown view is an error for the whole query: the views the source asks for, with the
  // terms it sends, as the live schema's comment selector defines them.
  std::string schema = LiveSchema();
  auto block = [&](const std::string& head) { return SchemaBlock(schema, head); };
  std::string selector = block("input CommentSelector");
  EXPECT_NE(selector.find("\n  postCommentsOld: CommentsPostCommentsOldInput"), std::string::npos);
  EXPECT_NE(selector.find("\n  answersAndReplies: CommentsAnswersAndRepliesInput"), std::string::npos);
  EXPECT_NE(block("input CommentsPostCommentsOldInput").find("\n  postId:"), std::string::npos);
  std::string answers = block("input CommentsAnswersAndRepliesInput");
  EXPECT_NE(answers.find("\n  postId:"), std::string::npos);
  EXPECT_NE(answers.find("\n  sortBy:"), std::string::npos);
}

}  // namespace
}  // namespace alcor
