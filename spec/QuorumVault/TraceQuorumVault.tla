--------------------------- MODULE TraceQuorumVault ---------------------------
(***************************************************************************)
(* Trace validation: is what the Java fleet did a behaviour of QuorumVault? *)
(*                                                                         *)
(* The simulator records every transition of every HSM as an event named  *)
(* after the spec action it implements, with the message it received and  *)
(* the acting HSM's state after the step, in the spec's vocabulary         *)
(* (spec/FORMATS.md, "Trace events").  This module walks many such traces  *)
(* at once: the trace number t and the event cursor l are variables, and   *)
(* each step of TraceNext is one step of QuorumVault's Next constrained by *)
(* event l: the action it names, with the arguments the event fixes, and   *)
(* a post-state equal, field by field, to the one the Java code logged.    *)
(*                                                                         *)
(* What the log cannot see:                                                *)
(*   - a lost message: the network of the spec keeps every message sent,  *)
(*     so a message that is never delivered needs no step;                 *)
(*   - a step of the Java code that changes nothing the spec can see (a    *)
(*     message of an earlier term, a repeated vote, a heartbeat whose      *)
(*     messages were all sent before, a refused client request): it is an *)
(*     event whose post-state equals the pre-state, accepted only when the *)
(*     spec's action is not enabled for it (~ENABLED), so that a Java step *)
(*     that wrongly does nothing is still caught;                          *)
(*   - ghost fields of log entries (which password a guess used, which     *)
(*     answered guess a login finishes): compared without them (Visible).  *)
(*     A guess's login is visible: the log holds it as the hex SHA-256 of  *)
(*     KE1, and a retried KE1 is a ClientGuess with a login seen before.   *)
(*                                                                         *)
(* Every safety invariant of QuorumVault stays on while the traces are     *)
(* walked (the trace models list them).  A trace is accepted when TLC      *)
(* prints <<"TRACE_OK", t>> for it; when no branch can match event l,      *)
(* ReportStuck prints which event, which action, and which logged fields   *)
(* no step of that action can produce.                                     *)
(***************************************************************************)
EXTENDS QuorumVault, Integers, TraceIO

CONSTANT TraceFile   \* a JSON file holding an array of traces

Traces == LoadTraces(TraceFile)

VARIABLES t, l
traceVars == <<t, l>>

T  == Traces[t]
ev == T[l]

AsSet(tuple) == {tuple[k] : k \in DOMAIN tuple}

-----------------------------------------------------------------------------
(* The logged vocabulary *)

\* An entry as the Java log holds it: term and command, without ghost fields.
VisibleEntry(e) ==
    LET c == e.cmd IN
    CASE c.op = "Noop"  -> [term |-> e.term, op |-> "Noop"]
      [] c.op = "Guess" -> [term |-> e.term, op |-> "Guess", user |-> c.user, login |-> c.login]
      [] c.op = "Store" -> [term |-> e.term, op |-> "Store", user |-> c.user, reg |-> c.reg,
                            max |-> c.max]
      [] OTHER          -> [term |-> e.term, op |-> c.op, user |-> c.user, reg |-> c.reg]
VisibleLog(xlog) == [k \in 1..Len(xlog) |-> VisibleEntry(xlog[k])]

Visible(m) ==
    IF m.mtype = "AppendEntries"
    THEN [m EXCEPT !.mentries = VisibleLog(m.mentries)]
    ELSE m

VoteOf(v) == IF v = Nil THEN -1 ELSE v

VisibleUser(v) == [reg |-> v.reg, phase |-> v.phase, used |-> v.used]

VisibleAnswer(x) == [user |-> x.user, reg |-> x.reg, phase |-> x.phase, id |-> x.id]

\* The placement of a trace's header, as the spec's set of datacenters.
SitesOf(h) == {AsSet(dc) : dc \in AsSet(h.sites)}

-----------------------------------------------------------------------------
(* The post-state of the acting HSM i, field by field *)

PostFields == {"term", "vote", "role", "log", "commit", "nvHead", "catchUp", "writing",
               "vault", "released", "sessions"}

FieldOk(i, p, f) ==
    CASE f = "term"     -> currentTerm'[i] = p.term
      [] f = "vote"     -> VoteOf(votedFor'[i]) = p.vote
      [] f = "role"     -> role'[i] = p.role
      [] f = "log"      -> VisibleLog(log'[i]) = p.log
      [] f = "commit"   -> commitIndex'[i] = p.commit
      [] f = "nvHead"   -> nvHead'[i] = p.nvHead
      [] f = "catchUp"  -> catchUp'[i] = p.catchUp
      [] f = "writing"  -> pending'[i].busy = p.writing
      [] f = "vault"    -> LET v == VaultAfter(log'[i], commitIndex'[i]) IN
                           \A u \in DOMAIN p.vault : VisibleUser(v[u]) = p.vault[u]
      [] f = "released" -> {VisibleAnswer(x) : x \in released' \ released} = AsSet(p.released)
      [] f = "sessions" -> {s.id : s \in sessions'[i]} = AsSet(p.sessions)

PostOk(i, p) == \A f \in PostFields : FieldOk(i, p, f)

-----------------------------------------------------------------------------
(* One event as a spec step, without the post-state check *)

\* A message delivered to i: the spec message the network holds that the log
\* shows, handled by Handle.
Delivered(i, Handle(_, _)) == \E m \in msgs : Visible(m) = ev.msg /\ Handle(i, m)
\* The same message, delivered and changing nothing the spec can see: allowed
\* when the spec's handler is not enabled for it.
Ignored(i, Handle(_, _)) ==
    \E m \in msgs : Visible(m) = ev.msg /\ ~ENABLED Handle(i, m) /\ UNCHANGED vars

\* A step that changed nothing the spec can see, where the action is disabled.
Stutter(enabled) == ~enabled /\ UNCHANGED vars

Finished(i, op) ==
    IF ev.refused
    THEN Stutter(\E s \in sessions[i] : s.id = ev.session /\ ENABLED FinishSession(i, ev.cmd.user, op, s))
    ELSE \E s \in sessions[i] : s.id = ev.session /\ FinishSession(i, ev.cmd.user, op, s)

Requested(i, A) == IF ev.refused THEN Stutter(ENABLED A) ELSE A

EventStep(i) ==
    CASE ev.action = "Timeout"              -> Timeout(i)
      [] ev.action = "HandleRequestVote"    -> Delivered(i, HandleRequestVote) \/ Ignored(i, HandleRequestVote)
      [] ev.action = "HandleVote"           -> Delivered(i, HandleVote) \/ Ignored(i, HandleVote)
      [] ev.action = "HandleAppendEntries"  -> Delivered(i, HandleAppendEntries) \/ Ignored(i, HandleAppendEntries)
      [] ev.action = "HandleAppendAck"      -> Delivered(i, HandleAppendAck) \/ Ignored(i, HandleAppendAck)
      [] ev.action = "PersistHead"          -> PersistHead(i)
      [] ev.action = "SendAppendEntries"    -> SendAppendEntries(i) \/ Stutter(ENABLED SendAppendEntries(i))
      [] ev.action = "LeaderNoop"           -> LeaderNoop(i)
      [] ev.action = "ClientRegisterStore"  ->
            Requested(i, ClientRegisterStore(i, ev.cmd.user, ev.cmd.reg, ev.cmd.max))
      [] ev.action = "ClientGuess"          ->
            Requested(i, ClientGuess(i, ev.cmd.user, ev.right, ev.cmd.login))
      [] ev.action = "ClientRegisterExpose" -> Finished(i, "Expose")
      [] ev.action = "ClientRecover"        -> Finished(i, "Recover")
      [] ev.action = "ClientGuessFailed"    -> Finished(i, "Fail")
      [] ev.action = "Restart"              -> Restart(i) \/ HostRollback(i) \/ Stutter(ENABLED Restart(i))
      [] ev.action = "LoseDatacenter"       -> LoseDatacenter(AsSet(ev.dc))

\* The event's whole step: its action and, for an HSM's step, its post-state.
EventMatched ==
    IF ev.action = "LoseDatacenter" THEN EventStep(-1)
    ELSE EventStep(ev.node) /\ PostOk(ev.node, ev.post)

-----------------------------------------------------------------------------
(* Walking the traces *)

TraceInit ==
    /\ t \in DOMAIN Traces
    /\ Traces[t][1].action = "Init"
    /\ l = 2
    /\ Init
    /\ sites = SitesOf(Traces[t][1])

TraceStep ==
    /\ l <= Len(T)
    /\ EventMatched
    /\ l' = l + 1
    /\ UNCHANGED t

TraceDone ==
    /\ l = Len(T) + 1
    /\ PrintT(<<"TRACE_OK", t>>)
    /\ UNCHANGED <<vars, traceVars>>

TraceNext == TraceStep \/ TraceDone

TraceSpec == TraceInit /\ [][TraceNext]_<<vars, traceVars>>

\* Not a property: a report.  Where no step matches event l of trace t, it
\* prints the event, whether its action could be taken at all (ignoring the
\* logged post-state), and the logged fields no such step can produce, each
\* with the logged value and the spec's value before the step.
SpecBefore(i, f) ==
    CASE f = "term" -> currentTerm[i] [] f = "vote" -> VoteOf(votedFor[i]) [] f = "role" -> role[i]
      [] f = "log" -> VisibleLog(log[i]) [] f = "commit" -> commitIndex[i]
      [] f = "nvHead" -> nvHead[i] [] f = "catchUp" -> catchUp[i] [] f = "writing" -> pending[i].busy
      [] f = "vault" -> [u \in User |-> VisibleUser(VaultAfter(log[i], commitIndex[i])[u])]
      [] f = "released" -> {} [] f = "sessions" -> {s.id : s \in sessions[i]}
ReportStuck ==
    \/ l > Len(T)
    \/ ENABLED TraceStep
    \/ LET i == ev.node
           hsmStep == ev.action # "LoseDatacenter"
           bad == IF hsmStep /\ ENABLED EventStep(i)
                  THEN {f \in PostFields : ~ENABLED (EventStep(i) /\ FieldOk(i, ev.post, f))}
                  ELSE {}
       IN PrintT(<<"TRACE_STUCK", t, l, ev.action, i, hsmStep /\ ENABLED EventStep(i),
                   [f \in bad |-> <<ev.post[f], SpecBefore(i, f)>>]>>)
=============================================================================
