#include <otpsim/core/behaviours/registry_names.hpp>

#include <otpsim/core/behaviours/registry.hpp>

namespace otp::names {

Task<std::optional<Term>> register_self(Process& self, const Name& name) {
  auto where = [](Pid holder) { return holder ? Term(holder) : atom("undefined"); };
  if (name.via_registry.empty()) {
    if (self.register_name(name.local)) co_return std::nullopt;
    co_return where(self.whereis(name.local));
  }
  auto r = co_await registry::register_key(self, name.via_registry, name.key, atom("nil"));
  if (r.is_ok()) co_return std::nullopt;
  co_return where(r.holder);
}

Task<Pid> whereis(Process& self, const Name& name) {
  if (name.via_registry.empty()) co_return self.whereis(name.local);
  co_return co_await registry::whereis_name(self, name.via_registry, name.key);
}

Task<void> unregister_self(Process& self, const Name& name) {
  if (name.empty()) co_return;
  if (name.via_registry.empty()) {
    if (self.registered_name() == name.local) self.unregister_name();
    co_return;
  }
  co_await registry::unregister(self, name.via_registry, name.key);
}

void send_via(Process& self, const Name& name, Message msg) {
  registry::send_to_key(self, name.via_registry, name.key, std::move(msg));
}

}  // namespace otp::names
