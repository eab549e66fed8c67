// Hostile input: deep nesting, huge lines, unclosed tags, binary garbage, entity floods. Each must
// finish without crashing, in time linear in its size, with output bounded by the input.
// Sizes are chosen so the whole file runs in seconds under ASan; the 50 MB line goes through the
// command in tests/integration/normalize_cli_test.cpp.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "alcor/normalize.hpp"
#include "formats/html_prestrip.hpp"

namespace alcor {
namespace {

// Generous wall-clock ceiling: the quadratic behaviours guarded against here take minutes.
constexpr double kCeilingSeconds = 30.0;

struct Timed {
  Result<NormalizeResult> result;
  double seconds;
};

Timed Normalize(const std::string& html, bool main_content = false) {
  NormalizeOptions o;
  o.main_content = main_content;
  auto start = std::chrono::steady_clock::now();
  Result<NormalizeResult> r = NormalizeHtml(html, o);
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return {std::move(r), s};
}

std::string Repeat(const std::string& s, size_t n) {
  std::string r;
  r.reserve(s.size() * n);
  for (size_t i = 0; i < n; ++i) r += s;
  return r;
}

TEST(Hostile, HundredThousandNestedElementsAreCapped) {
  const size_t n = 100000;
  std::string html = Repeat("<div>", n) + "deep text" + Repeat("</div>", n);
  text::PrestripStats stats;
  std::string stripped = text::PrestripHtml(html, text::kMaxHtmlDepth, &stats);
  EXPECT_GE(stats.dropped_start_tags, n - text::kMaxHtmlDepth - 2);
  EXPECT_LT(stripped.size(), 2 * text::kMaxHtmlDepth * 6 + 100);  // dropped with their end tags

  for (bool main_content : {false, true}) {
    Timed t = Normalize(html, main_content);
    ASSERT_TRUE(t.result.ok());
    EXPECT_EQ(t.result->text, "deep text\n");
    EXPECT_LT(t.seconds, kCeilingSeconds);
  }
}

// Issue 21: one tag with 300,000 attributes kept gumbo busy for minutes (it compares each
// attribute with every earlier one). The pre-pass keeps the first 128 of a tag.
TEST(Hostile, ThreeHundredThousandAttributesOnOneTag) {
  const size_t n = 300000;
  std::string attrs;
  for (size_t i = 0; i < n; ++i) attrs += " a" + std::to_string(i) + "=\"v\"";
  std::string html = "<html><body><article><p class=\"lead\"" + attrs + ">Kept words.</p></article></body></html>";
  text::PrestripStats stats;
  std::string stripped = text::PrestripHtml(html, text::kMaxHtmlDepth, &stats);
  EXPECT_EQ(stats.dropped_attributes, n + 1 - text::kMaxHtmlAttributes);
  EXPECT_NE(stripped.find("<p class=\"lead\" a0=\"v\""), std::string::npos);
  EXPECT_NE(stripped.find(" a126=\"v\">Kept words.</p>"), std::string::npos);
  EXPECT_EQ(stripped.find("a127="), std::string::npos);
  for (bool main_content : {false, true}) {
    Timed t = Normalize(html, main_content);
    ASSERT_TRUE(t.result.ok());
    EXPECT_EQ(t.result->text, "Kept words.\n");
    EXPECT_LT(t.seconds, kCeilingSeconds);
  }
}

TEST(Hostile, AttributesCappedPerDocumentAndDroppedFromEndTags) {
  // 20,000 tags of 100 attributes: 2,000,000 in all, of which the first 1,000,000 are kept.
  std::string attrs;
  for (size_t i = 0; i < 100; ++i) attrs += " b" + std::to_string(i);
  std::string html = Repeat("<span" + attrs + ">w</span" + attrs + "> ", 20000);
  text::PrestripStats stats;
  std::string stripped = text::PrestripHtml(html, text::kMaxHtmlDepth, &stats);
  EXPECT_EQ(stats.dropped_attributes, 20000 * 100 - text::kMaxHtmlAttributesPerDocument);
  EXPECT_EQ(stripped.find("</span "), std::string::npos);
  EXPECT_NE(stripped.find("<span>w</span>"), std::string::npos);  // a tag past the budget
  // Raw-text and kept script elements keep their body; their tags are capped the same way.
  std::string raw = "<title" + attrs + attrs + ">T &amp; <b></title x=1><script type=\"application/ld+json\"" +
                    attrs + attrs + ">{\"a\":1}</script y>";
  std::string kept = text::PrestripHtml(raw);
  EXPECT_NE(kept.find(" b27>T &amp; <b></title>"), std::string::npos) << kept.substr(0, 200);
  EXPECT_NE(kept.find(">{\"a\":1}</script>"), std::string::npos);
}

TEST(Hostile, NestedFormattingListsQuotesAndTables) {
  for (const std::string unit : {"<b><i><span><a href=x>", "<blockquote>", "<ul><li>", "<table><tr><td>",
                                 "<span class='math'>", "<div class='katex'>"}) {
    std::string html = Repeat(unit + "w ", 10000);  // far past the 512 cap
    Timed t = Normalize(html, true);
    ASSERT_TRUE(t.result.ok()) << unit;
    EXPECT_LT(t.seconds, kCeilingSeconds) << unit;
    // Output bounded by a constant times the input: list and quote prefixes stop growing.
    EXPECT_LT(t.result->text.size(), 10 * html.size()) << unit;
  }
}

TEST(Hostile, LongSingleLineIsLinear) {
  // 4 MB of words in one <p> with no newline at all.
  std::string words = Repeat("word ", 800000);
  Timed t = Normalize("<p>" + words + "</p>");
  ASSERT_TRUE(t.result.ok());
  EXPECT_EQ(t.result->text.size(), words.size());  // trailing space dropped, '\n' added
  EXPECT_LT(t.seconds, kCeilingSeconds);
  // And a page of one 4 MB attribute value and one 4 MB text node without spaces.
  Timed u = Normalize("<a title=\"" + Repeat("x", 4 << 20) + "\">y</a><p>" + Repeat("z", 4 << 20) + "</p>");
  ASSERT_TRUE(u.result.ok());
  EXPECT_EQ(u.result->text.size(), 4u + (4u << 20));  // "y\n\n" + z... + "\n"
}

TEST(Hostile, UnclosedTags) {
  std::string html = Repeat("<table><tr><td><p><li><ul><ol><blockquote><pre><code><a href=x><em>text ", 3000) +
                     "<div><span><p>end";
  for (bool main_content : {false, true}) {
    Timed t = Normalize(html, main_content);
    ASSERT_TRUE(t.result.ok());
    // (With main_content all of it is inside one unclosed link, so it is a link list, dropped.)
    if (!main_content) {
      EXPECT_NE(t.result->text.find("text"), std::string::npos);
    }
    EXPECT_LT(t.seconds, kCeilingSeconds);
  }
  Timed u = Normalize("<p>a<!-- never closed <script>x</script>");
  ASSERT_TRUE(u.result.ok());
  EXPECT_EQ(u.result->text, "a\n");
  Timed v = Normalize("<p>b<script>never closed <p>c");
  ASSERT_TRUE(v.result.ok());
  EXPECT_EQ(v.result->text, "b\n");
  Timed w = Normalize("<p title='unterminated>d</p>");
  ASSERT_TRUE(w.result.ok());
}

TEST(Hostile, BinaryGarbage) {
  std::string bytes(256 * 1024, '\0');
  uint64_t x = 0x9E3779B97F4A7C15ULL;
  for (char& c : bytes) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    c = static_cast<char>(x >> 56);
  }
  for (bool main_content : {false, true}) {
    Timed t = Normalize(bytes, main_content);
    ASSERT_TRUE(t.result.ok());
    EXPECT_EQ(ReplaceInvalidUtf8(t.result->text), t.result->text);  // valid UTF-8 out
    EXPECT_EQ(t.result->text.find('\0'), std::string::npos);
    EXPECT_LT(t.seconds, kCeilingSeconds);
  }
  // The same bytes declared as UTF-8: invalid sequences counted.
  NormalizeOptions o;
  o.input_is_utf8 = true;
  Result<NormalizeResult> r = NormalizeHtml(bytes, o);
  ASSERT_TRUE(r.ok());
  EXPECT_GT(r->invalid_utf8_replaced, 1000u);
}

TEST(Hostile, PageOfOnlyEntities) {
  const size_t n = 100000;
  std::string html = Repeat("&amp;&lt;&#x41;&nbsp;&bogus;&#99999999;&#0;&#x1F600", n);
  Timed t = Normalize(html);
  ASSERT_TRUE(t.result.ok());
  const std::string& text = t.result->text;
  EXPECT_LT(t.seconds, kCeilingSeconds);
  EXPECT_EQ(text.substr(0, 9), "&<A &bogu");
  size_t grins = 0;
  for (size_t p = text.find("😀"); p != std::string::npos; p = text.find("😀", p + 1)) ++grins;
  EXPECT_EQ(grins, n);
  EXPECT_EQ(text.find('\0'), std::string::npos);
}

TEST(Hostile, EmptyAndWhitespaceOnly) {
  for (const char* html : {"", " ", "\n\n", "<html></html>", "<!---->", "<", "<<<>>>"}) {
    Timed t = Normalize(html, true);
    ASSERT_TRUE(t.result.ok()) << html;
  }
  EXPECT_EQ(Normalize("<<<>>>").result->text, "<<<>>>\n");
}

}  // namespace
}  // namespace alcor
