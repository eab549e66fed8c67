// The scrape configuration (DESIGN.md "Configuration"; every key in docs/sources.md).
//
//   {"http": {...},                      optional: ParseHttpOptions
//    "dedup": {"policy": "richer"|"newer"|"first", "near_duplicates": bool,
//              "exact_duplicates": bool},   optional
//    "pipeline": {"workers": N, "queue": N}, optional (0: one worker per core)
//    "sources": [{"name": "...", "kind": "...", "enabled": true, ...kind keys}]}
//
// Loading validates everything before any network traffic: unknown keys, wrong types, unknown
// kinds, duplicate names and unset ${ENV} variables are InvalidArgument errors that name the file,
// the key path ("sources[2].citations.max_depth") and, for a misspelling, a did-you-mean.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "alcor/dedup.hpp"
#include "alcor/http.hpp"
#include "alcor/source.hpp"
#include "alcor/status.hpp"

namespace alcor {

class Env;

struct PipelineOptions {
  int workers = 0;     // normalizer threads; 0: one per core
  size_t queue = 64;   // documents waiting between stages (each queue)
};

struct RunConfig {
  std::string path;  // the file read ("" when parsed from text)
  HttpOptions http;
  DedupOptions dedup;
  PipelineOptions pipeline;
  std::vector<SourceConfig> sources;  // in file order, disabled ones included

  // The effective configuration with defaults filled in and secrets masked (--print-config).
  nlohmann::json EffectiveJson() const;

 private:
  friend Result<RunConfig> ParseRunConfig(std::string_view, const std::string&);
  nlohmann::json http_display_;
};

// Parses and validates config text; path_for_errors names it in messages.
Result<RunConfig> ParseRunConfig(std::string_view text, const std::string& path_for_errors);
// Reads and parses a file (NotFound / IOError naming it when it cannot be read).
Result<RunConfig> LoadRunConfig(Env* env, const std::string& path);

// Validates one entry of "sources" against its kind's keys: fills defaults, expands ${ENV}.
// where names the entry in messages ("configs/default.json: sources[2]"); config_dir is where
// relative paths in it are resolved from.
Result<SourceConfig> ValidateSourceConfig(const nlohmann::json& entry, const std::string& where,
                                          const std::string& config_dir = ".");

}  // namespace alcor
