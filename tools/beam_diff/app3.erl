%% erlc app3.erl && erl -noshell -eval 'app3:main()' -s init stop   (myapp3.app in the same directory)
-module(app3).
-export([main/0, start/2, stop/1, init/1]).
start(_Type, _Args) -> supervisor:start_link(?MODULE, top).
stop(_) -> ok.
init(top) -> {ok, {#{}, []}}.
p(L, V) -> io:format("~s: ~0p~n", [L, V]).
main() ->
    logger:set_primary_config(level, none),
    p("A1 get_env never loaded", application:get_env(neverapp, k)),
    p("A1 get_env/3 never loaded", application:get_env(neverapp, k, dflt)),
    p("A1 put_env on never-loaded, then get_env", begin application:set_env(neverapp, k, v), application:get_env(neverapp, k) end),
    ok = application:set_env(myapp3, mode, prod),
    ok = application:set_env(myapp3, extra, 7),
    p("A2 get_env before start", {application:get_env(myapp3, mode), application:get_env(myapp3, extra)}),
    p("A2 start", application:start(myapp3)),
    p("A2 after start: mode (default dev, put prod before)", application:get_env(myapp3, mode)),
    p("A2 after start: extra (not in defaults, put before)", application:get_env(myapp3, extra)),
    p("A2 after start: level", application:get_env(myapp3, level)),
    p("A3 stop", application:stop(myapp3)),
    p("A3 get_env after stop", application:get_env(myapp3, mode)),
    ok.
