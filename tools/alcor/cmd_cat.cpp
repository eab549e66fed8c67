// alcor cat [selection] [--skip-damaged]: the store's current records as JSONL on stdout (the
// selection flags are alcor/selection.hpp's, shared with export and search).
// Every shard is checked as it is read (alcor/corpus.hpp): damage ends the output with exit 1
// naming the shard and line, or with --skip-damaged a warning per damaged shard.
#include <cerrno>
#include <cstdio>

#include <spdlog/spdlog.h>

#include "alcor/corpus.hpp"
#include "alcor/store.hpp"
#include "commands.hpp"

namespace alcor::cli {

CommandRunner SetupCat(CLI::App* app) {
  auto selection = AddSelectionFlags(app, /*with_query=*/true);
  auto skip_damaged = std::make_shared<bool>(false);
  app->add_flag("--skip-damaged", *skip_damaged,
                "read past damaged shards (their records that still read are printed), with a warning per "
                "shard; exit 1 if any was damaged");
  return [selection, skip_damaged](const GlobalOptions& global) {
    std::unique_ptr<Store> store;
    if (int rc = OpenStoreOrExplain(global, StoreAccess::kRead, &store)) return rc;
    if (int rc = PrepareSelectionOrExplain(*store, selection.get())) return rc;
    ScanOptions options;
    options.skip_damaged = *skip_damaged;
    uint64_t damaged = 0;
    options.on_damaged = [&damaged](const Status& damage) {
      ++damaged;
      spdlog::warn("skipped damage: {}", damage.message());
    };
    bool pipe_closed = false;
    static char buffer[1 << 16];
    std::setvbuf(stdout, buffer, _IOFBF, sizeof(buffer));
    Status s;
    int rc = ScanSelected(
        *store, *selection, options,
        [&](std::string_view line, const RecordLocation&) {
          if (std::fwrite(line.data(), 1, line.size(), stdout) != line.size() || std::fputc('\n', stdout) == EOF) {
            pipe_closed = errno == EPIPE;
            return false;
          }
          return true;
        },
        &s);
    if (rc) return rc;
    if (!pipe_closed && std::fflush(stdout) != 0) pipe_closed = errno == EPIPE;
    if (pipe_closed) return kExitOk;  // `alcor cat | head`: the reader has all it wanted
    if (!s.ok()) {
      spdlog::error("{} (the records before it were printed; 'alcor cat --skip-damaged' reads past it)",
                    s.ToString());
      return kExitFailed;
    }
    if (damaged > 0) {
      spdlog::error("{} damaged shards skipped ('alcor repair' sets them aside)", damaged);
      return kExitFailed;
    }
    return kExitOk;
  };
}

}  // namespace alcor::cli
