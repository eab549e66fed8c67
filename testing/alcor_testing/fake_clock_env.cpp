#include "alcor_testing/fake_clock_env.hpp"

namespace alcor::testing {

int64_t FakeClockEnv::NowMicros() {
  std::lock_guard<std::mutex> l(mu_);
  return now_;
}

int64_t FakeClockEnv::MonotonicMicros() { return NowMicros(); }

void FakeClockEnv::SleepMicros(int64_t micros) {
  std::lock_guard<std::mutex> l(mu_);
  sleeps_.push_back(micros);
  if (micros > 0) now_ += micros;
}

void FakeClockEnv::Advance(int64_t micros) {
  std::lock_guard<std::mutex> l(mu_);
  if (micros > 0) now_ += micros;
}

std::vector<int64_t> FakeClockEnv::sleeps() const {
  std::lock_guard<std::mutex> l(mu_);
  return sleeps_;
}

}  // namespace alcor::testing
