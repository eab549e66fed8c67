// alcor stats [--json]: per source records, shards, bytes, words, earliest and latest date.
#include <iostream>

#include <spdlog/spdlog.h>

#include "alcor/corpus.hpp"
#include "alcor/store.hpp"
#include "commands.hpp"

namespace alcor::cli {

CommandRunner SetupStats(CLI::App* app) {
  auto json = std::make_shared<bool>(false);
  app->add_flag("--json", *json, "print JSON instead of a table");
  return [json](const GlobalOptions& global) {
    std::unique_ptr<Store> store;
    if (int rc = OpenStoreOrExplain(global, /*read_only=*/true, &store)) return rc;
    ScanOptions options;
    if (int rc = LoadSupersededOrExplain(*store, &options.is_superseded)) return rc;
    StoreStats stats;
    Status s = ComputeStats(*store, options, &stats);
    if (*json) std::cout << stats.ToJson().dump(2) << "\n";
    else std::cout << stats.ToText();
    if (!s.ok()) {
      spdlog::error("{} (figures above stop there; run alcor validate)", s.ToString());
      return kExitFailed;
    }
    return kExitOk;
  };
}

}  // namespace alcor::cli
