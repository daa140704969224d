#pragma once
// Application (S70): an env (config keys with defaults, overridable at start) plus a top
// supervisor. start() starts the tree and fails with the tree's start error; stop()
// terminates it (shutdown infinity). Processes read the env with get_env / fetch_env.
#include <map>
#include <optional>
#include <string>

#include <otpsim/core/behaviours/supervisor.hpp>

namespace otp::application {

struct Spec {
  std::string name{};
  std::map<std::string, Term> env{};  // defaults
  // Builds the top supervisor's flags and children; may read the env through `self`.
  std::function<Task<StartResult>(Process& self)> start{};
};

// {ok, Pid} of the application master; {error, {R, {App, start, [normal, []]}}} when the start
// function returned {error, R} (the tree's start error); {error, {bad_return, {{App, start,
// [normal, []]}, ignore | {'EXIT', R}}}} when it returned ignore or raised (as OTP 25 reports).
// A Spec without a name or a start function is a UsageError in the caller.
Task<Term> start(Process& self, Spec spec, std::map<std::string, Term> overrides);
Task<Term> start(Process& self, Spec spec);
// ok | {error,{not_started,App}}, once the application is gone (a start right after it starts it
// again). An application whose top supervisor gave up is gone from the running ones but still
// started: its first stop answers ok (as application:stop does).
Task<Term> stop(Process& self, const std::string& app);
// application:get_supervisor/1: {ok, TopSupervisorPid} | undefined (not started, or ending as asked).
Task<Term> get_supervisor(Process& self, const std::string& app);

// Elixir's Application.get_env/3, fetch_env/2 ({ok, V} | error) and put_env/3. The env is
// loaded by the first start (its defaults replace what put_env set before it, keys without a
// default keep theirs) and stays loaded after stop, as in OTP: a later start keeps what put_env
// set; the overrides given to a start are put on top at that start.
Term get_env(Process& self, const std::string& app, const std::string& key, Term fallback);
Term fetch_env(Process& self, const std::string& app, const std::string& key);
void put_env(Process& self, const std::string& app, const std::string& key, Term value);

}  // namespace otp::application
