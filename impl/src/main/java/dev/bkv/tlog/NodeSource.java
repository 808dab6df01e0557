package dev.bkv.tlog;

import java.io.IOException;

/**
 * Read access to the complete subtrees of a Merkle tree: {@code node(level, index)} is the
 * Merkle Tree Hash of leaves {@code [index * 2^level, (index + 1) * 2^level)}. Only subtrees
 * that lie wholly inside the tree exist. An in-memory {@link MerkleTree} and a
 * {@link TileClient} reading C2SP tiles both provide this, so proofs are built by one piece
 * of code from either.
 */
public interface NodeSource {
  /** The number of leaves available. */
  long size();

  /**
   * The hash of a complete subtree.
   *
   * @throws IOException when the hash has to be fetched and cannot be
   */
  Hash node(int level, long index) throws IOException;

  /**
   * MTH(D[start:end]) per RFC 9162 section 2.1.1 for {@code 0 <= start <= end <= size()}.
   * Ranges that RFC proofs use (start aligned to a power of two at least end - start) cost
   * at most two node reads per level; any other range is still hashed correctly, by the
   * definition.
   */
  default Hash rangeHash(long start, long end) throws IOException {
    if (start < 0 || end < start || end > size()) {
      throw new IllegalArgumentException("range [" + start + ", " + end + ") outside tree of size " + size());
    }
    long n = end - start;
    if (n == 0) {
      return Rfc6962.EMPTY_ROOT;
    }
    if (Long.bitCount(n) == 1 && start % n == 0) {
      return node(Long.numberOfTrailingZeros(n), start / n);
    }
    if (n == 1) {
      return node(0, start);
    }
    long k = Rfc6962.splitPoint(n);
    return Rfc6962.nodeHash(rangeHash(start, start + k), rangeHash(start + k, end));
  }

  /** The root hash of the tree's first {@code treeSize} leaves. */
  default Hash rootHash(long treeSize) throws IOException {
    return rangeHash(0, treeSize);
  }
}
