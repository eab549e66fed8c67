// Run configurations (alcor scrape --config): JSON with comments, every source kind's keys.
#include "alcor/config.hpp"
#include "fuzz_target.hpp"

ALCOR_FUZZ_TARGET(config) {
  alcor::Result<alcor::RunConfig> config = alcor::ParseRunConfig(input, "fuzz.json");
  (void)config;
}
