#include "targets.hpp"

#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include <otpsim/sim/chrome_trace.hpp>
#include <otpsim/sim/html_trace.hpp>
#include <otpsim/sim/limits.hpp>
#include <otpsim/sim/scenario.hpp>
#include <otpsim/sim/story.hpp>
#include <otpsim/sim/term_parse.hpp>
#include <otpsim/sim/token.hpp>

namespace otp::fuzz {
namespace {

// A broken promise is a finding: print it and abort, so libFuzzer saves the input.
void require(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "fuzz check failed: %s\n", what);
  std::abort();
}

int depth_of(const sim::ChildDecl& d) {
  int deepest = 0;
  for (const auto& c : d.children) deepest = std::max(deepest, 1 + depth_of(c));
  return deepest;
}

}  // namespace

void scenario(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  sim::Scenario s;
  try {
    s = sim::parse_scenario(text, "fuzz.toml");
  } catch (const sim::ScenarioError& e) {
    // Every error names the file (and, from the parser on, line:column).
    require(std::string_view(e.what()).rfind("fuzz.toml:", 0) == 0, "a ScenarioError that does not start with the file name");
    return;
  }
  // The runner relies on these; the loader promises them (docs/scenarios.md "Limits").
  require(s.run_ms >= 0 && s.run_ms <= sim::limits::kDurationMs, "run_ms out of bounds");
  require(depth_of(s.root) <= sim::limits::kTreeDepth, "tree deeper than kTreeDepth");
  int64_t jobs = 0;
  for (const auto& j : s.jobs) {
    const sim::ChildDecl* t = sim::find_child(s.root, j.target);
    require(t && t->component != sim::ChildDecl::Component::none, "a job whose target is not a pool or breaker");
    require(j.at_ms < s.run_ms && j.count >= 1, "a job out of bounds");
    jobs += j.count;
  }
  require(jobs <= sim::limits::kJobCount, "more jobs than kJobCount");
  for (const auto& f : s.faults) require(f.at_ms >= 0 && f.at_ms < s.run_ms && !f.path.empty(), "a fault out of bounds");
  (void)sim::tree_text(s);
  (void)sim::tree_dot(s);
}

void term(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  Term t;
  try {
    t = sim::parse_term(text);
  } catch (const sim::TermParseError& e) {
    require(e.column >= 1 && e.column <= text.size() + 1, "an error column outside the text");
    return;
  }
  // What it parsed prints as Erlang does, and that text parses back to the same term (the
  // scenario files and the traces speak the same language).
  std::string printed = t.to_string();
  Term again;
  try {
    again = sim::parse_term(printed);
  } catch (const sim::TermParseError&) {
    require(printed.size() > sim::limits::kTermBytes, "a parsed term printed as text that does not parse");
    return;
  }
  require(again == t, "a parsed term printed as text that parses to a different term");
}

void token(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  Token t;
  try {
    t = parse_token(text);
  } catch (const std::invalid_argument&) {
    return;
  }
  require(!t.target.empty(), "a token with an empty target");
  require(!t.choices || t.choices->size() <= sim::limits::kTokenChoices, "more choices than kTokenChoices");
  // What make_token writes, parse_token reads back the same. (Checked up to 100 000 choices:
  // a round trip of 10 million takes seconds under ASan and would starve the fuzzer.)
  if (t.choices && t.choices->size() > 100'000) return;
  Token again = parse_token(make_token(t.target, t.seed, t.choices));
  require(again.seed == t.seed && again.target == t.target, "seed or target changed in a round trip");
  require(again.choices.has_value() == t.choices.has_value(), "choices appeared or vanished in a round trip");
  if (t.choices) {
    // An empty list is written "0*0" and read back as empty.
    require(*again.choices == *t.choices, "choices changed in a round trip");
  }
}

void trace(const uint8_t* data, size_t size) {
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  std::vector<sim::TraceEvent> events;
  try {
    events = sim::read_trace(in, "fuzz.jsonl");
  } catch (const std::invalid_argument& e) {
    require(std::string_view(e.what()).rfind("fuzz.jsonl", 0) == 0, "a trace error that does not name the file");
    return;
  }
  require(!events.empty(), "an empty trace read without an error");
  for (bool verbose : {false, true}) {
    sim::Story story({.verbose = verbose});
    for (const auto& e : events) (void)story.tell(e);
    (void)story.flush();
  }
  require(nlohmann::json::accept(sim::chrome_trace_json(events)), "the Chrome export is not JSON");
  (void)sim::html_trace(events, {.title = "fuzz.jsonl"});
}

}  // namespace otp::fuzz
