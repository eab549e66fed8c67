// bench_http: throughput and politeness of the libcurl HttpClient against loopback servers.
//
// N requests spread round-robin over H servers (distinct ports on 127.0.0.1, each one a host to
// the client), every answer delayed by L ms, per-host concurrency C, no interval. The servers
// run in a child process so the CPU time measured here is the client's alone. Prints achieved
// requests per second against the theoretical maximum H*C/L, and per host the highest
// concurrency and the shortest interval between request arrivals that the servers observed.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <future>
#include <string>
#include <vector>

#include "alcor/http.hpp"
#include "alcor/log.hpp"
#include "alcor_testing/test_server.hpp"

namespace {

using alcor::testing::Reply;
using alcor::testing::ServerRequest;
using alcor::testing::TestServer;

struct HostReport {
  int port = 0;
  size_t requests = 0;
  int max_in_flight = 0;
  int64_t min_gap_us = 0;
};

bool ReadAll(int fd, void* data, size_t size) {
  char* p = static_cast<char*>(data);
  while (size > 0) {
    ssize_t n = ::read(fd, p, size);
    if (n <= 0) return false;
    p += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

bool WriteAll(int fd, const void* data, size_t size) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = ::write(fd, p, size);
    if (n <= 0) return false;
    p += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

// Child: serve until the parent says "done", then report what the servers saw.
[[noreturn]] void RunServers(int hosts, int latency_ms, int to_parent, int from_parent) {
  std::vector<std::unique_ptr<TestServer>> servers;
  for (int i = 0; i < hosts; ++i) {
    servers.push_back(std::make_unique<TestServer>());
    servers.back()->Route("/item", Reply::Text(std::string(2048, 'x'), "text/html"));
    servers.back()->SetLatencyMs(latency_ms);
    int port = servers.back()->port();
    WriteAll(to_parent, &port, sizeof(port));
  }
  char done;
  ReadAll(from_parent, &done, 1);
  for (auto& server : servers) {
    std::vector<ServerRequest> items = server->RequestsFor("/item");
    HostReport r;
    r.port = server->port();
    r.requests = items.size();
    r.max_in_flight = TestServer::MaxOverlap(items);
    r.min_gap_us = TestServer::MinGapMicros(items);
    WriteAll(to_parent, &r, sizeof(r));
  }
  servers.clear();
  std::_Exit(0);
}

double CpuSeconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Benchmark of the HTTP client against loopback servers"};
  int requests = 2000, hosts = 4, concurrency = 4, latency_ms = 50;
  double target = 0.85;
  app.add_option("--requests", requests, "total requests")->check(CLI::Range(1, 1000000));
  app.add_option("--hosts", hosts, "loopback servers (one host each)")->check(CLI::Range(1, 64));
  app.add_option("--concurrency", concurrency, "per-host concurrency limit")->check(CLI::Range(1, 64));
  app.add_option("--latency-ms", latency_ms, "server delay per answer")->check(CLI::Range(1, 10000));
  app.add_option("--target", target, "fraction of the theoretical maximum to reach");
  CLI11_PARSE(app, argc, argv);
  alcor::InitLogging({alcor::LogFormat::kText, /*quiet=*/true, false});
  ::setenv("no_proxy", "*", 1);

  int up[2], down[2];
  if (::pipe(up) != 0 || ::pipe(down) != 0) return 1;
  pid_t child = ::fork();
  if (child < 0) return 1;
  if (child == 0) {
    ::close(up[0]);
    ::close(down[1]);
    RunServers(hosts, latency_ms, up[1], down[0]);
  }
  ::close(up[1]);
  ::close(down[0]);
  std::vector<int> ports(hosts);
  for (int& port : ports) {
    if (!ReadAll(up[0], &port, sizeof(port))) return 1;
  }

  alcor::HttpOptions options;
  for (int port : ports) {
    options.hosts["127.0.0.1:" + std::to_string(port)] = alcor::HostRule{concurrency, 0.0, {}};
  }
  auto client_or = alcor::NewCurlHttpClient(options);
  if (!client_or.ok()) {
    std::fprintf(stderr, "bench_http: %s\n", client_or.status().ToString().c_str());
    return 1;
  }
  std::unique_ptr<alcor::HttpClient> client = std::move(client_or).value();

  double cpu_start = CpuSeconds();
  int64_t start = TestServer::NowMicros();
  std::vector<std::future<alcor::Result<alcor::HttpResponse>>> futures;
  futures.reserve(requests);
  for (int i = 0; i < requests; ++i) {
    std::string url = "http://127.0.0.1:" + std::to_string(ports[i % hosts]) + "/item?n=" +
                      std::to_string(i);
    futures.push_back(client->FetchAsync(alcor::HttpRequest::Get(url)));
  }
  int failures = 0;
  for (auto& f : futures) {
    if (!f.get().ok()) ++failures;
  }
  double seconds = static_cast<double>(TestServer::NowMicros() - start) / 1e6;
  double cpu = CpuSeconds() - cpu_start;
  alcor::HttpStats stats = client->Stats();
  client.reset();

  char done = 1;
  WriteAll(down[1], &done, 1);
  std::vector<HostReport> reports(hosts);
  for (HostReport& r : reports) ReadAll(up[0], &r, sizeof(r));
  int status = 0;
  ::waitpid(child, &status, 0);

  double theoretical = hosts * concurrency / (latency_ms / 1000.0);
  double achieved = requests / seconds;
  double fraction = achieved / theoretical;
  std::printf("requests      %d over %d hosts, latency %d ms, concurrency %d per host, no interval\n",
              requests, hosts, latency_ms, concurrency);
  std::printf("elapsed       %.2f s (robots.txt fetch of each host included)\n", seconds);
  std::printf("throughput    %.1f req/s of theoretical %.1f = %.1f%% (target %.0f%%)\n", achieved,
              theoretical, 100 * fraction, 100 * target);
  std::printf("client cpu    %.3f s = %.1f us per request\n", cpu, 1e6 * cpu / requests);
  std::printf("failures      %d\n", failures);
  bool within_limits = true;
  for (const HostReport& r : reports) {
    std::string key = "127.0.0.1:" + std::to_string(r.port);
    std::printf("host %-16s requests %zu  max concurrency %d (limit %d)  min interval %.2f ms (limit 0)  client max in flight %d\n",
                key.c_str(), r.requests, r.max_in_flight, concurrency, r.min_gap_us / 1000.0,
                stats.hosts[key].max_in_flight);
    if (r.max_in_flight > concurrency) within_limits = false;
  }
  bool ok = failures == 0 && within_limits && fraction >= target;
  std::printf("result        %s\n", ok ? "PASS" : (within_limits ? "BELOW TARGET OR FAILURES" : "LIMIT EXCEEDED"));
  return ok ? 0 : 1;
}
