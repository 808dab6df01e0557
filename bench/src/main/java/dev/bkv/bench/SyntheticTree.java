package dev.bkv.bench;

import dev.bkv.crypto.Sha256;
import dev.bkv.tlog.Hash;
import dev.bkv.tlog.NodeSource;
import dev.bkv.tlog.Rfc6962;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A Merkle tree of up to 2^62 leaves that is never built: a {@link NodeSource} that makes up
 * the hashes a proof reads, so proofs at 2^20 and 2^30 leaves can be measured without 64 GiB
 * of hashes.
 *
 * <p>A tile-based log client sees a tree the same way: only as the hashes of complete
 * subtrees, which it cannot check except by recomputing a root. Proof generation and
 * {@link NodeSource#rangeHash} only read such hashes. Making every node an independent
 * pseudo-random value is not enough, though: the root of a tree of 2^L leaves is itself the
 * complete subtree {@code node(L, 0)}, and a proof recomputes it from its children. So:
 *
 * <ul>
 *   <li>a node whose subtree holds one of the <em>tracked</em> leaves (the leaf an inclusion
 *       proof is for, the last leaf of the old tree and of the new tree of a consistency
 *       proof) is the RFC 6962 hash of its two children, computed on demand;
 *   <li>every other node, and every leaf, is {@code SHA-256(label || level || index)}: a
 *       fixed value, as if the leaves below it hashed to it.
 * </ul>
 *
 * Every root and proof step of the tracked leaves is then an honest hash of its children, so
 * proofs and roots from this source verify against each other, exactly as in a real tree;
 * the subtrees hanging off those paths are opaque, as they are to any verifier. A computed
 * node costs one hash per level per tracked leaf below it, so a root of 2^30 leaves costs a
 * few hundred hashes.
 */
final class SyntheticTree implements NodeSource {
  /** Largest tree: level arithmetic stays in a long with room to spare. */
  static final int LOG2_SIZE_MAX = 62;
  /** Tracked leaves: a proof involves at most three paths. */
  static final int TRACKED_LEAVES_MAX = 3;

  private static final byte[] LABEL = "BKV bench synthetic Merkle node".getBytes(StandardCharsets.US_ASCII);

  private final long size;
  private final long[] tracked;

  /**
   * @param log2Size the tree has {@code 2^log2Size} leaves
   * @param trackedLeaves leaf indices whose paths to the root must be honest hashes
   */
  SyntheticTree(int log2Size, long... trackedLeaves) {
    if (log2Size < 0 || log2Size > LOG2_SIZE_MAX) {
      throw new IllegalArgumentException("log2 size must be in [0, " + LOG2_SIZE_MAX + "], got " + log2Size);
    }
    if (trackedLeaves.length > TRACKED_LEAVES_MAX) {
      throw new IllegalArgumentException("at most " + TRACKED_LEAVES_MAX + " tracked leaves, got " + trackedLeaves.length);
    }
    this.size = 1L << log2Size;
    for (long leaf : trackedLeaves) {
      if (leaf < 0 || leaf >= size) {
        throw new IllegalArgumentException("tracked leaf " + leaf + " is outside a tree of " + size + " leaves");
      }
    }
    this.tracked = trackedLeaves.clone();
  }

  @Override
  public long size() {
    return size;
  }

  @Override
  public Hash node(int level, long index) {
    if (level < 0 || level > Long.numberOfTrailingZeros(size) || index < 0 || index >= (size >> level)) {
      throw new IllegalArgumentException(
          "no complete subtree at level " + level + " index " + index + " in a tree of size " + size);
    }
    if (level > 0 && holdsTrackedLeaf(level, index)) {
      return Rfc6962.nodeHash(node(level - 1, 2 * index), node(level - 1, 2 * index + 1));
    }
    return opaque(level, index);
  }

  private boolean holdsTrackedLeaf(int level, long index) {
    return Arrays.stream(tracked).anyMatch(leaf -> (leaf >> level) == index);
  }

  private static Hash opaque(int level, long index) {
    byte[] position = ByteBuffer.allocate(Integer.BYTES + Long.BYTES).putInt(level).putLong(index).array();
    return new Hash(Sha256.hash(LABEL, position));
  }
}
