// alcor raw ID|URL [--warc]: the bytes a record was made from (its raw archive entry,
// alcor/raw_store.hpp) on stdout: the payload as fetched or read, or with --warc its whole WARC
// record. alcor raw prune --keep-latest: drop the raw archive files no current record points at.
#include <iostream>

#include <spdlog/spdlog.h>

#include "alcor/raw_store.hpp"
#include "alcor/record.hpp"
#include "alcor/store.hpp"
#include "alcor/warc.hpp"
#include "commands.hpp"

namespace alcor::cli {

CommandRunner SetupRaw(CLI::App* app) {
  auto key = std::make_shared<std::string>();
  auto warc = std::make_shared<bool>(false);
  auto keep_latest = std::make_shared<bool>(false);
  auto json = std::make_shared<bool>(false);
  app->add_option("ID|URL", *key, "the record's id, or its URL");
  app->add_flag("--warc", *warc, "the whole WARC record (headers and block), uncompressed, not only the payload");
  CLI::App* prune = app->add_subcommand("prune", "drop the raw archive files no current record points at");
  prune->add_flag("--keep-latest", *keep_latest, "keep only the bytes current records point at (required)")->required();
  prune->add_flag("--json", *json, "the report as one JSON line");
  app->footer("A record points at its raw bytes with metadata.raw {file, offset, record_id}; records stored "
              "before the raw archive existed, or with the configuration's raw: \"none\", have none (exit 1). "
              "'alcor raw prune --keep-latest' removes whole files only: a file one current record points at is kept.");
  // Every flag's storage lives as long as the runner: CLI11 writes it while parsing, after Setup returns.
  return [app, prune, key, warc, keep_latest, json](const GlobalOptions& global) {
    if (prune->parsed()) {
      std::unique_ptr<Store> store;
      if (int rc = OpenStoreOrExplain(global, StoreAccess::kWrite, &store)) return rc;
      std::function<bool(const RecordLocation&)> superseded;
      if (int rc = LoadSupersededOrExplain(*store, &superseded)) return rc;
      RawPruneReport report;
      Status s = PruneRawArchive(store.get(), superseded, &report);
      if (!s.ok()) {
        spdlog::error("{}", s.ToString());
        return ExitCodeFor(s);
      }
      nlohmann::json run = {{"command", "raw prune"}, {"run_id", store->run_id()}, {"raw", report.ToJson()}};
      WriteRunReportOrWarn(store.get(), run);
      return PrintReport(report.ToJson(),
                         "removed " + std::to_string(report.files_removed) + " raw archive files (" +
                             std::to_string(report.bytes_removed) + " bytes); kept " +
                             std::to_string(report.files_kept) + " (" + std::to_string(report.bytes_kept) +
                             " bytes), holding " + std::to_string(report.dead_records_kept) +
                             " WARC records no current record points at\n",
                         *json);
    }
    if (key->empty()) {
      std::cerr << "alcor raw: give a record's ID or URL, or 'prune --keep-latest'\n" << app->help();
      return kExitUsage;
    }
    std::unique_ptr<Store> store;
    if (int rc = OpenStoreOrExplain(global, StoreAccess::kRead, &store)) return rc;
    std::string line;
    RecordLocation where;
    if (int rc = FindRecordLineOrExplain(*store, *key, &line, &where)) return rc;
    Result<Record> record = Record::FromJsonLine(line);
    if (!record.ok()) {
      spdlog::error("{}:{}: {}", where.shard, where.line, record.status().ToString());
      return kExitFailed;
    }
    WarcRecord raw;
    Status s = ReadRawOf(*store, record->metadata, &raw);
    if (!s.ok()) {
      spdlog::error("{}: {}", record->id, s.ToString());
      return kExitFailed;
    }
    std::string out = *warc ? SerializeWarcRecord(raw) : raw.payload;
    std::cout.write(out.data(), static_cast<std::streamsize>(out.size()));
    std::cout.flush();
    return std::cout ? kExitOk : kExitFailed;
  };
}

}  // namespace alcor::cli
