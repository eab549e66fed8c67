// The scrape configuration (docs/sources.md "The configuration file", with every key).
//
//   {"http": {...},                      optional: ParseHttpOptions
//    "dedup": {"policy": "richer"|"newer"|"first", "near_duplicates": bool,
//              "exact_duplicates": bool},   optional
//    "pipeline": {"workers": N, "queue": N}, optional (0: one worker per core)
//    "raw": "all"|"none",                optional: keep the fetched bytes (alcor/raw_archive.hpp)
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
#include "alcor/raw_archive.hpp"
#include "alcor/source_config.hpp"
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
  RawRetention raw = RawRetention::kAll;  // the raw archive: every document's bytes, or none
  std::vector<SourceConfig> sources;  // in file order, disabled ones included

  // The effective configuration with defaults filled in and secrets masked (--print-config).
  nlohmann::json EffectiveJson() const;

 private:
  friend Result<RunConfig> ParseRunConfig(std::string_view, const std::string&, const SourceKindList&);
  nlohmann::json http_display_;
};

// Parses and validates config text; path_for_errors names it in messages. Each source entry is
// checked by ValidateSourceConfig (alcor/source_config.hpp) against kinds.
Result<RunConfig> ParseRunConfig(std::string_view text, const std::string& path_for_errors,
                                 const SourceKindList& kinds = BuiltinSourceKinds());
// Reads and parses a file (NotFound / IOError naming it when it cannot be read).
Result<RunConfig> LoadRunConfig(Env* env, const std::string& path, const SourceKindList& kinds = BuiltinSourceKinds());

}  // namespace alcor
