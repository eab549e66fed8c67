// RobotsRules: robots.txt as RFC 9309 reads it, plus the common Crawl-delay extension.
//
// The groups whose user-agent matches our product token ("alcor", case-insensitive) apply; when
// none does, the "*" groups apply; when there is none either, everything is allowed. Within the
// applicable rules the longest matching pattern wins and Allow wins a tie. Patterns support "*"
// (any run of characters) and a final "$" (end of the path). /robots.txt itself is always allowed.
// Untrusted input: text past kMaxRobotsBytes is ignored, lines are capped, nothing recurses.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace alcor {

inline constexpr size_t kMaxRobotsBytes = 512 * 1024;

class RobotsRules {
 public:
  // Everything allowed, no delay (a missing robots.txt, a 4xx answer).
  RobotsRules() = default;
  static RobotsRules Parse(std::string_view text, std::string_view product_token = "alcor");

  // path_and_query: the URL path with its query ("/a/b?x=1"); "" means "/".
  bool Allowed(std::string_view path_and_query) const;
  // Crawl-delay of the applicable groups, in seconds (the largest when several give one).
  std::optional<double> crawl_delay_s() const { return crawl_delay_s_; }
  size_t rule_count() const { return rules_.size(); }

 private:
  struct Rule {
    bool allow;
    std::string pattern;
  };
  static bool Matches(std::string_view pattern, std::string_view path);
  std::vector<Rule> rules_;
  std::optional<double> crawl_delay_s_;
};

}  // namespace alcor
