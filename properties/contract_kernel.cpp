// contracts, kernel: names (S7), unlink (S3), linking to a dead process (S3), timers (S6),
// monitors and timers of registered names (S4, S6, S7).
#include <algorithm>
#include <deque>
#include <optional>
#include <random>
#include <set>

#include <otpsim/core/kernel/errors.hpp>
#include <otpsim/core/kernel/exit_table.hpp>
#include <otpsim/core/kernel/node.hpp>
#include <otpsim/core/kernel/process_info.hpp>
#include <otpsim/properties/contract_probe.hpp>
#include <otpsim/sim/world.hpp>

namespace otp::properties::contract {
namespace {

// Ends the calling process with `reason` (normal: returns).
Proc end_with(Term reason) {
  if (!reason.is_atom("normal")) throw Exit(reason);
  co_return;
}

const std::vector<Term>& reasons_any() {
  static const std::vector<Term> r = {atom("normal"), atom("boom"), atom("shutdown"), tuple(atom("shutdown"), atom("x")),
                                      tuple(atom("shutdown"), tuple(atom("x"), integer(1))), atom("kill")};
  return r;
}

// S7: one name per process, never `undefined`; taken while it lives, free once it has exited
// (however it ended).
void names(Probe& p) {
  Term how = p.pick("ends", reasons_any());
  bool by_signal = p.chance("by_exit_signal");
  int64_t wait = p.ms("lives_ms", 0, 20);
  p.run([&](Process& self) -> Proc {
    Pid parent = self.self();
    Pid a = self.spawn([&, parent](Process& me) -> Proc {
      p.expect("the name undefined", me.register_name("undefined"), false);  // register(undefined, P) is badarg
      p.expect("register", me.register_name("svc"), true);
      p.expect("a second name for the same process", me.register_name("other"), false);
      p.expect("whereis of the refused name", static_cast<bool>(me.whereis("other")), false);
      me.send(parent, atom("registered"));
      co_await me.receive_any();
      co_await end_with(how);
    });
    Ref m = self.monitor(a);
    co_await self.receive([](const Message& x) { return x.to_term().is_atom("registered"); });
    co_await self.sleep(wait);
    p.expect("whereis while it lives", Term(self.whereis("svc")), Term(a));
    p.expect("a second process registering the name", self.register_name("svc"), false);
    if (by_signal && !how.is_atom("normal"))
      self.exit(a, how);
    else
      self.send(a, atom("go"));
    co_await self.receive(down_of(m));
    p.expect("whereis after its exit", static_cast<bool>(self.whereis("svc")), false);
    p.expect("registering the freed name", self.register_name("svc"), true);
  });
}

// S3: unlink removes the link on both sides (the other side's link set too): afterwards neither
// side's exit reaches the other.
void unlink(Probe& p) {
  bool trap = p.chance("other_traps");
  bool unlinker_exits = p.chance("unlinker_exits");
  Term why = p.pick("reason", std::vector<Term>{atom("boom"), atom("shutdown"), tuple(atom("shutdown"), atom("x"))});
  int64_t wait = p.ms("before_exit_ms", 0, 10);
  std::string seen;
  p.run([&](Process& self) -> Proc {
    Pid b = self.spawn([&](Process& me) -> Proc {
      me.trap_exit(trap);
      for (;;) {
        auto msg = co_await me.receive_any();
        if (msg->to_term().is_atom("die")) co_await end_with(why);
        if (msg->to_term().is_atom("stop")) co_return;
        if (msg->to_term().is_atom("links")) {
          seen += " links:" + std::to_string(me.links().size());
          continue;
        }
        seen += " " + msg->to_term().to_string();
      }
    });
    Pid a = self.spawn([&](Process& me) -> Proc {
      me.trap_exit(trap);
      me.link(b);
      co_await me.sleep(1);
      me.unlink(b);
      for (;;) {
        auto msg = co_await me.receive_any();
        if (msg->to_term().is_atom("die")) co_await end_with(why);
        if (msg->to_term().is_atom("stop")) co_return;
        seen += " " + msg->to_term().to_string();
      }
    });
    Ref ma = self.monitor(a), mb = self.monitor(b);
    co_await self.sleep(2 + wait);
    self.send(b, atom("links"));  // the unlink reached the other side: its link is gone too
    Pid dying = unlinker_exits ? a : b, other = unlinker_exits ? b : a;
    self.send(dying, atom("die"));
    co_await self.receive(down_of(unlinker_exits ? ma : mb));
    co_await self.sleep(1);
    p.expect("the other side alive after the unlinked exit", self.node().alive(other), true);
    self.send(other, atom("stop"));
    co_await self.receive(down_of(unlinker_exits ? mb : ma));
    p.expect("what the other side saw", seen, std::string(" links:0"));
  });
}

// S3: once unlink has returned, the link has no effect on the caller, even when the other side
// exits while the unlink is still on its way to it (its exit signal then crosses the unlink and
// must be dropped on arrival): the unlinker sends the other a message that makes it exit and
// unlinks in the same step, so in some schedules the other exits still linked.
void unlink_crossing(Probe& p) {
  bool trap = p.chance("unlinker_traps");
  Term why = p.pick("reason", std::vector<Term>{atom("boom"), atom("kill"), tuple(atom("shutdown"), atom("x"))});
  std::string seen;
  bool unlinker_lived = false;
  p.run([&](Process& self) -> Proc {
    Pid b = self.spawn([&](Process& me) -> Proc {
      co_await me.receive_any();
      if (why.is_atom("kill")) me.exit(me.self(), why);  // exit(self(), kill): dies killed
      co_await end_with(why);
    });
    Pid a = self.spawn([&](Process& me) -> Proc {
      me.trap_exit(trap);
      me.link(b);
      co_await me.sleep(1);
      me.send(b, atom("die"));
      me.unlink(b);
      co_await me.sleep(5);
      auto msg = co_await me.receive_any(0);
      if (msg) seen += " " + msg->to_term().to_string();
      unlinker_lived = true;
    });
    Ref m = self.monitor(a);
    co_await self.receive(down_of(m));
  });
  p.expect("the unlinker lived on", unlinker_lived, true);
  p.expect("what the unlinker received", seen, std::string());
}

// S2 S3: a process's exit reaches its links with its reason: a trapping one receives
// {'EXIT', P, R}, a non-trapping one dies with R unless R is normal. A process that exits
// itself with reason kill sends kill as an ordinary, trappable reason; one killed by
// exit(P, kill) died with killed, and that is what its links get.
void link_exit_reasons(Probe& p) {
  bool own_kill = p.chance("exits_itself_with_kill");
  Term how = own_kill ? atom("kill") : p.pick("ends", reasons_any());
  bool killed = p.chance("killed_by_exit_kill");
  bool trap = p.chance("linked_one_traps");
  Term got_exit, linked_down;
  p.run([&](Process& self) -> Proc {
    Pid parent = self.self();
    Pid a = self.spawn([&, parent](Process& me) -> Proc {
      me.send(parent, atom("started"));
      co_await me.receive_any();
      co_await end_with(how);
    });
    co_await self.receive([](const Message& x) { return x.to_term().is_atom("started"); });
    auto [b, bm] = self.spawn_monitor([&, a, parent](Process& me) -> Proc {
      me.trap_exit(trap);
      me.link(a);
      me.send(parent, atom("linked"));
      auto e = co_await me.receive(exit_from(a), 100);
      got_exit = e ? e->get<ExitMsg>()->reason : atom("none");
    });
    co_await self.receive([](const Message& x) { return x.to_term().is_atom("linked"); });
    co_await self.sleep(1);  // settled: the link is in place on both sides
    if (killed) self.exit(a, atom("kill"));
    else self.send(a, atom("go"));
    linked_down = (co_await self.receive(down_of(bm)))->get<DownMsg>()->reason;
  });
  Term sent = killed ? atom("killed") : how;
  if (trap) {
    p.expect("the trapping one's EXIT", got_exit, sent);
    p.expect("the trapping one's end", linked_down, atom("normal"));
  } else {
    p.expect("the non-trapping one's end", linked_down, sent.is_atom("normal") ? atom("normal") : sent);
  }
}

// S4: is_process_alive(P) right after the caller's exit(P, R) sees that signal's effect: false
// for kill, and for any R but normal when P does not trap; true when P traps (or R is normal
// and P does not trap). tools/beam_diff/alive_after_kill.erl: 0 alive of 10,000 after
// exit(P, kill) and after exit(P, boom), two runs.
void alive_after_exit(Probe& p) {
  bool trap = p.chance("target_traps");
  Term reason = p.pick("reason", std::vector<Term>{atom("kill"), atom("boom"), atom("normal"), atom("shutdown"), tuple(atom("shutdown"), atom("x"))});
  bool by_other = p.chance("asked_by_another_process_too");
  p.run([&](Process& self) -> Proc {
    Pid parent = self.self();
    Pid target = self.spawn([&, parent](Process& me) -> Proc {
      me.trap_exit(trap);
      me.send(parent, atom("ready"));
      while (true) co_await me.receive_any();
    });
    co_await self.receive_any();  // ready: it traps as drawn
    self.exit(target, reason);
    bool ends = reason.is_atom("kill") || (!trap && !reason.is_atom("normal"));
    p.expect("is_process_alive right after the exit signal", co_await is_process_alive(self, target), !ends);
    if (by_other) {  // another process asks after the caller's answer: the same
      Ref om = self.spawn_monitor([&, target, parent](Process& me) -> Proc {
        me.send(parent, tuple(atom("alive"), atom((co_await is_process_alive(me, target)) ? "true" : "false")));
      }).second;
      auto a = co_await self.receive([](const Message& m) { return m.get<Term>() && m.get<Term>()->is_tuple(2); });
      p.expect("is_process_alive asked by another process afterwards", (*a->get<Term>())[1], atom(ends ? "false" : "true"));
      co_await self.receive(down_of(om));
    }
    p.expect("is_process_alive of itself", co_await is_process_alive(self, self.self()), true);
    if (!ends) self.exit(target, atom("kill"));
  });
}

// S3: linking to a dead process yields noproc: a trapping linker finds {'EXIT', Dead, noproc} in
// its mailbox at once (receive ... after 0), a non-trapping one exits noproc at the link
// (nothing after it runs).
void link_to_dead(Probe& p) {
  bool trap = p.chance("linker_traps");
  int64_t wait = p.ms("after_death_ms", 0, 10);
  p.run([&](Process& self) -> Proc {
    auto gone = self.spawn_monitor([](Process&) -> Proc { co_return; });
    Pid dead = gone.first;
    co_await self.receive(down_of(gone.second));
    co_await self.sleep(wait);
    Pid parent = self.self();
    auto [l, lm] = self.spawn_monitor([&, dead, parent](Process& me) -> Proc {
      me.trap_exit(trap);
      me.link(dead);
      me.send(parent, atom("after_link"));
      if (trap) {
        auto e = co_await me.receive(exit_from(dead), 0);
        me.send(parent, e ? e->to_term() : atom("no_exit_message"));
      }
    });
    auto down = co_await self.receive(down_of(lm));
    p.expect("the linker's exit reason", down->get<DownMsg>()->reason, trap ? atom("normal") : atom("noproc"));
    std::vector<std::string> got;
    while (auto m = co_await self.receive_any(0)) got.push_back(m->to_term().to_string());
    std::string want = trap ? "after_link " + tuple(atom("EXIT"), dead, atom("noproc")).to_string() + " " : "";
    std::string all;
    for (const auto& g : got) all += g + " ";
    p.expect("what the linker sent", all, want);
  });
}

// S3: a link to a process that is alive when link/1 is called but dead when the link signal
// reaches it (an exit(P, kill) sent just before is ahead of it, S5) comes back as an exit
// signal of that link: a trapping linker gets an EXIT from P, and the link goes with it, as a
// link does when its EXIT arrives (process_info links no longer lists P).
void link_to_dying(Probe& p) {
  Term why = p.pick("reason", std::vector<Term>{atom("kill"), atom("boom")});
  p.run([&](Process& self) -> Proc {
    self.trap_exit(true);
    Pid t = self.spawn([](Process& me) -> Proc { co_await me.receive_any(); });
    self.exit(t, why);
    self.link(t);
    auto e = co_await self.receive(exit_from(t), 1000);
    p.expect("an EXIT from the linked process", e.has_value(), true);
    auto mine = co_await process_info(self, self.self());
    std::string links;
    for (Pid x : mine->links) links += Term(x).to_string();
    p.expect("my links after its EXIT", links, std::string());
  });
}

// S3: linking to oneself does nothing (erlang:link/1: a link to the caller itself is not made):
// process_info lists no link, trapping or not.
void link_to_self(Probe& p) {
  bool trap = p.chance("traps");
  p.run([&](Process& self) -> Proc {
    self.trap_exit(trap);
    self.link(self.self());
    auto mine = co_await process_info(self, self.self());
    std::string links;
    for (Pid x : mine->links) links += Term(x).to_string();
    p.expect("my links after linking to myself", links, std::string());
  });
}

// process_flag(trap_exit, B) answers the flag's old value, and process_info reports the new one
// (a fresh process does not trap).
void trap_exit_flag(Probe& p) {
  std::vector<bool> flips;
  for (int64_t i = 0, n = p.pick<int64_t>("flips", {1, 2, 3, 4}); i < n; ++i) flips.push_back(p.chance("trap"));
  p.run([&](Process& self) -> Proc {
    bool was = false;
    for (bool on : flips) {
      p.expect("process_flag(trap_exit, " + std::string(on ? "true" : "false") + ") answers the old value", self.trap_exit(on), was);
      was = on;
    }
    auto mine = co_await process_info(self, self.self());
    p.expect("process_info's trap_exit", mine->trap_exit, was);
  });
}

// S6: send_after delivers at now+T (virtual time is exact, S90); cancel_timer returns the time
// left and the message never comes; after delivery, or once the destination has exited,
// cancel_timer is false.
void timers(Probe& p) {
  int64_t t = p.ms("after_ms", 1, 60);
  bool cancel = p.chance("cancel");
  int64_t at = p.ms("cancel_at_ms", 0, t - 1);
  bool to_other = p.chance("to_other_process");
  bool dest_dies = p.chance("the_other_exits_before_the_cancel");
  p.run([&](Process& self) -> Proc {
    Pid parent = self.self();
    Pid dest = self.self();
    if (to_other)
      dest = self.spawn([parent](Process& me) -> Proc {
        auto m = co_await me.receive_any();
        me.send(parent, tuple(atom("relayed"), m->to_term(), integer(me.now_ms())));
      });
    int64_t t0 = self.now_ms();
    Ref timer = self.send_after(dest, atom("tick"), t);
    if (cancel) {
      co_await self.sleep(at);
      if (to_other && dest_dies) {  // its exit cancels the timer: cancel_timer finds none (false)
        Ref dm = self.monitor(dest);
        self.exit(dest, atom("kill"));
        co_await self.receive(down_of(dm));
      }
      auto left = self.cancel_timer(timer);
      p.expect("cancel_timer's time left", left.value_or(-1), to_other && dest_dies ? -1 : t - at);
      auto m = co_await self.receive_any(t + 20);
      p.expect("a message after cancel", m ? m->to_term().to_string() : std::string("none"), std::string("none"));
      if (to_other) self.exit(dest, atom("kill"));
      co_return;
    }
    auto m = co_await self.receive_any();
    int64_t when = self.now_ms();
    if (to_other) {
      p.expect("relayed", m->to_term()[1], atom("tick"));
      when = m->to_term()[2].integer_value();
    } else {
      p.expect("message", m->to_term(), atom("tick"));
    }
    p.expect("delivered after", when - t0, t);
    auto late = self.cancel_timer(timer);
    p.expect("cancel_timer after delivery", late.has_value(), false);
  });
}

// S5: a message a process sends itself is in its mailbox at once: a receive ... after 0 right
// after finds it (measured on the BEAM, 1000 of 1000), behind what was already there.
void self_send(Probe& p) {
  int64_t before = p.ms("messages_already_there", 0, 2);
  p.run([&](Process& self) -> Proc {
    Pid me = self.self();
    for (int64_t i = 0; i < before; ++i)
      self.spawn([me, i](Process& q) -> Proc {
        q.send(me, integer(i));
        co_return;
      });
    if (before > 0) co_await self.sleep(1);  // theirs have arrived
    self.send(me, atom("x"));
    std::string got;
    for (int64_t i = 0; i <= before; ++i) {
      auto m = co_await self.receive_any(0);
      got += (m ? (m->to_term().is_atom("x") ? std::string("x") : std::string("n")) : std::string("timeout")) + " ";
    }
    std::string want;
    for (int64_t i = 0; i < before; ++i) want += "n ";
    p.expect("receive after 0 right after sending to oneself (n: the others' messages)", got, want + "x ");
  });
}

// S7: unregister frees the name at once and for good: the process may register again, and its
// exit does not free a name another process took since.
void unregister(Probe& p) {
  bool reregister = p.chance("registers_again");
  p.run([&](Process& self) -> Proc {
    Pid me = self.self();
    auto [a, am] = self.spawn_monitor([&, me](Process& q) -> Proc {
      q.register_name("svc");
      q.unregister_name();
      q.send(me, atom("unregistered"));
      co_await q.receive([](const Message& m) { return m.to_term().is_atom("go"); });
      if (reregister) p.expect("registering another name after unregister", q.register_name("mine"), true);
    });
    co_await self.receive([](const Message& m) { return m.to_term().is_atom("unregistered"); });
    p.expect("whereis after unregister", static_cast<bool>(self.whereis("svc")), false);
    p.expect("another process takes the name", self.register_name("svc"), true);
    self.send(a, atom("go"));
    co_await self.receive(down_of(am));
    p.expect("whereis after the first holder exits", Term(self.whereis("svc")), Term(me));
  });
}

// process_info: links, monitors (the processes this one monitors) and monitored_by, as the
// signals have set them; a demonitor takes the monitor off both sides.
void info(Probe& p) {
  bool link = p.chance("linked");
  bool trap = p.chance("other_traps");
  bool dropped = p.chance("demonitored");
  p.run([&](Process& self) -> Proc {
    Pid b = self.spawn([trap](Process& q) -> Proc {
      q.trap_exit(trap);
      co_await q.receive_any();
    });
    Ref m = self.monitor(b);
    if (link) self.link(b);
    co_await self.sleep(1);
    if (dropped) {
      self.demonitor(m);
      co_await self.sleep(1);
      auto after = co_await process_info(self, b);
      p.expect("their monitored_by after the demonitor", after->monitored_by.empty(), true);
      auto own = co_await process_info(self, self.self());
      p.expect("my monitors after the demonitor", own->monitors.empty(), true);
      self.unlink(b);
      self.exit(b, atom("kill"));
      co_return;
    }
    auto mine = co_await process_info(self, self.self());
    auto theirs = co_await process_info(self, b);
    auto pids = [](const std::vector<Pid>& v) {
      std::string s;
      for (Pid x : v) s += Term(x).to_string();
      return s;
    };
    p.expect("my monitors", pids(mine->monitors), Term(b).to_string());
    p.expect("my monitored_by", pids(mine->monitored_by), std::string());
    p.expect("their monitored_by", pids(theirs->monitored_by), Term(self.self()).to_string());
    p.expect("their links", pids(theirs->links), link ? Term(self.self()).to_string() : std::string());
    p.expect("their trap_exit", theirs->trap_exit, trap);
    p.expect("my trap_exit", mine->trap_exit, false);
    self.unlink(b);
    self.exit(b, atom("kill"));
  });
}

// process_info's message_queue_len and registered_name: a process that sleeps holds every
// message sent to it before the question (S5: they arrive before the process_info signal from
// the same sender), and reports the name it registered, or none (to_term leaves the key out,
// as process_info/1 does: measured on OTP 25, tools/beam_diff/process_info_queue_name.erl).
void info_queue_and_name(Probe& p) {
  auto sent = static_cast<int>(p.ms("messages_sent", 0, 3));
  bool named = p.chance("registers_a_name");
  bool ask_itself = p.chance("asks_itself");
  p.run([&](Process& self) -> Proc {
    Pid parent = self.self();
    Pid b = self.spawn([&, named, parent](Process& q) -> Proc {
      if (named) q.register_name("sleeper");
      q.send(parent, atom("ready"));
      co_await q.sleep(100);
      if (ask_itself) {
        auto own = co_await process_info(q, q.self());
        p.expect("its own message_queue_len", static_cast<int64_t>(own->message_queue_len), static_cast<int64_t>(sent));
        p.expect("its own registered_name", own->registered_name, std::string(named ? "sleeper" : ""));
      }
    });
    co_await self.receive([](const Message& m) { const Term* t = m.get<Term>(); return t && t->is_atom("ready"); });
    for (int i = 0; i < sent; ++i) self.send(b, integer(i));
    auto theirs = co_await process_info(self, b);
    p.expect("message_queue_len", static_cast<int64_t>(theirs->message_queue_len), static_cast<int64_t>(sent));
    p.expect("registered_name", theirs->registered_name, std::string(named ? "sleeper" : ""));
    bool listed = theirs->to_term().to_string().find("{registered_name,sleeper}") != std::string::npos;
    p.expect("{registered_name,sleeper} in process_info/1", listed, named);
    co_await self.sleep(200);  // it has ended
  });
}

// S90: simultaneous timers set by different processes fire in either order (the Chooser's); the
// send_after timers one process set fire in the order it set them, as on the BEAM (measured:
// three timers to oneself with one delay arrive in the order set, 200 of 200 runs).
void timer_ties(Probe& p) {
  int64_t t = p.ms("after_ms", 0, 30);
  auto n = static_cast<int>(p.ms("timers_of_one_process", 2, 4));
  std::set<size_t> other_at;  // where the other process's timer landed among them
  std::string out_of_order;
  for (uint64_t k = 0; k < 16; ++k) {
    sim::World w({.seed = p.seed() + k});
    w.spawn([&](Process& self) -> Proc {
      Pid me = self.self();
      self.spawn([me, t](Process& q) -> Proc {
        q.send_after(me, atom("other"), t);
        co_return;
      });
      for (int i = 0; i < n; ++i) self.send_after(me, integer(i), t);
      int next = 0;
      for (int i = 0; i <= n; ++i) {
        Term m = (co_await self.receive_any())->to_term();
        if (m.is_atom("other")) other_at.insert(static_cast<size_t>(i));
        else if (m.integer_value() != next++ && out_of_order.empty()) out_of_order = "timer " + m.to_string() + " arrived in place " + std::to_string(i);
      }
    });
    w.run({.max_steps = 10'000});
  }
  p.expect("one process's timers in the order set", out_of_order, std::string());
  p.expect("another process's timer in more than one place over 16 seeds", other_at.size() > 1, true);
}

// S90: a receive's timeout and the message timers to its process set in the same ms and due in
// the same ms are one tick: the receive times out, and the messages are in its mailbox when it
// goes on. Measured on OTP 25 (tools/beam_diff/receive_timeout_tick.erl): send_after(T) then
// `receive after T` times out 1,200 of 1,200 (whoever armed the timer, before or after the
// receive began); send_after(T) then sleep(T) then a message to itself: the timer's message
// first, 200 of 200. Set in different ms (send_after(T + S), sleep(S), receive after T) they
// race: 189 got, 11 timeouts of 200, so over 16 seeds both must show; such a timer is no part of
// the receive's tick, so a receive that wins the race times out before that message is there.
void receive_timeout_tick(Probe& p) {
  int64_t t = p.ms("after_ms", 1, 30);
  int64_t s = p.ms("sleep_first_ms", 1, 10);
  const auto armer = static_cast<int>(p.ms("armed_by_another", 0, 1));
  std::string bad;
  std::set<int> raced;  // what the receive after a sleep saw: got the message (1), or timed out with it there (2) or not yet (0)
  for (uint64_t k = 0; k < 16; ++k) {
    sim::World w({.seed = p.seed() + k});
    w.spawn([&](Process& self) -> Proc {
      Pid me = self.self();
      if (armer) {
        self.spawn([me, t](Process& q) -> Proc {
          q.send_after(me, atom("m"), t);
          q.send(me, atom("go"));
          co_return;
        });
        (void)co_await self.receive([](const Message& m) { return m.to_term().is_atom("go"); });
      } else {
        self.send_after(me, atom("m"), t);
      }
      if (auto got = co_await self.receive_any(t)) bad = "receive after " + std::to_string(t) + " got " + got->to_term().to_string() + ", not its timeout";
      else if (!co_await self.receive_any(0)) bad = "the timer's message was not in the mailbox after the timeout";
      self.send_after(me, atom("t"), t);
      co_await self.sleep(t);
      self.send(me, atom("y"));
      Term first = (co_await self.receive_any())->to_term();
      (void)co_await self.receive_any();
      if (!first.is_atom("t") && bad.empty()) bad = "after send_after(" + std::to_string(t) + ") and sleep(" + std::to_string(t) + "), " + first.to_string() + " came first";
      self.send_after(me, atom("m"), t + s);
      co_await self.sleep(s);
      if (co_await self.receive_any(t)) raced.insert(1);
      else raced.insert(self.mailbox_size() > 0 ? 2 : 0);
    });
    w.run({.max_steps = 10'000});
  }
  p.expect("timers of one tick", bad, std::string());
  p.expect("a timer set in an earlier ms against a receive's timeout, both outcomes over 16 seeds (the timeout before the message)",
           raced.contains(1) && raced.contains(0), true);
}

// S90: a receive's tick holds only the message timers to its own process: a timer another
// process set in the same ms and due in the same ms races the timeout (timers of different
// processes race), so a message the timed-out process sends that process at once may come
// before or after the timer's; over 16 seeds both orders must show.
void receive_timeout_vs_another_timer(Probe& p) {
  int64_t t = p.ms("after_ms", 1, 30);
  std::set<std::string> firsts;  // what the other process got first
  for (uint64_t k = 0; k < 16; ++k) {
    sim::World w({.seed = p.seed() + k});
    w.spawn([&](Process& self) -> Proc {
      Pid me = self.self();
      Pid b = self.spawn([me, t, &firsts](Process& q) -> Proc {
        q.send_after(q.self(), atom("timer"), t);
        q.send(me, atom("armed"));
        Term first = (co_await q.receive_any())->to_term();
        (void)co_await q.receive_any();
        firsts.insert(first.to_string());
      });
      (void)co_await self.receive([](const Message& m) { return m.to_term().is_atom("armed"); });
      (void)co_await self.receive_any(t);
      self.send(b, atom("timed_out"));
    });
    w.run({.max_steps = 10'000});
  }
  p.expect("another process's timer against a receive's timeout set in the same ms, both orders over 16 seeds", firsts.size() == 2, true);
}

// S6 under the simulator's late timers (SimOptions::timer_delay_max_ms, what a simulation
// test's faults.max_timer_delay_ms sets): a send_after or a receive-after may fire up to the
// bound late, never early, and each fires once.
void late_timers(Probe& p) {
  auto bound = static_cast<uint32_t>(p.ms("max_delay_ms", 1, 50));
  int64_t t = p.ms("after_ms", 0, 30);
  auto n = static_cast<int>(p.ms("timers", 1, 4));
  std::string bad;
  for (uint64_t k = 0; k < 8 && bad.empty(); ++k) {
    sim::World w({.seed = p.seed() + k, .timer_delay_max_ms = bound});
    w.spawn([&](Process& self) -> Proc {
      int64_t armed = self.now_ms();
      for (int i = 0; i < n; ++i) self.send_after(self.self(), integer(i), t + i);
      std::vector<int> got(static_cast<size_t>(n), 0);
      for (int i = 0; i < n; ++i) {
        auto m = co_await self.receive_any();
        int64_t id = m->get<Term>()->integer_value();
        int64_t at = self.now_ms() - armed;
        ++got[static_cast<size_t>(id)];
        if (at < t + id || at > t + id + bound)
          bad = "send_after " + std::to_string(t + id) + " ms fired after " + std::to_string(at) + " ms (bound " + std::to_string(bound) + ")";
      }
      for (int i = 0; i < n; ++i)
        if (got[static_cast<size_t>(i)] != 1) bad = "timer " + std::to_string(i) + " fired " + std::to_string(got[static_cast<size_t>(i)]) + " times";
      int64_t before = self.now_ms();
      (void)co_await self.receive([](const Message&) { return false; }, t);
      int64_t waited = self.now_ms() - before;
      if (waited < t || waited > t + bound)
        bad = "receive after " + std::to_string(t) + " ms timed out after " + std::to_string(waited) + " ms (bound " + std::to_string(bound) + ")";
    });
    w.run({.max_steps = 10'000});
  }
  p.expect("timers with late firing", bad, std::string());
}

// What a dead process leaves (docs/internals.md): its exit reason, among the node's last
// exit_capacity() exits, oldest forgotten first; shrinking the capacity keeps the newest.
// Checked against a queue model over many exits, so the table wraps and erases many times.
void exit_records(Probe& p) {
  auto first_cap = static_cast<size_t>(p.ms("capacity", 0, 24));
  auto first = static_cast<int>(p.ms("exits", 0, 60));
  auto second_cap = static_cast<size_t>(p.ms("then_capacity", 0, 24));
  auto second = static_cast<int>(p.ms("then_exits", 0, 60));
  std::vector<Pid> pids;
  std::deque<size_t> model;  // indexes into pids of the kept records, oldest first
  uint64_t forgotten_model = 0, forgotten = 0;
  std::vector<std::optional<Term>> found;
  p.run([&](Process& self) -> Proc {
    Node& node = self.node();
    uint64_t forgotten_before = node.exits_forgotten();
    auto exits = [&](int n, size_t cap) -> Task<void> {
      for (int i = 0; i < n; ++i) {
        size_t k = pids.size();
        Term why = k % 3 == 0 ? atom("normal") : tuple(atom("r"), integer(static_cast<int64_t>(k)));
        Pid c = self.spawn([why](Process&) -> Proc { co_await end_with(why); });
        pids.push_back(c);
        Ref m = self.monitor(c);
        co_await self.receive(down_of(m));
        if (cap == 0) continue;
        model.push_back(k);
        if (model.size() > cap) {
          model.pop_front();
          ++forgotten_model;
        }
      }
    };
    node.set_exit_capacity(first_cap);
    co_await exits(first, first_cap);
    node.set_exit_capacity(second_cap);
    while (model.size() > second_cap) {
      model.pop_front();
      ++forgotten_model;
    }
    co_await exits(second, second_cap);
    for (Pid c : pids) found.push_back(node.exit_reason(c));
    forgotten = node.exits_forgotten() - forgotten_before;
    node.set_exit_capacity(Node::kDefaultExitCapacity);
  });
  std::string got, want;
  for (size_t k = 0; k < found.size(); ++k) {
    got += found[k] ? " " + found[k]->to_string() : " -";
    bool kept = std::find(model.begin(), model.end(), k) != model.end();
    want += !kept ? " -" : k % 3 == 0 ? " normal" : " {r," + std::to_string(k) + "}";
  }
  p.expect("the exit reasons kept", got, want);
  p.expect("records forgotten", static_cast<int64_t>(forgotten), static_cast<int64_t>(forgotten_model));
}

// The exit-record table itself against the same model, with ids drawn so that they collide in
// its index (a node's first pids are consecutive and hash apart; later ones carry serials):
// every kept record is found with its reason after every change, no forgotten one is.
void exit_table_model(Probe& p) {
  auto cap = static_cast<size_t>(p.ms("capacity", 0, 40));
  auto ops = p.ms("operations", 0, 400);
  std::mt19937_64 rng(static_cast<uint64_t>(p.ms("ids_seed", 0, 1'000'000)));
  ExitTable t(cap);
  std::deque<std::pair<uint64_t, int64_t>> model;
  std::vector<uint64_t> gone;
  uint64_t id = 1, forgotten = 0;
  std::string bad;
  for (int64_t op = 0; op < ops && bad.empty(); ++op) {
    if (rng() % 16 == 0) {
      cap = rng() % 41;
      t.set_capacity(cap);
    } else {
      id += 1 + (rng() % 4 == 0 ? (rng() % 64) << (rng() % 40) : rng() % 3);
      t.record(id, integer(op));
      if (cap > 0) model.emplace_back(id, op);
    }
    while (model.size() > cap) {
      gone.push_back(model.front().first);
      model.pop_front();
      ++forgotten;
    }
    for (const auto& [k, v] : model) {
      const Term* r = t.find(k);
      if (!r || *r != integer(v)) bad = "record " + std::to_string(k) + " lost after operation " + std::to_string(op);
    }
    for (uint64_t k : gone)
      if (t.find(k)) bad = "forgotten record " + std::to_string(k) + " still found after operation " + std::to_string(op);
    if (t.size() != model.size()) bad = "size " + std::to_string(t.size()) + ", model " + std::to_string(model.size());
  }
  p.expect("the table against the model", bad, std::string());
  p.expect("records forgotten", static_cast<int64_t>(t.forgotten()), static_cast<int64_t>(forgotten));
}

// S7: sending to a name nobody holds raises badarg in the sender, trapping or not (erlang:send/2).
void send_to_unregistered(Probe& p) {
  bool trap = p.chance("sender_traps");
  bool was_held = p.chance("name_was_held_before");
  Term reason;
  bool after = false;
  p.run([&](Process& self) -> Proc {
    if (was_held) {
      auto [holder, m] = self.spawn_monitor([](Process& q) -> Proc {
        q.register_name("svc");
        co_return;
      });
      co_await self.receive(down_of(m));
    }
    auto [s, m] = self.spawn_monitor([&, trap](Process& q) -> Proc {
      q.trap_exit(trap);
      q.send("svc", Message(atom("hello")));
      after = true;
      co_return;
    });
    reason = (co_await self.receive(down_of(m)))->get<DownMsg>()->reason;
  });
  p.expect("the sender went on", after, false);
  p.expect("the sender's exit reason", reason, atom("badarg"));
}

// S7 (measured on OTP 25: tools/beam_diff/null_pid.erl): no pid (Pid{}, what whereis
// answers for a name nobody holds) is Erlang's `undefined`: sending to it, exit/2, link and unlink
// are badarg in the caller (trapping or not: nothing is sent), and a monitor of it is DOWN
// {undefined, nonode@nohost} noproc at once.
void no_pid(Probe& p) {
  const std::string op = p.pick("op", std::vector<std::string>{"send", "exit", "link", "unlink", "monitor"});
  bool trap = p.chance("caller_traps");
  p.run([&](Process& self) -> Proc {
    Pid none = self.whereis("nobody");
    auto [c, m] = self.spawn_monitor([&, none, trap](Process& q) -> Proc {
      q.trap_exit(trap);
      if (op == "send") q.send(none, atom("hello"));
      if (op == "exit") q.exit(none, atom("kill"));
      if (op == "link") q.link(none);
      if (op == "unlink") q.unlink(none);
      if (op == "monitor") {
        Ref r = q.monitor(none);
        auto got = co_await q.receive_any(0);  // in the mailbox when monitor returns
        p.expect("the DOWN of no pid", got ? got->to_term() : atom("none"),
                 tuple(atom("DOWN"), r, atom("process"), tuple(atom("undefined"), atom("nonode@nohost")), atom("noproc")));
      }
      co_return;
    });
    Term why = (co_await self.receive(down_of(m)))->get<DownMsg>()->reason;
    p.expect(op + " of no pid: the caller's exit reason", why, op == "monitor" ? atom("normal") : atom("badarg"));
  });
}

// A process that registers `name` (unless empty) and tells its starter; then `unregister` gives
// the name up, {die, R} ends it with R, and anything else goes back to the starter as
// {got, Self, Msg, Now}.
Task<Pid> start_holder(Process& self, const std::string& name) {
  Pid parent = self.self();
  Pid h = self.spawn([parent, name](Process& me) -> Proc {
    if (!name.empty()) me.register_name(name);
    me.send(parent, tuple(atom("ready"), me.self()));
    for (;;) {
      Term t = (co_await me.receive_any())->to_term();
      if (t == atom("unregister")) {
        me.unregister_name();
        me.send(parent, tuple(atom("unregistered"), me.self()));
      } else if (t.kind() == Term::Kind::tuple && t.size() == 2 && t[0] == atom("die")) {
        co_await end_with(t[1]);
        co_return;
      } else {
        me.send(parent, tuple(atom("got"), me.self(), t, integer(me.now_ms())));
      }
    }
  });
  co_await self.receive([h](const Message& m) { return m.to_term() == tuple(atom("ready"), h); });
  co_return h;
}

Task<void> unregister_holder(Process& self, Pid h) {
  self.send(h, atom("unregister"));
  co_await self.receive([h](const Message& m) { return m.to_term() == tuple(atom("unregistered"), h); });
}

// S4 S7 (erlang:monitor(process, Name), measured on OTP 25: tools/beam_diff/monitor_name.erl):
// the monitor is on the process that holds the name when it is made, however the name moves
// afterwards; its DOWN's object is {Name, nonode@nohost}; a name nobody holds gives DOWN noproc
// at once; after demonitor, no DOWN.
void monitor_name(Probe& p) {
  bool registered = p.chance("name_registered");
  bool moved = registered && p.chance("name_moved_to_another");
  bool demonitored = registered && p.chance("demonitored");
  bool by_signal = p.chance("ended_by_exit_signal");
  Term how = p.pick("ends", reasons_any());
  int64_t wait = p.ms("lives_ms", 0, 10);
  p.run([&](Process& self) -> Proc {
    const Term object = tuple(atom("svc"), atom("nonode@nohost"));
    if (!registered) {
      Ref r = self.monitor("svc");
      auto m = co_await self.receive_any(0);  // in the mailbox when monitor returns
      p.expect("the DOWN of a name nobody holds", m ? m->to_term() : atom("none"),
               tuple(atom("DOWN"), r, atom("process"), object, atom("noproc")));
      co_return;
    }
    Pid h = co_await start_holder(self, "svc");
    Ref r = self.monitor("svc");
    if (moved) {
      co_await unregister_holder(self, h);
      Pid h2 = co_await start_holder(self, "svc");
      self.send(h2, tuple(atom("die"), atom("boom")));
      auto m = co_await self.receive(down_of(r), 20);
      p.expect("a DOWN for the name's next holder", m.has_value(), false);
    }
    if (demonitored) self.demonitor(r);
    co_await self.sleep(wait);
    if (by_signal && !how.is_atom("normal"))
      self.exit(h, how);
    else
      self.send(h, tuple(atom("die"), how));
    auto m = co_await self.receive(down_of(r), 100);
    if (demonitored) {
      p.expect("a DOWN after demonitor", m.has_value(), false);
      co_return;
    }
    Term want = by_signal && how.is_atom("kill") ? atom("killed") : how;
    p.expect("the DOWN", m ? m->to_term() : atom("none"), tuple(atom("DOWN"), r, atom("process"), object, want));
    p.expect("the DOWN's pid is the holder's", m && m->get<DownMsg>()->pid == h, true);
  });
}

// S6 S7 (erlang:send_after(T, Name, Msg), measured on OTP 25: tools/beam_diff/send_after_name.erl):
// the name is looked up when the timer fires and the message goes to whoever holds it then, no
// earlier than T; nobody: dropped, and the sender goes on; cancel_timer before it fires returns
// the time left (held or not) and nothing arrives.
void send_after_name(Probe& p) {
  const std::string what = p.pick("case", std::vector<std::string>{"held", "moved", "freed", "later", "cancelled"});
  bool freed_by_exit = p.chance("freed_by_exit");
  int64_t t = p.ms("after_ms", 1, 20);
  p.run([&](Process& self) -> Proc {
    Pid h1{}, h2{};
    if (what != "later") h1 = co_await start_holder(self, "svc");
    Ref timer = self.send_after("svc", atom("tick"), t);
    if (what == "moved" || what == "freed") {
      if (freed_by_exit) {
        Ref m = self.monitor(h1);
        self.send(h1, tuple(atom("die"), atom("normal")));
        co_await self.receive(down_of(m));
        h1 = Pid{};
      } else {
        co_await unregister_holder(self, h1);
      }
    }
    if (what == "moved" || what == "later") h2 = co_await start_holder(self, "svc");
    if (what == "cancelled") {
      auto left = self.cancel_timer(timer);
      p.expect("cancel_timer before it fired", left.value_or(-1), t);
    }
    Pid want = what == "held" ? h1 : (what == "moved" || what == "later") ? h2 : Pid{};
    auto m = co_await self.receive([](const Message& x) { return x.to_term().kind() == Term::Kind::tuple && x.to_term()[0] == atom("got"); }, t + 50);
    p.expect("who got the message", m ? m->to_term()[1] : Term(atom("nobody")), want ? Term(want) : Term(atom("nobody")));
    if (m) p.expect("it came no earlier than its time", m->to_term()[3].integer_value() >= t, true);
    for (Pid h : {h1, h2})
      if (h) self.send(h, tuple(atom("die"), atom("normal")));
  });
}

// S6 (erlang:start_timer and read_timer, measured on OTP 25: tools/beam_diff/start_timer.erl):
// the message is {timeout, TRef, Msg}, to a pid or a name, no earlier than T; read_timer answers
// the time left and leaves the timer running; after delivery, a cancel, or the exit of the pid
// it goes to, read_timer is false (no exit ends a timer to a name: nobody holds the name when it
// fires, so the message is dropped).
void start_timer(Probe& p) {
  const std::string then = p.pick("then", std::vector<std::string>{"delivered", "cancelled", "dest_exits"});
  bool to_name = p.chance("to_a_name");
  int64_t t = p.ms("after_ms", 1, 40);
  int64_t at = p.ms("read_at_ms", 0, t - 1);
  p.run([&](Process& self) -> Proc {
    Pid h = co_await start_holder(self, to_name ? "svc" : "");
    int64_t t0 = self.now_ms();
    Ref timer = to_name ? self.start_timer("svc", atom("tick"), t) : self.start_timer(h, atom("tick"), t);
    co_await self.sleep(at);
    auto left = self.read_timer(timer);
    p.expect("read_timer's time left", left.value_or(-1), t - at);
    if (then == "cancelled") {
      auto c = self.cancel_timer(timer);
      p.expect("cancel_timer's time left after a read_timer", c.value_or(-1), t - at);
    } else if (then == "dest_exits") {
      Ref m = self.monitor(h);
      self.send(h, tuple(atom("die"), atom("normal")));
      co_await self.receive(down_of(m));
      auto l = self.read_timer(timer);
      p.expect("read_timer once the destination exited", l.value_or(-1), to_name ? t - at : -1);
    }
    auto got = co_await self.receive([](const Message& x) { return x.to_term().kind() == Term::Kind::tuple && x.to_term()[0] == atom("got"); }, t + 50);
    if (then != "delivered") {
      p.expect("a message", got ? got->to_term()[2] : atom("none"), atom("none"));
    } else {
      p.expect("the message", got ? got->to_term()[2] : atom("none"), tuple(atom("timeout"), timer, atom("tick")));
      if (got) p.expect("delivered after", got->to_term()[3].integer_value() - t0, t);
      auto late = self.read_timer(timer);
      p.expect("read_timer after delivery", late.value_or(-1), -1);
    }
    if (then != "dest_exits") self.send(h, tuple(atom("die"), atom("normal")));
  });
}

// Erlang's term order: numbers < atoms < refs < pids < tuples < lists (strings here); tuples
// compare by size first, then element by element; lists element by element (a prefix first).
void term_order(Probe& p) {
  auto a = static_cast<int>(p.ms("first_size", 0, 3));
  auto b = static_cast<int>(p.ms("second_size", 0, 3));
  auto fill = static_cast<int>(p.ms("elements_seed", 0, 1'000));
  auto elems = [fill](int n, int salt) {
    std::vector<Term> v;
    for (int i = 0; i < n; ++i) v.push_back(((fill + salt + i) % 3) == 0 ? integer((fill * 7 + salt + i) % 5) : atom(std::string(1, static_cast<char>('a' + (fill + salt * 3 + i) % 4))));
    return v;
  };
  auto ea = elems(a, 1), eb = elems(b, 2);
  Term ta = Term::tuple(ea), tb = Term::tuple(eb);
  Term la = Term::list(ea), lb = Term::list(eb);
  auto lex = [](const std::vector<Term>& x, const std::vector<Term>& y) {
    for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
      int c = Term::compare(x[i], y[i]);
      if (c != 0) return c < 0 ? -1 : 1;
    }
    return x.size() == y.size() ? 0 : x.size() < y.size() ? -1 : 1;
  };
  auto sign = [](int c) { return c < 0 ? -1 : c > 0 ? 1 : 0; };
  int tuple_want = a != b ? (a < b ? -1 : 1) : lex(ea, eb);
  p.expect("tuples " + ta.to_string() + " vs " + tb.to_string(), static_cast<int64_t>(sign(Term::compare(ta, tb))), static_cast<int64_t>(tuple_want));
  p.expect("lists " + la.to_string() + " vs " + lb.to_string(), static_cast<int64_t>(sign(Term::compare(la, lb))), static_cast<int64_t>(lex(ea, eb)));
  p.expect("an integer below an atom", Term::compare(integer(1'000), atom("a")) < 0, true);
  p.expect("an atom below a tuple", Term::compare(atom("z"), ta) < 0, true);
  p.expect("a tuple below a list", Term::compare(tb, la) < 0, true);
}

}  // namespace

const std::vector<ProbeDef>& kernel_probes() {
  static const std::vector<ProbeDef> v = {
      {"names", "S7", names},
      {"unlink", "S3", unlink},
      {"unlink-crossing", "S3", unlink_crossing},
      {"link-exit-reasons", "S2 S3", link_exit_reasons},
      {"link-to-dead", "S3", link_to_dead},
      {"alive-after-exit", "S4", alive_after_exit},
      {"timers", "S6", timers},
      {"self-send", "S5", self_send},
      {"unregister", "S7", unregister},
      {"process-info", "S3 S4", info},
      {"process-info-queue-and-name", "S5 S7", info_queue_and_name},
      {"timer-ties", "S90", timer_ties},
      {"link-to-dying", "S3", link_to_dying},
      {"link-to-self", "S3", link_to_self},
      {"trap-exit-flag", "S2", trap_exit_flag},
      {"receive-timeout-tick", "S90", receive_timeout_tick},
      {"receive-timeout-vs-another-timer", "S90", receive_timeout_vs_another_timer},
      {"late-timers", "S6 S90", late_timers},
      {"exit-records", "internals", exit_records},
      {"send-to-unregistered", "S7", send_to_unregistered},
      {"no-pid", "S7", no_pid},
      {"monitor-name", "S4 S7", monitor_name},
      {"send-after-name", "S6 S7", send_after_name},
      {"start-timer", "S6", start_timer},
      {"term-order", "S1", term_order},
      {"exit-table", "internals", exit_table_model},
  };
  return v;
}

}  // namespace otp::properties::contract
