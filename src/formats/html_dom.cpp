#include "formats/html_dom.hpp"

#include <cstring>

#include "alcor/strings.hpp"

namespace alcor::text {
namespace {

// Characters that are not ASCII whitespace (UTF-8 continuation bytes not counted).
uint32_t CountChars(std::string_view s, uint32_t* commas) {
  uint32_t n = 0;
  for (unsigned char c : s) {
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f') continue;
    if ((c & 0xC0) == 0x80) continue;
    if (c == ',') ++*commas;
    ++n;
  }
  return n;
}

std::string_view NodeText(const GumboNode* g) {
  if (g->type == GUMBO_NODE_TEXT || g->type == GUMBO_NODE_WHITESPACE || g->type == GUMBO_NODE_CDATA)
    return g->v.text.text ? std::string_view(g->v.text.text) : std::string_view();
  return {};
}

}  // namespace

bool IsBlockTag(GumboTag t) {
  switch (t) {
    case GUMBO_TAG_P: case GUMBO_TAG_DIV: case GUMBO_TAG_UL: case GUMBO_TAG_OL: case GUMBO_TAG_LI:
    case GUMBO_TAG_TABLE: case GUMBO_TAG_TR: case GUMBO_TAG_TD: case GUMBO_TAG_TH: case GUMBO_TAG_TBODY:
    case GUMBO_TAG_THEAD: case GUMBO_TAG_TFOOT: case GUMBO_TAG_CAPTION:
    case GUMBO_TAG_H1: case GUMBO_TAG_H2: case GUMBO_TAG_H3: case GUMBO_TAG_H4: case GUMBO_TAG_H5:
    case GUMBO_TAG_H6: case GUMBO_TAG_PRE: case GUMBO_TAG_BLOCKQUOTE: case GUMBO_TAG_DL: case GUMBO_TAG_DT:
    case GUMBO_TAG_DD: case GUMBO_TAG_SECTION: case GUMBO_TAG_ARTICLE: case GUMBO_TAG_HEADER:
    case GUMBO_TAG_FOOTER: case GUMBO_TAG_NAV: case GUMBO_TAG_ASIDE: case GUMBO_TAG_FIGURE:
    case GUMBO_TAG_FIGCAPTION: case GUMBO_TAG_HR: case GUMBO_TAG_FORM: case GUMBO_TAG_ADDRESS:
    case GUMBO_TAG_DETAILS: case GUMBO_TAG_SUMMARY: case GUMBO_TAG_MAIN: case GUMBO_TAG_BODY:
    case GUMBO_TAG_HTML: case GUMBO_TAG_CENTER: case GUMBO_TAG_FIELDSET: case GUMBO_TAG_MENU:
    case GUMBO_TAG_HGROUP: case GUMBO_TAG_LISTING: case GUMBO_TAG_XMP: case GUMBO_TAG_DIR:
      return true;
    default:
      return false;
  }
}

bool HasClassToken(std::string_view classes, std::string_view token) {
  size_t i = 0;
  while (i < classes.size()) {
    while (i < classes.size() && (classes[i] == ' ' || classes[i] == '\t' || classes[i] == '\n')) ++i;
    size_t j = i;
    while (j < classes.size() && classes[j] != ' ' && classes[j] != '\t' && classes[j] != '\n') ++j;
    if (j > i && classes.substr(i, j - i) == token) return true;
    i = j;
  }
  return false;
}

Dom::Dom(const GumboNode* root) {
  // Iterative pre-order: a stack of (node index, next child position).
  struct Frame {
    uint32_t index;
    unsigned int next_child;
  };
  std::vector<Frame> stack;
  auto add = [&](const GumboNode* g, uint32_t parent) -> uint32_t {
    DomNode n;
    n.g = g;
    n.parent = parent;
    if (g->type == GUMBO_NODE_ELEMENT || g->type == GUMBO_NODE_TEMPLATE) {
      n.tag = g->v.element.tag;
    } else if (g->type == GUMBO_NODE_DOCUMENT) {
      n.tag = GUMBO_TAG_UNKNOWN;
    } else {
      n.is_text = true;
    }
    nodes_.push_back(n);
    return static_cast<uint32_t>(nodes_.size() - 1);
  };
  if (!root) return;
  stack.push_back({add(root, kNoNode), 0});
  while (!stack.empty()) {
    Frame& f = stack.back();
    const GumboNode* g = nodes_[f.index].g;
    const GumboVector* children = nullptr;
    if (g->type == GUMBO_NODE_DOCUMENT) children = &g->v.document.children;
    else if (g->type == GUMBO_NODE_ELEMENT || g->type == GUMBO_NODE_TEMPLATE) children = &g->v.element.children;
    if (children && f.next_child < children->length) {
      const GumboNode* c = static_cast<const GumboNode*>(children->data[f.next_child++]);
      if (c->type == GUMBO_NODE_COMMENT) continue;
      uint32_t parent = f.index;
      uint32_t idx = add(c, parent);
      stack.push_back({idx, 0});  // invalidates f
      continue;
    }
    nodes_[f.index].end = static_cast<uint32_t>(nodes_.size());
    stack.pop_back();
  }
}

void Dom::ComputeStats() {
  const uint32_t n = size();
  std::vector<uint32_t> block_of(n, kNoNode);
  std::vector<uint32_t> inline_chars(n, 0), inline_links(n, 0);
  std::vector<uint8_t> in_link(n, 0);
  for (DomNode& d : nodes_) {
    d.text_chars = d.link_chars = d.good_chars = d.paragraphs = d.commas = 0;
    d.has_block = false;
  }
  // Pre-order: nearest block ancestor and whether inside a link, from the parent.
  for (uint32_t i = 0; i < n; ++i) {
    DomNode& d = nodes_[i];
    if (d.dropped) {
      i = d.end - 1;
      continue;
    }
    uint32_t p = d.parent;
    uint32_t parent_block = p == kNoNode ? 0 : (IsBlockTag(nodes_[p].tag) || nodes_[p].parent == kNoNode ? p : block_of[p]);
    block_of[i] = parent_block;
    in_link[i] = p != kNoNode && (in_link[p] || nodes_[p].tag == GUMBO_TAG_A);
    if (d.is_text) {
      uint32_t commas = 0;
      uint32_t c = CountChars(NodeText(d.g), &commas);
      d.text_chars = c;
      d.commas = commas;
      if (in_link[i]) d.link_chars = c;
      if (parent_block != kNoNode) {
        inline_chars[parent_block] += c;
        if (in_link[i]) inline_links[parent_block] += c;
      }
    }
  }
  // Paragraph-like blocks: enough own text, few links.
  for (uint32_t i = 0; i < n; ++i) {
    if (nodes_[i].dropped) {
      i = nodes_[i].end - 1;
      continue;
    }
    uint32_t c = inline_chars[i];
    if (c >= 30 && inline_links[i] * 10 < c * 4) {
      nodes_[i].good_chars = c;
      nodes_[i].paragraphs = 1;
    }
  }
  // Post-order (reverse pre-order): sums into parents.
  for (uint32_t i = n; i-- > 1;) {
    DomNode& d = nodes_[i];
    if (d.dropped) continue;
    // A dropped ancestor means this node is not counted: checked via the parent chain below.
    DomNode& p = nodes_[d.parent];
    p.text_chars += d.text_chars;
    p.link_chars += d.link_chars;
    p.good_chars += d.good_chars;
    p.paragraphs += d.paragraphs;
    p.commas += d.commas;
    p.has_block = p.has_block || d.has_block || (!d.is_text && IsBlockTag(d.tag));
  }
}

uint32_t Dom::Find(GumboTag tag, uint32_t from, uint32_t to) const {
  uint32_t limit = to == kNoNode ? size() : to;
  for (uint32_t i = from; i < limit; ++i)
    if (!nodes_[i].is_text && nodes_[i].tag == tag) return i;
  return kNoNode;
}

std::string_view Dom::Attr(uint32_t i, const char* name) const {
  const GumboNode* g = nodes_[i].g;
  if (g->type != GUMBO_NODE_ELEMENT && g->type != GUMBO_NODE_TEMPLATE) return {};
  const GumboAttribute* a = gumbo_get_attribute(&g->v.element.attributes, name);
  return a && a->value ? std::string_view(a->value) : std::string_view();
}

bool Dom::HasAttr(uint32_t i, const char* name) const {
  const GumboNode* g = nodes_[i].g;
  if (g->type != GUMBO_NODE_ELEMENT && g->type != GUMBO_NODE_TEMPLATE) return false;
  return gumbo_get_attribute(&g->v.element.attributes, name) != nullptr;
}

std::string Dom::TextOf(uint32_t i, bool collapse, size_t max_bytes) const {
  std::string out;
  bool space = false;
  for (uint32_t k = i; k < nodes_[i].end && out.size() < max_bytes; ++k) {
    const DomNode& d = nodes_[k];
    if (d.dropped) {
      k = d.end - 1;
      continue;
    }
    if (!d.is_text) {
      if (collapse && (IsBlockTag(d.tag) || d.tag == GUMBO_TAG_BR)) space = true;
      continue;
    }
    std::string_view t = NodeText(d.g);
    if (!collapse) {
      out.append(t);
      continue;
    }
    for (char c : t) {
      if (c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f') {
        space = true;
      } else {
        if (space && !out.empty()) out += ' ';
        space = false;
        out += c;
      }
    }
  }
  return out;
}

std::string Dom::TagName(uint32_t i) const {
  const DomNode& d = nodes_[i];
  if (d.is_text) return "";
  if (d.g->type != GUMBO_NODE_ELEMENT && d.g->type != GUMBO_NODE_TEMPLATE) return "";
  if (d.tag != GUMBO_TAG_UNKNOWN) return gumbo_normalized_tagname(d.tag);
  GumboStringPiece piece = d.g->v.element.original_tag;
  if (!piece.data || piece.length < 2 || piece.data[0] != '<') return "";
  gumbo_tag_from_original_text(&piece);
  std::string r(piece.data ? piece.data : "", piece.data ? piece.length : 0);
  for (char& c : r) c = AsciiLower(c);
  return r;
}

}  // namespace alcor::text
