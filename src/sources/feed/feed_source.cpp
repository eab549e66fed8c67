// The blog source, kind `feed` (feed_source.hpp; docs/sources.md "## feed").
#include "sources/feed/feed_source.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "alcor/enum_names.hpp"
#include "alcor/env.hpp"
#include "alcor/dates.hpp"
#include "alcor/hash.hpp"
#include "alcor/http.hpp"
#include "alcor/normalize.hpp"
#include "alcor/source.hpp"
#include "alcor/source_config.hpp"
#include "alcor/strings.hpp"
#include "alcor/url.hpp"
#include "sources/feed/feed_parse.hpp"
#include "sources/feed/feed_run.hpp"

namespace alcor {
namespace feed {

using json = nlohmann::json;

constexpr EnumName<Platform> kPlatformNames[] = {
    {Platform::kAuto, "auto"},
    {Platform::kWordPress, "wordpress"},
    {Platform::kSubstack, "substack"},
    {Platform::kBlogger, "blogger"},
    {Platform::kGhost, "ghost"},
    {Platform::kMedium, "medium"},
    {Platform::kGeneric, "generic"},
};

const char* PlatformName(Platform p) { return NameIn(kPlatformNames, p, "generic"); }

constexpr EnumName<SummaryKind> kSummaryKindNames[] = {
    {SummaryKind::kUnknown, "unknown"},
    {SummaryKind::kWholePosts, "whole-posts"},
    {SummaryKind::kSummaryOnly, "summary-only"},
};

const char* SummaryKindName(SummaryKind kind) { return NameIn(kSummaryKindNames, kind, "unknown"); }

bool ParsePlatform(std::string_view name, Platform* out) {
  std::optional<Platform> named = ValueNamed(kPlatformNames, name);
  if (named) *out = *named;
  return named.has_value();
}

Platform DetectPlatform(const std::string& feed_url, const std::string& generator) {
  std::string host = UrlHost(feed_url);
  std::string url = AsciiLower(feed_url);
  if (generator.find("wordpress") != std::string::npos) return Platform::kWordPress;
  if (generator.find("substack") != std::string::npos || host.ends_with(".substack.com")) return Platform::kSubstack;
  if (generator.find("blogger") != std::string::npos || host.ends_with(".blogspot.com") ||
      url.find("/feeds/posts/") != std::string::npos) {
    return Platform::kBlogger;
  }
  if (generator.find("ghost") != std::string::npos) return Platform::kGhost;
  if (generator.find("medium") != std::string::npos || host == "medium.com" || host.ends_with(".medium.com")) {
    return Platform::kMedium;
  }
  return Platform::kGeneric;
}

std::string DefaultFeedUrl(Platform platform, const std::string& site_url) {
  std::string base = StripTrailingSlashes(site_url);
  switch (platform) {
    case Platform::kWordPress: return base + "/feed/";
    case Platform::kSubstack: return base + "/feed";
    case Platform::kBlogger: return base + "/feeds/posts/default";
    case Platform::kGhost: return base + "/rss/";
    default: return {};
  }
}

std::vector<std::string> DiscoverFeedLinks(std::string_view html, const std::string& page_url) {
  std::vector<std::string> out;
  std::string lower = AsciiLower(html.substr(0, std::min<size_t>(html.size(), size_t{1} << 20)));
  size_t pos = 0;
  while ((pos = lower.find("<link", pos)) != std::string::npos) {
    size_t end = lower.find('>', pos);
    if (end == std::string::npos) break;
    std::string_view tag(lower.data() + pos, end - pos);
    std::string_view original(html.data() + pos, end - pos);
    pos = end;
    auto attr = [&](std::string_view name) -> std::string {
      size_t at = 0;
      while ((at = tag.find(name, at)) != std::string_view::npos) {
        bool boundary = at > 0 && std::isspace(static_cast<unsigned char>(tag[at - 1]));
        size_t k = at + name.size();
        while (k < tag.size() && tag[k] == ' ') ++k;
        if (boundary && k < tag.size() && tag[k] == '=') {
          ++k;
          while (k < tag.size() && tag[k] == ' ') ++k;
          if (k >= tag.size()) return {};
          char q = tag[k];
          size_t start = (q == '"' || q == '\'') ? k + 1 : k;
          size_t stop = (q == '"' || q == '\'') ? tag.find(q, start) : tag.find_first_of(" \t\n/", start);
          if (stop == std::string_view::npos) stop = tag.size();
          return std::string(original.substr(start, stop - start));
        }
        at = k;
      }
      return {};
    };
    std::string rel = AsciiLower(attr("rel"));
    std::string type = AsciiLower(attr("type"));
    if (rel.find("alternate") == std::string::npos) continue;
    if (type != "application/rss+xml" && type != "application/atom+xml" && type != "application/rdf+xml") continue;
    std::string href = attr("href");
    if (href.empty()) continue;
    // Comment feeds are announced the same way; a blog's own feed comes first on every platform.
    std::string resolved = ResolveUrl(page_url, href);
    if (std::find(out.begin(), out.end(), resolved) == out.end()) out.push_back(resolved);
  }
  return out;
}

namespace {

std::string Fingerprint(const FeedEntry& e) {
  std::string data = e.title + "\x1f" + e.content_html + "\x1f" + e.summary_html + "\x1f" +
                     e.updated.value_or("") + "\x1f" + e.published.value_or("");
  return Sha256Hex(data).substr(0, 16);
}

}  // namespace

Post PostFromEntry(const FeedEntry& e) {
  Post p;
  p.link = e.link;
  p.title = e.title;
  p.authors = e.authors;
  p.published = e.published;
  p.updated = e.updated;
  p.tags = e.categories;
  p.body_is_summary = e.content_html.empty();
  p.body_html = p.body_is_summary ? e.summary_html : e.content_html;
  p.summary_html = e.summary_html;
  p.base_url = e.content_base;
  p.content_src = e.content_src;
  p.guid = e.id;
  p.comments = e.comments;
  p.body_origin = p.body_is_summary ? "feed-summary" : "feed-content";
  p.fingerprint = Fingerprint(e);
  return p;
}

namespace {

std::string ContentType(const HttpResponse& r) {
  const std::string* ct = r.Header("content-type");
  return ct ? AsciiLower(*ct) : std::string();
}

std::string Truncate(std::string s, size_t max) {
  if (s.size() <= max) return s;
  size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  s.resize(cut);
  return s + "\u2026";
}

}  // namespace

void FeedSource::ArchiveWalked(RunState& rs) {
  rs.state.history_done = true;
  rs.state.history_next = 0;
  Checkpoint(rs);
}

bool FeedSource::TakeArchivePage(RunState& rs, const char* walk) const {
  if (rs.archive_pages_left-- > 0) return true;
  rs.ctx->Log(std::string(walk) + " walk paused at the max_archive_pages cap; it goes on next run");
  return false;
}

Novelty FeedSource::Check(const RunState& rs, const Post& post) const {
  std::string canon = CanonicalizeUrl(post.link);
  auto it = rs.state.seen.find(canon);
  if (it == rs.state.seen.end()) return Novelty::kNew;
  const SeenPost& seen = it->second;
  if (seen.retry) return Novelty::kChanged;
  if (seen.from_summary) {
    // Stored from its summary: read from its page once the feed is found summary-only, and
    // measured again (its page compared with its summary) when the measure is due.
    if (rs.state.summaries == SummaryKind::kSummaryOnly) return Novelty::kChanged;
    if (rs.measure_summaries && rs.summary_probes < kSummaryProbePages) return Novelty::kChanged;
  }
  if (!post.fingerprint.empty()) {
    if (seen.fingerprint.empty()) {
      // Stored from an archive or sitemap: changed only when its date moved on.
      std::string date = post.updated.value_or(post.published.value_or(""));
      return !date.empty() && !seen.modified.empty() && date > seen.modified ? Novelty::kChanged : Novelty::kSame;
    }
    return seen.fingerprint == post.fingerprint ? Novelty::kSame : Novelty::kChanged;
  }
  if (post.lastmod && !seen.modified.empty() && *post.lastmod > seen.modified) return Novelty::kChanged;
  return Novelty::kSame;
}

void FeedSource::DecideSummaries(RunState& rs) {
  SourceContext& ctx = *rs.ctx;
  if (rs.measure_summaries && rs.summary_probes > 0) {
    SummaryKind kind = rs.summary_probes_more * 2 > rs.summary_probes ? SummaryKind::kSummaryOnly : SummaryKind::kWholePosts;
    if (kind != rs.state.summaries) {
      ctx.Log("feed " + rs.feed_url + " found " + SummaryKindName(kind) + ": " + std::to_string(rs.summary_probes_more) +
              " of " + std::to_string(rs.summary_probes) + " post pages hold materially more than their summary" +
              (kind == SummaryKind::kSummaryOnly ? "; every post is read from its page" : ""));
    }
    rs.state.summaries = kind;
    rs.state.summaries_checked = FormatRfc3339UtcMicros(ctx.env()->NowMicros());
    rs.measure_summaries = false;
    ctx.SetNote("summary_pages_compared", rs.summary_probes);
  }
  if (rs.met_summaries || rs.state.summaries != SummaryKind::kUnknown) {
    ctx.SetNote("feed_summaries", SummaryKindName(rs.state.summaries));
  }
}

namespace {

// The words of a page's main content, as the normalizer extracts it (0 when it cannot).
size_t MainContentWords(const RawDocument& page) {
  NormalizeOptions options;
  options.base_url = page.base_url;
  options.main_content = true;
  Result<NormalizeResult> text = NormalizeHtml(page.body, options, page.charset);
  return text.ok() ? CountAlnumWords(text->text) : 0;
}

}  // namespace

bool MatchesAnyGlob(const std::vector<std::string>& globs, const std::string& url) {
  return std::any_of(globs.begin(), globs.end(), [&](const std::string& g) { return WildcardMatch(g, url); });
}

Status FeedSource::EmitListedUrl(RunState& rs, const std::string& url, const std::optional<std::string>& lastmod,
                                 int* since_checkpoint, bool* stop) {
  *stop = false;
  if (Stopping(rs)) {
    *stop = true;
    return Status::OK();
  }
  if (rs.emitted.count(CanonicalizeUrl(url))) return Status::OK();
  Post post;
  post.link = url;
  post.lastmod = lastmod;
  post.must_fetch_page = true;
  if (Check(rs, post) == Novelty::kSame) {
    rs.ctx->CountUnchanged(1);
    return Status::OK();
  }
  if (rs.page_fetches_left == 0) {
    *stop = true;
    return Status::OK();
  }
  Status s = EmitPost(rs, post);
  if (s.IsInterrupted()) {
    *stop = true;
    return Status::OK();
  }
  ALCOR_RETURN_IF_ERROR(s);
  if (++*since_checkpoint >= 20) {
    Checkpoint(rs);
    *since_checkpoint = 0;
  }
  return Status::OK();
}

void FeedSource::Checkpoint(RunState& rs) {
  rs.state.platform = PlatformName(rs.platform);
  rs.state.site_url = rs.site_url;
  rs.ctx->Checkpoint(kStateName, rs.state.Serialize());
}

Status FeedSource::EmitPost(RunState& rs, const Post& post) {
  SourceContext& ctx = *rs.ctx;
  std::string canon = CanonicalizeUrl(post.link);
  RawDocument doc;
  Record& r = doc.record;
  r.id = "web:" + canon;
  r.source = ctx.source_name();
  r.source_kind = "feed";
  r.url = PublishedUrl(post.link);  // the id ignores the scheme; the URL keeps it
  r.title = post.title;
  r.authors = post.authors;
  r.date_published = post.published;
  if (post.updated && post.updated != post.published) r.date_modified = post.updated;
  if (!r.date_modified && post.lastmod && post.lastmod != post.published) r.date_modified = post.lastmod;
  r.tags = post.tags;
  if (!post.summary_html.empty()) {
    std::string summary = HtmlSnippetToText(post.summary_html);
    if (!summary.empty()) r.summary = Truncate(std::move(summary), 4000);
  }
  r.metadata["platform"] = PlatformName(rs.platform);
  r.metadata["feed_url"] = rs.feed_url;
  if (!post.guid.empty() && post.guid != post.link) r.metadata["guid"] = post.guid;
  if (post.comments >= 0) r.metadata["comments"] = post.comments;
  if (post.paywalled) r.metadata["paywalled"] = true;

  bool want_page = post.must_fetch_page || !post.content_src.empty();
  bool measuring = false;  // this page measures the feed's summaries (DecideSummaries)
  bool is_summary = post.body_origin == "feed-summary";
  if (is_summary) rs.met_summaries = true;
  if (!want_page) {
    switch (s_.fetch_pages) {
      case FetchPages::kAlways: want_page = true; break;
      case FetchPages::kNever: want_page = false; break;
      case FetchPages::kAuto:
        if (!LooksComplete(post.body_html, post.body_is_summary)) {
          want_page = true;  // an excerpt by its looks
        } else if (is_summary && rs.measure_summaries && rs.summary_probes < kSummaryProbePages) {
          want_page = measuring = true;
        } else if (is_summary) {
          want_page = rs.state.summaries == SummaryKind::kSummaryOnly;
        }
        break;
    }
  }
  if (s_.fetch_pages == FetchPages::kNever && !post.must_fetch_page && !post.body_html.empty()) want_page = false;
  if (want_page && rs.page_fetches_left == 0) {
    if (post.body_html.empty()) return Status::OK();  // left for a later run: not marked seen
    want_page = measuring = false;
  }

  bool retry = false;
  bool from_page = false;
  if (want_page) {
    std::string page_url = !post.content_src.empty() ? post.content_src : post.link;
    if (rs.page_fetches_left > 0) --rs.page_fetches_left;
    ScopedSourcePhase fetching(ctx, SourcePhase::kFetchingPages);
    Result<HttpResponse> page = ctx.http().Fetch(HttpRequest::Get(page_url));
    Status problem;
    if (!page.ok()) {
      problem = page.status();
    } else if (page->robots_disallowed()) {
      problem = Status::RobotsDenied("robots.txt forbids " + page_url);
    } else {
      std::string type = ContentType(*page);
      if (type.find("pdf") != std::string::npos) {
        doc.format = BodyFormat::kPdf;
      } else if (type.empty() || type.find("html") != std::string::npos || type.find("xml") != std::string::npos) {
        doc.format = BodyFormat::kHtmlPage;
      } else {
        problem = Status::NotSupported(page_url + " is " + type + ", not an HTML page");
      }
      if (problem.ok()) {
        doc.capture = CaptureOf(*page);
        doc.body = std::move(page->body);
        doc.charset = page->charset();
        doc.base_url = page->final_url.empty() ? page_url : page->final_url;
        from_page = true;
      }
    }
    if (!problem.ok()) {
      if (post.body_html.empty()) {
        ctx.ReportFailure(page_url, problem);
        return Status::OK();  // not marked seen: tried again next run
      }
      // The feed's own text is better than nothing; the page is tried again next run.
      ctx.Log("post page " + page_url + " unavailable (" + problem.ToString() + "); keeping the feed's text");
      r.metadata["page_error"] = problem.ToString();
      retry = problem.code() != Status::Code::kNotSupported && !problem.IsRobotsDenied();
    }
  }
  if (from_page && measuring && doc.format == BodyFormat::kHtmlPage) {
    size_t summary_words = CountAlnumWords(HtmlSnippetToText(post.body_html, size_t{4} << 20));
    size_t page_words = MainContentWords(doc);
    bool more = static_cast<double>(page_words) >= kMoreWordsFactor * static_cast<double>(summary_words) &&
                page_words >= summary_words + kMoreWordsMin;
    ++rs.summary_probes;
    if (more) ++rs.summary_probes_more;
    ctx.Log("summary measure: " + post.link + " has " + std::to_string(summary_words) + " words in the feed, " +
            std::to_string(page_words) + " on its page");
    if (rs.summary_probes >= kSummaryProbePages) DecideSummaries(rs);
    if (!more) {
      // The summary holds the post: its text is the cleaner one (no page chrome to remove).
      from_page = false;
      Record kept = std::move(doc.record);
      doc = RawDocument{};
      doc.record = std::move(kept);  // r refers to it again
    }
  }
  if (from_page) {
    r.metadata["text_from"] = "page";
    // The URL as published, else the URL fetched when it is the same item (a redirect to the
    // other scheme); Convert then prefers the page's own canonical link for the same item.
    if (CanonicalizeUrl(doc.base_url) == canon) r.url = PublishedUrl(doc.base_url);
  } else {
    if (post.body_html.empty()) return Status::OK();
    doc.body = post.body_html;
    doc.format = BodyFormat::kHtml;
    doc.base_url = post.base_url.empty() ? post.link : post.base_url;
    r.metadata["text_from"] = post.body_origin;
  }
  Status s = ctx.Emit(std::move(doc));
  if (!s.ok()) {
    rs.stopped = true;
    return s;
  }
  SeenPost& seen = rs.state.seen[canon];
  seen.fingerprint = post.fingerprint;
  std::string date = post.updated.value_or(post.lastmod.value_or(post.published.value_or("")));
  if (!date.empty()) seen.modified = date;
  seen.retry = retry;
  seen.from_summary = !from_page && post.body_origin == "feed-summary";
  rs.emitted.insert(canon);
  return Status::OK();
}

Status FeedSource::ProcessEntries(RunState& rs, const ParsedFeed& feed, bool* all_new,
                                  std::set<std::string>* walk_seen, size_t* added) {
  *all_new = !feed.entries.empty();
  if (added) *added = 0;
  for (const FeedEntry& e : feed.entries) {
    if (Stopping(rs)) return Status::OK();
    if (e.link.empty() || !IsHttpUrl(e.link)) {
      rs.ctx->ReportFailure(Blog() + ": entry \"" + (e.title.empty() ? e.id : e.title) + "\"",
                            Status::InvalidArgument("the entry has no http(s) link"));
      continue;
    }
    Post post = PostFromEntry(e);
    std::string canon = CanonicalizeUrl(post.link);
    if (walk_seen && walk_seen->insert(canon).second && added) ++*added;
    if (rs.emitted.count(canon)) continue;  // met earlier in this run (feed, then archive)
    Novelty n = Check(rs, post);
    if (n == Novelty::kSame) {
      *all_new = false;
      rs.ctx->CountUnchanged(1);
      continue;
    }
    Status s = EmitPost(rs, post);
    if (s.IsInterrupted()) return Status::OK();
    ALCOR_RETURN_IF_ERROR(s);
  }
  return Status::OK();
}

Status FeedSource::ResolveFeedUrl(RunState& rs) {
  if (!s_.feed_url.empty()) {
    rs.feed_url = s_.feed_url;
    return Status::OK();
  }
  if (WithoutFeed()) return Status::OK();  // rs.feed_url stays empty
  std::string fixed = DefaultFeedUrl(s_.platform, s_.site_url);
  if (!fixed.empty()) {
    rs.feed_url = fixed;
    return Status::OK();
  }
  // Ask the home page which feed it announces.
  Result<HttpResponse> home = rs.ctx->http().Fetch(HttpRequest::Get(s_.site_url));
  if (!home.ok()) return home.status().WithContext(Blog() + ": looking for the feed on " + s_.site_url);
  std::vector<std::string> links = DiscoverFeedLinks(home->body, home->final_url.empty() ? s_.site_url : home->final_url);
  for (const std::string& l : links) {
    if (AsciiLower(l).find("comments") == std::string::npos) {
      rs.feed_url = l;
      return Status::OK();
    }
  }
  return Status::NotFound(Blog() + ": " + s_.site_url + " announces no feed; set feed_url");
}

Status FeedSource::ProcessFeed(RunState& rs, bool* all_new) {
  *all_new = false;
  SourceContext& ctx = *rs.ctx;
  HttpRequest req = HttpRequest::Get(rs.feed_url);
  req.conditional = true;
  Result<HttpResponse> r = ctx.http().Fetch(req);
  if (!r.ok()) return r.status().WithContext(Blog() + ": feed " + rs.feed_url);
  if (r->robots_disallowed()) return Status::RobotsDenied(Blog() + ": robots.txt forbids the feed " + rs.feed_url);
  if (r->not_modified()) {
    ctx.CountUnchanged(1);
    ctx.Log("feed " + rs.feed_url + " not modified");
    return Status::OK();
  }
  FeedParseOptions options;
  options.document_url = r->final_url.empty() ? rs.feed_url : r->final_url;
  options.http_charset = r->charset();
  Result<ParsedFeed> feed = ParseFeed(r->body, options);
  if (!feed.ok()) {
    ctx.http().ForgetValidators(rs.feed_url);
    return Status::Corruption(Blog() + ": cannot read the feed " + rs.feed_url + ": " + feed.status().message());
  }
  if (!feed->recovered_error.empty()) {
    ctx.ReportFailure(rs.feed_url, Status::Corruption(Blog() + ": malformed feed, read " +
                                                      std::to_string(feed->entries.size()) +
                                                      " entries before the error: " + feed->recovered_error));
    // A later run must read it again in full rather than get 304 for a half-read feed.
    ctx.http().ForgetValidators(rs.feed_url);
  }
  if (s_.platform == Platform::kAuto) rs.platform = DetectPlatform(rs.feed_url, feed->generator);
  if (s_.site_url.empty() && !feed->site_link.empty() && IsHttpUrl(feed->site_link)) rs.site_url = feed->site_link;
  Status s = ProcessEntries(rs, *feed, all_new, nullptr, nullptr);
  if (Stopping(rs)) ctx.http().ForgetValidators(rs.feed_url);
  DecideSummaries(rs);
  Checkpoint(rs);
  return s;
}

Status FeedSource::Run(SourceContext& ctx) {
  RunState rs;
  rs.ctx = &ctx;
  ctx.SetPhase(SourcePhase::kListing);
  Result<std::string> saved = ctx.ReadState(kStateName);
  if (saved.ok()) {
    Result<FeedState> st = FeedState::Parse(*saved);
    if (!st.ok()) return st.status().WithContext(Blog());
    rs.state = std::move(st.value());
  } else if (!saved.status().IsNotFound()) {
    return saved.status().WithContext(Blog());
  }
  rs.archive_pages_left = s_.max_archive_pages;
  rs.page_fetches_left = s_.max_page_fetches > 0 ? s_.max_page_fetches : -1;
  rs.platform = s_.platform;
  if (rs.platform == Platform::kAuto) {
    Platform p = Platform::kGeneric;
    rs.platform = !rs.state.platform.empty() && ParsePlatform(rs.state.platform, &p) && p != Platform::kAuto
                      ? p
                      : Platform::kGeneric;
  }
  rs.site_url = !s_.site_url.empty() ? s_.site_url : rs.state.site_url;
  std::optional<int64_t> checked = ParseRfc3339(rs.state.summaries_checked);
  rs.measure_summaries = rs.state.summaries == SummaryKind::kUnknown || !checked ||
                         ctx.env()->NowMicros() / 1000000 - *checked >= s_.summary_recheck_days * 86400;
  ALCOR_RETURN_IF_ERROR(ResolveFeedUrl(rs));
  if (rs.site_url.empty()) {
    std::string listed = !rs.feed_url.empty()      ? rs.feed_url
                         : !s_.sitemap_url.empty() ? s_.sitemap_url
                                                   : s_.index_urls.front();
    rs.site_url = UrlOrigin(listed) + "/";
  }

  if (WithoutFeed()) {
    // A site without a feed: its sitemap and index pages are its listing, read every run.
    ctx.SetPhase(SourcePhase::kFetchingPages);
    if (!s_.sitemap_url.empty()) {
      ALCOR_RETURN_IF_ERROR(NewSitemapWalker()->Walk(*this, rs, !rs.state.history_done, /*feed_all_new=*/false));
    }
    if (!s_.index_urls.empty() && !Stopping(rs)) {
      ALCOR_RETURN_IF_ERROR(NewIndexWalker()->Walk(*this, rs, false, false));
    }
    return Status::OK();
  }
  bool feed_all_new = false;
  ALCOR_RETURN_IF_ERROR(ProcessFeed(rs, &feed_all_new));
  if (Stopping(rs) || !s_.history) return Status::OK();

  bool first_walk = !rs.state.history_done;
  std::unique_ptr<ArchiveWalker> walker = NewArchiveWalker(rs.platform);
  if (walker) ALCOR_RETURN_IF_ERROR(walker->Walk(*this, rs, first_walk, feed_all_new));
  // A sitemap configured for a platform with its own archive walker is read as well.
  if (!s_.sitemap_url.empty() && !(walker && walker->ReadsSitemaps()) && !Stopping(rs)) {
    ALCOR_RETURN_IF_ERROR(NewSitemapWalker()->Walk(*this, rs, /*first_walk=*/false, feed_all_new));
  }
  if (!s_.index_urls.empty() && !Stopping(rs)) ALCOR_RETURN_IF_ERROR(NewIndexWalker()->Walk(*this, rs, false, false));
  return Status::OK();
}

std::unique_ptr<ArchiveWalker> NewArchiveWalker(Platform platform) {
  switch (platform) {
    case Platform::kWordPress: return NewWordPressWalker();
    case Platform::kBlogger: return NewBloggerWalker();
    case Platform::kSubstack: return NewSubstackWalker();
    case Platform::kGhost: return NewGhostWalker();
    case Platform::kMedium: return NewMediumWalker();
    case Platform::kGeneric:
    case Platform::kAuto: return NewSitemapWalker();
  }
  return nullptr;
}

namespace {

// The settings of kind feed, each declared once with its default and its doc
// (docs/sources.md "## feed" is generated from this table).
using StringList = std::vector<std::string>;
struct FeedKeys : KeyTable {
  OptionalKey<std::string> feed_url{
      this, "feed_url", "the blog's RSS 2.0, RSS 1.0 (RDF) or Atom feed",
      {.shown_default = "the platform's feed path under `site_url`, else the feed the home page announces"}};
  OptionalKey<std::string> site_url{
      this, "site_url",
      "the blog's home page; the Substack archive API, robots.txt and `/sitemap.xml` are looked up under it",
      {.shown_default = "the feed's own link, else the feed URL's origin"}};
  Key<std::string> platform{
      this, "platform", "auto",
      "`auto`, `wordpress`, `substack`, `blogger`, `ghost`, `medium` or `generic`: how older posts are reached (table "
      "below). `auto` decides from the feed's `<generator>` and the feed URL's host (`*.substack.com`, "
      "`*.blogspot.com`, `medium.com`, `/feeds/posts/`) and remembers the answer in the state"};
  Key<std::string> fetch_pages{
      this, "fetch_pages", "auto",
      "`auto`: fetch a post's page when its feed entry looks like an excerpt, or when the feed carries summaries "
      "that its pages were measured to exceed (below); `always`: every post from its page; `never`: the feed's "
      "text only"};
  Key<StringList> index_urls{
      this, "index_urls", {},
      "pages that list the posts, for a site whose feed and sitemap do not (or that has neither): every link on them "
      "that matches `index_include` (and no `sitemap_exclude` pattern) is fetched as a post page. Read every run, "
      "after the feed and archive; with no `feed_url` on an `auto` or `generic` source they are the whole listing"};
  Key<StringList> index_include{this, "index_include", {},
                                "glob patterns (`*`, `?`, whole URL) of the post links on `index_urls` pages; "
                                "required with `index_urls` (an index page links to much that is not a post)"};
  Key<int64_t> summary_recheck_days{
      this, "summary_recheck_days", 30,
      "with `fetch_pages: auto`, how often the measure of a summary-only feed is made again (a blog can change its "
      "template)"};
  OptionalKey<std::string> sitemap_url{
      this, "sitemap_url",
      "a sitemap (`urlset`, `sitemapindex`, gzip or not) to read posts from. For `ghost`, `medium` and `generic` it "
      "replaces discovery; for the other platforms it is read after their own archive. With no `feed_url` on an "
      "`auto` or `generic` source, the site has no feed: the sitemap is its whole listing, read every run"};
  Key<bool> history{this, "history", true,
                    "walk the archive for posts older than the feed (first run in full, later runs only as far as "
                    "needed)"};
  Key<bool> robots_sitemaps{this, "robots_sitemaps", true,
                            "find sitemaps in the host's robots.txt `Sitemap:` lines; only those under `site_url` are "
                            "read (one robots.txt serves a whole host)"};
  Key<StringList> sitemap_include{this, "sitemap_include", {},
                                  "glob patterns (`*`, `?`, matched against the whole URL); when set, a sitemap URL is "
                                  "fetched only if one matches"};
  Key<StringList> sitemap_exclude{
      this, "sitemap_exclude",
      {"*/tag/*", "*/tags/*", "*/category/*", "*/categories/*", "*/author/*", "*/page/*", "*/feed", "*/feed/*",
       "*/search*", "*/wp-content/*", "*/archive", "*/archive/", "*/about", "*/about/", "*/tagged/*"},
      "glob patterns of sitemap URLs never fetched. The blog's home page is always skipped",
      {.shown_default = "tag, category, author, listing, feed, search, about and archive pages (`*/tag/*`, "
                        "`*/page/*`, …)"}};
  Key<int64_t> max_archive_pages{this, "max_archive_pages", 500,
                                 "archive requests per run (feed pages, archive API pages, sitemap files). A first "
                                 "walk cut short by it goes on from its cursor next run"};
  Key<int64_t> max_page_fetches{this, "max_page_fetches", 0,
                                "post pages fetched per run; posts not reached are fetched next run",
                                {.shown_default = "0 (no cap)"}};
  Key<int64_t> archive_page_size{this, "archive_page_size", 50,
                                 "posts per archive request: Substack `limit` (the API caps it at 50), Blogger "
                                 "`max-results` (capped at 500 here)"};
};

Result<std::unique_ptr<Source>> CreateFeedSource(const SourceConfig& config) {
  const FeedKeys& keys = KeysOf<FeedKeys>();
  Settings s;
  s.feed_url = keys.feed_url.Get(config).value_or("");
  s.site_url = keys.site_url.Get(config).value_or("");
  s.sitemap_url = keys.sitemap_url.Get(config).value_or("");
  std::string where = config.Describe();
  s.index_urls = keys.index_urls.Get(config);
  s.index_include = keys.index_include.Get(config);
  if (s.feed_url.empty() && s.site_url.empty() && s.sitemap_url.empty() && s.index_urls.empty()) {
    return Status::InvalidArgument(where + "set feed_url, site_url, sitemap_url or index_urls");
  }
  for (const std::string& url : s.index_urls) {
    if (!IsHttpUrl(url)) return Status::InvalidArgument(where + "\"index_urls\" must hold http(s) URLs, not \"" + url + "\"");
  }
  if (!s.index_urls.empty() && s.index_include.empty()) {
    return Status::InvalidArgument(where + "\"index_urls\" needs \"index_include\": the glob patterns of its post links");
  }
  for (const auto& [key, url] : {std::pair{&keys.feed_url, s.feed_url}, {&keys.site_url, s.site_url}, {&keys.sitemap_url, s.sitemap_url}}) {
    if (!url.empty() && !IsHttpUrl(url)) return Status::InvalidArgument(where + "\"" + key->path() + "\" must be an http(s) URL");
  }
  if (!ParsePlatform(keys.platform.Get(config), &s.platform)) {
    return Status::InvalidArgument(where +
                                   "\"platform\" must be auto, wordpress, substack, blogger, ghost, medium or generic");
  }
  std::string fp = keys.fetch_pages.Get(config);
  if (fp == "auto") s.fetch_pages = FetchPages::kAuto;
  else if (fp == "always") s.fetch_pages = FetchPages::kAlways;
  else if (fp == "never") s.fetch_pages = FetchPages::kNever;
  else return Status::InvalidArgument(where + "\"fetch_pages\" must be auto, always or never");
  if (s.feed_url.empty() && (s.platform == Platform::kMedium)) {
    return Status::InvalidArgument(where + "platform medium needs feed_url (https://medium.com/feed/@user)");
  }
  s.history = keys.history.Get(config);
  s.robots_sitemaps = keys.robots_sitemaps.Get(config);
  s.sitemap_include = keys.sitemap_include.Get(config);
  s.sitemap_exclude = keys.sitemap_exclude.Get(config);
  s.max_archive_pages = keys.max_archive_pages.Get(config);
  s.max_page_fetches = keys.max_page_fetches.Get(config);
  s.archive_page_size = keys.archive_page_size.Get(config);
  s.summary_recheck_days = keys.summary_recheck_days.Get(config);
  if (s.summary_recheck_days < 0) return Status::InvalidArgument(where + "\"summary_recheck_days\" must be >= 0");
  if (s.max_archive_pages < 0 || s.max_page_fetches < 0 || s.archive_page_size < 1) {
    return Status::InvalidArgument(where + "max_archive_pages and max_page_fetches must be >= 0, archive_page_size >= 1");
  }
  return std::unique_ptr<Source>(new FeedSource(config.name, std::move(s)));
}

}  // namespace
}  // namespace feed

const SourceKind& FeedSourceKind() {
  static const SourceKind kind = {
      "feed",
      "a blog: RSS/Atom feed, platform archive (WordPress, Substack, Blogger) or sitemaps, post pages",
      &KeysOf<feed::FeedKeys>(),
      feed::CreateFeedSource,
  };
  return kind;
}

}  // namespace alcor
