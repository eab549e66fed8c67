// ValidatorStore: the ETag / Last-Modified of each URL fetched conditionally, kept in memory and
// written as one JSON file (<dir>/validators.json) with WriteFileAtomically on Save.
//
// Keys are URLs; a URL holding a registered secret (an API key in a query) is keyed by its
// SHA-256 instead, so the state file never holds a secret.
// Thread safety: all methods may be called concurrently.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "alcor/status.hpp"

namespace alcor {

class Env;

struct Validators {
  std::string etag;
  std::string last_modified;
  bool empty() const { return etag.empty() && last_modified.empty(); }
};

class ValidatorStore {
 public:
  static constexpr const char* kFileName = "validators.json";
  static constexpr size_t kMaxEntries = 2000000;

  // dir "" keeps everything in memory (Save does nothing). env is not owned.
  ValidatorStore(Env* env, std::string dir);

  // Reads <dir>/validators.json; a missing file leaves the table empty. A file that is not what
  // Save writes is Corruption (naming the file).
  Status Load();
  // Writes the table (creating dir with mode 0700 when missing). Idempotent.
  Status Save();

  std::optional<Validators> Get(const std::string& url) const;
  // Empty validators erase the entry.
  void Put(const std::string& url, const Validators& validators);
  void Forget(const std::string& url);
  size_t size() const;

 private:
  std::string Key(const std::string& url) const;

  Env* const env_;
  const std::string dir_;
  mutable std::mutex mu_;
  std::map<std::string, Validators> entries_;  // guarded by mu_
};

}  // namespace alcor
