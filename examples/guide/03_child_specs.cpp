// Section 3, "Child specifications": what Elixir's child_spec/1 map holds, as a C++ struct
// with designated initialisers (S22); two Counters told apart by id (Supervisor.child_spec/2
// with id:); the defaults (shutdown 5000 for a worker, infinity for a supervisor); the specs a
// supervisor refuses; and get_childspec on a running supervisor.
#include <otpsim/core/behaviours/supervisor.hpp>

#include "guide.hpp"

using namespace otp;
using guide::say, guide::show;

namespace {

// %{id: id, start: {Counter, :start_link, [initial, [name: id]]}, restart: :transient,
//   shutdown: 10_000, type: :worker}
ChildSpec counter(const char* id, int64_t initial) {
  return ChildSpec{
      .id = atom(id),
      .start = [id, initial](Process& sup) {
        return gen_server::start_link(sup, [initial] { return std::make_unique<guide::Counter>(initial); },
                                      {.name = {.local = id}});
      },
      .restart = Restart::transient,
      .shutdown = Shutdown::timeout(10'000),
      .type = ChildType::worker,
      .modules = {"Counter"},
  };
}

}  // namespace

int main() {
  return guide::run([](Process& self) -> Task<void> {
    say(self, "counter(a, 10)      = " + show(counter("a", 10).to_term()));
    // worker_spec is `use GenServer`'s default child_spec: permanent, shutdown 5000, worker.
    ChildSpec plain = worker_spec(atom("plain"), [] { return std::make_unique<guide::Counter>(); });
    say(self, "worker_spec(plain)  = " + show(plain.to_term()));
    say(self, "supervisor_spec(s)  = " + show(supervisor::supervisor_spec(atom("s"), {}, {}).to_term()));

    // Two Counters, one module: the ids (and names) must differ.
    StartResult sup = co_await supervisor::start_link(self, {}, {counter("a", 10), counter("b", 20)});
    say(self, "two counters        -> " + show(sup.to_term()) + ", a=" +
                  std::to_string(co_await guide::counter_call(self, "a", "get")) + " b=" +
                  std::to_string(co_await guide::counter_call(self, "b", "get")));
    say(self, "get_childspec(b)    -> " + show(co_await supervisor::get_childspec(self, sup.pid, atom("b"))));
    say(self, "get_childspec(zz)   -> " + show(co_await supervisor::get_childspec(self, sup.pid, atom("zz"))));

    // Specs the supervisor refuses before starting anything.
    StartResult dup = co_await supervisor::start_link(self, {}, {counter("a", 1), counter("a", 2)});
    say(self, "duplicate id        -> " + show(dup.to_term()));
    ChildSpec bad = counter("c", 0);
    bad.shutdown = Shutdown::timeout(-1);
    say(self, "shutdown -1         -> " + show((co_await supervisor::start_link(self, {}, {bad})).to_term()));
    say(self, "no start function   -> " +
                  show((co_await supervisor::start_link(self, {}, {ChildSpec{.id = atom("d")}})).to_term()));
  });
}
