#pragma once
// Test helpers shared by the kernel tests: a process that holds a registered name.
#include <string>

#include <otpsim/sim/world.hpp>

namespace otp::test_support {

// A process that registers `name` and tells its starter so; then `unregister` gives the name
// up, {die, R} exits R, and anything else goes back to the starter as {got, Self, Msg}.
inline Task<Pid> start_holder(Process& self, std::string name) {
  Pid parent = self.self();
  Pid p = self.spawn([parent, name](Process& h) -> Proc {
    EXPECT_TRUE(h.register_name(name));
    h.send(parent, tuple(atom("ready"), h.self()));
    for (;;) {
      Term t = (co_await h.receive_any())->to_term();
      if (t == atom("unregister")) {
        h.unregister_name();
      } else if (t.kind() == Term::Kind::tuple && t[0] == atom("die")) {
        h.exit(t[1]);
      } else {
        h.send(parent, tuple(atom("got"), h.self(), t));
      }
    }
  });
  co_await self.receive([p](const Message& m) { return m.to_term() == tuple(atom("ready"), p); });
  co_return p;
}

// The next {got, From, Msg} from `from` within `ms`, as a string ("nothing" if none came).
inline Task<std::string> got_from(Process& self, Pid from, Timeout ms) {
  auto m = co_await self.receive(
      [from](const Message& m) {
        Term t = m.to_term();
        return t.kind() == Term::Kind::tuple && t.size() == 3 && t[0] == atom("got") && t[1] == Term(from);
      },
      ms);
  co_return m ? m->to_term()[2].to_string() : "nothing";
}

}  // namespace otp::test_support
