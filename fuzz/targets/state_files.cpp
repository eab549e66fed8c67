// The store's own files and module state, as a damaged disk may garble them: the manifest, the
// superseded set, the dedup index, the forum cursor, the feed state.
#include "alcor/dedup.hpp"
#include "alcor/env.hpp"
#include "alcor/store.hpp"
#include "dedup/dedup_index.hpp"
#include "fuzz_target.hpp"
#include "sources/feed/feed_run.hpp"
#include "sources/forummagnum/forummagnum.hpp"

ALCOR_FUZZ_TARGET(state_files) {
  (void)alcor::Manifest::Parse(input, "manifest.json");
  alcor::SupersededSet superseded;
  (void)alcor::SupersededSet::Parse(input, "state/superseded.1", &superseded);
  (void)alcor::ForumCursor::FromJson(input);
  (void)alcor::feed::FeedState::Parse(std::string(input));

  std::string path = alcor::fuzz::WriteScratchFile("dedup-index", input);
  alcor::Env* env = alcor::Env::Default();
  alcor::dedup::DedupIndex index;
  (void)index.Load(env, path);
  (void)env->RemoveFile(path);
}
