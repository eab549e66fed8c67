// SignalWatcher (alcor/pipeline.hpp): a self-pipe turns SIGINT/SIGTERM into a call on a normal
// thread. A second signal while the first is being handled exits at once with 130: the store is
// crash safe, so a user who insists loses only what was not committed yet.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "alcor/pipeline.hpp"

namespace alcor {

namespace {
int g_pipe_write = -1;
std::atomic<int> g_received{0};

void OnSignal(int sig) {
  int expected = 0;
  if (!g_received.compare_exchange_strong(expected, sig)) ::_exit(130);
  if (g_pipe_write >= 0) {
    char byte = static_cast<char>(sig);
    ssize_t ignored = ::write(g_pipe_write, &byte, 1);
    (void)ignored;
  }
}
}  // namespace

struct SignalWatcher::Impl {
  int fds[2] = {-1, -1};
  struct sigaction old_int {};
  struct sigaction old_term {};
  std::thread thread;
};

SignalWatcher::SignalWatcher(std::function<void(int)> on_signal) : impl_(std::make_unique<Impl>()) {
  g_received = 0;
  if (::pipe2(impl_->fds, O_CLOEXEC) != 0) return;
  g_pipe_write = impl_->fds[1];
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  ::sigaction(SIGINT, &sa, &impl_->old_int);
  ::sigaction(SIGTERM, &sa, &impl_->old_term);
  int read_fd = impl_->fds[0];
  impl_->thread = std::thread([read_fd, on_signal = std::move(on_signal)] {
    char byte;
    while (true) {
      ssize_t n = ::read(read_fd, &byte, 1);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0 || byte == 0) return;  // 0: the destructor's wake-up
      on_signal(static_cast<unsigned char>(byte));
    }
  });
}

SignalWatcher::~SignalWatcher() {
  if (impl_->fds[0] < 0) return;
  ::sigaction(SIGINT, &impl_->old_int, nullptr);
  ::sigaction(SIGTERM, &impl_->old_term, nullptr);
  char zero = 0;
  ssize_t ignored = ::write(impl_->fds[1], &zero, 1);
  (void)ignored;
  impl_->thread.join();
  g_pipe_write = -1;
  ::close(impl_->fds[0]);
  ::close(impl_->fds[1]);
}

int SignalWatcher::received() const { return g_received.load(); }

}  // namespace alcor
