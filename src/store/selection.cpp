#include "alcor/selection.hpp"

#include <simdjson.h>

#include <algorithm>

#include "alcor/dates.hpp"
#include "alcor/strings.hpp"
#include "alcor/suggest.hpp"

namespace alcor {

Status ReadRecordFacts(std::string_view line, RecordFacts* facts) {
  *facts = RecordFacts();
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  simdjson::dom::object obj;
  if (parser.parse(line.data(), line.size()).get(root) || root.get_object().get(obj))
    return Status::InvalidArgument("not a JSON object");
  auto string_field = [](simdjson::dom::object o, const char* key, std::string* out) {
    std::string_view v;
    if (!o[key].get_string().get(v)) out->assign(v);
  };
  auto string_array = [](simdjson::dom::object o, const char* key, std::vector<std::string>* out) {
    simdjson::dom::array arr;
    if (o[key].get_array().get(arr)) return;
    for (simdjson::dom::element e : arr) {
      std::string_view v;
      if (!e.get_string().get(v)) out->emplace_back(v);
    }
  };
  string_field(obj, "id", &facts->id);
  string_field(obj, "source", &facts->source);
  string_field(obj, "source_kind", &facts->source_kind);
  string_field(obj, "url", &facts->url);
  string_field(obj, "date_published", &facts->date_published);
  string_array(obj, "tags", &facts->tags);
  string_array(obj, "authors", &facts->authors);
  simdjson::dom::array also_at;
  if (!obj["also_at"].get_array().get(also_at)) {
    for (simdjson::dom::element e : also_at) {
      std::string_view v;
      if (e.is_object() && !e["source"].get_string().get(v)) facts->also_at_sources.emplace_back(v);
    }
  }
  simdjson::dom::object metadata;
  if (!obj["metadata"].get_object().get(metadata)) {
    simdjson::dom::element karma;
    if (!metadata["karma"].get(karma)) {
      double k;
      if (!karma.get_double().get(k)) facts->karma = k;
      else if (int64_t i; !karma.get_int64().get(i)) facts->karma = static_cast<double>(i);
      else if (uint64_t u; !karma.get_uint64().get(u)) facts->karma = static_cast<double>(u);
    }
    bool af = false;
    if (!metadata["af"].get_bool().get(af)) facts->af = af;
    std::string_view feed_url;
    if (!metadata["feed_url"].get_string().get(feed_url)) facts->feed_entry = !feed_url.empty();
  }
  return Status::OK();
}

Status ReadRecordText(std::string_view line, RecordText* out) {
  *out = RecordText();
  thread_local simdjson::dom::parser parser;
  simdjson::dom::object obj;
  if (parser.parse(line.data(), line.size()).get_object().get(obj) || obj["id"].get_string().get(out->id))
    return Status::InvalidArgument("not a JSON object with a string id");
  if (obj["title"].get_string().get(out->title)) out->title = {};
  if (obj["text"].get_string().get(out->text)) out->text = {};
  return Status::OK();
}

std::string RecordKind(const RecordFacts& facts) {
  const std::string& k = facts.source_kind;
  if (k == "forummagnum") return facts.id.find(":comment:") != std::string::npos ? "comment" : "post";
  if (k == "arxiv") return "paper";
  if (k == "book") return "book";
  if (k == "file") return "file";
  if (k == "feed") return facts.feed_entry ? "post" : "page";
  return "page";
}

namespace {

// A date alone ("2023-04-01") or an RFC 3339 date-time, as seconds; the flag names the option.
Status ParseDateFlag(const char* flag, const std::string& value, int64_t* seconds, bool* date_only) {
  std::optional<int64_t> t = ParseRfc3339(value);
  if (!t) {
    return Status::InvalidArgument(std::string(flag) + ": '" + value +
                                   "' is not a date (YYYY-MM-DD or an RFC 3339 date-time)");
  }
  *seconds = *t;
  *date_only = value.size() == 10;
  return Status::OK();
}

}  // namespace

Status Selection::Prepare() {
  if (!since.empty()) {
    int64_t t;
    bool date_only;
    ALCOR_RETURN_IF_ERROR(ParseDateFlag("--since", since, &t, &date_only));
    since_bound_ = FormatRfc3339Utc(t);
  }
  if (!until.empty()) {
    int64_t t;
    bool date_only;
    ALCOR_RETURN_IF_ERROR(ParseDateFlag("--until", until, &t, &date_only));
    // A date alone takes in its whole day.
    until_exclusive_ = date_only;
    until_bound_ = FormatRfc3339Utc(date_only ? t + 86400 : t);
  }
  if (!since_bound_.empty() && !until_bound_.empty() && since_bound_ > until_bound_)
    return Status::InvalidArgument("--since " + since + " is after --until " + until + ": nothing can be selected");
  for (const std::string& kind : kinds) {
    bool known = std::any_of(std::begin(kRecordKinds), std::end(kRecordKinds),
                             [&](const char* k) { return kind == k; });
    if (!known) {
      return Status::InvalidArgument("--kind: '" + kind +
                                     "' is not a kind (post, comment, paper, book, page, file)" +
                                     DidYouMean(kind, {std::begin(kRecordKinds), std::end(kRecordKinds)}));
    }
  }
  for (const std::string& s : sources)
    if (s.empty()) return Status::InvalidArgument("--source: an empty name selects nothing");
  folded_tags_.clear();
  for (const std::string& tag : tags) folded_tags_.push_back(AsciiLower(tag));
  return Status::OK();
}

Status Selection::CheckSources(const std::vector<std::string>& known) const {
  for (const std::string& pattern : sources) {
    bool found = std::any_of(known.begin(), known.end(),
                             [&](const std::string& name) { return WildcardMatch(pattern, name); });
    if (found) continue;
    std::string message = "--source: no source '" + pattern + "' in this store";
    std::string closest = DidYouMean(pattern, known);
    if (!closest.empty()) message += closest;
    else if (!known.empty()) message += " (alcor stats lists its sources)";
    return Status::InvalidArgument(message);
  }
  return Status::OK();
}

bool Selection::MatchesSource(std::string_view source) const {
  if (sources.empty()) return true;
  return std::any_of(sources.begin(), sources.end(),
                     [&](const std::string& pattern) { return WildcardMatch(pattern, source); });
}

bool Selection::SelectsAll() const {
  return sources.empty() && ids.empty() && since.empty() && until.empty() && kinds.empty() && tags.empty() &&
         !min_karma && !af;
}

bool Selection::Matches(const RecordFacts& facts) const {
  if (!sources.empty()) {
    bool held = MatchesSource(facts.source) ||
                std::any_of(facts.also_at_sources.begin(), facts.also_at_sources.end(),
                            [&](const std::string& s) { return MatchesSource(s); });
    if (!held) return false;
  }
  if (!ids.empty() && std::find(ids.begin(), ids.end(), facts.id) == ids.end()) return false;
  if (!since_bound_.empty() || !until_bound_.empty()) {
    if (facts.date_published.empty()) return false;
    if (!since_bound_.empty() && facts.date_published < since_bound_) return false;
    if (!until_bound_.empty()) {
      if (until_exclusive_ ? facts.date_published >= until_bound_ : facts.date_published > until_bound_) return false;
    }
  }
  if (!kinds.empty() && std::find(kinds.begin(), kinds.end(), RecordKind(facts)) == kinds.end()) return false;
  for (const std::string& want : folded_tags_) {
    bool has = std::any_of(facts.tags.begin(), facts.tags.end(),
                           [&](const std::string& t) { return AsciiLower(t) == want; });
    if (!has) return false;
  }
  if (min_karma && (!facts.karma || *facts.karma < static_cast<double>(*min_karma))) return false;
  if (af && !facts.af) return false;
  return true;
}

}  // namespace alcor
