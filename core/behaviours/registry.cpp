#include <otpsim/core/behaviours/registry.hpp>

#include <otpsim/core/kernel/node.hpp>
#include <otpsim/core/kernel/process_info.hpp>

#include <map>
#include <vector>

namespace otp::registry {
namespace {

struct Req {
  enum class Op : uint8_t { reg, unreg, lookup, keys, count, whereis } op;
  Term key{};
  Term value{};
  Pid pid{};
  Term to_term() const {
    static constexpr const char* names[] = {"register", "unregister", "lookup", "keys", "count", "whereis_name"};
    return tuple(atom(names[static_cast<int>(op)]), key, value);
  }
};

struct Forward {
  Term key;
  Message msg;
  Term to_term() const { return tuple(atom("forward"), key, msg.to_term()); }
};

class RegistryServer : public GenServer {
 public:
  explicit RegistryServer(Keys keys) : unique_(keys == Keys::unique) {}

  Task<InitResult> init(Process& self) override {
    self.trap_exit(true);
    co_return InitResult::ok();
  }

  Task<Result> handle_call(Process& self, Message request, From from) override {
    const Req& r = *request.get<Req>();
    switch (r.op) {
      case Req::Op::reg: co_return Result::reply(do_register(self, from.pid, r.key, r.value));
      case Req::Op::unreg: do_unregister(self, from.pid, r.key); co_return Result::reply(atom("ok"));
      case Req::Op::lookup: co_return Result::reply(entries_term(r.key));
      case Req::Op::keys: co_return Result::reply(keys_of(r.pid));
      case Req::Op::count: co_return Result::reply(integer(static_cast<int64_t>(entries_.size())));
      case Req::Op::whereis: {
        if (!unique_) co_return Result::reply(atom("duplicate"));  // whereis_name refuses: see below
        // As Elixir 1.14's whereis_name: a holder that has died (its EXIT not yet taken here)
        // is undefined, though lookup still lists its entry.
        auto it = entries_.find(r.key);
        bool held = it != entries_.end() && self.node().alive(it->second.first);
        co_return Result::reply(held ? Term(it->second.first) : atom("undefined"));
      }
    }
    co_return Result::noreply();
  }

  Task<Result> handle_info(Process& self, Message msg) override {
    if (const auto* e = msg.get<ExitMsg>()) {
      remove_owner(e->from);
    } else if (auto* f = msg.get_mut<Forward>()) {
      auto it = entries_.find(f->key);
      if (it != entries_.end()) self.send(it->second.first, std::move(f->msg));
    }
    co_return Result::noreply();
  }

 private:
  Term do_register(Process& self, Pid owner, const Term& key, const Term& value) {
    if (unique_) {
      auto it = entries_.find(key);
      if (it != entries_.end()) {
        Pid holder = it->second.first;
        // S60: a holder that is dead but whose EXIT has not reached us yet no longer holds the
        // key (Elixir checks Process.alive? and replaces the stale entry), so a restarted
        // worker can take its name back at once.
        if (self.node().alive(holder)) return tuple(atom("error"), tuple(atom("already_registered"), holder));
        // Elixir deletes only the stale entry from its key table: the dead holder's own record
        // (what Registry.keys lists) goes with its other entries when its EXIT is taken.
        entries_.erase(it);
      }
    }
    entries_.emplace(key, std::make_pair(owner, value));
    owned_[owner].push_back(key);
    self.link(owner);
    return tuple(atom("ok"), self.self());
  }

  void do_unregister(Process& self, Pid owner, const Term& key) { drop_entry(self, owner, key); }

  // Removes owner's entries under key; unlinks an owner left with none.
  void drop_entry(Process& self, Pid owner, const Term& key) {
    auto range = entries_.equal_range(key);
    for (auto it = range.first; it != range.second;)
      it = it->second.first == owner ? entries_.erase(it) : std::next(it);
    auto o = owned_.find(owner);
    if (o == owned_.end()) return;
    std::erase(o->second, key);
    if (o->second.empty()) {
      owned_.erase(o);
      self.unlink(owner);
    }
  }

  void remove_owner(Pid owner) {
    auto o = owned_.find(owner);
    if (o == owned_.end()) return;
    for (const Term& key : o->second) {
      auto range = entries_.equal_range(key);
      for (auto it = range.first; it != range.second;)
        it = it->second.first == owner ? entries_.erase(it) : std::next(it);
    }
    owned_.erase(o);
  }

  Term entries_term(const Term& key) const {
    std::vector<Term> out;
    auto range = entries_.equal_range(key);
    for (auto it = range.first; it != range.second; ++it)
      out.push_back(tuple(it->second.first, it->second.second));
    return Term::list(std::move(out));
  }

  Term keys_of(Pid pid) const {
    std::vector<Term> out;
    auto o = owned_.find(pid);
    if (o != owned_.end()) out.assign(o->second.rbegin(), o->second.rend());  // newest first, as Elixir's keys/2 (measured)
    return Term::list(std::move(out));
  }

  bool unique_;
  std::multimap<Term, std::pair<Pid, Term>> entries_;  // key -> (owner, value), in insertion order per key
  std::map<Pid, std::vector<Term>> owned_;  // each owner's keys in the order registered
};

// Elixir raises ArgumentError "unknown registry" in the caller when no registry holds the name
// (every function but a cast through a via name, which GenServer.cast makes a no-op).
void require_known(Process& self, const ServerRef& reg) {
  if (!reg.pid && !reg.name.local.empty() && !self.whereis(reg.name.local))
    throw UsageError("unknown registry: " + reg.name.local);
}

Task<Term> ask(Process& self, ServerRef reg, Req req) {
  require_known(self, reg);
  Message m = co_await gen_server::call(self, std::move(reg), std::move(req));
  co_return *m.get<Term>();
}

Entries to_entries(const Term& list) {
  Entries out;
  for (const auto& t : list.items()) out.emplace_back(t[0].pid(), t[1]);
  return out;
}

}  // namespace

Task<StartResult> start_link(Process& self, Options opts) {
  if (opts.name.empty()) throw UsageError("Registry.start_link: the :name option is required");
  Keys keys = opts.keys;
  co_return co_await gen_server::start_link(
      self, [keys] { return std::make_unique<RegistryServer>(keys); }, {.name = {.local = opts.name}});
}

// S60: Elixir's register and whereis_name ask Process.alive? of a holder in the caller, so they
// see the effect of the caller's own exit signals: right after exit(Holder, kill) the key is
// free to it (measured: 2,000 of 2,000). The registry's own check reads the table when the
// request arrives, possibly before the caller's signal has reached the holder; the caller asks
// again behind its own signals (is_process_alive), and once the holder is known dead the
// registry, which then sees it dead too, replaces its entry.
Task<RegisterResult> register_key(Process& self, ServerRef reg, Term key, Term value) {
  for (;;) {
    Term t = co_await ask(self, reg, {Req::Op::reg, key, value, {}});
    RegisterResult r{t, {}};
    if (r.is_ok()) co_return r;
    r.holder = t[1][1].pid();
    if (r.holder == self.self() || co_await is_process_alive(self, r.holder)) co_return r;
  }
}

Task<void> unregister(Process& self, ServerRef reg, Term key) {
  co_await ask(self, std::move(reg), {Req::Op::unreg, std::move(key), {}, {}});
}

Task<Entries> lookup(Process& self, ServerRef reg, Term key) {
  co_return to_entries(co_await ask(self, std::move(reg), {Req::Op::lookup, std::move(key), {}, {}}));
}

Task<std::vector<Term>> keys(Process& self, ServerRef reg, Pid pid) {
  Term keys = co_await ask(self, std::move(reg), {Req::Op::keys, {}, {}, pid});
  co_return std::vector<Term>(keys.items().begin(), keys.items().end());
}

Task<int64_t> count(Process& self, ServerRef reg) {
  co_return (co_await ask(self, std::move(reg), {Req::Op::count, {}, {}, {}})).integer_value();
}

Task<void> dispatch(Process& self, ServerRef reg, Term key, std::function<void(const Entries&)> fn) {
  Entries e = co_await lookup(self, std::move(reg), std::move(key));
  if (!e.empty()) fn(e);
}

Task<Pid> whereis_name(Process& self, ServerRef reg, Term key) {
  Term t = co_await ask(self, std::move(reg), {Req::Op::whereis, std::move(key), {}, {}});
  // Elixir: Registry.whereis_name raises ArgumentError for a duplicate-key registry, so a
  // GenServer named {via, Registry, {Dup, Key}} cannot start, be called or be looked up.
  if (t.is_atom("duplicate")) throw UsageError(":via is not supported for duplicate registries");
  if (!t.is_pid()) co_return Pid{};
  Pid holder = t.pid();
  if (holder != self.self() && !co_await is_process_alive(self, holder)) co_return Pid{};  // see register_key
  co_return holder;
}

Task<void> send(Process& self, ServerRef reg, Term key, Message msg) {
  Pid holder = co_await whereis_name(self, std::move(reg), std::move(key));
  if (!holder) throw Exit(atom("badarg"));  // Elixir: :erlang.error(:badarg, [{registry, key}, msg])
  self.send(holder, std::move(msg));
}

void send_to_key(Process& self, ServerRef reg, Term key, Message msg) {
  Pid r = reg.pid ? reg.pid : self.whereis(reg.name.local);
  if (r) self.send(r, Forward{std::move(key), std::move(msg)});
}

}  // namespace otp::registry
