package dev.bkv.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.bundle.BundleFixtures;
import dev.bkv.bundle.TrustAnchors;
import dev.bkv.client.ClientAnchors;
import dev.bkv.crypto.Sha256Digest;
import dev.bkv.net.TestFrontend;
import dev.bkv.testsupport.CliRun;
import dev.bkv.tlog.Ed25519Note;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 'bkv client' against a frontend over HTTP (a test frontend in front of an in-process fleet):
 * the key recovered is the key registered, a wrong password exits 1 and costs one guess, and
 * a bundle that fails verification (tampered, or not signed by the pinned witness) exits 1
 * before any request reaches the vault (G5).
 */
class ClientCommandTest {
  static final String[] LIGHT_KSF = {"--ksf-memory-kib", "64", "--ksf-iterations", "1", "--ksf-parallelism", "1"};

  static TestFrontend frontend;
  @TempDir Path temp;
  Path anchors;
  Path state;
  Path password;

  @BeforeAll
  static void startFrontend() throws Exception {
    frontend = new TestFrontend(new SecureRandom());
  }

  @AfterAll
  static void stopFrontend() {
    frontend.close();
  }

  @BeforeEach
  void files() throws Exception {
    anchors = Files.write(temp.resolve("anchors.txt"), TestFrontend.anchorsFile());
    state = temp.resolve("trust-state");
    password = Files.writeString(temp.resolve("password"), "correct horse\n");
  }

  CliRun client(String command, String... more) {
    List<String> args = new ArrayList<>(List.of("client", command, "--frontend", frontend.url(), "--anchors",
        anchors.toString(), "--state", state.toString()));
    args.addAll(List.of(more));
    return CliRun.run(args.toArray(String[]::new));
  }

  String[] account(String user, Path passwordFile) {
    List<String> args = new ArrayList<>(List.of("--user", user, "--password-file", passwordFile.toString()));
    args.addAll(List.of(LIGHT_KSF));
    return args.toArray(String[]::new);
  }

  static String[] concat(String[] a, String... b) {
    List<String> all = new ArrayList<>(List.of(a));
    all.addAll(List.of(b));
    return all.toArray(String[]::new);
  }

  @Test
  void registerRecoverAndStatus_theRecoveredKeyIsTheRegisteredOne_andAWrongGuessCostsOne() throws Exception {
    Path key = temp.resolve("key");
    CliRun registered = client("register", concat(account("alice", password), "--backup-key-out", key.toString(),
        "--max-attempts", "5"));
    assertEquals(0, registered.exit(), registered.err());
    byte[] original = Files.readAllBytes(key);
    assertTrue(registered.out().contains("backup key sha256 " + Sha256Digest.of(original).toHex()), registered.out());
    assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(key));
    assertTrue(Files.exists(state), "the accepted bundle is remembered");

    Path recovered = temp.resolve("recovered");
    CliRun recover = client("recover", concat(account("alice", password), "--backup-key-out", recovered.toString()));
    assertEquals(0, recover.exit(), recover.err());
    assertArrayEquals(original, Files.readAllBytes(recovered));
    assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(recovered));
    assertFalse(recover.out().contains("correct horse") || recover.err().contains("correct horse"), "never prints the password");

    assertTrue(client("status", "--user", "alice").out().contains("guesses remaining 5 of 5"));
    Path wrong = Files.writeString(temp.resolve("wrong"), "wrong horse\n");
    CliRun guess = client("recover", concat(account("alice", wrong), "--backup-key-out", temp.resolve("no").toString()));
    assertEquals(1, guess.exit(), guess.out() + guess.err());
    assertTrue(guess.err().contains("not recovered"), guess.err());
    assertFalse(Files.exists(temp.resolve("no")), "nothing written for a wrong password");
    CliRun status = client("status", "--user", "alice");
    assertEquals(0, status.exit(), status.err());
    assertTrue(status.out().contains("guesses remaining 4 of 5"), status.out());
  }

  @Test
  void aTamperedBundleIsRefusedBeforeAnyVaultRequest() throws Exception {
    byte[] good = frontend.servedBundle;
    byte[] tampered = good.clone();
    // One byte of the bundle text flipped so that it still parses: not-after moves by a second.
    String text = new String(good, StandardCharsets.US_ASCII);
    int at = text.indexOf('\n', text.indexOf("\nnot-after ") + 1) - 1;
    assertTrue(Character.isDigit((char) tampered[at]));
    tampered[at] ^= 0x01;
    int before = frontend.vaultRequests.get();
    try {
      frontend.servedBundle = tampered;
      CliRun run = client("register", account("mallory-target", password));
      assertEquals(1, run.exit(), run.out() + run.err());
      assertTrue(run.err().contains("fleet refused: digest: "), run.err());
      assertEquals(before, frontend.vaultRequests.get(), "no request reached the vault");
      assertFalse(Files.exists(state), "nothing remembered from a refused bundle");
    } finally {
      frontend.servedBundle = good;
    }
  }

  @Test
  void aBundleNotSignedByThePinnedWitnessIsRefused() throws Exception {
    TrustAnchors real = TestFrontend.anchors();
    Ed25519Note.Signer other = new Ed25519Note.Signer(BundleFixtures.WITNESS_NAME + "/bundle",
        BundleFixtures.ed25519Key("another witness"));
    Files.write(anchors, ClientAnchors.format(new TrustAnchors(real.namespace(), other.verifier(), real.operatorKey(),
        real.logOrigin(), real.logKey(), real.cosigners(), real.cosignaturesRequired())));
    int before = frontend.vaultRequests.get();
    CliRun run = client("verify-fleet");
    assertEquals(1, run.exit(), run.out() + run.err());
    assertTrue(run.err().contains("fleet refused: witness-signature"), run.err());
    CliRun status = client("status", "--user", "alice");
    assertEquals(1, status.exit());
    assertEquals(before, frontend.vaultRequests.get(), "no request reached the vault");
  }

  @Test
  void verifyFleet_acceptsTheNextEpochThroughAConsistencyProofFromTheStoredCheckpoint() throws Exception {
    CliRun first = client("verify-fleet");
    assertEquals(0, first.exit(), first.err());
    byte[] remembered = Files.readAllBytes(state);
    frontend.publish();
    CliRun second = client("verify-fleet");
    assertEquals(0, second.exit(), second.err());
    assertTrue(second.out().contains("epoch "), second.out());
    assertFalse(java.util.Arrays.equals(remembered, Files.readAllBytes(state)), "the newer checkpoint is remembered");
  }

  @Test
  void pinnedMode_acceptsTheServedBundleNamingThePinnedKeys_andRefusesAnother() throws Exception {
    Path pinned = Files.write(temp.resolve("pinned.witnessed"), frontend.servedBundle);
    CliRun ok = CliRun.run("client", "verify-fleet", "--frontend", frontend.url(), "--pinned", pinned.toString());
    assertEquals(0, ok.exit(), ok.err());
    Path otherFleet = Files.write(temp.resolve("other.bundle"),
        BundleFixtures.bundle("fleet-x", 1, java.util.Optional.empty()).toBytes());
    CliRun refused = CliRun.run("client", "verify-fleet", "--frontend", frontend.url(), "--pinned", otherFleet.toString());
    assertEquals(1, refused.exit(), refused.out() + refused.err());
    assertTrue(refused.err().contains("pinned-fleet"), refused.err());

    // No bundle served: a pinned app keeps its compiled-in fleet; an OTA app has nothing to trust.
    byte[] served = frontend.servedBundle;
    try {
      frontend.servedBundle = null;
      assertEquals(0, CliRun.run("client", "verify-fleet", "--frontend", frontend.url(), "--pinned", pinned.toString()).exit());
      CliRun none = client("verify-fleet");
      assertEquals(1, none.exit());
      assertTrue(none.err().contains("the frontend serves no bundle"), none.err());
    } finally {
      frontend.servedBundle = served;
    }
  }

  @Test
  void badInputExits2BeforeAnythingIsSent() throws Exception {
    int before = frontend.vaultRequests.get();
    Path empty = Files.writeString(temp.resolve("empty"), "\n");
    assertEquals(2, client("register", account("alice", empty)).exit(), "empty password");
    assertEquals(2, client("register", account("alice", temp.resolve("missing"))).exit(), "no password file");
    Files.writeString(anchors, "bkv-client-anchors/1\nnamespace x\n");
    CliRun badAnchors = client("verify-fleet");
    assertEquals(2, badAnchors.exit());
    assertTrue(badAnchors.err().contains("anchors.txt"), badAnchors.err());
    CliRun both = CliRun.run("client", "verify-fleet", "--frontend", frontend.url());
    assertEquals(2, both.exit(), "neither --anchors nor --pinned");
    assertEquals(2, CliRun.run("client", "verify-fleet", "--frontend", "ftp://x", "--pinned", anchors.toString()).exit());
    assertEquals(before, frontend.vaultRequests.get());
  }

  @Test
  void everyCommandDescribesItself_andAnUnreachableFrontendExits1() throws Exception {
    for (String[] args : new String[][] {{"client", "--help"}, {"client", "verify-fleet", "--help"},
        {"client", "register", "--help"}, {"client", "recover", "--help"}, {"client", "status", "--help"},
        {"status", "--help"}, {"fleet", "anchors", "--help"}}) {
      CliRun r = CliRun.run(args);
      assertEquals(0, r.exit(), String.join(" ", args));
      assertTrue(r.out().contains("Usage:"), r.out());
    }
    int port;
    try (java.net.ServerSocket closed = new java.net.ServerSocket(0)) {
      port = closed.getLocalPort();
    }
    CliRun run = CliRun.run("client", "status", "--frontend", "http://127.0.0.1:" + port, "--anchors", anchors.toString(),
        "--state", state.toString(), "--user", "alice");
    assertEquals(1, run.exit());
    assertEquals("bkv client status: cannot reach frontend http://127.0.0.1:" + port + ": connection refused\n", run.err());
  }
}
