// ArxivSite (arxiv_site.hpp): arXiv's query API, abs/html/pdf/e-print, emulated from data.
#include "alcor_testing/emulators/arxiv_site.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <optional>
#include <map>
#include <mutex>

#include <nlohmann/json.hpp>

#include "alcor/arxiv.hpp"
#include "alcor/env.hpp"
#include "alcor/strings.hpp"

namespace alcor::testing {

struct ArxivSite::State {
  std::mutex mu;
  std::vector<ArxivPaper> papers;  // guarded by mu
  int empty_pages = 0;             // guarded by mu
};

namespace {

using json = nlohmann::json;

// "2024-01-02T03:04:05Z" → "202401020304" (the API's date range form).
std::string CompactDateTime(const std::string& rfc3339) {
  std::string out;
  for (char c : rfc3339.substr(0, 16))
    if (std::isdigit(static_cast<unsigned char>(c))) out.push_back(c);
  return out;
}

const std::string& UpdatedOf(const ArxivPaper& p) { return p.updated.empty() ? p.published : p.updated; }

// ---- search_query evaluation ----

class QueryMatcher {
 public:
  explicit QueryMatcher(std::string query) : q_(std::move(query)) {}

  // Parses the whole query; false (with error()) when malformed.
  bool Parse() {
    pos_ = 0;
    bool ok = ParseExpr(0, &root_);
    SkipSpace();
    if (ok && pos_ != q_.size()) ok = Fail("unexpected text at " + std::to_string(pos_));
    return ok;
  }
  const std::string& error() const { return error_; }
  bool Matches(const ArxivPaper& p) const { return Eval(root_, p); }

 private:
  struct Node {
    std::string op;  // "AND", "OR", "ANDNOT", or "" for a term
    std::string field, value;
    std::vector<Node> kids;
  };

  bool Fail(std::string why) {
    if (error_.empty()) error_ = std::move(why);
    return false;
  }
  void SkipSpace() {
    while (pos_ < q_.size() && q_[pos_] == ' ') ++pos_;
  }
  bool Keyword(const char* word) {
    SkipSpace();
    size_t n = std::strlen(word);
    if (q_.compare(pos_, n, word) == 0 && (pos_ + n == q_.size() || q_[pos_ + n] == ' ' || q_[pos_ + n] == '(')) {
      pos_ += n;
      return true;
    }
    return false;
  }
  bool ParseExpr(int depth, Node* out) {
    if (depth > 40) return Fail("too deeply nested");
    Node left;
    if (!ParseTerm(depth, &left)) return false;
    while (true) {
      SkipSpace();
      if (pos_ >= q_.size() || q_[pos_] == ')') break;
      std::string op = Keyword("ANDNOT") ? "ANDNOT" : Keyword("AND") ? "AND" : Keyword("OR") ? "OR" : "AND";
      Node right;
      if (!ParseTerm(depth, &right)) return false;
      Node combined;
      combined.op = op;
      combined.kids = {std::move(left), std::move(right)};
      left = std::move(combined);
    }
    *out = std::move(left);
    return true;
  }
  bool ParseTerm(int depth, Node* out) {
    SkipSpace();
    if (pos_ >= q_.size()) return Fail("a term is missing");
    if (q_[pos_] == '(') {
      ++pos_;
      if (!ParseExpr(depth + 1, out)) return false;
      SkipSpace();
      if (pos_ >= q_.size() || q_[pos_] != ')') return Fail("unbalanced parenthesis");
      ++pos_;
      return true;
    }
    size_t colon = q_.find(':', pos_);
    size_t space = q_.find_first_of(" ()", pos_);
    std::string field = "all";
    if (colon != std::string::npos && (space == std::string::npos || colon < space)) {
      field = q_.substr(pos_, colon - pos_);
      pos_ = colon + 1;
    }
    std::string value;
    if (pos_ < q_.size() && q_[pos_] == '"') {
      size_t close = q_.find('"', pos_ + 1);
      if (close == std::string::npos) return Fail("unbalanced quote");
      value = q_.substr(pos_ + 1, close - pos_ - 1);
      pos_ = close + 1;
    } else if (pos_ < q_.size() && q_[pos_] == '[') {
      size_t close = q_.find(']', pos_);
      if (close == std::string::npos) return Fail("unbalanced bracket");
      value = q_.substr(pos_, close - pos_ + 1);
      pos_ = close + 1;
    } else {
      size_t end = q_.find_first_of(" ()", pos_);
      value = q_.substr(pos_, end == std::string::npos ? std::string::npos : end - pos_);
      pos_ = end == std::string::npos ? q_.size() : end;
    }
    static const std::vector<std::string> kFields = {"all", "ti", "abs", "au", "cat", "co", "jr", "id",
                                                     "submittedDate", "lastUpdatedDate", "rn"};
    if (std::find(kFields.begin(), kFields.end(), field) == kFields.end()) return Fail("unknown field " + field);
    if (value.empty()) return Fail("empty value for " + field);
    out->field = field;
    out->value = value;
    return true;
  }
  static bool Contains(const std::string& hay, const std::string& needle) {
    return AsciiLower(hay).find(AsciiLower(needle)) != std::string::npos;
  }
  static bool InRange(const std::string& range, const std::string& date) {
    // "[202401010000 TO 202412312359]"
    size_t to = range.find(" TO ");
    if (range.size() < 2 || to == std::string::npos) return false;
    std::string from = range.substr(1, to - 1), until = range.substr(to + 4, range.size() - to - 5);
    std::string d = CompactDateTime(date);
    return d >= from.substr(0, 12) && d <= until.substr(0, 12);
  }
  bool Eval(const Node& n, const ArxivPaper& p) const {
    if (n.op == "AND") return Eval(n.kids[0], p) && Eval(n.kids[1], p);
    if (n.op == "OR") return Eval(n.kids[0], p) || Eval(n.kids[1], p);
    if (n.op == "ANDNOT") return Eval(n.kids[0], p) && !Eval(n.kids[1], p);
    std::string authors;
    for (const std::string& a : p.authors) authors += a + "\n";
    const std::string& v = n.value;
    if (n.field == "ti") return Contains(p.title, v);
    if (n.field == "abs") return Contains(p.summary, v);
    if (n.field == "au") return Contains(authors, v);
    if (n.field == "co") return Contains(p.comment, v);
    if (n.field == "jr") return Contains(p.journal_ref, v);
    if (n.field == "id") return p.id == v;
    if (n.field == "cat") {
      for (const std::string& c : p.categories) {
        if (c == v || (v.back() == '*' && c.rfind(v.substr(0, v.size() - 1), 0) == 0)) return true;
      }
      return false;
    }
    if (n.field == "submittedDate") return InRange(v, p.published);
    if (n.field == "lastUpdatedDate") return InRange(v, UpdatedOf(p));
    return Contains(p.title + "\n" + p.summary + "\n" + authors + p.comment, v);
  }

  std::string q_;
  size_t pos_ = 0;
  Node root_;
  std::string error_;
};

// ---- Atom ----

std::string FeedHead(const std::string& title, size_t total, size_t start, size_t per_page) {
  return "<?xml version='1.0' encoding='UTF-8'?>\n"
         "<feed xmlns:opensearch=\"http://a9.com/-/spec/opensearch/1.1/\" "
         "xmlns:arxiv=\"http://arxiv.org/schemas/atom\" xmlns=\"http://www.w3.org/2005/Atom\">\n"
         "  <id>https://arxiv.org/api/emulated</id>\n"
         "  <title>" + XmlEscape(title) + "</title>\n"
         "  <updated>2025-01-01T00:00:00Z</updated>\n"
         "  <opensearch:itemsPerPage>" + std::to_string(per_page) + "</opensearch:itemsPerPage>\n"
         "  <opensearch:totalResults>" + std::to_string(total) + "</opensearch:totalResults>\n"
         "  <opensearch:startIndex>" + std::to_string(start) + "</opensearch:startIndex>\n";
}

std::string EntryXml(const ArxivPaper& p, int version) {
  std::string v = p.id + "v" + std::to_string(version);
  std::string out = "  <entry>\n    <id>http://arxiv.org/abs/" + v + "</id>\n";
  // Titles and abstracts come folded over lines, as the real API sends them.
  std::string title = p.title;
  if (title.size() > 40) {
    size_t sp = title.find(' ', 30);
    if (sp != std::string::npos) title = title.substr(0, sp) + "\n  " + title.substr(sp + 1);
  }
  out += "    <title>" + XmlEscape(title) + "</title>\n";
  out += "    <updated>" + UpdatedOf(p) + "</updated>\n";
  out += "    <link href=\"https://arxiv.org/abs/" + v + "\" rel=\"alternate\" type=\"text/html\"/>\n";
  out += "    <link href=\"https://arxiv.org/pdf/" + v + "\" rel=\"related\" type=\"application/pdf\" title=\"pdf\"/>\n";
  std::string summary = p.summary;
  for (size_t at = 70; at < summary.size(); at += 70) {
    size_t sp = summary.find(' ', at);
    if (sp == std::string::npos) break;
    summary[sp] = '\n';
    at = sp;
  }
  out += "    <summary>" + XmlEscape(summary) + "</summary>\n";
  for (const std::string& c : p.categories) {
    out += "    <category term=\"" + XmlEscape(c) + "\" scheme=\"http://arxiv.org/schemas/atom\"/>\n";
  }
  out += "    <published>" + p.published + "</published>\n";
  if (!p.comment.empty()) out += "    <arxiv:comment>" + XmlEscape(p.comment) + "</arxiv:comment>\n";
  if (!p.categories.empty()) out += "    <arxiv:primary_category term=\"" + XmlEscape(p.categories.front()) + "\"/>\n";
  if (!p.journal_ref.empty()) out += "    <arxiv:journal_ref>" + XmlEscape(p.journal_ref) + "</arxiv:journal_ref>\n";
  for (size_t i = 0; i < p.authors.size(); ++i) {
    out += "    <author>\n      <name>" + XmlEscape(p.authors[i]) + "</name>\n";
    if (i < p.affiliations.size()) {
      for (const std::string& a : p.affiliations[i]) out += "      <arxiv:affiliation>" + XmlEscape(a) + "</arxiv:affiliation>\n";
    }
    out += "    </author>\n";
  }
  if (!p.doi.empty()) {
    out += "    <arxiv:doi>" + XmlEscape(p.doi) + "</arxiv:doi>\n";
    out += "    <link rel=\"related\" href=\"https://doi.org/" + XmlEscape(p.doi) + "\" title=\"doi\"/>\n";
  }
  out += "  </entry>\n";
  return out;
}

Reply AtomReply(std::string body, int status = 200) {
  Reply r = Reply::Text(std::move(body), "application/atom+xml; charset=utf-8");
  r.status = status;
  return r;
}

Reply ErrorFeed(const std::string& message) {
  std::string anchor = message;
  std::replace(anchor.begin(), anchor.end(), ' ', '_');
  std::string body = FeedHead("arXiv Search Results", 1, 0, 1) +
                     "  <entry>\n    <id>https://arxiv.org/api/errors#" + XmlEscape(anchor) + "</id>\n"
                     "    <title>Error</title>\n    <updated>2025-01-01T00:00:00Z</updated>\n"
                     "    <link href=\"https://arxiv.org/api/errors#" + XmlEscape(anchor) +
                     "\" rel=\"alternate\" type=\"text/html\"/>\n"
                     "    <summary>" + XmlEscape(message) + "</summary>\n"
                     "    <author>\n      <name>arXiv api core</name>\n    </author>\n  </entry>\n</feed>\n";
  return AtomReply(std::move(body), 400);
}

bool ParseCount(const std::string& text, long* out) {
  if (text.empty() || text.size() > 9) return false;
  for (char c : text)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  *out = std::stol(text);
  return true;
}

Reply ApiAnswer(ArxivSite::State* state, const ServerRequest& request) {
  std::map<std::string, std::string> params = ParseQueryString(request.query);
  long start = 0, max_results = 10;
  if (params.count("start") && !ParseCount(params["start"], &start)) {
    return ErrorFeed("start must be an integer");
  }
  if (params.count("max_results") && !ParseCount(params["max_results"], &max_results)) {
    return ErrorFeed("max_results must be an integer");
  }
  if (max_results > 30000) return ErrorFeed("max_results must be less than 30000");
  std::vector<ArxivPaper> papers;
  {
    std::lock_guard<std::mutex> lock(state->mu);
    papers = state->papers;
  }
  std::vector<std::pair<const ArxivPaper*, int>> hits;  // paper, version shown
  std::string search = params.count("search_query") ? params["search_query"] : "";
  std::string id_list = params.count("id_list") ? params["id_list"] : "";
  std::optional<QueryMatcher> matcher;
  if (!search.empty()) {
    matcher.emplace(search);
    if (!matcher->Parse()) return ErrorFeed("malformed search_query: " + matcher->error());
  }
  if (!id_list.empty()) {
    size_t pos = 0;
    while (pos <= id_list.size()) {
      size_t comma = id_list.find(',', pos);
      std::string item = id_list.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
      pos = comma == std::string::npos ? id_list.size() + 1 : comma + 1;
      if (item.empty()) continue;
      Result<ArxivId> id = ParseArxivId(item);
      // The API takes bare ids only (no "arXiv:" prefix, no URL).
      if (!id.ok() || item.find(':') != std::string::npos) return ErrorFeed("incorrect id format for " + item);
      for (const ArxivPaper& p : papers) {
        if (p.id != id->id) continue;
        if (id->version > p.version) break;  // that version does not exist: dropped
        if (matcher && !matcher->Matches(p)) break;
        hits.emplace_back(&p, id->version > 0 ? id->version : p.version);
        break;
      }
    }
  } else if (matcher) {
    for (const ArxivPaper& p : papers)
      if (matcher->Matches(p)) hits.emplace_back(&p, p.version);
    std::string sort_by = params.count("sortBy") ? params["sortBy"] : "relevance";
    bool ascending = params.count("sortOrder") && params["sortOrder"] == "ascending";
    if (sort_by == "lastUpdatedDate" || sort_by == "submittedDate") {
      std::stable_sort(hits.begin(), hits.end(), [&](const auto& a, const auto& b) {
        const std::string& x = sort_by == "submittedDate" ? a.first->published : UpdatedOf(*a.first);
        const std::string& y = sort_by == "submittedDate" ? b.first->published : UpdatedOf(*b.first);
        return ascending ? x < y : x > y;
      });
    }
  }
  size_t total = hits.size();
  size_t first = std::min<size_t>(static_cast<size_t>(start), total);
  size_t last = std::min<size_t>(first + static_cast<size_t>(max_results), total);
  bool spurious = false;
  if (last > first) {
    std::lock_guard<std::mutex> lock(state->mu);
    if (state->empty_pages > 0) {
      --state->empty_pages;
      spurious = true;
    }
  }
  std::string body = FeedHead("arXiv Query: search_query=" + search + "&id_list=" + id_list, total, first,
                              static_cast<size_t>(max_results));
  if (!spurious) {
    for (size_t i = first; i < last; ++i) body += EntryXml(*hits[i].first, hits[i].second);
  }
  body += "</feed>\n";
  return AtomReply(std::move(body));
}

// The paper and version named by the rest of a path ("2401.00001v2", "hep-th/9901001").
const ArxivPaper* Find(const std::vector<ArxivPaper>& papers, std::string_view rest, int* version) {
  std::string decoded = PercentDecode(rest, false);
  if (decoded.size() > 4 && decoded.compare(decoded.size() - 4, 4, ".pdf") == 0) decoded.resize(decoded.size() - 4);
  Result<ArxivId> id = ParseArxivId(decoded);
  if (!id.ok()) return nullptr;
  for (const ArxivPaper& p : papers) {
    if (p.id != id->id) continue;
    if (id->version > p.version) return nullptr;
    *version = id->version > 0 ? id->version : p.version;
    return &p;
  }
  return nullptr;
}

Reply NotFound() { return Reply::Status(404, "<html><body><h1>Not Found</h1></body></html>").WithHeader("Content-Type", "text/html"); }

std::string HtmlPage(const ArxivPaper& p, int version) {
  return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + XmlEscape(p.title) +
         "</title>\n</head>\n<body>\n"
         "<header class=\"desktop_header\"><a href=\"https://arxiv.org/\">arXiv</a> "
         "<nav><a href=\"/abs/" + p.id + "\">Back to abstract page</a> <a href=\"#\">Report issue</a></nav></header>\n"
         "<div class=\"ltx_page_main\">\n<div class=\"ltx_page_content\">\n"
         "<article class=\"ltx_document ltx_authors_1line\">\n" + p.html +
         "\n</article>\n</div>\n"
         "<footer class=\"ltx_page_footer\"><div class=\"ltx_page_logo\">Generated by LaTeXML for arXiv:" + p.id + "v" +
         std::to_string(version) + "</div></footer>\n</div>\n</body>\n</html>\n";
}

// "Ada Quill" → "Quill, Ada" (the citation_author form).
std::string LastFirst(const std::string& name) {
  size_t sp = name.rfind(' ');
  if (sp == std::string::npos) return name;
  return name.substr(sp + 1) + ", " + name.substr(0, sp);
}

// "2024-01-02T..." → "2024/01/02".
std::string SlashDate(const std::string& rfc3339) {
  if (rfc3339.size() < 10) return "";
  std::string d = rfc3339.substr(0, 10);
  std::replace(d.begin(), d.end(), '-', '/');
  return d;
}

std::string AbsPage(const ArxivPaper& p, int version) {
  std::string authors;
  for (const std::string& a : p.authors) authors += (authors.empty() ? "" : ", ") + XmlEscape(a);
  std::string meta;
  if (!p.abs_without_meta) {
    auto tag = [&](const std::string& name, const std::string& value) {
      meta += "<meta name=\"" + name + "\" content=\"" + XmlEscape(value) + "\" />\n";
    };
    tag("citation_title", CollapseWhitespace(p.title));
    for (const std::string& a : p.authors) tag("citation_author", LastFirst(a));
    tag("citation_date", SlashDate(p.published));
    tag("citation_online_date", SlashDate(UpdatedOf(p)));
    tag("citation_pdf_url", "https://arxiv.org/pdf/" + p.id);
    tag("citation_arxiv_id", p.id);
    tag("citation_abstract", p.summary);
  }
  std::string history;
  for (int v = 1; v <= p.version; ++v) {
    history += "<strong><a href=\"/abs/" + p.id + "v" + std::to_string(v) + "\" rel=\"nofollow\">[v" +
               std::to_string(v) + "]</a></strong> " + (v == p.version ? UpdatedOf(p) : p.published) +
               " (123 KB)<br/>\n";
  }
  std::string comments = p.comment.empty() ? "" :
      "<tr><td class=\"tablecell label\">Comments:</td>\n<td class=\"tablecell comments mathjax\">" +
      XmlEscape(p.comment) + "</td></tr>\n";
  return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>[" + p.id + "] " +
         XmlEscape(p.title) + "</title>\n" + meta + "</head><body><div id=\"abs\"><h1 class=\"title\">" +
         XmlEscape(p.title) + "</h1>\n<div class=\"authors\">" + authors +
         "</div>\n<blockquote class=\"abstract\">" + XmlEscape(p.summary) +
         "</blockquote>\n<div class=\"metatable\"><table summary=\"Additional metadata\">\n" + comments +
         "</table></div>\n<div class=\"dateline\">[v" + std::to_string(version) + "] " + p.published +
         "</div></div>\n<div class=\"submission-history\"><h2>Submission history</h2> From: " +
         (p.authors.empty() ? std::string("unknown") : XmlEscape(p.authors.front())) + "<br/>\n" + history +
         "</div></body></html>\n";
}

// PDF string literal: parentheses and backslashes escaped, non-ASCII replaced.
std::string PdfString(std::string_view s) {
  std::string out = "(";
  for (unsigned char c : s) {
    if (c == '(' || c == ')' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c < 0x20 || c > 0x7e) {
      if ((c & 0xC0) != 0x80) out.push_back('?');  // one '?' per UTF-8 character
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out + ")";
}

std::vector<std::string> WrapLines(const std::string& text, size_t width) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    std::string para = text.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    start = nl == std::string::npos ? text.size() + 1 : nl + 1;
    if (para.empty()) {
      lines.emplace_back();
      continue;
    }
    std::string line;
    size_t pos = 0;
    while (pos < para.size()) {
      size_t sp = para.find(' ', pos);
      std::string word = para.substr(pos, sp == std::string::npos ? std::string::npos : sp - pos);
      pos = sp == std::string::npos ? para.size() : sp + 1;
      if (!line.empty() && line.size() + 1 + word.size() > width) {
        lines.push_back(line);
        line.clear();
      }
      line += (line.empty() ? "" : " ") + word;
    }
    lines.push_back(line);
  }
  return lines;
}

struct ArchiveWriter {
  struct archive* a = archive_write_new();
  ~ArchiveWriter() { archive_write_free(a); }
};

std::string WriteArchive(const std::vector<std::pair<std::string, std::string>>& files, bool raw) {
  ArchiveWriter w;
  if (raw) {
    archive_write_set_format_raw(w.a);
  } else {
    archive_write_set_format_ustar(w.a);
  }
  archive_write_add_filter_gzip(w.a);
  size_t capacity = 4096;
  for (const auto& f : files) capacity += f.second.size() + 1024;
  capacity = capacity * 2;
  std::string buffer(capacity, '\0');
  size_t used = 0;
  archive_write_open_memory(w.a, buffer.data(), buffer.size(), &used);
  for (const auto& [name, content] : files) {
    struct archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, name.c_str());
    archive_entry_set_size(e, static_cast<la_int64_t>(content.size()));
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_mtime(e, 1700000000, 0);
    archive_write_header(w.a, e);
    archive_write_data(w.a, content.data(), content.size());
    archive_entry_free(e);
    if (raw) break;
  }
  archive_write_close(w.a);
  buffer.resize(used);
  return buffer;
}

Result<ArxivPaper> PaperFromJson(const json& j, const std::string& dir, const std::string& where) {
  if (!j.is_object()) return Status::InvalidArgument(where + ": not an object");
  ArxivPaper p;
  try {
    p.id = j.at("id").get<std::string>();
    p.version = j.value("version", 1);
    p.title = j.value("title", "");
    p.summary = j.value("summary", "");
    p.authors = j.value("authors", std::vector<std::string>());
    p.affiliations = j.value("affiliations", std::vector<std::vector<std::string>>());
    p.categories = j.value("categories", std::vector<std::string>());
    p.published = j.value("published", "");
    p.updated = j.value("updated", "");
    p.doi = j.value("doi", "");
    p.journal_ref = j.value("journal_ref", "");
    p.comment = j.value("comment", "");
    p.withdrawn = j.value("withdrawn", false);
    p.html = j.value("html", "");
    if (j.contains("html_file")) {
      Status s = ReadFileToString(Env::Default(), JoinPath(dir, j["html_file"].get<std::string>()), &p.html);
      if (!s.ok()) return s.WithContext(where);
    }
    p.pdf_pages = j.value("pdf_pages", std::vector<std::string>());
    if (j.contains("eprint_files")) {
      for (const auto& [name, content] : j["eprint_files"].items()) p.eprint_files.emplace_back(name, content.get<std::string>());
    }
    p.eprint_single_file = j.value("eprint_single_file", false);
    p.abs_without_meta = j.value("abs_without_meta", false);
  } catch (const json::exception& e) {
    return Status::InvalidArgument(where + ": " + e.what());
  }
  if (!ParseArxivId(p.id).ok()) return Status::InvalidArgument(where + ": bad id " + p.id);
  return p;
}

}  // namespace

ArxivSite::ArxivSite() : state_(std::make_shared<State>()) {}

ArxivSite::ArxivSite(std::vector<ArxivPaper> papers) : ArxivSite() {
  for (ArxivPaper& p : papers) Put(std::move(p));
}

Result<ArxivSite> ArxivSite::Load(const std::string& dir) {
  std::string path = JoinPath(dir, "papers.json");
  std::string text;
  Status s = ReadFileToString(Env::Default(), path, &text);
  if (!s.ok()) return s;
  json j = json::parse(text, nullptr, false);
  if (!j.is_array()) return Status::InvalidArgument(path + ": must be a JSON array of papers");
  ArxivSite site;
  for (size_t i = 0; i < j.size(); ++i) {
    Result<ArxivPaper> p = PaperFromJson(j[i], dir, path + "[" + std::to_string(i) + "]");
    if (!p.ok()) return p.status();
    site.Put(std::move(p.value()));
  }
  return site;
}

void ArxivSite::Put(ArxivPaper paper) {
  std::lock_guard<std::mutex> lock(state_->mu);
  for (ArxivPaper& p : state_->papers) {
    if (p.id == paper.id) {
      p = std::move(paper);
      return;
    }
  }
  state_->papers.push_back(std::move(paper));
}

void ArxivSite::InjectEmptyPages(int n) {
  std::lock_guard<std::mutex> lock(state_->mu);
  state_->empty_pages = n;
}

std::vector<ArxivPaper> ArxivSite::Papers() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->papers;
}

std::string ArxivSite::ApiHostRobots() { return "User-agent: *\nDisallow: /\n"; }

std::string ArxivSite::SiteRobots(double crawl_delay_s) {
  char delay[32];
  std::snprintf(delay, sizeof delay, "%g", crawl_delay_s);
  return std::string("# robots.txt of the emulated arXiv site\n\nUser-agent: *\nCrawl-delay: ") + delay +
         "\nDisallow: /api\nDisallow: /e-print\nDisallow: /src\nDisallow: /search\n";
}

void ArxivSite::InstallLive(TestServer* api_host, TestServer* site_host, double crawl_delay_s) const {
  InstallApi(api_host, "");
  api_host->ServeRobots(ApiHostRobots());
  InstallPages(site_host, "");
  site_host->ServeRobots(SiteRobots(crawl_delay_s));
}

void ArxivSite::Install(TestServer* server, const std::string& prefix) const {
  InstallApi(server, prefix);
  InstallPages(server, prefix);
}

void ArxivSite::InstallApi(TestServer* server, const std::string& prefix) const {
  std::shared_ptr<State> state = state_;
  server->RouteHandler(prefix + "/api/query", [state](const ServerRequest& r) { return ApiAnswer(state.get(), r); });
}

void ArxivSite::InstallPages(TestServer* server, const std::string& prefix) const {
  std::shared_ptr<State> state = state_;
  auto snapshot = [state]() {
    std::lock_guard<std::mutex> lock(state->mu);
    return state->papers;
  };
  auto rest_of = [](const ServerRequest& r, const std::string& p) { return r.path.substr(p.size()); };
  std::string abs = prefix + "/abs/", html = prefix + "/html/", pdf = prefix + "/pdf/", eprint = prefix + "/e-print/";
  server->RoutePrefix(abs, [=](const ServerRequest& r) {
    std::vector<ArxivPaper> papers = snapshot();
    int v = 0;
    const ArxivPaper* p = Find(papers, rest_of(r, abs), &v);
    if (!p) return NotFound();
    return Reply::Text(AbsPage(*p, v), "text/html; charset=utf-8");
  });
  server->RoutePrefix(html, [=](const ServerRequest& r) {
    std::vector<ArxivPaper> papers = snapshot();
    int v = 0;
    std::string rest = rest_of(r, html);
    while (!rest.empty() && rest.back() == '/') rest.pop_back();
    const ArxivPaper* p = Find(papers, rest, &v);
    if (!p || p->html.empty() || (p->withdrawn && v == p->version)) return NotFound();
    return Reply::Text(HtmlPage(*p, v), "text/html; charset=utf-8");
  });
  server->RoutePrefix(pdf, [=](const ServerRequest& r) {
    std::vector<ArxivPaper> papers = snapshot();
    int v = 0;
    const ArxivPaper* p = Find(papers, rest_of(r, pdf), &v);
    if (!p || p->pdf_pages.empty() || (p->withdrawn && v == p->version)) return NotFound();
    std::string first_author = p->authors.empty() ? "" : p->authors.front();
    return Reply::Text(MakePdf(p->pdf_pages, p->title, first_author, "Preprint. arXiv:" + p->id + "v" + std::to_string(v)),
                       "application/pdf");
  });
  server->RoutePrefix(eprint, [=](const ServerRequest& r) {
    std::vector<ArxivPaper> papers = snapshot();
    int v = 0;
    const ArxivPaper* p = Find(papers, rest_of(r, eprint), &v);
    if (!p || p->eprint_files.empty()) return NotFound();
    std::string body = p->eprint_single_file ? MakeGzip(p->eprint_files.front().second) : MakeTarGz(p->eprint_files);
    Reply reply = Reply::Text(std::move(body), p->eprint_single_file ? "application/x-eprint" : "application/x-eprint-tar");
    reply.WithHeader("Content-Encoding", "x-gzip");
    return reply;
  });
}

std::string ArxivSite::MakeAbsPage(const ArxivPaper& paper, int version) { return AbsPage(paper, version); }

std::string ArxivSite::MakeTarGz(const std::vector<std::pair<std::string, std::string>>& files) {
  return WriteArchive(files, false);
}

std::string ArxivSite::MakeGzip(const std::string& content) { return WriteArchive({{"data", content}}, true); }

std::string ArxivSite::MakePdf(const std::vector<std::string>& pages, const std::string& title,
                               const std::string& author, const std::string& running_header) {
  // Objects: 1 catalog, 2 pages, 3 font, 4 info, then per page a page and its content stream.
  std::vector<std::string> objects(4);
  objects[2] = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>";
  objects[3] = "<< /Title " + PdfString(title) + " /Author " + PdfString(author) + " /Producer (alcor emulator) >>";
  std::string kids;
  for (size_t i = 0; i < pages.size(); ++i) {
    int page_obj = static_cast<int>(objects.size()) + 1;
    int content_obj = page_obj + 1;
    kids += std::to_string(page_obj) + " 0 R ";
    std::string stream = "BT /F1 9 Tf 72 760 Td " + PdfString(running_header) + " Tj ET\n";
    stream += "BT /F1 11 Tf 14 TL 72 720 Td\n";
    int n = 0;
    for (const std::string& line : WrapLines(pages[i], 85)) {
      if (++n > 46) break;
      stream += PdfString(line) + " Tj T*\n";
    }
    stream += "ET\nBT /F1 9 Tf 300 40 Td (" + std::to_string(i + 1) + ") Tj ET\n";
    objects.push_back("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> "
                      "/Contents " + std::to_string(content_obj) + " 0 R >>");
    objects.push_back("<< /Length " + std::to_string(stream.size()) + " >>\nstream\n" + stream + "endstream");
  }
  objects[0] = "<< /Type /Catalog /Pages 2 0 R >>";
  objects[1] = "<< /Type /Pages /Kids [" + kids + "] /Count " + std::to_string(pages.size()) + " >>";
  std::string out = "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n";
  std::vector<size_t> offsets;
  for (size_t i = 0; i < objects.size(); ++i) {
    offsets.push_back(out.size());
    out += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
  }
  size_t xref = out.size();
  out += "xref\n0 " + std::to_string(objects.size() + 1) + "\n0000000000 65535 f \n";
  for (size_t off : offsets) {
    char line[32];
    std::snprintf(line, sizeof line, "%010zu 00000 n \n", off);
    out += line;
  }
  out += "trailer\n<< /Size " + std::to_string(objects.size() + 1) + " /Root 1 0 R /Info 4 0 R >>\nstartxref\n" +
         std::to_string(xref) + "\n%%EOF\n";
  return out;
}

}  // namespace alcor::testing
