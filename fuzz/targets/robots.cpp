// robots.txt: rules, matching and the Sitemap: lines.
#include "fuzz_target.hpp"
#include "net/robots.hpp"
#include "sources/feed/feed_parse.hpp"

ALCOR_FUZZ_TARGET(robots) {
  alcor::RobotsRules rules = alcor::RobotsRules::Parse(input);
  for (const char* path : {"/", "/a/b?x=1", "/private/", "/robots.txt", "/%7Euser/", "/a*b$"}) (void)rules.Allowed(path);
  (void)rules.crawl_delay_s();
  (void)alcor::feed::RobotsSitemaps(input, "https://example.org/robots.txt");
}
