// The index-page walker: sites that list their posts on pages, with no feed or sitemap to say so
// (feed_run.hpp).
#include <memory>
#include <string>
#include <vector>

#include "alcor/strings.hpp"
#include "alcor/url.hpp"
#include "sources/feed/feed_parse.hpp"
#include "sources/feed/feed_run.hpp"

namespace alcor::feed {
namespace {

// Each of index_urls is fetched (conditional GET) every run; every link on it that matches one of
// index_include and none of sitemap_exclude, and is not the page itself, is a post: fetched as a
// page when it was not stored before. A page left unfinished has its validators dropped, so the
// next run reads it in full.
class IndexWalker : public ArchiveWalker {
 public:
  Status Walk(FeedSource& feed, RunState& rs, bool /*first_walk*/, bool /*feed_all_new*/) override {
    SourceContext& ctx = *rs.ctx;
    const Settings& s = feed.settings();
    for (const std::string& index_url : s.index_urls) {
      if (feed.Stopping(rs) || !feed.TakeArchivePage(rs, "index page")) return Status::OK();
      HttpRequest req = HttpRequest::Get(index_url);
      req.conditional = true;
      Result<HttpResponse> r = ctx.http().Fetch(req);
      if (!r.ok()) {
        ctx.ReportFailure(index_url, r.status().WithContext(feed.Blog() + ": index page"));
        continue;
      }
      if (r->robots_disallowed()) {
        ctx.ReportFailure(index_url, Status::RobotsDenied("robots.txt forbids the index page " + index_url));
        continue;
      }
      if (r->not_modified()) continue;
      std::string page_url = r->final_url.empty() ? index_url : r->final_url;
      std::string self = CanonicalizeUrl(page_url);
      bool finished = true;
      int since_checkpoint = 0;
      for (const std::string& link : PageLinks(r->body, page_url)) {
        if (CanonicalizeUrl(link) == self) continue;
        if (!MatchesAnyGlob(s.index_include, link) || MatchesAnyGlob(s.sitemap_exclude, link)) continue;
        bool stop = false;
        ALCOR_RETURN_IF_ERROR(feed.EmitListedUrl(rs, link, std::nullopt, &since_checkpoint, &stop));
        if (stop) {
          finished = false;
          break;
        }
      }
      if (!finished) ctx.http().ForgetValidators(index_url);
      feed.Checkpoint(rs);
      if (!finished) return Status::OK();
    }
    return Status::OK();
  }
};

}  // namespace

std::unique_ptr<ArchiveWalker> NewIndexWalker() { return std::make_unique<IndexWalker>(); }

}  // namespace alcor::feed
