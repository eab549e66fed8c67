// alcor scrape [--config FILE] [--only NAME...] [--limit N] [--dry-run] [--print-config]:
// the nightly job. Thin: loads the config, opens the store and the HTTP client, runs the
// Scraper (alcor/pipeline.hpp), shows progress on a terminal and prints the summary.
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>  // mallopt
#endif

#include <cstdio>
#include <cstdlib>
#include <iostream>

#include <spdlog/spdlog.h>

#include "alcor/config.hpp"
#include "alcor/env.hpp"
#include "alcor/pipeline.hpp"
#include "alcor/store.hpp"
#include "commands.hpp"

namespace alcor::cli {

namespace {

// A live display on stderr, one line per source, redrawn in place.
class ProgressDisplay {
 public:
  void Draw(const RunReport& report) {
    std::string out;
    if (lines_ > 0) out += "\x1b[" + std::to_string(lines_) + "A";
    lines_ = 0;
    for (const SourceRunReport& s : report.sources) {
      double rate = s.seconds > 0 ? static_cast<double>(s.fetched) / s.seconds : 0;
      if (s.status == "running" || s.seconds == 0) {
        double elapsed = Elapsed();
        rate = elapsed > 0 ? static_cast<double>(s.fetched) / elapsed : 0;
      }
      char line[256];
      std::snprintf(line, sizeof(line), "\x1b[2K%-22s %-11s %7llu items %7.1f/s %6llu new %5llu errors\n",
                    s.name.c_str(), s.status.c_str(), static_cast<unsigned long long>(s.fetched), rate,
                    static_cast<unsigned long long>(s.stored_new), static_cast<unsigned long long>(s.failed));
      out += line;
      ++lines_;
    }
    std::fputs(out.c_str(), stderr);
    std::fflush(stderr);
  }

 private:
  double Elapsed() {
    int64_t now = Env::Default()->MonotonicMicros();
    if (start_ == 0) start_ = now;
    return static_cast<double>(now - start_) / 1e6;
  }
  int lines_ = 0;
  int64_t start_ = 0;
};

std::string DefaultConfigPath() {
  if (const char* env = std::getenv("ALCOR_CONFIG"); env && *env) return env;
  return "configs/default.json";
}

}  // namespace

CommandRunner SetupScrape(CLI::App* app) {
  struct Flags {
    std::string config = DefaultConfigPath();
    std::vector<std::string> only;
    uint64_t limit = 0;
    bool dry_run = false;
    bool print_config = false;
    int workers = 0;
  };
  auto flags = std::make_shared<Flags>();
  app->add_option("--config", flags->config, "configuration file (default $ALCOR_CONFIG, else configs/default.json)");
  app->add_option("--only", flags->only, "run only these sources (by name; disabled ones too)")->expected(1, -1);
  app->add_option("--limit", flags->limit, "at most N documents per source (0: no limit)");
  app->add_flag("--dry-run", flags->dry_run, "fetch and process, store nothing; report what would be stored");
  app->add_flag("--print-config", flags->print_config,
                "print the effective configuration (defaults filled in, secrets masked) and exit");
  app->add_option("--workers", flags->workers, "normalizer threads (default: one per core)");
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
    options.limit = flags->limit;
    options.dry_run = flags->dry_run;
    options.workers = flags->workers;
    ProgressDisplay display;
    bool progress = !global.quiet && !global.no_progress && ::isatty(2);
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
    if (s.code() == Status::Code::kInvalidArgument) {
      spdlog::error("{}", s.message());
      return kExitUsage;
    }
    if (progress) display.Draw(report);
    if (!flags->dry_run) {
      Status w = store->WriteRunReport(report.ToJson().dump(2) + "\n");
      if (!w.ok()) spdlog::warn("could not write the run report: {}", w.ToString());
    }
    if (!global.quiet || report.any_source_failed() || !s.ok()) {
      std::cout << (flags->dry_run ? "dry run: nothing was stored; would have stored:\n" : "") << report.Summary();
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
