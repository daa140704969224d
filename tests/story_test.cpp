// The readable event log, the trace reader and the Chrome/Perfetto export (sim/story.hpp,
// sim/trace_event.hpp, sim/chrome_trace.hpp) on shipped scenarios.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <otpsim/sim/chrome_trace.hpp>
#include <otpsim/sim/scenario.hpp>
#include <otpsim/sim/story.hpp>
#include <otpsim/sim/trace_event.hpp>

using namespace otp::sim;

namespace {

std::vector<TraceEvent> trace_of(const char* file) {
  Scenario s = load_scenario(std::string(OTPSIM_SOURCE_DIR) + "/scenarios/" + file);
  ScenarioOutcome o = run_scenario(s, ScenarioRun{.seed = 1, .keep_trace = true});
  std::vector<TraceEvent> out;
  for (const auto& l : o.trace) out.push_back(parse_trace_line(l));
  return out;
}

std::vector<std::string> told(const std::vector<TraceEvent>& events, StoryOptions opts = {.top_name = "scenario"}) {
  Story story(opts);
  std::vector<std::string> out;
  for (const auto& e : events)
    for (auto& l : story.tell(e)) out.push_back(l);
  for (auto& l : story.flush()) out.push_back(l);
  return out;
}

}  // namespace

TEST(Story, TellsAnEscalationByPathInWords) {  // S28, S30
  std::vector<std::string> want = {
      "       0 ms  root/inner <0.3.0> started",
      "       0 ms  root/inner/flaky <0.4.0> started",
      "       0 ms  root/steady <0.5.0> started",
      "     100 ms  root/inner/flaky <0.4.0> <- cast {crash,boom} from scenario <0.1.0>",
      "     100 ms  root/inner/flaky <0.4.0> crashed: boom",
      "     100 ms  root/inner <0.3.0> saw flaky exit: boom",
      "     100 ms  root/inner/flaky restarted as <0.6.0>",
      "    1200 ms  root/inner/flaky <0.6.0> <- cast {crash,boom} from scenario <0.1.0>",
      "    1200 ms  root/inner/flaky <0.6.0> crashed: boom",
      "    1200 ms  root/inner <0.3.0> saw flaky exit: boom",
      "    1200 ms  root/inner <0.3.0> reached max restart intensity (last exit: flaky); it gives up and exits shutdown",
      "    1200 ms  root/inner <0.3.0> shut down",
  };
  EXPECT_EQ(told(trace_of("escalation_transient_sup.toml")), want);
}

TEST(Story, NamesEveryProcessOfEveryShippedScenario) {
  // No line of the default log names a process by its bare pid: each has a path (the tree's, or
  // its spawner's for a process outside the tree).
  std::vector<std::string> files;
  for (const char* dir : {"", "explore/"})
    for (const auto& e : std::filesystem::directory_iterator(std::string(OTPSIM_SOURCE_DIR) + "/scenarios/" + dir))
      if (e.path().extension() == ".toml") files.push_back(dir + e.path().filename().string());
  ASSERT_GE(files.size(), 20u);
  for (const std::string& file : files) {
    const char* f = file.c_str();
    for (const auto& l : told(trace_of(f))) {
      auto text = l.substr(l.find(" ms  ") + 5);
      EXPECT_NE(text.rfind("<0.", 0), 0u) << f << ": " << l;
      EXPECT_EQ(text.find(" from <0."), std::string::npos) << f << ": " << l;
    }
  }
}

TEST(Story, ShutdownAndKillBySupervisorAreSaidSo) {  // S23
  auto all = [](const char* f) {
    std::string text;
    for (const auto& l : told(trace_of(f))) text += l + "\n";
    return text;
  };
  std::string killed = all("graceful_shutdown.toml");
  EXPECT_NE(killed.find("     300 ms  root/buffer <0.3.0> killed by its supervisor after the shutdown timeout"), std::string::npos) << killed;
  std::string stopped = all("application_tree_rest_for_one.toml");
  EXPECT_NE(stopped.find("shut down by its supervisor"), std::string::npos) << stopped;
}

TEST(Story, VerboseShowsTheBookkeeping) {
  auto events = trace_of("escalation_transient_sup.toml");
  auto quiet = told(events);
  auto verbose = told(events, {.verbose = true, .top_name = "scenario"});
  EXPECT_GT(verbose.size(), quiet.size() + 20);
  bool monitor = false;
  for (const auto& l : verbose) monitor = monitor || l.find("<- monitor from scenario") != std::string::npos;
  EXPECT_TRUE(monitor);
}

// A trace read from a file may be edited into shapes the simulator never writes: a supervisor
// that reports itself as its child, a chain of supervisors deeper than the call stack. The log
// is still told, each path cut at kMaxPathDepth names and written to at most kMaxPathChars.
TEST(Story, ACycleOrAVeryDeepTreeIsToldWithoutRecursion) {
  auto ev = [](uint64_t step, std::string name, std::vector<std::pair<std::string, std::string>> fields) {
    return TraceEvent{.t = 0, .step = step, .ev = std::move(name), .fields = std::move(fields)};
  };
  Story cycle;
  cycle.tell(ev(0, "spawn", {{"pid", "<0.1.0>"}, {"parent", "<0.0.0>"}}));
  cycle.tell(ev(1, "supervisor", {{"sup", "<0.2.0>"}, {"report", "child_started"}, {"id", "a"}, {"pid", "<0.2.0>"}}));
  cycle.tell(ev(2, "supervisor", {{"sup", "<0.3.0>"}, {"report", "child_started"}, {"id", "b"}, {"pid", "<0.4.0>"}}));
  cycle.tell(ev(3, "supervisor", {{"sup", "<0.4.0>"}, {"report", "child_started"}, {"id", "c"}, {"pid", "<0.3.0>"}}));
  cycle.flush();
  EXPECT_EQ(cycle.path("<0.2.0>"), "<0.2.0>/a");
  EXPECT_EQ(cycle.path("<0.3.0>"), "<0.3.0>/b/c");

  // 2,000 supervisors, each reporting its child before anyone placed it, placed at once by the
  // first event that is not part of starting.
  const int n = 2'000;
  Story deep;
  for (int i = n; i >= 1; --i)
    deep.tell(ev(static_cast<uint64_t>(n - i), "supervisor",
                 {{"sup", fmt::format("<0.{}.0>", i)}, {"report", "child_started"}, {"id", fmt::format("c{}", i + 1)},
                  {"pid", fmt::format("<0.{}.0>", i + 1)}}));
  auto lines = deep.tell(ev(n, "exit", {{"pid", fmt::format("<0.{}.0>", n + 1)}, {"reason", "normal"}}));
  ASSERT_EQ(lines.size(), static_cast<size_t>(n) + 1);
  EXPECT_NE(lines[0].find("root/c2 <0.2.0> started"), std::string::npos) << lines[0];
  std::string last = deep.path(fmt::format("<0.{}.0>", n + 1));
  EXPECT_TRUE(last.starts_with("…/")) << last.substr(0, 80);  // its upper end cut
  EXPECT_TRUE(last.ends_with(fmt::format("/c{}/c{}", n, n + 1))) << last.substr(last.size() - 80);
  EXPECT_LE(last.size(), kMaxPathChars + std::string("…").size());
  // A name longer than the bound by itself: its end, never a character cut in two.
  Story wide;
  const std::string id = "x" + std::string(600, 'a') + "é";
  wide.tell(ev(0, "supervisor", {{"sup", "<0.2.0>"}, {"report", "child_started"}, {"id", id}, {"pid", "<0.3.0>"}}));
  wide.flush();
  std::string p = wide.path("<0.3.0>");
  EXPECT_TRUE(p.starts_with("…a") && p.ends_with("aé")) << p;
  EXPECT_LE(p.size(), kMaxPathChars + std::string("…").size());
}

TEST(TraceReader, ReadsWhatTheSimulatorWrites) {
  Scenario s = load_scenario(std::string(OTPSIM_SOURCE_DIR) + "/scenarios/escalation_transient_sup.toml");
  std::ostringstream jsonl;
  ScenarioOutcome o = run_scenario(s, ScenarioRun{.seed = 1, .trace_out = &jsonl});
  std::istringstream in(jsonl.str());
  auto events = read_trace(in, "t.jsonl");
  ASSERT_EQ(events.size(), o.trace_events);
  EXPECT_EQ(events[0].ev, "spawn");
  EXPECT_EQ(events[0]["pid"], "<0.1.0>");
}

TEST(TraceReader, BadTracesAreClearErrors) {
  auto err = [](const std::string& text) {
    std::istringstream in(text);
    try {
      read_trace(in, "t.jsonl");
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  std::string ok = R"({"t":0,"step":0,"ev":"spawn","pid":"<0.1.0>","parent":"<0.0.0>"})";
  EXPECT_EQ(err(ok + "\n" + ok.substr(0, 20)), "t.jsonl:2: the last line has no newline: the trace is truncated");
  EXPECT_EQ(err(""), "t.jsonl: empty, expected JSON-lines trace events");
  EXPECT_EQ(err(ok + "\n\n"), "t.jsonl:2: empty line, expected a trace event");
  EXPECT_EQ(err("[1,2]\n"), "t.jsonl:1: expected a JSON object, got array");
  EXPECT_EQ(err("{\"t\":0,\"step\":0}\n"), "t.jsonl:1: expected a string \"ev\" (the event)");
  EXPECT_EQ(err("{\"t\":\"x\",\"step\":0,\"ev\":\"spawn\"}\n"), "t.jsonl:1: expected an integer \"t\" (virtual ms)");
  EXPECT_EQ(err("{\"t\":0,\"step\":-1,\"ev\":\"spawn\"}\n"), "t.jsonl:1: expected a whole-number \"step\"");
  EXPECT_EQ(err("{\"t\":0,\"step\":0,\"ev\":\"spawn\",\"x\":1}\n"), "t.jsonl:1: unknown field \"x\" in a \"spawn\" event (its fields: pid, parent)");
  EXPECT_EQ(err("{\"t\":0,\n"), "t.jsonl:1: not a JSON object (is the line cut short?)");
  EXPECT_EQ(err("{\"t\":0,\"x\":\"\xff\"}\n"), "t.jsonl:1: not valid JSON at column 13 (a byte that is not UTF-8, or not JSON)");
  EXPECT_EQ(err("{\"t\":9e999,\"x\":\"\xff\"}\n"), "t.jsonl:1: not valid JSON: a number out of range");
  EXPECT_EQ(err("{\"t\":0 junk}\n"), "t.jsonl:1: not valid JSON at column 8 (a byte that is not UTF-8, or not JSON)");
  EXPECT_EQ(err("{\"t\":-5,\"step\":0,\"ev\":\"spawn\"}\n"), "t.jsonl:1: \"t\" must be 0..1000000000000000 (virtual ms), got -5");
  EXPECT_EQ(err("{\"t\":9223372036854775807,\"step\":0,\"ev\":\"spawn\"}\n"),
            "t.jsonl:1: \"t\" must be 0..1000000000000000 (virtual ms), got 9223372036854775807");
  EXPECT_EQ(err("{\"t\":0,\"step\":0,\"ev\":\"bogus\"}\n"),
            "t.jsonl:1: unknown event \"bogus\" (expected one of spawn, exit, deliver, supervisor, sys, timer, fault, inject)");
  const std::string timer = R"(,"ev":"timer","to":"<0.1.0>","what":"tick"})";
  EXPECT_EQ(err(R"({"t":5,"step":3)" + timer + "\n" + R"({"t":4,"step":4)" + timer + "\n"),
            "t.jsonl:2: goes back in time: t 4, step 4 after t 5, step 3");
  EXPECT_EQ(err(R"({"t":5,"step":3)" + timer + "\n" + R"({"t":5,"step":2)" + timer + "\n"),
            "t.jsonl:2: goes back in time: t 5, step 2 after t 5, step 3");
  // Each event carries the fields the simulator writes for it, each once.
  EXPECT_EQ(err(R"({"t":0,"step":0,"ev":"spawn","parent":"<0.0.0>"})" "\n"),
            "t.jsonl:1: a \"spawn\" event needs a string \"pid\"");
  EXPECT_EQ(err(R"({"t":0,"step":0,"ev":"deliver","sig":"message","from":"<0.1.0>","to":"<0.2.0>","what":"hi"})" "\n"),
            "t.jsonl:1: a \"deliver\" event needs a string \"dead\"");
  EXPECT_EQ(err(R"({"t":0,"step":0,"ev":"spawn","pid":"<0.1.0>","pid":"<0.2.0>","parent":"<0.0.0>"})" "\n"),
            "t.jsonl:1: field \"pid\" given twice");
  EXPECT_EQ(err(R"({"t":0,"t":7,"step":0,"ev":"fault","point":"send"})" "\n"), "t.jsonl:1: field \"t\" given twice");
  EXPECT_EQ(err(R"({"t":0,"step":0,"ev":"fault","point":"send","x":{"a":1,"a":2}})" "\n"),
            "t.jsonl:1: unknown field \"x\" in a \"fault\" event (its fields: point)");
  EXPECT_EQ(err(R"({"t":0,"step":0,"ev":"fault","point":{"a":1}})" "\n"), "t.jsonl:1: field \"point\": expected a string");
  // A field the simulator never writes for the event is an error, not a line read without it.
  EXPECT_EQ(err(R"({"t":0,"step":0,"ev":"spawn","pid":"<0.1.0>","parent":"<0.0.0>","extra":"s"})" "\n"),
            "t.jsonl:1: unknown field \"extra\" in a \"spawn\" event (its fields: pid, parent)");
  EXPECT_EQ(err(R"({"t":0,"step":0,"ev":"exit","pid":"<0.1.0>","reason":"boom","id":"a"})" "\n"),
            "t.jsonl:1: unknown field \"id\" in a \"exit\" event (its fields: pid, reason)");
  EXPECT_EQ(err(R"({"t":0,"step":0,"ev":"fault","point":"send","":"s"})" "\n"),
            "t.jsonl:1: unknown field \"\" in a \"fault\" event (its fields: point)");
  // A supervisor report adds id, pid or reason by report.
  EXPECT_EQ(err(R"({"t":0,"step":0,"ev":"supervisor","sup":"<0.2.0>","report":"child_terminated","id":"a","reason":"boom"})" "\n"), "no error");
  EXPECT_EQ(err(R"({"t":0,"step":0,"ev":"supervisor","sup":"<0.2.0>","report":"x","child":"a"})" "\n"),
            "t.jsonl:1: unknown field \"child\" in a \"supervisor\" event (its fields: sup, report, id, pid, reason)");
  EXPECT_EQ(err(std::string(kMaxTraceLineBytes + 1, 'x') + "\n").substr(0, 40), "t.jsonl:1: line longer than 1048576 byte");
}

TEST(ChromeTrace, IsTraceEventJsonWithTracksAndFlows) {
  auto events = trace_of("escalation_transient_sup.toml");
  nlohmann::json doc = nlohmann::json::parse(chrome_trace_json(events, "scenario"));
  ASSERT_TRUE(doc.contains("traceEvents"));
  const auto& ev = doc["traceEvents"];
  ASSERT_TRUE(ev.is_array());
  std::map<int64_t, std::string> names;
  std::map<int64_t, int> flows;  // id -> starts - finishes
  int slices = 0;
  for (const auto& e : ev) {
    ASSERT_TRUE(e["ph"].is_string());
    ASSERT_TRUE(e["pid"].is_number_integer());
    ASSERT_TRUE(e["tid"].is_number_integer());
    std::string ph = e["ph"];
    if (ph == "M") {
      if (e["name"] == "thread_name") names[e["tid"]] = e["args"]["name"];
      continue;
    }
    ASSERT_TRUE(e["ts"].is_number_integer()) << e.dump();
    if (ph == "s") ++flows[e["id"]];
    if (ph == "f") --flows[e["id"]];
    if (ph == "X") {
      ++slices;
      EXPECT_GE(e["dur"].get<int64_t>(), 0);
    }
  }
  for (const auto& [id, n] : flows) EXPECT_EQ(n, 0) << "flow " << id << " has no matching start/finish";
  EXPECT_FALSE(flows.empty());
  EXPECT_EQ(names[6], "root/inner/flaky <0.6.0>");
  EXPECT_EQ(names[1], "scenario <0.1.0>");
  EXPECT_GE(slices, 6);  // every process's lifetime
}
