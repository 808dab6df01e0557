package dev.bkv.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bkv.base.Hex;
import dev.bkv.base.Json;
import dev.bkv.crypto.EcdsaP256;
import dev.bkv.tlog.CheckpointPolicy;
import dev.bkv.tlog.Hash;
import dev.bkv.tlog.NoteKeys;
import dev.bkv.tlog.NoteVerifier;
import dev.bkv.tlog.SignedNote;
import dev.bkv.tlog.VerifierSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * G5: the client verifier decides every published case in spec/vectors/bundle exactly as
 * the manifest says (accepted, or rejected by the named check). {@link BundleVectorsTest}
 * checks the same cases against a reference of the checks; this one runs the production
 * {@link BundleVerifier}, so the files, the reference and the verifier all agree.
 */
class BundleVectorsVerifierTest {
  @Test
  @SuppressWarnings("unchecked")
  void the_verifier_decides_every_published_case_as_the_manifest_says() throws Exception {
    Path dir = BundleVectorsTest.vectorsDir();
    Map<String, Object> manifest = Json.parseObject(Files.readString(dir.resolve("manifest.json")));
    Map<String, Object> anchors = (Map<String, Object>) manifest.get("anchors");
    List<Object> cases = (List<Object>) manifest.get("cases");
    int rejected = 0;
    for (Object o : cases) {
      Map<String, Object> c = (Map<String, Object>) o;
      BundleVerdict verdict = c.get("mode").equals("pinned") ? pinned(dir, c) : ota(dir, anchors, c);
      assertEquals(c.get("expected"), verdict.specReason(), c.get("name") + ": " + verdict.describe());
      if (!verdict.accepted()) {
        rejected++;
      }
    }
    System.out.printf("[vectors] spec/vectors/bundle cases through BundleVerifier: %d/%d as published (%d rejected)%n",
        cases.size(), cases.size(), rejected);
  }

  private static BundleVerdict pinned(Path dir, Map<String, Object> c) throws Exception {
    ValidationBundle pinned = ValidationBundle.parse(Files.readAllBytes(dir.resolve((String) c.get("pinned"))));
    return BundleVerifier.verifyPinned(pinned, Files.readAllBytes(dir.resolve((String) c.get("file"))));
  }

  @SuppressWarnings("unchecked")
  private static BundleVerdict ota(Path dir, Map<String, Object> anchors, Map<String, Object> c) throws Exception {
    List<NoteVerifier> cosigners = new ArrayList<>();
    for (Object vkey : (List<Object>) anchors.get("cosigner_vkeys")) {
      cosigners.add(NoteKeys.parseVerifierKey((String) vkey));
    }
    String origin = (String) anchors.get("log_origin");
    NoteVerifier logKey = NoteKeys.parseVerifierKey((String) anchors.get("witness_log_vkey"));
    TrustAnchors trust = new TrustAnchors(
        (String) c.getOrDefault("namespace", anchors.get("namespace")),
        NoteKeys.parseVerifierKey((String) anchors.get("witness_bundle_vkey")),
        EcdsaP256.PublicKey.decode(Hex.decode((String) anchors.get("operator_key"))),
        origin,
        logKey,
        VerifierSet.of(cosigners),
        ((Number) c.get("cosignatures_required")).intValue());

    Optional<dev.bkv.tlog.Checkpoint> stored = Optional.empty();
    if (c.get("stored_checkpoint") instanceof String file) {
      stored = Optional.of(CheckpointPolicy.logOnly(origin, logKey)
          .verify(SignedNote.parse(Files.readAllBytes(dir.resolve(file)))).value().checkpoint());
    }
    Optional<byte[]> lastBundle = Optional.empty();
    if (c.get("last_bundle") instanceof String file) {
      lastBundle = Optional.of(Files.readAllBytes(dir.resolve(file)));
    }
    List<Hash> consistency = new ArrayList<>();
    for (Object h : (List<Object>) c.get("consistency_proof")) {
      consistency.add(Hash.fromBase64((String) h));
    }
    ClientMemory memory = new ClientMemory(stored, ((Number) c.get("last_epoch")).longValue(), lastBundle);
    return BundleVerifier.verifyOta(trust, memory, ((Number) c.get("now")).longValue(),
        Files.readAllBytes(dir.resolve((String) c.get("file"))), consistency);
  }
}
