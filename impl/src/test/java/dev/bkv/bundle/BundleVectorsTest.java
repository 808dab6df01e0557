package dev.bkv.bundle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.bkv.base.Json;
import dev.bkv.crypto.EcdsaP256;
import dev.bkv.crypto.Sha256Digest;
import dev.bkv.tlog.Checkpoint;
import dev.bkv.tlog.CheckpointPolicy;
import dev.bkv.tlog.ConsistencyProof;
import dev.bkv.tlog.Ed25519Note;
import dev.bkv.tlog.Hash;
import dev.bkv.tlog.InclusionProof;
import dev.bkv.tlog.NoteKeys;
import dev.bkv.tlog.NoteVerifier;
import dev.bkv.tlog.Rfc6962;
import dev.bkv.tlog.SignedNote;
import dev.bkv.tlog.Verdict;
import dev.bkv.tlog.VerifiedCheckpoint;
import dev.bkv.tlog.VerifierSet;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The published vectors in spec/vectors/bundle: regenerated and compared byte for byte (so
 * they cannot drift from the code), every bundle parsed or refused with its stated reason,
 * and every case decided by an obviously-written reference of the checks in spec order
 * (BundleAcceptance.tla OtaCheckOrder, PinnedCheckOrder, plus namespace and previous-bundle):
 * the first failing check is the expected one, and each rejection breaks exactly one check.
 * Run with -Dbkv.writeVectors=true to rewrite the files after a deliberate format change.
 */
class BundleVectorsTest {
  static Path vectorsDir() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isRegularFile(dir.resolve(".ci/run"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new AssertionError("run from inside the checkout (no .ci/run above " + Path.of("").toAbsolutePath() + ")");
    }
    return dir.resolve("spec/vectors/bundle");
  }

  @Test
  void the_published_files_are_exactly_what_the_generator_makes() throws Exception {
    Map<String, byte[]> generated = BundleVectorGenerator.generate();
    Path dir = vectorsDir();
    if (Boolean.getBoolean("bkv.writeVectors")) {
      BundleVectorGenerator.main(new String[] {dir.toString()});
    }
    Set<String> onDisk = new TreeSet<>();
    try (Stream<Path> files = Files.walk(dir)) {
      files.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString().replace('\\', '/'))
          .filter(p -> !p.equals("MANIFEST.md")).forEach(onDisk::add);
    }
    assertEquals(generated.keySet(), onDisk, "the vector files (regenerate with -Dbkv.writeVectors=true)");
    for (Map.Entry<String, byte[]> file : generated.entrySet()) {
      assertArrayEquals(file.getValue(), Files.readAllBytes(dir.resolve(file.getKey())), file.getKey() + " drifted");
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void every_bundle_parses_or_is_refused_with_its_reason() throws Exception {
    Path dir = vectorsDir();
    Map<String, Object> manifest = Json.parseObject(Files.readString(dir.resolve("manifest.json")));
    int passed = 0;
    int rejected = 0;
    List<Object> bundles = (List<Object>) manifest.get("bundles");
    for (Object o : bundles) {
      Map<String, Object> entry = (Map<String, Object>) o;
      byte[] bytes = Files.readAllBytes(dir.resolve((String) entry.get("file")));
      if ((Boolean) entry.get("valid")) {
        ValidationBundle bundle = ValidationBundle.parse(bytes);
        assertEquals(entry.get("sha256"), bundle.digest().toHex());
        passed++;
      } else {
        try {
          ValidationBundle.parse(bytes);
          fail(entry.get("file") + " parsed but should be refused as " + entry.get("reason"));
        } catch (BundleFormatException e) {
          assertEquals(entry.get("reason"), e.reason().code(), entry.get("file") + ": " + e.getMessage());
          rejected++;
        }
      }
    }
    System.out.printf("[vectors] spec/vectors/bundle bundles: %d/%d passed (%d invalid rejected as expected)%n",
        passed + rejected, bundles.size(), rejected);
  }

  @Test
  @SuppressWarnings("unchecked")
  void every_case_fails_exactly_the_check_it_names() throws Exception {
    Path dir = vectorsDir();
    Map<String, Object> manifest = Json.parseObject(Files.readString(dir.resolve("manifest.json")));
    Map<String, Object> anchors = (Map<String, Object>) manifest.get("anchors");
    int accepted = 0;
    List<Object> cases = (List<Object>) manifest.get("cases");
    for (Object o : cases) {
      Map<String, Object> c = (Map<String, Object>) o;
      List<String> failing = c.get("mode").equals("pinned") ? pinnedFailures(dir, c) : otaFailures(dir, anchors, c);
      String expected = (String) c.get("expected");
      String name = (String) c.get("name");
      if (expected.equals("accepted")) {
        assertEquals(List.of(), failing, name);
        accepted++;
      } else {
        assertEquals(List.of(expected), failing, name + ": exactly the named check fails");
      }
    }
    System.out.printf("[vectors] spec/vectors/bundle cases: %d/%d decided as expected (%d rejected)%n",
        cases.size(), cases.size(), cases.size() - accepted);
  }

  private static List<String> pinnedFailures(Path dir, Map<String, Object> c) throws Exception {
    ValidationBundle pinned = ValidationBundle.parse(Files.readAllBytes(dir.resolve((String) c.get("pinned"))));
    ValidationBundle offered;
    try {
      offered = ValidationBundle.parse(Files.readAllBytes(dir.resolve((String) c.get("file"))));
    } catch (BundleFormatException e) {
      return List.of("well-formed");
    }
    boolean same = offered.members().equals(pinned.members()) && offered.quorum() == pinned.quorum();
    return same ? List.of() : List.of("pinned-fleet");
  }

  /** Every OTA check the case fails, in spec order, each computed independently. */
  @SuppressWarnings("unchecked")
  private static List<String> otaFailures(Path dir, Map<String, Object> anchors, Map<String, Object> c) throws Exception {
    WitnessedBundle w;
    try {
      w = WitnessedBundle.parse(Files.readAllBytes(dir.resolve((String) c.get("file"))));
    } catch (BundleFormatException e) {
      assertEquals(c.get("format_reason"), e.reason().code(), c.get("name") + ": " + e.getMessage());
      return List.of("well-formed");
    }
    String namespace = (String) c.getOrDefault("namespace", anchors.get("namespace"));
    Ed25519Note.Verifier bundleKey = (Ed25519Note.Verifier) NoteKeys.parseVerifierKey((String) anchors.get("witness_bundle_vkey"));
    NoteVerifier logKey = NoteKeys.parseVerifierKey((String) anchors.get("witness_log_vkey"));
    List<NoteVerifier> cosigners = new ArrayList<>();
    for (Object vkey : (List<Object>) anchors.get("cosigner_vkeys")) {
      cosigners.add(NoteKeys.parseVerifierKey((String) vkey));
    }
    EcdsaP256.PublicKey operator = EcdsaP256.PublicKey.decode(dev.bkv.base.Hex.decode((String) anchors.get("operator_key")));
    String origin = (String) anchors.get("log_origin");
    int k = ((Number) c.get("cosignatures_required")).intValue();
    long now = ((Number) c.get("now")).longValue();
    long lastEpoch = ((Number) c.get("last_epoch")).longValue();
    List<String> failing = new ArrayList<>();
    ValidationBundle bundle = w.bundle();
    if (!bundle.namespace().equals(namespace)) {
      failing.add("namespace");
    }
    if (!w.statedDigest().equals(w.bundleDigest())) {
      failing.add("digest");
    }
    if (bundleKey.verify(w.bundleBytes(), w.witnessSignature().toBytes()).isEmpty()) {
      failing.add("witness-signature");
    }
    if (!OperatorCountersignature.verify(operator, w.witnessSignature(), w.countersignature())) {
      failing.add("countersignature");
    }
    Verdict<VerifiedCheckpoint> logSigned = CheckpointPolicy.logOnly(origin, logKey).verify(w.proof().checkpoint());
    if (!logSigned.isVerified()) {
      failing.add("checkpoint-signature");
      return failing; // the later checks need a checkpoint to read
    }
    if (!new CheckpointPolicy(origin, VerifierSet.of(logKey), VerifierSet.of(cosigners), k).verify(w.proof().checkpoint())
        .isVerified()) {
      failing.add("cosignatures");
    }
    Checkpoint checkpoint = logSigned.value().checkpoint();
    if (!new InclusionProof(w.proof().index(), checkpoint.size(), w.proof().proof())
        .verify(Rfc6962.leafHash(w.bundleBytes()), checkpoint.rootHash()).isVerified()) {
      failing.add("inclusion");
    }
    if (c.get("stored_checkpoint") instanceof String stored) {
      Checkpoint old = CheckpointPolicy.logOnly(origin, logKey)
          .verify(SignedNote.parse(Files.readAllBytes(dir.resolve(stored)))).value().checkpoint();
      List<Hash> proof = new ArrayList<>();
      for (Object h : (List<Object>) c.get("consistency_proof")) {
        proof.add(Hash.fromBase64((String) h));
      }
      boolean consistent = checkpoint.size() >= old.size()
          && (checkpoint.size() == old.size() ? proof.isEmpty() && old.rootHash().equals(checkpoint.rootHash())
              : new ConsistencyProof(old.size(), checkpoint.size(), proof).verify(old.rootHash(), checkpoint.rootHash())
                  .isVerified());
      if (!consistent) {
        failing.add("consistency");
      }
    }
    if (bundle.epoch() < lastEpoch) {
      failing.add("epoch");
    }
    if (!(bundle.notBeforeSeconds() <= now && now < bundle.notAfterSeconds())) {
      failing.add("validity-window");
    }
    if (c.get("last_bundle") instanceof String last && bundle.epoch() == lastEpoch + 1) {
      Sha256Digest lastDigest = Sha256Digest.of(Files.readAllBytes(dir.resolve(last)));
      if (!bundle.previousDigest().map(lastDigest::equals).orElse(false)) {
        failing.add("previous-bundle");
      }
    }
    return failing;
  }

  @Test
  void the_manifest_names_a_format() throws Exception {
    String text = Files.readString(vectorsDir().resolve("manifest.json"), StandardCharsets.UTF_8);
    assertTrue(text.contains(BundleVectorGenerator.FORMAT));
  }
}
