// The guide's application on real threads: an Application whose env sets the pool size, a
// top supervisor (rest_for_one) over a Registry, a cache server and the worker pool; then
// pool jobs from several clients, one of which crashes its worker on purpose; and the running
// tree, as an observer snapshot.
#include <cstdio>

#include <otpsim/core/behaviours/application.hpp>
#include <otpsim/core/behaviours/observer.hpp>
#include <otpsim/core/components/pool.hpp>
#include <otpsim/core/behaviours/registry.hpp>
#include <otpsim/core/behaviours/supervisor.hpp>
#include <otpsim/rt/rt_world.hpp>

using namespace otp;

namespace {

class Cache : public GenServer {
  Term last_ = atom("none");
  Task<Result> handle_call(Process&, Message m, From) override {
    Term previous = last_;
    last_ = *m.get<Term>();
    co_return Result::reply(previous);
  }
};

application::Spec shop_app() {
  application::Spec app;
  app.name = "shop";
  app.env = {{"pool_size", integer(4)}};
  app.start = [](Process& self) -> Task<StartResult> {
    int size = static_cast<int>(application::get_env(self, "shop", "pool_size", integer(2)).integer_value());
    ChildSpec reg;
    reg.id = atom("registry");
    reg.start = [](Process& sup) { return registry::start_link(sup, {.name = "shop.registry"}); };
    ChildSpec cache = worker_spec(atom("cache"), [] { return std::make_unique<Cache>(); }, {.name = {.local = "cache"}});
    ChildSpec workers = pool::child_spec({.name = "jobs", .size = size, .max_attempts = 1});
    co_return co_await supervisor::start_link(self, {.strategy = Strategy::rest_for_one}, {reg, cache, workers});
  };
  return app;
}

}  // namespace

int main() {
  rt::RtWorld world;  // one worker thread per hardware thread
  int ok = 0, crashed = 0;
  Pid main_proc = world.spawn([&](Process& self) -> Proc {
    Term started = co_await application::start(self, shop_app(), {{"pool_size", integer(3)}});
    std::printf("application: %s, pool_size=%s\n", started.to_string().c_str(),
                application::get_env(self, "shop", "pool_size", integer(0)).to_string().c_str());
    Pid me = self.self();
    for (int c = 0; c < 4; ++c)
      self.spawn([me, c](Process& client) -> Proc {
        int good = 0, bad = 0;
        for (int64_t j = 0; j < 250; ++j) {
          bool crash = c == 0 && j == 7;
          Term r = co_await pool::run(client, "jobs", [j, crash](Process& w) -> Task<Term> {
            if (crash) w.exit(atom("bad_input"));
            co_return integer(j * j);
          }, 5000);
          (r.is_tuple(2) && r[0].is_atom("ok") ? good : bad)++;
        }
        client.send(me, tuple(integer(good), integer(bad)));
      });
    for (int c = 0; c < 4; ++c) {
      Term t = *(co_await self.receive_any())->get<Term>();
      ok += static_cast<int>(t[0].integer_value());
      crashed += static_cast<int>(t[1].integer_value());
    }
    Term status = co_await pool::status(self, "jobs");
    std::printf("jobs: %d ok, %d reported {error,{worker_crashed,bad_input}}; status %s\n", ok, crashed, status.to_string().c_str());
    Term top = co_await application::get_supervisor(self, "shop");
    observer::TreeNode tree = co_await observer::snapshot(self, top[1].pid());
    std::printf("the running tree:\n%s", observer::to_text(tree).c_str());
    co_await application::stop(self, "shop");
  });
  world.wait_exit(main_proc);
  return ok == 999 && crashed == 1 ? 0 : 1;
}
