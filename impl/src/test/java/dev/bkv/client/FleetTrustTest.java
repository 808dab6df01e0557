package dev.bkv.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.audit.CheckpointComparison;
import dev.bkv.audit.CheckpointComparison.LargerTreePrefix;
import dev.bkv.bundle.BundleCheck;
import dev.bkv.bundle.BundleFixtures;
import dev.bkv.bundle.BundleVerdict;
import dev.bkv.bundle.TrustAnchors;
import dev.bkv.bundle.ValidationBundle;
import dev.bkv.crypto.EcdsaP256;
import dev.bkv.crypto.opaque.Password;
import dev.bkv.fleet.MemberKeys;
import dev.bkv.hsm.HsmAttestation;
import dev.bkv.hsm.HsmId;
import dev.bkv.storage.StorageException;
import dev.bkv.tlog.Checkpoint;
import dev.bkv.tlog.ConsistencyProof;
import dev.bkv.tlog.Ed25519Note;
import dev.bkv.tlog.Hash;
import dev.bkv.tlog.MerkleTree;
import dev.bkv.tlog.FormatException;
import dev.bkv.tlog.SignedNote;
import dev.bkv.tlog.TileFetcher;
import dev.bkv.tlog.TilePath;
import dev.bkv.tlog.Tiles;
import dev.bkv.tlog.VerifierSet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client's trust store (spec ClientReceive and Gossip): it accepts a fleet only through
 * the verifier, remembers epoch and checkpoint across restarts, changes nothing on a
 * rejection, and turns a forked checkpoint met later into split-view evidence (G6).
 */
class FleetTrustTest {
  static final long NOW = BundleFixtures.NOT_BEFORE + 1000;

  @TempDir Path temp;
  BundleFixtures.Log log;
  Path state;

  static TrustAnchors anchors() {
    return new TrustAnchors(BundleFixtures.NAMESPACE, BundleFixtures.bundleKey().verifier(),
        BundleFixtures.operatorKey().publicKey(), BundleFixtures.LOG_ORIGIN, BundleFixtures.logKey().verifier(),
        VerifierSet.of(), 0);
  }

  @BeforeEach
  void setUp() {
    log = new BundleFixtures.Log();
    state = temp.resolve("fleet-trust");
  }

  byte[] logAndWitness(ValidationBundle bundle) throws Exception {
    return BundleFixtures.witness(log, bundle).toBytes();
  }

  List<Hash> proofFrom(long size) throws Exception {
    return size == 0 || size == log.tree.size() ? List.of() : ConsistencyProof.generate(log.tree, size, log.tree.size()).hashes();
  }

  @Test
  void acceptsInOrder_remembersAcrossRestarts_andRefusesADowngrade() throws Exception {
    ValidationBundle epoch1 = BundleFixtures.bundle("fleet-a", 1, Optional.empty());
    byte[] witnessed1 = logAndWitness(epoch1);
    FleetTrust trust = FleetTrust.open(state, anchors());
    assertEquals(0, trust.storedSize());
    assertTrue(trust.offer(witnessed1, List.of(), NOW).accepted());

    ValidationBundle epoch2 = BundleFixtures.bundle("fleet-b", 2, Optional.of(epoch1.digest()));
    byte[] witnessed2 = logAndWitness(epoch2);
    FleetTrust reopened = FleetTrust.open(state, anchors());
    assertEquals(1, reopened.fleet().orElseThrow().epoch());
    assertEquals(1, reopened.storedSize());
    assertTrue(reopened.offer(witnessed2, proofFrom(1), NOW).accepted());
    byte[] stored = Files.readAllBytes(state);

    // Epoch 1 again, on a checkpoint that extends the stored one: a downgrade.
    byte[] replay = BundleFixtures.witness(log, BundleFixtures.bundle("fleet-a", 1, Optional.empty())).toBytes();
    BundleVerdict downgrade = reopened.offer(replay, proofFrom(2), NOW);
    assertEquals(BundleCheck.EPOCH, assertInstanceOf(BundleVerdict.Rejected.class, downgrade).check());
    assertArrayEquals(stored, Files.readAllBytes(state), "a rejection leaves the stored state alone");
    FleetTrust again = FleetTrust.open(state, anchors());
    assertEquals(2, again.fleet().orElseThrow().epoch());
    assertEquals("fleet-b", again.fleet().orElseThrow().fleetId());
  }

  @Test
  void whenAnotherPartysCheckpointForksFromTheStoredOne_thenEvidenceIsReported() throws Exception {
    FleetTrust trust = FleetTrust.open(state, anchors());
    assertInstanceOf(CheckpointComparison.Unresolved.class,
        trust.meet(log.checkpoint(0, List.of()), LargerTreePrefix.of(log.tree, 0)));
    log.append("entry 0\n".getBytes(StandardCharsets.UTF_8));
    assertTrue(trust.offer(logAndWitness(BundleFixtures.bundle("fleet-a", 1, Optional.empty())), List.of(), NOW).accepted());
    log.append("entry 2\n".getBytes(StandardCharsets.UTF_8));

    // The honest log grew: consistent.
    SignedNote grown = log.checkpoint(3, List.of());
    assertInstanceOf(CheckpointComparison.Consistent.class, trust.meet(grown, LargerTreePrefix.of(log.tree, 2)));

    // A fork signed with the witness log key, shown to someone else.
    MerkleTree fork = new MerkleTree();
    fork.appendEntry("entry 0\n".getBytes(StandardCharsets.UTF_8));
    fork.appendEntry("a different bundle\n".getBytes(StandardCharsets.UTF_8));
    fork.appendEntry("entry 2\n".getBytes(StandardCharsets.UTF_8));
    SignedNote forked = SignedNote.sign(new Checkpoint(BundleFixtures.LOG_ORIGIN, 3, fork.root()).text(),
        List.of(BundleFixtures.logKey()));
    CheckpointComparison.SplitView split = assertInstanceOf(CheckpointComparison.SplitView.class,
        trust.meet(forked, LargerTreePrefix.of(fork, 2)));
    assertTrue(split.evidence().verify(anchors().checkpointPolicy()).isVerified());
    assertEquals(trust.checkpoint().orElseThrow().format(), split.evidence().smaller().format());

    // A checkpoint not signed by the log key proves nothing.
    Ed25519Note.Signer stranger = new Ed25519Note.Signer(BundleFixtures.LOG_ORIGIN, BundleFixtures.ed25519Key("stranger"));
    SignedNote foreign = SignedNote.sign(new Checkpoint(BundleFixtures.LOG_ORIGIN, 3, fork.root()).text(), List.of(stranger));
    assertTrue(assertInstanceOf(CheckpointComparison.Unresolved.class, trust.meet(foreign, LargerTreePrefix.of(fork, 2)))
        .reason().startsWith("the other checkpoint"));
  }

  /** Serves the hash tiles of an in-memory tree, as a witness's /tile/ route would. */
  static TileFetcher tiles(MerkleTree tree) {
    return (path, bytesMax) -> {
      try {
        TilePath tile = TilePath.parse(path);
        if (tile.entries() || !Tiles.exists(tile, tree.size())) {
          throw new IOException("404 " + path);
        }
        return Tiles.hashTile(tree, tile);
      } catch (FormatException e) {
        throw new IOException("404 " + path);
      }
    };
  }

  @Test
  void consistencyProofsAndPrefixesComeFromTheLogsTiles() throws Exception {
    ValidationBundle epoch1 = BundleFixtures.bundle("fleet-a", 1, Optional.empty());
    FleetTrust trust = FleetTrust.open(state, anchors());
    assertTrue(trust.offer(logAndWitness(epoch1), tiles(log.tree), NOW).accepted());
    for (int i = 0; i < 300; i++) {
      log.append(("filler " + i + "\n").getBytes(StandardCharsets.UTF_8)); // past one full tile
    }
    byte[] witnessed2 = logAndWitness(BundleFixtures.bundle("fleet-b", 2, Optional.of(epoch1.digest())));
    assertTrue(!trust.consistencyProofFor(witnessed2, tiles(log.tree)).isEmpty());
    assertTrue(trust.offer(witnessed2, tiles(log.tree), NOW).accepted());
    assertEquals(302, trust.storedSize());

    // Gossip: a smaller honest checkpoint is consistent (prefix from the client's own log);
    // a larger fork is not (prefix from the fork's tiles).
    SignedNote older = log.checkpoint(100, List.of());
    assertInstanceOf(CheckpointComparison.Consistent.class, trust.meet(older, tiles(log.tree), tiles(log.tree)));
    MerkleTree fork = new MerkleTree();
    for (int i = 0; i < 400; i++) {
      fork.appendEntry(("fork " + i + "\n").getBytes(StandardCharsets.UTF_8));
    }
    SignedNote forked = SignedNote.sign(new Checkpoint(BundleFixtures.LOG_ORIGIN, 400, fork.root()).text(),
        List.of(BundleFixtures.logKey()));
    CheckpointComparison.SplitView split = assertInstanceOf(CheckpointComparison.SplitView.class,
        trust.meet(forked, tiles(fork), tiles(log.tree)));
    assertTrue(split.evidence().verify(anchors().checkpointPolicy()).isVerified());
  }

  @Test
  void aDamagedStateFileIsRefused_notGuessedAt() throws Exception {
    FleetTrust trust = FleetTrust.open(state, anchors());
    assertTrue(trust.offer(logAndWitness(BundleFixtures.bundle("fleet-a", 1, Optional.empty())), List.of(), NOW).accepted());
    TrustState good = TrustState.load(state).orElseThrow();
    // A state whose checkpoint another key signed.
    Ed25519Note.Signer stranger = new Ed25519Note.Signer(BundleFixtures.LOG_ORIGIN, BundleFixtures.ed25519Key("stranger"));
    new TrustState(1, good.acceptedBundle(), SignedNote.sign(good.checkpoint().text(), List.of(stranger))).store(state);
    StorageException e = assertThrows(StorageException.class, () -> FleetTrust.open(state, anchors()));
    assertTrue(e.getMessage().contains("stored checkpoint does not verify"), e.getMessage());
    // A state whose bundle no longer parses.
    new TrustState(1, "not a witnessed bundle\n".getBytes(StandardCharsets.UTF_8), good.checkpoint()).store(state);
    assertTrue(assertThrows(StorageException.class, () -> FleetTrust.open(state, anchors())).getMessage()
        .contains("no longer parses"));
  }

  @Test
  void theVaultClientTalksOnlyToTheTrustedFleetsServerKey() throws Exception {
    InProcessTransport vault = VaultClientTest.freshVault();
    HsmAttestation attestation = VaultClient.attest(vault);
    FleetTrust trust = FleetTrust.open(state, anchors());
    VaultClientException none = assertThrows(VaultClientException.class,
        () -> VaultClient.forTrustedFleet(vault, trust, VaultClientTest.FAST_KSF, VaultClientTest.RANDOM));
    assertEquals(VaultClientException.Kind.UNTRUSTED_SERVER, none.kind());

    // A fleet of this HSM and two peers in three datacenters, all answering with its OPAQUE
    // key, accepted through the verifier.
    List<MemberKeys> members = new ArrayList<>();
    members.add(new MemberKeys(HsmId.of(attestation.identityKey()), "dc-1", attestation.identityKey(),
        attestation.opaqueServerKey()));
    for (int i = 2; i <= 3; i++) {
      EcdsaP256.PublicKey peer = BundleFixtures.ecdsaKey("peer " + i).publicKey();
      members.add(new MemberKeys(HsmId.of(peer), "dc-" + i, peer, attestation.opaqueServerKey()));
    }
    members.sort(Comparator.comparing(m -> m.hsmId().toHex()));
    ValidationBundle ours = ValidationBundle.of(BundleFixtures.NAMESPACE, "fleet-one", 1, BundleFixtures.NOT_BEFORE,
        BundleFixtures.NOT_AFTER, members, BundleFixtures.evidenceDigest("one"), Optional.empty());
    assertTrue(trust.offer(logAndWitness(ours), List.of(), NOW).accepted());
    VaultClient client = VaultClient.forTrustedFleet(vault, trust, VaultClientTest.FAST_KSF, VaultClientTest.RANDOM);
    client.register(VaultClientTest.user("carol"), Password.utf8("pw"), VaultClientTest.randomKey(), 3);

    // Another fleet's key: the client refuses to register with this HSM.
    VaultClient wrong = VaultClient.forFleet(vault, BundleFixtures.bundle("fleet-a", 1, Optional.empty()),
        VaultClientTest.FAST_KSF, VaultClientTest.RANDOM);
    VaultClientException refused = assertThrows(VaultClientException.class,
        () -> wrong.register(VaultClientTest.user("dave"), Password.utf8("pw"), VaultClientTest.randomKey(), 3));
    assertEquals(VaultClientException.Kind.UNTRUSTED_SERVER, refused.kind());
  }
}
