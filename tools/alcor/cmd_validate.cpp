// alcor validate [SHARD...] [--json]: CI's gate. One line per problem on stdout, exit 1 if any.
#include <iostream>

#include <spdlog/spdlog.h>

#include "alcor/env.hpp"
#include "alcor/store.hpp"
#include "alcor/validate.hpp"
#include "commands.hpp"

namespace alcor::cli {

CommandRunner SetupValidate(CLI::App* app) {
  struct Flags {
    std::vector<std::string> shards;
    bool json = false;
  };
  auto flags = std::make_shared<Flags>();
  app->add_option("SHARD", flags->shards, "shard files to check instead of the whole store");
  app->add_flag("--json", flags->json, "print a machine-readable report (counts, problems)");
  app->footer("Prints PATH:LINE: problem per problem. Exit 0 when clean, 1 when any problem, 2 on usage errors.");
  return [flags](const GlobalOptions& global) {
    ValidateOptions options;
    options.shard_paths = flags->shards;
    // Older versions of re-stored items do not count as duplicate ids.
    std::unique_ptr<Store> store;
    StoreOptions read_only;
    read_only.read_only = true;
    if (Store::Open(Env::Default(), global.store_dir, read_only, &store).ok()) {
      if (int rc = LoadSupersededOrExplain(*store, &options.is_superseded)) return rc;
    }
    ValidationReport report;
    Status s = ValidateStore(Env::Default(), global.store_dir, options, &report);
    if (!s.ok()) {
      spdlog::error("{}", s.message());
      return kExitFailed;
    }
    if (flags->json) {
      std::cout << report.ToJson().dump(2) << "\n";
    } else {
      for (const ValidationProblem& p : report.problems) std::cout << p.ToString() << "\n";
      for (const std::string& n : report.notes) spdlog::info("note: {}", n);
      std::string summary = std::to_string(report.shards) + " shards, " + std::to_string(report.records) +
                            " records: " +
                            (report.ok() ? "ok" : std::to_string(report.problems.size()) + " problems");
      if (report.ok()) spdlog::info("{}", summary);
      else spdlog::error("{}", summary);
    }
    std::cout.flush();
    return report.ok() ? kExitOk : kExitFailed;
  };
}

}  // namespace alcor::cli
