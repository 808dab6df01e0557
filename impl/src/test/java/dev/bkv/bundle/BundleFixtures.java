package dev.bkv.bundle;

import dev.bkv.base.Bytes;
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
import dev.bkv.tlog.InclusionProof;
import dev.bkv.tlog.MerkleTree;
import dev.bkv.tlog.NoteSignature;
import dev.bkv.tlog.SignedNote;
import dev.bkv.tlog.TlogProof;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Deterministic keys, fleets and a small in-memory witness log, so bundle tests and the
 * published vectors come out byte for byte the same on every run. Every private key is
 * SHA-256 of a label, so nothing here is a secret.
 */
public final class BundleFixtures {
  public static final String NAMESPACE = "backup.example.com/messenger";
  public static final String WITNESS_NAME = "witness.example.com/w1";
  public static final String LOG_ORIGIN = WITNESS_NAME + "/bundles";
  /** 2026-01-01T00:00:00Z. */
  public static final long NOT_BEFORE = 1767225600L;
  public static final long NOT_AFTER = NOT_BEFORE + 90L * 24 * 60 * 60;

  private BundleFixtures() {}

  static byte[] seed(String label) {
    return Sha256.hash(("BKV test key " + label).getBytes(StandardCharsets.US_ASCII));
  }

  public static EcdsaP256.PrivateKey ecdsaKey(String label) {
    try {
      return EcdsaP256.PrivateKey.decode(seed(label));
    } catch (DecodeException e) {
      throw new AssertionError("SHA-256 of a label is a valid P-256 scalar with overwhelming probability", e);
    }
  }

  public static P256Group.Element opaqueKey(String label) {
    try {
      return P256Group.multiplyGenerator(P256Group.Scalar.decode("test scalar", seed(label)));
    } catch (DecodeException e) {
      throw new AssertionError(e);
    }
  }

  public static Ed25519.PrivateKey ed25519Key(String label) {
    return Ed25519.PrivateKey.fromSeed(seed(label));
  }

  public static Ed25519Note.Signer logKey() {
    return new Ed25519Note.Signer(LOG_ORIGIN, ed25519Key("witness log"));
  }

  public static Ed25519Note.Signer bundleKey() {
    return new Ed25519Note.Signer(WITNESS_NAME + "/bundle", ed25519Key("witness bundle"));
  }

  public static CosignatureV1.Signer cosigner(int i) {
    return new CosignatureV1.Signer("cosigner.example.org/c" + i, ed25519Key("cosigner " + i));
  }

  public static EcdsaP256.PrivateKey operatorKey() {
    return ecdsaKey("operator");
  }

  /** {@code hsms} HSMs of fleet {@code fleet}, dealt round-robin over {@code datacenters} datacenters, in id order. */
  public static List<MemberKeys> members(String fleet, int hsms, int datacenters) {
    List<String> dcs = new ArrayList<>();
    for (int d = 1; d <= datacenters; d++) {
      dcs.add("dc-" + d);
    }
    List<String> placed = Placement.roundRobin(hsms, dcs);
    P256Group.Element opaque = opaqueKey(fleet + " opaque");
    List<MemberKeys> members = new ArrayList<>();
    for (int i = 0; i < hsms; i++) {
      EcdsaP256.PublicKey identity = ecdsaKey(fleet + " hsm " + i).publicKey();
      members.add(new MemberKeys(HsmId.of(identity), placed.get(i), identity, opaque));
    }
    members.sort(Comparator.comparing(m -> m.hsmId().toHex()));
    return members;
  }

  public static Sha256Digest evidenceDigest(String fleet) {
    return Sha256Digest.of((fleet + " evidence").getBytes(StandardCharsets.US_ASCII));
  }

  public static ValidationBundle bundle(String fleet, long epoch, Optional<Sha256Digest> previous) throws BundleFormatException {
    return ValidationBundle.of(NAMESPACE, fleet, epoch, NOT_BEFORE, NOT_AFTER, members(fleet, 3, 3),
        evidenceDigest(fleet), previous);
  }

  /** A witness's bundle log held in memory, signing as the fixture witness. */
  public static final class Log {
    public final MerkleTree tree = new MerkleTree();
    public final Ed25519Note.Signer logKey = logKey();
    public final Ed25519Note.Signer bundleKey = bundleKey();

    public long append(byte[] entry) {
      return tree.appendEntry(entry);
    }

    public SignedNote checkpoint(long size, List<NoteSignature> cosignatures) {
      SignedNote note = SignedNote.sign(new Checkpoint(LOG_ORIGIN, size, tree.rootHash(size)).text(), List.of(logKey));
      return note.withSignatures(cosignatures);
    }

    /** Cosignatures of the size-{@code size} checkpoint by cosigners 1..count, at {@code timestamp}. */
    public List<NoteSignature> cosign(long size, int count, long timestamp) {
      byte[] text = new Checkpoint(LOG_ORIGIN, size, tree.rootHash(size)).textBytes();
      List<NoteSignature> lines = new ArrayList<>();
      for (int i = 1; i <= count; i++) {
        lines.add(cosigner(i).cosign(text, timestamp));
      }
      return lines;
    }

    public TlogProof proof(long index, long size, List<NoteSignature> cosignatures) throws Exception {
      InclusionProof inclusion = InclusionProof.generate(tree, index, size);
      return new TlogProof(Optional.empty(), index, inclusion.hashes(), checkpoint(size, cosignatures));
    }

    public Ed25519.Signature witnessSignature(byte[] bundle) {
      return new Ed25519.Signature(bundleKey.sign(bundle));
    }
  }

  /** Logs {@code bundle} after {@code before} other entries and returns it witnessed and countersigned. */
  public static WitnessedBundle witness(Log log, ValidationBundle bundle) throws Exception {
    byte[] bytes = bundle.toBytes();
    long index = log.append(bytes);
    Ed25519.Signature signature = log.witnessSignature(bytes);
    EcdsaP256.Signature countersignature = operatorKey().sign(OperatorCountersignature.message(signature));
    return WitnessedBundle.of(bundle, signature, log.proof(index, log.tree.size(), List.of()), countersignature);
  }

  static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  static byte[] concat(byte[]... parts) {
    return Bytes.concat(parts);
  }
}
