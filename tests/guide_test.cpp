// The guide's own tests (counter_test, supervisor_test, session_supervisor_test), ported with
// the start_supervised fixture; and Application (S70).
#include <otpsim/core/behaviours/application.hpp>
#include <otpsim/core/behaviours/dynamic_supervisor.hpp>
#include <otpsim/core/behaviours/registry.hpp>
#include <otpsim/sim/testing/supervised_test.hpp>

using namespace otp;
using otp::testing::SupervisedTest;

namespace {

class Counter : public GenServer {
 public:
  Task<Result> handle_call(Process&, Message req, From) override {
    const Term& t = *req.get<Term>();
    if (t.is_atom("get")) co_return Result::reply(integer(n_));
    if (t.is_atom("increment")) co_return Result::reply(integer(++n_));
    throw std::runtime_error("crash requested");
  }

 private:
  int64_t n_ = 0;
};

ChildSpec counter_spec(const char* id = "counter") {
  return worker_spec(atom(id), [] { return std::make_unique<Counter>(); }, {.name = {.local = id}});
}

Task<int64_t> ask(Process& self, const char* server, const char* what) {
  co_return (co_await gen_server::call(self, server, atom(what))).get<Term>()->integer_value();
}

}  // namespace

class CounterTest : public SupervisedTest {};

TEST_F(CounterTest, IncrementsAndGets) {  // S11
  run([&](Process& self) -> Task<void> {
    co_await start_supervised(self, counter_spec());
    EXPECT_EQ(co_await ask(self, "counter", "increment"), 1);
    EXPECT_EQ(co_await ask(self, "counter", "increment"), 2);
    EXPECT_EQ(co_await ask(self, "counter", "get"), 2);
  });
}

TEST_F(CounterTest, RestartGivesFreshState) {  // S25: the guide's "let it crash"
  run([&](Process& self) -> Task<void> {
    Pid before = co_await start_supervised(self, counter_spec());
    co_await ask(self, "counter", "increment");
    try {
      co_await ask(self, "counter", "crash");
    } catch (const Exit&) {
    }
    co_await self.sleep(1);
    Pid after = self.whereis("counter");
    EXPECT_NE(before, after);
    EXPECT_EQ(co_await ask(self, "counter", "get"), 0);
  });
  EXPECT_EQ(consume_crash_reports(), 1u);
}

TEST_F(CounterTest, LeftoverCrashReportFailsTheTest) {  // the fixture's own contract
  run([&](Process& self) -> Task<void> {
    co_await start_supervised(self, counter_spec());
    try {
      co_await ask(self, "counter", "crash");
    } catch (const Exit&) {
    }
    co_await self.sleep(1);
  });
  // Not consumed: TearDown would fail. Check that it sees it, then consume it.
  EXPECT_EQ(consume_crash_reports(), 1u);
}

class SessionSupervisorTest : public SupervisedTest {};

TEST_F(SessionSupervisorTest, StartListStopSessions) {  // S40
  run([&](Process& self) -> Task<void> {
    ChildSpec sessions;
    sessions.id = atom("sessions");
    sessions.type = ChildType::supervisor;
    sessions.start = [](Process& sup) {
      return dynamic_supervisor::start_link(sup, {.max_children = 100}, {.name = {.local = "sessions"}});
    };
    co_await start_supervised(self, sessions);
    std::vector<Pid> started;
    for (int i = 0; i < 3; ++i) {
      dynamic_supervisor::ChildSpec s;
      s.start = [](Process& sup, std::vector<Term>) {
        return gen_server::start_link(sup, [] { return std::make_unique<Counter>(); });
      };
      s.restart = Restart::temporary;
      started.push_back((co_await dynamic_supervisor::start_child(self, "sessions", s))[1].pid());
    }
    Term list = co_await dynamic_supervisor::which_children(self, "sessions");
    EXPECT_EQ(list.size(), 3u);
    EXPECT_EQ((co_await dynamic_supervisor::terminate_child(self, "sessions", started[1])).to_string(), "ok");
    EXPECT_EQ((co_await dynamic_supervisor::count_children(self, "sessions")).to_string(),
              "[{specs,2},{active,2},{supervisors,0},{workers,2}]");
  });
}

class ApplicationTest : public SupervisedTest {};

application::Spec shop_app() {
  return {.name = "shop",
          .env = {{"pool_size", integer(5)}, {"mode", atom("dev")}},
          .start = [](Process& self) -> Task<StartResult> {
            Term size = application::get_env(self, "shop", "pool_size", integer(1));
            if (size.integer_value() <= 0) co_return StartResult::error(atom("bad_pool_size"));
            co_return co_await supervisor::start_link(self, {.strategy = Strategy::rest_for_one},
                                                      {counter_spec("db"), counter_spec("cache")});
          }};
}

TEST_F(ApplicationTest, EnvDefaultsOverridesAndStartStop) {  // S70
  run([&](Process& self) -> Task<void> {
    Term r = co_await application::start(self, shop_app(), {{"mode", atom("prod")}});
    EXPECT_EQ(r[0].to_string(), "ok");
    EXPECT_EQ(application::get_env(self, "shop", "pool_size", atom("none")).to_string(), "5");
    EXPECT_EQ(application::fetch_env(self, "shop", "mode").to_string(), "{ok,prod}");
    EXPECT_EQ(application::fetch_env(self, "shop", "missing").to_string(), "error");
    EXPECT_TRUE(self.whereis("db"));
    EXPECT_EQ((co_await application::stop(self, "shop")).to_string(), "ok");
    EXPECT_FALSE(self.whereis("db"));  // the tree is gone with the application
    EXPECT_EQ((co_await application::stop(self, "shop")).to_string(), "{error,{not_started,shop}}");
  });
}

TEST_F(ApplicationTest, StartFailsWithTheTreesError) {  // S70
  run([&](Process& self) -> Task<void> {
    Term r = co_await application::start(self, shop_app(), {{"pool_size", integer(0)}});
    EXPECT_EQ(r.to_string(), "{error,{bad_pool_size,{shop,start,[normal,[]]}}}");
  });
}

// The guide's GameSupervisor: game rooms under a DynamicSupervisor, named through a Registry.
class GameRoom : public GenServer {
 public:
  Task<Result> handle_call(Process&, Message req, From) override {
    const Term& t = *req.get<Term>();
    if (t.is_tuple(2) && t[0].is_atom("join")) players_.push_back(t[1]);
    co_return Result::reply(Term::list(players_));
  }

 private:
  std::vector<Term> players_;
};

class GameSupervisorTest : public SupervisedTest {};

TEST_F(GameSupervisorTest, RoomsAreFoundByNameAndRestartUnderTheirName) {  // S40, S60
  run([&](Process& self) -> Task<void> {
    ChildSpec reg{.id = atom("rooms_registry"), .start = [](Process& sup) {
                    return registry::start_link(sup, {.name = "rooms"});
                  }};
    ChildSpec games{.id = atom("games"), .start = [](Process& sup) {
                      return dynamic_supervisor::start_link(sup, {}, {.name = {.local = "games"}});
                    }};
    games.type = ChildType::supervisor;
    co_await start_supervised(self, reg);
    co_await start_supervised(self, games);
    auto room = [](const char* id) {
      dynamic_supervisor::ChildSpec s;
      Name name{.via_registry = "rooms", .key = str(id)};
      s.start = [name](Process& sup, std::vector<Term>) {
        gen_server::StartOptions opts{.name = name};
        return gen_server::start_link(sup, [] { return std::make_unique<GameRoom>(); }, opts);
      };
      return s;
    };
    co_await dynamic_supervisor::start_child(self, "games", room("chess"));
    Term again = co_await dynamic_supervisor::start_child(self, "games", room("chess"));
    EXPECT_EQ(again[0].to_string(), "error");  // {error,{already_started,Pid}}
    Name chess{.via_registry = "rooms", .key = str("chess")};
    co_await gen_server::call(self, chess, tuple(atom("join"), atom("ann")));
    Term players = *(co_await gen_server::call(self, chess, tuple(atom("join"), atom("bob")))).get<Term>();
    EXPECT_EQ(players.to_string(), "[ann,bob]");
    Pid old = co_await registry::whereis_name(self, "rooms", str("chess"));
    self.exit(old, atom("kill"));
    co_await self.sleep(1);
    Pid fresh = co_await registry::whereis_name(self, "rooms", str("chess"));
    EXPECT_TRUE(fresh);
    EXPECT_NE(fresh, old);
    players = *(co_await gen_server::call(self, chess, atom("who"))).get<Term>();
    EXPECT_EQ(players.to_string(), "[]");  // a restarted room starts empty
  });
  EXPECT_EQ(consume_crash_reports(), 1u);  // the killed room
}
