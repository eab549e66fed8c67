// BlogSite: one blog of a given platform served on a TestServer under a path prefix, answering as
// the real platform does for what the feed source reads:
//
//   platform   feed (ETag; 304 to If-None-Match)         archive                         post pages
//   wordpress  P/feed/  RSS 2.0, ?paged=N (404 past end)  the feed's pages                P/YYYY/MM/DD/<slug>/
//   substack   P/feed   RSS 2.0 (paid posts: preview)     P/api/v1/archive?sort=new&offset=&limit=,
//                                                         P/api/v1/posts/<slug> (body_html) P/p/<slug>
//   blogger    P/feeds/posts/default  Atom, ?start-index=&max-results=                    P/YYYY/MM/<slug>.html
//   ghost      P/rss/   RSS 2.0 (full content)            P/sitemap.xml index → sitemap-posts.xml,
//                                                         sitemap-pages.xml, sitemap-tags.xml  P/<slug>/
//   medium     P/feed   RSS 2.0, latest 10 only           P/sitemap/sitemap.xml index →   P/<slug>-<id>
//                                                         P/sitemap/posts/<year>.xml, P/sitemap/pages.xml
//   generic    P/feed.xml Atom (optionally summaries only) P/sitemap.xml, or with gzip_sitemap
//                                                         P/sitemap_index.xml → P/sitemap-posts.xml.gz  P/posts/<slug>/
//
// A summary-only feed carries each post's `summary`, or with summary_first_section (as Hugo's
// default templates publish .Summary) the post's first section: its HTML up to the first <h2>,
// often hundreds of words of a post that runs to thousands.
//
// Every platform also lists its posts (plus an about page and a tag page, which a crawler should
// skip) in a sitemap named by RobotsLines(). Post pages are whole HTML pages: header navigation,
// a sidebar, the article, a comment section and a footer, with the usual meta tags.
//
// Thread safety: AddPost / SetPost may be called while the server runs (the next feed answer has a
// new ETag). The routes keep the site's data alive on their own: the BlogSite object may be
// destroyed before the server.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "alcor/status.hpp"
#include "alcor_testing/test_server.hpp"

namespace alcor::testing {

struct BlogPostData {
  std::string slug;
  std::string title;
  std::vector<std::string> authors;
  std::string published;  // RFC 3339 UTC
  std::string updated;    // RFC 3339 UTC; "" means published
  std::vector<std::string> tags;
  std::string summary;    // plain text (feed description / summary, Substack subtitle)
  std::string html;       // the article body (HTML)
  bool paid = false;      // Substack: the feed and the API carry only a preview
};

struct BlogData {
  std::string name;      // the blog's folder name
  std::string platform;  // wordpress, substack, blogger, ghost, medium, generic
  std::string title;
  std::string description;
  std::vector<BlogPostData> posts;  // any order; served newest first
  int feed_items = 10;       // posts in the feed (and per ?paged= page)
  bool summary_only = false; // the feed carries summaries, not content
  bool summary_first_section = false;  // with summary_only: the summary is the post's first section
  bool gzip_sitemap = false; // generic: sitemap index pointing at a .xml.gz urlset

  // Reads <dir>/blog.json: {"platform", "title", "description", "feed_items", "summary_only",
  // "summary_first_section", "gzip_sitemap", "posts": [{"slug", "title", "authors", "published", "updated", "tags",
  // "summary", "html" or "html_file" (relative to dir), "paid"}]}. name is the folder's name.
  static Result<BlogData> LoadDirectory(const std::string& dir);
};

struct BlogSiteState;  // the data the routes share (blog_site.cpp)

class BlogSite {
 public:
  explicit BlogSite(BlogData data);
  ~BlogSite();

  // Installs the routes under prefix ("/blogs/name", no trailing slash) on server.
  void Install(TestServer* server, const std::string& prefix);

  // Lines the host's robots.txt should carry for this blog ("Sitemap: <url>"), given the server's
  // base URL ("http://127.0.0.1:PORT"). REQUIRES: Install was called.
  std::vector<std::string> RobotsLines(const std::string& base_url) const;

  // Paths (with the prefix) of the blog's home page, feed and a post page.
  std::string HomePath() const;
  std::string FeedPath() const;
  std::string PostPath(const std::string& slug) const;
  std::string SitemapPath() const;

  // Adds (or replaces, by slug) a post; the feed's ETag changes.
  void SetPost(BlogPostData post);

  const std::string& platform() const;

 private:
  std::shared_ptr<BlogSiteState> state_;
};

// Installs every blog found under dir (each subfolder holding a blog.json) at
// prefix + "/" + <folder name>. Returns the robots.txt lines they want (see RobotsLines) or the
// first loading error. The sites stay alive as long as the server's routes.
Result<std::vector<std::string>> InstallBlogsFromDirectory(TestServer* server, const std::string& dir,
                                                           const std::string& prefix);

}  // namespace alcor::testing
