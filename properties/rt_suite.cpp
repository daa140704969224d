// rt (S1-S6, S10, S11 on the threaded executor): what ships is checked, not only what is
// simulated. Each case runs on an rt::RtWorld of two worker threads:
//   - kernel-signals' drawn links, monitors, trap_exit, exits and exit signals, each step left
//     to settle (the world idle) before the next, against the same model as on the simulator;
//   - S5: senders running side by side each send a numbered stream to every receiver (one of
//     which first takes a stream's last message by selective receive): each receiver gets every
//     stream whole and in order;
//   - S6: send_after timers to oneself and to another process (now and then one past a lap of
//     the timer wheel), some cancelled at once or after a pause, and receives that time out: a
//     timer cancelled with time left never arrives, any other arrives exactly once, never before
//     its time nor 600 ms after it; a receive neither times out early nor 600 ms late;
//   - S11: calls timing out about when the server answers: each gives its own reply or exits
//     with timeout, and no late reply is left in the caller's mailbox;
//   - S10 S7: a start under a name right after an init under it failed is never refused (the
//     failing server gives its name up before its starter hears of the failure, as gen does),
//     and a name is free once its holder's DOWN has come;
//   - load: a crowd of 257+ processes woken in one turn, ping-pong pairs over both workers and
//     up to 16 threads in wait_exit at once: every message, round trip and exit seen; a world
//     that does not go idle within 20 s is a failure, not a hang;
//   - a worker's run queue itself, first: a burst past its capacity, with and without a thief
//     taking from it, gives every slot exactly once (ring or overflow), each taker's oldest first.
// The schedule is the operating system's, not a recorded one: replaying a token runs the same
// case again (a failure from a rare race may need a few replays).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

#include <otpsim/properties/behaviour_suites.hpp>
#include <otpsim/properties/kernel_signals_model.hpp>
#include <otpsim/core/behaviours/gen_server.hpp>
#include <otpsim/properties/failing_init.hpp>
#include <otpsim/rt/rt_world.hpp>
#include <otpsim/rt/run_queue.hpp>

namespace otp::properties {
namespace {

constexpr unsigned kThreads = 2;

// Each part runs on a world of its own, made after the state its processes share (so it goes,
// with them, before that state does).

// A world that does not go idle within this is a finding (a wake-up lost, a signal stranded),
// not a hang of the check.
constexpr std::chrono::seconds kIdleWithin{20};
const char* const kNotIdle = "the world did not go idle within 20 s (a wake-up or a signal lost?)";

// Runs `body` as a process of its own and waits until the world is idle again (false: it did not).
bool run_and_settle(rt::RtWorld& w, Body body) {
  w.spawn(std::move(body));
  return w.wait_idle_for(kIdleWithin);
}

// ---------------------------------------------------------------- S1-S4

std::optional<std::string> check_signals(const kernel_signals::Case& c) {
  using namespace kernel_signals;
  std::vector<Pid> pids(static_cast<size_t>(c.n));
  SignalLog log;
  rt::RtWorld w(kThreads);  // after what its processes use: gone before it
  for (int i = 0; i < c.n; ++i) pids[static_cast<size_t>(i)] = w.spawn([&, i](Process& me) { return actor(me, i, pids, log); });
  if (!w.wait_idle_for(kIdleWithin)) return kNotIdle;
  std::vector<std::vector<std::string>> seen;
  for (const Step& s : c.steps) {
    if (!run_and_settle(w, [&pids, s](Process& self) -> Proc {
          self.send(pids[static_cast<size_t>(s.a)], Cmd{s});
          co_return;
        }))
      return kNotIdle;
    seen.push_back(log.take());
  }
  return compare_with_model(c, std::move(seen), [&](int i) {
    Pid p = pids[static_cast<size_t>(i)];
    auto er = w.exit_reason(p);
    return w.alive(p) ? std::string("alive") : er ? er->to_string() : std::string("dead, no reason");
  });
}

// ---------------------------------------------------------------- S5

struct Seq {
  int sender;
  int n;
  Term to_term() const { return tuple(atom("seq"), integer(sender), integer(n)); }
};

struct OrderCase {
  int senders = 1, receivers = 1, per_stream = 1;
  bool selective = false;  // receiver 0 first takes sender 0's last message
};

OrderCase draw_order(sim::Draws& d) {
  OrderCase o;
  o.senders = 1 + static_cast<int>(d.below(4));
  o.receivers = 1 + static_cast<int>(d.below(3));
  o.per_stream = 1 + static_cast<int>(d.below(300));
  o.selective = d.chance(2);
  return o;
}

std::optional<std::string> check_order(const OrderCase& o) {
  std::mutex mu;
  std::vector<std::vector<Seq>> got(static_cast<size_t>(o.receivers));  // in the order taken
  std::vector<Pid> receivers;
  rt::RtWorld w(kThreads);
  for (int r = 0; r < o.receivers; ++r) {
    const bool selective = o.selective && r == 0;
    receivers.push_back(w.spawn([&, r, selective](Process& me) -> Proc {
      auto take = [&](const Message& m) {
        std::lock_guard lock(mu);
        got[static_cast<size_t>(r)].push_back(*m.get<Seq>());
      };
      if (selective) {
        const int last = o.per_stream - 1;
        take(*co_await me.receive([last](const Message& m) {
          const auto* s = m.get<Seq>();
          return s && s->sender == 0 && s->n == last;
        }));
      }
      for (;;) take(*co_await me.receive_any());
    }));
  }
  for (int s = 0; s < o.senders; ++s)
    w.spawn([&receivers, s, o](Process& me) -> Proc {
      for (int n = 0; n < o.per_stream; ++n)
        for (Pid r : receivers) me.send(r, Seq{s, n});
      co_return;
    });
  if (!w.wait_idle_for(kIdleWithin)) return kNotIdle;
  std::lock_guard lock(mu);
  for (int r = 0; r < o.receivers; ++r) {
    std::vector<Seq> seqs = got[static_cast<size_t>(r)];
    const std::string who = "receiver " + std::to_string(r);
    if (o.selective && r == 0) {
      if (seqs.empty() || seqs.front().sender != 0 || seqs.front().n != o.per_stream - 1)
        return who + ": the selective receive did not take sender 0's last message first";
      seqs.erase(seqs.begin());
    }
    std::vector<int> next(static_cast<size_t>(o.senders), 0);
    for (const Seq& q : seqs) {
      int& want = next[static_cast<size_t>(q.sender)];
      if (o.selective && r == 0 && q.sender == 0 && want == o.per_stream - 1) ++want;  // taken first
      if (q.n != want)
        return who + ": from sender " + std::to_string(q.sender) + " got message " + std::to_string(q.n) + " where " +
               std::to_string(want) + " was next (S5: A's messages to B arrive in the order A sent them)";
      ++want;
    }
    for (int s = 0; s < o.senders; ++s) {
      int want = next[static_cast<size_t>(s)];
      if (o.selective && r == 0 && s == 0 && want == o.per_stream - 1) ++want;
      if (want != o.per_stream)
        return who + ": got " + std::to_string(want) + " of sender " + std::to_string(s) + "'s " +
               std::to_string(o.per_stream) + " messages";
    }
  }
  return std::nullopt;
}

// ---------------------------------------------------------------- S6

struct Tick {
  int id;
  Term to_term() const { return tuple(atom("tick"), integer(id)); }
};

struct TimerPlan {
  int delay_ms;     // 0..4
  bool to_partner;  // else to the arming process itself
  bool cancel;
  int pause_ms;     // before the cancel: 0..2
};

struct TimerCase {
  std::vector<TimerPlan> timers;
  std::vector<int> receive_after_ms;  // receives that match nothing and time out
};

// A timer past one lap of the timer wheel (1,024 ms) must wait its laps out; any timer may come
// late on a busy machine, but not by a lap.
constexpr int kLapMs = 1024;
constexpr int64_t kLateMs = 600;

TimerCase draw_timers(sim::Draws& d) {
  TimerCase t;
  size_t n = 1 + d.below(8);
  for (size_t i = 0; i < n; ++i)
    t.timers.push_back({static_cast<int>(d.below(5)), d.chance(2), d.chance(3), static_cast<int>(d.below(3))});
  // One case in 16 (the largest draw: a case shrunk toward zeros has none) waits a lap and more.
  if (d.below(16) == 15) t.timers.push_back({kLapMs + static_cast<int>(d.below(9)), d.chance(2), false, 0});
  size_t m = d.below(3);
  for (size_t i = 0; i < m; ++i) t.receive_after_ms.push_back(static_cast<int>(d.below(4)));
  return t;
}

std::optional<std::string> check_timers(const TimerCase& tc) {
  struct Arrival {
    bool to_partner;
    int64_t at_ms;
    uint64_t seq;  // its place among all arrivals
  };
  std::mutex mu;
  uint64_t arrivals = 0;
  std::map<int, std::vector<Arrival>> arrived;             // by timer id
  std::vector<int64_t> armed_at(tc.timers.size(), 0);      // now_ms just before the arm
  std::vector<std::optional<int64_t>> cancelled(tc.timers.size());  // what cancel_timer answered
  std::vector<std::pair<int64_t, int64_t>> waited;         // receive after: (asked, took)
  rt::RtWorld w(kThreads);
  auto record = [&](Process& me, const Message& m, bool partner) {
    if (const auto* t = m.get<Tick>()) {
      std::lock_guard lock(mu);
      arrived[t->id].push_back({partner, me.now_ms(), arrivals++});
    }
  };
  Pid partner = w.spawn([&](Process& me) -> Proc {
    for (;;) record(me, *co_await me.receive_any(), true);
  });
  w.spawn([&](Process& me) -> Proc {
    std::vector<Ref> refs;
    for (size_t i = 0; i < tc.timers.size(); ++i) {
      const TimerPlan& p = tc.timers[i];
      {
        std::lock_guard lock(mu);
        armed_at[i] = me.now_ms();
      }
      refs.push_back(me.send_after(p.to_partner ? partner : me.self(), Tick{static_cast<int>(i)}, p.delay_ms));
    }
    for (size_t i = 0; i < tc.timers.size(); ++i) {
      if (!tc.timers[i].cancel) continue;
      if (tc.timers[i].pause_ms > 0) co_await me.sleep(tc.timers[i].pause_ms);
      auto left = me.cancel_timer(refs[i]);
      std::lock_guard lock(mu);
      cancelled[i] = left;
    }
    for (int ms : tc.receive_after_ms) {
      int64_t before = me.now_ms();
      (void)co_await me.receive([](const Message&) { return false; }, ms);
      std::lock_guard lock(mu);
      waited.emplace_back(ms, me.now_ms() - before);
    }
    for (;;) record(me, *co_await me.receive_any(), false);
  });
  if (!w.wait_idle_for(kIdleWithin + std::chrono::milliseconds(2 * kLapMs))) return kNotIdle;
  std::lock_guard lock(mu);
  for (size_t i = 0; i < tc.timers.size(); ++i) {
    const TimerPlan& p = tc.timers[i];
    const std::string which = "timer " + std::to_string(i) + " (" + std::to_string(p.delay_ms) + " ms to " +
                              (p.to_partner ? "another process" : "itself") + ")";
    const auto& a = arrived[static_cast<int>(i)];
    if (cancelled[i]) {
      if (*cancelled[i] < 0 || *cancelled[i] > p.delay_ms)
        return which + ": cancel_timer answered " + std::to_string(*cancelled[i]) + " ms left (S6)";
      if (!a.empty()) return which + ": cancelled with " + std::to_string(*cancelled[i]) + " ms left, yet it arrived (S6)";
      continue;
    }
    if (a.size() != 1) return which + ": arrived " + std::to_string(a.size()) + " times, not once (S6)";
    if (a[0].to_partner != p.to_partner) return which + ": arrived at the wrong process";
    if (a[0].at_ms < armed_at[i] + p.delay_ms)
      return which + ": armed at " + std::to_string(armed_at[i]) + " ms, arrived at " + std::to_string(a[0].at_ms) +
             " ms: early (S6: no earlier than now + T)";
    if (a[0].at_ms > armed_at[i] + p.delay_ms + kLateMs)
      return which + ": armed at " + std::to_string(armed_at[i]) + " ms, arrived at " + std::to_string(a[0].at_ms) +
             " ms: more than " + std::to_string(kLateMs) + " ms late";
  }
  // S90: a process's own timers due at once arrive in the order it set them (as on the BEAM,
  // measured); one set in the same ms with no longer a delay is due no later.
  for (size_t i = 0; i < tc.timers.size(); ++i)
    for (size_t j = i + 1; j < tc.timers.size(); ++j) {
      const TimerPlan &a = tc.timers[i], &b = tc.timers[j];
      if (a.cancel || b.cancel || a.to_partner || b.to_partner || armed_at[i] != armed_at[j] || a.delay_ms > b.delay_ms)
        continue;
      if (arrived[static_cast<int>(j)][0].seq < arrived[static_cast<int>(i)][0].seq)
        return "timers " + std::to_string(i) + " and " + std::to_string(j) + " to itself, set in one ms with " +
               std::to_string(a.delay_ms) + " and " + std::to_string(b.delay_ms) + " ms, arrived in the other order (S90)";
    }
  for (const auto& [asked, took] : waited) {
    if (took < asked)
      return "receive ... after " + std::to_string(asked) + " timed out after " + std::to_string(took) + " ms (S6)";
    if (took > asked + kLateMs)
      return "receive ... after " + std::to_string(asked) + " timed out after " + std::to_string(took) + " ms: more than " +
             std::to_string(kLateMs) + " ms late";
  }
  return std::nullopt;
}

// ---------------------------------------------------------------- S11

// Calls that time out about when the server answers: the server sleeps 0..3 ms before replying
// and the caller waits 1..3 ms, so its timeout and the server's sleep often end on the same
// timer tick, on different workers. Each call gives its own request's reply or exits with
// timeout; a reply that lands after the timer fired but before the caller ran is taken by the
// call (gen:do_call's `after 0`), any later one dropped: the caller's mailbox ends empty.
struct CallPlan {
  int server_ms;   // 0..3
  int timeout_ms;  // 1..3
};

std::vector<CallPlan> draw_calls(sim::Draws& d) {
  std::vector<CallPlan> calls(1 + d.below(12));
  for (auto& c : calls) c = {static_cast<int>(d.below(4)), 1 + static_cast<int>(d.below(3))};
  return calls;
}

class SlowEcho : public GenServer {
  Task<Result> handle_call(Process& self, Message request, From) override {
    const Term& t = *request.get<Term>();
    co_await self.sleep(t[1].integer_value());
    co_return Result::reply(t[0]);
  }
};

std::optional<std::string> check_calls(const std::vector<CallPlan>& calls) {
  std::mutex mu;
  std::optional<std::string> failure;
  size_t left_in_mailbox = 0;
  bool done = false;
  rt::RtWorld w(kThreads);
  auto fail = [&](std::string why) {
    std::lock_guard lock(mu);
    if (!failure) failure = std::move(why);
  };
  w.spawn([&](Process& me) -> Proc {
    auto started = co_await gen_server::start_link(me, [] { return std::make_unique<SlowEcho>(); });
    Pid server = started.pid;
    for (size_t i = 0; i < calls.size(); ++i) {
      const CallPlan& c = calls[i];
      const std::string which = "call " + std::to_string(i) + " (server " + std::to_string(c.server_ms) + " ms, timeout " +
                                std::to_string(c.timeout_ms) + " ms)";
      try {
        Message r = co_await gen_server::call(me, server, tuple(integer(static_cast<int64_t>(i)), integer(c.server_ms)), c.timeout_ms);
        const Term* t = r.get<Term>();
        if (!t || !t->is_integer() || t->integer_value() != static_cast<int64_t>(i))
          fail(which + " returned " + r.to_term().to_string() + ", not its own reply (S11)");
      } catch (const Exit& e) {
        if (!e.reason().is_tuple(2) || !e.reason()[0].is_atom("timeout"))
          fail(which + " exited with " + e.reason().to_string() + ", not {timeout, ...} (S11)");
      }
    }
    co_await me.sleep(10);  // every late reply has landed or been dropped by now
    std::lock_guard lock(mu);
    left_in_mailbox = me.mailbox_size();
    done = true;
  });
  if (!w.wait_idle_for(kIdleWithin)) return kNotIdle;
  std::lock_guard lock(mu);
  if (failure) return failure;
  if (!done) return "the calling process did not finish its calls";
  if (left_in_mailbox != 0)
    return std::to_string(left_in_mailbox) + " message(s) left in the caller's mailbox after its calls: a late reply kept (S11: dropped, or taken by the call)";
  return std::nullopt;
}

// ---------------------------------------------------------------- S10

// Starts under one local name, each right after an init under it failed (stop, ignore or a
// crash): gen unregisters the name before it acks the failure, so the second start never finds
// the dying server still holding it (measured on OTP 25: 0 of 20,000; here the starter, on the
// other worker, could run between the ack and the exit, and was refused ~3 % of the time).
struct NameCase {
  int rounds;  // 500..999: enough for the work sharing to put the two on different workers
  int how;     // 0 stop, 1 ignore, 2 crash
};

NameCase draw_names(sim::Draws& d) { return {500 + static_cast<int>(d.below(500)), static_cast<int>(d.below(3))}; }

std::optional<std::string> check_names(const NameCase& n) {
  std::mutex mu;
  std::optional<std::string> failure;
  bool done = false;
  rt::RtWorld w(kThreads);
  w.spawn([&](Process& me) -> Proc {
    gen_server::StartOptions named{.name = {.local = "rt_name"}};
    for (int i = 0; i < n.rounds; ++i) {
      int how = n.how;
      co_await gen_server::start(me, [how] { return std::make_unique<FailingInit>(how); }, named);
      StartResult r = co_await gen_server::start(me, [] { return std::make_unique<GenServer>(); }, named);
      if (r.kind != StartResult::Kind::ok) {
        std::lock_guard lock(mu);
        failure = "round " + std::to_string(i) + ": a start right after a failed init under the same name gave " + r.to_term().to_string() +
                  " (S10: the failing server gives its name up before the start returns)";
        break;
      }
      co_await gen_server::stop(me, r.pid);  // returns on its DOWN: its name is free by then (S7)
      if (Pid still = me.whereis("rt_name")) {
        std::lock_guard lock(mu);
        failure = "round " + std::to_string(i) + ": the name still held by " + Term(still).to_string() +
                  " after the DOWN of the server that held it (S7: a name goes before the exit's signals)";
        break;
      }
    }
    std::lock_guard lock(mu);
    done = true;
  });
  if (!w.wait_idle_for(kIdleWithin)) return kNotIdle;
  std::lock_guard lock(mu);
  if (failure) return failure;
  if (!done) return "the starting process did not finish its starts";
  return std::nullopt;
}

// ---------------------------------------------------------------- load

// Many processes at once: a crowd spawned and woken in one turn (more than a worker's run queue
// holds in place: it overflows), independent ping-pong pairs split over both workers (wake-ups
// crossing between them while each takes its own), and threads waiting for exits (more of them
// than RtWorld watches in place). Every message, reply and exit must be seen.
struct LoadCase {
  int crowd = 300;     // processes woken in one turn
  int pairs = 8;       // ping-pong pairs
  int round_trips = 200;
  int waiters = 12;    // threads in wait_exit at once
};

LoadCase draw_load(sim::Draws& d) {
  LoadCase l;
  l.crowd = 257 + static_cast<int>(d.below(700));
  l.pairs = 4 + static_cast<int>(d.below(13));
  l.round_trips = 100 + static_cast<int>(d.below(900));
  l.waiters = 1 + static_cast<int>(d.below(16));
  return l;
}

std::optional<std::string> check_load(const LoadCase& l) {
  std::atomic<int> forwarded{0};
  std::mutex mu;
  std::vector<int> trips(static_cast<size_t>(l.pairs), 0);
  rt::RtWorld w(kThreads);
  // The crowd: each member waits for one message and reports it.
  Pid collector = w.spawn([&](Process& me) -> Proc {
    for (;;) {
      (void)co_await me.receive_any();
      forwarded.fetch_add(1, std::memory_order_relaxed);
    }
  });
  w.spawn([&, collector](Process& me) -> Proc {
    std::vector<Pid> crowd;
    for (int i = 0; i < l.crowd; ++i)
      crowd.push_back(me.spawn([collector](Process& m) -> Proc {
        Message x = *co_await m.receive_any();
        m.send(collector, std::move(x));
      }));
    for (Pid p : crowd) me.send(p, atom("go"));
    co_return;
  });
  // The pairs.
  for (int i = 0; i < l.pairs; ++i) {
    Pid pong = w.spawn([](Process& me) -> Proc {
      for (;;) {
        Message m = *co_await me.receive_any();
        me.send(m.get<Term>()->pid(), atom("pong"));
      }
    });
    w.spawn([&, i, pong](Process& me) -> Proc {
      for (int k = 0; k < l.round_trips; ++k) {
        me.send(pong, Term(me.self()));
        (void)co_await me.receive_any();
      }
      std::lock_guard lock(mu);
      trips[static_cast<size_t>(i)] = l.round_trips;
    });
  }
  // The waiters: each thread waits for its own process, which ends after 30..34 ms (the threads
  // are waiting by then).
  // A waiter must wake when its process ends, not when its wait times out or another exit
  // happens to wake it: it is told within kLateMs.
  using Clock = std::chrono::steady_clock;
  const auto n = static_cast<size_t>(l.waiters);
  std::vector<std::atomic<int64_t>> ended_ns(n);  // written on a worker, read on the waiting thread
  std::vector<Clock::time_point> woke_at(n);
  auto ns = [](Clock::time_point t) { return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count(); };
  std::vector<Pid> ending;
  for (size_t i = 0; i < n; ++i)
    ending.push_back(w.spawn([i, &ended_ns, ns](Process& me) -> Proc {
      co_await me.sleep(30 + static_cast<int64_t>(i % 5));  // after the threads wait
      ended_ns[i].store(ns(Clock::now()));
    }));
  std::vector<char> seen_exit(n, 0);
  {
    std::vector<std::thread> threads;
    for (size_t i = 0; i < n; ++i)
      threads.emplace_back([&, i] {
        seen_exit[i] = w.wait_exit(ending[i], kIdleWithin) ? 1 : 0;
        woke_at[i] = Clock::now();
      });
    for (auto& t : threads) t.join();
  }
  if (!w.wait_idle_for(kIdleWithin)) return kNotIdle;
  for (size_t i = 0; i < n; ++i) {
    if (!seen_exit[i])
      return "wait_exit of a process that ended, one of " + std::to_string(l.waiters) + " threads waiting at once, gave up";
    int64_t late = (ns(woke_at[i]) - ended_ns[i].load()) / 1'000'000;
    if (late > kLateMs)
      return "wait_exit, one of " + std::to_string(l.waiters) + " threads waiting at once, returned " + std::to_string(late) +
             " ms after its process ended (its notification lost?)";
  }
  if (w.wait_exit(collector, std::chrono::milliseconds(5))) return "wait_exit of a live process answered true";
  if (forwarded.load() != l.crowd)
    return std::to_string(forwarded.load()) + " of a crowd of " + std::to_string(l.crowd) + " woken in one turn reported (S5: every message arrives)";
  std::lock_guard lock(mu);
  for (int i = 0; i < l.pairs; ++i)
    if (trips[static_cast<size_t>(i)] != l.round_trips) return "ping-pong pair " + std::to_string(i) + " did not finish its round trips";
  return std::nullopt;
}

// ---------------------------------------------------------------- the run queue

// A worker's run queue (rt/run_queue.hpp) refuses a push when it is full (the executor then
// puts the process in that worker's overflow) and gives every slot it took exactly once,
// oldest first, to its owner and thieves alike. A ring that overwrote a slot when full would
// lose one process and run another twice at once: in a world, a crash or a world that never
// goes idle; here a failure that says so. A burst past the ring's capacity is pushed by its
// owner, once alone (nothing taken until the end: the ring fills) and once with a thief taking
// from it (and the owner taking now and then); what a push refuses goes to a deque, as the
// executor's queue_local does.
struct QueueCase {
  uint64_t burst = 300;  // slots pushed
  int owner_takes_every = 0;  // with the thief: pushes between two takes of the owner's (0: none)
};

QueueCase draw_queue(sim::Draws& d) {
  QueueCase q;
  q.burst = rt::RunQueue::kCapacity + 1 + d.below(3 * rt::RunQueue::kCapacity);
  q.owner_takes_every = static_cast<int>(d.below(8));
  return q;
}

std::optional<std::string> check_run_queue(const QueueCase& q) {
  for (bool with_thief : {false, true}) {
    auto ring = std::make_unique<rt::RunQueue>();
    std::deque<uint64_t> overflow;
    std::vector<uint64_t> owner_took, thief_took;
    std::atomic<bool> done{false};
    std::thread thief;
    if (with_thief)
      thief = std::thread([&] {
        for (;;) {
          const bool last = done.load(std::memory_order_acquire);  // read before the take that finds none
          uint64_t v = 0;
          if (ring->pop(v)) thief_took.push_back(v);
          else if (last) return;
          else std::this_thread::yield();
        }
      });
    for (uint64_t v = 1; v <= q.burst; ++v) {
      if (!ring->push(v)) overflow.push_back(v);
      uint64_t x = 0;
      if (with_thief && q.owner_takes_every > 0 && v % static_cast<uint64_t>(q.owner_takes_every) == 0 && ring->pop(x))
        owner_took.push_back(x);
    }
    done.store(true, std::memory_order_release);
    if (thief.joinable()) thief.join();
    for (uint64_t x = 0; ring->pop(x);) owner_took.push_back(x);
    const std::string where = with_thief ? " (a thief taking as it filled)" : " (its owner alone)";
    std::vector<int> seen(q.burst + 1, 0);
    for (const auto* from : {&owner_took, &thief_took})
      for (uint64_t v : *from) ++seen[v];
    for (uint64_t v : overflow) ++seen[v];
    for (uint64_t v = 1; v <= q.burst; ++v)
      if (seen[v] != 1)
        return "a burst of " + std::to_string(q.burst) + " slots through a run queue of " + std::to_string(rt::RunQueue::kCapacity) +
               where + ": slot " + std::to_string(v) + (seen[v] == 0 ? " was lost" : " came out " + std::to_string(seen[v]) + " times") +
               " (a full ring must refuse the push, not overwrite a slot)";
    for (const auto* took : {&owner_took, &thief_took})
      if (!std::is_sorted(took->begin(), took->end()))
        return "the run queue gave slots out of the order they were pushed" + where;
  }
  return std::nullopt;
}

// ---------------------------------------------------------------- wake-ups

// A process sent home to a worker that sleeps wakes that worker (rt_executor.cpp push_remote).
// Checked on a world whose workers share at once (share_after 0): there an idle worker sleeps
// until it is woken and never looks again by itself, so a wake-up lost is a process that never
// runs again, which a bounded wait reports (with adaptive sharing a worker looks again within
// 1 or 16 ms, and a lost wake-up is only a late turn). One process at a time takes a chain of
// short sleeps, each fired by the timer thread while both workers idle, so each sends it home
// to its sleeping worker; then pairs hand a token back and forth, waking each other across the
// workers. Each must end within 5 s, hundreds of times what it takes.
struct WakeCase {
  int chains = 3;       // processes, one after another
  int hops = 20;        // sleeps of each
  int pairs = 2;        // ping-pong pairs, side by side
  int round_trips = 50;
};

WakeCase draw_wakes(sim::Draws& d) {
  WakeCase c;
  c.chains = 1 + static_cast<int>(d.below(4));
  c.hops = 5 + static_cast<int>(d.below(26));
  c.pairs = 1 + static_cast<int>(d.below(3));
  c.round_trips = 10 + static_cast<int>(d.below(100));
  return c;
}

constexpr std::chrono::seconds kWakeWithin{5};

std::optional<std::string> check_wakes(const WakeCase& c) {
  rt::RtWorld w(kThreads, std::chrono::nanoseconds(0));
  for (int i = 0; i < c.chains; ++i) {
    std::atomic<int> hops_done{0};
    Pid p = w.spawn([&, i](Process& me) -> Proc {
      for (int k = 0; k < c.hops; ++k) {
        co_await me.sleep(1 + (i + k) % 2);
        hops_done.fetch_add(1, std::memory_order_relaxed);
      }
    });
    if (!w.wait_exit(p, kWakeWithin))
      return "a process sleeping 1-2 ms at a time on an idle world (share_after 0) stopped after " + std::to_string(hops_done.load()) +
             " of " + std::to_string(c.hops) + " sleeps: not run again within 5 s (a wake-up of its sleeping worker lost)";
  }
  std::vector<std::atomic<int>> trips(static_cast<size_t>(c.pairs));
  std::vector<Pid> pingers;
  for (int i = 0; i < c.pairs; ++i) {
    Pid pong = w.spawn([](Process& me) -> Proc {
      for (;;) {
        Message m = *co_await me.receive_any();
        me.send(m.get<Term>()->pid(), atom("pong"));
      }
    });
    pingers.push_back(w.spawn([&, i, pong](Process& me) -> Proc {
      for (int k = 0; k < c.round_trips; ++k) {
        me.send(pong, Term(me.self()));
        (void)co_await me.receive_any();
        trips[static_cast<size_t>(i)].fetch_add(1, std::memory_order_relaxed);
      }
    }));
  }
  for (int i = 0; i < c.pairs; ++i)
    if (!w.wait_exit(pingers[static_cast<size_t>(i)], kWakeWithin))
      return "a ping-pong pair on an idle world (share_after 0) stopped after " + std::to_string(trips[static_cast<size_t>(i)].load()) +
             " of " + std::to_string(c.round_trips) + " round trips: not run again within 5 s (a wake-up lost)";
  return std::nullopt;
}

std::string describe(const kernel_signals::Case& k, const OrderCase& o, const TimerCase& t, const std::vector<CallPlan>& calls,
                     const LoadCase& l, const NameCase& n, const QueueCase& q, const WakeCase& wk) {
  std::string s = "signals: " + kernel_signals::describe(k) + "\n  order: " + std::to_string(o.senders) + " sender(s) x " +
                  std::to_string(o.receivers) + " receiver(s) x " + std::to_string(o.per_stream) + " message(s)" +
                  (o.selective ? ", receiver 0 first takes sender 0's last" : "") + "\n  timers:";
  for (const auto& p : t.timers)
    s += " " + std::to_string(p.delay_ms) + "ms->" + (p.to_partner ? "other" : "self") +
         (p.cancel ? "(cancel after " + std::to_string(p.pause_ms) + "ms)" : "");
  for (int ms : t.receive_after_ms) s += " receive-after-" + std::to_string(ms) + "ms";
  s += "\n  calls (server ms / timeout ms):";
  for (const auto& c : calls) s += " " + std::to_string(c.server_ms) + "/" + std::to_string(c.timeout_ms);
  s += "\n  load: a crowd of " + std::to_string(l.crowd) + ", " + std::to_string(l.pairs) + " pairs x " +
       std::to_string(l.round_trips) + " round trips, " + std::to_string(l.waiters) + " threads in wait_exit";
  s += "\n  run queue: a burst of " + std::to_string(q.burst) + " slots" +
       (q.owner_takes_every ? ", its owner taking one every " + std::to_string(q.owner_takes_every) + " pushes beside the thief" : "");
  s += "\n  wake-ups (share_after 0): " + std::to_string(wk.chains) + " x " + std::to_string(wk.hops) + " sleeps, " +
       std::to_string(wk.pairs) + " pairs x " + std::to_string(wk.round_trips) + " round trips";
  s += "\n  names: " + std::to_string(n.rounds) + " starts, each after an init that " + (n.how == 0 ? "stops" : n.how == 1 ? "ignores" : "crashes");
  return s;
}

}  // namespace

SuiteOutcome rt_suite(sim::Draws& d) {
  kernel_signals::Case k = kernel_signals::draw(d);
  OrderCase o = draw_order(d);
  TimerCase t = draw_timers(d);
  LoadCase l = draw_load(d);
  std::vector<CallPlan> calls = draw_calls(d);  // drawn late: earlier tokens keep their cases
  NameCase n = draw_names(d);
  QueueCase q = draw_queue(d);
  WakeCase wk = draw_wakes(d);
  // The run queue first: a ring that loses or doubles slots would crash the worlds below.
  std::optional<std::string> failure = check_run_queue(q);
  if (!failure) failure = check_signals(k);
  if (!failure) failure = check_order(o);
  if (!failure) failure = check_timers(t);
  if (!failure) failure = check_calls(calls);
  if (!failure) failure = check_load(l);
  if (!failure) failure = check_names(n);
  if (!failure) failure = check_wakes(wk);
  return {failure, describe(k, o, t, calls, l, n, q, wk)};
}

}  // namespace otp::properties
