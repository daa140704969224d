%% A handle_call that answers twice (gen_server:reply, then {reply, ...}): the caller gets the
%% first; whether the second lands in its mailbox depends on whether it arrived before the
%% caller deactivated the call's alias. erlc double_reply.erl && erl -noshell -s double_reply main
-module(double_reply).
-behaviour(gen_server).
-export([main/0, init/1, handle_call/3, handle_cast/2]).
init(_) -> {ok, 0}.
handle_call(double, From, S) -> gen_server:reply(From, first), {reply, second, S};
handle_call(spawn_double, From, S) ->
    spawn(fun() -> gen_server:reply(From, first) end), timer:sleep(5), {reply, second, S}.
handle_cast(_, S) -> {noreply, S}.
run(Req) ->
    {ok, P} = gen_server:start(?MODULE, [], []),
    R = gen_server:call(P, Req),
    timer:sleep(1),
    Left = receive {[alias | _], second} -> second_left; M -> M after 0 -> empty end,
    gen_server:stop(P),
    {Req, R, Left}.
main() ->
    Rs = [run(Req) || Req <- [double, spawn_double], _ <- lists:seq(1, 1000)],
    [io:format("~p x~p~n", [R, length([X || X <- Rs, X == R])]) || R <- lists:usort(Rs)],
    halt().
