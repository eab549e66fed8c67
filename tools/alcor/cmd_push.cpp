// alcor push s3://BUCKET/PREFIX [--config FILE] [--sse ALG] [--json]: publishes --store to
// S3-compatible storage, incrementally, manifest last, under a lease (alcor/s3_sync.hpp).
// alcor pull s3://BUCKET/PREFIX [--config FILE] [--json]: the reverse, into --store.
#include <unistd.h>

#include <spdlog/spdlog.h>

#include "alcor/s3.hpp"
#include "alcor/s3_sync.hpp"
#include "commands.hpp"

namespace alcor::cli {

namespace {

struct SyncFlags {
  std::string url;
  std::string config;
  std::string sse;
  int threads = 4;
  bool json = false;
};

std::shared_ptr<SyncFlags> AddSyncFlags(CLI::App* app) {
  auto flags = std::make_shared<SyncFlags>();
  app->add_option("URL", flags->url, "s3://BUCKET/PREFIX")->required();
  app->add_option("--config", flags->config,
                  "a configuration file whose object_store section gives endpoint, region and credentials "
                  "(values may be ${ENV}); AWS_* variables and --endpoint/--region override it");
  app->add_flag("--json", flags->json, "print the summary as one JSON object: uploaded, skipped, bytes, seconds");
  return flags;
}

// The client for flags->url, or an exit code (logged).
int OpenBucketOrExplain(const GlobalOptions& global, const SyncFlags& flags, std::unique_ptr<S3Client>* client,
                        S3Url* url) {
  Result<S3Url> parsed = S3Url::Parse(flags.url);
  if (!parsed.ok()) {
    spdlog::error("{}", parsed.status().ToString());
    return kExitUsage;
  }
  *url = *parsed;
  S3Options options;
  if (!flags.sse.empty()) options.server_side_encryption = flags.sse;
  if (int rc = S3OptionsOrExplain(global, flags.config, &options)) return rc;
  if (Status s = S3Client::Open(options, url->bucket, client); !s.ok()) {
    spdlog::error("{}", s.ToString());
    return ExitCodeFor(s);
  }
  return kExitOk;
}

}  // namespace

CommandRunner SetupPush(CLI::App* app) {
  auto flags = AddSyncFlags(app);
  app->add_option("--sse", flags->sse, "server-side encryption of every object (x-amz-server-side-encryption: AES256, aws:kms)");
  app->add_option("--threads", flags->threads, "uploads at once (default 4)")->check(CLI::Range(1, 64));
  return [flags](const GlobalOptions& global) {
    if (IsS3Url(global.store_dir)) {
      spdlog::error("push: --store is the local store to publish, not a bucket");
      return kExitUsage;
    }
    std::unique_ptr<S3Client> client;
    S3Url url;
    if (int rc = OpenBucketOrExplain(global, *flags, &client, &url)) return rc;
    char host[256] = {0};
    gethostname(host, sizeof(host) - 1);
    PushOptions options;
    options.host = host;
    options.pid = getpid();
    options.owner = options.host + " pid " + std::to_string(options.pid);
    options.threads = flags->threads;
    SyncReport report;
    Status s = PushStore(Env::Default(), global.store_dir, client.get(), url, options, &report);
    if (!s.ok()) {
      spdlog::error("push to {}: {}", url.ToString(), s.ToString());
      return ExitCodeFor(s);
    }
    return PrintReport(report.ToJson(), report.ToText(false), flags->json);
  };
}

CommandRunner SetupPull(CLI::App* app) {
  auto flags = AddSyncFlags(app);
  return [flags](const GlobalOptions& global) {
    if (IsS3Url(global.store_dir)) {
      spdlog::error("pull: --store is the local folder to fill, not a bucket");
      return kExitUsage;
    }
    std::unique_ptr<S3Client> client;
    S3Url url;
    if (int rc = OpenBucketOrExplain(global, *flags, &client, &url)) return rc;
    SyncReport report;
    Status s = PullStore(Env::Default(), client.get(), url, global.store_dir, &report);
    if (!s.ok()) {
      spdlog::error("pull from {}: {}", url.ToString(), s.ToString());
      return ExitCodeFor(s);
    }
    return PrintReport(report.ToJson(), report.ToText(true), flags->json);
  };
}

}  // namespace alcor::cli
