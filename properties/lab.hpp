#pragma once
// A test lab for supervisors: workers that record start/stop events into a shared log,
// can be told to fail their next start, and crash on request.
#include <map>
#include <string>
#include <vector>

#include <otpsim/core/behaviours/supervisor.hpp>
#include <otpsim/sim/world.hpp>

namespace lab {
using namespace otp;

struct Lab {
  std::vector<std::string> events;
  std::map<std::string, std::vector<Term>> next_init;  // per id: queued init outcomes
  std::string joined() const {
    std::string s;
    for (const auto& e : events) s += (s.empty() ? "" : " ") + e;
    return s;
  }
};

// Traps exits so the supervisor's shutdown runs terminate, which logs "stop:id:reason".
class Worker : public GenServer {
 public:
  Worker(Lab& lab, std::string id, bool trap, int64_t stop_delay_ms)
      : lab_(lab), id_(std::move(id)), trap_(trap), stop_delay_ms_(stop_delay_ms) {}
  Task<InitResult> init(Process& self) override {
    auto& q = lab_.next_init[id_];
    if (!q.empty()) {
      Term mode = q.front();
      q.erase(q.begin());
      if (mode.is_atom("ignore")) {
        lab_.events.push_back("ignore:" + id_);
        co_return InitResult::ignore();
      }
      lab_.events.push_back("fail:" + id_);
      co_return InitResult::stop(mode);
    }
    if (trap_) self.trap_exit(true);
    lab_.events.push_back("start:" + id_);
    co_return InitResult::ok();
  }
  Task<Result> handle_cast(Process&, Message m) override {
    const Term& t = *m.get<Term>();  // {crash, Reason}
    lab_.events.push_back("crash:" + id_);
    co_return Result::stop(t[1]);
  }
  Task<Result> handle_call(Process&, Message, From) override { co_return Result::reply(atom("pong")); }
  Task<void> terminate(Process& self, Term reason) override {
    if (stop_delay_ms_ > 0) co_await self.sleep(stop_delay_ms_);
    if (!reason.is_tuple(2) || !reason[0].is_atom("crashed"))
      lab_.events.push_back("stop:" + id_ + ":" + reason.to_string());
  }

 private:
  Lab& lab_;
  std::string id_;
  bool trap_;
  int64_t stop_delay_ms_;
};

struct WorkerOpts {
  Restart restart = Restart::permanent;
  Shutdown shutdown{};
  bool trap = true;
  int64_t stop_delay_ms = 0;
  bool significant = false;
};

inline ChildSpec spec(Lab& lab, const std::string& id, WorkerOpts o = {}) {
  ChildSpec s = worker_spec(atom(id), [&lab, id, o] { return std::make_unique<Worker>(lab, id, o.trap, o.stop_delay_ms); });
  s.restart = o.restart;
  s.shutdown = o.shutdown;
  s.significant = o.significant;
  return s;
}

// The pid of child `id` from which_children, or Pid{} if it has none.
inline Task<Pid> child_pid(Process& self, ServerRef sup, const std::string& id) {
  Term kids = co_await supervisor::which_children(self, sup);
  for (const auto& k : kids.items())
    if (k[0] == atom(id)) co_return k[1].is_pid() ? k[1].pid() : Pid{};
  co_return Pid{};
}

// Crash child `id` with `reason` (it stops itself: terminate runs, then it exits).
inline Task<void> crash(Process& self, ServerRef sup, const std::string& id, Term reason) {
  Pid p = co_await child_pid(self, sup, id);
  gen_server::cast(self, p, tuple(atom("crash"), reason));
  co_await self.sleep(1);  // let the supervisor react: sleeping needs the world to be idle
}

inline Term crashed() { return tuple(atom("crashed"), atom("boom")); }

}  // namespace lab
