package dev.bkv.modeltests;

import static dev.bkv.testsupport.TestFiles.copyTree;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.audit.CheckpointComparison;
import dev.bkv.bundle.BundleCheck;
import dev.bkv.bundle.BundleVerdict;
import dev.bkv.bundle.OperatorCountersignature;
import dev.bkv.bundle.TrustAnchors;
import dev.bkv.bundle.ValidationBundle;
import dev.bkv.bundle.WitnessedBundle;
import dev.bkv.client.FleetTrust;
import dev.bkv.crypto.Ed25519;
import dev.bkv.crypto.Sha256Digest;
import dev.bkv.evidence.EvidenceFacts;
import dev.bkv.evidence.EvidenceVerifier;
import dev.bkv.evidence.HsmVendor;
import dev.bkv.evidence.OperatorWorkspace;
import dev.bkv.evidence.VendorRoot;
import dev.bkv.hsm.SoftHsm;
import dev.bkv.net.HttpTileFetcher;
import dev.bkv.net.WitnessHttpClient;
import dev.bkv.tlog.Ed25519Note;
import dev.bkv.tlog.NoteKeys;
import dev.bkv.tlog.SignedNote;
import dev.bkv.tlog.TileFetcher;
import dev.bkv.tlog.VerifierSet;
import dev.bkv.witness.BundleReceipt;
import dev.bkv.witness.BundleSubmission;
import dev.bkv.modelcheck.SpecCatalog;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fleet trust end to end, with the real processes on loopback: {@code bkv witness serve}
 * in a child JVM; {@code bkv fleet init}, {@code publish}, {@code rotate}, {@code publish}
 * for epochs 1 and 2; an OTA client (the library, as a phone links it) that accepts both
 * and refuses a bundle not in the log, a tampered countersignature, a downgrade to epoch 1,
 * an expired bundle and a checkpoint of a log forked with the witness's key (reporting the
 * split view); and {@code bkv audit}, given a copy of the public folder only (a workspace is
 * refused), which passes on the honest log and fails, with the
 * reason, on evidence that does not match, a jar other than the rebuilt one, a key set
 * changed without a new epoch, and a broken chain.
 */
class FleetTrustEndToEndTest {
  static final String WITNESS = "witness.example.com/w1";
  /** The origin of its bundle log, which every add-bundle request names. */
  static final String WITNESS_ORIGIN = WITNESS + "/bundles";
  static final SecureRandom RANDOM = new SecureRandom();

  @TempDir Path temp;
  final HttpClient http = WitnessHttpClient.newHttpClient();

  static BkvProcess.Result ok(BkvProcess.Result r) {
    assertEquals(0, r.exit(), r.all());
    return r;
  }

  /** The vault jar the fleet's HSMs run: the packaged impl jar, or a stand-in when run before packaging. */
  Path vaultJar() throws Exception {
    Path packaged = SpecCatalog.locateSpecRoot(Path.of("")).getParent().resolve("impl/target/bkv-impl.jar");
    if (Files.isRegularFile(packaged)) {
      return packaged;
    }
    Path standIn = temp.resolve("vault.jar");
    Files.writeString(standIn, "stand-in vault jar\n");
    return standIn;
  }

  static Path witnessedFile(Path workspace, long epoch) {
    return workspace.resolve("bundles").resolve(epoch + ".witnessed");
  }

  @Test
  void fleetTrustFromCeremonyToAudit() throws Exception {
    Path witnessDir = temp.resolve("witness");
    Path workspace = temp.resolve("operator");
    Path jar = vaultJar();
    Sha256Digest jarHash = Sha256Digest.of(Files.readAllBytes(jar));
    ok(BkvProcess.run(temp, "witness", "init", "--dir", witnessDir.toString(), "--name", WITNESS));
    ok(BkvProcess.run(temp, "fleet", "init", "--dir", workspace.toString(), "--hsms", "3", "--datacenters", "3",
        "--jar", jar.toString()));
    // The witness logs only bundles signed by a registered operator's submission key.
    String submitter = ok(BkvProcess.run(temp, "fleet", "submitter-key", "--dir", workspace.toString())).out().strip();
    ok(BkvProcess.run(temp, "witness", "add-operator", "--dir", witnessDir.toString(), "--vkey", submitter));
    Path vkeys = temp.resolve("witness.vkeys");
    Files.writeString(vkeys, vkeysOf(witnessDir));
    try (BkvProcess.Witness witness = BkvProcess.Witness.serve(witnessDir)) {
      ok(BkvProcess.run(temp, "fleet", "publish", "--dir", workspace.toString(), "--witness", witness.baseUrl,
          "--witness-vkeys", vkeys.toString()));
      ok(BkvProcess.run(temp, "fleet", "rotate", "--dir", workspace.toString(), "--hsms", "5", "--jar", jar.toString()));
      ok(BkvProcess.run(temp, "fleet", "publish", "--dir", workspace.toString(), "--witness", witness.baseUrl));
      byte[] epoch1 = Files.readAllBytes(witnessedFile(workspace, 1));
      byte[] epoch2 = Files.readAllBytes(witnessedFile(workspace, 2));

      Client client = new Client(witnessDir, workspace, jarHash, witness.baseUrl);
      clientAcceptsAndRefuses(client, witness, witnessDir, workspace, epoch1, epoch2);
      // Anyone can reach the witness, but an unsigned copy of the real bundle as epoch 3 is
      // refused: it would otherwise be a logged epoch the operator never published.
      ValidationBundle b2 = WitnessedBundle.parse(epoch2).bundle();
      ValidationBundle copy = ValidationBundle.of(b2.namespace(), b2.fleetId(), 3, b2.notBeforeSeconds(),
          b2.notAfterSeconds(), b2.members(), b2.evidenceDigest(), Optional.of(b2.digest()));
      assertEquals(403, new WitnessHttpClient(http, witness.baseUrl).addBundle(copy.toBytes()).status());
      auditPassesThenCatchesTampering(witness, vkeys, workspace, jarHash);
    }
  }

  /** What an OTA app compiles in, read from the published keys, and its trust store. */
  final class Client {
    final TrustAnchors anchors;
    final FleetTrust trust;
    final TileFetcher tiles;
    final SoftHsm operator;

    Client(Path witnessDir, Path workspace, Sha256Digest jarHash, String url) throws Exception {
      Path keys = witnessDir.resolve("keys");
      var logKey = NoteKeys.parseVerifierKey(Files.readString(keys.resolve("log.vkey")).strip());
      var bundleKey = NoteKeys.parseVerifierKey(Files.readString(keys.resolve("bundle.vkey")).strip());
      VendorRoot root = HsmVendor.loadRoot(workspace.resolve("vendor/root.crt"));
      EvidenceFacts facts = EvidenceVerifier.verify(Files.readAllBytes(workspace.resolve("fleets/fleet-1/evidence.txt")),
          root, jarHash).value();
      anchors = new TrustAnchors(facts.config().namespace(), bundleKey, facts.operatorKey(), logKey.keyName(), logKey,
          VerifierSet.of(), 0);
      trust = FleetTrust.open(temp.resolve("phone-trust"), anchors);
      tiles = new HttpTileFetcher(http, url);
      operator = SoftHsm.open(workspace.resolve("operator/hsm"), RANDOM);
    }

    BundleVerdict offer(byte[] file, long now) throws Exception {
      return trust.offer(file, tiles, now);
    }
  }

  static void assertRejected(BundleVerdict verdict, BundleCheck check) {
    BundleVerdict.Rejected r = assertInstanceOf(BundleVerdict.Rejected.class, verdict, verdict.describe());
    assertEquals(check, r.check(), r.toString());
  }

  private void clientAcceptsAndRefuses(Client client, BkvProcess.Witness witness, Path witnessDir, Path workspace,
      byte[] epoch1, byte[] epoch2) throws Exception {
    long now = Instant.now().getEpochSecond();
    assertTrue(client.offer(epoch1, now).accepted(), client.offer(epoch1, now).describe());
    assertTrue(client.offer(epoch2, now).accepted());
    assertEquals(2, client.trust.fleet().orElseThrow().epoch());
    WitnessedBundle second = WitnessedBundle.parse(epoch2);

    // A tampered countersignature.
    String text = new String(epoch2, StandardCharsets.UTF_8);
    String hex = second.countersignature().toHex();
    String flipped = hex.substring(0, 10) + (hex.charAt(10) == '0' ? '1' : '0') + hex.substring(11);
    assertRejected(client.offer(text.replace(hex, flipped).getBytes(StandardCharsets.UTF_8), now), BundleCheck.COUNTERSIGNATURE);

    // A downgrade: epoch 1 resubmitted (a retry the witness answers with its existing entry,
    // under a current checkpoint).
    WitnessedBundle first = WitnessedBundle.parse(epoch1);
    Ed25519Note.Signer submissionKey = OperatorWorkspace.open(workspace, RANDOM).submissionKey();
    BundleReceipt again = BundleReceipt.parse(new WitnessHttpClient(http, witness.baseUrl)
        .addBundle(BundleSubmission.sign(first.bundleBytes(), WITNESS_ORIGIN, submissionKey)).body());
    assertEquals(0, again.index());
    byte[] replay = WitnessedBundle.of(first.bundle(), again.bundleSignature(), again.proof(), first.countersignature()).toBytes();
    assertRejected(client.offer(replay, now), BundleCheck.EPOCH);

    // Expired: the client's clock past the window.
    assertRejected(client.offer(epoch2, second.bundle().notAfterSeconds()), BundleCheck.VALIDITY_WINDOW);

    // Not in the log: a bundle signed with the witness's bundle key and countersigned by the
    // operator, but never logged, shown with the log's current checkpoint.
    Ed25519Note.Signer bundleKey = NoteKeys.parseNoteSigner(Files.readString(witnessDir.resolve("keys/bundle.skey")).strip());
    ValidationBundle unlogged = ValidationBundle.of(second.bundle().namespace(), second.bundle().fleetId(), 3,
        second.bundle().notBeforeSeconds(), second.bundle().notAfterSeconds(), second.bundle().members(),
        second.bundle().evidenceDigest(), Optional.of(second.bundle().digest()));
    Ed25519.Signature sig = new Ed25519.Signature(bundleKey.sign(unlogged.toBytes()));
    byte[] rogue = WitnessedBundle.of(unlogged, sig, again.proof(), OperatorCountersignature.sign(client.operator, sig)).toBytes();
    assertRejected(client.offer(rogue, now), BundleCheck.INCLUSION);

    // A fork of the witness log, made with the witness's own keys, shown to this client. Whoever
    // holds the witness's keys registers a submission key of their own for the namespace.
    Path forkDir = temp.resolve("fork");
    copyTree(witnessDir.resolve("keys"), forkDir.resolve("keys"));
    Ed25519Note.Signer forger = new Ed25519Note.Signer(second.bundle().namespace(), Ed25519.PrivateKey.generate(RANDOM));
    ok(BkvProcess.run(temp, "witness", "add-operator", "--dir", forkDir.toString(), "--vkey", forger.verifier().vkey()));
    ValidationBundle b1 = first.bundle();
    ValidationBundle anotherFirst = ValidationBundle.of(b1.namespace(), b1.fleetId(), 1, b1.notBeforeSeconds() + 1,
        b1.notAfterSeconds(), b1.members(), b1.evidenceDigest(), Optional.empty());
    ValidationBundle moreOfIt = ValidationBundle.of(second.bundle().namespace(), second.bundle().fleetId(), 3,
        second.bundle().notBeforeSeconds(), second.bundle().notAfterSeconds(), second.bundle().members(),
        second.bundle().evidenceDigest(), Optional.of(second.bundle().digest()));
    try (BkvProcess.Witness fork = BkvProcess.Witness.serve(forkDir)) {
      WitnessHttpClient forkClient = new WitnessHttpClient(http, fork.baseUrl);
      for (byte[] bundle : List.of(anotherFirst.toBytes(), second.bundleBytes(), moreOfIt.toBytes())) {
        assertEquals(200, forkClient.addBundle(BundleSubmission.sign(bundle, WITNESS_ORIGIN, forger)).status());
      }
      BundleReceipt forked = BundleReceipt.parse(
          forkClient.addBundle(BundleSubmission.sign(second.bundleBytes(), WITNESS_ORIGIN, forger)).body());
      assertEquals(1, forked.index());
      byte[] onFork = WitnessedBundle.of(second.bundle(), forked.bundleSignature(), forked.proof(), second.countersignature())
          .toBytes();
      TileFetcher forkTiles = new HttpTileFetcher(http, fork.baseUrl);
      BundleVerdict verdict = client.trust.offer(onFork, forkTiles, now);
      assertRejected(verdict, BundleCheck.CONSISTENCY);
      // G6: the client meets the fork's checkpoint and holds proof of the split view.
      SignedNote forkCheckpoint = forked.proof().checkpoint();
      var split = assertInstanceOf(CheckpointComparison.SplitView.class,
          client.trust.meet(forkCheckpoint, forkTiles, client.tiles));
      assertTrue(split.evidence().verify(client.anchors.checkpointPolicy()).isVerified());
    }
    assertEquals(2, client.trust.fleet().orElseThrow().epoch(), "no refusal changed what the client trusts");
  }

  private void auditPassesThenCatchesTampering(BkvProcess.Witness witness, Path vkeys, Path workspace, Sha256Digest jarHash)
      throws Exception {
    // The auditor gets a copy of the public folder only, never the workspace (which holds HSM keys).
    Path published = temp.resolve("auditor/published");
    copyTree(workspace.resolve("public"), published);
    String root = published.resolve("vendor-root.crt").toString();
    BkvProcess.Result refused = audit(witness.baseUrl, vkeys, workspace, root, jarHash.toHex());
    assertEquals(1, refused.exit(), refused.all());
    assertTrue(refused.err().contains("is an operator workspace"), refused.all());
    BkvProcess.Result honest = ok(audit(witness.baseUrl, vkeys, published, root, jarHash.toHex(), "--state",
        temp.resolve("audit-state").toString()));
    assertTrue(honest.out().contains("AUDIT PASSED"), honest.all());
    assertTrue(honest.out().contains("added HSM"), honest.all());

    // A jar other than the rebuilt one.
    BkvProcess.Result wrongJar = audit(witness.baseUrl, vkeys, published, root,
        Sha256Digest.of(new byte[] {1}).toHex());
    assertFailed(wrongJar, "evidence: evidence does not verify: the evidence names vault jar " + jarHash.toHex());

    // Evidence that no longer matches what the bundle names: one byte of fleet 2's changed.
    Path altered = temp.resolve("altered");
    copyTree(published, altered);
    Path evidence2 = altered.resolve("evidence/fleet-2.txt");
    Files.writeString(evidence2, Files.readString(evidence2).replaceFirst("ceremony-time (\\d+)", "ceremony-time 1$1"));
    assertFailed(audit(witness.baseUrl, vkeys, altered, root, jarHash.toHex()),
        "epoch 2, evidence: no published evidence has the digest");

    // Logs the operator got wrong, each on a witness of its own: a key set changed within an
    // epoch, and a chain that does not link to the previous bundle.
    ValidationBundle b1 = WitnessedBundle.parse(Files.readAllBytes(witnessedFile(workspace, 1))).bundle();
    ValidationBundle b2 = WitnessedBundle.parse(Files.readAllBytes(witnessedFile(workspace, 2))).bundle();
    ValidationBundle sameEpochOldKeys = ValidationBundle.of(b1.namespace(), b1.fleetId(), 2, b2.notBeforeSeconds(),
        b2.notAfterSeconds(), b1.members(), b1.evidenceDigest(), Optional.of(b1.digest()));
    assertFailed(auditOfOwnLog("keyset", workspace, vkeysFor("keyset"), jarHash, List.of(b1, b2, sameEpochOldKeys)),
        "epoch 2, epoch and chain: the key set changed without a new epoch");
    ValidationBundle unchained = ValidationBundle.of(b2.namespace(), b2.fleetId(), 2, b2.notBeforeSeconds(),
        b2.notAfterSeconds(), b2.members(), b2.evidenceDigest(), Optional.of(Sha256Digest.of(new byte[] {2})));
    assertFailed(auditOfOwnLog("chain", workspace, vkeysFor("chain"), jarHash, List.of(b1, unchained)),
        "epoch 2, epoch and chain: epoch 2 does not name the digest of the previous bundle");
  }

  /** A witness's three public keys, as 'bkv witness init' prints them. */
  static String vkeysOf(Path witnessDir) throws Exception {
    Path keys = witnessDir.resolve("keys");
    return Files.readString(keys.resolve("log.vkey")) + Files.readString(keys.resolve("cosigner.vkey"))
        + Files.readString(keys.resolve("bundle.vkey"));
  }

  private Path vkeysFor(String name) {
    return temp.resolve(name + ".vkeys");
  }

  /** Logs {@code bundles} on a fresh witness, countersigns them as the operator, and audits that log. */
  private BkvProcess.Result auditOfOwnLog(String name, Path workspace, Path vkeys, Sha256Digest jarHash,
      List<ValidationBundle> bundles) throws Exception {
    Path dir = temp.resolve("witness-" + name);
    ok(BkvProcess.run(temp, "witness", "init", "--dir", dir.toString(), "--name", "witness.example.com/" + name));
    Files.writeString(vkeys, vkeysOf(dir));
    Path published = temp.resolve("published-" + name);
    copyTree(workspace.resolve("public/evidence"), published.resolve("evidence"));
    SoftHsm operator = SoftHsm.open(workspace.resolve("operator/hsm"), RANDOM);
    // Appended to the log directly, as a witness that checks no epoch would: the audit must
    // catch these logs without relying on the witness's own epoch rule.
    List<byte[]> files = new ArrayList<>();
    try (dev.bkv.witness.Witness log = dev.bkv.witness.Witness.open(dir)) {
      for (ValidationBundle b : bundles) {
        BundleReceipt r = log.log().append(b.toBytes());
        files.add(WitnessedBundle.of(b, r.bundleSignature(), r.proof(),
            OperatorCountersignature.sign(operator, r.bundleSignature())).toBytes());
      }
    }
    try (BkvProcess.Witness w = BkvProcess.Witness.serve(dir)) {
      for (int i = 0; i < files.size(); i++) {
        Files.createDirectories(published.resolve("bundles"));
        Files.write(published.resolve("bundles/" + (i + 1) + ".witnessed"), files.get(i));
      }
      return audit(w.baseUrl, vkeys, published, workspace.resolve("public/vendor-root.crt").toString(), jarHash.toHex());
    }
  }

  private BkvProcess.Result audit(String url, Path vkeys, Path published, String root, String jar, String... more)
      throws Exception {
    List<String> args = new ArrayList<>(List.of("audit", "--witness", url, "--witness-keys", vkeys.toString(),
        "--published", published.toString(), "--vendor-root", root, "--expected-jar-hash", jar));
    args.addAll(List.of(more));
    return BkvProcess.run(temp, args.toArray(new String[0]));
  }

  static void assertFailed(BkvProcess.Result r, String reason) {
    assertEquals(1, r.exit(), r.all());
    assertTrue(r.err().contains("bkv audit: FAILED: " ) && r.err().contains(reason), "expected '" + reason + "':\n" + r.all());
  }
}
