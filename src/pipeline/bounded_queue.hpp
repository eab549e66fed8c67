// A bounded multi-producer multi-consumer queue: the stages of the scrape pipeline hand
// documents over through these, so a fast stage waits for a slow one instead of piling up memory.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>

namespace alcor {

template <typename T>
class BoundedQueue {
 public:
  explicit BoundedQueue(size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

  // Blocks while full. False (item dropped) once the queue is closed.
  bool Push(T item) {
    std::unique_lock<std::mutex> lock(mu_);
    not_full_.wait(lock, [&] { return closed_ || items_.size() < capacity_; });
    if (closed_) return false;
    items_.push_back(std::move(item));
    not_empty_.notify_one();
    return true;
  }

  enum class PopResult { kItem, kTimeout, kClosed };
  // Waits up to timeout for an item. kClosed once closed and drained.
  PopResult PopFor(T* item, std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    if (!not_empty_.wait_for(lock, timeout, [&] { return closed_ || !items_.empty(); })) {
      return PopResult::kTimeout;
    }
    if (items_.empty()) return PopResult::kClosed;
    *item = std::move(items_.front());
    items_.pop_front();
    not_full_.notify_one();
    return PopResult::kItem;
  }
  // Blocks for an item; false once closed and drained.
  bool Pop(T* item) {
    while (true) {
      PopResult r = PopFor(item, std::chrono::milliseconds(1000));
      if (r == PopResult::kItem) return true;
      if (r == PopResult::kClosed) return false;
    }
  }

  // Producers' Push fails from now on; consumers drain what is queued.
  void Close() {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    not_full_.notify_all();
    not_empty_.notify_all();
  }

 private:
  const size_t capacity_;
  std::mutex mu_;
  std::condition_variable not_full_;
  std::condition_variable not_empty_;
  std::deque<T> items_;
  bool closed_ = false;
};

}  // namespace alcor
