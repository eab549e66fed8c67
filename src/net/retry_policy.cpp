#include "net/retry_policy.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "alcor/dates.hpp"

namespace alcor {

bool IsRetryableHttpStatus(int status) {
  switch (status) {
    case 408: case 429: case 500: case 502: case 503: case 504:
      return true;
    default:
      return false;
  }
}

bool IsIdempotentMethod(std::string_view method) {
  return method == "GET" || method == "HEAD" || method == "PUT" || method == "DELETE" ||
         method == "OPTIONS" || method == "TRACE";
}

std::optional<int64_t> ParseRetryAfter(std::string_view value, int64_t now_unix_micros) {
  while (!value.empty() && std::isspace(static_cast<unsigned char>(value.front()))) {
    value.remove_prefix(1);
  }
  while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back()))) {
    value.remove_suffix(1);
  }
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(),
                  [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
    if (value.size() > 9) return int64_t{999999999} * 1000000;  // absurd; callers cap it
    int64_t seconds = 0;
    for (char c : value) seconds = seconds * 10 + (c - '0');
    return seconds * 1000000;
  }
  std::optional<int64_t> when = ParseRfc822(value);
  if (!when) return std::nullopt;
  int64_t delta = *when * 1000000 - now_unix_micros;
  return std::max<int64_t>(delta, 0);
}

int64_t RetryPolicy::BaseBackoffMicros(int retry_number) const {
  double ms = static_cast<double>(options_.initial_backoff_ms) *
              std::pow(options_.multiplier, std::max(0, retry_number - 1));
  ms = std::min(ms, static_cast<double>(options_.max_backoff_ms));
  return static_cast<int64_t>(ms * 1000);
}

RetryPolicy::Decision RetryPolicy::Next(int attempts_made, int64_t elapsed_micros,
                                        std::optional<int64_t> retry_after_micros,
                                        double jitter01) const {
  Decision d;
  if (attempts_made >= options_.max_attempts) {
    d.why_not = "after " + std::to_string(attempts_made) +
                (attempts_made == 1 ? " attempt" : " attempts");
    return d;
  }
  jitter01 = std::clamp(jitter01, 0.0, 1.0);
  int64_t base = BaseBackoffMicros(attempts_made);
  int64_t delay = base / 2 + static_cast<int64_t>(static_cast<double>(base / 2) * jitter01);
  if (retry_after_micros) {
    if (*retry_after_micros > options_.max_retry_after_ms * 1000) {
      d.why_not = "Retry-After of " + std::to_string(*retry_after_micros / 1000000) +
                  " s is longer than the allowed " +
                  std::to_string(options_.max_retry_after_ms / 1000) + " s";
      return d;
    }
    delay = std::max(delay, *retry_after_micros);
  }
  if (elapsed_micros + delay > options_.max_total_ms * 1000) {
    d.why_not = "after " + std::to_string(attempts_made) + " attempts (retry budget of " +
                std::to_string(options_.max_total_ms / 1000) + " s spent)";
    return d;
  }
  d.retry = true;
  d.delay_micros = delay;
  return d;
}

}  // namespace alcor
