// Section 5, "DynamicSupervisor for runtime children": user sessions started on demand under a
// DynamicSupervisor (S40) and found by user id through {via, Registry, {sessions_registry, Id}}
// (S60). Starting a session twice finds the first; a crashed session comes back under the same
// name with an empty cart; a logged-out (transient, normal exit) one is gone for good.
#include <otpsim/core/behaviours/dynamic_supervisor.hpp>
#include <otpsim/core/behaviours/registry.hpp>
#include <otpsim/core/behaviours/supervisor.hpp>

#include "guide.hpp"

using namespace otp;
using guide::say, guide::show;

namespace {

// A shopping session: call {add, Item} -> the cart; cast crash -> raises.
class Session : public GenServer {
  std::vector<Term> cart_;
  Task<Result> handle_call(Process&, Message m, From) override {
    const Term& req = *m.get<Term>();
    if (req.is_tuple(2) && req[0].is_atom("add")) cart_.push_back(req[1]);
    co_return Result::reply(Term::list(cart_));
  }
  Task<Result> handle_cast(Process&, Message) override { throw std::runtime_error("boom"); }
};

Name via(const char* user) { return {.via_registry = "sessions_registry", .key = str(user)}; }

// SessionSupervisor.start_session(user): DynamicSupervisor.start_child(SessionSupervisor, {Session, user})
Task<Term> start_session(Process& self, const char* user) {
  dynamic_supervisor::ChildSpec spec{
      .start = [name = via(user)](Process& sup, std::vector<Term>) {
        return gen_server::start_link(sup, [] { return std::make_unique<Session>(); }, {.name = name});
      },
      .restart = Restart::transient};
  co_return co_await dynamic_supervisor::start_child(self, "sessions", spec);
}

Task<std::string> add(Process& self, const char* user, const char* item) {
  co_return show(*(co_await gen_server::call(self, via(user), tuple(atom("add"), atom(item)))).get<Term>());
}

}  // namespace

int main() {
  return guide::run([](Process& self) -> Task<void> {
    // children = [{Registry, keys: :unique, name: SessionRegistry}, SessionSupervisor]
    ChildSpec reg{.id = atom("registry"),
                  .start = [](Process& sup) { return registry::start_link(sup, {.name = "sessions_registry"}); }};
    ChildSpec sessions{.id = atom("sessions"), .type = ChildType::supervisor};
    sessions.start = [](Process& sup) {
      return dynamic_supervisor::start_link(sup, {.max_children = 2}, {.name = {.local = "sessions"}});
    };
    co_await supervisor::start_link(self, {.strategy = Strategy::rest_for_one}, {reg, sessions});

    say(self, "start_session(alice) -> " + show(co_await start_session(self, "alice")));
    say(self, "start_session(alice) -> " + show(co_await start_session(self, "alice")));
    say(self, "start_session(bob)   -> " + show(co_await start_session(self, "bob")));
    say(self, "start_session(carol) -> " + show(co_await start_session(self, "carol")));
    say(self, "alice adds book      -> " + co_await add(self, "alice", "book"));
    say(self, "alice adds pen       -> " + co_await add(self, "alice", "pen"));
    say(self, "bob adds tea         -> " + co_await add(self, "bob", "tea"));

    Pid alice = co_await registry::whereis_name(self, "sessions_registry", str("alice"));
    gen_server::cast(self, via("alice"), atom("crash"));
    co_await self.sleep(1);
    Pid again = co_await registry::whereis_name(self, "sessions_registry", str("alice"));
    say(self, "alice crashed: " + show(alice) + " -> " + show(again) + ", cart " + co_await add(self, "alice", "cup"));

    co_await gen_server::stop(self, via("bob"));  // logout: a normal exit, not restarted
    co_await self.sleep(1);
    say(self, "bob logged out; count_children -> " + show(co_await dynamic_supervisor::count_children(self, "sessions")));
    say(self, "which_children -> " + show(co_await dynamic_supervisor::which_children(self, "sessions")));
    try {
      co_await add(self, "bob", "jam");
    } catch (const Exit& e) {
      say(self, "bob adds jam: the caller exits with\n          " + show(e.reason()));
    }
  });
}
