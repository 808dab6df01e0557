------------------------------- MODULE TraceIO -------------------------------
(***************************************************************************)
(* Loads recorded traces (JSON or NDJSON files) into TLC, for trace         *)
(* validation: checking that what the Java code did is a behaviour of a     *)
(* spec.  The bodies below only fail: TLC runs the Java versions in impl    *)
(* (dev.bkv.tracecheck.TraceIOOperators, registered by                      *)
(* tlc2.overrides.TLCOverrides), which must be on TLC's classpath.          *)
(*                                                                         *)
(* JSON maps to TLA+ values as: object -> record, array -> tuple, string -> *)
(* string, integer -> integer (32-bit, as in TLC), true/false -> BOOLEAN.   *)
(* Fractions, exponents and null have no TLA+ value and are rejected, with  *)
(* the file, line and JSON path of the offending value.                     *)
(***************************************************************************)
LOCAL INSTANCE TLC

NoOverride == "TraceIO needs its Java override on TLC's classpath (impl's classes)"

\* The JSON value held by the file at path.
JsonLoad(path) == Assert(FALSE, NoOverride)

\* The values of an NDJSON file, one per non-empty line, as a tuple.
NdjsonLoad(path) == Assert(FALSE, NoOverride)

\* The traces in a file, as a tuple of traces (each a tuple of events): a
\* .json file holds an array of traces, a .ndjson file holds one trace with
\* one event per line.
LoadTraces(path) == Assert(FALSE, NoOverride)
=============================================================================
