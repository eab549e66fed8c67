// RetryPolicy: when and after how long a failed transfer is tried again. Pure computation (no
// clock, no randomness of its own), so it is tested without sleeping; the client feeds it the
// elapsed time from its Env clock and a jitter draw.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "alcor/http.hpp"

namespace alcor {

// 408, 429, 500, 502, 503, 504: answers that say "try again later".
bool IsRetryableHttpStatus(int status);
// Methods that may be repeated without changing the server's state twice.
bool IsIdempotentMethod(std::string_view method);

// Parses a Retry-After value: delta-seconds ("120") or an HTTP date ("Fri, 31 Dec 1999 23:59:59
// GMT"). Returns the wait in microseconds from now_unix_micros (0 for a date in the past), or
// nullopt when the value is neither.
std::optional<int64_t> ParseRetryAfter(std::string_view value, int64_t now_unix_micros);

class RetryPolicy {
 public:
  explicit RetryPolicy(RetryOptions options) : options_(options) {}

  struct Decision {
    bool retry = false;
    int64_t delay_micros = 0;  // when retry
    std::string why_not;       // when !retry: for the error message ("after 5 attempts")
  };

  // After attempts_made failed transfers (>= 1), elapsed_micros since the first one started,
  // and the server's Retry-After (if any): retry, and after how long? jitter01 in [0, 1) picks
  // the delay within [backoff/2, backoff] ("equal jitter"), so many clients do not retry in step.
  // Retry-After raises the delay to at least its value; one longer than max_retry_after_ms, or a
  // retry that would start after max_total_ms, gives up.
  Decision Next(int attempts_made, int64_t elapsed_micros,
                std::optional<int64_t> retry_after_micros, double jitter01) const;

  // The backoff before retry number n (1 = first retry) without jitter, capped.
  int64_t BaseBackoffMicros(int retry_number) const;

  const RetryOptions& options() const { return options_; }

 private:
  RetryOptions options_;
};

}  // namespace alcor
