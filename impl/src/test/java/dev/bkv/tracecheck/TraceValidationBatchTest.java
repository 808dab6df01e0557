package dev.bkv.tracecheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A batch TLC cannot check as given is refused before TLC runs, with one line naming what was wrong. */
class TraceValidationBatchTest {
  private static final String HEADER =
      "{\"action\":\"Init\",\"hsms\":%d,\"sites\":[[0]],\"users\":[%s],\"seed\":\"1\",\"schedule\":\"x\"}";

  private static String trace(int hsms, String users) {
    return "[" + String.format(HEADER, hsms, users) + ",{\"action\":\"Timeout\",\"node\":0}]";
  }

  private static String refusal(List<String> traces) {
    return assertThrows(TraceCheckException.class, () -> TraceValidation.read(traces)).getMessage();
  }

  /** A trace logging an integer TLC cannot hold is rejected without TLC, and does not stop the others. */
  @Test
  void anIntegerOutsideTlcsRangeRejectsItsTraceWithoutTlc() throws Exception {
    String huge = "[" + String.format(HEADER, 3, "\"a\"")
        + ",{\"action\":\"Timeout\",\"node\":0},{\"action\":\"HandleVote\",\"node\":0,\"msg\":{\"mterm\":"
        + "2305843009213693955}}]";
    assertEquals(3, TraceValidation.read(List.of(huge)).get(0).outOfRangeEvent());
    assertEquals(0, TraceValidation.read(List.of(trace(3, "\"a\""))).get(0).outOfRangeEvent());
    TraceReport report = TraceValidation.validate(List.of(huge), new TraceValidation.Settings(Path.of("spec"),
        Path.of("target", "out-of-range"), Set.of(), 1, Duration.ofSeconds(1)));
    assertEquals(TraceVerdict.Status.OUT_OF_RANGE, report.verdicts().get(0).status());
    assertTrue(report.verdicts().get(0).describe().contains("outside TLC's 32-bit range"));
  }

  @Test
  void tracesOfOneBatchShareFleetSizeAndUsers() {
    assertEquals(2, TraceValidation.read(List.of(trace(3, "\"a\",\"b\""), trace(3, "\"b\",\"a\""))).size());
    assertTrue(refusal(List.of(trace(3, "\"a\""), trace(5, "\"a\""))).startsWith("trace 2: fleet of 5 HSMs"));
    assertTrue(refusal(List.of(trace(3, "\"a\""), trace(3, "\"b\""))).startsWith("trace 2: fleet of 3 HSMs with users [b]"));
  }

  @Test
  void malformedTracesAreNamed() {
    assertTrue(refusal(List.of("[")).startsWith("trace 1: not valid JSON: "));
    assertEquals("trace 1: event 1 must be the header, with action \"Init\"",
        refusal(List.of("[{\"action\":\"Timeout\"}]")));
    assertEquals("trace 1: header's hsms must be an integer in 1.." + RenderedTrace.HSMS_MAX,
        refusal(List.of(trace(0, "\"a\""))));
    assertTrue(refusal(List.of(trace(3, "\"a\\\"b\""))).startsWith("trace 1: user \"a\\\"b\" must be"));
    assertEquals("a batch holds 1.." + TraceValidation.TRACES_MAX + " traces, got 0", refusal(List.of()));
    assertEquals("a batch holds 1.." + TraceValidation.TRACES_MAX + " traces, got " + (TraceValidation.TRACES_MAX + 1),
        refusal(Collections.nCopies(TraceValidation.TRACES_MAX + 1, trace(3, "\"a\""))));
  }

  @Test
  void settingsRefuseWhatWouldBreakTheConfig() {
    Path dir = Path.of("work");
    assertThrows(TraceCheckException.class,
        () -> new TraceValidation.Settings(dir, dir, Set.of("No Such"), 1, Duration.ofMinutes(1)));
    assertThrows(TraceCheckException.class,
        () -> new TraceValidation.Settings(dir, Path.of("a\"b"), Set.of(), 1, Duration.ofMinutes(1)));
    assertThrows(TraceCheckException.class, () -> new TraceValidation.Settings(dir, dir, Set.of(), 0, Duration.ofMinutes(1)));
  }

  @Test
  void theConfigDescribesTheTracesFleet() {
    String config = TraceModel.config(TraceValidation.read(List.of(trace(5, "\"u1\",\"u0\""))), Set.of("HalfQuorum"),
        Path.of("/w/batch.json"));
    assertTrue(config.contains("  Server = {0, 1, 2, 3, 4}\n  Datacenters = 5\n  User = {\"u0\", \"u1\"}\n"), config);
    assertTrue(config.contains("  MaxRollbacks = 5\n"), config);
    assertTrue(config.contains("  MaxTerm = " + TraceModel.BOUND_MIN + "\n"), config);
    assertTrue(config.contains("  Bugs = {\"HalfQuorum\"}\n  Nil = Nil\n  TraceFile = \"/w/batch.json\"\n"), config);
    assertTrue(config.endsWith("INVARIANTS\n  " + TraceModel.INVARIANTS + "\n"), config);
  }
}
