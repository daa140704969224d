%% erlc app2.erl && erl -noshell -eval 'app2:main()' -s init stop
%% A temporary application whose top supervisor gives up: what stop and start answer afterwards.
-module(app2).
-export([main/0, start/2, stop/1, init/1, handle_cast/2, handle_call/3, start_w/0]).
start(_, _) -> supervisor:start_link(?MODULE, top).
stop(_) -> ok.
init(top) -> {ok, {#{strategy => one_for_one, intensity => 0, period => 5}, [#{id => b, start => {?MODULE, start_w, []}}]}};
init(w) -> {ok, w}.
start_w() -> gen_server:start_link({local, b}, ?MODULE, w, []).
handle_call(_, _, S) -> {reply, ok, S}.
handle_cast({exit, R}, S) -> {stop, R, S}.
p(L, V) -> io:format("~s: ~0p~n", [L, V]).
crash() -> gen_server:cast(b, {exit, boom}), timer:sleep(100).
main() ->
    logger:set_primary_config(level, none),
    ok = application:load({application, myapp, [{description, ""}, {vsn, "1"}, {mod, {?MODULE, []}}, {env, []}, {modules, []}, {registered, []}, {applications, [kernel, stdlib]}]}),
    p("1 start", application:start(myapp)),
    crash(),
    p("2 after the tree died: start", application:start(myapp)),
    p("3 stop", application:stop(myapp)),
    p("4 stop again", application:stop(myapp)),
    crash(),
    p("5 after a crash with the app stopped (b not running): start", application:start(myapp)),
    crash(),
    p("6 died again: stop", application:stop(myapp)),
    p("7 stop again", application:stop(myapp)),
    ok.
