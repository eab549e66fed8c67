// UTF-8 repair, NFC (utf8proc) and the plain-text hygiene rules (CleanText).
#include <cstdlib>
#include <cstring>

#include <utf8proc.h>

#include "alcor/normalize.hpp"
#include "text/unicode_util.hpp"

namespace alcor {
namespace {

// Length of the valid UTF-8 sequence at s[i], or 0 when the bytes there start an invalid one;
// *bad_len is then the length of the maximal invalid subpart (Unicode 15, 3.9 "U+FFFD
// substitution of maximal subparts"), at least 1.
size_t ValidSequenceAt(const unsigned char* s, size_t n, size_t i, size_t* bad_len) {
  unsigned char c = s[i];
  *bad_len = 1;
  size_t need;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) {
    need = 1;
  } else if (c >= 0xE0 && c <= 0xEF) {
    need = 2;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;  // no surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    need = 3;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  for (size_t k = 1; k <= need; ++k) {
    if (i + k >= n) {
      *bad_len = k;
      return 0;
    }
    unsigned char b = s[i + k];
    unsigned char l = k == 1 ? lo : 0x80, h = k == 1 ? hi : 0xBF;
    if (b < l || b > h) {
      *bad_len = k;
      return 0;
    }
  }
  return need + 1;
}

}  // namespace

namespace text {

bool IsValidUtf8(std::string_view s) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t n = s.size(), i = 0;
  while (i < n) {
    // ASCII fast path, eight bytes at a time.
    while (i + 8 <= n) {
      uint64_t w;
      std::memcpy(&w, p + i, 8);
      if (w & 0x8080808080808080ULL) break;
      i += 8;
    }
    if (i >= n) break;
    if (p[i] < 0x80) {
      ++i;
      continue;
    }
    size_t bad;
    size_t len = ValidSequenceAt(p, n, i, &bad);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

}  // namespace text

std::string ReplaceInvalidUtf8(std::string_view bytes, size_t* replaced) {
  if (text::IsValidUtf8(bytes)) return std::string(bytes);
  const unsigned char* p = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t n = bytes.size(), i = 0, count = 0;
  std::string out;
  out.reserve(n + 16);
  while (i < n) {
    size_t start = i;
    while (i < n && p[i] < 0x80) ++i;
    out.append(bytes.data() + start, i - start);
    if (i >= n) break;
    size_t bad;
    size_t len = ValidSequenceAt(p, n, i, &bad);
    if (len) {
      out.append(bytes.data() + i, len);
      i += len;
    } else {
      out.append("\xEF\xBF\xBD");
      ++count;
      i += bad;
    }
  }
  if (replaced) *replaced += count;
  return out;
}

namespace {
// Below U+0300 every character is its own NFC form and none composes with a neighbour, so most
// text needs no work.
bool NeedsNfcWork(std::string_view utf8) {
  for (unsigned char c : utf8)
    if (c >= 0xCC) return true;  // lead bytes of U+0300 and above
  return false;
}
}  // namespace

std::string NfcNormalize(std::string_view utf8) {
  if (!NeedsNfcWork(utf8)) return std::string(utf8);
  utf8proc_uint8_t* result = nullptr;
  utf8proc_ssize_t len = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(utf8.data()),
                                      static_cast<utf8proc_ssize_t>(utf8.size()), &result,
                                      static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
  if (len < 0) return std::string(utf8);
  std::string out(reinterpret_cast<char*>(result), static_cast<size_t>(len));
  std::free(result);
  return out;
}

std::string CleanText(std::string_view input, CleanTextStats* stats) {
  CleanTextStats local;
  CleanTextStats* st = stats ? stats : &local;
  // Peak memory is the input and two copies: each intermediate is released once the next exists.
  std::string valid = ReplaceInvalidUtf8(input, &st->invalid_utf8_replaced);
  if (NeedsNfcWork(valid)) valid = NfcNormalize(valid);

  // Pass 1: characters. Line breaks to LF, removed characters dropped, Unicode spaces to ' '.
  std::string chars;
  chars.reserve(valid.size());
  for (size_t i = 0; i < valid.size();) {
    unsigned char c = static_cast<unsigned char>(valid[i]);
    if (c < 0x80) {
      ++i;
      if (c == '\r') {
        if (i < valid.size() && valid[i] == '\n') ++i;
        chars += '\n';
      } else if (c == '\f' || c == '\v') {
        chars += ' ';
      } else if (text::IsRemovedChar(c)) {
        ++st->removed_chars;
      } else {
        chars += static_cast<char>(c);
      }
      continue;
    }
    size_t before = i;
    char32_t cp = text::NextCodePoint(valid, &i);
    if (text::IsRemovedChar(cp)) {
      ++st->removed_chars;
    } else if (cp == 0x2028 || cp == 0x2029) {
      chars += '\n';
    } else if (text::IsSpaceChar(cp)) {
      chars += ' ';
    } else {
      chars.append(valid, before, i - before);
    }
  }

  std::string().swap(valid);

  // Pass 2: lines. Trailing whitespace dropped; blank-line runs squeezed outside ``` / ~~~ fences.
  std::string out;
  out.reserve(chars.size());
  bool in_fence = false;
  std::string fence;
  size_t blank_run = 0;
  bool any = false;
  size_t i = 0;
  while (i <= chars.size()) {
    size_t nl = chars.find('\n', i);
    if (nl == std::string::npos) nl = chars.size();
    std::string_view line(chars.data() + i, nl - i);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    std::string_view stripped = line;
    while (!stripped.empty() && stripped.front() == ' ') stripped.remove_prefix(1);
    bool fence_line = stripped.size() >= 3 && (stripped.substr(0, 3) == "```" || stripped.substr(0, 3) == "~~~");
    bool inside = in_fence || fence_line;
    if (fence_line) {
      if (!in_fence) {
        in_fence = true;
        fence = std::string(stripped.substr(0, 3));
      } else if (stripped.substr(0, 3) == fence) {
        in_fence = false;
      }
    }
    if (line.empty() && !inside) {
      ++blank_run;
    } else {
      // Blank lines inside code are content: each is kept.
      if (any && blank_run > 0) out += '\n';
      blank_run = 0;
      out.append(line);
      out += '\n';
      any = true;
    }
    i = nl + 1;
  }
  return out;
}

}  // namespace alcor
