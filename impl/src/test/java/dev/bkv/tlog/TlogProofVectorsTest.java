package dev.bkv.tlog;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.base.Hex;
import dev.bkv.crypto.Ed25519;
import dev.bkv.testsupport.Vectors;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * c2sp.org/tlog-proof@v1 files (tlog-proof/ and generated/): each verifies against its leaf
 * and keys, and a wrong leaf, a wrong index, a dropped or altered proof hash, or a policy
 * asking for one more witness than signed is rejected. The Go-generated example also checks
 * that our signers and encoders produce byte-identical notes, cosignatures and proofs.
 */
class TlogProofVectorsTest {

  @Test
  void whenEachProofFileIsVerified_thenItHoldsAndTamperedVariantsAreRejected() throws Exception {
    Path dir = Vectors.require("tlog-proof");
    List<Path> files;
    try (Stream<Path> list = Files.list(dir)) {
      files = list.filter(p -> p.toString().endsWith(".tlog-proof")).sorted().toList();
    }
    for (Path file : files) {
      String name = file.getFileName().toString().replace(".tlog-proof", "");
      byte[] bytes = Files.readAllBytes(file);
      byte[] leaf = Files.readAllBytes(dir.resolve(name + ".leaf"));
      VerifierSet keys = VerifierSet.parseVkeys(Files.readString(dir.resolve(name + ".vkeys")));
      TlogProof proof = TlogProof.parse(bytes);
      assertArrayEquals(bytes, proof.toBytes(), name + ": format(parse(proof)) is the proof");
      CheckpointPolicy policy = policyFor(proof, keys);
      Verdict<VerifiedCheckpoint> verdict = proof.verifyEntry(leaf, policy);
      assertTrue(verdict.isVerified(), name + ": " + verdict.reasonOrEmpty());
      int witnesses = verdict.value().cosignatures().size();

      List<Verdict<VerifiedCheckpoint>> tampered = new ArrayList<>();
      byte[] otherLeaf = leaf.clone();
      otherLeaf[0] ^= 1;
      tampered.add(proof.verifyEntry(otherLeaf, policy));
      tampered.add(new TlogProof(proof.extra(), proof.index() + 1, proof.proof(), proof.checkpoint()).verifyEntry(leaf, policy));
      List<Hash> shorter = proof.proof().subList(0, proof.proof().size() - 1);
      tampered.add(new TlogProof(proof.extra(), proof.index(), shorter, proof.checkpoint()).verifyEntry(leaf, policy));
      List<Hash> altered = new ArrayList<>(proof.proof());
      byte[] first = altered.get(0).toBytes();
      first[31] ^= 1;
      altered.set(0, new Hash(first));
      tampered.add(new TlogProof(proof.extra(), proof.index(), altered, proof.checkpoint()).verifyEntry(leaf, policy));
      VerifierSet extraWitness = witnessKeys(keys).union(VerifierSet.of(unrelatedWitness()));
      CheckpointPolicy stricter =
          new CheckpointPolicy(proof.checkpointOrigin(), logKeys(keys), extraWitness, witnesses + 1);
      tampered.add(proof.verifyEntry(leaf, stricter));
      for (Verdict<VerifiedCheckpoint> v : tampered) {
        assertFalse(v.isVerified(), name + ": a tampered variant verified");
      }
      Vectors.report("tlog-proof/" + name + ".tlog-proof", 1 + tampered.size(), tampered.size(), 1 + tampered.size());
    }
    assertEquals(2, files.size());
  }

  @Test
  void whenTheGoExampleIsRebuilt_thenEveryByteMatches() throws Exception {
    String file = "generated/xmod-note-checkpoint-cosig-example.json";
    Map<String, Object> v = Vectors.readJsonObject(file);
    int checks = 0;
    Ed25519Note.Signer log = NoteKeys.parseNoteSigner((String) v.get("log_skey"));
    assertEquals(v.get("log_vkey"), log.verifier().vkey());
    assertEquals(v.get("log_skey"), log.skey());
    checks += 2;
    CosignatureV1.Signer witness =
        new CosignatureV1.Signer(
            (String) v.get("witness_name"), Ed25519.PrivateKey.fromSeed(Hex.decode((String) v.get("witness_seed_hex"))));
    assertEquals(v.get("witness_vkey"), witness.verifier().vkey());
    checks++;

    MerkleTree tree = new MerkleTree();
    for (Object record : (List<?>) v.get("records")) {
      Map<?, ?> r = (Map<?, ?>) record;
      byte[] data = java.util.Base64.getDecoder().decode((String) r.get("data_b64"));
      tree.appendEntry(data);
      assertEquals(r.get("leaf_hash_hex"), Rfc6962.leafHash(data).toHex());
      checks++;
    }
    Checkpoint checkpoint = new Checkpoint((String) v.get("log_origin"), tree.size(), tree.root());
    assertEquals(v.get("checkpoint_body"), checkpoint.text());
    SignedNote signed = SignedNote.sign(checkpoint.text(), List.of(log));
    assertEquals(v.get("signed_checkpoint"), signed.format());
    long timestamp = ((java.math.BigInteger) v.get("cosignature_timestamp")).longValueExact();
    assertEquals(
        v.get("cosignature_signed_message"),
        new String(CosignatureV1.signedMessage(checkpoint.textBytes(), timestamp), StandardCharsets.UTF_8));
    NoteSignature cosignature = witness.cosign(checkpoint.textBytes(), timestamp);
    assertEquals(v.get("cosignature_line"), cosignature.toLine() + "\n");
    SignedNote cosigned = signed.withSignatures(List.of(cosignature));
    assertEquals(v.get("cosigned_checkpoint"), cosigned.format());
    checks += 5;

    TlogProof proof = new TlogProof(java.util.Optional.empty(), 6, InclusionProof.generate(tree, 6, 13).hashes(), cosigned);
    assertEquals(v.get("tlog_proof"), proof.format());
    byte[] example = Files.readAllBytes(Vectors.require("generated/example.tlog-proof"));
    assertArrayEquals(example, proof.toBytes());
    Map<?, ?> consistency = (Map<?, ?>) v.get("consistency");
    List<String> expected = new ArrayList<>();
    for (Object h : (List<?>) consistency.get("proof_b64")) {
      expected.add((String) h);
    }
    assertEquals(expected, ConsistencyProof.generate(tree, 7, 13).hashes().stream().map(Hash::toBase64).toList());
    checks += 3;

    CheckpointPolicy policy =
        new CheckpointPolicy(checkpoint.origin(), VerifierSet.of(log.verifier()), VerifierSet.of(witness.verifier()), 1);
    Verdict<VerifiedCheckpoint> verdict = proof.verifyEntry("record 6\n".getBytes(StandardCharsets.UTF_8), policy);
    assertTrue(verdict.isVerified(), verdict.reasonOrEmpty());
    assertEquals(timestamp, verdict.value().cosignatures().get(0).timestamp().getAsLong());
    checks++;
    assertFalse(proof.verifyEntry("record 7\n".getBytes(StandardCharsets.UTF_8), policy).isVerified());
    assertFalse(policy.verify(signed).isVerified(), "without the cosignature the 1-of-1 policy fails");
    checks += 2;
    Vectors.report(file, checks, 2, checks);
  }

  /** The log's Ed25519 keys must sign; every listed witness must cosign. */
  private static CheckpointPolicy policyFor(TlogProof proof, VerifierSet keys) {
    VerifierSet witnesses = witnessKeys(keys);
    return new CheckpointPolicy(proof.checkpointOrigin(), logKeys(keys), witnesses, witnesses.size());
  }

  private static VerifierSet logKeys(VerifierSet keys) {
    return VerifierSet.of(keys.verifiers().stream().filter(k -> k.type() == NoteKeys.TYPE_ED25519).toList());
  }

  private static VerifierSet witnessKeys(VerifierSet keys) {
    return VerifierSet.of(keys.verifiers().stream().filter(k -> k.type() == NoteKeys.TYPE_COSIGNATURE_V1).toList());
  }

  private static NoteVerifier unrelatedWitness() {
    return new CosignatureV1.Verifier(
        "witness.example/unrelated", Ed25519.PrivateKey.fromSeed(new byte[32]).publicKey());
  }
}
