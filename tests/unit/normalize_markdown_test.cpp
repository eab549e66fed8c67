// HTML → Markdown: golden files for the structure and for each math form, and small cases that
// pin down one rule each.
#include <gtest/gtest.h>

#include <string>

#include "alcor/normalize.hpp"
#include "support/temp_dir.hpp"

namespace alcor {
namespace {

using testing::ProjectFixturesDir;
using testing::ReadFile;

std::string Md(const std::string& html, NormalizeOptions options = {}) {
  Result<NormalizeResult> r = NormalizeHtml(html, options);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? r->text : "";
}

std::string Fixture(const std::string& name) { return ReadFile(ProjectFixturesDir() + "/normalize/" + name); }

void ExpectGolden(const std::string& name, const std::string& base_url = "") {
  NormalizeOptions options;
  options.base_url = base_url;
  std::string got = Md(Fixture(name + ".html"), options);
  EXPECT_EQ(got, Fixture(name + ".md")) << "golden " << name << ".md differs; got:\n" << got;
}

TEST(NormalizeGolden, Structure) { ExpectGolden("structure", "https://example.org/start"); }
TEST(NormalizeGolden, MathJax2) { ExpectGolden("math_mathjax2"); }
TEST(NormalizeGolden, MathJax3) { ExpectGolden("math_mathjax3"); }
TEST(NormalizeGolden, KaTeX) { ExpectGolden("math_katex"); }
TEST(NormalizeGolden, MathMLAlttext) { ExpectGolden("math_mathml"); }

TEST(NormalizeMarkdown, HeadingsAndParagraphs) {
  EXPECT_EQ(Md("<h1>Title</h1><p>One</p><h3>Sub <em>part</em></h3><p>Two</p>"),
            "# Title\n\nOne\n\n### Sub *part*\n\nTwo\n");
}

TEST(NormalizeMarkdown, WhitespaceCollapsedOutsideCode) {
  EXPECT_EQ(Md("<p>  a \n\t b   c </p><pre>  x  \n    y</pre>"), "a b c\n\n```\n  x\n    y\n```\n");
}

TEST(NormalizeMarkdown, AtMostOneBlankLine) {
  EXPECT_EQ(Md("<p>a</p><div><div></div><p></p><br><br><br></div><p>b</p>"), "a\n\nb\n");
}

TEST(NormalizeMarkdown, EmphasisSpacesMoveOutside) {
  EXPECT_EQ(Md("<p>a<em> b </em>c<strong></strong>d</p>"), "a *b* cd\n");
}

TEST(NormalizeMarkdown, LinksResolvedAgainstPageUrl) {
  NormalizeOptions o;
  o.base_url = "https://ex.org/a/b.html";
  EXPECT_EQ(Md("<p><a href='../c?d=1#e'>x</a> <a href='//cdn.ex.org/f'>y</a></p>", o),
            "[x](https://ex.org/c?d=1#e) [y](https://cdn.ex.org/f)\n");
}

TEST(NormalizeMarkdown, BaseElementWins) {
  NormalizeOptions o;
  o.base_url = "https://ex.org/a/";
  EXPECT_EQ(Md("<head><base href='/z/'></head><p><a href='q'>x</a></p>", o), "[x](https://ex.org/z/q)\n");
}

TEST(NormalizeMarkdown, LinkStyleTextOnly) {
  NormalizeOptions o;
  o.links = LinkStyle::kTextOnly;
  EXPECT_EQ(Md("<p>see <a href='https://ex.org/'>this page</a>.</p>", o), "see this page.\n");
}

TEST(NormalizeMarkdown, LinkUrlParenthesesEscaped) {
  EXPECT_EQ(Md("<a href='https://en.wikipedia.org/wiki/A_(b)'>w</a>"), "[w](https://en.wikipedia.org/wiki/A_%28b%29)\n");
}

TEST(NormalizeMarkdown, ImagesAsAltTextOrDropped) {
  EXPECT_EQ(Md("<p>x <img alt='a cat' src='c.png'> y</p>"), "x a cat y\n");
  NormalizeOptions o;
  o.images_as_alt = false;
  EXPECT_EQ(Md("<p>x <img alt='a cat' src='c.png'> y</p>", o), "x y\n");
}

TEST(NormalizeMarkdown, OrderedListStartAndNesting) {
  EXPECT_EQ(Md("<ol start='7'><li>a<ul><li>b</li></ul></li><li>c</li></ol>"), "7. a\n   - b\n8. c\n");
}

TEST(NormalizeMarkdown, NestedBlockquote) {
  EXPECT_EQ(Md("<blockquote>a<blockquote>b</blockquote></blockquote>"), "> a\n>\n> > b\n");
}

TEST(NormalizeMarkdown, FencedCodeKeepsLanguageAndLongerFence) {
  EXPECT_EQ(Md("<pre><code class='lang-js'>let a = `x`;\n```\n</code></pre>"),
            "````js\nlet a = `x`;\n```\n````\n");
}

TEST(NormalizeMarkdown, InlineCodeWithBacktick) {
  EXPECT_EQ(Md("<p><code>a`b</code></p>"), "``a`b``\n");
}

TEST(NormalizeMarkdown, PipeTableEscapesPipesAndPadsRows) {
  EXPECT_EQ(Md("<table><tr><th>a</th><th>b</th></tr><tr><td colspan=2>x|y</td></tr><tr><td>1</td></tr></table>"),
            "| a | b |\n| --- | --- |\n| x\\|y |  |\n| 1 |  |\n");
}

TEST(NormalizeMarkdown, TableWithBlockCellsBecomesPlainRows) {
  EXPECT_EQ(Md("<table><tr><td><ul><li>i</li></ul></td><td>c</td></tr><tr><td>d</td><td>e</td></tr></table>"),
            "- i\n\nc\n\nd\ne\n");
}

TEST(NormalizeMarkdown, HorizontalRuleAndLineBreak) {
  EXPECT_EQ(Md("<p>a<br>b</p><hr><p>c</p>"), "a\nb\n\n---\n\nc\n");
}

TEST(NormalizeMarkdown, DroppedElements) {
  EXPECT_EQ(Md("<p>keep</p><script>bad()</script><style>p{}</style><template>t</template>"
               "<noscript>n</noscript><form><input><button>b</button><label>l</label></form><svg><text>s</text></svg>"
               "<p hidden>h</p><p style='visibility: hidden'>v</p><span aria-hidden='true'>a</span><p>end</p>"),
            "keep\n\nend\n");
}

// An <svg> left open ends where the HTML parser ends it: at the end tag of an HTML element around
// it or at an HTML start tag such as <p>, not at some later </svg> (which swallowed whole articles).
TEST(NormalizeMarkdown, UnclosedSvgEndsWithTheElementAroundIt) {
  EXPECT_EQ(Md("<div><a href='#'><svg class='icon'><use href='#pdf'/></a></div><p>first</p>"
               "<svg><path d='M0'/></svg><p>second</p>"),
            "first\n\nsecond\n");
  EXPECT_EQ(Md("<span><svg><use href='#i'/></span> <p>after</p><svg><g><text>t</text></g><p>breaks out</p>"),
            "after\n\nbreaks out\n");
  // Nested svg, comments with </svg> and HTML inside <foreignObject> stay inside the drawing.
  EXPECT_EQ(Md("<svg><svg><text>x</text></svg><!-- </svg> --><foreignObject><div>fo</div></foreignObject>"
               "<text>y</text></svg><p>end</p>"),
            "end\n");
}

TEST(NormalizeMarkdown, FormHoldingTheArticleIsKept) {
  std::string para = "<p>" + std::string(40, 'w') + " real article text that is long enough.</p>";
  EXPECT_EQ(Md("<form id='aspnetForm'>" + para + "<input type='hidden'></form>"),
            std::string(40, 'w') + " real article text that is long enough.\n");
}

TEST(NormalizeMarkdown, EntitiesDecoded) {
  EXPECT_EQ(Md("<p>&lt;a&gt; &amp;amp; &eacute; &#x1F600; &#65;&nbsp;B</p>"), "<a> &amp; é 😀 A B\n");
}

TEST(NormalizeMarkdown, FootnotesWithLabels) {
  EXPECT_EQ(Md("<p>x<sup><a href='#n1' id='r1'>[a]</a></sup></p><ol><li id='n1'>note <a href='#r1'>^</a></li></ol>"),
            "x[^a]\n\n[^a]: note\n");
}

TEST(NormalizeMarkdown, MathInlineAndDisplayInsideText) {
  EXPECT_EQ(Md("<p>if <script type='math/tex'>x\n>\n0</script> then</p>"), "if $x > 0$ then\n");
  EXPECT_EQ(Md("<p>see <span class='math-tex'>\\(a_1\\)</span> and <span class='math-tex'>\\[b\\]</span></p>"),
            "see $a_1$ and\n\n$$b$$\n");
}

TEST(NormalizeMarkdown, KatexGlyphsNeverReachText) {
  std::string md = Md(Fixture("math_katex.html"));
  EXPECT_EQ(md.find("mathnormal"), std::string::npos);
  EXPECT_EQ(md.find("∫"), std::string::npos);  // the rendered operator glyph
}

}  // namespace
}  // namespace alcor
