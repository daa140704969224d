#pragma once
// Name resolution for behaviours: local registered names (S7) and {via, Registry, {Reg, Key}}
// names (S60). Via names go through the Registry process, so they are Tasks.
#include <otpsim/core/behaviours/gen_server.hpp>

namespace otp::names {

// Registers the calling process under `name`; returns nothing on success, or what gen's
// where(Name) answers on a refusal: the pid that holds the name, or `undefined` when nobody does
// (the name `undefined` itself), for the caller's {error, {already_started, Holder}}.
Task<std::optional<Term>> register_self(Process& self, const Name& name);
Task<Pid> whereis(Process& self, const Name& name);
// Gives up `name` if the calling process holds it (gen:unregister_name); nothing if empty.
Task<void> unregister_self(Process& self, const Name& name);
// Sends to a via name; dropped when nobody holds it (like a cast).
void send_via(Process& self, const Name& name, Message msg);

}  // namespace otp::names
