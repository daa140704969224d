%% application:stop while the application ends on its own (its top supervisor just killed), then
%% application:start at once, 2,000 times, on the BEAM (OTP 25); the
%% `application-stop-while-ending` probe of the contracts suite makes the same calls:
%% erlc application_stop_start.erl && erl -noshell -eval 'application_stop_start:main()' -s init stop
%% Prints #{{ok,ok} => 2000}: stop answers ok and returns once the application is gone, and the
%% start right after it succeeds.
-module(application_stop_start).
-behaviour(application).
-behaviour(supervisor).
-export([main/0, start/2, stop/1, init/1]).
start(_, _) -> supervisor:start_link({local, application_stop_start_top}, ?MODULE, []).
stop(_) -> ok.
init([]) -> {ok, {#{}, []}}.
main() ->
    logger:set_primary_config(level, none),
    ok = application:load({application, application_stop_start,
                           [{mod, {?MODULE, []}}, {applications, [kernel, stdlib]}, {registered, []}, {vsn, "1"}, {modules, [?MODULE]}]}),
    R = lists:foldl(fun(_, Acc) ->
            ok = application:start(application_stop_start),
            exit(whereis(application_stop_start_top), kill),
            S = (catch application:stop(application_stop_start)),
            S2 = (catch application:start(application_stop_start)),
            _ = (catch application:stop(application_stop_start)),
            maps:update_with({S, S2}, fun(V) -> V + 1 end, 1, Acc)
        end, #{}, lists:seq(1, 2000)),
    io:format("top supervisor killed, then stop and start at once: ~p~n", [R]).
