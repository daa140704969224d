#include <otpsim/rt/rt_world.hpp>

#include <algorithm>

namespace otp::rt {

RtWorld::RtWorld(unsigned threads, std::chrono::nanoseconds share_after)
    : exec_(threads, share_after), node_(std::make_unique<Node>(exec_)) {
  node_->set_exit_observer([this](Pid pid) {
    std::lock_guard lock(mu_);
    if (std::find(awaited_.begin(), awaited_.end(), pid) != awaited_.end()) exited_.notify_all();
  });
  exec_.start(*node_);
}

RtWorld::~RtWorld() {
  exec_.stop();
  node_.reset();
}

bool RtWorld::wait_exit(Pid pid, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  awaited_.push_back(pid);
  bool exited = exited_.wait_for(lock, timeout, [&] { return !node_->alive(pid); });
  awaited_.erase(std::find(awaited_.begin(), awaited_.end(), pid));
  return exited;
}

}  // namespace otp::rt
