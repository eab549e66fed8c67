// FakeHttpClient: an HttpClient for unit tests of sources. It answers from responses the test
// programs (by exact URL, in order; the last one repeats) or from a handler, and records every
// request it got so tests can assert on what a source asked for (after ninja's fakes).
//
// Submit answers synchronously, on the caller's thread, before it returns. Unprogrammed URLs get
// Status kHttp "HTTP 404 from GET <url> (fake: ...)". Thread safety: all methods may be called
// concurrently.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "alcor/http.hpp"

namespace alcor {

class FakeHttpClient : public HttpClient {
 public:
  using Handler = std::function<Result<HttpResponse>(const HttpRequest&)>;

  // A 200 response with body and a Content-Type header.
  static HttpResponse Ok(std::string body, std::string content_type = "text/html; charset=utf-8");
  // A 304 ("unchanged") response.
  static HttpResponse NotModified();
  // The kHttp Status the real client gives for a final error status.
  static Status HttpError(int status, const std::string& method, const std::string& url);

  // Queues an answer for url (compared to HttpRequest::url exactly).
  void AddResponse(const std::string& url, HttpResponse response);
  void AddError(const std::string& url, Status status);
  // Answers every URL with no queued answer (instead of 404).
  void SetHandler(Handler handler);
  // URLs starting with prefix get FetchOutcome::kRobotsDisallowed (and count as robots_skipped).
  void DisallowPrefix(const std::string& prefix);

  // Every request received, in order.
  std::vector<HttpRequest> requests() const;
  size_t request_count() const;
  // URLs of the requests received, in order.
  std::vector<std::string> urls() const;

  void Submit(HttpRequest request, FetchCallback done) override;
  void Cancel() override;
  HttpStats Stats() const override;
  Status SaveValidators() override;
  void ForgetValidators(const std::string& url) override;

  int save_validators_calls() const;
  std::vector<std::string> forgotten_urls() const;

 protected:
  bool OnClientThread() const override { return false; }

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::deque<Result<HttpResponse>>> answers_;
  Handler handler_;
  std::vector<std::string> disallowed_prefixes_;
  std::vector<HttpRequest> requests_;
  HttpStats stats_;
  bool cancelled_ = false;
  int save_calls_ = 0;
  std::vector<std::string> forgotten_;
};

}  // namespace alcor
