// The forummagnum run (forummagnum.hpp): the cursor and the passes over the API (edited posts,
// new comments, new posts) that emit documents. The API pieces it uses are forummagnum_api.cpp.
#include <algorithm>
#include <cmath>
#include <functional>
#include <unordered_map>
#include <unordered_set>

#include "alcor/dates.hpp"
#include "alcor/json.hpp"
#include "sources/forummagnum/forummagnum.hpp"

namespace alcor {

using json = nlohmann::json;

namespace {
using forum::BoolField;
using forum::NumberField;
using forum::StringField;
}  // namespace

// ---------------------------------------------------------------------------------------------
// Cursor

std::string ForumCursor::ToJson() const {
  json j = json::object();
  j["version"] = 1;
  j["posted_after"] = posted_after;
  j["boundary_ids"] = boundary_ids;
  j["modified_after"] = modified_after;
  j["recent"] = recent;
  json emitted = json::object();
  for (const auto& [id, e] : recheck) emitted[id] = {e.posted_at, e.digest};
  j["recheck"] = std::move(emitted);
  return j.dump();
}

Result<ForumCursor> ForumCursor::FromJson(std::string_view text) {
  Result<json> parsed = ParseJson(text, "forummagnum cursor");
  if (parsed.status().code() == Status::Code::kLimitExceeded) return parsed.status();
  json j = parsed.ok() ? std::move(parsed).value() : json();
  if (!j.is_object()) return Status::Corruption("forummagnum cursor: not a JSON object");
  if (j.value("version", 0) != 1) return Status::Corruption("forummagnum cursor: unknown version");
  ForumCursor c;
  try {
    c.posted_after = j.value("posted_after", "");
    c.modified_after = j.value("modified_after", "");
    if (j.contains("boundary_ids")) c.boundary_ids = j["boundary_ids"].get<std::set<std::string>>();
    if (j.contains("recent")) c.recent = j["recent"].get<std::map<std::string, std::string>>();
    if (j.contains("recheck")) {
      for (const auto& [id, e] : j["recheck"].items()) {
        c.recheck[id] = {e.at(0).get<std::string>(), e.at(1).get<std::string>()};
      }
    }
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
    ctx.SetPhase(SourcePhase::kListing);
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
    if (s.ok()) s = RecheckPass();
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
    Result<json> data = ReadForumData(answer, field, options_.site, "POST " + options_.GraphQlUrl());
    if (data.ok()) RememberCapture(*answer, *data);
    return data;
  }

  // The raw archive keeps each GraphQL answer once: every post and comment it holds points at it
  // (RawDocument::capture). An item met in several answers (listed, then its body fetched) takes
  // the last one, which holds what it is made from.
  void RememberCapture(const HttpResponse& answer, const json& data) {
    std::shared_ptr<const RawCapture> capture = CaptureOf(answer, /*is_body=*/false);
    if (captures_.size() > kMaxCaptures) captures_.clear();  // items never emitted (filtered out)
    auto note = [&](const json& item) {
      std::string id = StringField(item, "_id");
      if (!id.empty()) captures_[id] = capture;
    };
    if (auto results = data.find("results"); results != data.end() && results->is_array()) {
      for (const json& item : *results)
        if (item.is_object()) note(item);
    }
    if (auto result = data.find("result"); result != data.end() && result->is_object()) note(*result);
  }
  // The answer item id came in (taken: each is emitted once), nullptr when unknown.
  std::shared_ptr<const RawCapture> TakeCapture(const std::string& id) {
    auto it = captures_.find(id);
    if (it == captures_.end()) return nullptr;
    std::shared_ptr<const RawCapture> c = std::move(it->second);
    captures_.erase(it);
    return c;
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

  // Offset paging, for the listings that are not keyset-paged (edited posts, commented posts, a
  // post's comments): pages of page_size from offset 0 until a short page or one bringing
  // nothing new; on_page gets the items whose _id is not in *seen yet (and adds them). The API
  // pages no further than kMaxOffset: past it, `what` is reported as more than that many `items`
  // and the walk ends; unless by_posted_at (a listing of posts filtered and sorted by postedAt):
  // then it goes on from the last postedAt seen (`after` is inclusive; *seen drops the repeats).
  Status OffsetPages(const char* document, const char* field, json terms, int page_size, const std::string& what,
                     const char* items, std::unordered_set<std::string>* seen,
                     const std::function<Status(const std::vector<const json*>&)>& on_page, bool by_posted_at = false) {
    int offset = 0;
    while (true) {
      terms["limit"] = page_size;
      if (offset > 0) {
        terms["offset"] = offset;
      } else {
        terms.erase("offset");
      }
      Result<json> page = Query(document, field, terms);
      if (!page.ok()) return page.status();
      anything_answered_ = true;
      std::vector<const json*> fresh;
      for (const json& item : page.value()) {
        std::string id = StringField(item, "_id");
        if (!id.empty() && seen->insert(id).second) fresh.push_back(&item);
      }
      ALCOR_RETURN_IF_ERROR(on_page(fresh));
      if (fresh.empty() || page->size() < static_cast<size_t>(page_size)) return Status::OK();
      offset += static_cast<int>(page->size());
      std::string last = StringField(page->back(), "postedAt");
      if (by_posted_at && offset + page_size > kMaxOffset && ParseForumMillis(last) &&
          ParseForumMillis(last) != ParseForumMillis(terms.value("after", ""))) {
        terms["after"] = last;
        offset = 0;
        continue;
      }
      if (offset > kMaxOffset) {
        ctx_->ReportFailure(what, Status::LimitExceeded("more than " + std::to_string(kMaxOffset) + " " + items +
                                                        "; the API pages no further by offset"));
        return Status::OK();
      }
    }
  }

  // The listing query: without bodies when the tag filters will drop posts client-side, so that
  // only the bodies of kept posts are downloaded (PrepareBodies).
  const char* ListQuery() const { return two_step_ ? kForumPostListQuery : kForumPostsQuery; }

  // Two-step fetch (posts listed without bodies): the bodies of the wanted posts among posts, by
  // postIds in one request, then one by one for any the answer lacks. bodies_ holds them for
  // ProcessPost. Nothing to do for posts listed with their bodies.
  Status PrepareBodies(const std::vector<const json*>& posts, bool listed_without_bodies) {
    bodies_.clear();
    if (!listed_without_bodies) return Status::OK();
    json ids = json::array();
    for (const json* p : posts) {
      if (ForumPostWanted(*p, options_)) ids.push_back(StringField(*p, "_id"));
    }
    if (ids.empty()) return Status::OK();
    ScopedSourcePhase fetching(*ctx_, SourcePhase::kFetchingPages);
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
        if (one.status().IsInterrupted() || one.status().IsBlocked() || one.status().code() == Status::Code::kHttp) {
          return one.status();
        }
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

  // Posts posted from this instant on are rechecked (pass 1c): recheck_days before the run's
  // start by the server's clock.
  int64_t RecheckFromMs() const {
    int64_t now = server_start_ms_ ? *server_start_ms_ : max_seen_ms_;
    return now - int64_t{options_.recheck_days} * 86400 * 1000;
  }

  // Records the fields a post was emitted with, when the next run's recheck will list it.
  void RememberEmitted(const json& post) {
    if (options_.recheck_days <= 0) return;
    std::string posted = StringField(post, "postedAt");
    std::optional<int64_t> ms = ParseForumMillis(posted);
    if (!ms || *ms < RecheckFromMs()) return;
    cursor_.recheck[StringField(post, "_id")] = {posted, ForumRecordDigest(post, options_)};
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
    // Posts that have left the recheck window are not listed again.
    for (auto it = cursor_.recheck.begin(); it != cursor_.recheck.end();) {
      std::optional<int64_t> ms = ParseForumMillis(it->second.posted_at);
      it = (!ms || *ms < RecheckFromMs()) ? cursor_.recheck.erase(it) : std::next(it);
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

  // How ProcessPost emits a post.
  struct Emission {
    bool body_apart = false;        // listed without its body, which is in bodies_ (PrepareBodies)
    bool update_metadata = false;   // RawDocument::update_metadata: it may be stored already
    bool comments = true;           // followed by its comments when options_.comments
  };

  // Emits a post (when wanted) and its comments. Interrupted when the run stops.
  Status ProcessPost(const json& listed, const Emission& how) {
    if (!ForumPostWanted(listed, options_)) {
      ++filtered_;
      return Status::OK();
    }
    const json* full = &listed;
    if (how.body_apart) {
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
    doc->update_metadata = how.update_metadata;
    doc->capture = TakeCapture(StringField(post, "_id"));
    ALCOR_RETURN_IF_ERROR(ctx_->Emit(std::move(doc.value())));
    RememberEmitted(listed);
    if (how.comments && options_.comments && CommentsExpected(post)) {
      ALCOR_RETURN_IF_ERROR(EmitComments(post, post_record));
    }
    return Status::OK();
  }

  static bool CommentsExpected(const json& post) {
    json count = NumberField(post, "commentCount");
    return !count.is_number() || count.get<double>() > 0;
  }

  // Emits the post's comments (and a question's answers with their threads); with since, only
  // those posted or edited at or after it.
  Status EmitComments(const json& post, const Record& post_record, std::optional<int64_t> since = std::nullopt) {
    std::string post_id = StringField(post, "_id");
    // postCommentsOld leaves out answers and every comment under an answer (parentAnswerId set);
    // answersAndReplies has both. Oldest first: an order that holds still while paging by offset.
    std::vector<std::string> views = {"postCommentsOld"};
    if (BoolField(post, "question")) views.push_back("answersAndReplies");
    std::unordered_set<std::string> seen;  // a comment listed by both views is emitted once
    for (const std::string& view : views) {
      json terms = {{"view", view}, {"postId", post_id}};
      if (view == "answersAndReplies") terms["sortBy"] = "oldest";
      Status s = OffsetPages(
          kForumCommentsQuery, "comments", terms, options_.comments_page_size, post_record.id + " comments", "comments",
          &seen, [&](const std::vector<const json*>& comments) -> Status {
            for (const json* comment : comments) {
              const json& c = *comment;
              std::string cid = StringField(c, "_id");
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
              doc->capture = TakeCapture(cid);
              ALCOR_RETURN_IF_ERROR(ctx_->Emit(std::move(doc.value())));
              // Inside the next run's window: remembered, so that run does not emit it again.
              if (changed_ms && *changed_ms >= NextModifiedAfterMs()) cursor_.recent[key] = changed;
            }
            return Status::OK();
          });
      if (!s.ok()) {
        if (s.IsInterrupted() || s.IsBlocked()) {
          return s;
        }
        ctx_->ReportFailure(post_record.id + " comments", s);
        return Status::OK();
      }
    }
    return Status::OK();
  }

  // ---- pass 1: posts edited since the last run

  Status EditedPass() {
    json terms = BaseTerms();
    terms["timeField"] = "modifiedAt";
    terms["after"] = old_modified_after_;
    std::unordered_set<std::string> seen;
    return OffsetPages(
        ListQuery(), "posts", terms, options_.page_size, "posts edited since " + old_modified_after_, "edited posts",
        &seen, [&](const std::vector<const json*>& posts) -> Status {
          std::vector<const json*> todo;
          for (const json* post : posts) {
            std::string id = StringField(*post, "_id");
            std::optional<int64_t> posted = ParseForumMillis(StringField(*post, "postedAt"));
            if (!posted || !Covered(id, *posted)) continue;  // the new-posts pass takes it
            std::string modified = StringField(*post, "modifiedAt");
            if (modified.empty()) modified = StringField(*post, "postedAt");
            auto known = cursor_.recent.find(id);
            if (known != cursor_.recent.end() && ParseForumMillis(known->second) == ParseForumMillis(modified)) {
              CountUnchanged(id);
              continue;
            }
            todo.push_back(post);
          }
          ALCOR_RETURN_IF_ERROR(PrepareBodies(todo, two_step_));
          for (const json* post : todo) {
            std::string id = StringField(*post, "_id");
            // An edit may leave the text as it was and change the title or tags.
            ALCOR_RETURN_IF_ERROR(ProcessPost(*post, {.body_apart = two_step_, .update_metadata = true}));
            Remember(id, *post);
            done_here_.insert(id);
          }
          Checkpoint();
          return Status::OK();
        });
  }

  // ---- pass 1b: new comments on posts done in earlier runs (comments on)

  Status CommentedPass() {
    std::optional<int64_t> since = ParseForumMillis(old_modified_after_);
    json terms = BaseTerms();
    terms["timeField"] = "lastCommentedAt";
    terms["after"] = old_modified_after_;
    std::unordered_set<std::string> seen;
    return OffsetPages(
        kForumPostListQuery, "posts", terms, options_.page_size, "posts commented since " + old_modified_after_,
        "commented posts", &seen, [&](const std::vector<const json*>& posts) -> Status {
          for (const json* post : posts) {
            std::string id = StringField(*post, "_id");
            std::optional<int64_t> posted = ParseForumMillis(StringField(*post, "postedAt"));
            // Posts not reached yet come with all their comments; posts emitted by the edited
            // pass came with theirs.
            if (!posted || !Covered(id, *posted) || done_here_.count(id) || !ForumPostWanted(*post, options_)) continue;
            Result<RawDocument> doc = ForumPostToDocument(*post, options_, ctx_->source_name(), /*need_body=*/false);
            if (!doc.ok()) continue;
            ALCOR_RETURN_IF_ERROR(EmitComments(*post, doc->record, since));
          }
          return Status::OK();
        });
  }

  // ---- pass 1c: the recent posts again (late tags, changed karma and the like)

  Status RecheckPass() {
    std::optional<int64_t> covered_to = ParseForumMillis(cursor_.posted_after);
    if (!covered_to) return Status::OK();  // no run has gone past a post yet
    const bool whole_history = ctx_->refresh_metadata();
    if (!whole_history && options_.recheck_days <= 0) return Status::OK();
    json terms = BaseTerms();
    if (!whole_history) {
      terms["after"] = FormatForumMillis(RecheckFromMs());
    } else if (!options_.posted_after.empty()) {
      terms["after"] = options_.posted_after;
    }
    // `before` is exclusive; the posts at the cursor's own instant are covered too (Covered).
    terms["before"] = FormatForumMillis(*covered_to + 1);
    std::unordered_set<std::string> seen;
    return OffsetPages(
        kForumPostListQuery, "posts", terms, options_.page_size, "posts rechecked", "posts", &seen,
        [&](const std::vector<const json*>& posts) -> Status {
          std::vector<const json*> todo;
          for (const json* post : posts) {
            std::string id = StringField(*post, "_id");
            std::optional<int64_t> posted = ParseForumMillis(StringField(*post, "postedAt"));
            if (!posted || !Covered(id, *posted) || done_here_.count(id) || !ForumPostWanted(*post, options_)) continue;
            auto known = cursor_.recheck.find(id);
            if (!whole_history && known != cursor_.recheck.end() &&
                known->second.digest == ForumRecordDigest(*post, options_)) {
              continue;  // emitted with these very fields
            }
            todo.push_back(post);
          }
          ALCOR_RETURN_IF_ERROR(PrepareBodies(todo, /*listed_without_bodies=*/true));
          for (const json* post : todo) {
            std::string id = StringField(*post, "_id");
            // A post not emitted before (it passes the tag filter only now) comes with its
            // comments; one emitted before has had its comments (CommentedPass brings new ones).
            bool emitted_before = cursor_.recheck.count(id) > 0;
            ALCOR_RETURN_IF_ERROR(ProcessPost(
                *post, {.body_apart = true, .update_metadata = true, .comments = !whole_history && !emitted_before}));
            Remember(id, *post);
            done_here_.insert(id);
          }
          Checkpoint();
          return Status::OK();
        },
        /*by_posted_at=*/true);
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
      ALCOR_RETURN_IF_ERROR(PrepareBodies(todo_posts, two_step_));
      for (const auto& [posted, post_ptr] : todo) {
        const json& post = *post_ptr;
        std::string id = StringField(post, "_id");
        ALCOR_RETURN_IF_ERROR(ProcessPost(post, {.body_apart = two_step_}));
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
  // Item id → the GraphQL answer it came in (RememberCapture), until it is emitted.
  static constexpr size_t kMaxCaptures = 20000;
  std::unordered_map<std::string, std::shared_ptr<const RawCapture>> captures_;
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

}  // namespace alcor
