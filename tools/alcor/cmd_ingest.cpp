// alcor ingest [--source NAME] [--main-content] [--config FILE] INPUT...: add files, folders,
// stdin (-), URLs and arxiv:ID to the store. Thin: builds a run in memory (one `file` source for
// the files and URLs, one `arxiv` source per arxiv:ID) and runs the Scraper (alcor/pipeline.hpp),
// which converts, deduplicates, commits and handles signals as in a scrape; prints one line per
// document once its outcome is committed.
#include <algorithm>
#include <iostream>
#include <limits>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "alcor/config.hpp"
#include "alcor/env.hpp"
#include "alcor/http.hpp"
#include "alcor/json.hpp"
#include "alcor/pipeline.hpp"
#include "alcor/source_config.hpp"
#include "alcor/store.hpp"
#include "alcor/url.hpp"
#include "commands.hpp"

namespace alcor::cli {

namespace {

// From a scrape configuration, ingest takes only what fetching needs: the top-level "http"
// object and the settings of the first "arxiv" source (endpoints, citations) for arxiv:ID.
Status ReadIngestConfig(const std::string& path, HttpOptions* http, nlohmann::json* arxiv_settings,
                        std::string* config_dir) {
  std::string text;
  ALCOR_RETURN_IF_ERROR(ReadFileToString(Env::Default(), path, &text, uint64_t{16} << 20));
  JsonParseOptions json_options;
  json_options.ignore_comments = true;  // as scrape reads it
  Result<nlohmann::json> config_json = ParseJson(text, path, json_options);
  if (config_json.status().code() == Status::Code::kLimitExceeded) return config_json.status();
  nlohmann::json config = config_json.ok() ? std::move(config_json).value() : nlohmann::json();
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
      break;
    }
  }
  *config_dir = DirName(path);
  return Status::OK();
}

// The `arxiv` instance of arxiv:ID: the settings of --config's first arxiv source, ids = [ID], and
// citations.max_depth 0: one paper was asked for, not its citation graph, whatever depth a scrape
// configuration gives its arxiv sources (docs/sources.md, "alcor ingest").
Result<SourceConfig> ArxivInstance(const std::string& input, const std::string& source, nlohmann::json settings,
                                   const std::string& config_dir) {
  if (FindSourceKind("arxiv") == nullptr) {
    return Status::InvalidArgument("arxiv:ID needs the arxiv source kind, which this build of alcor does not have");
  }
  nlohmann::json entry = settings.is_object() ? std::move(settings) : nlohmann::json::object();
  for (const char* key : {"queries", "seed_file"}) entry.erase(key);
  entry["name"] = source;
  entry["kind"] = "arxiv";
  entry["enabled"] = true;
  entry["ids"] = nlohmann::json::array({input.substr(std::string_view("arxiv:").size())});
  if (!entry.contains("citations") || !entry["citations"].is_object()) entry["citations"] = nlohmann::json::object();
  entry["citations"]["max_depth"] = 0;
  return ValidateSourceConfig(entry, "alcor ingest " + input, config_dir);
}

// One line of the output: where it sorts (the input it came from, then the order its source met
// the documents) and what it says.
struct OutcomeLine {
  size_t input = 0;
  uint64_t sequence = 0;
  DocumentOutcome::Kind kind = DocumentOutcome::Kind::kFailed;
  std::string text;
};

// "stored ID (input)", "duplicate input: detail", "skipped input: why", "failed input: why".
std::string OutcomeText(DocumentOutcome::Kind kind, const std::string& input, const std::string& id,
                        const std::string& detail) {
  switch (kind) {
    case DocumentOutcome::Kind::kStored: return "stored " + id + " (" + input + ")";
    case DocumentOutcome::Kind::kDuplicate: return "duplicate " + input + ": " + detail;
    case DocumentOutcome::Kind::kSkipped: return "skipped " + input + ": " + detail;
    case DocumentOutcome::Kind::kFailed: return "failed " + input + ": " + detail;
  }
  return input;
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
                  "take the \"http\" settings (contact, hosts, caps such as max_response_bytes) and the first arxiv "
                  "source's settings from this scrape configuration");
  app->add_option("INPUT", flags->inputs,
                  "files (EPUB, PDF, HTML, text, Markdown), folders (recursive), - for stdin, http(s) URLs, "
                  "arxiv:ID")
      ->required();
  app->footer(
      "Runs the scrape pipeline on one `file` source (files, folders, stdin, URLs) and one `arxiv` source per "
      "arxiv:ID, and writes runs/<run-id>.json. Prints one line per document once it is committed: stored, "
      "duplicate, skipped or failed. Exit 1 if any failed, 130 when interrupted (SIGINT/SIGTERM: what was "
      "processed is committed).");
  return [flags](const GlobalOptions& global) {
    RunConfig run;
    run.path = "alcor ingest";
    // One normalizer worker: documents are offered to the deduplicator, and stored, in the order
    // of the inputs, as they always were.
    run.pipeline.workers = 1;
    nlohmann::json arxiv_settings = nlohmann::json::object();
    std::string config_dir = ".";
    if (!flags->config.empty()) {
      if (Status s = ReadIngestConfig(flags->config, &run.http, &arxiv_settings, &config_dir); !s.ok()) {
        spdlog::error("{}", s.ToString());
        return kExitUsage;
      }
    }

    // The run's source instances and, for each, the input its lines are printed under ("" for the
    // file source: each document's own path or URL) and the position of its first input.
    std::vector<std::string> labels;
    std::vector<size_t> positions;
    std::vector<OutcomeLine> lines;
    uint64_t failed = 0;
    nlohmann::json files = nlohmann::json::array();
    size_t files_position = 0;
    for (size_t i = 0; i < flags->inputs.size(); ++i) {
      const std::string& input = flags->inputs[i];
      if (!input.starts_with("arxiv:") || Env::Default()->FileExists(input)) {
        if (files.empty()) files_position = i;
        files.push_back(input);
        continue;
      }
      Result<SourceConfig> arxiv = ArxivInstance(input, flags->source, arxiv_settings, config_dir);
      if (!arxiv.ok()) {
        lines.push_back({i, 0, DocumentOutcome::Kind::kFailed,
                         OutcomeText(DocumentOutcome::Kind::kFailed, input, "", arxiv.status().ToString())});
        continue;
      }
      run.sources.push_back(std::move(arxiv).value());
      labels.push_back(input);
      positions.push_back(i);
    }
    if (!files.empty()) {
      nlohmann::json entry = {{"name", flags->source},
                              {"kind", "file"},
                              {"inputs", files},
                              {"main_content", flags->main_content}};
      // config_dir "": command-line paths stay as given (relative to the working directory).
      Result<SourceConfig> file = ValidateSourceConfig(entry, "alcor ingest", "");
      if (!file.ok()) {
        spdlog::error("{}", file.status().ToString());
        return kExitUsage;
      }
      run.sources.insert(run.sources.begin(), std::move(file).value());
      labels.insert(labels.begin(), "");
      positions.insert(positions.begin(), files_position);
    }

    std::unique_ptr<Store> store;
    if (int rc = OpenStoreOrExplain(global, /*read_only=*/false, &store)) return rc;
    // Validators stay in memory (no state_dir): a one-off fetch is never conditional.
    Result<std::unique_ptr<HttpClient>> client = NewCurlHttpClient(run.http);
    if (!client.ok()) {
      spdlog::error("{}", client.status().ToString());
      return kExitFailed;
    }

    // Outcomes arrive once the commit has made them true: "stored" is never printed for a
    // document a failed commit then lost.
    std::vector<DocumentOutcome> outcomes;
    ScrapeOptions options;
    options.keep_no_state = true;
    options.on_document = [&outcomes](const DocumentOutcome& o) { outcomes.push_back(o); };
    Scraper scraper(store.get(), client->get(), run, options);
    // SIGINT/SIGTERM: stop after the current document, commit what was processed, exit 130.
    SignalWatcher signals([&scraper](int sig) {
      spdlog::warn("signal {} received: stopping (committing what was processed)", sig);
      scraper.RequestStop();
    });
    RunReport report;
    Status s = scraper.Run(&report);
    report.command = "ingest";
    WriteRunReportOrWarn(store.get(), report.ToJson());

    for (const DocumentOutcome& o : outcomes) {
      const std::string& label = labels[o.source];
      std::string input = label.empty() ? o.what : label;
      // A source of arxiv:ID reports what failed inside it (a paper id, its references).
      std::string detail = !label.empty() && o.kind == DocumentOutcome::Kind::kFailed ? o.what + ": " + o.detail
                                                                                       : o.detail;
      lines.push_back({positions[o.source], o.sequence, o.kind, OutcomeText(o.kind, input, o.id, detail)});
    }
    for (size_t i = 0; i < report.sources.size() && i < labels.size(); ++i) {
      const SourceRunReport& r = report.sources[i];
      std::string input = labels[i].empty() ? r.name : labels[i];
      std::string why;
      if (r.status == "failed") {
        why = r.error;
      } else if (!labels[i].empty() && r.status == "ok" && r.fetched == 0 && r.failed == 0 && s.ok()) {
        why = "the arxiv source found no paper with this id";
      }
      if (why.empty()) continue;
      lines.push_back({positions[i], std::numeric_limits<uint64_t>::max(), DocumentOutcome::Kind::kFailed,
                       OutcomeText(DocumentOutcome::Kind::kFailed, input, "", why)});
    }
    std::stable_sort(lines.begin(), lines.end(), [](const OutcomeLine& a, const OutcomeLine& b) {
      return a.input != b.input ? a.input < b.input : a.sequence < b.sequence;
    });
    uint64_t stored = 0, duplicates = 0, skipped = 0;
    for (const OutcomeLine& line : lines) {
      std::cout << line.text << "\n";
      switch (line.kind) {
        case DocumentOutcome::Kind::kStored: ++stored; break;
        case DocumentOutcome::Kind::kDuplicate: ++duplicates; break;
        case DocumentOutcome::Kind::kSkipped: ++skipped; break;
        case DocumentOutcome::Kind::kFailed: ++failed; break;
      }
    }
    std::cout.flush();
    if (!s.ok() && !s.IsInterrupted()) {
      spdlog::error("the run failed (what is printed as stored or duplicate was committed): {}", s.ToString());
      return kExitFailed;
    }
    spdlog::info("{} stored, {} duplicates, {} skipped, {} failed", stored, duplicates, skipped, failed);
    if (s.IsInterrupted() || signals.received() != 0) return kExitInterrupted;
    return failed > 0 ? kExitFailed : kExitOk;
  };
}

}  // namespace alcor::cli
