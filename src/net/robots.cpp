#include "net/robots.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "alcor/strings.hpp"

namespace alcor {

namespace {

struct Group {
  std::vector<std::string> agents;  // lower-case
  std::vector<std::pair<bool, std::string>> rules;
  std::optional<double> crawl_delay;
};

}  // namespace

RobotsRules RobotsRules::Parse(std::string_view text, std::string_view product_token) {
  if (text.size() > kMaxRobotsBytes) text = text.substr(0, kMaxRobotsBytes);
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  std::vector<Group> groups;
  bool last_was_agent = false;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find_first_of("\r\n", pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    if (line.size() > 4096) continue;  // no real rule is this long
    if (size_t hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string key = AsciiLower(TrimAscii(line.substr(0, colon)));
    std::string_view value = TrimAscii(line.substr(colon + 1));
    if (key == "user-agent") {
      if (!last_was_agent || groups.empty()) groups.emplace_back();
      groups.back().agents.push_back(AsciiLower(value));
      last_was_agent = true;
      continue;
    }
    last_was_agent = false;
    if (groups.empty()) continue;  // rules before any user-agent line belong to no group
    if (key == "allow" || key == "disallow") {
      if (value.empty()) continue;  // "Disallow:" with nothing allows everything
      if (groups.back().rules.size() < 10000) {
        groups.back().rules.emplace_back(key == "allow", std::string(value));
      }
    } else if (key == "crawl-delay") {
      char* parse_end = nullptr;
      std::string number(value);
      double d = std::strtod(number.c_str(), &parse_end);
      if (parse_end != number.c_str() && d >= 0 && d == d) {
        d = std::min(d, 86400.0);
        Group& g = groups.back();
        g.crawl_delay = std::max(g.crawl_delay.value_or(0.0), d);
      }
    }
  }

  // The product token matches a user-agent line when that line's first word equals it.
  std::string token = AsciiLower(product_token);
  auto agent_matches = [&](const std::string& agent) {
    std::string_view first = agent;
    if (size_t sp = first.find_first_of(" /"); sp != std::string_view::npos) {
      first = first.substr(0, sp);
    }
    return first == token;
  };
  RobotsRules result;
  for (int pass = 0; pass < 2; ++pass) {
    for (const Group& g : groups) {
      bool applies = std::any_of(g.agents.begin(), g.agents.end(), [&](const std::string& a) {
        return pass == 0 ? agent_matches(a) : a == "*";
      });
      if (!applies) continue;
      for (const auto& [allow, pattern] : g.rules) result.rules_.push_back({allow, pattern});
      if (g.crawl_delay) {
        result.crawl_delay_s_ = std::max(result.crawl_delay_s_.value_or(0.0), *g.crawl_delay);
      }
    }
    if (!result.rules_.empty() || result.crawl_delay_s_) break;
    // A group naming us but empty still counts as "ours" (everything allowed).
    bool named = std::any_of(groups.begin(), groups.end(), [&](const Group& g) {
      return std::any_of(g.agents.begin(), g.agents.end(), agent_matches);
    });
    if (named) break;
  }
  return result;
}

bool RobotsRules::Matches(std::string_view pattern, std::string_view path) {
  bool anchored = !pattern.empty() && pattern.back() == '$';
  if (anchored) pattern.remove_suffix(1);
  return WildcardMatch(pattern, path, {.question_mark_matches_one = false, .prefix_is_enough = !anchored});
}

bool RobotsRules::Allowed(std::string_view path) const {
  if (path.empty()) path = "/";
  if (path == "/robots.txt") return true;
  size_t best_len = 0;
  bool best_allow = true;
  bool matched = false;
  for (const Rule& rule : rules_) {
    if (!Matches(rule.pattern, path)) continue;
    size_t len = rule.pattern.size();
    if (!matched || len > best_len || (len == best_len && rule.allow && !best_allow)) {
      matched = true;
      best_len = len;
      best_allow = rule.allow;
    }
  }
  return best_allow;
}

}  // namespace alcor
