#include <otpsim/core/behaviours/child_spec.hpp>

namespace otp {

const char* to_string(Restart r) {
  switch (r) {
    case Restart::permanent: return "permanent";
    case Restart::transient: return "transient";
    case Restart::temporary: return "temporary";
  }
  return "?";
}

const char* to_string(ChildType t) { return t == ChildType::worker ? "worker" : "supervisor"; }

const char* to_string(Strategy s) {
  switch (s) {
    case Strategy::one_for_one: return "one_for_one";
    case Strategy::one_for_all: return "one_for_all";
    case Strategy::rest_for_one: return "rest_for_one";
  }
  return "?";
}

Shutdown effective_shutdown(Shutdown s, ChildType type) {
  if (s.kind != Shutdown::Kind::unset) return s;
  return type == ChildType::worker ? Shutdown::timeout(5000) : Shutdown::infinity();
}

Term modules_term(const std::vector<std::string>& modules) {
  std::vector<Term> mods;
  for (const auto& m : modules) mods.push_back(atom(m));
  return Term::list(std::move(mods));
}

Term count_children_term(int64_t specs, int64_t active, int64_t supervisors) {
  return list(tuple(atom("specs"), integer(specs)), tuple(atom("active"), integer(active)),
              tuple(atom("supervisors"), integer(supervisors)), tuple(atom("workers"), integer(specs - supervisors)));
}

Term to_term(const Shutdown& s) {
  switch (s.kind) {
    case Shutdown::Kind::brutal_kill: return atom("brutal_kill");
    case Shutdown::Kind::infinity: return atom("infinity");
    case Shutdown::Kind::timeout: return integer(s.ms);
    case Shutdown::Kind::unset: return atom("undefined");
  }
  return atom("undefined");
}

Term ChildSpec::to_term() const {
  return list(tuple(atom("id"), id), tuple(atom("restart"), atom(to_string(restart))),
              tuple(atom("shutdown"), otp::to_term(effective_shutdown())),
              tuple(atom("type"), atom(to_string(type))), tuple(atom("modules"), modules_term(modules)),
              tuple(atom("significant"), atom(significant ? "true" : "false")));
}

std::optional<Term> check_child_spec(const ChildSpec& spec, AutoShutdown auto_shutdown) {
  // OTP 25: a spec map without an id is missing_id; C++'s default id is `undefined`, which no
  // OTP tree names a child.
  if (spec.id.is_atom("undefined")) return atom("missing_id");
  if (!spec.start) return atom("missing_start");  // OTP 25: {error, missing_start}, no id
  // OTP 25 (measured): a significant child needs auto_shutdown, and cannot be permanent (it
  // would never exit for good); both are checked before the shutdown value.
  if (spec.significant && auto_shutdown == AutoShutdown::never)
    return tuple(atom("bad_combination"), list(tuple(atom("auto_shutdown"), atom("never")), tuple(atom("significant"), atom("true"))));
  if (spec.significant && spec.restart == Restart::permanent)
    return tuple(atom("bad_combination"),
                 list(tuple(atom("restart"), atom("permanent")), tuple(atom("significant"), atom("true"))));
  return check_shutdown(spec.shutdown);
}

std::optional<Term> check_shutdown(const Shutdown& s) {
  if (s.kind == Shutdown::Kind::timeout && s.ms < 0) return tuple(atom("invalid_shutdown"), integer(s.ms));
  return std::nullopt;
}

std::optional<Term> check_flags(const SupFlags& f) {
  if (f.max_restarts < 0) return tuple(atom("invalid_intensity"), integer(f.max_restarts));
  if (f.max_seconds <= 0) return tuple(atom("invalid_period"), integer(f.max_seconds));
  return std::nullopt;
}

ChildSpec worker_spec(Term id, ServerFactory factory, gen_server::StartOptions opts) {
  ChildSpec spec;
  spec.id = std::move(id);
  spec.start = [factory = std::move(factory), opts = std::move(opts)](Process& sup) {
    return gen_server::start_link(sup, factory, opts);
  };
  return spec;
}

}  // namespace otp
