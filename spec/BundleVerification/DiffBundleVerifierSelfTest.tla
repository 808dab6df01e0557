----------------------- MODULE DiffBundleVerifierSelfTest -----------------------
(***************************************************************************)
(* The differential harness run on hand-written cases instead of cases     *)
(* from the Java verifier: one that passes every check, one per check that *)
(* fails it alone, the boundaries of the consistency, epoch and validity   *)
(* checks, and pinned mode.  javaAccepts and javaReason hold the answer a  *)
(* correct verifier gives, so MCDiffSelfTest passes; the other models     *)
(* plant one wrong answer, one wrong reason or one broken case, and TLC    *)
(* must refute them at that case.                                          *)
(***************************************************************************)
EXTENDS BundleDiff

(* A bundle that passes every check: epoch 2 after 1, a checkpoint of size *)
(* 7 that extends the stored size-5 one, 2 of 2 cosignatures, inside its   *)
(* window.                                                                 *)
Pass ==
    [ id |-> "ota/accept", mode |-> "ota", pinnedFleet |-> "", fleet |-> "fleet-a",
      epoch |-> 2, wellFormed |-> TRUE, digestOk |-> TRUE, witnessSigOk |-> TRUE,
      countersigOk |-> TRUE, checkpointSigOk |-> TRUE, cosignatures |-> 2,
      cosignQuorum |-> 2, inclusionProofOk |-> TRUE, storedSize |-> 5,
      checkpointSize |-> 7, consistencyProofOk |-> TRUE, lastEpoch |-> 1,
      now |-> 1000, notBefore |-> 900, notAfter |-> 2000,
      javaAccepts |-> TRUE, javaReason |-> "accepted" ]

Reject(x, reason) == [x EXCEPT !.javaAccepts = FALSE, !.javaReason = reason]
Without(x, field) == [f \in DOMAIN x \ {field} |-> x[f]]
Pinned == [Pass EXCEPT !.id = "pinned/accept", !.mode = "pinned", !.pinnedFleet = "fleet-a",
                       \* pinned mode does not look at signatures or the log
                       !.witnessSigOk = FALSE, !.countersigOk = FALSE, !.inclusionProofOk = FALSE]

SelfTestCases ==
  << Pass,
     Reject([Pass EXCEPT !.id = "ota/malformed", !.wellFormed = FALSE], "well-formed"),
     Reject([Pass EXCEPT !.id = "ota/digest", !.digestOk = FALSE], "digest"),
     Reject([Pass EXCEPT !.id = "ota/witness-signature", !.witnessSigOk = FALSE], "witness-signature"),
     Reject([Pass EXCEPT !.id = "ota/countersignature", !.countersigOk = FALSE], "countersignature"),
     Reject([Pass EXCEPT !.id = "ota/checkpoint-signature", !.checkpointSigOk = FALSE],
            "checkpoint-signature"),
     Reject([Pass EXCEPT !.id = "ota/cosignatures-short", !.cosignatures = 1], "cosignatures"),
     [Pass EXCEPT !.id = "ota/no-cosigners-required", !.cosignatures = 0, !.cosignQuorum = 0],
     Reject([Pass EXCEPT !.id = "ota/inclusion", !.inclusionProofOk = FALSE], "inclusion"),
     Reject([Pass EXCEPT !.id = "ota/consistency-proof", !.consistencyProofOk = FALSE], "consistency"),
     \* a smaller tree than the stored one is a rollback, whatever the proof says
     Reject([Pass EXCEPT !.id = "ota/checkpoint-shrinks", !.checkpointSize = 4], "consistency"),
     [Pass EXCEPT !.id = "ota/same-checkpoint", !.checkpointSize = 5],
     \* nothing stored yet: the first checkpoint is taken on first use
     [Pass EXCEPT !.id = "ota/first-use", !.storedSize = 0, !.consistencyProofOk = FALSE],
     Reject([Pass EXCEPT !.id = "ota/downgrade", !.lastEpoch = 3], "epoch"),
     [Pass EXCEPT !.id = "ota/same-epoch", !.lastEpoch = 2],
     Reject([Pass EXCEPT !.id = "ota/not-yet-valid", !.now = 899], "validity-window"),
     [Pass EXCEPT !.id = "ota/valid-from", !.now = 900],
     Reject([Pass EXCEPT !.id = "ota/expired", !.now = 2000], "validity-window"),
     \* several failures: any of them is an acceptable reason
     Reject([Pass EXCEPT !.id = "ota/many-failures", !.digestOk = FALSE, !.lastEpoch = 9],
            "epoch"),
     \* javaReason is optional
     Without([Pass EXCEPT !.id = "ota/no-reason-given", !.inclusionProofOk = FALSE,
                          !.javaAccepts = FALSE], "javaReason"),
     Pinned,
     Reject([Pinned EXCEPT !.id = "pinned/other-fleet", !.fleet = "fleet-b"], "pinned-fleet"),
     Reject([Pinned EXCEPT !.id = "pinned/malformed", !.wellFormed = FALSE], "well-formed") >>

(* One wrong answer in the middle: the verifier accepted a downgrade. *)
MismatchCases == [SelfTestCases EXCEPT ![14] = [@ EXCEPT !.javaAccepts = TRUE, !.javaReason = "accepted"]]
(* One wrong reason: rejected, but for a check that passes. *)
WrongReasonCases == [SelfTestCases EXCEPT ![9] = [@ EXCEPT !.javaReason = "digest"]]
(* Broken cases, one problem each: a string for a boolean, a missing field, *)
(* a reason that names no check.                                           *)
NotBooleanCases == [SelfTestCases EXCEPT ![3] = [@ EXCEPT !.countersigOk = "true"]]
MissingFieldCases == [SelfTestCases EXCEPT ![5] = Without(@, "digestOk")]
UnknownReasonCases == [SelfTestCases EXCEPT ![7] = [@ EXCEPT !.javaReason = "cosigs"]]

=============================================================================
