// Books: PDF text extraction, EPUB reading (and its archive safety), Project Gutenberg text,
// format detection, ISBNs, document → record conversion and the `book` source kind on local files.
#include <gtest/gtest.h>

#include <chrono>

#include "alcor/book.hpp"
#include "alcor/config.hpp"
#include "alcor/convert.hpp"
#include "alcor/env.hpp"
#include "alcor/hash.hpp"
#include "alcor/pdf.hpp"
#include "alcor_testing/fake_http_client.hpp"
#include "alcor_testing/fake_source_context.hpp"
#include "fixtures/books/book_fixtures.hpp"
#include "support/temp_dir.hpp"

namespace alcor {
namespace {

namespace books = testing::books;
using testing::TempDir;

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

std::string RealBook(const std::string& name) {
  std::string dir = testing::RealFixturesDir();
  if (dir.empty()) return "";
  std::string bytes;
  // Present folder, missing file: a failure, not a skip.
  Status s = ReadFileToString(Env::Default(), JoinPath(JoinPath(dir, "books"), name), &bytes);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return bytes;
}

// ---- PDF ----------------------------------------------------------------------------------------

TEST(PdfTextTest, ReadingOrderWithoutRunningHeadersFootersHyphensOrLigatures) {
  Result<PdfText> pdf = ExtractPdfText(books::MakeRunningHeaderPdf());
  ASSERT_TRUE(pdf.ok()) << pdf.status().ToString();
  const std::string& t = pdf->text;
  EXPECT_EQ(pdf->pages, 3);
  // Running header (page number varies) and footer are gone.
  EXPECT_FALSE(Contains(t, "Notes on Scalable Oversight")) << t;
  EXPECT_FALSE(Contains(t, "do not cite")) << t;
  // Hyphenated words joined, within a page and across the page break.
  EXPECT_TRUE(Contains(t, "a judge decides which argument")) << t;
  EXPECT_TRUE(Contains(t, "the evaluation of another")) << t;
  EXPECT_TRUE(Contains(t, "theme of the interpretability literature as well.")) << t;
  // Ligature glyphs spelled out.
  EXPECT_TRUE(Contains(t, "The efficient training")) << t;
  EXPECT_TRUE(Contains(t, "the conflict between")) << t;
  EXPECT_FALSE(Contains(t, "\xEF\xAC")) << "no U+FB0x left";
  // Reading order and paragraphs.
  EXPECT_EQ(t.rfind("Chapter One\n\nDebate is a proposal", 0), 0u) << t;
  EXPECT_LT(t.find("such judges matters."), t.find("Recursive reward"));
  EXPECT_TRUE(Contains(t, "judges matters.\n\nRecursive reward")) << t;
  EXPECT_TRUE(Contains(t, "as well.\n\nAmplification")) << t;
  EXPECT_EQ(t.back(), '\n');
  // The information dictionary.
  EXPECT_EQ(pdf->title, "Notes on Scalable Oversight");
  EXPECT_EQ(pdf->authors, (std::vector<std::string>{"Ada Example", "Ben Placeholder"}));
  EXPECT_EQ(pdf->date_created.value_or(""), "2021-03-04T18:04:53Z");
  EXPECT_EQ(pdf->date_modified.value_or(""), "2022-01-01T11:00:00Z") << "+01'00' converted to UTC";
}

TEST(PdfTextTest, HyphenBeforeACapitalStaysAndOnePageKeepsEveryLine) {
  books::PdfPageSpec page;
  page.lines = {{72, 750, 9, "Running title"},
                {72, 700, 11, "The method of Jean-"},
                {72, 686, 11, "Paul was tested on GPT-"},
                {72, 672, 11, "4 and other models."}};
  Result<PdfText> pdf = ExtractPdfText(books::MakePdf({page}));
  ASSERT_TRUE(pdf.ok()) << pdf.status().ToString();
  EXPECT_TRUE(Contains(pdf->text, "Running title")) << "one page has no running header to tell apart";
  EXPECT_TRUE(Contains(pdf->text, "The method of Jean-Paul was tested on GPT-4 and other models.")) << pdf->text;
  EXPECT_EQ(pdf->title, "");
  EXPECT_TRUE(pdf->authors.empty());
  EXPECT_FALSE(pdf->date_created.has_value());
}

TEST(PdfTextTest, NoTextLayerIsAClearError) {
  Result<PdfText> pdf = ExtractPdfText(books::MakeNoTextPdf());
  ASSERT_FALSE(pdf.ok());
  EXPECT_EQ(pdf.status().code(), Status::Code::kInvalidArgument);
  EXPECT_TRUE(Contains(pdf.status().message(), "no text layer")) << pdf.status().ToString();
}

TEST(PdfTextTest, DamagedAndOversizedInputsFailWithoutCrashing) {
  std::string good = books::MakeRunningHeaderPdf();
  EXPECT_EQ(ExtractPdfText("").status().code(), Status::Code::kCorruption);
  EXPECT_EQ(ExtractPdfText("hello, not a pdf").status().code(), Status::Code::kCorruption);
  EXPECT_EQ(ExtractPdfText("%PDF-1.4\n garbage garbage").status().code(), Status::Code::kCorruption);
  // Truncations and flipped bytes: any outcome but a crash.
  for (size_t cut : {good.size() / 4, good.size() / 2, good.size() - 40}) (void)ExtractPdfText(good.substr(0, cut));
  for (size_t i = 0; i < good.size(); i += 97) {
    std::string bad = good;
    bad[i] = static_cast<char>(bad[i] ^ 0x5A);
    (void)ExtractPdfText(bad);
  }
  PdfTextOptions small;
  small.max_input_bytes = 100;
  EXPECT_EQ(ExtractPdfText(good, small).status().code(), Status::Code::kLimitExceeded);
  PdfTextOptions few_pages;
  few_pages.max_pages = 2;
  EXPECT_EQ(ExtractPdfText(good, few_pages).status().code(), Status::Code::kLimitExceeded);
}

TEST(PdfTextTest, WordCapStopsAtThePageThatCrossesIt) {
  books::PdfPageSpec page;
  page.lines = {{72, 700, 11, "one two three four five"}};
  std::string pdf = books::MakePdf({page, page, page});
  PdfTextOptions cap;
  cap.max_words = 12;
  Result<PdfText> capped = ExtractPdfText(pdf, cap);
  ASSERT_FALSE(capped.ok());
  EXPECT_EQ(capped.status().code(), Status::Code::kLimitExceeded);
  EXPECT_EQ(capped.status().message(), "PDF text layer of more than 12 words (the cap) by page 3");
  cap.max_words = 15;
  EXPECT_TRUE(ExtractPdfText(pdf, cap).ok());
}

// ---- EPUB ---------------------------------------------------------------------------------------

TEST(EpubTest, RealCalibreEpub3) {
  std::string bytes = RealBook("alice_without_cover.epub");
  if (bytes.empty()) GTEST_SKIP() << "real fixtures (../shared/fixtures/real/books) are absent";
  Result<EpubBook> book = ReadEpub(bytes);
  ASSERT_TRUE(book.ok()) << book.status().ToString();
  EXPECT_EQ(book->version, 3);
  EXPECT_EQ(book->title, "Alice's Adventures in Wonderland");
  EXPECT_EQ(book->authors, std::vector<std::string>{"Lewis Carroll"});
  ASSERT_EQ(book->creators.size(), 1u);
  EXPECT_EQ(book->creators[0].role, "aut") << "from <meta refines property=role>";
  EXPECT_EQ(book->creators[0].file_as, "Carroll, Lewis");
  EXPECT_EQ(book->language, "en-US");
  EXPECT_EQ(book->identifiers.size(), 3u);
  EXPECT_EQ(book->uuid, "c210148c-8ff2-4bc0-81ba-cdef01db07df") << "uuid: prefix without urn:";
  EXPECT_EQ(book->isbn, "");
  EXPECT_EQ(book->modified.value_or(""), "2020-05-22T09:04:27Z");
  EXPECT_EQ(book->subjects, std::vector<std::string>{"Fantasy"});
  // The toc is linear="no": skipped, so its "Contents" heading is not in the text.
  EXPECT_EQ(book->skipped_non_linear, 1);
  EXPECT_EQ(book->chapters, 1);
  EXPECT_FALSE(Contains(book->text, "Contents"));
  EXPECT_TRUE(Contains(book->text, "# Alice's Adventures In Wonderland")) << book->text;
  EXPECT_TRUE(Contains(book->text, "Alice in the Room of the Duchess.")) << book->text;
}

TEST(EpubTest, SpineOrderLinearNoMetadataRefinesAndIsbn) {
  std::string bytes = books::MakeLinearNoEpub();
  Result<EpubBook> book = ReadEpub(bytes);
  ASSERT_TRUE(book.ok()) << book.status().ToString();
  const std::string& t = book->text;
  EXPECT_EQ(book->title, "The Corrigibility Handbook");
  EXPECT_EQ(book->authors, (std::vector<std::string>{"Mira Okonkwo", "Jun Sato"})) << "the editor is not an author";
  ASSERT_EQ(book->creators.size(), 3u);
  EXPECT_EQ(book->creators[1].role, "edt");
  EXPECT_EQ(book->creators[0].file_as, "Okonkwo, Mira");
  EXPECT_EQ(book->language, "en-GB");
  EXPECT_EQ(book->isbn, "9780306406157");
  EXPECT_EQ(book->uuid, "6f1c2a4e-8d3b-4e5f-9a7c-0b1d2e3f4a5b");
  EXPECT_EQ(book->date.value_or(""), "2023-05-17T00:00:00Z");
  EXPECT_EQ(book->modified.value_or(""), "2024-01-02T03:04:05Z");
  // Headings kept, spine order, the linear="no" notes left out, links as their text.
  EXPECT_EQ(t.rfind("# Chapter 1. Shutdown problems\n\nAn agent that resists", 0), 0u) << t;
  EXPECT_LT(t.find("Chapter 1."), t.find("# Chapter 2. Utility indifference"));
  EXPECT_LT(t.find("Chapter 2."), t.find("## Chapter 3. Open questions"));
  EXPECT_FALSE(Contains(t, "Translator's notes")) << t;
  EXPECT_TRUE(Contains(t, "value both outcomes equally")) << t;
  EXPECT_FALSE(Contains(t, "ch3.xhtml"));
  EXPECT_FALSE(Contains(t, "One")) << "the nav document is not in the spine";
  EXPECT_EQ(book->skipped_non_linear, 1);
  EXPECT_EQ(book->chapters, 3);

  EpubOptions all;
  all.include_non_linear = true;
  Result<EpubBook> with_notes = ReadEpub(bytes, all);
  ASSERT_TRUE(with_notes.ok());
  size_t notes = with_notes->text.find("## Translator's notes");
  ASSERT_NE(notes, std::string::npos) << with_notes->text;
  EXPECT_LT(with_notes->text.find("Chapter 1."), notes);
  EXPECT_LT(notes, with_notes->text.find("Chapter 2."));
}

TEST(EpubTest, Epub2AttributesAndNoContainerFallback) {
  std::string opf = R"(<?xml version="1.0"?>
<package xmlns="http://www.idpf.org/2007/opf" xmlns:opf="http://www.idpf.org/2007/opf" version="2.0">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
    <dc:title>Reward Hacking, Briefly</dc:title>
    <dc:creator opf:role="aut" opf:file-as="Quill, Ana">Ana Quill</dc:creator>
    <dc:creator opf:role="trl">Bo Ren</dc:creator>
    <dc:identifier opf:scheme="ISBN">0-306-40615-2</dc:identifier>
    <dc:date opf:event="publication">1999</dc:date>
    <dc:date opf:event="modification">2001-02-03</dc:date>
    <dc:description>&lt;p&gt;A &lt;b&gt;short&lt;/b&gt; book.&lt;/p&gt;</dc:description>
  </metadata>
  <manifest><item id="c" href="Text/Chapter%201.html" media-type="application/xhtml+xml"/>
            <item id="img" href="cover.png" media-type="image/png"/></manifest>
  <spine toc="ncx"><itemref idref="img"/><itemref idref="c"/><itemref idref="missing"/></spine>
</package>)";
  // No META-INF/container.xml (a sloppy writer): the one .opf is used.
  std::string bytes = books::MakeZip({{"mimetype", "application/epub+zip", true},
                                      {"book.opf", opf},
                                      {"Text/Chapter 1.html", books::Xhtml("c", "<h1>One</h1><p>Proxy gaming.</p>")},
                                      {"cover.png", std::string("\x89PNG\r\n\x1a\n", 8)}});
  Result<EpubBook> book = ReadEpub(bytes);
  ASSERT_TRUE(book.ok()) << book.status().ToString();
  EXPECT_EQ(book->version, 2);
  EXPECT_EQ(book->authors, std::vector<std::string>{"Ana Quill"});
  EXPECT_EQ(book->creators[0].file_as, "Quill, Ana");
  EXPECT_EQ(book->creators[1].role, "trl");
  EXPECT_EQ(book->isbn, "9780306406157") << "ISBN-10 converted to ISBN-13";
  EXPECT_EQ(book->date.value_or(""), "1999-01-01T00:00:00Z");
  EXPECT_EQ(book->modified.value_or(""), "2001-02-03T00:00:00Z");
  EXPECT_EQ(book->description, "A **short** book.");
  EXPECT_EQ(book->text, "# One\n\nProxy gaming.\n") << "percent-encoded href; the image in the spine skipped";
}

// Issue 21: a 1,215-byte EPUB whose spine listed one chapter 2,000 times took 23 s and 1.3 GB
// (each itemref converted again); 200,000 times ran past a minute and 1.6 GB.
std::string RepeatedSpineEpub(size_t itemrefs) {
  std::string spine;
  for (size_t i = 0; i < itemrefs; ++i) spine += "<itemref idref=\"c\"/><itemref idref=\"d\"/>";
  std::string opf = "<?xml version=\"1.0\"?><package xmlns=\"http://www.idpf.org/2007/opf\" version=\"3.0\">"
                    "<metadata xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:title>Loop</dc:title></metadata>"
                    "<manifest><item id=\"c\" href=\"c.xhtml\" media-type=\"application/xhtml+xml\"/>"
                    "<item id=\"d\" href=\"d.xhtml\" media-type=\"application/xhtml+xml\"/></manifest>"
                    "<spine>" + spine + "</spine></package>";
  return books::MakeZip({{"mimetype", "application/epub+zip", true},
                         {"META-INF/container.xml", books::ContainerXml("content.opf")},
                         {"content.opf", opf},
                         {"c.xhtml", books::Xhtml("c", "<p>Chapter one.</p>")},
                         {"d.xhtml", books::Xhtml("d", "<p>Chapter two.</p>")}});
}

TEST(EpubTest, SpineListingAChapterAgainReadsItOnce) {
  auto start = std::chrono::steady_clock::now();
  Result<EpubBook> book = ReadEpub(RepeatedSpineEpub(2000));
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(book.ok()) << book.status().ToString();
  EXPECT_EQ(book->text, "Chapter one.\n\nChapter two.\n");
  EXPECT_EQ(book->chapters, 2);
  EXPECT_LT(seconds, 5.0);
}

TEST(EpubTest, SpineAboveTheCapIsRefusedNamingTheCap) {
  Result<EpubBook> book = ReadEpub(RepeatedSpineEpub(100000));  // 200,000 itemrefs
  ASSERT_FALSE(book.ok());
  EXPECT_EQ(book.status().code(), Status::Code::kLimitExceeded);
  EXPECT_EQ(book.status().message(), "content.opf: the spine lists more than 10000 items");
  EpubOptions few;
  few.max_spine_items = 3;
  EXPECT_EQ(ReadEpub(RepeatedSpineEpub(2), few).status().code(), Status::Code::kLimitExceeded);
  EXPECT_TRUE(ReadEpub(RepeatedSpineEpub(1), few).ok());
}

TEST(EpubTest, EntriesAndHrefsThatLeaveTheArchiveAreRefused) {
  Result<EpubBook> book = ReadEpub(books::MakeTraversalZip());
  ASSERT_FALSE(book.ok());
  EXPECT_EQ(book.status().code(), Status::Code::kInvalidArgument);
  EXPECT_TRUE(Contains(book.status().message(), "'../../evil.sh'")) << book.status().ToString();

  for (const char* name : {"/etc/passwd", "a/../../b", "..\\..\\win.ini", "C:/boot.ini"}) {
    std::string zip = books::MakeZip({{"META-INF/container.xml", books::ContainerXml("c.opf")}, {name, "x"}});
    EXPECT_EQ(ReadEpub(zip).status().code(), Status::Code::kInvalidArgument) << name;
  }
  std::string opf =
      "<package xmlns=\"http://www.idpf.org/2007/opf\" version=\"3.0\"><metadata/><manifest>"
      "<item id=\"a\" href=\"../../../etc/passwd\" media-type=\"application/xhtml+xml\"/></manifest>"
      "<spine><itemref idref=\"a\"/></spine></package>";
  Result<EpubBook> href = ReadEpub(books::MakeZip({{"META-INF/container.xml", books::ContainerXml("OPS/c.opf")},
                                                   {"OPS/c.opf", opf}}));
  ASSERT_FALSE(href.ok());
  EXPECT_TRUE(Contains(href.status().message(), "leaves the archive")) << href.status().ToString();
}

TEST(EpubTest, ZipBombStopsEarly) {
  std::string bomb = books::MakeZipBomb(size_t{48} << 20);
  ASSERT_LT(bomb.size(), size_t{200} << 10) << "the fixture is a bomb: tiny archive, huge entry";
  auto start = std::chrono::steady_clock::now();
  Result<EpubBook> book = ReadEpub(bomb);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  ASSERT_FALSE(book.ok());
  EXPECT_EQ(book.status().code(), Status::Code::kLimitExceeded);
  EXPECT_TRUE(Contains(book.status().message(), "zip bomb")) << book.status().ToString();
  EXPECT_LT(ms, 5000) << "inflating stops at the ratio cap, not at the end";

  // The absolute caps too, on what actually inflates.
  EpubOptions small;
  small.max_entry_bytes = 1000;
  Result<EpubBook> capped = ReadEpub(books::MakeZipBomb(5000), small);
  EXPECT_EQ(capped.status().code(), Status::Code::kLimitExceeded);
  EXPECT_TRUE(Contains(capped.status().message(), "a.xhtml")) << capped.status().ToString();
  EpubOptions few;
  few.max_entries = 3;
  EXPECT_EQ(ReadEpub(books::MakeLinearNoEpub(), few).status().code(), Status::Code::kLimitExceeded);
}

TEST(EpubTest, BrokenArchivesAndDocumentsGetClearErrors) {
  std::string good = books::MakeLinearNoEpub();
  Result<EpubBook> truncated = ReadEpub(good.substr(0, good.size() / 2));
  EXPECT_EQ(truncated.status().code(), Status::Code::kCorruption);
  EXPECT_TRUE(Contains(truncated.status().message(), "broken zip archive")) << truncated.status().ToString();
  EXPECT_EQ(ReadEpub("").status().code(), Status::Code::kCorruption);
  EXPECT_EQ(ReadEpub("PK\x03\x04 not really").status().code(), Status::Code::kCorruption);

  Result<EpubBook> no_container = ReadEpub(books::MakeZip({{"a.xhtml", "<p>x</p>"}}));
  EXPECT_EQ(no_container.status().code(), Status::Code::kCorruption);
  EXPECT_TRUE(Contains(no_container.status().message(), "no META-INF/container.xml"));

  Result<EpubBook> bad_xml = ReadEpub(books::MakeZip({{"META-INF/container.xml", "<container><rootfiles>"}}));
  EXPECT_EQ(bad_xml.status().code(), Status::Code::kCorruption);
  EXPECT_TRUE(Contains(bad_xml.status().message(), "not well-formed XML")) << bad_xml.status().ToString();

  Result<EpubBook> no_opf = ReadEpub(books::MakeZip({{"META-INF/container.xml", books::ContainerXml("x/content.opf")}}));
  EXPECT_EQ(no_opf.status().code(), Status::Code::kCorruption);
  EXPECT_TRUE(Contains(no_opf.status().message(), "x/content.opf")) << no_opf.status().ToString();

  // Every prefix of a good book, and flipped bytes: an error or a book, never a crash.
  for (size_t cut = 0; cut < good.size(); cut += 211) (void)ReadEpub(good.substr(0, cut));
  for (size_t i = 0; i < good.size(); i += 53) {
    std::string bad = good;
    bad[i] = static_cast<char>(bad[i] ^ 0x33);
    (void)ReadEpub(bad);
  }
}

// A file of its own as the book kind and `alcor ingest` emit it (alcor/convert.hpp): no id, its
// path in metadata.path (or its URL), converted by Convert.
Result<Record> FileRecord(const std::string& name, std::string bytes, BodyFormat format, const std::string& source,
                          const std::string& kind = "file", const std::string& url = "") {
  RawDocument doc;
  doc.record.source = source;
  doc.record.source_kind = kind;
  if (url.empty()) {
    doc.record.metadata["path"] = name;
  } else {
    doc.record.url = url;
  }
  doc.origin = name;
  doc.body = std::move(bytes);
  doc.format = format;
  Record r;
  Status s = Convert(std::move(doc), &r);
  if (!s.ok()) return s;
  return r;
}

// ---- Project Gutenberg ----------------------------------------------------------------------

TEST(GutenbergTest, RealFileWithBomCrlfAndIndentedEndMarker) {
  std::string bytes = RealBook("pg1065_the_raven.txt");
  if (bytes.empty()) GTEST_SKIP() << "real fixtures (../shared/fixtures/real/books) are absent";
  Result<Record> r = FileRecord("pg1065_the_raven.txt", bytes,
                                BodyFormatFor(DetectDocumentFormat("pg1065.txt", bytes), false), "books", "book");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->id, "book:" + Sha256Hex(bytes));
  EXPECT_EQ(r->title, "The Raven");
  EXPECT_EQ(r->authors, std::vector<std::string>{"Edgar Allan Poe"});
  EXPECT_EQ(r->metadata["format"], "gutenberg");
  EXPECT_EQ(r->metadata["gutenberg_id"], "1065");
  EXPECT_EQ(r->metadata["language"], "English");
  EXPECT_EQ(r->metadata["release_date"], "October 1, 1997");
  EXPECT_EQ(r->text.rfind("The Raven\n\nby\n\nEdgar Allan Poe\n", 0), 0u) << r->text.substr(0, 200);
  EXPECT_TRUE(Contains(r->text, "Nevermore"));
  EXPECT_FALSE(Contains(r->text, "Project Gutenberg")) << "header and licence removed";
  EXPECT_FALSE(Contains(r->text, "\r"));
  EXPECT_FALSE(Contains(r->text, "\xEF\xBB\xBF"));
}

TEST(GutenbergTest, OlderMarkerVariantsAndHeaderLine) {
  std::string old_style =
      "The Project Gutenberg EBook of Flatland, by Edwin A. Abbott\n\n"
      "**Welcome To The World of Free Plain Vanilla Electronic Texts**\n"
      "*****These eBooks Were Prepared By Thousands of Volunteers!*****\n"
      "[Etext #201]\n"
      "We do not charge for this. Small print follows.\n"
      "*END*THE SMALL PRINT! FOR PUBLIC DOMAIN ETEXTS*Ver.04.29.93*END*\n\n"
      "FLATLAND\n\nPart I. This World\n\nI call our world Flatland.\n\n"
      "End of the Project Gutenberg EBook of Flatland, by Edwin A. Abbott\n"
      "This file should be named flat10.txt\n";
  GutenbergText g = ParseGutenbergText(old_style);
  ASSERT_TRUE(g.found);
  EXPECT_EQ(g.title, "Flatland");
  EXPECT_EQ(g.authors, std::vector<std::string>{"Edwin A. Abbott"});
  EXPECT_EQ(g.ebook_number, "201");
  EXPECT_EQ(g.body, "FLATLAND\n\nPart I. This World\n\nI call our world Flatland.\n");

  std::string this_style =
      "Title: Cooperative Inverse Reward Design,\n    a Dialogue\n\nAuthor: Ada Example and Ben Placeholder\n\n"
      "Release Date: May 5, 2005 [EBook #9999]\n\n"
      "   *** START OF THIS PROJECT GUTENBERG EBOOK CIRD ***\n\nThe text.\n\n"
      "\t*** END OF THIS PROJECT GUTENBERG EBOOK CIRD ***\n\nSTART: FULL LICENSE\nterms\n";
  g = ParseGutenbergText(this_style);
  ASSERT_TRUE(g.found);
  EXPECT_EQ(g.title, "Cooperative Inverse Reward Design, a Dialogue");
  EXPECT_EQ(g.authors, (std::vector<std::string>{"Ada Example", "Ben Placeholder"}));
  EXPECT_EQ(g.ebook_number, "9999");
  EXPECT_EQ(g.release_date, "May 5, 2005");
  EXPECT_EQ(g.body, "The text.\n");

  g = ParseGutenbergText("Title: Frankenstein\n       Or, The Modern Prometheus\n\n*** START OF THE PROJECT GUTENBERG "
                         "EBOOK 84 ***\nIt was on a dreary night.\n");
  ASSERT_TRUE(g.found) << "an END marker is not required";
  EXPECT_EQ(g.title, "Frankenstein: Or, The Modern Prometheus") << "a subtitle line";
  EXPECT_EQ(g.body, "It was on a dreary night.\n");

  EXPECT_FALSE(ParseGutenbergText("Just a note about Project Gutenberg.\nNo markers here.\n").found);
}

TEST(GutenbergTest, RecordFromCrlfBomFile) {
  std::string file =
      "\xEF\xBB\xBFThe Project Gutenberg eBook of Tiny\r\n\r\nTitle: Tiny\r\n\r\nAuthor: Someone\r\n\r\n"
      "*** START OF THE PROJECT GUTENBERG EBOOK TINY ***\r\nLine one.\r\nLine two.\r\n"
      "*** END OF THE PROJECT GUTENBERG EBOOK TINY ***\r\nLicence text.\r\n";
  Result<Record> r = FileRecord("tiny.txt", file, BodyFormat::kPlainText, "local");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->text, "Line one.\nLine two.\n");
  EXPECT_EQ(r->title, "Tiny");
  EXPECT_EQ(r->id, "book:" + Sha256Hex(file));
  EXPECT_EQ(r->source_kind, "file");
  EXPECT_EQ(r->metadata["path"], "tiny.txt");
}

// ---- formats, ISBN, records -----------------------------------------------------------------

TEST(DocumentFormatTest, ContentTypeThenExtensionThenContent) {
  std::string pdf = books::MakeNoTextPdf();
  std::string epub = books::MakeLinearNoEpub();
  std::string png("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
  EXPECT_EQ(DetectDocumentFormat("a.pdf", pdf), DocumentFormat::kPdf);
  EXPECT_EQ(DetectDocumentFormat("noext", pdf), DocumentFormat::kPdf);
  EXPECT_EQ(DetectDocumentFormat("a.txt", pdf), DocumentFormat::kPdf) << "binary content overrides .txt";
  EXPECT_EQ(DetectDocumentFormat("a.pdf", "just text"), DocumentFormat::kPlainText) << "content contradicts .pdf";
  EXPECT_EQ(DetectDocumentFormat("book", epub), DocumentFormat::kEpub);
  EXPECT_EQ(DetectDocumentFormat("b.epub", epub), DocumentFormat::kEpub);
  EXPECT_EQ(DetectDocumentFormat("a.html", "<p>hi</p>"), DocumentFormat::kHtml);
  EXPECT_EQ(DetectDocumentFormat("page", "<!DOCTYPE html><html><body>x</body></html>"), DocumentFormat::kHtml);
  EXPECT_EQ(DetectDocumentFormat("feed", "<?xml version=\"1.0\"?><rss></rss>"), DocumentFormat::kUnknown);
  EXPECT_EQ(DetectDocumentFormat("notes", "# Heading\ntext"), DocumentFormat::kMarkdown);
  EXPECT_EQ(DetectDocumentFormat("notes", "plain words"), DocumentFormat::kPlainText);
  EXPECT_EQ(DetectDocumentFormat("a.png", png), DocumentFormat::kUnknown);
  EXPECT_EQ(DetectDocumentFormat("x.md", "# A", "text/plain; charset=utf-8"), DocumentFormat::kMarkdown)
      << "text/plain is weaker than .md";
  EXPECT_EQ(DetectDocumentFormat("https://h/x?y=1", pdf, "application/octet-stream"), DocumentFormat::kPdf);
  EXPECT_EQ(DetectDocumentFormat("https://h/paper.pdf", "<html><body>Login</body></html>", "text/html"),
            DocumentFormat::kHtml)
      << "Content-Type first";
  EXPECT_EQ(DetectDocumentFormat("https://h/get", epub, "application/epub+zip"), DocumentFormat::kEpub);
  EXPECT_EQ(DetectDocumentFormat("https://h/r.md?raw=1", "# A", ""), DocumentFormat::kMarkdown);
}

TEST(IsbnTest, NormalizesValidatesAndFinds) {
  EXPECT_EQ(NormalizeIsbn("978-0-306-40615-7").value_or(""), "9780306406157");
  EXPECT_EQ(NormalizeIsbn("urn:isbn:0306406152").value_or(""), "9780306406157");
  EXPECT_EQ(NormalizeIsbn("ISBN 0-306-40615-2").value_or(""), "9780306406157");
  EXPECT_EQ(NormalizeIsbn("0-8044-2957-X").value_or(""), "9780804429573");
  EXPECT_FALSE(NormalizeIsbn("978-0-306-40615-8").has_value()) << "bad check digit";
  EXPECT_FALSE(NormalizeIsbn("12345").has_value());
  EXPECT_FALSE(NormalizeIsbn("uuid:c210148c").has_value());
  EXPECT_EQ(FindIsbnInText("Copyright 2023.\nISBN-13: 978-0-306-40615-7 (paperback)\n").value_or(""),
            "9780306406157");
  EXPECT_FALSE(FindIsbnInText("ISBN pending. Call 555-1234.").has_value());
}

TEST(ConvertFileTest, BookIdsAndFileIds) {
  std::string epub = books::MakeLinearNoEpub();
  Result<Record> e = FileRecord("/books/h.epub", epub, BodyFormat::kEpub, "shelf", "book");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->id, "book:isbn:9780306406157");
  EXPECT_EQ(e->source, "shelf");
  EXPECT_EQ(e->source_kind, "book");
  EXPECT_EQ(e->title, "The Corrigibility Handbook");
  EXPECT_EQ(e->date_published.value_or(""), "2023-05-17T00:00:00Z");
  EXPECT_EQ(e->metadata["isbn"], "9780306406157");
  EXPECT_EQ(e->metadata["creators"][0]["file_as"], "Okonkwo, Mira");
  EXPECT_EQ(e->tags, std::vector<std::string>{"AI alignment"});
  EXPECT_EQ(e->content_sha256, Sha256Hex(e->text));

  std::string pdf = books::MakeRunningHeaderPdf();
  Result<Record> p = FileRecord("paper.pdf", pdf, BodyFormat::kPdf, "shelf", "book");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->id, "book:" + Sha256Hex(pdf));
  EXPECT_EQ(p->authors.size(), 2u);
  EXPECT_EQ(p->metadata["pages"], 3);

  books::PdfPageSpec copyright;
  copyright.lines = {{72, 700, 11, "A Book With a Number"}, {72, 680, 11, "ISBN 978-0-306-40615-7"}};
  Result<Record> with_isbn =
      FileRecord("b.pdf", books::MakePdf({copyright}), BodyFormat::kPdf, "shelf", "book");
  ASSERT_TRUE(with_isbn.ok());
  EXPECT_EQ(with_isbn->id, "book:isbn:9780306406157");
  EXPECT_EQ(with_isbn->title, "b") << "no Title in the info dictionary: the file name";

  Result<Record> scan = FileRecord("scan.pdf", books::MakeNoTextPdf(), BodyFormat::kPdf, "shelf", "book");
  EXPECT_TRUE(Contains(scan.status().message(), "no text layer"));

  std::string md = "# Notes\r\n\r\nOn $x^2$.\r\n";
  Result<Record> m = FileRecord("n.md", md, BodyFormat::kMarkdown, "shelf", "book");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->id, "file:" + Sha256Hex(md)) << "plain notes keep the file: id";
  EXPECT_EQ(m->text, "# Notes\n\nOn $x^2$.");
  EXPECT_EQ(m->title, "Notes");

  std::string html =
      "<html><head><title>Mesa-optimizers</title><meta name=\"author\" content=\"Rae Lin\"></head><body>"
      "<nav><a href=\"/\">Home</a> <a href=\"/about\">About</a></nav>"
      "<article><h1>Mesa-optimizers</h1><p>Inner alignment asks whether a learned optimizer pursues the base "
      "objective. This paragraph is long enough to be the article body of the page, with several sentences "
      "about inner alignment and deceptive alignment.</p></article><footer>Copyright footer</footer></body></html>";
  Result<Record> whole = FileRecord("m.html", html, BodyFormat::kHtml, "shelf", "book");
  ASSERT_TRUE(whole.ok());
  EXPECT_EQ(whole->id, "file:" + Sha256Hex(html));
  EXPECT_EQ(whole->title, "Mesa-optimizers");
  EXPECT_EQ(whole->authors, std::vector<std::string>{"Rae Lin"});
  EXPECT_TRUE(Contains(whole->text, "Copyright footer")) << "without main-content the page is kept whole";
  Result<Record> article = FileRecord("m.html", html, BodyFormat::kHtmlPage, "shelf", "book");
  ASSERT_TRUE(article.ok());
  EXPECT_FALSE(Contains(article->text, "Copyright footer")) << article->text;
  EXPECT_TRUE(Contains(article->text, "Inner alignment asks"));

  Result<Record> web =
      FileRecord("https://example.org/m", html, BodyFormat::kHtml, "shelf", "book", "https://example.org/m");
  ASSERT_TRUE(web.ok());
  EXPECT_EQ(web->id, "web:https://example.org/m");
  EXPECT_EQ(web->url, "https://example.org/m");
  EXPECT_FALSE(web->metadata.contains("path"));

  EXPECT_EQ(FileRecord("x", "\x01\x02", BodyFormat::kDetect, "shelf", "book").status().code(),
            Status::Code::kInvalidArgument);
}

TEST(ConvertFileTest, DetectTellsTheFormatAndAnItemWithAnIdKeepsWhatItsSourceSaid) {
  std::string epub = books::MakeLinearNoEpub();
  Result<Record> detected = FileRecord("-", epub, BodyFormat::kDetect, "local");
  ASSERT_TRUE(detected.ok()) << detected.status().ToString();
  EXPECT_EQ(detected->id, "book:isbn:9780306406157") << "an EPUB told by its bytes";
  EXPECT_EQ(detected->metadata["text_format"], "epub");
  EXPECT_EQ(detected->metadata["path"], "-");

  RawDocument doc;
  doc.record.id = "shelf:1";
  doc.record.title = "Given by the source";
  doc.body = epub;
  doc.format = BodyFormat::kEpub;
  Record item;
  Status s = Convert(std::move(doc), &item);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(item.id, "shelf:1");
  EXPECT_EQ(item.title, "Given by the source");
  EXPECT_FALSE(item.authors.empty()) << "the book's authors fill what the source left empty";
  EXPECT_EQ(item.text, detected->text);
  EXPECT_FALSE(item.metadata.contains("file_sha256")) << "an item is not described as a file";

  RawDocument broken;
  broken.record.id = "shelf:2";
  broken.body = "not a zip";
  broken.format = BodyFormat::kEpub;
  Record none;
  Status failed = Convert(std::move(broken), &none);
  EXPECT_FALSE(failed.ok());
  EXPECT_EQ(failed.message().rfind("shelf:2", 0), 0u) << "an item's errors name it: " << failed.ToString();
}

// ---- the book source kind on local files ----------------------------------------------------

Result<std::unique_ptr<Source>> MakeBookSource(const nlohmann::json& entry, const std::string& config_dir) {
  const SourceKind* kind = FindSourceKind("book");
  if (kind == nullptr) return Status::NotFound("book kind not registered");
  Result<SourceConfig> config = ValidateSourceConfig(entry, "test: sources[0]", config_dir);
  if (!config.ok()) return config.status();
  return kind->create(*config);
}

TEST(BookSourceTest, EmitsEachBookOnceAndAgainWhenItChanges) {
  TempDir tmp;
  testing::WriteFile(tmp.Sub("cfg/shelf/handbook.epub"), books::MakeLinearNoEpub());
  testing::WriteFile(tmp.Sub("cfg/shelf/sub/paper.pdf"), books::MakeRunningHeaderPdf());
  testing::WriteFile(tmp.Sub("cfg/shelf/sub/cover.png"), std::string("\x89PNG\r\n\x1a\n\0\0", 10));
  testing::WriteFile(tmp.Sub("cfg/shelf/.hidden.txt"), "hidden");
  testing::WriteFile(tmp.Sub("cfg/single.txt"),
                     "Title: Tiny\n\n*** START OF THE PROJECT GUTENBERG EBOOK TINY ***\nBody.\n*** END OF THE "
                     "PROJECT GUTENBERG EBOOK TINY ***\n");
  nlohmann::json entry = {{"name", "shelf"}, {"kind", "book"}, {"paths", {"shelf", "single.txt", "missing.pdf"}}};
  Result<std::unique_ptr<Source>> source = MakeBookSource(entry, tmp.Sub("cfg"));
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  FakeHttpClient http;
  ::testing::FakeSourceContext ctx("shelf", &http);
  ASSERT_TRUE((*source)->Run(ctx).ok());
  ASSERT_EQ(ctx.records.size(), 3u) << "epub, pdf (the png skipped, the hidden file left out), gutenberg";
  EXPECT_EQ(ctx.records[0].id, "book:isbn:9780306406157");
  EXPECT_EQ(ctx.records[0].source, "shelf");
  EXPECT_EQ(ctx.records[0].source_kind, "book");
  EXPECT_EQ(ctx.records[0].metadata["path"], tmp.Sub("cfg/shelf/handbook.epub")) << "resolved against the config";
  EXPECT_EQ(ctx.records[1].metadata["format"], "pdf");
  EXPECT_EQ(ctx.records[2].title, "Tiny");
  ASSERT_EQ(ctx.failures.size(), 1u);
  EXPECT_EQ(ctx.failures[0].first, tmp.Sub("cfg/missing.pdf"));
  EXPECT_TRUE(ctx.conversion_failures.empty());
  EXPECT_EQ(http.request_count(), 0u);
  ASSERT_FALSE(ctx.checkpoints.empty());

  // Next run: nothing changed, nothing emitted.
  ctx.NextRun();
  ASSERT_TRUE((*source)->Run(ctx).ok());
  EXPECT_TRUE(ctx.records.empty());
  EXPECT_EQ(ctx.unchanged, 3u);

  // A changed file is emitted again (same path, new bytes).
  ctx.NextRun();
  testing::WriteFile(tmp.Sub("cfg/single.txt"),
                     "Title: Tiny\n\n*** START OF THE PROJECT GUTENBERG EBOOK TINY ***\nBody, revised.\n*** END "
                     "OF THE PROJECT GUTENBERG EBOOK TINY ***\n");
  ASSERT_TRUE((*source)->Run(ctx).ok());
  ASSERT_EQ(ctx.records.size(), 1u);
  EXPECT_EQ(ctx.records[0].text, "Body, revised.\n");
  EXPECT_EQ(ctx.unchanged, 2u);
}

TEST(BookSourceTest, ConfigurationIsChecked) {
  EXPECT_EQ(MakeBookSource({{"name", "b"}, {"kind", "book"}}, ".").status().code(), Status::Code::kInvalidArgument)
      << "neither paths nor urls";
  Result<std::unique_ptr<Source>> ftp = MakeBookSource({{"name", "b"}, {"kind", "book"}, {"urls", {"ftp://x/y"}}}, ".");
  EXPECT_TRUE(Contains(ftp.status().message(), "ftp://x/y")) << ftp.status().ToString();
  EXPECT_FALSE(MakeBookSource({{"name", "b"}, {"kind", "book"}, {"paths", {"a"}}, {"pathz", {"b"}}}, ".").ok())
      << "unknown keys are errors";
  EXPECT_FALSE(MakeBookSource({{"name", "b"}, {"kind", "book"}, {"paths", "a.epub"}}, ".").ok())
      << "a list, not a string";
}

TEST(BookSourceTest, StopsWhenTheRunStops) {
  TempDir tmp;
  testing::WriteFile(tmp.Sub("a.md"), "# A\n");
  testing::WriteFile(tmp.Sub("b.md"), "# B\n");
  Result<std::unique_ptr<Source>> source =
      MakeBookSource({{"name", "s"}, {"kind", "book"}, {"paths", {tmp.path()}}}, ".");
  ASSERT_TRUE(source.ok());
  FakeHttpClient http;
  ::testing::FakeSourceContext ctx("s", &http);
  ctx.limit = 1;
  EXPECT_TRUE((*source)->Run(ctx).ok());
  EXPECT_EQ(ctx.records.size(), 1u);
  ASSERT_EQ(ctx.checkpoints.size(), 1u) << "only what was emitted is checkpointed";
  EXPECT_TRUE(Contains(ctx.checkpoints[0].second, "a.md"));
  EXPECT_FALSE(Contains(ctx.checkpoints[0].second, "b.md"));
}

// A fetched page that names itself (rel=canonical) as the same item gives the record its URL in
// that form (the scheme the site publishes); a canonical link to another item does not.
TEST(CanonicalLinkTest, ThePageNamesItsOwnUrlOnlyForTheSameItem) {
  auto page = [](const std::string& canonical) {
    return "<html><head><title>T</title><link rel=\"canonical\" href=\"" + canonical +
           "\"></head><body><article><p>Enough words to make an article body for the extractor to keep, "
           "and then some more words so that it is plainly the main content of this page.</p></article></body></html>";
  };
  struct Case {
    BodyFormat format;
    std::string id;  // "" for a file of its own (the id is derived from the URL)
  };
  for (const Case& c : {Case{BodyFormat::kHtmlPage, "web:https://example.org/a"}, Case{BodyFormat::kDetect, ""}}) {
    SCOPED_TRACE(BodyFormatName(c.format));
    RawDocument same;
    same.record.id = c.id;
    same.record.url = "https://example.org/a?utm_source=feed";
    same.body = page("http://Example.org/a");
    same.format = c.format;
    same.content_type = "text/html";
    Record r;
    ASSERT_TRUE(Convert(std::move(same), &r).ok());
    EXPECT_EQ(r.url, "http://example.org/a") << "the page's own form of the same item";
    EXPECT_EQ(r.id, "web:https://example.org/a");
    EXPECT_EQ(r.metadata.value("canonical_url", ""), "http://Example.org/a");

    RawDocument other;
    other.record.id = c.id;
    other.record.url = "https://mirror.example.net/copy";
    other.body = page("https://example.org/original");
    other.format = c.format;
    other.content_type = "text/html";
    Record o;
    ASSERT_TRUE(Convert(std::move(other), &o).ok());
    EXPECT_EQ(o.url, "https://mirror.example.net/copy") << "a syndicated copy keeps its own URL";
    EXPECT_EQ(o.metadata.value("canonical_url", ""), "https://example.org/original");
  }
}

}  // namespace
}  // namespace alcor
