// alcor: a thin executable over alcor_core. Parses the command line, sets up logging and runs
// one subcommand from the table below.
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string_view>
#include <vector>

#include <spdlog/spdlog.h>

#include "alcor/status.hpp"
#include "alcor/suggest.hpp"
#include "alcor/version.hpp"
#include "commands.hpp"

namespace alcor::cli {
namespace {

// Every subcommand, in the order --help lists them.
const CommandInfo kCommands[] = {
    {"scrape", "run the configured sources into the store (the nightly job)", &SetupScrape},
    {"sources", "list the source kinds, one line each; --keys [KIND]: their settings", &SetupSources},
    {"ingest", "add files, folders, stdin (-) to the store", &SetupIngest},
    {"validate", "check a store or shards; exit 1 when any problem is found", &SetupValidate},
    {"cat", "stream the store's records as JSONL (selection: --source --id --since --kind --tag --query ...)",
     &SetupCat},
    {"search", "full-text search, best first: QUERY [selection] [--limit N] [--json]", &SetupSearch},
    {"show", "one record as a person reads it (by id or URL); --json as stored", &SetupShow},
    {"export", "selected records as JSONL, text files or a template, in deterministic splits", &SetupExport},
    {"stats", "records, shards, bytes, words and dates per source (--by source|year|kind|tag|author)", &SetupStats},
    {"runs", "the run history: start, duration, per source fetched/new/failed, exit status", &SetupRuns},
    {"remove", "take records down (ID... --reason TEXT); they stay out of later runs", &SetupRemove},
    {"removed", "list the records taken down, with reason and time", &SetupRemoved},
    {"dedup", "re-deduplicate and compact the whole store (atomically)", &SetupDedup},
    {"merge", "other stores (SRC_STORE...) into --store through its deduplicator, atomically", &SetupMerge},
    {"push", "publish --store to s3://BUCKET/PREFIX: incremental, manifest last, one pusher at a time", &SetupPush},
    {"pull", "fetch a store published at s3://BUCKET/PREFIX into --store, every object's sha256 checked", &SetupPull},
    {"raw", "the bytes a record was made from (ID|URL [--warc]); prune --keep-latest", &SetupRaw},
    {"rebuild", "re-derive records from their raw bytes, offline ([--source NAME]... [--dry-run] [--json])",
     &SetupRebuild},
    {"repair", "set damaged shards aside, keep what still reads, rebuild the index", &SetupRepair},
    {"normalize", "HTML on stdin to Markdown text (--jsonl: records with an html field)", &SetupNormalize},
};

// The first non-option argument, when it names no subcommand: "did you mean" (after ninja).
bool RejectUnknownCommand(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg.empty() || arg[0] == '-') {
      if (arg == "--store" || arg == "--log-format" || arg == "--endpoint" || arg == "--region") ++i;  // skip the option's value
      continue;
    }
    for (const CommandInfo& c : kCommands)
      if (arg == c.name) return false;
    std::vector<std::string> names;
    for (const CommandInfo& c : kCommands) names.push_back(c.name);
    std::cerr << "alcor: unknown command '" << arg << "'" << DidYouMean(arg, names);
    std::cerr << "\nRun 'alcor --help' for the list of commands.\n";
    return true;
  }
  return false;
}

// An option or argument given an empty value ("--source ''", "--store ''") is a usage error:
// it would otherwise silently mean the default, or nothing. Returns the message, "" when none.
std::string EmptyValueError(const CLI::App& app) {
  std::vector<const CLI::App*> apps = {&app};
  for (const CLI::App* sub : app.get_subcommands()) apps.push_back(sub);
  for (const CLI::App* a : apps) {
    for (const CLI::Option* o : a->get_options()) {
      // Not given, a flag, or an option whose value may be left out ("--keys [KIND]": an omitted
      // value reads as "").
      if (o->count() == 0 || o->get_type_size_min() == 0 || o->get_expected_min() == 0) continue;
      for (const std::string& value : o->results()) {
        if (value.empty()) return o->get_name() + ": an empty value (\"\") is not allowed";
      }
    }
  }
  return "";
}

int Main(int argc, char** argv) {
  CLI::App app{"alcor: build and keep a private text corpus for AI-alignment research", "alcor"};
  app.set_version_flag("--version", std::string("alcor ") + kVersion + " (" + kGitRevision + ")");
  app.require_subcommand(1);
  app.fallthrough();
  GlobalOptions global;
  app.add_option("--store", global.store_dir, "corpus store directory (default $ALCOR_STORE, else ./corpus)");
  app.add_option("--log-format", global.log_format,
                 "text or json: one object per line with time, level, event, msg and, when known, source, "
                 "method, url, status, bytes, ms")
      ->check(CLI::IsMember({"text", "json"}));
  app.add_flag("--quiet,-q", global.quiet, "warnings and errors only");
  app.add_flag("--verbose,-v", global.verbose,
               "debug messages too, among them one line per HTTP transfer (method, URL without secrets, status, "
               "bytes, time)");
  app.add_flag("--no-progress", global.no_progress,
               "no live progress display (scrape shows one only when stderr is a terminal)");
  app.add_option("--endpoint", global.endpoint,
                 "S3 endpoint URL for push, pull and --store s3://BUCKET/PREFIX (default $AWS_ENDPOINT_URL)");
  app.add_option("--region", global.region, "S3 region (default $AWS_REGION, else us-east-1)");
  app.footer("Exit codes: 0 ok, 1 failed or problems found, 2 usage or config error, 3 store locked, "
             "130 interrupted.\nRun 'alcor COMMAND --help' for a command's options.");

  if (RejectUnknownCommand(argc, argv)) return kExitUsage;

  CommandRunner selected;
  std::vector<std::pair<CLI::App*, CommandRunner>> runners;
  for (const CommandInfo& c : kCommands) {
    CLI::App* sub = app.add_subcommand(c.name, c.summary);
    runners.emplace_back(sub, c.setup(sub));
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitUsage;
  }
  if (std::string empty = EmptyValueError(app); !empty.empty()) {
    std::cerr << "alcor: " << empty << "\nRun 'alcor --help' for more information.\n";
    return kExitUsage;
  }

  if (global.store_dir.empty()) {
    const char* env = std::getenv("ALCOR_STORE");
    global.store_dir = env && *env ? env : "corpus";
  }
  ParseLogFormat(global.log_format, &global.log.format);
  global.log.quiet = global.quiet;
  global.log.verbose = global.verbose;
  InitLogging(global.log);

  for (auto& [sub, run] : runners)
    if (sub->parsed()) return run(global);
  return kExitUsage;
}

}  // namespace

}  // namespace alcor::cli

int main(int argc, char** argv) {
  // A closed pipe (alcor cat | head) turns into EPIPE on write, which commands end on quietly.
  std::signal(SIGPIPE, SIG_IGN);
  try {
    return alcor::cli::Main(argc, argv);
  } catch (const std::exception& e) {
    // A bug, not an expected failure: expected failures are Status values.
    std::cerr << "alcor: internal error: " << e.what() << "\n";
    return alcor::cli::kExitFailed;
  }
}
