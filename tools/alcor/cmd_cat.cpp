// alcor cat [--source NAME]: the store's current records as JSONL on stdout.
#include <cerrno>
#include <cstdio>

#include <spdlog/spdlog.h>

#include "alcor/corpus.hpp"
#include "alcor/store.hpp"
#include "commands.hpp"

namespace alcor::cli {

CommandRunner SetupCat(CLI::App* app) {
  auto source = std::make_shared<std::string>();
  app->add_option("--source", *source, "only this source's records");
  return [source](const GlobalOptions& global) {
    std::unique_ptr<Store> store;
    if (int rc = OpenStoreOrExplain(global, /*read_only=*/true, &store)) return rc;
    ScanOptions options;
    options.source = *source;
    if (int rc = LoadSupersededOrExplain(*store, &options.is_superseded)) return rc;
    bool pipe_closed = false;
    static char buffer[1 << 16];
    std::setvbuf(stdout, buffer, _IOFBF, sizeof(buffer));
    Status s = ScanStore(*store, options, [&](std::string_view line, const RecordLocation&) {
      if (std::fwrite(line.data(), 1, line.size(), stdout) != line.size() || std::fputc('\n', stdout) == EOF) {
        pipe_closed = errno == EPIPE;
        return false;
      }
      return true;
    });
    if (!pipe_closed && std::fflush(stdout) != 0) pipe_closed = errno == EPIPE;
    if (pipe_closed) return kExitOk;  // `alcor cat | head`: the reader has all it wanted
    if (!s.ok()) {
      spdlog::error("{}", s.ToString());
      return kExitFailed;
    }
    return kExitOk;
  };
}

}  // namespace alcor::cli
