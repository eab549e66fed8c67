// Atom parsing for the arXiv query API (sources/arxiv/arxiv_atom.hpp).
#include "sources/arxiv/arxiv_atom.hpp"

#include <pugixml.hpp>

#include <algorithm>
#include <cstring>

#include "alcor/arxiv.hpp"
#include "alcor/dates.hpp"
#include "alcor/secrets.hpp"
#include "alcor/strings.hpp"

namespace alcor {

namespace {

constexpr const char* kAtomNs = "http://www.w3.org/2005/Atom";
constexpr const char* kArxivNs = "http://arxiv.org/schemas/atom";
constexpr const char* kOpenSearchNs = "http://a9.com/-/spec/opensearch/1.1/";

// The namespace URI bound to prefix ("" for the default namespace) at node, or "".
std::string NamespaceOf(pugi::xml_node node, std::string_view prefix) {
  std::string attr = prefix.empty() ? "xmlns" : "xmlns:" + std::string(prefix);
  for (pugi::xml_node n = node; n; n = n.parent()) {
    if (n.type() != pugi::node_element) continue;
    pugi::xml_attribute a = n.attribute(attr.c_str());
    if (a) return a.value();
  }
  return "";
}

// True when node is the element {ns}local.
bool Is(pugi::xml_node node, const char* ns, const char* local) {
  if (node.type() != pugi::node_element) return false;
  std::string_view name = node.name();
  size_t colon = name.find(':');
  std::string_view prefix = colon == std::string_view::npos ? std::string_view() : name.substr(0, colon);
  std::string_view l = colon == std::string_view::npos ? name : name.substr(colon + 1);
  return l == local && NamespaceOf(node, prefix) == ns;
}

pugi::xml_node Child(pugi::xml_node parent, const char* ns, const char* local) {
  for (pugi::xml_node c : parent.children())
    if (Is(c, ns, local)) return c;
  return {};
}

std::string Text(pugi::xml_node node) { return node ? node.child_value() : ""; }

// All text under node (child_value only sees the first text child; CDATA counts too).
std::string DeepText(pugi::xml_node node) {
  std::string out;
  if (!node) return out;
  struct Walker : pugi::xml_tree_walker {
    std::string* out;
    bool for_each(pugi::xml_node& n) override {
      if (n.type() == pugi::node_pcdata || n.type() == pugi::node_cdata) out->append(n.value());
      return out->size() < (size_t{8} << 20);
    }
  } walker;
  walker.out = &out;
  node.traverse(walker);
  return out;
}

std::optional<std::string> Date(pugi::xml_node node) {
  std::string text = CollapseWhitespace(Text(node));
  if (text.empty()) return std::nullopt;
  return NormalizeDateToUtc(text);
}

int64_t IntOf(pugi::xml_node node, int64_t fallback) {
  std::string text = CollapseWhitespace(Text(node));
  if (text.empty() || text.size() > 18) return fallback;
  int64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return fallback;
    v = v * 10 + (c - '0');
  }
  return v;
}

bool IsErrorEntry(pugi::xml_node entry) {
  std::string id = CollapseWhitespace(Text(Child(entry, kAtomNs, "id")));
  return id.find("arxiv.org/api/errors") != std::string::npos;
}

}  // namespace

Result<ArxivFeed> ParseArxivFeed(std::string_view xml) {
  if (xml.size() > (size_t{256} << 20)) return Status::LimitExceeded("arXiv API response larger than 256 MiB");
  pugi::xml_document doc;
  pugi::xml_parse_result parsed = doc.load_buffer(xml.data(), xml.size(), pugi::parse_default, pugi::encoding_utf8);
  if (!parsed) {
    return Status::Corruption(std::string("arXiv API response is not XML: ") + parsed.description() + " at byte " +
                              std::to_string(parsed.offset));
  }
  pugi::xml_node feed = doc.document_element();
  if (!Is(feed, kAtomNs, "feed")) {
    return Status::Corruption("arXiv API response is not an Atom feed (root element <" + std::string(feed.name()) + ">)");
  }
  ArxivFeed out;
  out.total_results = IntOf(Child(feed, kOpenSearchNs, "totalResults"), -1);
  out.start_index = IntOf(Child(feed, kOpenSearchNs, "startIndex"), 0);
  out.items_per_page = IntOf(Child(feed, kOpenSearchNs, "itemsPerPage"), -1);
  for (pugi::xml_node entry : feed.children()) {
    if (!Is(entry, kAtomNs, "entry")) continue;
    if (IsErrorEntry(entry)) {
      out.error = CollapseWhitespace(DeepText(Child(entry, kAtomNs, "summary")));
      if (out.error.empty()) out.error = "error entry without a message";
      continue;
    }
    ArxivEntry e;
    std::string id_text = CollapseWhitespace(Text(Child(entry, kAtomNs, "id")));
    Result<ArxivId> id = ParseArxivId(id_text);
    if (!id.ok()) {
      out.unreadable_entries.push_back(id_text.empty() ? "(entry without id)" : RedactedExcerpt(id_text, 200));
      continue;
    }
    e.id = id->id;
    e.version = id->version;
    e.title = CollapseWhitespace(DeepText(Child(entry, kAtomNs, "title")));
    e.summary = CollapseWhitespace(DeepText(Child(entry, kAtomNs, "summary")));
    e.published = Date(Child(entry, kAtomNs, "published"));
    e.updated = Date(Child(entry, kAtomNs, "updated"));
    for (pugi::xml_node c : entry.children()) {
      if (Is(c, kAtomNs, "author")) {
        std::string name = CollapseWhitespace(DeepText(Child(c, kAtomNs, "name")));
        if (name.empty()) continue;
        std::vector<std::string> affiliations;
        for (pugi::xml_node a : c.children()) {
          if (Is(a, kArxivNs, "affiliation")) {
            std::string aff = CollapseWhitespace(DeepText(a));
            if (!aff.empty()) affiliations.push_back(std::move(aff));
          }
        }
        e.authors.push_back(std::move(name));
        e.affiliations.push_back(std::move(affiliations));
      } else if (Is(c, kAtomNs, "category")) {
        std::string term = CollapseWhitespace(c.attribute("term").value());
        if (!term.empty() && std::find(e.categories.begin(), e.categories.end(), term) == e.categories.end()) {
          e.categories.push_back(std::move(term));
        }
      } else if (Is(c, kArxivNs, "primary_category")) {
        e.primary_category = CollapseWhitespace(c.attribute("term").value());
      } else if (Is(c, kArxivNs, "doi")) {
        e.doi = CollapseWhitespace(DeepText(c));
      } else if (Is(c, kArxivNs, "journal_ref")) {
        e.journal_ref = CollapseWhitespace(DeepText(c));
      } else if (Is(c, kArxivNs, "comment")) {
        e.comment = CollapseWhitespace(DeepText(c));
      }
    }
    if (e.primary_category.empty() && !e.categories.empty()) e.primary_category = e.categories.front();
    out.entries.push_back(std::move(e));
  }
  return out;
}

}  // namespace alcor
