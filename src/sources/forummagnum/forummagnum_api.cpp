// The ForumMagnum API (forummagnum.hpp): sites, the GraphQL documents, reading answers and
// GraphQL errors, and API objects to documents. The run that uses them is forummagnum_run.cpp.
#include "sources/forummagnum/forummagnum.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>

#include "alcor/enum_names.hpp"
#include "alcor/hash.hpp"
#include "alcor/dates.hpp"
#include "alcor/json.hpp"
#include "alcor/secrets.hpp"
#include "alcor/strings.hpp"
#include "alcor/url.hpp"
#include "alcor/warc.hpp"

namespace alcor {

using json = nlohmann::json;

// ---------------------------------------------------------------------------------------------
// Sites

constexpr EnumName<Forum> kForumNames[] = {
    {Forum::kLessWrong, "lesswrong"},
    {Forum::kAlignmentForum, "alignmentforum"},
    {Forum::kEaForum, "eaforum"},
};

const char* ForumName(Forum forum) { return NameIn(kForumNames, forum, "lesswrong"); }

std::optional<Forum> ParseForumName(std::string_view name) {
  return ValueNamed(kForumNames, name);
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

constexpr EnumName<Forum> kForumPublicOrigins[] = {
    {Forum::kLessWrong, "https://www.lesswrong.com"},
    {Forum::kAlignmentForum, "https://www.alignmentforum.org"},
    {Forum::kEaForum, "https://forum.effectivealtruism.org"},
};

const char* ForumPublicOrigin(Forum forum) { return NameIn(kForumPublicOrigins, forum, "https://www.lesswrong.com"); }

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

namespace forum {

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

}  // namespace forum

namespace {

using forum::BoolField;
using forum::NumberField;
using forum::StringField;

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
  Result<json> parsed = ParseJson(literal, "a JSON string");
  if (parsed.ok() && parsed->is_string()) return parsed->get<std::string>();
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
  Result<json> answer = ParseJson(body, "the GraphQL answer");
  json parsed = answer.ok() ? std::move(answer).value() : json();
  if (parsed.is_object()) {
    auto errors = parsed.find("errors");
    if (errors == parsed.end() || !errors->is_array() || errors->empty()) return "";
    std::string out;
    for (const json& e : *errors) {
      std::string message = e.is_object() ? StringField(e, "message") : (e.is_string() ? e.get<std::string>() : "");
      if (message.empty()) message = RedactedExcerpt(e.dump(), 300);
      if (message.size() > 1000) message = RedactedExcerpt(message, 1000) + "...";
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
    int code = s.http_status();
    if (code == 403 || code == 429) return Status::Blocked(s.message() + BotProtectionAdvice(site));
    if (s.code() == Status::Code::kHttp) {
      size_t body_at = s.message().find("; body: ");
      std::string_view excerpt = body_at == std::string::npos ? std::string_view()
                                                              : std::string_view(s.message()).substr(body_at + 8);
      if (LooksLikeHtml(excerpt) && code >= 500) {
        return Status::Blocked(s.message().substr(0, body_at) + " with an HTML page" + BotProtectionAdvice(site));
      }
      std::string server_says = GraphQlErrorMessage(excerpt);
      if (!server_says.empty()) {
        return Status::Http(code, std::string(what) + ": the GraphQL API refused the query (HTTP " + std::to_string(code) +
                            "): " + server_says);
      }
    }
    return s;
  }
  const HttpResponse& r = answer.value();
  const std::string* type = r.Header("content-type");
  bool html_type = type && AsciiLower(*type).find("html") != std::string::npos;
  if (html_type || LooksLikeHtml(r.body)) {
    return Status::Blocked(std::string(what) + " answered an HTML page (HTTP " + std::to_string(r.status) +
                        ") where JSON was expected" + BotProtectionAdvice(site));
  }
  Result<json> body = ParseJson(r.body, what);
  if (body.status().code() == Status::Code::kLimitExceeded) return body.status();
  json parsed = body.ok() ? std::move(body).value() : json();
  if (!parsed.is_object()) {
    std::string excerpt = RedactedExcerpt(r.body, 120);
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

// The body of a post or comment object into doc: contents.markdown (it keeps LaTeX as written),
// else htmlBody (else contents.html); metadata.text_from says which. False when it has neither.
bool TakeBody(const json& obj, RawDocument* doc) {
  const json& contents = obj.contains("contents") ? obj["contents"] : json();
  std::string markdown = StringField(contents, "markdown");
  std::string html = StringField(obj, "htmlBody");
  if (html.empty()) html = StringField(contents, "html");
  if (markdown.find_first_not_of(" \t\r\n") != std::string::npos) {
    doc->body = std::move(markdown);
    doc->format = BodyFormat::kMarkdown;
    doc->record.metadata["text_from"] = "markdown";
  } else if (html.find_first_not_of(" \t\r\n") != std::string::npos) {
    doc->body = std::move(html);
    doc->format = BodyFormat::kHtml;
    doc->record.metadata["text_from"] = "html";
  } else {
    return false;
  }
  doc->charset = "utf-8";  // a JSON string
  return true;
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

std::string ForumRecordDigest(const json& post, const ForumMagnumOptions& options) {
  Result<RawDocument> doc = ForumPostToDocument(post, options, "", /*need_body=*/false);
  if (!doc.ok()) return "";
  return Sha256Hex(doc->record.ToJson().dump()).substr(0, 16);
}

Result<RawDocument> ForumPostToDocument(const json& post, const ForumMagnumOptions& options,
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
  // Where a post on both sites belongs: the AF copy is at home, an AF post's LessWrong copy is
  // not, so the deduplicator keeps the AF copy whichever instance ran first (alcor/dedup.hpp
  // MergePolicy). Posts on one site only need no mark.
  if (options.site == Forum::kAlignmentForum) m["home"] = true;
  if (options.site == Forum::kLessWrong && af) m["home"] = false;

  // An AF post is also on LessWrong (same row); a LessWrong post with af set is also on the AF.
  if (options.site == Forum::kAlignmentForum) {
    r.also_at.push_back({ForumName(Forum::kLessWrong), CanonicalizeUrl(PostUrl(Forum::kLessWrong, id, slug))});
  } else if (options.site == Forum::kLessWrong && af) {
    r.also_at.push_back(
        {ForumName(Forum::kAlignmentForum), CanonicalizeUrl(PostUrl(Forum::kAlignmentForum, id, slug))});
  }

  if (!need_body) return doc;
  if (!TakeBody(post, &doc)) {
    return Status::InvalidArgument(r.id + ": the post has no body (neither contents.markdown nor htmlBody)");
  }
  return doc;
}

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
  if (post_record.metadata.is_object() && post_record.metadata.contains("home")) m["home"] = post_record.metadata["home"];

  if (!TakeBody(comment, &doc)) return Status::InvalidArgument(r.id + ": the comment has no body");
  return doc;
}


// ---------------------------------------------------------------------------------------------
// Rebuild

namespace {

// The object with _id id in an answer's data.<field>.results or data.<field>.result, or nullptr.
const json* FindAnswerItem(const json& answer, const std::string& id) {
  auto data = answer.find("data");
  if (data == answer.end() || !data->is_object()) return nullptr;
  for (const json& field : *data) {
    if (!field.is_object()) continue;
    if (auto results = field.find("results"); results != field.end() && results->is_array())
      for (const json& item : *results)
        if (item.is_object() && StringField(item, "_id") == id) return &item;
    if (auto result = field.find("result"); result != field.end() && result->is_object() && StringField(*result, "_id") == id)
      return &*result;
  }
  return nullptr;
}

}  // namespace

Status ForumDocumentFromRaw(const WarcRecord& raw, RawDocument* doc) {
  const Record& stored = doc->record;
  const std::string forum_id = StringField(stored.metadata, "forum_id");
  std::optional<Forum> site = ParseForumName(StringField(stored.metadata, "site"));
  if (forum_id.empty() || !site) return Status::NotFound(stored.id + ": no forum_id and site to find it by");
  Result<json> answer = ParseJson(raw.payload, raw.target_uri);
  if (!answer.ok()) return answer.status().WithContext(stored.id);
  const json* item = FindAnswerItem(*answer, forum_id);
  if (!item) return Status::Corruption(stored.id + ": the answer its raw bytes are (" + raw.target_uri + ") holds no item " + forum_id);
  ForumMagnumOptions options;
  options.site = *site;
  // A comment or an answer: its post matters for the fields only.
  Record post;
  post.id = StringField(stored.metadata, "post_id");
  post.url = stored.url;
  Result<RawDocument> made = stored.metadata.contains("post_id")
                                 ? ForumCommentToDocument(*item, post, options, stored.source)
                                 : ForumPostToDocument(*item, options, stored.source);
  if (!made.ok()) return made.status();
  // The body as the source took it; the record's fields stay as stored (a later listing may have
  // updated its karma or tags: RawDocument::update_metadata).
  doc->body = std::move(made->body);
  doc->format = made->format;
  doc->charset = made->charset;
  doc->base_url = made->base_url;
  doc->record.metadata["text_from"] = made->record.metadata["text_from"];
  return Status::OK();
}

}  // namespace alcor
