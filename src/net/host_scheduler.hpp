// HostScheduler: per-host politeness of the HTTP client, apart from the transfers themselves
// (docs/http.md "Politeness"). It decides when a request may start; the libcurl client decides
// nothing about timing and only runs the transfers it is handed.
//
// Requests are opaque tickets, queued per host key ("host" or "host:port"). For every host:
//   - at most `concurrency` transfers run at once (Started … Finished);
//   - two starts are at least `interval` apart; RaiseInterval (robots.txt Crawl-delay) only ever
//     makes it longer;
//   - a deferred ticket (a retry after backoff or Retry-After) rejoins the front of its host's
//     queue when its time comes, ahead of new work, and still obeys the two rules above.
// Hosts are independent: a slow host never delays another. Time is Env::MonotonicMicros() of the
// Env given, so tests drive it with a fake clock.
// Thread safety: none; the client calls it from its event-loop thread only.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace alcor {

class Env;

class HostScheduler {
 public:
  using Ticket = uint64_t;
  struct Start {
    std::string host;
    Ticket ticket = 0;
    int in_flight = 0;  // transfers of the host running with this one
  };

  explicit HostScheduler(Env* env) : env_(env) {}

  bool HasHost(const std::string& host) const { return hosts_.count(host) != 0; }
  // Declares host's limits (concurrency at least 1, interval at least 0); a known host keeps its own.
  void AddHost(const std::string& host, int concurrency, int64_t interval_us);
  // Makes host's interval interval_us when that is longer (robots.txt Crawl-delay).
  void RaiseInterval(const std::string& host, int64_t interval_us);
  int64_t interval_us(const std::string& host) const;
  // True when host's interval since its last start has not passed yet: a ticket queued now would
  // wait for it (what the client reports as a Crawl-delay wait when robots.txt set the interval).
  bool IntervalPending(const std::string& host) const;

  // Queues ticket for host (AddHost first); front puts it before the host's other tickets.
  void Enqueue(const std::string& host, Ticket ticket, bool front = false);
  // Queues ticket at the front of host's queue once delay_us has passed.
  void Defer(const std::string& host, Ticket ticket, int64_t delay_us);

  // The next ticket that may start now, counted as started (in flight, interval from now); nullopt
  // when none may. Call until nullopt.
  std::optional<Start> NextStart();
  // A started ticket of host ended (its transfer finished or failed).
  void Finished(const std::string& host);
  int in_flight(const std::string& host) const;

  // Microseconds until a deferred ticket is due or a queued one may start (0: now), at most
  // max_us; max_us when nothing waits.
  int64_t MicrosUntilNext(int64_t max_us) const;

  // Removes and returns every queued and deferred ticket (the client is cancelled).
  std::vector<Ticket> TakeAll();

 private:
  struct Host {
    int concurrency = 1;
    int64_t interval_us = 0;
    int in_flight = 0;
    bool started_once = false;
    int64_t last_start_us = 0;
    std::deque<Ticket> queue;
  };
  struct Deferred {
    std::string host;
    Ticket ticket;
  };

  int64_t Now() const;
  void ReleaseDue(int64_t now);
  bool MayStart(const Host& h, int64_t now) const;

  Env* const env_;
  std::map<std::string, Host> hosts_;
  std::multimap<int64_t, Deferred> deferred_;  // by due time
};

}  // namespace alcor
