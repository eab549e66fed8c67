// Helpers shared by the subcommands.
#include <iostream>

#include <spdlog/spdlog.h>

#include "alcor/dedup.hpp"
#include "alcor/env.hpp"
#include "alcor/json.hpp"
#include "alcor/s3.hpp"
#include "alcor/search.hpp"
#include "alcor/shard.hpp"
#include "alcor/status.hpp"
#include "alcor/store.hpp"
#include "alcor/url.hpp"
#include "commands.hpp"

namespace alcor::cli {

int ExitCodeFor(const Status& status) {
  switch (status.code()) {
    case Status::Code::kOk: return kExitOk;
    case Status::Code::kLocked: return kExitLocked;
    case Status::Code::kInterrupted: return kExitInterrupted;
    case Status::Code::kInvalidArgument: return kExitUsage;
    // A failed run, whatever stopped it: a refusal by the site or its robots.txt, or a bug.
    case Status::Code::kBlocked:
    case Status::Code::kRobotsDenied:
    case Status::Code::kInternal: return kExitFailed;
    default: return kExitFailed;
  }
}

int S3OptionsOrExplain(const GlobalOptions& global, const std::string& config_path, S3Options* options) {
  if (!config_path.empty()) {
    std::string text;
    Status s = ReadFileToString(Env::Default(), config_path, &text, uint64_t{16} << 20);
    nlohmann::json config;
    if (s.ok()) {
      JsonParseOptions comments;
      comments.ignore_comments = true;
      Result<nlohmann::json> parsed = ParseJson(text, config_path, comments);
      if (!parsed.ok()) s = parsed.status();
      else if (!parsed->is_object()) s = Status::InvalidArgument(config_path + ": the top level must be an object");
      else config = std::move(parsed).value();
    }
    if (s.ok() && config.contains("object_store"))
      s = S3OptionsFromConfig(config["object_store"], config_path + ": object_store", options);
    if (!s.ok()) {
      spdlog::error("{}", s.ToString());
      return ExitCodeFor(s);
    }
  }
  S3OptionsFromEnvironment(options);
  if (!global.endpoint.empty()) options->endpoint = global.endpoint;
  if (!global.region.empty()) options->region = global.region;
  return kExitOk;
}

Env* StoreEnvOrExplain(const GlobalOptions& global, int* rc) {
  *rc = kExitOk;
  if (!IsS3Url(global.store_dir)) return Env::Default();
  // One bucket per process: the client and its Env live until exit.
  static std::unique_ptr<S3Client> client;
  static std::unique_ptr<Env> env;
  if (env) return env.get();
  Result<S3Url> url = S3Url::Parse(global.store_dir);
  S3Options options;
  if (!url.ok()) {
    spdlog::error("{}", url.status().ToString());
    *rc = kExitUsage;
    return nullptr;
  }
  if ((*rc = S3OptionsOrExplain(global, "", &options)) != kExitOk) return nullptr;
  if (Status s = S3Client::Open(options, url->bucket, &client); !s.ok()) {
    spdlog::error("{}", s.ToString());
    *rc = ExitCodeFor(s);
    return nullptr;
  }
  env = NewS3ReadEnv(client.get(), *url);
  return env.get();
}

int OpenStoreOrExplain(const GlobalOptions& global, StoreAccess access, std::unique_ptr<Store>* store) {
  if (IsS3Url(global.store_dir) && access != StoreAccess::kRead) {
    spdlog::error("{}: a store in a bucket is read-only here ('alcor pull' it into a folder first)", global.store_dir);
    return kExitUsage;
  }
  int rc = kExitOk;
  Env* env = StoreEnvOrExplain(global, &rc);
  if (env == nullptr) return rc;
  StoreOptions options;
  options.read_only = access == StoreAccess::kRead;
  options.create_if_missing = access == StoreAccess::kWriteOrCreate;
  options.check_before_writing = access != StoreAccess::kRepair;
  options.restore_missing_marker = access == StoreAccess::kRepair;
  options.index_in_background = !options.read_only;
  const bool folder_existed = env->FileExists(global.store_dir);
  const bool store_existed = env->FileExists(JoinPath(global.store_dir, store_files::kMarker));
  Status s = Store::Open(env, global.store_dir, options, store);
  if (s.ok()) {
    // A mistyped --store or $ALCOR_STORE must not pass unnoticed as a new, empty store.
    if (!store_existed && !(*store)->restored_marker())
      spdlog::warn("{}: {}; created a new, empty store there", global.store_dir,
                   folder_existed ? "an empty folder" : "no such folder");
    return kExitOk;
  }
  if (s.IsLocked()) {
    spdlog::error("store {} is in use: {}", global.store_dir, s.message());
    return kExitLocked;
  }
  spdlog::error("{}", s.ToString());
  return ExitCodeFor(s) == kExitOk ? kExitFailed : ExitCodeFor(s);
}

void WriteRunReportOrWarn(Store* store, const nlohmann::json& run) {
  Status s = store->WriteRunReport(run.dump(2) + "\n");
  if (!s.ok()) spdlog::warn("run report not written: {}", s.ToString());
}

int PrintReport(const nlohmann::json& report_json, const std::string& report_text, bool as_json) {
  if (as_json) std::cout << report_json.dump() << "\n";
  else std::cout << report_text;
  return kExitOk;
}

int OpenStoreOrExplain(const GlobalOptions& global, bool read_only, std::unique_ptr<Store>* store) {
  return OpenStoreOrExplain(global, read_only ? StoreAccess::kRead : StoreAccess::kWriteOrCreate, store);
}

int LoadSupersededOrExplain(const Store& store, std::function<bool(const RecordLocation&)>* predicate) {
  auto set = std::make_shared<SupersededSet>();
  Status s = LoadSuperseded(store, set.get());
  if (!s.ok()) {
    spdlog::error("{}", s.ToString());
    return kExitFailed;
  }
  if (set->empty()) *predicate = nullptr;
  else *predicate = [set](const RecordLocation& where) { return set->Contains(where); };
  return kExitOk;
}

int FindRecordLineOrExplain(const Store& store, const std::string& key, std::string* line, RecordLocation* where) {
  std::unique_ptr<SearchIndex> index;
  std::vector<RecordLocation> found_at;
  Status s = SearchIndex::Open(store, false, &index);
  if (s.ok()) s = index->Locate(key, &found_at);
  if (s.ok() && found_at.empty() && (key.rfind("http://", 0) == 0 || key.rfind("https://", 0) == 0))
    s = index->Locate(CanonicalizeUrl(key), &found_at);
  if (!s.ok()) {
    spdlog::error("{}", s.ToString());
    return kExitFailed;
  }
  if (found_at.empty()) {
    spdlog::error("no record with id or URL '{}' in the store", key);
    return kExitFailed;
  }
  line->clear();
  for (const ShardInfo& shard : store.manifest().shards) {
    if (shard.path != found_at[0].shard) continue;
    s = ReadListedShard(store.env(), store.dir(), shard, ReadShardOptions(),
                        [&](std::string_view text, const RecordLocation& at) {
                          if (at.line != found_at[0].line) return true;
                          line->assign(text);
                          return false;
                        });
  }
  if (line->empty()) {
    spdlog::error("{}", s.ok() ? "the record's shard is no longer in the store; run the command again" : s.ToString());
    return kExitFailed;
  }
  *where = found_at[0];
  return kExitOk;
}

}  // namespace alcor::cli
