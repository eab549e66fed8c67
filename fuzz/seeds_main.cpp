// fuzz_seeds DIR: writes the seed inputs that are made by code rather than kept as files: the
// EPUBs, PDFs and zip archives of the book tests' generators (tests/fixtures/books), a shard and
// the store's state files as alcor writes them, and small robots.txt, sitemap, Gutenberg,
// Semantic Scholar and record-line examples. scripts/fuzz adds the files of tests/fixtures and
// configs/ to them. Each input goes to DIR/<target>/<name>.
#include <filesystem>
#include <fstream>
#include <string>

#include "alcor/env.hpp"
#include "alcor/record.hpp"
#include "alcor/shard.hpp"
#include "alcor/store.hpp"
#include "alcor/warc.hpp"
#include "dedup/dedup_index.hpp"
#include "fixtures/books/book_fixtures.hpp"
#include "sources/forummagnum/forummagnum.hpp"

namespace {

namespace fs = std::filesystem;
namespace books = alcor::testing::books;

fs::path out_dir;

void Seed(const std::string& target, const std::string& name, const std::string& bytes) {
  fs::create_directories(out_dir / target);
  std::ofstream(out_dir / target / name, std::ios::binary) << bytes;
}

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

alcor::Record SampleRecord(int n) {
  alcor::Record r;
  r.id = "seed:" + std::to_string(n);
  r.source = "seed";
  r.source_kind = "file";
  r.url = "https://example.org/post/" + std::to_string(n);
  r.title = "Post " + std::to_string(n);
  r.authors = {"A. Author"};
  r.date_published = "2024-01-02T03:04:05Z";
  r.text = "Some text with **Markdown**, a [link](https://example.org/) and $x^2$.\n";
  r.tags = {"tag"};
  r.metadata = {{"karma", n}, {"nested", {{"a", {1, 2, 3}}}}};
  r.fetched_at = "2024-01-03T00:00:00Z";
  r.Seal();
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: fuzz_seeds DIR\n");
    return 2;
  }
  out_dir = argv[1];
  alcor::Env* env = alcor::Env::Default();

  // Books.
  books::PdfPageSpec page;
  page.lines = {{72, 700, 14, "A Title"}, {72, 680, 11, "First para\x80graph of the docu-"}, {72, 666, 11, "ment."}};
  std::string pdf = books::MakePdf({page, page}, {{"Title", "Seed"}, {"Author", "A. Author"}});
  std::string epub = books::MakeLinearNoEpub();
  for (const std::string& target : {std::string("pdf"), std::string("convert")}) {
    Seed(target, "text.pdf", pdf);
    Seed(target, "running_header.pdf", books::MakeRunningHeaderPdf());
    Seed(target, "no_text.pdf", books::MakeNoTextPdf());
  }
  for (const std::string& target : {std::string("epub"), std::string("convert")}) {
    Seed(target, "linear_no.epub", epub);
    Seed(target, "traversal.zip", books::MakeTraversalZip());
    Seed(target, "bomb.zip", books::MakeZipBomb(size_t{1} << 20));
    Seed(target, "minimal.epub",
         books::MakeZip({{"mimetype", "application/epub+zip", true},
                         {"META-INF/container.xml", books::ContainerXml("OEBPS/content.opf")},
                         {"OEBPS/content.opf",
                          "<?xml version=\"1.0\"?><package xmlns=\"http://www.idpf.org/2007/opf\" version=\"3.0\">"
                          "<metadata xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:title>T</dc:title>"
                          "<dc:creator>C</dc:creator><dc:language>en</dc:language></metadata>"
                          "<manifest><item id=\"c1\" href=\"c1.xhtml\" media-type=\"application/xhtml+xml\"/></manifest>"
                          "<spine><itemref idref=\"c1\"/><itemref idref=\"c1\"/></spine></package>"},
                         {"OEBPS/c1.xhtml", books::Xhtml("One", "<h1>One</h1><p>Text <b>bold</b>.</p>")}}));
  }
  const std::string gutenberg =
      "The Project Gutenberg eBook of Seed\n\nTitle: Seed\n\nAuthor: A. Author and B. Author\n\n"
      "Release Date: January 1, 2000 [eBook #1065]\n\nLanguage: English\n\n"
      "*** START OF THE PROJECT GUTENBERG EBOOK SEED ***\n\nCHAPTER I\n\nIt was a dark night.\n\n"
      "*** END OF THE PROJECT GUTENBERG EBOOK SEED ***\n\nLicence. ISBN 978-3-16-148410-0\n";
  Seed("gutenberg", "book.txt", gutenberg);
  Seed("convert", "book.txt", gutenberg);

  // Store files, as alcor writes them.
  fs::path scratch = out_dir / ".scratch";
  fs::create_directories(scratch);
  alcor::ShardWriter writer(env, scratch.string(), "seed", "run1", alcor::ShardWriterOptions{});
  std::string lines;
  for (int n = 1; n <= 3; ++n) {
    alcor::Record r = SampleRecord(n);
    (void)writer.Add(r);
    Seed("record_line", "record" + std::to_string(n) + ".json", r.ToJsonLine());
    lines += r.ToJsonLine() + "\n";
  }
  Seed("record_line", "normalize.json",
       R"({"id":"x","url":"https://example.org/p","html":"<p>Hello <a href='q'>link</a></p>","metadata":{"k":1}})");
  std::vector<alcor::PendingShard> shards;
  if (writer.Finish(&shards).ok() && !shards.empty()) Seed("shard", "three_records.jsonl.zst", ReadAll(shards[0].temp_path));
  // A raw archive file: a response and a resource record, one gzip member each.
  alcor::WarcRecord warc_page = alcor::MakeWarcResponse("https://example.org/p", "2024-01-03T00:00:00Z", 200,
                                                   {{"content-type", "text/html; charset=utf-8"}}, "<p>Hello</p>");
  alcor::WarcRecord warc_file = alcor::MakeWarcResource("file:///notes.txt", "2024-01-03T00:00:00Z", "text/plain", "notes");
  Seed("warc", "two_records.warc.gz",
       alcor::GzipMember(alcor::SerializeWarcRecord(warc_page)) + alcor::GzipMember(alcor::SerializeWarcRecord(warc_file)));
  alcor::Manifest manifest;
  manifest.generation = 3;
  manifest.updated = "2024-01-03T00:00:00Z";
  manifest.shards.push_back({"shards/seed/run1-1.jsonl.zst", "seed", 3, lines.size(), 100, std::string(64, 'a'), "run1",
                             "2024-01-03T00:00:00Z"});
  manifest.state["dedup-index"] = "state/dedup-index.3";
  Seed("state_files", "manifest.json", manifest.ToJson());
  alcor::ForumCursor cursor;
  cursor.posted_after = "2024-01-02T03:04:05.000Z";
  cursor.boundary_ids = {"abc"};
  cursor.recent = {{"abc", "2024-01-02T03:04:05.000Z"}};
  Seed("state_files", "cursor.json", cursor.ToJson());
  Seed("state_files", "feed_state.json",
       R"({"platform":"wordpress","site_url":"https://blog.example.org","history":{"done":false,"next":2},"seen":{"https://blog.example.org/a":"2024-01-01T00:00:00Z"}})");
  alcor::dedup::DedupIndex index;
  std::string index_path = (scratch / "index").string();
  if (index.Save(env, index_path).ok()) {
    Seed("state_files", "empty_dedup_index", ReadAll(index_path));
    Seed("dedup_index", "empty", ReadAll(index_path));
  }
  // An index of three documents in two shards, every table holding keys.
  alcor::dedup::DedupIndex three;
  for (int n = 1; n <= 3; ++n) {
    alcor::dedup::DocEntry entry;
    entry.shard = three.ShardIndex(n == 3 ? "shards/seed/run2-1.jsonl.zst" : "shards/seed/run1-1.jsonl.zst");
    entry.line = static_cast<uint32_t>(n);
    entry.text_hash = 0x1000u + static_cast<uint32_t>(n);
    alcor::dedup::DocId doc = three.AddDoc(entry);
    three.ids.Insert(alcor::dedup::IdKey("seed-" + std::to_string(n)), doc);
    three.urls.Insert(alcor::dedup::UrlKey("https://example.org/p" + std::to_string(n)), doc);
    three.texts.Insert(0xabc0ull + static_cast<uint64_t>(n), doc);
    for (uint32_t band = 0; band < 8; ++band) three.bands.Insert(band * 977u + static_cast<uint32_t>(n), doc);
  }
  if (three.Save(env, index_path).ok()) Seed("dedup_index", "three_docs", ReadAll(index_path));
  fs::remove_all(scratch);

  // Small texts of the network formats.
  Seed("robots", "robots.txt",
       "User-agent: *\nDisallow: /private/\nAllow: /private/ok$\nCrawl-delay: 2\n\nUser-agent: alcor\n"
       "Disallow: /*.pdf$\nDisallow: /search?\nSitemap: https://example.org/sitemap.xml\n");
  Seed("sitemap", "urlset.xml",
       "<?xml version=\"1.0\" encoding=\"UTF-8\"?><urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"
       "<url><loc>https://example.org/a</loc><lastmod>2024-01-02</lastmod></url><url><loc>/b</loc></url></urlset>");
  Seed("sitemap", "index.xml",
       "<?xml version=\"1.0\"?><sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"
       "<sitemap><loc>https://example.org/s1.xml.gz</loc><lastmod>2024-01-02T03:04:05+01:00</lastmod></sitemap>"
       "</sitemapindex>");
  Seed("semantic_scholar", "references.json",
       R"({"offset":0,"next":2,"data":[{"citedPaper":{"paperId":"p1","title":"T","externalIds":{"ArXiv":"2101.00001","DOI":"10.48550/arXiv.2101.00002"}}},{"citedPaper":{"paperId":null}}]})");
  Seed("semantic_scholar", "error.json", R"({"error":"Requested offset exceeds limit","message":"x"})");
  Seed("eprint", "paper.tex",
       "\\documentclass{article}\\begin{document}See arXiv:2101.00001 and hep-th/9901001v2.\\end{document}\n");
  return 0;
}
