// Loading and validating the scrape configuration (alcor/config.hpp): the run-level objects
// here, each source entry by ValidateSourceConfig (src/sources/source_config.cpp).
#include "alcor/config.hpp"

#include <algorithm>
#include <set>

#include "alcor/env.hpp"
#include "alcor/json.hpp"
#include "alcor/source.hpp"
#include "alcor/suggest.hpp"

namespace alcor {

namespace {

using json = nlohmann::json;

Status KeyError(const std::string& where, const std::string& key, const std::string& what) {
  return Status::InvalidArgument(where + ": " + (key.empty() ? "" : "\"" + key + "\": ") + what);
}

Result<DedupOptions> ParseDedupOptions(const json& j, const std::string& where) {
  DedupOptions options;
  if (j.is_null()) return options;
  if (!j.is_object()) return KeyError(where, "dedup", "must be an object");
  for (const auto& [key, value] : j.items()) {
    if (key == "policy") {
      if (!value.is_string() || !ParseMergePolicy(value.get<std::string>(), &options.policy)) {
        return KeyError(where, "dedup.policy", "must be \"richer\", \"newer\" or \"first\"");
      }
    } else if (key == "near_duplicates" || key == "exact_duplicates") {
      if (!value.is_boolean()) return KeyError(where, "dedup." + key, "must be a boolean");
      (key == "near_duplicates" ? options.near_duplicates : options.exact_duplicates) = value.get<bool>();
    } else {
      return KeyError(where, "dedup." + key,
                      "unknown key" + DidYouMean(key, {"policy", "near_duplicates", "exact_duplicates"}));
    }
  }
  return options;
}

Result<PipelineOptions> ParsePipelineOptions(const json& j, const std::string& where) {
  PipelineOptions options;
  if (j.is_null()) return options;
  if (!j.is_object()) return KeyError(where, "pipeline", "must be an object");
  for (const auto& [key, value] : j.items()) {
    if (key != "workers" && key != "queue") {
      return KeyError(where, "pipeline." + key, "unknown key" + DidYouMean(key, {"workers", "queue"}));
    }
    if (!value.is_number_integer() || value.get<int64_t>() < 0 || value.get<int64_t>() > 1024) {
      return KeyError(where, "pipeline." + key, "must be an integer from 0 to 1024");
    }
    if (key == "workers") options.workers = value.get<int>();
    if (key == "queue") options.queue = std::max<size_t>(1, value.get<size_t>());
  }
  return options;
}

// The http object as --print-config shows it: header values masked unless they are references.
json MaskHttp(json http) {
  if (!http.is_object() || !http.contains("hosts") || !http["hosts"].is_object()) return http;
  for (auto& [host, rule] : http["hosts"].items()) {
    if (!rule.is_object() || !rule.contains("headers") || !rule["headers"].is_object()) continue;
    for (auto& [name, value] : rule["headers"].items()) {
      if (!value.is_string() || value.get<std::string>().find("${") == std::string::npos) value = "[REDACTED]";
    }
  }
  return http;
}

}  // namespace

Result<RunConfig> ParseRunConfig(std::string_view text, const std::string& path, const SourceKindList& kinds) {
  JsonParseOptions json_options;
  json_options.ignore_comments = true;
  Result<json> parsed = ParseJson(text, path, json_options);
  if (!parsed.ok()) return parsed.status();
  json root = std::move(parsed).value();
  if (!root.is_object()) return Status::InvalidArgument(path + ": the top level must be an object");
  // object_store: read by push and pull (alcor/s3.hpp S3OptionsFromConfig), not by the scrape.
  static const std::vector<std::string> kTopKeys = {"sources", "http", "dedup", "pipeline", "raw", "description",
                                                    "object_store"};
  for (const auto& [key, value] : root.items()) {
    if (std::find(kTopKeys.begin(), kTopKeys.end(), key) == kTopKeys.end()) {
      return KeyError(path, key, "unknown top-level key" + DidYouMean(key, kTopKeys));
    }
  }
  RunConfig config;
  config.path = path;
  json http = root.value("http", json());
  Result<HttpOptions> http_options = ParseHttpOptions(http);
  if (!http_options.ok()) return Status::InvalidArgument(path + ": " + http_options.status().message());
  config.http = std::move(http_options.value());
  config.http_display_ = MaskHttp(http.is_null() ? json::object() : http);
  Result<DedupOptions> dedup = ParseDedupOptions(root.value("dedup", json()), path);
  if (!dedup.ok()) return dedup.status();
  config.dedup = dedup.value();
  Result<PipelineOptions> pipeline = ParsePipelineOptions(root.value("pipeline", json()), path);
  if (!pipeline.ok()) return pipeline.status();
  config.pipeline = pipeline.value();
  if (root.contains("raw")) {
    Result<RawRetention> raw = Status::InvalidArgument("not a string");
    if (root["raw"].is_string()) raw = ParseRawRetention(root["raw"].get<std::string>());
    if (!raw.ok()) return KeyError(path, "raw", "must be \"all\" (keep the fetched bytes) or \"none\"");
    config.raw = raw.value();
  }

  auto sources = root.find("sources");
  if (sources == root.end() || !sources->is_array()) {
    return KeyError(path, "sources", "required: an array of source objects");
  }
  std::string dir = ".";
  if (size_t slash = path.rfind('/'); slash != std::string::npos) dir = slash == 0 ? "/" : path.substr(0, slash);
  std::set<std::string> names;
  for (size_t i = 0; i < sources->size(); ++i) {
    Result<SourceConfig> source =
        ValidateSourceConfig((*sources)[i], path + ": sources[" + std::to_string(i) + "]", dir, kinds);
    if (!source.ok()) return source.status();
    source->config_path = path;
    // Settings that are well-typed but wrong (an impossible date, a malformed URL) are usage
    // errors found here, before a store is opened or a request made: the kind builds an instance
    // (without I/O) and drops it.
    const SourceKind& kind = *source->source_kind;
    Result<std::unique_ptr<Source>> built = kind.create ? kind.create(*source) : std::unique_ptr<Source>();
    if (!built.ok()) {
      return built.status().code() == Status::Code::kInvalidArgument
                 ? built.status()
                 : Status::InvalidArgument(built.status().message());
    }
    if (!names.insert(source->name).second) {
      return KeyError(path + ": sources[" + std::to_string(i) + "]", "name",
                      "\"" + source->name + "\" is used by an earlier source; names must be unique");
    }
    config.sources.push_back(std::move(source.value()));
  }
  return config;
}

Result<RunConfig> LoadRunConfig(Env* env, const std::string& path, const SourceKindList& kinds) {
  std::string text;
  Status s = ReadFileToString(env, path, &text, uint64_t{16} << 20);
  if (!s.ok()) return s.IsNotFound() ? Status::NotFound("config file " + path + " does not exist") : s;
  return ParseRunConfig(text, path, kinds);
}

json RunConfig::EffectiveJson() const {
  json out = json::object();
  out["http"] = http_display_;
  if (!out["http"].contains("contact")) out["http"]["contact"] = http.contact;  // as configured: ${NAME} stays
  out["http"]["max_response_bytes"] = http.max_response_bytes;
  out["dedup"] = {{"policy", MergePolicyName(dedup.policy)},
                  {"near_duplicates", dedup.near_duplicates},
                  {"exact_duplicates", dedup.exact_duplicates}};
  out["pipeline"] = {{"workers", pipeline.workers}, {"queue", pipeline.queue}};
  out["raw"] = RawRetentionName(raw);
  json list = json::array();
  for (const SourceConfig& s : sources) {
    json entry = {{"name", s.name}, {"kind", s.kind}, {"enabled", s.enabled}};
    for (const auto& [k, v] : s.display_settings.items()) entry[k] = v;
    list.push_back(std::move(entry));
  }
  out["sources"] = std::move(list);
  return out;
}

}  // namespace alcor
