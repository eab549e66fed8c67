// Text hygiene (CleanText, UTF-8 repair, NFC), charset decoding, and the URL helpers.
#include <gtest/gtest.h>

#include <string>

#include "alcor/normalize.hpp"
#include "alcor/url.hpp"

namespace alcor {
namespace {

TEST(ReplaceInvalidUtf8, ValidInputUnchanged) {
  size_t n = 0;
  EXPECT_EQ(ReplaceInvalidUtf8("héllo 😀", &n), "héllo 😀");
  EXPECT_EQ(n, 0u);
}

TEST(ReplaceInvalidUtf8, EachMaximalSubpartBecomesOneReplacement) {
  size_t n = 0;
  // Lone continuation byte, truncated 3-byte sequence, overlong '/', surrogate, above U+10FFFF.
  std::string in = std::string("a\x80") + "b\xE2\x82" + "c\xC0\xAF" + "d\xED\xA0\x80" + "e\xF4\x90\x80\x80" + "f";
  std::string out = ReplaceInvalidUtf8(in, &n);
  EXPECT_EQ(out, "a\uFFFDb\uFFFDc\uFFFD\uFFFDd\uFFFD\uFFFD\uFFFDe\uFFFD\uFFFD\uFFFD\uFFFDf");
  EXPECT_EQ(n, 11u);
}

TEST(NfcNormalize, ComposesCombiningMarks) {
  EXPECT_EQ(NfcNormalize("e\xCC\x81"), "\xC3\xA9");  // e + U+0301 → é
  EXPECT_EQ(NfcNormalize("plain"), "plain");
}

TEST(CleanText, AllRules) {
  CleanTextStats stats;
  std::string in = "\n\n  Title\r\nline\xC2\xA0two\xC2\xAD \x01\tend   \r\n\n\n\nzero\xE2\x80\x8Bwidth e\xCC\x81\n\n";
  EXPECT_EQ(CleanText(in, &stats), "  Title\nline two \tend\n\nzerowidth \xC3\xA9\n");
  EXPECT_EQ(stats.removed_chars, 3u);  // soft hyphen, U+0001, zero-width space
  EXPECT_EQ(stats.invalid_utf8_replaced, 0u);
}

TEST(CleanText, BlankLinesInsideFencedCodeKept) {
  EXPECT_EQ(CleanText("a\n\n\n```\nx\n\n\ny\n```\n\n\nb"), "a\n\n```\nx\n\n\ny\n```\n\nb\n");
}

TEST(CleanText, CountsInvalidUtf8) {
  CleanTextStats stats;
  EXPECT_EQ(CleanText("a\xFF" "b", &stats), "a\uFFFDb\n");
  EXPECT_EQ(stats.invalid_utf8_replaced, 1u);
  EXPECT_EQ(CleanText(""), "");
}

TEST(DecodeToUtf8, ByteOrderMarkWins) {
  DecodedText d = DecodeToUtf8("\xEF\xBB\xBFh\xC3\xA9", "iso-8859-1", true);
  EXPECT_EQ(d.charset, "utf-8");
  EXPECT_EQ(d.text, "h\xC3\xA9");
  DecodedText u16 = DecodeToUtf8(std::string("\xFF\xFEh\0\xE9\0", 6), "", true);
  EXPECT_EQ(u16.charset, "utf-16le");
  EXPECT_EQ(u16.text, "h\xC3\xA9");
}

TEST(DecodeToUtf8, DeclaredCharsetUsed) {
  DecodedText d = DecodeToUtf8("caf\xE9 \x93quoted\x94", "ISO-8859-1", false);
  EXPECT_EQ(d.charset, "windows-1252");  // WHATWG: latin1 labels mean windows-1252
  EXPECT_EQ(d.text, "caf\xC3\xA9 \xE2\x80\x9Cquoted\xE2\x80\x9D");
}

TEST(DecodeToUtf8, MetaCharsetSniffed) {
  std::string html = "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=koi8-r\">"
                     "</head><body>\xF0\xD2\xC9\xD7\xC5\xD4</body></html>";
  DecodedText d = DecodeToUtf8(html, "", true);
  EXPECT_EQ(d.charset, "koi8-r");
  EXPECT_NE(d.text.find("Привет"), std::string::npos);
  DecodedText m = DecodeToUtf8("<meta charset='windows-1251'><p>\xCF\xF0\xE8\xE2\xE5\xF2</p>", "", true);
  EXPECT_NE(m.text.find("Привет"), std::string::npos);
}

TEST(DecodeToUtf8, ValidUtf8BeatsStaleDeclaration) {
  DecodedText d = DecodeToUtf8("<meta charset=iso-8859-1><p>caf\xC3\xA9</p>", "", true);
  EXPECT_EQ(d.charset, "utf-8");
  EXPECT_NE(d.text.find("café"), std::string::npos);
}

TEST(DecodeToUtf8, DetectionWhenNothingDeclared) {
  // Shift_JIS Japanese, long enough for uchardet to be sure.
  std::string sjis;
  for (int i = 0; i < 20; ++i) sjis += "\x82\xB1\x82\xEA\x82\xCD\x93\xFA\x96\x7B\x8C\xEA\x82\xCC\x95\xB6\x8F\xCD\x82\xC5\x82\xB7\x81\x42";
  DecodedText d = DecodeToUtf8(sjis, "", true);
  EXPECT_NE(d.text.find("これは日本語の文章です。"), std::string::npos) << d.charset;
}

TEST(DecodeToUtf8, InvalidUtf8DeclaredAsUtf8IsRepairedAndCounted) {
  DecodedText d = DecodeToUtf8("ok\xFF\xFE!", "utf-8", false);
  EXPECT_EQ(d.text, "ok\uFFFD\uFFFD!");
  EXPECT_EQ(d.invalid_utf8_replaced, 2u);
}

TEST(NormalizeHtml, HttpCharsetAndCounts) {
  NormalizeOptions o;
  Result<NormalizeResult> r = NormalizeHtml("<p>na\xEFve</p>", o, "windows-1252");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->text, "na\xC3\xAFve\n");
  EXPECT_EQ(r->charset, "windows-1252");
  o.input_is_utf8 = true;
  r = NormalizeHtml("<p>bad\xC3</p>", o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->text, "bad\uFFFD\n");
  EXPECT_EQ(r->invalid_utf8_replaced, 1u);
}

TEST(NormalizeHtml, TooLargeIsLimitExceeded) {
  NormalizeOptions o;
  o.max_input_bytes = 10;
  Result<NormalizeResult> r = NormalizeHtml("<p>more than ten bytes</p>", o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kLimitExceeded);
}

TEST(ResolveUrl, Rfc3986Examples) {
  const std::string base = "http://a/b/c/d;p?q";
  EXPECT_EQ(ResolveUrl(base, "g"), "http://a/b/c/g");
  EXPECT_EQ(ResolveUrl(base, "./g"), "http://a/b/c/g");
  EXPECT_EQ(ResolveUrl(base, "g/"), "http://a/b/c/g/");
  EXPECT_EQ(ResolveUrl(base, "/g"), "http://a/g");
  EXPECT_EQ(ResolveUrl(base, "//g"), "http://g/");
  EXPECT_EQ(ResolveUrl(base, "?y"), "http://a/b/c/d;p?y");
  EXPECT_EQ(ResolveUrl(base, "g?y"), "http://a/b/c/g?y");
  EXPECT_EQ(ResolveUrl(base, "#s"), "http://a/b/c/d;p?q#s");
  EXPECT_EQ(ResolveUrl(base, ""), "http://a/b/c/d;p?q");
  EXPECT_EQ(ResolveUrl(base, "."), "http://a/b/c/");
  EXPECT_EQ(ResolveUrl(base, ".."), "http://a/b/");
  EXPECT_EQ(ResolveUrl(base, "../g"), "http://a/b/g");
  EXPECT_EQ(ResolveUrl(base, "../../../g"), "http://a/g");
  EXPECT_EQ(ResolveUrl(base, "g;x=1/../y"), "http://a/b/c/y");
}

TEST(ResolveUrl, AbsoluteAndUnresolvable) {
  EXPECT_EQ(ResolveUrl("https://a/b", "mailto:x@y.z"), "mailto:x@y.z");
  EXPECT_EQ(ResolveUrl("https://a/b", "  HTTPS://B/c \n"), "HTTPS://B/c");
  EXPECT_EQ(ResolveUrl("", "rel/x"), "rel/x");
  EXPECT_EQ(ResolveUrl("not a url", "rel/x"), "rel/x");
  EXPECT_EQ(ResolveUrl("https://a/b/", "c\\d"), "https://a/b/c/d");
}

TEST(CanonicalizeUrl, DesignRules) {
  EXPECT_EQ(CanonicalizeUrl("HTTP://WWW.Example.COM:80/a/./b/../c?utm_source=x&id=3&fbclid=y&gclid=z#frag"),
            "https://www.example.com/a/c?id=3");
  EXPECT_EQ(CanonicalizeUrl("https://example.com:443"), "https://example.com/");
  EXPECT_EQ(CanonicalizeUrl("https://example.com:8443/x?utm_medium=a"), "https://example.com:8443/x");
  EXPECT_EQ(CanonicalizeUrl("http://example.com/x"), CanonicalizeUrl("https://example.com/x"));
  EXPECT_EQ(CanonicalizeUrl("https://Example.com./p?B=2&a=1"), "https://example.com/p?B=2&a=1");
  EXPECT_EQ(CanonicalizeUrl("mailto:Someone@Example.com"), "mailto:Someone@Example.com");
  EXPECT_EQ(CanonicalizeUrl(" /relative "), "/relative");
}

TEST(PublishedUrl, KeepsTheSchemeAndItsOwnDefaultPortOnly) {
  EXPECT_EQ(PublishedUrl("HTTP://WWW.Example.COM:80/a/./b/../c?utm_source=x&id=3#frag"), "http://www.example.com/a/c?id=3");
  EXPECT_EQ(PublishedUrl("http://example.com/x"), "http://example.com/x");
  EXPECT_EQ(PublishedUrl("https://example.com:443"), "https://example.com/");
  EXPECT_EQ(PublishedUrl("http://example.com:443/x"), "http://example.com:443/x");  // not http's default
  EXPECT_EQ(PublishedUrl("https://example.com:80/x"), "https://example.com:80/x");
  for (const char* url : {"http://Example.com:80/p?utm_medium=a&b=1", "https://example.com/p?b=1", "http://x.org"}) {
    EXPECT_EQ(CanonicalizeUrl(PublishedUrl(url)), CanonicalizeUrl(url)) << url;
  }
  EXPECT_EQ(PublishedUrl("mailto:Someone@Example.com"), "mailto:Someone@Example.com");
}

TEST(UrlHelpers, HostAndTrackingNames) {
  EXPECT_EQ(UrlHost("https://user:pw@Sub.Example.org:8080/x"), "sub.example.org");
  EXPECT_EQ(UrlHost("http://[::1]:80/"), "[::1]");
  EXPECT_EQ(UrlHost("/relative"), "");
  EXPECT_TRUE(IsTrackingParameter("UTM_Campaign"));
  EXPECT_TRUE(IsTrackingParameter("msclkid"));
  EXPECT_FALSE(IsTrackingParameter("id"));
}

}  // namespace
}  // namespace alcor
