package dev.bkv.evidence;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.bundle.BundleFixtures;
import dev.bkv.bundle.ValidationBundle;
import dev.bkv.crypto.Sha256Digest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What 'fleet publish' copies out of a workspace for auditors: exactly the public files, in
 * the layout spec/FORMATS.md gives, never into the workspace's own files.
 */
class PublicFolderWriteTest {
  @TempDir Path tmp;
  Path ops;
  OperatorWorkspace workspace;
  final BundleFixtures.Log log = new BundleFixtures.Log();

  @BeforeEach
  void workspace() throws Exception {
    ops = tmp.resolve("ops");
    workspace = OperatorWorkspaceTest.initialize(ops);
  }

  /** Logs a bundle of {@code fleetId} and stores it, witnessed, as the workspace's file of its epoch. */
  byte[] witnessed(String fleetId, long epoch) throws Exception {
    Optional<Sha256Digest> previous = epoch == 1 ? Optional.empty() : Optional.of(Sha256Digest.of(new byte[] {(byte) epoch}));
    ValidationBundle bundle = BundleFixtures.bundle(fleetId, epoch, previous);
    byte[] bytes = BundleFixtures.witness(log, bundle).toBytes();
    Files.write(workspace.bundleFile(epoch, PublicFolder.WITNESSED_SUFFIX), bytes);
    return bytes;
  }

  @Test
  void theFolderHoldsEachWitnessedBundle_theEvidenceOfItsFleet_theRootAndTheJarHash() throws Exception {
    byte[] first = witnessed("fleet-1", 1);
    byte[] second = witnessed("fleet-1", 2);
    Files.writeString(workspace.bundleFile(3, ".bundle"), "not yet witnessed\n");
    Path pub = ops.resolve(PublicFolder.DEFAULT_NAME);

    PublicFolder.write(workspace, pub);

    assertArrayEquals(first, Files.readAllBytes(pub.resolve("bundles/1.witnessed")));
    assertArrayEquals(second, Files.readAllBytes(pub.resolve("bundles/2.witnessed")));
    assertEquals(List.of(pub.resolve("bundles/1.witnessed"), pub.resolve("bundles/2.witnessed")),
        OperatorWorkspaceTest.list(pub.resolve("bundles")));
    assertArrayEquals(workspace.evidence("fleet-1"), Files.readAllBytes(pub.resolve("evidence/fleet-1.txt")));
    assertEquals(List.of(pub.resolve("evidence/fleet-1.txt")), OperatorWorkspaceTest.list(pub.resolve("evidence")));
    assertEquals(FleetRun.JAR.toHex() + "  fleet-1\n", Files.readString(pub.resolve(PublicFolder.JAR_HASH_FILE)));
    assertArrayEquals(Pem.encodeCertificate(workspace.vendor().root().der()),
        Files.readAllBytes(pub.resolve(PublicFolder.VENDOR_ROOT_FILE)));
    assertFalse(Files.exists(pub.resolve(PublicFolder.WITNESS_KEYS_FILE)), "no witness keys were pinned");
    assertFalse(PublicFolder.isWorkspace(pub));

    workspace.pinWitnessKeys("log key\n");
    PublicFolder.write(workspace, pub);
    assertEquals("log key\n", Files.readString(pub.resolve(PublicFolder.WITNESS_KEYS_FILE)));
  }

  @Test
  void eachFleetNamedByABundleHasItsEvidenceAndJarLine() throws Exception {
    Sha256Digest otherJar = Sha256Digest.of(new byte[] {7});
    workspace.createFleet(new OperatorWorkspace.FleetShape("fleet-2", 3, 3), otherJar, FleetRun.T0, FleetRun.RANDOM);
    witnessed("fleet-2", 1);
    witnessed("fleet-1", 2);
    Path pub = tmp.resolve("public");

    PublicFolder.write(workspace, pub);

    assertEquals(otherJar.toHex() + "  fleet-2\n" + FleetRun.JAR.toHex() + "  fleet-1\n",
        Files.readString(pub.resolve(PublicFolder.JAR_HASH_FILE)));
    assertArrayEquals(workspace.evidence("fleet-2"), Files.readAllBytes(pub.resolve("evidence/fleet-2.txt")));
    assertArrayEquals(workspace.evidence("fleet-1"), Files.readAllBytes(pub.resolve("evidence/fleet-1.txt")));
  }

  @Test
  void aFolderMixingPublicAndSecretFilesIsRefused_beforeAnythingIsWritten() throws Exception {
    witnessed("fleet-1", 1);
    for (Path bad : List.of(ops, tmp, ops.resolve("vendor"), ops.resolve("operator"), ops.resolve("fleets"),
        ops.resolve("bundles"), ops.resolve("namespace"), ops.resolve("current-fleet"), ops.resolve("witness.vkeys"),
        ops.resolve("public/inner"), ops.resolve("fleets/fleet-1/public"))) {
      String problem = PublicFolder.placeProblem(ops, bad);
      assertTrue(problem != null && problem.startsWith("--public " + bad + " "), bad + ": " + problem);
      IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> PublicFolder.write(workspace, bad));
      assertEquals(problem, refused.getMessage());
    }
    assertEquals("--public " + tmp + " holds the workspace and its secrets; give a folder of its own",
        PublicFolder.placeProblem(ops, tmp));
    assertEquals("--public " + ops.resolve("vendor") + " is inside the workspace's own files; give "
        + ops.toAbsolutePath().normalize().resolve("public") + " or a folder outside the workspace",
        PublicFolder.placeProblem(ops, ops.resolve("vendor")));
    assertFalse(Files.exists(ops.resolve("public")));
    assertFalse(Files.exists(ops.resolve("vendor/bundles")));

    assertNull(PublicFolder.placeProblem(ops, ops.resolve("public")));
    assertNull(PublicFolder.placeProblem(ops, ops.resolve("published")));
    assertNull(PublicFolder.placeProblem(ops, tmp.resolve("elsewhere/public")));
    assertNull(PublicFolder.placeProblem(ops, tmp.resolve("ops2")));
  }

  @Test
  void aDamagedWorkspaceFileStopsThePublication_namingIt() throws Exception {
    Path bundle = workspace.bundleFile(1, PublicFolder.WITNESSED_SUFFIX);
    Files.writeString(bundle, "not a witnessed bundle\n");
    IOException badBundle = assertThrows(IOException.class, () -> PublicFolder.write(workspace, tmp.resolve("public")));
    assertTrue(badBundle.getMessage().startsWith(bundle + ": "), badBundle.getMessage());

    witnessed("fleet-1", 1);
    Files.writeString(ops.resolve("fleets/fleet-1/evidence.txt"), "not evidence\n");
    IOException badEvidence = assertThrows(IOException.class, () -> PublicFolder.write(workspace, tmp.resolve("public")));
    assertTrue(badEvidence.getMessage().startsWith("the evidence of fleet fleet-1: "), badEvidence.getMessage());
  }

  @Test
  void aWorkspaceIsKnownByAnyOfItsOwnNames() throws Exception {
    assertTrue(PublicFolder.isWorkspace(ops));
    Path dir = Files.createDirectories(tmp.resolve("d"));
    assertFalse(PublicFolder.isWorkspace(dir));
    for (String name : List.of("namespace", "operator", "vendor")) {
      Path marker = dir.resolve(name);
      Files.writeString(marker, "");
      assertTrue(PublicFolder.isWorkspace(dir), name);
      Files.delete(marker);
    }
    assertFalse(PublicFolder.isWorkspace(dir));
  }
}
