// Publishing a store to S3-compatible storage and fetching it back (`alcor push`, `alcor pull`;
// docs/operations.md "Several machines").
//
// What goes up: every file the manifest lists (shards, raw archives, state files: each entry of
// the manifest with a "path", generically), the marker, and manifest.json itself, under
// s3://BUCKET/PREFIX/ with the same relative paths, so the prefix is a store that
// `--store s3://BUCKET/PREFIX` reads. Never runs/, the lock, the search index or temporaries.
//
// Push protocol (a store already published exactly so, the same manifest and every file it
// lists there, is left alone without taking the lease):
//   1. take the lease PREFIX/PUSH-LEASE (owner, expiry): created with If-None-Match: * where
//      the server honours it, else written and read back after a pause; a live lease of another
//      owner is Locked naming it; an expired one, or one of a process of this host that no longer
//      runs, is taken over. Renewed while the push runs.
//   2. PREFIX/COMMIT-INTENT names the files the published manifest does not list (as a local
//      commit's intent does: validate on the bucket reports them as left by an interrupted
//      commit, not as problems, should the push be killed);
//      list the prefix and read the published manifest: an object is skipped when it is there
//      with the same size and the published manifest lists it with the same sha256, or its
//      x-amz-meta-sha256 says the same (left by a push that was killed); else uploaded, with its
//      sha256 as x-amz-meta-sha256 (multipart above 64 MiB, retries).
//   3. the marker, then manifest.json, last: a reader of the bucket sees the previous complete
//      corpus or the new one, never a manifest naming a missing object; then the intent goes.
//   4. objects under shards/, raw/ and state/ that neither the new nor the previous manifest
//      lists are deleted (a reader of the previous manifest keeps its files for one more push).
//   5. the lease is deleted.
// Objects are private: no ACL is ever sent; server-side encryption as S3Options says.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "alcor/env.hpp"
#include "alcor/s3.hpp"
#include "alcor/status.hpp"

namespace alcor {

// The key of the push lease under the prefix.
inline constexpr const char* kPushLeaseName = "PUSH-LEASE";

struct PushOptions {
  std::string owner;             // who holds the lease, for messages ("host pid N"); required
  // Where the pusher runs: a lease of a process of this host that no longer runs (a push killed
  // with SIGKILL) is stale and taken over at once instead of waiting for its expiry.
  std::string host;
  int64_t pid = 0;
  int64_t lease_seconds = 600;   // how long a lease lives without renewal
  int threads = 4;               // uploads at once
  // Pause between writing a lease and reading it back, where the server ignores If-None-Match.
  int64_t lease_settle_ms = 500;
};

struct SyncReport {
  uint64_t uploaded = 0;  // push: objects sent; pull: objects fetched
  uint64_t skipped = 0;   // already there with the same sha256
  uint64_t deleted = 0;   // push: stale objects removed; pull: stale local files removed
  uint64_t bytes = 0;     // bytes sent or fetched
  double seconds = 0;
  nlohmann::json ToJson() const;  // {"uploaded","skipped","bytes","seconds","deleted"}
  std::string ToText(bool pull) const;
};

// Publishes the store at store_dir (opened read-only: a scrape may run meanwhile; files it removes
// mid-push fail the push, which publishes nothing) to root. Locked when another owner's lease is
// live.
Status PushStore(Env* env, const std::string& store_dir, S3Client* client, const S3Url& root,
                 const PushOptions& options, SyncReport* report);

// Fetches the store published at root into store_dir (created 0700 when missing; an existing
// store there is brought to the published state under its lock: Locked while a writer has it).
// Every file is written under a temporary name, checked against the manifest's sha256 (files the
// manifest gives none for: against their x-amz-meta-sha256), synced and renamed; files already
// there with the listed digest are skipped; the manifest is written last; local shards, raw
// archives and state files the new manifest does not list are removed after it.
Status PullStore(Env* env, S3Client* client, const S3Url& root, const std::string& store_dir, SyncReport* report);

}  // namespace alcor
