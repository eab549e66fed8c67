// A flat, pre-order view of a gumbo tree with per-node statistics, so that every later pass
// (metadata, main-content scoring, Markdown) walks an array instead of recursing over the tree.
//
// Node i's subtree is [i, nodes[i].end); its children are i+1, then nodes[child].end, ... up to
// end. Nothing here recurses, so depth is bounded only by what gumbo built.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <gumbo.h>

namespace alcor::text {

inline constexpr uint32_t kNoNode = 0xFFFFFFFFu;

struct DomNode {
  const GumboNode* g = nullptr;
  uint32_t parent = kNoNode;
  uint32_t end = 0;  // one past the last node of the subtree
  GumboTag tag = GUMBO_TAG_UNKNOWN;
  bool is_text = false;   // text, CDATA or whitespace
  bool dropped = false;   // never rendered (with its subtree)
  // Statistics over the subtree, dropped subtrees excluded (see Dom::ComputeStats).
  uint32_t text_chars = 0;    // non-space characters
  uint32_t link_chars = 0;    // of which inside <a>
  uint32_t good_chars = 0;    // of which in paragraph-like blocks with low link density
  uint32_t paragraphs = 0;    // such blocks
  uint32_t commas = 0;
  bool has_block = false;     // a block-level element below
};

class Dom {
 public:
  // Flattens `root` (usually output->document). REQUIRES: the GumboOutput outlives the Dom.
  explicit Dom(const GumboNode* root);

  std::vector<DomNode>& nodes() { return nodes_; }
  const std::vector<DomNode>& nodes() const { return nodes_; }
  const DomNode& operator[](uint32_t i) const { return nodes_[i]; }
  DomNode& operator[](uint32_t i) { return nodes_[i]; }
  uint32_t size() const { return static_cast<uint32_t>(nodes_.size()); }

  // Recomputes the statistics, honouring `dropped`.
  void ComputeStats();

  // First element with `tag` in document order (kNoNode when absent).
  uint32_t Find(GumboTag tag, uint32_t from = 0, uint32_t to = kNoNode) const;

  // Element helpers (return "" for text nodes and absent attributes).
  std::string_view Attr(uint32_t i, const char* name) const;
  bool HasAttr(uint32_t i, const char* name) const;
  // Concatenated text of the subtree (dropped nodes skipped), whitespace collapsed and trimmed
  // when `collapse`; capped at max_bytes.
  std::string TextOf(uint32_t i, bool collapse = true, size_t max_bytes = 1 << 20) const;
  // Lower-case tag name (also for unknown tags such as <mjx-container>).
  std::string TagName(uint32_t i) const;

 private:
  std::vector<DomNode> nodes_;
};

// Whether the tag starts a block (a line break before and after) in Markdown.
bool IsBlockTag(GumboTag tag);
// True for class tokens: "a b" contains token b.
bool HasClassToken(std::string_view classes, std::string_view token);

}  // namespace alcor::text
