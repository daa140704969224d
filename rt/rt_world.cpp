#include <otpsim/rt/rt_world.hpp>

#include <otpsim/rt/asymmetric_fence.hpp>

namespace otp::rt {

RtWorld::RtWorld(unsigned threads, std::chrono::nanoseconds share_after)
    : exec_(threads, share_after), node_(std::make_unique<Node>(exec_)) {
  node_->set_exit_observer([this](Pid pid) { exit_seen(pid); });
  exec_.start(*node_);
}

RtWorld::~RtWorld() {
  exec_.stop();
  node_.reset();
}

// On the exiting process's thread, after its pid is dead. Pairs with the heavy fence in
// wait_exit: either this sees the pid watched, or the waiter then sees it dead.
void RtWorld::exit_seen(Pid pid) {
  light_fence();
  bool wanted = crowded_.load(std::memory_order_relaxed) > 0;
  for (auto& w : watched_) wanted = wanted || w.load(std::memory_order_relaxed) == pid.id;
  if (!wanted) return;
  std::lock_guard lock(mu_);
  exited_.notify_all();
}

bool RtWorld::wait_exit(Pid pid, std::chrono::milliseconds timeout) {
  std::atomic<uint64_t>* place = nullptr;
  for (auto& w : watched_) {
    uint64_t free = 0;
    if (w.compare_exchange_strong(free, pid.id)) {
      place = &w;
      break;
    }
  }
  if (!place) crowded_.fetch_add(1);
  heavy_fence();
  bool exited;
  {
    std::unique_lock lock(mu_);
    exited = exited_.wait_for(lock, timeout, [&] { return node_->released(pid); });
  }
  if (place) place->store(0);
  else crowded_.fetch_sub(1);
  return exited;
}

}  // namespace otp::rt
