package dev.bkv.modeltests;

import dev.bkv.bundle.BundleFormatException;
import dev.bkv.bundle.BundleVerdict;
import dev.bkv.bundle.BundleVerifier;
import dev.bkv.bundle.ClientMemory;
import dev.bkv.bundle.OperatorCountersignature;
import dev.bkv.bundle.TrustAnchors;
import dev.bkv.bundle.ValidationBundle;
import dev.bkv.bundle.WitnessedBundle;
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
import dev.bkv.tlog.ConsistencyProof;
import dev.bkv.tlog.CosignatureV1;
import dev.bkv.tlog.Ed25519Note;
import dev.bkv.tlog.Hash;
import dev.bkv.tlog.InclusionProof;
import dev.bkv.tlog.MerkleTree;
import dev.bkv.tlog.NoteSignature;
import dev.bkv.tlog.SignedNote;
import dev.bkv.tlog.TlogProof;
import dev.bkv.tlog.VerifierSet;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Generates valid and tampered validation-bundle cases from one seed, runs the Java
 * verifier on each, and records the case in the schema of spec/BundleVerification/README.md
 * ("Case schema"). Every fact is ground truth from how the case was built (which key
 * signed, which bytes were flipped, which tree a proof came from), never read back from
 * the verifier: otherwise the test would compare the verifier with itself.
 *
 * <p>Each fact is broken on its own with a small probability, so most cases fail zero or
 * one check and some fail several; boundaries (equal sizes, equal epochs, the window's
 * edges, first use) are drawn on purpose.
 */
final class BundleCaseGenerator {
  static final String NAMESPACE = "backup.example.com/messenger";
  static final String ORIGIN = "witness.test/bundles";
  /** The client's clock and bundle windows sit here, well below 2^31 as TLC needs. */
  static final long NOW_BASE = 1_750_000_000L;
  private static final double TAMPER = 0.12;

  /** One generated case: its facts (the JSON object) including the Java decision. */
  record GeneratedCase(Map<String, Object> json, BundleVerdict verdict) {}

  private final SplittableRandom random;
  private final Ed25519Note.Signer witnessBundle;
  private final Ed25519Note.Signer log;
  private final Ed25519Note.Signer rogueLog;
  private final Ed25519Note.Signer rogueWitness;
  private final EcdsaP256.PrivateKey operator;
  private final EcdsaP256.PrivateKey rogueOperator;
  private final List<CosignatureV1.Signer> cosigners = new ArrayList<>();
  private final CosignatureV1.Signer rogueCosigner;

  BundleCaseGenerator(long seed) {
    this.random = new SplittableRandom(seed);
    SecureRandom keys = deterministic(seed);
    witnessBundle = new Ed25519Note.Signer("witness.test/bundle", Ed25519.PrivateKey.generate(keys));
    log = new Ed25519Note.Signer(ORIGIN, Ed25519.PrivateKey.generate(keys));
    rogueLog = new Ed25519Note.Signer(ORIGIN, Ed25519.PrivateKey.generate(keys));
    rogueWitness = new Ed25519Note.Signer("witness.test/bundle", Ed25519.PrivateKey.generate(keys));
    operator = EcdsaP256.PrivateKey.generate(keys);
    rogueOperator = EcdsaP256.PrivateKey.generate(keys);
    for (int i = 0; i < 3; i++) {
      cosigners.add(new CosignatureV1.Signer("cosigner-" + i + ".test", Ed25519.PrivateKey.generate(keys)));
    }
    rogueCosigner = new CosignatureV1.Signer("cosigner-9.test", Ed25519.PrivateKey.generate(keys));
  }

  private static SecureRandom deterministic(long seed) {
    try {
      SecureRandom r = SecureRandom.getInstance("SHA1PRNG");
      r.setSeed(seed);
      return r;
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  List<GeneratedCase> generate(int count) throws Exception {
    List<GeneratedCase> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(next(i));
    }
    return out;
  }

  private boolean tamper() {
    return random.nextDouble() < TAMPER;
  }

  private GeneratedCase next(int number) throws Exception {
    Map<String, Object> x = new LinkedHashMap<>();
    List<String> tampered = new ArrayList<>();
    boolean pinned = random.nextInt(8) == 0;

    // The fleet and its bundle.
    long epoch = 1 + random.nextInt(5);
    long lastEpoch = random.nextInt(4) == 0 ? 0 : random.nextInt(6);
    long notBefore = NOW_BASE - random.nextInt(1000);
    long notAfter = notBefore + 1 + random.nextInt(2000);
    long now = pickNow(notBefore, notAfter);
    ValidationBundle fleet = bundle("fleet-" + random.nextInt(3), epoch, notBefore, notAfter, number);
    byte[] bundleBytes = fleet.toBytes();

    // The log: prefix, the bundle at index a, suffix; the stored checkpoint from it or a fork.
    int a = random.nextInt(6);
    int b = random.nextInt(6);
    List<byte[]> entries = new ArrayList<>();
    for (int i = 0; i < a; i++) {
      entries.add(entry("prefix", number, i));
    }
    entries.add(bundleBytes);
    for (int i = 0; i < b; i++) {
      entries.add(entry("suffix", number, i));
    }
    int size = entries.size();
    MerkleTree tree = tree(entries);
    boolean firstUse = random.nextInt(4) == 0;
    int storedSize = firstUse ? 0 : 1 + random.nextInt(size + 2);
    int forkAt = random.nextInt(3) == 0 ? random.nextInt(size + 2) : Integer.MAX_VALUE;
    boolean consistencyOk;
    Optional<Checkpoint> stored;
    List<Hash> consistency;
    if (firstUse) {
      stored = Optional.empty();
      consistency = List.of();
      consistencyOk = false; // no proof is needed or given
    } else {
      List<byte[]> storedEntries = new ArrayList<>();
      for (int i = 0; i < storedSize; i++) {
        storedEntries.add(i < size && i < forkAt ? entries.get(i) : entry("fork", number, i));
      }
      MerkleTree storedTree = tree(storedEntries);
      stored = Optional.of(new Checkpoint(ORIGIN, storedSize, storedTree.root()));
      if (storedSize <= size) {
        consistency = storedSize == size ? List.of() : ConsistencyProof.generate(tree, storedSize, size).hashes();
        consistencyOk = forkAt >= storedSize; // the stored tree is the presented tree's prefix
        if (tamper()) {
          consistency = flipOneOrAdd(consistency);
          consistencyOk = false;
          tampered.add("consistency-proof");
        }
      } else {
        consistency = List.of();
        consistencyOk = false; // a smaller tree cannot extend a larger one
      }
    }

    // Checkpoint signature and cosignatures.
    int n = random.nextInt(4);
    int k = random.nextInt(n + 1);
    Checkpoint presented = new Checkpoint(ORIGIN, size, tree.root());
    boolean checkpointSigOk = true;
    SignedNote note;
    if (tamper()) {
      checkpointSigOk = false;
      int how = random.nextInt(3);
      tampered.add(new String[] {"checkpoint-by-rogue-key", "checkpoint-other-origin", "checkpoint-sig-bitflip"}[how]);
      if (how == 0) {
        note = SignedNote.sign(presented.text(), List.of(rogueLog));
      } else if (how == 1) {
        note = SignedNote.sign(new Checkpoint(ORIGIN + "/other", size, tree.root()).text(), List.of(log));
      } else {
        note = flipSignature(SignedNote.sign(presented.text(), List.of(log)), 0);
      }
    } else {
      note = SignedNote.sign(presented.text(), List.of(log));
    }
    int valid = random.nextInt(n + 1);
    if (random.nextInt(3) == 0) {
      valid = Math.min(n, k); // on the quorum's edge
    }
    List<NoteSignature> lines = new ArrayList<>();
    byte[] noteText = note.textBytes();
    for (int i = 0; i < valid; i++) {
      lines.add(cosigners.get(i).cosign(noteText, NOW_BASE + i));
    }
    if (valid < n && random.nextInt(3) == 0) {
      NoteSignature good = cosigners.get(valid).cosign(noteText, NOW_BASE);
      byte[] sig = good.signature();
      sig[sig.length - 1] ^= 1;
      lines.add(new NoteSignature(good.keyName(), good.keyId(), sig)); // trusted but invalid: not counted
      tampered.add("cosignature-bitflip");
    }
    if (random.nextInt(3) == 0) {
      lines.add(rogueCosigner.cosign(noteText, NOW_BASE)); // untrusted: not counted
    }
    note = note.withSignatures(lines);

    // Inclusion.
    long index = a;
    List<Hash> inclusion = InclusionProof.generate(tree, a, size).hashes();
    boolean inclusionOk = true;
    if (tamper()) {
      inclusionOk = false;
      if (!inclusion.isEmpty() && random.nextBoolean()) {
        inclusion = flipOneOrAdd(inclusion);
        tampered.add("inclusion-bitflip");
      } else {
        index = a + 1; // the proof is for another position (or past the end)
        tampered.add("inclusion-wrong-index");
      }
    }

    // Digest, witness signature, countersignature.
    boolean digestOk = !tamper();
    if (!digestOk) {
      tampered.add("digest");
    }
    Ed25519.Signature witnessSig = new Ed25519.Signature(witnessBundle.sign(bundleBytes));
    boolean witnessSigOk = true;
    if (tamper()) {
      witnessSigOk = false;
      if (random.nextBoolean()) {
        witnessSig = new Ed25519.Signature(rogueWitness.sign(bundleBytes));
        tampered.add("witness-sig-rogue-key");
      } else {
        witnessSig = new Ed25519.Signature(witnessBundle.sign(entry("other", number, 0)));
        tampered.add("witness-sig-other-bytes");
      }
    }
    EcdsaP256.Signature countersig = operator.sign(OperatorCountersignature.message(witnessSig));
    boolean countersigOk = true;
    if (tamper()) {
      countersigOk = false;
      if (random.nextBoolean()) {
        countersig = rogueOperator.sign(OperatorCountersignature.message(witnessSig));
        tampered.add("countersig-rogue-key");
      } else {
        countersig = operator.sign(bundleBytes);
        tampered.add("countersig-over-bundle");
      }
    }
    byte[] file = WitnessedBundle.of(fleet, witnessSig, new TlogProof(Optional.empty(), index, inclusion, note), countersig)
        .toBytes();
    if (!digestOk) {
      file = replaceFirst(file, Sha256Digest.of(bundleBytes).toHex(), Sha256Digest.of(file).toHex());
    }
    boolean wellFormed = !tamper();
    if (!wellFormed) {
      int how = random.nextInt(3);
      tampered.add(new String[] {"malformed-truncated", "malformed-header", "malformed-epoch-0"}[how]);
      file = how == 0 ? java.util.Arrays.copyOf(file, file.length - 1)
          : how == 1 ? replaceFirst(file, WitnessedBundle.HEADER, "bkv.dev/witnessed-bundle@v9")
          : replaceFirst(file, "\nepoch " + epoch + "\n", "\nepoch 0\n");
    }

    // Pinned mode compares key sets; the app pins one of the three fleets.
    ValidationBundle pinnedFleet = random.nextInt(4) == 0
        ? bundle("fleet-" + random.nextInt(3), 1, notBefore, notAfter, number) : fleet;

    TrustAnchors anchors = new TrustAnchors(NAMESPACE, witnessBundle.verifier(), operator.publicKey(), ORIGIN,
        log.verifier(), cosignerSet(n), k);
    ClientMemory memory = new ClientMemory(stored, lastEpoch, Optional.empty());
    BundleVerdict verdict;
    if (pinned) {
      byte[] offered = wellFormed ? bundleBytes : java.util.Arrays.copyOf(bundleBytes, bundleBytes.length - 1);
      verdict = BundleVerifier.verifyPinned(pinnedFleet, offered);
    } else {
      verdict = BundleVerifier.verifyOta(anchors, memory, now, file, consistency);
    }

    x.put("id", (pinned ? "pinned/" : "ota/") + number + (tampered.isEmpty() ? "/clean" : "/" + String.join("+", tampered)));
    x.put("mode", pinned ? "pinned" : "ota");
    x.put("pinnedFleet", pinned ? BundleVerifier.keySetDigest(pinnedFleet).toHex() : "");
    x.put("fleet", BundleVerifier.keySetDigest(fleet).toHex());
    x.put("epoch", epoch);
    x.put("wellFormed", wellFormed);
    x.put("digestOk", digestOk);
    x.put("witnessSigOk", witnessSigOk);
    x.put("countersigOk", countersigOk);
    x.put("checkpointSigOk", checkpointSigOk);
    x.put("cosignatures", (long) valid);
    x.put("cosignQuorum", (long) k);
    x.put("inclusionProofOk", inclusionOk);
    x.put("storedSize", (long) storedSize);
    x.put("checkpointSize", (long) size);
    x.put("consistencyProofOk", consistencyOk);
    x.put("lastEpoch", lastEpoch);
    x.put("now", now - NOW_BASE + 10_000);
    x.put("notBefore", notBefore - NOW_BASE + 10_000);
    x.put("notAfter", notAfter - NOW_BASE + 10_000);
    x.put("javaAccepts", verdict.accepted());
    x.put("javaReason", verdict.specReason());
    return new GeneratedCase(x, verdict);
  }

  /** A bundle of one of three fleets (keys from labels, so fleets differ by name only), 3 HSMs in 3 datacenters. */
  private static ValidationBundle bundle(String fleetName, long epoch, long notBefore, long notAfter, int number)
      throws BundleFormatException, DecodeException {
    List<String> placed = Placement.roundRobin(3, List.of("dc-1", "dc-2", "dc-3"));
    P256Group.Element opaque = P256Group.multiplyGenerator(P256Group.Scalar.decode("opaque", label(fleetName + " opaque")));
    List<MemberKeys> members = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      EcdsaP256.PublicKey identity = EcdsaP256.PrivateKey.decode(label(fleetName + " hsm " + i)).publicKey();
      members.add(new MemberKeys(HsmId.of(identity), placed.get(i), identity, opaque));
    }
    members.sort(Comparator.comparing(m -> m.hsmId().toHex()));
    Optional<Sha256Digest> previous = epoch == 1 ? Optional.empty()
        : Optional.of(Sha256Digest.of(("previous of case " + number).getBytes(StandardCharsets.UTF_8)));
    return ValidationBundle.of(NAMESPACE, fleetName, epoch, notBefore, notAfter, members,
        Sha256Digest.of(("evidence of " + fleetName).getBytes(StandardCharsets.UTF_8)), previous);
  }

  private static byte[] label(String text) {
    return Sha256.hash(("BKV differential test key " + text).getBytes(StandardCharsets.UTF_8));
  }

  /** {@code bytes} (ASCII) with the first occurrence of {@code from} replaced; it must occur. */
  private static byte[] replaceFirst(byte[] bytes, String from, String to) {
    String text = new String(bytes, StandardCharsets.ISO_8859_1);
    int at = text.indexOf(from);
    if (at < 0) {
      throw new AssertionError("generator expected to find " + from);
    }
    return (text.substring(0, at) + to + text.substring(at + from.length())).getBytes(StandardCharsets.ISO_8859_1);
  }

  /** Mostly inside the window, often exactly on an edge, sometimes outside. */
  private long pickNow(long notBefore, long notAfter) {
    switch (random.nextInt(8)) {
      case 0: return notBefore;
      case 1: return notBefore - 1;
      case 2: return notAfter;
      case 3: return notAfter - 1;
      case 4: return notAfter + random.nextInt(1000);
      default: return notBefore + random.nextLong(notAfter - notBefore);
    }
  }

  private VerifierSet cosignerSet(int n) {
    List<CosignatureV1.Verifier> keys = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      keys.add(cosigners.get(i).verifier());
    }
    return VerifierSet.of(keys);
  }

  private List<Hash> flipOneOrAdd(List<Hash> hashes) {
    List<Hash> out = new ArrayList<>(hashes);
    if (out.isEmpty()) {
      out.add(new Hash(Sha256.hash(new byte[] {7})));
      return out;
    }
    int at = random.nextInt(out.size());
    byte[] raw = out.get(at).toBytes();
    raw[random.nextInt(raw.length)] ^= (byte) (1 << random.nextInt(8));
    out.set(at, new Hash(raw));
    return out;
  }

  private static SignedNote flipSignature(SignedNote note, int line) {
    List<NoteSignature> sigs = new ArrayList<>(note.signatures());
    NoteSignature s = sigs.get(line);
    byte[] raw = s.signature();
    raw[raw.length - 1] ^= 1;
    sigs.set(line, new NoteSignature(s.keyName(), s.keyId(), raw));
    return new SignedNote(note.text(), sigs);
  }

  private static byte[] entry(String kind, int number, int i) {
    return ("bkv.test/" + kind + " " + number + "/" + i + "\n").getBytes(StandardCharsets.UTF_8);
  }

  private static MerkleTree tree(List<byte[]> entries) {
    MerkleTree tree = new MerkleTree();
    for (byte[] e : entries) {
      tree.appendEntry(e);
    }
    return tree;
  }
}
