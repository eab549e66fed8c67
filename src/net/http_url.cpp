#include "net/http_url.hpp"

#include <curl/curl.h>

#include <cctype>
#include <memory>

#include "alcor/strings.hpp"

namespace alcor {

namespace {

struct UrlHandle {
  CURLU* h = curl_url();
  ~UrlHandle() { curl_url_cleanup(h); }
  std::string Get(CURLUPart part, unsigned flags = 0) const {
    char* value = nullptr;
    if (curl_url_get(h, part, &value, flags) != CURLUE_OK || value == nullptr) return "";
    std::string out(value);
    curl_free(value);
    return out;
  }
};

std::string Clip(std::string_view s) {
  std::string out(s.substr(0, 300));
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return out;
}

}  // namespace

std::string DisplayUrl(std::string_view url) {
  UrlHandle u;
  std::string text(url);
  if (u.h == nullptr || text.size() > 65536 ||
      curl_url_set(u.h, CURLUPART_URL, text.c_str(), CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK) {
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
  curl_url_set(u.h, CURLUPART_USER, nullptr, 0);
  curl_url_set(u.h, CURLUPART_PASSWORD, nullptr, 0);
  curl_url_set(u.h, CURLUPART_FRAGMENT, nullptr, 0);
  return Clip(u.Get(CURLUPART_URL));
}

Result<HttpUrl> ParseHttpUrl(std::string_view url) {
  UrlHandle u;
  std::string text(url);
  if (u.h == nullptr) return Status::IOError("out of memory parsing a URL");
  if (text.size() > 65536) {
    return Status::InvalidArgument("URL longer than 65536 characters: " + DisplayUrl(url));
  }
  CURLUcode rc = curl_url_set(u.h, CURLUPART_URL, text.c_str(), CURLU_NON_SUPPORT_SCHEME);
  if (rc != CURLUE_OK) {
    return Status::InvalidArgument(std::string("malformed URL (") + curl_url_strerror(rc) +
                                   "): " + DisplayUrl(url));
  }
  HttpUrl out;
  out.scheme = AsciiLower(u.Get(CURLUPART_SCHEME));
  if (out.scheme != "http" && out.scheme != "https") {
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
  curl_url_set(u.h, CURLUPART_FRAGMENT, nullptr, 0);
  out.request = u.Get(CURLUPART_URL);
  curl_url_set(u.h, CURLUPART_USER, nullptr, 0);
  curl_url_set(u.h, CURLUPART_PASSWORD, nullptr, 0);
  out.display = Clip(u.Get(CURLUPART_URL));
  return out;
}

}  // namespace alcor
