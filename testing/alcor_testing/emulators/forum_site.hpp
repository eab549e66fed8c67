// ForumSite: an emulated ForumMagnum GraphQL endpoint (LessWrong, Alignment Forum, EA Forum) for
// the tests and the offline mirror.
//
// It is built from data: a JSON array of posts and one of comments, each object in the API's own
// shape (the fields a query may ask for: _id, title, slug, postedAt, modifiedAt, baseScore, af,
// question, isEvent, draft, tags [{name, slug}], user {displayName, username}, coauthors,
// contents {markdown}, htmlBody, ...; comments: _id, postId, parentCommentId, answer, deleted,
// postedAt, ...). Missing pageUrl values are filled in from options.page_url_base.
//
// Install(server, prefix) answers POST <prefix>/graphql like the real service, for the shapes
// alcor sends (sources/forummagnum/forummagnum.hpp): a body {"query": ..., "variables": {"terms": {...}}}
// whose query selects posts(input: {terms: $terms}) or comments(input: {terms: $terms}) and a
// `results { ... }` selection, or post(input: {selector: {_id: $id}}) with `result { ... }`.
// The answer holds only the selected fields (null for absent ones).
//   posts, view "old" (or none): drafts never; events unless excludeEvents; af: true; karmaThreshold
//     (baseScore >=); postIds; timeField (default postedAt; lastCommentedAt, when a post lacks it,
//     is its latest comment's postedAt) with `after` (inclusive, >=) and
//     `before` (<); sorted by postedAt, ties by _id; offset (capped at 2000) and limit (10 when
//     absent, as the real default is small).
//   comments, as the live views select them: "postCommentsOld" (the post's comments that are
//     neither answers nor inside an answer's thread: parentAnswerId missing; by postedAt),
//     "questionAnswers" (its answers), "answersAndReplies" (its answers and every comment of their
//     threads) and "repliesToAnswer" (the thread of the answer `parentAnswerId`, by baseScore
//     descending). The first two answer views sort by `sortBy`: "top" (the default: baseScore
//     descending, then newest), "newest"/"new", "oldest"/"old". A comment's parentAnswerId, when
//     the data leaves it out, is the answer its parentCommentId chain leads to (the live service
//     stores it on every comment under an answer); offset and limit.
// Real quirks kept: a request without User-Agent gets 403; any other view or a malformed request
// gets HTTP 400 with a GraphQL `errors` body. Every answer has a Date header from the site's clock
// (SetClock, else the latest date in the data), so "edited since the last run" works with data
// dated in the past. Failures can be injected (InjectFailure).
// As on the live service, only an edit of a post's text moves its modifiedAt: tags added late (an
// auto-tagger, then people), votes, karma and comment counts change and modifiedAt stays
// (PatchPost).
//
// The mirror installs one site per forum instance at /forum/lw and /forum/af from
// examples/mirror/forum (FromDirectory with ForumSiteOptions::LessWrong() / AlignmentForum()).
//
// Thread safety: every method may be called from any thread while the server runs.
#pragma once

#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "alcor/status.hpp"
#include "alcor_testing/test_server.hpp"

namespace alcor::testing {

struct ForumSiteOptions {
  // pageUrl of a post without one: page_url_base + "/posts/<_id>/<slug>".
  std::string page_url_base = "https://www.lesswrong.com";
  // The Alignment Forum lists only af posts (and af comments) whatever the terms say.
  bool af_only = false;
  int default_limit = 10;
  // Answer as if the API did not know the postIds term (the source must fall back to post()).
  bool ignore_post_ids = false;
  int max_offset = 2000;

  static ForumSiteOptions LessWrong() { return {}; }
  static ForumSiteOptions AlignmentForum() {
    ForumSiteOptions o;
    o.page_url_base = "https://www.alignmentforum.org";
    o.af_only = true;
    return o;
  }
  static ForumSiteOptions EaForum() {
    ForumSiteOptions o;
    o.page_url_base = "https://forum.effectivealtruism.org";
    return o;
  }
};

// A post or comment with its sort key (postedAt in milliseconds, then _id), computed once.
struct DatedItem {
  int64_t posted_ms;
  std::string id;
  const nlohmann::json* item;
};

class ForumSite {
 public:
  enum class Failure {
    kGraphQlErrors,     // HTTP 200 {"errors": [{"message": <message>}], "data": null}
    kValidationError,   // HTTP 400 with a GraphQL validation error body quoting <message>
    kChallengePage,     // HTTP 200, text/html "Just a moment..." page (bot protection)
    kForbidden,         // HTTP 403 with an HTML body
    kTooManyRequests,   // HTTP 429 with Retry-After: 0
  };

  // posts and comments: JSON arrays (a non-array is taken as empty).
  ForumSite(nlohmann::json posts, nlohmann::json comments, ForumSiteOptions options = {});
  // Reads <dir>/posts.json and, when present, <dir>/comments.json. InvalidArgument naming the file
  // when one is not a JSON array.
  static Result<std::unique_ptr<ForumSite>> FromDirectory(const std::string& dir, ForumSiteOptions options = {});

  // Answers POST <prefix>/graphql on server. REQUIRES: this site outlives the server's use of it.
  void Install(TestServer* server, const std::string& prefix);

  // Replaces the post with the same _id, or adds it (an edit between two runs).
  void UpsertPost(nlohmann::json post);
  // Sets fields of the post with this _id (tags, baseScore, voteCount, commentCount, af...) and
  // leaves modifiedAt as it was, like a late tag or a vote on the live site. False when there is
  // no such post.
  bool PatchPost(const std::string& id, const nlohmann::json& fields);
  void AddComment(nlohmann::json comment);
  // The clock of the Date header (RFC 3339); "" goes back to the latest date in the data.
  void SetClock(const std::string& rfc3339);
  // After `after` more requests answered normally, the next `times` requests fail this way.
  void InjectFailure(Failure failure, int times = 1, std::string message = "", int after = 0);

  // What the site was asked: per request, {"op": "posts"|"comments", "terms": {...}}.
  std::vector<nlohmann::json> Queries() const;
  void ClearQueries();

 private:
  Reply Answer(const ServerRequest& request);
  nlohmann::json SelectPosts(const nlohmann::json& terms, std::string* error);
  nlohmann::json SelectComments(const nlohmann::json& terms, std::string* error) const;

  ForumSiteOptions options_;
  mutable std::mutex mu_;
  nlohmann::json posts_;     // guarded by mu_
  nlohmann::json comments_;  // guarded by mu_
  std::optional<int64_t> clock_s_;  // guarded by mu_
  struct Pending {
    Failure failure;
    std::string message;
    int after;  // requests still answered normally before this one
  };
  std::deque<Pending> failures_;          // guarded by mu_
  std::vector<nlohmann::json> queries_;                   // guarded by mu_

  // Posts in the API's order (postedAt, then _id) and the newest date on the site, rebuilt after
  // a change, so that a request costs O(offset + limit) instead of sorting every post.
  void RefreshIndex();                    // mu_ held
  bool index_stale_ = true;               // guarded by mu_
  std::vector<DatedItem> sorted_posts_;   // guarded by mu_
  int64_t latest_ms_ = 0;                 // guarded by mu_
};

}  // namespace alcor::testing
