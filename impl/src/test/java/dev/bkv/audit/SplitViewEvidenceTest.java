package dev.bkv.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.bundle.BundleFixtures;
import dev.bkv.tlog.CheckpointPolicy;
import dev.bkv.tlog.ConsistencyProof;
import dev.bkv.tlog.FormatException;
import dev.bkv.tlog.Hash;
import dev.bkv.tlog.Rfc6962;
import dev.bkv.tlog.SignedNote;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Split-view evidence on its own: each refusal of verify by its reason, the proof-length limit
 * at the bound and one past it, and the encoding round trip.
 */
class SplitViewEvidenceTest {
  static final Hash H = new Hash(new byte[32]);

  static BundleFixtures.Log log(String... entries) {
    BundleFixtures.Log log = new BundleFixtures.Log();
    for (String e : entries) {
      log.append(e.getBytes(StandardCharsets.US_ASCII));
    }
    return log;
  }

  static CheckpointPolicy policy() {
    BundleFixtures.Log log = new BundleFixtures.Log();
    return CheckpointPolicy.logOnly(BundleFixtures.LOG_ORIGIN, log.logKey.verifier());
  }

  @Test
  void theProofLengthIsLimited_atTheBoundAndOnePast() throws Exception {
    SignedNote a = log("a").checkpoint(1, List.of());
    SignedNote b = log("b").checkpoint(1, List.of());
    List<Hash> atLimit = Collections.nCopies(ConsistencyProof.HASHES_MAX, H);
    SplitViewEvidence longest = new SplitViewEvidence(a, b, atLimit, H);
    assertEquals(ConsistencyProof.HASHES_MAX, SplitViewEvidence.parse(longest.toBytes()).proof().size());
    List<Hash> over = new ArrayList<>(atLimit);
    over.add(H);
    assertEquals("consistency proof longer than 64 hashes",
        assertThrows(IllegalArgumentException.class, () -> new SplitViewEvidence(a, b, over, H)).getMessage());
    String text = new String(longest.toBytes(), StandardCharsets.US_ASCII).replace("proof 64\n", "proof 65\n");
    assertEquals("proof has more than 64 hashes",
        assertThrows(FormatException.class, () -> SplitViewEvidence.parse(text.getBytes(StandardCharsets.US_ASCII)))
            .getMessage());
  }

  @Test
  void evidenceRoundTrips_andIsDescribedByBothViews() throws Exception {
    SignedNote a = log("a").checkpoint(1, List.of());
    SignedNote b = log("a", "b").checkpoint(2, List.of());
    SplitViewEvidence evidence = new SplitViewEvidence(a, b, List.of(H), H);
    SplitViewEvidence parsed = SplitViewEvidence.parse(evidence.toBytes());
    assertArrayEquals(evidence.toBytes(), parsed.toBytes());
    assertEquals(List.of(H), parsed.proof());
    String[] small = a.text().split("\n");
    String[] large = b.text().split("\n");
    assertEquals("split view of " + BundleFixtures.LOG_ORIGIN + ": size 1 root " + small[2] + " vs size 2 root " + large[2]
        + " (which holds " + H.toBase64() + " at the smaller size)", evidence.describe());
    assertThrows(FormatException.class,
        () -> SplitViewEvidence.parse(SplitViewEvidence.HEADER.getBytes(StandardCharsets.US_ASCII)));
  }

  @Test
  void verifyGivesEachRefusalItsReason() throws Exception {
    CheckpointPolicy policy = policy();
    SignedNote a = log("a").checkpoint(1, List.of());
    SignedNote b = log("b").checkpoint(1, List.of());
    assertTrue(new SplitViewEvidence(a, b, List.of(), H).verify(policy).isVerified(), "equal sizes, different roots");

    SignedNote unsigned = SignedNote.sign(a.text(), List.of(new dev.bkv.tlog.Ed25519Note.Signer(BundleFixtures.LOG_ORIGIN,
        BundleFixtures.ed25519Key("not the log"))));
    assertTrue(new SplitViewEvidence(unsigned, b, List.of(), H).verify(policy).reasonOrEmpty().startsWith("first checkpoint: "));
    assertTrue(new SplitViewEvidence(a, unsigned, List.of(), H).verify(policy).reasonOrEmpty()
        .startsWith("second checkpoint: "));

    assertEquals("checkpoints of equal size need no consistency proof",
        new SplitViewEvidence(a, b, List.of(H), H).verify(policy).reasonOrEmpty());
    assertEquals("equal sizes and equal roots: the checkpoints agree",
        new SplitViewEvidence(a, a, List.of(), H).verify(policy).reasonOrEmpty());
    SignedNote two = log("a", "b").checkpoint(2, List.of());
    assertEquals("the first checkpoint must not be larger than the second",
        new SplitViewEvidence(two, a, List.of(), H).verify(policy).reasonOrEmpty());

    SignedNote empty = log().checkpoint(0, List.of());
    String sizeZero = "the proof does not show what the larger tree holds at size 0: "
        + "every tree commits to the empty root at size 0, with no proof";
    assertEquals(sizeZero, new SplitViewEvidence(empty, two, List.of(H), Rfc6962.EMPTY_ROOT).verify(policy).reasonOrEmpty());
    assertEquals(sizeZero, new SplitViewEvidence(empty, two, List.of(), H).verify(policy).reasonOrEmpty());
    assertEquals("the larger tree extends the smaller one: the checkpoints agree",
        new SplitViewEvidence(empty, two, List.of(), Rfc6962.EMPTY_ROOT).verify(policy).reasonOrEmpty());
  }
}
