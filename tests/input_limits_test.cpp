// Input from outside (scenario text, Erlang-term text, replay tokens) is bounded and checked:
// each bound of sim/limits.hpp (docs/scenarios.md and docs/cli.md "Limits") is accepted at
// its value and rejected one past it, with an error that names what, the bound and where.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include <otpsim/sim/limits.hpp>
#include <otpsim/sim/scenario.hpp>
#include <otpsim/sim/term_parse.hpp>
#include <otpsim/sim/token.hpp>

using namespace otp;
using namespace otp::sim;
namespace lim = otp::sim::limits;

namespace {

std::string nested(int depth, const std::string& leaf = "a") {
  return std::string(static_cast<size_t>(depth), '{') + leaf + std::string(static_cast<size_t>(depth), '}');
}

// The message of the ScenarioError `text` raises, or "" if it loads.
std::string load_error(const std::string& text) {
  try {
    parse_scenario(text, "t.toml");
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "";
}

std::string term_error(std::string_view text) {
  try {
    parse_term(text);
  } catch (const TermParseError& e) {
    return std::string(e.what()) + " @" + std::to_string(e.column);
  }
  return "";
}

std::string token_error(const std::string& text) {
  try {
    parse_token(text);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

const std::string kWorker = "[supervisor]\n[[supervisor.children]]\nid = \"a\"\n";
const std::string kPool = "[supervisor]\n[[supervisor.children]]\nid = \"jobs\"\ntype = \"pool\"\n";

}  // namespace

// --- Erlang terms --------------------------------------------------------------------------

TEST(TermLimits, NestingDepthIsBoundedAt100) {
  EXPECT_EQ(term_error(nested(lim::kTermDepth)), "");
  EXPECT_EQ(term_error("[" + nested(lim::kTermDepth - 1) + "]"), "");
  EXPECT_EQ(term_error(nested(lim::kTermDepth + 1)), "{tuples} and [lists] nested deeper than 100 levels (the limit) @101");
  // Deep enough to overflow the stack before the bound existed, short enough for the size bound.
  EXPECT_EQ(term_error(std::string(30'000, '[') + std::string(30'000, ']')),
            "{tuples} and [lists] nested deeper than 100 levels (the limit) @101");
}

TEST(TermLimits, TextIsBoundedAt64KiB) {
  std::string at_bound = "\"" + std::string(lim::kTermBytes - 2, 'x') + "\"";
  EXPECT_EQ(term_error(at_bound), "");
  EXPECT_EQ(term_error(at_bound + " "), "the term is 65537 bytes long; the limit is 65536 @1");
  EXPECT_EQ(term_error(nested(100'000)), "the term is 200001 bytes long; the limit is 65536 @1");
}

TEST(TermLimits, IntegersAreInt64NotAnAbort) {
  EXPECT_EQ(parse_term("9223372036854775807").to_string(), "9223372036854775807");
  EXPECT_EQ(parse_term("-9223372036854775808").to_string(), "-9223372036854775808");
  EXPECT_EQ(term_error("{a,9223372036854775808}"),
            "integer 9223372036854775808 out of range (a 64-bit signed integer: -9223372036854775808..9223372036854775807) @4");
  EXPECT_EQ(term_error("-9223372036854775809"),
            "integer -9223372036854775809 out of range (a 64-bit signed integer: -9223372036854775808..9223372036854775807) @1");
  EXPECT_NE(term_error("99999999999999999999999999999999"), "");
}

TEST(TermLimits, AtomsAreAtMost255CharactersAsInErlang) {
  EXPECT_EQ(term_error(std::string(255, 'a')), "");
  EXPECT_EQ(term_error(std::string(256, 'a')), "atom of 256 characters; the limit is 255 (as in Erlang) @1");
  EXPECT_EQ(term_error("{x,'" + std::string(256, 'Q') + "'}"), "atom of 256 characters; the limit is 255 (as in Erlang) @4");
  EXPECT_EQ(term_error("\"" + std::string(1000, 's') + "\""), "");  // strings are not atoms
}

// Found by fuzzing: the atom holding a tab prints as '\t', which parsed back as the atom t.
TEST(TermText, PrintedTermsParseBackWithErlangEscapes) {
  for (const char* text : {"'\t'", "'a\nb'", "\"x\\\"y\"", "'it\\'s'", "[1,{a,'B'},\"s\"]", "'\x01'"}) {
    Term t = parse_term(text);
    EXPECT_EQ(parse_term(t.to_string()), t) << text << " printed as " << t.to_string();
  }
  EXPECT_EQ(parse_term("'\\t'").text(), "\t");
  EXPECT_EQ(parse_term("\"\\s\\101\\x42\\x{43}\\^a\\q\"").text(), " ABC\x01q");
  EXPECT_EQ(parse_term("'\\x{1F600}'").text(), "\xF0\x9F\x98\x80");
  EXPECT_EQ(term_error("'\\x{110000}'"), "\\x{...} is not a Unicode code point @2");
  EXPECT_EQ(term_error("'\\xZ'"), "expected \\xHH (two hex digits) or \\x{HEX} @2");
  EXPECT_EQ(term_error("'\\400'"), "octal escape above \\377 @2");
  EXPECT_EQ(term_error("'abc\\"), "unterminated ' @6");
  // 255 characters, not bytes: an atom of 255 two-byte characters is within the bound.
  std::string wide;
  for (int i = 0; i < 255; ++i) wide += "\xC3\xA9";
  EXPECT_EQ(term_error("'" + wide + "'"), "");
  EXPECT_EQ(term_error("'" + wide + "\xC3\xA9'"), "atom of 256 characters; the limit is 255 (as in Erlang) @1");
}

// --- replay tokens -------------------------------------------------------------------------

TEST(TokenLimits, RunLengthExpansionIsBoundedAt10MillionChoices) {
  Token t = parse_token("otpsim2:x:1:7*10000000:suite/intensity");
  ASSERT_TRUE(t.choices);
  EXPECT_EQ(t.choices->size(), lim::kTokenChoices);
  EXPECT_NE(token_error("otpsim2:x:1:7*10000000.1:suite/intensity").find("more than 10000000 choices (the limit)"),
            std::string::npos);
  // The finding: a 300-byte token of 0*100000000 items allocated until killed.
  std::string many = "otpsim2:x:1:";
  for (int i = 0; i < 24; ++i) many += "0*100000000.";
  many += "0:suite/intensity";
  EXPECT_LE(many.size(), 320u);
  EXPECT_NE(token_error(many).find("more than 10000000 choices (the limit)"), std::string::npos);
}

TEST(TokenLimits, NumbersAreDigitsOnlyAndInRange) {
  EXPECT_EQ(parse_token("otpsim2:x:18446744073709551615:-:suite/a").seed, UINT64_MAX);
  for (const char* seed : {"18446744073709551616", "-5", "+5", " 5", "5 ", "0x10", ""})
    EXPECT_NE(token_error(std::string("otpsim2:x:") + seed + ":-:suite/a"), "") << "seed '" << seed << "'";
  EXPECT_NE(token_error("otpsim2:x:1:4294967296:suite/a").find("choice 4294967296 out of range (at most 4294967295)"),
            std::string::npos);
  EXPECT_NE(token_error("otpsim2:x:1:1*-1:suite/a"), "");
  EXPECT_NE(token_error("otpsim2:x:1:1*2*3:suite/a"), "");
  EXPECT_NE(token_error("otpsim2:x:1:1..2:suite/a"), "");
}

TEST(TokenLimits, TextIsBoundedAt1MiBAndNotEchoedWhole) {
  std::string big = "otpsim2:x:1:-:suite/" + std::string(lim::kTokenBytes, 'a');
  std::string e = token_error(big);
  EXPECT_NE(e.find("bytes long; the limit is 1048576"), std::string::npos);
  EXPECT_LT(e.size(), 400u);
}

// --- scenario files ------------------------------------------------------------------------

// Finding 2: checked as 64-bit, then narrowed to int (2^31 aborted, 2^32+1 became 1).
TEST(ScenarioLimits, IntegersAreRangeCheckedBeforeNarrowing) {
  EXPECT_EQ(load_error(kPool + "size = 1000\n"), "");
  EXPECT_EQ(load_error(kPool + "size = 1001\n"), "t.toml:5:8: 'size' must be an integer in 1..1000, got 1001");
  EXPECT_EQ(load_error(kPool + "size = 2147483648\n"), "t.toml:5:8: 'size' must be an integer in 1..1000, got 2147483648");
  EXPECT_EQ(load_error(kPool + "size = 4294967297\n"), "t.toml:5:8: 'size' must be an integer in 1..1000, got 4294967297");
  EXPECT_EQ(load_error(kPool + "size = 0\n"), "t.toml:5:8: 'size' must be an integer in 1..1000, got 0");
  EXPECT_EQ(load_error(kPool + "max_attempts = 1000\n"), "");
  EXPECT_EQ(load_error(kPool + "max_attempts = 2147483648\n"),
            "t.toml:5:16: 'max_attempts' must be an integer in 1..1000, got 2147483648");
  EXPECT_EQ(load_error(kPool + "max_pending = -1\n"), "t.toml:5:15: 'max_pending' must be an integer in 0..1000000, got -1");
  std::string breaker = "[supervisor]\n[[supervisor.children]]\nid = \"b\"\ntype = \"circuit_breaker\"\n";
  EXPECT_EQ(load_error(breaker + "threshold = 1000000\n"), "");
  EXPECT_EQ(load_error(breaker + "threshold = 4294967297\n"),
            "t.toml:5:13: 'threshold' must be an integer in 1..1000000, got 4294967297");
  EXPECT_EQ(load_error(breaker + "threshold = 1.5\n"),
            "t.toml:5:13: 'threshold' must be an integer in 1..1000000, got the float 1.5 (write a whole number without '.' or "
            "'e')");
  EXPECT_EQ(load_error(breaker + "threshold = \"3\"\n"), "t.toml:5:13: 'threshold' must be an integer in 1..1000000");
  EXPECT_EQ(load_error("[supervisor]\nmax_restarts = 1000001\n"),
            "t.toml:2:16: 'max_restarts' must be an integer in 0..1000000, got 1000001");
  EXPECT_EQ(load_error("[supervisor]\nmax_seconds = 0\n"),
            "t.toml:2:15: 'max_seconds' must be an integer in 1..1000000 (seconds), got 0");
}

// Finding 3: every duration is 0..10^9 ms.
TEST(ScenarioLimits, EveryDurationIsBounded) {
  struct Case {
    std::string prefix, key, suffix;
  };
  std::string job = kPool + "[[job]]\ntarget = \"jobs\"\n";
  std::string fault = "run_ms = 1000000000\n" + kWorker + "[[fault]]\nchild = \"a\"\n";
  std::string breaker = "[supervisor]\n[[supervisor.children]]\nid = \"b\"\ntype = \"circuit_breaker\"\n";
  for (const Case& c : {Case{"", "run_ms", kWorker}, Case{kWorker, "stop_delay_ms", ""}, Case{kWorker, "shutdown", ""},
                        Case{kWorker + "behavior = \"expects_down_before_exit\"\n", "fail_after_ms", ""}, Case{fault, "at_ms", ""},
                        Case{"run_ms = 1000000000\n" + job, "at_ms", ""}, Case{job, "duration_ms", ""},
                        Case{job, "timeout_ms", ""}, Case{breaker, "reset_ms", ""}}) {
    auto with = [&](const std::string& v) { return c.prefix + c.key + " = " + v + "\n" + c.suffix; };
    EXPECT_EQ(load_error(with("0")), "") << c.key;
    EXPECT_EQ(load_error(with(c.key == "at_ms" ? "999999999" : "1000000000")), "") << c.key;  // at_ms: before run_ms
    for (const char* bad : {"-1", "1000000001", "-9223372036854775808"}) {
      std::string e = load_error(with(bad));
      EXPECT_NE(e.find("'" + c.key + "' must be an integer in 0..1000000000 (milliseconds), got " + bad), std::string::npos)
          << c.key << " = " << bad << ": " << e;
    }
  }
}

TEST(ScenarioLimits, FaultsAndJobsHappenBeforeRunMs) {
  EXPECT_EQ(load_error("run_ms = 100\n" + kWorker + "[[fault]]\nchild = \"a\"\nat_ms = 99\n"), "");
  EXPECT_EQ(load_error("run_ms = 100\n" + kWorker + "[[fault]]\nchild = \"a\"\nat_ms = 100\n"),
            "t.toml:7:9: at_ms = 100 is not before run_ms = 100: expectations are checked at run_ms, after what happened before it");
  EXPECT_EQ(load_error("run_ms = 100\n" + kPool + "[[job]]\ntarget = \"jobs\"\nat_ms = 101\n"),
            "t.toml:8:9: at_ms = 101 is not before run_ms = 100: expectations are checked at run_ms, after what happened before it");
}

// Finding 4: the work a small file can ask for is bounded.
TEST(ScenarioLimits, JobCountsAreBounded) {
  std::string job = kPool + "[[job]]\ntarget = \"jobs\"\n";
  EXPECT_EQ(load_error(job + "count = 100000\n"), "");
  EXPECT_EQ(load_error(job + "count = 1000000000\n"), "t.toml:7:9: 'count' must be an integer in 1..100000, got 1000000000");
  EXPECT_EQ(load_error(job + "count = 1e9\n"),
            "t.toml:7:9: 'count' must be an integer in 1..100000, got the float 1000000000.0 (write a whole number without "
            "'.' or 'e')");
  EXPECT_EQ(load_error(job + "count = 60000\n[[job]]\ntarget = \"jobs\"\ncount = 40001\n"),
            "t.toml:10:9: more than 100000 jobs in all [[job]] tables together (the limit)");
  std::string many = kPool;
  for (int i = 0; i <= lim::kJobs; ++i) many += "[[job]]\ntarget = \"jobs\"\n";
  EXPECT_NE(load_error(many).find("1001 [[job]] tables; the limit is 1000"), std::string::npos);
}

TEST(ScenarioLimits, TreeDepthIsBoundedAt32) {
  auto tree = [](int depth) {
    std::string s = "[supervisor]\n", header = "supervisor";
    for (int d = 1; d <= depth; ++d) {
      header += ".children";
      s += "[[" + header + "]]\nid = \"s" + std::to_string(d) + "\"\n" + (d < depth ? "type = \"supervisor\"\n" : "");
    }
    return s;
  };
  EXPECT_EQ(load_error(tree(lim::kTreeDepth)), "");
  EXPECT_NE(load_error(tree(lim::kTreeDepth + 1)).find("supervisors nested deeper than 32 levels (the limit)"), std::string::npos);
}

TEST(ScenarioLimits, ChildrenAndProcessesAreBounded) {
  auto flat = [](int n, const std::string& extra) {
    std::string s = "[supervisor]\n";
    for (int i = 0; i < n; ++i) s += "[[supervisor.children]]\nid = \"c" + std::to_string(i) + "\"\n" + extra;
    return s;
  };
  EXPECT_EQ(load_error(flat(lim::kTreeChildren, "")), "");
  EXPECT_NE(load_error(flat(lim::kTreeChildren + 1, "")).find("more than 1000 children in the tree (the limit"), std::string::npos);
  // 9 pools of 1000 workers: 9 + 9 * 1003 + the driver = 9037 processes; 10 would be 10031.
  EXPECT_EQ(load_error(flat(9, "type = \"pool\"\nsize = 1000\n")), "");
  EXPECT_NE(load_error(flat(10, "type = \"pool\"\nsize = 1000\n")).find("the tree declares more than 10000 processes"),
            std::string::npos);
}

TEST(ScenarioLimits, ListsAndTablesAreBounded) {
  std::string fails = kWorker + "init_fail = [";
  for (int i = 0; i <= lim::kInitFails; ++i) fails += "\"boom\",";
  EXPECT_NE(load_error(fails + "]\n").find("init_fail has 1001 entries; the limit is 1000"), std::string::npos);
  std::string faults = kWorker;
  for (int i = 0; i <= lim::kFaults; ++i) faults += "[[fault]]\nchild = \"a\"\n";
  EXPECT_NE(load_error(faults).find("1001 [[fault]] tables; the limit is 1000"), std::string::npos);
  std::string expects = kWorker;
  for (int i = 0; i <= lim::kExpects; ++i) expects += "[[expect]]\nalive = true\n";
  EXPECT_NE(load_error(expects).find("1001 [[expect]] tables; the limit is 1000"), std::string::npos);
  EXPECT_NE(load_error("[supervisor]\n[[supervisor.children]]\nid = \"" + std::string(256, 'x') + "\"\n")
                .find("an id is an atom, at most 255 characters"),
            std::string::npos);
  // Characters as an atom counts them, not bytes: 255 of "é" (510 bytes) is an id, 256 is not.
  std::string e255, e256;
  for (int i = 0; i < 255; ++i) e255 += "\u00e9";
  e256 = e255 + "\u00e9";
  EXPECT_EQ(load_error("[supervisor]\n[[supervisor.children]]\nid = \"" + e255 + "\"\n"), "");
  EXPECT_EQ(load_error("[supervisor]\n[[supervisor.children]]\nid = \"" + e256 + "\"\n"),
            "t.toml:3:6: 'id' is 256 characters; an id is an atom, at most 255 characters");
  EXPECT_EQ(load_error(kWorker + "behavior = \"expects_down_before_exit\"\nchain = 65\n"),
            "t.toml:5:9: 'chain' must be an integer in 1..64, got 65");
}

// toml++ recursed once per part of a dotted key: [a.a.a...] with 100 000 parts was a SIGSEGV.
TEST(ScenarioLimits, DottedKeysAreBoundedBeforeTomlParses) {
  auto key = [](int parts) {
    std::string k = "a";
    for (int i = 1; i < parts; ++i) k += ".a";
    return k;
  };
  EXPECT_EQ(load_error("[" + key(65) + "]\n"), "t.toml:1:1: unknown key 'a' in the scenario");  // 64 dots: parsed
  EXPECT_EQ(load_error("[" + key(66) + "]\n"),
            "t.toml:1:131: more than 64 '.' in one key line or value: dotted keys may have at most that many parts "
            "(tables nest that deep at most)");
  EXPECT_NE(load_error(key(100'000) + " = 1\n").find("more than 64 '.'"), std::string::npos);
  // Dots in strings and comments do not count; a multi-line array counts as one value.
  EXPECT_EQ(load_error("name = \"" + key(200) + "\" # " + key(200) + "\n" + kWorker), "");
  EXPECT_EQ(load_error("name = '''\n" + key(200) + "\n'''\n" + kWorker), "");
  EXPECT_EQ(load_error("name = \"\"\n" + kWorker), "t.toml:1:8: 'name' must not be empty (omit it to name the scenario by its file)");
  std::string spread = "x = [\n";
  for (int i = 0; i < 70; ++i) spread += "{a.b = 1},\n";  // one dot a line
  EXPECT_EQ(load_error(spread + "]\n").substr(0, 38), "t.toml:66:3: more than 64 '.' in one k");
}

TEST(ScenarioLimits, FileSizeIsBoundedAt1MiB) {
  std::string text = kWorker + "#" + std::string(lim::kScenarioFileBytes - kWorker.size() - 2, 'x') + "\n";
  ASSERT_EQ(text.size(), lim::kScenarioFileBytes);
  EXPECT_EQ(load_error(text), "");
  EXPECT_EQ(load_error(text + "\n"), "t.toml: 1048577 bytes; a scenario file is at most 1048576 bytes (1 MiB)");
}

// Finding 5: paths and expectations that name nothing are load errors with file:line:column.
TEST(ScenarioPaths, EveryPathMustNameADeclaredChild) {
  std::string tree = "[supervisor]\n[[supervisor.children]]\nid = \"inner\"\ntype = \"supervisor\"\n"
                     "  [[supervisor.children.children]]\n  id = \"x\"\n"
                     "[[supervisor.children]]\nid = \"jobs\"\ntype = \"pool\"\nsize = 3\n";
  EXPECT_EQ(load_error(tree + "[[fault]]\nchild = \"inner/x\"\n"), "");
  EXPECT_EQ(load_error(tree + "[[fault]]\nchild = \"inner/y\"\n"),
            "t.toml:12:9: 'child' = \"inner/y\": no child 'y' under 'inner' (its children: x)");
  EXPECT_EQ(load_error(tree + "[[fault]]\nchild = \"inner/x/z\"\naction = \"kill\"\n"),
            "t.toml:12:9: 'child' = \"inner/x/z\": 'inner/x' is a worker and has no children");
  EXPECT_EQ(load_error(tree + "[[fault]]\nchild = \"inner//x\"\n"),
            "t.toml:12:9: 'child' = \"inner//x\" has an empty component (write ids separated by single '/')");
  EXPECT_EQ(load_error(tree + "[[fault]]\nchild = \"\"\n"),
            "t.toml:12:9: 'child' must name a child (a path such as \"db\" or \"inner/x\")");
  // A pool's insides, as docs/scenarios.md lists them.
  for (const char* ok : {"jobs/dispatcher", "jobs/registry", "jobs/workers", "jobs/workers/{worker,3}"})
    EXPECT_EQ(load_error(tree + "[[expect]]\nchild = \"" + ok + "\"\nalive = true\n"), "") << ok;
  EXPECT_EQ(load_error(tree + "[[expect]]\nchild = \"jobs/workers/{worker,4}\"\nalive = true\n"),
            "t.toml:12:9: 'child' = \"jobs/workers/{worker,4}\": the pool 'jobs' has workers {worker,1}..{worker,3}");
  EXPECT_EQ(load_error(tree + "[[expect]]\nchild = \"jobs/workers/{worker,01}\"\nalive = true\n"),
            "t.toml:12:9: 'child' = \"jobs/workers/{worker,01}\": the pool 'jobs' has workers {worker,1}..{worker,3}");
  EXPECT_EQ(load_error(tree + "[[expect]]\nchild = \"jobs/db\"\nalive = true\n"),
            "t.toml:12:9: 'child' = \"jobs/db\": below the pool 'jobs' are registry, dispatcher, workers and workers/{worker,N}");
  EXPECT_EQ(load_error(tree + "[[job]]\ntarget = \"inner\"\n"),
            "t.toml:12:10: job target 'inner' is not a child of type pool or circuit_breaker (it is the supervisor 'inner')");
  EXPECT_EQ(load_error(tree + "[[job]]\ntarget = \"nope\"\n"),
            "t.toml:12:10: 'target' = \"nope\": no child 'nope' under the root supervisor (its children: inner, jobs)");
}

TEST(ScenarioPaths, SiblingIdsAreUnique) {
  EXPECT_EQ(load_error("[supervisor]\n[[supervisor.children]]\nid = \"a\"\n[[supervisor.children]]\nid = \"a\"\n"),
            "t.toml:5:6: duplicate child id 'a' (ids are unique among siblings)");
}

TEST(ScenarioPaths, ExpectationsThatCouldNeverBeEvaluatedAreErrors) {
  std::string tree = "[supervisor]\n[[supervisor.children]]\nid = \"jobs\"\ntype = \"pool\"\n"
                     "[[supervisor.children]]\nid = \"w\"\n";
  EXPECT_EQ(load_error(tree + "[[expect]]\nchild = \"jobs\"\nstarts = 1\n"),
            "t.toml:8:9: 'starts' counts the inits of a scenario worker; the pool 'jobs' is not one, so it could never be "
            "evaluated");
  EXPECT_EQ(load_error(tree + "[[expect]]\nchild = \"w\"\njobs_ok = 0\n"),
            "t.toml:8:9: 'jobs_ok' counts the jobs of a pool or circuit breaker; the worker 'w' is neither");
  EXPECT_EQ(load_error(tree + "[[expect]]\nchild = \"jobs\"\nbreaker_state = \"open\"\n"),
            "t.toml:8:9: 'breaker_state' is the state of a circuit breaker; the pool 'jobs' is not one");
  EXPECT_EQ(load_error(tree + "[[expect]]\nchild = \"jobs\"\njobs_ok = 1\n"),
            "t.toml:9:11: 'jobs_ok' = 1 can never be met: the [[job]] tables send 0 job(s) to 'jobs'");
  EXPECT_EQ(load_error(tree + "[[expect]]\nchild = \"w\"\nstarts = -1\n"),
            "t.toml:9:10: 'starts' must be an integer in 0..1000000000, got -1");
}

TEST(ScenarioKeys, KeysAnotherTypeReadsAreErrorsNotIgnored) {
  EXPECT_EQ(load_error("[supervisor]\n[[supervisor.children]]\nid = \"a\"\nstrategy = \"one_for_all\"\n"),
            "t.toml:4:12: 'strategy' is for type = \"supervisor\"");
  EXPECT_EQ(load_error("[supervisor]\n[[supervisor.children]]\nid = \"a\"\ntype = \"supervisor\"\nstop_delay_ms = 5\n"),
            "t.toml:5:17: 'stop_delay_ms' is for type = \"worker\" (this child is a supervisor)");
  EXPECT_EQ(load_error("[supervisor]\n[[supervisor.children]]\nid = \"a\"\nchain = 5\n"),
            "t.toml:4:9: 'chain' is for behavior = \"expects_down_before_exit\"");
  EXPECT_EQ(load_error("[supervisor]\n[[supervisor.children]]\nid = \"a\"\nbehavior = \"plain\"\nfail_after_ms = 10\n"),
            "t.toml:5:17: 'fail_after_ms' is for behavior = \"expects_down_before_exit\"");
  EXPECT_EQ(load_error("[supervisor]\n[[supervisor.children]]\nid = \"a\"\nbehavior = \"expects_down_before_exit\"\nchain = 2\n"), "");
  EXPECT_EQ(load_error("[supervisor]\n[[supervisor.children]]\nid = \"b\"\ntype = \"circuit_breaker\"\n"
                       "[[job]]\ntarget = \"b\"\nmode = \"async\"\n"),
            "t.toml:7:8: 'mode' is for pool targets; the circuit breaker 'b' ignores it");
  EXPECT_EQ(load_error(kWorker + "[[fault]]\nchild = \"a\"\naction = \"kill\"\nreason = \"boom\"\n"),
            "t.toml:7:10: with action = \"kill\" the reason is always kill: omit 'reason' (or use action = \"exit\")");
  EXPECT_EQ(load_error(kWorker + "[[fault]]\nchild = \"a\"\naction = \"kill\"\nreason = \"kill\"\n"), "");
  EXPECT_EQ(load_error(kWorker + "significant = 5\n"), "t.toml:4:15: 'significant' must be true or false");
}

TEST(ScenarioFiles, DirectoriesAndEndlessFilesAreClearErrors) {
  std::string dir = std::filesystem::temp_directory_path().string();
  try {
    load_scenario(dir);
    FAIL() << "a directory loaded";
  } catch (const ScenarioError& e) {
    EXPECT_EQ(std::string(e.what()),
              dir + ": is a directory, not a scenario file (`otpsim check DIR` runs every .toml in a directory)");
  }
  if (std::filesystem::exists("/dev/zero")) {
    try {
      load_scenario("/dev/zero");  // read up to the bound, not forever
      FAIL() << "/dev/zero loaded";
    } catch (const ScenarioError& e) {
      EXPECT_EQ(std::string(e.what()), "/dev/zero: larger than 1048576 bytes (1 MiB), the limit for a scenario file");
    }
  }
}

// Every shipped scenario is within every bound.
TEST(ScenarioLimits, ShippedScenariosLoad) {
  int n = 0;
  for (const char* dir : {"/scenarios", "/scenarios/explore"})
    for (const auto& e : std::filesystem::directory_iterator(std::string(OTPSIM_SOURCE_DIR) + dir))
      if (e.path().extension() == ".toml") {
        EXPECT_NO_THROW(load_scenario(e.path().string())) << e.path();
        ++n;
      }
  EXPECT_GT(n, 20);
}

// An id is an atom and may hold any character but '/'; in `tree --format dot` it stays inside
// its label.
TEST(ScenarioFiles, DotLabelsEscapeQuotesAndBackslashes) {
  Scenario s = parse_scenario("name = \"n\\\"x\"\n[supervisor]\n[[supervisor.children]]\nid = 'a\"];b\\'\n", "t.toml");
  std::string dot = tree_dot(s);
  EXPECT_NE(dot.find("[label=\"a\\\"];b\\\\\\npermanent\"]"), std::string::npos) << dot;
  EXPECT_NE(dot.find("[label=\"n\\\"x\\none_for_one\"]"), std::string::npos) << dot;
}
