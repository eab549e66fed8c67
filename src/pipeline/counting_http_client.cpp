#include "pipeline/counting_http_client.hpp"

namespace alcor {

namespace {
// Set while a wrapped callback runs: that is the inner client's thread, where a blocking Fetch
// would deadlock.
thread_local bool in_callback = false;
}  // namespace

void CountingHttpClient::Submit(HttpRequest request, FetchCallback done) {
  counters_->requests++;
  if (request.observer == nullptr) request.observer = observer_;
  SourceHttpCounters* counters = counters_;
  inner_->Submit(std::move(request), [counters, done = std::move(done)](Result<HttpResponse> result) {
    if (!result.ok()) {
      if (!result.status().IsInterrupted()) counters->failures++;
    } else if (result->robots_disallowed()) {
      counters->robots_skipped++;
    } else {
      if (result->not_modified()) counters->not_modified++;
      counters->bytes += result->body.size();
    }
    in_callback = true;
    done(std::move(result));
    in_callback = false;
  });
}

bool CountingHttpClient::OnClientThread() const { return in_callback; }

}  // namespace alcor
