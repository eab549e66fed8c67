// Internal helpers of the normalizer: UTF-8 decoding and the character classes the text hygiene
// rules use (docs/normalization.md, "Text hygiene").
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace alcor::text {

// Decodes the code point at s[*i] and advances *i past it. REQUIRES: s is valid UTF-8 (as gumbo
// and ReplaceInvalidUtf8 produce) and *i < s.size().
inline char32_t NextCodePoint(std::string_view s, size_t* i) {
  unsigned char c = static_cast<unsigned char>(s[*i]);
  if (c < 0x80) {
    ++*i;
    return c;
  }
  int len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
  if (*i + len > s.size()) {  // defensive: treat a truncated tail as U+FFFD
    *i = s.size();
    return 0xFFFD;
  }
  char32_t cp = c & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
  for (int k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[*i + k]) & 0x3F);
  *i += len;
  return cp;
}

inline void AppendUtf8(std::string* out, char32_t cp) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Characters that never reach the text: C0 controls but TAB/LF/CR/FF, DEL and C1 controls,
// soft hyphen, zero-width space/joiners, LRM/RLM, word joiner, BOM / zero-width no-break space.
inline bool IsRemovedChar(char32_t cp) {
  if (cp < 0x20) return cp != '\t' && cp != '\n' && cp != '\r' && cp != '\f';
  if (cp < 0x7F) return false;
  if (cp <= 0x9F) return true;
  return cp == 0xAD || (cp >= 0x200B && cp <= 0x200F) || cp == 0x2060 || cp == 0xFEFF;
}

// Whitespace for collapsing: ASCII space, TAB, LF, CR, FF, VT and the Unicode spaces (no-break
// space included: pages use &nbsp; for layout, and it carries no meaning in Markdown text).
inline bool IsSpaceChar(char32_t cp) {
  if (cp <= 0x20) return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f' || cp == '\v';
  return cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 ||
         cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

// Length of the first invalid sequence's prefix handling: true when s is entirely valid UTF-8.
bool IsValidUtf8(std::string_view s);

}  // namespace alcor::text
