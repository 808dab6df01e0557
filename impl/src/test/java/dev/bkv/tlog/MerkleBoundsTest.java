package dev.bkv.tlog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The in-memory tree's and the proof generators' ranges, each at its bound and one past it. */
class MerkleBoundsTest {
  static final MerkleTree FIVE = TestLogs.tree(TestLogs.entries(5, 1));

  @Test
  void appendsReturnTheIndexOfTheNewLeaf() {
    MerkleTree tree = new MerkleTree();
    assertEquals(0, tree.appendEntry(new byte[] {1}));
    assertEquals(1, tree.append(Rfc6962.leafHash(new byte[] {2})));
    assertEquals(2, tree.appendEntry(new byte[] {3}));
    assertEquals(3, tree.size());
  }

  @Test
  void nodesExistOnlyForCompleteSubtrees() {
    assertEquals(Rfc6962.leafHash(TestLogs.entries(5, 1).get(4)), FIVE.node(0, 4));
    assertThrows(IllegalArgumentException.class, () -> FIVE.node(0, 5));
    assertThrows(IllegalArgumentException.class, () -> FIVE.node(0, -1));
    assertEquals(FIVE.rootHash(4), FIVE.node(2, 0));
    assertThrows(IllegalArgumentException.class, () -> FIVE.node(2, 1));
    assertThrows(IllegalArgumentException.class, () -> FIVE.node(-1, 0));
    assertThrows(IllegalArgumentException.class, () -> FIVE.node(64, 0));
    assertThrows(IllegalArgumentException.class, () -> FIVE.node(3, 0));
  }

  @Test
  void inclusionProofsExistForEachLeafBelowTheSize() throws IOException {
    assertEquals(List.of(FIVE.node(2, 0)), InclusionProof.generate(FIVE, 4, 5).hashes());
    assertEquals(0, InclusionProof.generate(FIVE, 0, 1).hashes().size());
    assertThrows(IllegalArgumentException.class, () -> InclusionProof.generate(FIVE, 5, 5));
    assertThrows(IllegalArgumentException.class, () -> InclusionProof.generate(FIVE, -1, 5));
    assertThrows(IllegalArgumentException.class, () -> InclusionProof.generate(FIVE, 0, 6));
    assertThrows(IllegalArgumentException.class, () -> InclusionProof.generate(FIVE, 0, 0));
  }

  @Test
  void consistencyProofsExistFromANonEmptyOlderSize() throws IOException {
    assertTrue(ConsistencyProof.generate(FIVE, 1, 5).verify(FIVE.rootHash(1), FIVE.root()).isVerified());
    assertEquals(List.of(), ConsistencyProof.generate(FIVE, 5, 5).hashes());
    assertThrows(IllegalArgumentException.class, () -> ConsistencyProof.generate(FIVE, 0, 5));
    assertThrows(IllegalArgumentException.class, () -> ConsistencyProof.generate(FIVE, 4, 3));
    assertThrows(IllegalArgumentException.class, () -> ConsistencyProof.generate(FIVE, 1, 6));
  }

  @Test
  void aNegativeNewSizeIsNamedAsSuch() {
    Hash root = FIVE.root();
    assertEquals("tree sizes must not be negative: 0, -1", new ConsistencyProof(0, -1, List.of()).verify(root, root).reasonOrEmpty());
    assertEquals("a tree of size 0 has the empty-tree root hash",
        new ConsistencyProof(0, 0, List.of()).verify(root, root).reasonOrEmpty());
    assertEquals("a tree of size 0 has the empty-tree root hash",
        new ConsistencyProof(0, 0, List.of()).verify(Rfc6962.EMPTY_ROOT, root).reasonOrEmpty());
  }

  @Test
  void theSplitPointIsTheLargestPowerOfTwoBelowN() {
    assertEquals(1, Rfc6962.splitPoint(2));
    assertEquals(4, Rfc6962.splitPoint(5));
    assertEquals(4, Rfc6962.splitPoint(8));
    assertThrows(IllegalArgumentException.class, () -> Rfc6962.splitPoint(1));
  }
}
