// registry (S60): three owner slots register and unregister keys in a unique or duplicate
// Registry, die (killed or exiting) and are replaced, while a driver looks keys up, counts
// entries and asks for an owner's keys. After each operation settles, every result must equal
// the model's; and a key whose holder was just killed can be taken at once, before the
// Registry has processed the holder's EXIT.
#include <algorithm>

#include <otpsim/core/behaviours/registry.hpp>
#include <otpsim/properties/behaviour_suites.hpp>
#include <otpsim/sim/world.hpp>

namespace otp::properties {
namespace {

constexpr int kSlots = 3;
const char* const kKeys[] = {"a", "b", "c"};

enum class Op : uint8_t { reg, unreg, kill, exit_normal, respawn, lookup, keys, count, take_from_killed };
const char* op_name(Op o) {
  static constexpr const char* n[] = {"register", "unregister", "kill", "exit", "respawn", "lookup", "keys", "count", "take_from_killed"};
  return n[static_cast<int>(o)];
}

struct Step {
  Op op;
  int slot;  // who acts (or whose keys)
  int key;
  int value;
  int other;  // take_from_killed: the slot that takes the key
};

struct Case {
  bool duplicate = false;
  std::vector<Step> steps;
  uint64_t seed = 1;
};

Case draw(sim::Draws& d) {
  Case c;
  c.duplicate = d.chance(2);
  size_t m = 1 + d.below(14);
  for (size_t i = 0; i < m; ++i) {
    uint32_t op = d.below(11);  // take_from_killed (the S60 race) three times as often
    Step s{static_cast<Op>(std::min<uint32_t>(op, 8)), static_cast<int>(d.below(kSlots)), static_cast<int>(d.below(3)),
           static_cast<int>(d.below(5)), 0};
    s.other = (s.slot + 1 + static_cast<int>(d.below(kSlots - 1))) % kSlots;
    c.steps.push_back(s);
  }
  c.seed = d.seed();
  return c;
}

std::string describe(const Case& c) {
  std::string s = std::string(c.duplicate ? "duplicate" : "unique") + " keys, seed " + std::to_string(c.seed) + ":";
  for (const auto& st : c.steps)
    s += " s" + std::to_string(st.slot) + "." + op_name(st.op) + "(" + kKeys[st.key] + "," + std::to_string(st.value) +
         (st.op == Op::take_from_killed ? ",by s" + std::to_string(st.other) : "") + ")";
  return s;
}

struct Entry {
  int key, slot, value;
};

// The model: entries in insertion order; a dead owner's entries are gone.
struct Model {
  bool duplicate;
  std::vector<bool> alive = std::vector<bool>(kSlots, true);
  std::vector<Entry> entries;

  std::string reg(int slot, int key, int value) {
    if (!duplicate)
      for (const auto& e : entries)
        if (e.key == key) return "taken by s" + std::to_string(e.slot);
    entries.push_back({key, slot, value});
    return "ok";
  }
  void unreg(int slot, int key) {
    std::erase_if(entries, [&](const Entry& e) { return e.slot == slot && e.key == key; });
  }
  void die(int slot) {
    alive[slot] = false;
    std::erase_if(entries, [&](const Entry& e) { return e.slot == slot; });
  }
  std::string lookup(int key) const {
    std::vector<std::string> out;
    for (const auto& e : entries)
      if (e.key == key) out.push_back("s" + std::to_string(e.slot) + "=" + std::to_string(e.value));
    std::sort(out.begin(), out.end());
    std::string s;
    for (const auto& x : out) s += x + " ";
    return "[" + s + "]";
  }
  std::string keys(int slot) const {
    std::vector<std::string> out;
    for (const auto& e : entries)
      if (e.slot == slot) out.push_back(kKeys[e.key]);
    std::sort(out.begin(), out.end());
    std::string s;
    for (const auto& x : out) s += x + " ";
    return "[" + s + "]";
  }
};

struct Cmd {
  int op;  // 0 register, 1 unregister, 2 exit normal
  int key, value;
  Term to_term() const { return tuple(atom("cmd"), integer(op), integer(key), integer(value)); }
};

std::optional<std::string> check(const Case& c) {
  sim::World w({.seed = c.seed});
  std::vector<Pid> slots(kSlots);
  std::vector<std::string> seen;
  Pid reg{};
  auto name_of = [&](Pid p) {
    for (int i = 0; i < kSlots; ++i)
      if (slots[i] == p) return "s" + std::to_string(i);
    return std::string("?") + Term(p).to_string();
  };
  auto result_text = [&](const registry::RegisterResult& r) {
    return r.is_ok() && r.term[1] == Term(reg) ? std::string("ok")
           : r.is_ok()                         ? "ok but " + r.term.to_string()
                                               : "taken by " + name_of(r.holder);
  };
  auto owner = [&]() -> Body {
    return [&](Process& me) -> Proc {
      for (;;) {
        Message m = *co_await me.receive_any();
        const Cmd* cmd = m.get<Cmd>();
        if (!cmd) continue;
        if (cmd->op == 0) {
          auto r = co_await registry::register_key(me, "reg", atom(kKeys[cmd->key]), integer(cmd->value));
          seen.push_back(result_text(r));
        } else if (cmd->op == 1) {
          co_await registry::unregister(me, "reg", atom(kKeys[cmd->key]));
        } else {
          co_return;  // exit normal
        }
      }
    };
  };
  auto lookup_text = [&](const registry::Entries& es) {
    std::vector<std::string> out;
    for (const auto& [p, v] : es) out.push_back(name_of(p) + "=" + v.to_string());
    std::sort(out.begin(), out.end());
    std::string s;
    for (const auto& x : out) s += x + " ";
    return "[" + s + "]";
  };
  w.spawn([&](Process& self) -> Proc {
    self.trap_exit(true);
    reg = (co_await registry::start_link(self, {.name = "reg", .keys = c.duplicate ? registry::Keys::duplicate : registry::Keys::unique})).pid;
    for (int i = 0; i < kSlots; ++i) slots[i] = self.spawn(owner());
    for (const auto& s : c.steps) {
      Pid p = slots[s.slot];
      switch (s.op) {
        case Op::reg: self.send(p, Cmd{0, s.key, s.value}); break;
        case Op::unreg: self.send(p, Cmd{1, s.key, s.value}); break;
        case Op::kill: self.exit(p, atom("kill")); break;
        case Op::exit_normal: self.send(p, Cmd{2, 0, 0}); break;
        case Op::respawn:
          if (!self.node().alive(p)) slots[s.slot] = self.spawn(owner());
          break;
        case Op::lookup: seen.push_back(lookup_text(co_await registry::lookup(self, "reg", atom(kKeys[s.key])))); break;
        case Op::keys: {
          std::vector<Term> ks = co_await registry::keys(self, "reg", p);
          std::vector<std::string> out;
          for (const auto& k : ks) out.push_back(k.to_string());
          std::sort(out.begin(), out.end());
          std::string t;
          for (const auto& x : out) t += x + " ";
          seen.push_back("[" + t + "]");
          break;
        }
        case Op::count: seen.push_back(std::to_string(co_await registry::count(self, "reg"))); break;
        case Op::take_from_killed: {
          // S60: kill the slot, wait for its DOWN only, then another slot registers the key.
          if (self.node().alive(p)) {
            self.send(p, Cmd{0, s.key, s.value});  // the slot holds the key (or tries to)
            co_await self.sleep(1);
            Ref m = self.monitor(p);
            self.exit(p, atom("kill"));
            co_await self.receive(down_of(m));
          }
          self.send(slots[s.other], Cmd{0, s.key, s.value});
          break;
        }
      }
      co_await self.sleep(1);  // settled
      seen.push_back("|");
    }
  });
  auto r = w.run({.max_steps = 500'000});
  if (r.stop != sim::StopReason::quiescent) return "the world did not settle";

  Model model{c.duplicate, std::vector<bool>(kSlots, true), {}};
  std::vector<std::string> want;
  for (const auto& s : c.steps) {
    bool alive = model.alive[s.slot];
    switch (s.op) {
      case Op::reg: if (alive) want.push_back(model.reg(s.slot, s.key, s.value)); break;
      case Op::unreg: if (alive) model.unreg(s.slot, s.key); break;
      case Op::kill:
      case Op::exit_normal: if (alive) model.die(s.slot); break;
      case Op::respawn: if (!alive) model.alive[s.slot] = true; break;
      case Op::lookup: want.push_back(model.lookup(s.key)); break;
      case Op::keys: want.push_back(alive ? model.keys(s.slot) : "[]"); break;
      case Op::count: want.push_back(std::to_string(model.entries.size())); break;
      case Op::take_from_killed:
        if (alive) {
          want.push_back(model.reg(s.slot, s.key, s.value));
          model.die(s.slot);
        }
        if (model.alive[s.other]) want.push_back(model.reg(s.other, s.key, s.value));
        break;
    }
    want.push_back("|");
  }
  return differs_from_model("results", seen, want);
}

}  // namespace

SuiteOutcome registry_suite(sim::Draws& d) {
  Case c = draw(d);
  return {check(c), describe(c)};
}

}  // namespace otp::properties
