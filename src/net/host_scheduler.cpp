#include "net/host_scheduler.hpp"

#include <algorithm>

#include "alcor/env.hpp"

namespace alcor {

int64_t HostScheduler::Now() const { return env_->MonotonicMicros(); }

void HostScheduler::AddHost(const std::string& host, int concurrency, int64_t interval_us) {
  if (HasHost(host)) return;
  Host& h = hosts_[host];
  h.concurrency = std::max(1, concurrency);
  h.interval_us = std::max<int64_t>(0, interval_us);
}

void HostScheduler::RaiseInterval(const std::string& host, int64_t interval_us) {
  Host& h = hosts_[host];
  h.interval_us = std::max(h.interval_us, interval_us);
}

int64_t HostScheduler::interval_us(const std::string& host) const {
  auto it = hosts_.find(host);
  return it == hosts_.end() ? 0 : it->second.interval_us;
}

bool HostScheduler::IntervalPending(const std::string& host) const {
  auto it = hosts_.find(host);
  if (it == hosts_.end() || !it->second.started_once) return false;
  return Now() < it->second.last_start_us + it->second.interval_us;
}

void HostScheduler::Enqueue(const std::string& host, Ticket ticket, bool front) {
  Host& h = hosts_[host];
  if (front) {
    h.queue.push_front(ticket);
  } else {
    h.queue.push_back(ticket);
  }
}

void HostScheduler::Defer(const std::string& host, Ticket ticket, int64_t delay_us) {
  deferred_.emplace(Now() + std::max<int64_t>(0, delay_us), Deferred{host, ticket});
}

void HostScheduler::ReleaseDue(int64_t now) {
  // Due in time order: of two retries of one host, the earlier goes first.
  std::vector<Deferred> due;
  while (!deferred_.empty() && deferred_.begin()->first <= now) {
    due.push_back(std::move(deferred_.begin()->second));
    deferred_.erase(deferred_.begin());
  }
  for (auto it = due.rbegin(); it != due.rend(); ++it) Enqueue(it->host, it->ticket, /*front=*/true);
}

bool HostScheduler::MayStart(const Host& h, int64_t now) const {
  return !h.queue.empty() && h.in_flight < h.concurrency &&
         (!h.started_once || now >= h.last_start_us + h.interval_us);
}

std::optional<HostScheduler::Start> HostScheduler::NextStart() {
  int64_t now = Now();
  ReleaseDue(now);
  for (auto& [key, h] : hosts_) {
    if (!MayStart(h, now)) continue;
    Start s{key, h.queue.front(), ++h.in_flight};
    h.queue.pop_front();
    h.started_once = true;
    h.last_start_us = now;
    return s;
  }
  return std::nullopt;
}

void HostScheduler::Finished(const std::string& host) {
  auto it = hosts_.find(host);
  if (it != hosts_.end() && it->second.in_flight > 0) it->second.in_flight--;
}

int HostScheduler::in_flight(const std::string& host) const {
  auto it = hosts_.find(host);
  return it == hosts_.end() ? 0 : it->second.in_flight;
}

int64_t HostScheduler::MicrosUntilNext(int64_t max_us) const {
  int64_t now = Now();
  int64_t wait = max_us;
  if (!deferred_.empty()) wait = std::min(wait, deferred_.begin()->first - now);
  for (const auto& [key, h] : hosts_) {
    if (h.queue.empty() || h.in_flight >= h.concurrency) continue;
    wait = std::min(wait, h.started_once ? h.last_start_us + h.interval_us - now : 0);
  }
  return std::max<int64_t>(0, wait);
}

std::vector<HostScheduler::Ticket> HostScheduler::TakeAll() {
  std::vector<Ticket> out;
  for (auto& [key, h] : hosts_) {
    out.insert(out.end(), h.queue.begin(), h.queue.end());
    h.queue.clear();
  }
  for (auto& [due, d] : deferred_) out.push_back(d.ticket);
  deferred_.clear();
  return out;
}

}  // namespace alcor
