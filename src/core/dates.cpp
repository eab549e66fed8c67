#include "alcor/dates.hpp"
#include "alcor/strings.hpp"

#include <array>
#include <cctype>
#include <cstring>

namespace alcor {
namespace {

// Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (Howard Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2);
}

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned DaysInMonth(int64_t y, unsigned m) {
  static constexpr std::array<unsigned, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// Reads exactly n digits at *pos.
bool ReadDigits(std::string_view s, size_t* pos, size_t n, int* out) {
  if (*pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[*pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *pos += n;
  *out = v;
  return true;
}

// Reads 1..max digits.
bool ReadNumber(std::string_view s, size_t* pos, size_t max, int* out) {
  size_t start = *pos;
  int v = 0;
  while (*pos < s.size() && *pos - start < max && std::isdigit(static_cast<unsigned char>(s[*pos]))) {
    v = v * 10 + (s[*pos] - '0');
    ++*pos;
  }
  *out = v;
  return *pos > start;
}

std::optional<int64_t> ToEpoch(int year, int month, int day, int hour, int minute, int second,
                               int offset_seconds) {
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  if (static_cast<unsigned>(day) > DaysInMonth(year, static_cast<unsigned>(month))) return std::nullopt;
  if (second == 60) second = 59;  // leap second: clamp, the record keeps whole seconds
  int64_t days = DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  return days * 86400 + hour * 3600 + minute * 60 + second - offset_seconds;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

}  // namespace

std::string FormatRfc3339Utc(int64_t unix_seconds) {
  int64_t days = unix_seconds >= 0 ? unix_seconds / 86400 : -((-unix_seconds + 86399) / 86400);
  int64_t rem = unix_seconds - days * 86400;
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%04lld-%02u-%02uT%02d:%02d:%02dZ", static_cast<long long>(y), m, d,
                static_cast<int>(rem / 3600), static_cast<int>(rem % 3600 / 60), static_cast<int>(rem % 60));
  return buf;
}

std::optional<int64_t> ParseRfc3339(std::string_view text) {
  std::string_view s = TrimAscii(text);
  size_t pos = 0;
  int year, month, day, hour = 0, minute = 0, second = 0;
  if (!ReadDigits(s, &pos, 4, &year) || pos >= s.size() || s[pos++] != '-') return std::nullopt;
  if (!ReadDigits(s, &pos, 2, &month) || pos >= s.size() || s[pos++] != '-') return std::nullopt;
  if (!ReadDigits(s, &pos, 2, &day)) return std::nullopt;
  int offset = 0;
  if (pos == s.size()) return ToEpoch(year, month, day, 0, 0, 0, 0);  // a date alone: midnight UTC
  if (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ') return std::nullopt;
  ++pos;
  if (!ReadDigits(s, &pos, 2, &hour) || pos >= s.size() || s[pos++] != ':') return std::nullopt;
  if (!ReadDigits(s, &pos, 2, &minute)) return std::nullopt;
  if (pos < s.size() && s[pos] == ':') {
    ++pos;
    if (!ReadDigits(s, &pos, 2, &second)) return std::nullopt;
    if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
      ++pos;
      size_t start = pos;
      while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) ++pos;
      if (pos == start) return std::nullopt;
    }
  }
  if (pos == s.size()) {
    offset = 0;  // no zone: ISO 8601 local time; taken as UTC (documented in docs/schema.md)
  } else if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    int sign = s[pos] == '-' ? -1 : 1;
    ++pos;
    int oh, om = 0;
    if (!ReadDigits(s, &pos, 2, &oh)) return std::nullopt;
    if (pos < s.size() && s[pos] == ':') ++pos;
    if (pos < s.size() && !ReadDigits(s, &pos, 2, &om)) return std::nullopt;
    if (oh > 23 || om > 59) return std::nullopt;
    offset = sign * (oh * 3600 + om * 60);
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  return ToEpoch(year, month, day, hour, minute, second, offset);
}

std::optional<int64_t> ParseRfc822(std::string_view text) {
  static constexpr const char* kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                            "jul", "aug", "sep", "oct", "nov", "dec"};
  struct Zone {
    const char* name;
    int hours;
  };
  static constexpr Zone kZones[] = {{"UT", 0},   {"UTC", 0},  {"GMT", 0},  {"Z", 0},    {"EST", -5},
                                    {"EDT", -4}, {"CST", -6}, {"CDT", -5}, {"MST", -7}, {"MDT", -6},
                                    {"PST", -8}, {"PDT", -7}, {"BST", 1},  {"CET", 1},  {"CEST", 2}};
  std::string_view s = TrimAscii(text);
  // Tokenise on spaces, commas; keep ':' inside tokens.
  std::string_view tokens[8];
  size_t n = 0;
  size_t i = 0;
  while (i < s.size() && n < 8) {
    while (i < s.size() && (s[i] == ' ' || s[i] == ',' || s[i] == '\t')) ++i;
    size_t start = i;
    while (i < s.size() && s[i] != ' ' && s[i] != ',' && s[i] != '\t') ++i;
    if (i > start) tokens[n++] = s.substr(start, i - start);
  }
  if (i < s.size()) return std::nullopt;
  int day = -1, month = -1, year = -1, hour = -1, minute = 0, second = 0;
  std::optional<int> offset;
  for (size_t t = 0; t < n; ++t) {
    std::string_view tok = tokens[t];
    if (tok.find(':') != std::string_view::npos) {
      size_t p = 0;
      if (!ReadNumber(tok, &p, 2, &hour) || p >= tok.size() || tok[p++] != ':') return std::nullopt;
      if (!ReadNumber(tok, &p, 2, &minute)) return std::nullopt;
      if (p < tok.size()) {
        if (tok[p++] != ':' || !ReadNumber(tok, &p, 2, &second) || p != tok.size()) return std::nullopt;
      }
      continue;
    }
    if ((tok[0] == '+' || tok[0] == '-') && tok.size() == 5 && hour >= 0) {
      size_t p = 1;
      int hh, mm;
      if (!ReadDigits(tok, &p, 2, &hh) || !ReadDigits(tok, &p, 2, &mm)) return std::nullopt;
      offset = (tok[0] == '-' ? -1 : 1) * (hh * 3600 + mm * 60);
      continue;
    }
    if (std::isdigit(static_cast<unsigned char>(tok[0]))) {
      // "04-Mar-22" (RFC 850) or a plain number.
      if (tok.find('-') != std::string_view::npos) {
        size_t d1 = tok.find('-'), d2 = tok.rfind('-');
        if (d1 == d2) return std::nullopt;
        size_t p = 0;
        if (!ReadNumber(tok, &p, 2, &day)) return std::nullopt;
        std::string_view mon = tok.substr(d1 + 1, d2 - d1 - 1);
        for (int k = 0; k < 12; ++k)
          if (mon.size() >= 3 && EqualsIgnoreCase(mon.substr(0, 3), kMonths[k])) month = k + 1;
        p = d2 + 1;
        if (!ReadNumber(tok, &p, 4, &year) || p != tok.size()) return std::nullopt;
        if (year < 100) year += year < 70 ? 2000 : 1900;
        continue;
      }
      size_t p = 0;
      int v;
      if (!ReadNumber(tok, &p, 4, &v) || p != tok.size()) return std::nullopt;
      if (tok.size() == 4) year = v;
      else if (day < 0) day = v;
      else if (year < 0) year = v < 70 ? 2000 + v : (v < 100 ? 1900 + v : v);
      else return std::nullopt;
      continue;
    }
    bool matched = false;
    for (int k = 0; k < 12 && !matched; ++k) {
      if (tok.size() >= 3 && EqualsIgnoreCase(tok.substr(0, 3), kMonths[k]) &&
          (tok.size() == 3 || tok.size() > 3)) {
        // Month names ("Mar", "March"); weekday names never start with a month's letters.
        month = k + 1;
        matched = true;
      }
    }
    if (matched) continue;
    if (hour >= 0) {
      for (const Zone& z : kZones)
        if (EqualsIgnoreCase(tok, z.name)) {
          offset = z.hours * 3600;
          matched = true;
        }
      if (matched) continue;
    }
    // Weekday names and anything else before the time are ignored; unknown zones are not.
    if (hour >= 0) return std::nullopt;
  }
  if (day < 0 || month < 0 || year < 0) return std::nullopt;
  if (hour < 0) hour = 0;
  return ToEpoch(year, month, day, hour, minute, second, offset.value_or(0));
}

std::optional<std::string> NormalizeDateToUtc(std::string_view text) {
  if (auto t = ParseRfc3339(text)) return FormatRfc3339Utc(*t);
  if (auto t = ParseRfc822(text)) return FormatRfc3339Utc(*t);
  return std::nullopt;
}

bool IsRfc3339Utc(std::string_view s) {
  if (s.size() < 20 || s.back() != 'Z') return false;
  if (!ParseRfc3339(s)) return false;
  // Offsets other than Z are not UTC form.
  return s[10] == 'T';
}

}  // namespace alcor
