// alcor search QUERY [selection] [--limit N] [--json] [--rebuild-index]: full-text search over the
// store's current records, best first (alcor/search.hpp). One hit per line: id, date, source,
// title, snippet (tab-separated); or JSON lines with the same and the score.
#include <iostream>

#include <spdlog/spdlog.h>

#include "alcor/search.hpp"
#include "alcor/store.hpp"
#include "commands.hpp"

namespace alcor::cli {

CommandRunner SetupSearch(CLI::App* app) {
  struct Flags {
    std::string query;
    size_t limit = 20;
    bool json = false;
    bool rebuild = false;
  };
  auto flags = std::make_shared<Flags>();
  app->add_option("QUERY", flags->query,
                  "words (all must occur), \"a phrase\", prefix* (corrigib*), OR, NOT, NEAR(a b, 5); a title "
                  "match weighs more");
  auto selection = AddSelectionFlags(app, /*with_query=*/false);
  app->add_option("--limit", flags->limit, "at most N hits (default 20)")->check(CLI::Range(size_t{1}, size_t{100000}));
  app->add_flag("--json", flags->json, "JSON lines: id, date, source, title, snippet, score");
  app->add_flag("--rebuild-index", flags->rebuild, "build the search index again from the shards first");
  app->footer("Matches are marked **like this** in the snippet. The index (state/search-index.sqlite) follows "
              "every commit; a missing, stale or damaged one is brought up to date or rebuilt first.");
  return [flags, selection](const GlobalOptions& global) {
    if (flags->query.empty() && !flags->rebuild) {
      spdlog::error("search: a QUERY is needed (or --rebuild-index)");
      return kExitUsage;
    }
    std::unique_ptr<Store> store;
    if (int rc = OpenStoreOrExplain(global, StoreAccess::kRead, &store)) return rc;
    if (int rc = PrepareSelectionOrExplain(*store, selection.get())) return rc;
    std::unique_ptr<SearchIndex> index;
    SyncStats sync;
    Status s = SearchIndex::Open(*store, flags->rebuild, &index, &sync);
    if (!s.ok()) {
      spdlog::error("{}", s.ToString());
      return ExitCodeFor(s);
    }
    if (flags->rebuild)
      spdlog::info("search index rebuilt: {} records of {} shards", sync.documents_added, sync.shards_added);
    if (flags->query.empty()) return kExitOk;
    std::vector<SearchHit> hits;
    SearchStats searched;
    s = index->Search(flags->query, *selection, flags->limit, &hits, &searched);
    if (!s.ok()) {
      spdlog::error("{}", s.message());
      return ExitCodeFor(s);
    }
    for (const SearchHit& hit : hits) {
      if (flags->json) {
        nlohmann::json j = {{"id", hit.id},       {"date", hit.date.empty() ? nlohmann::json(nullptr) : nlohmann::json(hit.date)},
                            {"source", hit.source}, {"title", hit.title},
                            {"snippet", hit.snippet}, {"score", hit.score}};
        std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
      } else {
        std::cout << hit.id << "\t" << (hit.date.empty() ? "-" : hit.date.substr(0, 10)) << "\t" << hit.source << "\t"
                  << hit.title << "\t" << hit.snippet << "\n";
      }
    }
    if (hits.empty()) spdlog::info("no record matches {}", flags->query);
    if (searched.full_windows > 0)
      spdlog::info("more than {} records match: the hits are the best of the {} most recently indexed matches "
                   "(add words to narrow the query)",
                   searched.window, searched.window * searched.full_windows);
    return kExitOk;
  };
}

}  // namespace alcor::cli
