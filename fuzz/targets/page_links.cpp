// The links of a listing page (the feed source's index_urls): bounded count, http(s) only.
#include "fuzz_target.hpp"
#include "sources/feed/feed_parse.hpp"

ALCOR_FUZZ_TARGET(page_links) {
  std::vector<std::string> links = alcor::feed::PageLinks(input, "https://example.org/papers/", 500);
  alcor::fuzz::Check(links.size() <= 500, "PageLinks returns at most max_links links");
}
