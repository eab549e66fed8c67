// Parsing what blogs publish for machines: RSS 2.0, RSS 1.0 (RDF) and Atom feeds, sitemaps
// (urlset and sitemapindex, gzip-compressed or not), robots.txt Sitemap: lines. Used by the feed
// source (feed_source.cpp); kept apart so the parsers can be tested without the network.
//
// Every function is a pure function of its arguments (thread-safe, no I/O). Inputs are untrusted:
// sizes and entry counts are capped; pugixml parses and serialises without recursion, our own
// walks go up at most 64 ancestors, and HTML snippets pass the normalizer's pre-pass, which caps
// nesting before gumbo sees them. Failures are values whose message names what is wrong (the
// parser's message with line and column).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "alcor/status.hpp"

namespace alcor::feed {

// One entry (RSS item, Atom entry) with every field already decoded, trimmed and made absolute.
struct FeedEntry {
  std::string id;     // guid / atom:id / rdf:about as written (trimmed), "" when absent
  std::string link;   // absolute URL of the post ("" when the entry names none)
  std::string title;  // plain text (tags stripped, entities decoded once more when double-escaped)
  std::vector<std::string> authors;  // one name per element
  std::optional<std::string> published;  // RFC 3339 UTC
  std::optional<std::string> updated;    // RFC 3339 UTC
  std::vector<std::string> categories;
  // The entry's full body as HTML (content:encoded, atom:content), "" when absent. Atom text
  // content is escaped into HTML paragraphs; xhtml content is the serialised inner <div>.
  std::string content_html;
  // The summary as HTML (RSS description, atom:summary), "" when absent.
  std::string summary_html;
  // Base URL for links inside content_html / summary_html (xml:base chain, else the entry link,
  // else the feed's URL).
  std::string content_base;
  // Atom content with src= (out-of-line): the body must be fetched from there.
  std::string content_src;
  // Comments count when the feed states it (slash:comments, thr:total), else -1.
  int comments = -1;
};

struct ParsedFeed {
  enum class Format { kRss2, kRss1, kAtom };
  Format format = Format::kRss2;
  std::string title;
  std::string site_link;   // the blog's home page (absolute) when stated
  std::string self_link;   // rel=self / atom:link self, when stated
  std::string generator;   // generator element text and uri/version, lower-cased
  std::string language;
  std::vector<FeedEntry> entries;
  // Set when the XML was malformed and only the part before the error could be read: the
  // parser's message and byte offset. Entries cut off by the error are dropped.
  std::string recovered_error;
};

const char* FeedFormatName(ParsedFeed::Format format);

struct FeedParseOptions {
  // The URL the feed was fetched from (final URL after redirects): base of relative links. When
  // empty the feed's own rel=self link is used.
  std::string document_url;
  // The charset parameter of the HTTP Content-Type, "" when none.
  std::string http_charset;
  size_t max_bytes = size_t{64} << 20;
  size_t max_entries = 100000;
};

// Parses an RSS 2.0 / RSS 1.0 / Atom document (also RSS 0.9x and Atom 0.3, read as their
// successors). Encoding: byte-order mark, else the XML declaration, else http_charset, else
// UTF-8 when valid, else detected (non-UTF encodings are converted to UTF-8 first).
// A malformed document is recovered when pugixml read a feed root and at least its channel
// before the error (ParsedFeed::recovered_error says so); otherwise fails with Corruption
// "<parser message> at offset N". Not a feed (an HTML page, JSON) → InvalidArgument.
Result<ParsedFeed> ParseFeed(std::string_view bytes, const FeedParseOptions& options);

// ---------------------------------------------------------------------------------------------
// Sitemaps

struct SitemapUrl {
  std::string loc;                     // absolute URL as written (trimmed)
  std::optional<std::string> lastmod;  // RFC 3339 UTC
};

struct ParsedSitemap {
  bool is_index = false;             // <sitemapindex>: entries are child sitemaps
  std::vector<SitemapUrl> entries;   // <url><loc> or <sitemap><loc>
};

// Parses a sitemap (bytes may be gzip-compressed: they are inflated first, capped at max_bytes
// inflated, the limit sitemaps.org sets being 50 MB). Relative locs are resolved against
// document_url. Fails with Corruption naming the parser message, LimitExceeded when the
// inflated data is larger than max_bytes, InvalidArgument when the root is neither urlset nor
// sitemapindex.
Result<ParsedSitemap> ParseSitemap(std::string_view bytes, const std::string& document_url,
                                   size_t max_bytes = size_t{50} << 20);

// True when bytes start with the gzip magic number.
bool LooksGzipped(std::string_view bytes);
// Inflates a gzip member (through libarchive). LimitExceeded above max_bytes, Corruption when
// the data is not valid gzip.
Result<std::string> Gunzip(std::string_view bytes, size_t max_bytes);

// The URLs of the `Sitemap:` lines of a robots.txt (any case, any position), resolved against
// robots_url, in order, without duplicates.
std::vector<std::string> RobotsSitemaps(std::string_view robots_txt, const std::string& robots_url);

// ---------------------------------------------------------------------------------------------
// Helpers shared with the source

// The text of an HTML snippet: tags removed, entities decoded, whitespace collapsed and trimmed.
// Text that still holds entity references after that (double-escaped "&amp;amp;") is decoded
// once more. Capped at max_bytes of output.
std::string HtmlSnippetToText(std::string_view html, size_t max_bytes = 1 << 16);

// Whether a body taken from a feed looks like the whole post rather than an excerpt: false when
// it is empty or very short, ends in an ellipsis or "[…]", or closes with a "Read more" /
// "Continue reading" link. from_summary: the body came from a summary field (RSS description
// without content:encoded, atom:summary), where a short text is an excerpt more often.
bool LooksComplete(std::string_view html, bool from_summary);

// The targets of a page's links (<a href>), resolved against page_url (or the page's own
// <base href>), http(s) only, fragments dropped, in page order without duplicates, at most
// max_links. The page passes the normalizer's pre-pass (bounded nesting) first.
std::vector<std::string> PageLinks(std::string_view html, const std::string& page_url, size_t max_links = 20000);

// Words as LooksComplete counts them: runs of ASCII letters and digits or non-ASCII bytes.
size_t CountAlnumWords(std::string_view text);

// Splits a byline into names: "A, B and C" → {A, B, C}, but "Smith, John" (single words around
// the comma) stays one name; "mail@x.org (Jane Doe)" → "Jane Doe".
std::vector<std::string> SplitAuthors(std::string_view byline);

}  // namespace alcor::feed
