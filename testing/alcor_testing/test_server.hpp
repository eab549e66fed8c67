// TestServer: a programmable HTTP/1.1 server on a loopback address for tests (and benchmarks).
//
// Each test starts its own server on 127.0.0.1 with an ephemeral port, tells it what to answer
// per path, lets the code under test talk to it with the real libcurl client, then asserts on the
// requests the server recorded (method, headers, body, arrival time, concurrency).
//
//   TestServer server;                                   // listening when constructed
//   server.RouteSequence("/feed", {Reply::Status(503).WithHeader("Retry-After", "1"),
//                                  Reply::Text("<rss/>")});
//   ... fetch server.Url("/feed") ...
//   EXPECT_EQ(server.Count("/feed"), 2);
//   EXPECT_GE(TestServer::MinGapMicros(server.RequestsFor("/feed")), 1000000);
//
// What a Reply can do: any status, headers and body; a delay before answering (latency); a slow
// body (chunks with pauses); a body that stalls after N bytes (the connection stays open until
// the client gives up); a connection dropped before any answer or after N body bytes; closing
// the connection after the answer. Helpers build redirects (any Location, e.g. file:// or another
// server's URL), robots.txt, and ETag/Last-Modified resources that answer 304 to a matching
// conditional request. Gzip() makes a gzip body (for Content-Encoding tests).
//
// Requests to paths with no route get 404 (so robots.txt is "absent" unless served). Requests
// through a proxy (absolute-form targets, "GET http://host/path") are matched by their path.
//
// Thread safety: every method may be called from any thread while the server runs. Handlers run
// on the connection's thread, possibly several at once. Destruction stops the server promptly,
// also while replies are sleeping or stalled.
#pragma once

#include <netinet/in.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace alcor::testing {

// One request as the server received it.
struct ServerRequest {
  std::string method;
  std::string target;  // as on the request line: "/a?b=1" (or "http://h/a?b=1" via a proxy)
  std::string path;    // "/a"
  std::string query;   // "b=1"
  std::vector<std::pair<std::string, std::string>> headers;  // in order; names lower-case
  std::string body;
  int64_t arrival_us = 0;  // TestServer::NowMicros() when the request head had arrived
  int64_t finish_us = 0;   // when the answer was complete (or dropped); 0 while being served
  int connection = 0;      // 1, 2, ...: which TCP connection carried it
  int in_flight = 0;       // requests being served at its arrival, itself included

  // First header with this name (case-insensitive), or nullptr.
  const std::string* Header(std::string_view name) const;
};

struct Reply {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool send_content_length = true;  // false: no Content-Length, body ends when the connection closes
  bool close_connection = false;    // "Connection: close" and close after the answer

  // Timing and faults.
  int64_t latency_ms = 0;          // wait before sending anything
  size_t chunk_bytes = 0;          // > 0: send the body in pieces of this size...
  int64_t chunk_delay_ms = 0;      // ...waiting this long before each piece
  bool drop_before_response = false;         // close the connection without answering
  std::optional<size_t> drop_after_bytes;    // send headers and this many body bytes, then close
  std::optional<size_t> stall_after_bytes;   // send headers and this many body bytes, then hang

  static Reply Text(std::string body, std::string content_type = "text/plain; charset=utf-8");
  static Reply Status(int status, std::string body = "");
  // A redirect (301, 302, 303, 307, 308) to location, taken as is (relative, file://, other host).
  static Reply Redirect(int status, std::string location);

  Reply& WithHeader(std::string name, std::string value) &;
  Reply&& WithHeader(std::string name, std::string value) &&;
  Reply&& WithLatency(int64_t ms) &&;
};

// A query string ("a=1&b=x+y%21") as a map, percent-decoded, '+' as a space; the last of
// repeated keys wins.
std::map<std::string, std::string> ParseQueryString(std::string_view query);

class TestServer {
 public:
  using Handler = std::function<Reply(const ServerRequest&)>;

  // Listens on address (a loopback IPv4 address) with an ephemeral port. Aborts the test
  // process when it cannot (a test cannot go on without its server).
  // A port other than 0 listens there (the offline mirror); 0 takes an ephemeral one.
  explicit TestServer(const std::string& address = "127.0.0.1", int port = 0);
  ~TestServer();
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  int port() const { return port_; }
  const std::string& address() const { return address_; }
  // "http://127.0.0.1:PORT"
  std::string BaseUrl() const;
  // BaseUrl() + path_and_query (which starts with "/").
  std::string Url(std::string_view path_and_query) const;
  // "127.0.0.1:PORT": the client's host key and a config "hosts" pattern for this server.
  std::string HostPort() const;

  // --- programming (replaces any earlier route of the same path) ---
  // Every request to path gets reply.
  void Route(const std::string& path, Reply reply);
  // The n-th request to path gets replies[n]; the last one repeats.
  void RouteSequence(const std::string& path, std::vector<Reply> replies);
  // Each request to path is answered by handler (on the connection's thread).
  void RouteHandler(const std::string& path, Handler handler);
  // Requests under prefix ("/arxiv/abs/") that match no exact route are answered by handler;
  // the longest matching prefix wins.
  void RoutePrefix(const std::string& prefix, Handler handler);
  // Latency added to every reply of every route (on top of the reply's own).
  void SetLatencyMs(int64_t ms);
  // Serves text as /robots.txt.
  void ServeRobots(const std::string& text);
  // Serves body at path with ETag etag and Last-Modified last_modified (either may be empty);
  // answers 304 without a body when If-None-Match equals etag or If-Modified-Since equals
  // last_modified.
  void ServeConditional(const std::string& path, std::string body, std::string etag,
                        std::string last_modified);

  // --- observations ---
  std::vector<ServerRequest> Requests() const;
  std::vector<ServerRequest> RequestsFor(const std::string& path) const;
  size_t Count(const std::string& path) const;
  size_t TotalCount() const;
  // Highest number of requests being served at once (all paths, or excluding /robots.txt).
  int MaxInFlight(bool include_robots = true) const;
  // Waits until at least n requests have arrived; false on timeout.
  bool WaitForRequests(size_t n, int64_t timeout_ms) const;
  // Forgets recorded requests (routes stay).
  void ClearRequests();

  // Shortest gap between consecutive arrivals in requests (sorted by arrival); INT64_MAX when
  // there are fewer than two.
  static int64_t MinGapMicros(std::vector<ServerRequest> requests);
  // Highest number of the given requests overlapping in time (arrival to finish).
  static int MaxOverlap(const std::vector<ServerRequest>& requests);
  // Microseconds of a monotonic clock (the one arrival_us uses).
  static int64_t NowMicros();

  // A valid gzip member holding data (stored, uncompressed deflate blocks): for
  // Content-Encoding: gzip / x-gzip bodies.
  static std::string Gzip(std::string_view data);

 private:
  struct Route_ {
    std::vector<Reply> sequence;
    Handler handler;
    size_t served = 0;
  };

  void AcceptLoop();
  void ServeConnection(int fd, int connection_id);
  // Sleeps up to ms; returns false when the server is stopping.
  bool Sleep(int64_t ms) const;
  Reply Answer(const ServerRequest& request);
  void Finish(size_t index);

  std::string address_;
  int port_ = 0;
  int listen_fd_ = -1;
  int wake_pipe_[2] = {-1, -1};
  std::thread acceptor_;

  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  bool stopping_ = false;                   // guarded by mu_
  std::map<std::string, Route_> routes_;    // guarded by mu_
  std::map<std::string, Handler> prefix_routes_;  // guarded by mu_
  int64_t latency_ms_ = 0;                  // guarded by mu_
  std::vector<ServerRequest> requests_;     // guarded by mu_
  size_t record_base_ = 0;                  // guarded by mu_ (index of requests_[0] after Clear)
  int in_flight_ = 0;                       // guarded by mu_
  int next_connection_ = 0;                 // guarded by mu_
  std::vector<int> connection_fds_;         // guarded by mu_
  std::vector<std::thread> connection_threads_;  // guarded by mu_
};

}  // namespace alcor::testing
