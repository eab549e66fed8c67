// Helpers shared by the subcommands.
#include <iostream>

#include <spdlog/spdlog.h>

#include "alcor/dedup.hpp"
#include "alcor/env.hpp"
#include "alcor/status.hpp"
#include "alcor/store.hpp"
#include "commands.hpp"

namespace alcor::cli {

int ExitCodeFor(const Status& status) {
  switch (status.code()) {
    case Status::Code::kOk: return kExitOk;
    case Status::Code::kLocked: return kExitLocked;
    case Status::Code::kInterrupted: return kExitInterrupted;
    case Status::Code::kInvalidArgument: return kExitUsage;
    // A failed run, whatever stopped it: a refusal by the site or its robots.txt, or a bug.
    case Status::Code::kBlocked:
    case Status::Code::kRobotsDenied:
    case Status::Code::kInternal: return kExitFailed;
    default: return kExitFailed;
  }
}

int OpenStoreOrExplain(const GlobalOptions& global, StoreAccess access, std::unique_ptr<Store>* store) {
  Env* env = Env::Default();
  StoreOptions options;
  options.read_only = access == StoreAccess::kRead;
  options.create_if_missing = access == StoreAccess::kWriteOrCreate;
  options.check_before_writing = access != StoreAccess::kRepair;
  options.restore_missing_marker = access == StoreAccess::kRepair;
  const bool folder_existed = env->FileExists(global.store_dir);
  const bool store_existed = env->FileExists(JoinPath(global.store_dir, store_files::kMarker));
  Status s = Store::Open(env, global.store_dir, options, store);
  if (s.ok()) {
    // A mistyped --store or $ALCOR_STORE must not pass unnoticed as a new, empty store.
    if (!store_existed && !(*store)->restored_marker())
      spdlog::warn("{}: {}; created a new, empty store there", global.store_dir,
                   folder_existed ? "an empty folder" : "no such folder");
    return kExitOk;
  }
  if (s.IsLocked()) {
    spdlog::error("store {} is in use: {}", global.store_dir, s.message());
    return kExitLocked;
  }
  spdlog::error("{}", s.ToString());
  return ExitCodeFor(s) == kExitOk ? kExitFailed : ExitCodeFor(s);
}

void WriteRunReportOrWarn(Store* store, const nlohmann::json& run) {
  Status s = store->WriteRunReport(run.dump(2) + "\n");
  if (!s.ok()) spdlog::warn("run report not written: {}", s.ToString());
}

int PrintReport(const nlohmann::json& report_json, const std::string& report_text, bool as_json) {
  if (as_json) std::cout << report_json.dump() << "\n";
  else std::cout << report_text;
  return kExitOk;
}

int OpenStoreOrExplain(const GlobalOptions& global, bool read_only, std::unique_ptr<Store>* store) {
  return OpenStoreOrExplain(global, read_only ? StoreAccess::kRead : StoreAccess::kWriteOrCreate, store);
}

int LoadSupersededOrExplain(const Store& store, std::function<bool(const RecordLocation&)>* predicate) {
  auto set = std::make_shared<SupersededSet>();
  Status s = LoadSuperseded(store, set.get());
  if (!s.ok()) {
    spdlog::error("{}", s.ToString());
    return kExitFailed;
  }
  if (set->empty()) *predicate = nullptr;
  else *predicate = [set](const RecordLocation& where) { return set->Contains(where); };
  return kExitOk;
}

}  // namespace alcor::cli
