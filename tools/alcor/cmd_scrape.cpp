// alcor scrape [--config FILE] [--only NAME...] [--limit N] [--dry-run] [--print-config]
// [--refresh-metadata NAME...]:
// the nightly job. Thin: loads the config, opens the store and the HTTP client, runs the
// Scraper (alcor/pipeline.hpp), shows progress on a terminal (never in a pipe or under cron:
// plain log lines only) and prints the summary.
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>  // mallopt
#endif

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include <spdlog/spdlog.h>

#include "alcor/config.hpp"
#include "alcor/env.hpp"
#include "alcor/log.hpp"
#include "alcor/pipeline.hpp"
#include "alcor/store.hpp"
#include "commands.hpp"

namespace alcor::cli {

namespace {

// The live display at the bottom of stderr (a terminal): the figures of the run so far, fitted to
// the terminal's width and height each time they are drawn; log lines print above it.
class ProgressDisplay {
 public:
  void Draw(const RunReport& report) {
    double elapsed = static_cast<double>(Env::Default()->MonotonicMicros() - start_) / 1e6;
    ShowStatusBlock(report.ProgressLines(TerminalColumns(), TerminalRows() - 1, elapsed));
  }
  // Erases it: the summary printed next starts where the display was, with nothing of it left.
  void Clear() { ClearStatusBlock(); }

 private:
  const int64_t start_ = Env::Default()->MonotonicMicros();
};

// 80, or the terminal's width when stdout is a narrower one.
int SummaryColumns() { return ::isatty(STDOUT_FILENO) ? std::min(80, TerminalColumns()) : 80; }

std::string DefaultConfigPath() {
  if (const char* env = std::getenv("ALCOR_CONFIG"); env && *env) return env;
  return "configs/default.json";
}

}  // namespace

// A count flag: a whole number, 0 or more ("--limit: must be a whole number, 0 or more, not -1").
const CLI::Validator kCount(
    [](std::string& value) -> std::string {
      bool digits = !value.empty() && value.find_first_not_of("0123456789") == std::string::npos;
      return digits && value.size() < 19 ? "" : "must be a whole number, 0 or more, not " + value;
    },
    "N", "count");

CommandRunner SetupScrape(CLI::App* app) {
  struct Flags {
    std::string config = DefaultConfigPath();
    std::vector<std::string> only;
    std::vector<std::string> refresh_metadata;
    uint64_t limit = 0;
    bool dry_run = false;
    bool print_config = false;
    int workers = 0;
  };
  auto flags = std::make_shared<Flags>();
  app->add_option("--config", flags->config, "configuration file (default $ALCOR_CONFIG, else configs/default.json)");
  app->add_option("--only", flags->only, "run only these sources (by name; disabled ones too)")->expected(1, -1);
  app->add_option("--refresh-metadata", flags->refresh_metadata,
                  "re-list these sources' whole history (paced like any run) and update the stored records whose "
                  "karma, votes, tags or comment count changed (forummagnum sources)")
      ->expected(1, -1);
  app->add_option("--limit", flags->limit, "at most N documents per source (0: no limit)")
      ->check(kCount);
  app->add_flag("--dry-run", flags->dry_run, "fetch and process, store nothing; report what would be stored");
  app->add_flag("--print-config", flags->print_config,
                "print the effective configuration (defaults filled in, secrets masked) and exit");
  app->add_option("--workers", flags->workers, "normalizer threads, 0 to 1024 (default 0: one per core)")
      ->check(CLI::Range(0, 1024));
  app->footer(
      "Writes runs/<run-id>.json and prints a summary per source. Exit 0 when every source "
      "succeeded, 1 when any failed, 2 for a bad configuration, 3 when the store is in use, "
      "130 when interrupted (what was processed is committed). See docs/sources.md and "
      "docs/operations.md.");
  return [flags](const GlobalOptions& global) {
    Result<RunConfig> config = LoadRunConfig(Env::Default(), flags->config);
    if (!config.ok()) {
      spdlog::error("{}", config.status().ToString());
      return config.status().IsNotFound() || config.status().code() == Status::Code::kInvalidArgument
                 ? kExitUsage
                 : kExitFailed;
    }
    if (flags->print_config) {
      std::cout << config->EffectiveJson().dump(2) << "\n";
      return kExitOk;
    }

    std::unique_ptr<Store> store;
    if (int rc = OpenStoreOrExplain(global, /*read_only=*/false, &store)) return rc;
    HttpOptions http = config->http;
    http.state_dir = JoinPath(store->StateDir(), "http");
    Result<std::unique_ptr<HttpClient>> client = NewCurlHttpClient(http);
    if (!client.ok()) {
      spdlog::error("{}", client.status().ToString());
      return kExitFailed;
    }

    ScrapeOptions options;
    options.only = flags->only;
    options.refresh_metadata = flags->refresh_metadata;
    options.limit = flags->limit;
    options.dry_run = flags->dry_run;
    options.workers = flags->workers;
    ProgressDisplay display;
    bool progress = !global.quiet && !global.no_progress && StderrIsInteractiveTerminal();
    if (progress) options.on_progress = [&display](const RunReport& r) { display.Draw(r); };

#ifdef __GLIBC__
    // Response bodies and documents of a few hundred KB would otherwise move glibc's dynamic mmap
    // threshold up and then fragment the thread arenas; a fixed threshold gives them back at free.
    // With the scraper's malloc_trim per commit this keeps peak RSS flat as runs grow
    // (docs/benchmarks.md, "Scrape: end to end").
    mallopt(M_MMAP_THRESHOLD, 256 * 1024);
#endif
    Scraper scraper(store.get(), client->get(), *config, options);
    SignalWatcher signals([&scraper](int sig) {
      spdlog::warn("signal {} received: stopping (committing what was processed)", sig);
      scraper.RequestStop();
    });
    RunReport report;
    Status s = scraper.Run(&report);
    if (progress) display.Clear();
    if (s.code() == Status::Code::kInvalidArgument) {
      spdlog::error("{}", s.message());
      return kExitUsage;
    }
    if (!flags->dry_run) {
      Status w = store->WriteRunReport(report.ToJson().dump(2) + "\n");
      if (!w.ok()) spdlog::warn("could not write the run report: {}", w.ToString());
    }
    if (!global.quiet || report.any_source_failed() || !s.ok()) {
      std::cout << (flags->dry_run ? "dry run: nothing was stored; would have stored:\n" : "") << report.Summary(SummaryColumns());
      if (!flags->dry_run) std::cout << "run report: " << JoinPath(store->dir(), "runs/" + report.run_id + ".json") << "\n";
      std::cout.flush();
    }
    if (s.IsInterrupted()) return kExitInterrupted;
    if (!s.ok()) {
      spdlog::error("{}", s.ToString());
      return kExitFailed;
    }
    return report.any_source_failed() ? kExitFailed : kExitOk;
  };
}

}  // namespace alcor::cli
