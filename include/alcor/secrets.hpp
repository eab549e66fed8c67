// Secrets: the values of ${ENV} references in the configuration (header values, a key in a feed
// URL, an access token) and the keys a source registers. One process-wide registry, and the few
// functions every writer of output goes through (docs/configuration.md, "Secrets"):
//   - Redact: for people (log lines, error messages, run reports): each secret becomes
//     "[REDACTED]".
//   - RedactedExcerpt: for a part of a text that may be cut (the start of a server's answer in a
//     message): redacts before cutting, and redacts a prefix of a secret left at the cut.
//   - Conceal / Reveal: for what alcor stores (records, source state): each secret becomes the
//     reference it was written as, "${NAME}", so a stored feed URL still says which key it used;
//     Reveal turns the references back into values when alcor reads its own state.
// Nothing here does I/O; src/core/log.cpp redacts every log line through the registry.
// Thread safety: all methods may be called concurrently.
#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace alcor {

// What a secret is replaced by in text written for people.
inline constexpr std::string_view kRedactedText = "[REDACTED]";

// A prefix of a secret this long (or longer) at the end of a cut text is redacted too: shorter
// prefixes say too little of a secret to matter, and redacting them would eat ordinary words.
inline constexpr size_t kMinRedactedPrefix = 8;

class SecretRegistry {
 public:
  // The registry every part of alcor shares. Never deleted.
  static SecretRegistry* Global();

  // Remembers value as secret; name is the environment variable it came from ("" when none: the
  // value then conceals as "[REDACTED]"). Empty values are ignored. A value's percent-encoded
  // form (as it appears in a URL) is a secret too.
  void Add(std::string value, std::string name = "");

  // text with every occurrence of every secret replaced by "[REDACTED]".
  std::string Redact(std::string_view text) const;
  // Redact, and a prefix of kMinRedactedPrefix or more characters of a secret at the end of text
  // (where text was cut) also replaced by "[REDACTED]".
  std::string RedactCut(std::string_view text) const;
  // text with every occurrence of a secret replaced by "${NAME}" (by "[REDACTED]" when it has no
  // name).
  std::string Conceal(std::string_view text) const;
  // Conceal applied to every string (and object key) of *value.
  void ConcealJson(nlohmann::json* value) const;
  // text with each "${NAME}" of a registered secret replaced by its value (Conceal's inverse for
  // named secrets; other text is left alone).
  std::string Reveal(std::string_view text) const;

  size_t size() const;

 private:
  struct Secret {
    std::string value;        // the value, or its percent-encoded form
    std::string name;         // the environment variable, "" when none
    std::string revealed_as;  // the value itself (what Reveal writes for "${name}")
  };
  // (value, name) of every secret, longest value first.
  std::vector<std::pair<std::string, std::string>> Snapshot() const;

  mutable std::mutex mu_;
  std::vector<Secret> secrets_;  // guarded by mu_; longest value first
};

// Replaces every secret of secrets (non-empty values) in text by "[REDACTED]".
std::string RedactValues(std::string_view text, const std::vector<std::string>& secrets);

// The first max_bytes of text (cut at a UTF-8 character boundary) for a message, with every
// secret of the global registry and of extra_secrets redacted before the cut, and a prefix of
// kMinRedactedPrefix or more characters of one of them at the cut redacted as well.
std::string RedactedExcerpt(std::string_view text, size_t max_bytes,
                            const std::vector<std::string>& extra_secrets = {});

// Redacts a prefix (kMinRedactedPrefix characters or more) of any of secrets that ends text,
// which was cut there. Full occurrences are not touched (redact those first).
std::string RedactCutPrefix(std::string_view text, const std::vector<std::string>& secrets);

}  // namespace alcor
