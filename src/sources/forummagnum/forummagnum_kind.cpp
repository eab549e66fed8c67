// The forummagnum kind (forummagnum.hpp): its keys, the options read through them, and the kind
// registered in src/sources/registry.cpp.
#include "alcor/http.hpp"
#include "alcor/source_config.hpp"
#include "alcor/strings.hpp"
#include "alcor/url.hpp"
#include "sources/forummagnum/forummagnum.hpp"

namespace alcor {

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
  Key<int64_t> recheck_days{
      this, "recheck_days", 30,
      "each run lists again, without bodies, the posts posted this many days before it (0: none): a post tagged "
      "after it was first seen is taken, and changed karma, votes, tags, comment count or AF status update the "
      "stored record (the site changes no `modifiedAt` for them)"};
  Key<std::map<std::string, std::string>> headers{
      this, "headers", {},
      "access headers sent with every request, e.g. `{\"Authorization\": \"${LESSWRONG_ACCESS}\"}`. Secret: masked "
      "by `--print-config`, never logged, sent to this site only",
      {.secret = true}};
};

}  // namespace

Result<ForumMagnumOptions> ForumMagnumOptionsFromConfig(const SourceConfig& config) {
  const ForumMagnumKeys& keys = KeysOf<ForumMagnumKeys>();
  ForumMagnumOptions o;
  std::string where = config.Describe();
  o.base_url = StripTrailingSlashes(keys.base_url.Get(config));
  if (!IsHttpUrl(o.base_url)) {
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
  int64_t recheck_days = keys.recheck_days.Get(config);
  if (recheck_days < 0 || recheck_days > 36500) {
    return Status::InvalidArgument(where + "\"recheck_days\": must be between 0 and 36500");
  }
  o.recheck_days = static_cast<int>(recheck_days);
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
      &KeysOf<ForumMagnumKeys>(),
      [](const SourceConfig& config) -> Result<std::unique_ptr<Source>> {
        Result<ForumMagnumOptions> options = ForumMagnumOptionsFromConfig(config);
        if (!options.ok()) return options.status();
        return NewForumMagnumSource(std::move(options.value()));
      },
      /*refreshes_metadata=*/true,
      ForumDocumentFromRaw,
  };
  return kind;
}

}  // namespace alcor
