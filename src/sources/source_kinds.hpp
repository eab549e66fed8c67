// The registered source kinds, one function per module (defined in the module's file). Add a
// kind by declaring its function here and listing it in registry.cpp.
#pragma once

#include "alcor/source.hpp"

namespace alcor {

// (declarations are added by each source module)
const SourceKind& ForumMagnumSourceKind();
const SourceKind& ArxivSourceKind();
const SourceKind& FeedSourceKind();
const SourceKind& BookSourceKind();

}  // namespace alcor
