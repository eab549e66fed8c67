#include "alcor/record.hpp"

#include <cctype>

#include "alcor/dates.hpp"
#include "alcor/env.hpp"
#include "alcor/hash.hpp"

namespace alcor {

using nlohmann::json;

namespace {
// Length of the valid UTF-8 sequence at s[i], or 0 when it is invalid (overlong, surrogate,
// beyond U+10FFFF, truncated).
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return 1;
  size_t len;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) len = 2;
  else if (c == 0xE0) len = 3, lo = 0xA0;
  else if (c == 0xED) len = 3, hi = 0x9F;
  else if (c >= 0xE1 && c <= 0xEF) len = 3;
  else if (c == 0xF0) len = 4, lo = 0x90;
  else if (c >= 0xF1 && c <= 0xF3) len = 4;
  else if (c == 0xF4) len = 4, hi = 0x8F;
  else return 0;
  if (i + len > s.size()) return 0;
  unsigned char c1 = static_cast<unsigned char>(s[i + 1]);
  if (c1 < lo || c1 > hi) return 0;
  for (size_t k = 2; k < len; ++k) {
    unsigned char ck = static_cast<unsigned char>(s[i + k]);
    if (ck < 0x80 || ck > 0xBF) return 0;
  }
  return len;
}
}  // namespace

size_t ReplaceInvalidUtf8(std::string* text) {
  size_t i = 0, bad = 0;
  const std::string& s = *text;
  // Fast path: most text is valid.
  while (i < s.size()) {
    size_t n = Utf8SequenceLength(s, i);
    if (n == 0) break;
    i += n;
  }
  if (i == s.size()) return 0;
  std::string out(s, 0, i);
  while (i < s.size()) {
    size_t n = Utf8SequenceLength(s, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++bad;
      ++i;
    } else {
      out.append(s, i, n);
      i += n;
    }
  }
  *text = std::move(out);
  return bad;
}

void Record::Seal() {
  ReplaceInvalidUtf8(&text);
  content_sha256 = Sha256Hex(text);
  if (fetched_at.empty()) fetched_at = FormatRfc3339UtcMicros(Env::Default()->NowMicros());
}

json Record::ToJson() const {
  json j = json::object();
  j["id"] = id;
  j["source"] = source;
  j["source_kind"] = source_kind;
  j["url"] = url;
  j["title"] = title;
  j["authors"] = authors;
  j["date_published"] = date_published ? json(*date_published) : json(nullptr);
  j["date_modified"] = date_modified ? json(*date_modified) : json(nullptr);
  j["text"] = text;
  j["summary"] = summary ? json(*summary) : json(nullptr);
  j["tags"] = tags;
  j["metadata"] = metadata.is_object() ? metadata : json::object();
  json also = json::array();
  for (const AlsoAt& a : also_at) also.push_back({{"source", a.source}, {"url", a.url}});
  j["also_at"] = std::move(also);
  j["fetched_at"] = fetched_at;
  j["content_sha256"] = content_sha256;
  j["schema_version"] = schema_version;
  return j;
}

namespace {
void AppendJson(std::string* out, const json& value) {
  *out += value.dump(-1, ' ', false, json::error_handler_t::replace);
}
void AppendField(std::string* out, const char* key, const json& value) {
  if (out->size() > 1) *out += ',';
  *out += '"';
  *out += key;
  *out += "\":";
  AppendJson(out, value);
}
}  // namespace

// Written field by field so that lines keep the schema's field order (id first), which people
// reading `alcor cat` appreciate; parsers do not care.
std::string Record::ToJsonLine() const {
  std::string line = "{";
  line.reserve(text.size() + 1024);
  AppendField(&line, "id", id);
  AppendField(&line, "source", source);
  AppendField(&line, "source_kind", source_kind);
  AppendField(&line, "url", url);
  AppendField(&line, "title", title);
  AppendField(&line, "authors", authors);
  AppendField(&line, "date_published", date_published ? json(*date_published) : json(nullptr));
  AppendField(&line, "date_modified", date_modified ? json(*date_modified) : json(nullptr));
  AppendField(&line, "text", text);
  AppendField(&line, "summary", summary ? json(*summary) : json(nullptr));
  AppendField(&line, "tags", tags);
  AppendField(&line, "metadata", metadata.is_object() ? metadata : json::object());
  json also = json::array();
  for (const AlsoAt& a : also_at) also.push_back({{"source", a.source}, {"url", a.url}});
  AppendField(&line, "also_at", also);
  AppendField(&line, "fetched_at", fetched_at);
  AppendField(&line, "content_sha256", content_sha256);
  AppendField(&line, "schema_version", schema_version);
  line += "}\n";
  return line;
}

namespace {

void CheckString(const json& j, const char* key, bool nullable, std::vector<std::string>* problems) {
  auto it = j.find(key);
  if (it == j.end()) {
    problems->push_back(std::string("missing field '") + key + "'");
  } else if (!(it->is_string() || (nullable && it->is_null()))) {
    problems->push_back(std::string("field '") + key + "' must be a string" + (nullable ? " or null" : ""));
  }
}

void CheckDate(const json& j, const char* key, bool nullable, std::vector<std::string>* problems) {
  size_t before = problems->size();
  CheckString(j, key, nullable, problems);
  if (problems->size() != before) return;
  const json& v = j.at(key);
  if (v.is_string() && !IsRfc3339Utc(v.get_ref<const std::string&>()))
    problems->push_back(std::string("field '") + key + "' is not an RFC 3339 UTC date: '" +
                        v.get<std::string>().substr(0, 40) + "'");
}

void CheckStringArray(const json& j, const char* key, std::vector<std::string>* problems) {
  auto it = j.find(key);
  if (it == j.end()) {
    problems->push_back(std::string("missing field '") + key + "'");
    return;
  }
  if (!it->is_array()) {
    problems->push_back(std::string("field '") + key + "' must be an array of strings");
    return;
  }
  for (const json& e : *it)
    if (!e.is_string()) {
      problems->push_back(std::string("field '") + key + "' must be an array of strings");
      return;
    }
}

}  // namespace

void CheckRecordJson(const json& j, bool verify_digest, std::vector<std::string>* problems) {
  if (!j.is_object()) {
    problems->push_back("line is not a JSON object");
    return;
  }
  CheckString(j, "id", false, problems);
  if (auto it = j.find("id"); it != j.end() && it->is_string() && it->get_ref<const std::string&>().empty())
    problems->push_back("field 'id' is empty");
  CheckString(j, "source", false, problems);
  CheckString(j, "source_kind", false, problems);
  CheckString(j, "url", false, problems);
  CheckString(j, "title", false, problems);
  CheckStringArray(j, "authors", problems);
  CheckDate(j, "date_published", true, problems);
  CheckDate(j, "date_modified", true, problems);
  CheckString(j, "text", false, problems);
  CheckString(j, "summary", true, problems);
  CheckStringArray(j, "tags", problems);
  if (auto it = j.find("metadata"); it == j.end()) problems->push_back("missing field 'metadata'");
  else if (!it->is_object()) problems->push_back("field 'metadata' must be an object");
  if (auto it = j.find("also_at"); it == j.end()) {
    problems->push_back("missing field 'also_at'");
  } else if (!it->is_array()) {
    problems->push_back("field 'also_at' must be an array");
  } else {
    for (const json& e : *it) {
      if (!e.is_object() || !e.contains("source") || !e.contains("url") || !e["source"].is_string() ||
          !e["url"].is_string()) {
        problems->push_back("field 'also_at' entries must be objects with string 'source' and 'url'");
        break;
      }
    }
  }
  CheckDate(j, "fetched_at", false, problems);
  size_t before = problems->size();
  CheckString(j, "content_sha256", false, problems);
  if (auto it = j.find("schema_version"); it == j.end()) problems->push_back("missing field 'schema_version'");
  else if (!it->is_number_integer()) problems->push_back("field 'schema_version' must be an integer");
  else if (it->get<int64_t>() != kSchemaVersion)
    problems->push_back("unsupported schema_version " + std::to_string(it->get<int64_t>()) + " (this alcor reads " +
                        std::to_string(kSchemaVersion) + ")");
  if (verify_digest && problems->size() == before) {
    auto text = j.find("text");
    if (text != j.end() && text->is_string() &&
        Sha256Hex(text->get_ref<const std::string&>()) != j["content_sha256"].get_ref<const std::string&>())
      problems->push_back("content_sha256 does not match text");
  }
}

Result<Record> Record::FromJson(const json& j) {
  std::vector<std::string> problems;
  CheckRecordJson(j, false, &problems);
  if (!problems.empty()) {
    std::string msg = problems[0];
    for (size_t i = 1; i < problems.size() && i < 3; ++i) msg += "; " + problems[i];
    return Status::Corruption(msg);
  }
  Record r;
  r.id = j["id"];
  r.source = j["source"];
  r.source_kind = j["source_kind"];
  r.url = j["url"];
  r.title = j["title"];
  r.authors = j["authors"].get<std::vector<std::string>>();
  if (j["date_published"].is_string()) r.date_published = j["date_published"].get<std::string>();
  if (j["date_modified"].is_string()) r.date_modified = j["date_modified"].get<std::string>();
  r.text = j["text"];
  if (j["summary"].is_string()) r.summary = j["summary"].get<std::string>();
  r.tags = j["tags"].get<std::vector<std::string>>();
  r.metadata = j["metadata"];
  for (const json& e : j["also_at"]) r.also_at.push_back({e["source"], e["url"]});
  r.fetched_at = j["fetched_at"];
  r.content_sha256 = j["content_sha256"];
  r.schema_version = j["schema_version"];
  return r;
}

Result<Record> Record::FromJsonLine(std::string_view line) {
  json j = json::parse(line, nullptr, false);
  if (j.is_discarded()) return Status::Corruption("not valid JSON");
  return FromJson(j);
}

size_t CountWords(std::string_view text) {
  size_t words = 0;
  bool in_word = false;
  for (unsigned char c : text) {
    bool space = std::isspace(c);
    if (!space && !in_word) ++words;
    in_word = !space;
  }
  return words;
}

}  // namespace alcor
