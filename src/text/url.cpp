// URL resolution (RFC 3986 section 5) and canonicalisation for Record::url.
#include "alcor/url.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <vector>

#include "alcor/strings.hpp"

namespace alcor {
namespace {

struct UrlParts {
  std::string_view scheme;  // without ':'
  std::optional<std::string_view> authority;  // after "//", when present
  std::string_view path;
  std::optional<std::string_view> query;     // without '?'
  std::optional<std::string_view> fragment;  // without '#'
};

bool IsSchemeChar(char c, bool first) {
  if (std::isalpha(static_cast<unsigned char>(c))) return true;
  return !first && (std::isdigit(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.');
}

// Splits after RFC 3986 appendix B. A scheme is recognised only when it is followed by ':' and
// made of scheme characters.
UrlParts Split(std::string_view s) {
  UrlParts p;
  size_t i = 0;
  size_t colon = s.find(':');
  if (colon != std::string_view::npos && colon > 0) {
    bool ok = true;
    for (size_t k = 0; k < colon && ok; ++k) ok = IsSchemeChar(s[k], k == 0);
    if (ok) {
      p.scheme = s.substr(0, colon);
      i = colon + 1;
    }
  }
  if (s.substr(i, 2) == "//") {
    size_t end = s.find_first_of("/?#", i + 2);
    if (end == std::string_view::npos) end = s.size();
    p.authority = s.substr(i + 2, end - i - 2);
    i = end;
  }
  size_t path_end = s.find_first_of("?#", i);
  if (path_end == std::string_view::npos) path_end = s.size();
  p.path = s.substr(i, path_end - i);
  i = path_end;
  if (i < s.size() && s[i] == '?') {
    size_t end = s.find('#', i);
    if (end == std::string_view::npos) end = s.size();
    p.query = s.substr(i + 1, end - i - 1);
    i = end;
  }
  if (i < s.size() && s[i] == '#') p.fragment = s.substr(i + 1);
  return p;
}

// RFC 3986 5.2.4.
std::string RemoveDotSegments(std::string_view path) {
  std::vector<std::string_view> out;
  bool absolute = !path.empty() && path[0] == '/';
  size_t i = absolute ? 1 : 0;
  bool trailing_slash = false;
  while (i <= path.size()) {
    size_t end = path.find('/', i);
    if (end == std::string_view::npos) end = path.size();
    std::string_view seg = path.substr(i, end - i);
    bool last = end == path.size();
    if (seg == ".") {
      trailing_slash = last;
    } else if (seg == "..") {
      if (!out.empty()) out.pop_back();
      trailing_slash = last;
    } else {
      out.push_back(seg);
      trailing_slash = false;
    }
    i = end + 1;
  }
  std::string r = absolute ? "/" : "";
  for (size_t k = 0; k < out.size(); ++k) {
    if (k) r += '/';
    r += out[k];
  }
  if (trailing_slash && (r.empty() || r.back() != '/')) r += '/';
  return r;
}

std::string Join(const UrlParts& p, std::string_view path, bool with_fragment) {
  std::string r;
  if (!p.scheme.empty()) {
    r.append(p.scheme);
    r += ':';
  }
  if (p.authority) {
    r += "//";
    r.append(*p.authority);
  }
  r.append(path);
  if (p.query) {
    r += '?';
    r.append(*p.query);
  }
  if (with_fragment && p.fragment) {
    r += '#';
    r.append(*p.fragment);
  }
  return r;
}

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && static_cast<unsigned char>(s.front()) <= ' ') s.remove_prefix(1);
  while (!s.empty() && static_cast<unsigned char>(s.back()) <= ' ') s.remove_suffix(1);
  return s;
}

}  // namespace

std::string ResolveUrl(std::string_view base, std::string_view reference) {
  std::string ref;
  ref.reserve(reference.size());
  for (char c : TrimSpaces(reference))
    if (c != '\t' && c != '\n' && c != '\r') ref += c;
  UrlParts r = Split(ref);
  if (!r.scheme.empty()) return ref;
  std::string_view base_trimmed = TrimSpaces(base);
  UrlParts b = Split(base_trimmed);
  if (b.scheme.empty() || !b.authority) return ref;
  // Browsers treat '\' as '/' in http(s) references; a "\\host" reference is rare but real.
  std::string fixed;
  if (ref.find('\\') != std::string::npos) {
    std::string_view before_query = std::string_view(ref).substr(0, ref.find_first_of("?#"));
    fixed = ref;
    for (size_t k = 0; k < before_query.size(); ++k)
      if (fixed[k] == '\\') fixed[k] = '/';
    ref = fixed;
    r = Split(ref);
  }
  UrlParts t;
  t.scheme = b.scheme;
  std::string path;
  if (r.authority) {
    t.authority = r.authority;
    path = RemoveDotSegments(r.path);
    t.query = r.query;
  } else {
    t.authority = b.authority;
    if (r.path.empty()) {
      path = std::string(b.path);
      t.query = r.query ? r.query : b.query;
    } else {
      if (r.path[0] == '/') {
        path = RemoveDotSegments(r.path);
      } else {
        std::string merged;
        if (b.path.empty()) {
          merged = "/";
        } else {
          size_t slash = b.path.rfind('/');
          merged = slash == std::string_view::npos ? "" : std::string(b.path.substr(0, slash + 1));
        }
        merged.append(r.path);
        path = RemoveDotSegments(merged);
      }
      t.query = r.query;
    }
  }
  if (path.empty()) path = "/";
  t.fragment = r.fragment;
  return Join(t, path, true);
}

bool IsTrackingParameter(std::string_view name) {
  std::string n = AsciiLower(name);
  if (n.rfind("utm_", 0) == 0) return true;
  static const char* const kNames[] = {"fbclid", "gclid",  "gclsrc", "dclid",  "msclkid", "mc_cid",
                                       "mc_eid", "yclid",  "igshid", "_hsenc", "_hsmi",   "mkt_tok"};
  for (const char* k : kNames)
    if (n == k) return true;
  return false;
}

std::string UrlHost(std::string_view url) {
  UrlParts p = Split(TrimSpaces(url));
  if (!p.authority) return "";
  std::string_view a = *p.authority;
  size_t at = a.rfind('@');
  if (at != std::string_view::npos) a = a.substr(at + 1);
  if (!a.empty() && a[0] == '[') {  // IPv6 literal
    size_t close = a.find(']');
    return AsciiLower(a.substr(0, close == std::string_view::npos ? a.size() : close + 1));
  }
  size_t colon = a.find(':');
  return AsciiLower(a.substr(0, colon));
}

std::string CanonicalizeUrl(std::string_view url) {
  std::string_view trimmed = TrimSpaces(url);
  UrlParts p = Split(trimmed);
  std::string scheme = AsciiLower(p.scheme);
  if ((scheme != "http" && scheme != "https") || !p.authority) return std::string(trimmed);

  // Authority: userinfo kept as is, host lower-cased, default port dropped.
  std::string_view a = *p.authority;
  std::string authority;
  size_t at = a.rfind('@');
  if (at != std::string_view::npos) {
    authority.append(a.substr(0, at + 1));
    a = a.substr(at + 1);
  }
  std::string_view host = a, port;
  size_t bracket = a.rfind(']');
  size_t colon = a.rfind(':');
  if (colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket)) {
    host = a.substr(0, colon);
    port = a.substr(colon + 1);
  }
  std::string lower_host = AsciiLower(host);
  while (!lower_host.empty() && lower_host.back() == '.') lower_host.pop_back();  // "example.com."
  authority += lower_host;
  if (!port.empty() && port != "80" && port != "443") {
    authority += ':';
    authority.append(port);
  }

  std::string path = RemoveDotSegments(p.path);
  if (path.empty()) path = "/";

  std::string query;
  if (p.query) {
    std::string_view q = *p.query;
    size_t i = 0;
    while (i <= q.size()) {
      size_t amp = q.find('&', i);
      if (amp == std::string_view::npos) amp = q.size();
      std::string_view param = q.substr(i, amp - i);
      std::string_view name = param.substr(0, param.find('='));
      if (!param.empty() && !IsTrackingParameter(name)) {
        if (!query.empty()) query += '&';
        query.append(param);
      }
      i = amp + 1;
    }
  }
  std::string r = "https://" + authority + path;
  if (!query.empty()) r += "?" + query;
  return r;
}

bool IsHttpUrl(std::string_view url) {
  return StartsWithNoCase(url, "http://") || StartsWithNoCase(url, "https://");
}

}  // namespace alcor
