// Source kinds and their configuration (docs/sources.md): what `alcor scrape --config` accepts
// for one entry of "sources", checked against the kind's declared keys.
//
// A kind declares each setting once, as a typed key that carries its default and its doc line:
//
//   struct Keys : KeyTable {
//     Key<int64_t> page_size{this, "page_size", 50, "posts per request, 1 to 1000"};
//     OptionalKey<std::string> site{this, "site", "lesswrong, alignmentforum or eaforum",
//                                   {.shown_default = "from the host of `base_url`"}};
//   };
//
// and reads its settings through the same objects (KeysOf<Keys>().page_size.Get(config)), so a default
// exists in exactly one place. The table is what ValidateSourceConfig checks, what
// --print-config fills in and what `alcor sources --keys` prints (docs/sources.md is kept equal
// to it by a test).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>

#include "alcor/source.hpp"
#include "alcor/status.hpp"

namespace alcor {

struct WarcRecord;

class Source;

// ---------------------------------------------------------------------------------------------
// Keys

enum class ConfigType {
  kString,
  kBool,
  kInteger,     // a JSON integer
  kNumber,      // any JSON number
  kStringList,  // array of strings (a single string is not accepted)
  kStringMap,   // object of string values (headers)
};
// "a string", "an integer", … (error messages).
const char* ConfigTypeName(ConfigType type);
// "string", "integer", "list of strings", … (the docs' type column).
const char* ConfigTypeDocName(ConfigType type);

// One setting a kind accepts besides name, kind and enabled, as the loader sees it.
struct KeySpec {
  std::string path;  // "tags_include", or "citations.max_depth" for a key of a nested object
  ConfigType type = ConfigType::kString;
  // Filled in when absent. null: no default (the key stays absent).
  nlohmann::json default_value;
  // Its value is masked in --print-config even without a ${ENV} reference.
  bool secret = false;
  std::string doc;  // Markdown: the docs' "meaning" column
  // The docs' default column when the value alone does not say it (a default computed from other
  // settings, a list summarised); "" shows default_value ("none" when there is none).
  std::string shown_default;
};

// Optional attributes of a key (designated initialisers: {.secret = true}).
struct KeyOptions {
  bool secret = false;
  std::string shown_default = {};
};

// The keys of one kind in declaration order. Kinds derive their key struct from it; each Key
// member adds itself on construction, so the table cannot miss a key the code reads.
class KeyTable {
 public:
  KeyTable() = default;
  KeyTable(const KeyTable&) = delete;
  KeyTable& operator=(const KeyTable&) = delete;

  const std::vector<KeySpec>& specs() const { return specs_; }
  void Add(KeySpec spec) { specs_.push_back(std::move(spec)); }

 private:
  std::vector<KeySpec> specs_;
};

struct SourceConfig;

namespace config_internal {
template <typename T> struct KeyTraits;
template <> struct KeyTraits<std::string> { static constexpr ConfigType kType = ConfigType::kString; };
template <> struct KeyTraits<bool> { static constexpr ConfigType kType = ConfigType::kBool; };
template <> struct KeyTraits<int64_t> { static constexpr ConfigType kType = ConfigType::kInteger; };
template <> struct KeyTraits<double> { static constexpr ConfigType kType = ConfigType::kNumber; };
template <> struct KeyTraits<std::vector<std::string>> { static constexpr ConfigType kType = ConfigType::kStringList; };
template <> struct KeyTraits<std::map<std::string, std::string>> {
  static constexpr ConfigType kType = ConfigType::kStringMap;
};
// The value at path in config's settings, or null.
const nlohmann::json& Lookup(const SourceConfig& config, std::string_view path);
}  // namespace config_internal

// A key whose value is absent unless configured: Get returns nullopt then.
template <typename T>
class OptionalKey {
 public:
  OptionalKey(KeyTable* table, std::string path, std::string doc, KeyOptions options = {}) : path_(path) {
    table->Add({std::move(path), config_internal::KeyTraits<T>::kType, nullptr, options.secret, std::move(doc),
                std::move(options.shown_default)});
  }
  const std::string& path() const { return path_; }
  // REQUIRES: config was validated against the table holding this key (the type is checked).
  std::optional<T> Get(const SourceConfig& config) const {
    const nlohmann::json& v = config_internal::Lookup(config, path_);
    if (v.is_null()) return std::nullopt;
    return v.get<T>();
  }

 private:
  std::string path_;
};

// A key with a default: Get returns the configured value, else the default.
template <typename T>
class Key {
 public:
  Key(KeyTable* table, std::string path, T default_value, std::string doc, KeyOptions options = {})
      : path_(path), default_(default_value) {
    table->Add({std::move(path), config_internal::KeyTraits<T>::kType, nlohmann::json(std::move(default_value)),
                options.secret, std::move(doc), std::move(options.shown_default)});
  }
  const std::string& path() const { return path_; }
  const T& default_value() const { return default_; }
  // REQUIRES: config was validated against the table holding this key (the type is checked).
  T Get(const SourceConfig& config) const {
    const nlohmann::json& v = config_internal::Lookup(config, path_);
    return v.is_null() ? default_ : v.get<T>();
  }

 private:
  std::string path_;
  T default_;
};

// The one instance of a kind's key struct: KeysOf<ForumMagnumKeys>().page_size.Get(config).
template <typename KeyStruct>
const KeyStruct& KeysOf() {
  static const KeyStruct keys;
  return keys;
}

// ---------------------------------------------------------------------------------------------
// Instances and kinds

struct SourceKind;

// A validated instance: every key known, types checked, defaults filled in, ${ENV} references
// expanded (the expanded values are registered as secrets and masked when printed).
struct SourceConfig {
  std::string name;
  std::string kind;
  bool enabled = true;
  nlohmann::json settings = nlohmann::json::object();  // nested by path ("citations": {...})
  // settings as --print-config shows them: ${ENV} references as written, secret keys masked.
  nlohmann::json display_settings = nlohmann::json::object();
  std::string config_path;  // the file it came from (messages), "" when built in code
  // The directory of config_path, against which relative paths in settings are resolved.
  std::string config_dir;
  // The kind it was validated against (from the list of kinds the loader was given).
  const SourceKind* source_kind = nullptr;

  // The value at path ("citations.max_depth"), or null. Kinds read their own settings through
  // their Key objects instead.
  const nlohmann::json& Get(std::string_view path) const;
  // "source lesswrong (configs/default.json): " for messages.
  std::string Describe() const;
};

struct SourceKind {
  std::string name;     // "forummagnum"
  std::string summary;  // one line for `alcor sources`
  const KeyTable* keys = nullptr;  // the kind's declared settings (never null for a usable kind)
  // Builds an instance from a validated config. InvalidArgument naming the key for settings
  // that are well-typed but wrong (a malformed URL, an unknown site).
  std::function<Result<std::unique_ptr<Source>>(const SourceConfig&)> create;
  // The kind honours SourceContext::refresh_metadata (`alcor scrape --refresh-metadata`).
  bool refreshes_metadata = false;
  // `alcor rebuild` (alcor/rebuild.hpp): makes again, from the raw bytes a stored record of this
  // kind points at (raw: its WARC record), the document the kind's source emitted for it, when
  // that was more than the bytes as they are: the record's item out of an answer that holds
  // several, the article of a page, the text of a PDF. doc arrives holding the stored record (its
  // text cleared) and leaves with what Convert takes: body, format, charset, base URL, finish
  // step. NotFound when the record's text was not made from those bytes (it is carried over).
  // Null: the payload is the body, in the format metadata.text_format names.
  std::function<Status(const WarcRecord& raw, RawDocument* doc)> document_from_raw = nullptr;
};

using SourceKindList = std::vector<const SourceKind*>;

// The kinds built into alcor, in registration order (src/sources/registry.cpp).
const SourceKindList& BuiltinSourceKinds();
// nullptr when no kind in kinds has that name.
const SourceKind* FindSourceKind(std::string_view name, const SourceKindList& kinds = BuiltinSourceKinds());
// The names of kinds (for did-you-mean).
std::vector<std::string> SourceKindNames(const SourceKindList& kinds);

// Validates one entry of "sources" against its kind's keys: fills defaults, expands ${ENV}.
// where names the entry in messages ("configs/default.json: sources[2]"); config_dir is where
// relative paths in it are resolved from. Unknown keys, wrong types, an unknown kind (with a
// did-you-mean) and unset ${ENV} variables are InvalidArgument.
Result<SourceConfig> ValidateSourceConfig(const nlohmann::json& entry, const std::string& where,
                                          const std::string& config_dir = ".",
                                          const SourceKindList& kinds = BuiltinSourceKinds());

// The kind's keys as the Markdown table docs/sources.md shows under the kind's heading:
// "| key | type | default | meaning |", the separator, then one row per key in declaration
// order; ends with a newline.
std::string KeyTableMarkdown(const SourceKind& kind);

}  // namespace alcor
