%% supervisor:start_child of a new id whose start finds its registered name held by another
%% process: {error,{{already_started,Pid},ChildRecord}} (OTP 25). Run:
%%   erlc start_child_name_taken.erl scw.erl && erl -noshell -s start_child_name_taken main
-module(start_child_name_taken).
-behaviour(supervisor).
-export([main/0, init/1]).
main() ->
    {ok, Sup} = supervisor:start_link(?MODULE, []),
    {ok, P} = supervisor:start_child(Sup, #{id => plain, start => {scw, start, []}}),
    R = supervisor:start_child(Sup, #{id => plain2, start => {scw, start, []}}),
    io:format("first ~p~nsecond ~p~n", [P, R]),
    halt().
init([]) -> {ok, {#{strategy => one_for_one}, []}}.
