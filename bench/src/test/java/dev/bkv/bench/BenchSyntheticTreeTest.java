package dev.bkv.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.tlog.ConsistencyProof;
import dev.bkv.tlog.Hash;
import dev.bkv.tlog.InclusionProof;
import dev.bkv.tlog.Rfc6962;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * The synthetic tree the proof benchmarks read: proofs for its tracked leaves verify against
 * its roots at every size and position, proofs for leaves far from them do not (it is honest
 * only on the tracked paths), and the node-hash counts the report compares with OpenSSL
 * agree with a step-by-step replay of RFC 9162's verification loops.
 */
class BenchSyntheticTreeTest {
  private static final int LOG2_SIZE_SMALL_MAX = 7;

  @Test
  void whenTrackedLeavesAreProved_thenInclusionAndConsistencyVerifyAtEverySmallSize() throws IOException {
    for (int log2Size = 1; log2Size <= LOG2_SIZE_SMALL_MAX; log2Size++) {
      long size = 1L << log2Size;
      for (long oldSize = 1; oldSize < size; oldSize++) {
        long leaf = (oldSize * 7) % size;
        SyntheticTree tree = new SyntheticTree(log2Size, leaf, oldSize - 1, size - 1);
        Hash root = tree.rootHash(size);
        Hash oldRoot = tree.rootHash(oldSize);
        InclusionProof inclusion = InclusionProof.generate(tree, leaf, size);
        ConsistencyProof consistency = ConsistencyProof.generate(tree, oldSize, size);
        String at = "2^" + log2Size + ", leaf " + leaf + ", old size " + oldSize;
        assertTrue(inclusion.verify(tree.node(0, leaf), root).isVerified(), at);
        assertTrue(consistency.verify(oldRoot, root).isVerified(), at);
        assertFalse(TlogBench.withFlippedByte(inclusion).verify(tree.node(0, leaf), root).isVerified(), at);
        assertFalse(TlogBench.withFlippedByte(consistency).verify(oldRoot, root).isVerified(), at);
      }
    }
  }

  @Test
  void whenTheBenchmarkSizesAreUsed_thenProofsHaveFullLengthAndVerify() throws IOException {
    for (int log2Size : new int[] {10, 20, 30, SyntheticTree.LOG2_SIZE_MAX}) {
      long size = 1L << log2Size;
      long oldSize = TlogBench.consistencyOldSize(log2Size);
      SyntheticTree tree = new SyntheticTree(log2Size, TlogBench.inclusionLeaf(log2Size), oldSize - 1);
      InclusionProof inclusion = InclusionProof.generate(tree, TlogBench.inclusionLeaf(log2Size), size);
      ConsistencyProof consistency = ConsistencyProof.generate(tree, oldSize, size);
      assertEquals(log2Size, inclusion.hashes().size());
      assertEquals(log2Size + 1, consistency.hashes().size());
      assertTrue(inclusion.verify(tree.node(0, TlogBench.inclusionLeaf(log2Size)), tree.rootHash(size)).isVerified());
      assertTrue(consistency.verify(tree.rootHash(oldSize), tree.rootHash(size)).isVerified());
    }
  }

  @Test
  void whenALeafIsFarFromEveryTrackedPath_thenItsProofDoesNotVerify() throws IOException {
    // Leaf 0's parent holds no tracked leaf, so it is an opaque value, not the hash of leaves 0 and 1.
    SyntheticTree tree = new SyntheticTree(10, 1023);
    InclusionProof proof = InclusionProof.generate(tree, 0, 1024);
    assertFalse(proof.verify(tree.node(0, 0), tree.rootHash(1024)).isVerified());
  }

  @Test
  void whenANodeHoldsATrackedLeaf_thenItIsTheHashOfItsChildren() {
    SyntheticTree tree = new SyntheticTree(4, 5); // leaf 5: level 1 index 2, level 2 index 1, level 3 index 0
    assertEquals(Rfc6962.nodeHash(tree.node(0, 4), tree.node(0, 5)), tree.node(1, 2));
    assertEquals(Rfc6962.nodeHash(tree.node(1, 2), tree.node(1, 3)), tree.node(2, 1));
    assertEquals(Rfc6962.nodeHash(tree.node(3, 0), tree.node(3, 1)), tree.node(4, 0));
    assertNotEquals(Rfc6962.nodeHash(tree.node(1, 0), tree.node(1, 1)), tree.node(2, 0),
        "a subtree without tracked leaves is opaque");
  }

  @Test
  void whenSizesOrLeavesAreOutOfRange_thenTheTreeRefuses() {
    assertThrows(IllegalArgumentException.class, () -> new SyntheticTree(SyntheticTree.LOG2_SIZE_MAX + 1));
    assertThrows(IllegalArgumentException.class, () -> new SyntheticTree(-1));
    assertThrows(IllegalArgumentException.class, () -> new SyntheticTree(4, 16));
    assertThrows(IllegalArgumentException.class, () -> new SyntheticTree(4, 0, 1, 2, 3));
    SyntheticTree tree = new SyntheticTree(4, 0);
    assertThrows(IllegalArgumentException.class, () -> tree.node(5, 0));
    assertThrows(IllegalArgumentException.class, () -> tree.node(0, 16));
    assertThrows(IllegalArgumentException.class, () -> tree.node(2, -1));
  }

  @Test
  void whenNodeHashesAreCounted_thenTheClosedFormsMatchAReplayOfTheRfcLoops() {
    for (long newSize = 2; newSize <= 130; newSize++) {
      for (long oldSize = 1; oldSize < newSize; oldSize++) {
        assertEquals(replayConsistencyNodeHashes(oldSize, newSize), TlogBench.consistencyNodeHashes(oldSize, newSize),
            oldSize + " to " + newSize);
      }
    }
    for (int log2Size : new int[] {10, 20, 30}) {
      assertEquals(log2Size, TlogBench.inclusionNodeHashes(log2Size));
      assertEquals(replayConsistencyNodeHashes(TlogBench.consistencyOldSize(log2Size), 1L << log2Size),
          TlogBench.consistencyNodeHashes(log2Size));
      assertEquals(2 * log2Size - 2, TlogBench.consistencyNodeHashes(log2Size));
    }
  }

  /** RFC 9162 section 2.1.4.2 steps 2 to 6, counting HASH() calls instead of making them. */
  private static int replayConsistencyNodeHashes(long first, long second) {
    int path = ConsistencyProof.expectedLength(first, second) + (Long.bitCount(first) == 1 ? 1 : 0);
    long fn = first - 1;
    long sn = second - 1;
    while ((fn & 1) == 1) {
      fn >>= 1;
      sn >>= 1;
    }
    int hashes = 0;
    for (int c = 1; c < path; c++) {
      if ((fn & 1) == 1 || fn == sn) {
        hashes += 2;
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      } else {
        hashes += 1;
      }
      fn >>= 1;
      sn >>= 1;
    }
    return hashes;
  }
}
