// Hashing: SHA-256 (OpenSSL) for content and file digests, hex-encoded lower case.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace alcor {

std::string Sha256Hex(std::string_view data);

// Incremental SHA-256, for streaming a file through while writing or reading it.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void Update(std::string_view data);
  // Returns the hex digest; the object must not be updated afterwards.
  std::string FinishHex();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace alcor
