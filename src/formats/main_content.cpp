#include "formats/main_content.hpp"

#include <algorithm>
#include <cctype>
#include <iterator>
#include <vector>

#include "alcor/strings.hpp"

namespace alcor::text {
namespace {

enum Hint : int {
  kHintNone = 0,
  kHintPositive = 1,
  kHintWeakNegative = 2,
  kHintStrongNegative = 4,
};

// Class and id words that mark boilerplate. Matched against the words of class and id values
// split at non-alphanumerics; "prefix*" entries match words that start with the prefix.
const char* const kStrongNegative[] = {
    "comment*", "sidebar*", "footer*", "breadcrumb*", "share*", "sharing", "social*", "related*",
    "newsletter*", "subscri*", "cookie*", "consent", "gdpr", "promo*", "advert*", "ad", "ads", "adsense",
    "sponsor*", "popup*", "modal*", "outbrain*", "taboola*", "recommend*", "trending", "popular",
    "mostread", "most", "disqus*", "signup", "login", "signin", "register", "nav", "navbar*", "navigation*",
    "menu*", "masthead", "banner", "pagination", "pager", "tags", "tag", "tagcloud", "tagged", "byline*",
    "author*", "share", "rss", "follow", "skip", "toolbar", "dateline", "timestamp", "widget*",
    "overlay", "paywall", "donate", "donation", "subscribe", "jump", "toc", "readmore",
    "more", "next", "prev", "previous", "breaking", "ticker", "teaser*", "rail", "complementary",
    "secondary", "utility", "tools", "actions", "bio", "credit*", "meta", "metadata", "caption*",
    "copyright", "disclaimer", "survey", "feedback", "alert", "notification*", "headline*",
    "title", "kicker", "eyebrow", "label", "icon*", "button*", "btn", "form", "search*",
};
const char* const kWeakNegative[] = {"header*", "top", "aside", "side", "extra", "links", "date", "time",
                                     "info", "hero", "card", "list", "grid", "thumb*", "image", "photo",
                                     "figure", "media", "video", "gallery"};
const char* const kPositive[] = {"article*", "content*", "entry*", "post*", "body*", "main*", "story*",
                                 "text*", "blog*", "prose", "markdown", "richtext", "paragraph*", "page"};

bool WordMatches(std::string_view word, const char* pattern) {
  std::string_view p(pattern);
  if (!p.empty() && p.back() == '*') {
    p.remove_suffix(1);
    return word.size() >= p.size() && word.substr(0, p.size()) == p;
  }
  return word == p;
}

// The three word lists, indexed by first letter so that each word is compared with few patterns.
struct HintTable {
  std::vector<std::pair<const char*, int>> by_letter[26];
  HintTable() {
    auto add = [&](const char* const* list, size_t n, int hint) {
      for (size_t k = 0; k < n; ++k) by_letter[list[k][0] - 'a'].push_back({list[k], hint});
    };
    add(kStrongNegative, std::size(kStrongNegative), kHintStrongNegative);
    add(kWeakNegative, std::size(kWeakNegative), kHintWeakNegative);
    add(kPositive, std::size(kPositive), kHintPositive);
  }
};

int HintsOf(std::string_view value) {
  static const HintTable table;
  int hints = kHintNone;
  char lower[256];
  size_t n = std::min(value.size(), sizeof lower);
  for (size_t k = 0; k < n; ++k) lower[k] = static_cast<char>(std::tolower(static_cast<unsigned char>(value[k])));
  std::string_view lv(lower, n);
  // Whole-token matches: utility classes that split into harmless words, and words that are
  // boilerplate alone but name layout in compounds ("overflow-hidden", "tip-print-step").
  for (std::string_view whole :
       {"sr-only", "screen-reader-text", "visually-hidden", "visuallyhidden", "hide", "hidden", "print"})
    if (HasClassToken(lv, whole)) hints |= kHintStrongNegative;
  size_t i = 0;
  while (i < n) {
    while (i < n && !std::isalnum(static_cast<unsigned char>(lower[i]))) ++i;
    size_t j = i;
    while (j < n && std::isalnum(static_cast<unsigned char>(lower[j]))) ++j;
    if (j > i && lower[i] >= 'a' && lower[i] <= 'z') {
      std::string_view w(lower + i, j - i);
      for (const auto& [pattern, hint] : table.by_letter[lower[i] - 'a'])
        if (WordMatches(w, pattern)) hints |= hint;
    }
    i = j;
  }
  return hints;
}

int ElementHints(const Dom& dom, uint32_t i) {
  int h = HintsOf(dom.Attr(i, "class"));
  std::string_view id = dom.Attr(i, "id");
  if (!id.empty()) h |= HintsOf(id);
  return h;
}

bool IsBoilerplateRole(std::string_view role) {
  return role == "navigation" || role == "banner" || role == "contentinfo" || role == "complementary" ||
         role == "search" || role == "dialog" || role == "alertdialog" || role == "menu" || role == "menubar" ||
         role == "toolbar" || role == "alert" || role == "form";
}

// The longest link text in the subtree of i, in characters (a headline link is long).
uint32_t LongestLinkText(const Dom& dom, uint32_t i) {
  uint32_t best = 0;
  for (uint32_t k = i; k < dom[i].end; ++k)
    if (!dom[k].is_text && dom[k].tag == GUMBO_TAG_A) {
      best = std::max(best, dom[k].text_chars);
      k = dom[k].end - 1;
    }
  return best;
}

// A list of teasers ("more stories", "related posts", product cards): at least three element
// children of one kind (same tag and class) that each are short, and most of which lead with a
// headline-sized link. Article paragraphs fail the test: they are not cards with a long link.
bool IsTeaserList(const Dom& dom, uint32_t e) {
  struct Group {
    GumboTag tag;
    std::string_view cls;
    uint32_t count = 0, teasers = 0, chars = 0;
  };
  std::vector<Group> groups;
  for (uint32_t c = e + 1; c < dom[e].end; c = dom[c].end) {
    const DomNode& d = dom[c];
    if (d.is_text || d.dropped || d.tag == GUMBO_TAG_P || d.text_chars == 0) continue;
    std::string_view cls = dom.Attr(c, "class");
    Group* g = nullptr;
    for (Group& x : groups)
      if (x.tag == d.tag && x.cls == cls) g = &x;
    if (!g) {
      if (groups.size() >= 8) continue;
      groups.push_back({d.tag, cls});
      g = &groups.back();
    }
    ++g->count;
    g->chars += d.text_chars;
    uint32_t link = LongestLinkText(dom, c);
    if (link >= 15 && d.text_chars < 600 && link * 10 >= d.text_chars) ++g->teasers;
  }
  for (const Group& g : groups)
    if (g.count >= 3 && g.teasers * 10 >= g.count * 7 && g.chars * 2 >= dom[e].text_chars) return true;
  return false;
}

uint32_t FindBody(const Dom& dom) {
  uint32_t body = dom.Find(GUMBO_TAG_BODY);
  return body == kNoNode ? 0 : body;
}

// How hard the boilerplate rules bite. Selection starts strict and relaxes one level at a time
// while the result is implausibly short (see SelectMainContent).
enum class Strictness {
  kFull,     // every rule
  kSoft,     // a strong class word no longer drops an element that also has a positive one
  kLoose,    // class words and boilerplate tags drop only elements without paragraph text
  kNone,     // nothing but link-dense blocks inside the root
};

// Per-node facts that do not change while rules are tried: the nearest block ancestor, the
// characters of text whose nearest block ancestor a node is (a block's "own" sentence text), and
// the previous sibling.
struct Layout {
  std::vector<uint32_t> block_of;
  std::vector<uint32_t> own_chars;
  std::vector<uint32_t> prev_sibling;
  std::vector<uint32_t> text_chars, link_chars;  // subtree statistics before any rule
};

Layout LayoutOf(const Dom& dom) {
  Layout l;
  const uint32_t n = dom.size();
  l.block_of.assign(n, 0);
  l.own_chars.assign(n, 0);
  l.prev_sibling.assign(n, kNoNode);
  l.text_chars.resize(n);
  l.link_chars.resize(n);
  for (uint32_t i = 0; i < n; ++i) {
    l.text_chars[i] = dom[i].text_chars;
    l.link_chars[i] = dom[i].link_chars;
  }
  for (uint32_t i = 1; i < n; ++i) {
    uint32_t p = dom[i].parent;
    l.block_of[i] = IsBlockTag(dom[p].tag) || dom[p].parent == kNoNode ? p : l.block_of[p];
    if (dom[i].is_text && !dom[i].dropped) l.own_chars[l.block_of[i]] += dom[i].text_chars;
    if (dom[i].end < dom[p].end) l.prev_sibling[dom[i].end] = i;
  }
  return l;
}

// Whether node s is inline text: a text node or an inline element with text.
bool IsInlineText(const Dom& dom, uint32_t s) {
  return s != kNoNode && !dom[s].dropped && dom[s].text_chars > 0 && (dom[s].is_text || !IsBlockTag(dom[s].tag));
}

// An inline element (link, span, em...) in the middle of a sentence: text on both sides of it in
// the same parent. Class words never drop such an element: names and numbers in links and spans
// belong to the sentence around them.
bool IsInsideSentence(const Dom& dom, const Layout& layout, uint32_t i) {
  if (IsBlockTag(dom[i].tag) || dom[i].text_chars > 200) return false;
  uint32_t p = dom[i].parent;
  uint32_t next = dom[i].end < dom[p].end ? dom[i].end : kNoNode;
  return IsInlineText(dom, layout.prev_sibling[i]) && IsInlineText(dom, next);
}

// The deepest element holding at least 80% of the paragraph blocks whose text starts a passage of
// the page's JSON-LD articleBody, or kNoNode when too little of articleBody is found in the page.
uint32_t FindArticleBodyText(const Dom& dom, const Layout& layout, uint32_t body, const std::string& hint) {
  if (hint.size() < 200) return kNoNode;
  // Bounded work on hostile pages: at most 2,000 blocks, each looked up in at most 256 KB.
  const std::string needle_space = CollapseWhitespace(std::string_view(hint).substr(0, size_t{1} << 18));
  std::vector<uint32_t> matched(dom.size(), 0);
  uint32_t total = 0, checked = 0;
  for (uint32_t i = body + 1; i < dom[body].end && checked < 2000; ++i) {
    const DomNode& d = dom[i];
    if (d.dropped) {
      i = d.end - 1;
      continue;
    }
    if (d.is_text || layout.own_chars[i] < 30 || !IsBlockTag(d.tag)) continue;
    ++checked;
    std::string head = dom.TextOf(i, true, 80);
    if (head.size() > 60) head.resize(60);
    while (!head.empty() && (static_cast<unsigned char>(head.back()) & 0xC0) == 0x80) head.pop_back();
    if (!head.empty() && (static_cast<unsigned char>(head.back()) & 0xC0) == 0xC0) head.pop_back();
    if (head.size() < 20 || needle_space.find(head) == std::string::npos) continue;
    matched[i] = layout.own_chars[i];
    total += matched[i];
  }
  if (total < 400 || total * 3 < static_cast<uint32_t>(std::min<size_t>(needle_space.size(), 1u << 30))) return kNoNode;
  for (uint32_t i = dom[body].end; i-- > body + 1;)
    if (dom[i].parent != kNoNode) matched[dom[i].parent] += matched[i];
  uint32_t e = body;
  while (true) {
    uint32_t next = kNoNode;
    for (uint32_t c = e + 1; c < dom[e].end; c = dom[c].end)
      if (!dom[c].is_text && matched[c] * 5 >= total * 4) next = c;
    if (next == kNoNode) break;
    e = next;
  }
  return e == body ? kNoNode : e;
}

// The element the page itself names as its article: itemprop="articleBody", else the element
// holding the JSON-LD articleBody, else one <article> that clearly outweighs the others; kNoNode
// when the page states nothing usable.
uint32_t FindStatedArticle(const Dom& dom, const Layout& layout, uint32_t body, const std::string& hint) {
  uint32_t best = kNoNode;
  for (uint32_t i = body + 1; i < dom[body].end; ++i) {
    const DomNode& d = dom[i];
    if (d.is_text) continue;
    if (d.dropped) {
      i = d.end - 1;
      continue;
    }
    std::string_view prop = dom.Attr(i, "itemprop");
    if (!prop.empty() && HasClassToken(prop, "articleBody") && d.good_chars >= 150 &&
        (best == kNoNode || d.good_chars > dom[best].good_chars))
      best = i;
  }
  if (best != kNoNode) return best;
  best = FindArticleBodyText(dom, layout, body, hint);
  if (best != kNoNode) return best;
  uint32_t first = kNoNode, second_chars = 0;
  for (uint32_t i = body + 1; i < dom[body].end; ++i) {
    const DomNode& d = dom[i];
    if (d.is_text) continue;
    if (d.dropped) {
      i = d.end - 1;
      continue;
    }
    if (d.tag != GUMBO_TAG_ARTICLE) continue;
    if (first == kNoNode || d.good_chars > dom[first].good_chars) {
      if (first != kNoNode && !(i < dom[first].end)) second_chars = std::max(second_chars, dom[first].good_chars);
      first = i;
    } else if (!(i < dom[first].end)) {
      second_chars = std::max(second_chars, d.good_chars);
    }
  }
  if (first != kNoNode && dom[first].good_chars >= 200 && dom[first].good_chars >= 3 * second_chars) return first;
  return kNoNode;
}

bool IsHeadingTag(GumboTag t) {
  return t == GUMBO_TAG_H1 || t == GUMBO_TAG_H2 || t == GUMBO_TAG_H3 || t == GUMBO_TAG_H4 || t == GUMBO_TAG_H5 ||
         t == GUMBO_TAG_H6;
}

// Whether all of block b's text is inside one <strong> or <b> (a heading set in bold).
bool IsBoldLine(const Dom& dom, uint32_t b) {
  for (uint32_t k = b + 1; k < dom[b].end; ++k)
    if (!dom[k].is_text && !dom[k].dropped && (dom[k].tag == GUMBO_TAG_STRONG || dom[k].tag == GUMBO_TAG_B))
      return dom[k].text_chars == dom[b].text_chars;
  return false;
}

// The last blocks of the root, while they are headings with nothing after them ("More on this
// topic:", "Read next", a bold "Share this:"): they introduce what was cut away, not the article.
void DropTrailingHeadings(Dom& dom, const Layout& layout, uint32_t root) {
  for (int round = 0; round < 4; ++round) {
    uint32_t last = kNoNode;
    for (uint32_t k = root + 1; k < dom[root].end; ++k) {
      if (dom[k].dropped) {
        k = dom[k].end - 1;
        continue;
      }
      if (dom[k].is_text && dom[k].text_chars > 0) last = k;
    }
    if (last == kNoNode) return;
    uint32_t b = layout.block_of[last];
    if (b == root || b <= root || b >= dom[root].end) return;
    bool heading = IsHeadingTag(dom[b].tag) || (dom[b].text_chars <= 60 && IsBoldLine(dom, b));
    if (!heading || dom[root].text_chars < dom[b].text_chars + 200) return;  // a page of headings stays
    dom[b].dropped = true;
    dom.ComputeStats();
  }
}

constexpr uint32_t kSiblingPartLevels = 2;  // the root's siblings, then its parent's

// One pass of a dropping rule: offers each element below `top` that is not dropped to
// `drop_if`, in document order, and marks it dropped when the rule says so. Subtrees already
// dropped, or dropped now, are skipped whole; elements with keep[i] set (when `keep` is given)
// are never offered, but their descendants are. Statistics are not recomputed.
template <typename Rule>
void DropWhere(Dom& dom, uint32_t top, const std::vector<uint8_t>* keep, Rule&& drop_if) {
  for (uint32_t i = top + 1; i < dom[top].end; ++i) {
    DomNode& d = dom[i];
    if (d.dropped) {
      i = d.end - 1;
      continue;
    }
    if (d.is_text || (keep != nullptr && (*keep)[i])) continue;
    if (drop_if(i)) {
      d.dropped = true;
      i = d.end - 1;
    }
  }
}

// One selection at the given strictness over the never-text marks already in place. `stated` and
// its ancestors are never dropped. Returns the root.
uint32_t SelectAt(Dom& dom, const Layout& layout, uint32_t body, uint32_t stated, Strictness level) {
  std::vector<uint8_t> is_stated_path(dom.size(), 0);
  for (uint32_t a = stated; a != kNoNode; a = dom[a].parent) is_stated_path[a] = 1;
  const uint32_t total_good = std::max<uint32_t>(dom[body].good_chars, 1);
  const bool teasers = level == Strictness::kFull || level == Strictness::kSoft;

  // Teaser lists hold paragraph-like text that would pull the root up to the page level.
  if (teasers) {
    DropWhere(dom, body, &is_stated_path, [&](uint32_t i) {
      const DomNode& d = dom[i];
      if (d.good_chars * 2 > total_good && d.paragraphs >= 2 && d.link_chars * 5 < d.text_chars) return false;
      return IsTeaserList(dom, i);
    });
  }

  // 1. Boilerplate by tag, role and class/id words. An element that holds most of the page's
  //    paragraph text is never dropped on a hint alone (wrappers carry all sorts of classes).
  if (level != Strictness::kNone) {
    DropWhere(dom, body, &is_stated_path, [&](uint32_t i) {
      const DomNode& d = dom[i];
      bool holds_most = d.good_chars * 2 > total_good && d.paragraphs >= 2;
      if (level == Strictness::kLoose) holds_most = holds_most || d.good_chars > 0;
      bool drop = false;
      switch (d.tag) {
        case GUMBO_TAG_NAV: case GUMBO_TAG_ASIDE: case GUMBO_TAG_FOOTER: case GUMBO_TAG_FORM:
        case GUMBO_TAG_HEADER: case GUMBO_TAG_MENU:
          drop = !holds_most;
          break;
        default:
          break;
      }
      if (!drop) {
        std::string_view role = dom.Attr(i, "role");
        if (!role.empty() && IsBoilerplateRole(role) && !holds_most) drop = true;
      }
      if (!drop && !holds_most && !IsInsideSentence(dom, layout, i)) {
        int h = ElementHints(dom, i);
        bool strong = (h & kHintStrongNegative) != 0;
        if (level == Strictness::kSoft && strong && d.paragraphs > 0 &&
            ((h & kHintPositive) || d.tag == GUMBO_TAG_ARTICLE || d.tag == GUMBO_TAG_MAIN))
          strong = false;
        // Weak words (grid, card, media, header...) also name layout wrappers: they drop only
        // elements without paragraph text.
        if (strong || ((h & kHintWeakNegative) && !(h & kHintPositive) && d.paragraphs == 0)) drop = true;
      }
      return drop;
    });
  }
  dom.ComputeStats();
  // 2. The root: the deepest element that still holds most of the paragraph text. Above a
  //    stated article the walk keeps to the stated article's ancestors: when another child holds
  //    most of the text there (a related box longer than the article), the walk goes on toward
  //    the stated article instead. (Not further: a stated article body is often only its first
  //    part, the rest sits in sibling containers between ads.)
  const uint32_t good = dom[body].good_chars;
  uint32_t root = body;
  const bool use_stated = stated != kNoNode && !dom[stated].dropped && dom[stated].good_chars > 0;
  if (good > 0) {
    while (true) {
      uint32_t best = kNoNode, on_path = kNoNode;
      for (uint32_t c = root + 1; c < dom[root].end; c = dom[c].end) {
        if (dom[c].is_text || dom[c].dropped) continue;
        if (use_stated && is_stated_path[c]) on_path = c;
        if (best == kNoNode || dom[c].good_chars > dom[best].good_chars) best = c;
      }
      if (best == kNoNode || dom[best].good_chars * 4 < good * 3) break;
      root = on_path != kNoNode && dom[on_path].good_chars * 5 >= good ? on_path : best;
    }
  }

  // 2b. An article split over sibling containers: the walk stops in the first part when it holds
  //     most of the text. Siblings of the root that continue it (the same tag and class, or
  //     plain prose blocks) join it under their parent; the parent's other children with text
  //     are dropped. When the root has none, the same is tried one level up: the root sits in
  //     a layout wrapper (a grid row) whose siblings of the same tag and class hold the other
  //     parts; there only siblings with two or more paragraphs continue the article (a one-line
  //     notice box in the same kind of row does not).
  for (uint32_t part = root, level = 0; level < kSiblingPartLevels && part != body && part != stated && good > 0;
       ++level, part = dom[part].parent) {
    const uint32_t parent = dom[part].parent;
    std::string_view cls = dom.Attr(part, "class");
    auto continues = [&](uint32_t c) {
      const DomNode& d = dom[c];
      if (d.good_chars == 0 || d.link_chars * 4 > d.text_chars) return false;
      if (d.tag == dom[part].tag && dom.Attr(c, "class") == cls)
        return d.good_chars * 2 >= d.text_chars && (level == 0 || d.paragraphs >= 2);
      return level == 0 && d.tag == GUMBO_TAG_P && layout.own_chars[c] >= 80;
    };
    bool any = false;
    for (uint32_t c = parent + 1; c < dom[parent].end; c = dom[c].end)
      if (c != part && !dom[c].is_text && !dom[c].dropped && continues(c)) any = true;
    if (any) {
      for (uint32_t c = parent + 1; c < dom[parent].end; c = dom[c].end)
        if (c != part && !dom[c].is_text && !dom[c].dropped && dom[c].text_chars > 0 && !continues(c))
          dom[c].dropped = true;
      root = parent;
      dom.ComputeStats();
      break;
    }
  }

  // 3. Inside the root: link lists and other link-dense blocks.
  DropWhere(dom, root, nullptr, [&](uint32_t i) {
    const DomNode& d = dom[i];
    if (!IsBlockTag(d.tag) || d.text_chars == 0) return false;
    bool link_dense = d.link_chars * 10 > d.text_chars * 5 && d.good_chars * 2 < d.text_chars;
    // A short block with a copyright sign is a credit line (photo credits, site notices).
    bool credit = !d.has_block && d.text_chars <= 150 && dom.TextOf(i, true, 1024).find("\xC2\xA9") != std::string::npos;
    return link_dense || credit;
  });
  dom.ComputeStats();
  DropTrailingHeadings(dom, layout, root);
  return root;
}

// Whether the text ends like a sentence (titles, dates and bylines do not).
bool EndsLikeSentence(const std::string& t) {
  size_t n = t.size();
  while (n > 0 && (t[n - 1] == ' ')) --n;
  if (n == 0) return false;
  char c = t[n - 1];
  if (c == '.' || c == '!' || c == '?' || c == '"' || c == ')' || c == ':') return true;
  std::string_view tail(t.data() + (n >= 3 ? n - 3 : 0), n >= 3 ? 3 : n);
  for (std::string_view end : {"\xE2\x80\xA6", "\xE3\x80\x82", "\xE2\x80\x9D", "\xEF\xBC\x81", "\xEF\xBC\x9F"})
    if (tail.size() >= end.size() && tail.substr(tail.size() - end.size()) == end) return true;
  return n >= 2 && static_cast<unsigned char>(t[n - 2]) == 0xC2 && static_cast<unsigned char>(t[n - 1]) == 0xBB;  // »
}

// The lead (standfirst, intro) of an article often sits outside the container of its body: in
// the article's header, in an "intro" box before it. Returns the last prose block of element s
// (at least 80 characters of its own, almost no links, ending like a sentence; not inside
// nav/aside/footer/form, figures and quotes, nor under a strong class word without a positive
// one), or kNoNode. Statistics are those before any rule.
uint32_t LastProseBlock(const Dom& dom, const Layout& layout, const std::vector<uint8_t>& never_text, uint32_t s) {
  uint32_t found = kNoNode;
  for (uint32_t k = s; k < dom[s].end; ++k) {
    const DomNode& d = dom[k];
    if (never_text[k]) {
      k = d.end - 1;
      continue;
    }
    if (d.is_text) continue;
    bool skip = false;
    switch (d.tag) {
      case GUMBO_TAG_NAV: case GUMBO_TAG_ASIDE: case GUMBO_TAG_FOOTER: case GUMBO_TAG_FORM:
      case GUMBO_TAG_FIGURE: case GUMBO_TAG_FIGCAPTION: case GUMBO_TAG_BLOCKQUOTE:
        skip = true;
        break;
      default: {
        int h = ElementHints(dom, k);
        skip = (h & kHintStrongNegative) && !(h & kHintPositive);
        break;
      }
    }
    if (skip) {
      k = d.end - 1;
      continue;
    }
    if (!IsBlockTag(d.tag) || IsHeadingTag(d.tag) || layout.own_chars[k] < 80 || layout.link_chars[k] * 10 > layout.text_chars[k]) continue;
    found = k;
  }
  if (found == kNoNode) return kNoNode;
  // The block's own text: its text up to the first block inside it.
  return EndsLikeSentence(dom.TextOf(found, true, 4096)) ? found : kNoNode;
}

// Within element c, keeps only the subtrees `a` and `b` (and their paths from c) visible.
void KeepOnly(Dom& dom, uint32_t c, uint32_t a, uint32_t b) {
  std::vector<uint8_t> on_path(dom[c].end - c, 0);  // indexed from c
  std::vector<uint32_t> path;
  for (uint32_t start : {a, b})
    for (uint32_t x = start; x != c && x != kNoNode; x = dom[x].parent) {
      path.push_back(x);
      on_path[x - c] = 1;
    }
  for (uint32_t x : path) {
    uint32_t p = dom[x].parent;
    for (uint32_t k = p + 1; k < dom[p].end; k = dom[k].end)
      if (!on_path[k - c]) dom[k].dropped = true;
  }
  for (uint32_t x : path)
    if (x != a && x != b) dom[x].dropped = false;
}

constexpr int kLeadLevels = 2, kLeadSiblings = 1;  // how far from the root a lead may sit

// Below this many characters of text a selection is implausibly short for an article.
constexpr uint32_t kPlausibleChars = 250;

}  // namespace

MainContentChoice SelectMainContent(Dom* dom_ptr, const std::string& article_body_hint) {
  Dom& dom = *dom_ptr;
  dom.ComputeStats();
  const uint32_t body = FindBody(dom);
  const Layout layout = LayoutOf(dom);
  const uint32_t stated = FindStatedArticle(dom, layout, body, article_body_hint);
  std::vector<uint8_t> never_text(dom.size());
  for (uint32_t i = 0; i < dom.size(); ++i) never_text[i] = dom[i].dropped;
  auto restore = [&] {
    for (uint32_t i = 0; i < dom.size(); ++i) dom[i].dropped = never_text[i];
    dom.ComputeStats();
  };

  // Strict first; while the result is short (below 500 characters for the soft level, 125 for
  // the looser ones), a more lenient level is taken when it finds clearly more text (twice as
  // much), so that a short page is not swapped for clutter.
  MainContentChoice choice;
  Strictness taken = Strictness::kFull, last = Strictness::kFull;
  choice.root = SelectAt(dom, layout, body, stated, Strictness::kFull);
  uint32_t chars = dom[choice.root].text_chars;
  for (Strictness next : {Strictness::kSoft, Strictness::kLoose, Strictness::kNone}) {
    // Leaving the class words aside altogether needs a shorter result still.
    if (chars >= (next == Strictness::kSoft ? 2 * kPlausibleChars : kPlausibleChars / 2)) break;
    restore();
    uint32_t root = SelectAt(dom, layout, body, stated, next);
    last = next;
    uint32_t next_chars = dom[root].text_chars;
    if (next_chars >= 2 * chars + 50) {
      choice.root = root;
      chars = next_chars;
      taken = next;
    }
  }
  if (taken != last) {
    restore();
    choice.root = SelectAt(dom, layout, body, stated, taken);
  }
  // The lead before the root: the nearest preceding element sibling of the root or of its
  // parent, when it holds a prose block (LastProseBlock) in an article's <header> or beside
  // the body inside the stated article. The common parent becomes the root, showing only the
  // lead and the former root.
  if (choice.root != body) {
    uint32_t x = choice.root;
    for (int up = 0; up < kLeadLevels && x != body && dom[x].parent != kNoNode; ++up, x = dom[x].parent) {
      uint32_t lead = kNoNode, seen = 0;
      bool blocked = false;
      for (uint32_t sib = layout.prev_sibling[x]; sib != kNoNode && seen < kLeadSiblings; sib = layout.prev_sibling[sib]) {
        if (dom[sib].is_text || never_text[sib]) continue;
        ++seen;
        lead = LastProseBlock(dom, layout, never_text, sib);
        if (lead != kNoNode || layout.text_chars[sib] >= 200) {
          blocked = lead == kNoNode;
          break;
        }
      }
      if (blocked) break;
      if (lead == kNoNode) continue;
      const uint32_t c = dom[x].parent;
      // Only a lead the page marks as part of the article: in an article's <header>, or beside
      // the body inside the stated article.
      bool in_header = false, in_stated = false;
      for (uint32_t a = lead; a != kNoNode && a != c; a = dom[a].parent) in_header = in_header || dom[a].tag == GUMBO_TAG_HEADER;
      for (uint32_t a = c; a != kNoNode; a = dom[a].parent) in_stated = in_stated || a == stated;
      if (!in_header && !in_stated) break;
      for (uint32_t k = lead; k < dom[lead].end; ++k) dom[k].dropped = never_text[k];
      KeepOnly(dom, c, lead, choice.root);
      choice.root = c;
      dom.ComputeStats();
      chars = dom[c].text_chars;
      break;
    }
  }
  // The page states its article text but the document holds little of it (rendered by scripts).
  uint32_t hint_chars = 0;
  for (unsigned char c : article_body_hint)
    if (!std::isspace(c) && (c & 0xC0) != 0x80) ++hint_chars;
  choice.use_article_body = chars < kPlausibleChars && hint_chars >= 2 * chars + 100 &&
                            article_body_hint.find("</") == std::string::npos;
  return choice;
}

}  // namespace alcor::text
