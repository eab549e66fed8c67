// alcor sources [--keys [KIND]]: the source kinds, one line each; with --keys, the settings
// each kind accepts as the Markdown tables docs/sources.md shows (a test keeps the two equal).
#include <cstdio>
#include <optional>
#include <string>

#include <spdlog/spdlog.h>

#include "alcor/source_config.hpp"
#include "alcor/suggest.hpp"
#include "commands.hpp"

namespace alcor::cli {

CommandRunner SetupSources(CLI::App* app) {
  struct Flags {
    std::string kind;
  };
  auto flags = std::make_shared<Flags>();
  CLI::Option* keys = app->add_option("--keys", flags->kind,
                                      "print the keys of KIND (every kind when none is named) as Markdown tables")
                          ->expected(0, 1)
                          ->type_name("[KIND]");
  app->footer("Configure sources in a JSON file (docs/sources.md) and run them with alcor scrape.");
  return [flags, keys](const GlobalOptions&) {
    const SourceKindList& kinds = BuiltinSourceKinds();
    if (keys->count() == 0) {
      for (const SourceKind* kind : kinds) std::printf("%-12s %s\n", kind->name.c_str(), kind->summary.c_str());
      return kExitOk;
    }
    if (!flags->kind.empty()) {
      const SourceKind* kind = FindSourceKind(flags->kind, kinds);
      if (!kind) {
        spdlog::error("unknown source kind \"{}\"{}; `alcor sources` lists the kinds", flags->kind,
                      DidYouMean(flags->kind, SourceKindNames(kinds)));
        return kExitUsage;
      }
      std::fputs(KeyTableMarkdown(*kind).c_str(), stdout);
      return kExitOk;
    }
    // Every kind under its docs/sources.md heading.
    for (size_t i = 0; i < kinds.size(); ++i) {
      std::printf("%s## %s\n\n%s", i == 0 ? "" : "\n", kinds[i]->name.c_str(), KeyTableMarkdown(*kinds[i]).c_str());
    }
    return kExitOk;
  };
}

}  // namespace alcor::cli
