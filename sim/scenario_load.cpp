#include <toml++/toml.h>

#include <filesystem>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include <otpsim/core/kernel/utf8.hpp>
#include <otpsim/sim/limits.hpp>
#include <otpsim/sim/scenario.hpp>
#include <otpsim/sim/term_parse.hpp>

namespace otp::sim {
namespace {

namespace fs = std::filesystem;

std::string range(int64_t lo, int64_t hi) { return std::to_string(lo) + ".." + std::to_string(hi); }

// A TOML value as the file would write it (toml++'s formatter), for messages.
std::string toml_text(const toml::node& n) {
  std::ostringstream os;
  n.visit([&](const auto& v) { os << v; });
  return os.str();
}

// What a path names: a child declared in the file, or a part of a pool (its registry,
// dispatcher, worker supervisor or one of its workers).
struct PathTarget {
  enum class Kind : uint8_t { root, worker, supervisor, pool, circuit_breaker, pool_part } kind = Kind::root;
  const ChildDecl* decl = nullptr;
  std::string what;  // for messages: "a supervisor", "the pool 'jobs''s dispatcher", ...
};

struct Loader {
  std::string file;
  int children_declared = 0;
  int64_t processes = 1;  // the scenario's driver process
  std::map<std::string, int64_t> jobs_per_target;  // sum of [[job]] counts, by target path

  [[noreturn]] void fail_at(const toml::source_position& b, const std::string& what) const {
    throw ScenarioError(file + ":" + std::to_string(b.line) + ":" + std::to_string(b.column) + ": " + what);
  }
  [[noreturn]] void fail(const toml::node& at, const std::string& what) const { fail_at(at.source().begin, what); }

  void only_keys(const toml::table& t, std::set<std::string> allowed, const char* where) const {
    for (const auto& [k, v] : t)
      if (!allowed.contains(std::string(k.str())))
        fail(v, "unknown key '" + std::string(k.str()) + "' in " + where);
  }

  template <class T>
  T get(const toml::table& t, const char* key, T fallback, const char* expected) const {
    const toml::node* n = t.get(key);
    if (!n) return fallback;
    auto v = n->value_exact<T>();  // exact: toml++'s value<bool>() reads 5 as true
    if (!v) fail(*n, std::string("'") + key + "' must be " + expected);
    return *v;
  }

  // An integer in [lo, hi], checked as 64-bit before any narrowing (2147483648 must not
  // become a negative int, nor 4294967297 a pool of 1).
  int64_t integer(const toml::table& t, const char* key, int64_t fallback, int64_t lo, int64_t hi,
                  const char* unit = "") const {
    const toml::node* n = t.get(key);
    if (!n) return fallback;
    std::string want = std::string("'") + key + "' must be an integer in " + range(lo, hi) + unit;
    // Integers only: toml++'s value<int64_t>() converts a float by a cast that is undefined
    // behaviour out of int64's range (found by fuzzing: run_ms = 5002147483648010000000.012).
    if (const auto* f = n->as_floating_point())
      fail(*n, want + ", got the float " + toml_text(*f) + " (write a whole number without '.' or 'e')");
    const auto* i = n->as_integer();
    if (!i) fail(*n, want);
    int64_t v = i->get();
    if (v < lo || v > hi) fail(*n, want + ", got " + std::to_string(v));
    return v;
  }
  // A duration in virtual milliseconds: 0..10^9.
  int64_t ms(const toml::table& t, const char* key, int64_t fallback) const {
    return integer(t, key, fallback, 0, limits::kDurationMs, " (milliseconds)");
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
    if (a->size() > static_cast<size_t>(limits::kInitFails))
      fail(*n, std::string(key) + " has " + std::to_string(a->size()) + " entries; the limit is " +
                   std::to_string(limits::kInitFails));
    for (const auto& e : *a) {
      auto s = e.value<std::string>();
      if (!s) fail(e, std::string(key) + " entries must be strings");
      try {
        out.push_back(parse_term(*s));
      } catch (const TermParseError& x) {
        fail(e, std::string(key) + ": " + x.what() + " (column " + std::to_string(x.column) + " of the term)");
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
    f.max_restarts = integer(t, "max_restarts", 3, 0, limits::kMaxRestarts);
    f.max_seconds = integer(t, "max_seconds", 5, 1, limits::kMaxSeconds, " (seconds)");
    std::string a = get<std::string>(t, "auto_shutdown", "never", "a string");
    if (a == "never") f.auto_shutdown = AutoShutdown::never;
    else if (a == "any_significant") f.auto_shutdown = AutoShutdown::any_significant;
    else if (a == "all_significant") f.auto_shutdown = AutoShutdown::all_significant;
    else fail(*t.get("auto_shutdown"), "unknown auto_shutdown '" + a + "': expected never, any_significant or all_significant");
    return f;
  }

  ChildDecl child(const toml::table& t, int depth) {
    only_keys(t, {"id", "type", "restart", "shutdown", "significant", "trap_exit", "stop_delay_ms", "init_fail", "restart_fail",
                  "behavior", "chain", "fail_after_ms", "size", "max_attempts", "max_pending", "guide_mode", "threshold",
                  "reset_ms", "strategy", "max_restarts", "max_seconds", "auto_shutdown", "children"},
              "a child");
    if (++children_declared > limits::kTreeChildren)
      fail(t, "more than " + std::to_string(limits::kTreeChildren) + " children in the tree (the limit, all levels together)");
    ++processes;
    ChildDecl c;
    if (!t.get("id")) fail(t, "a child needs an 'id'");
    c.id = get<std::string>(t, "id", "", "a string");
    if (c.id.empty() || c.id.find('/') != std::string::npos) fail(*t.get("id"), "'id' must be non-empty and contain no '/'");
    // Characters as Erlang counts an atom's (code points; TOML text is valid UTF-8), as the term
    // parser does: "é" is one character of two bytes.
    const size_t id_chars = utf8::code_points(c.id);
    if (id_chars > limits::kAtomChars)
      fail(*t.get("id"), "'id' is " + std::to_string(id_chars) + " characters; an id is an atom, at most " +
                             std::to_string(limits::kAtomChars) + " characters");
    std::string type = get<std::string>(t, "type", "worker", "a string");
    if (type != "worker" && type != "supervisor" && type != "pool" && type != "circuit_breaker")
      fail(*t.get("type"), "'type' must be worker, supervisor, pool or circuit_breaker");
    c.is_supervisor = type == "supervisor";
    c.component = type == "pool" ? ChildDecl::Component::pool
                  : type == "circuit_breaker" ? ChildDecl::Component::circuit_breaker
                                              : ChildDecl::Component::none;
    bool worker = type == "worker";
    // Keys that only one type reads are errors elsewhere, not silently ignored.
    for (const char* k : {"size", "max_attempts", "max_pending", "guide_mode"})
      if (t.get(k) && c.component != ChildDecl::Component::pool) fail(*t.get(k), std::string("'") + k + "' is for type = \"pool\"");
    for (const char* k : {"threshold", "reset_ms"})
      if (t.get(k) && c.component != ChildDecl::Component::circuit_breaker)
        fail(*t.get(k), std::string("'") + k + "' is for type = \"circuit_breaker\"");
    for (const char* k : {"strategy", "max_restarts", "max_seconds", "auto_shutdown"})
      if (t.get(k) && !c.is_supervisor) fail(*t.get(k), std::string("'") + k + "' is for type = \"supervisor\"");
    for (const char* k : {"trap_exit", "stop_delay_ms", "init_fail", "restart_fail", "behavior", "chain", "fail_after_ms"})
      if (t.get(k) && !worker) fail(*t.get(k), std::string("'") + k + "' is for type = \"worker\" (this child is a " + type + ")");
    c.pool_size = integer(t, "size", 2, 1, limits::kPoolSize);
    c.max_attempts = integer(t, "max_attempts", 1, 1, limits::kMaxAttempts);
    c.max_pending = integer(t, "max_pending", 0, 0, limits::kMaxPending);
    c.guide_mode = get<bool>(t, "guide_mode", false, "true or false");
    c.threshold = integer(t, "threshold", 3, 1, limits::kThreshold);
    c.reset_ms = ms(t, "reset_ms", 1000);
    if (c.component == ChildDecl::Component::pool) processes += 3 + c.pool_size;  // registry, dispatcher, workers sup
    std::string r = get<std::string>(t, "restart", "permanent", "a string");
    if (r == "permanent") c.restart = Restart::permanent;
    else if (r == "transient") c.restart = Restart::transient;
    else if (r == "temporary") c.restart = Restart::temporary;
    else fail(*t.get("restart"), "unknown restart '" + r + "': expected permanent, transient or temporary");
    if (const toml::node* n = t.get("shutdown")) {
      if (n->is_integer()) {
        c.shutdown = Shutdown::timeout(ms(t, "shutdown", 0));
      } else if (auto s = n->value<std::string>(); s && *s == "brutal_kill") {
        c.shutdown = Shutdown::brutal_kill();
      } else if (s && *s == "infinity") {
        c.shutdown = Shutdown::infinity();
      } else {
        fail(*n, "'shutdown' must be milliseconds (" + range(0, limits::kDurationMs) + "), \"brutal_kill\" or \"infinity\"");
      }
    }
    c.significant = get<bool>(t, "significant", false, "true or false");
    c.trap_exit = get<bool>(t, "trap_exit", true, "true or false");
    c.stop_delay_ms = ms(t, "stop_delay_ms", 0);
    c.init_fail = terms(t, "init_fail");
    c.restart_fail = terms(t, "restart_fail");
    std::string b = get<std::string>(t, "behavior", "plain", "a string");
    if (b == "plain") c.behavior = ChildDecl::Behavior::plain;
    else if (b == "expects_down_before_exit") c.behavior = ChildDecl::Behavior::expects_down_before_exit;
    else fail(*t.get("behavior"), "unknown behavior '" + b + "': expected plain or expects_down_before_exit");
    // Only the expects_down_before_exit worker reads these: a plain worker would ignore them.
    for (const char* k : {"chain", "fail_after_ms"})
      if (t.get(k) && c.behavior != ChildDecl::Behavior::expects_down_before_exit)
        fail(*t.get(k), std::string("'") + k + "' is for behavior = \"expects_down_before_exit\"");
    c.chain = integer(t, "chain", 1, 1, limits::kChain);
    c.fail_after_ms = ms(t, "fail_after_ms", 100);
    if (c.behavior == ChildDecl::Behavior::expects_down_before_exit) processes += 1 + c.chain;  // W and the chain
    if (processes > limits::kScenarioProcesses)
      fail(t, "the tree declares more than " + std::to_string(limits::kScenarioProcesses) +
                  " processes (the limit: children + each pool's size + 3 + each chain + 1)");
    if (c.is_supervisor) {
      c.flags = flags(t);
      c.children = children(t, depth, c.flags.auto_shutdown);
    } else if (t.get("children")) {
      fail(*t.get("children"), "a " + type + " has no children (set type = \"supervisor\")");
    }
    return c;
  }

  // A tree OTP refuses to start is a mistake in the file: said here, with its line, rather than
  // as a supervisor that fails to start (OTP 25: {bad_combination, ...} from start_link).
  void significant_allowed(const toml::table& t, const ChildDecl& c, AutoShutdown auto_shutdown) const {
    if (!c.significant) return;
    const toml::node& at = *t.get("significant");
    if (auto_shutdown == AutoShutdown::never)
      fail(at, "child '" + c.id + "' is significant, but its supervisor's auto_shutdown is never (set auto_shutdown = "
                   "\"any_significant\" or \"all_significant\" on the supervisor; OTP rejects the combination)");
    if (c.restart == Restart::permanent)
      fail(at, "child '" + c.id + "' is significant and permanent (a significant child is transient or temporary; OTP "
                   "rejects the combination)");
  }

  // The children of a supervisor at `depth` (the root is 0) whose auto_shutdown is `auto_shutdown`.
  std::vector<ChildDecl> children(const toml::table& t, int depth, AutoShutdown auto_shutdown) {
    std::vector<ChildDecl> out;
    const toml::node* n = t.get("children");
    if (!n) return out;
    const toml::array* a = n->as_array();
    if (!a) fail(*n, "'children' must be an array of tables ([[...children]])");
    if (depth + 1 > limits::kTreeDepth)
      fail(*n, "supervisors nested deeper than " + std::to_string(limits::kTreeDepth) + " levels (the limit)");
    std::set<std::string> ids;
    for (const auto& e : *a) {
      if (!e.as_table()) fail(e, "each child must be a table");
      out.push_back(child(*e.as_table(), depth + 1));
      significant_allowed(*e.as_table(), out.back(), auto_shutdown);
      if (!ids.insert(out.back().id).second)
        fail(*e.as_table()->get("id"), "duplicate child id '" + out.back().id + "' (ids are unique among siblings)");
    }
    return out;
  }

  // Resolves a 'child' / 'target' path against the declared tree; any path that names
  // nothing is an error at the path's position (a typo must not make a fault a no-op or an
  // expectation pass vacuously).
  PathTarget path_target(const ChildDecl& root, const toml::node& at, const char* key, const std::string& path) const {
    if (path.empty()) return {PathTarget::Kind::root, &root, "the root supervisor"};
    const ChildDecl* cur = &root;
    std::string so_far;
    size_t pos = 0;
    auto where = [&] { return so_far.empty() ? std::string("the root supervisor") : "'" + so_far + "'"; };
    while (true) {
      size_t slash = path.find('/', pos);
      std::string part = path.substr(pos, slash == std::string::npos ? std::string::npos : slash - pos);
      if (part.empty()) fail(at, std::string("'") + key + "' = \"" + path + "\" has an empty component (write ids separated by single '/')");
      if (cur->component == ChildDecl::Component::pool) {
        // A pool's insides: registry, dispatcher, workers, workers/{worker,N} (N = 1..size).
        std::string rest = path.substr(pos);
        std::string pool_where = "the pool '" + so_far + "'";
        if (rest == "registry" || rest == "dispatcher")
          return {PathTarget::Kind::pool_part, cur, pool_where + "'s " + rest};
        if (rest == "workers") return {PathTarget::Kind::pool_part, cur, pool_where + "'s worker supervisor"};
        if (rest.rfind("workers/{worker,", 0) == 0 && rest.back() == '}') {
          std::string n = rest.substr(16, rest.size() - 17);
          bool digits = !n.empty() && n.size() <= 7 && n[0] != '0' &&
                        n.find_first_not_of("0123456789") == std::string::npos;
          if (digits && std::stoll(n) <= cur->pool_size)
            return {PathTarget::Kind::pool_part, cur, pool_where + "'s worker " + n};
          fail(at, std::string("'") + key + "' = \"" + path + "\": " + pool_where + " has workers {worker,1}..{worker," +
                       std::to_string(cur->pool_size) + "}");
        }
        fail(at, std::string("'") + key + "' = \"" + path + "\": below " + pool_where + " are registry, dispatcher, workers and workers/{worker,N}");
      }
      if (!cur->is_supervisor)
        fail(at, std::string("'") + key + "' = \"" + path + "\": " + where() + " is a " +
                     (cur->component == ChildDecl::Component::circuit_breaker ? "circuit breaker" : "worker") +
                     " and has no children");
      const ChildDecl* next = nullptr;
      for (const auto& c : cur->children)
        if (c.id == part) next = &c;
      if (!next) {
        std::string ids;
        for (const auto& c : cur->children) ids += (ids.empty() ? "" : ", ") + c.id;
        fail(at, std::string("'") + key + "' = \"" + path + "\": no child '" + part + "' under " + where() +
                     (ids.empty() ? " (it has no children)" : " (its children: " + ids + ")"));
      }
      cur = next;
      so_far += (so_far.empty() ? "" : "/") + part;
      if (slash == std::string::npos) break;
      pos = slash + 1;
    }
    if (cur->component == ChildDecl::Component::pool) return {PathTarget::Kind::pool, cur, "the pool '" + path + "'"};
    if (cur->component == ChildDecl::Component::circuit_breaker)
      return {PathTarget::Kind::circuit_breaker, cur, "the circuit breaker '" + path + "'"};
    if (cur->is_supervisor) return {PathTarget::Kind::supervisor, cur, "the supervisor '" + path + "'"};
    return {PathTarget::Kind::worker, cur, "the worker '" + path + "'"};
  }

  FaultDecl fault(const toml::table& t, const Scenario& s) const {
    only_keys(t, {"at_ms", "child", "action", "reason"}, "a [[fault]]");
    FaultDecl f;
    f.line = static_cast<int>(t.source().begin.line);
    if (!t.get("child")) fail(t, "a fault needs 'child' (a path such as \"db\" or \"inner/x\")");
    f.path = get<std::string>(t, "child", "", "a string");
    if (f.path.empty()) fail(*t.get("child"), "'child' must name a child (a path such as \"db\" or \"inner/x\")");
    PathTarget target = path_target(s.root, *t.get("child"), "child", f.path);
    f.at_ms = ms(t, "at_ms", 0);
    if (f.at_ms >= s.run_ms)  // at run_ms itself it would race the checks made then
      fail(*t.get("at_ms"), "at_ms = " + std::to_string(f.at_ms) + " is not before run_ms = " + std::to_string(s.run_ms) +
                                ": expectations are checked at run_ms, after what happened before it");
    std::string a = get<std::string>(t, "action", "crash", "a string");
    if (a == "crash") f.action = FaultDecl::Action::crash;
    else if (a == "exit") f.action = FaultDecl::Action::exit;
    else if (a == "kill") f.action = FaultDecl::Action::kill;
    else fail(*t.get("action"), "unknown action '" + a + "': expected crash, exit or kill");
    // crash asks a scenario worker to stop with the reason; anything else would ignore it
    // (a supervisor) or crash for want of a handle_cast instead.
    if (f.action == FaultDecl::Action::crash && target.kind != PathTarget::Kind::worker)
      fail(t.get("action") ? *t.get("action") : *t.get("child"),
           "action = \"crash\" stops a worker with the reason; " + target.what +
               " is not a worker: use action = \"exit\" (an exit signal) or \"kill\"");
    f.reason = term(t, "reason", atom("boom"));
    if (f.action == FaultDecl::Action::kill && t.get("reason") && !f.reason.is_atom("kill"))
      fail(*t.get("reason"), "with action = \"kill\" the reason is always kill: omit 'reason' (or use action = \"exit\")");
    return f;
  }

  JobDecl job(const toml::table& t, const Scenario& s, int64_t& total) {
    only_keys(t, {"at_ms", "target", "count", "duration_ms", "outcome", "mode", "timeout_ms"}, "a [[job]]");
    JobDecl j;
    j.line = static_cast<int>(t.source().begin.line);
    if (!t.get("target")) fail(t, "a job needs 'target' (the path of a pool or circuit_breaker child)");
    j.target = get<std::string>(t, "target", "", "a string");
    PathTarget target = path_target(s.root, *t.get("target"), "target", j.target);
    if (target.kind != PathTarget::Kind::pool && target.kind != PathTarget::Kind::circuit_breaker)
      fail(*t.get("target"), "job target '" + j.target + "' is not a child of type pool or circuit_breaker (it is " +
                                 target.what + ")");
    j.at_ms = ms(t, "at_ms", 0);
    if (j.at_ms >= s.run_ms)  // at run_ms itself it would race the checks made then
      fail(*t.get("at_ms"), "at_ms = " + std::to_string(j.at_ms) + " is not before run_ms = " + std::to_string(s.run_ms) +
                                ": expectations are checked at run_ms, after what happened before it");
    j.count = integer(t, "count", 1, 1, limits::kJobCount);
    total += j.count;
    if (total > limits::kJobCount)
      fail(t.get("count") ? *t.get("count") : static_cast<const toml::node&>(t),
           "more than " + std::to_string(limits::kJobCount) + " jobs in all [[job]] tables together (the limit)");
    jobs_per_target[j.target] += j.count;
    j.duration_ms = ms(t, "duration_ms", 10);
    j.timeout_ms = ms(t, "timeout_ms", 5000);
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
    if (target.kind == PathTarget::Kind::circuit_breaker)
      for (const char* k : {"mode", "timeout_ms"})
        if (t.get(k)) fail(*t.get(k), std::string("'") + k + "' is for pool targets; " + target.what + " ignores it");
    return j;
  }

  ExpectDecl expect(const toml::table& t, const Scenario& s) const {
    only_keys(t, {"child", "starts", "alive", "exit_reason", "jobs_ok", "jobs_errors", "jobs_timeouts", "jobs_rejected",
                  "breaker_state"},
              "an [[expect]]");
    ExpectDecl e;
    e.line = static_cast<int>(t.source().begin.line);
    e.path = get<std::string>(t, "child", "", "a string");
    if (t.get("child") && e.path.empty())
      fail(*t.get("child"), "'child' must name a child (omit it for the root supervisor)");
    int kinds = 0;
    for (const char* k : {"starts", "alive", "exit_reason", "jobs_ok", "jobs_errors", "jobs_timeouts", "jobs_rejected", "breaker_state"})
      kinds += t.get(k) ? 1 : 0;
    if (kinds != 1)
      fail(t, "an [[expect]] needs exactly one of 'starts', 'alive', 'exit_reason', 'jobs_ok', 'jobs_errors', "
              "'jobs_timeouts', 'jobs_rejected', 'breaker_state'");
    PathTarget target = e.path.empty() ? PathTarget{PathTarget::Kind::root, &s.root, "the root supervisor"}
                                       : path_target(s.root, *t.get("child"), "child", e.path);
    for (const char* k : {"jobs_ok", "jobs_errors", "jobs_timeouts", "jobs_rejected"}) {
      if (!t.get(k)) continue;
      e.kind = ExpectDecl::Kind::jobs;
      e.what = std::string(k).substr(5);
      if (e.path.empty()) fail(t, std::string("'") + k + "' needs a 'child' (the pool or circuit breaker)");
      if (target.kind != PathTarget::Kind::pool && target.kind != PathTarget::Kind::circuit_breaker)
        fail(*t.get("child"), std::string("'") + k + "' counts the jobs of a pool or circuit breaker; " + target.what +
                                  " is neither");
      auto sent = jobs_per_target.find(e.path);
      int64_t jobs = sent == jobs_per_target.end() ? 0 : sent->second;
      const toml::node& n = *t.get(k);
      e.count = integer(t, k, 0, 0, limits::kJobCount);
      if (e.count > jobs)
        fail(n, std::string("'") + k + "' = " + std::to_string(e.count) + " can never be met: the [[job]] tables send " +
                    std::to_string(jobs) + " job(s) to '" + e.path + "'");
      return e;
    }
    if (t.get("breaker_state")) {
      e.kind = ExpectDecl::Kind::breaker_state;
      e.what = get<std::string>(t, "breaker_state", "", "a string");
      if (e.what != "closed" && e.what != "open" && e.what != "half_open")
        fail(*t.get("breaker_state"), "breaker_state must be closed, open or half_open");
      if (e.path.empty()) fail(t, "'breaker_state' needs a 'child'");
      if (target.kind != PathTarget::Kind::circuit_breaker)
        fail(*t.get("child"), "'breaker_state' is the state of a circuit breaker; " + target.what + " is not one");
      return e;
    }
    if (t.get("starts")) {
      e.kind = ExpectDecl::Kind::starts;
      e.count = integer(t, "starts", 0, 0, limits::kExpectCount);
      if (e.path.empty()) fail(t, "'starts' needs a 'child'");
      // Starts are counted by the scenario's own workers (their init); anything else stays 0.
      if (target.kind != PathTarget::Kind::worker)
        fail(*t.get("child"), "'starts' counts the inits of a scenario worker; " + target.what +
                                  " is not one, so it could never be evaluated");
    } else if (t.get("alive")) {
      e.kind = ExpectDecl::Kind::alive;
      e.alive = get<bool>(t, "alive", true, "true or false");
    } else {
      e.kind = ExpectDecl::Kind::exit_reason;
      e.reason = term(t, "exit_reason", atom("normal"));
      if (!e.path.empty()) fail(*t.get("child"), "'exit_reason' is checked for the root supervisor only (omit 'child')");
    }
    return e;
  }
};

// toml++ builds (and destroys) the tables of a dotted key recursively, so "[a.a.a....]" with
// 100 000 parts overflows the stack before any of our checks runs. Dots outside strings and
// comments are counted per line, or per value where an array spans lines (an inline table in
// a multi-line array can carry dotted keys on each line); more than kTomlDotsPerLine is an
// error. Our schema has no floats, so nothing legitimate comes near the bound.
void check_key_depth(std::string_view text, const std::string& file) {
  size_t line = 1, col = 0;
  int dots = 0;
  int open = 0;  // [ and { not yet closed
  auto newline = [&] {
    ++line, col = 0;
    if (open == 0) dots = 0;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    ++col;
    auto advance = [&](size_t n) {  // skip n characters, keeping line/column
      for (size_t k = 0; k < n && i + 1 < text.size(); ++k) {
        ++i;
        if (text[i] == '\n') newline();
        else ++col;
      }
    };
    if (c == '\n') {
      newline();
    } else if (c == '#') {
      while (i + 1 < text.size() && text[i + 1] != '\n') advance(1);
    } else if (c == '"' || c == '\'') {
      bool multi = text.substr(i, 3) == std::string(3, c);
      if (multi) advance(2);
      while (i + 1 < text.size()) {
        if (c == '"' && text[i + 1] == '\\') {
          advance(2);
          continue;
        }
        if (!multi && text[i + 1] == '\n') break;  // an unterminated string: toml++ reports it
        if (multi ? text.substr(i + 1, 3) == std::string(3, c) : text[i + 1] == c) {
          advance(multi ? 3 : 1);
          break;
        }
        advance(1);
      }
    } else if (c == '[' || c == '{') {
      ++open;
    } else if (c == ']' || c == '}') {
      if (open > 0) --open;
    } else if (c == '.' && ++dots > limits::kTomlDotsPerLine) {
      throw ScenarioError(file + ":" + std::to_string(line) + ":" + std::to_string(col) + ": more than " +
                          std::to_string(limits::kTomlDotsPerLine) +
                          " '.' in one key line or value: dotted keys may have at most that many parts "
                          "(tables nest that deep at most)");
    }
  }
}

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

Scenario parse_scenario(std::string_view text, const std::string& path) {
  if (text.size() > limits::kScenarioFileBytes)
    throw ScenarioError(path + ": " + std::to_string(text.size()) + " bytes; a scenario file is at most " +
                        std::to_string(limits::kScenarioFileBytes) + " bytes (1 MiB)");
  check_key_depth(text, path);
  Loader l;
  l.file = path;
  toml::table doc;
  try {
    doc = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    const auto& b = e.source().begin;
    throw ScenarioError(path + ":" + std::to_string(b.line) + ":" + std::to_string(b.column) + ": " +
                        std::string(e.description()));
  }
  l.only_keys(doc, {"name", "run_ms", "supervisor", "fault", "job", "expect"}, "the scenario");
  Scenario s;
  s.file = path;
  s.name = l.get<std::string>(doc, "name", path, "a string");
  if (s.name.empty())  // a run would be told as "scenario  seed 1", a check's line name nothing
    l.fail(*doc.get("name"), "'name' must not be empty (omit it to name the scenario by its file)");
  s.run_ms = l.ms(doc, "run_ms", 60'000);
  const toml::node* sup_node = doc.get("supervisor");
  if (!sup_node) throw ScenarioError(path + ":1:1: missing [supervisor] table (the root of the tree)");
  const toml::table* sup = sup_node->as_table();
  if (!sup) l.fail(*sup_node, "'supervisor' must be a table ([supervisor])");
  l.only_keys(*sup, {"strategy", "max_restarts", "max_seconds", "auto_shutdown", "children"}, "[supervisor]");
  s.root.id = "";
  s.root.is_supervisor = true;
  s.root.flags = l.flags(*sup);
  s.root.children = l.children(*sup, 0, s.root.flags.auto_shutdown);
  // Jobs before expectations: a jobs_* expectation is checked against what is sent.
  int64_t total_jobs = 0;
  for (const auto* key : {"job", "fault", "expect"}) {
    const toml::node* n = doc.get(key);
    if (!n) continue;
    const toml::array* a = n->as_array();
    if (!a) l.fail(*n, std::string("use [[") + key + "]] tables");
    size_t bound = std::string(key) == "fault" ? limits::kFaults : std::string(key) == "job" ? limits::kJobs : limits::kExpects;
    if (a->size() > bound)
      l.fail(*n, std::to_string(a->size()) + " [[" + key + "]] tables; the limit is " + std::to_string(bound));
    for (const auto& e : *a) {
      if (!e.as_table()) l.fail(e, std::string("each ") + key + " must be a table");
      if (std::string(key) == "fault") {
        s.faults.push_back(l.fault(*e.as_table(), s));
      } else if (std::string(key) == "job") {
        s.jobs.push_back(l.job(*e.as_table(), s, total_jobs));
        if (++l.processes > limits::kScenarioProcesses)  // one client per [[job]]
          l.fail(e, "more than " + std::to_string(limits::kScenarioProcesses) + " processes (the limit)");
      } else {
        s.expects.push_back(l.expect(*e.as_table(), s));
      }
    }
  }
  return s;
}

Scenario load_scenario(const std::string& path) {
  std::error_code ec;
  fs::file_status st = fs::status(path, ec);
  if (fs::is_directory(st))
    throw ScenarioError(path + ": is a directory, not a scenario file (`otpsim check DIR` runs every .toml in a directory)");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ScenarioError(path + ": cannot open the scenario file for reading: " + std::strerror(errno));
  // Read at most one byte past the bound: /dev/zero or a huge file is an error, not a hang.
  std::string text(limits::kScenarioFileBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) throw ScenarioError(path + ": cannot read the scenario file");
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > limits::kScenarioFileBytes)
    throw ScenarioError(path + ": larger than " + std::to_string(limits::kScenarioFileBytes) +
                        " bytes (1 MiB), the limit for a scenario file");
  return parse_scenario(text, path);
}

}  // namespace otp::sim
