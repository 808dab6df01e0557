------------------------- MODULE BundleVerification -------------------------
(***************************************************************************)
(* Fleet trust through OTA validation bundles (DESIGN.md G5, G6).          *)
(*                                                                         *)
(* The operator deploys one fleet per epoch and publishes a validation     *)
(* bundle for it.  The witness appends the bundle to its append-only log   *)
(* and signs it; the operator's HSM countersigns the witness signature.    *)
(* A client accepts a bundle only through BundleAcceptance!ClientAccepts:  *)
(* both signatures, a checkpoint signed by the witness log key and         *)
(* cosigned by k independent cosigners, inclusion of the bundle in that    *)
(* checkpoint, consistency with the checkpoint it stored, no downgrade.    *)
(* Parties compare checkpoints when they meet; the auditor compares them   *)
(* with the published log.                                                 *)
(*                                                                         *)
(* The adversary runs the network: it chooses what every client receives. *)
(* Depending on the scenario it also holds the operator key, the witness   *)
(* key (bundle and checkpoint signatures), or both.  A key held from the   *)
(* start is at least as strong as one stolen later, since honest parties   *)
(* behave the same either way.  Signatures are modelled by who can make    *)
(* them, so a stolen key signs anything, at once.                          *)
(*                                                                         *)
(* Abstractions: a checkpoint is the sequence of entries it commits to     *)
(* (its root hash stands for the whole prefix: collision resistance), so   *)
(* "consistent" is the prefix relation and "included" is membership.  A   *)
(* bundle is its fleet owner and epoch; its validity window follows from  *)
(* its epoch (NotBefore, NotAfter).  The clients' clock is one counter,    *)
(* now, that Tick advances up to MaxTime, so a window can open and close   *)
(* during a behaviour; a client checks the window when it receives.        *)
(* Pinned clients trust compiled-in keys and take no part in this         *)
(* protocol.                                                               *)
(***************************************************************************)
EXTENDS Naturals, Sequences, FiniteSets, TLC, BundleAcceptance

CONSTANTS
    Clients,             \* phones in OTA mode (model values)
    Cosigners,           \* independent cosigning witnesses (model values, may be {})
    CosignQuorum,        \* k: cosignatures a client requires on a checkpoint
    Auditor,             \* model value: the auditor, as a party that meets others
    OperatorEpochs,      \* the operator deploys one fleet per epoch 1..OperatorEpochs
    RogueEpochs,         \* epochs at which the adversary has its own fleet's bundle
    MaxLogLen,           \* bound on the length of every log view (model size)
    CompromiseScenarios, \* keys the adversary may hold: subset of Scenarios
    MaxTime,             \* the clock runs 0..MaxTime (0: time stands still)
    EpochPeriod,         \* epoch e's bundles become valid at e * EpochPeriod
    BundleLifetime,      \* ... and stay valid this many ticks (notAfter - notBefore)
    \* Deliberate bugs, one per negative model; all FALSE in the real protocol.
    BugSkipCountersignature, \* client ignores the operator countersignature
    BugSkipConsistency,      \* client stores any checkpoint, consistent or not
    BugSkipEpochCheck,       \* client accepts any epoch
    BugTrustUnlogged,        \* client accepts without an inclusion proof
    BugCountersignUnlogged,  \* operator countersigns before the bundle is in the log
    BugCompareRootsOnly,     \* checkpoints of different sizes compared by root only
    BugExpiryOffByOne        \* client takes notAfter as inclusive: accepts at now = notAfter

Scenarios == {"none", "operator", "witness", "both"}
Holders == Clients \cup Cosigners      \* parties that store a checkpoint
Parties == Holders \cup {Auditor}

ASSUME /\ CompromiseScenarios \subseteq Scenarios /\ CompromiseScenarios /= {}
       /\ CosignQuorum \in Nat /\ OperatorEpochs \in Nat \ {0} /\ MaxLogLen \in Nat
       /\ RogueEpochs \subseteq Nat \ {0}
       /\ MaxTime \in Nat /\ EpochPeriod \in Nat
       \* notAfter > notBefore, as dev.bkv.bundle.ValidationBundle requires
       /\ BundleLifetime \in Nat \ {0}
       /\ Auditor \notin Holders /\ Clients \cap Cosigners = {}
       /\ \A flag \in {BugSkipCountersignature, BugSkipConsistency, BugSkipEpochCheck,
                       BugTrustUnlogged, BugCountersignUnlogged, BugCompareRootsOnly,
                       BugExpiryOffByOne} :
              flag \in BOOLEAN

VARIABLES
    scenario,      \* which keys the adversary holds; chosen once, at Init
    issued,        \* epochs the honest operator has approved so far: 1..issued
    countersigned, \* bundles the operator's HSM has countersigned
    wlog,          \* the witness's published log: what the auditor and operator read
    view,          \* view[p]: checkpoint stored by client p, or last cosigned by cosigner p
    fleet,         \* fleet[c]: the bundle client c trusts now (NoBundle before any)
    acceptedAt,    \* acceptedAt[c]: every <<b, t>> such that client c accepted
                   \* bundle b when the clock read t (history)
    now,           \* the clients' clock
    compared,      \* {p, q}: the two parties that compared checkpoints in the
                   \* last step; {} after any other step
    alarm          \* some party holds two signed checkpoints that cannot both be true

vars == <<scenario, issued, countersigned, wlog, view, fleet, acceptedAt, now, compared, alarm>>

-----------------------------------------------------------------------------
(* Bundles, views and signatures *)

OperatorBundle(e) == [fleet |-> "operator", epoch |-> e]
RogueBundles == {[fleet |-> "rogue", epoch |-> e] : e \in RogueEpochs}
Bundles == {OperatorBundle(e) : e \in 1..OperatorEpochs} \cup RogueBundles
NoBundle == [fleet |-> "none", epoch |-> 0]
Approved == {OperatorBundle(e) : e \in 1..issued}

(* The validity window [notBefore, notAfter) of every bundle of epoch e,    *)
(* the operator's and the adversary's alike (a thief of the operator key    *)
(* could sign another window; that only widens acceptance in time, which    *)
(* the time-free models already allow).  notAfter is exclusive, as in       *)
(* dev.bkv.bundle.ValidationBundle.validAt and BundleVerifier.              *)
NotBefore(b) == b.epoch * EpochPeriod
NotAfter(b) == NotBefore(b) + BundleLifetime
(* Written out here rather than taken from BundleAcceptance, so that the    *)
(* invariant below checks the window convention independently.             *)
InWindowAt(b, t) == NotBefore(b) <= t /\ t < NotAfter(b)

(* The bundles client c has ever accepted. *)
Accepted(c) == {a[1] : a \in acceptedAt[c]}

(* Bundles the adversary can present: published ones and its own.  It      *)
(* cannot know an operator fleet before the operator has made it.           *)
Known == Approved \cup RogueBundles

Range(s) == {s[i] : i \in DOMAIN s}
IsPrefix(s, t) == Len(s) <= Len(t) /\ SubSeq(t, 1, Len(s)) = s
Compatible(s, t) == IsPrefix(s, t) \/ IsPrefix(t, s)

(* Every log view of distinct entries the model allows. *)
Views == UNION { {s \in [1..n -> Bundles] : Cardinality(Range(s)) = n} : n \in 0..MaxLogLen }

OperatorKeyLost == scenario \in {"operator", "both"}
WitnessKeyLost == scenario \in {"witness", "both"}
BothKeysLost == scenario = "both"

(* The honest witness signs a bundle when it logs it; a thief signs any. *)
WitnessSigned(b) == b \in Range(wlog) \/ WitnessKeyLost
OperatorSigned(b) == b \in countersigned \/ OperatorKeyLost
(* Checkpoints the witness log key has signed, or a thief could sign. *)
SignedViews == IF WitnessKeyLost THEN {v \in Views : Range(v) \subseteq Known}
               ELSE {SubSeq(wlog, 1, n) : n \in 0..Len(wlog)}
(* Honest cosigners that cosigned v (or a checkpoint of which v is a prefix: *)
(* counting those too only strengthens the adversary).                       *)
CosignersOf(v) == {w \in Cosigners : IsPrefix(v, view[w])}

(* What client c establishes about bundle b presented with checkpoint v.     *)
(* A bug switch makes the client behave as if that check had passed (the     *)
(* expiry bug: as if the window lasted one tick longer).                    *)
Facts(c, b, v) ==
    [ mode               |-> "ota",
      pinnedFleet        |-> "none",
      fleet              |-> b.fleet,
      epoch              |-> b.epoch,
      wellFormed         |-> TRUE,   \* altered bytes are rejected: no state change
      digestOk           |-> TRUE,
      witnessSigOk       |-> WitnessSigned(b),
      countersigOk       |-> BugSkipCountersignature \/ OperatorSigned(b),
      checkpointSigOk    |-> TRUE,   \* v ranges over SignedViews only
      cosignatures       |-> Cardinality(CosignersOf(v)),
      cosignQuorum       |-> CosignQuorum,
      inclusionProofOk   |-> BugTrustUnlogged \/ b \in Range(v),
      storedSize         |-> IF BugSkipConsistency THEN 0 ELSE Len(view[c]),
      checkpointSize     |-> Len(v),
      consistencyProofOk |-> IsPrefix(view[c], v),
      lastEpoch          |-> IF BugSkipEpochCheck THEN 0 ELSE fleet[c].epoch,
      now                |-> now,
      notBefore          |-> NotBefore(b),
      notAfter           |-> IF BugExpiryOffByOne THEN NotAfter(b) + 1 ELSE NotAfter(b) ]

(* How two parties compare checkpoints: the smaller must be a prefix of the *)
(* larger (a consistency proof).  The bug compares roots regardless of size. *)
Agreeing(s, t) == IF BugCompareRootsOnly THEN s = t ELSE Compatible(s, t)

(* How the auditor checks a checkpoint against the published log it reads.  *)
BackedByLog(s) == IF BugCompareRootsOnly THEN s = wlog ELSE IsPrefix(s, wlog)

-----------------------------------------------------------------------------
(* Actions *)

Init ==
    /\ scenario \in CompromiseScenarios
    /\ issued = 0
    /\ countersigned = {}
    /\ wlog = << >>
    /\ view = [p \in Holders |-> << >>]
    /\ fleet = [c \in Clients |-> NoBundle]
    /\ acceptedAt = [c \in Clients |-> {}]
    /\ now = 0
    /\ compared = {}
    /\ alarm = FALSE

(* The operator approves the fleet of its next epoch (key ceremony done,    *)
(* evidence published) and writes its bundle.                               *)
OperatorApprove ==
    /\ issued < OperatorEpochs
    /\ issued' = issued + 1
    /\ compared' = {}
    /\ UNCHANGED <<scenario, countersigned, wlog, view, fleet, acceptedAt, now, alarm>>

(* Anyone may submit a bundle it holds; the witness appends it to its log   *)
(* and signs it (the signature is WitnessSigned).  The witness does not     *)
(* judge fleets: that is the countersignature's job.                        *)
WitnessLog(b) ==
    /\ b \in Known
    /\ b \notin Range(wlog)
    /\ Len(wlog) < MaxLogLen
    /\ wlog' = Append(wlog, b)
    /\ compared' = {}
    /\ UNCHANGED <<scenario, issued, countersigned, view, fleet, acceptedAt, now, alarm>>

(* The operator's HSM countersigns the witness signature of a bundle it     *)
(* approved, once the bundle is in the witness's published log.             *)
OperatorCountersign(b) ==
    /\ b \in Approved \ countersigned
    /\ IF BugCountersignUnlogged THEN WitnessSigned(b) ELSE b \in Range(wlog)
    /\ countersigned' = countersigned \cup {b}
    /\ compared' = {}
    /\ UNCHANGED <<scenario, issued, wlog, view, fleet, acceptedAt, now, alarm>>

(* The network hands client c bundle b with checkpoint v; c accepts it,     *)
(* trusts its fleet and stores v.  It checks the window against the clock   *)
(* as it reads now, in this step.                                           *)
ClientReceive(c, b, v) ==
    /\ b \in Known
    /\ v \in SignedViews
    /\ <<b, v>> /= <<fleet[c], view[c]>>
    /\ ClientAccepts(Facts(c, b, v))
    /\ fleet' = [fleet EXCEPT ![c] = b]
    /\ view' = [view EXCEPT ![c] = v]
    /\ acceptedAt' = [acceptedAt EXCEPT ![c] = @ \cup {<<b, now>>}]
    /\ compared' = {}
    /\ UNCHANGED <<scenario, issued, countersigned, wlog, now, alarm>>

(* Cosigner w is offered checkpoint v (by the log, or by the adversary).    *)
(* It cosigns only a checkpoint that extends the one it cosigned before;    *)
(* an older one it ignores; one that conflicts it reports.                  *)
CosignerCosign(w, v) ==
    /\ v \in SignedViews
    /\ \/ /\ IsPrefix(view[w], v) /\ v /= view[w]
          /\ view' = [view EXCEPT ![w] = v]
          /\ UNCHANGED alarm
       \/ /\ ~Compatible(view[w], v) /\ ~alarm
          /\ alarm' = TRUE
          /\ UNCHANGED view
    /\ compared' = {}
    /\ UNCHANGED <<scenario, issued, countersigned, wlog, fleet, acceptedAt, now>>

(* Two parties that store checkpoints compare them (gossip). *)
Gossip(p, q) ==
    /\ p /= q
    /\ compared' = {p, q}
    /\ alarm' = (alarm \/ ~Agreeing(view[p], view[q]))
    /\ UNCHANGED <<scenario, issued, countersigned, wlog, view, fleet, acceptedAt, now>>

(* The auditor checks a party's checkpoint against the published log it     *)
(* reads: the checkpoint must commit to a prefix of that log.  A signed      *)
(* checkpoint the published log does not back is proof of a split view.     *)
AuditorCheck(p) ==
    /\ compared' = {p, Auditor}
    /\ alarm' = (alarm \/ ~BackedByLog(view[p]))
    /\ UNCHANGED <<scenario, issued, countersigned, wlog, view, fleet, acceptedAt, now>>

(* The clock advances one tick.  Nothing else changes: the window is        *)
(* checked when a bundle is accepted (BundleVerifier.verifyOta); what a     *)
(* client does once the fleet it trusts expires is outside this spec.       *)
Tick ==
    /\ now < MaxTime
    /\ now' = now + 1
    /\ compared' = {}
    /\ UNCHANGED <<scenario, issued, countersigned, wlog, view, fleet, acceptedAt, alarm>>

Next ==
    \/ OperatorApprove
    \/ Tick
    \/ \E b \in Bundles : WitnessLog(b) \/ OperatorCountersign(b)
    \/ \E c \in Clients, b \in Bundles, v \in Views : ClientReceive(c, b, v)
    \/ \E w \in Cosigners, v \in Views : CosignerCosign(w, v)
    \/ \E p, q \in Holders : Gossip(p, q)
    \/ \E p \in Holders : AuditorCheck(p)

Spec == Init /\ [][Next]_vars

-----------------------------------------------------------------------------
(* Invariants *)

TypeOK ==
    /\ scenario \in Scenarios
    /\ issued \in 0..OperatorEpochs
    /\ countersigned \subseteq Approved
    /\ wlog \in Views
    /\ view \in [Holders -> Views]
    /\ fleet \in [Clients -> Bundles \cup {NoBundle}]
    /\ acceptedAt \in [Clients -> SUBSET (Bundles \X (0..MaxTime))]
    /\ now \in 0..MaxTime
    /\ compared \subseteq Parties /\ Cardinality(compared) \in {0, 2}
    /\ alarm \in BOOLEAN

(* G5, first half: a client accepts only bundles in the published log,      *)
(* unless the adversary holds both keys.                                    *)
AcceptedIsLogged ==
    BothKeysLost \/ \A c \in Clients : Accepted(c) \subseteq Range(wlog)

(* G5, second half: a client accepts only fleets the operator approved,     *)
(* unless the operator key is stolen (then the rogue fleet is in the log,   *)
(* by the first half, where the auditor finds it).                          *)
AcceptedIsApproved ==
    OperatorKeyLost \/ \A c \in Clients : Accepted(c) \subseteq Approved

FleetAuthenticity == AcceptedIsLogged /\ AcceptedIsApproved

(* G5 without its "unless both keys" clause.  MCBundleVerificationBothKeys  *)
(* checks it with both keys stolen and TLC refutes it: the clause is needed. *)
AcceptedIsLoggedEvenWithBothKeys ==
    \A c \in Clients : Accepted(c) \subseteq Range(wlog)

(* No downgrade: the fleet a client trusts is never older than one it       *)
(* trusted before.                                                          *)
NoDowngrade ==
    \A c \in Clients : \A b \in Accepted(c) : b.epoch <= fleet[c].epoch

ViewOf(p) == IF p = Auditor THEN wlog ELSE view[p]
AcceptedBy(p) == IF p \in Clients THEN Accepted(p) ELSE {}

(* G6: when two parties compare checkpoints (the auditor: against the log   *)
(* it reads), either a split view is flagged, or their views are consistent *)
(* and every bundle either of them accepted is in those views, hence        *)
(* visible to whoever reads the log they commit to.  Checked in the state   *)
(* right after the comparison; views only grow afterwards, so it lasts.     *)
SplitViewDetection ==
    \/ alarm
    \/ \A p, q \in compared :
           p /= q => /\ Compatible(ViewOf(p), ViewOf(q))
                     /\ AcceptedBy(p) \cup AcceptedBy(q)
                            \subseteq Range(ViewOf(p)) \cup Range(ViewOf(q))

(* An alarm is proof: with an honest witness it is never raised, so a party *)
(* that raises it has caught the witness key signing a fork.                *)
NoFalseAlarm == alarm => WitnessKeyLost

(* With an honest cosigner quorum whose members pairwise intersect (here:   *)
(* one cosigner, k = 1), no two clients ever hold conflicting checkpoints,  *)
(* even with both keys stolen.                                              *)
NoSplitAmongClients ==
    \A c, d \in Clients : Compatible(view[c], view[d])

(* A client accepts a bundle only inside its validity window, at the time  *)
(* it accepts: notBefore <= t < notAfter for every acceptance at clock t.   *)
AcceptedInWindow ==
    \A c \in Clients : \A a \in acceptedAt[c] : InWindowAt(a[1], a[2])

(* Reachability, checked as invariants TLC must refute: the honest path and *)
(* the alarm are not dead code.                                             *)
NoClientTrustsLatestFleet ==
    \A c \in Clients : fleet[c] /= OperatorBundle(OperatorEpochs)
NeverAlarm == ~alarm
(* Refuted when a client accepted a bundle before it expired, and now that  *)
(* the clock has passed its notAfter the client rejects that same bundle,   *)
(* offered again with its stored checkpoint, for the window alone: every    *)
(* other check passes.                                                      *)
NoClientSeesExpiry ==
    ~\E c \in Clients :
        LET b == fleet[c] IN
        /\ \E a \in acceptedAt[c] : a[1] = b /\ a[2] < NotAfter(b)
        /\ now >= NotAfter(b)
        /\ FailedChecks(Facts(c, b, view[c])) = {"validity-window"}

ClientSymmetry == Permutations(Clients)

=============================================================================
