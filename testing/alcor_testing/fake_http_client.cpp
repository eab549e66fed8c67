#include "alcor_testing/fake_http_client.hpp"

#include "net/http_url.hpp"

namespace alcor {

namespace {

std::string HostKeyOf(const std::string& url) {
  Result<HttpUrl> parsed = ParseHttpUrl(url);
  return parsed.ok() ? parsed->host_key : "(invalid)";
}

}  // namespace

HttpResponse FakeHttpClient::Ok(std::string body, std::string content_type) {
  HttpResponse r;
  r.status = 200;
  r.headers.emplace_back("content-type", std::move(content_type));
  r.body = std::move(body);
  r.attempts = 1;
  return r;
}

HttpResponse FakeHttpClient::NotModified() {
  HttpResponse r;
  r.status = 304;
  r.outcome = FetchOutcome::kNotModified;
  r.attempts = 1;
  return r;
}

Status FakeHttpClient::HttpError(int status, const std::string& method, const std::string& url) {
  return Status::Http(status, "HTTP " + std::to_string(status) + " from " + method + " " + url);
}

void FakeHttpClient::AddResponse(const std::string& url, HttpResponse response) {
  std::lock_guard<std::mutex> lock(mu_);
  answers_[url].push_back(std::move(response));
}

void FakeHttpClient::AddError(const std::string& url, Status status) {
  std::lock_guard<std::mutex> lock(mu_);
  answers_[url].push_back(std::move(status));
}

void FakeHttpClient::SetHandler(Handler handler) {
  std::lock_guard<std::mutex> lock(mu_);
  handler_ = std::move(handler);
}

void FakeHttpClient::DisallowPrefix(const std::string& prefix) {
  std::lock_guard<std::mutex> lock(mu_);
  disallowed_prefixes_.push_back(prefix);
}

std::vector<HttpRequest> FakeHttpClient::requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

size_t FakeHttpClient::request_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_.size();
}

std::vector<std::string> FakeHttpClient::urls() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> out;
  for (const HttpRequest& r : requests_) out.push_back(r.url);
  return out;
}

void FakeHttpClient::Submit(HttpRequest request, FetchCallback done) {
  std::unique_lock<std::mutex> lock(mu_);
  requests_.push_back(request);
  std::string host = HostKeyOf(request.url);
  HostStats& stats = stats_.hosts[host];
  if (cancelled_) {
    lock.unlock();
    done(Status::Interrupted("HTTP client cancelled: " + request.method + " " + request.url));
    return;
  }
  for (const std::string& prefix : disallowed_prefixes_) {
    if (request.url.compare(0, prefix.size(), prefix) == 0) {
      stats.robots_skipped++;
      HttpResponse r;
      r.outcome = FetchOutcome::kRobotsDisallowed;
      r.url = r.final_url = request.url;
      lock.unlock();
      done(std::move(r));
      return;
    }
  }
  stats.requests++;
  std::optional<Result<HttpResponse>> answer;
  auto it = answers_.find(request.url);
  if (it != answers_.end() && !it->second.empty()) {
    answer = it->second.front();
    if (it->second.size() > 1) it->second.pop_front();
  }
  Handler handler = handler_;
  lock.unlock();
  if (!answer) {
    if (handler) {
      answer = handler(request);
    } else {
      answer = Status::Http(404, "HTTP 404 from " + request.method + " " + request.url +
                            " (fake: no response programmed)");
    }
  }
  lock.lock();
  if (answer->ok()) {
    HttpResponse& r = answer->value();
    if (r.url.empty()) r.url = request.url;
    if (r.final_url.empty()) r.final_url = request.url;
    if (r.attempts == 0) r.attempts = 1;
    stats.bytes += r.body.size();
    if (r.outcome == FetchOutcome::kNotModified) stats.not_modified++;
  } else {
    stats.failures++;
  }
  lock.unlock();
  done(std::move(*answer));
}

void FakeHttpClient::Cancel() {
  std::lock_guard<std::mutex> lock(mu_);
  cancelled_ = true;
}

HttpStats FakeHttpClient::Stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

Status FakeHttpClient::SaveValidators() {
  std::lock_guard<std::mutex> lock(mu_);
  save_calls_++;
  return Status::OK();
}

void FakeHttpClient::ForgetValidators(const std::string& url) {
  std::lock_guard<std::mutex> lock(mu_);
  forgotten_.push_back(url);
}

int FakeHttpClient::save_validators_calls() const {
  std::lock_guard<std::mutex> lock(mu_);
  return save_calls_;
}

std::vector<std::string> FakeHttpClient::forgotten_urls() const {
  std::lock_guard<std::mutex> lock(mu_);
  return forgotten_;
}

}  // namespace alcor
