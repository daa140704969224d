#include "rt/rt_world.hpp"

namespace otp::rt {

RtWorld::RtWorld(unsigned threads) : exec_(threads), node_(std::make_unique<Node>(exec_)) {
  node_->set_exit_observer([this](Pid) {
    std::lock_guard lock(mu_);
    exited_.notify_all();
  });
  exec_.start(*node_);
}

RtWorld::~RtWorld() {
  exec_.stop();
  node_.reset();
}

bool RtWorld::wait_exit(Pid pid, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return exited_.wait_for(lock, timeout, [&] { return !node_->alive(pid); });
}

}  // namespace otp::rt
