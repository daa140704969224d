#pragma once
// Registry (S60): a process mapping keys to pids (unique or duplicate keys). It links to
// every registering process and traps exits, so entries vanish when owners die -
// asynchronously, as in Elixir: a lookup can still see an owner that has just died.
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <otpsim/core/behaviours/gen_server.hpp>

namespace otp::registry {

enum class Keys : uint8_t { unique, duplicate };

struct Options {
  std::string name{};  // the registry's registered name (required, as in Elixir)
  Keys keys = Keys::unique;
};

using Entries = std::vector<std::pair<Pid, Term>>;

Task<StartResult> start_link(Process& self, Options opts);

// {ok, Owner} | {error, {already_registered, Pid}}
struct RegisterResult {
  Term term{};
  Pid holder{};  // set on already_registered
  bool is_ok() const { return term.is_tuple(2) && term[0].is_atom("ok"); }
};
Task<RegisterResult> register_key(Process& self, ServerRef reg, Term key, Term value);
Task<void> unregister(Process& self, ServerRef reg, Term key);
Task<Entries> lookup(Process& self, ServerRef reg, Term key);
// The keys pid holds, the newest first (as Elixir's Registry.keys/2).
Task<std::vector<Term>> keys(Process& self, ServerRef reg, Pid pid);
Task<int64_t> count(Process& self, ServerRef reg);
// Calls fn with every entry under key, in the caller (Registry.dispatch/3).
Task<void> dispatch(Process& self, ServerRef reg, Term key, std::function<void(const Entries&)> fn);
Task<Pid> whereis_name(Process& self, ServerRef reg, Term key);
// Elixir's Registry.send/2: to the owner of a unique key. A key nobody holds exits the caller
// with badarg (Elixir raises it); an unknown registry or a duplicate one is a UsageError (an
// ArgumentError there).
Task<void> send(Process& self, ServerRef reg, Term key, Message msg);
// What a cast through {via, Registry, {Reg, Key}} does: sent through the registry to the key's
// owner, dropped if nobody holds it (GenServer.cast never fails).
void send_to_key(Process& self, ServerRef reg, Term key, Message msg);

}  // namespace otp::registry
