package dev.bkv.modelcheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * The parser reads verdicts and figures from TLC 2.18's text (samples below are its real
 * output), and never trusts the exit code alone.
 */
class TlcOutputParserTest {
  private static TlcResult parse(ModelEntry.Mode mode, int exitCode, String... lines) {
    TlcOutputParser parser = new TlcOutputParser(mode);
    for (String line : lines) {
      parser.accept(line, Duration.ofSeconds(1));
    }
    return parser.result(exitCode, Duration.ofSeconds(2), Optional.empty(), Path.of("out"));
  }

  @Test
  void completedSearchIsOkWithItsCountsAndDepth() {
    TlcResult r = parse(ModelEntry.Mode.BFS, 0,
        "Progress(7) at 2026-11-29 19:27:57: 25 states generated, 16 distinct states found, 0 states left on queue.",
        "Model checking completed. No error has been found.",
        "1,234,567 states generated, 612,345 distinct states found, 0 states left on queue.",
        "The depth of the complete state graph search is 31.",
        "Finished in 01min 23s at (2026-11-29 19:27:57)");
    assertEquals(new TlcOutcome.Ok(), r.outcome());
    assertEquals(OptionalLong.of(612_345), r.distinctStates());
    assertEquals(OptionalLong.of(1_234_567), r.generatedStates());
    assertEquals(OptionalLong.of(31), r.depth());
    assertEquals(OptionalLong.empty(), r.traceLength());
  }

  @Test
  void invariantViolationNamesTheInvariantAndTheCounterexampleLength() {
    TlcResult r = parse(ModelEntry.Mode.BFS, 12,
        "Error: Invariant GuessLimit is violated.",
        "Error: The behavior up to this point is:",
        "State 1: <Initial predicate>",
        "State 2: <Next line 6, col 12 to line 6, col 49 of module Toy>",
        "State 3: <Next line 6, col 12 to line 6, col 49 of module Toy>",
        "24 states generated, 16 distinct states found, 1 states left on queue.",
        "The depth of the complete state graph search is 7.");
    assertEquals(new TlcOutcome.InvariantViolated("GuessLimit"), r.outcome());
    assertEquals(OptionalLong.of(16), r.distinctStates());
    assertEquals(OptionalLong.of(3), r.traceLength());
  }

  @Test
  void deadlockAndTemporalViolationsAreTheirOwnOutcomes() {
    assertEquals(new TlcOutcome.Deadlock(), parse(ModelEntry.Mode.BFS, 11, "Error: Deadlock reached.").outcome());
    assertEquals(new TlcOutcome.TemporalViolated(),
        parse(ModelEntry.Mode.BFS, 13, "Error: Temporal properties were violated.").outcome());
  }

  @Test
  void anotherErrorFailsWithTheLinesThatExplainIt() {
    TlcResult r = parse(ModelEntry.Mode.BFS, 75,
        "Error: Attempted to apply the operator overridden by the Java method",
        "public static Value TraceIOOperators.loadTraces(Value),",
        "but it produced the following error:",
        "bad.ndjson line 2: $.x: 2.5 is not an integer (TLA+ has no fractions)",
        "Error: The error occurred when TLC was evaluating the nested");
    assertTrue(r.outcome() instanceof TlcOutcome.Failed, r.outcome().describe());
    String reason = ((TlcOutcome.Failed) r.outcome()).reason();
    assertTrue(reason.startsWith("Attempted to apply the operator overridden"), reason);
    assertTrue(reason.endsWith("bad.ndjson line 2: $.x: 2.5 is not an integer (TLA+ has no fractions)"), reason);
  }

  @Test
  void theFirstErrorDecides() {
    TlcResult r = parse(ModelEntry.Mode.BFS, 12,
        "Error: Invariant LogMatching is violated.", "Error: Deadlock reached.");
    assertEquals(new TlcOutcome.InvariantViolated("LogMatching"), r.outcome());
  }

  @Test
  void successTextWithANonZeroExitCodeIsNoVerdict() {
    TlcResult r = parse(ModelEntry.Mode.BFS, 1, "Model checking completed. No error has been found.");
    assertTrue(r.outcome() instanceof TlcOutcome.Failed);
    assertTrue(r.outcome().describe().contains("code 1"));
  }

  @Test
  void silenceIsNoVerdict() {
    assertTrue(parse(ModelEntry.Mode.BFS, 0, "Starting...").outcome() instanceof TlcOutcome.Failed);
  }

  @Test
  void aSimulationSucceedsWhenItFinishesWithoutErrorAndCountsStatesChecked() {
    TlcResult r = parse(ModelEntry.Mode.SIMULATE, 0,
        "Progress: 301 states checked.", "Finished in 02s at (2026-11-29 20:32:08)");
    assertEquals(new TlcOutcome.Ok(), r.outcome());
    assertEquals(OptionalLong.of(301), r.generatedStates());
    assertEquals(OptionalLong.empty(), r.distinctStates());
    assertTrue(parse(ModelEntry.Mode.SIMULATE, 0, "Progress: 301 states checked.").outcome()
        instanceof TlcOutcome.Failed, "a simulation that never finished");
  }

  @Test
  void progressReportsAreReturnedAsTheyArrive() {
    TlcOutputParser parser = new TlcOutputParser(ModelEntry.Mode.BFS);
    Optional<TlcProgress> p = parser.accept("Progress(14) at 2026-11-29 19:32:01: 4,636,315 states generated "
        + "(2,468,907 s/min), 1,023,846 distinct states found (534,280 ds/min), 626,380 states left on queue.",
        Duration.ofSeconds(120));
    assertEquals(Optional.of(new TlcProgress(4_636_315, 1_023_846, 626_380, Duration.ofSeconds(120))), p);
    assertEquals(p, parser.progress());
    assertEquals(Optional.empty(), parser.accept("Computing initial states...", Duration.ZERO));
  }

  @Test
  void aStoppedRunFailsWithTheReasonWhateverTlcPrinted() {
    TlcOutputParser parser = new TlcOutputParser(ModelEntry.Mode.BFS);
    for (String line : List.of("Model checking completed. No error has been found.")) {
      parser.accept(line, Duration.ZERO);
    }
    TlcResult r = parser.result(0, Duration.ofSeconds(5), Optional.of("timed out after 5 s"), Path.of("out"));
    assertEquals(new TlcOutcome.Failed("timed out after 5 s"), r.outcome());
  }

  /** Real TLC 2.18 coverage (abridged): actions summed by name, Init and invariants skipped, the last block wins. */
  @Test
  void coverageAndInitialStatesAreRead() {
    TlcResult r = parse(ModelEntry.Mode.BFS, 0,
        "Finished computing initial states: 1 distinct state generated at 2026-12-06 12:01:30.",
        "The coverage statistics at 2026-12-06 12:01:00",
        "<Init line 251, col 1 to line 251, col 4 of module QuorumVault>: 1:1",
        "<Timeout line 295, col 1 to line 295, col 10 of module QuorumVault>: 1:1",
        "End of statistics.",
        "Model checking completed. No error has been found.",
        "The coverage statistics at 2026-12-06 12:02:03",
        "<Init line 251, col 1 to line 251, col 4 of module QuorumVault>: 1:1",
        "  line 252, col 8 to line 252, col 41 of module QuorumVault: 1",
        "<Timeout line 295, col 1 to line 295, col 10 of module QuorumVault>: 3:241",
        "  |line 296, col 8 to line 296, col 8 of module QuorumVault: 126771",
        "<ClientRequest line 491, col 1 to line 491, col 21 of module QuorumVault (493 5 506 94)>: 720:1395",
        "<ClientGuess line 523, col 1 to line 523, col 24 of module QuorumVault>: 0:0",
        "<ClientRequest line 491, col 1 to line 491, col 21 of module QuorumVault (493 5 506 94)>: 5:10",
        "<TypeOK line 626, col 1 to line 626, col 6 of module QuorumVault>",
        "  line 627, col 5 to line 632, col 64 of module QuorumVault: 42257",
        "End of statistics.",
        "1,234 states generated, 612 distinct states found, 0 states left on queue.",
        "Finished in 35s at (2026-12-06 12:02:04)");
    assertEquals(new TlcOutcome.Ok(), r.outcome());
    assertEquals(OptionalLong.of(1), r.initialStates());
    assertEquals("Timeout 3/241, ClientRequest 725/1405, ClientGuess 0/0", r.coverage().describe());
  }

  /** A model TLC deems large ends its coverage block with a note: the counts after it are still read. */
  @Test
  void aCoverageBlockEndingWithTheLargeModelNoteIsClosed() {
    TlcResult r = parse(ModelEntry.Mode.BFS, 0,
        "Model checking completed. No error has been found.",
        "The coverage statistics at 2026-12-06 19:31:27",
        "<Init line 360, col 1 to line 360, col 4 of module QuorumVault>: 1:1",
        "<Timeout line 409, col 1 to line 409, col 10 of module QuorumVault>: 22983:458923",
        "End of statistics (please note that for performance reasons large models",
        "are best checked with coverage and cost statistics disabled).",
        "2169066 states generated, 567397 distinct states found, 0 states left on queue.",
        "The depth of the complete state graph search is 23.");
    assertEquals(OptionalLong.of(567397), r.distinctStates());
    assertEquals(OptionalLong.of(23), r.depth());
    assertEquals("Timeout 22983/458923", r.coverage().describe());
  }

  /** An unsatisfiable Init: TLC says "0 distinct states generated" and still "No error". */
  @Test
  void zeroInitialStatesAreRead() {
    TlcResult r = parse(ModelEntry.Mode.BFS, 0,
        "Finished computing initial states: 0 distinct states generated at 2026-12-06 12:01:30.",
        "Model checking completed. No error has been found.",
        "0 states generated, 0 distinct states found, 0 states left on queue.");
    assertEquals(new TlcOutcome.Ok(), r.outcome());
    assertEquals(OptionalLong.of(0), r.initialStates());
    assertTrue(r.coverage().isEmpty());
  }

  /** TLC's other wording, when several initial states are generated. */
  @Test
  void initialStatesWithDuplicatesAreRead() {
    TlcResult r = parse(ModelEntry.Mode.BFS, 0,
        "Finished computing initial states: 2001 states generated, with 2000 of them distinct at 2026-12-06 13:00:00.",
        "Model checking completed. No error has been found.");
    assertEquals(OptionalLong.of(2000), r.initialStates());
  }

  /** A coverage line whose counts are out of order is no coverage to trust. */
  @Test
  void inconsistentCoverageFailsTheRun() {
    TlcResult r = parse(ModelEntry.Mode.BFS, 0,
        "The coverage statistics at 2026-12-06 12:02:03",
        "<Init line 1, col 1 to line 1, col 4 of module M>: 1:1",
        "<Step line 2, col 1 to line 2, col 4 of module M>: 9:3",
        "End of statistics.",
        "Model checking completed. No error has been found.");
    assertTrue(r.outcome() instanceof TlcOutcome.Failed, r.outcome().describe());
  }
}
