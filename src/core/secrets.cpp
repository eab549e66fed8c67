// The secret registry and redaction (alcor/secrets.hpp).
#include "alcor/secrets.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "alcor/url.hpp"

namespace alcor {

namespace {

// Replaces every occurrence of each value in text (longest first, so a secret that contains
// another is replaced whole) by replacement_of(value).
template <typename Values, typename Replacement>
std::string ReplaceAll(std::string_view text, const Values& values, Replacement replacement_of) {
  std::string out(text);
  for (const auto& v : values) {
    const std::string& value = v.first;
    if (value.empty()) continue;
    std::string replacement = replacement_of(v);
    size_t pos = 0;
    while ((pos = out.find(value, pos)) != std::string::npos) {
      out.replace(pos, value.size(), replacement);
      pos += replacement.size();
    }
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> LongestFirst(std::vector<std::pair<std::string, std::string>> v) {
  std::stable_sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
  return v;
}

std::string AsRedacted(const std::pair<std::string, std::string>&) { return std::string(kRedactedText); }

// The longest prefix (at least kMinRedactedPrefix characters, shorter than the secret) of secret
// that ends text, or 0.
size_t PrefixAtEnd(std::string_view text, std::string_view secret) {
  if (secret.size() <= kMinRedactedPrefix) return 0;
  for (size_t k = std::min(secret.size() - 1, text.size()); k >= kMinRedactedPrefix; --k) {
    if (text.substr(text.size() - k) == secret.substr(0, k)) return k;
  }
  return 0;
}

}  // namespace

SecretRegistry* SecretRegistry::Global() {
  static SecretRegistry* registry = new SecretRegistry();
  return registry;
}

void SecretRegistry::Add(std::string value, std::string name) {
  if (value.empty()) return;
  std::lock_guard<std::mutex> lock(mu_);
  for (std::string form : {value, PercentEncode(value)}) {
    auto known = std::find_if(secrets_.begin(), secrets_.end(), [&](const Secret& s) { return s.value == form; });
    if (known != secrets_.end()) {
      if (known->name.empty()) known->name = name;
      continue;
    }
    secrets_.push_back({std::move(form), name, /*revealed_as=*/value});
  }
  std::stable_sort(secrets_.begin(), secrets_.end(),
                   [](const Secret& a, const Secret& b) { return a.value.size() > b.value.size(); });
}

std::vector<std::pair<std::string, std::string>> SecretRegistry::Snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::pair<std::string, std::string>> out;
  for (const Secret& s : secrets_) out.emplace_back(s.value, s.name);
  return out;
}

std::string SecretRegistry::Redact(std::string_view text) const { return ReplaceAll(text, Snapshot(), AsRedacted); }

std::string SecretRegistry::RedactCut(std::string_view text) const {
  std::vector<std::string> values;
  for (auto& [value, name] : Snapshot()) values.push_back(std::move(value));
  return RedactCutPrefix(RedactValues(text, values), values);
}

std::string SecretRegistry::Conceal(std::string_view text) const {
  return ReplaceAll(text, Snapshot(), [](const std::pair<std::string, std::string>& s) {
    return s.second.empty() ? std::string(kRedactedText) : "${" + s.second + "}";
  });
}

void SecretRegistry::ConcealJson(nlohmann::json* value) const {
  if (value->is_string()) {
    *value = Conceal(value->get_ref<const std::string&>());
  } else if (value->is_array()) {
    for (nlohmann::json& e : *value) ConcealJson(&e);
  } else if (value->is_object()) {
    nlohmann::json out = nlohmann::json::object();
    for (auto& [key, e] : value->items()) {
      ConcealJson(&e);
      out[Conceal(key)] = std::move(e);
    }
    *value = std::move(out);
  }
}

std::string SecretRegistry::Reveal(std::string_view text) const {
  std::vector<std::pair<std::string, std::string>> references;  // "${NAME}" -> value
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const Secret& s : secrets_) {
      if (!s.name.empty() && s.value == s.revealed_as) references.emplace_back("${" + s.name + "}", s.value);
    }
  }
  return ReplaceAll(text, LongestFirst(std::move(references)),
                    [](const std::pair<std::string, std::string>& r) { return r.second; });
}

size_t SecretRegistry::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return secrets_.size();
}

std::string RedactValues(std::string_view text, const std::vector<std::string>& secrets) {
  std::vector<std::pair<std::string, std::string>> values;
  for (const std::string& s : secrets) values.emplace_back(s, "");
  return ReplaceAll(text, LongestFirst(std::move(values)), AsRedacted);
}

std::string RedactCutPrefix(std::string_view text, const std::vector<std::string>& secrets) {
  size_t longest = 0;
  for (const std::string& secret : secrets) longest = std::max(longest, PrefixAtEnd(text, secret));
  if (longest == 0) return std::string(text);
  return std::string(text.substr(0, text.size() - longest)) + std::string(kRedactedText);
}

std::string RedactedExcerpt(std::string_view text, size_t max_bytes, const std::vector<std::string>& extra_secrets) {
  std::string redacted = RedactValues(SecretRegistry::Global()->Redact(text), extra_secrets);
  if (redacted.size() > max_bytes) {
    size_t cut = max_bytes;
    // Not inside a UTF-8 sequence: back up over continuation bytes.
    while (cut > 0 && (static_cast<unsigned char>(redacted[cut]) & 0xC0) == 0x80) --cut;
    redacted.resize(cut);
  }
  return RedactCutPrefix(SecretRegistry::Global()->RedactCut(redacted), extra_secrets);
}

}  // namespace alcor
