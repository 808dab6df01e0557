---------------------------- MODULE TraceCounter ----------------------------
(* The self-test of TraceIO: a counter, and recorded traces of it that TLC  *)
(* loads through the Java override and checks step by step (the trace      *)
(* validation pattern of TLC-NOTES.md).                                    *)
EXTENDS Integers, Sequences, TLC, TraceIO

CONSTANT TraceFile
VARIABLES x, t, l

\* The spec: a counter that is incremented or doubled.
Init == x = 0
Inc == x' = x + 1
Double == x' = 2 * x

\* Trace validation: t is the trace, l the next event; each event must be a step.
Traces == LoadTraces(TraceFile)
T == Traces[t]
ev == T[l]
TraceInit == t \in DOMAIN Traces /\ l = 1 /\ Init
IsEvent(a) == l <= Len(T) /\ ev.action = a /\ l' = l + 1 /\ UNCHANGED t
TraceNext ==
    \/ IsEvent("Inc") /\ Inc /\ x' = ev.x
    \/ IsEvent("Double") /\ Double /\ x' = ev.x
TraceDone == l = Len(T) + 1 /\ UNCHANGED <<x, t, l>>
TraceSpec == TraceInit /\ [][TraceNext \/ TraceDone]_<<x, t, l>>

\* Every JSON type arrives as the TLA+ value it maps to.
EventsTyped ==
    \A i \in DOMAIN Traces : \A k \in DOMAIN Traces[i] :
        LET e == Traces[i][k] IN
        /\ e.action \in {"Inc", "Double"}
        /\ e.x \in Int
        /\ "meta" \in DOMAIN e =>
              /\ e.meta.ok \in BOOLEAN
              /\ e.meta.node = "s1"
              /\ e.meta.path = <<1, -2, 3>>
=============================================================================
