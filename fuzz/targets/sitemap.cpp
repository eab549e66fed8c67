// Sitemaps and sitemap indexes, gzip-compressed or not.
#include "fuzz_target.hpp"
#include "sources/feed/feed_parse.hpp"

ALCOR_FUZZ_TARGET(sitemap) {
  alcor::Result<alcor::feed::ParsedSitemap> s = alcor::feed::ParseSitemap(input, "https://example.org/sitemap.xml", size_t{8} << 20);
  (void)s;
}
