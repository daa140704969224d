#pragma once
// The one registry every runner reads: simulation tests (OTPSIM_TEST, register_test) and
// otpsim's own property suites. `otpsim` and a user's test binary in CLI mode list, check,
// explore, replay and shrink whatever is registered here, with the same output.
#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <otpsim/testing/sim_test.hpp>

namespace otp::testing {

// One run of an entry, from a seed or from a recorded choice list.
struct EntryRun {
  std::vector<std::string> failures;
  std::string case_text;
  std::vector<uint32_t> choices;  // what replays it
  std::string key;                // "fails the same way" while shrinking
  bool diverged = false;          // a replayed choice did not fit this run (a scenario's token from other code)
};

struct Entry {
  enum class Kind : uint8_t { suite, test } kind = Kind::test;
  std::string name;
  std::string rules;  // suites: the SEMANTICS rules
  std::string what;
  // seed, recorded choices (nullopt: draw fresh), trace stream (nullptr: none)
  std::function<EntryRun(uint64_t, const std::optional<std::vector<uint32_t>>&, std::ostream*)> run;
  const TestDef* test = nullptr;  // Kind::test
  bool in_all = true;             // part of all-tests / all-suites (false: expected to fail, run by name)
  std::string target() const { return (kind == Kind::suite ? "suite/" : "test/") + name; }
};

class Registry {
 public:
  // std::invalid_argument if the name is taken or not a valid name (letters, digits, . _ -).
  const Entry& add(Entry e);
  const Entry* find(const std::string& name) const;
  const std::vector<const Entry*>& all() const { return order_; }
  std::vector<std::string> names(Entry::Kind kind) const;  // those in_all

 private:
  std::vector<std::unique_ptr<Entry>> entries_;
  std::vector<const Entry*> order_;
};

Registry& registry();

// Registers a simulation test; returns its entry. Used by OTPSIM_TEST before main runs.
const Entry& register_test(TestDef def);

}  // namespace otp::testing
