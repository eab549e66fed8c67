// Dates: every date alcor stores is RFC 3339 in UTC with a 'Z' ("2022-03-04T18:04:53Z").
// Parsers convert offsets and named zones to UTC; they never drop a timezone silently.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace alcor {

// Seconds since the Unix epoch → "YYYY-MM-DDTHH:MM:SSZ".
std::string FormatRfc3339Utc(int64_t unix_seconds);
// Microseconds since the epoch → the same form (whole seconds).
inline std::string FormatRfc3339UtcMicros(int64_t unix_micros) {
  return FormatRfc3339Utc(unix_micros / 1000000);
}

// Parses RFC 3339 / ISO 8601 date-times ("2022-03-04T18:04:53.123+01:00", "...Z", a date alone
// "2022-03-04" as midnight UTC, a space instead of 'T'). Returns seconds since the epoch, or
// nullopt when the text is not such a date or a field is out of range.
std::optional<int64_t> ParseRfc3339(std::string_view text);

// Parses RFC 822 / RFC 1123 / RFC 850 / asctime dates as used by HTTP and RSS ("Fri, 04 Mar 2022
// 18:04:53 GMT", "4 Mar 2022 18:04 +0100", "... EST"), with named US zones and numeric offsets.
std::optional<int64_t> ParseRfc822(std::string_view text);

// Tries RFC 3339, then RFC 822; returns the UTC RFC 3339 form or nullopt.
std::optional<std::string> NormalizeDateToUtc(std::string_view text);

// True when text is exactly the canonical form FormatRfc3339Utc produces, or an RFC 3339
// date-time with fractional seconds and 'Z'. Used by validate.
bool IsRfc3339Utc(std::string_view text);

}  // namespace alcor
