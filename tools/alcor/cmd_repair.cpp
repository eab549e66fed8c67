// alcor repair [--json]: sets damaged shards aside in quarantine/, keeps every record that still
// reads, rebuilds the manifest and the dedup index from what remains (alcor/repair.hpp).
#include <iostream>

#include <spdlog/spdlog.h>

#include "alcor/repair.hpp"
#include "alcor/store.hpp"
#include "commands.hpp"

namespace alcor::cli {

CommandRunner SetupRepair(CLI::App* app) {
  auto json = std::make_shared<bool>(false);
  app->add_flag("--json", *json, "print the report as one JSON object");
  app->footer("Moves damaged shards to quarantine/ (never deletes them), stores the records that still read "
              "in new shards, and rebuilds the dedup index, so lost items are fetched again by the next run. "
              "Exit 0 when the store is sound afterwards (repaired or not damaged).");
  return [json](const GlobalOptions& global) {
    std::unique_ptr<Store> store;
    if (int rc = OpenStoreOrExplain(global, StoreAccess::kRepair, &store)) return rc;
    RepairReport report;
    Status s = RepairStore(store.get(), &report);
    if (!s.ok()) {
      spdlog::error("{}", s.ToString());
      return ExitCodeFor(s) == kExitOk ? kExitFailed : ExitCodeFor(s);
    }
    if (report.changed()) {
      WriteRunReportOrWarn(store.get(),
                           {{"command", "repair"}, {"run_id", store->run_id()}, {"repair", report.ToJson()}});
    }
    return PrintReport(report.ToJson(), report.ToText(), *json);
  };
}

}  // namespace alcor::cli
