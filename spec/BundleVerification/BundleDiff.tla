------------------------------ MODULE BundleDiff ------------------------------
(***************************************************************************)
(* Differential check of a bundle verifier against ClientAccepts.         *)
(*                                                                         *)
(* Cases is a sequence of case records (README.md, "Case schema"): the     *)
(* facts of one acceptance decision plus the verifier's answer.  The state *)
(* is a cursor i walking the cases in order, so TLC's breadth-first search *)
(* meets them in order and the first violation it reports is the first    *)
(* mismatching case.  Where the cases come from is the including module's  *)
(* business: DiffBundleVerifier.tla loads them from JSON,                  *)
(* DiffBundleVerifierSelfTest.tla writes them out in TLA+.                 *)
(***************************************************************************)
EXTENDS Naturals, Sequences, TLC, BundleAcceptance

CONSTANT Cases

VARIABLE i   \* the case under check; 0 before the first

BooleanFields == {"wellFormed", "digestOk", "witnessSigOk", "countersigOk",
                  "checkpointSigOk", "inclusionProofOk", "consistencyProofOk",
                  "javaAccepts"}
NaturalFields == {"epoch", "cosignatures", "cosignQuorum", "storedSize",
                  "checkpointSize", "lastEpoch", "now", "notBefore", "notAfter"}
StringFields == {"mode", "pinnedFleet", "fleet"}
RequiredFields == BooleanFields \cup NaturalFields \cup StringFields
ReasonNames == CheckNames \cup {"accepted"}

(* What is wrong with case x, as a set of messages; {} when nothing is.     *)
(* TLC has no type test that cannot itself fail, so booleans and the mode   *)
(* are recognised by their printed form; a number or string field of the    *)
(* wrong JSON type stops TLC with an evaluation error at that case's state. *)
CaseProblems(x) ==
    LET missing == RequiredFields \ DOMAIN x
    IN  IF missing /= {} THEN {<<"missing fields", missing>>}
        ELSE   { <<"not a boolean", f>> :
                     f \in {f \in BooleanFields : ToString(x[f]) \notin {"TRUE", "FALSE"}} }
             \cup (IF ToString(x.mode) \in {"\"ota\"", "\"pinned\""} THEN {}
                   ELSE {<<"mode is neither \"ota\" nor \"pinned\"", x.mode>>})
             \cup (IF "javaReason" \notin DOMAIN x
                      \/ ToString(x.javaReason) \in {ToString(r) : r \in ReasonNames}
                   THEN {} ELSE {<<"unknown javaReason", x.javaReason>>})

(* The verifier agrees when it makes the same decision and, if it names a  *)
(* reason, that reason is one the spec also finds ("accepted" for an       *)
(* acceptance).  Any failing check may be named: verifiers may check in    *)
(* another order than OtaCheckOrder.                                       *)
Agrees(x) ==
    /\ x.javaAccepts = ClientAccepts(x)
    /\ "javaReason" \in DOMAIN x =>
           IF x.javaAccepts THEN x.javaReason = "accepted"
           ELSE x.javaReason \in FailedChecks(x)

Label(k) == IF "id" \in DOMAIN Cases[k] THEN Cases[k].id ELSE "(no id)"

Init == i = 0
Next == \/ i < Len(Cases) /\ i' = i + 1
        \/ i = Len(Cases) /\ UNCHANGED i     \* done: stutter, no deadlock

(* Invariants.  Each prints a tuple opening with DIFF_MALFORMED,           *)
(* DIFF_MISMATCH or DIFF_OK for a harness to find in TLC's output.         *)
CasesWellFormed ==
    \/ i = 0
    \/ CaseProblems(Cases[i]) = {}
    \/ PrintT(<<"DIFF_MALFORMED", i, Label(i), CaseProblems(Cases[i])>>) /\ FALSE

JavaAgreesWithSpec ==
    \/ i = 0
    \/ Agrees(Cases[i])
    \/ PrintT(<<"DIFF_MISMATCH", i, Label(i),
                "java", IF "javaReason" \in DOMAIN Cases[i] THEN Cases[i].javaReason
                        ELSE IF Cases[i].javaAccepts THEN "accepted" ELSE "rejected",
                "spec", Verdict(Cases[i]), FailedChecks(Cases[i])>>) /\ FALSE

(* ClientAccepts and the per-check view used for reasons must agree. *)
AcceptanceOperatorsAgree ==
    \/ i = 0
    \/ /\ ClientAccepts(Cases[i]) <=> FailedChecks(Cases[i]) = {}
       /\ ClientAccepts(Cases[i]) <=> Verdict(Cases[i]) = "accepted"

AllCasesReported ==
    i < Len(Cases) \/ PrintT(<<"DIFF_OK", Len(Cases)>>)

=============================================================================
