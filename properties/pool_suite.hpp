#pragma once
// The pool suite (S80): random job mixes (durations, results, jobs that throw, jobs that exit
// their worker) from several clients, with worker kills, dispatcher kills and WorkerSupervisor
// escalations injected at random virtual times. Every job must get exactly one outcome that
// names what happened; no worker runs two jobs at once; no job runs more than max_attempts
// times; the dispatcher's counts stay within bounds after every step.
#include <optional>
#include <string>
#include <vector>

#include <otpsim/sim/draws.hpp>

namespace otp::properties {

struct PoolJob {
  enum class Kind : uint8_t { value, raise, exit_worker } kind = Kind::value;
  bool is_async = false;   // pool::async (proxy, {task_result, R})
  bool is_submit = false;  // pool::submit + pool::await
  int64_t at_ms = 0;
  int64_t duration_ms = 0;
};

struct PoolFault {
  enum class Kind : uint8_t { kill_worker, kill_dispatcher, escalate } kind = Kind::kill_worker;
  int64_t at_ms = 0;
  uint32_t worker = 0;
};

struct PoolCase {
  int size = 2;
  int max_attempts = 1;
  size_t max_pending = 0;
  int64_t worker_max_restarts = 3;
  std::vector<std::vector<PoolJob>> clients;
  std::vector<PoolFault> faults;
  uint64_t seed = 1;
  bool guide_mode = false;
};

PoolCase random_pool_case(sim::Draws& d, bool guide_mode = false);
std::optional<std::string> check_pool_case(const PoolCase& c);
std::string describe(const PoolCase& c);

}  // namespace otp::properties
