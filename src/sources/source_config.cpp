// Validating a source instance against its kind's keys, and the key tables as Markdown
// (alcor/source_config.hpp, docs/sources.md).
#include "alcor/enum_names.hpp"
#include "alcor/source_config.hpp"

#include <cmath>
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

// The value at a dotted path of root; with create, missing objects on the way are added.
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

bool IsCommonKey(const std::string& key) { return key == "name" || key == "kind" || key == "enabled"; }

// Checks every key of obj (at prefix) against kind's keys, recursing into nested objects.
Status CheckKeys(const json& obj, const std::string& prefix, const SourceKind& kind, const std::string& where) {
  const std::vector<KeySpec>& keys = kind.keys->specs();
  std::vector<std::string> siblings;
  std::set<std::string> nested;
  for (const KeySpec& k : keys) {
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
    if (prefix.empty() && IsCommonKey(key)) continue;
    const KeySpec* spec = nullptr;
    for (const KeySpec& k : keys)
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

// The docs' default column for one key.
std::string ShownDefault(const KeySpec& key) {
  if (!key.shown_default.empty()) return key.shown_default;
  const json& v = key.default_value;
  if (v.is_null()) return "none";
  if (v.is_string()) return v.get<std::string>().empty() ? "`\"\"`" : "`" + v.get<std::string>() + "`";
  if (v.is_number_integer() || v.is_number_unsigned()) {
    constexpr int64_t kMiB = int64_t{1} << 20;
    int64_t n = v.get<int64_t>();
    if (n >= kMiB && n % kMiB == 0) return std::to_string(n / kMiB) + " MiB";
    return std::to_string(n);
  }
  if (v.is_number()) {
    double d = v.get<double>();
    if (d == std::floor(d) && std::fabs(d) < 1e15) return std::to_string(static_cast<int64_t>(d));
    return v.dump();
  }
  return "`" + v.dump() + "`";
}

}  // namespace

constexpr EnumName<ConfigType> kConfigTypeNames[] = {
    {ConfigType::kString, "a string"},
    {ConfigType::kBool, "a boolean"},
    {ConfigType::kInteger, "an integer"},
    {ConfigType::kNumber, "a number"},
    {ConfigType::kStringList, "an array of strings"},
    {ConfigType::kStringMap, "an object of strings"},
};

const char* ConfigTypeName(ConfigType type) { return NameIn(kConfigTypeNames, type, "?"); }

constexpr EnumName<ConfigType> kConfigTypeDocNames[] = {
    {ConfigType::kString, "string"},
    {ConfigType::kBool, "bool"},
    {ConfigType::kInteger, "integer"},
    {ConfigType::kNumber, "number"},
    {ConfigType::kStringList, "list of strings"},
    {ConfigType::kStringMap, "object of strings"},
};

const char* ConfigTypeDocName(ConfigType type) { return NameIn(kConfigTypeDocNames, type, "?"); }

namespace config_internal {
const json& Lookup(const SourceConfig& config, std::string_view path) { return config.Get(path); }
}  // namespace config_internal

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

std::string SourceConfig::Describe() const {
  return "source " + name + (config_path.empty() ? "" : " (" + config_path + ")") + ": ";
}

std::vector<std::string> SourceKindNames(const SourceKindList& kinds) {
  std::vector<std::string> names;
  for (const SourceKind* k : kinds) names.push_back(k->name);
  return names;
}

const SourceKind* FindSourceKind(std::string_view name, const SourceKindList& kinds) {
  for (const SourceKind* kind : kinds) {
    if (kind->name == name) return kind;
  }
  return nullptr;
}

Result<SourceConfig> ValidateSourceConfig(const json& entry, const std::string& where, const std::string& config_dir,
                                          const SourceKindList& kinds) {
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
  const SourceKind* kind = FindSourceKind(config.kind, kinds);
  if (!kind) {
    return KeyError(at, "kind", "unknown kind \"" + config.kind + "\"" + DidYouMean(config.kind, SourceKindNames(kinds)));
  }
  config.source_kind = kind;
  if (auto e = entry.find("enabled"); e != entry.end()) {
    if (!e->is_boolean()) return KeyError(at, "enabled", std::string("must be a boolean, not ") + JsonTypeName(*e));
    config.enabled = e->get<bool>();
  }
  ALCOR_RETURN_IF_ERROR(CheckKeys(entry, "", *kind, at));

  for (const auto& [key, value] : entry.items()) {
    if (IsCommonKey(key)) continue;
    config.settings[key] = value;
  }
  config.display_settings = config.settings;
  for (const KeySpec& key : kind->keys->specs()) {
    json* slot = Slot(&config.settings, key.path, false);
    if (!slot) {
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

std::string KeyTableMarkdown(const SourceKind& kind) {
  std::string out = "| key | type | default | meaning |\n|---|---|---|---|\n";
  for (const KeySpec& key : kind.keys->specs()) {
    out += "| `" + key.path + "` | " + ConfigTypeDocName(key.type) + " | " + ShownDefault(key) + " | " + key.doc + " |\n";
  }
  return out;
}

constexpr EnumName<SourcePhase> kSourcePhaseNames[] = {
    {SourcePhase::kStarting, "starting"},
    {SourcePhase::kListing, "listing"},
    {SourcePhase::kFetchingPages, "fetching pages"},
};

const char* SourcePhaseName(SourcePhase phase) { return NameIn(kSourcePhaseNames, phase, "starting"); }

void AddToNoteNumber(nlohmann::json* notes, const std::string& key, double n) {
  if (!notes->is_object()) *notes = nlohmann::json::object();
  const nlohmann::json* old = notes->contains(key) ? &(*notes)[key] : nullptr;
  double sum = (old && old->is_number() ? old->get<double>() : 0.0) + n;
  if (sum == static_cast<double>(static_cast<int64_t>(sum)) && sum > -9e15 && sum < 9e15) {
    (*notes)[key] = static_cast<int64_t>(sum);
  } else {
    (*notes)[key] = sum;
  }
}

}  // namespace alcor
