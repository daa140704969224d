// Section 9, "Registry and named processes", pub/sub part: a Registry with duplicate keys is a
// local pub/sub (S60). Subscribers register under a topic, dispatch calls a function in the
// publisher with every entry of the topic, and a subscriber's entries go when it exits.
#include <otpsim/core/behaviours/registry.hpp>
#include <otpsim/core/behaviours/supervisor.hpp>

#include "guide.hpp"

using namespace otp;
using guide::say, guide::show;

namespace {

// A subscriber: registers under its topics, tells `parent` it is ready, then prints what it gets.
Body subscriber(const char* name, std::vector<const char*> topics, Pid parent) {
  return [name, topics, parent](Process& self) -> Proc {
    for (const char* topic : topics) co_await registry::register_key(self, "pubsub", str(topic), atom(name));
    self.send(parent, atom("ready"));
    while (true) {
      Term msg = (co_await self.receive_any())->to_term();
      if (msg.is_atom("unsubscribe")) {
        co_await registry::unregister(self, "pubsub", str("orders"));
        self.send(parent, atom("ready"));
      } else {
        say(self, std::string("  ") + name + " got " + show(msg));
      }
    }
  };
}

// Registry.dispatch(PubSub, topic, fn entries -> for {pid, _} <- entries, do: send(pid, msg) end)
// As in Elixir, the function is not called at all when the topic has no entries.
Task<void> publish(Process& self, const char* topic, Term msg) {
  std::string to;
  co_await registry::dispatch(self, "pubsub", str(topic), [&](const registry::Entries& entries) {
    for (const auto& [pid, value] : entries) {
      self.send(pid, tuple(atom("broadcast"), str(topic), msg));
      to += " " + show(value);
    }
  });
  say(self, "publish " + std::string(topic) + " " + show(msg) + " to" + (to.empty() ? " nobody" : to));
  co_await self.sleep(1);
}

}  // namespace

int main() {
  return guide::run([](Process& self) -> Task<void> {
    // {Registry, keys: :duplicate, name: PubSub}
    ChildSpec pubsub{.id = atom("pubsub"), .start = [](Process& sup) {
                       return registry::start_link(sup, {.name = "pubsub", .keys = registry::Keys::duplicate});
                     }};
    co_await supervisor::start_link(self, {}, {pubsub});

    auto ready = [](const Message& m) { return m.get<Term>() && m.get<Term>()->is_atom("ready"); };
    Pid ann = self.spawn(subscriber("ann", {"orders"}, self.self()));
    co_await self.receive(ready);
    Pid bob = self.spawn(subscriber("bob", {"orders", "payments"}, self.self()));
    co_await self.receive(ready);
    self.spawn(subscriber("cid", {"payments"}, self.self()));
    co_await self.receive(ready);
    say(self, "subscribers to orders: " + std::to_string((co_await registry::lookup(self, "pubsub", str("orders"))).size()) +
                  ", bob's keys: " + show(Term::list(co_await registry::keys(self, "pubsub", bob))));

    co_await publish(self, "orders", integer(42));
    co_await publish(self, "payments", integer(7));

    self.send(ann, atom("unsubscribe"));  // Registry.unregister(PubSub, "orders")
    co_await self.receive(ready);
    co_await publish(self, "orders", integer(43));

    self.exit(bob, reasons::kill());  // a dead subscriber's entries vanish with it
    co_await self.sleep(1);
    co_await publish(self, "orders", integer(44));
    co_await publish(self, "payments", integer(8));
    say(self, "entries left: " + std::to_string(co_await registry::count(self, "pubsub")));
  });
}
