package dev.bkv.audit;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.audit.AuditReport.EpochSection;
import dev.bkv.audit.AuditReport.Step;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The audit report as a person reads it: every step of every epoch on its own line, and an
 * epoch heading marked FAILED exactly when one of its steps failed.
 */
class AuditReportTest {
  @Test
  void anEpochIsMarkedFailedOnlyWhenOneOfItsStepsFailed_andEveryStepIsPrinted() {
    AuditReport report = new AuditReport("witness.test/bundles");
    report.logStep("log", true, "read 2 entries");
    report.epoch(new EpochSection(1, "fleet-1", 0, List.of(new Step("keys", true, "3 HSMs in 3 datacenters"),
        new Step("evidence", true, "verifies and describes this fleet")), List.of()));
    report.epoch(new EpochSection(2, "fleet-2", 1, List.of(new Step("keys", true, "3 HSMs in 3 datacenters"),
        new Step("signatures", false, "the countersignature does not verify")), List.of("fleet fleet-2 replaces fleet-1")));
    String text = report.toText();
    assertTrue(text.contains("\nepoch 1  fleet fleet-1  log index 0\n"), text);
    assertTrue(text.contains("\nepoch 2  fleet fleet-2  log index 1  FAILED\n"), text);
    assertTrue(text.contains("  [ok]   evidence: verifies and describes this fleet\n"), text);
    assertTrue(text.contains("  [FAIL] signatures: the countersignature does not verify\n"), text);
    assertTrue(text.endsWith("AUDIT FAILED: epoch 2, signatures: the countersignature does not verify\n"), text);
  }
}
