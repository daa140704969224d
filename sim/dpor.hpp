#pragma once
// Source-DPOR (Abdulla, Aronis, Jonsson, Sagonas, "Source sets", JACM 2017) with sleep sets over
// the simulator's steps: stateless, one schedule per run, each reversal steered through the
// steps that reverse the race. A step is everything a process does until it waits, so what a
// step does depends on the state it meets more than a single operation's would (a run that
// finds its process killed does nothing; a link may find its peer dead). Two rules keep sleep
// sets sound on such steps, each found by the soundness suite as a missed outcome: every
// delivery reads its receiver's life (arriving before or after the exit are different steps),
// and a race whose earlier step ended the later step's process is reversed even when the
// reversing step is asleep there, to that process's own step where it can, with the steps of
// the reversal kept awake (the run it reverses to is a different step from the one put to
// sleep).
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
//
// Sleep sets: a frame remembers each step explored from it (its thread and what it touched);
// a branch taken there later starts with those asleep, and a sleeper wakes when a step
// dependent on it runs. A schedule whose every enabled step is asleep repeats an explored trace
// and is cut there (counted as sleep-set blocked).
//
// Two parts: a DporTree (every decision frame reached, its backtrack set, and the branches
// still to run) and a DporHook per worker, which runs one branch and reports what the tree must
// learn from it (the frames it reached first, the races it found). The hook never reads the
// tree while a schedule runs, so several workers, each with its own world, can share one tree
// behind a lock and explore the same traces as one worker does (testing/parallel_dpor).
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <queue>
#include <vector>

#include <otpsim/sim/chooser.hpp>

namespace otp::sim {

// A step as a sleep set keeps it: its thread and what it touched when it ran.
struct DporSleeper {
  OptionLabel label;
  std::vector<uint64_t> touched;
  bool global = false;
  // Whether `touched`/`global` of another step make it depend on this one.
  bool depends_on(const std::vector<uint64_t>& other, bool other_global) const;
};

// A branch to run: replay `decisions`; the last one is the alternative taken at its frame.
struct DporBranch {
  std::vector<uint32_t> decisions;
  struct DporFrame* node = nullptr;  // the tree frame where the alternative is taken (nullptr: the first schedule)
  // After the alternative, the rest of the race's reversing sequence, taken in order as its
  // steps become possible (as optimal DPOR follows a wakeup sequence): a step is a whole run, so
  // left to the canonical order, the next run of a process may no longer do what raced.
  std::vector<OptionLabel> guide;
  std::vector<DporSleeper> sleep;  // asleep when the alternative is taken
  bool guide_awake = false;        // the guide's steps are kept out of `sleep` (a race that ended a process)
};

// What one schedule taught: its decision list, the frames past its branch point (new to the
// tree) and, in order, each race's frame and the initials that would reverse it.
struct DporReport {
  struct Frame {
    DecisionPoint point;
    std::vector<OptionLabel> options;
    uint32_t delays;  // non-canonical scheduling choices before this frame
    std::vector<DporSleeper> sleep;  // asleep when the choice was made
    DporSleeper taken;               // next_step: the step chosen (its label and footprint)
  };
  struct Race {
    size_t depth;  // the frame of the earlier step
    std::vector<OptionLabel> initials;
    std::vector<OptionLabel> sequence;  // v: the steps that reverse it, in order (the initial is one of them)
    bool ended = false;  // the earlier step ended the later one's process (its step changes wholly when reversed)
  };
  DporFrame* branch = nullptr;
  std::vector<uint32_t> decisions;
  size_t first_new = 0;            // frames from this depth on were reached for the first time
  std::vector<Frame> new_frames;   // decisions[first_new + k] was chosen at new_frames[k]
  std::vector<Race> races;
  DporSleeper branch_taken;  // the alternative's step, when the branch frame is a next_step
};

struct DporFrame {
  DecisionPoint point;
  std::vector<OptionLabel> options;
  uint32_t delays = 0;
  std::vector<OptionLabel> backtrack;  // next_step: threads explored or queued here
  std::vector<DporSleeper> sleep;      // asleep when this frame was first reached
  std::vector<DporSleeper> explored;   // next_step: steps run from here, with their footprints
  DporFrame* parent = nullptr;
  std::vector<std::pair<uint32_t, std::unique_ptr<DporFrame>>> children;  // by decision
  uint64_t live = 0;  // branches queued or running at or below this frame
};

class DporTree {
 public:
  // bound: at most this many non-canonical scheduling choices per schedule (bounded DPOR);
  // UINT32_MAX: unbounded, exhaustive over the scenario's traces.
  explicit DporTree(uint32_t bound);
  ~DporTree();
  DporTree(const DporTree&) = delete;
  DporTree& operator=(const DporTree&) = delete;

  // Whether take() has a branch (with workers running, more may come later).
  bool has_work() const { return !started_ || !queue_.empty(); }
  // The next branch: the deepest queued one, first queued first within a depth (what one
  // depth-first worker would take); the first is the empty branch. Requires has_work().
  DporBranch take();
  // Learns from a schedule run from a branch `take` gave; frees the frames no branch needs.
  void commit(const DporReport& report);

  bool bounded_out() const { return bounded_out_; }  // the bound cut an alternative
  size_t queued() const { return queue_.size(); }
  uint64_t frames() const { return frames_; }

 private:
  struct Queued {
    size_t depth;
    uint64_t order;
    DporBranch branch;
    bool operator<(const Queued& o) const { return depth != o.depth ? depth < o.depth : order > o.order; }
  };
  void enqueue(DporFrame* n, const std::vector<uint32_t>& decisions, size_t depth, uint32_t choice, std::vector<OptionLabel> guide = {},
               bool guide_awake = false);
  void add_to_backtrack(DporFrame* n, const OptionLabel& q, const std::vector<uint32_t>& decisions, size_t depth,
                        std::vector<OptionLabel> guide, bool guide_awake = false);
  void release(DporFrame* n);

  uint32_t bound_;
  std::unique_ptr<DporFrame> root_;
  std::priority_queue<Queued> queue_;
  uint64_t order_ = 0;
  bool started_ = false;
  bool bounded_out_ = false;
  uint64_t frames_ = 0;  // frames alive now
};

class DporHook final : public DecisionHook {
 public:
  bool wants_steps() const override { return true; }
  void begin(const DporBranch& branch);
  uint32_t choose(DecisionPoint point, const std::vector<OptionLabel>& options) override;
  void stepped(const StepEvent& e) override;
  // The schedule's report for DporTree::commit (begin() clears it for the next).
  DporReport& report() { return report_; }

  uint64_t races() const { return races_; }
  uint64_t blocked() const { return blocked_runs_; }  // schedules cut by sleep sets

  // Happens-before costs a vector clock per step, one entry per thread of execution seen so
  // far: a long schedule of a big world (thousands of processes and channels) would take
  // gigabytes. A schedule past this many entries (128 MiB) stops being analysed: it runs on
  // canonically, too_big() says so, and its report must not be committed (the exploration
  // cannot go on soundly: explore ends there).
  static constexpr uint64_t kMaxClockEntries = uint64_t{1} << 25;
  bool too_big() const { return too_big_; }

 private:
  struct Frame {
    DecisionPoint point;
    uint32_t chosen;
    uint32_t delays;
  };
  struct Event {
    uint32_t thread;
    std::vector<uint64_t> touched;
    bool global;
    std::vector<uint32_t> clock;  // by thread: 1 + position of the last event of it that happens before (0: none)
    int frame = -1;               // the next_step frame that chose this step
  };

  uint32_t thread_of(const OptionLabel& l);
  bool asleep(const OptionLabel& l) const;
  void block();  // every enabled step is asleep: the rest of this schedule repeats an explored trace
  bool happens_before(size_t i, const std::vector<uint32_t>& clock) const {
    uint32_t t = events_[i].thread;
    return t < clock.size() && clock[t] >= i + 1;
  }
  static void join(std::vector<uint32_t>& into, const std::vector<uint32_t>& from);
  void on_race(size_t i, size_t j, const OptionLabel& p, const std::vector<uint32_t>& clock_without_i);

  std::vector<uint32_t> script_;  // the branch's decisions
  std::vector<Frame> frames_;
  size_t analyse_from_ = 0;  // events before this were analysed by the schedule the branch came from
  int step_frame_ = -1;      // the next_step frame of the step under way
  DporReport report_;
  std::deque<OptionLabel> guide_;  // the branch's guide, still to take
  std::vector<DporSleeper> branch_sleep_;  // asleep at the branch frame
  std::vector<DporSleeper> sleep_;         // asleep now (from the branch frame on)
  bool sleeping_ = false;                  // sleep_ is in force (past the replayed prefix)
  bool blocked_ = false;                   // this schedule was cut: nothing more is learnt from it
  bool too_big_ = false;                   // past kMaxClockEntries (blocked_ too)
  uint64_t clock_entries_ = 0;             // in events_' clocks

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
  std::vector<uint32_t> dep_mark_;  // by event: 1 + the event whose dependencies last listed it

  uint64_t races_ = 0;
  uint64_t blocked_runs_ = 0;
};

}  // namespace otp::sim
