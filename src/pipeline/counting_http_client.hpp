// An HttpClient that forwards to the run's shared client and counts, for one source, what its
// requests brought: the per-source HTTP figures of the run report.
#pragma once

#include <atomic>

#include "alcor/http.hpp"

namespace alcor {

struct SourceHttpCounters {
  std::atomic<uint64_t> requests{0};
  std::atomic<uint64_t> bytes{0};
  std::atomic<uint64_t> not_modified{0};
  std::atomic<uint64_t> robots_skipped{0};
  std::atomic<uint64_t> failures{0};
};

class CountingHttpClient : public HttpClient {
 public:
  // REQUIRES: inner and counters outlive this client.
  CountingHttpClient(HttpClient* inner, SourceHttpCounters* counters) : inner_(inner), counters_(counters) {}

  void Submit(HttpRequest request, FetchCallback done) override;
  void Cancel() override { inner_->Cancel(); }
  HttpStats Stats() const override { return inner_->Stats(); }
  Status SaveValidators() override { return inner_->SaveValidators(); }
  void ForgetValidators(const std::string& url) override { inner_->ForgetValidators(url); }

 protected:
  bool OnClientThread() const override;

 private:
  HttpClient* inner_;
  SourceHttpCounters* counters_;
};

}  // namespace alcor
