// The source registry: one line per kind, in the order `alcor sources` lists them.
#include "sources/source_kinds.hpp"

namespace alcor {

namespace {
std::vector<const SourceKind*>& Kinds() {
  static std::vector<const SourceKind*> kinds = {
      // registration lines, one per module
      &ForumMagnumSourceKind(),
      &ArxivSourceKind(),
      &FeedSourceKind(),
      &BookSourceKind(),
  };
  return kinds;
}
}  // namespace

const std::vector<const SourceKind*>& SourceKinds() { return Kinds(); }

void RegisterExtraSourceKind(const SourceKind* kind) { Kinds().push_back(kind); }

const SourceKind* FindSourceKind(std::string_view name) {
  for (const SourceKind* kind : SourceKinds()) {
    if (kind->name == name) return kind;
  }
  return nullptr;
}

}  // namespace alcor
