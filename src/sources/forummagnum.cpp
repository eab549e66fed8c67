// The forummagnum source (sources/forummagnum.hpp): LessWrong, Alignment Forum, EA Forum.
#include "sources/forummagnum.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <unordered_set>

#include "alcor/dates.hpp"
#include "alcor/strings.hpp"
#include "alcor/url.hpp"
#include "alcor/source_config.hpp"

namespace alcor {

using json = nlohmann::json;

// ---------------------------------------------------------------------------------------------
// Sites

const char* ForumName(Forum forum) {
  switch (forum) {
    case Forum::kLessWrong: return "lesswrong";
    case Forum::kAlignmentForum: return "alignmentforum";
    case Forum::kEaForum: return "eaforum";
  }
  return "lesswrong";
}

std::optional<Forum> ParseForumName(std::string_view name) {
  for (Forum f : {Forum::kLessWrong, Forum::kAlignmentForum, Forum::kEaForum}) {
    if (name == ForumName(f)) return f;
  }
  return std::nullopt;
}

Forum ForumFromBaseUrl(std::string_view base_url) {
  std::string host = UrlHost(base_url);
  if (host.find("alignmentforum") != std::string::npos) return Forum::kAlignmentForum;
  if (host.find("effectivealtruism") != std::string::npos || host.find("eaforum") != std::string::npos) {
    return Forum::kEaForum;
  }
  return Forum::kLessWrong;
}

const char* ForumIdPrefix(Forum forum) { return forum == Forum::kEaForum ? "ea:" : "lw:"; }

const char* ForumPublicOrigin(Forum forum) {
  switch (forum) {
    case Forum::kLessWrong: return "https://www.lesswrong.com";
    case Forum::kAlignmentForum: return "https://www.alignmentforum.org";
    case Forum::kEaForum: return "https://forum.effectivealtruism.org";
  }
  return "https://www.lesswrong.com";
}

// ---------------------------------------------------------------------------------------------
// Queries

// Everything but the body: the listing of a two-step fetch (tag filters) asks for no more.
#define ALCOR_FORUM_POST_FIELDS                                                                     \
  "_id title slug pageUrl postedAt modifiedAt baseScore voteCount commentCount wordCount "         \
  "af afBaseScore question isEvent draft "                                                          \
  "tags { name slug } user { displayName username } coauthors { displayName username }"
#define ALCOR_FORUM_BODY_FIELDS " contents { markdown } htmlBody"

const char* const kForumPostsQuery =
    "query AlcorPosts($terms: JSON) { posts(input: {terms: $terms}) { results { " ALCOR_FORUM_POST_FIELDS
    ALCOR_FORUM_BODY_FIELDS " } } }";

const char* const kForumPostListQuery =
    "query AlcorPostList($terms: JSON) { posts(input: {terms: $terms}) { results { " ALCOR_FORUM_POST_FIELDS " } } }";

const char* const kForumPostQuery =
    "query AlcorPost($id: String) { post(input: {selector: {_id: $id}}) { result { " ALCOR_FORUM_POST_FIELDS
    ALCOR_FORUM_BODY_FIELDS " } } }";

const char* const kForumCommentsQuery =
    "query AlcorComments($terms: JSON) { comments(input: {terms: $terms}) { results { "
    "_id postId parentCommentId postedAt lastEditedAt baseScore voteCount answer deleted pageUrl "
    "user { displayName username } contents { markdown } htmlBody } } }";

// ---------------------------------------------------------------------------------------------
// Dates

std::optional<int64_t> ParseForumMillis(std::string_view text) {
  std::optional<int64_t> seconds = ParseRfc3339(text);
  if (!seconds) return std::nullopt;
  int64_t millis = 0;
  size_t t = text.find_first_of("Tt ");
  if (t != std::string_view::npos) {
    size_t dot = text.find('.', t);
    if (dot != std::string_view::npos) {
      int digits = 0;
      for (size_t i = dot + 1; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i) {
        if (digits < 3) millis = millis * 10 + (text[i] - '0');
        ++digits;
      }
      for (int d = std::min(digits, 3); d < 3; ++d) millis *= 10;
    }
  }
  // ParseRfc3339 truncates toward the second; the fraction is added on the same side.
  return *seconds * 1000 + millis;
}

std::string FormatForumMillis(int64_t millis) {
  int64_t seconds = millis >= 0 ? millis / 1000 : (millis - 999) / 1000;
  int64_t rest = millis - seconds * 1000;
  std::string base = FormatRfc3339Utc(seconds);  // "...:SSZ"
  char frac[8];
  std::snprintf(frac, sizeof frac, ".%03d", static_cast<int>(rest));
  base.insert(base.size() - 1, frac);
  return base;
}

namespace {

std::string StringField(const json& obj, const char* name) {
  if (!obj.is_object()) return "";
  auto it = obj.find(name);
  if (it == obj.end() || !it->is_string()) return "";
  return it->get<std::string>();
}

bool BoolField(const json& obj, const char* name) {
  auto it = obj.find(name);
  return it != obj.end() && it->is_boolean() && it->get<bool>();
}

json NumberField(const json& obj, const char* name) {
  auto it = obj.find(name);
  if (it == obj.end() || !it->is_number()) return nullptr;
  // Scores come as floats ("956.0" in some answers): keep integers integral.
  double v = it->get<double>();
  if (std::fabs(v) < 9e15 && v == std::floor(v)) return static_cast<int64_t>(v);
  return v;
}

// "Display Name" of a user object (username when it has none), "" for null.
std::string UserName(const json& user) {
  std::string name = StringField(user, "displayName");
  if (name.empty()) name = StringField(user, "username");
  return name;
}

// The first message of a JSON string literal starting at body[pos] == '"'; tolerates a cut end.
std::string ReadJsonStringPrefix(std::string_view body, size_t pos) {
  std::string literal = "\"";
  bool escape = false;
  for (size_t i = pos + 1; i < body.size(); ++i) {
    char c = body[i];
    if (escape) {
      literal.push_back(c);
      escape = false;
      continue;
    }
    if (c == '\\') {
      literal.push_back(c);
      escape = true;
      continue;
    }
    literal.push_back(c);
    if (c == '"') break;
  }
  if (literal.size() < 2 || literal.back() != '"' || escape) {
    // Cut short: drop a dangling escape and close the literal.
    if (escape) literal.pop_back();
    while (!literal.empty() && literal.back() == '\\') literal.pop_back();
    literal.push_back('"');
  }
  json parsed = json::parse(literal, nullptr, false);
  if (parsed.is_string()) return parsed.get<std::string>();
  return literal.substr(1, literal.size() - 2);
}

bool LooksLikeHtml(std::string_view body) {
  size_t i = body.find_first_not_of(" \t\r\n\xEF\xBB\xBF");
  if (i == std::string_view::npos || body[i] != '<') return false;
  std::string head = AsciiLower(body.substr(i, 200));
  return head.rfind("<!doctype html", 0) == 0 || head.rfind("<html", 0) == 0 || head.rfind("<head", 0) == 0 ||
         head.rfind("<!--", 0) == 0 || head.find("<body") != std::string::npos || head.rfind("<!doctype", 0) == 0;
}

std::string BotProtectionAdvice(Forum site) {
  std::string env = site == Forum::kEaForum ? "EAFORUM_ACCESS" : "LESSWRONG_ACCESS";
  return std::string(": the site's bot protection refused the request. Ask the ") + ForumName(site) +
         " admins for API access and set it as an access header of this source, e.g. \"headers\": "
         "{\"Authorization\": \"${" + env + "}\"} (or the cookie they give you as \"Cookie\"), with the value "
         "exported in that environment variable; it is sent only to this site and never logged";
}

}  // namespace

std::string GraphQlErrorMessage(std::string_view body) {
  json parsed = json::parse(body, nullptr, false);
  if (parsed.is_object()) {
    auto errors = parsed.find("errors");
    if (errors == parsed.end() || !errors->is_array() || errors->empty()) return "";
    std::string out;
    for (const json& e : *errors) {
      std::string message = e.is_object() ? StringField(e, "message") : (e.is_string() ? e.get<std::string>() : "");
      if (message.empty()) message = e.dump().substr(0, 300);
      if (message.size() > 1000) message = message.substr(0, 1000) + "...";
      if (!out.empty()) out += "; ";
      out += message;
      if (out.size() > 2000) break;
    }
    return out;
  }
  // Not whole JSON: an excerpt. Find "errors" and then its first "message".
  size_t errors = body.find("\"errors\"");
  if (errors == std::string_view::npos) return "";
  size_t key = body.find("\"message\"", errors);
  if (key == std::string_view::npos) return "";
  size_t colon = body.find(':', key + 9);
  if (colon == std::string_view::npos) return "";
  size_t quote = body.find_first_not_of(" \t\r\n", colon + 1);
  if (quote == std::string_view::npos || body[quote] != '"') return "";
  return ReadJsonStringPrefix(body, quote);
}

Result<json> ReadForumData(const Result<HttpResponse>& answer, std::string_view field, Forum site,
                           std::string_view what) {
  if (!answer.ok()) {
    const Status& s = answer.status();
    if (s.IsInterrupted()) return s;
    int code = HttpStatusOf(s);
    if (code == 403 || code == 429) return Status::Http(s.message() + BotProtectionAdvice(site));
    if (s.code() == Status::Code::kHttp) {
      size_t body_at = s.message().find("; body: ");
      std::string_view excerpt = body_at == std::string::npos ? std::string_view()
                                                              : std::string_view(s.message()).substr(body_at + 8);
      if (LooksLikeHtml(excerpt) && code >= 500) {
        return Status::Http(s.message().substr(0, body_at) + " with an HTML page" + BotProtectionAdvice(site));
      }
      std::string server_says = GraphQlErrorMessage(excerpt);
      if (!server_says.empty()) {
        return Status::Http(std::string(what) + ": the GraphQL API refused the query (HTTP " + std::to_string(code) +
                            "): " + server_says);
      }
    }
    return s;
  }
  const HttpResponse& r = answer.value();
  const std::string* type = r.Header("content-type");
  bool html_type = type && AsciiLower(*type).find("html") != std::string::npos;
  if (html_type || LooksLikeHtml(r.body)) {
    return Status::Http(std::string(what) + " answered an HTML page (HTTP " + std::to_string(r.status) +
                        ") where JSON was expected" + BotProtectionAdvice(site));
  }
  json parsed = json::parse(r.body, nullptr, false);
  if (!parsed.is_object()) {
    std::string excerpt = r.body.substr(0, 120);
    return Status::Corruption(std::string(what) + ": the answer is not a JSON object (" +
                              std::to_string(r.body.size()) + " bytes: \"" + excerpt + "\")");
  }
  std::string errors = GraphQlErrorMessage(r.body);
  if (!errors.empty()) {
    return Status::InvalidArgument(std::string(what) + ": the GraphQL API answered with errors: " + errors);
  }
  auto data = parsed.find("data");
  if (data == parsed.end() || !data->is_object()) {
    return Status::Corruption(std::string(what) + ": the answer has no \"data\" object");
  }
  auto f = data->find(std::string(field));
  if (f == data->end() || !f->is_object()) {
    return Status::Corruption(std::string(what) + ": the answer has no data." + std::string(field));
  }
  return std::move(*f);
}

Result<json> ReadForumAnswer(const Result<HttpResponse>& answer, std::string_view field, Forum site,
                             std::string_view what) {
  Result<json> data = ReadForumData(answer, field, site, what);
  if (!data.ok()) return data.status();
  auto results = data->find("results");
  if (results == data->end() || !results->is_array()) {
    return Status::Corruption(std::string(what) + ": the answer has no data." + std::string(field) + ".results array");
  }
  return std::move(*results);
}

// ---------------------------------------------------------------------------------------------
// Documents

namespace {

bool TagMatches(const json& tags, const std::vector<std::string>& wanted) {
  if (!tags.is_array()) return false;
  for (const json& tag : tags) {
    std::string name = AsciiLower(StringField(tag, "name"));
    std::string slug = AsciiLower(StringField(tag, "slug"));
    for (const std::string& w : wanted) {
      std::string lw = AsciiLower(w);
      if ((!name.empty() && name == lw) || (!slug.empty() && slug == lw)) return true;
    }
  }
  return false;
}

std::string PostUrl(Forum site, const std::string& id, const std::string& slug) {
  return std::string(ForumPublicOrigin(site)) + "/posts/" + id + (slug.empty() ? "" : "/" + slug);
}

std::optional<std::string> UtcDate(const json& obj, const char* name) {
  std::string text = StringField(obj, name);
  if (text.empty()) return std::nullopt;
  return NormalizeDateToUtc(text);
}

}  // namespace

bool ForumPostWanted(const json& post, const ForumMagnumOptions& options) {
  if (BoolField(post, "isEvent") || BoolField(post, "draft")) return false;
  // The Alignment Forum lists AF posts only (its database also holds every LessWrong post).
  if ((options.af_only || options.site == Forum::kAlignmentForum) && !BoolField(post, "af")) return false;
  if (options.karma_min) {
    json karma = NumberField(post, "baseScore");
    if (!karma.is_number() || karma.get<double>() < *options.karma_min) return false;
  }
  const json& tags = post.contains("tags") ? post["tags"] : json();
  if (!options.tags_include.empty() && !TagMatches(tags, options.tags_include)) return false;
  if (!options.tags_exclude.empty() && TagMatches(tags, options.tags_exclude)) return false;
  return true;
}

namespace {
Result<RawDocument> BuildPostDocument(const json& post, const ForumMagnumOptions& options,
                                      const std::string& source_name, bool need_body);
}  // namespace

Result<RawDocument> ForumPostToDocument(const json& post, const ForumMagnumOptions& options,
                                        const std::string& source_name) {
  return BuildPostDocument(post, options, source_name, /*need_body=*/true);
}

namespace {

// need_body false: the record fields only (for the comments of a post listed without its body).
Result<RawDocument> BuildPostDocument(const json& post, const ForumMagnumOptions& options,
                                      const std::string& source_name, bool need_body) {
  if (!post.is_object()) return Status::InvalidArgument("a post that is not a JSON object");
  std::string id = StringField(post, "_id");
  if (id.empty()) return Status::InvalidArgument("a post without _id");
  RawDocument doc;
  Record& r = doc.record;
  r.id = ForumIdPrefix(options.site) + id;
  r.source = source_name;
  r.source_kind = "forummagnum";
  std::string slug = StringField(post, "slug");
  std::string page_url = StringField(post, "pageUrl");
  r.url = CanonicalizeUrl(page_url.empty() ? PostUrl(options.site, id, slug) : page_url);
  r.title = StringField(post, "title");

  std::vector<std::string> usernames;
  auto add_author = [&](const json& user) {
    std::string name = UserName(user);
    if (!name.empty() && std::find(r.authors.begin(), r.authors.end(), name) == r.authors.end()) {
      r.authors.push_back(name);
      usernames.push_back(StringField(user, "username"));
    }
  };
  if (post.contains("user")) add_author(post["user"]);
  if (auto co = post.find("coauthors"); co != post.end() && co->is_array()) {
    for (const json& u : *co) add_author(u);
  }
  r.date_published = UtcDate(post, "postedAt");
  r.date_modified = UtcDate(post, "modifiedAt");
  if (auto tags = post.find("tags"); tags != post.end() && tags->is_array()) {
    for (const json& t : *tags) {
      std::string name = StringField(t, "name");
      if (!name.empty()) r.tags.push_back(name);
    }
  }

  bool af = BoolField(post, "af");
  json& m = r.metadata;
  m["forum_id"] = id;
  m["site"] = ForumName(options.site);
  if (!slug.empty()) m["slug"] = slug;
  m["karma"] = NumberField(post, "baseScore");
  m["votes"] = NumberField(post, "voteCount");
  m["comment_count"] = NumberField(post, "commentCount");
  json words = NumberField(post, "wordCount");
  if (words.is_null() && post.contains("contents")) words = NumberField(post["contents"], "wordCount");
  m["word_count"] = words;
  m["af"] = af;
  m["af_karma"] = NumberField(post, "afBaseScore");
  m["question"] = BoolField(post, "question");
  m["author_usernames"] = usernames;

  // An AF post is also on LessWrong (same row); a LessWrong post with af set is also on the AF.
  if (options.site == Forum::kAlignmentForum) {
    r.also_at.push_back({ForumName(Forum::kLessWrong), CanonicalizeUrl(PostUrl(Forum::kLessWrong, id, slug))});
  } else if (options.site == Forum::kLessWrong && af) {
    r.also_at.push_back(
        {ForumName(Forum::kAlignmentForum), CanonicalizeUrl(PostUrl(Forum::kAlignmentForum, id, slug))});
  }

  if (!need_body) return doc;
  const json& contents = post.contains("contents") ? post["contents"] : json();
  std::string markdown = StringField(contents, "markdown");
  std::string html = StringField(post, "htmlBody");
  if (html.empty()) html = StringField(contents, "html");
  if (markdown.find_first_not_of(" \t\r\n") != std::string::npos) {
    doc.body = std::move(markdown);
    doc.format = BodyFormat::kMarkdown;
    m["text_from"] = "markdown";
  } else if (html.find_first_not_of(" \t\r\n") != std::string::npos) {
    doc.body = std::move(html);
    doc.format = BodyFormat::kHtml;
    m["text_from"] = "html";
  } else {
    return Status::InvalidArgument(r.id + ": the post has no body (neither contents.markdown nor htmlBody)");
  }
  doc.charset = "utf-8";  // a JSON string
  return doc;
}

}  // namespace

Result<RawDocument> ForumCommentToDocument(const json& comment, const Record& post_record,
                                           const ForumMagnumOptions& options, const std::string& source_name) {
  if (!comment.is_object()) return Status::InvalidArgument("a comment that is not a JSON object");
  std::string id = StringField(comment, "_id");
  if (id.empty()) return Status::InvalidArgument(post_record.id + ": a comment without _id");
  std::string prefix = ForumIdPrefix(options.site);
  RawDocument doc;
  Record& r = doc.record;
  r.id = prefix + "comment:" + id;
  r.source = source_name;
  r.source_kind = "forummagnum";
  std::string page_url = StringField(comment, "pageUrl");
  r.url = CanonicalizeUrl(page_url.empty() ? post_record.url + "?commentId=" + id : page_url);
  bool answer = BoolField(comment, "answer");
  r.title = std::string(answer ? "Answer to: " : "Comment on: ") + post_record.title;
  std::string author = comment.contains("user") ? UserName(comment["user"]) : "";
  if (!author.empty()) r.authors.push_back(author);
  r.date_published = UtcDate(comment, "postedAt");
  r.date_modified = UtcDate(comment, "lastEditedAt");
  json& m = r.metadata;
  m["forum_id"] = id;
  m["site"] = ForumName(options.site);
  m["post_id"] = post_record.id;
  std::string parent = StringField(comment, "parentCommentId");
  m["parent_id"] = parent.empty() ? json(nullptr) : json(prefix + "comment:" + parent);
  m["karma"] = NumberField(comment, "baseScore");
  m["votes"] = NumberField(comment, "voteCount");
  m["answer"] = answer;
  if (comment.contains("user")) m["author_username"] = StringField(comment["user"], "username");
  if (post_record.metadata.is_object() && post_record.metadata.contains("af")) m["af"] = post_record.metadata["af"];

  const json& contents = comment.contains("contents") ? comment["contents"] : json();
  std::string markdown = StringField(contents, "markdown");
  std::string html = StringField(comment, "htmlBody");
  if (html.empty()) html = StringField(contents, "html");
  if (markdown.find_first_not_of(" \t\r\n") != std::string::npos) {
    doc.body = std::move(markdown);
    doc.format = BodyFormat::kMarkdown;
    m["text_from"] = "markdown";
  } else if (html.find_first_not_of(" \t\r\n") != std::string::npos) {
    doc.body = std::move(html);
    doc.format = BodyFormat::kHtml;
    m["text_from"] = "html";
  } else {
    return Status::InvalidArgument(r.id + ": the comment has no body");
  }
  doc.charset = "utf-8";
  return doc;
}

// ---------------------------------------------------------------------------------------------
// Cursor

std::string ForumCursor::ToJson() const {
  json j = json::object();
  j["version"] = 1;
  j["posted_after"] = posted_after;
  j["boundary_ids"] = boundary_ids;
  j["modified_after"] = modified_after;
  j["recent"] = recent;
  return j.dump();
}

Result<ForumCursor> ForumCursor::FromJson(std::string_view text) {
  json j = json::parse(text, nullptr, false);
  if (!j.is_object()) return Status::Corruption("forummagnum cursor: not a JSON object");
  if (j.value("version", 0) != 1) return Status::Corruption("forummagnum cursor: unknown version");
  ForumCursor c;
  try {
    c.posted_after = j.value("posted_after", "");
    c.modified_after = j.value("modified_after", "");
    if (j.contains("boundary_ids")) c.boundary_ids = j["boundary_ids"].get<std::set<std::string>>();
    if (j.contains("recent")) c.recent = j["recent"].get<std::map<std::string, std::string>>();
  } catch (const json::exception& e) {
    return Status::Corruption(std::string("forummagnum cursor: ") + e.what());
  }
  if (!c.posted_after.empty() && !ParseForumMillis(c.posted_after)) {
    return Status::Corruption("forummagnum cursor: posted_after is not a date");
  }
  if (!c.modified_after.empty() && !ParseForumMillis(c.modified_after)) {
    return Status::Corruption("forummagnum cursor: modified_after is not a date");
  }
  return c;
}

// ---------------------------------------------------------------------------------------------
// The source

namespace {

constexpr char kCursorState[] = "cursor";

class ForumMagnumSource : public Source {
 public:
  explicit ForumMagnumSource(ForumMagnumOptions options)
      : options_(std::move(options)), two_step_(!options_.tags_include.empty() || !options_.tags_exclude.empty()) {}

  Status Run(SourceContext& ctx) override {
    // Everything below is per run (a Source may be run more than once).
    ctx_ = &ctx;
    cursor_ = ForumCursor();
    server_start_ms_.reset();
    max_seen_ms_ = 0;
    anything_answered_ = false;
    window_done_ = false;
    last_checkpoint_.clear();
    done_here_.clear();
    bodies_.clear();
    filtered_ = 0;
    Result<std::string> saved = ctx.ReadState(kCursorState);
    if (saved.ok()) {
      Result<ForumCursor> cursor = ForumCursor::FromJson(saved.value());
      if (cursor.ok()) {
        cursor_ = std::move(cursor.value());
      } else {
        // Starting over is safe: the deduplicator replaces what it already has.
        ctx.Log(cursor.status().ToString() + "; starting from the beginning");
      }
    } else if (!saved.status().IsNotFound()) {
      return saved.status();
    }
    old_modified_after_ = cursor_.modified_after;
    Status s = Status::OK();
    if (!old_modified_after_.empty()) {
      s = EditedPass();
      if (s.ok() && options_.comments) s = CommentedPass();
      // The look-back window is done: the next run's window starts at this run's start.
      if (s.ok()) {
        window_done_ = true;
        Checkpoint();
      }
    }
    if (s.ok()) s = NewPass();
    if (filtered_ > 0) ctx.Log(std::to_string(filtered_) + " posts left out by the tag, karma or af filters");
    if (s.IsInterrupted()) {
      Checkpoint();
      return Status::OK();
    }
    if (!s.ok()) {
      Checkpoint();
      return s;
    }
    Checkpoint();
    return Status::OK();
  }

 private:
  // ---- requests

  json BaseTerms() const {
    json terms = json::object();
    terms["view"] = "old";
    terms["excludeEvents"] = true;
    if (options_.af_only || options_.site == Forum::kAlignmentForum) terms["af"] = true;
    if (options_.karma_min) terms["karmaThreshold"] = static_cast<int64_t>(std::floor(*options_.karma_min));
    return terms;
  }

  // One POST; data.<field> of the answer.
  Result<json> Post(const char* document, const char* field, const json& variables) {
    if (ctx_->stopping()) return Status::Interrupted("stopping");
    json body = {{"query", document}, {"variables", variables}};
    HttpRequest request = HttpRequest::Post(options_.GraphQlUrl(), body.dump(), "application/json");
    request.retry_post = true;  // a read; safe to repeat
    request.headers.push_back({"Accept", "application/json", false});
    for (const HttpHeader& h : options_.headers) request.headers.push_back(h);
    Result<HttpResponse> answer = ctx_->http().Fetch(std::move(request));
    if (answer.ok() && !server_start_ms_) {
      if (const std::string* date = answer->Header("date")) {
        if (std::optional<int64_t> s = ParseRfc822(*date)) server_start_ms_ = *s * 1000;
      }
    }
    return ReadForumData(answer, field, options_.site, "POST " + options_.GraphQlUrl());
  }

  // A list query: data.<field>.results.
  Result<json> Query(const char* document, const char* field, const json& terms) {
    Result<json> data = Post(document, field, {{"terms", terms}});
    if (!data.ok()) return data.status();
    auto results = data->find("results");
    if (results == data->end() || !results->is_array()) {
      return Status::Corruption("POST " + options_.GraphQlUrl() + ": the answer has no data." + field + ".results array");
    }
    return std::move(*results);
  }

  // The listing query: without bodies when the tag filters will drop posts client-side, so that
  // only the bodies of kept posts are downloaded (PrepareBodies).
  const char* ListQuery() const { return two_step_ ? kForumPostListQuery : kForumPostsQuery; }

  // Two-step fetch: the bodies of the wanted posts among posts, by postIds in one request, then
  // one by one for any the answer lacks. bodies_ holds them for ProcessPost.
  Status PrepareBodies(const std::vector<const json*>& posts) {
    bodies_.clear();
    if (!two_step_) return Status::OK();
    json ids = json::array();
    for (const json* p : posts) {
      if (ForumPostWanted(*p, options_)) ids.push_back(StringField(*p, "_id"));
    }
    if (ids.empty()) return Status::OK();
    json terms = BaseTerms();
    terms["postIds"] = ids;
    terms["limit"] = ids.size();
    Result<json> page = Query(kForumPostsQuery, "posts", terms);
    if (!page.ok()) return page.status();
    std::set<std::string> wanted = ids.get<std::set<std::string>>();
    for (json& p : page.value()) {
      std::string id = StringField(p, "_id");
      if (wanted.count(id)) bodies_[id] = std::move(p);
    }
    for (const std::string& id : wanted) {
      if (bodies_.count(id)) continue;
      Result<json> one = Post(kForumPostQuery, "post", {{"id", id}});
      if (!one.ok()) {
        if (one.status().IsInterrupted() || one.status().code() == Status::Code::kHttp) return one.status();
        ctx_->ReportFailure(ForumIdPrefix(options_.site) + id, one.status());
        continue;
      }
      auto result = one->find("result");
      if (result != one->end() && result->is_object()) bodies_[id] = std::move(*result);
    }
    return Status::OK();
  }

  // ---- bookkeeping

  // Edits at or after this instant are looked for by the next run.
  int64_t NextModifiedAfterMs() const {
    int64_t start = server_start_ms_ ? *server_start_ms_ : max_seen_ms_;
    int64_t next = start - options_.modified_margin_s * 1000;
    if (std::optional<int64_t> old = ParseForumMillis(old_modified_after_)) next = std::max(next, *old);
    return next;
  }

  void Remember(const std::string& id, const json& post) {
    std::string modified = StringField(post, "modifiedAt");
    if (modified.empty()) modified = StringField(post, "postedAt");
    std::optional<int64_t> ms = ParseForumMillis(modified);
    if (!ms) return;
    max_seen_ms_ = std::max(max_seen_ms_, *ms);
    // Only edits inside the next run's window need remembering; the others are not asked for.
    if (*ms >= NextModifiedAfterMs()) cursor_.recent[id] = modified;
  }

  void Checkpoint() {
    if (!anything_answered_) return;
    if (old_modified_after_.empty() || window_done_) {
      int64_t next = NextModifiedAfterMs();
      cursor_.modified_after = FormatForumMillis(next);
      for (auto it = cursor_.recent.begin(); it != cursor_.recent.end();) {
        std::optional<int64_t> ms = ParseForumMillis(it->second);
        it = (!ms || *ms < next) ? cursor_.recent.erase(it) : std::next(it);
      }
    }
    std::string text = cursor_.ToJson();
    if (text == last_checkpoint_) return;
    last_checkpoint_ = text;
    ctx_->Checkpoint(kCursorState, std::move(text));
  }

  // Counts a post found unchanged, once per run, and never one this run emitted (the inclusive
  // `after` brings the boundary posts of this run's previous page back).
  void CountUnchanged(const std::string& id) {
    if (!done_here_.insert(id).second) return;
    ctx_->CountUnchanged(1);
  }

  // True when the new-posts pass has already gone past this post (in an earlier run).
  bool Covered(const std::string& id, int64_t posted_ms) const {
    std::optional<int64_t> after = ParseForumMillis(cursor_.posted_after);
    if (!after) return false;
    return posted_ms < *after || (posted_ms == *after && cursor_.boundary_ids.count(id));
  }

  // Emits a post (when wanted) and its comments. Interrupted when the run stops.
  Status ProcessPost(const json& listed) {
    if (!ForumPostWanted(listed, options_)) {
      ++filtered_;
      return Status::OK();
    }
    const json* full = &listed;
    if (two_step_) {
      auto it = bodies_.find(StringField(listed, "_id"));
      if (it == bodies_.end()) {
        ctx_->ReportFailure(ForumIdPrefix(options_.site) + StringField(listed, "_id"),
                            Status::NotFound("the API did not return the post's body"));
        return Status::OK();
      }
      full = &it->second;
    }
    const json& post = *full;
    Result<RawDocument> doc = ForumPostToDocument(post, options_, ctx_->source_name());
    if (!doc.ok()) {
      ctx_->ReportFailure(StringField(post, "pageUrl").empty() ? StringField(post, "_id") : StringField(post, "pageUrl"),
                          doc.status());
      return Status::OK();
    }
    Record post_record = doc->record;  // for the comments: id, url, title, af
    ALCOR_RETURN_IF_ERROR(ctx_->Emit(std::move(doc.value())));
    if (options_.comments && CommentsExpected(post)) ALCOR_RETURN_IF_ERROR(EmitComments(post, post_record));
    return Status::OK();
  }

  static bool CommentsExpected(const json& post) {
    json count = NumberField(post, "commentCount");
    return !count.is_number() || count.get<double>() > 0;
  }

  // Emits the post's comments (and a question's answers); with since, only those posted or
  // edited at or after it.
  Status EmitComments(const json& post, const Record& post_record, std::optional<int64_t> since = std::nullopt) {
    std::string post_id = StringField(post, "_id");
    std::vector<std::string> views = {"postCommentsOld"};
    if (BoolField(post, "question")) views.push_back("questionAnswers");
    std::unordered_set<std::string> seen;
    for (const std::string& view : views) {
      int offset = 0;
      while (true) {
        json terms = {{"view", view}, {"postId", post_id}, {"limit", options_.comments_page_size}};
        if (offset > 0) terms["offset"] = offset;
        Result<json> page = Query(kForumCommentsQuery, "comments", terms);
        if (!page.ok()) {
          if (page.status().IsInterrupted() || HttpStatusOf(page.status()) == 403 ||
              HttpStatusOf(page.status()) == 429 || page.status().message().find("bot protection") != std::string::npos) {
            return page.status();
          }
          ctx_->ReportFailure(post_record.id + " comments", page.status());
          return Status::OK();
        }
        anything_answered_ = true;
        size_t fresh = 0;
        for (const json& c : page.value()) {
          std::string cid = StringField(c, "_id");
          if (cid.empty() || !seen.insert(cid).second) continue;
          ++fresh;
          if (BoolField(c, "deleted") || BoolField(c, "draft")) continue;
          // The comment's last change: its edit, else its posting.
          std::string changed = StringField(c, "lastEditedAt");
          if (!ParseForumMillis(changed)) changed = StringField(c, "postedAt");
          std::optional<int64_t> changed_ms = ParseForumMillis(changed);
          const std::string key = "comment:" + cid;
          if (since) {
            if (!changed_ms || *changed_ms < *since) continue;
            auto known = cursor_.recent.find(key);
            if (known != cursor_.recent.end() && ParseForumMillis(known->second) == changed_ms) {
              CountUnchanged(key);
              continue;
            }
          }
          Result<RawDocument> doc = ForumCommentToDocument(c, post_record, options_, ctx_->source_name());
          if (!doc.ok()) {
            ctx_->ReportFailure(post_record.id + " comment " + cid, doc.status());
            continue;
          }
          ALCOR_RETURN_IF_ERROR(ctx_->Emit(std::move(doc.value())));
          // Inside the next run's window: remembered, so that run does not emit it again.
          if (changed_ms && *changed_ms >= NextModifiedAfterMs()) cursor_.recent[key] = changed;
        }
        if (fresh == 0 || page->size() < static_cast<size_t>(options_.comments_page_size)) break;
        offset += static_cast<int>(page->size());
        if (offset > kMaxOffset) {
          ctx_->ReportFailure(post_record.id + " comments",
                              Status::LimitExceeded("more than " + std::to_string(kMaxOffset) +
                                                    " comments; the API pages no further by offset"));
          break;
        }
      }
    }
    return Status::OK();
  }

  // ---- pass 1: posts edited since the last run

  Status EditedPass() {
    int offset = 0;
    std::unordered_set<std::string> seen;
    while (true) {
      json terms = BaseTerms();
      terms["timeField"] = "modifiedAt";
      terms["after"] = old_modified_after_;
      terms["limit"] = options_.page_size;
      if (offset > 0) terms["offset"] = offset;
      Result<json> page = Query(ListQuery(), "posts", terms);
      if (!page.ok()) return page.status();
      anything_answered_ = true;
      size_t fresh = 0;
      std::vector<const json*> todo;
      for (const json& post : page.value()) {
        std::string id = StringField(post, "_id");
        if (id.empty() || !seen.insert(id).second) continue;
        ++fresh;
        std::optional<int64_t> posted = ParseForumMillis(StringField(post, "postedAt"));
        if (!posted || !Covered(id, *posted)) continue;  // the new-posts pass takes it
        std::string modified = StringField(post, "modifiedAt");
        if (modified.empty()) modified = StringField(post, "postedAt");
        auto known = cursor_.recent.find(id);
        if (known != cursor_.recent.end() && ParseForumMillis(known->second) == ParseForumMillis(modified)) {
          CountUnchanged(id);
          continue;
        }
        todo.push_back(&post);
      }
      ALCOR_RETURN_IF_ERROR(PrepareBodies(todo));
      for (const json* post : todo) {
        std::string id = StringField(*post, "_id");
        ALCOR_RETURN_IF_ERROR(ProcessPost(*post));
        Remember(id, *post);
        done_here_.insert(id);
      }
      Checkpoint();
      if (fresh == 0 || page->size() < static_cast<size_t>(options_.page_size)) break;
      offset += static_cast<int>(page->size());
      if (offset > kMaxOffset) {
        ctx_->ReportFailure("posts edited since " + old_modified_after_,
                            Status::LimitExceeded("more than " + std::to_string(kMaxOffset) +
                                                  " edited posts; the API pages no further by offset"));
        break;
      }
    }
    return Status::OK();
  }

  // ---- pass 1b: new comments on posts done in earlier runs (comments on)

  Status CommentedPass() {
    std::optional<int64_t> since = ParseForumMillis(old_modified_after_);
    int offset = 0;
    std::unordered_set<std::string> seen;
    while (true) {
      json terms = BaseTerms();
      terms["timeField"] = "lastCommentedAt";
      terms["after"] = old_modified_after_;
      terms["limit"] = options_.page_size;
      if (offset > 0) terms["offset"] = offset;
      Result<json> page = Query(kForumPostListQuery, "posts", terms);
      if (!page.ok()) return page.status();
      anything_answered_ = true;
      size_t fresh = 0;
      for (const json& post : page.value()) {
        std::string id = StringField(post, "_id");
        if (id.empty() || !seen.insert(id).second) continue;
        ++fresh;
        std::optional<int64_t> posted = ParseForumMillis(StringField(post, "postedAt"));
        // Posts not reached yet come with all their comments; posts emitted by the edited pass
        // came with theirs.
        if (!posted || !Covered(id, *posted) || done_here_.count(id) || !ForumPostWanted(post, options_)) continue;
        Result<RawDocument> doc = BuildPostDocument(post, options_, ctx_->source_name(), /*need_body=*/false);
        if (!doc.ok()) continue;
        ALCOR_RETURN_IF_ERROR(EmitComments(post, doc->record, since));
      }
      if (fresh == 0 || page->size() < static_cast<size_t>(options_.page_size)) break;
      offset += static_cast<int>(page->size());
      if (offset > kMaxOffset) {
        ctx_->ReportFailure("posts commented since " + old_modified_after_,
                            Status::LimitExceeded("more than " + std::to_string(kMaxOffset) +
                                                  " commented posts; the API pages no further by offset"));
        break;
      }
    }
    return Status::OK();
  }

  // ---- pass 2: new posts, oldest first

  Status NewPass() {
    std::optional<int64_t> before = ParseForumMillis(options_.posted_before);
    if (cursor_.posted_after.empty() && !options_.posted_after.empty()) {
      // The configured start is not a post: nothing at it is done yet.
      cursor_.posted_after = FormatForumMillis(*ParseForumMillis(options_.posted_after));
      cursor_.boundary_ids.clear();
    }
    int limit = options_.page_size;
    bool skipped_ahead = false;
    while (true) {
      json terms = BaseTerms();
      terms["limit"] = limit;
      if (!cursor_.posted_after.empty()) terms["after"] = cursor_.posted_after;
      if (before) terms["before"] = options_.posted_before;
      Result<json> page = Query(ListQuery(), "posts", terms);
      if (!page.ok()) return page.status();
      anything_answered_ = true;
      json posts = std::move(page.value());
      // Keyset paging needs ascending postedAt; do not trust the order of ties or of a proxy.
      std::vector<std::pair<int64_t, const json*>> order;
      size_t unreadable = 0;
      for (const json& post : posts) {
        std::optional<int64_t> ms = ParseForumMillis(StringField(post, "postedAt"));
        if (!ms || StringField(post, "_id").empty()) {
          ++unreadable;
          continue;
        }
        order.emplace_back(*ms, &post);
      }
      std::stable_sort(order.begin(), order.end(),
                       [](const auto& a, const auto& b) { return a.first < b.first; });
      if (unreadable > 0) {
        ctx_->ReportFailure(options_.GraphQlUrl(),
                            Status::Corruption(std::to_string(unreadable) + " posts without _id or a readable postedAt"));
      }
      bool finished = false;
      std::optional<int64_t> after = ParseForumMillis(cursor_.posted_after);
      const std::optional<int64_t> page_after = after;
      std::vector<std::pair<int64_t, const json*>> todo;
      std::vector<const json*> todo_posts;
      for (const auto& [posted, post_ptr] : order) {
        std::string id = StringField(*post_ptr, "_id");
        if (after && (posted < *after || (posted == *after && cursor_.boundary_ids.count(id)))) {
          if (posted == *after) CountUnchanged(id);
          continue;
        }
        if (before && posted >= *before) {
          finished = true;
          break;
        }
        todo.emplace_back(posted, post_ptr);
        todo_posts.push_back(post_ptr);
      }
      size_t fresh = todo.size();
      ALCOR_RETURN_IF_ERROR(PrepareBodies(todo_posts));
      for (const auto& [posted, post_ptr] : todo) {
        const json& post = *post_ptr;
        std::string id = StringField(post, "_id");
        ALCOR_RETURN_IF_ERROR(ProcessPost(post));
        Remember(id, post);
        if (!after || posted > *after) {
          cursor_.posted_after = StringField(post, "postedAt");
          cursor_.boundary_ids.clear();
          after = posted;
        }
        cursor_.boundary_ids.insert(id);
        done_here_.insert(id);
      }
      Checkpoint();
      if (finished) break;
      if (fresh > 0) {
        // Still inside one instant's ties: keep the grown page, or the next request shrinks back
        // and must grow again.
        if (after != page_after) limit = options_.page_size;
        skipped_ahead = false;
        continue;
      }
      // Nothing new. A short page is the end. A full one holds only posts done already: ties at
      // the cursor's postedAt (or a server coarser than the cursor), so ask for more at once.
      if (order.empty() || posts.size() < static_cast<size_t>(limit)) break;
      if (limit < options_.max_limit) {
        limit = std::min(limit * 2, options_.max_limit);
        continue;
      }
      if (!after || order.back().first != *after || skipped_ahead) {
        return Status::Corruption("POST " + options_.GraphQlUrl() + ": " + std::to_string(posts.size()) +
                                  " posts answered for after=" + cursor_.posted_after +
                                  " are all done already; the API does not page by `after` as expected");
      }
      ctx_->ReportFailure("posts at " + cursor_.posted_after,
                          Status::LimitExceeded("more than " + std::to_string(options_.max_limit) +
                                                " posts share this postedAt; skipping past them"));
      cursor_.posted_after = FormatForumMillis(*after + 1);
      cursor_.boundary_ids.clear();
      limit = options_.page_size;
      skipped_ahead = true;  // a second skip without progress would mean a loop
    }
    return Status::OK();
  }

  ForumMagnumOptions options_;
  const bool two_step_;  // list without bodies, then fetch the kept posts' bodies
  std::map<std::string, json> bodies_;  // PrepareBodies → ProcessPost, per page
  SourceContext* ctx_ = nullptr;
  ForumCursor cursor_;
  std::string old_modified_after_;
  std::optional<int64_t> server_start_ms_;
  int64_t max_seen_ms_ = 0;
  bool anything_answered_ = false;
  bool window_done_ = false;
  std::string last_checkpoint_;
  std::unordered_set<std::string> done_here_;  // posts emitted or counted unchanged this run
  uint64_t filtered_ = 0;
};

}  // namespace

std::unique_ptr<Source> NewForumMagnumSource(ForumMagnumOptions options) {
  return std::make_unique<ForumMagnumSource>(std::move(options));
}

// ---------------------------------------------------------------------------------------------
// Configuration

namespace {

// The settings of kind forummagnum, each declared once with its default and its doc
// (docs/sources.md "## forummagnum" is generated from this table).
struct ForumMagnumKeys : KeyTable {
  Key<std::string> base_url{this, "base_url", "https://www.lesswrong.com",
                            "the site; point it at a mirror or test server to run offline"};
  OptionalKey<std::string> site{
      this, "site",
      "`lesswrong`, `alignmentforum` or `eaforum`. Sets the id namespace (`lw:` for the first two, which share one "
      "database; `ea:`) and which site `also_at` names. Set it when `base_url` is a mirror (an unknown host counts as "
      "`lesswrong`)",
      {.shown_default = "from the host of `base_url`"}};
  Key<bool> comments{this, "comments", false,
                     "also emit every post's comments, and a question's answers, as records"};
  Key<std::vector<std::string>> tags_include{
      this, "tags_include", {},
      "keep only posts with one of these tags (tag name or slug, case-insensitive). Client-side"};
  Key<std::vector<std::string>> tags_exclude{this, "tags_exclude", {},
                                             "drop posts with any of these tags. Client-side"};
  OptionalKey<double> karma_min{
      this, "karma_min",
      "keep posts with `baseScore >= karma_min`. Sent to the server (`karmaThreshold`) and checked again"};
  Key<bool> af_only{this, "af_only", false,
                    "keep Alignment Forum posts only. Sent to the server (`af: true`) and checked again; always on "
                    "for `site: alignmentforum`"};
  OptionalKey<std::string> posted_after{
      this, "posted_after", "an RFC 3339 date: the first run starts at posts posted at or after it"};
  OptionalKey<std::string> posted_before{
      this, "posted_before", "an RFC 3339 date: posts posted at or after it are not fetched (sent as `before`)"};
  Key<int64_t> page_size{this, "page_size", 50, "posts per request, 1–1000 (the query's `limit`)"};
  Key<int64_t> comments_page_size{this, "comments_page_size", 500, "comments per request, 1–1000"};
  Key<int64_t> modified_margin_s{
      this, "modified_margin_s", 600,
      "edits are looked for from the previous run's start, by the server's clock, less this margin"};
  Key<std::map<std::string, std::string>> headers{
      this, "headers", {},
      "access headers sent with every request, e.g. `{\"Authorization\": \"${LESSWRONG_ACCESS}\"}`. Secret: masked "
      "by `--print-config`, never logged, sent to this site only",
      {.secret = true}};
};

const ForumMagnumKeys& Keys() {
  static const ForumMagnumKeys keys;
  return keys;
}

}  // namespace

Result<ForumMagnumOptions> ForumMagnumOptionsFromConfig(const SourceConfig& config) {
  const ForumMagnumKeys& keys = Keys();
  ForumMagnumOptions o;
  std::string where = config.Describe();
  o.base_url = StripTrailingSlashes(keys.base_url.Get(config));
  if (!IsHttpUrl(o.base_url) || UrlHost(o.base_url).empty()) {
    return Status::InvalidArgument(where + "\"base_url\": must be an http(s) URL such as https://www.lesswrong.com, not \"" +
                                   o.base_url + "\"");
  }
  std::string site = keys.site.Get(config).value_or("");
  if (site.empty()) {
    o.site = ForumFromBaseUrl(o.base_url);
  } else if (std::optional<Forum> f = ParseForumName(site)) {
    o.site = *f;
  } else {
    return Status::InvalidArgument(where + "\"site\": must be lesswrong, alignmentforum or eaforum, not \"" + site + "\"");
  }
  o.comments = keys.comments.Get(config);
  o.tags_include = keys.tags_include.Get(config);
  o.tags_exclude = keys.tags_exclude.Get(config);
  o.karma_min = keys.karma_min.Get(config);
  o.af_only = keys.af_only.Get(config);
  for (const OptionalKey<std::string>* key : {&keys.posted_after, &keys.posted_before}) {
    std::string value = key->Get(config).value_or("");
    if (!value.empty() && !ParseForumMillis(value)) {
      return Status::InvalidArgument(where + "\"" + key->path() +
                                     "\": must be an RFC 3339 date such as 2020-01-01T00:00:00Z, not \"" + value + "\"");
    }
    (key == &keys.posted_after ? o.posted_after : o.posted_before) = value;
  }
  for (const Key<int64_t>* key : {&keys.page_size, &keys.comments_page_size}) {
    int64_t size = key->Get(config);
    if (size < 1 || size > kMaxTiesLimit) {
      return Status::InvalidArgument(where + "\"" + key->path() + "\": must be between 1 and " +
                                     std::to_string(kMaxTiesLimit));
    }
    (key == &keys.page_size ? o.page_size : o.comments_page_size) = static_cast<int>(size);
  }
  o.modified_margin_s = keys.modified_margin_s.Get(config);
  if (o.modified_margin_s < 0) return Status::InvalidArgument(where + "\"modified_margin_s\": must not be negative");
  for (const auto& [name, value] : keys.headers.Get(config)) {
    // The config loader expanded ${ENV} already; an access header is a secret either way.
    SecretRegistry::Global()->Add(value);
    o.headers.push_back({name, value, true});
  }
  return o;
}

const SourceKind& ForumMagnumSourceKind() {
  static const SourceKind kind = {
      "forummagnum",
      "LessWrong, Alignment Forum and EA Forum posts (and comments) through the ForumMagnum GraphQL API",
      &Keys(),
      [](const SourceConfig& config) -> Result<std::unique_ptr<Source>> {
        Result<ForumMagnumOptions> options = ForumMagnumOptionsFromConfig(config);
        if (!options.ok()) return options.status();
        return NewForumMagnumSource(std::move(options.value()));
      },
  };
  return kind;
}

}  // namespace alcor
