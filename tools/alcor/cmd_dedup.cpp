// alcor dedup [--policy richer|newer|first] [--json]: re-deduplicates and compacts the whole store
// (after merging stores, or to drop superseded versions). Atomic: one commit replaces every shard.
#include <cstdio>
#include <iostream>

#include <spdlog/spdlog.h>

#include "alcor/dedup.hpp"
#include "alcor/store.hpp"
#include "commands.hpp"

namespace alcor::cli {

CommandRunner SetupDedup(CLI::App* app) {
  auto policy = std::make_shared<std::string>("richer");
  auto json = std::make_shared<bool>(false);
  app->add_option("--policy", *policy,
                  "which record of a duplicate set keeps its text: richer (default; then newer), newer "
                  "(then richer), first (the one stored first)")
      ->check(CLI::IsMember({"richer", "newer", "first"}));
  app->add_flag("--json", *json, "print the report as one JSON object");
  return [policy, json](const GlobalOptions& global) {
    std::unique_ptr<Store> store;
    if (int rc = OpenStoreOrExplain(global, StoreAccess::kWrite, &store)) return rc;
    DedupOptions options;
    ParseMergePolicy(*policy, &options.policy);
    CompactionReport report;
    Status s = CompactStore(store.get(), options, &report);
    if (!s.ok()) {
      spdlog::error("{}", s.ToString());
      return ExitCodeFor(s);
    }
    WriteRunReportOrWarn(store.get(), {{"command", "dedup"}, {"run_id", store->run_id()}, {"policy", *policy},
                                       {"dedup", report.ToJson()}});
    return PrintReport(report.ToJson(), report.ToText(), *json);
  };
}

}  // namespace alcor::cli
