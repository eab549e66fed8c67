// FakeClockEnv: an Env whose clock moves only when a test (or a sleeper) moves it. NowMicros and
// MonotonicMicros read one manual clock; SleepMicros advances that clock by the requested time and
// returns at once, and records the request. Code that paces itself through Env (politeness delays,
// retry back-off) is then tested in no real time and with exact times to assert on. Files go to
// the base Env (the real one by default).
//
// Thread safety: all methods may be called concurrently; concurrent sleepers each advance the
// clock by their own request.
#pragma once

#include <cstdint>
#include <mutex>
#include <vector>

#include "alcor_testing/forwarding_env.hpp"

namespace alcor::testing {

class FakeClockEnv : public ForwardingEnv {
 public:
  // The clock starts at start_micros, both as wall-clock time (microseconds since the Unix epoch)
  // and as monotonic time.
  explicit FakeClockEnv(int64_t start_micros = 1'700'000'000'000'000, Env* base = Env::Default())
      : ForwardingEnv(base), now_(start_micros) {}

  int64_t NowMicros() override;
  int64_t MonotonicMicros() override;
  // Advances the clock by micros (negative or zero: no change) without waiting.
  void SleepMicros(int64_t micros) override;

  // Moves the clock forward by micros (negative: no change).
  void Advance(int64_t micros);
  // Every SleepMicros request received, in order.
  std::vector<int64_t> sleeps() const;

 private:
  mutable std::mutex mu_;
  int64_t now_;
  std::vector<int64_t> sleeps_;
};

}  // namespace alcor::testing
