package dev.bkv.bundle;

import dev.bkv.crypto.EcdsaP256;
import dev.bkv.crypto.Ed25519;
import dev.bkv.crypto.Sha256;
import dev.bkv.tlog.Checkpoint;
import dev.bkv.tlog.ConsistencyProof;
import dev.bkv.tlog.CosignatureV1;
import dev.bkv.tlog.Ed25519Note;
import dev.bkv.tlog.Hash;
import dev.bkv.tlog.InclusionProof;
import dev.bkv.tlog.MerkleTree;
import dev.bkv.tlog.NoteSignature;
import dev.bkv.tlog.SignedNote;
import dev.bkv.tlog.VerifierSet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A small world for verifier tests: a witness (bundle key, log key), an operator key, two
 * cosigners, and a log holding the bundles of epochs 1 and 2 between other entries.
 */
final class OtaFixture {
  static final String NAMESPACE = "bkv.test/messenger";
  static final String ORIGIN = "witness.test/bundles";
  static final long NOW = 1_750_000_000L;

  final SecureRandom random = new SecureRandom(new byte[] {4, 2});
  final Ed25519Note.Signer witnessBundle = new Ed25519Note.Signer("witness.test/bundle", Ed25519.PrivateKey.generate(random));
  final Ed25519Note.Signer log = new Ed25519Note.Signer(ORIGIN, Ed25519.PrivateKey.generate(random));
  final EcdsaP256.PrivateKey operator = EcdsaP256.PrivateKey.generate(random);
  final List<CosignatureV1.Signer> cosigners = List.of(
      new CosignatureV1.Signer("cosigner-a.test", Ed25519.PrivateKey.generate(random)),
      new CosignatureV1.Signer("cosigner-b.test", Ed25519.PrivateKey.generate(random)));
  final MerkleTree tree = new MerkleTree();
  final List<byte[]> entries = new ArrayList<>();

  TrustAnchors anchors(int cosignaturesRequired) {
    return new TrustAnchors(NAMESPACE, witnessBundle.verifier(), operator.publicKey(), ORIGIN, log.verifier(),
        VerifierSet.of(cosigners.get(0).verifier(), cosigners.get(1).verifier()), cosignaturesRequired);
  }

  static TrustedFleet fleet(long epoch, Optional<byte[]> previous, String keys) {
    byte[] bytes = ("bkv.test bundle epoch " + epoch + " keys " + keys + "\n").getBytes(StandardCharsets.UTF_8);
    return new TrustedFleet(bytes, NAMESPACE, "fleet-" + epoch, epoch, NOW - 100, NOW + 100, previous,
        Sha256.hash(keys.getBytes(StandardCharsets.UTF_8)));
  }

  long append(byte[] entry) {
    entries.add(entry);
    return tree.appendEntry(entry);
  }

  Checkpoint checkpoint() {
    return new Checkpoint(ORIGIN, tree.size(), tree.root());
  }

  /** The current checkpoint signed by the log and cosigned by the first {@code cosigned} cosigners. */
  SignedNote signedCheckpoint(int cosigned) {
    SignedNote note = SignedNote.sign(checkpoint().text(), List.of(log));
    List<NoteSignature> lines = new ArrayList<>();
    for (int i = 0; i < cosigned; i++) {
      lines.add(cosigners.get(i).cosign(note.textBytes(), NOW));
    }
    return lines.isEmpty() ? note : note.withSignatures(lines);
  }

  /** A valid presentation of {@code fleet}, logged at {@code index}, under the current checkpoint. */
  OtaPresentation present(TrustedFleet fleet, long index, int cosigned) {
    byte[] witnessSig = witnessBundle.sign(fleet.bundleBytes());
    try {
      List<Hash> inclusion = InclusionProof.generate(tree, index, tree.size()).hashes();
      return new OtaPresentation(fleet, Sha256.hash(fleet.bundleBytes()), witnessSig,
          operator.sign(OtaPresentation.countersignedBytes(witnessSig)), index, inclusion, signedCheckpoint(cosigned));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  List<Hash> consistencyFrom(long oldSize) {
    try {
      return oldSize == 0 || oldSize == tree.size() ? List.of() : ConsistencyProof.generate(tree, oldSize, tree.size()).hashes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
