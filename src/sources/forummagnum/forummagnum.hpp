// The forummagnum source: LessWrong, the Alignment Forum and the EA Forum (one software,
// ForumMagnum; one GraphQL endpoint per site at base_url + "/graphql"). docs/sources.md
// "## forummagnum" documents every setting. Three files: forummagnum_api.cpp (the GraphQL
// documents, GraphQL errors, API objects to documents), forummagnum_run.cpp (the cursor and the
// passes below) and forummagnum_kind.cpp (the keys and the kind).
//
// What a run does (state "cursor", a JSON object, see ForumCursor):
//  1. Edited posts (from the second run on): the posts whose modifiedAt is at or after the
//     cursor's modified_after, paged by offset. A post the cursor already covers is emitted again
//     when its modifiedAt differs from the one recorded for it (the deduplicator replaces the stored
//     version); otherwise it is counted unchanged. Posts the cursor does not cover yet are left to 2.
//  2. New posts: keyset paging oldest first (view "old", `after` = the last postedAt seen; the
//     bound is inclusive, so the ids already done at the boundary are skipped). A page bringing
//     nothing new ends the pass; a page filled with posts that share one postedAt makes the next
//     request larger (up to kMaxTiesLimit), so the pass never loops.
//  1b. With comments on, also the posts commented since modified_after (lastCommentedAt): their
//     comments posted or edited since then (less those already emitted, see ForumCursor::recent).
//  1c. Recheck (from the second run on): the posts posted in the last recheck_days that earlier
//     runs went past, listed again without bodies. ForumMagnum changes no modifiedAt when a post
//     is tagged (late, by an auto-tagger and then people) or voted on, so this is how a post
//     that now passes tags_include is taken (with its comments), and how karma, votes, tags,
//     comment count and AF status reach the stored record: a post whose record fields differ
//     from those it was emitted with (ForumCursor::recheck) is emitted again with
//     RawDocument::update_metadata. With SourceContext::refresh_metadata (`alcor scrape
//     --refresh-metadata`) the whole history is re-listed and every wanted post emitted so.
//  3. With comments on, every emitted post's comments follow it: the post's comments (view
//     postCommentsOld) and a question's answers with every comment of their threads
//     (answersAndReplies, which postCommentsOld leaves out), each with its parent's id.
// With tag filters (client-side: the API filters tags only by id) the listings ask for no bodies,
// and the kept posts' bodies come in one more request per page (postIds; a post the answer lacks
// is fetched alone with post(input: {selector: {_id}})).
// The cursor is checkpointed after each page, covering only the posts whose records (and
// comments) were emitted, so a killed run resumes without losing or duplicating a post.
//
// Failures: a GraphQL `errors` answer, a 4xx with such a body, a body that is not the JSON asked
// for, and bot protection (403, 429, an HTML challenge page; the message explains how to set an
// access header) end the run of the source with an error that quotes what the server said.
// A single post or comment that cannot be read goes to ReportFailure.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "alcor/http.hpp"
#include "alcor/source.hpp"
#include "alcor/source_config.hpp"
#include "alcor/status.hpp"
#include "alcor/warc.hpp"

namespace alcor {

// The three sites. LessWrong and the Alignment Forum share one database (an AF post is the same
// row as its LessWrong post), hence one id namespace.
enum class Forum { kLessWrong, kAlignmentForum, kEaForum };

const char* ForumName(Forum forum);                       // "lesswrong", "alignmentforum", "eaforum"
std::optional<Forum> ParseForumName(std::string_view name);
// The site a base URL points at, from its host; LessWrong when the host is none of the three
// (a mirror or test server: set `site` in the config then).
Forum ForumFromBaseUrl(std::string_view base_url);
// "lw:" or "ea:".
const char* ForumIdPrefix(Forum forum);
// "https://www.lesswrong.com", "https://www.alignmentforum.org", "https://forum.effectivealtruism.org".
const char* ForumPublicOrigin(Forum forum);

// The largest `limit` sent when many posts share one postedAt (after that, the pass skips one
// millisecond ahead and reports the posts it could not reach).
inline constexpr int kMaxTiesLimit = 1000;
// ForumMagnum refuses offsets above this.
inline constexpr int kMaxOffset = 2000;

// What the source runs with. ForumMagnumOptionsFromConfig fills it from the kind's keys, which
// hold the defaults (docs/sources.md "## forummagnum"); tests may build one by hand.
struct ForumMagnumOptions {
  std::string base_url;  // without trailing "/"
  Forum site = Forum::kLessWrong;
  bool comments = false;
  std::vector<std::string> tags_include;  // tag names or slugs, case-insensitive
  std::vector<std::string> tags_exclude;
  std::optional<double> karma_min;  // baseScore >= karma_min
  bool af_only = false;
  std::string posted_after;   // RFC 3339 or "" (first run starts here)
  std::string posted_before;  // RFC 3339 or "" (posts at or after it are not fetched)
  int page_size = 0;           // posts per request
  int comments_page_size = 0;  // comments per request
  // The largest `limit` asked for when ties fill pages (kMaxTiesLimit; tests lower it).
  int max_limit = kMaxTiesLimit;
  // Edits are looked for from the previous run's start (the server's Date) less this margin.
  int64_t modified_margin_s = 0;
  // Posts posted in this many days before the run's start are rechecked (1c); 0: none.
  int recheck_days = 30;
  std::vector<HttpHeader> headers;  // access headers (secret)

  std::string GraphQlUrl() const { return base_url + "/graphql"; }
};

// Reads a validated config of kind forummagnum. InvalidArgument naming the key for a malformed
// base_url, an unknown site, a bad date or an out-of-range page size.
Result<ForumMagnumOptions> ForumMagnumOptionsFromConfig(const SourceConfig& config);

std::unique_ptr<Source> NewForumMagnumSource(ForumMagnumOptions options);

// ---------------------------------------------------------------------------------------------
// Pieces exposed for tests (pure functions; thread-safe).

// The GraphQL documents the source sends. The list queries take one variable, `$terms: JSON`;
// kForumPostQuery takes `$id: String`.
extern const char* const kForumPostsQuery;     // posts with their bodies
extern const char* const kForumPostListQuery;  // the same without bodies (two-step fetch)
extern const char* const kForumPostQuery;      // post(input: {selector: {_id}}): one post's body
extern const char* const kForumCommentsQuery;

// Milliseconds since the epoch of a ForumMagnum date ("2022-06-05T22:05:52.224Z"; any RFC 3339
// date-time), or nullopt. Ties in postedAt are compared at this precision.
std::optional<int64_t> ParseForumMillis(std::string_view text);
// "2022-06-05T22:05:52.224Z".
std::string FormatForumMillis(int64_t millis);

// The server's messages in a GraphQL answer body with an `errors` array, joined by "; ", or ""
// when there is none. Also reads a body cut short (the excerpt of a 4xx answer in an HTTP error
// message): it then returns the first message as far as it goes.
std::string GraphQlErrorMessage(std::string_view body);

// Reads one answer of the endpoint: the JSON value under data.<field> (an object), or the error
// the source fails with, as ReadForumAnswer.
Result<nlohmann::json> ReadForumData(const Result<HttpResponse>& answer, std::string_view field, Forum site,
                                     std::string_view what);
// Reads one answer of the endpoint: the JSON array under data.<field>.results, or the error the
// source fails with (bot protection, GraphQL errors, a body that is not JSON). what names the
// request in messages ("POST https://www.lesswrong.com/graphql").
Result<nlohmann::json> ReadForumAnswer(const Result<HttpResponse>& answer, std::string_view field,
                                       Forum site, std::string_view what);

// One post object of the API as a document (fields as kForumPostsQuery asks for them): id
// "<prefix><_id>", body contents.markdown (kMarkdown) or htmlBody (kHtml), metadata.text_from.
// InvalidArgument when _id is missing or the post has no body. need_body false: the record
// fields only (for the comments of a post listed without its body).
Result<RawDocument> ForumPostToDocument(const nlohmann::json& post, const ForumMagnumOptions& options,
                                        const std::string& source_name, bool need_body = true);
// One comment (or answer) of post_record's post as a document: id "<prefix>comment:<_id>".
Result<RawDocument> ForumCommentToDocument(const nlohmann::json& comment, const Record& post_record,
                                           const ForumMagnumOptions& options,
                                           const std::string& source_name);
// `alcor rebuild` (SourceKind::document_from_raw): the body of the post or comment doc holds (its
// stored record: metadata.forum_id and site) taken again, by the functions above, out of the
// GraphQL answer raw keeps. Corruption when the answer does not hold the item.
Status ForumDocumentFromRaw(const WarcRecord& raw, RawDocument* doc);
// Whether options keep the post (events, drafts, af_only, karma_min, tags). Client-side checks
// of what the query also asks the server for, plus the tag filters the server cannot do by name.
bool ForumPostWanted(const nlohmann::json& post, const ForumMagnumOptions& options);
// A short digest of the record fields a post object yields (everything ForumPostToDocument sets
// but the body), so that a listing without bodies tells whether the stored record is stale.
std::string ForumRecordDigest(const nlohmann::json& post, const ForumMagnumOptions& options);

// Fields of the API's JSON objects: the value, or "" / false / null when it is absent or of
// another type. Numbers that are integral come back as integers (scores arrive as "956.0").
namespace forum {
std::string StringField(const nlohmann::json& obj, const char* name);
bool BoolField(const nlohmann::json& obj, const char* name);
nlohmann::json NumberField(const nlohmann::json& obj, const char* name);
}  // namespace forum

// ---------------------------------------------------------------------------------------------
// The run (forummagnum_run.cpp)

// The cursor kept in state "cursor".
struct ForumCursor {
  std::string posted_after;               // postedAt of the last post done ("" before the first)
  std::set<std::string> boundary_ids;     // posts done whose postedAt equals posted_after
  std::string modified_after;             // edits from here are looked for ("" on a first run)
  // Items emitted whose last change is inside the look-back window, with that change's date:
  // post _id → modifiedAt, "comment:<_id>" → lastEditedAt (else postedAt). They are not emitted
  // again while that date stays the same.
  std::map<std::string, std::string> recent;
  // Posts emitted that the next recheck will list: post _id → their postedAt and a digest of the
  // record fields they were emitted with (ForumRecordDigest).
  struct Emitted {
    std::string posted_at;
    std::string digest;
    bool operator==(const Emitted&) const = default;
  };
  std::map<std::string, Emitted> recheck;

  std::string ToJson() const;
  // Corruption naming the problem when text is not a cursor.
  static Result<ForumCursor> FromJson(std::string_view text);
};

}  // namespace alcor
