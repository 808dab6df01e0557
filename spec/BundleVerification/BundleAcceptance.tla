--------------------------- MODULE BundleAcceptance ---------------------------
(***************************************************************************)
(* The client's decision on one validation bundle, as a pure function of  *)
(* the facts it established.                                               *)
(*                                                                         *)
(* A "case" x is a record.  Facts that need cryptography (a signature      *)
(* verifies, a Merkle proof verifies, the digest matches) arrive as        *)
(* booleans; facts that depend on the client's memory (the stored          *)
(* checkpoint, the last accepted epoch, the clock, the pinned fleet) are   *)
(* computed here from plain numbers and strings.  BundleVerification.tla   *)
(* derives x from its abstract state; DiffBundleVerifier.tla reads x from  *)
(* cases that the Java verifier produced, so both answer with the same     *)
(* operator.  README.md in this folder lists every field.                  *)
(***************************************************************************)
EXTENDS Naturals, Sequences

(* Every check a client in OTA mode makes, in the order a verifier should  *)
(* make them: parse and sizes first, then signatures, then the log, then   *)
(* the client's memory.  The order only matters for which reason is       *)
(* reported first; the decision is the conjunction of all of them.         *)
OtaCheckOrder ==
    << "well-formed",          \* the bundle text parses within its limits
       "digest",               \* the signed digest matches the bundle bytes
       "witness-signature",    \* the witness key signed the bundle
       "countersignature",     \* the operator key signed the witness signature bytes
       "checkpoint-signature", \* the witness log key signed the checkpoint
       "cosignatures",         \* at least k of the n trusted cosigners cosigned it
       "inclusion",            \* the bundle's entry is in that checkpoint's tree
       "consistency",          \* the checkpoint extends the one the client stored
       "epoch",                \* no downgrade: epoch not below the last accepted
       "validity-window" >>    \* notBefore <= now < notAfter

(* In pinned mode the fleet keys are compiled into the app: the bundle is  *)
(* accepted exactly when it names the pinned fleet.  Signatures and logs   *)
(* add nothing to a key set the binary already fixes.                      *)
PinnedCheckOrder == << "well-formed", "pinned-fleet" >>

(* The checks that compute something; the rest read a boolean fact. *)
CosignaturesOk(x) == x.cosignatures >= x.cosignQuorum
(* storedSize = 0: nothing stored yet, so the first checkpoint is taken on  *)
(* first use.  Otherwise the tree may only grow, and a consistency proof    *)
(* from the stored tree to the presented one must verify.                   *)
ConsistencyOk(x) == \/ x.storedSize = 0
                    \/ /\ x.checkpointSize >= x.storedSize
                       /\ x.consistencyProofOk
EpochOk(x) == x.epoch >= x.lastEpoch
InValidityWindow(x) == x.notBefore <= x.now /\ x.now < x.notAfter
PinnedFleetOk(x) == x.fleet = x.pinnedFleet

(* The decision.  A plain conjunction, so that TLC stops at the first       *)
(* failure; FailedChecks below names the same checks one by one, and the    *)
(* self-test asserts ClientAccepts(x) <=> FailedChecks(x) = {} on its cases. *)
ClientAccepts(x) ==
    IF x.mode = "pinned"
    THEN x.wellFormed /\ PinnedFleetOk(x)
    ELSE /\ x.wellFormed
         /\ x.digestOk
         /\ x.witnessSigOk
         /\ x.countersigOk
         /\ x.checkpointSigOk
         /\ CosignaturesOk(x)
         /\ x.inclusionProofOk
         /\ ConsistencyOk(x)
         /\ EpochOk(x)
         /\ InValidityWindow(x)

Passes(x, check) ==
    CASE check = "well-formed"          -> x.wellFormed
      [] check = "digest"               -> x.digestOk
      [] check = "witness-signature"    -> x.witnessSigOk
      [] check = "countersignature"     -> x.countersigOk
      [] check = "checkpoint-signature" -> x.checkpointSigOk
      [] check = "cosignatures"         -> CosignaturesOk(x)
      [] check = "inclusion"            -> x.inclusionProofOk
      [] check = "consistency"          -> ConsistencyOk(x)
      [] check = "epoch"                -> EpochOk(x)
      [] check = "validity-window"      -> InValidityWindow(x)
      [] check = "pinned-fleet"         -> PinnedFleetOk(x)

CheckOrder(x) == IF x.mode = "pinned" THEN PinnedCheckOrder ELSE OtaCheckOrder

FailingIndices(x) == { j \in 1..Len(CheckOrder(x)) : ~Passes(x, CheckOrder(x)[j]) }

(* The names of every check x fails. *)
FailedChecks(x) == { CheckOrder(x)[j] : j \in FailingIndices(x) }

(* The first failing check in CheckOrder(x), or "accepted". *)
Verdict(x) ==
    IF FailingIndices(x) = {} THEN "accepted"
    ELSE CheckOrder(x)[CHOOSE j \in FailingIndices(x) : \A k \in FailingIndices(x) : j <= k]

(* Every reason a verifier may give for a rejection. *)
CheckNames == { OtaCheckOrder[i] : i \in 1..Len(OtaCheckOrder) }
                \cup { PinnedCheckOrder[i] : i \in 1..Len(PinnedCheckOrder) }

=============================================================================
