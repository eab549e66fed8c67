// The feed source's run, shared by feed_source.cpp and the archive walkers (feed_walk_*.cpp):
// settings, the state kept per blog, one post before it is emitted, and the walker interface.
// Internal to src/sources/feed/.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "alcor/http.hpp"
#include "alcor/json.hpp"
#include "alcor/source.hpp"
#include "sources/feed/feed_parse.hpp"
#include "sources/feed/feed_source.hpp"

namespace alcor::feed {

using json = nlohmann::json;

enum class FetchPages { kAuto, kAlways, kNever };

// What the source runs with, filled by CreateFeedSource from the kind's keys (FeedKeys below,
// which hold every default).
struct Settings {
  std::string feed_url;
  std::string site_url;
  Platform platform = Platform::kAuto;
  FetchPages fetch_pages = FetchPages::kAuto;
  std::string sitemap_url;
  bool history = false;
  bool robots_sitemaps = false;
  std::vector<std::string> sitemap_include;
  std::vector<std::string> sitemap_exclude;
  int64_t max_archive_pages = 0;
  int64_t max_page_fetches = 0;  // 0: no cap
  int64_t archive_page_size = 0;
  int64_t summary_recheck_days = 30;
  std::vector<std::string> index_urls;
  std::vector<std::string> index_include;
};

// What a feed whose entries carry no full content element (`content:encoded`, Atom `content`)
// holds in its summaries, decided by comparing a few post pages with their summaries
// (FeedSource::EmitPost) and kept in the state.
enum class SummaryKind {
  kUnknown,      // not measured yet (or the measure is due again)
  kWholePosts,   // the summaries hold the posts: the feed's text is kept
  kSummaryOnly,  // the pages hold materially more: every post is read from its page
};
const char* SummaryKindName(SummaryKind kind);  // "unknown", "whole-posts", "summary-only"

// A summary-only decision is made from this many pages (the first new posts met), and redone
// every Settings::summary_recheck_days. A page holds "materially more" when its main content
// has at least kMoreWordsFactor times the summary's words and kMoreWordsMin more.
inline constexpr int kSummaryProbePages = 3;
inline constexpr double kMoreWordsFactor = 1.5;
inline constexpr size_t kMoreWordsMin = 100;

inline constexpr const char* kStateName = "feed";

struct SeenPost {
  std::string fingerprint;  // of the feed entry ("" when it came from an archive API or a sitemap)
  std::string modified;     // the newest date known for it (RFC 3339 UTC), "" when none
  bool retry = false;       // stored from the feed after the page could not be fetched
  bool from_summary = false;  // its text is a feed summary (read from the page again once the
                              // feed is found summary-only)
};

struct FeedState {
  std::map<std::string, SeenPost> seen;  // by canonical URL
  std::string platform;                  // detected on an earlier run
  std::string site_url;
  bool history_done = false;
  int64_t history_next = 0;  // page, offset or start-index where the first walk goes on
  SummaryKind summaries = SummaryKind::kUnknown;
  std::string summaries_checked;  // when `summaries` was decided (RFC 3339 UTC), "" when never

  // Written entry by entry, not through a json tree: the state of a large blog is checkpointed
  // after every archive page, and a tree of every URL would double the memory it needs.
  std::string Serialize() const {
    json head;
    head["version"] = 1;
    head["platform"] = platform;
    head["site_url"] = site_url;
    head["history"] = {{"done", history_done}, {"next", history_next}};
    if (summaries != SummaryKind::kUnknown) {
      head["summaries"] = {{"kind", SummaryKindName(summaries)}, {"checked", summaries_checked}};
    }
    std::string out = head.dump();
    out.pop_back();  // the closing brace; "seen" follows
    out.reserve(out.size() + seen.size() * 160);
    out += ",\"seen\":{";
    bool first = true;
    for (const auto& [url, p] : seen) {
      if (!first) out += ',';
      first = false;
      out += json(url).dump();
      out += ":{";
      bool first_field = true;
      auto field = [&](const char* key, const std::string& value_json) {
        if (!first_field) out += ',';
        first_field = false;
        out += key;
        out += value_json;
      };
      if (!p.fingerprint.empty()) field("\"h\":", json(p.fingerprint).dump());
      if (!p.modified.empty()) field("\"m\":", json(p.modified).dump());
      if (p.retry) field("\"r\":", "true");
      if (p.from_summary) field("\"s\":", "true");
      out += '}';
    }
    out += "}}";
    return out;
  }

  static Result<FeedState> Parse(const std::string& text) {
    try {
      return ParseOrThrow(text);
    } catch (const json::exception& e) {
      return Status::Corruption(std::string("state \"feed\" is damaged: ") + e.what());
    }
  }

 private:
  static Result<FeedState> ParseOrThrow(const std::string& text) {
    FeedState st;
    Result<json> parsed = ParseJson(text, "state \"feed\"");
    if (parsed.status().code() == Status::Code::kLimitExceeded) return parsed.status();
    if (!parsed.ok() || !parsed->is_object()) return Status::Corruption("state \"feed\" is not a JSON object");
    json j = std::move(parsed).value();
    st.platform = j.value("platform", "");
    st.site_url = j.value("site_url", "");
    if (j.contains("history") && j["history"].is_object()) {
      st.history_done = j["history"].value("done", false);
      st.history_next = j["history"].value("next", int64_t{0});
    }
    if (j.contains("summaries") && j["summaries"].is_object()) {
      std::string kind = j["summaries"].value("kind", "");
      st.summaries = kind == SummaryKindName(SummaryKind::kSummaryOnly)  ? SummaryKind::kSummaryOnly
                     : kind == SummaryKindName(SummaryKind::kWholePosts) ? SummaryKind::kWholePosts
                                                                          : SummaryKind::kUnknown;
      st.summaries_checked = j["summaries"].value("checked", "");
    }
    if (j.contains("seen") && j["seen"].is_object()) {
      for (const auto& [url, e] : j["seen"].items()) {
        if (!e.is_object()) continue;
        SeenPost p;
        p.fingerprint = e.value("h", "");
        p.modified = e.value("m", "");
        p.retry = e.value("r", false);
        p.from_summary = e.value("s", false);
        st.seen[url] = std::move(p);
      }
    }
    return st;
  }
};

// One post as the source knows it before emitting.
struct Post {
  std::string link;  // absolute
  std::string title;
  std::vector<std::string> authors;
  std::optional<std::string> published;
  std::optional<std::string> updated;
  std::vector<std::string> tags;
  std::string body_html;     // "" when there is none (sitemap URLs)
  bool body_is_summary = false;
  std::string summary_html;  // for Record::summary
  std::string base_url;
  std::string content_src;   // Atom out-of-line content
  std::string guid;
  int comments = -1;
  bool paywalled = false;
  std::string body_origin;   // "feed-content", "feed-summary", "archive-api"
  // Change detection: a feed entry compares its fingerprint; an archive item or sitemap URL its
  // date (lastmod) against the stored one.
  std::string fingerprint;
  std::optional<std::string> lastmod;
  bool must_fetch_page = false;  // nothing to emit but the page (sitemaps)
};

enum class Novelty { kNew, kChanged, kSame };

// One post of a feed entry, with the fingerprint its change is detected by.
Post PostFromEntry(const FeedEntry& e);

// The source (feed_source.cpp): reads the feed, emits its new and changed posts, then hands the
// run to its platform's ArchiveWalker. The walkers use the public members below.
class FeedSource : public Source {
 public:
  FeedSource(std::string name, Settings settings) : name_(std::move(name)), s_(std::move(settings)) {}

  Status Run(SourceContext& ctx) override;

  // Everything one run carries.
  struct RunState {
    SourceContext* ctx = nullptr;
    FeedState state;
    Platform platform = Platform::kGeneric;
    std::string feed_url;
    std::string site_url;
    int64_t archive_pages_left = 0;
    int64_t page_fetches_left = -1;  // -1: no cap
    std::set<std::string> emitted;   // canonical URLs emitted this run
    bool stopped = false;            // Emit said Interrupted, or the run is stopping
    // The summary measure of this run (kSummaryProbePages pages at most): pages compared, and
    // how many held materially more than their summary.
    bool measure_summaries = false;  // never measured, or due again (summary_recheck_days)
    int summary_probes = 0;
    int summary_probes_more = 0;
    bool met_summaries = false;      // an entry of this run's feed carried only a summary
  };

  // Emits every new or changed entry of a parsed feed page. *all_new: every entry was unknown
  // before this run (or changed); *added: how many URLs this walk had not met yet.
  Status ProcessEntries(RunState& rs, const ParsedFeed& feed, bool* all_new, std::set<std::string>* walk_seen,
                        size_t* added);
  Novelty Check(const RunState& rs, const Post& post) const;
  // Emits one post (fetching its page when needed). Interrupted when the run is stopping.
  Status EmitPost(RunState& rs, const Post& post);
  void Checkpoint(RunState& rs);
  // A URL that a listing (sitemap, index page) names as a post, already filtered: emitted as a
  // page when it is new or its lastmod is newer than the stored date, else counted unchanged;
  // checkpoints every 20 emitted. *stop: the run is stopping or the page budget is spent (the
  // listing is unfinished). Errors as EmitPost.
  Status EmitListedUrl(RunState& rs, const std::string& url, const std::optional<std::string>& lastmod,
                       int* since_checkpoint, bool* stop);
  // Ends this run's summary measure: decides from the pages compared so far (none: nothing
  // changes) and states the feed's kind in the run report.
  void DecideSummaries(RunState& rs);

  bool Stopping(RunState& rs) const { return rs.stopped || rs.ctx->stopping(); }
  std::string Blog() const { return "blog " + name_; }
  const Settings& settings() const { return s_; }
  // A site without a feed (sitemap_url or index_urls, and no feed_url, on an auto or generic
  // source): its sitemap and index pages are read every run instead.
  bool WithoutFeed() const {
    return s_.feed_url.empty() && (!s_.sitemap_url.empty() || !s_.index_urls.empty()) &&
           (s_.platform == Platform::kAuto || s_.platform == Platform::kGeneric);
  }
  // Takes one archive request from the run's max_archive_pages budget; false (logged) when it
  // is spent, and the walk pauses until the next run.
  bool TakeArchivePage(RunState& rs, const char* walk) const;
  // The first walk reached the archive's end: later runs walk only as far as needed.
  void ArchiveWalked(RunState& rs);

 private:
  Status ResolveFeedUrl(RunState& rs);
  Status ProcessFeed(RunState& rs, bool* all_new);

  std::string name_;
  Settings s_;
};

using RunState = FeedSource::RunState;

// True when url matches one of the glob patterns (WildcardMatch).
bool MatchesAnyGlob(const std::vector<std::string>& globs, const std::string& url);

// How one platform reaches the posts older than its feed: one walker per platform, chosen by
// NewArchiveWalker, in feed_walk_*.cpp (platforms that page alike share a file and its loop:
// WordPress and Blogger in feed_walk_paged.cpp, Ghost and generic sites in feed_walk_sitemaps.cpp).
class ArchiveWalker {
 public:
  virtual ~ArchiveWalker() = default;
  // first_walk: the archive was never walked to its end (the walk resumes at
  // rs.state.history_next and marks history_done when it gets there). feed_all_new: every post
  // of the feed was new, so older ones may be too. Failures of single requests are reported and
  // end the walk until the next run; an error return fails the source.
  virtual Status Walk(FeedSource& feed, RunState& rs, bool first_walk, bool feed_all_new) = 0;
  // True when the walker reads sitemaps itself, so a configured sitemap_url is not read again.
  virtual bool ReadsSitemaps() const { return false; }
};

// The walker of a platform.
std::unique_ptr<ArchiveWalker> NewArchiveWalker(Platform platform);
// WordPress (`?paged=N`) and Blogger (`start-index`/`max-results`): the feed itself, paged
// (feed_walk_paged.cpp).
std::unique_ptr<ArchiveWalker> NewWordPressWalker();
std::unique_ptr<ArchiveWalker> NewBloggerWalker();
// Substack's archive API (feed_walk_substack.cpp).
std::unique_ptr<ArchiveWalker> NewSubstackWalker();
// Sitemaps (feed_walk_sitemaps.cpp): sitemap_url, else robots.txt, else /sitemap.xml. Ghost
// reads only the posts sitemap of its index.
std::unique_ptr<ArchiveWalker> NewSitemapWalker();
std::unique_ptr<ArchiveWalker> NewGhostWalker();
// Medium feeds hold the latest 10 posts; the publication's own sitemap holds the rest.
std::unique_ptr<ArchiveWalker> NewMediumWalker();
// Index pages (index_urls) of a site with no feed or sitemap, read after any other listing
// (feed_walk_index.cpp).
std::unique_ptr<ArchiveWalker> NewIndexWalker();

}  // namespace alcor::feed
