// URLs for the normalizer and the source modules, all parsed by libcurl's URL API (CURLU) in
// src/net/url.cpp, the same parser the HTTP client uses (docs/architecture.md "URLs").
//
// Every function is a pure function of its arguments (thread-safe, no I/O):
//  - ResolveUrl: a link as written in a page (relative or absolute) made absolute against the page's
//    URL, after RFC 3986 section 5 (dot segments removed, "//host" and "?query" references handled).
//  - CanonicalizeUrl: the identity of a page (record ids, state keys; docs/architecture.md
//    "URLs"): lower-case scheme and host, no default port, no fragment, no tracking parameters,
//    and the https form standing for both http and https (so the two forms of one page are one item).
//  - PublishedUrl: the form stored in Record::url: the same cleaning with the scheme kept as
//    published, so the link of an http-only site still works.
//  - UrlHost, UrlOrigin, IsHttpUrl: parts of an absolute URL; WithQueryParameter, PercentEncode:
//    building request URLs.
// None validates that a host exists. Inputs that are not URLs come back unchanged or empty, as
// each function states; they never throw.
#pragma once

#include <string>
#include <string_view>

namespace alcor {

// Resolves `reference` against `base` (an absolute URL). Leading and trailing whitespace and
// embedded tabs and newlines of `reference` are removed first (browsers do the same).
// Returns:
//  - `reference` itself when it already has a scheme ("https:", "mailto:", "data:", ...);
//  - the resolved absolute URL when `base` is an absolute hierarchical URL ("scheme://..."); its
//    path and query come back percent-encoded as libcurl writes them (a space as %20 in the path
//    and + in the query, bytes above 0x7f as %xx); '\' before the query reads as '/';
//  - `reference` unchanged when `base` is empty or not absolute (nothing to resolve against), or
//    when libcurl refuses the result.
std::string ResolveUrl(std::string_view base, std::string_view reference);

// The canonical form of an absolute http(s) URL:
//   scheme "https" (http is mapped to https), host lower-cased, userinfo kept, port dropped when it
//   is 80 or 443, empty path → "/", dot segments removed, fragment dropped, tracking parameters
//   removed from the query (utm_*, fbclid, gclid, gclsrc, dclid, msclkid, mc_cid, mc_eid, yclid,
//   igshid, _hsenc, _hsmi, mkt_tok), "?" dropped when no parameter is left. The order of the
//   remaining parameters and their percent-encoding are kept. A host is lower-cased in ASCII
//   only: an internationalised host stays as written (libcurl's punycode conversion depends on
//   the process locale), so "bücher.example" and "xn--bcher-kva.example" stay two forms.
//   libcurl's reading decides what is a URL: "http:/host/x" (one slash) is read as
//   "http://host/x", and "0443" as port 443.
// Other schemes, and strings that are not absolute URLs, are returned with only surrounding
// whitespace trimmed.
std::string CanonicalizeUrl(std::string_view url);

// CanonicalizeUrl's cleaning with the scheme kept (lower-cased): http stays http, and only the
// scheme's own default port (80 for http, 443 for https) is dropped. CanonicalizeUrl of the
// result equals CanonicalizeUrl of the input. Record::url holds this form.
std::string PublishedUrl(std::string_view url);

// True when `name` (a query parameter name) is one CanonicalizeUrl removes.
bool IsTrackingParameter(std::string_view name);

// True when url is an absolute http or https URL (scheme in any case) with a host.
bool IsHttpUrl(std::string_view url);

// The lower-cased host of an absolute URL ("" when there is none), without port or userinfo.
std::string UrlHost(std::string_view url);

// The path of an absolute URL as libcurl reads it ("/" at least; percent-encoding kept, dot
// segments removed, no query or fragment), "" when url is not one.
std::string UrlPath(std::string_view url);

// "scheme://host[:port]" of an absolute URL (scheme lower-cased, an explicit port kept), "" when
// url is not one.
std::string UrlOrigin(std::string_view url);

// url with the query parameter name set to value (both percent-encoded), replacing every earlier
// parameter of that name; other parameters keep their order; the fragment is dropped. A url that
// is not absolute comes back unchanged.
std::string WithQueryParameter(std::string_view url, std::string_view name, std::string_view value);

// Every byte of text except RFC 3986's unreserved characters (A-Z a-z 0-9 - . _ ~) as %XX: a
// query value or a path segment.
std::string PercentEncode(std::string_view text);

}  // namespace alcor
