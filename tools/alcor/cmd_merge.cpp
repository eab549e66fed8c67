// alcor merge SRC_STORE... [--policy richer|newer|first] [--json]: the records of other stores
// (scraped on other machines) into --store, through its deduplicator, in one commit.
#include <spdlog/spdlog.h>

#include "alcor/merge_stores.hpp"
#include "alcor/store.hpp"
#include "commands.hpp"

namespace alcor::cli {

CommandRunner SetupMerge(CLI::App* app) {
  auto sources = std::make_shared<std::vector<std::string>>();
  auto policy = std::make_shared<std::string>("richer");
  auto json = std::make_shared<bool>(false);
  app->add_option("SRC_STORE", *sources, "stores to merge into --store (only read)")->required();
  app->add_option("--policy", *policy,
                  "which record of a duplicate set keeps its text: richer (default; then newer), newer "
                  "(then richer), first (the one stored first)")
      ->check(CLI::IsMember({"richer", "newer", "first"}));
  app->add_flag("--json", *json, "print the report as one JSON object");
  return [sources, policy, json](const GlobalOptions& global) {
    std::unique_ptr<Store> store;
    if (int rc = OpenStoreOrExplain(global, StoreAccess::kWriteOrCreate, &store)) return rc;
    DedupOptions options;
    ParseMergePolicy(*policy, &options.policy);
    MergeStoresReport report;
    Status s = MergeStores(store.get(), *sources, options, &report);
    if (!s.ok()) {
      spdlog::error("{}", s.ToString());
      return ExitCodeFor(s);
    }
    WriteRunReportOrWarn(store.get(), {{"command", "merge"}, {"run_id", store->run_id()}, {"policy", *policy},
                                       {"merge", report.ToJson()}});
    return PrintReport(report.ToJson(), report.ToText(), *json);
  };
}

}  // namespace alcor::cli
