// Bounded JSON parsing: the one way alcor reads JSON it did not just write itself (HTTP answers,
// configs, shard lines, state and store files, JSON-LD in pages).
//
// nlohmann::json parses iteratively, but copying, comparing, dumping or walking a value recurses
// once per level of nesting, so a document nested 200,000 deep (1.2 MB of "[[[[...") overflows
// the stack of whoever touches it next. ParseJson refuses such a document while parsing, before
// any deep value exists, and says which input it was and what limit it broke.
#pragma once

#include "alcor/status.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string_view>

namespace alcor {

// The deepest nesting of arrays and objects ParseJson accepts by default. Real answers nest far
// less (a GraphQL post about 10 levels, JSON-LD about 8); at this depth every recursive walk of
// the value stays far inside a thread's stack, sanitizers included.
inline constexpr std::size_t kMaxJsonDepth = 512;

struct JsonParseOptions {
  std::size_t max_depth = kMaxJsonDepth;  // a top-level scalar is depth 0, "[]" depth 1
  bool ignore_comments = false;            // accept /* */ and // comments (configuration files)
};

// Parses text, which must be exactly one JSON value (surrounding whitespace allowed).
// `what` names the input for the error message (a path, "path:line", a URL, "the GraphQL answer").
// Errors (the message always starts with what):
//   LimitExceeded   "<what>: JSON nested deeper than 512 levels" (nothing deeper was built);
//   InvalidArgument "<what>: not valid JSON: <the parser's message with line and column>".
// Callers reading their own stored data map InvalidArgument to Corruption as their contract says.
// Time and memory are linear in text.size(); no recursion deeper than max_depth happens here.
Result<nlohmann::json> ParseJson(std::string_view text, std::string_view what, const JsonParseOptions& options = {});

}  // namespace alcor
