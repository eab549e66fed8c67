// The built-in source kinds: one line per kind, in the order `alcor sources` lists them. Each
// function is defined in its kind's folder under src/sources/ (docs/architecture.md "Sources").
#include "alcor/source_config.hpp"

namespace alcor {

const SourceKind& ForumMagnumSourceKind();  // src/sources/forummagnum/
const SourceKind& ArxivSourceKind();        // src/sources/arxiv/
const SourceKind& FeedSourceKind();         // src/sources/feed/
const SourceKind& BookSourceKind();         // src/sources/book/
const SourceKind& FileSourceKind();         // src/sources/file/

const SourceKindList& BuiltinSourceKinds() {
  static const SourceKindList kinds = {
      &ForumMagnumSourceKind(),
      &ArxivSourceKind(),
      &FeedSourceKind(),
      &BookSourceKind(),
      &FileSourceKind(),
  };
  return kinds;
}

}  // namespace alcor
