// The blog source (kind `feed`, docs/sources.md "## feed"): one configured instance per blog.
//
// A run fetches the blog's feed with a conditional GET, emits every new or changed entry
// (full content from the feed as HTML, or — for summary-only entries — the post page through
// main-content extraction), then walks the platform's archive for older posts: WordPress
// `?paged=N`, the Substack archive API, Blogger `start-index`, or sitemaps found through
// robots.txt. The first run walks the whole archive; later runs walk only while every post they
// meet is new. Per-blog state (state "feed"): the posts already stored with a fingerprint of
// their feed entry, and the archive cursor; it is checkpointed only after the documents it covers
// were emitted.
//
// The kind itself is FeedSourceKind() (registered in src/sources/registry.cpp); what is here is
// exposed for tests.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace alcor::feed {

enum class Platform { kAuto, kWordPress, kSubstack, kBlogger, kGhost, kMedium, kGeneric };

const char* PlatformName(Platform p);  // "wordpress", ...
// Parses a config value; false for an unknown name.
bool ParsePlatform(std::string_view name, Platform* out);

// The platform a feed comes from, judged by the feed URL's host and path and the feed's
// generator element (lower-cased, as ParsedFeed::generator holds it); kGeneric when unknown.
Platform DetectPlatform(const std::string& feed_url, const std::string& generator);

// The feed URL a platform serves for a blog home page ("" for kAuto, kGeneric and kMedium, which
// have no fixed path relative to the home page).
std::string DefaultFeedUrl(Platform platform, const std::string& site_url);

// Feed links a home page announces (<link rel="alternate" type="application/rss+xml" or
// atom+xml href>), absolute, in page order.
std::vector<std::string> DiscoverFeedLinks(std::string_view html, const std::string& page_url);

}  // namespace alcor::feed
