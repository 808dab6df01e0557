package dev.bkv.tracecheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** TLC's output becomes verdicts: wrapped reports, several branches, invariant violations, cut output. */
class TraceValidationOutputTest {
  private static final RenderedTrace TRACE = new RenderedTrace("[]", 3, List.of("user0"), "7", "s", List.of(), 0);

  private static TraceOutput read(String text) {
    TraceOutput output = new TraceOutput();
    text.lines().forEach(output::accept);
    output.end();
    return output;
  }

  private static TraceVerdict verdict(TraceOutput output, int trace) {
    return TraceValidation.verdict(trace, TRACE, output, false);
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = TraceValidationOutputTest.class.getResourceAsStream("/tracecheck/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void aReportTlcWrappedOverLinesIsReadWhole() throws IOException {
    // As TLC 2.18 printed it for a trace whose logged log and vault were both altered.
    TraceOutput output = read(resource("wrapped-stuck.out") + "Finished in 02s at (2026-12-06 18:52:11)\n");
    StuckEvent stuck = output.stuck(1).orElseThrow();
    assertEquals(12, stuck.event());
    assertEquals("HandleAppendAck", stuck.action());
    assertTrue(stuck.actionPossible());
    assertEquals(List.of(
        new StuckEvent.FieldMismatch("log", "<<[op |-> \"Noop\", term |-> 7]>>", "<<[op |-> \"Noop\", term |-> 1]>>"),
        new StuckEvent.FieldMismatch("vault", "[user0 |-> [reg |-> 0, phase |-> \"None\", used |-> 3]]",
            "[user0 |-> [reg |-> 0, phase |-> \"None\", used |-> 0]]")), stuck.fields());
    assertTrue(output.problem().isEmpty());
  }

  @Test
  void theBranchThatGotFurthestExplainsTheTraceAndAnyOkAcceptsIt() {
    TraceOutput output = read(String.join("\n",
        "<<\"TRACE_STUCK\", 2, 4, \"HandleVote\", 0, FALSE, << >>>>",
        "<<\"TRACE_STUCK\", 2, 9, \"PersistHead\", 1, TRUE, [nvHead |-> <<<<1, 2>>, <<1, 1>>>>, writing |-> <<FALSE, TRUE>>]>>",
        "<<\"TRACE_STUCK\", 2, 7, \"Timeout\", 2, FALSE, << >>>>",
        "<<\"TRACE_STUCK\", 1, 3, \"Timeout\", 2, FALSE, << >>>>",
        "<<\"TRACE_OK\", 1>>",
        "Finished in 01s at (2026-12-06 18:52:11)"));
    assertTrue(verdict(output, 1).accepted());
    StuckEvent stuck = verdict(output, 2).stuck().orElseThrow();
    assertEquals(9, stuck.event());
    assertEquals(List.of(new StuckEvent.FieldMismatch("nvHead", "<<1, 2>>", "<<1, 1>>"),
        new StuckEvent.FieldMismatch("writing", "FALSE", "TRUE")), stuck.fields());
    assertEquals(TraceVerdict.Status.NO_INITIAL_STATE, verdict(output, 3).status());
    assertTrue(verdict(output, 2).describe().startsWith("trace 2 (seed 7, schedule s): rejected at event 9 PersistHead"),
        verdict(output, 2).describe());
  }

  @Test
  void anInvariantBrokenWhileWalkingRejectsItsTraceAtItsEvent() {
    TraceOutput output = read(String.join("\n",
        "Error: Invariant ElectionSafety is violated.",
        "Error: The behavior up to this point is:",
        "State 1: <Initial predicate>",
        "/\\ l = 2",
        "/\\ t = 2",
        "/\\ matchIndex = ( 0 :> (0 :> 0 @@ 1 :> 0) @@",
        "  1 :> (0 :> 0 @@ 1 :> 0) )",
        "",
        "State 2: <TraceStep line 150, col 5 to line 153, col 18 of module TraceQuorumVault>",
        "/\\ l = 3",
        "/\\ t = 2",
        "",
        "Error: Invariant ElectionSafety is violated.",
        "Error: The behavior up to this point is:",
        "State 1: <Initial predicate>",
        "/\\ l = 5",
        "/\\ t = 2",
        "",
        "<<\"TRACE_OK\", 2>>",
        "<<\"TRACE_OK\", 1>>",
        "Model checking completed. No error has been found.",
        "Finished in 01s at (2026-12-06 18:52:11)"));
    assertTrue(verdict(output, 1).accepted());
    TraceVerdict broken = verdict(output, 2);
    assertEquals(TraceVerdict.Status.INVARIANT_BROKEN, broken.status());
    assertEquals(List.of(new InvariantBreak("ElectionSafety", OptionalInt.of(2), OptionalInt.of(2))), broken.breaks());
    assertTrue(broken.describe().endsWith("rejected: invariant ElectionSafety broken after event 2"), broken.describe());
  }

  @Test
  void aViolationNotTiedToATraceLeavesNoTraceValidated() {
    TraceOutput output = read("<<\"TRACE_OK\", 1>>\nError: Invariant TypeOK is violated.\nFinished in 01s at x\n");
    assertEquals(TraceVerdict.Status.INVARIANT_BROKEN, verdict(output, 1).status());
    assertEquals(TraceVerdict.Status.INVARIANT_BROKEN, verdict(output, 2).status());
  }

  @Test
  void cutOrUnreadableOutputLeavesTracesUnchecked() {
    TraceOutput cut = read("<<\"TRACE_OK\", 1>>\n<< \"TRACE_STUCK\",\n   2,\n");
    assertFalse(cut.finished());
    assertTrue(cut.problem().orElseThrow().startsWith("a report of TLC cut off by the end of the output"));
    assertTrue(TraceValidation.verdict(1, TRACE, cut, true).accepted(), "an OK printed before the cut still counts");
    assertEquals(TraceVerdict.Status.UNCHECKED, TraceValidation.verdict(2, TRACE, cut, true).status());
    TraceOutput unreadable = read("<<\"TRACE_STUCK\", 2, x>>\nFinished in 01s at x\n");
    assertTrue(unreadable.problem().orElseThrow().startsWith("an unreadable report of TLC: <<\"TRACE_STUCK\", 2, x>>"));
  }

  @Test
  void aReportLongerThanItsLimitIsAProblemNotAnOutOfMemory() {
    TraceOutput output = new TraceOutput();
    output.accept("<< \"TRACE_STUCK\",");
    String line = "   " + "1".repeat(1000) + ",";
    for (int i = 0; i < TraceOutput.RECORD_CHARS_MAX / line.length() + 1; i++) {
      output.accept(line);
    }
    output.accept("Finished in 01s at x");
    assertTrue(output.problem().orElseThrow().startsWith("a report of TLC longer than " + TraceOutput.RECORD_CHARS_MAX));
  }
}
