// The pieces the CLI's commands share: output files, failures told with what led to them,
// targets found, run and shrunk.
#include <otpsim/testing/cli_parts.hpp>

#include <algorithm>
#include <filesystem>
#include <string_view>
#include <system_error>

#include <fmt/ranges.h>

#include <otpsim/sim/shrink.hpp>
#include <otpsim/testing/check.hpp>

namespace fs = std::filesystem;
using namespace otp::sim;

namespace otp::testing::cli {

std::string g_program = "otpsim";

std::optional<std::string> canonical_name(const std::string& path) {
  // Absolute first: weakly_canonical leaves a relative path with no existing prefix relative.
  std::error_code ec;
  fs::path p = fs::weakly_canonical(fs::absolute(path, ec), ec);
  if (ec) return std::nullopt;
  return p.string();
}

bool same_file(const std::string& a, const std::string& b) {
  // Two existing names of one file (a hard link too) are the same file; otherwise compare the
  // names, so "x.out" and "./x.out", not yet written, are one.
  std::error_code ea, eb, ee;
  if (fs::exists(a, ea) && fs::exists(b, eb) && fs::equivalent(a, b, ee)) return true;
  auto ca = canonical_name(a), cb = canonical_name(b);
  return ca && cb && *ca == *cb;
}

void refuse_shared_outputs(const std::string& trace, const std::string& html) {
  if (!trace.empty() && !html.empty() && same_file(trace, html))
    throw std::invalid_argument(fmt::format("--trace and --html are both '{}': each needs a file of its own", trace));
  for (auto [flag, out] : {std::pair{"--trace", &trace}, std::pair{"--html", &html}}) {
    if (out->empty()) continue;
    const std::string name = fs::path(*out).filename().string();
    if (name.starts_with("otpsim-last-token") && same_file(fs::path(*out).parent_path().empty() ? "." : fs::path(*out).parent_path().string(), "."))
      throw std::invalid_argument(fmt::format("{}: '{}' is where otpsim keeps the last run's token; write it elsewhere", flag, *out));
  }
}

void refuse_overwrite(const std::string& trace, const std::string& html, const std::string& in, const char* what) {
  for (auto [flag, out] : {std::pair{"--trace", &trace}, std::pair{"--html", &html}})
    if (!out->empty() && same_file(*out, in))
      throw std::invalid_argument(fmt::format("{}: '{}' is the {} being read; write it elsewhere", flag, *out, what));
}

Shown parse_format(const std::string& f) {
  if (f == "text") return Shown::text;
  if (f == "jsonl") return Shown::jsonl;
  if (f == "chrome") return Shown::chrome;
  throw std::invalid_argument("--format must be text, jsonl or chrome, got '" + f + "'");
}

std::string failure_subject(const std::string& failure) {
  auto at = failure.find("expected ");
  if (at == std::string::npos) return "";
  at += 9;
  if (failure.compare(at, 19, "the root supervisor") == 0) return "root ";
  auto end = failure.find(' ', at);
  std::string subject = failure.substr(at, end == std::string::npos ? std::string::npos : end - at);
  if (subject.find('/') == std::string::npos && !std::all_of(subject.begin(), subject.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }))
    return "";
  return "root/" + subject;
}

void print_failures(const std::vector<std::string>& failures, const TraceOut& trace, const std::string& indent) {
  for (const auto& f : failures) {
    fmt::print("{}FAIL {}\n", indent, f);
    std::string subject = failure_subject(f);
    std::vector<std::string> lines = trace.led_to(subject, 12);
    if (lines.empty()) continue;
    fmt::print("{}  what led to it{}:\n", indent, subject.empty() ? "" : " (" + subject + ")");
    for (const auto& l : lines) fmt::print("{}  {}\n", indent, l);
  }
}

std::vector<std::string> suite_names() { return registry().names(Entry::Kind::suite); }
std::string suites_text() {
  std::vector<std::string> by_name;
  for (const Entry* e : registry().all())
    if (e->kind == Entry::Kind::suite && !e->in_all) by_name.push_back(e->name);
  std::string text = fmt::format("{}", fmt::join(suite_names(), ", "));
  if (!by_name.empty()) text += fmt::format("; by name only, expected to fail: {}", fmt::join(by_name, ", "));
  return text;
}
std::vector<std::string> test_names() { return registry().names(Entry::Kind::test); }
std::string tests_text() { return fmt::format("{}", fmt::join(test_names(), ", ")); }

std::vector<std::string> scenario_files(const std::vector<std::string>& args) {
  std::vector<std::string> files;
  for (const auto& a : args) {
    std::error_code ec;
    const fs::file_status st = fs::status(a, ec);
    if (ec && ec != std::errc::no_such_file_or_directory)
      throw std::invalid_argument("cannot read '" + a + "': " + ec.message());
    if (!fs::exists(st))
      throw std::invalid_argument("'" + a + "' is not a scenario file or directory, nor a registered test or suite (" +
                                  (test_names().empty() ? std::string() : fmt::format("tests: {}, all-tests; ", tests_text())) +
                                  (suite_names().empty() ? std::string("this program has no property suites)")
                                                         : fmt::format("suites: {}; all-suites)", suites_text())));
    if (fs::is_directory(st)) {
      // A directory that gives nothing is an error even beside other targets: a check that
      // names nothing must not pass on what the others bring.
      const size_t before = files.size();
      // Only regular files (a symlink to one included): a FIFO named x.toml would block the
      // read forever waiting for a writer, and a subdirectory named x.toml is no scenario.
      for (const auto& e : fs::directory_iterator(a, ec)) {
        std::error_code type_ec;
        if (e.path().extension() == ".toml" && e.is_regular_file(type_ec)) files.push_back(e.path().string());
      }
      if (ec) throw std::invalid_argument("cannot read directory '" + a + "': " + ec.message());
      if (files.size() == before) throw std::invalid_argument("'" + a + "' holds no scenario files (*.toml)");
    } else {
      files.push_back(a);
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

const Entry* entry_of(const std::string& target) {
  bool suite = target.rfind("suite/", 0) == 0, test = target.rfind("test/", 0) == 0;
  if (!suite && !test) return nullptr;
  std::string name = target.substr(suite ? 6 : 5);
  const Entry* e = registry().find(name);
  if (!e || (e->kind == Entry::Kind::suite) != suite)
    throw std::invalid_argument(
        std::string("unknown ") + (suite ? "suite" : "test") + " '" + name + "'" +
        (suite ? fmt::format("; the suites: {}", suites_text())
         : test_names().empty()
             ? std::string("; this program defines no simulation tests: replay a test's token with the test binary that defines it "
                           "(e.g. ./my_tests replay '<token>')")
             : fmt::format("; this program's tests: {}", tests_text())));
  return e;
}

TargetRun run_target(const std::string& target, uint64_t seed, const std::optional<std::vector<uint32_t>>& choices,
                     std::ostream* trace_out, const Scenario* loaded) {
  if (const Entry* e = entry_of(target)) return e->run(seed, choices, trace_out);
  TargetRun out;
  std::optional<Scenario> own;
  if (!loaded) loaded = &own.emplace(load_scenario(target));
  ScenarioOutcome a = run_scenario(*loaded, ScenarioRun{.seed = seed, .script = choices, .trace_out = trace_out});
  if (!choices) {  // S91: same seed, same trace
    ScenarioOutcome b = run_scenario(*loaded, seed, false);
    if (a.trace_hash != b.trace_hash) a.failures.push_back(loaded->file + ": nondeterminism: same seed, different trace hash");
  }
  out.failures = a.failures;
  out.choices = a.decisions;
  out.diverged = a.replay_diverged;
  return out;
}

std::string shrink_and_report(const std::string& target, uint64_t seed, const std::vector<uint32_t>& failing,
                              const std::string& first_failure, const Scenario* loaded) {
  // Keep a candidate only if it fails the same way: the same property, or the same
  // expectation line of the scenario (its text before " expected").
  auto key = [](const std::string& f) { return f.substr(0, std::min(f.find('\n'), f.find(" expected"))); };
  std::string want = key(first_failure);
  std::string want_key = run_target(target, seed, failing, nullptr, loaded).key;  // tests: verdict and place
  auto fails = [&](const std::vector<uint32_t>& cand) {
    write_token_file(make_token(target, seed, cand), 0, g_program);  // a candidate that hangs is left on disk
    TargetRun r = run_target(target, seed, cand, nullptr, loaded);
    if (!want_key.empty()) return r.key == want_key;
    return std::any_of(r.failures.begin(), r.failures.end(), [&](const std::string& f) { return key(f) == want; });
  };
  ShrinkResult sr = shrink_choices(failing, fails);
  TraceOut told(Shown::quiet, "", false, entry_of(target) ? "test" : loaded ? "scenario" : "main");  // the minimal run, in words
  TargetRun minimal = run_target(target, seed, sr.choices, told.stream(), loaded);
  told.finish();
  std::string token = make_token(target, seed, sr.choices);
  fmt::print("shrunk: {} -> {} choices in {} runs ({} accepted)\n", failing.size(), sr.choices.size(), sr.attempts, sr.accepted);
  if (!minimal.case_text.empty()) fmt::print("  minimal case: {}\n", minimal.case_text);
  print_failures(minimal.failures, told, "  ");
  fmt::print("  {} replay {}\n", g_program, shell_quoted(token));
  return token;
}


Token read_token(const std::string& text) {
  Token t = parse_token(text);
  if (!t.is_suite() && !t.is_test() && !fs::exists(t.target))
    throw std::invalid_argument("the token's target '" + t.target +
                                "' is neither an existing scenario file nor suite/NAME or test/NAME (is the token cut short?)");
  if (t.build != build_id() && !t.is_test())
    fmt::print(stderr, "warning: token from build {}, this is build {}: the run may differ\n", t.build, build_id());
  if (t.is_suite() && !registry().find(t.suite()))
    throw std::invalid_argument(fmt::format("unknown suite '{}' in the token (suites: {})", t.suite(), suites_text()));
  if (t.is_test()) {
    entry_of(t.target);  // names a test this program has
    if (std::string why = other_build(t); !why.empty()) throw std::invalid_argument(why);
  }
  return t;
}

}  // namespace otp::testing::cli
