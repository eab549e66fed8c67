// alcor stats [--by source|year|kind|tag|author] [--json]: per group (source by default) records,
// shards, bytes, words, earliest and latest date.
#include <iostream>

#include <spdlog/spdlog.h>

#include "alcor/corpus.hpp"
#include "alcor/store.hpp"
#include "commands.hpp"

namespace alcor::cli {

CommandRunner SetupStats(CLI::App* app) {
  auto json = std::make_shared<bool>(false);
  auto by = std::make_shared<std::string>("source");
  app->add_flag("--json", *json, "print JSON instead of a table");
  app->add_option("--by", *by,
                  "group by source (default), year (of date_published), kind, tag or author (a record counts for "
                  "each of its tags or authors)")
      ->check(CLI::IsMember(std::vector<std::string>(std::begin(kStatsGroups), std::end(kStatsGroups))));
  return [json, by](const GlobalOptions& global) {
    std::unique_ptr<Store> store;
    if (int rc = OpenStoreOrExplain(global, StoreAccess::kRead, &store)) return rc;
    ScanOptions options;
    if (int rc = LoadSupersededOrExplain(*store, &options.is_superseded)) return rc;
    StoreStats stats;
    Status s = ComputeStatsBy(*store, options, *by, &stats);
    if (!s.ok()) {
      // No figures: those of a damaged store would be wrong without saying so.
      spdlog::error("{} ('alcor validate' lists every problem; 'alcor repair' sets damaged shards aside)",
                    s.ToString());
      return kExitFailed;
    }
    if (*json) std::cout << stats.ToJson().dump(2) << "\n";
    else std::cout << stats.ToText();
    return kExitOk;
  };
}

}  // namespace alcor::cli
