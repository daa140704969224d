%% process_info of a sleeping process sent N messages, registered or not (the contracts probe
%% process-info-queue-and-name). erlc process_info_queue_name.erl && erl -noshell -s process_info_queue_name main
%% Printed on OTP 25:
%%   named 2: message_queue_len 2, registered_name sleeper, in process_info/1 true
%%   unnamed 0: message_queue_len 0, registered_name [], in process_info/1 false
%% (process_info(P, registered_name) of a process without a name is [], not a tuple.)
-module(process_info_queue_name).
-export([main/0]).
run(Named, N) ->
    Parent = self(),
    P = spawn(fun() ->
                  case Named of true -> register(sleeper, self()); false -> ok end,
                  Parent ! ready,
                  timer:sleep(100)
              end),
    receive ready -> ok end,
    [P ! I || I <- lists:seq(1, N)],
    {message_queue_len, L} = process_info(P, message_queue_len),
    R = case process_info(P, registered_name) of {registered_name, Name} -> Name; [] -> [] end,
    In = lists:keymember(registered_name, 1, process_info(P)),
    io:format("~s ~p: message_queue_len ~p, registered_name ~p, in process_info/1 ~p~n",
              [case Named of true -> "named"; false -> "unnamed" end, N, L, R, In]),
    timer:sleep(150).
main() ->
    run(true, 2),
    run(false, 0),
    halt().
