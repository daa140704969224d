#include <otpsim/testing/registry.hpp>

#include <memory>
#include <stdexcept>

#include <otpsim/testing/run_once.hpp>

namespace otp::testing {

const Entry& Registry::add(Entry e) {
  bool ok = !e.name.empty() && e.name.size() <= 200;
  for (char c : e.name)
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-');
  if (!ok) throw std::invalid_argument("'" + e.name + "' is not a valid test name (1..200 letters, digits, '.', '_', '-')");
  if (find(e.name)) throw std::invalid_argument("a test or suite named '" + e.name + "' is registered twice");
  entries_.push_back(std::make_unique<Entry>(std::move(e)));
  order_.push_back(entries_.back().get());
  return *entries_.back();
}

const Entry* Registry::find(const std::string& name) const {
  for (const Entry* e : order_)
    if (e->name == name) return e;
  return nullptr;
}

std::vector<std::string> Registry::names(Entry::Kind kind) const {
  std::vector<std::string> out;
  for (const Entry* e : order_)
    if (e->kind == kind && e->in_all) out.push_back(e->name);
  return out;
}

Registry& registry() {
  static Registry r;  // a function static: registrations from other files' static initialisers find it built
  return r;
}

const Entry& register_test(TestDef def) {
  auto owned = std::make_shared<TestDef>(std::move(def));
  Entry e;
  e.kind = Entry::Kind::test;
  e.name = owned->name;
  e.what = owned->file.empty() ? "simulation test" : owned->file + ":" + std::to_string(owned->line);
  e.test = owned.get();
  e.run = [owned](uint64_t seed, const std::optional<std::vector<uint32_t>>& choices, std::ostream* trace) {
    RunOutcome o = run_once(*owned, {.seed = seed, .script = choices, .trace = trace != nullptr, .trace_out = trace});
    EntryRun r;
    if (!o.passed()) r.failures.push_back(o.describe());
    r.case_text = o.case_text;
    r.choices = std::move(o.stream);
    r.key = o.passed() ? "" : o.key();
    return r;
  };
  return registry().add(std::move(e));
}

}  // namespace otp::testing
