// ForumSite: the emulated ForumMagnum GraphQL endpoint (forum_site.hpp).
#include "alcor_testing/emulators/forum_site.hpp"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <map>
#include <set>

#include "alcor/dates.hpp"
#include "alcor/env.hpp"

namespace alcor::testing {

namespace {

using json = nlohmann::json;

// Milliseconds of a date as the API writes it ("2024-01-02T03:04:05.678Z"), or nullopt.
std::optional<int64_t> Millis(const json& v) {
  if (!v.is_string()) return std::nullopt;
  const std::string& text = v.get_ref<const std::string&>();
  std::optional<int64_t> s = ParseRfc3339(text);
  if (!s) return std::nullopt;
  int64_t ms = 0;
  size_t t = text.find('T');
  size_t dot = t == std::string::npos ? std::string::npos : text.find('.', t);
  if (dot != std::string::npos) {
    int n = 0;
    for (size_t i = dot + 1; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) && n < 3; ++i, ++n) {
      ms = ms * 10 + (text[i] - '0');
    }
    for (; n < 3; ++n) ms *= 10;
  }
  return *s * 1000 + ms;
}

std::string HttpDate(int64_t seconds) {
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

// ---- a small GraphQL selection reader: enough for `results { a b { c } }`

struct Field {
  std::string key;   // alias or name
  std::string name;
  bool has_sub = false;
  std::vector<Field> sub;
};

std::vector<std::string> Tokenize(const std::string& q) {
  std::vector<std::string> tokens;
  size_t i = 0;
  while (i < q.size()) {
    unsigned char c = static_cast<unsigned char>(q[i]);
    if (std::isspace(c) || c == ',') {
      ++i;
    } else if (c == '#') {
      while (i < q.size() && q[i] != '\n') ++i;
    } else if (c == '"') {
      size_t j = i + 1;
      while (j < q.size() && q[j] != '"') j += q[j] == '\\' ? 2 : 1;
      tokens.push_back(q.substr(i, std::min(j + 1, q.size()) - i));
      i = j + 1;
    } else if (std::isalnum(c) || c == '_') {
      size_t j = i;
      while (j < q.size() && (std::isalnum(static_cast<unsigned char>(q[j])) || q[j] == '_')) ++j;
      tokens.push_back(q.substr(i, j - i));
      i = j;
    } else {
      tokens.push_back(std::string(1, q[i]));
      ++i;
    }
  }
  return tokens;
}

// Parses a selection set at tokens[*pos] == "{"; false when malformed. Depth is bounded.
bool ParseSelection(const std::vector<std::string>& t, size_t* pos, std::vector<Field>* out, int depth) {
  if (depth > 16 || *pos >= t.size() || t[*pos] != "{") return false;
  ++*pos;
  while (*pos < t.size() && t[*pos] != "}") {
    Field f;
    f.name = f.key = t[*pos];
    if (!(std::isalpha(static_cast<unsigned char>(f.name[0])) || f.name[0] == '_')) return false;
    ++*pos;
    if (*pos < t.size() && t[*pos] == ":") {
      if (++*pos >= t.size()) return false;
      f.name = t[*pos];
      ++*pos;
    }
    if (*pos < t.size() && t[*pos] == "(") {
      int level = 0;
      for (; *pos < t.size(); ++*pos) {
        if (t[*pos] == "(") ++level;
        if (t[*pos] == ")" && --level == 0) break;
      }
      ++*pos;
    }
    if (*pos < t.size() && t[*pos] == "{") {
      f.has_sub = true;
      if (!ParseSelection(t, pos, &f.sub, depth + 1)) return false;
    }
    out->push_back(std::move(f));
  }
  if (*pos >= t.size()) return false;
  ++*pos;  // "}"
  return true;
}

json Project(const json& value, const std::vector<Field>& fields) {
  if (value.is_array()) {
    json out = json::array();
    for (const json& v : value) out.push_back(Project(v, fields));
    return out;
  }
  if (!value.is_object()) return value;
  json out = json::object();
  for (const Field& f : fields) {
    auto it = value.find(f.name);
    if (it == value.end()) {
      out[f.key] = nullptr;
    } else {
      out[f.key] = f.has_sub ? Project(*it, f.sub) : *it;
    }
  }
  return out;
}

Reply JsonReply(int status, const json& body) {
  Reply r = Reply::Text(body.dump(), "application/json; charset=utf-8");
  r.status = status;
  return r;
}

Reply GraphQlError(int status, const std::string& message, const std::string& code) {
  json body = {{"errors", json::array({{{"message", message},
                                        {"locations", json::array({{{"line", 1}, {"column", 1}}})},
                                        {"extensions", {{"code", code}}}}})}};
  if (status == 200) body["data"] = nullptr;
  return JsonReply(status, body);
}

const char kChallengePage[] =
    "<!DOCTYPE html><html lang=\"en-US\"><head><title>Just a moment...</title>"
    "<meta http-equiv=\"refresh\" content=\"360\"></head><body><div class=\"main-wrapper\">"
    "<h1>Checking if the site connection is secure</h1><p>Enable JavaScript and cookies to continue</p>"
    "</div></body></html>";

bool Truthy(const json& obj, const char* name) {
  auto it = obj.find(name);
  return it != obj.end() && it->is_boolean() && it->get<bool>();
}

int IntTerm(const json& terms, const char* name, int fallback) {
  auto it = terms.find(name);
  if (it == terms.end()) return fallback;
  if (it->is_number_integer()) return it->get<int>();
  if (it->is_string()) {
    try {
      return std::stoi(it->get<std::string>());
    } catch (...) {
      return fallback;
    }
  }
  return fallback;
}

DatedItem Dated(const json& item) {
  return {Millis(item.value("postedAt", json())).value_or(0), item.value("_id", ""), &item};
}

// The API's order. Sort keys are computed once per item (Dated): parsing dates inside the
// comparator made every request O(n log n) date parses, which dominated the mirror's time.
void SortInApiOrder(std::vector<DatedItem>* items) {
  std::stable_sort(items->begin(), items->end(), [](const DatedItem& a, const DatedItem& b) {
    if (a.posted_ms != b.posted_ms) return a.posted_ms < b.posted_ms;
    return a.id < b.id;
  });
}

// The requested page: terms.offset and terms.limit, clamped as the real API does.
struct PageWindow {
  size_t offset;
  size_t limit;
};
PageWindow WindowOf(const json& terms, const ForumSiteOptions& options) {
  return {static_cast<size_t>(std::clamp(IntTerm(terms, "offset", 0), 0, options.max_offset)),
          static_cast<size_t>(std::clamp(IntTerm(terms, "limit", options.default_limit), 0, 5000))};
}

json Page(const std::vector<const json*>& items, const json& terms, const ForumSiteOptions& options) {
  std::vector<DatedItem> dated;
  dated.reserve(items.size());
  for (const json* p : items) dated.push_back(Dated(*p));
  SortInApiOrder(&dated);
  PageWindow window = WindowOf(terms, options);
  json out = json::array();
  for (size_t i = window.offset; i < dated.size() && out.size() < window.limit; ++i) out.push_back(*dated[i].item);
  return out;
}

}  // namespace

ForumSite::ForumSite(json posts, json comments, ForumSiteOptions options)
    : options_(std::move(options)),
      posts_(posts.is_array() ? std::move(posts) : json::array()),
      comments_(comments.is_array() ? std::move(comments) : json::array()) {}

Result<std::unique_ptr<ForumSite>> ForumSite::FromDirectory(const std::string& dir, ForumSiteOptions options) {
  json parts[2];
  const char* names[2] = {"posts.json", "comments.json"};
  for (int i = 0; i < 2; ++i) {
    std::string path = JoinPath(dir, names[i]);
    std::string text;
    Status s = ReadFileToString(Env::Default(), path, &text);
    if (!s.ok()) {
      if (i == 1 && s.IsNotFound()) {
        parts[i] = json::array();
        continue;
      }
      return s;
    }
    parts[i] = json::parse(text, nullptr, false);
    if (!parts[i].is_array()) return Status::InvalidArgument(path + ": not a JSON array");
  }
  return std::make_unique<ForumSite>(std::move(parts[0]), std::move(parts[1]), std::move(options));
}

void ForumSite::Install(TestServer* server, const std::string& prefix) {
  server->RouteHandler(prefix + "/graphql", [this](const ServerRequest& request) { return Answer(request); });
}

void ForumSite::RefreshIndex() {
  if (!index_stale_) return;
  sorted_posts_.clear();
  latest_ms_ = 0;
  for (const json& p : posts_) {
    for (const char* f : {"postedAt", "modifiedAt"})
      if (auto m = Millis(p.value(f, json()))) latest_ms_ = std::max(latest_ms_, *m);
    if (p.is_object()) sorted_posts_.push_back(Dated(p));
  }
  for (const json& c : comments_) {
    if (auto m = Millis(c.value("postedAt", json()))) latest_ms_ = std::max(latest_ms_, *m);
  }
  SortInApiOrder(&sorted_posts_);
  index_stale_ = false;
}

void ForumSite::UpsertPost(json post) {
  std::lock_guard<std::mutex> lock(mu_);
  index_stale_ = true;
  for (json& p : posts_) {
    if (p.value("_id", "") == post.value("_id", "")) {
      p = std::move(post);
      return;
    }
  }
  posts_.push_back(std::move(post));
}

bool ForumSite::PatchPost(const std::string& id, const json& fields) {
  std::lock_guard<std::mutex> lock(mu_);
  for (json& p : posts_) {
    if (p.value("_id", "") != id) continue;
    for (const auto& [key, value] : fields.items()) p[key] = value;
    index_stale_ = true;
    return true;
  }
  return false;
}

void ForumSite::AddComment(json comment) {
  std::lock_guard<std::mutex> lock(mu_);
  index_stale_ = true;
  comments_.push_back(std::move(comment));
}

void ForumSite::SetClock(const std::string& rfc3339) {
  std::lock_guard<std::mutex> lock(mu_);
  if (rfc3339.empty()) {
    clock_s_.reset();
  } else {
    clock_s_ = ParseRfc3339(rfc3339);
  }
}

void ForumSite::InjectFailure(Failure failure, int times, std::string message, int after) {
  std::lock_guard<std::mutex> lock(mu_);
  for (int i = 0; i < times; ++i) failures_.push_back({failure, message, i == 0 ? after : 0});
}

std::vector<json> ForumSite::Queries() const {
  std::lock_guard<std::mutex> lock(mu_);
  return queries_;
}

void ForumSite::ClearQueries() {
  std::lock_guard<std::mutex> lock(mu_);
  queries_.clear();
}

json ForumSite::SelectPosts(const json& terms, std::string* error) {
  std::string view = terms.value("view", "old");
  if (view != "old" && view != "default") {
    *error = "Unknown view \"" + view + "\" (this emulator knows \"old\")";
    return nullptr;
  }
  std::string time_field = terms.value("timeField", "postedAt");
  std::optional<int64_t> after, before;
  if (terms.contains("after")) {
    after = Millis(terms["after"]);
    if (!after) {
      *error = "Invalid date for after: " + terms["after"].dump();
      return nullptr;
    }
  }
  if (terms.contains("before")) {
    before = Millis(terms["before"]);
    if (!before) {
      *error = "Invalid date for before: " + terms["before"].dump();
      return nullptr;
    }
  }
  std::set<std::string> ids;
  bool by_ids = terms.contains("postIds") && terms["postIds"].is_array() && !options_.ignore_post_ids;
  if (by_ids) {
    for (const json& id : terms["postIds"])
      if (id.is_string()) ids.insert(id.get<std::string>());
  }
  std::optional<double> karma;
  if (auto k = terms.find("karmaThreshold"); k != terms.end() && k->is_number()) karma = k->get<double>();
  bool exclude_events = Truthy(terms, "excludeEvents");
  bool af = Truthy(terms, "af") || options_.af_only;

  RefreshIndex();
  // The index is in the answer's order, so the walk can stop once the requested page is complete.
  PageWindow window = WindowOf(terms, options_);
  size_t wanted = window.offset + window.limit;
  auto first = sorted_posts_.begin();
  if (after && time_field == "postedAt") {
    first = std::lower_bound(sorted_posts_.begin(), sorted_posts_.end(), *after,
                             [](const DatedItem& s, int64_t t) { return s.posted_ms < t; });
  }
  std::vector<const json*> picked;
  for (auto sp = first; sp != sorted_posts_.end() && picked.size() < wanted; ++sp) {
    const json& p = *sp->item;
    if (Truthy(p, "draft")) continue;
    if (exclude_events && Truthy(p, "isEvent")) continue;
    if (af && !Truthy(p, "af")) continue;
    if (by_ids && !ids.count(p.value("_id", ""))) continue;
    if (karma) {
      auto s = p.find("baseScore");
      if (s == p.end() || !s->is_number() || s->get<double>() < *karma) continue;
    }
    if (after || before) {
      std::optional<int64_t> t = Millis(p.value(time_field, json()));
      if (!t && time_field == "lastCommentedAt") {
        // Derived from the data: the latest comment, else the post itself (as the real field).
        std::string id = p.value("_id", "");
        for (const json& c : comments_) {
          if (c.is_object() && c.value("postId", "") == id) {
            std::optional<int64_t> m = Millis(c.value("postedAt", json()));
            if (m && (!t || *m > *t)) t = m;
          }
        }
      }
      if (!t && (time_field == "modifiedAt" || time_field == "lastCommentedAt")) t = Millis(p.value("postedAt", json()));
      if (!t || (after && *t < *after) || (before && *t >= *before)) continue;
    }
    picked.push_back(&p);
  }
  json page = Page(picked, terms, options_);
  for (json& p : page) {
    if (!p.contains("pageUrl") || !p["pageUrl"].is_string()) {
      std::string slug = p.value("slug", "");
      p["pageUrl"] = options_.page_url_base + "/posts/" + p.value("_id", "") + (slug.empty() ? "" : "/" + slug);
    }
  }
  return page;
}

json ForumSite::SelectComments(const json& terms, std::string* error) const {
  std::string view = terms.value("view", "");
  static const std::set<std::string> kViews = {"postCommentsOld", "questionAnswers", "answersAndReplies",
                                               "repliesToAnswer"};
  if (!kViews.count(view)) {
    *error = "Unknown view \"" + view +
             "\" (this emulator knows postCommentsOld, questionAnswers, answersAndReplies and repliesToAnswer)";
    return nullptr;
  }
  std::string post_id = terms.value("postId", "");
  std::string answer_id = terms.value("parentAnswerId", "");
  if (view == "repliesToAnswer") {
    // The live view selects by parentAnswerId alone; the post is the answer's.
    for (const json& c : comments_)
      if (c.is_object() && c.value("_id", "") == answer_id) post_id = c.value("postId", "");
  }
  std::map<std::string, const json*> by_id;
  for (const json& c : comments_)
    if (c.is_object() && c.value("postId", "") == post_id) by_id[c.value("_id", "")] = &c;
  // The answer a comment's thread hangs from ("" for none): its own parentAnswerId, else the
  // answer its chain of parents leads to. The chain is bounded (the data could hold a cycle).
  auto parent_answer = [&](const json& c) -> std::string {
    if (auto it = c.find("parentAnswerId"); it != c.end() && it->is_string()) return it->get<std::string>();
    const json* at = &c;
    for (size_t hops = 0; hops <= by_id.size(); ++hops) {
      json parent_id = at->value("parentCommentId", json());
      auto parent = by_id.find(parent_id.is_string() ? parent_id.get<std::string>() : std::string());
      if (parent == by_id.end()) return "";
      if (Truthy(*parent->second, "answer")) return parent->first;
      at = parent->second;
    }
    return "";
  };
  std::vector<const json*> picked;
  for (const auto& [id, cp] : by_id) {
    const json& c = *cp;
    if (options_.af_only && !Truthy(c, "af")) continue;
    bool answer = Truthy(c, "answer");
    std::string thread = answer ? "" : parent_answer(c);
    bool take = false;
    if (view == "postCommentsOld") take = !answer && thread.empty();
    if (view == "questionAnswers") take = answer;
    if (view == "answersAndReplies") take = answer || !thread.empty();
    if (view == "repliesToAnswer") take = !answer && thread == answer_id && !answer_id.empty();
    if (take) picked.push_back(&c);
  }
  // The view's order: by postedAt for postCommentsOld (Page's order); the answer views by sortBy.
  std::string sort = view == "postCommentsOld" ? "oldest" : view == "repliesToAnswer" ? "top" : terms.value("sortBy", "top");
  std::vector<DatedItem> dated;
  for (const json* c : picked) dated.push_back(Dated(*c));
  SortInApiOrder(&dated);
  auto score = [](const DatedItem& d) {
    auto it = d.item->find("baseScore");
    return it != d.item->end() && it->is_number() ? it->get<double>() : 0.0;
  };
  if (sort == "top") {
    std::stable_sort(dated.begin(), dated.end(), [&](const DatedItem& a, const DatedItem& b) {
      if (score(a) != score(b)) return score(a) > score(b);
      return a.posted_ms > b.posted_ms;
    });
  } else if (sort == "newest" || sort == "new") {
    std::stable_sort(dated.begin(), dated.end(),
                     [](const DatedItem& a, const DatedItem& b) { return a.posted_ms > b.posted_ms; });
  }
  std::string slug;
  for (const json& p : posts_)
    if (p.value("_id", "") == post_id) slug = p.value("slug", "");
  PageWindow window = WindowOf(terms, options_);
  json page = json::array();
  for (size_t i = window.offset; i < dated.size() && page.size() < window.limit; ++i) page.push_back(*dated[i].item);
  for (json& c : page) {
    if (!c.contains("pageUrl") || !c["pageUrl"].is_string()) {
      c["pageUrl"] = options_.page_url_base + "/posts/" + post_id + (slug.empty() ? "" : "/" + slug) +
                     "?commentId=" + c.value("_id", "");
    }
    if (!Truthy(c, "answer") && !c.contains("parentAnswerId")) {
      std::string thread = parent_answer(c);
      c["parentAnswerId"] = thread.empty() ? json(nullptr) : json(thread);
    }
  }
  return page;
}

Reply ForumSite::Answer(const ServerRequest& request) {
  std::lock_guard<std::mutex> lock(mu_);
  int64_t clock = 0;
  if (clock_s_) {
    clock = *clock_s_;
  } else {
    RefreshIndex();
    clock = latest_ms_ / 1000 + 1;
  }
  auto dated = [&](Reply r) {
    r.headers.emplace_back("Date", HttpDate(clock));
    return r;
  };

  if (!failures_.empty() && failures_.front().after > 0) {
    --failures_.front().after;
  } else if (!failures_.empty()) {
    Failure failure = failures_.front().failure;
    std::string message = failures_.front().message;
    failures_.pop_front();
    switch (failure) {
      case Failure::kGraphQlErrors:
        return dated(GraphQlError(200, message.empty() ? "Internal server error" : message, "INTERNAL_SERVER_ERROR"));
      case Failure::kValidationError:
        return dated(GraphQlError(400, message.empty() ? "Syntax Error" : message, "GRAPHQL_VALIDATION_FAILED"));
      case Failure::kChallengePage:
        return dated(Reply::Text(kChallengePage, "text/html; charset=UTF-8"));
      case Failure::kForbidden: {
        Reply r = Reply::Text(kChallengePage, "text/html; charset=UTF-8");
        r.status = 403;
        return dated(std::move(r));
      }
      case Failure::kTooManyRequests:
        return dated(Reply::Status(429, "Too Many Requests").WithHeader("Retry-After", "0"));
    }
  }
  // The real service refuses requests without a User-Agent.
  const std::string* agent = request.Header("user-agent");
  if (!agent || agent->empty()) return dated(Reply::Status(403, "Forbidden"));
  if (request.method != "POST") {
    return dated(GraphQlError(400, "GET query missing.", "BAD_REQUEST"));
  }
  json body = json::parse(request.body, nullptr, false);
  if (!body.is_object() || !body.contains("query") || !body["query"].is_string()) {
    return dated(GraphQlError(400, "POST body missing, invalid Content-Type, or JSON object has no keys.", "BAD_REQUEST"));
  }
  std::vector<std::string> tokens = Tokenize(body["query"].get<std::string>());
  auto open = std::find(tokens.begin(), tokens.end(), "{");
  if (open == tokens.end() || open + 1 == tokens.end()) {
    return dated(GraphQlError(400, "Syntax Error: Expected Name, found <EOF>.", "GRAPHQL_PARSE_FAILED"));
  }
  std::string op = *(open + 1);
  // posts/comments select `results { ... }`; post selects `result { ... }`.
  auto results = std::find(open, tokens.end(), op == "post" ? "result" : "results");
  std::vector<Field> selection;
  size_t pos = static_cast<size_t>(results - tokens.begin()) + 1;
  if (results == tokens.end() || !ParseSelection(tokens, &pos, &selection, 0)) {
    return dated(GraphQlError(400, "Syntax Error: this emulator needs a `results { ... }` selection.",
                              "GRAPHQL_PARSE_FAILED"));
  }
  json variables = body.contains("variables") && body["variables"].is_object() ? body["variables"] : json::object();
  if (op == "post") {
    // post(input: {selector: {_id: $id}}): one post, or null.
    std::string id = variables.value("id", "");
    queries_.push_back({{"op", op}, {"id", id}});
    json found = nullptr;
    for (const json& p : posts_) {
      if (p.is_object() && p.value("_id", "") == id && !Truthy(p, "draft") && (!options_.af_only || Truthy(p, "af"))) {
        found = p;
        if (!found.contains("pageUrl")) {
          std::string slug = found.value("slug", "");
          found["pageUrl"] = options_.page_url_base + "/posts/" + id + (slug.empty() ? "" : "/" + slug);
        }
      }
    }
    return dated(JsonReply(200, {{"data", {{"post", {{"result", found.is_null() ? found : Project(found, selection)}}}}}}));
  }
  json terms = variables.value("terms", json());
  if (!terms.is_object()) {
    return dated(GraphQlError(400, "Variable \"$terms\" of required type \"JSON\" was not provided.", "BAD_USER_INPUT"));
  }
  queries_.push_back({{"op", op}, {"terms", terms}});
  std::string error;
  json items;
  if (op == "posts") {
    items = SelectPosts(terms, &error);
  } else if (op == "comments") {
    items = SelectComments(terms, &error);
  } else {
    return dated(GraphQlError(400, "Cannot query field \"" + op + "\" on type \"Query\".", "GRAPHQL_VALIDATION_FAILED"));
  }
  if (!error.empty()) return dated(GraphQlError(200, error, "INTERNAL_SERVER_ERROR"));
  json answer = {{"data", {{op, {{"results", Project(items, selection)}}}}}};
  return dated(JsonReply(200, answer));
}

}  // namespace alcor::testing
