#include "alcor_testing/test_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <poll.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "alcor/strings.hpp"

namespace alcor::testing {

namespace {

constexpr size_t kMaxHeadBytes = 64 * 1024;
constexpr size_t kMaxBodyBytes = 64 * 1024 * 1024;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

const char* Reason(int status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 408: return "Request Timeout";
    case 410: return "Gone";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Status";
  }
}

bool SendAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

uint32_t Crc32(std::string_view data) {
  static uint32_t table[256];
  static bool ready = [] {
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      table[i] = c;
    }
    return true;
  }();
  (void)ready;
  uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char b : data) crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFFu;
}

void PutLe32(std::string* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

}  // namespace

const std::string* ServerRequest::Header(std::string_view name) const {
  std::string lower = AsciiLower(name);
  for (const auto& [k, v] : headers) {
    if (k == lower) return &v;
  }
  return nullptr;
}

// --- Reply -------------------------------------------------------------------------------------

Reply Reply::Text(std::string body, std::string content_type) {
  Reply r;
  r.body = std::move(body);
  r.headers.emplace_back("Content-Type", std::move(content_type));
  return r;
}

Reply Reply::Status(int status, std::string body) {
  Reply r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

Reply Reply::Redirect(int status, std::string location) {
  Reply r;
  r.status = status;
  r.headers.emplace_back("Location", std::move(location));
  return r;
}

Reply& Reply::WithHeader(std::string name, std::string value) & {
  headers.emplace_back(std::move(name), std::move(value));
  return *this;
}

Reply&& Reply::WithHeader(std::string name, std::string value) && {
  headers.emplace_back(std::move(name), std::move(value));
  return std::move(*this);
}

Reply&& Reply::WithLatency(int64_t ms) && {
  latency_ms = ms;
  return std::move(*this);
}

// --- TestServer: lifecycle -----------------------------------------------------------------------

TestServer::TestServer(const std::string& address, int port) : address_(address) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (::inet_pton(AF_INET, address.c_str(), &addr.sin_addr) != 1 ||
      ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::listen(listen_fd_, 512) != 0) {
    std::fprintf(stderr, "TestServer: cannot listen on %s: %s\n", address.c_str(),
                 std::strerror(errno));
    std::abort();
  }
  socklen_t len = sizeof(addr);
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  if (::pipe2(wake_pipe_, O_CLOEXEC) != 0) std::abort();
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

TestServer::~TestServer() {
  std::vector<std::thread> threads;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    // Wakes connections blocked in recv or poll; their threads then close the fds themselves.
    for (int fd : connection_fds_) ::shutdown(fd, SHUT_RDWR);
  }
  cv_.notify_all();
  char byte = 0;
  (void)!::write(wake_pipe_[1], &byte, 1);
  acceptor_.join();
  {
    std::lock_guard<std::mutex> lock(mu_);
    threads.swap(connection_threads_);
  }
  for (std::thread& t : threads) t.join();
  ::close(listen_fd_);
  ::close(wake_pipe_[0]);
  ::close(wake_pipe_[1]);
}

std::string TestServer::HostPort() const { return address_ + ":" + std::to_string(port_); }
std::string TestServer::BaseUrl() const { return "http://" + HostPort(); }
std::string TestServer::Url(std::string_view path_and_query) const {
  return BaseUrl() + std::string(path_and_query);
}

int64_t TestServer::NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

bool TestServer::Sleep(int64_t ms) const {
  if (ms <= 0) {
    std::lock_guard<std::mutex> lock(mu_);
    return !stopping_;
  }
  std::unique_lock<std::mutex> lock(mu_);
  return !cv_.wait_for(lock, std::chrono::milliseconds(ms), [this] { return stopping_; });
}

void TestServer::AcceptLoop() {
  while (true) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_pipe_[0], POLLIN, 0}};
    int n = ::poll(fds, 2, -1);
    if (n < 0 && errno == EINTR) continue;
    if (fds[1].revents != 0) return;
    if (!(fds[0].revents & POLLIN)) continue;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) {
      ::close(fd);
      return;
    }
    int id = ++next_connection_;
    connection_fds_.push_back(fd);
    connection_threads_.emplace_back([this, fd, id] { ServeConnection(fd, id); });
  }
}

// --- TestServer: serving -------------------------------------------------------------------------

void TestServer::ServeConnection(int fd, int connection_id) {
  std::string buffer;
  char chunk[16384];
  auto read_more = [&]() -> bool {
    ssize_t n;
    do {
      n = ::recv(fd, chunk, sizeof(chunk), 0);
    } while (n < 0 && errno == EINTR);
    if (n <= 0) return false;
    buffer.append(chunk, static_cast<size_t>(n));
    return true;
  };
  auto close_connection = [&] {
    std::lock_guard<std::mutex> lock(mu_);
    connection_fds_.erase(std::remove(connection_fds_.begin(), connection_fds_.end(), fd),
                          connection_fds_.end());
    ::close(fd);
  };

  while (true) {
    size_t head_end;
    while ((head_end = buffer.find("\r\n\r\n")) == std::string::npos) {
      if (buffer.size() > kMaxHeadBytes || !read_more()) {
        close_connection();
        return;
      }
    }
    ServerRequest request;
    std::string_view head(buffer.data(), head_end);
    size_t line_end = head.find("\r\n");
    std::string_view request_line = head.substr(0, line_end);
    size_t sp1 = request_line.find(' ');
    size_t sp2 = request_line.rfind(' ');
    if (sp1 == std::string_view::npos || sp2 == sp1) {
      SendAll(fd, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      close_connection();
      return;
    }
    request.method = std::string(request_line.substr(0, sp1));
    request.target = std::string(request_line.substr(sp1 + 1, sp2 - sp1 - 1));
    bool http10 = request_line.substr(sp2 + 1) == "HTTP/1.0";
    std::string_view rest = line_end == std::string_view::npos ? "" : head.substr(line_end + 2);
    while (!rest.empty()) {
      size_t e = rest.find("\r\n");
      std::string_view line = rest.substr(0, e);
      rest = e == std::string_view::npos ? "" : rest.substr(e + 2);
      size_t colon = line.find(':');
      if (colon == std::string_view::npos) continue;
      request.headers.emplace_back(AsciiLower(Trim(line.substr(0, colon))),
                                   std::string(Trim(line.substr(colon + 1))));
    }
    std::string_view path_query = request.target;
    if (size_t scheme = path_query.find("://"); scheme != std::string_view::npos) {
      size_t slash = path_query.find('/', scheme + 3);
      path_query = slash == std::string_view::npos ? "/" : path_query.substr(slash);
    }
    size_t q = path_query.find('?');
    request.path = std::string(path_query.substr(0, q));
    if (q != std::string_view::npos) request.query = std::string(path_query.substr(q + 1));
    buffer.erase(0, head_end + 4);

    int64_t arrival = NowMicros();
    size_t content_length = 0;
    if (const std::string* cl = request.Header("content-length")) {
      content_length = std::strtoull(cl->c_str(), nullptr, 10);
    }
    if (content_length > kMaxBodyBytes) {
      SendAll(fd, "HTTP/1.1 413 Payload Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      close_connection();
      return;
    }
    if (const std::string* expect = request.Header("expect");
        expect != nullptr && AsciiLower(*expect) == "100-continue" && buffer.size() < content_length) {
      SendAll(fd, "HTTP/1.1 100 Continue\r\n\r\n");
    }
    while (buffer.size() < content_length) {
      if (!read_more()) {
        close_connection();
        return;
      }
    }
    request.body = buffer.substr(0, content_length);
    buffer.erase(0, content_length);

    size_t index;
    {
      std::lock_guard<std::mutex> lock(mu_);
      request.arrival_us = arrival;
      request.connection = connection_id;
      request.in_flight = ++in_flight_;
      index = record_base_ + requests_.size();
      requests_.push_back(request);
    }
    cv_.notify_all();

    Reply reply = Answer(request);
    bool keep_open = !http10 && !reply.close_connection;
    if (const std::string* c = request.Header("connection"); c && AsciiLower(*c) == "close") {
      keep_open = false;
    }

    bool ok = Sleep(reply.latency_ms);
    if (ok && reply.drop_before_response) ok = false;
    if (ok) {
      std::string out = "HTTP/1.1 " + std::to_string(reply.status) + " " + Reason(reply.status) + "\r\n";
      bool has_length = false;
      for (const auto& [k, v] : reply.headers) {
        out += k + ": " + v + "\r\n";
        if (AsciiLower(k) == "content-length") has_length = true;
      }
      bool no_body_status = reply.status == 304 || reply.status == 204 || reply.status < 200;
      if (!has_length && reply.send_content_length && !no_body_status) {
        out += "Content-Length: " + std::to_string(reply.body.size()) + "\r\n";
      }
      if (!reply.send_content_length) keep_open = false;
      if (!keep_open) out += "Connection: close\r\n";
      out += "\r\n";
      ok = SendAll(fd, out);
      std::string_view body = reply.body;
      if (request.method == "HEAD" || no_body_status) body = {};
      size_t limit = body.size();
      if (reply.drop_after_bytes) limit = std::min(limit, *reply.drop_after_bytes);
      if (reply.stall_after_bytes) limit = std::min(limit, *reply.stall_after_bytes);
      size_t step = reply.chunk_bytes > 0 ? reply.chunk_bytes : std::max<size_t>(limit, 1);
      for (size_t sent = 0; ok && sent < limit; sent += step) {
        if (reply.chunk_bytes > 0 && !Sleep(reply.chunk_delay_ms)) ok = false;
        if (ok) ok = SendAll(fd, body.substr(sent, std::min(step, limit - sent)));
      }
      if (ok && reply.drop_after_bytes && *reply.drop_after_bytes < body.size()) ok = false;
      if (ok && reply.stall_after_bytes && *reply.stall_after_bytes < body.size()) {
        // Hang until the client gives up (closes) or the server stops.
        while (true) {
          pollfd p{fd, POLLIN, 0};
          int n = ::poll(&p, 1, 50);
          if (!Sleep(0)) break;
          if (n > 0) {
            char c;
            if (::recv(fd, &c, 1, MSG_PEEK) <= 0) break;
          }
        }
        ok = false;
      }
    }
    Finish(index);
    if (!ok || !keep_open) {
      close_connection();
      return;
    }
  }
}

void TestServer::Finish(size_t index) {
  std::lock_guard<std::mutex> lock(mu_);
  --in_flight_;
  if (index >= record_base_ && index - record_base_ < requests_.size()) {
    requests_[index - record_base_].finish_us = NowMicros();
  }
  cv_.notify_all();
}

Reply TestServer::Answer(const ServerRequest& request) {
  Handler handler;
  Reply reply = Reply::Status(404, "not found\n");
  int64_t extra_latency;
  {
    std::lock_guard<std::mutex> lock(mu_);
    extra_latency = latency_ms_;
    auto it = routes_.find(request.path);
    if (it != routes_.end()) {
      Route_& route = it->second;
      if (route.handler) {
        handler = route.handler;
      } else if (!route.sequence.empty()) {
        reply = route.sequence[std::min(route.served, route.sequence.size() - 1)];
      }
      route.served++;
    } else {
      size_t best = 0;
      for (const auto& [prefix, h] : prefix_routes_) {
        if (request.path.compare(0, prefix.size(), prefix) == 0 && prefix.size() >= best) {
          best = prefix.size();
          handler = h;
        }
      }
    }
  }
  if (handler) reply = handler(request);
  reply.latency_ms += extra_latency;
  return reply;
}

// --- programming ---------------------------------------------------------------------------------

void TestServer::Route(const std::string& path, Reply reply) {
  RouteSequence(path, {std::move(reply)});
}

void TestServer::RouteSequence(const std::string& path, std::vector<Reply> replies) {
  std::lock_guard<std::mutex> lock(mu_);
  Route_& route = routes_[path];
  route.sequence = std::move(replies);
  route.handler = nullptr;
  route.served = 0;
}

void TestServer::RouteHandler(const std::string& path, Handler handler) {
  std::lock_guard<std::mutex> lock(mu_);
  Route_& route = routes_[path];
  route.sequence.clear();
  route.handler = std::move(handler);
  route.served = 0;
}

void TestServer::RoutePrefix(const std::string& prefix, Handler handler) {
  std::lock_guard<std::mutex> lock(mu_);
  prefix_routes_[prefix] = std::move(handler);
}

void TestServer::SetLatencyMs(int64_t ms) {
  std::lock_guard<std::mutex> lock(mu_);
  latency_ms_ = ms;
}

void TestServer::ServeRobots(const std::string& text) { Route("/robots.txt", Reply::Text(text)); }

void TestServer::ServeConditional(const std::string& path, std::string body, std::string etag,
                                  std::string last_modified) {
  RouteHandler(path, [body, etag, last_modified](const ServerRequest& request) {
    const std::string* inm = request.Header("if-none-match");
    const std::string* ims = request.Header("if-modified-since");
    bool unchanged = (inm != nullptr && !etag.empty() && *inm == etag) ||
                     (inm == nullptr && ims != nullptr && !last_modified.empty() &&
                      *ims == last_modified);
    Reply reply = unchanged ? Reply::Status(304) : Reply::Text(body, "text/html; charset=utf-8");
    if (!etag.empty()) reply.WithHeader("ETag", etag);
    if (!last_modified.empty()) reply.WithHeader("Last-Modified", last_modified);
    return reply;
  });
}

// --- observations --------------------------------------------------------------------------------

std::vector<ServerRequest> TestServer::Requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

std::vector<ServerRequest> TestServer::RequestsFor(const std::string& path) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<ServerRequest> out;
  for (const ServerRequest& r : requests_) {
    if (r.path == path) out.push_back(r);
  }
  return out;
}

size_t TestServer::Count(const std::string& path) const { return RequestsFor(path).size(); }

size_t TestServer::TotalCount() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_.size();
}

int TestServer::MaxInFlight(bool include_robots) const {
  std::vector<ServerRequest> all = Requests();
  if (!include_robots) {
    all.erase(std::remove_if(all.begin(), all.end(),
                             [](const ServerRequest& r) { return r.path == "/robots.txt"; }),
              all.end());
  }
  return MaxOverlap(all);
}

bool TestServer::WaitForRequests(size_t n, int64_t timeout_ms) const {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                      [&] { return requests_.size() >= n; });
}

void TestServer::ClearRequests() {
  std::lock_guard<std::mutex> lock(mu_);
  record_base_ += requests_.size();
  requests_.clear();
}

int64_t TestServer::MinGapMicros(std::vector<ServerRequest> requests) {
  if (requests.size() < 2) return INT64_MAX;
  std::sort(requests.begin(), requests.end(),
            [](const ServerRequest& a, const ServerRequest& b) { return a.arrival_us < b.arrival_us; });
  int64_t best = INT64_MAX;
  for (size_t i = 1; i < requests.size(); ++i) {
    best = std::min(best, requests[i].arrival_us - requests[i - 1].arrival_us);
  }
  return best;
}

int TestServer::MaxOverlap(const std::vector<ServerRequest>& requests) {
  // Sweep over (time, +1/-1) events; a request still being served counts until "now".
  std::vector<std::pair<int64_t, int>> events;
  int64_t now = NowMicros();
  for (const ServerRequest& r : requests) {
    events.emplace_back(r.arrival_us, +1);
    events.emplace_back(r.finish_us != 0 ? r.finish_us : now, -1);
  }
  // At equal times, ends before starts: touching intervals do not overlap.
  std::sort(events.begin(), events.end());
  int current = 0, best = 0;
  for (const auto& [time, delta] : events) {
    current += delta;
    best = std::max(best, current);
  }
  return best;
}

std::string TestServer::Gzip(std::string_view data) {
  std::string out("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff", 10);  // header: deflate, no flags
  size_t pos = 0;
  do {
    size_t n = std::min<size_t>(65535, data.size() - pos);
    bool final_block = pos + n == data.size();
    out.push_back(final_block ? 1 : 0);  // BFINAL, BTYPE=00 (stored)
    out.push_back(static_cast<char>(n & 0xFF));
    out.push_back(static_cast<char>(n >> 8));
    out.push_back(static_cast<char>(~n & 0xFF));
    out.push_back(static_cast<char>((~n >> 8) & 0xFF));
    out.append(data.substr(pos, n));
    pos += n;
  } while (pos < data.size());
  PutLe32(&out, Crc32(data));
  PutLe32(&out, static_cast<uint32_t>(data.size()));
  return out;
}

std::map<std::string, std::string> ParseQueryString(std::string_view query) {
  std::map<std::string, std::string> out;
  size_t start = 0;
  while (start <= query.size()) {
    size_t amp = query.find('&', start);
    std::string_view part = query.substr(start, amp == std::string_view::npos ? std::string_view::npos : amp - start);
    size_t eq = part.find('=');
    if (!part.empty()) {
      out[PercentDecode(part.substr(0, eq), true)] =
          eq == std::string_view::npos ? "" : PercentDecode(part.substr(eq + 1), true);
    }
    if (amp == std::string_view::npos) break;
    start = amp + 1;
  }
  return out;
}

}  // namespace alcor::testing
