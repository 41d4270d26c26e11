%% The Erlang/OTP side of `npm run bench` (bench/run.ts): the same workloads as the erlmesh
%% side (bench/proc/client.ts), written the way an Erlang programmer would.
%%
%% The bench compiles this module and kvs.erl with erlc into a temporary directory and starts
%% the VMs itself, on loopback, with long names and one cookie:
%%
%%   erl -noshell -name s@127.0.0.1 -setcookie C -pa Dir -run erlmesh_bench server LifeMs
%%       prints "READY" once kvs runs (with weather = fine stored) and serves until killed.
%%   erl -noshell -name c@127.0.0.1 -setcookie C -pa Dir -run erlmesh_bench main Scenario LifeMs Args...
%%       runs one scenario, prints "RESULT {json}" (or "ERROR ...") and halts.
%%
%% Every VM halts by itself when its stdin closes (the bench holds the pipe) or after LifeMs,
%% so nothing outlives the bench even if it is killed.
%%
%% Timings use erlang:monotonic_time(nanosecond); per-iteration timings are taken after the
%% warm-up iterations, and percentiles are nearest-rank (the same rule as bench/lib/stats.ts).
-module(erlmesh_bench).
-export([main/1, server/1]).
-export([counter/3, echo/0, noop/0, idle/0]).

%% ---------------------------------------------------------------------------------------
%% Entry points

server([LifeMs]) ->
    watchdog(list_to_integer(LifeMs)),
    true = kvs:start(),
    true = kvs:store(weather, fine),
    io:format("READY~n"),
    ok.

main([Scenario, LifeMs | Args]) ->
    watchdog(list_to_integer(LifeMs)),
    Result =
        try
            run(list_to_atom(Scenario), Args)
        catch
            Class:Reason:Stack ->
                io:format("ERROR ~0p~n", [{Class, Reason, lists:sublist(Stack, 3)}]),
                halt(1)
        end,
    io:format("RESULT ~s~n", [json(Result)]),
    halt(0).

run(local, [N, CapMs, Report]) ->
    stream(node(), int(N), int(CapMs), int(Report));
run(stream, [Server, N, CapMs, Report]) ->
    S = connect(Server),
    stream(S, int(N), int(CapMs), int(Report));
run(pingpong, [Server, Warm, N]) ->
    pingpong(connect(Server), int(Warm), int(N));
run(rpc_seq, [Server, Warm, N]) ->
    rpc_seq(connect(Server), int(Warm), int(N));
run(rpc_conc, [Server, Callers, WarmPer, Per]) ->
    rpc_conc(connect(Server), int(Callers), int(WarmPer), int(Per));
run(spawn, [Server, Warm, N]) ->
    spawn_rate(connect(Server), int(Warm), int(N));
run(global, [Server, Warm, N, Lookups]) ->
    global_names(connect(Server), int(Warm), int(N), int(Lookups));
run(mem, [N]) ->
    idle_memory(int(N)).

%% ---------------------------------------------------------------------------------------
%% Processes the scenarios spawn (locally or on the server node)

%% Counts {msg, I, Bin}; reports {count, C} to Parent every Report messages and at N.
counter(Parent, N, Report) -> counter(Parent, N, Report, 0).

counter(Parent, N, _Report, N) ->
    Parent ! {count, N};
counter(Parent, N, Report, C) ->
    receive
        {msg, _I, _Bin} ->
            C1 = C + 1,
            case C1 rem Report of
                0 when C1 =/= N -> Parent ! {count, C1};
                _ -> ok
            end,
            counter(Parent, N, Report, C1)
    end.

echo() ->
    receive
        {From, I} ->
            From ! {pong, I},
            echo()
    end.

noop() -> ok.

idle() ->
    receive
        _ -> ok
    end.

%% ---------------------------------------------------------------------------------------
%% Scenarios

%% One-way stream of N {msg, I, <<0:512>>} to a counting process on Node (local when Node
%% is this node). The sender checks the time cap every 1024 messages; the rate is the count
%% last reported by the counter over the time that report arrived.
stream(Node, N, CapMs, Report) ->
    Self = self(),
    Counter =
        case Node =:= node() of
            true -> spawn(fun() -> counter(Self, N, Report) end);
            false -> spawn(Node, ?MODULE, counter, [Self, N, Report])
        end,
    T0 = now_ns(),
    Deadline = T0 + CapMs * 1000000,
    Sent = send_loop(Counter, 0, N, Deadline),
    SendNs = now_ns() - T0,
    {C, T} = wait_counts(N, Deadline, {0, T0}),
    Secs = (T - T0) / 1.0e9,
    [{count, C}, {sent, Sent}, {seconds, Secs}, {send_seconds, SendNs / 1.0e9},
     {rate, case Secs > 0 of true -> C / Secs; false -> 0 end}, {capped, C < N}].

send_loop(_Pid, I, N, _Deadline) when I >= N -> I;
send_loop(Pid, I, N, Deadline) ->
    Pid ! {msg, I, <<0:512>>},
    I1 = I + 1,
    case I1 band 1023 of
        0 ->
            case now_ns() > Deadline of
                true -> I1;
                false -> send_loop(Pid, I1, N, Deadline)
            end;
        _ ->
            send_loop(Pid, I1, N, Deadline)
    end.

wait_counts(N, Deadline, Last) ->
    Left = max(0, (Deadline - now_ns()) div 1000000),
    receive
        {count, C} when C >= N -> {C, now_ns()};
        {count, C} -> wait_counts(N, Deadline, {C, now_ns()})
    after Left -> Last
    end.

pingpong(Server, Warm, N) ->
    Echo = spawn(Server, ?MODULE, echo, []),
    RoundTrip = fun(I) ->
        Echo ! {self(), I},
        receive {pong, I} -> ok end
    end,
    [RoundTrip(I) || I <- lists:seq(1, Warm)],
    summary(timed(RoundTrip, N)).

rpc_seq(Server, Warm, N) ->
    {ok, fine} = rpc:call(Server, kvs, lookup, [weather]),
    Call = fun(_) -> {ok, fine} = rpc:call(Server, kvs, lookup, [weather]) end,
    [Call(I) || I <- lists:seq(1, Warm)],
    summary(timed(Call, N)).

%% Callers processes, each making Per sequential calls; the rate is all calls over the wall
%% time from the first call to the last reply (after a warm-up round of WarmPer each).
%% The first Per calls of each caller are timed on their own (cold_rate), the rest of the
%% warm-up is not, then Per calls each are timed (rate), as bench/proc/client.ts does.
rpc_conc(Server, Callers, WarmPer, Per) ->
    TC = now_ns(),
    conc_round(Server, Callers, Per),
    Cold = Callers * Per / ((now_ns() - TC) / 1.0e9),
    conc_round(Server, Callers, max(0, WarmPer - Per)),
    T0 = now_ns(),
    conc_round(Server, Callers, Per),
    Secs = (now_ns() - T0) / 1.0e9,
    [{calls, Callers * Per}, {callers, Callers}, {seconds, Secs}, {rate, Callers * Per / Secs}, {cold_rate, Cold}].

conc_round(Server, Callers, Per) ->
    Parent = self(),
    Pids = [spawn_link(fun() ->
                [{ok, fine} = rpc:call(Server, kvs, lookup, [weather]) || _ <- lists:seq(1, Per)],
                Parent ! {done, self()}
            end) || _ <- lists:seq(1, Callers)],
    [receive {done, P} -> ok end || P <- Pids],
    ok.

spawn_rate(Server, Warm, N) ->
    Spawn = fun(_) -> spawn(Server, ?MODULE, noop, []) end,
    [Spawn(I) || I <- lists:seq(1, Warm)],
    Summary = summary(timed(Spawn, N)),
    %% spawns per second back to back: 1 / the mean time of one spawn
    Summary ++ [{rate, 1.0e6 / proplists:get_value(mean_us, Summary)}].

%% global:register_name for N fresh names, each for a fresh local idle process (spawned
%% outside the timing), then whereis_name over those names Lookups times.
global_names(_Server, Warm, N, Lookups) ->
    ok = global:sync(),
    Register = fun(Name) ->
        P = spawn(fun idle/0),
        T0 = now_ns(),
        yes = global:register_name(Name, P),
        now_ns() - T0
    end,
    [Register(name(w, I)) || I <- lists:seq(1, Warm)],
    Names = [name(b, I) || I <- lists:seq(1, N)],
    Times = [Register(Name) || Name <- Names],
    Tuple = list_to_tuple(Names),
    T0 = now_ns(),
    lookups(Tuple, N, Lookups),
    LookupNs = (now_ns() - T0) / Lookups,
    [{whereis_us, LookupNs / 1000} | summary(Times)].

lookups(_Names, _N, 0) -> ok;
lookups(Names, N, K) ->
    case global:whereis_name(element(1 + K rem N, Names)) of
        P when is_pid(P) -> lookups(Names, N, K - 1)
    end.

name(Prefix, I) -> list_to_atom("bench_" ++ atom_to_list(Prefix) ++ "_" ++ integer_to_list(I)).

%% Bytes per idle process: erlang:memory(processes) before and after spawning N processes
%% blocked in receive (after a garbage collection of this process).
idle_memory(N) ->
    erlang:garbage_collect(),
    Before = erlang:memory(processes),
    Pids = [spawn(fun idle/0) || _ <- lists:seq(1, N)],
    timer:sleep(200),
    After = erlang:memory(processes),
    N = length(Pids),
    [{processes, N}, {bytes_per_process, (After - Before) / N}, {delta_bytes, After - Before},
     {total_bytes, erlang:memory(total)}].

%% ---------------------------------------------------------------------------------------
%% Helpers

int(S) -> list_to_integer(S).

now_ns() -> erlang:monotonic_time(nanosecond).

connect(ServerStr) ->
    Server = list_to_atom(ServerStr),
    connect(Server, 100).

connect(Server, 0) -> error({cannot_connect, Server});
connect(Server, K) ->
    case net_adm:ping(Server) of
        pong -> Server;
        pang -> timer:sleep(100), connect(Server, K - 1)
    end.

%% Run F(I) for I in 1..N, returning the duration of each call in nanoseconds.
timed(F, N) -> timed(F, 1, N, []).

timed(_F, I, N, Acc) when I > N -> Acc;
timed(F, I, N, Acc) ->
    T0 = now_ns(),
    F(I),
    timed(F, I + 1, N, [now_ns() - T0 | Acc]).

summary(Ns) ->
    Sorted = lists:sort(Ns),
    Len = length(Sorted),
    Us = fun(X) -> X / 1000 end,
    [{n, Len}, {p50_us, Us(pct(Sorted, Len, 50))}, {p99_us, Us(pct(Sorted, Len, 99))},
     {mean_us, Us(lists:sum(Sorted) / Len)}, {min_us, Us(hd(Sorted))},
     {max_us, Us(lists:last(Sorted))}].

%% Nearest rank: the smallest value with at least P% of the values at or below it.
pct(Sorted, Len, P) -> lists:nth(max(1, min(Len, ceil(P * Len / 100))), Sorted).

json(Props) ->
    Fields = [io_lib:format("\"~s\":~s", [K, json_value(V)]) || {K, V} <- Props],
    ["{", lists:join(",", Fields), "}"].

json_value(V) when is_integer(V) -> integer_to_list(V);
json_value(V) when is_float(V) -> float_to_list(V, [{decimals, 6}, compact]);
json_value(true) -> "true";
json_value(false) -> "false";
json_value(V) -> io_lib:format("\"~0p\"", [V]).

%% Halt when the bench closes our stdin, or after LifeMs whatever happens.
watchdog(LifeMs) ->
    spawn(fun() -> stdin_eof() end),
    spawn(fun() -> receive after LifeMs -> halt(4) end end),
    ok.

stdin_eof() ->
    case io:get_line('') of
        eof -> halt(3);
        {error, _} -> halt(3);
        _ -> stdin_eof()
    end.
