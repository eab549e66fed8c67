#include "formats/main_content.hpp"

#include <algorithm>
#include <cctype>
#include <iterator>
#include <vector>

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
    "author*", "share", "hidden", "rss", "follow", "skip", "toolbar", "dateline", "timestamp", "widget*",
    "overlay", "paywall", "donate", "donation", "subscribe", "jump", "toc", "print", "readmore",
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
  // Whole-value matches for utility classes that split into harmless words.
  for (std::string_view whole : {"sr-only", "screen-reader-text", "visually-hidden", "visuallyhidden", "hide"})
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

}  // namespace

uint32_t SelectMainContent(Dom* dom_ptr, const std::string& article_body_hint) {
  Dom& dom = *dom_ptr;
  (void)article_body_hint;
  dom.ComputeStats();
  uint32_t body = FindBody(dom);
  const uint32_t total_good = std::max<uint32_t>(dom[body].good_chars, 1);

  // Teaser lists hold paragraph-like text that would pull the root up to the page level.
  for (uint32_t i = body + 1; i < dom[body].end; ++i) {
    DomNode& d = dom[i];
    if (d.is_text || d.dropped) {
      if (d.dropped) i = d.end - 1;
      continue;
    }
    if (d.good_chars * 2 > total_good && d.paragraphs >= 2 && d.link_chars * 5 < d.text_chars) continue;
    if (IsTeaserList(dom, i)) {
      d.dropped = true;
      i = d.end - 1;
    }
  }

  // 1. Boilerplate by tag, role and class/id words. An element that holds most of the page's
  //    paragraph text is never dropped on a hint alone (wrappers carry all sorts of classes).
  for (uint32_t i = body + 1; i < dom[body].end; ++i) {
    DomNode& d = dom[i];
    if (d.is_text || d.dropped) {
      if (d.dropped) i = d.end - 1;
      continue;
    }
    bool holds_most = d.good_chars * 2 > total_good && d.paragraphs >= 2;
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
    if (!drop && !holds_most) {
      int h = ElementHints(dom, i);
      // Weak words (grid, card, media, header...) also name layout wrappers: they drop only
      // elements without paragraph text.
      if ((h & kHintStrongNegative) || ((h & kHintWeakNegative) && !(h & kHintPositive) && d.paragraphs == 0))
        drop = true;
    }
    if (drop) {
      d.dropped = true;
      i = d.end - 1;
    }
  }
  dom.ComputeStats();
  // 2. The root: the deepest element that still holds most of the paragraph text.
  const uint32_t good = dom[body].good_chars;
  uint32_t root = body;
  if (good > 0) {
    while (true) {
      uint32_t best = kNoNode;
      for (uint32_t c = root + 1; c < dom[root].end; c = dom[c].end) {
        if (dom[c].is_text || dom[c].dropped) continue;
        if (best == kNoNode || dom[c].good_chars > dom[best].good_chars) best = c;
      }
      if (best == kNoNode || dom[best].good_chars * 4 < good * 3) break;
      root = best;
    }
  }

  // 3. Inside the root: link lists and other link-dense blocks.
  for (uint32_t i = root + 1; i < dom[root].end; ++i) {
    DomNode& d = dom[i];
    if (d.is_text || d.dropped) {
      if (d.dropped) i = d.end - 1;
      continue;
    }
    if (!IsBlockTag(d.tag) || d.text_chars == 0) continue;
    bool link_dense = d.link_chars * 10 > d.text_chars * 5 && d.good_chars * 2 < d.text_chars;
    if (link_dense) {
      d.dropped = true;
      i = d.end - 1;
    }
  }
  dom.ComputeStats();
  return root;
}

}  // namespace alcor::text
