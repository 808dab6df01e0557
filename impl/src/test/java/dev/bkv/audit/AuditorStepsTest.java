package dev.bkv.audit;

import static dev.bkv.audit.AuditorTest.assertFails;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.bundle.BundleFixtures;
import dev.bkv.bundle.ValidationBundle;
import dev.bkv.bundle.WitnessedBundle;
import dev.bkv.crypto.Sha256Digest;
import dev.bkv.evidence.DeploymentEvidence;
import dev.bkv.evidence.FleetRun;
import dev.bkv.fleet.MemberKeys;
import dev.bkv.tlog.SignedNote;
import dev.bkv.tlog.TileClient;
import dev.bkv.tlog.VerifiedCheckpoint;
import dev.bkv.witness.BundleReceipt;
import dev.bkv.witness.CrashPoints;
import dev.bkv.witness.Witness;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each of the auditor's steps on its own: the failure it reports and the detail a passing step
 * gives, one tampering or one missing input at a time, so that every reason the report can
 * state is one a test has seen.
 */
class AuditorStepsTest {
  @TempDir Path temp;

  private static Auditor.Inputs with(Auditor.Inputs in, AuditWorld other) {
    return new Auditor.Inputs(in.log(), other.policy(), in.witnessBundleKey(), in.namespace(), in.witnessed(),
        in.evidence(), in.pinned(), in.vendorRoot(), in.expectedJar(), in.lastAudited());
  }

  private static String stepDetail(Auditor.Outcome outcome, int epochIndex, String step) {
    return outcome.report().epochs().get(epochIndex).steps().stream().filter(s -> s.name().equals(step)).findFirst()
        .orElseThrow().detail();
  }

  @Test
  void aLogWhoseCheckpointIsNotSignedByTheLogKey_failsAtReadingIt() throws Exception {
    try (AuditWorld w = new AuditWorld(temp.resolve("w")); AuditWorld impostor = new AuditWorld(temp.resolve("i"))) {
      AuditWorld.Fleet one = w.fleet("fleet-1", 3);
      w.publish(AuditWorld.bundle(one, one, 1, Optional.empty()));
      Auditor.Outcome outcome = Auditor.audit(with(w.inputs(Optional.empty(), Optional.of(FleetRun.JAR), Optional.empty()),
          impostor));
      assertFails(outcome, "read log: log checkpoint:");
      assertTrue(outcome.report().epochs().isEmpty(), "nothing of an unverified log is audited");
    }
  }

  @Test
  void aLogWithoutABundleOfTheNamespace_fails_andNotesWhatItHolds() throws Exception {
    try (AuditWorld w = new AuditWorld(temp)) {
      AuditWorld.Fleet one = w.fleet("fleet-1", 3);
      ValidationBundle foreign = ValidationBundle.of("other.example", "fleet-1", 1, AuditWorld.NOT_BEFORE,
          AuditWorld.NOT_AFTER, one.ceremony().members(), one.evidence().digest(), Optional.empty());
      w.publish(foreign);
      w.witness.log().append("not a bundle\n".getBytes(StandardCharsets.UTF_8));
      Auditor.Outcome outcome = w.audit();
      assertFails(outcome, "fleet bundles: the log holds no validation bundle of namespace " + BundleFixtures.NAMESPACE);
      String text = outcome.report().toText();
      assertTrue(text.contains("note: log entry 0 is a bundle of another namespace, other.example"), text);
      assertTrue(text.contains("note: log entry 1 is not a validation bundle"), text);
      assertTrue(text.contains("[FAIL] fleet bundles"), text);
      assertTrue(text.contains("[ok]   read log: checkpoint of size 2"), text);
      assertTrue(text.endsWith("AUDIT FAILED: fleet bundles: the log holds no validation bundle of namespace "
          + BundleFixtures.NAMESPACE + "\n"), text);
      // Without a namespace to look for, the foreign bundle is audited like any other.
      Auditor.Inputs in = w.inputs(Optional.empty(), Optional.of(FleetRun.JAR), Optional.empty());
      Auditor.Outcome any = Auditor.audit(new Auditor.Inputs(in.log(), in.logPolicy(), in.witnessBundleKey(),
          Optional.empty(), in.witnessed(), in.evidence(), in.pinned(), in.vendorRoot(), in.expectedJar(),
          in.lastAudited()));
      assertEquals(1, any.report().epochs().size(), any.report().toText());
    }
  }

  @Test
  void thePinnedFleet_isNamedInTheKeysStepOfEachEpoch() throws Exception {
    try (AuditWorld w = new AuditWorld(temp)) {
      AuditWorld.Fleet one = w.fleet("fleet-1", 3);
      AuditWorld.Fleet two = w.fleet("fleet-2", 3);
      ValidationBundle b1 = AuditWorld.bundle(one, one, 1, Optional.empty());
      w.publish(b1);
      w.publish(AuditWorld.bundle(two, two, 2, Optional.of(b1.digest())));
      Auditor.Outcome outcome = Auditor.audit(w.inputs(Optional.of(b1), Optional.of(FleetRun.JAR), Optional.empty()));
      assertTrue(outcome.report().passed(), outcome.report().toText());
      assertTrue(stepDetail(outcome, 0, "fleet keys").endsWith(" (the pinned fleet)"), outcome.report().toText());
      assertTrue(stepDetail(outcome, 1, "fleet keys").endsWith(" (not the pinned fleet)"), outcome.report().toText());
      assertTrue(stepDetail(outcome, 0, "fleet keys").startsWith("3 HSMs, quorum 2, key set "), outcome.report().toText());
      assertEquals("epoch 1 -> 2, chained to the previous bundle", stepDetail(outcome, 1, "epoch and chain"));
      assertEquals("epoch 1, the first of this log", stepDetail(outcome, 0, "epoch and chain"));
      // Without a pin the keys step says nothing about one.
      Auditor.Outcome unpinned = w.audit();
      assertFalse(stepDetail(unpinned, 0, "fleet keys").contains("pinned"), unpinned.report().toText());
    }
  }

  @Test
  void evidenceThatIsNotPublished_failsTheEvidenceAndSignatureSteps() throws Exception {
    try (AuditWorld w = new AuditWorld(temp)) {
      AuditWorld.Fleet one = w.fleet("fleet-1", 3);
      ValidationBundle b1 = AuditWorld.bundle(one, one, 1, Optional.empty());
      w.publish(b1);
      w.evidence.clear();
      Auditor.Outcome outcome = w.audit();
      assertFails(outcome, "epoch 1, evidence: no published evidence has the digest " + b1.evidenceDigest().toHex());
      assertEquals("no verified operator key to check the countersignature with", stepDetail(outcome, 0, "signatures"));
      assertTrue(outcome.report().toText().contains("epoch 1  fleet fleet-1  log index 0  FAILED"),
          outcome.report().toText());
    }
  }

  @Test
  void withoutAPinnedRootOrARebuiltJar_theEvidenceStepSaysWhatWasTakenOnTrust() throws Exception {
    try (AuditWorld w = new AuditWorld(temp)) {
      AuditWorld.Fleet one = w.fleet("fleet-1", 3);
      w.publish(AuditWorld.bundle(one, one, 1, Optional.empty()));
      Auditor.Inputs in = w.inputs(Optional.empty(), Optional.empty(), Optional.empty());
      Auditor.Outcome outcome = Auditor.audit(new Auditor.Inputs(in.log(), in.logPolicy(), in.witnessBundleKey(),
          in.namespace(), in.witnessed(), in.evidence(), in.pinned(), Optional.empty(), in.expectedJar(),
          in.lastAudited()));
      assertTrue(outcome.report().passed(), outcome.report().toText());
      String detail = stepDetail(outcome, 0, "evidence");
      assertTrue(detail.contains(" (vendor root taken from the evidence) (vault jar not compared with a rebuild)"), detail);
      String pinned = stepDetail(w.audit(), 0, "evidence");
      assertTrue(pinned.endsWith("verifies and describes this fleet; the fleet runs the rebuilt vault jar"), pinned);
    }
  }

  @Test
  void aWitnessedBundleWithAnotherBundlesSignatureOrProof_fails() throws Exception {
    try (AuditWorld w = new AuditWorld(temp)) {
      AuditWorld.Fleet one = w.fleet("fleet-1", 3);
      AuditWorld.Fleet two = w.fleet("fleet-2", 3);
      ValidationBundle b1 = AuditWorld.bundle(one, one, 1, Optional.empty());
      WitnessedBundle w1 = w.publish(b1);
      WitnessedBundle w2 = w.publish(AuditWorld.bundle(two, two, 2, Optional.of(b1.digest())));
      w.witnessed.set(0, WitnessedBundle.of(b1, w2.witnessSignature(), w1.proof(), w2.countersignature()));
      assertFails(w.audit(), "epoch 1, signatures: the witness signature does not verify under witness.example.com/w1");
      w.witnessed.set(0, WitnessedBundle.of(b1, w1.witnessSignature(), w2.proof(), w1.countersignature()));
      assertFails(w.audit(), "epoch 1, log entry: the witnessed bundle claims index 1, the log has it at 0");
    }
  }

  @Test
  void aReceiptFromAnotherLogUnderTheSameName_fails() throws Exception {
    try (AuditWorld w = new AuditWorld(temp.resolve("w")); AuditWorld other = new AuditWorld(temp.resolve("o"))) {
      AuditWorld.Fleet one = w.fleet("fleet-1", 3);
      ValidationBundle b1 = AuditWorld.bundle(one, one, 1, Optional.empty());
      WitnessedBundle honest = w.publish(b1);
      WitnessedBundle elsewhere = other.publish(b1);
      w.witnessed.set(0, WitnessedBundle.of(b1, honest.witnessSignature(), elsewhere.proof(), honest.countersignature()));
      assertFails(w.audit(), "epoch 1, log entry: the witnessed bundle's receipt does not verify: ");
    }
  }

  @Test
  void aReissuedEpoch_passesWithTheSameLink_andFailsWithAnother() throws Exception {
    try (AuditWorld w = new AuditWorld(temp.resolve("same"))) {
      AuditWorld.Fleet one = w.fleet("fleet-1", 3);
      w.publish(AuditWorld.bundle(one, one, 1, Optional.empty()));
      // The same keys and link, valid one second less: a re-issue, not a duplicate entry.
      w.publish(ValidationBundle.of(BundleFixtures.NAMESPACE, "fleet-1", 1, AuditWorld.NOT_BEFORE,
          AuditWorld.NOT_AFTER - 1, one.ceremony().members(), one.evidence().digest(), Optional.empty()));
      Auditor.Outcome outcome = w.audit();
      assertTrue(outcome.report().passed(), outcome.report().toText());
      assertEquals("epoch 1 re-issued with the same keys", stepDetail(outcome, 1, "epoch and chain"));
    }
    try (AuditWorld w = new AuditWorld(temp.resolve("other"))) {
      AuditWorld.Fleet one = w.fleet("fleet-1", 3);
      w.publish(AuditWorld.bundle(one, one, 2, Optional.of(Sha256Digest.of(new byte[] {1}))));
      w.publish(AuditWorld.bundle(one, one, 2, Optional.of(Sha256Digest.of(new byte[] {2}))));
      Auditor.Outcome outcome = w.audit();
      assertEquals("first bundle in the log is epoch 2; its previous bundle is not in this log",
          stepDetail(outcome, 0, "epoch and chain"));
      assertFails(outcome, "epoch 2, epoch and chain: a re-issue of epoch 2 names a different previous bundle");
    }
  }

  @Test
  void aLastAuditedCheckpointUnderAnotherKey_failsTheConsistencyStep() throws Exception {
    try (AuditWorld w = new AuditWorld(temp.resolve("w")); AuditWorld impostor = new AuditWorld(temp.resolve("i"))) {
      AuditWorld.Fleet one = w.fleet("fleet-1", 3);
      w.publish(AuditWorld.bundle(one, one, 1, Optional.empty()));
      AuditWorld.Fleet stranger = impostor.fleet("fleet-1", 3);
      impostor.publish(AuditWorld.bundle(stranger, stranger, 1, Optional.empty()));
      SignedNote foreign = impostor.audit().audited().orElseThrow();
      assertFails(Auditor.audit(w.inputs(Optional.empty(), Optional.of(FleetRun.JAR), Optional.of(foreign))),
          "log consistency: the checkpoint of the last audit does not verify: ");
      Auditor.Outcome first = w.audit();
      assertEquals("no earlier audit to compare with (first audit)", first.report().toText().lines()
          .filter(l -> l.contains("log consistency")).findFirst().orElseThrow().replace("  [ok]   log consistency: ", ""));
      Auditor.Outcome again = Auditor.audit(w.inputs(Optional.empty(), Optional.of(FleetRun.JAR), first.audited()));
      assertTrue(again.report().toText().contains("[ok]   log consistency: the log extends the checkpoint of size 1 audited"
          + " before"), again.report().toText());
    }
  }

  @Test
  void theJsonReport_hasEveryStepAndTheFirstFailure() throws Exception {
    try (AuditWorld w = new AuditWorld(temp)) {
      AuditWorld.Fleet one = w.fleet("fleet-1", 3);
      w.publish(AuditWorld.bundle(one, one, 1, Optional.empty()));
      w.witnessed.clear();
      Map<String, Object> json = w.audit().report().toJson();
      assertEquals(false, json.get("passed"));
      assertTrue(((String) json.get("failure")).startsWith("epoch 1, log entry: entry 0 proved"), json.toString());
      List<?> epochs = (List<?>) json.get("epochs");
      Map<?, ?> section = (Map<?, ?>) epochs.get(0);
      assertEquals(1L, section.get("epoch"));
      assertEquals("fleet-1", section.get("fleetId"));
      assertEquals(0L, section.get("logIndex"));
      List<?> steps = (List<?>) section.get("steps");
      assertEquals(5, steps.size());
      assertEquals(Map.of("step", "fleet keys", "ok", true, "detail", ((Map<?, ?>) steps.get(0)).get("detail")),
          steps.get(0));
      assertEquals(false, ((Map<?, ?>) steps.get(1)).get("ok"));
      List<?> logSteps = (List<?>) json.get("logSteps");
      assertEquals(List.of("read log", "log consistency", "fleet bundles"),
          logSteps.stream().map(s -> ((Map<?, ?>) s).get("step")).toList());
      assertFalse(w.audit().report().epochs().get(0).steps().isEmpty());
    }
  }

  @Test
  void evidenceCheck_refusesEvidenceThatDoesNotDescribeTheBundle() throws Exception {
    try (AuditWorld w = new AuditWorld(temp)) {
      AuditWorld.Fleet one = w.fleet("fleet-1", 3);
      AuditWorld.Fleet two = w.fleet("fleet-2", 3);
      AuditWorld.Fleet five = w.fleet("fleet-1", 5);
      var root = w.base.vendor.root();
      ValidationBundle b1 = AuditWorld.bundle(one, one, 1, Optional.empty());
      assertEquals("the evidence's SHA-256 is not the digest the bundle names",
          EvidenceCheck.check(b1, two.evidence(), root, FleetRun.JAR).reasonOrEmpty());
      assertEquals("evidence is for " + BundleFixtures.NAMESPACE + " fleet fleet-2, the bundle for "
          + BundleFixtures.NAMESPACE + " fleet fleet-1",
          EvidenceCheck.check(AuditWorld.bundle(one, two, 1, Optional.empty()), two.evidence(), root, FleetRun.JAR)
              .reasonOrEmpty());
      assertEquals("evidence quorum 3 differs from the bundle's 2",
          EvidenceCheck.check(AuditWorld.bundle(one, five, 1, Optional.empty()), five.evidence(), root, FleetRun.JAR)
              .reasonOrEmpty());
      // The same HSMs and keys, two of them swapped between their datacenters.
      List<MemberKeys> members = new java.util.ArrayList<>(one.ceremony().members());
      MemberKeys first = members.get(0);
      MemberKeys second = members.get(1);
      members.set(0, new MemberKeys(first.hsmId(), second.datacenter(), first.identityKey(), first.opaqueServerKey()));
      members.set(1, new MemberKeys(second.hsmId(), first.datacenter(), second.identityKey(), second.opaqueServerKey()));
      ValidationBundle moved = ValidationBundle.of(BundleFixtures.NAMESPACE, "fleet-1", 1, AuditWorld.NOT_BEFORE,
          AuditWorld.NOT_AFTER, members, one.evidence().digest(), Optional.empty());
      String swap = EvidenceCheck.check(moved, one.evidence(), root, FleetRun.JAR).reasonOrEmpty();
      assertTrue(swap.matches("HSM [0-9a-f]+ is in dc-\\d per the evidence, dc-\\d per the bundle"), swap);
      // The same HSMs with another fleet's OPAQUE server key.
      List<MemberKeys> rekeyed = one.ceremony().members().stream().map(m -> new MemberKeys(m.hsmId(), m.datacenter(),
          m.identityKey(), two.ceremony().opaqueServerKey())).toList();
      ValidationBundle wrongKey = ValidationBundle.of(BundleFixtures.NAMESPACE, "fleet-1", 1, AuditWorld.NOT_BEFORE,
          AuditWorld.NOT_AFTER, rekeyed, one.evidence().digest(), Optional.empty());
      String rekey = EvidenceCheck.check(wrongKey, one.evidence(), root, FleetRun.JAR).reasonOrEmpty();
      assertTrue(rekey.matches("HSM [0-9a-f]+: the bundle's OPAQUE server key is not the attested one"), rekey);
      // Four of the five attested HSMs, one per datacenter: the quorum (3) is the same, the count is not.
      List<MemberKeys> fourOfFive = new java.util.ArrayList<>();
      for (MemberKeys m : five.ceremony().members().subList(0, 4)) {
        fourOfFive.add(new MemberKeys(m.hsmId(), "dc-" + (fourOfFive.size() + 1), m.identityKey(), m.opaqueServerKey()));
      }
      ValidationBundle fewer = ValidationBundle.of(BundleFixtures.NAMESPACE, "fleet-1", 1, AuditWorld.NOT_BEFORE,
          AuditWorld.NOT_AFTER, fourOfFive, five.evidence().digest(), Optional.empty());
      assertEquals("evidence lists 5 HSMs, the bundle 4", EvidenceCheck.check(fewer, five.evidence(), root, FleetRun.JAR)
          .reasonOrEmpty());
      assertTrue(EvidenceCheck.check(b1, one.evidence(), root, FleetRun.JAR).isVerified());
    }
  }

  @Test
  void anAuditReadsAtMostTheLimitOfPublishedFiles() throws Exception {
    try (AuditWorld w = new AuditWorld(temp)) {
      AuditWorld.Fleet one = w.fleet("fleet-1", 3);
      Auditor.Inputs in = w.inputs(Optional.empty(), Optional.of(FleetRun.JAR), Optional.empty());
      var atLimit = java.util.Collections.nCopies(Auditor.PUBLISHED_FILES_MAX, one.evidence());
      assertEquals(Auditor.PUBLISHED_FILES_MAX, new Auditor.Inputs(in.log(), in.logPolicy(), in.witnessBundleKey(),
          in.namespace(), List.of(), atLimit, in.pinned(), in.vendorRoot(), in.expectedJar(), in.lastAudited())
          .evidence().size());
      var overLimit = java.util.Collections.nCopies(Auditor.PUBLISHED_FILES_MAX + 1, one.evidence());
      IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
          () -> new Auditor.Inputs(in.log(), in.logPolicy(), in.witnessBundleKey(), in.namespace(), List.of(), overLimit,
              in.pinned(), in.vendorRoot(), in.expectedJar(), in.lastAudited()));
      assertEquals("an audit reads at most " + Auditor.PUBLISHED_FILES_MAX + " published files", e.getMessage());
    }
  }

  @Test
  void evidenceWhoseVendorRootIsNotACertificate_failsTheEvidenceStepWhenNoRootIsPinned() throws Exception {
    try (AuditWorld w = new AuditWorld(temp)) {
      AuditWorld.Fleet one = w.fleet("fleet-1", 3);
      DeploymentEvidence e = one.evidence();
      DeploymentEvidence broken = new DeploymentEvidence(e.ceremonyTimeSeconds(), e.vaultJar(), e.transcriptDigest(),
          "not a certificate".getBytes(StandardCharsets.US_ASCII), e.operatorCertificateDer(), e.config(),
          e.hsms(), e.transcript());
      w.evidence.add(broken);
      AuditWorld.Fleet keys = new AuditWorld.Fleet(one.ceremony(), broken);
      w.publish(AuditWorld.bundle(keys, keys, 1, Optional.empty()));
      Auditor.Inputs in = w.inputs(Optional.empty(), Optional.of(FleetRun.JAR), Optional.empty());
      Auditor.Outcome outcome = Auditor.audit(new Auditor.Inputs(in.log(), in.logPolicy(), in.witnessBundleKey(),
          in.namespace(), in.witnessed(), in.evidence(), in.pinned(), Optional.empty(), in.expectedJar(), in.lastAudited()));
      String detail = stepDetail(outcome, 0, "evidence");
      assertTrue(detail.startsWith("the evidence's vendor root: "), detail);
    }
  }

  @Test
  void tilesThatDoNotProveTheLogsCheckpoint_leaveTheComparisonUndecided() throws Exception {
    try (AuditWorld w = new AuditWorld(temp.resolve("w")); AuditWorld other = new AuditWorld(temp.resolve("o"))) {
      w.witness.log().append(BundleFixtures.bundle("fleet-1", 1, Optional.empty()).toBytes());
      VerifiedCheckpoint seen = w.policy().verify(w.witness.log().checkpoint()).value();
      w.witness.log().append(BundleFixtures.bundle("fleet-2", 1, Optional.empty()).toBytes());
      other.witness.log().append(BundleFixtures.bundle("fleet-3", 1, Optional.empty()).toBytes());
      other.witness.log().append(BundleFixtures.bundle("fleet-4", 1, Optional.empty()).toBytes());
      VerifiedCheckpoint served = w.policy().verify(w.witness.log().checkpoint()).value();
      TileClient foreignTiles = new TileClient(new LogReaderTest.ServiceFetcher(other.witness.service()),
          served.checkpoint());
      Optional<String> problem = Auditor.disagreement(seen, new LogReader.LogSnapshot(served, List.of(), foreignTiles));
      assertTrue(problem.orElseThrow().startsWith("the consistency data offered does not verify"), problem.toString());
    }
  }

  @Test
  void aReceiptFromAForkUnderTheSameKey_failsTheLogEntryStep() throws Exception {
    try (AuditWorld w = new AuditWorld(temp.resolve("w"))) {
      // A copy of the empty witness holds the same keys: what it logs next is a fork of the same log.
      Path forkDir = temp.resolve("fork");
      try (var files = java.nio.file.Files.walk(temp.resolve("w"))) {
        for (Path from : files.toList()) {
          java.nio.file.Files.copy(from, forkDir.resolve(temp.resolve("w").relativize(from).toString()));
        }
      }
      AuditWorld.Fleet one = w.fleet("fleet-1", 3);
      ValidationBundle b1 = AuditWorld.bundle(one, one, 1, Optional.empty());
      WitnessedBundle honest = w.publish(b1);
      w.witness.log().append(BundleFixtures.bundle("fleet-2", 1, Optional.empty()).toBytes());
      try (Witness fork = Witness.open(forkDir, () -> AuditWorld.NOT_BEFORE, CrashPoints.NONE)) {
        fork.log().append(b1.toBytes());
        fork.log().append(BundleFixtures.bundle("fleet-3", 1, Optional.empty()).toBytes());
        // Asked again for b1, the fork answers with its current checkpoint: size 2, another root than the log's.
        BundleReceipt forked = fork.log().append(b1.toBytes());
        w.witnessed.set(0, WitnessedBundle.of(b1, forked.bundleSignature(), forked.proof(), honest.countersignature()));
      }
      assertFails(w.audit(), "epoch 1, log entry: the receipt's checkpoint disagrees with the log: ");
    }
  }
}
