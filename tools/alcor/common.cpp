// Helpers shared by the subcommands.
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

int OpenStoreOrExplain(const GlobalOptions& global, bool read_only, std::unique_ptr<Store>* store) {
  StoreOptions options;
  options.read_only = read_only;
  Status s = Store::Open(Env::Default(), global.store_dir, options, store);
  if (s.ok()) return kExitOk;
  if (s.IsLocked()) {
    spdlog::error("store {} is in use: {}", global.store_dir, s.message());
    return kExitLocked;
  }
  spdlog::error("{}", s.ToString());
  return ExitCodeFor(s) == kExitOk ? kExitFailed : ExitCodeFor(s);
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
