#pragma once
// Source-DPOR (Abdulla, Aronis, Jonsson, Sagonas, "Source sets", JACM 2017) over the
// simulator's steps: stateless, one schedule per run, source sets without sleep sets. With a
// step being everything a process does until it waits, source sets plus sleep sets missed
// traces the soundness suite found (a sleeping run whose behaviour a later arrival changes);
// source sets alone did not. The cost is schedules that repeat a trace on programs with
// many races (supervisor trees); wakeup trees (optimal DPOR) would remove them.
//
// Threads of execution: a run of process P (its own program order), the deliveries of one
// (from, to) channel (FIFO, each after the step that sent it), and timers (global: a timer fires
// only when nothing else can step, so it follows everything before it and precedes everything
// after it). Happens-before: program order per thread, send -> delivery, spawn -> the child's
// first run, the step that woke a process -> its next run, and trace order between dependent
// steps.
//
// Dependence: two steps are dependent when one writes an object the other reads or writes
// (core/kernel/access_observer.hpp names them). A process is several objects: its life (read by
// every run of it and every lookup or liveness check, written by its exit), its mailbox (written
// by each arrival: arrivals never commute; read by a receive `after 0` that found nothing), each
// message in it (written by its arrival and by the receive that takes it: a take commutes with
// other arrivals), its trap_exit flag (read by exit signals), its links, its monitors both ways,
// its reply aliases. Also: a registered name (register/unregister/exit write, whereis reads), an
// application env key, and the pid allocator (every spawn writes it: pids are handed out in
// order). A run that blocks in receive reads only its own life, so it commutes with arrivals:
// whichever comes first, the process then takes the same message. Everything else a step does
// is local to its process or goes through a channel. Refs are opaque: two equivalent schedules
// may give different ref values, which only equality observes. C++ objects shared between
// processes are invisible here (as in Erlang, where processes share nothing).
//
// Timer ties, timer delays and fault points are choices of data, not of order: every option is
// explored.
#include <cstdint>
#include <deque>
#include <map>
#include <vector>

#include <otpsim/sim/chooser.hpp>

namespace otp::sim {

class DporHook final : public DecisionHook {
 public:
  // bound: at most this many non-canonical scheduling choices per schedule (bounded DPOR);
  // UINT32_MAX: unbounded, exhaustive over the scenario's traces.
  explicit DporHook(uint32_t bound);

  bool wants_steps() const override { return true; }
  void begin_schedule();
  uint32_t choose(DecisionPoint point, const std::vector<OptionLabel>& options) override;
  void stepped(const StepEvent& e) override;
  // Prepares the next schedule; false when every backtrack point is explored.
  bool advance();

  uint64_t races() const { return races_; }
  bool bounded_out() const { return bounded_out_; }  // the bound cut an alternative

 private:
  struct Frame {
    DecisionPoint point;
    std::vector<OptionLabel> options;
    uint32_t chosen = 0;
    std::vector<OptionLabel> backtrack;  // next_step: threads to explore here
    std::vector<OptionLabel> done;       // next_step: explored here
    size_t event = 0;                    // the step this decision belongs to
    uint32_t delays = 0;                 // non-canonical (not the first option) choices before this frame
  };
  struct Event {
    uint32_t thread;
    std::vector<uint64_t> touched;
    bool global;
    std::vector<uint32_t> clock;  // by thread: 1 + position of the last event of it that happens before (0: none)
    int frame = -1;               // the next_step frame that chose this step
  };

  uint32_t thread_of(const OptionLabel& l);
  bool happens_before(size_t i, const std::vector<uint32_t>& clock) const {
    uint32_t t = events_[i].thread;
    return t < clock.size() && clock[t] >= i + 1;
  }
  static void join(std::vector<uint32_t>& into, const std::vector<uint32_t>& from);
  void on_race(size_t i, size_t j, const OptionLabel& p, const std::vector<uint32_t>& clock_without_i);

  uint32_t bound_;
  std::vector<Frame> frames_;
  size_t depth_ = 0;
  size_t analyse_from_ = 0;  // events before this were analysed in an earlier schedule
  int step_frame_ = -1;      // the next_step frame of the step under way

  // This schedule's events and the indexes they are built with.
  std::vector<Event> events_;
  std::vector<OptionLabel> thread_labels_;
  std::map<std::pair<uint8_t, std::pair<uint64_t, uint64_t>>, uint32_t> thread_ids_;
  std::vector<int64_t> last_of_thread_;
  std::map<uint64_t, size_t> last_write_;                          // object -> event
  std::map<uint64_t, std::vector<size_t>> reads_since_;            // object -> reads after its last write
  std::map<std::pair<uint64_t, uint64_t>, std::deque<size_t>> in_flight_;  // channel -> sending events, FIFO
  std::map<uint64_t, size_t> spawned_by_;                          // pid -> event
  std::map<uint64_t, size_t> woken_by_;                            // pid -> the event that made its next run possible
  int64_t last_global_ = -1;

  uint64_t races_ = 0;
  bool bounded_out_ = false;
};

}  // namespace otp::sim
