%% The supervisor API sequence of tests/supervisor_test.cpp (ApiSequenceMatchesWhatOtpPrinted),
%% run on the BEAM: erlc supervisor_api.erl && erl -noshell -eval 'supervisor_api:main()' -s init stop
-module(supervisor_api).
-export([main/0, init/1, handle_call/3, handle_cast/2, handle_info/2, start_w/1]).
start_w(Id) -> gen_server:start_link(?MODULE, {w, Id}, []).
init({sup, Kids}) -> {ok, {#{strategy => one_for_one, intensity => 10, period => 5}, Kids}};
init({w, ignore_me}) -> ignore;
init({w, _}) -> {ok, s}.
handle_call(_, _, S) -> {reply, ok, S}.
handle_cast(_, S) -> {noreply, S}.
handle_info(_, S) -> {noreply, S}.
spec(Id, R) -> #{id => Id, start => {?MODULE, start_w, [Id]}, restart => R}.
p(Label, V) -> io:format("~s: ~0p~n", [Label, strip(V)]).
strip(P) when is_pid(P) -> pid;
strip(T) when is_tuple(T) -> list_to_tuple([strip(X) || X <- tuple_to_list(T)]);
strip(L) when is_list(L) -> [strip(X) || X <- L];
strip(M) when is_map(M) -> maps:map(fun(_, V) -> strip(V) end, M);
strip(X) -> X.
main() ->
    logger:set_primary_config(level, none),
    process_flag(trap_exit, true),
    {ok, S} = supervisor:start_link(?MODULE, {sup, [spec(a, permanent), spec(b, temporary), spec(c, transient)]}),
    p("1 start_child dup running", supervisor:start_child(S, spec(c, transient))),
    p("2 terminate a", supervisor:terminate_child(S, a)),
    p("3 start_child dup stopped", supervisor:start_child(S, spec(a, permanent))),
    p("4 restart a", supervisor:restart_child(S, a)),
    p("5 terminate b (temporary)", supervisor:terminate_child(S, b)),
    p("5b which", supervisor:which_children(S)),
    p("6 restart b", supervisor:restart_child(S, b)),
    p("7 delete running a", supervisor:delete_child(S, a)),
    p("8 terminate a", supervisor:terminate_child(S, a)),
    p("8b delete a", supervisor:delete_child(S, a)),
    p("9 restart running c", supervisor:restart_child(S, c)),
    p("10 count", supervisor:count_children(S)),
    [{c, PidC, _, _}] = [X || X = {c, _, _, _} <- supervisor:which_children(S)],
    p("11 terminate by pid", supervisor:terminate_child(S, PidC)),
    p("11b which", supervisor:which_children(S)),
    p("12 delete unknown", supervisor:delete_child(S, zz)),
    p("13 terminate unknown", supervisor:terminate_child(S, zz)),
    p("14 restart unknown", supervisor:restart_child(S, zz)),
    p("15 start ignore (permanent)", supervisor:start_child(S, spec(ignore_me, permanent))),
    p("15b which", supervisor:which_children(S)),
    p("15c restart ignored", supervisor:restart_child(S, ignore_me)),
    p("16 start ignore (temporary)", supervisor:start_child(S, #{id => t2, start => {?MODULE, start_w, [ignore_me]}, restart => temporary})),
    p("16b which", supervisor:which_children(S)),
    p("17 get_childspec c", supervisor:get_childspec(S, c)),
    p("18 get_childspec unknown", supervisor:get_childspec(S, zz)),
    p("19 count", supervisor:count_children(S)),
    p("20 terminate c", supervisor:terminate_child(S, c)),
    p("21 terminate c again", supervisor:terminate_child(S, c)),
    p("22 restart c", supervisor:restart_child(S, c)),
    p("23 delete ignore_me", supervisor:delete_child(S, ignore_me)),
    p("24 which", supervisor:which_children(S)),
    ok.
