package dev.bkv.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.crypto.Sha256Digest;
import dev.bkv.tlog.Checkpoint;
import dev.bkv.tlog.ConsistencyProof;
import dev.bkv.tlog.Hash;
import dev.bkv.tlog.MerkleTree;
import dev.bkv.tlog.NoteSignature;
import dev.bkv.tlog.SignedNote;
import dev.bkv.tlog.TlogProof;
import dev.bkv.tlog.VerifierSet;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The client's acceptance decision (spec ClientAccepts; G5 and no downgrade): a valid
 * witnessed bundle is accepted, and each check, broken alone, rejects with its own check
 * name and a reason that says what was wrong.
 */
class BundleVerifierTest {
  static final long NOW = BundleFixtures.NOT_BEFORE + 1000;

  BundleFixtures.Log log;
  ValidationBundle epoch1;
  ValidationBundle epoch2;
  long index1;
  long index2;
  Checkpoint afterEpoch1;

  @BeforeEach
  void logTwoEpochs() throws Exception {
    log = new BundleFixtures.Log();
    log.append("other entry 0\n".getBytes(StandardCharsets.UTF_8));
    epoch1 = BundleFixtures.bundle("fleet-a", 1, Optional.empty());
    index1 = log.append(epoch1.toBytes());
    afterEpoch1 = new Checkpoint(BundleFixtures.LOG_ORIGIN, log.tree.size(), log.tree.root());
    log.append("other entry 2\n".getBytes(StandardCharsets.UTF_8));
    epoch2 = BundleFixtures.bundle("fleet-b", 2, Optional.of(epoch1.digest()));
    index2 = log.append(epoch2.toBytes());
  }

  static TrustAnchors anchors(int k) {
    return new TrustAnchors(BundleFixtures.NAMESPACE, BundleFixtures.bundleKey().verifier(),
        BundleFixtures.operatorKey().publicKey(), BundleFixtures.LOG_ORIGIN, BundleFixtures.logKey().verifier(),
        VerifierSet.of(BundleFixtures.cosigner(1).verifier(), BundleFixtures.cosigner(2).verifier()), k);
  }

  /** {@code bundle} as logged at {@code index}, under the current checkpoint with {@code cosigned} cosignatures. */
  WitnessedBundle witnessed(ValidationBundle bundle, long index, int cosigned) throws Exception {
    var signature = log.witnessSignature(bundle.toBytes());
    TlogProof proof = log.proof(index, log.tree.size(), log.cosign(log.tree.size(), cosigned, NOW));
    return WitnessedBundle.of(bundle, signature, proof,
        BundleFixtures.operatorKey().sign(OperatorCountersignature.message(signature)));
  }

  List<Hash> consistencyFrom(long oldSize) throws Exception {
    return oldSize == log.tree.size() ? List.of() : ConsistencyProof.generate(log.tree, oldSize, log.tree.size()).hashes();
  }

  ClientMemory afterAccepting1() {
    return new ClientMemory(Optional.of(afterEpoch1), 1, Optional.of(epoch1.toBytes()));
  }

  static BundleVerdict verify(ClientMemory memory, byte[] file, List<Hash> consistency, int k) {
    return BundleVerifier.verifyOta(anchors(k), memory, NOW, file, consistency);
  }

  static BundleVerdict.Rejected rejected(BundleVerdict verdict, BundleCheck check, String reasonPart) {
    BundleVerdict.Rejected r = assertInstanceOf(BundleVerdict.Rejected.class, verdict);
    assertEquals(check, r.check(), r.toString());
    assertTrue(r.reason().contains(reasonPart), r.reason());
    return r;
  }

  static WitnessedBundle withProof(WitnessedBundle w, TlogProof proof) {
    return WitnessedBundle.of(w.bundle(), w.witnessSignature(), proof, w.countersignature());
  }

  @Test
  void whenEveryCheckPasses_thenTheFleetAndCheckpointAreAccepted() throws Exception {
    BundleVerdict verdict = verify(afterAccepting1(), witnessed(epoch2, index2, 2).toBytes(), consistencyFrom(2), 2);
    BundleVerdict.Accepted accepted = assertInstanceOf(BundleVerdict.Accepted.class, verdict);
    assertEquals(2, accepted.epoch());
    assertEquals(4, accepted.checkpoint().orElseThrow().checkpoint().size());
    assertEquals(2, accepted.checkpoint().orElseThrow().cosignatures().size());
    assertEquals("accepted", verdict.specReason());
    // First use: nothing stored, no proof needed.
    assertTrue(verify(ClientMemory.firstUse(), witnessed(epoch1, index1, 0).toBytes(), List.of(), 0).accepted());
    // The same checkpoint as stored, the same epoch as last accepted.
    ClientMemory same = new ClientMemory(Optional.of(new Checkpoint(BundleFixtures.LOG_ORIGIN, 4, log.tree.root())), 2,
        Optional.of(epoch2.toBytes()));
    assertTrue(verify(same, witnessed(epoch2, index2, 0).toBytes(), List.of(), 0).accepted());
  }

  @Test
  void wellFormed_andNamespace() throws Exception {
    byte[] good = witnessed(epoch2, index2, 0).toBytes();
    byte[] truncated = java.util.Arrays.copyOf(good, good.length - 1);
    rejected(verify(afterAccepting1(), truncated, consistencyFrom(2), 0), BundleCheck.WELL_FORMED, "");
    rejected(verify(afterAccepting1(), new byte[WitnessedBundle.WITNESSED_BYTES_MAX + 1], consistencyFrom(2), 0),
        BundleCheck.WELL_FORMED, "exceeds");
    List<Hash> tooLong = new ArrayList<>();
    for (int i = 0; i < 65; i++) {
      tooLong.add(new Hash(new byte[32]));
    }
    rejected(verify(afterAccepting1(), good, tooLong, 0), BundleCheck.WELL_FORMED, "more than 64");
    ValidationBundle other = ValidationBundle.of("backup.example.com/whatsapp", "fleet-b", 2, epoch2.notBeforeSeconds(),
        epoch2.notAfterSeconds(), epoch2.members(), epoch2.evidenceDigest(), epoch2.previousDigest());
    long at = log.append(other.toBytes());
    rejected(verify(afterAccepting1(), witnessed(other, at, 0).toBytes(), consistencyFrom(2), 0), BundleCheck.NAMESPACE,
        "whatsapp");
  }

  @Test
  void digest_witnessSignature_countersignature() throws Exception {
    WitnessedBundle w = witnessed(epoch2, index2, 0);
    List<Hash> c = consistencyFrom(2);
    String text = new String(w.toBytes(), StandardCharsets.UTF_8);
    String badDigest = text.replace(w.statedDigest().toHex(), Sha256Digest.of(new byte[1]).toHex());
    rejected(verify(afterAccepting1(), badDigest.getBytes(StandardCharsets.UTF_8), c, 0), BundleCheck.DIGEST,
        "not SHA-256 of the bundle");

    var otherSig = log.witnessSignature(epoch1.toBytes());
    WitnessedBundle badWitness = WitnessedBundle.of(epoch2, otherSig, w.proof(),
        BundleFixtures.operatorKey().sign(OperatorCountersignature.message(otherSig)));
    rejected(verify(afterAccepting1(), badWitness.toBytes(), c, 0), BundleCheck.WITNESS_SIGNATURE, "witness.example.com/w1/bundle");

    WitnessedBundle badCounter = WitnessedBundle.of(epoch2, w.witnessSignature(), w.proof(),
        BundleFixtures.operatorKey().sign(epoch2.toBytes()));
    rejected(verify(afterAccepting1(), badCounter.toBytes(), c, 0), BundleCheck.COUNTERSIGNATURE, "countersignature");
    WitnessedBundle wrongOperator = WitnessedBundle.of(epoch2, w.witnessSignature(), w.proof(),
        BundleFixtures.ecdsaKey("not the operator").sign(OperatorCountersignature.message(w.witnessSignature())));
    rejected(verify(afterAccepting1(), wrongOperator.toBytes(), c, 0), BundleCheck.COUNTERSIGNATURE, "does not verify");
  }

  @Test
  void checkpointSignature_andCosignatures() throws Exception {
    WitnessedBundle w = witnessed(epoch2, index2, 1);
    List<Hash> c = consistencyFrom(2);
    SignedNote note = w.proof().checkpoint();
    SignedNote unsigned = new SignedNote(note.text(), note.signatures().subList(1, 2));
    TlogProof p = w.proof();
    rejected(verify(afterAccepting1(), withProof(w, new TlogProof(Optional.empty(), p.index(), p.proof(), unsigned)).toBytes(), c, 1),
        BundleCheck.CHECKPOINT_SIGNATURE, "no signature by a trusted key");
    // One valid cosignature where two are required; an invalid second one does not count.
    rejected(verify(afterAccepting1(), w.toBytes(), c, 2), BundleCheck.COSIGNATURES, "1 valid cosignatures");
    NoteSignature good = BundleFixtures.cosigner(2).cosign(note.textBytes(), NOW);
    byte[] flipped = good.signature();
    flipped[20] ^= 1;
    SignedNote withBad = note.withSignatures(List.of(new NoteSignature(good.keyName(), good.keyId(), flipped)));
    WitnessedBundle bad = withProof(w, new TlogProof(Optional.empty(), p.index(), p.proof(), withBad));
    rejected(verify(afterAccepting1(), bad.toBytes(), c, 2), BundleCheck.COSIGNATURES, "1 valid cosignatures");
    // ...but it does not void a checkpoint that has enough valid ones.
    assertTrue(verify(afterAccepting1(), bad.toBytes(), c, 1).accepted());
  }

  @Test
  void inclusion() throws Exception {
    WitnessedBundle w = witnessed(epoch2, index2, 0);
    TlogProof p = w.proof();
    WitnessedBundle wrongIndex = withProof(w, new TlogProof(Optional.empty(), index1, p.proof(), p.checkpoint()));
    rejected(verify(afterAccepting1(), wrongIndex.toBytes(), consistencyFrom(2), 0), BundleCheck.INCLUSION, "root");
    // A bundle that is not in the log at all, presented with another entry's proof.
    ValidationBundle unlogged = BundleFixtures.bundle("fleet-rogue", 2, Optional.of(epoch1.digest()));
    var sig = log.witnessSignature(unlogged.toBytes());
    WitnessedBundle rogue = WitnessedBundle.of(unlogged, sig, p,
        BundleFixtures.operatorKey().sign(OperatorCountersignature.message(sig)));
    rejected(verify(afterAccepting1(), rogue.toBytes(), consistencyFrom(2), 0), BundleCheck.INCLUSION, "does not lead to the root");
  }

  @Test
  void consistency() throws Exception {
    byte[] file = witnessed(epoch2, index2, 0).toBytes();
    List<Hash> proof = new ArrayList<>(consistencyFrom(2));
    proof.set(0, new Hash(new byte[32]));
    rejected(verify(afterAccepting1(), file, proof, 0), BundleCheck.CONSISTENCY, "does not extend the stored one");
    ClientMemory ahead = new ClientMemory(Optional.of(new Checkpoint(BundleFixtures.LOG_ORIGIN, 9, afterEpoch1.rootHash())), 1,
        Optional.empty());
    rejected(verify(ahead, file, List.of(), 0), BundleCheck.CONSISTENCY, "rollback");
    ClientMemory forked = new ClientMemory(Optional.of(new Checkpoint(BundleFixtures.LOG_ORIGIN, 2,
        new Hash(Sha256Digest.of(new byte[1]).toBytes()))), 1, Optional.empty());
    rejected(verify(forked, file, consistencyFrom(2), 0), BundleCheck.CONSISTENCY, "does not extend the stored one");
    ClientMemory otherLog = new ClientMemory(Optional.of(new Checkpoint("elsewhere/log", 2, afterEpoch1.rootHash())), 1,
        Optional.empty());
    rejected(verify(otherLog, file, consistencyFrom(2), 0), BundleCheck.CONSISTENCY, "elsewhere/log");
  }

  @Test
  void epoch_window_chain() throws Exception {
    ClientMemory after2 = new ClientMemory(Optional.of(afterEpoch1), 2, Optional.empty());
    rejected(verify(after2, witnessed(epoch1, index1, 0).toBytes(), consistencyFrom(2), 0), BundleCheck.EPOCH,
        "below the last accepted epoch 2");
    byte[] file = witnessed(epoch2, index2, 0).toBytes();
    rejected(BundleVerifier.verifyOta(anchors(0), afterAccepting1(), epoch2.notBeforeSeconds() - 1, file, consistencyFrom(2)),
        BundleCheck.VALIDITY_WINDOW, "outside the validity window");
    rejected(BundleVerifier.verifyOta(anchors(0), afterAccepting1(), epoch2.notAfterSeconds(), file, consistencyFrom(2)),
        BundleCheck.VALIDITY_WINDOW, "outside");
    assertTrue(BundleVerifier.verifyOta(anchors(0), afterAccepting1(), epoch2.notBeforeSeconds(), file, consistencyFrom(2))
        .accepted());
    // The client holds the epoch 1 bundle: epoch 2 must name its digest.
    ValidationBundle unchained = BundleFixtures.bundle("fleet-b", 2, Optional.of(Sha256Digest.of(new byte[3])));
    long at = log.append(unchained.toBytes());
    rejected(verify(afterAccepting1(), witnessed(unchained, at, 0).toBytes(), consistencyFrom(2), 0),
        BundleCheck.PREVIOUS_BUNDLE, "does not name the digest");
    assertTrue(!BundleCheck.PREVIOUS_BUNDLE.inSpec() && BundleCheck.EPOCH.inSpec());
  }

  @Test
  void pinned() throws Exception {
    assertTrue(BundleVerifier.verifyPinned(epoch1).accepted());
    ValidationBundle sameKeysLaterEpoch = BundleFixtures.bundle("fleet-a", 3, Optional.of(epoch2.digest()));
    assertTrue(BundleVerifier.verifyPinned(epoch1, sameKeysLaterEpoch.toBytes()).accepted());
    rejected(BundleVerifier.verifyPinned(epoch1, epoch2.toBytes()), BundleCheck.PINNED_FLEET, "the app pins fleet-a");
    rejected(BundleVerifier.verifyPinned(epoch1, "not a bundle\n".getBytes(StandardCharsets.UTF_8)), BundleCheck.WELL_FORMED, "");
    assertEquals("pinned-fleet", BundleVerifier.verifyPinned(epoch1, epoch2.toBytes()).specReason());
  }

  @Test
  void theFleetKeySetDigestIsTheHashOfTheKeyLinesAndTheQuorumLine() throws Exception {
    // Lines 7 to 12 of a 3-HSM bundle are its key lines, line 13 its quorum line.
    String[] lines = epoch1.text().split("\n");
    String keysAndQuorum = String.join("\n", java.util.Arrays.copyOfRange(lines, 6, 13)) + "\n";
    assertTrue(lines[12].startsWith("quorum "), lines[12]);
    assertEquals(Sha256Digest.of(keysAndQuorum.getBytes(StandardCharsets.US_ASCII)), BundleVerifier.keySetDigest(epoch1));
  }

  @Test
  void aConsistencyProofOfExactlyTheLimitIsCheckedNotRefusedAsMalformed() throws Exception {
    List<Hash> atLimit = new ArrayList<>();
    for (int i = 0; i < ConsistencyProof.HASHES_MAX; i++) {
      atLimit.add(new Hash(new byte[32]));
    }
    rejected(verify(afterAccepting1(), witnessed(epoch2, index2, 0).toBytes(), atLimit, 0), BundleCheck.CONSISTENCY, "");
  }

  @Test
  void aCosignerCountsOnceHoweverOftenItSigns_andUnknownCosignersAreSkipped() throws Exception {
    WitnessedBundle w = witnessed(epoch2, index2, 1);
    SignedNote note = w.proof().checkpoint();
    NoteSignature first = note.signatures().get(1);
    NoteSignature stranger = BundleFixtures.cosigner(3).cosign(note.textBytes(), NOW);
    SignedNote repeated = note.withSignatures(List.of(stranger, first));
    TlogProof p = w.proof();
    byte[] file = withProof(w, new TlogProof(Optional.empty(), p.index(), p.proof(), repeated)).toBytes();
    rejected(verify(afterAccepting1(), file, consistencyFrom(2), 2), BundleCheck.COSIGNATURES, "1 valid cosignatures");
    assertTrue(verify(afterAccepting1(), file, consistencyFrom(2), 1).accepted());
  }

  @Test
  void everyTreeExtendsAStoredEmptyTree() throws Exception {
    ClientMemory emptyLog = new ClientMemory(Optional.of(new Checkpoint(BundleFixtures.LOG_ORIGIN, 0,
        new MerkleTree().root())), 1, Optional.of(epoch1.toBytes()));
    assertTrue(verify(emptyLog, witnessed(epoch2, index2, 0).toBytes(), List.of(), 0).accepted());
  }

  @Test
  void aRejectionIsNeverAnAcceptanceAndAlwaysSaysWhy_andMemoryHoldsNoNegativeEpoch() {
    assertTrue(!new BundleVerdict.Rejected(BundleCheck.EPOCH, "epoch 1 is below 2").accepted());
    assertThrows(IllegalArgumentException.class,
        () -> new BundleVerdict.Rejected(BundleCheck.EPOCH, null));
    assertThrows(IllegalArgumentException.class,
        () -> new BundleVerdict.Rejected(BundleCheck.EPOCH, ""));
    assertThrows(IllegalArgumentException.class,
        () -> new ClientMemory(Optional.empty(), -1, Optional.empty()));
  }
}
