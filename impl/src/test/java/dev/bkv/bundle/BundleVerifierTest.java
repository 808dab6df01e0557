package dev.bkv.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.crypto.EcdsaP256;
import dev.bkv.crypto.Sha256;
import dev.bkv.tlog.Checkpoint;
import dev.bkv.tlog.Hash;
import dev.bkv.tlog.NoteSignature;
import dev.bkv.tlog.SignedNote;
import dev.bkv.tlog.Verdict;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The client's acceptance decision (spec ClientAccepts, G5 and no downgrade): a valid
 * bundle is accepted, and each check, broken alone, rejects with its own check name and a
 * reason that says what was wrong.
 */
class BundleVerifierTest {
  OtaFixture f;
  TrustedFleet epoch1;
  TrustedFleet epoch2;
  long index1;
  long index2;
  Checkpoint afterEpoch1;

  @BeforeEach
  void logTwoEpochs() {
    f = new OtaFixture();
    f.append("other entry 0\n".getBytes(StandardCharsets.UTF_8));
    epoch1 = OtaFixture.fleet(1, Optional.empty(), "keys-1");
    index1 = f.append(epoch1.bundleBytes());
    afterEpoch1 = f.checkpoint();
    f.append("other entry 2\n".getBytes(StandardCharsets.UTF_8));
    epoch2 = OtaFixture.fleet(2, Optional.of(Sha256.hash(epoch1.bundleBytes())), "keys-2");
    index2 = f.append(epoch2.bundleBytes());
  }

  ClientMemory afterAccepting1() {
    return new ClientMemory(Optional.of(afterEpoch1), 1, Optional.of(epoch1.bundleBytes()));
  }

  BundleVerdict verify(ClientMemory memory, OtaPresentation p, List<Hash> consistency, int k) {
    return BundleVerifier.verifyOta(f.anchors(k), memory, OtaFixture.NOW, Verdict.verified(p), consistency);
  }

  BundleVerdict.Rejected rejected(BundleVerdict verdict, BundleCheck check, String reasonPart) {
    BundleVerdict.Rejected r = assertInstanceOf(BundleVerdict.Rejected.class, verdict);
    assertEquals(check, r.check(), r.toString());
    assertTrue(r.reason().contains(reasonPart), r.reason());
    return r;
  }

  @Test
  void whenEveryCheckPasses_thenTheFleetAndCheckpointAreAccepted() {
    BundleVerdict verdict = verify(afterAccepting1(), f.present(epoch2, index2, 2), f.consistencyFrom(afterEpoch1.size()), 2);
    BundleVerdict.Accepted accepted = assertInstanceOf(BundleVerdict.Accepted.class, verdict);
    assertEquals(2, accepted.epoch());
    assertEquals(4, accepted.checkpoint().orElseThrow().checkpoint().size());
    assertEquals(2, accepted.checkpoint().orElseThrow().cosignatures().size());
    assertEquals("accepted", verdict.specReason());
    // First use: nothing stored, no proof needed.
    assertTrue(verify(ClientMemory.firstUse(), f.present(epoch1, index1, 0), List.of(), 0).accepted());
    // Same checkpoint as stored, same epoch as last accepted.
    ClientMemory same = new ClientMemory(Optional.of(f.checkpoint()), 2, Optional.of(epoch2.bundleBytes()));
    assertTrue(verify(same, f.present(epoch2, index2, 0), List.of(), 0).accepted());
  }

  @Test
  void wellFormed_andNamespace() {
    BundleVerdict malformed = BundleVerifier.verifyOta(f.anchors(0), ClientMemory.firstUse(), OtaFixture.NOW,
        Verdict.rejected("bundle line 3: epoch is not a decimal"), List.of());
    rejected(malformed, BundleCheck.WELL_FORMED, "epoch is not a decimal");
    List<Hash> tooLong = new ArrayList<>();
    for (int i = 0; i < 65; i++) {
      tooLong.add(new Hash(new byte[32]));
    }
    rejected(verify(afterAccepting1(), f.present(epoch2, index2, 0), tooLong, 0), BundleCheck.WELL_FORMED, "more than 64");
    TrustedFleet other = new TrustedFleet(epoch2.bundleBytes(), "bkv.test/whatsapp", "x", 2, epoch2.notBefore(),
        epoch2.notAfter(), epoch2.previousDigest(), epoch2.keySetDigest());
    rejected(verify(afterAccepting1(), f.present(other, index2, 0), f.consistencyFrom(2), 0), BundleCheck.NAMESPACE, "whatsapp");
  }

  @Test
  void digest_witnessSignature_countersignature() {
    OtaPresentation p = f.present(epoch2, index2, 0);
    List<Hash> c = f.consistencyFrom(2);
    OtaPresentation badDigest = new OtaPresentation(p.fleet(), new byte[32], p.witnessSignature(), p.countersignature(),
        p.leafIndex(), p.inclusionProof(), p.checkpoint());
    rejected(verify(afterAccepting1(), badDigest, c, 0), BundleCheck.DIGEST, "not SHA-256 of the bundle");

    byte[] otherSig = f.witnessBundle.sign(epoch1.bundleBytes());
    OtaPresentation badWitness = new OtaPresentation(p.fleet(), p.declaredDigest(), otherSig,
        f.operator.sign(OtaPresentation.countersignedBytes(otherSig)), p.leafIndex(), p.inclusionProof(), p.checkpoint());
    rejected(verify(afterAccepting1(), badWitness, c, 0), BundleCheck.WITNESS_SIGNATURE, "witness.test/bundle");

    EcdsaP256.Signature overBundle = f.operator.sign(epoch2.bundleBytes());
    OtaPresentation badCounter = new OtaPresentation(p.fleet(), p.declaredDigest(), p.witnessSignature(), overBundle,
        p.leafIndex(), p.inclusionProof(), p.checkpoint());
    rejected(verify(afterAccepting1(), badCounter, c, 0), BundleCheck.COUNTERSIGNATURE, "countersignature");
  }

  @Test
  void checkpointSignature_andCosignatures() {
    OtaPresentation p = f.present(epoch2, index2, 1);
    List<Hash> c = f.consistencyFrom(2);
    SignedNote unsigned = new SignedNote(p.checkpoint().text(), p.checkpoint().signatures().subList(1, 2));
    rejected(verify(afterAccepting1(), with(p, unsigned), c, 1), BundleCheck.CHECKPOINT_SIGNATURE, "no signature by a trusted key");
    // One valid cosignature where two are required; an invalid second one does not count.
    rejected(verify(afterAccepting1(), p, c, 2), BundleCheck.COSIGNATURES, "1 valid cosignatures");
    NoteSignature good = f.cosigners.get(1).cosign(p.checkpoint().textBytes(), OtaFixture.NOW);
    byte[] flipped = good.signature();
    flipped[20] ^= 1;
    SignedNote withBad = p.checkpoint().withSignatures(List.of(new NoteSignature(good.keyName(), good.keyId(), flipped)));
    rejected(verify(afterAccepting1(), with(p, withBad), c, 2), BundleCheck.COSIGNATURES, "1 valid cosignatures");
    // ...but it does not void a checkpoint that has enough valid ones.
    assertTrue(verify(afterAccepting1(), with(p, withBad), c, 1).accepted());
  }

  @Test
  void inclusion() {
    OtaPresentation p = f.present(epoch2, index2, 0);
    OtaPresentation wrongIndex = new OtaPresentation(p.fleet(), p.declaredDigest(), p.witnessSignature(),
        p.countersignature(), index1, p.inclusionProof(), p.checkpoint());
    rejected(verify(afterAccepting1(), wrongIndex, f.consistencyFrom(2), 0), BundleCheck.INCLUSION, "does not lead to the root");
    // A bundle that is not in the log at all: the proof of another entry.
    TrustedFleet unlogged = OtaFixture.fleet(2, epoch2.previousDigest(), "keys-rogue");
    rejected(verify(afterAccepting1(), f.present(unlogged, index2, 0), f.consistencyFrom(2), 0), BundleCheck.INCLUSION, "root");
  }

  @Test
  void consistency() {
    OtaPresentation p = f.present(epoch2, index2, 0);
    List<Hash> proof = new ArrayList<>(f.consistencyFrom(2));
    proof.set(0, new Hash(new byte[32]));
    rejected(verify(afterAccepting1(), p, proof, 0), BundleCheck.CONSISTENCY, "does not extend the stored one");
    ClientMemory ahead = new ClientMemory(Optional.of(new Checkpoint(OtaFixture.ORIGIN, 9, afterEpoch1.rootHash())), 1, Optional.empty());
    rejected(verify(ahead, p, List.of(), 0), BundleCheck.CONSISTENCY, "rollback");
    ClientMemory forked = new ClientMemory(Optional.of(new Checkpoint(OtaFixture.ORIGIN, 2, new Hash(Sha256.hash(new byte[1])))), 1,
        Optional.empty());
    rejected(verify(forked, p, f.consistencyFrom(2), 0), BundleCheck.CONSISTENCY, "does not extend the stored one");
    ClientMemory otherLog = new ClientMemory(Optional.of(new Checkpoint("elsewhere/log", 2, afterEpoch1.rootHash())), 1, Optional.empty());
    rejected(verify(otherLog, p, f.consistencyFrom(2), 0), BundleCheck.CONSISTENCY, "elsewhere/log");
  }

  @Test
  void epoch_window_chain() {
    ClientMemory after2 = new ClientMemory(Optional.of(afterEpoch1), 2, Optional.empty());
    rejected(verify(after2, f.present(epoch1, index1, 0), f.consistencyFrom(2), 0), BundleCheck.EPOCH, "below the last accepted epoch 2");
    OtaPresentation p = f.present(epoch2, index2, 0);
    BundleVerdict early = BundleVerifier.verifyOta(f.anchors(0), afterAccepting1(), epoch2.notBefore() - 1, Verdict.verified(p),
        f.consistencyFrom(2));
    rejected(early, BundleCheck.VALIDITY_WINDOW, "outside the validity window");
    BundleVerdict expired = BundleVerifier.verifyOta(f.anchors(0), afterAccepting1(), epoch2.notAfter(), Verdict.verified(p),
        f.consistencyFrom(2));
    rejected(expired, BundleCheck.VALIDITY_WINDOW, "outside");
    assertTrue(BundleVerifier.verifyOta(f.anchors(0), afterAccepting1(), epoch2.notBefore(), Verdict.verified(p),
        f.consistencyFrom(2)).accepted());
    // The client holds the epoch 1 bundle: epoch 2 must name its digest.
    TrustedFleet unchained = OtaFixture.fleet(2, Optional.of(new byte[32]), "keys-2");
    long at = f.append(unchained.bundleBytes());
    rejected(verify(afterAccepting1(), f.present(unchained, at, 0), f.consistencyFrom(2), 0), BundleCheck.PREVIOUS_BUNDLE,
        "does not name the digest");
    assertTrue(BundleCheck.NAMESPACE.inSpec() == false && BundleCheck.EPOCH.inSpec());
  }

  @Test
  void pinned() {
    TrustedFleet pinned = OtaFixture.fleet(1, Optional.empty(), "keys-1");
    assertTrue(BundleVerifier.verifyPinned(pinned).accepted());
    assertTrue(BundleVerifier.verifyPinned(pinned, Verdict.verified(OtaFixture.fleet(3, Optional.empty(), "keys-1"))).accepted());
    rejected(BundleVerifier.verifyPinned(pinned, Verdict.verified(epoch2)), BundleCheck.PINNED_FLEET, "the app pins fleet-1");
    rejected(BundleVerifier.verifyPinned(pinned, Verdict.rejected("truncated")), BundleCheck.WELL_FORMED, "truncated");
    assertEquals("pinned-fleet", BundleVerifier.verifyPinned(pinned, Verdict.verified(epoch2)).specReason());
  }

  static OtaPresentation with(OtaPresentation p, SignedNote checkpoint) {
    return new OtaPresentation(p.fleet(), p.declaredDigest(), p.witnessSignature(), p.countersignature(), p.leafIndex(),
        p.inclusionProof(), checkpoint);
  }
}
