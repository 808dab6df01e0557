--------------------------- MODULE DiffBundleVerifier ---------------------------
(***************************************************************************)
(* Differential test of the Java bundle verifier (dev.bkv.bundle) against  *)
(* ClientAccepts.  The Java side generates valid and tampered bundles,     *)
(* runs its verifier on each, and writes one case per decision to a JSON   *)
(* file (schema: README.md in this folder).  TLC loads the file through    *)
(* the LoadTraces override of spec/lib/TraceIO.tla and walks the cases     *)
(* with BundleDiff: the first case where Java and the spec disagree is     *)
(* reported as a violation of JavaAgreesWithSpec, with a DIFF_MISMATCH     *)
(* line; a clean run prints DIFF_OK and the case count.                    *)
(*                                                                         *)
(* Run with spec/lib on TLC's module path (-DTLA-Library=<spec/lib>) and   *)
(* the TraceIO override on its classpath, and a cfg such as:               *)
(*     CONSTANTS CasesFile = "<path of the cases file>"                    *)
(*               Cases <- LoadedCases                                      *)
(*     INIT Init                                                           *)
(*     NEXT Next                                                           *)
(*     INVARIANTS CasesWellFormed AcceptanceOperatorsAgree                 *)
(*                JavaAgreesWithSpec AllCasesReported                      *)
(***************************************************************************)
EXTENDS BundleDiff, TraceIO

CONSTANT CasesFile   \* path of the NDJSON file of cases, one case per line

\* LoadTraces reads an NDJSON file as a single trace: the cases are that trace.
LoadedCases == LoadTraces(CasesFile)[1]

=============================================================================
