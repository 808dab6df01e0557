package dev.bkv.cli;

import static dev.bkv.testsupport.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.bundle.OperatorCountersignature;
import dev.bkv.bundle.WitnessedBundle;
import dev.bkv.crypto.Sha256Digest;
import dev.bkv.evidence.DeploymentEvidence;
import dev.bkv.evidence.HsmVendor;
import dev.bkv.hsm.SoftHsm;
import dev.bkv.net.WitnessHttpServer;
import dev.bkv.testsupport.CliRun;
import dev.bkv.tlog.CheckpointPolicy;
import dev.bkv.witness.BundleReceipt;
import dev.bkv.witness.Witness;
import dev.bkv.witness.WitnessKeys;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.SecureRandom;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bkv fleet} and {@code bkv evidence} end to end against a witness served over HTTP on
 * loopback: init, publish, rotate, publish again (linked by digest), retries, and clear errors
 * with a non-zero exit for every input a user can get wrong.
 */
class FleetCommandTest {
  @TempDir Path dir;

  private Path jar() throws Exception {
    Path jar = dir.resolve("vault.jar");
    if (!Files.exists(jar)) {
      Files.writeString(jar, "stands for impl/target/bkv-impl.jar");
    }
    return jar;
  }

  private CliRun init(Path workspace, int hsms, int datacenters) throws Exception {
    return run("fleet", "init", "--dir", workspace.toString(), "--hsms", Integer.toString(hsms), "--datacenters",
        Integer.toString(datacenters), "--jar", jar().toString(), "--namespace", "test.example/backup");
  }

  /** A witness in {@code dir}/name served on a free loopback port. */
  private record Served(Witness witness, WitnessHttpServer server, Path vkeys) implements AutoCloseable {
    @Override
    public void close() throws java.io.IOException {
      server.close();
      witness.close();
    }
  }

  /** A witness in {@code dir}/name with the workspace {@code dir}/op registered as an operator (when it exists). */
  private Served witness(String name) throws Exception {
    return witness(name, name + ".example/w/bundles");
  }

  private Served witness(String name, String origin) throws Exception {
    Path wdir = dir.resolve(name);
    WitnessKeys keys = Witness.init(wdir, name + ".example/w", origin, new SecureRandom());
    if (Files.exists(dir.resolve("op"))) {
      CliRun vkey = run("fleet", "submitter-key", "--dir", dir.resolve("op").toString());
      assertEquals(0, vkey.exit(), vkey.err());
      CliRun added = run("witness", "add-operator", "--dir", wdir.toString(), "--vkey", vkey.out().strip());
      assertEquals(0, added.exit(), added.err());
    }
    Witness witness = Witness.open(wdir);
    Path vkeys = dir.resolve(name + ".vkeys");
    Files.writeString(vkeys, keys.vkeys());
    return new Served(witness, WitnessHttpServer.start(new InetSocketAddress("127.0.0.1", 0), witness.service()), vkeys);
  }

  @Test
  void every_command_describes_itself() {
    for (String[] args : new String[][] {{"fleet", "--help"}, {"fleet", "init", "--help"}, {"fleet", "rotate", "--help"},
        {"fleet", "publish", "--help"}, {"fleet", "status", "--help"}, {"fleet", "submitter-key", "--help"}, {"fleet", "migrate", "--help"}, {"evidence", "--help"},
        {"evidence", "jar-hash", "--help"}, {"evidence", "verify", "--help"}}) {
      CliRun r = run(args);
      assertEquals(0, r.exit(), String.join(" ", args));
      assertTrue(r.out().contains("Usage:"), r.out());
    }
  }

  @Test
  void init_publish_rotate_publish_links_each_bundle_to_the_one_before() throws Exception {
    Path op = dir.resolve("op");
    CliRun created = init(op, 3, 3);
    assertEquals(0, created.exit(), created.err());
    assertTrue(created.out().contains("3 HSMs over 3 datacenters, quorum 2"), created.out());
    try (Served w = witness("w1")) {
      String url = w.server().baseUrl();
      CliRun first = run("fleet", "publish", "--dir", op.toString(), "--witness", url, "--witness-vkeys", w.vkeys().toString());
      assertEquals(0, first.exit(), first.err());
      assertTrue(first.out().contains("published epoch 1"), first.out());
      CliRun rotated = run("fleet", "rotate", "--dir", op.toString(), "--hsms", "5", "--jar", jar().toString());
      assertEquals(0, rotated.exit(), rotated.err());
      assertTrue(rotated.out().contains("fleet fleet-2") && rotated.out().contains("quorum 3"), rotated.out());
      // A public folder that cannot be written stops the publish before anything new is made.
      Files.writeString(dir.resolve("a-file"), "not a folder\n");
      CliRun blocked = run("fleet", "publish", "--dir", op.toString(), "--witness", url, "--public",
          dir.resolve("a-file").toString());
      assertEquals(1, blocked.exit(), blocked.out());
      assertTrue(blocked.err().contains("a-file"), blocked.err());
      assertFalse(Files.exists(op.resolve("bundles/2.bundle")), "no bundle made for a publish that cannot finish");
      CliRun second = run("fleet", "publish", "--dir", op.toString(), "--witness", url, "--validity-days", "30");
      assertEquals(0, second.exit(), second.err());
      for (String published : new String[] {"bundles/1.witnessed", "bundles/2.witnessed", "evidence/fleet-1.txt",
          "evidence/fleet-2.txt", "vendor-root.crt", "witness.vkeys"}) {
        assertTrue(Files.isRegularFile(op.resolve("public").resolve(published)), published);
      }
      assertEquals(2, Files.readAllLines(op.resolve("public/vault-jar.sha256")).size());
      WitnessedBundle one = WitnessedBundle.parse(Files.readAllBytes(op.resolve("bundles/1.witnessed")));
      WitnessedBundle two = WitnessedBundle.parse(Files.readAllBytes(op.resolve("bundles/2.witnessed")));
      assertEquals("fleet-1", one.bundle().fleetId());
      assertEquals("fleet-2", two.bundle().fleetId());
      assertEquals(5, two.bundle().members().size());
      assertEquals(one.bundleDigest(), two.bundle().previousDigest().orElseThrow(), "epoch 2 names epoch 1");
      assertEquals(30L * 86_400, two.bundle().notAfterSeconds() - two.bundle().notBeforeSeconds());
      assertEquals(Sha256Digest.of(Files.readAllBytes(op.resolve("fleets/fleet-2/evidence.txt"))), two.bundle().evidenceDigest());
      // The files verify with what a client pins: witness keys and the operator HSM's key.
      BundleReceipt receipt = BundleReceipt.parse(two.receiptBytes());
      WitnessKeys keys = w.witness().keys();
      assertTrue(receipt.verify(two.bundleBytes(), keys.bundle().verifier(),
          CheckpointPolicy.logOnly(keys.origin(), keys.log().verifier())).isVerified());
      SoftHsm operator = SoftHsm.open(op.resolve("operator/hsm"), new SecureRandom());
      assertTrue(OperatorCountersignature.verify(operator.identityPublicKey(), two.witnessSignature(), two.countersignature()));
      assertEquals(1, two.proof().index());
      CliRun status = run("fleet", "status", "--dir", op.toString());
      assertTrue(status.out().contains("* fleet fleet-2") && status.out().contains("epoch 2: fleet fleet-2"), status.out());
    }
  }

  @Test
  void a_bundle_whose_receipt_was_lost_is_resubmitted_unchanged() throws Exception {
    Path op = dir.resolve("op");
    assertEquals(0, init(op, 3, 3).exit());
    try (Served w = witness("w1")) {
      String url = w.server().baseUrl();
      assertEquals(0, run("fleet", "publish", "--dir", op.toString(), "--witness", url, "--witness-vkeys",
          w.vkeys().toString()).exit());
      byte[] bundle = Files.readAllBytes(op.resolve("bundles/1.bundle"));
      Files.delete(op.resolve("bundles/1.witnessed")); // as if the reply never arrived
      CliRun refused = run("fleet", "publish", "--dir", op.toString(), "--witness", url, "--epoch", "2");
      assertEquals(1, refused.exit());
      assertTrue(refused.err().contains("epoch 1 was submitted but never witnessed"), refused.err());
      // An explicit option the resubmitted bundle cannot take is refused, never silently ignored.
      CliRun otherWindow = run("fleet", "publish", "--dir", op.toString(), "--witness", url, "--validity-days", "10");
      assertEquals(1, otherWindow.exit(), otherWindow.out());
      assertTrue(otherWindow.err().contains("with a 90-day window, not 10"), otherWindow.err());
      CliRun otherStart = run("fleet", "publish", "--dir", op.toString(), "--witness", url, "--not-before", "5");
      assertTrue(otherStart.exit() == 1 && otherStart.err().contains("(run again without --not-before)"), otherStart.err());
      assertFalse(Files.exists(op.resolve("bundles/1.witnessed")));
      CliRun retry = run("fleet", "publish", "--dir", op.toString(), "--witness", url);
      assertEquals(0, retry.exit(), retry.err());
      assertArrayEquals(bundle, Files.readAllBytes(op.resolve("bundles/1.bundle")));
      assertEquals(1, w.witness().log().size(), "the witness logged it once");
    }
  }

  @Test
  void publish_signs_with_the_submission_key_and_an_unregistered_workspace_is_refused() throws Exception {
    Path op = dir.resolve("op");
    CliRun created = init(op, 3, 3);
    assertEquals(0, created.exit(), created.err());
    CliRun vkey = run("fleet", "submitter-key", "--dir", op.toString());
    assertEquals(0, vkey.exit(), vkey.err());
    assertTrue(vkey.out().startsWith("test.example/backup+"), "named after the namespace: " + vkey.out());
    assertTrue(created.out().contains("submission key " + vkey.out().strip()), created.out());
    assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
        Files.getPosixFilePermissions(op.resolve("operator/submission.skey")));
    Path stranger = dir.resolve("stranger");
    assertEquals(0, init(stranger, 3, 3).exit());
    try (Served w = witness("w1")) {
      CliRun refused = run("fleet", "publish", "--dir", stranger.toString(), "--witness", w.server().baseUrl(),
          "--witness-vkeys", w.vkeys().toString());
      assertEquals(1, refused.exit());
      assertTrue(refused.err().contains("answered 403") && refused.err().contains("registered operator"), refused.err());
      assertEquals(0, w.witness().log().size(), "nothing logged for an unregistered key");
      CliRun published = run("fleet", "publish", "--dir", op.toString(), "--witness", w.server().baseUrl(),
          "--witness-vkeys", w.vkeys().toString());
      assertEquals(0, published.exit(), published.err());
    }
  }

  @Test
  void publishing_trusts_only_the_pinned_witness() throws Exception {
    Path op = dir.resolve("op");
    assertEquals(0, init(op, 3, 3).exit());
    try (Served honest = witness("w1"); Served other = witness("w2")) {
      CliRun noKeys = run("fleet", "publish", "--dir", op.toString(), "--witness", honest.server().baseUrl());
      assertEquals(1, noKeys.exit());
      assertTrue(noKeys.err().contains("--witness-vkeys"), noKeys.err());
      assertEquals(0, run("fleet", "publish", "--dir", op.toString(), "--witness", honest.server().baseUrl(),
          "--witness-vkeys", honest.vkeys().toString()).exit());
      CliRun swapped = run("fleet", "publish", "--dir", op.toString(), "--witness", other.server().baseUrl(),
          "--witness-vkeys", other.vkeys().toString());
      assertEquals(1, swapped.exit());
      assertTrue(swapped.err().contains("differ from those pinned"), swapped.err());
      CliRun impostor = run("fleet", "publish", "--dir", op.toString(), "--witness", other.server().baseUrl());
      assertEquals(1, impostor.exit());
      // The request names the pinned witness's origin, so another witness refuses to log it at all.
      assertTrue(impostor.err().contains("answered 403") && impostor.err().contains("signed for another witness"),
          impostor.err());
      assertEquals(0, other.witness().log().size());
      try (Served lookalike = witness("w3", "w1.example/w/bundles")) {
        CliRun unverified = run("fleet", "publish", "--dir", op.toString(), "--witness", lookalike.server().baseUrl());
        assertEquals(1, unverified.exit());
        assertTrue(unverified.err().contains("does not verify against the pinned witness keys"), unverified.err());
      }
      assertFalse(Files.exists(op.resolve("bundles/2.witnessed")), "nothing countersigned");
    }
  }

  @Test
  void wrong_input_is_named_and_exits_non_zero() throws Exception {
    CliRun placement = init(dir.resolve("a"), 4, 2);
    assertEquals(1, placement.exit());
    assertTrue(placement.err().contains("losing datacenter dc-1"), placement.err());
    assertFalse(Files.exists(dir.resolve("a")), "nothing created");
    CliRun hsms = init(dir.resolve("b"), 0, 1);
    assertTrue(hsms.exit() == 1 && hsms.err().contains("--hsms"), hsms.err());
    CliRun namespace = run("fleet", "init", "--dir", dir.resolve("c").toString(), "--hsms", "3", "--datacenters", "3",
        "--jar", jar().toString(), "--namespace", "has space");
    assertTrue(namespace.exit() == 1 && namespace.err().contains("namespace"), namespace.err());
    Path op = dir.resolve("op");
    Files.createDirectories(dir.resolve("op.partial").resolve("junk")); // left by an interrupted init
    assertEquals(0, init(op, 3, 3).exit());
    assertFalse(Files.exists(dir.resolve("op.partial")), "the leftover staging directory is gone");
    CliRun again = init(op, 3, 3);
    assertTrue(again.exit() == 1 && again.err().contains("not an empty directory"), again.err());
    CliRun notWorkspace = run("fleet", "status", "--dir", dir.resolve("nothing").toString());
    assertTrue(notWorkspace.exit() == 1 && notWorkspace.err().contains("not an operator workspace"), notWorkspace.err());
    CliRun validity = run("fleet", "publish", "--dir", op.toString(), "--witness", "http://127.0.0.1:1", "--validity-days", "0");
    assertTrue(validity.exit() == 1 && validity.err().contains("--validity-days"), validity.err());
    CliRun unreachable = run("fleet", "publish", "--dir", op.toString(), "--witness", "http://127.0.0.1:1",
        "--witness-vkeys", dir.resolve("missing.vkeys").toString());
    assertTrue(unreachable.exit() == 1 && unreachable.err().contains("missing.vkeys: no such file"), unreachable.err());
    CliRun duplicate = run("fleet", "rotate", "--dir", op.toString(), "--fleet-id", "fleet-1", "--jar", jar().toString());
    assertTrue(duplicate.exit() == 1 && duplicate.err().contains("exists already"), duplicate.err());
  }

  @Test
  void evidence_commands_hash_the_jar_and_verify_a_fleets_evidence() throws Exception {
    Path op = dir.resolve("op");
    assertEquals(0, init(op, 3, 3).exit());
    CliRun hash = run("evidence", "jar-hash", "--jar", jar().toString());
    assertEquals(0, hash.exit(), hash.err());
    String jarHash = Sha256Digest.of(Files.readAllBytes(jar())).toHex();
    assertTrue(hash.out().startsWith(jarHash + "  "), hash.out());
    String evidence = op.resolve("fleets/fleet-1/evidence.txt").toString();
    String root = op.resolve("vendor/root.crt").toString();
    CliRun ok = run("evidence", "verify", "--evidence", evidence, "--vendor-root", root, "--jar", jar().toString());
    assertEquals(0, ok.exit(), ok.err());
    assertTrue(ok.out().contains("evidence verified") && ok.out().contains("quorum 2 of 3"), ok.out());
    CliRun otherJar = run("evidence", "verify", "--evidence", evidence, "--vendor-root", root, "--jar-sha256", "ab".repeat(32));
    assertEquals(1, otherJar.exit());
    assertTrue(otherJar.err().contains("evidence rejected") && otherJar.err().contains("vault jar"), otherJar.err());
    HsmVendor rogue = HsmVendor.create(dev.bkv.crypto.EcdsaP256.PrivateKey.generate(new SecureRandom()), 0);
    rogue.save(dir.resolve("rogue"));
    CliRun otherRoot = run("evidence", "verify", "--evidence", evidence, "--vendor-root", dir.resolve("rogue/root.crt").toString(),
        "--jar", jar().toString());
    assertTrue(otherRoot.exit() == 1 && otherRoot.err().contains("another vendor root"), otherRoot.err());
    CliRun badHex = run("evidence", "verify", "--evidence", evidence, "--vendor-root", root, "--jar-sha256", "xyz");
    assertTrue(badHex.exit() == 1 && badHex.err().contains("--jar-sha256"), badHex.err());
    CliRun noJar = run("evidence", "jar-hash");
    assertTrue(noJar.exit() == 1 && noJar.err().contains("--jar"), noJar.err());
    assertTrue(DeploymentEvidence.parse(Files.readAllBytes(Path.of(evidence))).hsms().size() == 3);
  }
}
