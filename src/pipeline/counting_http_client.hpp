// An HttpClient that forwards to the run's shared client and counts, for one source, what its
// requests brought: the per-source HTTP figures of the run report. It also hands the source's
// observer (its waits, its name in the client's log lines) to every request that has none.
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
  // REQUIRES: inner, counters and observer (may be nullptr) outlive this client and its requests.
  CountingHttpClient(HttpClient* inner, SourceHttpCounters* counters, HttpObserver* observer = nullptr)
      : inner_(inner), counters_(counters), observer_(observer) {}

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
  HttpObserver* observer_;
};

}  // namespace alcor
