#include <toml++/toml.h>

#include <fstream>
#include <set>

#include <otpsim/sim/scenario.hpp>
#include <otpsim/sim/term_parse.hpp>

namespace otp::sim {
namespace {

struct Loader {
  std::string file;

  [[noreturn]] void fail(const toml::node& at, const std::string& what) const {
    const auto& b = at.source().begin;
    throw ScenarioError(file + ":" + std::to_string(b.line) + ":" + std::to_string(b.column) + ": " + what);
  }

  void only_keys(const toml::table& t, std::set<std::string> allowed, const char* where) const {
    for (const auto& [k, v] : t)
      if (!allowed.contains(std::string(k.str())))
        fail(v, "unknown key '" + std::string(k.str()) + "' in " + where);
  }

  template <class T>
  T get(const toml::table& t, const char* key, T fallback, const char* expected) const {
    const toml::node* n = t.get(key);
    if (!n) return fallback;
    auto v = n->value<T>();
    if (!v) fail(*n, std::string("'") + key + "' must be " + expected);
    return *v;
  }

  Term term(const toml::table& t, const char* key, Term fallback) const {
    const toml::node* n = t.get(key);
    if (!n) return fallback;
    auto s = n->value<std::string>();
    if (!s) fail(*n, std::string("'") + key + "' must be a string holding an Erlang term, e.g. \"boom\" or \"{shutdown,bye}\"");
    try {
      return parse_term(*s);
    } catch (const TermParseError& e) {
      fail(*n, std::string("'") + key + "': " + e.what() + " (column " + std::to_string(e.column) + " of the term)");
    }
  }

  std::vector<Term> terms(const toml::table& t, const char* key) const {
    std::vector<Term> out;
    const toml::node* n = t.get(key);
    if (!n) return out;
    const toml::array* a = n->as_array();
    if (!a) fail(*n, std::string(key) + " must be an array of Erlang terms, e.g. [\"econnrefused\", \"ignore\"]");
    for (const auto& e : *a) {
      auto s = e.value<std::string>();
      if (!s) fail(e, std::string(key) + " entries must be strings");
      try {
        out.push_back(parse_term(*s));
      } catch (const TermParseError& x) {
        fail(e, std::string(key) + ": " + x.what());
      }
    }
    return out;
  }

  SupFlags flags(const toml::table& t) const {
    SupFlags f;
    std::string s = get<std::string>(t, "strategy", "one_for_one", "a string");
    if (s == "one_for_one") f.strategy = Strategy::one_for_one;
    else if (s == "one_for_all") f.strategy = Strategy::one_for_all;
    else if (s == "rest_for_one") f.strategy = Strategy::rest_for_one;
    else fail(*t.get("strategy"), "unknown strategy '" + s + "': expected one_for_one, one_for_all or rest_for_one");
    f.max_restarts = get<int64_t>(t, "max_restarts", 3, "an integer");
    f.max_seconds = get<int64_t>(t, "max_seconds", 5, "an integer");
    std::string a = get<std::string>(t, "auto_shutdown", "never", "a string");
    if (a == "never") f.auto_shutdown = AutoShutdown::never;
    else if (a == "any_significant") f.auto_shutdown = AutoShutdown::any_significant;
    else if (a == "all_significant") f.auto_shutdown = AutoShutdown::all_significant;
    else fail(*t.get("auto_shutdown"), "unknown auto_shutdown '" + a + "': expected never, any_significant or all_significant");
    if (f.max_restarts < 0) fail(*t.get("max_restarts"), "max_restarts must be >= 0");
    if (f.max_seconds <= 0) fail(*t.get("max_seconds"), "max_seconds must be > 0");
    return f;
  }

  ChildDecl child(const toml::table& t) const {
    only_keys(t, {"id", "type", "restart", "shutdown", "significant", "trap_exit", "stop_delay_ms", "init_fail", "restart_fail",
                  "behavior", "chain", "fail_after_ms", "size", "max_attempts", "max_pending", "guide_mode", "threshold",
                  "reset_ms", "strategy", "max_restarts", "max_seconds", "auto_shutdown", "children"},
              "a child");
    ChildDecl c;
    if (!t.get("id")) fail(t, "a child needs an 'id'");
    c.id = get<std::string>(t, "id", "", "a string");
    if (c.id.empty() || c.id.find('/') != std::string::npos) fail(*t.get("id"), "'id' must be non-empty and contain no '/'");
    std::string type = get<std::string>(t, "type", "worker", "a string");
    if (type != "worker" && type != "supervisor" && type != "pool" && type != "circuit_breaker")
      fail(*t.get("type"), "'type' must be worker, supervisor, pool or circuit_breaker");
    c.is_supervisor = type == "supervisor";
    c.component = type == "pool" ? ChildDecl::Component::pool
                  : type == "circuit_breaker" ? ChildDecl::Component::circuit_breaker
                                              : ChildDecl::Component::none;
    auto positive = [&](const char* key, int64_t fallback, int64_t min) {
      int64_t v = get<int64_t>(t, key, fallback, "an integer");
      if (v < min) fail(*t.get(key), std::string("'") + key + "' must be >= " + std::to_string(min));
      return v;
    };
    for (const char* k : {"size", "max_attempts", "max_pending", "guide_mode"})
      if (t.get(k) && c.component != ChildDecl::Component::pool) fail(*t.get(k), std::string("'") + k + "' is for type = \"pool\"");
    for (const char* k : {"threshold", "reset_ms"})
      if (t.get(k) && c.component != ChildDecl::Component::circuit_breaker)
        fail(*t.get(k), std::string("'") + k + "' is for type = \"circuit_breaker\"");
    c.pool_size = positive("size", 2, 1);
    c.max_attempts = positive("max_attempts", 1, 1);
    c.max_pending = positive("max_pending", 0, 0);
    c.guide_mode = get<bool>(t, "guide_mode", false, "true or false");
    c.threshold = positive("threshold", 3, 1);
    c.reset_ms = positive("reset_ms", 1000, 0);
    std::string r = get<std::string>(t, "restart", "permanent", "a string");
    if (r == "permanent") c.restart = Restart::permanent;
    else if (r == "transient") c.restart = Restart::transient;
    else if (r == "temporary") c.restart = Restart::temporary;
    else fail(*t.get("restart"), "unknown restart '" + r + "': expected permanent, transient or temporary");
    if (const toml::node* n = t.get("shutdown")) {
      if (auto ms = n->value<int64_t>()) {
        if (*ms < 0) fail(*n, "shutdown must be >= 0 ms, brutal_kill or infinity");
        c.shutdown = Shutdown::timeout(*ms);
      } else if (auto s = n->value<std::string>(); s && *s == "brutal_kill") {
        c.shutdown = Shutdown::brutal_kill();
      } else if (s && *s == "infinity") {
        c.shutdown = Shutdown::infinity();
      } else {
        fail(*n, "shutdown must be milliseconds, \"brutal_kill\" or \"infinity\"");
      }
    }
    c.significant = get<bool>(t, "significant", false, "true or false");
    c.trap_exit = get<bool>(t, "trap_exit", true, "true or false");
    c.stop_delay_ms = get<int64_t>(t, "stop_delay_ms", 0, "an integer");
    c.init_fail = terms(t, "init_fail");
    c.restart_fail = terms(t, "restart_fail");
    std::string b = get<std::string>(t, "behavior", "plain", "a string");
    if (b == "plain") c.behavior = ChildDecl::Behavior::plain;
    else if (b == "expects_down_before_exit") c.behavior = ChildDecl::Behavior::expects_down_before_exit;
    else fail(*t.get("behavior"), "unknown behavior '" + b + "': expected plain or expects_down_before_exit");
    c.chain = get<int64_t>(t, "chain", 1, "an integer");
    if (c.chain < 1 || c.chain > 64) fail(*t.get("chain"), "chain must be 1..64");
    c.fail_after_ms = get<int64_t>(t, "fail_after_ms", 100, "an integer");
    if (c.fail_after_ms < 0) fail(*t.get("fail_after_ms"), "fail_after_ms must be >= 0");
    if (c.is_supervisor && c.behavior != ChildDecl::Behavior::plain) fail(*t.get("behavior"), "a supervisor has no behavior");
    if (c.is_supervisor) {
      c.flags = flags(t);
      c.children = children(t);
    } else if (t.get("children")) {
      fail(*t.get("children"), "a worker has no children (set type = \"supervisor\")");
    }
    return c;
  }

  std::vector<ChildDecl> children(const toml::table& t) const {
    std::vector<ChildDecl> out;
    const toml::node* n = t.get("children");
    if (!n) return out;
    const toml::array* a = n->as_array();
    if (!a) fail(*n, "'children' must be an array of tables ([[...children]])");
    for (const auto& e : *a) {
      if (!e.as_table()) fail(e, "each child must be a table");
      out.push_back(child(*e.as_table()));
    }
    return out;
  }

  FaultDecl fault(const toml::table& t) const {
    only_keys(t, {"at_ms", "child", "action", "reason"}, "a [[fault]]");
    FaultDecl f;
    f.line = static_cast<int>(t.source().begin.line);
    if (!t.get("child")) fail(t, "a fault needs 'child' (a path such as \"db\" or \"inner/x\")");
    f.path = get<std::string>(t, "child", "", "a string");
    f.at_ms = get<int64_t>(t, "at_ms", 0, "an integer");
    if (f.at_ms < 0) fail(*t.get("at_ms"), "at_ms must be >= 0");
    std::string a = get<std::string>(t, "action", "crash", "a string");
    if (a == "crash") f.action = FaultDecl::Action::crash;
    else if (a == "exit") f.action = FaultDecl::Action::exit;
    else if (a == "kill") f.action = FaultDecl::Action::kill;
    else fail(*t.get("action"), "unknown action '" + a + "': expected crash, exit or kill");
    f.reason = term(t, "reason", atom("boom"));
    return f;
  }

  JobDecl job(const toml::table& t) const {
    only_keys(t, {"at_ms", "target", "count", "duration_ms", "outcome", "mode", "timeout_ms"}, "a [[job]]");
    JobDecl j;
    j.line = static_cast<int>(t.source().begin.line);
    if (!t.get("target")) fail(t, "a job needs 'target' (the path of a pool or circuit_breaker child)");
    j.target = get<std::string>(t, "target", "", "a string");
    j.at_ms = get<int64_t>(t, "at_ms", 0, "an integer");
    j.count = get<int64_t>(t, "count", 1, "an integer");
    j.duration_ms = get<int64_t>(t, "duration_ms", 10, "an integer");
    j.timeout_ms = get<int64_t>(t, "timeout_ms", 5000, "an integer");
    if (j.at_ms < 0 || j.count < 1 || j.duration_ms < 0 || j.timeout_ms < 0)
      fail(t, "at_ms, duration_ms and timeout_ms must be >= 0 and count >= 1");
    std::string o = get<std::string>(t, "outcome", "ok", "a string");
    if (o == "ok") j.outcome = JobDecl::Outcome::ok;
    else if (o == "fail") j.outcome = JobDecl::Outcome::fail;
    else if (o == "exit") j.outcome = JobDecl::Outcome::exit;
    else fail(*t.get("outcome"), "unknown outcome '" + o + "': expected ok, fail or exit");
    std::string m = get<std::string>(t, "mode", "run", "a string");
    if (m == "run") j.mode = JobDecl::Mode::run;
    else if (m == "async") j.mode = JobDecl::Mode::async;
    else if (m == "submit") j.mode = JobDecl::Mode::submit;
    else fail(*t.get("mode"), "unknown mode '" + m + "': expected run, async or submit");
    return j;
  }

  ExpectDecl expect(const toml::table& t) const {
    only_keys(t, {"child", "starts", "alive", "exit_reason", "jobs_ok", "jobs_errors", "jobs_timeouts", "jobs_rejected",
                  "breaker_state"},
              "an [[expect]]");
    ExpectDecl e;
    e.line = static_cast<int>(t.source().begin.line);
    e.path = get<std::string>(t, "child", "", "a string");
    int kinds = 0;
    for (const char* k : {"starts", "alive", "exit_reason", "jobs_ok", "jobs_errors", "jobs_timeouts", "jobs_rejected", "breaker_state"})
      kinds += t.get(k) ? 1 : 0;
    if (kinds != 1)
      fail(t, "an [[expect]] needs exactly one of 'starts', 'alive', 'exit_reason', 'jobs_ok', 'jobs_errors', "
              "'jobs_timeouts', 'jobs_rejected', 'breaker_state'");
    for (const char* k : {"jobs_ok", "jobs_errors", "jobs_timeouts", "jobs_rejected"}) {
      if (!t.get(k)) continue;
      e.kind = ExpectDecl::Kind::jobs;
      e.what = std::string(k).substr(5);
      e.count = get<int64_t>(t, k, 0, "an integer");
      if (e.path.empty()) fail(t, std::string("'") + k + "' needs a 'child' (the pool or circuit breaker)");
      return e;
    }
    if (t.get("breaker_state")) {
      e.kind = ExpectDecl::Kind::breaker_state;
      e.what = get<std::string>(t, "breaker_state", "", "a string");
      if (e.what != "closed" && e.what != "open" && e.what != "half_open")
        fail(*t.get("breaker_state"), "breaker_state must be closed, open or half_open");
      if (e.path.empty()) fail(t, "'breaker_state' needs a 'child'");
      return e;
    }
    if (t.get("starts")) {
      e.kind = ExpectDecl::Kind::starts;
      e.count = get<int64_t>(t, "starts", 0, "an integer");
      if (e.path.empty()) fail(t, "'starts' needs a 'child'");
    } else if (t.get("alive")) {
      e.kind = ExpectDecl::Kind::alive;
      e.alive = get<bool>(t, "alive", true, "true or false");
    } else {
      e.kind = ExpectDecl::Kind::exit_reason;
      e.reason = term(t, "exit_reason", atom("normal"));
      if (!e.path.empty()) fail(t, "'exit_reason' is checked for the root supervisor only (omit 'child')");
    }
    return e;
  }
};

}  // namespace

const ChildDecl* find_child(const ChildDecl& root, const std::string& path) {
  const ChildDecl* at = &root;
  size_t pos = 0;
  while (at) {
    size_t slash = path.find('/', pos);
    std::string part = path.substr(pos, slash == std::string::npos ? std::string::npos : slash - pos);
    const ChildDecl* next = nullptr;
    for (const auto& c : at->children)
      if (c.id == part) next = &c;
    at = next;
    if (slash == std::string::npos) break;
    pos = slash + 1;
  }
  return at;
}

Scenario load_scenario(const std::string& path) {
  Loader l{path};
  if (!std::ifstream(path)) throw ScenarioError(path + ": cannot open the scenario file for reading");
  toml::table doc;
  try {
    doc = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    const auto& b = e.source().begin;
    throw ScenarioError(path + ":" + std::to_string(b.line) + ":" + std::to_string(b.column) + ": " +
                        std::string(e.description()));
  }
  l.only_keys(doc, {"name", "run_ms", "supervisor", "fault", "job", "expect"}, "the scenario");
  Scenario s;
  s.file = path;
  s.name = l.get<std::string>(doc, "name", path, "a string");
  s.run_ms = l.get<int64_t>(doc, "run_ms", 60'000, "an integer");
  const toml::table* sup = doc["supervisor"].as_table();
  if (!sup) throw ScenarioError(path + ":1:1: missing [supervisor] table (the root of the tree)");
  l.only_keys(*sup, {"strategy", "max_restarts", "max_seconds", "auto_shutdown", "children"}, "[supervisor]");
  s.root.id = "";
  s.root.is_supervisor = true;
  s.root.flags = l.flags(*sup);
  s.root.children = l.children(*sup);
  for (const auto* key : {"fault", "job", "expect"}) {
    const toml::node* n = doc.get(key);
    if (!n) continue;
    const toml::array* a = n->as_array();
    if (!a) l.fail(*n, std::string("use [[") + key + "] tables");
    for (const auto& e : *a) {
      if (!e.as_table()) l.fail(e, std::string("each ") + key + " must be a table");
      if (std::string(key) == "fault")
        s.faults.push_back(l.fault(*e.as_table()));
      else if (std::string(key) == "job")
        s.jobs.push_back(l.job(*e.as_table()));
      else
        s.expects.push_back(l.expect(*e.as_table()));
    }
  }
  // Every job names a pool or circuit breaker of this tree.
  for (const auto& j : s.jobs) {
    const ChildDecl* at = find_child(s.root, j.target);
    if (!at || at->component == ChildDecl::Component::none)
      throw ScenarioError(path + ":" + std::to_string(j.line) + ":1: job target '" + j.target +
                          "' is not a child of type pool or circuit_breaker");
  }
  return s;
}

}  // namespace otp::sim
