// HttpUrl: an absolute http(s) URL split into the parts the client schedules by (libcurl's URL
// parser underneath, so the client and the transfer agree on what a URL means). Implemented in
// src/net/url.cpp with include/alcor/url.hpp: one CURLU wrapper for both.
#pragma once

#include <string>
#include <string_view>

#include "alcor/status.hpp"

namespace alcor {

struct HttpUrl {
  std::string scheme;      // "http" or "https"
  std::string host;        // lower-case ("[::1]" for IPv6)
  int port = 0;            // explicit or the scheme's default
  bool default_port = true;
  std::string path_query;  // "/a/b?x=1" (at least "/")
  std::string origin;      // "https://host" or "http://host:8080"
  std::string host_key;    // politeness key: "host", or "host:port" for a non-default port
  std::string request;     // the URL to request: normalised, without fragment
  std::string display;     // for messages: like request, without user and password
};

// Fails with InvalidArgument for a malformed URL, or one whose scheme is not http or https; the
// message quotes the URL without its userinfo (callers redact secrets).
Result<HttpUrl> ParseHttpUrl(std::string_view url);

// Whether host (as HttpUrl::host has it) is this machine's loopback: "localhost" or a name under
// it, 127.0.0.0/8, "[::1]". Requests to other hosts make a run live (docs/http.md, "User-Agent").
bool IsLoopbackHost(std::string_view host);

// The URL with user:password@ and the fragment removed and registered secrets redacted, for
// messages; the input itself when it cannot be parsed (truncated to 300 characters, a secret's
// prefix at the cut redacted too).
std::string DisplayUrl(std::string_view url);

}  // namespace alcor
