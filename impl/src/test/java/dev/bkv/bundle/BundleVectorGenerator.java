package dev.bkv.bundle;

import dev.bkv.base.Hex;
import dev.bkv.base.Json;
import dev.bkv.crypto.EcdsaP256;
import dev.bkv.crypto.Ed25519;
import dev.bkv.crypto.Sha256Digest;
import dev.bkv.fleet.MemberKeys;
import dev.bkv.tlog.Checkpoint;
import dev.bkv.tlog.ConsistencyProof;
import dev.bkv.tlog.Ed25519Note;
import dev.bkv.tlog.Hash;
import dev.bkv.tlog.MerkleTree;
import dev.bkv.tlog.NoteSignature;
import dev.bkv.tlog.SignedNote;
import dev.bkv.tlog.TlogProof;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Generates the published bundle vectors ({@code spec/vectors/bundle/}, described by its
 * MANIFEST.md) from fixed keys, so every run gives the same bytes: RFC 6979 ECDSA, Ed25519
 * and fixed times. {@link BundleVectorsTest} regenerates them and compares byte for byte;
 * {@code -Dbkv.writeVectors=true} on that test rewrites them after a deliberate change.
 *
 * <p>The witness log holds three entries: an unrelated entry, the epoch-1 bundle (fleet-1)
 * and the epoch-2 bundle (fleet-2, naming epoch 1 as previous). Every invalid witnessed
 * bundle differs from a valid one in one respect, re-signed where needed so that exactly the
 * one check it names fails.
 */
public final class BundleVectorGenerator {
  public static final String FORMAT = "bkv.dev/bundle-vectors@v1";
  /** Cosignatures are stamped 2026-01-01T00:01:00Z. */
  static final long COSIGNED_AT = BundleFixtures.NOT_BEFORE + 60;
  static final long NOW = BundleFixtures.NOT_BEFORE + 86_400;

  private final Map<String, byte[]> files = new TreeMap<>();
  private final List<Map<String, Object>> bundles = new ArrayList<>();
  private final List<Map<String, Object>> cases = new ArrayList<>();

  /** Every vector file by path relative to {@code spec/vectors/bundle/}, manifest.json included. */
  public static Map<String, byte[]> generate() throws Exception {
    BundleVectorGenerator g = new BundleVectorGenerator();
    g.run();
    return g.files;
  }

  public static void main(String[] args) throws Exception {
    Path out = Path.of(args.length > 0 ? args[0] : "spec/vectors/bundle");
    for (Map.Entry<String, byte[]> file : generate().entrySet()) {
      Files.createDirectories(out.resolve(file.getKey()).getParent());
      Files.write(out.resolve(file.getKey()), file.getValue());
    }
  }

  private void run() throws Exception {
    ValidationBundle one = BundleFixtures.bundle("fleet-1", 1, Optional.empty());
    ValidationBundle two = BundleFixtures.bundle("fleet-2", 2, Optional.of(one.digest()));
    BundleFixtures.Log log = new BundleFixtures.Log();
    log.append("bkv.dev/bundle-vectors unrelated entry\n".getBytes(StandardCharsets.US_ASCII));
    long indexOne = log.append(one.toBytes());
    WitnessedBundle witnessedOne = witnessed(log, one, indexOne, 2, List.of());
    long indexTwo = log.append(two.toBytes());
    WitnessedBundle witnessedTwo = witnessed(log, two, indexTwo, 3, List.of());
    validBundles(one, two);
    invalidBundles(one);
    String w1 = file("witnessed/valid-epoch-1.witnessed", witnessedOne.toBytes());
    String w2 = file("witnessed/valid-epoch-2.witnessed", witnessedTwo.toBytes());
    String w2c = file("witnessed/valid-epoch-2-cosigned.witnessed",
        witnessed(log, two, indexTwo, 3, log.cosign(3, 2, COSIGNED_AT)).toBytes());
    String w2c1 = file("witnessed/valid-epoch-2-cosigned-by-1.witnessed",
        witnessed(log, two, indexTwo, 3, log.cosign(3, 1, COSIGNED_AT)).toBytes());
    String size2 = file("checkpoints/size-2.checkpoint", log.checkpoint(2, List.of()).toBytes());
    String size3 = file("checkpoints/size-3.checkpoint", log.checkpoint(3, List.of()).toBytes());
    String fork = file("checkpoints/fork-size-2.checkpoint", forkedCheckpoint(log));
    List<String> proof23 = hashes(ConsistencyProof.generate(log.tree, 2, 3).hashes());
    String b1 = "bundles/valid-epoch-1.bundle";

    ota("accept-first-use", w1, "accepted", 0, null, null, List.of(), 0, NOW, "first bundle, nothing stored");
    ota("accept-next-epoch", w2, "accepted", 1, b1, size2, proof23, 0, NOW, "epoch 2 after epoch 1, consistent log");
    ota("accept-same-epoch", w2, "accepted", 2, null, size3, List.of(), 0, NOW, "epoch equal to the last accepted");
    ota("accept-cosigned-2-of-2", w2c, "accepted", 0, null, null, List.of(), 2, NOW, "cosigned by both trusted cosigners");
    ota("accept-at-not-before", w1, "accepted", 0, null, null, List.of(), 0, BundleFixtures.NOT_BEFORE, "not-before is inclusive");
    ota("reject-digest", file("witnessed/invalid-digest.witnessed", wrongDigest(witnessedOne)), "digest", 0, null, null,
        List.of(), 0, NOW, "bundle-sha256 is not the digest of the bundle");
    ota("reject-witness-signature", file("witnessed/invalid-witness-signature.witnessed", otherWitnessKey(witnessedOne)),
        "witness-signature", 0, null, null, List.of(), 0, NOW, "signed by a key other than the witness bundle key");
    ota("reject-countersignature", file("witnessed/invalid-countersignature.witnessed", otherOperator(witnessedOne)),
        "countersignature", 0, null, null, List.of(), 0, NOW, "countersigned by a key other than the operator's");
    ota("reject-checkpoint-signature", file("witnessed/invalid-checkpoint-signature.witnessed",
        otherLogKey(log, one, indexOne)), "checkpoint-signature", 0, null, null, List.of(), 0, NOW,
        "checkpoint signed by another key under the log's name");
    ota("reject-cosignatures-none", w2, "cosignatures", 0, null, null, List.of(), 1, NOW, "policy needs 1 cosignature, none");
    ota("reject-cosignatures-1-of-2", w2c1, "cosignatures", 0, null, null, List.of(), 2, NOW, "policy needs 2, one cosigned");
    ota("reject-inclusion", file("witnessed/invalid-inclusion.witnessed", wrongProof(log, two, indexTwo)), "inclusion",
        0, null, null, List.of(), 0, NOW, "inclusion proof hash altered");
    ota("reject-consistency-fork", w2, "consistency", 1, null, fork, proof23, 0, NOW,
        "stored checkpoint is of a forked log of the same origin");
    ota("reject-consistency-rollback", w1, "consistency", 0, null, size3, List.of(), 0, NOW,
        "presented checkpoint is smaller than the stored one");
    ota("reject-epoch", w1, "epoch", 2, null, null, List.of(), 0, NOW, "epoch 1 after epoch 2 was accepted");
    ota("reject-not-yet-valid", w1, "validity-window", 0, null, null, List.of(), 0, BundleFixtures.NOT_BEFORE - 1, "before not-before");
    ota("reject-expired", w1, "validity-window", 0, null, null, List.of(), 0, BundleFixtures.NOT_AFTER, "not-after is exclusive");
    ota("reject-previous-bundle", w2, "previous-bundle", 1, "bundles/valid-epoch-1-renewed.bundle", null, List.of(), 0, NOW,
        "epoch 2 names another epoch-1 bundle than the one this client accepted (beyond the spec)");
    Map<String, Object> otherNamespace = ota("reject-namespace", w1, "namespace", 0, null, null, List.of(), 0, NOW,
        "the client serves another namespace (beyond the spec)");
    otherNamespace.put("namespace", "backup.example.com/whatsapp");
    malformedWitnessed(witnessedOne);
    pinned("pinned-accept", "bundles/valid-epoch-1.bundle", b1, "accepted", "the pinned fleet itself");
    pinned("pinned-accept-renewed", b1, "bundles/valid-epoch-1-renewed.bundle", "accepted",
        "same keys and quorum, another window");
    pinned("pinned-reject-other-fleet", b1, "bundles/valid-epoch-2.bundle", "pinned-fleet", "another fleet's keys");
    pinned("pinned-reject-malformed", b1, "bundles/invalid-key-order-1.bundle", "well-formed", "a malformed bundle");
    files.put("manifest.json", manifest());
  }

  private WitnessedBundle witnessed(BundleFixtures.Log log, ValidationBundle bundle, long index, long size,
      List<NoteSignature> cosignatures) throws Exception {
    Ed25519.Signature signature = log.witnessSignature(bundle.toBytes());
    return WitnessedBundle.of(bundle, signature, log.proof(index, size, cosignatures), countersign(signature));
  }

  private static EcdsaP256.Signature countersign(Ed25519.Signature witnessSignature) {
    return BundleFixtures.operatorKey().sign(OperatorCountersignature.message(witnessSignature));
  }

  private void validBundles(ValidationBundle one, ValidationBundle two) throws Exception {
    bundle("bundles/valid-epoch-1.bundle", one.toBytes(), null, "3 HSMs over 3 datacenters, epoch 1, previous none");
    bundle("bundles/valid-epoch-2.bundle", two.toBytes(), null, "another fleet, epoch 2, previous = epoch 1's digest");
    ValidationBundle renewed = ValidationBundle.of(one.namespace(), one.fleetId(), 1, one.notBeforeSeconds() + 1,
        one.notAfterSeconds(), one.members(), one.evidenceDigest(), Optional.empty());
    bundle("bundles/valid-epoch-1-renewed.bundle", renewed.toBytes(), null, "fleet-1's keys with another window");
    List<MemberKeys> big = BundleFixtures.members("fleet-64", ValidationBundle.HSMS_MAX, 16);
    ValidationBundle largest = ValidationBundle.of(one.namespace(), "fleet-64", 3, one.notBeforeSeconds(), one.notAfterSeconds(),
        big, one.evidenceDigest(), Optional.of(two.digest()));
    bundle("bundles/valid-64-hsms.bundle", largest.toBytes(), null, "the most HSMs a bundle may list, over 16 datacenters");
  }

  private void invalidBundles(ValidationBundle one) {
    String t = one.text();
    List<String> keys = t.lines().filter(l -> l.startsWith("key ")).toList();
    invalid("too-large", t + "x".repeat(ValidationBundle.BUNDLE_BYTES_MAX), "longer than 32768 bytes");
    invalid("encoding", t.replace("\n", "\r\n"), "CR LF line ends");
    invalid("encoding", t.substring(0, t.length() - 1), "no final newline");
    invalid("encoding", t.replace("epoch 1\n", "epoch 1\n\n"), "an empty line");
    invalid("header", t.replace("validation-bundle@v1", "validation-bundle@v2"), "unknown format line");
    invalid("line-order", t.replace("fleet-id fleet-1\nepoch 1\n", "epoch 1\nfleet-id fleet-1\n"), "lines swapped");
    invalid("line-order", t + "note extra\n", "a line after previous");
    invalid("namespace", t.replace("namespace backup", "namespace -backup"), "starts with '-'");
    invalid("fleet-id", t.replace("fleet-id fleet-1", "fleet-id fleet/1"), "'/' in a fleet id");
    invalid("epoch", t.replace("epoch 1\n", "epoch 0\n"), "epoch 0");
    invalid("epoch", t.replace("epoch 1\n", "epoch 01\n"), "leading zero");
    invalid("validity", t.replace("not-after " + one.notAfterSeconds(), "not-after " + one.notBeforeSeconds()), "empty window");
    invalid("validity", t.replace("not-after " + one.notAfterSeconds(),
        "not-after " + (one.notBeforeSeconds() + ValidationBundle.VALIDITY_SECONDS_MAX + 1)), "window longer than 400 days");
    invalid("key", t.replace(keys.get(0), keys.get(0).replace("key identity", "key signing")), "unknown role");
    invalid("key", t.replace(keys.get(0), keys.get(0).substring(0, keys.get(0).length() - 2) + "ZZ"), "not hex");
    invalid("key-order", t.replace(keys.get(0) + "\n" + keys.get(1), keys.get(1) + "\n" + keys.get(0)), "opaque before identity");
    invalid("key-order", t.replace(keys.get(0) + "\n" + keys.get(1) + "\n" + keys.get(2) + "\n" + keys.get(3),
        keys.get(2) + "\n" + keys.get(3) + "\n" + keys.get(0) + "\n" + keys.get(1)), "HSMs not in increasing id order");
    String otherIdentity = keys.get(2).substring(keys.get(2).length() - 66);
    invalid("hsm-id", t.replace(keys.get(0), keys.get(0).substring(0, keys.get(0).length() - 66) + otherIdentity),
        "HSM id not derived from its identity key");
    String foreign = Hex.encode(BundleFixtures.opaqueKey("another fleet").encode());
    invalid("opaque-key", t.replace(keys.get(3), keys.get(3).substring(0, keys.get(3).length() - 66) + foreign),
        "one HSM with another OPAQUE key");
    String none = t;
    for (String key : keys) {
      none = none.replace(key + "\n", "");
    }
    invalid("hsm-count", none, "no HSM");
    invalid("placement", t.replaceAll(" dc-3 ", " dc-1 "), "losing dc-1 (2 of 3 HSMs) leaves no quorum");
    invalid("quorum", t.replace("quorum 2 of 3", "quorum 3 of 3"), "not the majority");
    invalid("evidence", t.replaceFirst("evidence ([0-9a-f]{63})[0-9a-f]", "evidence $1"), "63 hex digits");
    invalid("previous", t.replace("previous none", "previous " + one.digest().toHex()), "epoch 1 names a previous bundle");
  }

  private void malformedWitnessed(WitnessedBundle witnessed) {
    String text = new String(witnessed.toBytes(), StandardCharsets.UTF_8);
    malformed("header", text.replace("witnessed-bundle@v1", "witnessed-bundle@v2"), "unknown format line");
    malformed("countersignature", text.replaceFirst("countersignature ([0-9a-f]{126})[0-9a-f]{2}", "countersignature $1"),
        "countersignature of 63 bytes");
    malformed("epoch", text.replace("epoch 1\n", "epoch 0\n"), "the bundle inside is malformed");
    malformed("receipt", text.replace("bkv.dev/bundle-receipt@v1", "bkv.dev/bundle-receipt@v0"), "unknown receipt format");
    malformed("line-order", text.replaceFirst("\n\nbkv.dev/bundle-receipt", "\nbkv.dev/bundle-receipt"), "no blank line before the receipt");
  }

  private int malformedCount;

  private void malformed(String reason, String text, String comment) {
    String path = file("witnessed/malformed-" + (++malformedCount) + "-" + reason + ".witnessed",
        text.getBytes(StandardCharsets.UTF_8));
    Map<String, Object> c = ota("malformed-" + malformedCount + "-" + reason, path, "well-formed", 0, null, null, List.of(), 0,
        NOW, comment);
    c.put("format_reason", reason);
  }

  private final Map<String, Integer> invalidCounts = new TreeMap<>();

  private void invalid(String reason, String text, String comment) {
    int n = invalidCounts.merge(reason, 1, Integer::sum);
    bundle("bundles/invalid-" + reason + "-" + n + ".bundle", text.getBytes(StandardCharsets.ISO_8859_1), reason, comment);
  }

  private void bundle(String path, byte[] bytes, String reason, String comment) {
    file(path, bytes);
    Map<String, Object> entry = new LinkedHashMap<>();
    entry.put("file", path);
    entry.put("valid", reason == null);
    if (reason == null) {
      entry.put("sha256", Sha256Digest.of(bytes).toHex());
    } else {
      entry.put("reason", reason);
    }
    entry.put("comment", comment);
    bundles.add(entry);
  }

  private Map<String, Object> ota(String name, String file, String expected, long lastEpoch, String lastBundle,
      String storedCheckpoint, List<String> consistency, int cosignaturesRequired, long now, String comment) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("name", name);
    c.put("mode", "ota");
    c.put("file", file);
    c.put("now", now);
    c.put("last_epoch", lastEpoch);
    c.put("last_bundle", lastBundle == null ? Json.NULL : lastBundle);
    c.put("stored_checkpoint", storedCheckpoint == null ? Json.NULL : storedCheckpoint);
    c.put("consistency_proof", consistency);
    c.put("cosignatures_required", cosignaturesRequired);
    c.put("expected", expected);
    c.put("comment", comment);
    cases.add(c);
    return c;
  }

  private void pinned(String name, String pinnedBundle, String offered, String expected, String comment) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("name", name);
    c.put("mode", "pinned");
    c.put("pinned", pinnedBundle);
    c.put("file", offered);
    c.put("expected", expected);
    c.put("comment", comment);
    cases.add(c);
  }

  private String file(String path, byte[] bytes) {
    files.put(path, bytes.clone());
    return path;
  }

  private static List<String> hashes(List<Hash> hashes) {
    return hashes.stream().map(Hash::toBase64).toList();
  }

  private static byte[] wrongDigest(WitnessedBundle w) {
    String text = new String(w.toBytes(), StandardCharsets.UTF_8);
    return text.replace("bundle-sha256 " + w.statedDigest().toHex(), "bundle-sha256 " + "00".repeat(32))
        .getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] otherWitnessKey(WitnessedBundle w) {
    Ed25519.Signature forged = BundleFixtures.ed25519Key("not the witness").sign(w.bundleBytes());
    return WitnessedBundle.of(w.bundle(), forged, w.proof(), countersign(forged)).toBytes();
  }

  private static byte[] otherOperator(WitnessedBundle w) {
    EcdsaP256.Signature forged = BundleFixtures.ecdsaKey("not the operator")
        .sign(OperatorCountersignature.message(w.witnessSignature()));
    return WitnessedBundle.of(w.bundle(), w.witnessSignature(), w.proof(), forged).toBytes();
  }

  private static byte[] otherLogKey(BundleFixtures.Log log, ValidationBundle bundle, long index) throws Exception {
    TlogProof real = log.proof(index, 2, List.of());
    Ed25519Note.Signer impostor = new Ed25519Note.Signer(BundleFixtures.LOG_ORIGIN, BundleFixtures.ed25519Key("not the log"));
    SignedNote note = SignedNote.sign(real.checkpoint().text(), List.of(impostor));
    Ed25519.Signature signature = log.witnessSignature(bundle.toBytes());
    return WitnessedBundle.of(bundle, signature, new TlogProof(Optional.empty(), index, real.proof(), note),
        countersign(signature)).toBytes();
  }

  private static byte[] wrongProof(BundleFixtures.Log log, ValidationBundle bundle, long index) throws Exception {
    TlogProof real = log.proof(index, 3, List.of());
    List<Hash> altered = new ArrayList<>(real.proof());
    byte[] first = altered.get(0).toBytes();
    first[0] ^= 1;
    altered.set(0, new Hash(first));
    Ed25519.Signature signature = log.witnessSignature(bundle.toBytes());
    return WitnessedBundle.of(bundle, signature, new TlogProof(Optional.empty(), index, altered, real.checkpoint()),
        countersign(signature)).toBytes();
  }

  /** A size-2 checkpoint, signed by the real log key, of a history that differs at entry 1. */
  private static byte[] forkedCheckpoint(BundleFixtures.Log log) {
    MerkleTree fork = new MerkleTree();
    fork.appendEntry("bkv.dev/bundle-vectors unrelated entry\n".getBytes(StandardCharsets.US_ASCII));
    fork.appendEntry("a bundle shown to someone else\n".getBytes(StandardCharsets.US_ASCII));
    return SignedNote.sign(new Checkpoint(BundleFixtures.LOG_ORIGIN, 2, fork.rootHash(2)).text(), List.of(log.logKey)).toBytes();
  }

  private byte[] manifest() {
    BundleFixtures.Log log = new BundleFixtures.Log();
    Map<String, Object> anchors = new LinkedHashMap<>();
    anchors.put("namespace", BundleFixtures.NAMESPACE);
    anchors.put("witness_bundle_vkey", log.bundleKey.verifier().vkey());
    anchors.put("log_origin", BundleFixtures.LOG_ORIGIN);
    anchors.put("witness_log_vkey", log.logKey.verifier().vkey());
    anchors.put("cosigner_vkeys", List.of(BundleFixtures.cosigner(1).verifier().vkey(), BundleFixtures.cosigner(2).verifier().vkey()));
    anchors.put("operator_key", Hex.encode(BundleFixtures.operatorKey().publicKey().encodeCompressed()));
    StringBuilder out = new StringBuilder("{\n");
    out.append("\"format\": ").append(Json.write(FORMAT)).append(",\n");
    out.append("\"generator\": ").append(Json.write("impl/src/test/java/dev/bkv/bundle/BundleVectorGenerator.java")).append(",\n");
    out.append("\"anchors\": ").append(Json.write(anchors)).append(",\n");
    out.append("\"bundles\": [\n");
    appendLines(out, bundles);
    out.append("],\n\"cases\": [\n");
    appendLines(out, cases);
    out.append("]\n}\n");
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void appendLines(StringBuilder out, List<Map<String, Object>> entries) {
    for (int i = 0; i < entries.size(); i++) {
      out.append(Json.write(entries.get(i))).append(i + 1 < entries.size() ? ",\n" : "\n");
    }
  }
}
