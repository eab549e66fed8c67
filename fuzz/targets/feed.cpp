// RSS 2.0 / RSS 1.0 (RDF) / Atom feeds, and the feed links of an HTML page.
#include "fuzz_target.hpp"
#include "sources/feed/feed_parse.hpp"
#include "sources/feed/feed_source.hpp"

ALCOR_FUZZ_TARGET(feed) {
  alcor::feed::FeedParseOptions options;
  options.document_url = "https://blog.example.org/feed/";
  alcor::Result<alcor::feed::ParsedFeed> feed = alcor::feed::ParseFeed(input, options);
  (void)feed;
  (void)alcor::feed::DiscoverFeedLinks(input, "https://blog.example.org/");
}
