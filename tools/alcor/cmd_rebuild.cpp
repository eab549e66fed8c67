// alcor rebuild [--source NAME]... [--dry-run] [--json]: re-derives the records that have raw
// bytes with today's conversion, offline, and swaps the result in atomically (alcor/rebuild.hpp).
// SIGINT or SIGTERM stops it with the store's records unchanged (exit 130); running it again
// resumes from the records it had re-derived (staged under <store>/rebuild/).
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <iostream>

#include <spdlog/spdlog.h>

#include "alcor/pipeline.hpp"
#include "alcor/rebuild.hpp"
#include "alcor/store.hpp"
#include "commands.hpp"

namespace alcor::cli {

CommandRunner SetupRebuild(CLI::App* app) {
  auto sources = std::make_shared<std::vector<std::string>>();
  auto dry_run = std::make_shared<bool>(false);
  auto json = std::make_shared<bool>(false);
  auto workers = std::make_shared<int>(0);
  auto alter = std::make_shared<std::string>();
  auto every_batch = std::make_shared<bool>(false);
  app->add_option("--source", *sources, "re-derive only this source's records (repeatable; the others are kept)");
  app->add_flag("--dry-run", *dry_run, "convert and report what would change; write nothing");
  app->add_flag("--json", *json, "print the report as one JSON object");
  app->add_option("--workers", *workers, "conversion threads (default: one per core)");
  // Test only: proves that a conversion change rewrites exactly the records it affects.
  app->add_option("--test-alter-conversion", *alter, "")->group("");
  // Test only: a checkpoint of the staging after every batch, so that a kill -9 test finds one.
  app->add_flag("--test-checkpoint-every-batch", *every_batch, "")->group("");
  app->footer("Reports, per source, the records changed, unchanged, failed (kept as they were) and without raw "
              "bytes (carried over unchanged), and the words gained and lost. The new records go through the "
              "deduplicator like a scrape's; one commit swaps them in. Interrupted (SIGINT, or killed), it "
              "resumes when run again: the records re-derived so far are staged under <store>/rebuild/.");
  return [sources, dry_run, json, workers, alter, every_batch](const GlobalOptions& global) {
    std::unique_ptr<Store> store;
    if (int rc = OpenStoreOrExplain(global, StoreAccess::kWrite, &store)) return rc;
    std::atomic<bool> stop{false};
    SignalWatcher signals([&stop](int sig) {
      spdlog::warn("signal {} received: stopping; the store stays as it was", sig);
      stop = true;
    });
    RebuildOptions options;
    options.sources = *sources;
    options.dry_run = *dry_run;
    options.workers = *workers;
    options.test_alter_word = *alter;
    if (*every_batch) options.checkpoint_micros = 0;
    options.stop = &stop;
    const bool progress = !global.no_progress && !global.quiet && isatty(STDERR_FILENO);
    if (progress) {
      options.on_progress = [](const RebuildReport& r) {
        uint64_t changed = 0;
        for (const RebuildSourceReport& s : r.sources) changed += s.changed;
        std::fprintf(stderr, "\rrebuild: %llu records read, %llu changed", static_cast<unsigned long long>(r.records),
                     static_cast<unsigned long long>(changed));
      };
    }
    RebuildReport report;
    Status s = RebuildStore(store.get(), options, &report);
    if (progress) std::fprintf(stderr, "\r\033[K");
    if (!s.ok()) {
      spdlog::error("{}", s.ToString());
      return ExitCodeFor(s);
    }
    if (!*dry_run)
      WriteRunReportOrWarn(store.get(), {{"command", "rebuild"}, {"run_id", store->run_id()}, {"rebuild", report.ToJson()}});
    return PrintReport(report.ToJson(), report.Summary(), *json);
  };
}

}  // namespace alcor::cli
