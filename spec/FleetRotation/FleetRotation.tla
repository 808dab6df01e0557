--------------------------- MODULE FleetRotation ---------------------------
(***************************************************************************)
(* Fleet rotation (G8): users move from an OLD fleet to a NEW one, and the *)
(* move never gives an attacker more guesses.  A registration's guess      *)
(* count is carried over in the export, and the old record is retired      *)
(* (MIGRATED: it answers nothing again, its count frozen) in the same step *)
(* that creates the export, so no moment exists in which both fleets       *)
(* answer for it.  The new fleet imports a registration id once only, so a *)
(* replayed or duplicated export can never reset a count.                  *)
(*                                                                         *)
(* Abstraction: each fleet is ONE atomic vault.  Every step below is one   *)
(* command committed by that fleet's quorum and applied at once; that a    *)
(* fleet of HSMs behaves as one vault under crashes, replays, rollbacks    *)
(* and the loss of a datacenter is QuorumVault's job (G1-G3 there), and    *)
(* is not repeated here.  In particular a guess is counted before its      *)
(* answer exists (QuorumVault's GuessLimit), so counting and answering are *)
(* one step here, and MigrateOut is committed before any export exists.    *)
(*                                                                         *)
(* The adversary is the untrusted operator and its hosts.  It guesses      *)
(* passwords on whichever fleet holds a live record for a registration,    *)
(* starts a migration of any user at any time, and carries the exports     *)
(* between the fleets: every export ever emitted stays in its hands        *)
(* (`sent`), and it may deliver any of them late, twice, or never.  It     *)
(* cannot forge or alter one: the old HSM seals the export to the new      *)
(* fleet's key, taken from the new fleet's witnessed bundle (G5).          *)
(*                                                                         *)
(* Guarantee made precise here (see DESIGN.md): G8, as                     *)
(*   GuessLimitAcrossFleets (G1 over both fleets, stated over a history    *)
(*   the vaults cannot change) and NoAckedRecordLost (no acknowledged user *)
(*   is lost by a migration), plus TypeOK.                                 *)
(*                                                                         *)
(* Each element of Bugs removes one protection; the negative models set    *)
(* one of them and TLC must report the invariant named in manifest.json.   *)
(***************************************************************************)
EXTENDS Naturals, Sequences, FiniteSets, TLC

CONSTANTS
    User,           \* users (model values; symmetric)
    RegIds,         \* registration ids (model values; symmetric)
    MaxAttempts,    \* the guess limit every registration is created with
    MaxRecoveries,  \* bound: successful recoveries per registration
    Bugs,           \* the protections a negative model removes (subset of AllBugs)
    NoReg           \* the registration id of "no record"

\* Protections that negative models remove, one at a time.
AllBugs == {
    "ExportWithoutRetire",   \* MigrateOut leaves the old record live (it keeps answering)
    "ImportResetsCounter",   \* MigrateIn starts the imported record at 0 guesses used
    "ReplayedImport",        \* MigrateIn ignores the registration ids already imported
    "ExportDeletesRecord"    \* MigrateOut deletes the old record: only the export holds it
}

Bug(name) == name \in Bugs

ASSUME /\ IsFiniteSet(User) /\ User # {}
       /\ IsFiniteSet(RegIds)
       /\ MaxAttempts \in Nat \ {0}
       /\ MaxRecoveries \in Nat
       /\ Bugs \subseteq AllBugs
       /\ NoReg \notin RegIds

Fleets == {"Old", "New"}

\* A user's record on a fleet: its registration, phase, guesses used, limit.
\* "Migrated" exists only on the old fleet: exported, answers nothing again.
Phases == {"None", "Live", "Migrated"}
Record == [reg : RegIds \cup {NoReg}, phase : Phases, used : 0..MaxAttempts, max : 0..MaxAttempts]
NoRecord == [reg |-> NoReg, phase |-> "None", used |-> 0, max |-> 0]

\* An export: what the new fleet needs to answer for the registration exactly
\* as the old one did (the OPAQUE record and backup key are left out: they
\* change no count).  Sealed by the old HSM: the host can only carry it.
Export(u, v) == [user |-> u, reg |-> v.reg, used |-> v.used, max |-> v.max]
Exports == [user : User, reg : RegIds, used : 0..MaxAttempts, max : 1..MaxAttempts]

\* One entry of a registration's history: a password-dependent answer (KE2)
\* released by a fleet, or a successful recovery there.
Event == [kind : {"Answer", "Recover"}, fleet : Fleets]
Answered(f)  == [kind |-> "Answer", fleet |-> f]
Recovered(f) == [kind |-> "Recover", fleet |-> f]

-----------------------------------------------------------------------------
(* Variables                                                               *)

\* The two vaults (each one atomic fleet).  seen is part of the new fleet's
\* vault: the registration ids it ever imported.
VARIABLES vault, seen
\* The host: every export ever emitted.
VARIABLES sent
\* History (observation only, never read by the vaults): the registrations
\* acknowledged to their users, each registration's answers and recoveries in
\* the order they happened, and the registrations the guess limit destroyed.
VARIABLES acked, hist, limited

vaultVars   == <<vault, seen>>
historyVars == <<acked, hist, limited>>
vars == <<vaultVars, sent, historyVars>>

-----------------------------------------------------------------------------
(* Initial state                                                           *)

Init ==
    /\ vault = [f \in Fleets |-> [u \in User |-> NoRecord]]
    /\ seen = {}
    /\ sent = {}
    /\ acked = {}
    /\ hist = [r \in RegIds |-> <<>>]
    /\ limited = {}

-----------------------------------------------------------------------------
(* The users and the attacker, on either fleet                             *)

\* User u registers on the old fleet under the fresh registration id r and is
\* acknowledged (store and expose as one step: QuorumVault has the two phases).
\* Each user registers once here: replacing a registration is QuorumVault's R3.
Register(u, r) ==
    /\ ~\E a \in acked : a.user = u \/ a.reg = r
    /\ vault' = [vault EXCEPT !["Old"][u] =
                    [reg |-> r, phase |-> "Live", used |-> 0, max |-> MaxAttempts]]
    /\ acked' = acked \cup {[user |-> u, reg |-> r, max |-> MaxAttempts]}
    /\ UNCHANGED <<seen, sent, hist, limited>>

\* The attacker guesses u's password on fleet f, which must hold a live record.
\* With a guess left, the guess is counted and its answer released (R5); with
\* none left, the record is destroyed and nothing is answered (R6).
Guess(f, u) ==
    LET v == vault[f][u] IN
    /\ v.phase = "Live"
    /\ IF v.used < v.max
       THEN /\ vault' = [vault EXCEPT ![f][u].used = @ + 1]
            /\ hist' = [hist EXCEPT ![v.reg] = Append(@, Answered(f))]
            /\ UNCHANGED limited
       ELSE /\ vault' = [vault EXCEPT ![f][u] = NoRecord]
            /\ limited' = limited \cup {v.reg}
            /\ UNCHANGED hist
    /\ UNCHANGED <<seen, sent, acked>>

Recoveries(r) == Cardinality({i \in DOMAIN hist[r] : hist[r][i].kind = "Recover"})

\* The honest user logs in on fleet f with the right password: the guess is
\* counted and answered like any other, and the login's success resets the
\* count (R7), which ends the G1 window.
Recover(f, u) ==
    LET v == vault[f][u] IN
    /\ v.phase = "Live"
    /\ v.used < v.max
    /\ Recoveries(v.reg) < MaxRecoveries
    /\ vault' = [vault EXCEPT ![f][u].used = 0]
    /\ hist' = [hist EXCEPT ![v.reg] = @ \o <<Answered(f), Recovered(f)>>]
    /\ UNCHANGED <<seen, sent, acked, limited>>

-----------------------------------------------------------------------------
(* Rotation                                                                *)

\* The old fleet exports u's record: in one committed step the record becomes
\* MIGRATED (it answers nothing again, its count frozen) and the export is
\* emitted to the host.  Repeated on a MIGRATED record it emits the same
\* frozen export again (one the host lost is not a lost user), which the host
\* holds already.  The bugs leave the record live, or delete it.
MigrateOut(u) ==
    LET v == vault["Old"][u] IN
    /\ v.phase # "None"
    /\ sent' = sent \cup {Export(u, v)}
    /\ vault' = IF v.phase = "Migrated" \/ Bug("ExportWithoutRetire") THEN vault
                ELSE IF Bug("ExportDeletesRecord") THEN [vault EXCEPT !["Old"][u] = NoRecord]
                ELSE [vault EXCEPT !["Old"][u].phase = "Migrated"]
    /\ UNCHANGED <<seen, historyVars>>

\* The new fleet imports export m, only when the user has no record there and
\* m's registration id was never imported; otherwise it refuses and nothing
\* changes.  The count and the limit are taken as exported.
MigrateIn(m) ==
    /\ vault["New"][m.user].phase = "None"
    /\ IF Bug("ReplayedImport") THEN TRUE ELSE m.reg \notin seen
    /\ vault' = [vault EXCEPT !["New"][m.user] =
                    [reg |-> m.reg, phase |-> "Live", max |-> m.max,
                     used |-> IF Bug("ImportResetsCounter") THEN 0 ELSE m.used]]
    /\ seen' = seen \cup {m.reg}
    /\ UNCHANGED <<sent, historyVars>>

-----------------------------------------------------------------------------
(* The specification                                                       *)

\* The host delivers some export it holds to the new fleet.  (TLC names a step
\* after the operator it took only when the quantifier ranges over a constant
\* set, hence this wrapper around the quantifier over sent.)
DeliverExport == \E m \in sent : MigrateIn(m)

Next ==
    \/ \E u \in User, r \in RegIds : Register(u, r)
    \/ \E f \in Fleets, u \in User : Guess(f, u)
    \/ \E f \in Fleets, u \in User : Recover(f, u)
    \/ \E u \in User : MigrateOut(u)
    \/ DeliverExport

Spec == Init /\ [][Next]_vars

-----------------------------------------------------------------------------
(* Invariants                                                              *)

TypeOK ==
    /\ vault \in [Fleets -> [User -> Record]]
    /\ \A f \in Fleets, u \in User : vault[f][u].phase = "None" <=> vault[f][u].reg = NoReg
    /\ \A u \in User : vault["New"][u].phase # "Migrated"
    /\ seen \subseteq RegIds
    /\ sent \subseteq Exports
    /\ acked \subseteq [user : User, reg : RegIds, max : 1..MaxAttempts]
    /\ hist \in [RegIds -> Seq(Event)]
    /\ limited \subseteq RegIds

\* The position of the last recovery in history h (0: none).
LastRecovery(h) ==
    LET rs == {i \in DOMAIN h : h[i].kind = "Recover"} IN
    IF rs = {} THEN 0 ELSE CHOOSE i \in rs : \A j \in rs : j <= i

\* The answers released, on either fleet, after the last recovery in h.
AnswersSinceRecovery(h) ==
    Cardinality({i \in DOMAIN h : i > LastRecovery(h) /\ h[i].kind = "Answer"})

\* G8 (with G1): per registration, the password-dependent answers released
\* across both fleets since its last successful recovery never exceed the
\* limit it was registered with.  Stated over the history and the
\* acknowledged limit alone, never over a vault's counter or a record's max.
GuessLimitAcrossFleets ==
    \A a \in acked : AnswersSinceRecovery(hist[a.reg]) <= a.max

\* G8 (with G2): a migration loses no acknowledged user.  A registration not
\* destroyed by the guess limit is live on the old fleet, live on the new
\* one, or MIGRATED on the old one (which can export it again).  An export in
\* the host's hands does not count: the host may drop it.  (Each user
\* registers once here, so no registration is superseded by another.)
NoAckedRecordLost ==
    \A a \in acked : a.reg \notin limited =>
        LET o == vault["Old"][a.user]
            n == vault["New"][a.user]
        IN (o.reg = a.reg /\ o.phase \in {"Live", "Migrated"})
           \/ (n.reg = a.reg /\ n.phase = "Live")

=============================================================================
