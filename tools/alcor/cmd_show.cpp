// alcor show ID|URL [--json]: one current record as a person reads it (title, authors, date,
// source, URL, also_at, karma and tags where present, then the text), or as stored with --json.
// The record is found through the search index (alcor/search.hpp), synced first.
#include <iostream>

#include <spdlog/spdlog.h>

#include "alcor/corpus.hpp"
#include "alcor/record.hpp"
#include "alcor/search.hpp"
#include "alcor/store.hpp"
#include "alcor/url.hpp"
#include "commands.hpp"

namespace alcor::cli {

namespace {

std::string Join(const std::vector<std::string>& items, const char* separator) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : separator) + s;
  return out;
}

std::string ForPeople(const Record& r) {
  std::string out = (r.title.empty() ? "(untitled)" : r.title) + "\n";
  std::vector<std::string> facts;
  if (!r.authors.empty()) facts.push_back("by " + Join(r.authors, ", "));
  if (r.date_published) facts.push_back(r.date_published->substr(0, 10));
  facts.push_back(r.source);
  if (r.metadata.is_object() && r.metadata.contains("karma") && r.metadata["karma"].is_number())
    facts.push_back("karma " + r.metadata["karma"].dump());
  if (r.metadata.is_object() && r.metadata.value("af", false)) facts.push_back("Alignment Forum");
  out += Join(facts, " · ") + "\n";
  if (!r.tags.empty()) out += "tags: " + Join(r.tags, ", ") + "\n";
  if (!r.url.empty()) out += r.url + "\n";
  for (const AlsoAt& a : r.also_at) out += "also at " + a.source + (a.url.empty() ? "" : ": " + a.url) + "\n";
  out += "id: " + r.id + "\n\n";
  out += r.text;
  if (!r.text.empty() && r.text.back() != '\n') out += "\n";
  return out;
}

}  // namespace

CommandRunner SetupShow(CLI::App* app) {
  auto key = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  app->add_option("ID|URL", *key, "the record's id, or its URL")->required();
  app->add_flag("--json", *json, "print the record as stored (one JSON line)");
  return [key, json](const GlobalOptions& global) {
    std::unique_ptr<Store> store;
    if (int rc = OpenStoreOrExplain(global, StoreAccess::kRead, &store)) return rc;
    std::string found;
    RecordLocation where;
    if (int rc = FindRecordLineOrExplain(*store, *key, &found, &where)) return rc;
    if (*json) {
      std::cout << found << "\n";
      return kExitOk;
    }
    Result<Record> record = Record::FromJsonLine(found);
    if (!record.ok()) {
      spdlog::error("{}:{}: {}", where.shard, where.line, record.status().ToString());
      return kExitFailed;
    }
    std::cout << ForPeople(record.value());
    return kExitOk;
  };
}

}  // namespace alcor::cli
