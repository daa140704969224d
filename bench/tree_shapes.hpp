#pragma once
// Deep and wide supervision trees, for the cost of starting and stopping a tree as a function
// of its size: a chain of `depth` nested one_for_one supervisors with a worker at the bottom, or
// one supervisor with `width` workers. The root body starts the tree and then stops it.
#include <otpsim/core/behaviours/supervisor.hpp>

namespace otp::bench {

class Idle : public GenServer {};

inline ChildSpec idle_worker(int64_t i) {
  return worker_spec(integer(i), [] { return std::make_unique<Idle>(); });
}

inline ChildSpec deep_chain(int64_t depth) {
  ChildSpec spec = idle_worker(0);
  for (int64_t level = 1; level <= depth; ++level) spec = supervisor::supervisor_spec(integer(level), {}, {std::move(spec)});
  return spec;
}

inline Body start_and_stop_tree(std::vector<ChildSpec> children) {
  return [children = std::move(children)](Process& self) mutable -> Proc {
    self.trap_exit(true);
    StartResult sup = co_await supervisor::start_link(self, {}, std::move(children));
    if (!sup.pid) throw std::runtime_error("tree did not start: " + sup.to_term().to_string());
    Ref m = self.monitor(sup.pid);
    self.exit(sup.pid, atom("shutdown"));
    co_await self.receive([m](const Message& msg) {
      const auto* d = msg.get<DownMsg>();
      return d && d->ref == m;
    });
  };
}

inline Body deep_tree(int64_t depth) { return start_and_stop_tree({deep_chain(depth)}); }

inline Body wide_tree(int64_t width) {
  std::vector<ChildSpec> kids;
  kids.reserve(static_cast<size_t>(width));
  for (int64_t i = 0; i < width; ++i) kids.push_back(idle_worker(i));
  return start_and_stop_tree(std::move(kids));
}

}  // namespace otp::bench
