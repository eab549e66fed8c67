// The sitemap archive walkers: generic sites, Ghost and Medium (feed_run.hpp).
#include <algorithm>
#include <memory>
#include <set>
#include <string>

#include "alcor/strings.hpp"
#include "alcor/url.hpp"
#include "sources/feed/feed_run.hpp"

namespace alcor::feed {
namespace {

enum class SitemapFlavor {
  kGeneric,  // sitemap_url, else robots.txt `Sitemap:` lines under site_url, else site_url/sitemap.xml
  kGhost,    // the same, and of an index only the posts sitemap is read
  kMedium,   // sitemap_url, else <publication>/sitemap/sitemap.xml, the sitemap index a Medium
             // publication on its own host (a subdomain or custom domain) serves
};

// Sitemaps, found as the flavor says; indexes followed three levels deep; every URL that passes
// the include/exclude globs and is new or has a newer lastmod is fetched as a page. Re-read every
// run with conditional GETs.
class SitemapWalker : public ArchiveWalker {
 public:
  explicit SitemapWalker(SitemapFlavor flavor) : flavor_(flavor) {}

  bool ReadsSitemaps() const override { return true; }

  Status Walk(FeedSource& feed, RunState& rs, bool first_walk, bool /*feed_all_new*/) override {
    SourceContext& ctx = *rs.ctx;
    std::string site = StripTrailingSlashes(rs.site_url);
    std::string site_canon = StripTrailingSlashes(CanonicalizeUrl(site));
    std::vector<std::string> roots;
    if (!feed.settings().sitemap_url.empty()) {
      roots.push_back(feed.settings().sitemap_url);
    } else if (flavor_ == SitemapFlavor::kMedium) {
      // The feed's link carries a tracking query (?source=rss...): the publication is its path.
      roots.push_back(UrlOrigin(site) + StripTrailingSlashes(UrlPath(site)) + "/sitemap/sitemap.xml");
    } else {
      if (feed.settings().robots_sitemaps) {
        std::string robots_url = UrlOrigin(site) + "/robots.txt";
        Result<HttpResponse> robots = ctx.http().Fetch(HttpRequest::Get(robots_url));
        if (robots.ok() && !robots->robots_disallowed()) {
          for (const std::string& sm : RobotsSitemaps(robots->body, robots_url)) {
            // One robots.txt serves a whole host; keep the sitemaps under this blog's path.
            std::string c = CanonicalizeUrl(sm);
            if (c == site_canon || c.rfind(site_canon + "/", 0) == 0) roots.push_back(sm);
          }
        }
      }
      if (roots.empty()) roots.push_back(site + "/sitemap.xml");
    }
    struct Pending {
      std::string url;
      int depth;
    };
    std::vector<Pending> queue;
    for (const std::string& r : roots) queue.push_back({r, 0});
    std::set<std::string> visited;
    bool complete = true;
    for (size_t qi = 0; qi < queue.size(); ++qi) {
      if (feed.Stopping(rs)) {
        complete = false;
        break;
      }
      Pending p = queue[qi];
      if (!visited.insert(p.url).second) continue;
      if (!feed.TakeArchivePage(rs, "sitemap")) {
        complete = false;
        break;
      }
      HttpRequest req = HttpRequest::Get(p.url);
      req.conditional = true;
      Result<HttpResponse> r = ctx.http().Fetch(req);
      if (!r.ok()) {
        int code = r.status().http_status();
        if (code == 404 || code == 410) {
          ctx.Log("no sitemap at " + p.url);
        } else {
          ctx.ReportFailure(p.url, r.status());
          complete = false;
        }
        continue;
      }
      if (r->robots_disallowed() || r->not_modified()) continue;
      Result<ParsedSitemap> sm = ParseSitemap(r->body, r->final_url.empty() ? p.url : r->final_url);
      if (!sm.ok()) {
        ctx.http().ForgetValidators(p.url);
        ctx.ReportFailure(p.url, sm.status().WithContext(feed.Blog() + ": sitemap"));
        complete = false;
        continue;
      }
      if (sm->is_index) {
        if (p.depth >= 3) continue;
        for (const SitemapUrl& child : sm->entries) {
          // Ghost lists posts, pages, tags and authors in separate sitemaps; only posts are wanted.
          if (flavor_ == SitemapFlavor::kGhost && feed.settings().sitemap_url.empty() &&
              AsciiLower(child.loc).find("sitemap-posts") == std::string::npos) {
            continue;
          }
          queue.push_back({child.loc, p.depth + 1});
        }
        continue;
      }
      bool finished = true;
      int since_checkpoint = 0;
      for (const SitemapUrl& u : sm->entries) {
        if (!IsHttpUrl(u.loc)) continue;
        if (StripTrailingSlashes(CanonicalizeUrl(u.loc)) == site_canon) continue;  // the home page
        const Settings& s = feed.settings();
        if (!s.sitemap_include.empty() && !MatchesAnyGlob(s.sitemap_include, u.loc)) continue;
        if (MatchesAnyGlob(s.sitemap_exclude, u.loc)) continue;
        bool stop = false;
        ALCOR_RETURN_IF_ERROR(feed.EmitListedUrl(rs, u.loc, u.lastmod, &since_checkpoint, &stop));
        if (stop) {
          finished = false;
          break;
        }
      }
      if (!finished) {
        // Read again in full next run: a 304 would hide the URLs not reached.
        ctx.http().ForgetValidators(p.url);
        complete = false;
        feed.Checkpoint(rs);
        break;
      }
      feed.Checkpoint(rs);
    }
    if (complete && first_walk) {
      rs.state.history_done = true;
      feed.Checkpoint(rs);
    }
    return Status::OK();
  }

 private:
  const SitemapFlavor flavor_;
};

}  // namespace

std::unique_ptr<ArchiveWalker> NewSitemapWalker() { return std::make_unique<SitemapWalker>(SitemapFlavor::kGeneric); }
std::unique_ptr<ArchiveWalker> NewGhostWalker() { return std::make_unique<SitemapWalker>(SitemapFlavor::kGhost); }
std::unique_ptr<ArchiveWalker> NewMediumWalker() { return std::make_unique<SitemapWalker>(SitemapFlavor::kMedium); }

}  // namespace alcor::feed
