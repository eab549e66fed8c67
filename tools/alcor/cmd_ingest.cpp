// alcor ingest [--source NAME] [--main-content] [--config FILE] INPUT...: add files, folders,
// stdin (-), URLs and arxiv:ID to the store.
#include <iostream>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "alcor/config.hpp"
#include "alcor/dedup.hpp"
#include "alcor/env.hpp"
#include "alcor/http.hpp"
#include "alcor/ingest.hpp"
#include "alcor/pipeline.hpp"
#include "alcor/store.hpp"
#include "alcor/url.hpp"
#include "commands.hpp"

namespace alcor::cli {

namespace {

bool NeedsNetwork(const std::vector<std::string>& inputs) {
  for (const std::string& in : inputs) {
    if (IsHttpUrl(in) || in.rfind("arxiv:", 0) == 0) return true;
  }
  return false;
}

// From a scrape configuration, ingest takes only what fetching needs: the top-level "http"
// object and the settings of the first "arxiv" source (endpoints, citations) for arxiv:ID.
Status ReadIngestConfig(const std::string& path, HttpOptions* http, nlohmann::json* arxiv_settings,
                        std::string* config_dir) {
  std::string text;
  ALCOR_RETURN_IF_ERROR(ReadFileToString(Env::Default(), path, &text, uint64_t{16} << 20));
  nlohmann::json config = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!config.is_object()) return Status::InvalidArgument(path + ": not a JSON object");
  // A scrape configuration is checked as scrape checks it: a wrong value (an impossible date) is
  // a usage error before any store or request.
  if (config.contains("sources")) ALCOR_RETURN_IF_ERROR(ParseRunConfig(text, path).status());
  Result<HttpOptions> parsed = ParseHttpOptions(config.contains("http") ? config["http"] : nlohmann::json());
  if (!parsed.ok()) return parsed.status().WithContext(path);
  *http = std::move(parsed).value();
  if (config.contains("sources") && config["sources"].is_array()) {
    for (const nlohmann::json& entry : config["sources"]) {
      if (!entry.is_object() || entry.value("kind", "") != "arxiv") continue;
      *arxiv_settings = entry;
      for (const char* key : {"name", "kind", "enabled", "ids", "queries", "seed_file"}) arxiv_settings->erase(key);
      break;
    }
  }
  *config_dir = DirName(path);
  return Status::OK();
}

}  // namespace

CommandRunner SetupIngest(CLI::App* app) {
  struct Flags {
    std::string source = "local";
    bool main_content = false;
    std::string config;
    std::vector<std::string> inputs;
  };
  auto flags = std::make_shared<Flags>();
  app->add_option("--source", flags->source, "the records' source name")->capture_default_str();
  app->add_flag("--main-content", flags->main_content,
                "HTML files and stdin: keep only the article body (pages from URLs always are)");
  app->add_option("--config", flags->config,
                  "take the \"http\" settings (contact, hosts) and the first arxiv source's settings from "
                  "this scrape configuration");
  app->add_option("INPUT", flags->inputs,
                  "files (EPUB, PDF, HTML, text, Markdown), folders (recursive), - for stdin, http(s) URLs, "
                  "arxiv:ID")
      ->required();
  app->footer(
      "Prints one line per document once it is committed: stored, duplicate, skipped or failed. Exit 1 if any "
      "failed, 130 when interrupted (SIGINT/SIGTERM: what was processed is committed).");
  return [flags](const GlobalOptions& global) {
    HttpOptions http;
    IngestOptions options;
    if (!flags->config.empty()) {
      if (Status s = ReadIngestConfig(flags->config, &http, &options.arxiv_settings, &options.config_dir); !s.ok()) {
        spdlog::error("{}", s.ToString());
        return kExitUsage;
      }
    }
    std::unique_ptr<Store> store;
    if (int rc = OpenStoreOrExplain(global, /*read_only=*/false, &store)) return rc;
    // Every record passes through the deduplicator (docs/dedup.md).
    std::unique_ptr<IngestSink> sink;
    if (Status s = NewDedupIngestSink(store.get(), DedupOptions(), &sink); !s.ok()) {
      spdlog::error("{}", s.ToString());
      return ExitCodeFor(s) == kExitOk ? kExitFailed : ExitCodeFor(s);
    }
    // The HTTP client only when an input needs it (its thread and robots.txt cache cost nothing
    // otherwise). Validators stay in memory: a one-off fetch is never conditional.
    std::unique_ptr<HttpClient> client;
    if (NeedsNetwork(flags->inputs)) {
      Result<std::unique_ptr<HttpClient>> made = NewCurlHttpClient(http);
      if (!made.ok()) {
        spdlog::error("{}", made.status().ToString());
        return kExitFailed;
      }
      client = std::move(made).value();
    }
    options.source = flags->source;
    options.main_content = flags->main_content;
    options.http = client.get();
    Ingester ingester(sink.get(), options);
    // SIGINT/SIGTERM: stop after the current document, commit what was offered, exit 130.
    SignalWatcher signals([&ingester](int sig) {
      spdlog::warn("signal {} received: stopping (committing what was processed)", sig);
      ingester.RequestStop();
    });
    // Outcomes are printed once the commit has made them true: "stored" is never printed for a
    // document a failed commit then lost.
    std::vector<IngestOutcome> outcomes;
    for (const std::string& input : flags->inputs) {
      if (ingester.stopping()) break;
      ingester.Ingest(input, [&](const IngestOutcome& o) { outcomes.push_back(o); });
    }
    Status s = sink->Commit();
    uint64_t stored = 0, duplicates = 0, skipped = 0;
    for (const IngestOutcome& o : outcomes) {
      bool kept = o.kind == IngestOutcome::Kind::kStored || o.kind == IngestOutcome::Kind::kDuplicate;
      if (kept && !s.ok()) continue;
      std::cout << o.ToString() << "\n";
      if (o.kind == IngestOutcome::Kind::kStored) ++stored;
      if (o.kind == IngestOutcome::Kind::kDuplicate) ++duplicates;
      if (o.kind == IngestOutcome::Kind::kSkipped) ++skipped;
    }
    std::cout.flush();
    if (!s.ok()) {
      spdlog::error("nothing was stored: {}", s.ToString());
      return kExitFailed;
    }
    spdlog::info("{} stored, {} duplicates, {} skipped, {} failed", stored, duplicates, skipped, ingester.failed());
    if (signals.received() != 0) return kExitInterrupted;
    return ingester.failed() > 0 ? kExitFailed : kExitOk;
  };
}

}  // namespace alcor::cli
