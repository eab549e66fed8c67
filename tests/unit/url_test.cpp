// The url module on libcurl's URL API: what CURLU decides for alcor (encoding of resolved links,
// one-slash schemes, ports), the DESIGN rules of Record::url it must keep (tracking parameters,
// default ports, fragments, http = https), and the helpers that build request URLs. The RFC 3986
// resolution examples are in normalize_text_test.cpp.
#include <gtest/gtest.h>

#include "alcor/url.hpp"

namespace alcor {
namespace {

TEST(UrlTest, ResolvedReferencesArePercentEncodedByLibcurl) {
  EXPECT_EQ(ResolveUrl("https://a.org/b/", "my file.pdf"), "https://a.org/b/my%20file.pdf");
  EXPECT_EQ(ResolveUrl("https://a.org/b/", "caf\xC3\xA9"), "https://a.org/b/caf%c3%a9");
  EXPECT_EQ(ResolveUrl("https://a.org/b/", "x%20y?q=%41"), "https://a.org/b/x%20y?q=%41") << "kept";
  EXPECT_EQ(ResolveUrl("https://a.org/b/c?q#f", "#top"), "https://a.org/b/c?q#top");
  EXPECT_EQ(ResolveUrl("https://a.org/b/c?q#f", ""), "https://a.org/b/c?q");
  EXPECT_EQ(ResolveUrl("https://a.org/b/", "//c.org:8080/x"), "https://c.org:8080/x");
  EXPECT_EQ(ResolveUrl("https://a.org/b/", "data:text/plain,x"), "data:text/plain,x");
  EXPECT_EQ(ResolveUrl("https://a.org/b/", "\\\\c.org\\x?a\\b"), "https://c.org/x?a\\b");
}

TEST(UrlTest, CanonicalFormKeepsTheRecordRules) {
  // Tracking parameters go, the others keep their order and encoding; "?" goes with the last one.
  EXPECT_EQ(CanonicalizeUrl("https://a.org/p?utm_source=x&b=%2F&a=1&Fbclid=2"), "https://a.org/p?b=%2F&a=1");
  EXPECT_EQ(CanonicalizeUrl("https://a.org/p?utm_medium=x&gclid=y"), "https://a.org/p");
  EXPECT_EQ(CanonicalizeUrl("https://a.org/p?"), "https://a.org/p");
  // Default ports go (for either scheme), others stay; libcurl reads "0443" as 443.
  EXPECT_EQ(CanonicalizeUrl("http://a.org:443/x"), "https://a.org/x");
  EXPECT_EQ(CanonicalizeUrl("https://a.org:0443/x"), "https://a.org/x");
  EXPECT_EQ(CanonicalizeUrl("https://a.org:8080/x"), "https://a.org:8080/x");
  // Fragments go; userinfo stays; http and https are one form.
  EXPECT_EQ(CanonicalizeUrl("http://u:p@A.org/x#sec"), "https://u:p@a.org/x");
  EXPECT_EQ(CanonicalizeUrl("HTTP://A.ORG"), CanonicalizeUrl("https://a.org/"));
  EXPECT_EQ(CanonicalizeUrl("https://[::1]:443/x"), "https://[::1]/x");
  // A space is kept as written (the canonical form never re-encodes).
  EXPECT_EQ(CanonicalizeUrl("https://a.org/a b"), "https://a.org/a b");
}

TEST(UrlTest, WhatLibcurlDecidesIsAUrl) {
  // One slash after the scheme is read as two (old hand parser: not a URL, kept as is).
  EXPECT_EQ(CanonicalizeUrl("http:/a.org/x"), "https://a.org/x");
  // No slash: not hierarchical, not canonicalised.
  EXPECT_EQ(CanonicalizeUrl("http:a.org/x"), "http:a.org/x");
  // Internationalised hosts stay as written (no locale-dependent punycode); ASCII is lowered.
  EXPECT_EQ(CanonicalizeUrl("https://B\xC3\xBC" "cher.Example/x"), "https://b\xC3\xBC" "cher.example/x");
  EXPECT_EQ(UrlHost("https://xn--bcher-kva.example/x"), "xn--bcher-kva.example");
  EXPECT_TRUE(IsHttpUrl("HTTPS://a.org"));
  EXPECT_TRUE(IsHttpUrl("http://a.org:8080/x?y"));
  EXPECT_FALSE(IsHttpUrl("http://"));
  EXPECT_FALSE(IsHttpUrl("ftp://a.org/x"));
  EXPECT_FALSE(IsHttpUrl("a.org/x"));
  EXPECT_FALSE(IsHttpUrl("mailto:x@a.org"));
  EXPECT_EQ(UrlHost("mailto:x@a.org"), "");
}

TEST(UrlTest, OriginsQueryParametersAndEscaping) {
  EXPECT_EQ(UrlOrigin("https://b.org/feed/?x=1"), "https://b.org");
  EXPECT_EQ(UrlOrigin("HTTP://b.org:8080"), "http://b.org:8080");
  EXPECT_EQ(UrlOrigin("/relative"), "");
  EXPECT_EQ(WithQueryParameter("https://b.org/feed/", "paged", "3"), "https://b.org/feed/?paged=3");
  EXPECT_EQ(WithQueryParameter("https://b.org/f?paged=1&alt=rss&paged=2#x", "paged", "3"),
            "https://b.org/f?alt=rss&paged=3");
  EXPECT_EQ(WithQueryParameter("https://b.org/s", "q", "a b&c"), "https://b.org/s?q=a%20b%26c");
  EXPECT_EQ(WithQueryParameter("https://b.org/s?k=%2F", "q", "1"), "https://b.org/s?k=%2F&q=1");
  EXPECT_EQ(WithQueryParameter("not a url", "q", "1"), "not a url");
  EXPECT_EQ(PercentEncode("cat:cs.AI AND ti:\"x\""), "cat%3Acs.AI%20AND%20ti%3A%22x%22");
  EXPECT_EQ(PercentEncode("hep-th/9901001v2~_"), "hep-th%2F9901001v2~_");
  // An empty view encodes to "" (libcurl would take a length of 0 as strlen of what follows).
  EXPECT_EQ(PercentEncode(std::string_view("abc").substr(0, 0)), "");
  EXPECT_EQ(PercentEncode("\xC3\xA9"), "%C3%A9");
  EXPECT_EQ(PercentEncode(""), "");
}

}  // namespace
}  // namespace alcor
