#pragma once
// The `contracts` suite's parts: each probe exercises one documented API behaviour (a
// SEMANTICS rule, measured on the BEAM where OTP's docs are unclear) with drawn timings,
// reasons and options, on a world whose schedule is drawn too, and compares what it saw with
// what OTP does. Probes are small and exact: a result term, an exit reason, whether a process
// survived, how many times something ran.
#include <functional>
#include <string>
#include <vector>

#include <otpsim/core/kernel/process.hpp>
#include <otpsim/sim/draws.hpp>

namespace otp::properties::contract {

class Probe {
 public:
  explicit Probe(sim::Draws& d) : d_(d), seed_(d.seed()) {}

  // Draws, each noted in the case text under `name`.
  int64_t ms(const char* name, int64_t lo, int64_t hi);
  bool chance(const char* name);
  template <class T>
  const T& pick(const char* name, const std::vector<T>& from) {
    const T& x = from[d_.below(static_cast<uint32_t>(from.size()))];
    note(name, describe(x));
    return x;
  }
  void note(const char* name, const std::string& value) { text_ += std::string(" ") + name + "=" + value; }

  void expect(const std::string& what, const std::string& got, const std::string& want);
  void expect(const std::string& what, const Term& got, const Term& want) { expect(what, got.to_string(), want.to_string()); }
  void expect(const std::string& what, bool got, bool want) { expect(what, std::string(got ? "true" : "false"), std::string(want ? "true" : "false")); }
  void expect(const std::string& what, int64_t got, int64_t want) { expect(what, std::to_string(got), std::to_string(want)); }

  // Runs `body` as the first process of a fresh simulated world with this case's seed until
  // nothing is left to do; a body that never ends is a failure.
  void run(const std::function<Proc(Process&)>& body);

  const std::string& text() const { return text_; }
  const std::string& failures() const { return failures_; }
  uint64_t seed() const { return seed_; }

 private:
  static std::string describe(const Term& t) { return t.to_string(); }
  static std::string describe(const std::string& s) { return s; }
  static std::string describe(int64_t v) { return std::to_string(v); }

  sim::Draws& d_;
  uint64_t seed_;
  std::string text_;
  std::string failures_;
};

struct ProbeDef {
  const char* name;
  const char* rule;
  void (*run)(Probe&);
};

const std::vector<ProbeDef>& kernel_probes();
const std::vector<ProbeDef>& gen_server_probes();
const std::vector<ProbeDef>& supervisor_probes();
const std::vector<ProbeDef>& component_probes();  // DynamicSupervisor, Task, Registry, Application, pool, tokens
const std::vector<ProbeDef>& scenario_probes();   // scenario files

}  // namespace otp::properties::contract
