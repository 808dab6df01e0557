package dev.bkv.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.base.Json;
import dev.bkv.bundle.BundleFixtures;
import dev.bkv.bundle.OperatorCountersignature;
import dev.bkv.bundle.ValidationBundle;
import dev.bkv.bundle.WitnessedBundle;
import dev.bkv.crypto.Sha256Digest;
import dev.bkv.evidence.FleetRun;
import dev.bkv.tlog.Checkpoint;
import dev.bkv.tlog.MerkleTree;
import dev.bkv.tlog.SignedNote;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The auditor's five steps (issue 4; G5 and G7 from the auditor's side, G6 against its last
 * audit): an honest two-epoch log passes with a readable report and a key-set diff, and each
 * tampering fails with the step and reason that name it.
 */
class AuditorTest {
  @TempDir Path temp;

  static void assertFails(Auditor.Outcome outcome, String failurePart) {
    String report = outcome.report().toText();
    assertFalse(outcome.report().passed(), report);
    assertTrue(outcome.audited().isEmpty(), "a failed audit stores no checkpoint");
    String failure = outcome.report().firstFailure().orElseThrow();
    assertTrue(failure.contains(failurePart), "expected '" + failurePart + "' in: " + failure + "\n" + report);
  }

  @Test
  void anHonestRotationPasses_withTheKeySetDiffInTheReport() throws Exception {
    try (AuditWorld w = new AuditWorld(temp)) {
      AuditWorld.Fleet one = w.fleet("fleet-1", 3);
      AuditWorld.Fleet two = w.fleet("fleet-2", 5);
      ValidationBundle b1 = AuditWorld.bundle(one, one, 1, Optional.empty());
      w.publish(b1);
      w.witness.log().append("an entry that is not a bundle\n".getBytes(StandardCharsets.UTF_8));
      w.publish(AuditWorld.bundle(two, two, 2, Optional.of(b1.digest())));
      Auditor.Outcome outcome = w.audit();
      String text = outcome.report().toText();
      assertTrue(outcome.report().passed(), text);
      assertEquals(2, outcome.report().epochs().size());
      assertTrue(text.contains("AUDIT PASSED"), text);
      assertTrue(text.contains("log entry 1 is not a validation bundle"), text);
      List<String> changes = outcome.report().epochs().get(1).changes();
      assertEquals(5, changes.stream().filter(c -> c.startsWith("added HSM")).count(), changes.toString());
      assertEquals(3, changes.stream().filter(c -> c.startsWith("removed HSM")).count(), changes.toString());
      assertTrue(changes.contains("quorum 2 of 3 -> 3 of 5"), changes.toString());
      // The rotation is named first: which fleet replaces which, its HSMs added and removed, the OPAQUE key.
      assertTrue(changes.get(0).startsWith("fleet fleet-2 replaces fleet fleet-1: 5 HSMs added, 3 removed, OPAQUE server key "),
          changes.toString());
      assertTrue(text.contains("change: fleet fleet-2 replaces fleet fleet-1"), text);
      assertEquals(3, outcome.audited().orElseThrow().text().split("\n").length == 3 ? 3 : 0);
      Map<String, Object> json = Json.parseObject(Json.write(outcome.report().toJson()));
      assertEquals(true, json.get("passed"));

      // The next audit must find the log extending this one; pinned to fleet 1, it passes too.
      Auditor.Outcome again = Auditor.audit(w.inputs(Optional.of(b1), Optional.of(FleetRun.JAR), outcome.audited()));
      assertTrue(again.report().passed(), again.report().toText());
      assertTrue(again.report().toText().contains("the pinned key set is the one logged at index 0"), again.report().toText());
    }
  }

  @Test
  void evidenceThatDescribesAnotherFleet_fails() throws Exception {
    try (AuditWorld w = new AuditWorld(temp)) {
      AuditWorld.Fleet one = w.fleet("fleet-1", 3);
      AuditWorld.Fleet other = w.fleet("fleet-1", 3); // same name, other HSMs
      w.publish(AuditWorld.bundle(one, other, 1, Optional.empty()));
      assertFails(w.audit(), "epoch 1, evidence: HSM 1 is");
    }
  }

  @Test
  void aJarOtherThanTheRebuiltOne_fails() throws Exception {
    try (AuditWorld w = new AuditWorld(temp)) {
      AuditWorld.Fleet one = w.fleet("fleet-1", 3);
      w.publish(AuditWorld.bundle(one, one, 1, Optional.empty()));
      Sha256Digest rebuilt = Sha256Digest.of("another build".getBytes(StandardCharsets.US_ASCII));
      assertFails(Auditor.audit(w.inputs(Optional.empty(), Optional.of(rebuilt), Optional.empty())),
          "evidence does not verify: the evidence names vault jar " + FleetRun.JAR.toHex() + ", expected " + rebuilt.toHex());
    }
  }

  @Test
  void aKeySetChangedWithoutANewEpoch_fails() throws Exception {
    try (AuditWorld w = new AuditWorld(temp)) {
      AuditWorld.Fleet one = w.fleet("fleet-1", 3);
      AuditWorld.Fleet swapped = w.fleet("fleet-1", 3);
      ValidationBundle b1 = AuditWorld.bundle(one, one, 1, Optional.empty());
      w.publish(b1);
      w.publish(AuditWorld.bundle(swapped, swapped, 1, Optional.empty()));
      assertFails(w.audit(), "epoch 1, epoch and chain: the key set changed without a new epoch");
    }
  }

  @Test
  void aBrokenChainOrAnEpochGoingBack_fails() throws Exception {
    try (AuditWorld w = new AuditWorld(temp)) {
      AuditWorld.Fleet one = w.fleet("fleet-1", 3);
      AuditWorld.Fleet two = w.fleet("fleet-2", 3);
      w.publish(AuditWorld.bundle(one, one, 1, Optional.empty()));
      w.publish(AuditWorld.bundle(two, two, 2, Optional.of(Sha256Digest.of(new byte[] {1}))));
      assertFails(w.audit(), "epoch 2, epoch and chain: epoch 2 does not name the digest of the previous bundle");
    }
    try (AuditWorld w = new AuditWorld(temp.resolve("back"))) {
      AuditWorld.Fleet one = w.fleet("fleet-1", 3);
      AuditWorld.Fleet two = w.fleet("fleet-2", 3);
      ValidationBundle b2 = AuditWorld.bundle(two, two, 2, Optional.of(Sha256Digest.of(new byte[] {1})));
      w.publish(b2);
      w.publish(AuditWorld.bundle(one, one, 1, Optional.empty()));
      assertFails(w.audit(), "epoch 1, epoch and chain: epoch goes back from 2 to 1");
    }
  }

  @Test
  void missingOrForgedSignatures_fail() throws Exception {
    try (AuditWorld w = new AuditWorld(temp)) {
      AuditWorld.Fleet one = w.fleet("fleet-1", 3);
      WitnessedBundle published = w.publish(AuditWorld.bundle(one, one, 1, Optional.empty()));
      w.witnessed.clear();
      assertFails(w.audit(), "epoch 1, log entry: entry 0 proved in the checkpoint of size 1, but no witnessed bundle");
      // A countersignature by a key other than the evidence's operator.
      w.witnessed.add(WitnessedBundle.of(published.bundle(), published.witnessSignature(), published.proof(),
          BundleFixtures.operatorKey().sign(OperatorCountersignature.message(published.witnessSignature()))));
      assertFails(w.audit(), "epoch 1, signatures: the operator countersignature does not verify");
    }
  }

  @Test
  void aLogThatForkedFromTheLastAudit_failsWithTheSplitView() throws Exception {
    try (AuditWorld w = new AuditWorld(temp)) {
      AuditWorld.Fleet one = w.fleet("fleet-1", 3);
      w.publish(AuditWorld.bundle(one, one, 1, Optional.empty()));
      w.witness.log().append("entry 1\n".getBytes(StandardCharsets.UTF_8));
      // The last audit saw a size-2 log whose second entry was something else.
      MerkleTree fork = new MerkleTree();
      fork.appendEntry(w.witnessed.get(0).bundleBytes());
      fork.appendEntry("a different entry 1\n".getBytes(StandardCharsets.UTF_8));
      SignedNote seen = SignedNote.sign(new Checkpoint(w.witness.keys().origin(), 2, fork.root()).text(),
          List.of(w.witness.keys().log()));
      assertFails(Auditor.audit(w.inputs(Optional.empty(), Optional.of(FleetRun.JAR), Optional.of(seen))),
          "log consistency: split view of witness.example.com/w1/bundles: size 2");
      // A log that serves less than a checkpoint it signed before.
      w.witness.log().append("entry 2\n".getBytes(StandardCharsets.UTF_8));
      MerkleTree longer = new MerkleTree();
      for (int i = 0; i < 5; i++) {
        longer.appendEntry(new byte[] {(byte) i});
      }
      SignedNote ahead = SignedNote.sign(new Checkpoint(w.witness.keys().origin(), 5, longer.root()).text(),
          List.of(w.witness.keys().log()));
      assertFails(Auditor.audit(w.inputs(Optional.empty(), Optional.of(FleetRun.JAR), Optional.of(ahead))),
          "log consistency: the log serves size 3 but signed a checkpoint of size 5 before");
    }
  }

  @Test
  void aPinnedFleetThatIsNotInTheLog_fails() throws Exception {
    try (AuditWorld w = new AuditWorld(temp)) {
      AuditWorld.Fleet one = w.fleet("fleet-1", 3);
      AuditWorld.Fleet never = w.fleet("fleet-9", 3);
      w.publish(AuditWorld.bundle(one, one, 1, Optional.empty()));
      ValidationBundle pinned = AuditWorld.bundle(never, never, 1, Optional.empty());
      assertFails(Auditor.audit(w.inputs(Optional.of(pinned), Optional.of(FleetRun.JAR), Optional.empty())),
          "pinned fleet: no logged bundle names the pinned key set of fleet fleet-9");
    }
  }
}
