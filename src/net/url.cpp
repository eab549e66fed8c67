// Every URL alcor reads goes through libcurl's URL API (CURLU) here: include/alcor/url.hpp for the
// normalizer and the sources, net/http_url.hpp for the client. One parser means the link a page
// names, the record's URL and the transfer agree on what a URL is. Only src/net/ includes libcurl.
#include "alcor/url.hpp"

#include <curl/curl.h>

#include <cstdlib>
#include <memory>

#include "alcor/secrets.hpp"
#include "alcor/strings.hpp"
#include "net/http_url.hpp"

namespace alcor {

namespace {

constexpr size_t kMaxUrlBytes = 65536;

// One CURLU handle. Set() parses (or, on a handle that holds a URL, resolves a relative
// reference against it); Get() returns "" for a part the URL does not have.
class UrlHandle {
 public:
  UrlHandle() : h_(curl_url()) {}
  ~UrlHandle() { curl_url_cleanup(h_); }
  UrlHandle(const UrlHandle&) = delete;
  UrlHandle& operator=(const UrlHandle&) = delete;

  bool valid() const { return h_ != nullptr; }
  CURLUcode Set(CURLUPart part, std::string_view value, unsigned flags = 0) {
    if (h_ == nullptr) return CURLUE_OUT_OF_MEMORY;
    if (value.size() > kMaxUrlBytes) return CURLUE_MALFORMED_INPUT;
    std::string text(value);
    return curl_url_set(h_, part, text.c_str(), flags);
  }
  void Clear(CURLUPart part) {
    if (h_ != nullptr) curl_url_set(h_, part, nullptr, 0);
  }
  std::string Get(CURLUPart part, unsigned flags = 0) const {
    char* value = nullptr;
    if (h_ == nullptr || curl_url_get(h_, part, &value, flags) != CURLUE_OK || value == nullptr) return "";
    std::string out(value);
    curl_free(value);
    return out;
  }
  // Parses an absolute URL of any scheme ("mailto:" has no host and fails).
  bool ParseAbsolute(std::string_view url) {
    return Set(CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME | CURLU_ALLOW_SPACE) == CURLUE_OK;
  }

 private:
  CURLU* h_;
};

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && static_cast<unsigned char>(s.front()) <= ' ') s.remove_prefix(1);
  while (!s.empty() && static_cast<unsigned char>(s.back()) <= ' ') s.remove_suffix(1);
  return s;
}

// RFC 3986 section 3.1: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":". libcurl parses only
// URLs with an authority, so "mailto:" and "data:" references are recognised here.
bool HasScheme(std::string_view s) {
  size_t colon = s.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  for (size_t i = 0; i < colon; ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!alpha && (i == 0 || !((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'))) return false;
  }
  return true;
}

bool IsHttpScheme(const std::string& lower_scheme) { return lower_scheme == "http" || lower_scheme == "https"; }

// s for a message: at most 300 bytes, secrets redacted (before the cut, and a secret's prefix at
// the cut), control characters as '?'.
std::string Clip(std::string_view s) {
  std::string out = RedactedExcerpt(s, 300);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return out;
}

// The parameters of query ("a=1&b&c=2") whose name keep accepts, in their order and encoding.
template <typename KeepName>
std::string FilterQuery(std::string_view query, KeepName keep) {
  std::string out;
  size_t i = 0;
  while (i <= query.size()) {
    size_t amp = query.find('&', i);
    if (amp == std::string_view::npos) amp = query.size();
    std::string_view param = query.substr(i, amp - i);
    if (!param.empty() && keep(param.substr(0, param.find('=')))) {
      if (!out.empty()) out += '&';
      out.append(param);
    }
    i = amp + 1;
  }
  return out;
}

// u's URL (its fragment already cleared) with query as its query, byte for byte: setting
// CURLUPART_QUERY would lower-case the hex digits of its %XX escapes.
std::string UrlWithQuery(UrlHandle& u, const std::string& query) {
  u.Clear(CURLUPART_QUERY);
  std::string url = u.Get(CURLUPART_URL);
  return query.empty() ? url : url + "?" + query;
}

}  // namespace

// --- include/alcor/url.hpp -----------------------------------------------------------------------

std::string ResolveUrl(std::string_view base, std::string_view reference) {
  std::string ref;
  ref.reserve(reference.size());
  for (char c : TrimSpaces(reference)) {
    if (c != '\t' && c != '\n' && c != '\r') ref += c;
  }
  if (HasScheme(ref)) return ref;
  UrlHandle u;
  if (!u.ParseAbsolute(TrimSpaces(base))) return ref;
  // Browsers read '\' as '/' before the query in http(s) references.
  size_t path_end = std::min(ref.find_first_of("?#"), ref.size());
  for (size_t i = 0; i < path_end; ++i) {
    if (ref[i] == '\\') ref[i] = '/';
  }
  // libcurl resolves a fragment-only or empty reference against the base's folder; RFC 3986
  // section 5.2.2 keeps the base's path and query.
  if (ref.empty() || ref[0] == '#') {
    u.Clear(CURLUPART_FRAGMENT);
    if (ref.size() > 1 && u.Set(CURLUPART_FRAGMENT, std::string_view(ref).substr(1)) != CURLUE_OK) return ref;
    return u.Get(CURLUPART_URL);
  }
  if (u.Set(CURLUPART_URL, ref, CURLU_NON_SUPPORT_SCHEME | CURLU_URLENCODE) != CURLUE_OK) return ref;
  return u.Get(CURLUPART_URL);
}

bool IsTrackingParameter(std::string_view name) {
  std::string n = AsciiLower(name);
  if (n.rfind("utm_", 0) == 0) return true;
  static const char* const kNames[] = {"fbclid", "gclid",  "gclsrc", "dclid",  "msclkid", "mc_cid",
                                       "mc_eid", "yclid",  "igshid", "_hsenc", "_hsmi",   "mkt_tok"};
  for (const char* k : kNames) {
    if (n == k) return true;
  }
  return false;
}

std::string UrlHost(std::string_view url) {
  UrlHandle u;
  if (!u.ParseAbsolute(TrimSpaces(url))) return "";
  return AsciiLower(u.Get(CURLUPART_HOST));
}

std::string UrlPath(std::string_view url) {
  UrlHandle u;
  if (!u.ParseAbsolute(TrimSpaces(url))) return "";
  return u.Get(CURLUPART_PATH);
}

namespace {

// CanonicalizeUrl (keep_scheme false) and PublishedUrl (true).
std::string CleanHttpUrl(std::string_view url, bool keep_scheme) {
  std::string_view trimmed = TrimSpaces(url);
  UrlHandle u;
  std::string scheme;
  if (!u.ParseAbsolute(trimmed) || !IsHttpScheme(scheme = AsciiLower(u.Get(CURLUPART_SCHEME)))) {
    return std::string(trimmed);
  }
  std::string host = AsciiLower(u.Get(CURLUPART_HOST));
  while (!host.empty() && host.back() == '.') host.pop_back();  // "example.com."
  if (host.empty() || u.Set(CURLUPART_HOST, host) != CURLUE_OK) return std::string(trimmed);
  if (!keep_scheme) scheme = "https";
  std::string port = u.Get(CURLUPART_PORT);  // libcurl reads "0443" as 443
  bool default_port = keep_scheme ? (port == "80" && scheme == "http") || (port == "443" && scheme == "https")
                                  : port == "80" || port == "443";
  if (default_port) u.Clear(CURLUPART_PORT);
  u.Set(CURLUPART_SCHEME, scheme);
  u.Clear(CURLUPART_FRAGMENT);
  std::string query = FilterQuery(u.Get(CURLUPART_QUERY),
                                  [](std::string_view name) { return !IsTrackingParameter(name); });
  return UrlWithQuery(u, query);  // dot segments were removed by the parse; an empty path is "/"
}

}  // namespace

std::string CanonicalizeUrl(std::string_view url) { return CleanHttpUrl(url, /*keep_scheme=*/false); }

std::string PublishedUrl(std::string_view url) { return CleanHttpUrl(url, /*keep_scheme=*/true); }

bool IsHttpUrl(std::string_view url) {
  UrlHandle u;
  return u.ParseAbsolute(url) && IsHttpScheme(AsciiLower(u.Get(CURLUPART_SCHEME))) &&
         !u.Get(CURLUPART_HOST).empty();
}

std::string UrlOrigin(std::string_view url) {
  UrlHandle u;
  if (!u.ParseAbsolute(TrimSpaces(url))) return "";
  std::string scheme = AsciiLower(u.Get(CURLUPART_SCHEME));
  std::string host = u.Get(CURLUPART_HOST);
  if (host.empty()) return "";
  std::string port = u.Get(CURLUPART_PORT);
  return scheme + "://" + host + (port.empty() ? "" : ":" + port);
}

std::string WithQueryParameter(std::string_view url, std::string_view name, std::string_view value) {
  UrlHandle u;
  if (!u.ParseAbsolute(url)) return std::string(url);
  u.Clear(CURLUPART_FRAGMENT);
  std::string query = FilterQuery(u.Get(CURLUPART_QUERY), [&](std::string_view other) { return other != name; });
  if (!query.empty()) query += '&';
  query += PercentEncode(name) + "=" + PercentEncode(value);
  return UrlWithQuery(u, query);
}

std::string PercentEncode(std::string_view text) {
  // libcurl reads a length of 0 as "use strlen", which would encode whatever follows the view.
  if (text.empty()) return "";
  // The handle argument is ignored since libcurl 7.82.
  char* escaped = curl_easy_escape(nullptr, text.data(), static_cast<int>(text.size()));
  if (escaped == nullptr) return "";
  std::string out(escaped);
  curl_free(escaped);
  return out;
}

// --- net/http_url.hpp ----------------------------------------------------------------------------

bool IsLoopbackHost(std::string_view host) {
  if (host == "localhost" || host == "[::1]") return true;
  if (host.size() > 10 && host.substr(host.size() - 10) == ".localhost") return true;
  if (host.substr(0, 4) != "127.") return false;
  return host.find_first_not_of("0123456789.") == std::string_view::npos;
}

std::string DisplayUrl(std::string_view url) {
  UrlHandle u;
  if (u.Set(CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK) {
    // Unparseable: still never show credentials that look like userinfo.
    std::string s = Clip(url);
    size_t scheme_end = s.find("://");
    size_t at = s.find('@');
    if (scheme_end != std::string::npos && at != std::string::npos && at > scheme_end) {
      size_t slash = s.find('/', scheme_end + 3);
      if (slash == std::string::npos || at < slash) s.erase(scheme_end + 3, at + 1 - scheme_end - 3);
    }
    return s;
  }
  u.Clear(CURLUPART_USER);
  u.Clear(CURLUPART_PASSWORD);
  u.Clear(CURLUPART_FRAGMENT);
  return Clip(u.Get(CURLUPART_URL));
}

Result<HttpUrl> ParseHttpUrl(std::string_view url) {
  UrlHandle u;
  if (!u.valid()) return Status::IOError("out of memory parsing a URL");
  if (url.size() > kMaxUrlBytes) {
    return Status::InvalidArgument("URL longer than 65536 characters: " + DisplayUrl(url));
  }
  CURLUcode rc = u.Set(CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME);
  if (rc != CURLUE_OK) {
    return Status::InvalidArgument(std::string("malformed URL (") + curl_url_strerror(rc) +
                                   "): " + DisplayUrl(url));
  }
  HttpUrl out;
  out.scheme = AsciiLower(u.Get(CURLUPART_SCHEME));
  if (!IsHttpScheme(out.scheme)) {
    return Status::InvalidArgument("refused protocol '" + Clip(out.scheme) +
                                   "' (only http and https): " + DisplayUrl(url));
  }
  out.host = AsciiLower(u.Get(CURLUPART_HOST));
  if (out.host.empty()) return Status::InvalidArgument("URL without a host: " + DisplayUrl(url));
  std::string explicit_port = u.Get(CURLUPART_PORT);
  std::string port = u.Get(CURLUPART_PORT, CURLU_DEFAULT_PORT);
  out.port = port.empty() ? 0 : std::atoi(port.c_str());
  int default_port = out.scheme == "https" ? 443 : 80;
  out.default_port = explicit_port.empty() || out.port == default_port;
  std::string path = u.Get(CURLUPART_PATH);
  if (path.empty()) path = "/";
  std::string query = u.Get(CURLUPART_QUERY);
  out.path_query = query.empty() ? path : path + "?" + query;
  std::string host_port = out.default_port ? out.host : out.host + ":" + std::to_string(out.port);
  out.origin = out.scheme + "://" + host_port;
  out.host_key = host_port;
  u.Clear(CURLUPART_FRAGMENT);
  out.request = u.Get(CURLUPART_URL);
  u.Clear(CURLUPART_USER);
  u.Clear(CURLUPART_PASSWORD);
  out.display = Clip(u.Get(CURLUPART_URL));
  return out;
}

}  // namespace alcor
