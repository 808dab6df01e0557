package dev.bkv.tracecheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLC end to end: the hand batch and corrupted copies of its valid trace, checked in one
 * run, get the verdicts they deserve, with the event, fields, seed and schedule to act on.
 */
class TraceValidationTest {
  @TempDir static Path tmp;
  private static TraceReport report;

  @BeforeAll
  static void checkBatch() throws Exception {
    List<String> traces = new ArrayList<>(HandTraces.batch());
    // 4: the Timeout (event 2) dropped, so the RequestVote delivered next was never sent.
    traces.add(HandTraces.corrupted(events -> events.remove(1)));
    // 5: LeaderNoop (event 6) before the Vote that makes HSM 0 leader (event 5).
    traces.add(HandTraces.corrupted(events -> Collections.swap(events, 4, 5)));
    // 6: the term HSM 0 logged after its Timeout (event 2) altered.
    traces.add(HandTraces.corrupted(events -> HandTraces.field(events.get(1), "post").put("term", BigInteger.TWO)));
    // 7: the AppendEntries delivered at event 10 carries a term no message was sent with.
    traces.add(HandTraces.corrupted(events -> HandTraces.field(events.get(9), "msg").put("mterm", BigInteger.TWO)));
    report = TraceValidation.validate(traces,
        HandTraces.settings(tmp, Set.of()));
  }

  private static StuckEvent stuck(int trace) {
    TraceVerdict verdict = report.verdicts().get(trace - 1);
    assertEquals(TraceVerdict.Status.REJECTED, verdict.status(), verdict.describe());
    return verdict.stuck().orElseThrow();
  }

  private static List<String> fieldNames(StuckEvent event) {
    return event.fields().stream().map(StuckEvent.FieldMismatch::field).toList();
  }

  @Test
  void handBatchIsAcceptedRejectedAtTwelveOnCommitAndRejectedAtFive() {
    assertTrue(report.failure().isEmpty(), report.describe());
    TraceVerdict first = report.verdicts().get(0);
    assertTrue(first.accepted(), first.describe());
    assertEquals("1", first.seed());
    assertEquals("hand", first.schedule());
    StuckEvent second = stuck(2);
    assertEquals(12, second.event());
    assertEquals("HandleAppendAck", second.action());
    assertEquals(0, second.node());
    assertTrue(second.actionPossible());
    assertEquals(List.of(new StuckEvent.FieldMismatch("commit", "0", "0")), second.fields());
    assertEquals(5, stuck(3).event());
    assertFalse(stuck(3).actionPossible(), "LeaderNoop of a candidate");
    assertTrue(report.distinctStates().isPresent());
  }

  @Test
  void aDroppedEventIsRejected() {
    assertEquals(2, stuck(4).event());
    assertEquals("HandleRequestVote", stuck(4).action());
  }

  @Test
  void swappedEventsAreRejected() {
    assertEquals(5, stuck(5).event());
    assertEquals("LeaderNoop", stuck(5).action());
  }

  @Test
  void anAlteredLoggedFieldIsRejectedNamingIt() {
    StuckEvent event = stuck(6);
    assertEquals(2, event.event());
    assertEquals(List.of("term"), fieldNames(event));
    assertEquals(new StuckEvent.FieldMismatch("term", "2", "0"), event.fields().get(0));
  }

  @Test
  void aDeliveredMessageNeverSentIsRejected() {
    StuckEvent event = stuck(7);
    assertEquals(10, event.event());
    assertEquals("HandleAppendEntries", event.action());
    assertFalse(event.actionPossible());
  }

  @Test
  void coverageCountsTheAcceptedTraceOnly() {
    TraceCoverage coverage = report.coverage();
    assertEquals(2, coverage.count("HandleRequestVote"));
    assertEquals(1, coverage.count("Timeout"));
    assertEquals(2, coverage.count("SendAppendEntries"));
    assertEquals(1, coverage.count("HandleAppendAck"));
    assertTrue(coverage.untaken().containsAll(List.of("ClientGuess", "Restart", "LoseDatacenter")));
    assertFalse(coverage.untaken().contains("LeaderNoop"));
  }
}
