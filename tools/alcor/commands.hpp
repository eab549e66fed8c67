// The subcommands of the alcor executable. main.cpp holds the table; each subcommand lives in
// its own cmd_<name>.cpp and only parses flags, calls alcor_core and prints.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "alcor/corpus.hpp"
#include "alcor/log.hpp"
#include "alcor/s3.hpp"
#include "alcor/selection.hpp"

namespace alcor::cli {

// Exit codes (docs/operations.md "Exit codes").
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitLocked = 3;
inline constexpr int kExitInterrupted = 130;

// Options every subcommand accepts, before or after its name.
struct GlobalOptions {
  std::string store_dir;  // --store, else $ALCOR_STORE, else ./corpus
  std::string log_format = "text";
  bool quiet = false;
  bool verbose = false;
  bool no_progress = false;
  std::string endpoint;  // --endpoint: the S3 endpoint (else $AWS_ENDPOINT_URL)
  std::string region;    // --region (else $AWS_REGION)
  LogOptions log;  // filled from the above before a command runs
};

// Runs a parsed subcommand; returns the process exit code.
using CommandRunner = std::function<int(const GlobalOptions&)>;

// Adds a subcommand's own options to `app` and returns what runs it once parsing succeeded.
using CommandSetup = CommandRunner (*)(CLI::App* app);

struct CommandInfo {
  const char* name;
  const char* summary;
  CommandSetup setup;
};

// Maps a Status to the exit code a subcommand returns for it (Locked → 3, Interrupted → 130,
// InvalidArgument → 2, anything else → 1).
int ExitCodeFor(const class Status& status);

// How a command opens the store. Every command reports a missing or damaged store the same way:
// the message names what is missing or damaged, exit 1 (a folder that is not a store: 2; a store
// in use: 3).
enum class StoreAccess {
  kRead,           // read-only, no lock (cat, stats, validate)
  kWrite,          // a writer on an existing store that reads clean (dedup)
  kWriteOrCreate,  // scrape, ingest: a --store that does not exist (or an empty folder) becomes a
                   // new store, with a warning on stderr saying so
  kRepair,         // repair: a writer on an existing store, damaged or not
};

// The S3 options of a command that talks to a bucket: the config file's "object_store" section
// (config_path "" for none), then the AWS_* environment variables, then --endpoint and --region.
// On failure logs why and returns the exit code (0 on success).
int S3OptionsOrExplain(const GlobalOptions& global, const std::string& config_path, S3Options* options);

// The Env the store named by --store lives in: Env::Default(), or for --store s3://BUCKET/PREFIX
// a read-only view of the bucket (alcor/s3.hpp NewS3ReadEnv; kept for the process's life). On
// failure logs why and returns nullptr with *rc set.
Env* StoreEnvOrExplain(const GlobalOptions& global, int* rc);

// Opens the store named by the global options (a bucket read-only: kRead only), logging why when it cannot; returns the exit code
// to use on failure (0 on success).
int OpenStoreOrExplain(const GlobalOptions& global, StoreAccess access, std::unique_ptr<Store>* store);
// The same for the commands that add records: read_only ? kRead : kWriteOrCreate.
int OpenStoreOrExplain(const GlobalOptions& global, bool read_only, std::unique_ptr<class Store>* store);

// The current record whose id, or URL (as given, else canonical), is key (through the search
// index, synced first): its stored JSON line and where it is. Logs why when there is none or it
// cannot be read and returns the exit code (0 on success).
int FindRecordLineOrExplain(const class Store& store, const std::string& key, std::string* line,
                            struct RecordLocation* where);

// The store's superseded set as a predicate for ScanOptions/ValidateOptions (older versions of
// re-stored items are skipped). On failure logs why and returns the exit code (0 on success).
int LoadSupersededOrExplain(const class Store& store, std::function<bool(const struct RecordLocation&)>* predicate);

// Writes run as the store's runs/<run-id>.json; a failure is only a warning (the command's work
// is already committed).
void WriteRunReportOrWarn(class Store* store, const nlohmann::json& run);
// Prints a command's report: report_json on one line with --json, else report_text. Returns kExitOk.
int PrintReport(const nlohmann::json& report_json, const std::string& report_text, bool as_json);

// The selection flags (--source --id --since --until --kind --tag --min-karma --af, and --query
// when with_query) on app; the Selection they fill (selection_flags.cpp).
std::shared_ptr<Selection> AddSelectionFlags(CLI::App* app, bool with_query);
// Prepares selection and checks its --source names against the store (did-you-mean); logs why
// and returns the exit code (2) when they are wrong, 0 when fine.
int PrepareSelectionOrExplain(const Store& store, Selection* selection);
// Visits every current record line the selection selects (superseded and removed lines skipped;
// --query through the search index), in store order, with ScanStore's options and damage rules.
// Returns an exit code when the scan could not start (logged); else 0 with the scan's status in
// *status.
int ScanSelected(const Store& store, const Selection& selection, ScanOptions options,
                 const std::function<bool(std::string_view line, const RecordLocation& where)>& visit, Status* status);

// Subcommand setups, one per cmd_<name>.cpp.
CommandRunner SetupValidate(CLI::App* app);
CommandRunner SetupCat(CLI::App* app);
CommandRunner SetupStats(CLI::App* app);
CommandRunner SetupIngest(CLI::App* app);
CommandRunner SetupNormalize(CLI::App* app);
CommandRunner SetupDedup(CLI::App* app);
CommandRunner SetupScrape(CLI::App* app);
CommandRunner SetupSources(CLI::App* app);
CommandRunner SetupRepair(CLI::App* app);
CommandRunner SetupSearch(CLI::App* app);
CommandRunner SetupShow(CLI::App* app);
CommandRunner SetupRaw(CLI::App* app);
CommandRunner SetupRebuild(CLI::App* app);
CommandRunner SetupExport(CLI::App* app);
CommandRunner SetupRemove(CLI::App* app);
CommandRunner SetupRemoved(CLI::App* app);
CommandRunner SetupRuns(CLI::App* app);
CommandRunner SetupMerge(CLI::App* app);
CommandRunner SetupPush(CLI::App* app);
CommandRunner SetupPull(CLI::App* app);

}  // namespace alcor::cli
