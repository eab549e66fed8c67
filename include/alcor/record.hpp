// Record: one document of the corpus, schema_version 1 (docs/schema.md).
//
// A Record is serialised as one JSON object per line: UTF-8, no raw newline inside (JSON escapes
// them). content_sha256 is the SHA-256 of `text` exactly as stored.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "alcor/status.hpp"

namespace alcor {

inline constexpr int kSchemaVersion = 1;

struct AlsoAt {
  std::string source;
  std::string url;
  bool operator==(const AlsoAt&) const = default;
};

struct Record {
  std::string id;           // "arxiv:2203.02155", "lw:<_id>", "web:<url>", "book:<sha256>"
  std::string source;       // configured source name ("lesswrong", "blog:lilianweng")
  std::string source_kind;  // module: forummagnum, arxiv, feed, book, file
  std::string url;          // canonical URL ("" when the item has none, e.g. a local file)
  std::string title;
  std::vector<std::string> authors;  // one name per element
  std::optional<std::string> date_published;  // RFC 3339 UTC
  std::optional<std::string> date_modified;   // RFC 3339 UTC
  std::string text;                           // Markdown
  std::optional<std::string> summary;
  std::vector<std::string> tags;
  nlohmann::json metadata = nlohmann::json::object();
  std::vector<AlsoAt> also_at;
  std::string fetched_at;      // RFC 3339 UTC
  std::string content_sha256;  // of text
  int schema_version = kSchemaVersion;

  // Replaces invalid UTF-8 in text with U+FFFD, sets content_sha256 from text, and fetched_at
  // to now when it is empty. Call after the text is final and before the record is written.
  void Seal();

  nlohmann::json ToJson() const;
  // One line of JSONL, ending in '\n'. Invalid UTF-8 in any string is replaced with U+FFFD.
  std::string ToJsonLine() const;

  // Strict: the object must satisfy CheckRecordJson. The error lists the first problems.
  static Result<Record> FromJson(const nlohmann::json& j);
  static Result<Record> FromJsonLine(std::string_view line);
};

// Checks one parsed JSON value against schema_version 1: required fields, types, RFC 3339 UTC
// dates, schema_version, and (when verify_digest) that content_sha256 matches text. Appends one
// short sentence per problem ("missing field 'title'"); appends nothing when the record is valid.
void CheckRecordJson(const nlohmann::json& j, bool verify_digest, std::vector<std::string>* problems);
// The same checks on one serialised line (UTF-8 and JSON syntax first). Fast: validate's path.
// id and source (optional) receive those fields when they are strings, else "".
void CheckRecordLine(std::string_view line, bool verify_digest, std::vector<std::string>* problems,
                     std::string* id = nullptr, std::string* source = nullptr);

// Replaces invalid UTF-8 in place with U+FFFD, one per maximal invalid subpart (overlong forms,
// surrogates, truncated sequences), as normalize.hpp's ReplaceInvalidUtf8 does; returns how many.
size_t ReplaceInvalidUtf8(std::string* text);

// Number of whitespace-separated words in text (for stats).
size_t CountWords(std::string_view text);

}  // namespace alcor
