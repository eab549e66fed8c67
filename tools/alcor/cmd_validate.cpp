// alcor validate [SHARD...] [--json] [--no-permissions]: CI's gate. One line per problem on
// stdout, exit 1 if any. Shards given by path inside the store are checked as the whole store
// checks them (manifest entry, superseded lines).
#include <iostream>

#include <spdlog/spdlog.h>

#include "alcor/env.hpp"
#include "alcor/removal.hpp"
#include "alcor/store.hpp"
#include "alcor/validate.hpp"
#include "commands.hpp"

namespace alcor::cli {

CommandRunner SetupValidate(CLI::App* app) {
  struct Flags {
    std::vector<std::string> shards;
    bool json = false;
    bool no_permissions = false;
  };
  auto flags = std::make_shared<Flags>();
  app->add_option("SHARD", flags->shards, "shard files to check instead of the whole store");
  app->add_flag("--json", flags->json, "print a machine-readable report (counts, problems)");
  app->add_flag("--no-permissions", flags->no_permissions,
                "do not check that the store is private (for copies whose file modes were lost, e.g. a "
                "store checked out of git)");
  app->footer("Prints PATH:LINE: problem per problem. Exit 0 when clean, 1 when any problem, 2 on usage errors.");
  return [flags](const GlobalOptions& global) {
    ValidateOptions options;
    options.shard_paths = flags->shards;
    options.check_permissions = !flags->no_permissions;
    // Loose shards are checked against the store they are in (its manifest, its superseded
    // lines), so they count and validate as the whole store does.
    std::string store_dir = global.store_dir;
    int rc = kExitOk;
    Env* env = StoreEnvOrExplain(global, &rc);
    if (env == nullptr) return rc;
    std::string shards_store;
    for (const std::string& path : flags->shards) {
      std::string of = StoreOfShard(Env::Default(), path);
      if (of.empty()) continue;
      if (!shards_store.empty() && of != shards_store) {
        spdlog::error("the shards are from two stores ({} and {}); validate one store at a time", shards_store, of);
        return kExitUsage;
      }
      shards_store = of;
    }
    if (!shards_store.empty()) store_dir = shards_store;
    // Older versions of re-stored items do not count as duplicate ids.
    std::unique_ptr<Store> store;
    StoreOptions read_only;
    read_only.read_only = true;
    Status opened = Store::Open(env, store_dir, read_only, &store);
    if (opened.ok()) {
      if (int rc = LoadSupersededOrExplain(*store, &options.is_superseded)) return rc;
      // A removed record that is still visible is a problem.
      auto removals = std::make_shared<RemovalList>();
      if (Status loaded = LoadRemovals(*store, removals.get()); !loaded.ok()) {
        spdlog::error("{}", loaded.ToString());
        return kExitFailed;
      }
      if (!removals->empty())
        options.is_removed = [removals](std::string_view id) { return removals->FindId(id) != nullptr; };
    } else if (flags->shards.empty() && (opened.IsNotFound() || opened.code() == Status::Code::kInvalidArgument)) {
      // No store there at all (a damaged one is what validate reports on): the same message and
      // exit code as every other command (OpenStoreOrExplain).
      spdlog::error("{}", opened.ToString());
      return ExitCodeFor(opened);
    }
    ValidationReport report;
    Status s = ValidateStore(env, store_dir, options, &report);
    if (!s.ok()) {
      spdlog::error("{}", s.message());
      return kExitFailed;
    }
    if (flags->json) {
      std::cout << report.ToJson().dump(2) << "\n";
    } else {
      for (const ValidationProblem& p : report.problems) std::cout << p.ToString() << "\n";
      for (const std::string& n : report.notes) spdlog::info("note: {}", n);
      // Live records are what cat prints and stats counts; superseded lines are older versions.
      std::string summary = std::to_string(report.shards) + " shards, " + std::to_string(report.records) +
                            " live records, " + std::to_string(report.superseded_records) + " superseded: " +
                            (report.ok() ? "ok" : std::to_string(report.problems.size()) + " problems");
      if (report.ok()) spdlog::info("{}", summary);
      else spdlog::error("{}", summary);
    }
    std::cout.flush();
    return report.ok() ? kExitOk : kExitFailed;
  };
}

}  // namespace alcor::cli
