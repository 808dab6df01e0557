package dev.bkv.evidence;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.bundle.BundleFixtures;
import dev.bkv.fleet.FleetConfig;
import dev.bkv.tlog.Ed25519Note;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's directory, without the CLI around it: what 'fleet init' and 'fleet rotate'
 * leave on disk, what they refuse, and that a refused or failed run leaves nothing behind.
 */
class OperatorWorkspaceTest {
  static final String NAMESPACE = BundleFixtures.NAMESPACE;
  static final OperatorWorkspace.FleetShape FIRST = new OperatorWorkspace.FleetShape("fleet-1", 3, 3);

  @TempDir Path tmp;

  static OperatorWorkspace initialize(Path dir) throws Exception {
    return OperatorWorkspace.initialize(dir, NAMESPACE, FIRST, FleetRun.JAR, FleetRun.T0, FleetRun.RANDOM);
  }

  @Test
  void eachShapeRuleIsCheckedAtItsBounds() {
    assertEquals(Optional.empty(), new OperatorWorkspace.FleetShape("fleet-1", 3, 3).problem());
    assertEquals(Optional.empty(),
        new OperatorWorkspace.FleetShape("fleet-1", FleetConfig.HSMS_MAX, FleetConfig.DATACENTERS_MAX).problem());
    assertTrue(new OperatorWorkspace.FleetShape("Fleet 1", 3, 3).problem().isPresent());
    assertProblem("--hsms must be in [1, 64], got 0", new OperatorWorkspace.FleetShape("fleet-1", 0, 1));
    assertProblem("--hsms must be in [1, 64], got 65", new OperatorWorkspace.FleetShape("fleet-1", 65, 16));
    assertProblem("--datacenters must be in [1, min(--hsms, 16)], got 0", new OperatorWorkspace.FleetShape("fleet-1", 3, 0));
    assertProblem("--datacenters must be in [1, min(--hsms, 16)], got 4", new OperatorWorkspace.FleetShape("fleet-1", 3, 4));
    assertProblem("--datacenters must be in [1, min(--hsms, 16)], got 17",
        new OperatorWorkspace.FleetShape("fleet-1", 64, 17));
    // One HSM in one datacenter passes both counts and fails only the placement rule.
    String placement = new OperatorWorkspace.FleetShape("fleet-1", 1, 1).problem().orElseThrow();
    assertTrue(placement.startsWith("placement breaks G2") && placement.endsWith("; use more datacenters or more HSMs"),
        placement);
    assertTrue(new OperatorWorkspace.FleetShape("fleet-1", 4, 2).problem().orElseThrow().startsWith("placement breaks G2"));
    assertEquals(List.of("dc-1", "dc-2", "dc-3"), FIRST.datacenterNames());
    assertEquals(List.of("dc-1"), new OperatorWorkspace.FleetShape("fleet-1", 3, 1).datacenterNames());
  }

  private static void assertProblem(String expected, OperatorWorkspace.FleetShape shape) {
    assertEquals(Optional.of(expected), shape.problem());
  }

  @Test
  void initializeLeavesAWholeWorkspace_thatOpensAgain() throws Exception {
    Path dir = tmp.resolve("ops");
    OperatorWorkspace workspace = initialize(dir);

    assertEquals(dir.toAbsolutePath().normalize(), workspace.dir());
    assertEquals(NAMESPACE, workspace.namespace());
    assertEquals(List.of("fleet-1"), workspace.fleetIds());
    assertEquals("fleet-1", workspace.currentFleetId());
    assertFalse(Files.exists(tmp.resolve("ops.partial")));
    // The operator HSM's certificate is the vendor's, for the operator's identity key.
    byte[] certificate = Pem.decodeCertificate(Files.readAllBytes(dir.resolve("operator/device.crt"))).orElseThrow();
    assertTrue(workspace.vendor().root().verifyDevice(certificate, workspace.operator().identityPublicKey(), FleetRun.T0)
        .isVerified());
    // Each HSM of the fleet has its own directory and vendor certificate.
    for (int i = 1; i <= 3; i++) {
      assertTrue(Files.isRegularFile(dir.resolve("fleets/fleet-1/hsm-" + i + "/device.crt")), "hsm-" + i);
    }
    assertFalse(Files.exists(dir.resolve("fleets/fleet-1/hsm-0")));
    assertFalse(Files.exists(dir.resolve("fleets/fleet-1/hsm-4")));
    FleetConfig config = workspace.config("fleet-1");
    assertEquals(NAMESPACE, config.namespace());
    assertEquals(3, config.members().size());
    DeploymentEvidence evidence = DeploymentEvidence.parse(workspace.evidence("fleet-1"));
    assertEquals(config, evidence.config());
    assertEquals(FleetRun.JAR, evidence.vaultJar());
    assertTrue(EvidenceVerifier.verify(workspace.evidence("fleet-1"), workspace.vendor().root(), FleetRun.JAR).isVerified());

    OperatorWorkspace reopened = OperatorWorkspace.open(dir, FleetRun.RANDOM);
    assertEquals(NAMESPACE, reopened.namespace());
    assertEquals(workspace.operator().identityPublicKey(), reopened.operator().identityPublicKey());
    assertArrayEquals(workspace.vendor().root().der(), reopened.vendor().root().der());
    assertEquals(workspace.submissionKey().verifier().vkey(), reopened.submissionKey().verifier().vkey());
  }

  @Test
  void initializeRefusesBadInput_andWritesNothing() throws Exception {
    Path dir = tmp.resolve("ops");
    IllegalArgumentException badNamespace = assertThrows(IllegalArgumentException.class,
        () -> OperatorWorkspace.initialize(dir, "Not A Namespace", FIRST, FleetRun.JAR, FleetRun.T0, FleetRun.RANDOM));
    assertTrue(badNamespace.getMessage().startsWith("namespace"), badNamespace.getMessage());
    IllegalArgumentException badShape = assertThrows(IllegalArgumentException.class, () -> OperatorWorkspace.initialize(dir,
        NAMESPACE, new OperatorWorkspace.FleetShape("fleet-1", 0, 1), FleetRun.JAR, FleetRun.T0, FleetRun.RANDOM));
    assertEquals("--hsms must be in [1, 64], got 0", badShape.getMessage());
    assertFalse(Files.exists(dir));

    Files.createDirectories(dir);
    Files.writeString(dir.resolve("notes"), "mine\n");
    IllegalArgumentException notEmpty = assertThrows(IllegalArgumentException.class, () -> initialize(dir));
    assertEquals(dir.toAbsolutePath().normalize() + " exists and is not an empty directory", notEmpty.getMessage());
    assertEquals(List.of(dir.resolve("notes")), list(dir));

    Path file = tmp.resolve("file");
    Files.writeString(file, "x");
    assertThrows(IllegalArgumentException.class, () -> initialize(file));
    assertEquals("x", Files.readString(file));
    assertFalse(Files.exists(tmp.resolve("file.partial")));
  }

  @Test
  void anEmptyDirectoryIsTaken_andALeftoverPartialIsDiscarded() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("ops"));
    Path leftover = Files.createDirectories(tmp.resolve("ops.partial").resolve("fleets").resolve("stale"));
    Files.writeString(leftover.resolve("evidence.txt"), "from an interrupted run\n");

    OperatorWorkspace workspace = initialize(dir);

    assertEquals(List.of("fleet-1"), workspace.fleetIds());
    assertFalse(Files.exists(tmp.resolve("ops.partial")));
  }

  @Test
  void aRunThatFailsHalfWayLeavesNoDirectory() throws Exception {
    Path dir = tmp.resolve("ops");
    // No vault jar hash: the key ceremony fails after the vendor and HSMs were staged.
    assertThrows(RuntimeException.class,
        () -> OperatorWorkspace.initialize(dir, NAMESPACE, FIRST, null, FleetRun.T0, FleetRun.RANDOM));
    assertEquals(List.of(), list(tmp));

    OperatorWorkspace workspace = initialize(dir);
    assertThrows(RuntimeException.class, () -> workspace.createFleet(new OperatorWorkspace.FleetShape("fleet-2", 3, 3), null,
        FleetRun.T0, FleetRun.RANDOM));
    assertEquals(List.of(dir.resolve("fleets/fleet-1")), list(dir.resolve("fleets")));
    assertEquals("fleet-1", workspace.currentFleetId());
  }

  @Test
  void openRefusesWhatIsNotAWholeWorkspace() throws Exception {
    IOException none = assertThrows(IOException.class, () -> OperatorWorkspace.open(tmp, FleetRun.RANDOM));
    assertEquals(tmp + " is not an operator workspace (no namespace; run 'bkv fleet init')", none.getMessage());

    Path dir = tmp.resolve("ops");
    initialize(dir);
    Path certificate = dir.resolve("operator/device.crt");
    Files.writeString(certificate, "not a certificate\n");
    IOException notPem = assertThrows(IOException.class, () -> OperatorWorkspace.open(dir, FleetRun.RANDOM));
    assertEquals(certificate + " is not a PEM certificate", notPem.getMessage());
    Files.delete(certificate);
    IOException missing = assertThrows(IOException.class, () -> OperatorWorkspace.open(dir, FleetRun.RANDOM));
    assertEquals(certificate + ": no such file", missing.getMessage());
    Files.delete(dir.resolve("vendor/root.crt"));
    IOException vendor = assertThrows(IOException.class, () -> OperatorWorkspace.open(dir, FleetRun.RANDOM));
    assertTrue(vendor.getMessage().contains("root.crt"), vendor.getMessage());
  }

  @Test
  void aSecondFleetBecomesCurrent_andItsIdCannotBeTakenTwice() throws Exception {
    Path dir = tmp.resolve("ops");
    OperatorWorkspace workspace = initialize(dir);
    Path stale = Files.createDirectories(dir.resolve("fleets/.fleet-2.partial/hsm-9"));

    DeploymentEvidence second = workspace.createFleet(new OperatorWorkspace.FleetShape("fleet-2", 5, 3), FleetRun.JAR,
        FleetRun.T0, FleetRun.RANDOM);

    assertEquals("fleet-2", second.config().fleetId());
    assertEquals(5, second.hsms().size());
    assertEquals(second, DeploymentEvidence.parse(workspace.evidence("fleet-2")));
    assertEquals("fleet-2", workspace.currentFleetId());
    assertEquals(List.of("fleet-1", "fleet-2"), workspace.fleetIds());
    assertFalse(Files.exists(stale));
    assertFalse(Files.exists(dir.resolve("fleets/fleet-2/hsm-9")));
    assertTrue(Files.isRegularFile(dir.resolve("fleets/fleet-2/hsm-5/device.crt")));

    IllegalArgumentException taken = assertThrows(IllegalArgumentException.class,
        () -> workspace.createFleet(FIRST, FleetRun.JAR, FleetRun.T0, FleetRun.RANDOM));
    assertEquals("fleet fleet-1 exists already in " + workspace.dir(), taken.getMessage());
    IllegalArgumentException badShape = assertThrows(IllegalArgumentException.class, () -> workspace.createFleet(
        new OperatorWorkspace.FleetShape("fleet-3", 3, 4), FleetRun.JAR, FleetRun.T0, FleetRun.RANDOM));
    assertEquals("--datacenters must be in [1, min(--hsms, 16)], got 4", badShape.getMessage());
    assertFalse(Files.exists(dir.resolve("fleets/fleet-3")));
    assertEquals("fleet-2", workspace.currentFleetId());
  }

  @Test
  void aWorkspaceHoldsAtMostFleetsMaxFleets_andHiddenDirectoriesAreNotFleets() throws Exception {
    Path dir = tmp.resolve("ops");
    OperatorWorkspace workspace = initialize(dir);
    Path fleets = dir.resolve("fleets");
    Files.createDirectories(fleets.resolve(".fleet-x.partial"));
    assertEquals(List.of("fleet-1"), workspace.fleetIds());
    for (int i = 2; i <= OperatorWorkspace.FLEETS_MAX; i++) {
      Files.createDirectory(fleets.resolve(String.format("f-%04d", i)));
    }
    assertEquals(OperatorWorkspace.FLEETS_MAX, workspace.fleetIds().size());
    IllegalArgumentException full = assertThrows(IllegalArgumentException.class, () -> workspace.createFleet(
        new OperatorWorkspace.FleetShape("fleet-2", 3, 3), FleetRun.JAR, FleetRun.T0, FleetRun.RANDOM));
    assertEquals("a workspace holds at most 1024 fleets", full.getMessage());
    assertFalse(Files.exists(fleets.resolve("fleet-2")));
  }

  @Test
  void theSubmissionKeyIsNamedAfterTheNamespace_andMadeOnlyWhenMissing() throws Exception {
    Path dir = tmp.resolve("ops");
    OperatorWorkspace workspace = initialize(dir);
    Path skey = dir.resolve("operator").resolve(OperatorWorkspace.SUBMISSION_SKEY_FILE);
    Path vkey = dir.resolve("operator").resolve(OperatorWorkspace.SUBMISSION_VKEY_FILE);
    Ed25519Note.Signer key = workspace.submissionKey();
    assertEquals(NAMESPACE, key.keyName());
    assertEquals(key.verifier().vkey() + "\n", Files.readString(vkey));

    String before = Files.readString(skey);
    assertFalse(workspace.ensureSubmissionKey(FleetRun.RANDOM));
    assertEquals(before, Files.readString(skey));

    Files.delete(skey);
    Files.delete(vkey);
    IOException none = assertThrows(IOException.class, workspace::submissionKey);
    assertEquals(workspace.dir() + " has no submission key (run 'bkv fleet submitter-key --dir " + workspace.dir()
        + "' to create one)", none.getMessage());
    assertTrue(workspace.ensureSubmissionKey(FleetRun.RANDOM));
    Ed25519Note.Signer made = workspace.submissionKey();
    assertEquals(NAMESPACE, made.keyName());
    assertEquals(made.verifier().vkey() + "\n", Files.readString(vkey));
    assertFalse(made.verifier().vkey().equals(key.verifier().vkey()));

    Files.writeString(skey, new Ed25519Note.Signer("other.example.com/ns", BundleFixtures.ed25519Key("other")).skey() + "\n");
    IOException misnamed = assertThrows(IOException.class, workspace::submissionKey);
    assertEquals(skey + " is named other.example.com/ns, not the namespace " + NAMESPACE, misnamed.getMessage());
    Files.writeString(skey, "PRIVATE+KEY+garbage\n");
    IOException garbage = assertThrows(IOException.class, workspace::submissionKey);
    assertTrue(garbage.getMessage().startsWith(skey + ": "), garbage.getMessage());
  }

  @Test
  void publishedFilesAreListedByEpoch_andOtherNamesAreSkipped() throws Exception {
    Path dir = tmp.resolve("ops");
    OperatorWorkspace workspace = initialize(dir);
    assertEquals(new TreeMap<Long, Path>(), workspace.files(".witnessed"));

    Path ten = workspace.bundleFile(10, ".witnessed");
    assertEquals(dir.resolve("bundles/10.witnessed"), ten);
    Path two = workspace.bundleFile(2, ".witnessed");
    Files.writeString(ten, "10");
    Files.writeString(two, "2");
    Files.writeString(workspace.bundleFile(3, ".bundle"), "3");
    Files.writeString(workspace.bundleFile(0, ".witnessed"), "0");
    Files.writeString(dir.resolve("bundles/07.witnessed"), "07");
    Files.writeString(dir.resolve("bundles/x.witnessed"), "x");

    TreeMap<Long, Path> witnessed = workspace.files(".witnessed");
    assertEquals(List.of(2L, 10L), List.copyOf(witnessed.keySet()));
    assertEquals(two, witnessed.get(2L));
    assertEquals(ten, witnessed.get(10L));
    assertEquals(List.of(3L), List.copyOf(workspace.files(".bundle").keySet()));
  }

  @Test
  void witnessKeysArePinnedOnce_andReadBack() throws Exception {
    OperatorWorkspace workspace = initialize(tmp.resolve("ops"));
    assertEquals(Optional.empty(), workspace.pinnedWitnessKeys());
    workspace.pinWitnessKeys("log a+b\nbundle c+d\n");
    assertEquals(Optional.of("log a+b\nbundle c+d\n"), workspace.pinnedWitnessKeys());
  }

  @Test
  void aWorkspaceWithoutAFleetsFolderHasNoFleets() throws Exception {
    OperatorWorkspace workspace = initialize(tmp.resolve("ops"));
    Files.move(workspace.dir().resolve("fleets"), tmp.resolve("moved"));
    assertEquals(List.of(), workspace.fleetIds());
  }

  @Test
  void filesAreReadWithinTheirLimit_andAMissingOneIsNamed() throws Exception {
    Path file = tmp.resolve("a/b/file");
    OperatorWorkspace.write(file, new byte[] {1, 2, 3});
    assertArrayEquals(new byte[] {1, 2, 3}, OperatorWorkspace.readBytes(file, 3));
    assertThrows(IOException.class, () -> OperatorWorkspace.readBytes(file, 2));
    IOException missing = assertThrows(IOException.class, () -> OperatorWorkspace.readBytes(tmp.resolve("none"), 3));
    assertEquals(tmp.resolve("none") + ": no such file", missing.getMessage());
  }

  static List<Path> list(Path dir) throws IOException {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.sorted().toList();
    }
  }
}
