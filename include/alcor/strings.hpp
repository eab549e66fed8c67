// Small ASCII string helpers shared by the library, its tools and the emulators. They are
// locale-independent on purpose: only A-Z and a-z change case and only ASCII whitespace is
// trimmed, whatever setlocale() says, because the protocols and formats they serve (HTTP headers,
// URLs, XML, robots.txt, dates) are defined in ASCII. Bytes >= 0x80 pass through unchanged.
#pragma once

#include <string>
#include <string_view>

namespace alcor {

inline char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
inline bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

// s with A-Z mapped to a-z.
std::string AsciiLower(std::string_view s);

// s without leading and trailing ASCII whitespace (" \t\n\v\f\r"); a view into s.
std::string_view TrimAscii(std::string_view s);

// Whether needle occurs in haystack, comparing A-Z and a-z as equal. An empty needle is found.
bool ContainsNoCase(std::string_view haystack, std::string_view needle);

// Whether s starts with prefix, comparing A-Z and a-z as equal.
bool StartsWithNoCase(std::string_view s, std::string_view prefix);

// Whether s ends with suffix, comparing A-Z and a-z as equal.
bool EndsWithNoCase(std::string_view s, std::string_view suffix);

// The value of a hexadecimal digit (0-9, a-f, A-F), or -1.
int HexDigitValue(char c);

// %XX sequences decoded (malformed ones kept as they are); '+' becomes a space when
// plus_is_space (form encoding, as in URL query strings).
std::string PercentDecode(std::string_view s, bool plus_is_space = false);

// s with & < > " ' written as XML entities: safe in element text and in quoted attributes.
std::string XmlEscape(std::string_view s);

// Runs of ASCII whitespace (newlines included) become one space; leading and trailing
// whitespace removed.
std::string CollapseWhitespace(std::string_view text);

// Whether text matches pattern, in which '*' stands for any run of characters (empty included)
// and, when question_mark_matches_one, '?' for any one character; every other byte stands for
// itself. With prefix_is_enough, the pattern need only match a prefix of text (robots.txt paths).
// Iterative with one backtrack point: never recursive, O(|pattern| * |text|) at worst.
struct WildcardOptions {
  bool question_mark_matches_one = true;
  bool prefix_is_enough = false;
};
bool WildcardMatch(std::string_view pattern, std::string_view text, WildcardOptions options = {});

// s without trailing '/' characters ("https://a.org//" → "https://a.org").
std::string StripTrailingSlashes(std::string s);

}  // namespace alcor
