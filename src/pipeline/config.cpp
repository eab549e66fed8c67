// Loading and validating the scrape configuration (alcor/config.hpp).
#include "alcor/config.hpp"

#include <set>

#include "alcor/env.hpp"
#include "alcor/suggest.hpp"

namespace alcor {

namespace {

using json = nlohmann::json;

const char* JsonTypeName(const json& v) {
  if (v.is_null()) return "null";
  if (v.is_boolean()) return "a boolean";
  if (v.is_number_integer() || v.is_number_unsigned()) return "an integer";
  if (v.is_number()) return "a number";
  if (v.is_string()) return "a string";
  if (v.is_array()) return "an array";
  return "an object";
}

bool HasType(const json& v, ConfigType type) {
  switch (type) {
    case ConfigType::kString: return v.is_string();
    case ConfigType::kBool: return v.is_boolean();
    case ConfigType::kInteger: return v.is_number_integer() || v.is_number_unsigned();
    case ConfigType::kNumber: return v.is_number();
    case ConfigType::kStringList:
      if (!v.is_array()) return false;
      for (const json& e : v)
        if (!e.is_string()) return false;
      return true;
    case ConfigType::kStringMap:
      if (!v.is_object()) return false;
      for (const auto& [k, e] : v.items())
        if (!e.is_string()) return false;
      return true;
    case ConfigType::kAny: return true;
  }
  return false;
}

Status KeyError(const std::string& where, const std::string& key, const std::string& what) {
  return Status::InvalidArgument(where + ": " + (key.empty() ? "" : "\"" + key + "\": ") + what);
}

// Expands ${ENV} in every string of v; *had_reference tells whether any was expanded.
Status ExpandStrings(json* v, const std::string& where, const std::string& key, bool* had_reference) {
  if (v->is_string()) {
    const std::string& text = v->get_ref<const std::string&>();
    if (text.find("${") == std::string::npos) return Status::OK();
    Result<std::string> expanded = ExpandEnvReferences(text);
    if (!expanded.ok()) return KeyError(where, key, expanded.status().message());
    *v = std::move(expanded.value());
    *had_reference = true;
    return Status::OK();
  }
  if (v->is_array() || v->is_object()) {
    for (auto& e : *v) ALCOR_RETURN_IF_ERROR(ExpandStrings(&e, where, key, had_reference));
  }
  return Status::OK();
}

json* Slot(json* root, std::string_view path, bool create) {
  json* cur = root;
  while (true) {
    size_t dot = path.find('.');
    std::string part(path.substr(0, dot));
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(part);
    if (it == cur->end()) {
      if (!create) return nullptr;
      it = cur->emplace(part, dot == std::string_view::npos ? json() : json::object()).first;
    }
    if (dot == std::string_view::npos) return &*it;
    cur = &*it;
    path.remove_prefix(dot + 1);
  }
}

// Checks every key of obj (at prefix) against kind's keys, recursing into nested objects.
Status CheckKeys(const json& obj, const std::string& prefix, const SourceKind& kind, const std::string& where) {
  std::vector<std::string> siblings;
  std::set<std::string> nested;
  for (const ConfigKey& k : kind.keys) {
    if (k.path.compare(0, prefix.size(), prefix) != 0) continue;
    std::string rest = k.path.substr(prefix.size());
    size_t dot = rest.find('.');
    siblings.push_back(rest.substr(0, dot));
    if (dot != std::string::npos) nested.insert(rest.substr(0, dot));
  }
  if (prefix.empty()) {
    for (const char* common : {"name", "kind", "enabled"}) siblings.push_back(common);
  }
  for (const auto& [key, value] : obj.items()) {
    std::string path = prefix + key;
    if (prefix.empty() && (key == "name" || key == "kind" || key == "enabled")) continue;
    const ConfigKey* spec = nullptr;
    for (const ConfigKey& k : kind.keys)
      if (k.path == path) spec = &k;
    if (spec) {
      if (!HasType(value, spec->type)) {
        return KeyError(where, path,
                        std::string("must be ") + ConfigTypeName(spec->type) + ", not " + JsonTypeName(value));
      }
      continue;
    }
    if (nested.count(key)) {
      if (!value.is_object()) return KeyError(where, path, std::string("must be an object, not ") + JsonTypeName(value));
      ALCOR_RETURN_IF_ERROR(CheckKeys(value, path + ".", kind, where));
      continue;
    }
    return KeyError(where, path, "unknown key for kind " + kind.name + DidYouMean(key, siblings));
  }
  return Status::OK();
}

std::vector<std::string> KindNames() {
  std::vector<std::string> names;
  for (const SourceKind* k : SourceKinds()) names.push_back(k->name);
  return names;
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

const char* ConfigTypeName(ConfigType type) {
  switch (type) {
    case ConfigType::kString: return "a string";
    case ConfigType::kBool: return "a boolean";
    case ConfigType::kInteger: return "an integer";
    case ConfigType::kNumber: return "a number";
    case ConfigType::kStringList: return "an array of strings";
    case ConfigType::kStringMap: return "an object of strings";
    case ConfigType::kAny: return "any value";
  }
  return "?";
}

const json& SourceConfig::Get(std::string_view path) const {
  static const json kNull;
  const json* cur = &settings;
  while (true) {
    size_t dot = path.find('.');
    if (!cur->is_object()) return kNull;
    auto it = cur->find(std::string(path.substr(0, dot)));
    if (it == cur->end()) return kNull;
    if (dot == std::string_view::npos) return *it;
    cur = &*it;
    path.remove_prefix(dot + 1);
  }
}

std::string SourceConfig::GetString(std::string_view path, std::string fallback) const {
  const json& v = Get(path);
  return v.is_string() ? v.get<std::string>() : fallback;
}
bool SourceConfig::GetBool(std::string_view path, bool fallback) const {
  const json& v = Get(path);
  return v.is_boolean() ? v.get<bool>() : fallback;
}
int64_t SourceConfig::GetInt(std::string_view path, int64_t fallback) const {
  const json& v = Get(path);
  return v.is_number_integer() || v.is_number_unsigned() ? v.get<int64_t>() : fallback;
}
double SourceConfig::GetNumber(std::string_view path, double fallback) const {
  const json& v = Get(path);
  return v.is_number() ? v.get<double>() : fallback;
}
std::vector<std::string> SourceConfig::GetStringList(std::string_view path) const {
  std::vector<std::string> out;
  const json& v = Get(path);
  if (v.is_array())
    for (const json& e : v)
      if (e.is_string()) out.push_back(e.get<std::string>());
  return out;
}
std::string SourceConfig::Describe() const {
  return "source " + name + (config_path.empty() ? "" : " (" + config_path + ")") + ": ";
}

Result<SourceConfig> ValidateSourceConfig(const json& entry, const std::string& where, const std::string& config_dir) {
  if (!entry.is_object()) return KeyError(where, "", std::string("must be an object, not ") + JsonTypeName(entry));
  SourceConfig config;
  config.config_dir = config_dir;
  auto name = entry.find("name");
  if (name == entry.end() || !name->is_string() || name->get<std::string>().empty()) {
    return KeyError(where, "name", "required: a non-empty string (the records' source)");
  }
  config.name = name->get<std::string>();
  std::string at = where + " (" + config.name + ")";
  auto kind_it = entry.find("kind");
  if (kind_it == entry.end() || !kind_it->is_string()) {
    return KeyError(at, "kind", "required: one of the kinds `alcor sources` lists");
  }
  config.kind = kind_it->get<std::string>();
  const SourceKind* kind = FindSourceKind(config.kind);
  if (!kind) return KeyError(at, "kind", "unknown kind \"" + config.kind + "\"" + DidYouMean(config.kind, KindNames()));
  if (auto e = entry.find("enabled"); e != entry.end()) {
    if (!e->is_boolean()) return KeyError(at, "enabled", std::string("must be a boolean, not ") + JsonTypeName(*e));
    config.enabled = e->get<bool>();
  }
  ALCOR_RETURN_IF_ERROR(CheckKeys(entry, "", *kind, at));

  for (const auto& [key, value] : entry.items()) {
    if (key == "name" || key == "kind" || key == "enabled") continue;
    config.settings[key] = value;
  }
  config.display_settings = config.settings;
  for (const ConfigKey& key : kind->keys) {
    json* slot = Slot(&config.settings, key.path, false);
    if (!slot) {
      if (key.required) return KeyError(at, key.path, "required: " + key.doc);
      if (key.default_value.is_null()) continue;
      *Slot(&config.settings, key.path, true) = key.default_value;
      *Slot(&config.display_settings, key.path, true) = key.default_value;
      continue;
    }
    bool had_reference = false;
    ALCOR_RETURN_IF_ERROR(ExpandStrings(slot, at, key.path, &had_reference));
    if (key.secret && !had_reference) *Slot(&config.display_settings, key.path, false) = "[REDACTED]";
  }
  return config;
}

Result<RunConfig> ParseRunConfig(std::string_view text, const std::string& path) {
  json root = json::parse(text, nullptr, /*allow_exceptions=*/false, /*ignore_comments=*/true);
  if (root.is_discarded()) {
    // Parse again with exceptions for the parser's position and message.
    try {
      json again = json::parse(text, nullptr, true, true);
      (void)again;
    } catch (const json::exception& e) {
      return Status::InvalidArgument(path + ": not valid JSON: " + e.what());
    }
    return Status::InvalidArgument(path + ": not valid JSON");
  }
  if (!root.is_object()) return Status::InvalidArgument(path + ": the top level must be an object");
  static const std::vector<std::string> kTopKeys = {"sources", "http", "dedup", "pipeline", "description"};
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

  auto sources = root.find("sources");
  if (sources == root.end() || !sources->is_array()) {
    return KeyError(path, "sources", "required: an array of source objects");
  }
  std::string dir = ".";
  if (size_t slash = path.rfind('/'); slash != std::string::npos) dir = slash == 0 ? "/" : path.substr(0, slash);
  std::set<std::string> names;
  for (size_t i = 0; i < sources->size(); ++i) {
    Result<SourceConfig> source =
        ValidateSourceConfig((*sources)[i], path + ": sources[" + std::to_string(i) + "]", dir);
    if (!source.ok()) return source.status();
    source->config_path = path;
    if (!names.insert(source->name).second) {
      return KeyError(path + ": sources[" + std::to_string(i) + "]", "name",
                      "\"" + source->name + "\" is used by an earlier source; names must be unique");
    }
    config.sources.push_back(std::move(source.value()));
  }
  return config;
}

Result<RunConfig> LoadRunConfig(Env* env, const std::string& path) {
  std::string text;
  Status s = ReadFileToString(env, path, &text, uint64_t{16} << 20);
  if (!s.ok()) return s.IsNotFound() ? Status::NotFound("config file " + path + " does not exist") : s;
  return ParseRunConfig(text, path);
}

json RunConfig::EffectiveJson() const {
  json out = json::object();
  out["http"] = http_display_;
  out["http"]["contact"] = http.contact;
  out["http"]["max_response_bytes"] = http.max_response_bytes;
  out["dedup"] = {{"policy", MergePolicyName(dedup.policy)},
                  {"near_duplicates", dedup.near_duplicates},
                  {"exact_duplicates", dedup.exact_duplicates}};
  out["pipeline"] = {{"workers", pipeline.workers}, {"queue", pipeline.queue}};
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
