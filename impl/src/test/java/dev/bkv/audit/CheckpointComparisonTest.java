package dev.bkv.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.audit.CheckpointComparison.Consistent;
import dev.bkv.audit.CheckpointComparison.LargerTreePrefix;
import dev.bkv.audit.CheckpointComparison.Outcome;
import dev.bkv.audit.CheckpointComparison.SplitView;
import dev.bkv.audit.CheckpointComparison.Unresolved;
import dev.bkv.crypto.Ed25519;
import dev.bkv.tlog.Checkpoint;
import dev.bkv.tlog.CheckpointPolicy;
import dev.bkv.tlog.Ed25519Note;
import dev.bkv.tlog.FormatException;
import dev.bkv.tlog.Hash;
import dev.bkv.tlog.MerkleTree;
import dev.bkv.tlog.SignedNote;
import dev.bkv.tlog.VerifiedCheckpoint;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * G6 split-view detection: two checkpoints of one log are compared (spec actions Gossip and
 * AuditorCheck); a fork is reported with evidence that anyone can check, and consistent
 * views of different sizes never raise the alarm (the BugCompareRootsOnly model).
 */
class CheckpointComparisonTest {
  static final String ORIGIN = "witness.test/bundles";
  static final SecureRandom RANDOM = new SecureRandom(new byte[] {1});
  static final Ed25519Note.Signer LOG = new Ed25519Note.Signer(ORIGIN, Ed25519.PrivateKey.generate(RANDOM));
  static final Ed25519Note.Signer OTHER = new Ed25519Note.Signer(ORIGIN, Ed25519.PrivateKey.generate(RANDOM));
  static final CheckpointPolicy POLICY = CheckpointPolicy.logOnly(ORIGIN, LOG.verifier());

  static MerkleTree tree(String prefix, int from, int size, MerkleTree base) {
    MerkleTree tree = new MerkleTree();
    for (int i = 0; i < from; i++) {
      tree.append(base.node(0, i));
    }
    for (int i = from; i < size; i++) {
      tree.appendEntry((prefix + i).getBytes(StandardCharsets.UTF_8));
    }
    return tree;
  }

  static MerkleTree honest(int size) {
    return tree("entry ", 0, size, null);
  }

  static SignedNote sign(MerkleTree tree, Ed25519Note.Signer key) {
    return SignedNote.sign(new Checkpoint(ORIGIN, tree.size(), tree.root()).text(), List.of(key));
  }

  static VerifiedCheckpoint verified(MerkleTree tree) {
    return POLICY.verify(sign(tree, LOG)).value();
  }

  @Test
  void whenTheLargerTreeExtendsTheSmaller_thenConsistentWhicheverOrder() throws Exception {
    MerkleTree big = honest(9);
    VerifiedCheckpoint small = verified(honest(5));
    LargerTreePrefix prefix = LargerTreePrefix.of(big, 5);
    Outcome forward = CheckpointComparison.compare(small, verified(big), prefix);
    Outcome backward = CheckpointComparison.compare(verified(big), small, prefix);
    assertEquals(9, assertInstanceOf(Consistent.class, forward).larger().checkpoint().size());
    assertEquals(9, assertInstanceOf(Consistent.class, backward).larger().checkpoint().size());
  }

  @Test
  void whenSizesAreEqual_thenRootsDecide() throws Exception {
    VerifiedCheckpoint a = verified(honest(4));
    MerkleTree fork = tree("fork ", 2, 4, honest(4));
    assertInstanceOf(Consistent.class, CheckpointComparison.compare(a, verified(honest(4)), LargerTreePrefix.of(honest(4), 4)));
    SplitView split = assertInstanceOf(SplitView.class, CheckpointComparison.compare(a, verified(fork), LargerTreePrefix.of(fork, 4)));
    assertTrue(split.evidence().verify(POLICY).isVerified(), split.evidence().verify(POLICY).reasonOrEmpty());
  }

  @Test
  void whenTheLogForkedAfterACommonPrefix_thenEvidenceConvictsIt() throws Exception {
    MerkleTree mine = honest(5);
    MerkleTree theirs = tree("fork ", 3, 11, mine);
    Outcome outcome = CheckpointComparison.compare(verified(mine), verified(theirs), LargerTreePrefix.of(theirs, 5));
    SplitViewEvidence evidence = assertInstanceOf(SplitView.class, outcome).evidence();
    assertTrue(evidence.verify(POLICY).isVerified(), evidence.verify(POLICY).reasonOrEmpty());
    SplitViewEvidence decoded = SplitViewEvidence.parse(evidence.toBytes());
    assertTrue(decoded.verify(POLICY).isVerified());
    assertTrue(Arrays.equals(evidence.toBytes(), decoded.toBytes()));
    assertTrue(evidence.describe().contains("size 5"), evidence.describe());
  }

  @Test
  void whenTheSmallerCheckpointIsEmpty_thenOnlyTheEmptyRootIsConsistent() throws Exception {
    MerkleTree big = honest(3);
    Outcome ok = CheckpointComparison.compare(verified(honest(0)), verified(big), LargerTreePrefix.of(big, 0));
    assertInstanceOf(Consistent.class, ok);
  }

  @Test
  void whenTheOfferedProofIsGarbage_thenNothingIsDecided() throws Exception {
    MerkleTree big = honest(9);
    LargerTreePrefix honestPrefix = LargerTreePrefix.of(big, 5);
    List<Hash> bad = new ArrayList<>(honestPrefix.proof());
    bad.set(0, new Hash(new byte[32]));
    Outcome outcome = CheckpointComparison.compare(verified(honest(5)), verified(big), new LargerTreePrefix(5, honestPrefix.root(), bad));
    assertTrue(assertInstanceOf(Unresolved.class, outcome).reason().contains("does not verify"));
    Outcome wrongSize = CheckpointComparison.compare(verified(honest(5)), verified(big), LargerTreePrefix.of(big, 4));
    assertTrue(assertInstanceOf(Unresolved.class, wrongSize).reason().contains("size 4"));
  }

  @Test
  void evidenceThatDoesNotConvict_isRejectedWithItsReason() throws Exception {
    MerkleTree mine = honest(5);
    MerkleTree theirs = tree("fork ", 3, 11, mine);
    LargerTreePrefix prefix = LargerTreePrefix.of(theirs, 5);
    SplitViewEvidence real = new SplitViewEvidence(sign(mine, LOG), sign(theirs, LOG), prefix.proof(), prefix.root());
    assertTrue(real.verify(POLICY).isVerified());
    // One view signed by a key the policy does not trust.
    assertReject("first checkpoint: no signature by a trusted key",
        new SplitViewEvidence(sign(mine, OTHER), sign(theirs, LOG), prefix.proof(), prefix.root()));
    // Views in the wrong order.
    assertReject("must not be larger",
        new SplitViewEvidence(sign(theirs, LOG), sign(mine, LOG), prefix.proof(), prefix.root()));
    // Consistent views presented as a split.
    MerkleTree big = honest(11);
    LargerTreePrefix honestPrefix = LargerTreePrefix.of(big, 5);
    assertReject("extends the smaller one",
        new SplitViewEvidence(sign(mine, LOG), sign(big, LOG), honestPrefix.proof(), honestPrefix.root()));
    // A claimed prefix root that the proof does not lead from.
    assertReject("does not show what the larger tree holds",
        new SplitViewEvidence(sign(mine, LOG), sign(theirs, LOG), prefix.proof(), new Hash(new byte[32])));
    // Equal sizes: equal roots, or a superfluous proof.
    assertReject("the checkpoints agree", new SplitViewEvidence(sign(mine, LOG), sign(mine, LOG), List.of(), mine.root()));
    assertReject("need no consistency proof",
        new SplitViewEvidence(sign(mine, LOG), sign(tree("x", 0, 5, null), LOG), prefix.proof(), mine.root()));
    // Size 0 commits to the empty root only.
    assertReject("empty root", new SplitViewEvidence(sign(honest(0), LOG), sign(big, LOG), List.of(), big.root()));
  }

  @Test
  void malformedEvidenceIsRefusedWithWhatIsWrong() throws Exception {
    MerkleTree mine = honest(5);
    MerkleTree theirs = tree("fork ", 3, 11, mine);
    LargerTreePrefix prefix = LargerTreePrefix.of(theirs, 5);
    byte[] good = new SplitViewEvidence(sign(mine, LOG), sign(theirs, LOG), prefix.proof(), prefix.root()).toBytes();
    String text = new String(good, StandardCharsets.UTF_8);
    assertParseFails("must start with", text.replace(SplitViewEvidence.HEADER, "bkv.dev/split-view@v0"));
    assertParseFails("after its second note", text + "x");
    assertParseFails("runs past the end", text.substring(0, text.length() - 3));
    assertParseFails("'proof ...'", text.replace("proof ", "proofs "));
    assertParseFails("more than 64", text.replaceFirst("proof \\d+", "proof 65"));
  }

  static void assertReject(String reasonPart, SplitViewEvidence evidence) {
    String reason = evidence.verify(POLICY).reasonOrEmpty();
    assertTrue(reason.contains(reasonPart), "expected '" + reasonPart + "', got '" + reason + "'");
  }

  static void assertParseFails(String messagePart, String text) {
    FormatException e = assertThrows(FormatException.class, () -> SplitViewEvidence.parse(text.getBytes(StandardCharsets.UTF_8)));
    assertTrue(e.getMessage().contains(messagePart), e.getMessage());
  }

  @Test
  void whenTheCheckpointsAreOfDifferentLogs_thenNothingIsDecided() throws Exception {
    String elsewhere = "elsewhere.test/bundles";
    Ed25519Note.Signer otherLog = new Ed25519Note.Signer(elsewhere, Ed25519.PrivateKey.generate(RANDOM));
    MerkleTree tree = honest(4);
    VerifiedCheckpoint foreign = CheckpointPolicy.logOnly(elsewhere, otherLog.verifier()).verify(
        SignedNote.sign(new Checkpoint(elsewhere, tree.size(), tree.root()).text(), List.of(otherLog))).value();
    Outcome outcome = CheckpointComparison.compare(verified(tree), foreign, LargerTreePrefix.of(tree, 4));
    assertEquals("checkpoints of different logs: " + ORIGIN + " and " + elsewhere,
        assertInstanceOf(Unresolved.class, outcome).reason());
  }

  @Test
  void whenSizesAreEqual_thenThePrefixPlaysNoPart_andTheEvidenceKeepsTheOrderGiven() throws Exception {
    VerifiedCheckpoint a = verified(honest(4));
    MerkleTree fork = tree("fork ", 2, 4, honest(4));
    LargerTreePrefix unrelated = new LargerTreePrefix(3, new Hash(new byte[32]), List.of());
    assertInstanceOf(Consistent.class, CheckpointComparison.compare(a, verified(honest(4)), unrelated));
    SplitView split = assertInstanceOf(SplitView.class, CheckpointComparison.compare(a, verified(fork), unrelated));
    assertTrue(split.evidence().verify(POLICY).isVerified(), split.evidence().verify(POLICY).reasonOrEmpty());
    assertEquals(a.note().note().text(), split.evidence().smaller().text(), "the first checkpoint given is listed first");
    assertEquals(fork.root(), split.evidence().smallerRootInLarger());
  }

  @Test
  void evidenceOfExactlyTheByteLimitIsRead_andOneByteMoreIsRefusedUnread() {
    FormatException atLimit = assertThrows(FormatException.class,
        () -> SplitViewEvidence.parse(new byte[SplitViewEvidence.EVIDENCE_BYTES_MAX]));
    assertEquals("split-view evidence ends inside a line", atLimit.getMessage());
    FormatException over = assertThrows(FormatException.class,
        () -> SplitViewEvidence.parse(new byte[SplitViewEvidence.EVIDENCE_BYTES_MAX + 1]));
    assertEquals("split-view evidence is longer than " + SplitViewEvidence.EVIDENCE_BYTES_MAX + " bytes", over.getMessage());
  }
}
