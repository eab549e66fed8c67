// The paged-feed archive walkers, WordPress and Blogger (feed_run.hpp).
#include <algorithm>
#include <memory>
#include <set>
#include <string>

#include "alcor/strings.hpp"
#include "alcor/url.hpp"
#include "sources/feed/feed_run.hpp"

namespace alcor::feed {
namespace {

// The feed itself, paged: WordPress `?paged=N` (from 2) until a 404 or an empty page; Blogger
// `?start-index=K&max-results=M` (from 1) until an empty page or a 400. Walked on the first run
// and whenever the feed held only new posts; later walks stop at a page holding a known post.
class PagedFeedWalker : public ArchiveWalker {
 public:
  explicit PagedFeedWalker(bool blogger) : blogger_(blogger) {}

  Status Walk(FeedSource& feed, RunState& rs, bool first_walk, bool feed_all_new) override {
    if (!first_walk && !feed_all_new) return Status::OK();
    SourceContext& ctx = *rs.ctx;
    int64_t page_size = std::clamp<int64_t>(feed.settings().archive_page_size, 1, 500);
    int64_t cursor = blogger_ ? 1 : 2;
    if (first_walk && rs.state.history_next > cursor) cursor = rs.state.history_next;
    std::set<std::string> walk_seen;
    while (!feed.Stopping(rs)) {
      if (!feed.TakeArchivePage(rs, "archive")) return Status::OK();
      std::string url = blogger_
                            ? WithQueryParameter(WithQueryParameter(rs.feed_url, "start-index", std::to_string(cursor)),
                                                 "max-results", std::to_string(page_size))
                            : WithQueryParameter(rs.feed_url, "paged", std::to_string(cursor));
      Result<HttpResponse> r = ctx.http().Fetch(HttpRequest::Get(url));
      bool end = false;
      ParsedFeed page;
      if (!r.ok()) {
        int code = r.status().http_status();
        if (code == 404 || code == 410 || (code == 400 && blogger_)) {
          end = true;  // past the last page
        } else {
          ctx.ReportFailure(url, r.status());
          return Status::OK();
        }
      } else if (r->robots_disallowed()) {
        ctx.ReportFailure(url, Status::RobotsDenied("robots.txt forbids the archive page"));
        return Status::OK();
      } else {
        FeedParseOptions options;
        options.document_url = r->final_url.empty() ? url : r->final_url;
        options.http_charset = r->charset();
        Result<ParsedFeed> parsed = ParseFeed(r->body, options);
        if (!parsed.ok()) {
          ctx.ReportFailure(url, parsed.status().WithContext(feed.Blog() + ": archive page"));
          return Status::OK();
        }
        page = std::move(parsed.value());
        if (page.entries.empty()) end = true;
      }
      if (end) {
        if (first_walk) feed.ArchiveWalked(rs);
        return Status::OK();
      }
      bool all_new = false;
      size_t added = 0;
      ALCOR_RETURN_IF_ERROR(feed.ProcessEntries(rs, page, &all_new, &walk_seen, &added));
      if (feed.Stopping(rs)) {
        feed.Checkpoint(rs);
        return Status::OK();
      }
      cursor += blogger_ ? static_cast<int64_t>(page.entries.size()) : 1;
      if (first_walk) rs.state.history_next = cursor;
      if (added == 0) {
        // The site answers every page with the same posts (it ignores the parameter).
        if (first_walk) rs.state.history_done = true;
        feed.Checkpoint(rs);
        return Status::OK();
      }
      feed.Checkpoint(rs);
      if (!first_walk && !all_new) return Status::OK();
    }
    return Status::OK();
  }

 private:
  const bool blogger_;
};

}  // namespace

std::unique_ptr<ArchiveWalker> NewWordPressWalker() { return std::make_unique<PagedFeedWalker>(false); }
std::unique_ptr<ArchiveWalker> NewBloggerWalker() { return std::make_unique<PagedFeedWalker>(true); }

}  // namespace alcor::feed
