// alcor runs [--limit N] [--json]: the run history from runs/*.json, newest first: start,
// duration, command, per source fetched/new/failed, and the exit status the run ended with.
#include <algorithm>
#include <cstdio>
#include <iostream>

#include <spdlog/spdlog.h>

#include "alcor/env.hpp"
#include "alcor/json.hpp"
#include "alcor/store.hpp"
#include "commands.hpp"

namespace alcor::cli {

namespace {

// The exit status a run report implies: the report of a run that ended says how.
std::string RunStatus(const nlohmann::json& run) {
  if (run.contains("error") && run["error"].is_string() && !run["error"].get<std::string>().empty()) return "failed (1)";
  if (run.value("interrupted", false)) return "interrupted (130)";
  if (run.contains("sources") && run["sources"].is_array())
    for (const nlohmann::json& s : run["sources"])
      if (s.is_object() && s.value("status", "") == "failed") return "source failed (1)";
  return "ok (0)";
}

}  // namespace

CommandRunner SetupRuns(CLI::App* app) {
  auto limit = std::make_shared<size_t>(20);
  auto json = std::make_shared<bool>(false);
  app->add_option("--limit", *limit, "the newest N runs (default 20; 0: all)");
  app->add_flag("--json", *json, "JSON lines: run_id, command, started_at, seconds, status, sources");
  return [limit, json](const GlobalOptions& global) {
    std::unique_ptr<Store> store;
    if (int rc = OpenStoreOrExplain(global, StoreAccess::kRead, &store)) return rc;
    Env* env = store->env();
    std::vector<std::string> names;
    env->GetChildren(store->PathOf(store_files::kRunsDir), &names);
    std::erase_if(names, [](const std::string& n) { return n.size() < 6 || n.substr(n.size() - 5) != ".json"; });
    std::sort(names.rbegin(), names.rend());  // run ids sort by start time
    if (*limit > 0 && names.size() > *limit) names.resize(*limit);
    for (const std::string& name : names) {
      const std::string path = JoinPath(store->PathOf(store_files::kRunsDir), name);
      std::string text;
      nlohmann::json run;
      if (ReadFileToString(env, path, &text, uint64_t{64} << 20).ok()) {
        Result<nlohmann::json> parsed = ParseJson(text, path);
        if (parsed.ok()) run = std::move(parsed).value();
      }
      if (!run.is_object()) {
        spdlog::warn("{}: not a run report", path);
        continue;
      }
      nlohmann::json row = {{"run_id", run.value("run_id", name.substr(0, name.size() - 5))},
                            {"command", run.value("command", "?")},
                            {"started_at", run.value("started_at", "")},
                            {"seconds", run.value("seconds", 0.0)},
                            {"status", RunStatus(run)},
                            {"sources", nlohmann::json::array()}};
      if (run.contains("sources") && run["sources"].is_array()) {
        for (const nlohmann::json& s : run["sources"]) {
          if (!s.is_object()) continue;
          row["sources"].push_back({{"name", s.value("name", "?")},
                                    {"fetched", s.value("fetched", 0)},
                                    {"new", s.value("new", 0)},
                                    {"failed", s.value("failed", 0)},
                                    {"status", s.value("status", "")}});
        }
      }
      if (*json) {
        std::cout << row.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
        continue;
      }
      std::string started = row["started_at"].get<std::string>();
      char head[256];
      std::snprintf(head, sizeof(head), "%-20s %8.1fs  %-7s %-18s %s\n",
                    started.empty() ? row["run_id"].get<std::string>().c_str() : started.c_str(),
                    row["seconds"].get<double>(), row["command"].get<std::string>().c_str(),
                    row["status"].get<std::string>().c_str(), row["run_id"].get<std::string>().c_str());
      std::cout << head;
      for (const nlohmann::json& s : row["sources"])
        std::cout << "    " << s["name"].get<std::string>() << ": " << s["fetched"] << " fetched, " << s["new"]
                  << " new, " << s["failed"] << " failed" << (s["status"] == "ok" || s["status"] == "" ? "" : " (" + s["status"].get<std::string>() + ")") << "\n";
    }
    return kExitOk;
  };
}

}  // namespace alcor::cli
