----------------------------- MODULE QuorumVault -----------------------------
(***************************************************************************)
(* The replicated vault: N HSMs in D datacenters run a Raft-family         *)
(* majority-quorum protocol inside the HSM boundary, and the vault state   *)
(* machine (registrations with guess counters) is applied from the         *)
(* committed log.  The host around the HSMs is the adversary: it owns the  *)
(* network (every message ever sent stays in it, so any message may be    *)
(* dropped, duplicated, reordered or replayed, but only HSM actions create *)
(* messages: none can be forged), restarts HSMs at will, rolls back the    *)
(* sealed storage it keeps for a minority of them, and may lose a whole    *)
(* datacenter: all its HSMs at once, with everything they stored.          *)
(*                                                                         *)
(* Guarantees made precise here (see DESIGN.md):                           *)
(*   G1 GuessLimit, G2 Durability, G3 ElectionSafety, LogMatching,         *)
(*   LeaderCompleteness, StateMachineSafety, plus RollbackSafety, and G9   *)
(*   as the temporal property GuessAnswered (MCQuorumVaultLive).           *)
(*                                                                         *)
(* Persistence of an HSM is split in two:                                  *)
(*   NVRAM (inside the HSM, small, survives crashes, cannot be rolled      *)
(*   back): currentTerm, votedFor, nvHead.                                 *)
(*   Sealed host-held state (encrypted and authenticated by the HSM, so    *)
(*   the host cannot forge it, but stored by the host, who can hand back   *)
(*   an older version): log.                                               *)
(*                                                                         *)
(* Rollback detection: every log write also writes nvHead, the (term,      *)
(* index) of the log's last entry, to NVRAM.  By log matching, that pair   *)
(* identifies the whole log.  After a restart, a sealed log whose head     *)
(* differs from nvHead is an older version: the HSM "abstains" (grants no  *)
(* votes and starts no elections) and keeps nvHead until appends from a    *)
(* leader make its log at least as up-to-date as nvHead again.  Its        *)
(* acknowledgements stay truthful (it acknowledges only entries it holds), *)
(* so it keeps acknowledging while it catches up.                          *)
(*                                                                         *)
(* Each Bug* constant removes one protection; the negative models set one  *)
(* of them and TLC must report the invariant named in manifest.json.       *)
(***************************************************************************)
EXTENDS Naturals, Sequences, FiniteSets, TLC

CONSTANTS
    Server,          \* the HSMs of the fleet (model values; symmetric)
    Datacenters,     \* how many datacenters the HSMs are placed in
    User,            \* vault users (model values; symmetric)
    MaxAttempts,     \* G1: guesses answered per registration between recoveries
    Preregistered,   \* TRUE: every user starts with registration 1 exposed
    ClientOps,       \* the client requests a model exercises (subset of AllClientOps)
    MaxTerm,         \* bound: no HSM starts an election beyond this term
    MaxLogLen,       \* bound: a leader accepts client requests while its log is shorter
    HostRestarts,    \* TRUE: the host may crash and restart any HSM at any time
    MaxRollbacks,    \* bound: how many distinct HSMs the host may roll back
    DatacenterLoss,  \* TRUE: the host may lose (destroy) one whole datacenter
    ElectionsRunAlone, \* liveness models only: randomized timeouts, see Timeout
    Nil

\* Protections that negative models remove, one at a time.
CONSTANTS
    BugReleaseBeforeCommit,      \* KE2 leaves the HSM before its guess is committed
    BugCommitWithoutMajority,    \* the leader commits its entries without acknowledgements
    BugVoteNotInNvram,           \* votedFor is volatile: a restart forgets the vote
    BugNoRollbackDetection,      \* a rolled-back HSM votes as if nothing happened
    BugNonMajorityQuorum,        \* a quorum is any N \div 2 HSMs instead of a majority
    BugPlacementMajorityInOneDc, \* placement is not checked: a datacenter may hold a majority
    BugNoLogConsistencyCheck     \* a follower appends without checking prevLogIndex/prevLogTerm

AllClientOps == {"Store", "Expose", "Guess", "Recover"}

ASSUME /\ IsFiniteSet(Server) /\ Server # {}
       /\ Datacenters \in Nat \ {0}
       /\ IsFiniteSet(User)
       /\ MaxAttempts \in Nat \ {0}
       /\ Preregistered \in BOOLEAN
       /\ ClientOps \subseteq AllClientOps
       /\ MaxTerm \in Nat /\ MaxLogLen \in Nat
       /\ HostRestarts \in BOOLEAN /\ MaxRollbacks \in Nat
       /\ DatacenterLoss \in BOOLEAN /\ ElectionsRunAlone \in BOOLEAN
       /\ Nil \notin Server
       /\ \A b \in {BugReleaseBeforeCommit, BugCommitWithoutMajority, BugVoteNotInNvram,
                    BugNoRollbackDetection, BugNonMajorityQuorum, BugPlacementMajorityInOneDc,
                    BugNoLogConsistencyCheck} : b \in BOOLEAN

\* A note on style: TLC explores every disjunct of an action-level \/ as its
\* own branch (evaluating all of them), so the guards of actions below are
\* written as negations or IF conditions, which TLC evaluates as values.

-----------------------------------------------------------------------------
(* Variables *)

\* NVRAM: inside the HSM, survives crashes, never rolled back.
VARIABLES currentTerm, votedFor, nvHead
\* Sealed host-held state: the host stores it and may hand back an older version.
VARIABLES log
\* Volatile: lost on every crash.
VARIABLES role, votesGranted, nextIndex, matchIndex, commitIndex
\* Environment: the network, and the faults the host has caused so far.
VARIABLES msgs, sites, destroyed, rolledBack
\* History (observation only, never read by the protocol).
VARIABLES committed, released, acked

nvramVars    == <<currentTerm, votedFor, nvHead>>
volatileVars == <<role, votesGranted, nextIndex, matchIndex, commitIndex>>
envVars      == <<msgs, sites, destroyed, rolledBack>>
historyVars  == <<committed, released, acked>>
vars == <<nvramVars, log, volatileVars, envVars, historyVars>>

-----------------------------------------------------------------------------
(* Quorums, placement and log heads *)

N == Cardinality(Server)

IsMajority(S) == 2 * Cardinality(S) > N

\* The protocol's quorum is a strict majority.  The bug lowers it to N \div 2
\* HSMs, so two disjoint quorums exist.
IsQuorum(S) == IF BugNonMajorityQuorum THEN 2 * Cardinality(S) >= N - 1
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

\* An HSM abstains from elections while its sealed log is behind the head its
\* NVRAM recorded: the host handed it an older version.
Abstains(s) == ~BugNoRollbackDetection /\ LogHead(log[s]) # nvHead[s]

\* nvHead after the HSM writes newLog: it follows the log, except that while
\* abstaining it keeps the old head until the log has caught up with it.
NvHeadAfter(s, newLog) ==
    IF BugNoRollbackDetection THEN nvHead[s]
    ELSE IF ~Abstains(s) \/ UpToDate(LogHead(newLog), nvHead[s]) THEN LogHead(newLog)
    ELSE nvHead[s]

\* One log write: the sealed log and, in the same step, its head in NVRAM.
WriteLog(s, newLog) ==
    /\ log' = [log EXCEPT ![s] = newLog]
    /\ nvHead' = [nvHead EXCEPT ![s] = NvHeadAfter(s, newLog)]

Live == Server \ destroyed

-----------------------------------------------------------------------------
(* The vault state machine, applied from the log *)

\* Commands in log entries.
StoreCmd(u)       == [op |-> "Store", user |-> u]
ExposeCmd(u, r)   == [op |-> "Expose", user |-> u, reg |-> r]
GuessCmd(u, ok)   == [op |-> "Guess", user |-> u, right |-> ok]
RecoverCmd(u, g)  == [op |-> "Recover", user |-> u, guess |-> g]

\* Per user: the exposed registration (0 = none), a stored one awaiting exposure,
\* how many registrations were ever stored, counted guesses, successful recoveries
\* of the exposed registration, and the last counted guess (its OPAQUE session).
NoSession == [id |-> <<0, 0>>, right |-> FALSE]
UserInit == [active   |-> IF Preregistered THEN 1 ELSE 0,
             pending  |-> 0,
             regs     |-> IF Preregistered THEN 1 ELSE 0,
             attempts |-> 0,
             epoch    |-> 0,
             session  |-> NoSession]
VaultInit == [u \in User |-> UserInit]

\* A guess is counted when an exposed registration has attempts left.
GuessCounts(v) == v.active # 0 /\ v.attempts < MaxAttempts

\* Applies the entry at index k to the per-user state v.
ApplyUser(v, k, e) ==
    LET c == e.cmd IN
    CASE c.op = "Store" ->
            [v EXCEPT !.regs = v.regs + 1, !.pending = v.regs + 1]
      [] c.op = "Expose" ->
            IF v.pending = c.reg /\ c.reg # 0
            THEN [v EXCEPT !.active = c.reg, !.pending = 0, !.attempts = 0,
                           !.epoch = 0, !.session = NoSession]
            ELSE v
      [] c.op = "Guess" ->
            IF GuessCounts(v)
            THEN [v EXCEPT !.attempts = v.attempts + 1,
                           !.session = [id |-> <<e.term, k>>, right |-> c.right]]
            \* Out of attempts: the record is destroyed.
            ELSE [v EXCEPT !.active = 0, !.session = NoSession]
      \* KE3 is checked against the session of the last counted guess only, so a
      \* replayed Recover finds no session and changes nothing.
      [] c.op = "Recover" ->
            IF v.active # 0 /\ v.session.id = c.guess /\ v.session.right
            THEN [v EXCEPT !.attempts = 0, !.epoch = v.epoch + 1, !.session = NoSession]
            ELSE v

Apply(vault, k, e) == [vault EXCEPT ![e.cmd.user] = ApplyUser(@, k, e)]

\* The vault after applying entries 1..n of xlog.
RECURSIVE VaultAfter(_, _)
VaultAfter(xlog, n) == IF n = 0 THEN VaultInit
                       ELSE Apply(VaultAfter(xlog, n - 1), n, xlog[n])

\* The password-dependent response (KE2) that the entry at k releases, if any,
\* labelled with the registration and recovery epoch it was counted against.
KE2Of(xlog, k) ==
    LET e == xlog[k]
        v == VaultAfter(xlog, k - 1)[e.cmd.user]
    IN IF e.cmd.op = "Guess" /\ GuessCounts(v)
       THEN {[user |-> e.cmd.user, reg |-> v.active, epoch |-> v.epoch,
              id |-> <<e.term, k>>, right |-> e.cmd.right]}
       ELSE {}

\* The registration acknowledgement that the entry at k releases, if any.
AckOf(xlog, k) ==
    LET e == xlog[k]
        v == VaultAfter(xlog, k - 1)[e.cmd.user]
    IN IF e.cmd.op = "Expose" /\ v.pending = e.cmd.reg /\ e.cmd.reg # 0
       THEN {[user |-> e.cmd.user, reg |-> e.cmd.reg]}
       ELSE {}

-----------------------------------------------------------------------------
(* Messages *)

RequestVoteMsg(i, term) == [mtype |-> "RequestVote", mterm |-> term, msource |-> i,
                            mlastLogTerm |-> LastTerm(log[i]), mlastLogIndex |-> Len(log[i])]

\* A message that can still change its receiver.  Terms live in NVRAM and never
\* go back, roles leave "Candidate" only for a later term, and destroyed HSMs
\* never act, so any other message is dead for good.
Deliverable(m) ==
    IF m.mtype = "RequestVote"
    THEN \E i \in Live \ {m.msource} : m.mterm >= currentTerm[i]
    ELSE /\ m.mdest \in Live
         /\ m.mterm >= currentTerm[m.mdest]
         /\ m.mtype = "Vote" => role[m.mdest] = "Candidate" /\ m.mterm = currentTerm[m.mdest]

\* The network after a step that sends the messages in new.  The network is
\* every message ever sent, so any message may be delivered late, twice, or
\* never; dead messages are dropped from it, which changes no behaviour (the
\* network may drop anything) and keeps equal states equal, so that TLC's
\* symmetry reduction stays exact.  It is the last conjunct of every action
\* that sends or changes a term, a role or the set of live HSMs, since it
\* reads their new values.
Net(new) == msgs' = {m \in msgs \cup new : Deliverable(m)'}

-----------------------------------------------------------------------------
(* Initial state *)

Init ==
    /\ currentTerm = [s \in Server |-> 0]
    /\ votedFor = [s \in Server |-> Nil]
    /\ nvHead = [s \in Server |-> <<0, 0>>]
    /\ log = [s \in Server |-> <<>>]
    /\ role = [s \in Server |-> "Follower"]
    /\ votesGranted = [s \in Server |-> {}]
    /\ nextIndex = [s \in Server |-> [t \in Server |-> 1]]
    /\ matchIndex = [s \in Server |-> [t \in Server |-> 0]]
    /\ commitIndex = [s \in Server |-> 0]
    /\ msgs = {}
    /\ sites \in IF BugPlacementMajorityInOneDc THEN Placements
                 ELSE {P \in Placements : PlacementValid(P)}
    /\ destroyed = {}
    /\ rolledBack = {}
    /\ committed = {}
    /\ released = {}
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
    /\ role[i] \in {"Follower", "Candidate"}
    /\ currentTerm[i] < MaxTerm
    /\ ~Abstains(i)
    /\ ~(ElectionsRunAlone /\ ~ElectionAlone(i))
    /\ currentTerm' = [currentTerm EXCEPT ![i] = @ + 1]
    /\ votedFor' = [votedFor EXCEPT ![i] = i]
    /\ role' = [role EXCEPT ![i] = "Candidate"]
    /\ votesGranted' = [votesGranted EXCEPT ![i] = {i}]
    /\ UNCHANGED <<nvHead, log, nextIndex, matchIndex, commitIndex,
                   sites, destroyed, rolledBack, historyVars>>
    /\ Net({RequestVoteMsg(i, currentTerm[i] + 1)})

\* Server i receives a vote request.  A higher term is adopted first (NVRAM).
\* The vote is granted if i has not voted for another HSM in this term, the
\* candidate's log is at least as up-to-date, and i does not abstain.  Only
\* grants are answered: a refusal would change nothing the network cannot
\* already do by dropping the request.
HandleRequestVote(i, m) ==
    LET newer  == m.mterm > currentTerm[i]
        voted  == IF newer THEN Nil ELSE votedFor[i]
        logOk  == UpToDate(<<m.mlastLogTerm, m.mlastLogIndex>>, LogHead(log[i]))
        grant  == voted \in {Nil, m.msource} /\ logOk /\ ~Abstains(i)
        reply  == [mtype |-> "Vote", mterm |-> m.mterm, msource |-> i, mdest |-> m.msource]
    IN
    /\ m.mtype = "RequestVote"
    /\ i \in Live /\ i # m.msource
    /\ m.mterm >= currentTerm[i]
    \* Skip a request that changes nothing: no new term, and no vote to give
    \* that is not already given.
    /\ ~(~newer /\ (~grant \/ (votedFor[i] = m.msource /\ reply \in msgs)))
    /\ currentTerm' = [currentTerm EXCEPT ![i] = m.mterm]
    /\ votedFor' = [votedFor EXCEPT ![i] = IF grant THEN m.msource ELSE voted]
    /\ role' = [role EXCEPT ![i] = IF newer THEN "Follower" ELSE @]
    /\ UNCHANGED <<nvHead, log, votesGranted, nextIndex, matchIndex, commitIndex,
                   sites, destroyed, rolledBack, historyVars>>
    /\ Net(IF grant THEN {reply} ELSE {})

\* Candidate i receives a vote for its current term; with a quorum of votes
\* it becomes leader and starts replicating from the end of its log.
HandleVote(i, m) ==
    LET votes == votesGranted[i] \cup {m.msource} IN
    /\ m.mtype = "Vote" /\ m.mdest = i
    /\ i \in Live
    /\ role[i] = "Candidate" /\ m.mterm = currentTerm[i]
    /\ m.msource \notin votesGranted[i]
    /\ votesGranted' = [votesGranted EXCEPT ![i] = votes]
    /\ IF IsQuorum(votes)
       THEN /\ role' = [role EXCEPT ![i] = "Leader"]
            /\ nextIndex' = [nextIndex EXCEPT ![i] = [t \in Server |-> Len(log[i]) + 1]]
            /\ matchIndex' = [matchIndex EXCEPT ![i] = [t \in Server |-> 0]]
       ELSE UNCHANGED <<role, nextIndex, matchIndex>>
    /\ UNCHANGED <<nvramVars, log, commitIndex, sites, destroyed, rolledBack, historyVars>>
    /\ Net({})

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
    LET out == {m \in {AppendEntriesMsg(i, j) : j \in Live \ {i}} : Deliverable(m)} IN
    /\ i \in Live
    /\ role[i] = "Leader"
    /\ ~(out \subseteq msgs)
    /\ msgs' = msgs \cup out
    /\ UNCHANGED <<nvramVars, log, volatileVars, sites, destroyed, rolledBack,
                   historyVars>>

\* The log after follower i accepts m (prefix already checked).  An entry that
\* is already present is kept; a conflicting suffix is replaced.
AcceptedLog(i, m) ==
    LET idx == m.mprevLogIndex + 1 IN
    \* The bug ignores the position too: entries go after the last one (within
    \* the model's log bound).
    IF BugNoLogConsistencyCheck
    THEN IF Len(log[i]) + Len(m.mentries) <= MaxLogLen THEN log[i] \o m.mentries ELSE log[i]
    ELSE IF m.mentries = <<>> THEN log[i]
    ELSE IF Len(log[i]) >= idx /\ log[i][idx].term = m.mentries[1].term THEN log[i]
    ELSE SubSeq(log[i], 1, m.mprevLogIndex) \o m.mentries

\* Server i receives entries from the leader of a term at least its own.  It
\* adopts the term, follows, checks that its log matches at prevLogIndex,
\* stores the entries, advances its commit index and acknowledges.  A failed
\* check answers with the index the leader should try next.
HandleAppendEntries(i, m) ==
    LET prev  == m.mprevLogIndex
        logOk == \/ BugNoLogConsistencyCheck
                 \/ prev = 0
                 \/ prev <= Len(log[i]) /\ log[i][prev].term = m.mprevLogTerm
        newLog == AcceptedLog(i, m)
        match  == prev + Len(m.mentries)
        \* Only the prefix this message matched is known to equal the leader's.
        commit == Min(m.mcommitIndex, match)
        hint   == IF Len(log[i]) < prev THEN Len(log[i]) + 1 ELSE prev
        reply  == [mtype |-> "AppendAck", mterm |-> m.mterm, msource |-> i, mdest |-> m.msource,
                   msuccess |-> logOk, mmatchIndex |-> IF logOk THEN match ELSE hint]
    IN
    /\ m.mtype = "AppendEntries" /\ m.mdest = i
    /\ i \in Live
    /\ m.mterm >= currentTerm[i]
    \* Skip a message already handled in this state: it would change nothing.
    /\ ~(/\ m.mterm = currentTerm[i] /\ role[i] = "Follower" /\ reply \in msgs
         /\ (~logOk \/ (newLog = log[i] /\ commit <= commitIndex[i])))
    /\ currentTerm' = [currentTerm EXCEPT ![i] = m.mterm]
    /\ votedFor' = [votedFor EXCEPT ![i] = IF m.mterm > currentTerm[i] THEN Nil ELSE @]
    /\ role' = [role EXCEPT ![i] = "Follower"]
    /\ IF logOk
       THEN /\ WriteLog(i, newLog)
            /\ commitIndex' = [commitIndex EXCEPT ![i] = IF commit > @ THEN commit ELSE @]
       ELSE UNCHANGED <<log, nvHead, commitIndex>>
    /\ UNCHANGED <<votesGranted, nextIndex, matchIndex, sites, destroyed, rolledBack,
                   historyVars>>
    /\ Net({reply})

\* The HSMs whose acknowledgements (matchRow) show they hold entry k of leader
\* i's log.
Agree(i, matchRow, k) == {i} \cup {j \in Server : matchRow[j] >= k}

\* Leader i commits the longest prefix of its log xlog whose last entry is from
\* its own term and is held by a quorum.  The bug ignores acknowledgements.
CommitTarget(i, xlog, matchRow) ==
    LET ok == {k \in 1..Len(xlog) :
                 /\ xlog[k].term = currentTerm[i]
                 /\ BugCommitWithoutMajority \/ IsQuorum(Agree(i, matchRow, k))}
    IN Max(ok \cup {commitIndex[i]})

\* Leader i, with log xlog, advances its commit index given acknowledgements
\* matchRow and releases the responses of newly committed entries it appended
\* itself: KE2 for counted guesses, acknowledgements for exposed
\* registrations.  First commits enter the history with the commit term and
\* the HSMs counted toward them.
AdvanceCommitIndex(i, xlog, matchRow) ==
    LET new   == CommitTarget(i, xlog, matchRow)
        fresh == {k \in (commitIndex[i] + 1)..new :
                    ~\E c \in committed : c.idx = k /\ c.entry = xlog[k]}
        own   == {k \in (commitIndex[i] + 1)..new : xlog[k].term = currentTerm[i]}
    IN
    /\ commitIndex' = [commitIndex EXCEPT ![i] = new]
    /\ committed' = committed \cup
          {[idx |-> k, entry |-> xlog[k], term |-> currentTerm[i],
            quorum |-> Agree(i, matchRow, k)] : k \in fresh}
    /\ released' = released \cup UNION {KE2Of(xlog, k) : k \in own}
    /\ acked' = acked \cup UNION {AckOf(xlog, k) : k \in own}

\* Leader i receives an acknowledgement from its current term and advances its
\* commit index.  Acks of the current term are truthful and entries of the
\* current term are never removed from a follower during that term, so
\* matchIndex only grows.  A failed check moves nextIndex back to the hint.
HandleAppendAck(i, m) ==
    LET j        == m.msource
        matchRow == [matchIndex[i] EXCEPT ![j] = IF m.mmatchIndex > @ THEN m.mmatchIndex ELSE @]
        hinted   == Min(m.mmatchIndex, nextIndex[i][j])
        back     == IF hinted > matchIndex[i][j] THEN hinted ELSE matchIndex[i][j] + 1
    IN
    /\ m.mtype = "AppendAck" /\ m.mdest = i
    /\ i \in Live
    /\ role[i] = "Leader" /\ m.mterm = currentTerm[i]
    /\ IF m.msuccess
       THEN /\ ~(m.mmatchIndex <= matchIndex[i][j] /\ m.mmatchIndex + 1 <= nextIndex[i][j])
            /\ matchIndex' = [matchIndex EXCEPT ![i] = matchRow]
            /\ nextIndex' = [nextIndex EXCEPT ![i][j] = IF m.mmatchIndex + 1 > @ THEN m.mmatchIndex + 1 ELSE @]
            /\ AdvanceCommitIndex(i, log[i], matchRow)
       ELSE /\ back < nextIndex[i][j]
            /\ nextIndex' = [nextIndex EXCEPT ![i][j] = back]
            /\ UNCHANGED <<matchIndex, commitIndex, historyVars>>
    /\ UNCHANGED <<nvramVars, log, role, votesGranted, envVars>>

\* A higher term in an acknowledgement makes a leader step down.  (Votes never
\* carry a term above their candidate's: terms live in NVRAM.)
HandleStaleTerm(i, m) ==
    /\ m.mtype = "AppendAck" /\ m.mdest = i
    /\ i \in Live
    /\ m.mterm > currentTerm[i]
    /\ currentTerm' = [currentTerm EXCEPT ![i] = m.mterm]
    /\ votedFor' = [votedFor EXCEPT ![i] = Nil]
    /\ role' = [role EXCEPT ![i] = "Follower"]
    /\ UNCHANGED <<nvHead, log, votesGranted, nextIndex, matchIndex, commitIndex,
                   sites, destroyed, rolledBack, historyVars>>
    /\ Net({})

-----------------------------------------------------------------------------
(* Client requests, received by the leader and appended to its log *)

ClientRequest(i, cmd) ==
    LET newLog == Append(log[i], [term |-> currentTerm[i], cmd |-> cmd]) IN
    /\ cmd.op \in ClientOps
    /\ i \in Live
    /\ role[i] = "Leader"
    /\ Len(log[i]) < MaxLogLen
    /\ WriteLog(i, newLog)
    \* Correct leaders commit only on acknowledgements (HandleAppendAck).  The
    \* first bug commits on append; the second releases KE2 on append.
    /\ IF BugCommitWithoutMajority
       THEN AdvanceCommitIndex(i, newLog, matchIndex[i])
       ELSE IF BugReleaseBeforeCommit
       THEN /\ released' = released \cup KE2Of(newLog, Len(newLog))
            /\ UNCHANGED <<commitIndex, committed, acked>>
       ELSE UNCHANGED <<commitIndex, historyVars>>
    /\ UNCHANGED <<currentTerm, votedFor, role, votesGranted, nextIndex, matchIndex, envVars>>

\* Registration, phase 1: store the new record (not yet answerable).
ClientRegisterStore(i, u) == ClientRequest(i, StoreCmd(u))

\* Registration, phase 2: once the store is committed, expose the stored record.
ClientRegisterExpose(i, u) ==
    LET r == VaultAfter(log[i], commitIndex[i])[u].pending IN
    /\ r # 0
    /\ ClientRequest(i, ExposeCmd(u, r))

\* Whether guesses use the right password.  Only Recover tells them apart, so
\* models without Recover need only wrong guesses (the attacker's).
GuessKinds == IF "Recover" \in ClientOps THEN BOOLEAN ELSE {FALSE}

\* A login attempt (OPAQUE KE1) with a right or wrong password; it is counted
\* when the entry is applied, and KE2 is released once the entry is committed.
ClientGuess(i, u, right) ==
    /\ VaultAfter(log[i], Len(log[i]))[u].active # 0
    /\ ClientRequest(i, GuessCmd(u, right))

\* The client that got KE2 for a right guess finishes with KE3.  Any released
\* right guess may be sent again later: replays are part of the attack.
ClientRecover(i, u) ==
    \E x \in released :
        /\ x.user = u /\ x.right
        /\ ClientRequest(i, RecoverCmd(u, x.id))

-----------------------------------------------------------------------------
(* The host: crashes, rollbacks, datacenter loss *)

\* Every volatile variable of i back to its initial value.
ResetVolatile(i) ==
    /\ role' = [role EXCEPT ![i] = "Follower"]
    /\ votesGranted' = [votesGranted EXCEPT ![i] = {}]
    /\ nextIndex' = [nextIndex EXCEPT ![i] = [t \in Server |-> 1]]
    /\ matchIndex' = [matchIndex EXCEPT ![i] = [t \in Server |-> 0]]
    /\ commitIndex' = [commitIndex EXCEPT ![i] = 0]

\* The host crashes and restarts HSM i: volatile state is lost, NVRAM and the
\* sealed log survive.  (A restart that would lose nothing is skipped.)
Restart(i) ==
    /\ i \in Live
    /\ HostRestarts
    /\ ~(role[i] = "Follower" /\ commitIndex[i] = 0 /\ votesGranted[i] = {}
         /\ (BugVoteNotInNvram => votedFor[i] = Nil))
    /\ ResetVolatile(i)
    /\ votedFor' = IF BugVoteNotInNvram THEN [votedFor EXCEPT ![i] = Nil] ELSE votedFor
    /\ UNCHANGED <<currentTerm, nvHead, log, sites, destroyed, rolledBack, historyVars>>
    /\ Net({})

\* Fault budget: HSMs ever rolled back or destroyed stay a minority.
WithinBudget(lost) == ~IsMajority(lost)

\* The host crashes HSM i and restarts it with an older version of its sealed
\* log (a strict prefix).  NVRAM is untouched; the HSM compares on restart.
HostRollback(i) ==
    /\ i \in Live
    /\ Cardinality(rolledBack \cup {i}) <= MaxRollbacks
    /\ WithinBudget(destroyed \cup rolledBack \cup {i})
    /\ \E k \in 0..(Len(log[i]) - 1) :
           log' = [log EXCEPT ![i] = SubSeq(log[i], 1, k)]
    /\ rolledBack' = rolledBack \cup {i}
    /\ ResetVolatile(i)
    /\ votedFor' = IF BugVoteNotInNvram THEN [votedFor EXCEPT ![i] = Nil] ELSE votedFor
    /\ UNCHANGED <<currentTerm, nvHead, sites, destroyed, historyVars>>
    /\ Net({})

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
    /\ log' = [s \in Server |-> IF s \in dc THEN <<>> ELSE log[s]]
    /\ role' = [s \in Server |-> IF s \in dc THEN "Follower" ELSE role[s]]
    /\ votesGranted' = [s \in Server |-> IF s \in dc THEN {} ELSE votesGranted[s]]
    /\ nextIndex' = [s \in Server |-> IF s \in dc THEN [t \in Server |-> 1] ELSE nextIndex[s]]
    /\ matchIndex' = [s \in Server |-> IF s \in dc THEN [t \in Server |-> 0] ELSE matchIndex[s]]
    /\ commitIndex' = [s \in Server |-> IF s \in dc THEN 0 ELSE commitIndex[s]]
    /\ UNCHANGED <<sites, rolledBack, historyVars>>
    /\ Net({})

-----------------------------------------------------------------------------
(* The specification *)

\* The network delivers some message to HSM i.  (TLC names a step after the
\* operator it took only when the quantifier ranges over a constant set, hence
\* these wrappers around the quantifier over msgs.)
ReceiveRequestVote(i) == \E m \in msgs : HandleRequestVote(i, m)
ReceiveVote(i)        == \E m \in msgs : HandleVote(i, m)
ReceiveAppendEntries(i) == \E m \in msgs : HandleAppendEntries(i, m)
ReceiveAppendAck(i)   == \E m \in msgs : HandleAppendAck(i, m) \/ HandleStaleTerm(i, m)

\* Every step names its action, so that TLC's traces read as the spec does.
Next ==
    \/ \E i \in Server : Timeout(i)
    \/ \E i \in Server : ReceiveRequestVote(i)
    \/ \E i \in Server : ReceiveVote(i)
    \/ \E i \in Server : SendAppendEntries(i)
    \/ \E i \in Server : ReceiveAppendEntries(i)
    \/ \E i \in Server : ReceiveAppendAck(i)
    \/ \E i \in Server, u \in User : ClientRegisterStore(i, u)
    \/ \E i \in Server, u \in User : ClientRegisterExpose(i, u)
    \/ \E i \in Server, u \in User, ok \in GuessKinds : ClientGuess(i, u, ok)
    \/ \E i \in Server, u \in User : ClientRecover(i, u)
    \/ \E i \in Server : Restart(i)
    \/ \E i \in Server : HostRollback(i)
    \/ \E dc \in sites : LoseDatacenter(dc)

Spec == Init /\ [][Next]_vars

-----------------------------------------------------------------------------
(* Invariants *)

TypeOK ==
    /\ currentTerm \in [Server -> 0..MaxTerm]
    /\ votedFor \in [Server -> Server \cup {Nil}]
    /\ role \in [Server -> {"Follower", "Candidate", "Leader"}]
    /\ \A s \in Server : Len(log[s]) <= MaxLogLen
    /\ commitIndex \in [Server -> 0..MaxLogLen]
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

\* G1: per registration, KE2 responses released between successful recoveries
\* never exceed MaxAttempts (each response is one committed, counted guess).
GuessLimit ==
    \A x \in released :
        Cardinality({y \in released : y.user = x.user /\ y.reg = x.reg /\ y.epoch = x.epoch})
            <= MaxAttempts

\* G2: an acknowledged registration is still held by a surviving HSM (and so,
\* by LeaderCompleteness, by every future leader), while the host's faults
\* stay within the budget and the placement keeps each datacenter a minority.
Durability ==
    \A a \in acked : \E s \in Live : \E k \in 1..Len(log[s]) :
        log[s][k].cmd = ExposeCmd(a.user, a.reg)

\* Rollback: an HSM whose acknowledgement was counted toward committing an
\* entry still holds that entry, unless it abstains from elections (it was
\* rolled back and has not caught up).  This is what keeps a committed entry
\* on a quorum of voters when the host rolls back sealed logs.
RollbackSafety ==
    \A c \in committed : \A s \in c.quorum \cap Live :
        Abstains(s) \/ (c.idx <= Len(log[s]) /\ log[s][c.idx] = c.entry)

-----------------------------------------------------------------------------
(* Liveness (G9) *)

\* Fairness: every live HSM keeps taking each of its steps, and every message
\* kept in the network is eventually handled (the majority that stays up is
\* connected).  The client keeps asking the leader until answered.
Fairness ==
    /\ \A i \in Server :
          /\ WF_vars(Timeout(i))
          /\ WF_vars(\E u \in User : \E ok \in GuessKinds : ClientGuess(i, u, ok))
          /\ WF_vars(SendAppendEntries(i))
          /\ WF_vars(ReceiveRequestVote(i))
          /\ WF_vars(ReceiveVote(i))
          /\ WF_vars(ReceiveAppendEntries(i))
          /\ WF_vars(ReceiveAppendAck(i))

LiveSpec == Spec /\ Fairness

\* G9: a user's pending guess is eventually answered with KE2.
GuessAnswered == \A u \in User : <>(\E x \in released : x.user = u)

=============================================================================
