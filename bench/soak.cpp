// otpsim_soak: does a long-running node keep memory bounded? Runs N operations of one load on
// a world with default settings (exit records kept, as a user's node would run) and prints the
// resident set size (/proc/self/statm) every --every operations, then the growth from the first
// report (after warm-up) to the last.
//
//   otpsim_soak [--load spawn|restart|pool|call|all] [--n N] [--every M] [--threads T|--sim [--no-decisions]]
//   otpsim_soak --explore random|pct|dfs|dpor [--n N] [--every M]
//
//   spawn    spawn_monitor a process that exits at once, wait for its DOWN (in batches of 1,000)
//   restart  kill the one child of a one_for_one supervisor, wait for its restart to announce
//            itself (one supervisor for the whole run)
//   pool     otp::pool jobs (8 workers), submitted and awaited in batches of 1,000
//   call     gen_server:call with its default 5,000 ms timeout, one after another (a timer armed
//            and cancelled each: what a cancelled timer leaves behind)
//
// --threads T runs on rt::RtWorld(T) (default 1); --sim on the simulator (virtual time), which
// keeps its decision list (12 bytes a decision, for replay and shrinking) unless --no-decisions.
// Defaults: --load all --n 10000000 --every 1000000.
//
// --explore runs `explore` with that strategy for N schedules (dfs bound 64, dpor unbounded) on
// 12 senders to one receiver (12! arrival orders: no strategy runs out of schedules first), each
// schedule a fresh simulated world, and prints RSS every M schedules: what an exploration keeps
// from one schedule to the next (its coverage counts, dpor's and dfs's backtracking state).
#include <sys/wait.h>
#include <malloc.h>
#include <unistd.h>

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <otpsim/core/behaviours/gen_server.hpp>
#include <otpsim/core/behaviours/supervisor.hpp>
#include <otpsim/bench/workloads.hpp>
#include <otpsim/core/components/pool.hpp>
#include <otpsim/properties/explore_programs.hpp>
#include <otpsim/sim/explore.hpp>
#include <otpsim/rt/rt_world.hpp>
#include <otpsim/sim/world.hpp>

using namespace otp;

namespace {

constexpr int64_t kBatch = 1'000;

double rss_mb() {
  std::ifstream statm("/proc/self/statm");
  uint64_t size = 0, resident = 0;
  statm >> size >> resident;
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
}

// Beside RSS: glibc's bytes in use, and how much of the block cache's region has been carved
// (its high-water mark: blocks in use, cached by threads or in the shared store).
void print_line(const std::string& label, int64_t done, double rss) {
  struct mallinfo2 m = mallinfo2();
  double heap = static_cast<double>(m.uordblks + m.hblkhd) / (1024.0 * 1024.0);
  double region = static_cast<double>(block_cache::region_bytes_carved()) / (1024.0 * 1024.0);
  std::printf("%-16s %12" PRId64 " ops  rss %8.1f MB  (heap %6.1f MB, block region %6.1f MB)\n", label.c_str(), done,
              rss, heap, region);
  std::fflush(stdout);
}

struct Report {
  std::string label;
  int64_t every = 0;
  std::vector<double> rss;  // after each `every` operations
  void at(int64_t done) {
    double mb = rss_mb();
    rss.push_back(mb);
    print_line(label, done, mb);
  }
};

// Calls report.at(done) each time `done` crosses a multiple of report.every.
void progress(Report& report, int64_t before, int64_t done) {
  if (done / report.every != before / report.every) report.at(done);
}

Body spawn_load(int64_t n, Report& report) {
  return [n, &report](Process& self) -> Proc {
    for (int64_t done = 0; done < n;) {
      int64_t batch = std::min(kBatch, n - done);
      for (int64_t i = 0; i < batch; ++i) self.spawn_monitor([](Process&) -> Proc { co_return; });
      for (int64_t i = 0; i < batch; ++i) co_await self.receive_any();
      progress(report, done, done + batch);
      done += batch;
    }
  };
}

using bench::Announcer;  // W3's child: tells the driver its pid when it starts

// pause_ms: a pause after every 1,000 restarts, so that virtual time moves in the simulator
// (the supervisor keeps the restarts of its last max_seconds, as OTP does).
Body restart_load(int64_t n, Report& report, int64_t pause_ms) {
  return [n, &report, pause_ms](Process& self) -> Proc {
    Pid me = self.self();
    std::vector<ChildSpec> kids{worker_spec(atom("child"), [me] { return std::make_unique<Announcer>(me); })};
    // One supervisor for the whole run; an intensity it never reaches (a restart per kill).
    SupFlags flags{.max_restarts = INT32_MAX, .max_seconds = 1};
    auto sup = co_await supervisor::start_link(self, flags, kids);
    Pid child = (co_await self.receive_any())->get<Pid>()[0];
    for (int64_t done = 0; done < n; ++done) {
      self.exit(child, atom("kill"));
      child = (co_await self.receive_any())->get<Pid>()[0];
      progress(report, done, done + 1);
      if (pause_ms && (done + 1) % kBatch == 0) co_await self.sleep(pause_ms);
    }
    self.trap_exit(true);
    self.exit(sup.pid, atom("shutdown"));
    co_await self.receive(exit_from(sup.pid));
  };
}

Body pool_load(int64_t n, Report& report) {
  return [n, &report](Process& self) -> Proc {
    self.trap_exit(true);
    Pid sup = (co_await pool::start_link(self, {.name = "soak", .size = 8})).pid;
    std::vector<pool::Submitted> subs;
    subs.reserve(kBatch);
    for (int64_t done = 0; done < n;) {
      int64_t batch = std::min(kBatch, n - done);
      subs.clear();
      for (int64_t j = 0; j < batch; ++j)
        subs.push_back(pool::submit(self, "soak", [j](Process&) -> Task<Term> { co_return integer(2 * j); }));
      for (const auto& s : subs) {
        Term outcome = co_await pool::await(self, s);
        if (!outcome[0].is_atom("ok")) {
          std::fprintf(stderr, "pool job failed: %s\n", outcome.to_string().c_str());
          std::abort();
        }
      }
      progress(report, done, done + batch);
      done += batch;
    }
    self.exit(sup, atom("shutdown"));
    co_await self.receive(exit_from(sup));
  };
}

Body call_load(int64_t n, Report& report) {
  return [n, &report](Process& self) -> Proc {
    Pid s = (co_await gen_server::start_link(self, [] { return std::make_unique<bench::Echo>(); })).pid;
    for (int64_t done = 0; done < n; ++done) {
      co_await gen_server::call(self, s, integer(done));
      progress(report, done, done + 1);
    }
    self.unlink(s);
    self.exit(s, atom("kill"));
  };
}

Body load_body(const std::string& load, int64_t n, Report& report, bool sim) {
  if (load == "spawn") return spawn_load(n, report);
  if (load == "call") return call_load(n, report);
  if (load == "restart") return restart_load(n, report, sim ? 10 : 0);
  return pool_load(n, report);
}

bool g_decisions = true;

int run_load(const std::string& l, int64_t n, int64_t every, unsigned threads, bool sim) {
  Report report{l + (sim ? (g_decisions ? "/sim" : "/sim-nodec") : "/rt" + std::to_string(threads)), every, {}};
  print_line(report.label, 0, rss_mb());
  if (sim) {
    sim::World w({.record_decisions = g_decisions});
    w.spawn(load_body(l, n, report, true));
    auto r = w.run({.max_steps = UINT64_MAX});
    if (r.stop != sim::StopReason::quiescent) {
      std::fprintf(stderr, "%s: the simulation stopped (%s)\n", l.c_str(), sim::to_string(r.stop));
      return 1;
    }
  } else {
    rt::RtWorld w(threads);
    Pid root = w.spawn(load_body(l, n, report, false));
    if (!w.wait_exit(root, std::chrono::hours(24))) {
      std::fprintf(stderr, "%s: did not finish\n", l.c_str());
      return 1;
    }
  }
  if (report.rss.size() >= 2) {
    double first = report.rss.front(), last = report.rss.back();
    std::printf("%-16s growth from %" PRId64 " to %" PRId64 " ops: %+.1f %% (%.1f -> %.1f MB)\n", report.label.c_str(),
                every, every * static_cast<int64_t>(report.rss.size()), 100.0 * (last - first) / first, first, last);
  }
  std::fflush(stdout);
  return 0;
}

int run_explore(const std::string& strategy, int64_t n, int64_t every) {
  sim::ExploreOptions o{.max_schedules = static_cast<uint64_t>(n), .stop_at_first = false};
  if (strategy == "random") o.strategy = sim::ExploreStrategy::random;
  else if (strategy == "pct") o.strategy = sim::ExploreStrategy::pct;
  else if (strategy == "dfs") o.strategy = sim::ExploreStrategy::dfs, o.bound = 64;
  else o.strategy = sim::ExploreStrategy::dpor, o.bound = sim::kUnbounded;
  Report report{"explore/" + strategy, every, {}};
  print_line(report.label, 0, rss_mb());
  uint64_t seen = 0;
  sim::ExploreResult r = sim::explore(properties::senders_to_one(12), o, [&](const sim::ExploreResult& now) {
    progress(report, static_cast<int64_t>(seen), static_cast<int64_t>(now.schedules));
    seen = now.schedules;
  });
  if (r.schedules % static_cast<uint64_t>(every) == 0 && seen != r.schedules) report.at(static_cast<int64_t>(r.schedules));  // (progress comes every 256)
  std::printf("%-16s %" PRIu64 " schedules (%" PRIu64 " distinct%s)\n", report.label.c_str(), r.schedules, r.distinct_schedules,
              r.distinct_estimated ? ", estimated" : "");
  if (report.rss.size() >= 2) {
    double first = report.rss.front(), last = report.rss.back();
    std::printf("%-16s growth from %" PRId64 " to %" PRId64 " schedules: %+.1f %% (%.1f -> %.1f MB)\n", report.label.c_str(),
                every, every * static_cast<int64_t>(report.rss.size()), 100.0 * (last - first) / first, first, last);
  }
  return r.failures.empty() ? 0 : 1;
}

[[noreturn]] void usage() {
  std::fprintf(stderr,
               "usage: otpsim_soak [--load spawn|restart|pool|call|all] [--n N] [--every M] [--threads T|--sim "
               "[--no-decisions]]\n       otpsim_soak --explore random|pct|dfs|dpor [--n N] [--every M]\n");
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  std::string load = "all";
  int64_t n = 10'000'000, every = 1'000'000;
  unsigned threads = 1;
  bool sim = false;
  std::string explore;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage();
      return argv[++i];
    };
    if (a == "--load") load = value();
    else if (a == "--n") n = std::stoll(value());
    else if (a == "--every") every = std::stoll(value());
    else if (a == "--threads") threads = static_cast<unsigned>(std::stoul(value()));
    else if (a == "--sim") sim = true;
    else if (a == "--no-decisions") g_decisions = false;
    else if (a == "--explore") explore = value();
    else usage();
  }
  if (n <= 0 || every <= 0) usage();
  if (!explore.empty()) {
    if (explore != "random" && explore != "pct" && explore != "dfs" && explore != "dpor") usage();
    return run_explore(explore, n, every);
  }
  std::vector<std::string> loads;
  if (load == "all") loads = {"spawn", "restart", "pool", "call"};
  else if (load == "spawn" || load == "restart" || load == "pool" || load == "call") loads = {load};
  else usage();

  int status = 0;
  for (const auto& l : loads) {
    if (loads.size() == 1) return run_load(l, n, every, threads, sim);
    // Each load in a process of its own (forked before any thread starts), so that one load's
    // high-water mark does not hide or inflate the next one's.
    std::fflush(stdout);
    pid_t child = fork();
    if (child < 0) {
      std::perror("fork");
      return 1;
    }
    if (child == 0) std::exit(run_load(l, n, every, threads, sim));
    int ws = 0;
    waitpid(child, &ws, 0);
    if (!WIFEXITED(ws) || WEXITSTATUS(ws) != 0) status = 1;
  }
  return status;
}
