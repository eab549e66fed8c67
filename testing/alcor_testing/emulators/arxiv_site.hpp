// ArxivSite: an emulation of arXiv for tests and the offline mirror, from papers given in code or
// read from a directory (papers.json). Installed under a path prefix on a TestServer:
//
//   <prefix>/api/query   the query API: search_query (all: ti: abs: au: cat: co: jr: id:,
//                        submittedDate:[A TO B], lastUpdatedDate:[A TO B], AND OR ANDNOT and
//                        parentheses), id_list (with or without versions), start/max_results
//                        paging, sortBy/sortOrder. Like the real API: malformed ids or paging
//                        parameters answer HTTP 400 with an Atom error entry; unknown but
//                        well-formed ids are dropped silently; entry ids are
//                        http://arxiv.org/abs/IDvN.
//   <prefix>/abs/ID[vN]     the abstract page: the citation_title, citation_author ("Last,
//                           First"), citation_date, citation_online_date, citation_pdf_url and
//                           citation_abstract meta tags, the comments cell and the submission
//                           history ([v1] ... [vN]), as arxiv.org serves them
//   <prefix>/html/ID[vN]    a LaTeXML-like page around the paper's html (404 when it has none)
//   <prefix>/pdf/ID[vN]     a generated PDF of the paper's pdf_pages (404 when none)
//   <prefix>/e-print/ID[vN] its source: a gzipped tar of eprint_files, or one gzipped file,
//                           served with Content-Encoding: x-gzip as arXiv does
//
// Like the live service, InstallLive puts the API on a host of its own whose robots.txt is
// "Disallow: /" (export.arxiv.org) and the pages on the site host, whose robots.txt has a
// Crawl-delay and disallows /api, /e-print, /src and /search (arxiv.org); the routes of the
// disallowed paths still answer, so a test sees any request a client should not have made.
//
// Faults: InjectEmptyPages(n) makes the next n API answers that have entries come back empty
// (the real API's spurious empty pages). Thread safe: handlers may run concurrently; the site's
// data is shared with the installed routes, so the routes stay valid after the ArxivSite object
// is destroyed.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "alcor/status.hpp"
#include "alcor_testing/test_server.hpp"

namespace alcor::testing {

struct ArxivPaper {
  std::string id;    // "2203.02155" or "hep-th/9901001" (no version)
  int version = 1;   // the latest version; /html/IDvK and /pdf/IDvK answer for K <= version
  std::string title;
  std::string summary;
  std::vector<std::string> authors;
  std::vector<std::vector<std::string>> affiliations;  // per author, optional
  std::vector<std::string> categories;                 // the first is the primary category
  std::string published;  // RFC 3339 ("2024-01-02T03:04:05Z")
  std::string updated;    // "" means published
  std::string doi, journal_ref, comment;
  // The latest version is withdrawn: no html, no pdf (set comment to arXiv's notice).
  bool withdrawn = false;
  // Inner HTML of the <article class="ltx_document"> (title, sections, MathML with alttext,
  // bibliography); "" → /html/ answers 404.
  std::string html;
  // Text of each PDF page (paragraphs separated by blank lines); empty → /pdf/ answers 404.
  std::vector<std::string> pdf_pages;
  // Source files of the e-print (name, content). With eprint_single_file, the first file alone
  // is served gzipped (a one-file TeX submission). Empty → /e-print/ answers 404.
  std::vector<std::pair<std::string, std::string>> eprint_files;
  bool eprint_single_file = false;
  // The abs page has none of the citation_* meta tags (a page layout change).
  bool abs_without_meta = false;
};

class ArxivSite {
 public:
  ArxivSite();
  explicit ArxivSite(std::vector<ArxivPaper> papers);

  // Reads <dir>/papers.json: an array of objects with the fields of ArxivPaper (same names;
  // "html_file" may name a file relative to dir instead of "html"; "eprint_files" is an object
  // of name → content). InvalidArgument naming the file and entry when malformed.
  static Result<ArxivSite> Load(const std::string& dir);

  // Adds or replaces (same id) a paper; visible to installed routes at once.
  void Put(ArxivPaper paper);
  void InjectEmptyPages(int n);

  // Installs the routes above on server under prefix ("" or "/arxiv").
  void Install(TestServer* server, const std::string& prefix) const;
  // The live layout: <api_host>/api/query with ApiHostRobots(), the pages at the root of
  // site_host with SiteRobots(crawl_delay_s).
  void InstallLive(TestServer* api_host, TestServer* site_host, double crawl_delay_s) const;
  // robots.txt of the API host (export.arxiv.org): everything disallowed.
  static std::string ApiHostRobots();
  // robots.txt of the site (arxiv.org): Crawl-delay, /api /e-print /src /search disallowed.
  static std::string SiteRobots(double crawl_delay_s);

  // The papers as they are now.
  std::vector<ArxivPaper> Papers() const;

  // Builders, public for tests.
  // A small valid PDF: one page per element, Helvetica text, a running header and a page number
  // footer on every page, Title and Author in the information dictionary.
  static std::string MakePdf(const std::vector<std::string>& pages, const std::string& title,
                             const std::string& author, const std::string& running_header);
  // The abs page of paper at version (what <prefix>/abs/ID answers).
  static std::string MakeAbsPage(const ArxivPaper& paper, int version);
  // A gzipped ustar archive of files (names written as given, even unsafe ones).
  static std::string MakeTarGz(const std::vector<std::pair<std::string, std::string>>& files);
  // One gzipped file.
  static std::string MakeGzip(const std::string& content);

  struct State;  // shared with the routes

 private:
  void InstallApi(TestServer* server, const std::string& prefix) const;
  void InstallPages(TestServer* server, const std::string& prefix) const;

  std::shared_ptr<State> state_;
};

}  // namespace alcor::testing
