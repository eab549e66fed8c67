// The selection flags cat, export and search share (alcor/selection.hpp), and the scan of the
// records they select.
#include <spdlog/spdlog.h>

#include "alcor/corpus.hpp"
#include "alcor/search.hpp"
#include "alcor/store.hpp"
#include "commands.hpp"

namespace alcor::cli {

std::shared_ptr<Selection> AddSelectionFlags(CLI::App* app, bool with_query) {
  auto s = std::make_shared<Selection>();
  app->add_option("--source", s->sources,
                  "only records held by this source (repeatable; globs: 'blog:*'); a record also counts for "
                  "the sources in its also_at");
  app->add_option("--id", s->ids, "only the record with this id (repeatable)");
  app->add_option("--since", s->since, "date_published on or after DATE (YYYY-MM-DD or RFC 3339)");
  app->add_option("--until", s->until, "date_published on or before DATE (a date alone: its whole day)");
  app->add_option("--kind", s->kinds, "only this kind (repeatable): post, comment, paper, book, page, file");
  app->add_option("--tag", s->tags, "only records with this tag (repeatable: every one; any case)");
  app->add_option("--min-karma", s->min_karma, "only records whose metadata.karma is at least N");
  app->add_flag("--af", s->af, "only Alignment Forum records (metadata.af)");
  if (with_query)
    app->add_option("--query", s->query,
                    "only records matching this full-text query (alcor search syntax: words, \"a phrase\", prefix*)");
  return s;
}

int PrepareSelectionOrExplain(const Store& store, Selection* selection) {
  Status s = selection->Prepare();
  if (s.ok() && !selection->sources.empty()) {
    // The shards' sources first; a source held only in also_at is known to the search index.
    std::vector<std::string> known;
    for (const ShardInfo& shard : store.manifest().shards)
      if (known.empty() || known.back() != shard.source) known.push_back(shard.source);
    s = selection->CheckSources(known);
    if (!s.ok()) {
      std::unique_ptr<SearchIndex> index;
      if (Status opened = SearchIndex::Open(store, false, &index); opened.ok() && index->Sources(&known).ok())
        s = selection->CheckSources(known);
    }
  }
  if (!s.ok()) {
    spdlog::error("{}", s.message());
    return ExitCodeFor(s);
  }
  return kExitOk;
}

int ScanSelected(const Store& store, const Selection& selection, ScanOptions options,
                 const std::function<bool(std::string_view line, const RecordLocation& where)>& visit, Status* status) {
  if (int rc = LoadSupersededOrExplain(store, &options.is_superseded)) return rc;
  std::set<RecordLocation> matching;
  if (!selection.query.empty()) {
    std::unique_ptr<SearchIndex> index;
    Status s = SearchIndex::Open(store, false, &index);
    if (s.ok()) s = index->MatchingLocations(selection.query, &matching);
    if (!s.ok()) {
      spdlog::error("{}", s.message());
      return ExitCodeFor(s);
    }
  }
  const bool filter = !selection.SelectsAll();
  RecordFacts facts;
  *status = ScanStore(store, options, [&](std::string_view line, const RecordLocation& where) {
    if (!selection.query.empty() && !matching.count(where)) return true;
    if (filter && (!ReadRecordFacts(line, &facts).ok() || !selection.Matches(facts))) return true;
    return visit(line, where);
  });
  return kExitOk;
}

}  // namespace alcor::cli
