// alcor remove ID... --reason TEXT: takes records down (alcor/removal.hpp); they disappear from
// every reader in one commit and the deduplicator keeps them out. alcor removed [--json]: the
// removal list.
#include <iostream>

#include <spdlog/spdlog.h>

#include "alcor/removal.hpp"
#include "alcor/store.hpp"
#include "commands.hpp"

namespace alcor::cli {

CommandRunner SetupRemove(CLI::App* app) {
  auto ids = std::make_shared<std::vector<std::string>>();
  auto reason = std::make_shared<std::string>();
  app->add_option("ID", *ids, "ids of the records to remove")->required();
  app->add_option("--reason", *reason, "why (kept in the removal list: 'takedown request of the author')")->required();
  app->footer("Every id must name a record in the store, else nothing is removed (exit 2). 'alcor dedup' later "
              "drops the removed lines from the shards for good; 'alcor removed' lists removals.");
  return [ids, reason](const GlobalOptions& global) {
    std::unique_ptr<Store> store;
    if (int rc = OpenStoreOrExplain(global, StoreAccess::kWrite, &store)) return rc;
    std::vector<Removal> removed;
    Status s = RemoveRecords(store.get(), *ids, *reason, &removed);
    if (!s.ok()) {
      spdlog::error("{}", s.ToString());
      return ExitCodeFor(s);
    }
    nlohmann::json report = {{"command", "remove"}, {"run_id", store->run_id()}, {"removed", nlohmann::json::array()}};
    for (const Removal& r : removed) {
      report["removed"].push_back(r.ToJson());
      std::cout << "removed " << r.id << " (" << r.source << ")\n";
    }
    WriteRunReportOrWarn(store.get(), report);
    return kExitOk;
  };
}

CommandRunner SetupRemoved(CLI::App* app) {
  auto json = std::make_shared<bool>(false);
  app->add_flag("--json", *json, "JSON lines: id, source, url, content_sha256, text_key, reason, time");
  return [json](const GlobalOptions& global) {
    std::unique_ptr<Store> store;
    if (int rc = OpenStoreOrExplain(global, StoreAccess::kRead, &store)) return rc;
    RemovalList list;
    Status s = LoadRemovals(*store, &list);
    if (!s.ok()) {
      spdlog::error("{}", s.ToString());
      return kExitFailed;
    }
    for (const Removal& r : list.entries()) {
      if (*json) std::cout << r.ToJson().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
      else std::cout << r.time << "\t" << r.id << "\t" << r.source << "\t" << r.reason << "\n";
    }
    return kExitOk;
  };
}

}  // namespace alcor::cli
