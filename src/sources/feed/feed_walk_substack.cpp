// The Substack archive walker (feed_run.hpp).
#include <algorithm>
#include <memory>
#include <set>
#include <string>

#include "alcor/dates.hpp"
#include "alcor/json.hpp"
#include "alcor/strings.hpp"
#include "alcor/url.hpp"
#include "sources/feed/feed_run.hpp"

namespace alcor::feed {
namespace {

// Substack: /api/v1/archive?sort=new&offset=&limit= lists posts until an empty page;
// /api/v1/posts/<slug> has each body. Walked on the first run and whenever the feed held only
// new posts; later walks stop after a page holding a known post.
class SubstackWalker : public ArchiveWalker {
 public:
  Status Walk(FeedSource& feed, RunState& rs, bool first_walk, bool feed_all_new) override {
    if (!first_walk && !feed_all_new) return Status::OK();
    SourceContext& ctx = *rs.ctx;
    std::string base = StripTrailingSlashes(rs.site_url);
    int64_t limit = std::clamp<int64_t>(feed.settings().archive_page_size, 1, 50);
    int64_t offset = first_walk ? rs.state.history_next : 0;
    while (!feed.Stopping(rs)) {
      if (!feed.TakeArchivePage(rs, "archive")) return Status::OK();
      std::string url =
          base + "/api/v1/archive?sort=new&offset=" + std::to_string(offset) + "&limit=" + std::to_string(limit);
      Result<HttpResponse> r = ctx.http().Fetch(HttpRequest::Get(url));
      if (!r.ok()) {
        ctx.ReportFailure(url, r.status());
        return Status::OK();
      }
      if (r->robots_disallowed()) {
        ctx.ReportFailure(url, Status::RobotsDenied("robots.txt forbids the archive API"));
        return Status::OK();
      }
      Result<json> answer = ParseJson(r->body, feed.Blog() + ": the archive API answer");
      if (answer.status().code() == Status::Code::kLimitExceeded) {
        ctx.ReportFailure(url, answer.status());
        return Status::OK();
      }
      json items = answer.ok() ? std::move(answer).value() : json();
      if (!items.is_array()) {
        ctx.ReportFailure(url, Status::Corruption(feed.Blog() + ": the archive API did not answer a JSON array"));
        return Status::OK();
      }
      if (items.empty()) {
        if (first_walk) feed.ArchiveWalked(rs);
        return Status::OK();
      }
      bool all_new = true;
      for (const json& item : items) {
        if (feed.Stopping(rs)) break;
        if (!item.is_object()) continue;
        Post post;
        auto str = [](const json& o, const char* key) {
          return o.contains(key) && o[key].is_string() ? o[key].get<std::string>() : std::string();
        };
        std::string slug = str(item, "slug");
        std::string canonical = str(item, "canonical_url");
        post.link = IsHttpUrl(canonical) ? canonical : (slug.empty() ? "" : base + "/p/" + slug);
        if (post.link.empty()) continue;
        std::string canon = CanonicalizeUrl(post.link);
        if (rs.emitted.count(canon)) continue;
        post.title = str(item, "title");
        if (auto d = NormalizeDateToUtc(str(item, "post_date"))) post.published = d;
        if (auto d = NormalizeDateToUtc(str(item, "updated_at"))) post.lastmod = d;
        if (!post.lastmod) post.lastmod = post.published;
        Novelty n = feed.Check(rs, post);
        if (n == Novelty::kSame) {
          all_new = false;
          ctx.CountUnchanged(1);
          continue;
        }
        if (item.contains("publishedBylines") && item["publishedBylines"].is_array()) {
          for (const json& b : item["publishedBylines"])
            if (b.is_object() && !str(b, "name").empty()) post.authors.push_back(str(b, "name"));
        }
        if (item.contains("postTags") && item["postTags"].is_array()) {
          for (const json& t : item["postTags"])
            if (t.is_object() && !str(t, "name").empty()) post.tags.push_back(str(t, "name"));
        }
        std::string subtitle = str(item, "subtitle");
        if (subtitle.empty()) subtitle = str(item, "description");
        post.summary_html = subtitle;
        std::string audience = str(item, "audience");
        post.paywalled = !audience.empty() && audience != "everyone";
        post.base_url = post.link;
        post.body_origin = "archive-api";
        // The body, from the post API.
        if (!slug.empty()) {
          std::string post_url = base + "/api/v1/posts/" + slug;
          ScopedSourcePhase fetching(ctx, SourcePhase::kFetchingPages);
          Result<HttpResponse> body = ctx.http().Fetch(HttpRequest::Get(post_url));
          if (body.ok() && !body->robots_disallowed()) {
            Result<json> post_answer = ParseJson(body->body, post_url);
            json full = post_answer.ok() ? std::move(post_answer).value() : json();
            if (full.is_object()) {
              post.body_html = str(full, "body_html");
              if (post.authors.empty() && full.contains("publishedBylines") && full["publishedBylines"].is_array()) {
                for (const json& b : full["publishedBylines"])
                  if (b.is_object() && !str(b, "name").empty()) post.authors.push_back(str(b, "name"));
              }
            }
          } else if (!body.ok()) {
            ctx.Log("post API " + post_url + ": " + body.status().ToString() + "; fetching the page instead");
          }
        }
        if (post.body_html.empty()) post.must_fetch_page = true;
        Status s = feed.EmitPost(rs, post);
        if (s.IsInterrupted()) break;
        ALCOR_RETURN_IF_ERROR(s);
      }
      if (feed.Stopping(rs)) {
        feed.Checkpoint(rs);
        return Status::OK();
      }
      offset += static_cast<int64_t>(items.size());
      if (first_walk) rs.state.history_next = offset;
      feed.Checkpoint(rs);
      if (!first_walk && !all_new) return Status::OK();
    }
    return Status::OK();
  }
};

}  // namespace

std::unique_ptr<ArchiveWalker> NewSubstackWalker() { return std::make_unique<SubstackWalker>(); }

}  // namespace alcor::feed
