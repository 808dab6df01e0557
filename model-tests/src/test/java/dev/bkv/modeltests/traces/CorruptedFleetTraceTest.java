package dev.bkv.modeltests.traces;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.base.Json;
import dev.bkv.sim.TracedRuns;
import dev.bkv.tracecheck.TraceReport;
import dev.bkv.tracecheck.TraceVerdict;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The trace checker can fail on real traces: a trace of the Java fleet that TLC accepts is
 * rejected once an event is dropped, two causally ordered events are swapped, a logged field
 * is altered, or a delivered message is one no HSM sent; and the same valid trace is rejected
 * by a spec with a protection removed (a spec-level negative switch).
 */
class CorruptedFleetTraceTest {
  private static final long SEED = 1;

  @Test
  void corruptedCopiesOfAValidTraceAreRejected() {
    String valid = TracedRuns.run(TracedRuns.schedule(SEED, 3), SEED).trace();
    Map<String, UnaryOperator<List<Object>>> corruptions = new LinkedHashMap<>();
    corruptions.put("an event dropped", events -> {
      events.remove(indexOf(events, "HandleVote", 0));
      return events;
    });
    corruptions.put("a request received before it was sent", events -> {
      int timeout = indexOf(events, "Timeout", 0);
      int receive = indexOf(events, "HandleRequestVote", timeout);
      events.add(timeout, events.remove(receive));
      return events;
    });
    corruptions.put("a logged field altered", events -> {
      Map<String, Object> post = map(map(events.get(indexOf(events, "PersistHead", 0))).get("post"));
      post.put("commit", ((BigInteger) post.get("commit")).add(BigInteger.ONE));
      return events;
    });
    corruptions.put("a message no HSM sent", events -> {
      Map<String, Object> msg = map(map(events.get(indexOf(events, "HandleAppendEntries", 0))).get("msg"));
      msg.put("mcommitIndex", ((BigInteger) msg.get("mcommitIndex")).add(BigInteger.valueOf(7)));
      return events;
    });
    List<String> batch = new ArrayList<>(List.of(valid));
    for (UnaryOperator<List<Object>> corrupt : corruptions.values()) {
      batch.add(Json.write(corrupt.apply(events(valid))));
    }
    TraceReport report = FleetTraces.validate(batch, "corrupted", Set.of());
    System.out.print("traces: corrupted copies: " + report.describe());
    assertTrue(report.verdicts().get(0).accepted(), "the valid trace: " + report.verdicts().get(0).describe());
    List<String> names = new ArrayList<>(corruptions.keySet());
    for (int k = 0; k < names.size(); k++) {
      TraceVerdict v = report.verdicts().get(k + 1);
      assertEquals(TraceVerdict.Status.REJECTED, v.status(), names.get(k) + ": " + v.describe());
    }
  }

  @Test
  void aSpecWithAProtectionRemovedRejectsValidTraces() {
    String valid = TracedRuns.run(TracedRuns.schedule(SEED, 3), SEED).trace();
    for (String bug : List.of("CommitWithoutMajority", "ReleaseBeforeCommit")) {
      TraceReport report = FleetTraces.validate(List.of(valid), "negative-" + bug, Set.of(bug));
      System.out.print("traces: spec without " + bug + ": " + report.describe());
      assertEquals(TraceVerdict.Status.REJECTED, report.verdicts().get(0).status(), report.describe());
    }
  }

  /** The trace's events, as values this test may change (the parser's are read-only). */
  @SuppressWarnings("unchecked")
  private static List<Object> events(String trace) {
    return (List<Object>) mutable(Json.parse(trace));
  }

  private static Object mutable(Object value) {
    if (value instanceof List) {
      List<Object> copy = new ArrayList<>();
      ((List<?>) value).forEach(v -> copy.add(mutable(v)));
      return copy;
    }
    if (value instanceof Map) {
      Map<String, Object> copy = new LinkedHashMap<>();
      ((Map<?, ?>) value).forEach((k, v) -> copy.put((String) k, mutable(v)));
      return copy;
    }
    return value;
  }

  private static int indexOf(List<Object> events, String action, int from) {
    for (int i = from; i < events.size(); i++) {
      if (action.equals(map(events.get(i)).get("action"))) {
        return i;
      }
    }
    throw new AssertionError("the trace has no " + action + " after event " + from);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object value) {
    return (Map<String, Object>) value;
  }
}
