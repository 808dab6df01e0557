package dev.bkv.cli;

import static dev.bkv.testsupport.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.bundle.BundleFixtures;
import dev.bkv.bundle.BundleVerdict;
import dev.bkv.bundle.BundleVerifier;
import dev.bkv.bundle.ClientMemory;
import dev.bkv.bundle.TrustAnchors;
import dev.bkv.client.ClientAnchors;
import dev.bkv.net.WitnessHttpServer;
import dev.bkv.testsupport.CliRun;
import dev.bkv.witness.Witness;
import dev.bkv.witness.WitnessKeys;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 'bkv fleet anchors' writes, from a workspace that published through a witness, the anchors
 * under which a client accepts that workspace's witnessed bundle; before a first publish (no
 * witness keys pinned) and with bad cosigner options it refuses and writes nothing.
 */
class FleetAnchorsCommandTest {
  @TempDir Path dir;

  @Test
  void theAnchorsOfAPublishedWorkspaceAcceptItsWitnessedBundle() throws Exception {
    Path op = dir.resolve("op");
    Path jar = Files.writeString(dir.resolve("vault.jar"), "stands for impl/target/bkv-impl.jar");
    assertEquals(0, run("fleet", "init", "--dir", op.toString(), "--hsms", "3", "--datacenters", "3", "--jar", jar.toString(),
        "--namespace", "test.example/backup").exit());
    Path out = dir.resolve("anchors.txt");
    CliRun early = run("fleet", "anchors", "--dir", op.toString(), "--out", out.toString());
    assertEquals(1, early.exit());
    assertTrue(early.err().contains("run 'bkv fleet publish' once first"), early.err());
    assertFalse(Files.exists(out));

    Path wdir = dir.resolve("w");
    WitnessKeys keys = Witness.init(wdir, "w.example/w", "w.example/w/bundles", new SecureRandom());
    CliRun vkey = run("fleet", "submitter-key", "--dir", op.toString());
    assertEquals(0, run("witness", "add-operator", "--dir", wdir.toString(), "--vkey", vkey.out().strip()).exit());
    Path vkeys = Files.writeString(dir.resolve("w.vkeys"), keys.vkeys());
    try (Witness witness = Witness.open(wdir);
        WitnessHttpServer server = WitnessHttpServer.start(new InetSocketAddress("127.0.0.1", 0), witness.service())) {
      CliRun published = run("fleet", "publish", "--dir", op.toString(), "--witness", server.baseUrl(), "--witness-vkeys",
          vkeys.toString());
      assertEquals(0, published.exit(), published.err());
    }
    // The first publish keeps the workspace's copy for its fleets' nodes (migration anchors).
    Path kept = op.resolve("client-anchors.txt");
    byte[] first = Files.readAllBytes(kept);
    assertEquals(0, ClientAnchors.parse(first).cosignaturesRequired());

    String cosigner = BundleFixtures.cosigner(1).verifier().vkey();
    CliRun bad = run("fleet", "anchors", "--dir", op.toString(), "--out", out.toString(), "--cosigner", cosigner,
        "--cosignatures-required", "2");
    assertEquals(1, bad.exit());
    assertTrue(bad.err().contains("--cosignatures-required must be in [0, 1]"), bad.err());
    assertFalse(Files.exists(out));

    CliRun written = run("fleet", "anchors", "--dir", op.toString(), "--out", out.toString());
    assertEquals(0, written.exit(), written.err());
    TrustAnchors anchors = ClientAnchors.parse(Files.readAllBytes(out));
    assertEquals("test.example/backup", anchors.namespace());
    assertEquals("w.example/w/bundles", anchors.logOrigin());
    byte[] witnessed = Files.readAllBytes(op.resolve("bundles/1.witnessed"));
    BundleVerdict verdict = BundleVerifier.verifyOta(anchors, ClientMemory.firstUse(), Instant.now().getEpochSecond(),
        witnessed, List.of());
    assertTrue(verdict.accepted(), verdict.describe());

    // With cosigners, both the --out file and the workspace's copy carry them.
    CliRun cosigned = run("fleet", "anchors", "--dir", op.toString(), "--out", out.toString(), "--cosigner", cosigner,
        "--cosignatures-required", "1");
    assertEquals(0, cosigned.exit(), cosigned.err());
    assertArrayEquals(Files.readAllBytes(out), Files.readAllBytes(kept));
    assertEquals(1, ClientAnchors.parse(Files.readAllBytes(kept)).cosignaturesRequired());
  }
}
