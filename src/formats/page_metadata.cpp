#include "formats/page_metadata.hpp"

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

#include "alcor/dates.hpp"
#include "alcor/json.hpp"
#include "alcor/strings.hpp"
#include "alcor/url.hpp"

namespace alcor::text {
namespace {

std::optional<std::string> ToUtcDate(std::string_view raw) {
  std::string s = CollapseWhitespace(raw);
  if (s.empty()) return std::nullopt;
  if (auto d = NormalizeDateToUtc(s)) return d;
  // "2020/01/02" and "20200102" (citation_* and some CMS meta tags).
  std::string digits;
  for (char c : s) {
    if (std::isdigit(static_cast<unsigned char>(c))) digits += c;
    else if (c == '/' || c == '-' || c == '.') continue;
    else break;
  }
  if (digits.size() == 8) {
    std::string iso = digits.substr(0, 4) + "-" + digits.substr(4, 2) + "-" + digits.substr(6, 2);
    if (auto d = NormalizeDateToUtc(iso)) return d;
  }
  return std::nullopt;
}

bool IsArticleType(const std::string& type) {
  static const char* const kTypes[] = {"article",        "newsarticle",        "blogposting",
                                       "scholarlyarticle", "techarticle",       "report",
                                       "reportagenewsarticle", "analysisnewsarticle", "opinionnewsarticle",
                                       "livebloggposting", "liveblogposting",   "socialmediaposting",
                                       "backgroundnewsarticle", "reviewnewsarticle", "review",
                                       "creativework",   "discussionforumposting", "posting", "medicalwebpage",
                                       "qapage",         "howto",              "recipe"};
  std::string t = AsciiLower(type);
  for (const char* k : kTypes)
    if (t == k) return true;
  return false;
}

std::vector<std::string> TypesOf(const nlohmann::json& j) {
  std::vector<std::string> out;
  if (!j.is_object()) return out;
  auto it = j.find("@type");
  if (it == j.end()) return out;
  if (it->is_string()) out.push_back(it->get<std::string>());
  if (it->is_array())
    for (const auto& t : *it)
      if (t.is_string()) out.push_back(t.get<std::string>());
  return out;
}

std::string StringOf(const nlohmann::json& j) {
  if (j.is_string()) return CollapseWhitespace(j.get<std::string>());
  if (j.is_object()) {
    for (const char* k : {"name", "@value", "headline"}) {
      auto it = j.find(k);
      if (it != j.end() && it->is_string()) return CollapseWhitespace(it->get<std::string>());
    }
  }
  if (j.is_array() && !j.empty()) return StringOf(j[0]);
  return "";
}

bool LooksLikeUrl(std::string_view s) {
  return IsHttpUrl(s) || s.rfind("//", 0) == 0 ||
         (s.find('/') != std::string_view::npos && s.find(' ') == std::string_view::npos);
}

void AddAuthors(const nlohmann::json& j, std::vector<std::string>* out) {
  if (j.is_array()) {
    for (const auto& a : j) AddAuthors(a, out);
    return;
  }
  std::string name = StringOf(j);
  if (name.empty() || LooksLikeUrl(name)) return;
  for (std::string& n : SplitAuthorNames(name))
    if (std::find(out->begin(), out->end(), n) == out->end()) out->push_back(n);
}

struct JsonLdFacts {
  std::string headline, description, date_published, date_modified, language, site_name, article_body, url;
  std::vector<std::string> authors;
  int rank = 0;  // 2: an article type, 1: a web page, 0: nothing
};

void Visit(const nlohmann::json& j, JsonLdFacts* f, int depth) {
  if (depth > 8) return;
  if (j.is_array()) {
    for (const auto& e : j) Visit(e, f, depth + 1);
    return;
  }
  if (!j.is_object()) return;
  auto graph = j.find("@graph");
  if (graph != j.end()) Visit(*graph, f, depth + 1);
  int rank = 0;
  for (const std::string& t : TypesOf(j)) {
    if (IsArticleType(t)) rank = std::max(rank, 2);
    std::string lt = AsciiLower(t);
    if (lt == "webpage" || lt == "itempage" || lt == "aboutpage") rank = std::max(rank, 1);
  }
  if (rank == 0) return;
  // The best-ranked object fills facts; a lower-ranked one fills only what is missing.
  bool better = rank > f->rank;
  auto take = [&](const char* key, std::string* field) {
    auto it = j.find(key);
    if (it == j.end()) return;
    std::string v = StringOf(*it);
    if (!v.empty() && (better || field->empty())) *field = v;
  };
  take("headline", &f->headline);
  if (f->headline.empty() || better) take("name", &f->headline);
  take("description", &f->description);
  take("datePublished", &f->date_published);
  if (f->date_published.empty()) take("dateCreated", &f->date_published);
  take("dateModified", &f->date_modified);
  take("inLanguage", &f->language);
  take("url", &f->url);
  auto body = j.find("articleBody");
  if (body != j.end() && body->is_string() && (better || f->article_body.empty()))
    f->article_body = body->get<std::string>();
  auto pub = j.find("publisher");
  if (pub != j.end() && (better || f->site_name.empty())) {
    std::string n = StringOf(*pub);
    if (!n.empty()) f->site_name = n;
  }
  auto author = j.find("author");
  if (author == j.end()) author = j.find("creator");
  if (author != j.end() && (better || f->authors.empty())) {
    std::vector<std::string> names;
    AddAuthors(*author, &names);
    if (!names.empty()) f->authors = names;
  }
  if (better) f->rank = rank;
}

}  // namespace

std::vector<std::string> SplitAuthorNames(std::string_view raw) {
  std::string s = CollapseWhitespace(raw);
  if (s.size() > 3 && AsciiLower(s.substr(0, 3)) == "by ") s = s.substr(3);
  std::vector<std::string> parts;
  // Unambiguous separators first.
  std::string normalized;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == ';' || s[i] == '|' || s[i] == '&') {
      normalized += '\x1F';
    } else if (AsciiLower(std::string_view(s).substr(i, 5)) == " and ") {
      normalized += '\x1F';
      i += 4;
    } else {
      normalized += s[i];
    }
  }
  auto split = [](const std::string& str, char sep) {
    std::vector<std::string> r;
    size_t i = 0;
    while (i <= str.size()) {
      size_t j = str.find(sep, i);
      if (j == std::string::npos) j = str.size();
      std::string p = CollapseWhitespace(str.substr(i, j - i));
      if (!p.empty()) r.push_back(p);
      i = j + 1;
    }
    return r;
  };
  for (const std::string& p : split(normalized, '\x1F')) {
    std::vector<std::string> comma = split(p, ',');
    bool all_full = comma.size() > 1 &&
                    std::all_of(comma.begin(), comma.end(), [](const std::string& c) { return c.find(' ') != std::string::npos; });
    if (all_full) {
      for (auto& c : comma) parts.push_back(c);
    } else {
      parts.push_back(p);
    }
  }
  return parts;
}

PageMetadata ExtractPageMetadata(const Dom& dom, const std::string& page_url) {
  PageMetadata m;
  std::string og_title, tw_title, html_title, h1, meta_author, og_url, meta_lang, og_locale;
  std::string meta_desc, og_desc, og_site;
  std::string meta_published, meta_modified, time_published;
  std::vector<std::string> rel_authors;
  bool time_marked = false;
  JsonLdFacts ld;

  for (uint32_t i = 0; i < dom.size(); ++i) {
    const DomNode& d = dom[i];
    if (d.is_text) continue;
    switch (d.tag) {
      case GUMBO_TAG_HTML:
        if (m.language.empty()) m.language = CollapseWhitespace(dom.Attr(i, "lang"));
        if (m.language.empty()) m.language = CollapseWhitespace(dom.Attr(i, "xml:lang"));
        break;
      case GUMBO_TAG_BASE:
        if (m.base_href.empty() && !dom.Attr(i, "href").empty())
          m.base_href = ResolveUrl(page_url, dom.Attr(i, "href"));
        break;
      case GUMBO_TAG_TITLE:
        if (html_title.empty()) html_title = dom.TextOf(i, true, 4096);
        break;
      case GUMBO_TAG_H1:
        if (h1.empty()) h1 = dom.TextOf(i, true, 4096);
        break;
      case GUMBO_TAG_LINK: {
        std::string rel = AsciiLower(dom.Attr(i, "rel"));
        if (HasClassToken(rel, "canonical") && m.canonical_url.empty() && !dom.Attr(i, "href").empty())
          m.canonical_url = ResolveUrl(page_url, dom.Attr(i, "href"));
        break;
      }
      case GUMBO_TAG_META: {
        std::string key = AsciiLower(dom.Attr(i, "property"));
        if (key.empty()) key = AsciiLower(dom.Attr(i, "name"));
        if (key.empty()) key = AsciiLower(dom.Attr(i, "itemprop"));
        std::string http_equiv = AsciiLower(dom.Attr(i, "http-equiv"));
        std::string content = CollapseWhitespace(dom.Attr(i, "content"));
        if (content.empty()) break;
        if (http_equiv == "content-language" && meta_lang.empty()) meta_lang = content;
        if (key == "og:title" && og_title.empty()) og_title = content;
        else if (key == "twitter:title" && tw_title.empty()) tw_title = content;
        else if ((key == "author" || key == "dc.creator" || key == "citation_author" || key == "parsely-author" ||
                  key == "sailthru.author" || key == "article:author") && !LooksLikeUrl(content)) {
          if (key == "citation_author") {
            rel_authors.push_back(content);  // one meta per author
          } else if (meta_author.empty()) {
            meta_author = content;
          }
        } else if ((key == "article:published_time" || key == "datepublished" || key == "date" ||
                    key == "pubdate" || key == "publish-date" || key == "publish_date" || key == "dc.date" ||
                    key == "dc.date.issued" || key == "dcterms.created" || key == "citation_publication_date" ||
                    key == "citation_date" || key == "sailthru.date" || key == "parsely-pub-date" ||
                    key == "og:published_time" || key == "article.published") && meta_published.empty()) {
          meta_published = content;
        } else if ((key == "article:modified_time" || key == "og:updated_time" || key == "datemodified" ||
                    key == "dcterms.modified" || key == "last-modified" || key == "article.updated") &&
                   meta_modified.empty()) {
          meta_modified = content;
        } else if (key == "og:url" && og_url.empty()) {
          og_url = content;
        } else if (key == "og:locale" && og_locale.empty()) {
          og_locale = content;
        } else if (key == "description" && meta_desc.empty()) {
          meta_desc = content;
        } else if (key == "og:description" && og_desc.empty()) {
          og_desc = content;
        } else if (key == "og:site_name" && og_site.empty()) {
          og_site = content;
        }
        break;
      }
      case GUMBO_TAG_TIME: {
        std::string_view dt = dom.Attr(i, "datetime");
        // The first <time datetime>, unless a later one is marked as the publication date.
        bool marked = dom.HasAttr(i, "pubdate") || AsciiLower(dom.Attr(i, "itemprop")) == "datepublished";
        if (!dt.empty() && (time_published.empty() || (marked && !time_marked))) {
          time_published = std::string(dt);
          time_marked = marked;
        }
        break;
      }
      case GUMBO_TAG_SCRIPT: {
        if (!ContainsNoCase(dom.Attr(i, "type"), "ld+json")) break;
        std::string body = dom.TextOf(i, false, 4 << 20);
        // A block that is not JSON or nests too deep is a page's mistake: its facts are skipped.
        Result<nlohmann::json> j = ParseJson(body, "JSON-LD");
        if (j.ok()) Visit(*j, &ld, 0);
        break;
      }
      case GUMBO_TAG_A: {
        std::string rel = AsciiLower(dom.Attr(i, "rel"));
        if (HasClassToken(rel, "author")) {
          std::string name = dom.TextOf(i, true, 256);
          if (!name.empty() && name.size() < 100) rel_authors.push_back(name);
        }
        break;
      }
      default:
        if (AsciiLower(dom.Attr(i, "itemprop")) == "author" && dom[i].end - i < 50) {
          std::string name = dom.TextOf(i, true, 256);
          if (!name.empty() && name.size() < 100) rel_authors.push_back(name);
        }
        break;
    }
  }

  // Title: JSON-LD headline, og:title, twitter:title, <title>, first <h1>.
  for (const std::string* t : {&ld.headline, &og_title, &tw_title, &html_title, &h1})
    if (!t->empty()) {
      m.title = *t;
      break;
    }
  // Authors: JSON-LD, meta, rel=author / itemprop=author / citation_author.
  if (!ld.authors.empty()) {
    m.authors = ld.authors;
  } else if (!meta_author.empty()) {
    m.authors = SplitAuthorNames(meta_author);
  } else {
    for (const std::string& a : rel_authors)
      for (std::string& n : SplitAuthorNames(a))
        if (std::find(m.authors.begin(), m.authors.end(), n) == m.authors.end()) m.authors.push_back(n);
  }
  for (const std::string* d : {&ld.date_published, &meta_published, &time_published})
    if (!d->empty())
      if (auto v = ToUtcDate(*d)) {
        m.date_published = v;
        break;
      }
  for (const std::string* d : {&ld.date_modified, &meta_modified})
    if (!d->empty())
      if (auto v = ToUtcDate(*d)) {
        m.date_modified = v;
        break;
      }
  if (m.canonical_url.empty() && !og_url.empty()) m.canonical_url = ResolveUrl(page_url, og_url);
  if (m.canonical_url.empty() && !ld.url.empty() && ld.rank == 2) m.canonical_url = ResolveUrl(page_url, ld.url);
  if (m.language.empty()) m.language = meta_lang;
  if (m.language.empty()) m.language = ld.language;
  if (m.language.empty() && !og_locale.empty()) {
    m.language = og_locale;
    std::replace(m.language.begin(), m.language.end(), '_', '-');
  }
  m.description = !ld.description.empty() ? ld.description : !og_desc.empty() ? og_desc : meta_desc;
  m.site_name = !og_site.empty() ? og_site : ld.site_name;
  m.article_body = std::move(ld.article_body);
  return m;
}

}  // namespace alcor::text
