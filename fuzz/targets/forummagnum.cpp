// A ForumMagnum GraphQL answer to documents: the answer read as the source reads it, then every
// post and comment in it made a document.
#include "alcor/http.hpp"
#include "fuzz_target.hpp"
#include "sources/forummagnum/forummagnum.hpp"

ALCOR_FUZZ_TARGET(forummagnum) {
  alcor::HttpResponse r;
  r.status = 200;
  r.url = r.final_url = "https://forum.example.org/graphql";
  r.headers = {{"content-type", "application/json"}};
  r.body = std::string(input);
  (void)alcor::GraphQlErrorMessage(input);
  alcor::Result<nlohmann::json> results = alcor::ReadForumAnswer(alcor::Result<alcor::HttpResponse>(r), "posts",
                                                                 alcor::Forum::kLessWrong, "POST graphql");
  if (!results.ok()) return;
  alcor::ForumMagnumOptions options;
  options.base_url = "https://forum.example.org";
  options.comments = true;
  for (const nlohmann::json& item : *results) {
    alcor::Result<alcor::RawDocument> post = alcor::ForumPostToDocument(item, options, "forum");
    if (post.ok()) (void)alcor::ForumCommentToDocument(item, post->record, options, "forum");
  }
}
