// NormalizeJsonLine: one line of `alcor normalize --jsonl`.
//
// The html value is most of each line, and a general JSON parser spends more time on it than the
// HTML parser does on the page. So the top-level "html" member is located by a small scanner and
// its string decoded with memchr; the rest of the object (small) goes through nlohmann::json,
// which validates it and keeps every other field.
#include <cstring>

#include "alcor/json.hpp"
#include "alcor/normalize.hpp"
#include "alcor/strings.hpp"
#include "text/unicode_util.hpp"

namespace alcor {
namespace {

inline bool IsWs(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

size_t SkipWs(std::string_view s, size_t i) {
  while (i < s.size() && IsWs(s[i])) ++i;
  return i;
}

// Index just past the closing quote of the string starting at s[i] == '"'; npos if unterminated.
size_t SkipString(std::string_view s, size_t i) {
  ++i;
  while (i < s.size()) {
    const char* base = s.data() + i;
    size_t left = s.size() - i;
    const void* q = std::memchr(base, '"', left);
    const void* b = std::memchr(base, '\\', q ? static_cast<const char*>(q) - base : left);
    if (b) {
      i = static_cast<const char*>(b) - s.data() + 2;
      continue;
    }
    if (!q) return std::string_view::npos;
    return static_cast<const char*>(q) - s.data() + 1;
  }
  return std::string_view::npos;
}

// Index just past the value starting at s[i]; npos on a structural error. Scalars are not
// validated here (the nlohmann parse of the rest does that).
size_t SkipValue(std::string_view s, size_t i) {
  if (i >= s.size()) return std::string_view::npos;
  if (s[i] == '"') return SkipString(s, i);
  if (s[i] == '{' || s[i] == '[') {
    size_t depth = 0;
    while (i < s.size()) {
      char c = s[i];
      if (c == '"') {
        i = SkipString(s, i);
        if (i == std::string_view::npos) return i;
        continue;
      }
      if (c == '{' || c == '[') ++depth;
      if (c == '}' || c == ']') {
        if (--depth == 0) return i + 1;
      }
      ++i;
    }
    return std::string_view::npos;
  }
  while (i < s.size() && s[i] != ',' && s[i] != '}' && s[i] != ']' && !IsWs(s[i])) ++i;
  return i;
}

bool Hex4(std::string_view s, size_t i, char32_t* out) {
  if (i + 4 > s.size()) return false;
  char32_t v = 0;
  for (size_t k = 0; k < 4; ++k) {
    int h = HexDigitValue(s[i + k]);
    if (h < 0) return false;
    v = (v << 4) | static_cast<char32_t>(h);
  }
  *out = v;
  return true;
}

// Decodes the JSON string literal `lit` (with its quotes). Lone surrogates become U+FFFD.
bool DecodeString(std::string_view lit, std::string* out) {
  out->clear();
  out->reserve(lit.size());
  size_t i = 1, end = lit.size() - 1;
  while (i < end) {
    const void* b = std::memchr(lit.data() + i, '\\', end - i);
    size_t stop = b ? static_cast<const char*>(b) - lit.data() : end;
    out->append(lit.data() + i, stop - i);
    i = stop;
    if (i >= end) break;
    if (i + 1 >= end) return false;
    char e = lit[i + 1];
    i += 2;
    switch (e) {
      case '"': *out += '"'; break;
      case '\\': *out += '\\'; break;
      case '/': *out += '/'; break;
      case 'b': *out += '\b'; break;
      case 'f': *out += '\f'; break;
      case 'n': *out += '\n'; break;
      case 'r': *out += '\r'; break;
      case 't': *out += '\t'; break;
      case 'u': {
        char32_t cp;
        if (!Hex4(lit, i, &cp)) return false;
        i += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          char32_t lo;
          if (i + 6 <= end && lit[i] == '\\' && lit[i + 1] == 'u' && Hex4(lit, i + 2, &lo) && lo >= 0xDC00 &&
              lo <= 0xDFFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            i += 6;
          } else {
            cp = 0xFFFD;
          }
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
          cp = 0xFFFD;
        }
        text::AppendUtf8(out, cp);
        break;
      }
      default:
        return false;
    }
  }
  return true;
}

}  // namespace

Status NormalizeJsonLine(std::string_view line, const NormalizeOptions& options, std::string* out,
                         std::string* id) {
  out->clear();
  if (id) id->clear();
  // Locate the top-level "html" member.
  size_t html_key = std::string_view::npos, value_start = 0, value_end = 0;
  size_t i = SkipWs(line, 0);
  bool structure_ok = i < line.size() && line[i] == '{';
  if (structure_ok) {
    i = SkipWs(line, i + 1);
    if (i < line.size() && line[i] == '}') ++i;
    else {
      while (true) {
        if (i >= line.size() || line[i] != '"') {
          structure_ok = false;
          break;
        }
        size_t key_start = i;
        size_t key_end = SkipString(line, i);
        if (key_end == std::string_view::npos) {
          structure_ok = false;
          break;
        }
        i = SkipWs(line, key_end);
        if (i >= line.size() || line[i] != ':') {
          structure_ok = false;
          break;
        }
        i = SkipWs(line, i + 1);
        size_t v = i;
        size_t ve = SkipValue(line, i);
        if (ve == std::string_view::npos) {
          structure_ok = false;
          break;
        }
        if (line.substr(key_start, key_end - key_start) == "\"html\"" && html_key == std::string_view::npos) {
          html_key = key_start;
          value_start = v;
          value_end = ve;
        }
        i = SkipWs(line, ve);
        if (i < line.size() && line[i] == ',') {
          i = SkipWs(line, i + 1);
          continue;
        }
        if (i < line.size() && line[i] == '}') {
          ++i;
          break;
        }
        structure_ok = false;
        break;
      }
    }
  }

  Result<nlohmann::json> parsed = nlohmann::json();
  std::string html;
  if (structure_ok && html_key != std::string_view::npos && line[value_start] == '"') {
    std::string rest;
    rest.reserve(line.size() - (value_end - value_start) + 2);
    rest.append(line.substr(0, value_start));
    rest.append("\"\"");
    rest.append(line.substr(value_end));
    parsed = ParseJson(rest, "the object");
    if (parsed.ok() && !DecodeString(line.substr(value_start, value_end - value_start), &html))
      return Status::InvalidArgument("bad escape in the \"html\" string");
  } else {
    parsed = ParseJson(line, "the object");
    if (parsed.ok() && parsed->is_object()) {
      auto h = parsed->find("html");
      if (h != parsed->end() && h->is_string()) html = h->get<std::string>();
    }
  }
  // Too deep: said as such (the caller adds the line number); any other failure is "not an object".
  if (parsed.status().code() == Status::Code::kLimitExceeded) return parsed.status();
  if (!parsed.ok() || !parsed->is_object()) return Status::InvalidArgument("not a JSON object");
  nlohmann::json& j = *parsed;
  if (id) {
    if (auto it = j.find("id"); it != j.end()) *id = it->is_string() ? it->get<std::string>() : it->dump();
  }
  auto h = j.find("html");
  if (h == j.end() || !h->is_string()) return Status::InvalidArgument("no \"html\" string field");

  NormalizeOptions opts = options;
  opts.input_is_utf8 = true;
  if (opts.base_url.empty())
    if (auto u = j.find("url"); u != j.end() && u->is_string()) opts.base_url = u->get<std::string>();
  Result<NormalizeResult> r = NormalizeHtml(html, opts);
  if (!r.ok()) return r.status();

  j.erase("html");
  j["text"] = std::move(r->text);
  nlohmann::json meta = r->MetadataJson();
  auto existing = j.find("metadata");
  if (existing == j.end()) {
    j["metadata"] = std::move(meta);
  } else if (existing->is_object()) {
    for (auto& [key, value] : meta.items())
      if (!existing->contains(key)) (*existing)[key] = value;
  }
  *out = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  *out += '\n';
  return Status::OK();
}

}  // namespace alcor
