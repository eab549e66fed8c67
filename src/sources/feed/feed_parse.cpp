// RSS / Atom / sitemap parsing with pugixml (feed_parse.hpp).
#include "sources/feed/feed_parse.hpp"

#include <archive.h>
#include <gumbo.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <memory>
#include <set>
#include <sstream>

#include <pugixml.hpp>

#include "alcor/enum_names.hpp"
#include "alcor/dates.hpp"
#include "alcor/normalize.hpp"
#include "alcor/strings.hpp"
#include "alcor/url.hpp"
#include "formats/html_dom.hpp"
#include "formats/html_prestrip.hpp"

namespace alcor::feed {

namespace {

constexpr std::string_view kNsAtom = "http://www.w3.org/2005/Atom";
constexpr std::string_view kNsAtom03 = "http://purl.org/atom/ns#";
constexpr std::string_view kNsContent = "http://purl.org/rss/1.0/modules/content/";
constexpr std::string_view kNsDc = "http://purl.org/dc/elements/1.1/";
constexpr std::string_view kNsRss1 = "http://purl.org/rss/1.0/";
constexpr std::string_view kNsRss09 = "http://my.netscape.com/rdf/simple/0.9/";
constexpr std::string_view kNsSlash = "http://purl.org/rss/1.0/modules/slash/";
constexpr std::string_view kNsThr = "http://purl.org/syndication/thread/1.0";
constexpr std::string_view kNsItunes = "http://www.itunes.com/dtds/podcast-1.0.dtd";

std::string DecodeEntitiesOnce(std::string_view s);
bool HasEntityReference(std::string_view s);

// Elements nested deeper than this are not looked at (bounds every upward walk).
constexpr int kMaxDepthWalk = 64;

std::string_view LocalName(const pugi::xml_node& n) {
  std::string_view name = n.name();
  size_t colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

std::string_view Prefix(const pugi::xml_node& n) {
  std::string_view name = n.name();
  size_t colon = name.find(':');
  return colon == std::string_view::npos ? std::string_view() : name.substr(0, colon);
}

// Namespace URI of n's prefix, from the xmlns declarations in scope; nullopt when undeclared.
std::optional<std::string_view> NamespaceOf(const pugi::xml_node& n) {
  std::string_view prefix = Prefix(n);
  std::string attr = prefix.empty() ? "xmlns" : "xmlns:" + std::string(prefix);
  int depth = 0;
  for (pugi::xml_node a = n; a && a.type() == pugi::node_element && depth < kMaxDepthWalk;
       a = a.parent(), ++depth) {
    pugi::xml_attribute decl = a.attribute(attr.c_str());
    if (decl) return std::string_view(decl.value());
  }
  if (prefix.empty()) return std::string_view();
  return std::nullopt;
}

// Conventional prefixes, accepted when a feed uses one without declaring it.
std::string_view ConventionalNamespace(std::string_view prefix) {
  if (prefix == "content") return kNsContent;
  if (prefix == "dc") return kNsDc;
  if (prefix == "atom") return kNsAtom;
  if (prefix == "slash") return kNsSlash;
  if (prefix == "thr") return kNsThr;
  if (prefix == "itunes") return kNsItunes;
  return {};
}

enum class Ns { kRssCore, kAtom, kContent, kDc, kSlash, kThr, kItunes };

bool InNs(const pugi::xml_node& n, Ns ns) {
  std::optional<std::string_view> uri = NamespaceOf(n);
  std::string_view u = uri ? *uri : ConventionalNamespace(Prefix(n));
  // Trailing-slash and scheme variants seen in the wild are tolerated by comparing loosely.
  switch (ns) {
    case Ns::kRssCore:
      return u.empty() || u == kNsRss1 || u == kNsRss09 || u == "http://backend.userland.com/rss2" ||
             u == "http://purl.org/net/rss1.1#";
    case Ns::kAtom: return u == kNsAtom || u == kNsAtom03;
    case Ns::kContent: return u == kNsContent;
    case Ns::kDc: return u == kNsDc || u == "http://purl.org/dc/terms/";
    case Ns::kSlash: return u == kNsSlash;
    case Ns::kThr: return u == kNsThr;
    case Ns::kItunes: return u == kNsItunes;
  }
  return false;
}

bool Is(const pugi::xml_node& n, Ns ns, std::string_view local) {
  return n.type() == pugi::node_element && LocalName(n) == local && InNs(n, ns);
}

pugi::xml_node Child(const pugi::xml_node& parent, Ns ns, std::string_view local) {
  for (pugi::xml_node c : parent.children())
    if (Is(c, ns, local)) return c;
  return {};
}

// Concatenated character data of n's direct children (PCDATA and CDATA).
std::string DirectText(const pugi::xml_node& n) {
  std::string out;
  for (pugi::xml_node c : n.children()) {
    if (c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata) out += c.value();
  }
  return out;
}

bool HasElementChild(const pugi::xml_node& n) {
  for (pugi::xml_node c : n.children())
    if (c.type() == pugi::node_element) return true;
  return false;
}

struct StringWriter : pugi::xml_writer {
  std::string out;
  void write(const void* data, size_t size) override { out.append(static_cast<const char*>(data), size); }
};

// Markup inside n serialised back as text (elements, escaped character data, CDATA as its text).
std::string InnerXml(const pugi::xml_node& n) {
  StringWriter w;
  for (pugi::xml_node c : n.children()) {
    if (c.type() == pugi::node_cdata) {
      w.out += c.value();
    } else {
      c.print(w, "", pugi::format_raw | pugi::format_no_declaration);
    }
  }
  return w.out;
}

// An HTML-bearing element (description, content:encoded, html text construct): its character
// data, or its markup when a feed put unescaped HTML elements inside.
std::string HtmlOf(const pugi::xml_node& n) {
  if (!n) return {};
  return std::string(TrimAscii(HasElementChild(n) ? InnerXml(n) : DirectText(n)));
}

// Plain text → HTML paragraphs (blank lines separate paragraphs).
std::string PlainToHtml(std::string_view text) {
  std::string out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find("\n\n", pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view para = TrimAscii(text.substr(pos, end - pos));
    if (!para.empty()) out += "<p>" + XmlEscape(para) + "</p>\n";
    pos = end + 2;
  }
  return out;
}

// The xml:base in scope at n, resolved from document_url downwards.
std::string BaseOf(const pugi::xml_node& n, const std::string& document_url, bool* had_xml_base = nullptr) {
  std::vector<const char*> bases;
  int depth = 0;
  for (pugi::xml_node a = n; a && a.type() == pugi::node_element && depth < kMaxDepthWalk;
       a = a.parent(), ++depth) {
    pugi::xml_attribute b = a.attribute("xml:base");
    if (b) bases.push_back(b.value());
  }
  if (had_xml_base) *had_xml_base = !bases.empty();
  std::string base = document_url;
  for (auto it = bases.rbegin(); it != bases.rend(); ++it) base = ResolveUrl(base, TrimAscii(*it));
  return base;
}

std::string ResolveAgainst(const std::string& base, std::string_view ref) {
  std::string_view r = TrimAscii(ref);
  if (r.empty()) return {};
  return ResolveUrl(base, r);
}

std::optional<std::string> DateOf(const pugi::xml_node& n) {
  if (!n) return std::nullopt;
  return NormalizeDateToUtc(TrimAscii(DirectText(n)));
}

void AddUnique(std::vector<std::string>* v, std::string s) {
  if (s.empty()) return;
  if (std::find(v->begin(), v->end(), s) == v->end()) v->push_back(std::move(s));
}

// ---- Atom text constructs ----

enum class TextKind { kText, kHtml, kXhtml, kOther };

TextKind KindOf(const pugi::xml_node& n) {
  std::string type = AsciiLower(TrimAscii(n.attribute("type").value()));
  if (type.empty() || type == "text" || type == "text/plain") return TextKind::kText;
  if (type == "html" || type == "text/html") return TextKind::kHtml;
  if (type == "xhtml" || type == "application/xhtml+xml") return TextKind::kXhtml;
  return TextKind::kOther;
}

// The construct as HTML.
std::string AtomHtml(const pugi::xml_node& n) {
  if (!n) return {};
  switch (KindOf(n)) {
    case TextKind::kText: return PlainToHtml(DirectText(n));
    case TextKind::kHtml: return HtmlOf(n);
    case TextKind::kXhtml: {
      // The content is one xhtml <div> whose children are the body.
      for (pugi::xml_node c : n.children()) {
        if (c.type() == pugi::node_element && LocalName(c) == "div") {
          return std::string(TrimAscii(InnerXml(c)));
        }
      }
      return std::string(TrimAscii(InnerXml(n)));
    }
    case TextKind::kOther: return {};
  }
  return {};
}

// The construct as plain text (titles).
std::string AtomText(const pugi::xml_node& n) {
  if (!n) return {};
  if (KindOf(n) == TextKind::kText) {
    // Literal text; residual entity references are double escaping, decoded once.
    std::string text(TrimAscii(DirectText(n)));
    return HasEntityReference(text) ? DecodeEntitiesOnce(text) : text;
  }
  return HtmlSnippetToText(AtomHtml(n));
}

std::vector<std::string> AtomAuthors(const pugi::xml_node& parent) {
  std::vector<std::string> out;
  for (pugi::xml_node c : parent.children()) {
    if (!Is(c, Ns::kAtom, "author")) continue;
    pugi::xml_node name = Child(c, Ns::kAtom, "name");
    std::string n = name ? std::string(TrimAscii(DirectText(name))) : std::string();
    if (n.empty()) {
      pugi::xml_node email = Child(c, Ns::kAtom, "email");
      if (email) n = std::string(TrimAscii(DirectText(email)));
    }
    for (std::string& a : SplitAuthors(n)) AddUnique(&out, std::move(a));
  }
  return out;
}

// rel=alternate (or no rel) link, preferring text/html.
std::string AtomLink(const pugi::xml_node& parent, const std::string& document_url, std::string_view rel_wanted) {
  std::string fallback;
  for (pugi::xml_node c : parent.children()) {
    if (!Is(c, Ns::kAtom, "link")) continue;
    std::string rel = AsciiLower(TrimAscii(c.attribute("rel").value()));
    if (rel.empty()) rel = "alternate";
    if (rel != rel_wanted) continue;
    std::string href = ResolveAgainst(BaseOf(c, document_url), c.attribute("href").value());
    if (href.empty()) continue;
    std::string type = AsciiLower(TrimAscii(c.attribute("type").value()));
    if (type.empty() || type == "text/html" || type == "application/xhtml+xml") return href;
    if (fallback.empty()) fallback = href;
  }
  return fallback;
}

// ---- Entries ----

void FinishEntry(FeedEntry* e, const std::string& document_url) {
  if (e->link.empty() && IsHttpUrl(e->id)) e->link = e->id;
  if (!e->published && e->updated) e->published = e->updated;
  if (e->content_base.empty()) e->content_base = !e->link.empty() ? e->link : document_url;
}

FeedEntry ParseRssItem(const pugi::xml_node& item, const std::string& document_url) {
  FeedEntry e;
  bool had_xml_base = false;
  std::string base = BaseOf(item, document_url, &had_xml_base);
  for (pugi::xml_node c : item.children()) {
    if (c.type() != pugi::node_element) continue;
    if (Is(c, Ns::kRssCore, "title")) {
      e.title = HtmlSnippetToText(HtmlOf(c));
    } else if (Is(c, Ns::kRssCore, "link")) {
      if (e.link.empty()) e.link = ResolveAgainst(base, DirectText(c));
    } else if (Is(c, Ns::kAtom, "link")) {
      // Feeds that add atom:link rel=alternate to items.
      std::string rel = AsciiLower(TrimAscii(c.attribute("rel").value()));
      if ((rel.empty() || rel == "alternate") && e.link.empty()) {
        e.link = ResolveAgainst(base, c.attribute("href").value());
      }
    } else if (Is(c, Ns::kRssCore, "guid")) {
      // A permalink guid is the link's fallback (below); an explicit <link> wins.
      e.id = std::string(TrimAscii(DirectText(c)));
    } else if (Is(c, Ns::kRssCore, "description")) {
      e.summary_html = HtmlOf(c);
    } else if (Is(c, Ns::kContent, "encoded")) {
      e.content_html = HtmlOf(c);
    } else if (Is(c, Ns::kDc, "creator") || Is(c, Ns::kRssCore, "author") || Is(c, Ns::kItunes, "author")) {
      if (Is(c, Ns::kItunes, "author") && !e.authors.empty()) continue;
      for (std::string& a : SplitAuthors(HtmlSnippetToText(DirectText(c)))) AddUnique(&e.authors, std::move(a));
    } else if (Is(c, Ns::kRssCore, "category") || Is(c, Ns::kDc, "subject")) {
      AddUnique(&e.categories, HtmlSnippetToText(DirectText(c)));
    } else if (Is(c, Ns::kRssCore, "pubDate")) {
      if (auto d = DateOf(c)) e.published = d;
    } else if (Is(c, Ns::kDc, "date")) {
      if (!e.published) e.published = DateOf(c);
    } else if (Is(c, Ns::kAtom, "updated") || Is(c, Ns::kDc, "modified")) {
      e.updated = DateOf(c);
    } else if (Is(c, Ns::kSlash, "comments") || Is(c, Ns::kThr, "total")) {
      std::string n(TrimAscii(DirectText(c)));
      if (!n.empty() && n.size() < 9 && std::all_of(n.begin(), n.end(), ::isdigit)) e.comments = std::stoi(n);
    }
  }
  // RSS 1.0 items name themselves with rdf:about.
  if (e.id.empty()) e.id = std::string(TrimAscii(item.attribute("rdf:about").value()));
  if (e.link.empty()) {
    pugi::xml_node guid = Child(item, Ns::kRssCore, "guid");
    std::string permalink = guid ? AsciiLower(TrimAscii(guid.attribute("isPermaLink").value())) : "";
    if (permalink != "false" && IsHttpUrl(e.id)) e.link = ResolveAgainst(base, e.id);
  }
  if (had_xml_base) e.content_base = base;
  FinishEntry(&e, document_url);
  return e;
}

FeedEntry ParseAtomEntry(const pugi::xml_node& entry, const std::string& document_url,
                         const std::vector<std::string>& feed_authors) {
  FeedEntry e;
  for (pugi::xml_node c : entry.children()) {
    if (c.type() != pugi::node_element || !InNs(c, Ns::kAtom)) {
      if (Is(c, Ns::kThr, "total") || Is(c, Ns::kSlash, "comments")) {
        std::string n(TrimAscii(DirectText(c)));
        if (!n.empty() && n.size() < 9 && std::all_of(n.begin(), n.end(), ::isdigit)) e.comments = std::stoi(n);
      } else if (Is(c, Ns::kDc, "creator")) {
        for (std::string& a : SplitAuthors(DirectText(c))) AddUnique(&e.authors, std::move(a));
      }
      continue;
    }
    std::string_view local = LocalName(c);
    if (local == "id") {
      e.id = std::string(TrimAscii(DirectText(c)));
    } else if (local == "title") {
      e.title = AtomText(c);
    } else if (local == "published" || local == "issued") {
      e.published = DateOf(c);
    } else if (local == "updated" || local == "modified") {
      e.updated = DateOf(c);
    } else if (local == "category") {
      std::string term(TrimAscii(c.attribute("term").value()));
      if (term.empty()) term = std::string(TrimAscii(c.attribute("label").value()));
      AddUnique(&e.categories, HtmlSnippetToText(term));
    } else if (local == "summary") {
      e.summary_html = AtomHtml(c);
    } else if (local == "content") {
      std::string src(TrimAscii(c.attribute("src").value()));
      if (!src.empty()) {
        e.content_src = ResolveAgainst(BaseOf(c, document_url), src);
      } else {
        e.content_html = AtomHtml(c);
        bool had_xml_base = false;
        std::string base = BaseOf(c, document_url, &had_xml_base);
        if (had_xml_base) e.content_base = base;
      }
    }
  }
  e.link = AtomLink(entry, document_url, "alternate");
  std::vector<std::string> authors = AtomAuthors(entry);
  if (authors.empty()) {
    pugi::xml_node source = Child(entry, Ns::kAtom, "source");
    if (source) authors = AtomAuthors(source);
  }
  if (authors.empty()) authors = feed_authors;
  for (std::string& a : authors) AddUnique(&e.authors, std::move(a));
  FinishEntry(&e, document_url);
  return e;
}

// ---- Encoding ----

// The encoding named by the XML declaration, lower-case, "" when none.
std::string DeclaredEncoding(std::string_view bytes) {
  std::string_view head = bytes.substr(0, std::min<size_t>(bytes.size(), 512));
  head = TrimAscii(head);
  if (head.rfind("<?xml", 0) != 0) return {};
  size_t end = head.find("?>");
  if (end == std::string_view::npos) return {};
  std::string_view decl = head.substr(0, end);
  size_t enc = decl.find("encoding");
  if (enc == std::string_view::npos) return {};
  size_t q = decl.find_first_of("\"'", enc);
  if (q == std::string_view::npos) return {};
  size_t q2 = decl.find(decl[q], q + 1);
  if (q2 == std::string_view::npos) return {};
  return AsciiLower(TrimAscii(decl.substr(q + 1, q2 - q - 1)));
}

bool IsUtf8Label(const std::string& label) { return label.empty() || label == "utf-8" || label == "utf8"; }

bool IsValidUtf8(std::string_view s) {
  size_t replaced = 0;
  ReplaceInvalidUtf8(s, &replaced);
  return replaced == 0;
}

// Bytes of any encoding → UTF-8 without a byte-order mark.
std::string ToUtf8(std::string_view bytes, const std::string& http_charset) {
  bool utf8_bom = bytes.size() >= 3 && static_cast<unsigned char>(bytes[0]) == 0xEF &&
                  static_cast<unsigned char>(bytes[1]) == 0xBB && static_cast<unsigned char>(bytes[2]) == 0xBF;
  bool utf16_bom = bytes.size() >= 2 && ((static_cast<unsigned char>(bytes[0]) == 0xFE &&
                                          static_cast<unsigned char>(bytes[1]) == 0xFF) ||
                                         (static_cast<unsigned char>(bytes[0]) == 0xFF &&
                                          static_cast<unsigned char>(bytes[1]) == 0xFE));
  if (utf8_bom) bytes.remove_prefix(3);
  std::string out;
  if (utf16_bom) {
    out = DecodeToUtf8(bytes, "", false).text;
  } else {
    std::string declared = DeclaredEncoding(bytes);
    if (!IsUtf8Label(declared) && declared.rfind("utf-16", 0) != 0) {
      out = DecodeToUtf8(bytes, declared, false).text;
    } else if (IsValidUtf8(bytes)) {
      out = std::string(bytes);
    } else {
      std::string hint = AsciiLower(http_charset);
      out = DecodeToUtf8(bytes, IsUtf8Label(hint) ? "" : hint, false).text;
    }
  }
  // pugixml is told the buffer is UTF-8; the declaration may still say otherwise, which it ignores.
  if (out.size() >= 3 && static_cast<unsigned char>(out[0]) == 0xEF &&
      static_cast<unsigned char>(out[1]) == 0xBB && static_cast<unsigned char>(out[2]) == 0xBF) {
    out.erase(0, 3);
  }
  size_t start = 0;
  while (start < out.size() && std::isspace(static_cast<unsigned char>(out[start]))) ++start;
  out.erase(0, start);
  return out;
}

std::string ParserError(const pugi::xml_parse_result& r, std::string_view text) {
  size_t offset = static_cast<size_t>(std::max<ptrdiff_t>(0, r.offset));
  offset = std::min(offset, text.size());
  size_t line = 1 + static_cast<size_t>(std::count(text.begin(), text.begin() + offset, '\n'));
  size_t line_start = text.rfind('\n', offset == 0 ? 0 : offset - 1);
  size_t column = line_start == std::string_view::npos ? offset + 1 : offset - line_start;
  std::ostringstream os;
  os << r.description() << " at line " << line << ", column " << column << " (byte " << offset << ")";
  return os.str();
}

constexpr unsigned kParseFlags = pugi::parse_default | pugi::parse_ws_pcdata;

// True when n's end tag lies before `limit` in text (the parser got past the whole element).
bool ClosedBefore(const pugi::xml_node& n, std::string_view text, size_t limit) {
  ptrdiff_t start = n.offset_debug();
  if (start < 0) return false;
  std::string close = "</" + std::string(n.name());
  size_t pos = text.find(close, static_cast<size_t>(start));
  return pos != std::string_view::npos && pos < limit;
}

pugi::xml_node RootElement(const pugi::xml_document& doc) {
  for (pugi::xml_node c : doc.children())
    if (c.type() == pugi::node_element) return c;
  return {};
}

}  // namespace

constexpr EnumName<ParsedFeed::Format> kFeedFormatNames[] = {
    {ParsedFeed::Format::kRss2, "rss2"},
    {ParsedFeed::Format::kRss1, "rss1"},
    {ParsedFeed::Format::kAtom, "atom"},
};

const char* FeedFormatName(ParsedFeed::Format format) { return NameIn(kFeedFormatNames, format, "unknown"); }

Result<ParsedFeed> ParseFeed(std::string_view bytes, const FeedParseOptions& options) {
  if (bytes.size() > options.max_bytes) {
    return Status::LimitExceeded("feed is " + std::to_string(bytes.size()) + " bytes, above the cap of " +
                                 std::to_string(options.max_bytes));
  }
  std::string text = ToUtf8(bytes, options.http_charset);
  if (text.empty()) return Status::InvalidArgument("empty document, not a feed");
  pugi::xml_document doc;
  pugi::xml_parse_result result =
      doc.load_buffer(text.data(), text.size(), kParseFlags, pugi::encoding_utf8);
  pugi::xml_node root = RootElement(doc);
  std::string error;
  size_t error_offset = text.size();
  if (!result) {
    error = ParserError(result, text);
    error_offset = static_cast<size_t>(std::max<ptrdiff_t>(0, result.offset));
    if (!root) return Status::Corruption(error);
  }
  std::string root_name = AsciiLower(LocalName(root));
  ParsedFeed feed;
  pugi::xml_node channel;
  if (root_name == "rss" || root_name == "channel") {
    feed.format = ParsedFeed::Format::kRss2;
    channel = root_name == "channel" ? root : Child(root, Ns::kRssCore, "channel");
    if (!channel) channel = root.child("channel");
  } else if (root_name == "rdf") {
    feed.format = ParsedFeed::Format::kRss1;
    channel = Child(root, Ns::kRssCore, "channel");
  } else if (root_name == "feed") {
    feed.format = ParsedFeed::Format::kAtom;
    channel = root;
  } else {
    if (!error.empty()) return Status::Corruption(error);
    return Status::InvalidArgument("not a feed: the root element is <" + std::string(root.name()) + ">");
  }
  if (!channel) {
    if (!error.empty()) return Status::Corruption(error);
    return Status::InvalidArgument("not a feed: <" + std::string(root.name()) + "> has no channel");
  }

  std::string doc_url = options.document_url;
  // The self link first (base of everything when the caller knows no document URL).
  if (feed.format == ParsedFeed::Format::kAtom) {
    feed.self_link = AtomLink(channel, doc_url, "self");
  } else {
    feed.self_link = AtomLink(channel, doc_url, "self");
  }
  if (doc_url.empty()) doc_url = feed.self_link;

  std::vector<pugi::xml_node> items;
  if (feed.format == ParsedFeed::Format::kAtom) {
    feed.title = AtomText(Child(channel, Ns::kAtom, "title"));
    feed.site_link = AtomLink(channel, doc_url, "alternate");
    pugi::xml_node gen = Child(channel, Ns::kAtom, "generator");
    if (gen) {
      feed.generator = AsciiLower(std::string(TrimAscii(DirectText(gen))) + " " + gen.attribute("uri").value() + " " +
                             gen.attribute("version").value());
    }
    feed.language = std::string(TrimAscii(channel.attribute("xml:lang").value()));
    for (pugi::xml_node c : channel.children())
      if (Is(c, Ns::kAtom, "entry")) items.push_back(c);
  } else {
    pugi::xml_node title = Child(channel, Ns::kRssCore, "title");
    feed.title = HtmlSnippetToText(HtmlOf(title));
    pugi::xml_node link = Child(channel, Ns::kRssCore, "link");
    if (link) feed.site_link = ResolveAgainst(BaseOf(link, doc_url), DirectText(link));
    pugi::xml_node gen = Child(channel, Ns::kRssCore, "generator");
    if (gen) feed.generator = AsciiLower(TrimAscii(DirectText(gen)));
    pugi::xml_node lang = Child(channel, Ns::kRssCore, "language");
    if (!lang) lang = Child(channel, Ns::kDc, "language");
    if (lang) feed.language = std::string(TrimAscii(DirectText(lang)));
    // RSS 2.0 items are in the channel; RSS 1.0 items are siblings of the channel.
    pugi::xml_node holder = feed.format == ParsedFeed::Format::kRss1 ? root : channel;
    for (pugi::xml_node c : holder.children())
      if (Is(c, Ns::kRssCore, "item")) items.push_back(c);
    if (items.empty() && feed.format == ParsedFeed::Format::kRss2) {
      for (pugi::xml_node c : root.children())
        if (Is(c, Ns::kRssCore, "item")) items.push_back(c);
    }
  }
  if (!error.empty()) {
    // Keep only the entries the parser read to their end tag.
    std::vector<pugi::xml_node> complete;
    for (const pugi::xml_node& n : items)
      if (ClosedBefore(n, text, error_offset)) complete.push_back(n);
    if (complete.empty()) return Status::Corruption(error);
    items = std::move(complete);
    feed.recovered_error = error;
  }
  std::vector<std::string> feed_authors;
  if (feed.format == ParsedFeed::Format::kAtom) feed_authors = AtomAuthors(channel);
  for (const pugi::xml_node& n : items) {
    if (feed.entries.size() >= options.max_entries) break;
    feed.entries.push_back(feed.format == ParsedFeed::Format::kAtom ? ParseAtomEntry(n, doc_url, feed_authors)
                                                                    : ParseRssItem(n, doc_url));
  }
  return feed;
}

// ---------------------------------------------------------------------------------------------
// Sitemaps

bool LooksGzipped(std::string_view bytes) {
  return bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f &&
         static_cast<unsigned char>(bytes[1]) == 0x8b;
}

Result<std::string> Gunzip(std::string_view bytes, size_t max_bytes) {
  std::unique_ptr<archive, int (*)(archive*)> a(archive_read_new(), archive_read_free);
  if (!a) return Status::IOError("libarchive: out of memory");
  archive_read_support_filter_gzip(a.get());
  archive_read_support_format_raw(a.get());
  if (archive_read_open_memory(a.get(), bytes.data(), bytes.size()) != ARCHIVE_OK) {
    return Status::Corruption(std::string("not gzip data: ") + archive_error_string(a.get()));
  }
  archive_entry* entry = nullptr;
  if (archive_read_next_header(a.get(), &entry) != ARCHIVE_OK) {
    const char* msg = archive_error_string(a.get());
    return Status::Corruption(std::string("not gzip data: ") + (msg ? msg : "no data"));
  }
  std::string out;
  char buf[65536];
  while (true) {
    la_ssize_t n = archive_read_data(a.get(), buf, sizeof buf);
    if (n < 0) {
      const char* msg = archive_error_string(a.get());
      return Status::Corruption(std::string("gzip data damaged: ") + (msg ? msg : "read error"));
    }
    if (n == 0) break;
    if (out.size() + static_cast<size_t>(n) > max_bytes) {
      return Status::LimitExceeded("gzip data inflates to more than " + std::to_string(max_bytes) + " bytes");
    }
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

Result<ParsedSitemap> ParseSitemap(std::string_view bytes, const std::string& document_url, size_t max_bytes) {
  std::string inflated;
  if (LooksGzipped(bytes)) {
    Result<std::string> r = Gunzip(bytes, max_bytes);
    if (!r.ok()) return r.status();
    inflated = std::move(r.value());
    bytes = inflated;
  } else if (bytes.size() > max_bytes) {
    return Status::LimitExceeded("sitemap is larger than " + std::to_string(max_bytes) + " bytes");
  }
  std::string text = ToUtf8(bytes, "");
  pugi::xml_document doc;
  pugi::xml_parse_result result = doc.load_buffer(text.data(), text.size(), kParseFlags, pugi::encoding_utf8);
  pugi::xml_node root = RootElement(doc);
  if (!root) return Status::Corruption(result ? "empty sitemap" : ParserError(result, text));
  ParsedSitemap out;
  std::string name = AsciiLower(LocalName(root));
  if (name == "sitemapindex") {
    out.is_index = true;
  } else if (name != "urlset") {
    if (!result) return Status::Corruption(ParserError(result, text));
    return Status::InvalidArgument("not a sitemap: the root element is <" + std::string(root.name()) + ">");
  }
  size_t error_offset = result ? text.size() : static_cast<size_t>(std::max<ptrdiff_t>(0, result.offset));
  for (pugi::xml_node c : root.children()) {
    if (c.type() != pugi::node_element) continue;
    std::string_view local = LocalName(c);
    if (local != (out.is_index ? "sitemap" : "url")) continue;
    if (!result && !ClosedBefore(c, text, error_offset)) continue;
    SitemapUrl u;
    for (pugi::xml_node f : c.children()) {
      if (f.type() != pugi::node_element) continue;
      if (LocalName(f) == "loc") u.loc = ResolveAgainst(document_url, DirectText(f));
      if (LocalName(f) == "lastmod") u.lastmod = NormalizeDateToUtc(TrimAscii(DirectText(f)));
    }
    if (!u.loc.empty()) out.entries.push_back(std::move(u));
  }
  if (!result && out.entries.empty()) return Status::Corruption(ParserError(result, text));
  return out;
}

std::vector<std::string> RobotsSitemaps(std::string_view robots_txt, const std::string& robots_url) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < robots_txt.size()) {
    size_t end = robots_txt.find('\n', pos);
    if (end == std::string_view::npos) end = robots_txt.size();
    std::string_view line = TrimAscii(robots_txt.substr(pos, end - pos));
    pos = end + 1;
    size_t hash = line.find('#');
    if (hash != std::string_view::npos) line = TrimAscii(line.substr(0, hash));
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    if (AsciiLower(TrimAscii(line.substr(0, colon))) != "sitemap") continue;
    std::string url = ResolveAgainst(robots_url, line.substr(colon + 1));
    if (!url.empty()) AddUnique(&out, std::move(url));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Helpers

namespace {

// One pass of HTML entity decoding for text that gumbo already decoded once.
std::string DecodeEntitiesOnce(std::string_view s) {
  static const std::pair<const char*, const char*> kNamed[] = {
      {"amp", "&"},       {"lt", "<"},        {"gt", ">"},        {"quot", "\""},      {"apos", "'"},
      {"nbsp", " "},      {"hellip", "\u2026"}, {"mdash", "\u2014"}, {"ndash", "\u2013"},
      {"lsquo", "\u2018"}, {"rsquo", "\u2019"}, {"ldquo", "\u201C"}, {"rdquo", "\u201D"},
      {"laquo", "\u00AB"}, {"raquo", "\u00BB"}, {"copy", "\u00A9"}, {"reg", "\u00AE"},
      {"trade", "\u2122"}, {"eacute", "\u00E9"}};
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    if (s[i] != '&') {
      out += s[i++];
      continue;
    }
    size_t semi = s.find(';', i);
    if (semi == std::string_view::npos || semi - i > 10) {
      out += s[i++];
      continue;
    }
    std::string_view name = s.substr(i + 1, semi - i - 1);
    std::string replacement;
    if (!name.empty() && name[0] == '#') {
      uint32_t cp = 0;
      bool ok = name.size() > 1;
      bool hex = name.size() > 1 && (name[1] == 'x' || name[1] == 'X');
      for (size_t k = hex ? 2 : 1; k < name.size() && ok; ++k) {
        char c = name[k];
        int d = std::isdigit(static_cast<unsigned char>(c)) ? c - '0'
                : hex && std::isxdigit(static_cast<unsigned char>(c)) ? std::tolower(c) - 'a' + 10
                                                                       : -1;
        if (d < 0 || cp > 0x10FFFF) ok = false;
        else cp = cp * (hex ? 16 : 10) + static_cast<uint32_t>(d);
      }
      if (ok && cp > 0 && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF)) {
        if (cp < 0x80) {
          replacement += static_cast<char>(cp);
        } else if (cp < 0x800) {
          replacement += static_cast<char>(0xC0 | (cp >> 6));
          replacement += static_cast<char>(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
          replacement += static_cast<char>(0xE0 | (cp >> 12));
          replacement += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
          replacement += static_cast<char>(0x80 | (cp & 0x3F));
        } else {
          replacement += static_cast<char>(0xF0 | (cp >> 18));
          replacement += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
          replacement += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
          replacement += static_cast<char>(0x80 | (cp & 0x3F));
        }
      }
    } else {
      for (const auto& [n, v] : kNamed)
        if (name == n) replacement = v;
    }
    if (replacement.empty()) {
      out += s[i++];
      continue;
    }
    out += replacement;
    i = semi + 1;
  }
  return out;
}

bool HasEntityReference(std::string_view s) {
  size_t amp = s.find('&');
  while (amp != std::string_view::npos) {
    size_t k = amp + 1;
    if (k < s.size() && s[k] == '#') ++k;
    size_t start = k;
    while (k < s.size() && k - start < 10 && std::isalnum(static_cast<unsigned char>(s[k]))) ++k;
    if (k > start && k < s.size() && s[k] == ';') return true;
    amp = s.find('&', amp + 1);
  }
  return false;
}


}  // namespace

std::string HtmlSnippetToText(std::string_view html, size_t max_bytes) {
  std::string out;
  if (html.find('<') == std::string_view::npos && html.find('&') == std::string_view::npos) {
    // Plain text: collapse whitespace only.
    out = CollapseWhitespace(html);
    if (out.size() > max_bytes) out.resize(max_bytes);
    return out;
  }
  // The normalizer's pre-pass: scripts and styles out, nesting capped (gumbo's tree builder is
  // quadratic in depth).
  std::string input = text::PrestripHtml(html.substr(0, std::min<size_t>(html.size(), size_t{16} << 20)));
  GumboOptions gumbo_options = kGumboDefaultOptions;
  gumbo_options.max_errors = 0;
  GumboOutput* g = gumbo_parse_with_options(&gumbo_options, input.data(), input.size());
  {
    text::Dom dom(g->root);
    for (uint32_t i = 0; i < dom.size(); ++i) {
      GumboTag t = dom[i].tag;
      if (!dom[i].is_text && (t == GUMBO_TAG_SCRIPT || t == GUMBO_TAG_STYLE || t == GUMBO_TAG_NOSCRIPT)) {
        dom[i].dropped = true;
      }
    }
    out = dom.size() > 0 ? dom.TextOf(0, true, max_bytes) : std::string();
  }
  gumbo_destroy_output(&kGumboDefaultOptions, g);
  if (HasEntityReference(out)) out = DecodeEntitiesOnce(out);
  return std::string(TrimAscii(out));
}

size_t CountAlnumWords(std::string_view text) {
  size_t words = 0;
  bool in_word = false;
  for (char c : text) {
    bool w = std::isalnum(static_cast<unsigned char>(c)) || (static_cast<unsigned char>(c) & 0x80);
    if (w && !in_word) ++words;
    in_word = w;
  }
  return words;
}

std::vector<std::string> PageLinks(std::string_view html, const std::string& page_url, size_t max_links) {
  std::vector<std::string> out;
  std::string input = text::PrestripHtml(html.substr(0, std::min<size_t>(html.size(), size_t{16} << 20)));
  GumboOptions gumbo_options = kGumboDefaultOptions;
  gumbo_options.max_errors = 0;
  GumboOutput* g = gumbo_parse_with_options(&gumbo_options, input.data(), input.size());
  {
    text::Dom dom(g->root);
    std::string base = page_url;
    uint32_t base_tag = dom.Find(GUMBO_TAG_BASE);
    if (base_tag != text::kNoNode && !dom.Attr(base_tag, "href").empty()) {
      base = ResolveUrl(page_url, dom.Attr(base_tag, "href"));
    }
    std::set<std::string> seen;
    for (uint32_t i = 0; i < dom.size() && out.size() < max_links; ++i) {
      if (dom[i].is_text || dom[i].tag != GUMBO_TAG_A) continue;
      std::string_view href = dom.Attr(i, "href");
      if (href.empty()) continue;
      std::string url = ResolveUrl(base, href);
      size_t hash = url.find('#');
      if (hash != std::string::npos) url.resize(hash);
      if (!IsHttpUrl(url) || !seen.insert(url).second) continue;
      out.push_back(std::move(url));
    }
  }
  gumbo_destroy_output(&kGumboDefaultOptions, g);
  return out;
}

bool LooksComplete(std::string_view html, bool from_summary) {
  std::string text = HtmlSnippetToText(html, size_t{4} << 20);
  // WordPress appends "The post X appeared first on Y." to full posts and excerpts alike.
  size_t footer = text.rfind("The post ");
  if (footer != std::string::npos && text.find(" appeared first on ", footer) != std::string::npos) {
    text.erase(footer);
  }
  std::string_view t = TrimAscii(text);
  size_t words = CountAlnumWords(t);
  if (words == 0) return false;
  std::string tail = AsciiLower(t.substr(t.size() > 120 ? t.size() - 120 : 0));
  std::string_view tv = TrimAscii(tail);
  for (std::string_view end : {"\u2026", "...", "[\u2026]", "[...]", "(\u2026)", "(...)", "\u2026]"}) {
    if (tv.ends_with(end)) return false;
  }
  for (std::string_view marker : {"read more", "continue reading", "keep reading", "read the rest",
                                   "read the full", "read full", "full post", "full article", "read on"}) {
    size_t at = tv.rfind(marker);
    // Near the very end (a trailing link, optionally followed by an arrow or "»").
    if (at != std::string::npos && tv.size() - at <= marker.size() + 24) return false;
  }
  return from_summary ? words >= 150 : words >= 15;
}

std::vector<std::string> SplitAuthors(std::string_view byline) {
  std::string s(TrimAscii(byline));
  std::vector<std::string> out;
  if (s.empty()) return out;
  // "mail@example.org (Jane Doe)"
  size_t open = s.find('(');
  if (open != std::string::npos && s.back() == ')' && s.substr(0, open).find('@') != std::string::npos) {
    s = std::string(TrimAscii(std::string_view(s).substr(open + 1, s.size() - open - 2)));
  }
  // Split on " and ", " & ", ";" first.
  std::vector<std::string> parts;
  std::string cur;
  auto flush = [&]() {
    std::string_view v = TrimAscii(cur);
    if (!v.empty()) parts.emplace_back(v);
    cur.clear();
  };
  for (size_t i = 0; i < s.size();) {
    if (s.compare(i, 5, " and ") == 0) {
      flush();
      i += 5;
    } else if (s.compare(i, 3, " & ") == 0) {
      flush();
      i += 3;
    } else if (s[i] == ';') {
      flush();
      ++i;
    } else {
      cur += s[i++];
    }
  }
  flush();
  for (const std::string& part : parts) {
    // Commas separate names only when every piece has several words ("Smith, John" is one name).
    std::vector<std::string> pieces;
    size_t pos = 0;
    while (pos <= part.size()) {
      size_t comma = part.find(',', pos);
      if (comma == std::string::npos) comma = part.size();
      std::string_view piece = TrimAscii(std::string_view(part).substr(pos, comma - pos));
      if (!piece.empty()) pieces.emplace_back(piece);
      pos = comma + 1;
    }
    bool split = pieces.size() > 1 && std::all_of(pieces.begin(), pieces.end(), [](const std::string& p) {
                   return p.find(' ') != std::string::npos;
                 });
    if (split) {
      for (std::string& p : pieces) AddUnique(&out, std::move(p));
    } else {
      AddUnique(&out, part);
    }
  }
  return out;
}

}  // namespace alcor::feed
