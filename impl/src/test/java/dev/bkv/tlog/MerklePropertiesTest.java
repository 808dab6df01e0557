package dev.bkv.tlog;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Generated trees of 1 to 3000 leaves, compared with {@link ReferenceMerkle} (RFC 9162's
 * recursive definitions): roots, inclusion paths and consistency proofs are identical, the
 * verifiers accept them, and a proof with one flipped bit, the wrong leaf, or the wrong
 * index is always rejected.
 */
class MerklePropertiesTest {
  private static final int SIZE_MAX = 3000;
  private static final int EXAMPLES = 60;

  @Test
  void whenTreesAreGenerated_thenRootsMatchTheReference() {
    qt().withExamples(EXAMPLES)
        .forAll(integers().between(0, SIZE_MAX), integers().all())
        .checkAssert((n, seed) -> {
          List<byte[]> entries = TestLogs.entries(n, seed);
          MerkleTree tree = TestLogs.tree(entries);
          assertArrayEquals(ReferenceMerkle.mth(entries), tree.root().toBytes());
          int earlier = n == 0 ? 0 : Math.floorMod(seed, n);
          assertArrayEquals(ReferenceMerkle.mth(entries.subList(0, earlier)), tree.rootHash(earlier).toBytes());
        });
  }

  @Test
  void whenInclusionProofsAreGenerated_thenTheyMatchTheReferenceAndOnlyTheRightLeafVerifies() {
    qt().withExamples(EXAMPLES)
        .forAll(integers().between(1, SIZE_MAX), integers().allPositive(), integers().all())
        .checkAssert((n, pick, seed) -> {
          List<byte[]> entries = TestLogs.entries(n, seed);
          MerkleTree tree = TestLogs.tree(entries);
          int m = pick % n;
          InclusionProof proof = generate(() -> InclusionProof.generate(tree, m, n));
          assertEquals(hex(ReferenceMerkle.path(m, entries)), hex(proof.hashes()));
          Hash root = tree.root();
          Hash leaf = Rfc6962.leafHash(entries.get(m));
          assertTrue(proof.verify(leaf, root).isVerified());
          assertFalse(proof.verify(Rfc6962.leafHash(new byte[] {1, 2, 3}), root).isVerified(), "wrong leaf");
          if (n > 1) {
            long other = (m + 1 + Math.floorMod(seed, n - 1)) % n;
            assertFalse(new InclusionProof(other, n, proof.hashes()).verify(leaf, root).isVerified(), "wrong index");
            assertFalse(new InclusionProof(m, n, flipBit(proof.hashes(), seed)).verify(leaf, root).isVerified(), "bit");
            assertFalse(new InclusionProof(m, n, dropLast(proof.hashes())).verify(leaf, root).isVerified(), "short");
          }
        });
  }

  @Test
  void whenConsistencyProofsAreGenerated_thenTheyMatchTheReferenceAndTamperingIsRejected() {
    qt().withExamples(EXAMPLES)
        .forAll(integers().between(1, SIZE_MAX), integers().allPositive(), integers().all())
        .checkAssert((n, pick, seed) -> {
          List<byte[]> entries = TestLogs.entries(n, seed);
          MerkleTree tree = TestLogs.tree(entries);
          int m = 1 + pick % n;
          ConsistencyProof proof = generate(() -> ConsistencyProof.generate(tree, m, n));
          assertEquals(hex(ReferenceMerkle.proof(m, entries)), hex(proof.hashes()));
          Hash oldRoot = tree.rootHash(m);
          Hash newRoot = tree.root();
          assertTrue(proof.verify(oldRoot, newRoot).isVerified());
          if (m < n) {
            assertFalse(proof.verify(newRoot, oldRoot).isVerified(), "swapped roots");
            assertFalse(new ConsistencyProof(m, n, flipBit(proof.hashes(), seed)).verify(oldRoot, newRoot).isVerified());
            assertFalse(new ConsistencyProof(m, n, dropLast(proof.hashes())).verify(oldRoot, newRoot).isVerified());
            assertFalse(proof.verify(tree.rootHash(m - 1), newRoot).isVerified(), "wrong old root");
          }
        });
  }

  @Test
  void whenProofsAreRebuiltFromTiles_thenTheyEqualTheInMemoryOnes() {
    qt().withExamples(EXAMPLES / 2)
        .forAll(integers().between(1, SIZE_MAX), integers().allPositive(), integers().all())
        .checkAssert((n, pick, seed) -> {
          TestLogs.TileServer server = new TestLogs.TileServer(TestLogs.entries(n, seed));
          server.servePartials = seed % 2 == 0;
          Checkpoint checkpoint = new Checkpoint("example.com/log", n, server.tree.root());
          TileClient client = new TileClient(server, checkpoint);
          int m = pick % n;
          Hash leaf = Rfc6962.leafHash(server.entries.get(m));
          InclusionProof fromTiles = generate(() -> client.inclusionProof(m, leaf).value());
          assertEquals(generate(() -> InclusionProof.generate(server.tree, m, n)), fromTiles);
          assertTrue(generate(client::checkRoot).isVerified());
          Checkpoint older = new Checkpoint("example.com/log", m + 1, server.tree.rootHash(m + 1));
          assertEquals(
              generate(() -> ConsistencyProof.generate(server.tree, m + 1, n)),
              generate(() -> client.consistencyProof(older).value()));
        });
  }

  interface Io<T> {
    T get() throws IOException;
  }

  static <T> T generate(Io<T> body) {
    try {
      return body.get();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static List<Hash> flipBit(List<Hash> hashes, int seed) {
    if (hashes.isEmpty()) {
      return hashes;
    }
    List<Hash> out = new ArrayList<>(hashes);
    int which = Math.floorMod(seed, hashes.size());
    byte[] bytes = out.get(which).toBytes();
    bytes[Math.floorMod(seed >> 8, Hash.BYTES)] ^= (byte) (1 << Math.floorMod(seed >> 16, 8));
    out.set(which, new Hash(bytes));
    return out;
  }

  private static List<Hash> dropLast(List<Hash> hashes) {
    return hashes.isEmpty() ? hashes : hashes.subList(0, hashes.size() - 1);
  }

  private static List<String> hex(List<?> hashes) {
    List<String> out = new ArrayList<>();
    for (Object h : hashes) {
      out.add(h instanceof Hash hash ? hash.toHex() : dev.bkv.base.Hex.encode((byte[]) h));
    }
    return out;
  }
}
