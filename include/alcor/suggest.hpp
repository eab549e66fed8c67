// "Did you mean": the closest of a set of names, for errors about unknown commands and keys.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace alcor {

// Levenshtein distance (insertions, deletions, substitutions of bytes).
size_t EditDistance(std::string_view a, std::string_view b);

// The candidate closest to word when its distance is below max(3, word.size() / 3), else "".
std::string ClosestMatch(std::string_view word, const std::vector<std::string>& candidates);

// ", did you mean 'x'?" or "" (for appending to a message).
std::string DidYouMean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace alcor
