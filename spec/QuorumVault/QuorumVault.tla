----------------------------- MODULE QuorumVault -----------------------------
(***************************************************************************)
(* The replicated vault: N HSMs in D datacenters run a Raft-family         *)
(* majority-quorum protocol inside the HSM boundary, and the vault state   *)
(* machine (registrations with guess counters) is applied from the         *)
(* committed log.  The host around the HSMs is the adversary: it owns the  *)
(* network (every message ever sent stays in it for good, so any message   *)
(* may be dropped, duplicated, reordered or replayed at any later time,    *)
(* but only HSM actions create messages: none can be forged), crashes and  *)
(* restarts HSMs at will (also between the two writes of one step), hands  *)
(* a minority of HSMs any older copy of the sealed storage it keeps for    *)
(* them, and may lose a whole datacenter: all its HSMs at once, with       *)
(* everything they stored.                                                 *)
(*                                                                         *)
(* Guarantees made precise here (see DESIGN.md):                           *)
(*   G1 GuessLimit (over a history the vault cannot change), G2 Durability,*)
(*   G3 ElectionSafety, LogMatching, LeaderCompleteness,                   *)
(*   StateMachineSafety, plus CommitIndexInLog, RollbackSafety and         *)
(*   UpToDateHoldsCommitted, and G9 as the temporal property               *)
(*   GuessAnswered (MCQuorumVaultLive).                                    *)
(*                                                                         *)
(* Persistence of an HSM is split in two:                                  *)
(*   NVRAM (inside the HSM, small, survives crashes, cannot be rolled      *)
(*   back): currentTerm, votedFor, nvHead, catchUp.                        *)
(*   Sealed host-held state (encrypted and authenticated by the HSM, so    *)
(*   the host cannot forge it, but stored by the host, who can hand back   *)
(*   any version it ever stored): log.                                     *)
(* A step that changes the log writes the sealed log first and nvHead      *)
(* second, as two steps (WriteLog, then PersistHead): the host may crash   *)
(* the HSM between them.  Nothing leaves the HSM before both are written.  *)
(*                                                                         *)
(* Rollback detection: nvHead is the (term, index) of the last entry of    *)
(* the last log written, and follows every write.  By log matching that   *)
(* pair identifies the whole log, so a sealed log whose head differs from  *)
(* nvHead is not the one the HSM last wrote: the host handed back another  *)
(* version, or the HSM crashed between its two writes.  The HSM then       *)
(* "abstains" (grants no votes and starts no elections) and records in     *)
(* NVRAM, as catchUp, the length of the log it last wrote: it abstains     *)
(* until a leader of its current term has shown, by a successful           *)
(* AppendEntries, that its log matches the leader's up to at least that    *)
(* index, so that it again holds every entry it ever acknowledged.  Its    *)
(* acknowledgements stay truthful (it acknowledges only entries it holds), *)
(* so it keeps acknowledging while it catches up.                          *)
(*                                                                         *)
(* Out of scope on purpose: membership is fixed for the life of a fleet    *)
(* (no joint consensus, no reconfiguration); replacing HSMs is a rotation  *)
(* to a new fleet, whose guarantee (G8) is stated with the fleet rotation, *)
(* not here.  Log compaction and snapshots are not modelled: a snapshot is *)
(* a prefix of the committed log and changes none of these properties.     *)
(*                                                                         *)
(* Each element of Bugs removes one protection; the negative models set    *)
(* one of them and TLC must report the invariant named in manifest.json.   *)
(***************************************************************************)
EXTENDS Naturals, Sequences, FiniteSets, TLC

CONSTANTS
    Server,          \* the HSMs of the fleet (model values; symmetric)
    Datacenters,     \* how many datacenters the HSMs are placed in
    User,            \* vault users (model values; symmetric)
    MaxAttempts,     \* G1: guesses answered per registration between successful logins
    Preregistered,   \* TRUE: every user starts with registration 1 exposed
    ClientOps,       \* the client requests a model exercises (subset of AllClientOps)
    MaxTerm,         \* bound: no HSM starts an election beyond this term
    MaxLogLen,       \* bound: a leader accepts client requests while its log is shorter
    HostRestarts,    \* TRUE: the host may crash and restart any HSM at any time
    TornWrites,      \* TRUE: the host may also crash an HSM between its log and NVRAM writes
    MaxRollbacks,    \* bound: how many distinct HSMs the host may roll back
    DatacenterLoss,  \* TRUE: the host may lose (destroy) one whole datacenter
    ElectionsRunAlone, \* liveness models only: randomized timeouts, see Timeout
    Bugs,            \* the protections a negative model removes (subset of AllBugs)
    Nil

\* The requests a leader appends: a registration's store, a login's guess,
\* the three ends of a login (expose a stored registration, recover, fail),
\* and the no-op a new leader appends in its term.  "Retry" is no new
\* command: it lets the client send a guess's KE1 again (its answer was lost).
AllClientOps == {"Store", "Guess", "Retry", "Expose", "Recover", "Fail", "Noop"}

\* Registration ids a client may store (two suffice to replace one with another).
RegIds == 1..2

\* Protections that negative models remove, one at a time.
AllBugs == {
    "ReleaseBeforeCommit",     \* KE2 leaves the HSM before its guess is committed
    "CommitWithoutMajority",   \* the leader commits its entries without acknowledgements
    "CommitEarlierTerm",       \* the leader commits an earlier term's entry by counting replicas
    "VoteNotInNvram",          \* votedFor is volatile: a restart forgets the vote
    "NoRollbackDetection",     \* a rolled-back HSM votes as if nothing happened
    "AckBeforeNvram",          \* the acknowledgement leaves before nvHead is written
    "NonMajorityQuorum",       \* a quorum is any N \div 2 HSMs (2 of 5)
    "HalfQuorum",              \* a quorum is half the fleet (2 of 4)
    "StaleVotesCounted",       \* a candidate counts votes of an earlier term
    "StaleAcksCounted",        \* a leader counts acknowledgements of an earlier term
    "PlacementMajorityInOneDc", \* placement is not checked: a datacenter may hold a majority
    "NoLogConsistencyCheck",   \* a follower appends without checking prevLogIndex/prevLogTerm
    "NoPrevLogTermCheck",      \* a follower checks prevLogIndex but not prevLogTerm
    "UnboundedCommitIndex",    \* a follower adopts the leader's commit index as it is
    "AttemptLimitOffByOne",    \* a guess is still counted when attempts = MaxAttempts
    "RetryCountedAgain",       \* the vault ignores a guess's login id: a KE1 sent again counts again
    "ReplayedRecoverResets"    \* a finished login's session stays open: a replayed KE3 is appended again
}

Bug(name) == name \in Bugs

ASSUME /\ IsFiniteSet(Server) /\ Server # {}
       /\ Datacenters \in Nat \ {0}
       /\ IsFiniteSet(User)
       /\ MaxAttempts \in Nat \ {0}
       /\ Preregistered \in BOOLEAN
       /\ ClientOps \subseteq AllClientOps
       /\ MaxTerm \in Nat /\ MaxLogLen \in Nat
       /\ HostRestarts \in BOOLEAN /\ TornWrites \in BOOLEAN /\ MaxRollbacks \in Nat
       /\ DatacenterLoss \in BOOLEAN /\ ElectionsRunAlone \in BOOLEAN
       /\ Bugs \subseteq AllBugs
       /\ Nil \notin Server

\* A note on style: TLC explores every disjunct of an action-level \/ as its
\* own branch (evaluating all of them), so the guards of actions below are
\* written as negations or IF conditions, which TLC evaluates as values.

-----------------------------------------------------------------------------
(* Variables *)

\* NVRAM: inside the HSM, survives crashes, never rolled back.
VARIABLES currentTerm, votedFor, nvHead, catchUp
\* Sealed host-held state: the current log, and every version the host kept.
VARIABLES log, versions
\* Volatile: lost on every crash.  pending is a write in progress: the sealed
\* log is written, nvHead and the step's messages are not yet.  sessions are
\* the logins a leader answered and a client may finish once, with KE3.
VARIABLES role, votesGranted, nextIndex, matchIndex, commitIndex, pending, sessions
\* Environment: the network, and the faults the host has caused so far.
VARIABLES msgs, sites, destroyed, rolledBack
\* History (observation only, never read by the protocol or the vault).
VARIABLES committed, released, recovered, acked

nvramVars    == <<currentTerm, votedFor, nvHead, catchUp>>
sealedVars   == <<log, versions>>
volatileVars == <<role, votesGranted, nextIndex, matchIndex, commitIndex, pending, sessions>>
envVars      == <<msgs, sites, destroyed, rolledBack>>
historyVars  == <<committed, released, recovered, acked>>
vars == <<nvramVars, sealedVars, volatileVars, envVars, historyVars>>

-----------------------------------------------------------------------------
(* Quorums, placement and log heads *)

N == Cardinality(Server)

IsMajority(S) == 2 * Cardinality(S) > N

\* The protocol's quorum is a strict majority.  NonMajorityQuorum lowers it to
\* N \div 2 HSMs (two disjoint quorums of an odd fleet); HalfQuorum to half
\* of an even fleet (a `>=` for a `>`).
IsQuorum(S) == IF Bug("NonMajorityQuorum") THEN 2 * Cardinality(S) >= N - 1
               ELSE IF Bug("HalfQuorum") THEN 2 * Cardinality(S) >= N
               ELSE IsMajority(S)

\* A placement is the partition of the HSMs into datacenters (empty ones dropped).
\* Names of datacenters do not matter, so symmetry over Server stays sound.
Placements == { {{s \in Server : p[s] = d} : d \in 1..Datacenters} \ {{}} :
                p \in [Server -> 1..Datacenters] }

\* The placement rule (G2): losing any one datacenter leaves a majority.
PlacementValid(P) == \A dc \in P : IsMajority(Server \ dc)

Max(S) == CHOOSE x \in S : \A y \in S : y <= x
Min(a, b) == IF a <= b THEN a ELSE b

LastTerm(xlog) == IF Len(xlog) = 0 THEN 0 ELSE xlog[Len(xlog)].term
\* The head of a log: (term, index) of its last entry.
LogHead(xlog) == <<LastTerm(xlog), Len(xlog)>>
\* Raft's "at least as up-to-date" order on heads.
UpToDate(h1, h2) == h1[1] > h2[1] \/ (h1[1] = h2[1] /\ h1[2] >= h2[2])

Live == Server \ destroyed

\* No write in progress.
NoNvram == [head |-> <<0, 0>>, catchUp |-> 0]
NoPending == [busy |-> FALSE, nv |-> NoNvram, out |-> {}]
Writing(s) == pending[s].busy

\* The sealed log is not the one the HSM last wrote.
Foreign(s) == LogHead(log[s]) # nvHead[s]

\* An HSM abstains from elections while its log is foreign or it has not yet
\* caught up with what it held before.
Abstains(s) ==
    /\ ~Bug("NoRollbackDetection")
    /\ Foreign(s) \/ catchUp[s] > 0

\* NVRAM (nvHead and catchUp) once HSM s has written newLog, where a leader's
\* AppendEntries has shown newLog to match the leader's log up to index match
\* (0 for other writes).  nvHead follows the log.  Writing over a foreign log
\* raises catchUp to the length of the log last written; catchUp drops to 0
\* once a leader has matched the log that far.
NvramAfter(s, newLog, match) ==
    IF Bug("NoRollbackDetection") THEN [head |-> nvHead[s], catchUp |-> 0]
    ELSE LET target == IF Foreign(s) THEN Max({catchUp[s], nvHead[s][2]}) ELSE catchUp[s]
         IN [head |-> LogHead(newLog), catchUp |-> IF match >= target THEN 0 ELSE target]

NvramNow(s) == [head |-> nvHead[s], catchUp |-> catchUp[s]]

\* The host keeps every version of a sealed log it may later hand back: only
\* for HSMs it may still roll back, so that other states stay equal.
MayRollBack(s, rb, dead) == Cardinality(rb \cup {s}) <= MaxRollbacks
                            /\ ~IsMajority(dead \cup rb \cup {s})
Kept(s, newLog) == IF MayRollBack(s, rolledBack, destroyed)
                   THEN versions[s] \cup {newLog} ELSE versions[s]

\* One step's writes and messages.  A step that changes the log writes the
\* sealed log now and leaves nvHead and the messages out to PersistHead, the
\* HSM's next step (unless the host crashes it first).  A step that leaves
\* the log as it is writes nvHead (if it moves) and sends at once.  With
\* TornWrites off, both writes are one step: no crash comes between them.
\* AckBeforeNvram sends the messages with the log write.
WriteLog(s, newLog, match, out) ==
    LET nv == NvramAfter(s, newLog, match) IN
    IF newLog # log[s] /\ TornWrites
    THEN /\ log' = [log EXCEPT ![s] = newLog]
         /\ versions' = [versions EXCEPT ![s] = Kept(s, newLog)]
         /\ IF Bug("AckBeforeNvram")
            THEN /\ pending' = [pending EXCEPT ![s] = [busy |-> TRUE, nv |-> nv, out |-> {}]]
                 /\ msgs' = msgs \cup out
            ELSE /\ pending' = [pending EXCEPT ![s] = [busy |-> TRUE, nv |-> nv, out |-> out]]
                 /\ UNCHANGED msgs
         /\ UNCHANGED <<nvHead, catchUp>>
    ELSE /\ log' = [log EXCEPT ![s] = newLog]
         /\ versions' = [versions EXCEPT ![s] = Kept(s, newLog)]
         /\ nvHead' = [nvHead EXCEPT ![s] = nv.head]
         /\ catchUp' = [catchUp EXCEPT ![s] = nv.catchUp]
         /\ msgs' = msgs \cup out
         /\ UNCHANGED pending

\* The network after a step that sends the messages in new: every message
\* ever sent stays, so any of them may be delivered late, twice, or never.
Net(new) == msgs' = msgs \cup new

-----------------------------------------------------------------------------------------------------------------------------------------------------
(* The vault state machine, applied from the log *)

\* The vault's rules R1-R11 (dev.bkv.vault.VaultState), over commands in log
\* entries.  Fields marked ghost are not in the Java entry: they tie an entry
\* to the history (which password a guess used, which answered guess a login
\* finishes) and are never read by the vault; the trace checker compares
\* entries without them (see Visible).  A guess's login identifies its KE1
\* (Java: the SHA-256 of KE1): a KE1 sent again carries the same login, and
\* since KE1 holds the blinded password, the same login is the same guess.
NoopCmd           == [op |-> "Noop"]
StoreCmd(u, r, m) == [op |-> "Store", user |-> u, reg |-> r, max |-> m]
GuessCmd(u, ok, l) == [op |-> "Guess", user |-> u, right |-> ok, login |-> l]  \* right: ghost
\* The end of a login (op "Expose", "Recover" or "Fail") for session s: the
\* user and registration its guess was answered for.
FinishCmd(op, s)  == [op |-> op, user |-> s.user, reg |-> s.reg, guess |-> s.id]  \* guess: ghost

\* Per user: the registration (0: none), its phase, guesses used and limit,
\* the login of the last guess counted since the count was last set (Nil:
\* none), and the last registration destroyed or deleted (R11).
NoRecord == [reg |-> 0, phase |-> "None", used |-> 0, max |-> 0, last |-> Nil, retired |-> 0]
UserInit == IF Preregistered
            THEN [reg |-> 1, phase |-> "Exposed", used |-> 0, max |-> MaxAttempts, last |-> Nil, retired |-> 0]
            ELSE NoRecord
VaultInit == [u \in User |-> UserInit]

\* The record destroyed (R6, R8): its registration never comes back (R11).
Destroyed(v) == [NoRecord EXCEPT !.retired = v.reg]

\* R5: a guess is counted when the record has guesses left.
GuessCounts(v) ==
    /\ v.phase # "None"
    /\ IF Bug("AttemptLimitOffByOne") THEN v.used <= v.max ELSE v.used < v.max

\* A Recover or Expose takes effect (R7, R4).
RecoverTakes(v, c) == v.reg = c.reg /\ v.phase = "Exposed"
ExposeTakes(v, c)  == v.reg = c.reg /\ v.phase = "Stored"

\* R15: the guess the record counted last, sent again (a retry after a lost
\* answer): answered again, counted no more.
Repeated(v, c) == v.phase # "None" /\ v.last = c.login /\ ~Bug("RetryCountedAgain")

\* Applies command c to the per-user state v.
ApplyUser(v, c) ==
    CASE c.op = "Store" ->
            IF v.phase = "None"
            \* R11 a retired registration is refused; R1 a new record, no guess used.
            THEN IF c.reg = v.retired THEN v
                 ELSE [reg |-> c.reg, phase |-> "Stored", used |-> 0, max |-> c.max, last |-> Nil,
                       retired |-> 0]
            \* R2 the same registration again changes nothing.
            ELSE IF v.reg = c.reg THEN v
            \* R3 another registration replaces it, keeping the guesses used.
            ELSE [reg |-> c.reg, phase |-> "Stored", used |-> Min(v.used, c.max), max |-> c.max,
                  last |-> Nil, retired |-> 0]
      [] c.op = "Guess" ->
            \* R10 no record: nothing to count.  R15 the last guess again: nothing
            \* to count.  R5 count one.  R6 none left: destroy.
            IF v.phase = "None" \/ Repeated(v, c) THEN v
            ELSE IF GuessCounts(v) THEN [v EXCEPT !.used = v.used + 1, !.last = c.login]
            ELSE Destroyed(v)
      \* R4 a login on the stored registration exposes it, with no guess used.
      [] c.op = "Expose" ->
            IF ExposeTakes(v, c) THEN [v EXCEPT !.phase = "Exposed", !.used = 0, !.last = Nil] ELSE v
      \* R7 a successful login on the exposed registration resets the count.
      [] c.op = "Recover" ->
            IF RecoverTakes(v, c) THEN [v EXCEPT !.used = 0, !.last = Nil] ELSE v
      \* R8 a failed login keeps the count; with none left the record is destroyed.
      [] c.op = "Fail" ->
            IF v.reg = c.reg /\ v.phase # "None" /\ v.used >= v.max THEN Destroyed(v) ELSE v

\* The vault state v after applying command c.
ApplyCmd(v, c) == IF c.op = "Noop" THEN v ELSE [v EXCEPT ![c.user] = ApplyUser(@, c)]

\* The vault after applying entries 1..n of xlog.  (Each step's state is
\* referred to once: TLC does not share the value of a definition used twice.)
RECURSIVE VaultAfter(_, _)
VaultAfter(xlog, n) ==
    IF n = 0 THEN VaultInit ELSE ApplyCmd(VaultAfter(xlog, n - 1), xlog[n].cmd)

\* The password-dependent response (KE2) that the entry at k releases, if any:
\* the user, the registration and phase it was counted against, the limit,
\* its answer (the entry's <<term, index>>), its login (KE1: a repeated guess
\* is answered again) and whether it used the password.
KE2Of(xlog, k) ==
    LET e == xlog[k] IN
    IF e.cmd.op # "Guess" THEN {}
    ELSE LET v == VaultAfter(xlog, k - 1)[e.cmd.user] IN
         IF Repeated(v, e.cmd) \/ GuessCounts(v)
         THEN {[user |-> e.cmd.user, reg |-> v.reg, phase |-> v.phase, max |-> v.max,
                id |-> <<e.term, k>>, login |-> e.cmd.login, right |-> e.cmd.right]}
         ELSE {}

\* The successful login that the entry at k completes, if any: a recovery
\* that resets the count, or the exposure of a stored registration.
LoginOf(xlog, k) ==
    LET e == xlog[k] IN
    IF e.cmd.op \notin {"Recover", "Expose"} THEN {}
    ELSE LET v == VaultAfter(xlog, k - 1)[e.cmd.user] IN
         IF (e.cmd.op = "Recover" /\ RecoverTakes(v, e.cmd)) \/ (e.cmd.op = "Expose" /\ ExposeTakes(v, e.cmd))
         THEN {[user |-> e.cmd.user, reg |-> e.cmd.reg, guess |-> e.cmd.guess, idx |-> k]}
         ELSE {}

\* The registration acknowledgement that the entry at k releases, if any.
AckOf(xlog, k) ==
    LET e == xlog[k] IN
    IF e.cmd.op # "Expose" THEN {}
    ELSE IF ExposeTakes(VaultAfter(xlog, k - 1)[e.cmd.user], e.cmd)
         THEN {[user |-> e.cmd.user, reg |-> e.cmd.reg]}
         ELSE {}

\* The history's own account of successful logins: a committed Recover or
\* Expose that took effect is one, if the guess it finishes was answered for
\* the right password and no earlier login finished that guess (a replayed
\* KE3 logs in no one).  Decided from the history alone, never from the
\* vault's counters.
FirstUse(logins, y) ==
    /\ ~\E z \in recovered : z.user = y.user /\ z.guess = y.guess
    /\ ~\E w \in logins : w.user = y.user /\ w.guess = y.guess /\ w.idx < y.idx
NewRecoveries(logins) ==
    { [user |-> y.user, reg |-> y.reg, guess |-> y.guess, idx |-> y.idx] :
        y \in {w \in logins :
                 /\ FirstUse(logins, w)
                 /\ \E x \in released : x.user = w.user /\ x.id = w.guess /\ x.right} }

-----
(* Messages *)

RequestVoteMsg(i, term) == [mtype |-> "RequestVote", mterm |-> term, msource |-> i,
                            mlastLogTerm |-> LastTerm(log[i]), mlastLogIndex |-> Len(log[i])]

-----------------------------------------------------------------------------
(* Initial state *)

Init ==
    /\ currentTerm = [s \in Server |-> 0]
    /\ votedFor = [s \in Server |-> Nil]
    /\ nvHead = [s \in Server |-> <<0, 0>>]
    /\ catchUp = [s \in Server |-> 0]
    /\ log = [s \in Server |-> <<>>]
    /\ versions = [s \in Server |-> {<<>>}]
    /\ role = [s \in Server |-> "Follower"]
    /\ votesGranted = [s \in Server |-> {}]
    /\ nextIndex = [s \in Server |-> [t \in Server |-> 1]]
    /\ matchIndex = [s \in Server |-> [t \in Server |-> 0]]
    /\ commitIndex = [s \in Server |-> 0]
    /\ pending = [s \in Server |-> NoPending]
    /\ sessions = [s \in Server |-> {}]
    /\ msgs = {}
    /\ sites \in IF Bug("PlacementMajorityInOneDc") THEN Placements
                 ELSE {P \in Placements : PlacementValid(P)}
    /\ destroyed = {}
    /\ rolledBack = {}
    /\ committed = {}
    /\ released = {}
    /\ recovered = {}
    /\ acked = {}

-----------------------------------------------------------------------------
(* Elections *)

\* With ElectionsRunAlone (liveness models), randomized timeouts are abstracted
\* as elections that run alone: an HSM times out only when no live leader
\* exists, no other election of its term or later can still succeed, its own
\* election (if it is a candidate) cannot, and its log could win (as PreVote
\* would find out).  Safety models leave timeouts unrestricted.
CanVoteFor(k, j) ==
    /\ currentTerm[k] <= currentTerm[j]
    /\ currentTerm[k] = currentTerm[j] => votedFor[k] \in {Nil, j}
    /\ UpToDate(LogHead(log[j]), LogHead(log[k]))
    /\ ~Abstains(k)
ElectionOpen(j) ==
    /\ role[j] = "Candidate"
    /\ IsQuorum({k \in Live : k \in votesGranted[j] \/ CanVoteFor(k, j)})
CouldWin(i) == IsQuorum({j \in Live : UpToDate(LogHead(log[i]), LogHead(log[j]))})
ElectionAlone(i) ==
    /\ \A j \in Live : role[j] # "Leader"
    /\ \A j \in Live \ {i} : ElectionOpen(j) => currentTerm[j] < currentTerm[i]
    /\ ~ElectionOpen(i)
    /\ CouldWin(i)

\* Server i's election timer fires: it becomes a candidate in the next term,
\* votes for itself (in NVRAM) and asks every HSM for a vote.
Timeout(i) ==
    /\ i \in Live
    /\ ~Writing(i)
    /\ role[i] \in {"Follower", "Candidate"}
    /\ currentTerm[i] < MaxTerm
    /\ ~Abstains(i)
    /\ ~(ElectionsRunAlone /\ ~ElectionAlone(i))
    /\ currentTerm' = [currentTerm EXCEPT ![i] = @ + 1]
    /\ votedFor' = [votedFor EXCEPT ![i] = i]
    /\ role' = [role EXCEPT ![i] = "Candidate"]
    /\ votesGranted' = [votesGranted EXCEPT ![i] = {i}]
    /\ UNCHANGED <<nvHead, catchUp, sealedVars, nextIndex, matchIndex, commitIndex, pending,
                   sessions, sites, destroyed, rolledBack, historyVars>>
    /\ Net({RequestVoteMsg(i, currentTerm[i] + 1)})

\* Server i receives a vote request.  A higher term is adopted first (NVRAM).
\* The vote is granted if i has not voted for another HSM in this term, the
\* candidate's log is at least as up-to-date, and i does not abstain.  Only
\* grants are answered: a refusal would change nothing the network cannot
\* already do by dropping the request.  A request of an earlier term is not
\* handled at all.
HandleRequestVote(i, m) ==
    LET newer  == m.mterm > currentTerm[i]
        voted  == IF newer THEN Nil ELSE votedFor[i]
        logOk  == UpToDate(<<m.mlastLogTerm, m.mlastLogIndex>>, LogHead(log[i]))
        grant  == voted \in {Nil, m.msource} /\ logOk /\ ~Abstains(i)
        reply  == [mtype |-> "Vote", mterm |-> m.mterm, msource |-> i, mdest |-> m.msource]
    IN
    /\ m.mtype = "RequestVote"
    /\ i \in Live /\ i # m.msource
    /\ ~Writing(i)
    /\ m.mterm >= currentTerm[i]
    \* Skip a request that changes nothing: no new term, and no vote to give
    \* that is not already given.
    /\ ~(~newer /\ (~grant \/ (votedFor[i] = m.msource /\ reply \in msgs)))
    /\ currentTerm' = [currentTerm EXCEPT ![i] = m.mterm]
    /\ votedFor' = [votedFor EXCEPT ![i] = IF grant THEN m.msource ELSE voted]
    /\ role' = [role EXCEPT ![i] = IF newer THEN "Follower" ELSE @]
    \* A leader that steps down forgets the logins it answered.
    /\ sessions' = [sessions EXCEPT ![i] = IF newer THEN {} ELSE @]
    /\ UNCHANGED <<nvHead, catchUp, sealedVars, votesGranted, nextIndex, matchIndex, commitIndex,
                   pending, sites, destroyed, rolledBack, historyVars>>
    /\ Net(IF grant THEN {reply} ELSE {})

\* Candidate i receives a vote for its current term; with a quorum of votes
\* it becomes leader and starts replicating from the end of its log.  A vote
\* of an earlier term was given to an election that is over (the bug counts
\* it anyway).
HandleVote(i, m) ==
    LET votes == votesGranted[i] \cup {m.msource} IN
    /\ m.mtype = "Vote" /\ m.mdest = i
    /\ i \in Live
    /\ ~Writing(i)
    /\ role[i] = "Candidate"
    /\ IF Bug("StaleVotesCounted") THEN m.mterm <= currentTerm[i] ELSE m.mterm = currentTerm[i]
    /\ m.msource \notin votesGranted[i]
    /\ votesGranted' = [votesGranted EXCEPT ![i] = votes]
    /\ IF IsQuorum(votes)
       THEN /\ role' = [role EXCEPT ![i] = "Leader"]
            /\ nextIndex' = [nextIndex EXCEPT ![i] = [t \in Server |-> Len(log[i]) + 1]]
            /\ matchIndex' = [matchIndex EXCEPT ![i] = [t \in Server |-> 0]]
       ELSE UNCHANGED <<role, nextIndex, matchIndex>>
    /\ UNCHANGED <<nvramVars, sealedVars, commitIndex, pending, sessions, msgs, sites, destroyed,
                   rolledBack, historyVars>>

-----------------------------------------------------------------------------
(* Log replication and commit *)

\* The AppendEntries message leader i sends j: the entry at nextIndex (at most
\* one) or a heartbeat, and the leader's commit index (j caps it, see below).
AppendEntriesMsg(i, j) ==
    LET prev    == nextIndex[i][j] - 1
        entries == IF nextIndex[i][j] <= Len(log[i]) THEN <<log[i][nextIndex[i][j]]>> ELSE <<>>
    IN [mtype |-> "AppendEntries", mterm |-> currentTerm[i], msource |-> i, mdest |-> j,
        mprevLogIndex |-> prev,
        mprevLogTerm |-> IF prev > 0 THEN log[i][prev].term ELSE 0,
        mentries |-> entries,
        mcommitIndex |-> commitIndex[i]]

\* Leader i's heartbeat: one AppendEntries to every other live HSM.  (Sending
\* to all at once loses no behaviour: the network may drop any of them.)
SendAppendEntries(i) ==
    LET out == {AppendEntriesMsg(i, j) : j \in Live \ {i}} IN
    /\ i \in Live
    /\ ~Writing(i)
    /\ role[i] = "Leader"
    /\ ~(out \subseteq msgs)
    /\ msgs' = msgs \cup out
    /\ UNCHANGED <<nvramVars, sealedVars, volatileVars, sites, destroyed, rolledBack,
                   historyVars>>

\* The log after follower i accepts m (prefix already checked).  An entry that
\* is already present is kept; a conflicting suffix is replaced.
AcceptedLog(i, m) ==
    LET idx == m.mprevLogIndex + 1 IN
    \* The bug ignores the position too: entries go after the last one (within
    \* the model's log bound).
    IF Bug("NoLogConsistencyCheck")
    THEN IF Len(log[i]) + Len(m.mentries) <= MaxLogLen THEN log[i] \o m.mentries ELSE log[i]
    ELSE IF m.mentries = <<>> THEN log[i]
    ELSE IF Len(log[i]) >= idx /\ log[i][idx].term = m.mentries[1].term THEN log[i]
    ELSE SubSeq(log[i], 1, m.mprevLogIndex) \o m.mentries

\* Whether follower i's log matches at m's prevLogIndex: it holds an entry
\* there of the term the leader names.
PrevLogMatches(i, m) ==
    LET prev == m.mprevLogIndex IN
    IF Bug("NoLogConsistencyCheck") THEN TRUE
    ELSE IF prev = 0 THEN TRUE
    ELSE IF prev > Len(log[i]) THEN FALSE
    ELSE Bug("NoPrevLogTermCheck") \/ log[i][prev].term = m.mprevLogTerm

\* Server i receives entries from the leader of a term at least its own.  It
\* adopts the term, follows, checks that its log matches at prevLogIndex,
\* stores the entries, advances its commit index and acknowledges.  A failed
\* check answers with the index the leader should try next.  A message of an
\* earlier term is not handled at all.
HandleAppendEntries(i, m) ==
    LET prev  == m.mprevLogIndex
        logOk == PrevLogMatches(i, m)
        newLog == AcceptedLog(i, m)
        match  == prev + Len(m.mentries)
        \* Only the prefix this message matched is known to equal the leader's.
        commit == IF Bug("UnboundedCommitIndex") THEN m.mcommitIndex ELSE Min(m.mcommitIndex, match)
        hint   == IF Len(log[i]) < prev THEN Len(log[i]) + 1 ELSE prev
        reply  == [mtype |-> "AppendAck", mterm |-> m.mterm, msource |-> i, mdest |-> m.msource,
                   msuccess |-> logOk, mmatchIndex |-> IF logOk THEN match ELSE hint]
    IN
    /\ m.mtype = "AppendEntries" /\ m.mdest = i
    /\ i \in Live
    /\ ~Writing(i)
    /\ m.mterm >= currentTerm[i]
    \* Skip a message already handled in this state: it would change nothing.
    /\ ~(/\ m.mterm = currentTerm[i] /\ role[i] = "Follower" /\ reply \in msgs
         /\ (~logOk \/ (newLog = log[i] /\ commit <= commitIndex[i]
                        /\ NvramAfter(i, newLog, match) = NvramNow(i))))
    /\ currentTerm' = [currentTerm EXCEPT ![i] = m.mterm]
    /\ votedFor' = [votedFor EXCEPT ![i] = IF m.mterm > currentTerm[i] THEN Nil ELSE @]
    /\ role' = [role EXCEPT ![i] = "Follower"]
    /\ sessions' = [sessions EXCEPT ![i] = {}]
    /\ IF logOk
       THEN /\ WriteLog(i, newLog, match, {reply})
            /\ commitIndex' = [commitIndex EXCEPT ![i] = IF commit > @ THEN commit ELSE @]
       ELSE /\ UNCHANGED <<nvHead, catchUp, sealedVars, commitIndex, pending>>
            /\ Net({reply})
    /\ UNCHANGED <<votesGranted, nextIndex, matchIndex, sites, destroyed, rolledBack,
                   historyVars>>

\* The second write of a step: nvHead and catchUp go to NVRAM, then the step's messages
\* leave the HSM.  The host may crash the HSM before (Restart, HostRollback).
PersistHead(i) ==
    /\ i \in Live
    /\ Writing(i)
    /\ nvHead' = [nvHead EXCEPT ![i] = pending[i].nv.head]
    /\ catchUp' = [catchUp EXCEPT ![i] = pending[i].nv.catchUp]
    /\ pending' = [pending EXCEPT ![i] = NoPending]
    /\ Net(pending[i].out)
    /\ UNCHANGED <<currentTerm, votedFor, sealedVars, role, votesGranted, nextIndex,
                   matchIndex, commitIndex, sessions, sites, destroyed, rolledBack, historyVars>>

\* The HSMs whose acknowledgements (matchRow) show they hold entry k of leader
\* i's log.
Agree(i, matchRow, k) == {i} \cup {j \in Server : matchRow[j] >= k}

\* Leader i commits the longest prefix of its log xlog whose last entry is from
\* its own term and is held by a quorum.  CommitEarlierTerm also commits an
\* earlier term's entry by counting the HSMs that hold it (Figure 8 of the
\* Raft paper); CommitWithoutMajority ignores acknowledgements.
CommitTarget(i, xlog, matchRow) ==
    LET ok == {k \in 1..Len(xlog) :
                 /\ Bug("CommitEarlierTerm") \/ xlog[k].term = currentTerm[i]
                 /\ Bug("CommitWithoutMajority") \/ IsQuorum(Agree(i, matchRow, k))}
    IN Max(ok \cup {commitIndex[i]})

\* Leader i, with log xlog, advances its commit index given acknowledgements
\* matchRow and releases the responses of newly committed entries it appended
\* itself: KE2 for counted guesses (each opens a login session, kept with the
\* sessions in base), the key for completed recoveries, acknowledgements for
\* exposed registrations.  First commits enter the history with the commit
\* term and the HSMs counted toward them, and so do successful logins,
\* whether or not their answer reaches the client (a recovery committed by a
\* later leader still resets the count).
AdvanceCommitIndex(i, xlog, matchRow, base) ==
    LET new   == CommitTarget(i, xlog, matchRow)
        fresh == {k \in (commitIndex[i] + 1)..new :
                    ~\E c \in committed : c.idx = k /\ c.entry = xlog[k]}
        own   == {k \in (commitIndex[i] + 1)..new : xlog[k].term = currentTerm[i]}
        ke2s  == UNION {KE2Of(xlog, k) : k \in own}
    IN
    /\ commitIndex' = [commitIndex EXCEPT ![i] = new]
    /\ committed' = committed \cup
          {[idx |-> k, entry |-> xlog[k], term |-> currentTerm[i],
            quorum |-> Agree(i, matchRow, k)] : k \in fresh}
    /\ released' = released \cup ke2s
    /\ sessions' = [sessions EXCEPT ![i] = base \cup ke2s]
    /\ recovered' = recovered \cup NewRecoveries(UNION {LoginOf(xlog, k) : k \in fresh})
    /\ acked' = acked \cup UNION {AckOf(xlog, k) : k \in own}

\* Leader i receives an acknowledgement from its current term and advances its
\* commit index.  Acks of the current term are truthful, so a successful one
\* raises matchIndex.  A failed check moves nextIndex back to the hint.  A
\* failed check at or below matchIndex means the follower no longer holds
\* entries it acknowledged in this term (the host rolled it back, or it
\* restarted on a foreign log): nothing of its log is known to match any more,
\* so matchIndex drops to 0 and nextIndex to the hint.  That only makes commits
\* wait for other HSMs, and repairs the follower within the term.  An
\* acknowledgement of an earlier term is not counted (the bug counts it).
HandleAppendAck(i, m) ==
    LET j        == m.msource
        matchRow == [matchIndex[i] EXCEPT ![j] = IF m.mmatchIndex > @ THEN m.mmatchIndex ELSE @]
        hinted   == Min(m.mmatchIndex, nextIndex[i][j])
    IN
    /\ m.mtype = "AppendAck" /\ m.mdest = i
    /\ i \in Live
    /\ ~Writing(i)
    /\ role[i] = "Leader"
    /\ IF Bug("StaleAcksCounted") THEN m.mterm <= currentTerm[i] ELSE m.mterm = currentTerm[i]
    /\ IF m.msuccess
       THEN /\ ~(m.mmatchIndex <= matchIndex[i][j] /\ m.mmatchIndex + 1 <= nextIndex[i][j])
            /\ matchIndex' = [matchIndex EXCEPT ![i] = matchRow]
            /\ nextIndex' = [nextIndex EXCEPT ![i][j] = IF m.mmatchIndex + 1 > @ THEN m.mmatchIndex + 1 ELSE @]
            /\ AdvanceCommitIndex(i, log[i], matchRow, sessions[i])
       ELSE IF hinted <= matchIndex[i][j]
       THEN /\ matchIndex' = [matchIndex EXCEPT ![i][j] = 0]
            /\ nextIndex' = [nextIndex EXCEPT ![i][j] = IF hinted > 1 THEN hinted ELSE 1]
            /\ UNCHANGED <<commitIndex, sessions, historyVars>>
       ELSE /\ hinted < nextIndex[i][j]
            /\ nextIndex' = [nextIndex EXCEPT ![i][j] = hinted]
            /\ UNCHANGED <<matchIndex, commitIndex, sessions, historyVars>>
    /\ UNCHANGED <<nvramVars, sealedVars, role, votesGranted, pending, envVars>>

-----------------------------------------------------------------------------
(* Client requests, received by the leader and appended to its log *)

\* Leader i appends cmd; mine is what i's login sessions become (a finished
\* login closes its own).
ClientRequest(i, cmd, mine) ==
    LET newLog == Append(log[i], [term |-> currentTerm[i], cmd |-> cmd]) IN
    /\ cmd.op \in ClientOps
    /\ i \in Live
    /\ ~Writing(i)
    /\ role[i] = "Leader"
    /\ Len(log[i]) < MaxLogLen
    /\ WriteLog(i, newLog, 0, {})
    \* Correct leaders commit only on acknowledgements (HandleAppendAck).  The
    \* first bug commits on append; the second releases KE2 on append.
    /\ IF Bug("CommitWithoutMajority")
       THEN AdvanceCommitIndex(i, newLog, matchIndex[i], mine)
       ELSE IF Bug("ReleaseBeforeCommit")
       THEN LET ke2s == KE2Of(newLog, Len(newLog)) IN
            /\ released' = released \cup ke2s
            /\ sessions' = [sessions EXCEPT ![i] = mine \cup ke2s]
            /\ UNCHANGED <<commitIndex, committed, recovered, acked>>
       ELSE /\ sessions' = [sessions EXCEPT ![i] = mine]
            /\ UNCHANGED <<commitIndex, historyVars>>
    /\ UNCHANGED <<currentTerm, votedFor, role, votesGranted, nextIndex, matchIndex,
                   sites, destroyed, rolledBack>>

\* Registration, phase 1: store the new record (answerable, not yet holding
\* the backup key) under registration id r with guess limit max.
ClientRegisterStore(i, u, r, max) ==
    /\ ClientRequest(i, StoreCmd(u, r, max), sessions[i])

\* Whether guesses use the right password.  Only the end of a successful
\* login tells them apart, so models without one need only wrong guesses (the
\* attacker's).
GuessKinds == IF ClientOps \cap {"Recover", "Expose"} # {} THEN BOOLEAN ELSE {FALSE}

\* A login attempt (OPAQUE KE1) with a right or wrong password, identified by
\* login; it is counted when the entry is applied, and KE2 is released once
\* the entry is committed.
ClientGuess(i, u, right, login) ==
    /\ ClientRequest(i, GuessCmd(u, right, login), sessions[i])

\* The login of a new KE1 sent to leader i: the place its entry takes in the
\* log (no other entry is ever appended at that term and index).
FreshLogin(i) == <<currentTerm[i], Len(log[i]) + 1>>

\* The index of the last guess of u in xlog (0: none).
LastGuessOf(xlog, u) ==
    Max({0} \cup {k \in 1..Len(xlog) : xlog[k].cmd.op = "Guess" /\ xlog[k].cmd.user = u})

\* The client sends the KE1 of u's latest login again, as a retry does when
\* its answer was lost (a timeout, a leader change): the latest guess of u
\* that leader i holds, committed or not, appended once more.
ClientRetryGuess(i, u) ==
    LET k == LastGuessOf(log[i], u) IN
    /\ "Retry" \in ClientOps
    /\ k # 0
    /\ ClientRequest(i, log[i][k].cmd, sessions[i])

\* The client ends a login that leader i answered (KE3, or giving up), once:
\* the session closes (the bug keeps it open, so a replayed KE3 is appended
\* again).  Only a guess with the right password can end in success.
FinishSession(i, u, op, s) ==
    /\ s \in sessions[i]
    /\ s.user = u
    /\ op # "Fail" => s.right
    /\ ClientRequest(i, FinishCmd(op, s),
                     IF Bug("ReplayedRecoverResets") THEN sessions[i] ELSE sessions[i] \ {s})

\* Registration, phase 2: a successful login on the stored registration
\* exposes it with the backup key.
ClientRegisterExpose(i, u) == \E s \in sessions[i] : FinishSession(i, u, "Expose", s)

\* A successful login on the exposed registration: the key is released and
\* the count reset.
ClientRecover(i, u) == \E s \in sessions[i] : FinishSession(i, u, "Recover", s)

\* A failed login: the count stays; with no guess left the record is destroyed.
ClientGuessFailed(i, u) == \E s \in sessions[i] : FinishSession(i, u, "Fail", s)

\* A new leader appends a no-op of its term, so that earlier entries commit
\* without waiting for a client (Raft section 8).
LeaderNoop(i) ==
    /\ LastTerm(log[i]) # currentTerm[i]
    /\ ClientRequest(i, NoopCmd, sessions[i])

-----
(* The host: crashes, rollbacks, datacenter loss *)

\* Every volatile variable of i back to its initial value: a crash.
ResetVolatile(i) ==
    /\ role' = [role EXCEPT ![i] = "Follower"]
    /\ votesGranted' = [votesGranted EXCEPT ![i] = {}]
    /\ nextIndex' = [nextIndex EXCEPT ![i] = [t \in Server |-> 1]]
    /\ matchIndex' = [matchIndex EXCEPT ![i] = [t \in Server |-> 0]]
    /\ commitIndex' = [commitIndex EXCEPT ![i] = 0]
    /\ pending' = [pending EXCEPT ![i] = NoPending]
    /\ sessions' = [sessions EXCEPT ![i] = {}]

\* The host crashes and restarts HSM i: volatile state is lost (a write in
\* progress too), NVRAM and the sealed log survive.  (A restart that would
\* lose nothing is skipped.)
Restart(i) ==
    /\ i \in Live
    /\ HostRestarts
    /\ ~(role[i] = "Follower" /\ commitIndex[i] = 0 /\ votesGranted[i] = {} /\ ~Writing(i)
         /\ (Bug("VoteNotInNvram") => votedFor[i] = Nil))
    /\ ResetVolatile(i)
    /\ votedFor' = IF Bug("VoteNotInNvram") THEN [votedFor EXCEPT ![i] = Nil] ELSE votedFor
    /\ UNCHANGED <<currentTerm, nvHead, catchUp, sealedVars, envVars, historyVars>>

\* Fault budget: HSMs ever rolled back or destroyed stay a minority.
WithinBudget(lost) == ~IsMajority(lost)

\* The host crashes HSM i and restarts it with any other version of its
\* sealed log that it kept: older, or newer than one it handed back before.
\* NVRAM is untouched; the HSM compares on restart.
HostRollback(i) ==
    /\ i \in Live
    /\ MayRollBack(i, rolledBack, destroyed)
    /\ \E v \in versions[i] \ {log[i]} :
           log' = [log EXCEPT ![i] = v]
    /\ rolledBack' = rolledBack \cup {i}
    \* Versions of HSMs that can no longer be rolled back are never read again.
    /\ versions' = [s \in Server |->
                      IF s = i \/ MayRollBack(s, rolledBack \cup {i}, destroyed)
                      THEN versions[s] ELSE {<<>>}]
    /\ ResetVolatile(i)
    /\ votedFor' = IF Bug("VoteNotInNvram") THEN [votedFor EXCEPT ![i] = Nil] ELSE votedFor
    /\ UNCHANGED <<currentTerm, nvHead, catchUp, msgs, sites, destroyed, historyVars>>

\* All HSMs of one datacenter are lost at once, with everything they stored.
\* One datacenter may be lost; when other HSMs have already failed, the loss
\* must still keep the failed HSMs a minority.
LoseDatacenter(dc) ==
    /\ DatacenterLoss
    /\ destroyed = {}
    /\ IF rolledBack = {} THEN TRUE ELSE WithinBudget(rolledBack \cup dc)
    /\ destroyed' = dc
    /\ currentTerm' = [s \in Server |-> IF s \in dc THEN 0 ELSE currentTerm[s]]
    /\ votedFor' = [s \in Server |-> IF s \in dc THEN Nil ELSE votedFor[s]]
    /\ nvHead' = [s \in Server |-> IF s \in dc THEN <<0, 0>> ELSE nvHead[s]]
    /\ catchUp' = [s \in Server |-> IF s \in dc THEN 0 ELSE catchUp[s]]
    /\ log' = [s \in Server |-> IF s \in dc THEN <<>> ELSE log[s]]
    /\ versions' = [s \in Server |->
                      IF s \notin dc /\ MayRollBack(s, rolledBack, dc)
                      THEN versions[s] ELSE {<<>>}]
    /\ role' = [s \in Server |-> IF s \in dc THEN "Follower" ELSE role[s]]
    /\ votesGranted' = [s \in Server |-> IF s \in dc THEN {} ELSE votesGranted[s]]
    /\ nextIndex' = [s \in Server |-> IF s \in dc THEN [t \in Server |-> 1] ELSE nextIndex[s]]
    /\ matchIndex' = [s \in Server |-> IF s \in dc THEN [t \in Server |-> 0] ELSE matchIndex[s]]
    /\ commitIndex' = [s \in Server |-> IF s \in dc THEN 0 ELSE commitIndex[s]]
    /\ pending' = [s \in Server |-> IF s \in dc THEN NoPending ELSE pending[s]]
    /\ sessions' = [s \in Server |-> IF s \in dc THEN {} ELSE sessions[s]]
    /\ UNCHANGED <<msgs, sites, rolledBack, historyVars>>

-----------------------------------------------------------------------------
(* The specification *)

\* The network delivers some message to HSM i.  (TLC names a step after the
\* operator it took only when the quantifier ranges over a constant set, hence
\* these wrappers around the quantifiers over variables.)
ReceiveRequestVote(i) == \E m \in msgs : HandleRequestVote(i, m)
ReceiveVote(i)        == \E m \in msgs : HandleVote(i, m)
ReceiveAppendEntries(i) == \E m \in msgs : HandleAppendEntries(i, m)
ReceiveAppendAck(i)   == \E m \in msgs : HandleAppendAck(i, m)
LoseSomeDatacenter    == \E dc \in sites : LoseDatacenter(dc)

\* Every step names its action, so that TLC's traces and its action coverage
\* read as the spec does.
Next ==
    \/ \E i \in Server : Timeout(i)
    \/ \E i \in Server : ReceiveRequestVote(i)
    \/ \E i \in Server : ReceiveVote(i)
    \/ \E i \in Server : SendAppendEntries(i)
    \/ \E i \in Server : ReceiveAppendEntries(i)
    \/ \E i \in Server : PersistHead(i)
    \/ \E i \in Server : ReceiveAppendAck(i)
    \/ \E i \in Server, u \in User, r \in RegIds : ClientRegisterStore(i, u, r, MaxAttempts)
    \/ \E i \in Server, u \in User : ClientRegisterExpose(i, u)
    \/ \E i \in Server, u \in User, ok \in GuessKinds : ClientGuess(i, u, ok, FreshLogin(i))
    \/ \E i \in Server, u \in User : ClientRetryGuess(i, u)
    \/ \E i \in Server, u \in User : ClientRecover(i, u)
    \/ \E i \in Server, u \in User : ClientGuessFailed(i, u)
    \/ \E i \in Server : LeaderNoop(i)
    \/ \E i \in Server : Restart(i)
    \/ \E i \in Server : HostRollback(i)
    \/ LoseSomeDatacenter

Spec == Init /\ [][Next]_vars

-----------------------------------------------------------------------------
(* Invariants *)

TypeOK ==
    /\ currentTerm \in [Server -> 0..MaxTerm]
    /\ votedFor \in [Server -> Server \cup {Nil}]
    /\ role \in [Server -> {"Follower", "Candidate", "Leader"}]
    /\ \A s \in Server : Len(log[s]) <= MaxLogLen
    /\ commitIndex \in [Server -> 0..MaxLogLen]
    /\ catchUp \in [Server -> 0..MaxLogLen]
    /\ \A s \in Server : pending[s].busy \in BOOLEAN
    /\ \A s \in Server : sessions[s] # {} => role[s] = "Leader"
    /\ destroyed \subseteq Server /\ rolledBack \subseteq Server

\* G3: at most one leader per term.
ElectionSafety ==
    \A i, j \in Live :
        (role[i] = "Leader" /\ role[j] = "Leader" /\ currentTerm[i] = currentTerm[j]) => i = j

\* G3: two logs with an entry of the same term at the same index are
\* identical up to that index.
LogMatching ==
    \A i, j \in Live :
        \A k \in 1..Min(Len(log[i]), Len(log[j])) :
            log[i][k].term = log[j][k].term => SubSeq(log[i], 1, k) = SubSeq(log[j], 1, k)

\* G3: an entry committed in some term is in the log of every leader of a
\* later term.
LeaderCompleteness ==
    \A i \in Live : role[i] = "Leader" =>
        \A c \in committed : c.term < currentTerm[i] =>
            c.idx <= Len(log[i]) /\ log[i][c.idx] = c.entry

\* G3: committed prefixes never diverge: one entry per committed index, and
\* every HSM's committed prefix agrees with it.
StateMachineSafety ==
    /\ \A c, d \in committed : c.idx = d.idx => c.entry = d.entry
    /\ \A i \in Live : \A c \in committed :
           c.idx <= Min(commitIndex[i], Len(log[i])) => log[i][c.idx] = c.entry

\* A commit index never points past the end of the log it indexes.
CommitIndexInLog == \A i \in Live : commitIndex[i] <= Len(log[i])

\* G1, over the history alone: per registration, the KE2 responses released
\* between two successful logins (a recovery, or the login that exposes a
\* stored registration) never exceed its limit.  Released answers and logins
\* are ordered by the log index of their entries (one committed log); the
\* window ending at answer x holds every answer of x's registration at or
\* before x with no successful login after it and before x.
AnswersUpTo(x) ==
    {y \in released :
        /\ y.user = x.user /\ y.reg = x.reg /\ y.id[2] <= x.id[2]
        /\ ~\E z \in recovered : /\ z.user = x.user /\ z.reg = x.reg
                                 /\ y.id[2] < z.idx /\ z.idx < x.id[2]}
\* A KE1 answered twice (a retry) is one guess: the limit bounds the distinct
\* logins answered, since each carries one blinded password.
GuessLimit == \A x \in released : Cardinality({y.login : y \in AnswersUpTo(x)}) <= x.max

\* No over-count: a KE1 sent again right after itself (no other guess, store,
\* or successful login of the user between the two entries) changes nothing
\* the user can see: no guess counted, no record destroyed.  Stated over the
\* committed entries of the live HSMs' logs, with the user's record before
\* and after the repeated entry.
PrevLoginEvent(xlog, k, u) ==
    Max({0} \cup {j \in 1..(k - 1) : /\ xlog[j].cmd.op \in {"Guess", "Store", "Expose", "Recover"}
                                     /\ xlog[j].cmd.user = u})
SeenByUser(v) == [reg |-> v.reg, phase |-> v.phase, used |-> v.used]
RetryCountsNothing ==
    \A s \in Live : \A k \in 1..Min(commitIndex[s], Len(log[s])) :
        LET c == log[s][k].cmd
            j == IF c.op = "Guess" THEN PrevLoginEvent(log[s], k, c.user) ELSE 0
        IN (j # 0 /\ log[s][j].cmd.op = "Guess" /\ log[s][j].cmd.login = c.login) =>
               SeenByUser(VaultAfter(log[s], k)[c.user]) = SeenByUser(VaultAfter(log[s], k - 1)[c.user])

\* G2: an acknowledged registration is still held by a surviving HSM (and so,
\* by LeaderCompleteness, by every future leader), while the host's faults
\* stay within the budget and the placement keeps each datacenter a minority.
Durability ==
    \A a \in acked : \E s \in Live : \E k \in 1..Len(log[s]) :
        LET c == log[s][k].cmd IN c.op = "Expose" /\ c.user = a.user /\ c.reg = a.reg

\* Rollback: an HSM whose acknowledgement was counted toward committing an
\* entry still holds that entry, unless it abstains (it was handed another
\* version of its log and has not caught up).  This is what keeps a committed
\* entry on a quorum of voters when the host rolls back sealed logs.
RollbackSafety ==
    \A c \in committed : \A s \in c.quorum \cap Live :
        Abstains(s) \/ (c.idx <= Len(log[s]) /\ log[s][c.idx] = c.entry)

\* The lemma behind LeaderCompleteness, for every log an HSM holds (sealed
\* versions the host hands back included): a log at least as up-to-date as
\* (commit term, index) of a committed entry holds that entry.  Entries of a
\* later term are made only by leaders that hold it, and by log matching so do
\* the logs that hold them.  A log that breaks this could win an election over
\* the HSMs that committed the entry.
UpToDateHoldsCommitted ==
    \A s \in Live : \A c \in committed :
        UpToDate(LogHead(log[s]), <<c.term, c.idx>>) =>
            c.idx <= Len(log[s]) /\ log[s][c.idx] = c.entry

-----------------------------------------------------------------------------
(* Liveness (G9) *)

\* Fairness: every live HSM keeps taking each of its steps, and every message
\* kept in the network is eventually handled (the majority that stays up is
\* connected).  The client keeps asking the leader until answered.
Fairness ==
    /\ \A i \in Server :
          /\ WF_vars(Timeout(i))
          /\ WF_vars(\E u \in User : \E ok \in GuessKinds : ClientGuess(i, u, ok, FreshLogin(i)))
          /\ WF_vars(SendAppendEntries(i))
          /\ WF_vars(PersistHead(i))
          /\ WF_vars(ReceiveRequestVote(i))
          /\ WF_vars(ReceiveVote(i))
          /\ WF_vars(ReceiveAppendEntries(i))
          /\ WF_vars(ReceiveAppendAck(i))

LiveSpec == Spec /\ Fairness

\* G9: a user's pending guess is eventually answered with KE2.
GuessAnswered == \A u \in User : <>(\E x \in released : x.user = u)

=============================================================================
