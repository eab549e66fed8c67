// alcor ingest [--source NAME] INPUT...: add files, folders and stdin (-) to the store.
#include <iostream>

#include <spdlog/spdlog.h>

#include "alcor/dedup.hpp"
#include "alcor/ingest.hpp"
#include "alcor/store.hpp"
#include "commands.hpp"

namespace alcor::cli {

CommandRunner SetupIngest(CLI::App* app) {
  struct Flags {
    std::string source = "local";
    std::vector<std::string> inputs;
  };
  auto flags = std::make_shared<Flags>();
  app->add_option("--source", flags->source, "the records' source name")->capture_default_str();
  app->add_option("INPUT", flags->inputs, "files, folders (recursive), or - for one document on stdin")->required();
  app->footer("Prints one line per document: stored, duplicate, skipped or failed. Exit 1 if any failed.");
  return [flags](const GlobalOptions& global) {
    std::unique_ptr<Store> store;
    if (int rc = OpenStoreOrExplain(global, /*read_only=*/false, &store)) return rc;
    // Every record passes through the deduplicator (docs/dedup.md).
    std::unique_ptr<IngestSink> sink;
    if (Status s = NewDedupIngestSink(store.get(), DedupOptions(), &sink); !s.ok()) {
      spdlog::error("{}", s.ToString());
      return ExitCodeFor(s) == kExitOk ? kExitFailed : ExitCodeFor(s);
    }
    IngestOptions options;
    options.source = flags->source;
    Ingester ingester(sink.get(), options);
    uint64_t stored = 0, duplicates = 0, skipped = 0;
    for (const std::string& input : flags->inputs) {
      ingester.Ingest(input, [&](const IngestOutcome& o) {
        std::cout << o.ToString() << "\n";
        if (o.kind == IngestOutcome::Kind::kStored) ++stored;
        if (o.kind == IngestOutcome::Kind::kDuplicate) ++duplicates;
        if (o.kind == IngestOutcome::Kind::kSkipped) ++skipped;
      });
    }
    std::cout.flush();
    Status s = sink->Commit();
    if (!s.ok()) {
      spdlog::error("nothing was stored: {}", s.ToString());
      return kExitFailed;
    }
    spdlog::info("{} stored, {} duplicates, {} skipped, {} failed", stored, duplicates, skipped, ingester.failed());
    return ingester.failed() > 0 ? kExitFailed : kExitOk;
  };
}

}  // namespace alcor::cli
