package dev.bkv.tracecheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Spec-level negative: with a protection removed from the spec, the valid trace no longer matches it. */
class TraceValidationBugTest {
  @TempDir Path tmp;

  @Test
  void theValidTraceIsRejectedBySpecThatCommitsWithoutMajority() throws Exception {
    TraceReport report = TraceValidation.validate(List.of(HandTraces.batch().get(0)),
        HandTraces.settings(tmp, Set.of("CommitWithoutMajority")));
    TraceVerdict verdict = report.verdicts().get(0);
    assertFalse(verdict.accepted(), report.describe());
    assertEquals(TraceVerdict.Status.REJECTED, verdict.status(), verdict.describe());
    // The buggy spec commits the leader's no-op as soon as it is appended; the Java leader waited.
    assertEquals(6, verdict.stuck().orElseThrow().event());
    assertEquals("commit", verdict.stuck().orElseThrow().fields().get(0).field());
  }
}
