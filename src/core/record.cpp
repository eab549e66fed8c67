#include "alcor/json.hpp"
#include "alcor/record.hpp"

#include <array>
#include <cctype>

#include <simdjson.h>

#include "alcor/dates.hpp"
#include "alcor/env.hpp"
#include "alcor/hash.hpp"
#include "alcor/normalize.hpp"

namespace alcor {

using nlohmann::json;

size_t ReplaceInvalidUtf8(std::string* text) {
  size_t replaced = 0;
  std::string repaired = ReplaceInvalidUtf8(std::string_view(*text), &replaced);  // normalize.hpp
  if (replaced > 0) *text = std::move(repaired);
  return replaced;
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

// The schema rules, applied to a simdjson DOM: the one implementation behind CheckRecordLine
// and CheckRecordJson. simdjson validates UTF-8 and JSON structure at several GB/s, which keeps
// `alcor validate` well above 100 MB/s.
class RecordChecker {
 public:
  explicit RecordChecker(std::vector<std::string>* problems) : problems_(problems) {}

  std::string_view id, source;  // valid while the parser's document lives

  void Check(simdjson::dom::element root, bool verify_digest) {
    simdjson::dom::object obj;
    if (root.get_object().get(obj)) {
      problems_->push_back("line is not a JSON object");
      return;
    }
    obj_ = obj;
    if (String("id", false, &id) && id.empty()) problems_->push_back("field 'id' is empty");
    String("source", false, &source);
    String("source_kind", false);
    String("url", false);
    String("title", false);
    StringArray("authors");
    Date("date_published", true);
    Date("date_modified", true);
    std::string_view text;
    bool have_text = String("text", false, &text);
    String("summary", true);
    StringArray("tags");
    simdjson::dom::element e;
    if (obj_["metadata"].get(e)) problems_->push_back("missing field 'metadata'");
    else if (!e.is_object()) problems_->push_back("field 'metadata' must be an object");
    AlsoAt();
    Date("fetched_at", false);
    size_t before = problems_->size();
    std::string_view digest;
    bool have_digest = String("content_sha256", false, &digest);
    if (obj_["schema_version"].get(e)) {
      problems_->push_back("missing field 'schema_version'");
    } else if (!e.is_int64()) {
      problems_->push_back("field 'schema_version' must be an integer");
    } else if (int64_t v = e.get_int64().value(); v != kSchemaVersion) {
      problems_->push_back("unsupported schema_version " + std::to_string(v) + " (this alcor reads " +
                           std::to_string(kSchemaVersion) + ")");
    }
    if (verify_digest && problems_->size() == before && have_text && have_digest && Sha256Hex(text) != digest)
      problems_->push_back("content_sha256 does not match text");
  }

 private:
  // True when the field is a string (its value in *value); false when missing, null or wrong.
  bool String(const char* key, bool nullable, std::string_view* value = nullptr) {
    simdjson::dom::element e;
    if (obj_[key].get(e)) {
      problems_->push_back(std::string("missing field '") + key + "'");
      return false;
    }
    if (e.is_string()) {
      if (value) *value = e.get_string().value();
      return true;
    }
    if (!(nullable && e.is_null()))
      problems_->push_back(std::string("field '") + key + "' must be a string" + (nullable ? " or null" : ""));
    return false;
  }
  void Date(const char* key, bool nullable) {
    std::string_view v;
    if (String(key, nullable, &v) && !IsRfc3339Utc(v))
      problems_->push_back(std::string("field '") + key + "' is not an RFC 3339 UTC date: '" +
                           std::string(v.substr(0, 40)) + "'");
  }
  void StringArray(const char* key) {
    simdjson::dom::element e;
    if (obj_[key].get(e)) {
      problems_->push_back(std::string("missing field '") + key + "'");
      return;
    }
    simdjson::dom::array arr;
    bool ok = !e.get_array().get(arr);
    if (ok)
      for (simdjson::dom::element item : arr) ok = ok && item.is_string();
    if (!ok) problems_->push_back(std::string("field '") + key + "' must be an array of strings");
  }
  void AlsoAt() {
    simdjson::dom::element e;
    if (obj_["also_at"].get(e)) {
      problems_->push_back("missing field 'also_at'");
      return;
    }
    simdjson::dom::array arr;
    if (e.get_array().get(arr)) {
      problems_->push_back("field 'also_at' must be an array");
      return;
    }
    for (simdjson::dom::element item : arr) {
      simdjson::dom::element src, url;
      if (!item.is_object() || item["source"].get(src) || item["url"].get(url) || !src.is_string() ||
          !url.is_string()) {
        problems_->push_back("field 'also_at' entries must be objects with string 'source' and 'url'");
        return;
      }
    }
  }

  std::vector<std::string>* problems_;
  simdjson::dom::object obj_;
};

}  // namespace

void CheckRecordLine(std::string_view line, bool verify_digest, std::vector<std::string>* problems,
                     std::string* id, std::string* source) {
  // One parser per thread: it keeps its buffers between lines. It refuses the nesting ParseJson
  // refuses (alcor/json.hpp), so a line validate accepts is a line every reader can parse.
  thread_local simdjson::dom::parser parser = [] {
    simdjson::dom::parser p;
    simdjson::error_code no_memory = p.allocate(size_t{1} << 16, kMaxJsonDepth);
    (void)no_memory;  // parse() allocates again and reports it
    return p;
  }();
  simdjson::dom::element root;
  // A line that does not parse has no id: never let the previous line's id stand for it.
  if (id) id->clear();
  if (source) source->clear();
  if (auto error = parser.parse(line.data(), line.size(), /*realloc_if_needed=*/true).get(root)) {
    problems->push_back(error == simdjson::UTF8_ERROR    ? "not valid UTF-8"
                        : error == simdjson::DEPTH_ERROR ? "JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels"
                                                         : "not valid JSON");
    return;
  }
  RecordChecker checker(problems);
  checker.Check(root, verify_digest);
  if (id) id->assign(checker.id);
  if (source) source->assign(checker.source);
}

void CheckRecordJson(const json& j, bool verify_digest, std::vector<std::string>* problems) {
  CheckRecordLine(j.dump(-1, ' ', false, json::error_handler_t::replace), verify_digest, problems);
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
  Result<json> j = ParseJson(line, "record");
  if (j.status().code() == Status::Code::kLimitExceeded) return j.status();
  if (!j.ok()) return Status::Corruption("not valid JSON");
  return FromJson(*j);
}

size_t CountWords(std::string_view text) {
  // The bytes std::isspace takes for space in the "C" locale, as a table: the call per byte was
  // a quarter of `alcor export`'s time. A word starts at each non-space byte after a space.
  static constexpr auto kSpace = [] {
    std::array<bool, 256> t{};
    for (unsigned char c : {' ', '\t', '\n', '\v', '\f', '\r'}) t[c] = true;
    return t;
  }();
  size_t words = 0;
  bool after_space = true;
  for (unsigned char c : text) {
    const bool space = kSpace[c];
    words += after_space && !space;
    after_space = space;
  }
  return words;
}

}  // namespace alcor
