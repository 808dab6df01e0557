package dev.bkv.tlog;

import dev.bkv.base.Check;
import java.util.Arrays;

/**
 * An append-only RFC 9162 Merkle tree held in memory. It keeps the hash of every complete
 * subtree, level by level (level {@code k} holds {@code size >> k} hashes), so a root or
 * proof for any size up to the current one costs O(log n) hash reads: about 64 bytes of
 * memory per leaf.
 */
public final class MerkleTree implements NodeSource {
  /** Leaves one tree may hold: 2^24 leaves is about 1 GiB of hashes. */
  public static final long LEAVES_MAX = 1L << 24;

  private static final int LEVELS_MAX = 64;
  private static final int INITIAL_HASHES = 16;

  /** levels[k] packs the hashes of the complete subtrees of height k, 32 bytes each. */
  private final byte[][] levels = new byte[LEVELS_MAX][];
  private final long leavesMax;
  private long size;

  public MerkleTree() {
    this(LEAVES_MAX);
  }

  /**
   * A tree that holds at most {@code leavesMax} leaves. Package-private: a tree of
   * LEAVES_MAX leaves takes a gigabyte, so the limit's check is tested on a small one.
   */
  MerkleTree(long leavesMax) {
    Check.that(leavesMax >= 1 && leavesMax <= LEAVES_MAX, "a tree's leaf limit is 1..LEAVES_MAX");
    this.leavesMax = leavesMax;
    levels[0] = new byte[INITIAL_HASHES * Hash.BYTES];
  }

  @Override
  public synchronized long size() {
    return size;
  }

  /** Appends one leaf hash (see {@link Rfc6962#leafHash}) and returns its index. */
  public synchronized long append(Hash leafHash) {
    if (size >= leavesMax) {
      throw new Check.InvariantViolation("Merkle tree holds at most " + leavesMax + " leaves");
    }
    long index = size;
    store(0, index, leafHash);
    // Each new leaf completes one subtree per trailing one bit of its index.
    Hash carry = leafHash;
    for (int level = 0; ((index >> level) & 1) == 1; level++) {
      Hash left = read(level, (index >> level) - 1);
      carry = Rfc6962.nodeHash(left, carry);
      store(level + 1, index >> (level + 1), carry);
    }
    size = index + 1;
    return index;
  }

  /** Appends the leaf hash of {@code entry} and returns its index. */
  public long appendEntry(byte[] entry) {
    return append(Rfc6962.leafHash(entry));
  }

  @Override
  public synchronized Hash node(int level, long index) {
    if (level < 0 || level >= LEVELS_MAX || index < 0 || index >= (size >> level)) {
      throw new IllegalArgumentException(
          "no complete subtree at level " + level + " index " + index + " in a tree of size " + size);
    }
    return read(level, index);
  }

  /** The current root hash. */
  public synchronized Hash root() {
    return rangeHash(0, size);
  }

  @Override
  public synchronized Hash rangeHash(long start, long end) {
    try {
      return NodeSource.super.rangeHash(start, end);
    } catch (java.io.IOException e) {
      throw new AssertionError("an in-memory tree never does I/O", e);
    }
  }

  @Override
  public Hash rootHash(long treeSize) {
    return rangeHash(0, treeSize);
  }

  private Hash read(int level, long index) {
    int offset = Math.toIntExact(index * Hash.BYTES);
    return new Hash(Arrays.copyOfRange(levels[level], offset, offset + Hash.BYTES));
  }

  private void store(int level, long index, Hash hash) {
    int offset = Math.toIntExact(index * Hash.BYTES);
    byte[] packed = levels[level];
    if (packed == null) {
      packed = new byte[INITIAL_HASHES * Hash.BYTES];
    }
    if (offset + Hash.BYTES > packed.length) {
      packed = Arrays.copyOf(packed, Math.max(packed.length * 2, offset + Hash.BYTES));
    }
    System.arraycopy(hash.raw(), 0, packed, offset, Hash.BYTES);
    levels[level] = packed;
  }
}
