package dev.bkv.bench;

import dev.bkv.bundle.BundleFormatException;
import dev.bkv.bundle.TrustAnchors;
import dev.bkv.bundle.ValidationBundle;
import dev.bkv.crypto.DecodeException;
import dev.bkv.crypto.EcdsaP256;
import dev.bkv.crypto.Ed25519;
import dev.bkv.crypto.P256Group;
import dev.bkv.crypto.Sha256;
import dev.bkv.crypto.Sha256Digest;
import dev.bkv.fleet.MemberKeys;
import dev.bkv.fleet.Placement;
import dev.bkv.hsm.HsmId;
import dev.bkv.tlog.Checkpoint;
import dev.bkv.tlog.CosignatureV1;
import dev.bkv.tlog.Ed25519Note;
import dev.bkv.tlog.NoteSignature;
import dev.bkv.tlog.NoteVerifier;
import dev.bkv.tlog.SignedNote;
import dev.bkv.tlog.VerifierSet;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Deterministic keys, fleets and checkpoints for the transparency-log and bundle benchmarks,
 * built from the library's public API only. Every private key is SHA-256 of a label, so
 * nothing here is a secret and every run signs the same bytes.
 */
final class BenchFixtures {
  static final String NAMESPACE = "backup.example.com/messenger";
  static final String WITNESS_NAME = "witness.example.com/w1";
  static final String LOG_ORIGIN = WITNESS_NAME + "/bundles";
  /** Independent cosigning witnesses the client trusts (the n of k-of-n). */
  static final int COSIGNERS = 3;
  /** A fleet the size of a production one: five HSMs over three datacenters. */
  static final int FLEET_HSMS = 5;
  static final int FLEET_DATACENTERS = 3;
  /** 2026-01-01T00:00:00Z, and a 90-day validity window from it. */
  static final long NOT_BEFORE_SECONDS = 1767225600L;
  static final long NOT_AFTER_SECONDS = NOT_BEFORE_SECONDS + 90L * 24 * 60 * 60;
  /** The client's clock during verification: inside the window. */
  static final long NOW_SECONDS = NOT_BEFORE_SECONDS + 1000;

  private BenchFixtures() {}

  static byte[] seed(String label) {
    return Sha256.hash(("BKV bench key " + label).getBytes(StandardCharsets.US_ASCII));
  }

  static Ed25519.PrivateKey ed25519Key(String label) {
    return Ed25519.PrivateKey.fromSeed(seed(label));
  }

  static EcdsaP256.PrivateKey ecdsaKey(String label) {
    try {
      return EcdsaP256.PrivateKey.decode(seed(label));
    } catch (DecodeException e) {
      throw new IllegalStateException("SHA-256 of label '" + label + "' is not a P-256 scalar; pick another label", e);
    }
  }

  static Ed25519Note.Signer logSigner() {
    return new Ed25519Note.Signer(LOG_ORIGIN, ed25519Key("witness log"));
  }

  static Ed25519Note.Signer bundleSigner() {
    return new Ed25519Note.Signer(WITNESS_NAME + "/bundle", ed25519Key("witness bundle"));
  }

  /** Cosigner {@code i}, 1-based. */
  static CosignatureV1.Signer cosigner(int i) {
    return new CosignatureV1.Signer("cosigner.example.org/c" + i, ed25519Key("cosigner " + i));
  }

  static EcdsaP256.PrivateKey operatorKey() {
    return ecdsaKey("operator");
  }

  /** The client's compiled-in trust: k of the {@link #COSIGNERS} cosigners must cosign. */
  static TrustAnchors trustAnchors(int cosignaturesRequired) {
    List<NoteVerifier> cosigners = new ArrayList<>();
    for (int i = 1; i <= COSIGNERS; i++) {
      cosigners.add(cosigner(i).verifier());
    }
    return new TrustAnchors(NAMESPACE, bundleSigner().verifier(), operatorKey().publicKey(), LOG_ORIGIN,
        logSigner().verifier(), VerifierSet.of(cosigners), cosignaturesRequired);
  }

  /** {@code checkpoint} signed by the log key, then cosigned by cosigners 1 to {@code cosignatures}. */
  static SignedNote signedCheckpoint(Checkpoint checkpoint, int cosignatures, long timestampSeconds) {
    SignedNote logSigned = SignedNote.sign(checkpoint.text(), List.of(logSigner()));
    List<NoteSignature> lines = new ArrayList<>();
    for (int i = 1; i <= cosignatures; i++) {
      lines.add(cosigner(i).cosign(checkpoint.textBytes(), timestampSeconds));
    }
    return logSigned.withSignatures(lines);
  }

  /** The bundle of {@code fleet} for {@code epoch}: FLEET_HSMS HSMs dealt round-robin, in HSM id order. */
  static ValidationBundle bundle(String fleet, long epoch, Optional<Sha256Digest> previous) {
    List<String> datacenters = new ArrayList<>();
    for (int d = 1; d <= FLEET_DATACENTERS; d++) {
      datacenters.add("dc-" + d);
    }
    List<String> placed = Placement.roundRobin(FLEET_HSMS, datacenters);
    P256Group.Element opaqueKey = P256Group.multiplyGenerator(scalar(fleet + " opaque"));
    List<MemberKeys> members = new ArrayList<>();
    for (int i = 0; i < FLEET_HSMS; i++) {
      EcdsaP256.PublicKey identity = ecdsaKey(fleet + " hsm " + i).publicKey();
      members.add(new MemberKeys(HsmId.of(identity), placed.get(i), identity, opaqueKey));
    }
    members.sort(Comparator.comparing(m -> m.hsmId().toHex()));
    Sha256Digest evidence = Sha256Digest.of((fleet + " evidence").getBytes(StandardCharsets.US_ASCII));
    try {
      return ValidationBundle.of(NAMESPACE, fleet, epoch, NOT_BEFORE_SECONDS, NOT_AFTER_SECONDS, members, evidence,
          previous);
    } catch (BundleFormatException e) {
      throw new IllegalStateException("benchmark fleet " + fleet + " epoch " + epoch + " is not a valid bundle", e);
    }
  }

  private static P256Group.Scalar scalar(String label) {
    try {
      return P256Group.Scalar.decode("bench scalar", seed(label));
    } catch (DecodeException e) {
      throw new IllegalStateException("SHA-256 of label '" + label + "' is not a P-256 scalar; pick another label", e);
    }
  }
}
