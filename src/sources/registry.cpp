// The source registry: one line per kind, in the order `alcor sources` lists them.
#include "sources/source_kinds.hpp"

namespace alcor {

const std::vector<const SourceKind*>& SourceKinds() {
  static const std::vector<const SourceKind*> kinds = {
      // registration lines, one per module
      &ForumMagnumSourceKind(),
      &FeedSourceKind(),
  };
  return kinds;
}

const SourceKind* FindSourceKind(std::string_view name) {
  for (const SourceKind* kind : SourceKinds()) {
    if (kind->name == name) return kind;
  }
  return nullptr;
}

}  // namespace alcor
