package dev.bkv.tlog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.base.Check;
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
  void aTreeRefusesTheLeafPastItsLimit() {
    MerkleTree three = new MerkleTree(3);
    for (int i = 0; i < 3; i++) {
      three.appendEntry(new byte[] {(byte) i});
    }
    Check.InvariantViolation full = assertThrows(Check.InvariantViolation.class, () -> three.appendEntry(new byte[] {3}));
    assertEquals("Merkle tree holds at most 3 leaves", full.getMessage());
    assertEquals(3, three.size());
    assertEquals(TestLogs.tree(List.of(new byte[] {0}, new byte[] {1}, new byte[] {2})).root(), three.root());
    new MerkleTree(1).appendEntry(new byte[0]);
    assertEquals(0, new MerkleTree(MerkleTree.LEAVES_MAX).size());
    assertThrows(Check.InvariantViolation.class, () -> new MerkleTree(0));
    assertThrows(Check.InvariantViolation.class, () -> new MerkleTree(MerkleTree.LEAVES_MAX + 1));
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
    assertEquals("no inclusion proof for leaf 5 in size 5 (tree has 5)", refusal(() -> InclusionProof.generate(FIVE, 5, 5)));
    assertEquals("no inclusion proof for leaf -1 in size 5 (tree has 5)", refusal(() -> InclusionProof.generate(FIVE, -1, 5)));
    assertEquals("no inclusion proof for leaf 0 in size 6 (tree has 5)", refusal(() -> InclusionProof.generate(FIVE, 0, 6)));
    assertEquals("no inclusion proof for leaf 0 in size 0 (tree has 5)", refusal(() -> InclusionProof.generate(FIVE, 0, 0)));
  }

  @Test
  void consistencyProofsExistFromANonEmptyOlderSize() throws IOException {
    assertTrue(ConsistencyProof.generate(FIVE, 1, 5).verify(FIVE.rootHash(1), FIVE.root()).isVerified());
    assertEquals(List.of(), ConsistencyProof.generate(FIVE, 5, 5).hashes());
    assertEquals("no consistency proof from 0 to 5 (tree has 5)", refusal(() -> ConsistencyProof.generate(FIVE, 0, 5)));
    assertEquals("no consistency proof from 4 to 3 (tree has 5)", refusal(() -> ConsistencyProof.generate(FIVE, 4, 3)));
    assertEquals("no consistency proof from 1 to 6 (tree has 5)", refusal(() -> ConsistencyProof.generate(FIVE, 1, 6)));
  }

  static String refusal(org.junit.jupiter.api.function.Executable build) {
    return assertThrows(IllegalArgumentException.class, build).getMessage();
  }

  @Test
  void aProofOfTheWrongLengthIsRefusedByItsLengthBeforeAnyHashing() throws IOException {
    Hash leaf = Rfc6962.leafHash(TestLogs.entries(5, 1).get(4));
    assertEquals("inclusion proof has 0 hashes, leaf 4 in size 5 needs 1",
        new InclusionProof(4, 5, List.of()).verify(leaf, FIVE.root()).reasonOrEmpty());
    List<Hash> proof = ConsistencyProof.generate(FIVE, 3, 5).hashes();
    List<Hash> longer = new java.util.ArrayList<>(proof);
    longer.add(FIVE.root());
    assertEquals("consistency proof has " + longer.size() + " hashes, 3 to 5 needs " + proof.size(),
        new ConsistencyProof(3, 5, longer).verify(FIVE.rootHash(3), FIVE.root()).reasonOrEmpty());
    assertEquals("consistency proof has 1 hashes, 3 to 5 needs " + proof.size(),
        new ConsistencyProof(3, 5, proof.subList(0, 1)).verify(FIVE.rootHash(3), FIVE.root()).reasonOrEmpty());
  }

  @Test
  void aLeafIndexOutsideTheTreeIsNamed() {
    Hash root = FIVE.root();
    for (long[] bad : new long[][] {{5, 5}, {6, 5}, {-1, 5}, {0, 0}, {0, -1}}) {
      assertEquals("leaf index " + bad[0] + " is not below tree size " + bad[1],
          new InclusionProof(bad[0], bad[1], List.of()).verify(root, root).reasonOrEmpty());
    }
  }

  /** Every inclusion and consistency proof of every tree up to 64 leaves, against the reference. */
  @Test
  void everyProofOfEveryTreeUpTo64LeavesMatchesTheReferenceAndVerifies() throws IOException {
    List<byte[]> entries = TestLogs.entries(64, 2);
    MerkleTree tree = TestLogs.tree(entries);
    for (int n = 1; n <= 64; n++) {
      List<byte[]> prefix = entries.subList(0, n);
      Hash root = tree.rootHash(n);
      for (int m = 0; m < n; m++) {
        InclusionProof inclusion = InclusionProof.generate(tree, m, n);
        assertEquals(ReferenceMerkle.path(m, prefix).size(), inclusion.hashes().size());
        assertTrue(inclusion.verify(Rfc6962.leafHash(entries.get(m)), root).isVerified(), m + " in " + n);
      }
      for (int m = 1; m <= n; m++) {
        ConsistencyProof consistency = ConsistencyProof.generate(tree, m, n);
        assertEquals(ReferenceMerkle.proof(m, prefix).size(), consistency.hashes().size());
        assertTrue(consistency.verify(tree.rootHash(m), root).isVerified(), m + " to " + n);
      }
    }
  }

  @Test
  void rangesOutsideTheTreeAreNamedAndAnAlignedRangeIsOneNodeRead() throws IOException {
    assertEquals("range [-1, 2) outside tree of size 5", refusal(() -> FIVE.rangeHash(-1, 2)));
    assertEquals("range [3, 2) outside tree of size 5", refusal(() -> FIVE.rangeHash(3, 2)));
    assertEquals("range [0, 6) outside tree of size 5", refusal(() -> FIVE.rangeHash(0, 6)));
    MerkleTree eight = TestLogs.tree(TestLogs.entries(8, 1));
    List<String> reads = new java.util.ArrayList<>();
    NodeSource counting = new NodeSource() {
      @Override
      public long size() {
        return eight.size();
      }

      @Override
      public Hash node(int level, long index) throws IOException {
        reads.add(level + "/" + index);
        return eight.node(level, index);
      }
    };
    assertEquals(eight.node(2, 1), counting.rangeHash(4, 8));
    assertEquals(List.of("2/1"), reads, "the complete subtree [4, 8) is one node");
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
