package dev.bkv.witness;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.tlog.Checkpoint;
import dev.bkv.tlog.CheckpointPolicy;
import dev.bkv.tlog.CosignatureV1;
import dev.bkv.tlog.Ed25519Note;
import dev.bkv.tlog.Hash;
import dev.bkv.tlog.MerkleTree;
import dev.bkv.tlog.NoteKeys;
import dev.bkv.tlog.SignedNote;
import dev.bkv.tlog.VerifierSet;
import dev.bkv.testsupport.Vectors;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * C2SP tlog-witness v1.0.0 add-checkpoint, tested without HTTP: each rule of the spec in
 * its own case, the edge cases BKV decides (old size 0, equal sizes), the persisted state
 * after a restart, concurrent requests that must never roll the state back, and the
 * Go-generated example request.
 */
class CheckpointWitnessTest {
  @TempDir Path dir;
  private final AtomicLong clock = new AtomicLong(1_700_000_000L);

  private CheckpointWitness start(WitnessFixtures.OtherLog log) throws Exception {
    WitnessFixtures.init(dir);
    CheckpointWitness witness = WitnessFixtures.open(dir, clock).checkpoints();
    witness.knownLogs().addKey(log.origin, log.key.verifier().vkey());
    return witness;
  }

  @Test
  void whenALogGrows_thenEachConsistentCheckpointIsCosignedWithTheClockTime() throws Exception {
    WitnessFixtures.OtherLog log = new WitnessFixtures.OtherLog("example.com/log", 1);
    CheckpointWitness witness = start(log);
    log.grow(5);
    var first = assertInstanceOf(CheckpointWitness.Cosigned.class, witness.addCheckpoint(log.request(0)));
    log.grow(8);
    clock.set(1_700_000_100L);
    var second = assertInstanceOf(CheckpointWitness.Cosigned.class, witness.addCheckpoint(log.request(5)));
    CosignatureV1.Verifier key = WitnessKeys.load(dir).cosigner().verifier();
    SignedNote cosigned = log.checkpoint(13).withSignatures(second.cosignatures());
    CheckpointPolicy policy = new CheckpointPolicy(log.origin, VerifierSet.of(log.key.verifier()), VerifierSet.of(key), 1);
    var verdict = policy.verify(cosigned);
    assertTrue(verdict.isVerified(), verdict.reasonOrEmpty());
    assertEquals(1_700_000_100L, verdict.value().cosignatures().get(0).timestamp().getAsLong());
    assertEquals(1, first.cosignatures().size());
    assertEquals(13, witness.latest(log.origin).orElseThrow().size());
  }

  @Test
  void whenTheOriginIsUnknown_then404() throws Exception {
    WitnessFixtures.OtherLog log = new WitnessFixtures.OtherLog("example.com/log", 1);
    CheckpointWitness witness = start(log);
    WitnessFixtures.OtherLog stranger = new WitnessFixtures.OtherLog("example.com/stranger", 2);
    stranger.grow(1);
    assertRefused(CheckpointWitness.Refusal.UNKNOWN_LOG, witness.addCheckpoint(stranger.request(0)));
  }

  @Test
  void whenNoTrustedSignatureVerifies_then403() throws Exception {
    WitnessFixtures.OtherLog log = new WitnessFixtures.OtherLog("example.com/log", 1);
    CheckpointWitness witness = start(log);
    WitnessFixtures.OtherLog impostor = new WitnessFixtures.OtherLog("example.com/log", 3);
    impostor.grow(2);
    assertRefused(CheckpointWitness.Refusal.INVALID_SIGNATURE, witness.addCheckpoint(impostor.request(0)));
  }

  @Test
  void whenOldSizeExceedsTheCheckpointOrTheBodyIsMalformed_then400() throws Exception {
    WitnessFixtures.OtherLog log = new WitnessFixtures.OtherLog("example.com/log", 1);
    CheckpointWitness witness = start(log);
    log.grow(3);
    String note = log.checkpoint(3).format();
    assertRefused(CheckpointWitness.Refusal.BAD_REQUEST, witness.addCheckpoint(bytes("old 4\n\n" + note)));
    assertRefused(CheckpointWitness.Refusal.BAD_REQUEST, witness.addCheckpoint(bytes("old 01\n\n" + note)));
    assertRefused(CheckpointWitness.Refusal.BAD_REQUEST, witness.addCheckpoint(bytes("old 0\n" + note)));
    assertRefused(CheckpointWitness.Refusal.BAD_REQUEST, witness.addCheckpoint(bytes("old 0\nnot-a-hash\n\n" + note)));
    String tooMany = "old 1\n" + (hashLine() + "\n").repeat(AddCheckpointRequest.PROOF_LINES_MAX + 1);
    assertRefused(CheckpointWitness.Refusal.BAD_REQUEST, witness.addCheckpoint(bytes(tooMany + "\n" + note)));
  }

  @Test
  void whenOldSizeIsZero_thenTheProofMustBeEmptyAndTheFirstCheckpointIsTrusted() throws Exception {
    WitnessFixtures.OtherLog log = new WitnessFixtures.OtherLog("example.com/log", 1);
    CheckpointWitness witness = start(log);
    log.grow(4);
    String note = log.checkpoint(4).format();
    assertRefused(CheckpointWitness.Refusal.BAD_REQUEST, witness.addCheckpoint(bytes("old 0\n" + hashLine() + "\n\n" + note)));
    assertInstanceOf(CheckpointWitness.Cosigned.class, witness.addCheckpoint(log.request(0)));
    var conflict = assertInstanceOf(CheckpointWitness.Conflict.class, witness.addCheckpoint(log.request(0)));
    assertEquals(4, conflict.knownSize(), "a client that sends old 0 learns the cosigned size");
  }

  @Test
  void whenAnEmptyTreeIsSubmitted_thenOnlyTheEmptyRootIsAccepted() throws Exception {
    WitnessFixtures.OtherLog log = new WitnessFixtures.OtherLog("example.com/log", 1);
    CheckpointWitness witness = start(log);
    SignedNote lying = SignedNote.sign(new Checkpoint(log.origin, 0, hash(7)).text(), List.of(log.key));
    assertRefused(CheckpointWitness.Refusal.BAD_PROOF, witness.addCheckpoint(bytes("old 0\n\n" + lying.format())));
    assertInstanceOf(CheckpointWitness.Cosigned.class, witness.addCheckpoint(log.request(0)));
  }

  @Test
  void whenSizesAreEqual_thenRootsMustMatchAndTheProofMustBeEmpty() throws Exception {
    WitnessFixtures.OtherLog log = new WitnessFixtures.OtherLog("example.com/log", 1);
    CheckpointWitness witness = start(log);
    log.grow(6);
    assertInstanceOf(CheckpointWitness.Cosigned.class, witness.addCheckpoint(log.request(0)));
    assertInstanceOf(CheckpointWitness.Cosigned.class, witness.addCheckpoint(log.request(6)), "same checkpoint again");
    SignedNote fork = SignedNote.sign(new Checkpoint(log.origin, 6, hash(9)).text(), List.of(log.key));
    var conflict = assertInstanceOf(CheckpointWitness.Conflict.class, witness.addCheckpoint(bytes("old 6\n\n" + fork.format())));
    assertEquals(6, conflict.knownSize());
    String withProof = "old 6\n" + hashLine() + "\n\n" + log.checkpoint(6).format();
    assertRefused(CheckpointWitness.Refusal.BAD_PROOF, witness.addCheckpoint(bytes(withProof)));
  }

  @Test
  void whenTheProofDoesNotVerify_then422AndTheStateIsUnchanged() throws Exception {
    WitnessFixtures.OtherLog log = new WitnessFixtures.OtherLog("example.com/log", 1);
    CheckpointWitness witness = start(log);
    log.grow(3);
    assertInstanceOf(CheckpointWitness.Cosigned.class, witness.addCheckpoint(log.request(0)));
    log.grow(4);
    String good = new String(log.request(3), StandardCharsets.UTF_8);
    String[] lines = good.split("\n", -1);
    lines[1] = hashLine();
    assertRefused(CheckpointWitness.Refusal.BAD_PROOF, witness.addCheckpoint(bytes(String.join("\n", lines))));
    assertRefused(CheckpointWitness.Refusal.BAD_PROOF, witness.addCheckpoint(bytes("old 3\n\n" + log.checkpoint(7).format())));
    assertEquals(3, witness.latest(log.origin).orElseThrow().size());
  }

  @Test
  void whenTheWitnessRestarts_thenItRemembersEveryLogsLatestCheckpoint() throws Exception {
    WitnessFixtures.OtherLog log = new WitnessFixtures.OtherLog("example.com/log", 1);
    CheckpointWitness witness = start(log);
    log.grow(10);
    assertInstanceOf(CheckpointWitness.Cosigned.class, witness.addCheckpoint(log.request(0)));
    Files.writeString(dir.resolve("witnessed/state/leftover.tmp"), "a crash left this");
    try (Witness reopened = WitnessFixtures.open(dir, clock)) {
      assertEquals(10, reopened.checkpoints().latest(log.origin).orElseThrow().size());
      assertInstanceOf(CheckpointWitness.Conflict.class, reopened.checkpoints().addCheckpoint(log.request(0)));
      assertTrue(Files.notExists(dir.resolve("witnessed/state/leftover.tmp")));
    }
  }

  @Test
  void whenRequestsRace_thenTheCosignedSizeNeverGoesBack() throws Exception {
    WitnessFixtures.OtherLog log = new WitnessFixtures.OtherLog("example.com/log", 1);
    CheckpointWitness witness = start(log);
    log.grow(2);
    assertInstanceOf(CheckpointWitness.Cosigned.class, witness.addCheckpoint(log.request(0)));
    List<byte[]> requests = new ArrayList<>();
    for (int step = 0; step < 16; step++) {
      log.grow(1);
      requests.add(log.request(2)); // all claim old size 2; only the first to commit may win
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<CheckpointWitness.Outcome>> outcomes = new ArrayList<>();
    for (byte[] request : requests) {
      outcomes.add(pool.submit(() -> {
        go.await();
        return witness.addCheckpoint(request);
      }));
    }
    go.countDown();
    int cosigned = 0;
    for (Future<CheckpointWitness.Outcome> outcome : outcomes) {
      cosigned += outcome.get() instanceof CheckpointWitness.Cosigned ? 1 : 0;
    }
    pool.shutdown();
    assertEquals(1, cosigned, "exactly one request from old size 2 can succeed");
    assertTrue(witness.latest(log.origin).orElseThrow().size() > 2);
  }

  @Test
  void whenTheGoGeneratedRequestIsSubmitted_thenItIsCosigned() throws Exception {
    Map<String, Object> v = Vectors.readJsonObject("generated/xmod-note-checkpoint-cosig-example.json");
    byte[] request = Files.readAllBytes(Vectors.require("generated/example-add-checkpoint-request.txt"));
    assertArrayEquals(request, AddCheckpointRequest.parse(request).format().getBytes(StandardCharsets.UTF_8));
    Ed25519Note.Signer logKey = NoteKeys.parseNoteSigner((String) v.get("log_skey"));
    WitnessFixtures.init(dir);
    CheckpointWitness witness = WitnessFixtures.open(dir, clock).checkpoints();
    witness.knownLogs().addKey(logKey.keyName(), logKey.verifier().vkey());
    MerkleTree tree = new MerkleTree();
    for (int i = 0; i < 7; i++) {
      tree.appendEntry(("record " + i + "\n").getBytes(StandardCharsets.UTF_8));
    }
    SignedNote seven = SignedNote.sign(new Checkpoint(logKey.keyName(), 7, tree.root()).text(), List.of(logKey));
    assertInstanceOf(CheckpointWitness.Cosigned.class, witness.addCheckpoint(bytes("old 0\n\n" + seven.format())));
    var cosigned = assertInstanceOf(CheckpointWitness.Cosigned.class, witness.addCheckpoint(request));
    assertEquals(1, cosigned.cosignatures().size());
    Vectors.report("generated/example-add-checkpoint-request.txt", 2, 0, 2);
  }

  @Test
  void whenTheC2spExamplesAreParsed_thenTheyRoundTrip() throws Exception {
    byte[] request = Files.readAllBytes(Vectors.require("tlog-witness/c2sp-tlog-witness-example-add-checkpoint-request.txt"));
    AddCheckpointRequest parsed = AddCheckpointRequest.parse(request);
    assertEquals(20852014, parsed.oldSize());
    assertEquals(4, parsed.proof().size());
    assertArrayEquals(request, parsed.format().getBytes(StandardCharsets.UTF_8));
    String response = Vectors.readString("tlog-witness/c2sp-tlog-witness-example-add-checkpoint-response.txt");
    int lines = 0;
    for (String line : response.split("\n")) {
      assertEquals(CosignatureV1.SIGNATURE_BYTES, SignedNote.parseSignatureLine(line).signature().length);
      lines++;
    }
    assertEquals(3, lines);
    Vectors.report("tlog-witness/c2sp-tlog-witness-example-add-checkpoint-request.txt", 1, 0, 1);
    Vectors.report("tlog-witness/c2sp-tlog-witness-example-add-checkpoint-response.txt", 3, 0, 3);
  }

  private static void assertRefused(CheckpointWitness.Refusal expected, CheckpointWitness.Outcome outcome) {
    var refused = assertInstanceOf(CheckpointWitness.Refused.class, outcome, String.valueOf(outcome));
    assertEquals(expected, refused.refusal(), refused.reason());
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static Hash hash(int fill) {
    byte[] bytes = new byte[32];
    java.util.Arrays.fill(bytes, (byte) fill);
    return new Hash(bytes);
  }

  private static String hashLine() {
    return hash(5).toBase64();
  }
}
