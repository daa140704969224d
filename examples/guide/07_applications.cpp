// Section 7, "Application supervision": an Application is an env (config with defaults, set at
// start) plus a top supervisor (S70). start() starts the tree or fails with its start error;
// stop() takes the whole tree down; get_env/fetch_env/put_env read and change the config.
#include <otpsim/core/behaviours/application.hpp>
#include <otpsim/core/behaviours/supervisor.hpp>

#include "guide.hpp"

using namespace otp;
using guide::say, guide::show;

namespace {

// A child that reads its config when it starts, as Application.get_env in init would.
class Repo : public GenServer {
  Task<InitResult> init(Process& self) override {
    say(self, "  repo: mode " + show(application::get_env(self, "shop", "mode", atom("dev"))) + ", pool_size " +
                  show(application::get_env(self, "shop", "pool_size", integer(1))));
    co_return InitResult::ok();
  }
};

// mix.exs: mod: {Shop.Application, []}, env: [pool_size: 5, mode: :dev]
application::Spec shop() {
  return {.name = "shop",
          .env = {{"pool_size", integer(5)}, {"mode", atom("dev")}},
          .start = [](Process& self) -> Task<StartResult> {
            // Shop.Application.start/2
            if (application::get_env(self, "shop", "pool_size", integer(1)).integer_value() <= 0)
              co_return StartResult::error(atom("bad_pool_size"));
            co_return co_await supervisor::start_link(
                self, {.strategy = Strategy::one_for_one},
                {worker_spec(atom("repo"), [] { return std::make_unique<Repo>(); }, {.name = {.local = "repo"}}),
                 worker_spec(atom("cache"), [] { return std::make_unique<guide::Counter>(); },
                             {.name = {.local = "cache"}})});
          }};
}

}  // namespace

int main() {
  return guide::run([](Process& self) -> Task<void> {
    // config :shop, mode: :prod  (an override of the default, given at start)
    say(self, "Application.start(:shop):");
    Term started = co_await application::start(self, shop(), {{"mode", atom("prod")}});
    say(self, "  -> " + show(started));
    say(self, "get_env(pool_size)     -> " + show(application::get_env(self, "shop", "pool_size", atom("nil"))));
    say(self, "fetch_env(mode)        -> " + show(application::fetch_env(self, "shop", "mode")));
    say(self, "fetch_env(missing)     -> " + show(application::fetch_env(self, "shop", "missing")));
    application::put_env(self, "shop", "mode", atom("maintenance"));
    say(self, "put_env(mode); get_env -> " + show(application::get_env(self, "shop", "mode", atom("nil"))));
    say(self, "start again            -> " + show(co_await application::start(self, shop())));
    say(self, std::string("repo running: ") + (self.whereis("repo") ? "yes" : "no"));

    say(self, "Application.stop(:shop) -> " + show(co_await application::stop(self, "shop")));
    say(self, std::string("repo running: ") + (self.whereis("repo") ? "yes" : "no"));
    say(self, "stop again              -> " + show(co_await application::stop(self, "shop")));

    // A bad config: the application's start fails with the tree's error.
    say(self, "start with pool_size 0  -> " +
                  show(co_await application::start(self, shop(), {{"pool_size", integer(0)}})));
  });
}
