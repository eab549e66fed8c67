// BlogSite: blog platforms emulated on the loopback server (blog_site.hpp).
#include "alcor_testing/emulators/blog_site.hpp"

#include <algorithm>
#include <ctime>
#include <map>
#include <mutex>
#include <set>

#include <nlohmann/json.hpp>

#include "alcor/dates.hpp"
#include "alcor/env.hpp"
#include "alcor/hash.hpp"
#include "alcor/strings.hpp"

namespace alcor::testing {

namespace {

using json = nlohmann::json;

std::string Cdata(std::string_view s) {
  std::string out = "<![CDATA[";
  size_t pos = 0;
  while (true) {
    size_t end = s.find("]]>", pos);
    if (end == std::string_view::npos) {
      out.append(s.substr(pos));
      break;
    }
    out.append(s.substr(pos, end - pos + 2));
    out += "]]><![CDATA[";
    pos = end + 2;
  }
  return out + "]]>";
}

int64_t Seconds(const std::string& rfc3339) { return ParseRfc3339(rfc3339).value_or(0); }

std::string Rfc822(const std::string& rfc3339) {
  time_t t = static_cast<time_t>(Seconds(rfc3339));
  struct tm tm {};
  gmtime_r(&t, &tm);
  char buf[64];
  strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

std::string DatePart(const std::string& rfc3339, const char* format) {
  time_t t = static_cast<time_t>(Seconds(rfc3339));
  struct tm tm {};
  gmtime_r(&t, &tm);
  char buf[32];
  strftime(buf, sizeof buf, format, &tm);
  return buf;
}

std::map<std::string, std::string> QueryParams(const std::string& query) {
  std::map<std::string, std::string> out;
  size_t pos = 0;
  while (pos < query.size()) {
    size_t amp = query.find('&', pos);
    if (amp == std::string::npos) amp = query.size();
    std::string part = query.substr(pos, amp - pos);
    size_t eq = part.find('=');
    out[part.substr(0, eq)] = eq == std::string::npos ? "" : part.substr(eq + 1);
    pos = amp + 1;
  }
  return out;
}

int64_t IntParam(const std::map<std::string, std::string>& q, const std::string& key, int64_t fallback) {
  auto it = q.find(key);
  if (it == q.end() || it->second.empty()) return fallback;
  try {
    return std::stoll(it->second);
  } catch (...) {
    return -1;
  }
}

// The first words of a body, as feeds and paywalls cut it.
std::string Preview(const std::string& html, size_t max_chars) {
  size_t end = html.find("</p>");
  std::string first = end == std::string::npos ? html : html.substr(0, end + 4);
  if (first.size() > max_chars) first = first.substr(0, max_chars);
  return first;
}

// What a summary-only feed carries for a post (BlogData::summary_first_section).
std::string FeedSummary(const BlogData& meta, const BlogPostData& p) {
  if (!meta.summary_first_section) return p.summary;
  size_t h2 = p.html.find("<h2");
  return h2 == std::string::npos ? p.html : p.html.substr(0, h2);
}

Reply Xml(std::string body, const std::string& type) { return Reply::Text(std::move(body), type + "; charset=utf-8"); }

}  // namespace

struct BlogSiteState {
  mutable std::mutex mu;
  BlogData data;  // guarded by mu
  std::string prefix;

  // Posts newest first (copy, under mu).
  std::vector<BlogPostData> Sorted() const {
    std::lock_guard<std::mutex> lock(mu);
    std::vector<BlogPostData> posts = data.posts;
    std::stable_sort(posts.begin(), posts.end(),
                     [](const BlogPostData& a, const BlogPostData& b) { return Seconds(a.published) > Seconds(b.published); });
    return posts;
  }
  BlogData Meta() const {
    std::lock_guard<std::mutex> lock(mu);
    BlogData d = data;
    d.posts.clear();
    return d;
  }

  std::string PostPath(const BlogPostData& p, const std::string& platform) const {
    if (platform == "wordpress") return prefix + "/" + DatePart(p.published, "%Y/%m/%d") + "/" + p.slug + "/";
    if (platform == "substack") return prefix + "/p/" + p.slug;
    if (platform == "blogger") return prefix + "/" + DatePart(p.published, "%Y/%m") + "/" + p.slug + ".html";
    if (platform == "ghost") return prefix + "/" + p.slug + "/";
    if (platform == "medium") return prefix + "/" + p.slug + "-4f2a9c1e";
    return prefix + "/posts/" + p.slug + "/";
  }
  std::string FeedPath(const std::string& platform) const {
    if (platform == "wordpress") return prefix + "/feed/";
    if (platform == "blogger") return prefix + "/feeds/posts/default";
    if (platform == "ghost") return prefix + "/rss/";
    if (platform == "generic") return prefix + "/feed.xml";
    return prefix + "/feed";
  }
  std::string SitemapPath(const std::string& platform, bool gzip) const {
    if (platform == "generic" && gzip) return prefix + "/sitemap_index.xml";
    if (platform == "medium") return prefix + "/sitemap/sitemap.xml";
    return prefix + "/sitemap.xml";
  }
};

BlogSite::BlogSite(BlogData data) : state_(std::make_shared<BlogSiteState>()) { state_->data = std::move(data); }
BlogSite::~BlogSite() = default;

const std::string& BlogSite::platform() const { return state_->data.platform; }
std::string BlogSite::HomePath() const { return state_->prefix + "/"; }
std::string BlogSite::FeedPath() const { return state_->FeedPath(state_->data.platform); }
std::string BlogSite::SitemapPath() const { return state_->SitemapPath(state_->data.platform, state_->data.gzip_sitemap); }
std::string BlogSite::PostPath(const std::string& slug) const {
  std::lock_guard<std::mutex> lock(state_->mu);
  for (const BlogPostData& p : state_->data.posts)
    if (p.slug == slug) return state_->PostPath(p, state_->data.platform);
  return {};
}

void BlogSite::SetPost(BlogPostData post) {
  std::lock_guard<std::mutex> lock(state_->mu);
  for (BlogPostData& p : state_->data.posts) {
    if (p.slug == post.slug) {
      p = std::move(post);
      return;
    }
  }
  state_->data.posts.push_back(std::move(post));
}

std::vector<std::string> BlogSite::RobotsLines(const std::string& base_url) const {
  return {"Sitemap: " + base_url + SitemapPath()};
}

namespace {

std::string RenderPage(const BlogData& meta, const BlogPostData& p, const std::string& home, bool paywalled) {
  std::string authors;
  for (size_t i = 0; i < p.authors.size(); ++i) authors += (i ? ", " : "") + p.authors[i];
  std::string body = paywalled ? Preview(p.html, 400) +
                                     "<div class=\"paywall\"><h3>This post is for paid subscribers</h3>"
                                     "<a href=\"" + home + "subscribe\">Subscribe</a></div>"
                               : p.html;
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>" + XmlEscape(p.title) +
                    " | " + XmlEscape(meta.title) + "</title>\n";
  out += "<meta property=\"og:title\" content=\"" + XmlEscape(p.title) + "\">\n";
  out += "<meta property=\"og:site_name\" content=\"" + XmlEscape(meta.title) + "\">\n";
  if (!authors.empty()) out += "<meta name=\"author\" content=\"" + XmlEscape(authors) + "\">\n";
  out += "<meta property=\"article:published_time\" content=\"" + p.published + "\">\n";
  if (!p.updated.empty()) out += "<meta property=\"article:modified_time\" content=\"" + p.updated + "\">\n";
  out += "<meta name=\"description\" content=\"" + XmlEscape(p.summary) + "\">\n";
  out += "<script>window.analytics = {track: function() {}};</script>\n</head>\n<body>\n";
  out += "<header class=\"site-header\"><a class=\"logo\" href=\"" + home + "\">" + XmlEscape(meta.title) +
         "</a><nav class=\"main-nav\"><ul><li><a href=\"" + home + "\">Home</a></li><li><a href=\"" + home +
         "archive\">Archive</a></li><li><a href=\"" + home + "about/\">About</a></li><li><a href=\"" + home +
         "subscribe\">Subscribe</a></li></ul></nav></header>\n";
  out += "<div class=\"layout\"><main id=\"main\"><article class=\"post\">\n<h1 class=\"post-title\">" +
         XmlEscape(p.title) + "</h1>\n<div class=\"byline\">" + XmlEscape(authors) + " · <time datetime=\"" +
         p.published + "\">" + DatePart(p.published, "%B %d, %Y") + "</time></div>\n<div class=\"post-content\">\n" +
         body + "\n</div>\n</article>\n";
  out += "<section id=\"comments\" class=\"comments\"><h2>3 Comments</h2>"
         "<div class=\"comment\"><span class=\"comment-author\">reader_one</span><p>Great post, subscribed "
         "for the sidebar widgets alone.</p></div><div class=\"comment\"><p>First!</p></div>"
         "<form class=\"comment-form\"><textarea>Leave a comment</textarea><button>Post comment</button></form>"
         "</section></main>\n";
  out += "<aside class=\"sidebar widget-area\"><h3>Popular posts</h3><ul><li><a href=\"" + home +
         "\">Ten weird tricks for sidebar visibility</a></li><li><a href=\"" + home +
         "\">Our newsletter sponsors</a></li></ul><div class=\"newsletter-signup\">Subscribe to our newsletter "
         "for weekly updates!</div></aside></div>\n";
  out += "<footer class=\"site-footer\"><p>© 2024 " + XmlEscape(meta.title) +
         ". All rights reserved. Cookie settings · Privacy policy</p></footer>\n</body></html>\n";
  return out;
}

std::string RssItem(const BlogData& meta, const BlogPostData& p, const std::string& link, bool summary_only,
                    bool preview_only, const std::string& platform) {
  std::string out = "    <item>\n      <title>" + Cdata(p.title) + "</title>\n";
  out += "      <link>" + XmlEscape(link) + "</link>\n";
  if (platform == "ghost") {
    out += "      <guid isPermaLink=\"false\">" + Sha256Hex(p.slug).substr(0, 24) + "</guid>\n";
  } else {
    out += "      <guid isPermaLink=\"true\">" + XmlEscape(link) + "</guid>\n";
  }
  for (const std::string& a : p.authors) out += "      <dc:creator>" + Cdata(a) + "</dc:creator>\n";
  out += "      <pubDate>" + Rfc822(p.published) + "</pubDate>\n";
  for (const std::string& t : p.tags) out += "      <category>" + Cdata(t) + "</category>\n";
  out += "      <description>" + Cdata(summary_only ? FeedSummary(meta, p) : p.summary) + "</description>\n";
  if (!summary_only) {
    std::string content = preview_only
                              ? Preview(p.html, 300) + "<p><a href=\"" + link + "\">Read more</a></p>"
                              : p.html;
    out += "      <content:encoded>" + Cdata(content) + "</content:encoded>\n";
  }
  return out + "    </item>\n";
}

std::string RssFeed(const BlogData& meta, const std::vector<BlogPostData>& posts, size_t begin, size_t end,
                    const std::string& base, const BlogSiteState& st, const std::string& generator) {
  std::string home = base + st.prefix + "/";
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                    "<rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" "
                    "xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:atom=\"http://www.w3.org/2005/Atom\">\n"
                    "  <channel>\n";
  out += "    <title>" + Cdata(meta.title) + "</title>\n    <link>" + home + "</link>\n";
  out += "    <description>" + Cdata(meta.description) + "</description>\n";
  out += "    <atom:link href=\"" + base + st.FeedPath(meta.platform) + "\" rel=\"self\" type=\"application/rss+xml\"/>\n";
  out += "    <generator>" + generator + "</generator>\n    <language>en</language>\n";
  for (size_t i = begin; i < end && i < posts.size(); ++i) {
    const BlogPostData& p = posts[i];
    out += RssItem(meta, p, base + st.PostPath(p, meta.platform), meta.summary_only,
                   meta.platform == "substack" && p.paid, meta.platform);
  }
  return out + "  </channel>\n</rss>\n";
}

std::string AtomFeed(const BlogData& meta, const std::vector<BlogPostData>& posts, size_t begin, size_t end,
                     const std::string& base, const BlogSiteState& st, bool blogger) {
  std::string home = base + st.prefix + "/";
  std::string out = "<?xml version='1.0' encoding='UTF-8'?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\"";
  if (blogger) out += " xmlns:openSearch=\"http://a9.com/-/spec/opensearchrss/1.0/\"";
  out += ">\n";
  out += "  <id>" + (blogger ? "tag:blogger.com,1999:blog-" + Sha256Hex(meta.name).substr(0, 12) : home) + "</id>\n";
  out += "  <title type=\"text\">" + XmlEscape(meta.title) + "</title>\n";
  out += "  <subtitle type=\"html\">" + XmlEscape(meta.description) + "</subtitle>\n";
  out += "  <link rel=\"alternate\" type=\"text/html\" href=\"" + home + "\"/>\n";
  out += "  <link rel=\"self\" type=\"application/atom+xml\" href=\"" + base + st.FeedPath(meta.platform) + "\"/>\n";
  if (blogger) {
    out += "  <generator version=\"7.00\" uri=\"http://www.blogger.com\">Blogger</generator>\n";
    out += "  <openSearch:totalResults>" + std::to_string(posts.size()) + "</openSearch:totalResults>\n";
  } else {
    out += "  <generator uri=\"https://gohugo.io/\">Hugo</generator>\n";
  }
  if (!posts.empty()) out += "  <updated>" + posts.front().published + "</updated>\n";
  for (size_t i = begin; i < end && i < posts.size(); ++i) {
    const BlogPostData& p = posts[i];
    std::string link = base + st.PostPath(p, meta.platform);
    out += "  <entry>\n";
    out += "    <id>" + (blogger ? "tag:blogger.com,1999:post-" + Sha256Hex(p.slug).substr(0, 12) : link) + "</id>\n";
    out += "    <published>" + p.published + "</published>\n";
    out += "    <updated>" + (p.updated.empty() ? p.published : p.updated) + "</updated>\n";
    for (const std::string& t : p.tags) {
      out += "    <category " + std::string(blogger ? "scheme=\"http://www.blogger.com/atom/ns#\" " : "") + "term=\"" +
             XmlEscape(t) + "\"/>\n";
    }
    out += "    <title type=\"text\">" + XmlEscape(p.title) + "</title>\n";
    if (meta.summary_only) {
      out += "    <summary type=\"html\">" + XmlEscape(FeedSummary(meta, p)) + "</summary>\n";
    } else {
      out += "    <content type=\"html\">" + XmlEscape(p.html) + "</content>\n";
    }
    // Post links are relative to the blog's home page, through xml:base on the link element.
    std::string path = st.PostPath(p, meta.platform);
    std::string relative = path.substr(st.prefix.size() + 1);
    out += "    <link rel=\"alternate\" type=\"text/html\" xml:base=\"" + home + "\" href=\"" + relative + "\"/>\n";
    for (const std::string& a : p.authors) out += "    <author><name>" + XmlEscape(a) + "</name></author>\n";
    out += "  </entry>\n";
  }
  return out + "</feed>\n";
}

Reply WithEtag(const ServerRequest& req, std::string body, const std::string& type) {
  std::string etag = "\"" + Sha256Hex(body).substr(0, 16) + "\"";
  const std::string* inm = req.Header("if-none-match");
  if (inm && *inm == etag) return Reply::Status(304).WithHeader("ETag", etag);
  return Xml(std::move(body), type).WithHeader("ETag", etag);
}

std::string UrlSet(const std::vector<std::pair<std::string, std::string>>& urls) {
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                    "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n";
  for (const auto& [loc, lastmod] : urls) {
    out += "  <url><loc>" + XmlEscape(loc) + "</loc>";
    if (!lastmod.empty()) out += "<lastmod>" + lastmod + "</lastmod>";
    out += "</url>\n";
  }
  return out + "</urlset>\n";
}

std::string SitemapIndex(const std::vector<std::string>& locs) {
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                    "<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n";
  for (const std::string& l : locs) out += "  <sitemap><loc>" + XmlEscape(l) + "</loc></sitemap>\n";
  return out + "</sitemapindex>\n";
}

std::string BaseOf(const ServerRequest& req, int port) {
  const std::string* host = req.Header("host");
  return "http://" + (host ? *host : "127.0.0.1:" + std::to_string(port));
}

json SubstackItem(const BlogPostData& p, const std::string& link, bool with_body) {
  json j;
  j["id"] = static_cast<int64_t>(std::hash<std::string>{}(p.slug) % 100000000);
  j["title"] = p.title;
  j["subtitle"] = p.summary;
  j["slug"] = p.slug;
  j["post_date"] = p.published;
  j["canonical_url"] = link;
  j["type"] = "newsletter";
  j["audience"] = p.paid ? "only_paid" : "everyone";
  j["wordcount"] = static_cast<int64_t>(std::count(p.html.begin(), p.html.end(), ' ') + 1);
  json bylines = json::array();
  for (const std::string& a : p.authors) bylines.push_back({{"name", a}});
  j["publishedBylines"] = bylines;
  json tags = json::array();
  for (const std::string& t : p.tags) tags.push_back({{"name", t}, {"slug", t}});
  j["postTags"] = tags;
  j["truncated_body_text"] = p.summary;
  if (with_body) j["body_html"] = p.paid ? Preview(p.html, 300) : p.html;
  return j;
}

}  // namespace

void BlogSite::Install(TestServer* server, const std::string& prefix) {
  std::shared_ptr<BlogSiteState> st = state_;
  st->prefix = prefix;
  int port = server->port();
  const std::string platform = st->data.platform;

  // Posts, the home page and the extra pages a sitemap lists.
  server->RoutePrefix(prefix + "/", [st, port, platform](const ServerRequest& req) -> Reply {
    std::string base = BaseOf(req, port);
    std::vector<BlogPostData> posts = st->Sorted();
    BlogData meta = st->Meta();
    std::string home = base + st->prefix + "/";
    for (const BlogPostData& p : posts) {
      if (req.path == st->PostPath(p, platform)) {
        return Reply::Text(RenderPage(meta, p, home, platform == "substack" && p.paid), "text/html; charset=utf-8");
      }
    }
    if (req.path == st->prefix + "/" || req.path == st->prefix + "/about/") {
      std::string html = "<!DOCTYPE html><html><head><title>" + XmlEscape(meta.title) +
                         "</title><link rel=\"alternate\" type=\"application/rss+xml\" title=\"Comments\" href=\"" +
                         home + "comments/feed/\"><link rel=\"alternate\" type=\"" +
                         std::string(platform == "generic" || platform == "blogger" ? "application/atom+xml"
                                                                                     : "application/rss+xml") +
                         "\" href=\"" + base + st->FeedPath(platform) + "\"></head><body><h1>" +
                         XmlEscape(meta.title) + "</h1><p>" + XmlEscape(meta.description) + "</p></body></html>";
      return Reply::Text(html, "text/html; charset=utf-8");
    }
    if (req.path == st->prefix + "/tag/alignment/") {
      return Reply::Text("<html><body><h1>Posts tagged alignment</h1></body></html>", "text/html");
    }
    return Reply::Status(404, "<html><body>Page not found</body></html>");
  });

  // The feed.
  server->RouteHandler(st->FeedPath(platform), [st, port, platform](const ServerRequest& req) -> Reply {
    std::string base = BaseOf(req, port);
    std::vector<BlogPostData> posts = st->Sorted();
    BlogData meta = st->Meta();
    auto q = QueryParams(req.query);
    size_t per_page = static_cast<size_t>(std::max(1, meta.feed_items));
    if (platform == "blogger") {
      int64_t start = IntParam(q, "start-index", 1);
      int64_t max = IntParam(q, "max-results", per_page);
      if (start < 1 || max < 0) return Reply::Status(400, "Invalid start-index or max-results");
      max = std::min<int64_t>(max, 500);
      return WithEtag(req, AtomFeed(meta, posts, start - 1, start - 1 + max, base, *st, true), "application/atom+xml");
    }
    if (platform == "generic") {
      return WithEtag(req, AtomFeed(meta, posts, 0, per_page, base, *st, false), "application/atom+xml");
    }
    size_t begin = 0;
    if (platform == "wordpress") {
      int64_t page = IntParam(q, "paged", 1);
      if (page < 1 || (page > 1 && static_cast<size_t>(page - 1) * per_page >= posts.size())) {
        return Reply::Status(404, "<html><body>Page not found</body></html>").WithHeader("Content-Type", "text/html");
      }
      begin = static_cast<size_t>(page - 1) * per_page;
    }
    if (platform == "medium") per_page = std::min<size_t>(per_page, 10);
    std::string generator = platform == "wordpress"  ? "https://wordpress.org/?v=6.4.2"
                            : platform == "substack" ? "Substack"
                            : platform == "ghost"    ? "Ghost 5.75"
                                                     : "Medium";
    return WithEtag(req, RssFeed(meta, posts, begin, begin + per_page, base, *st, generator), "application/rss+xml");
  });

  // Sitemaps.
  auto post_urls = [st, platform](const std::string& base) {
    std::vector<std::pair<std::string, std::string>> urls;
    for (const BlogPostData& p : st->Sorted()) {
      urls.emplace_back(base + st->PostPath(p, platform), p.updated.empty() ? p.published : p.updated);
    }
    return urls;
  };
  if (platform == "ghost") {
    server->RouteHandler(prefix + "/sitemap.xml", [st, port](const ServerRequest& req) {
      std::string base = BaseOf(req, port) + st->prefix;
      return Xml(SitemapIndex({base + "/sitemap-pages.xml", base + "/sitemap-posts.xml", base + "/sitemap-tags.xml"}),
                 "text/xml");
    });
    server->RouteHandler(prefix + "/sitemap-posts.xml", [port, post_urls](const ServerRequest& req) {
      return Xml(UrlSet(post_urls(BaseOf(req, port))), "text/xml");
    });
    server->RouteHandler(prefix + "/sitemap-pages.xml", [st, port](const ServerRequest& req) {
      return Xml(UrlSet({{BaseOf(req, port) + st->prefix + "/about/", ""}}), "text/xml");
    });
    server->RouteHandler(prefix + "/sitemap-tags.xml", [st, port](const ServerRequest& req) {
      return Xml(UrlSet({{BaseOf(req, port) + st->prefix + "/tag/alignment/", ""}}), "text/xml");
    });
  } else if (platform == "medium") {
    // An index of one posts sitemap per year, and one of the other pages.
    auto years = [st]() {
      std::set<std::string> out;
      for (const BlogPostData& p : st->Sorted()) out.insert(p.published.substr(0, 4));
      return out;
    };
    server->RouteHandler(prefix + "/sitemap/sitemap.xml", [st, port, years](const ServerRequest& req) {
      std::string base = BaseOf(req, port) + st->prefix;
      std::vector<std::string> locs;
      for (const std::string& y : years()) locs.push_back(base + "/sitemap/posts/" + y + ".xml");
      locs.push_back(base + "/sitemap/pages.xml");
      return Xml(SitemapIndex(locs), "application/xml");
    });
    server->RoutePrefix(prefix + "/sitemap/posts/", [st, port](const ServerRequest& req) -> Reply {
      std::string year = req.path.substr(st->prefix.size() + std::string("/sitemap/posts/").size(), 4);
      std::vector<std::pair<std::string, std::string>> urls;
      for (const BlogPostData& p : st->Sorted()) {
        if (p.published.substr(0, 4) != year) continue;
        urls.emplace_back(BaseOf(req, port) + st->PostPath(p, "medium"), p.updated.empty() ? p.published : p.updated);
      }
      if (urls.empty()) return Reply::Status(404, "not found");
      return Xml(UrlSet(urls), "application/xml");
    });
    server->RouteHandler(prefix + "/sitemap/pages.xml", [st, port](const ServerRequest& req) {
      std::string base = BaseOf(req, port) + st->prefix;
      return Xml(UrlSet({{base + "/about", ""}, {base + "/tagged/alignment", ""}}), "application/xml");
    });
  } else {
    auto full_urlset = [st, post_urls](const std::string& base) {
      std::vector<std::pair<std::string, std::string>> urls = post_urls(base);
      urls.insert(urls.begin(), {base + st->prefix + "/", ""});
      urls.emplace_back(base + st->prefix + "/about/", "");
      urls.emplace_back(base + st->prefix + "/tag/alignment/", "");
      return UrlSet(urls);
    };
    if (platform == "generic" && st->data.gzip_sitemap) {
      server->RouteHandler(prefix + "/sitemap_index.xml", [st, port](const ServerRequest& req) {
        return Xml(SitemapIndex({BaseOf(req, port) + st->prefix + "/sitemap-posts.xml.gz"}), "application/xml");
      });
      server->RouteHandler(prefix + "/sitemap-posts.xml.gz", [port, full_urlset](const ServerRequest& req) {
        // Served as a file (no Content-Encoding): the client gets the gzip bytes as they are.
        return Reply::Text(TestServer::Gzip(full_urlset(BaseOf(req, port))), "application/x-gzip");
      });
    } else {
      server->RouteHandler(prefix + "/sitemap.xml", [port, full_urlset](const ServerRequest& req) {
        return Xml(full_urlset(BaseOf(req, port)), "application/xml");
      });
    }
  }

  if (platform == "substack") {
    server->RouteHandler(prefix + "/api/v1/archive", [st, port](const ServerRequest& req) -> Reply {
      auto q = QueryParams(req.query);
      int64_t offset = IntParam(q, "offset", 0);
      int64_t limit = IntParam(q, "limit", 12);
      if (offset < 0 || limit < 0) return Reply::Status(400, "{\"error\":\"bad offset or limit\"}");
      limit = std::min<int64_t>(limit, 50);  // the API's own cap
      std::vector<BlogPostData> posts = st->Sorted();
      json out = json::array();
      for (int64_t i = offset; i < offset + limit && i < static_cast<int64_t>(posts.size()); ++i) {
        const BlogPostData& p = posts[static_cast<size_t>(i)];
        out.push_back(SubstackItem(p, BaseOf(req, port) + st->PostPath(p, "substack"), false));
      }
      return Reply::Text(out.dump(), "application/json; charset=utf-8");
    });
    server->RoutePrefix(prefix + "/api/v1/posts/", [st, port](const ServerRequest& req) -> Reply {
      std::string slug = req.path.substr(st->prefix.size() + std::string("/api/v1/posts/").size());
      for (const BlogPostData& p : st->Sorted()) {
        if (p.slug == slug) {
          return Reply::Text(SubstackItem(p, BaseOf(req, port) + st->PostPath(p, "substack"), true).dump(),
                             "application/json; charset=utf-8");
        }
      }
      return Reply::Status(404, "{\"error\":\"Post not found\"}");
    });
  }
}

Result<BlogData> BlogData::LoadDirectory(const std::string& dir) {
  std::string text;
  std::string path = JoinPath(dir, "blog.json");
  Status s = ReadFileToString(Env::Default(), path, &text);
  if (!s.ok()) return s;
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Status::Corruption(path + ": not a JSON object");
  BlogData d;
  d.name = BaseName(dir);
  d.platform = j.value("platform", "generic");
  d.title = j.value("title", d.name);
  d.description = j.value("description", "");
  d.feed_items = j.value("feed_items", 10);
  d.summary_only = j.value("summary_only", false);
  d.summary_first_section = j.value("summary_first_section", false);
  d.gzip_sitemap = j.value("gzip_sitemap", false);
  if (!j.contains("posts") || !j["posts"].is_array()) return Status::Corruption(path + ": no \"posts\" array");
  for (const json& e : j["posts"]) {
    if (!e.is_object()) return Status::Corruption(path + ": a post is not an object");
    BlogPostData p;
    p.slug = e.value("slug", "");
    p.title = e.value("title", "");
    if (e.contains("authors") && e["authors"].is_array())
      for (const json& a : e["authors"]) p.authors.push_back(a.get<std::string>());
    p.published = e.value("published", "");
    p.updated = e.value("updated", "");
    if (e.contains("tags") && e["tags"].is_array())
      for (const json& t : e["tags"]) p.tags.push_back(t.get<std::string>());
    p.summary = e.value("summary", "");
    p.html = e.value("html", "");
    if (e.contains("html_file")) {
      Status r = ReadFileToString(Env::Default(), JoinPath(dir, e.value("html_file", "")), &p.html);
      if (!r.ok()) return r;
    }
    p.paid = e.value("paid", false);
    if (p.slug.empty() || p.title.empty() || !ParseRfc3339(p.published)) {
      return Status::Corruption(path + ": post \"" + p.slug + "\" needs slug, title and an RFC 3339 published date");
    }
    d.posts.push_back(std::move(p));
  }
  return d;
}

Result<std::vector<std::string>> InstallBlogsFromDirectory(TestServer* server, const std::string& dir,
                                                           const std::string& prefix) {
  std::vector<std::string> names;
  Status s = Env::Default()->GetChildren(dir, &names);
  if (!s.ok()) return s;
  std::sort(names.begin(), names.end());
  std::vector<std::string> lines;
  for (const std::string& name : names) {
    std::string sub = JoinPath(dir, name);
    if (!Env::Default()->IsDirectory(sub) || !Env::Default()->FileExists(JoinPath(sub, "blog.json"))) continue;
    Result<BlogData> data = BlogData::LoadDirectory(sub);
    if (!data.ok()) return data.status();
    BlogSite site(std::move(data.value()));
    site.Install(server, prefix + "/" + name);
    for (std::string& l : site.RobotsLines(server->BaseUrl())) lines.push_back(std::move(l));
  }
  return lines;
}

}  // namespace alcor::testing
