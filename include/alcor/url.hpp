// URL helpers shared by the normalizer and the source modules.
//
// Two operations, both pure functions of their arguments (thread-safe, no I/O):
//  - ResolveUrl: a link as written in a page (relative or absolute) made absolute against the page's
//    URL, after RFC 3986 section 5 (dot segments removed, "//host" and "?query" references handled).
//  - CanonicalizeUrl: the form stored in Record::url (docs/schema.md, `url`): lower-case scheme and
//    host, no default port, no fragment, no tracking parameters, and the https form standing for
//    both http and https (so the two forms of one page are one item).
// Neither validates that a host exists. Inputs that are not URLs come back unchanged or empty, as
// each function states; they never throw.
#pragma once

#include <string>
#include <string_view>

namespace alcor {

// Resolves `reference` against `base` (an absolute URL). Leading and trailing whitespace and
// embedded tabs and newlines of `reference` are removed first (browsers do the same).
// Returns:
//  - `reference` itself when it already has a scheme ("https:", "mailto:", "data:", ...);
//  - the resolved absolute URL when `base` is an absolute hierarchical URL ("scheme://...");
//  - `reference` unchanged when `base` is empty or not absolute (nothing to resolve against).
std::string ResolveUrl(std::string_view base, std::string_view reference);

// The canonical form of an absolute http(s) URL:
//   scheme "https" (http is mapped to https), host lower-cased, userinfo kept, port dropped when it
//   is 80 or 443, empty path → "/", dot segments removed, fragment dropped, tracking parameters
//   removed from the query (utm_*, fbclid, gclid, gclsrc, dclid, msclkid, mc_cid, mc_eid, yclid,
//   igshid, _hsenc, _hsmi, mkt_tok), "?" dropped when no parameter is left. The order of the
//   remaining parameters and their percent-encoding are kept.
// Other schemes, and strings that are not absolute URLs, are returned with only surrounding
// whitespace trimmed.
std::string CanonicalizeUrl(std::string_view url);

// True when `name` (a query parameter name) is one CanonicalizeUrl removes.
bool IsTrackingParameter(std::string_view name);

// True when url starts with "http://" or "https://", in any case.
bool IsHttpUrl(std::string_view url);

// The lower-cased host of an absolute URL ("" when there is none), without port or userinfo.
std::string UrlHost(std::string_view url);

}  // namespace alcor
