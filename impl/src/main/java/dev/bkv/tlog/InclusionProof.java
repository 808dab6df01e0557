package dev.bkv.tlog;

import dev.bkv.base.Bytes;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * An RFC 9162 inclusion proof (audit path) for the leaf at {@code leafIndex} in the tree of
 * {@code treeSize} leaves: sibling hashes from the leaf up to the root's child. The record
 * holds whatever was decoded; {@link #verify} decides whether it proves anything.
 */
public record InclusionProof(long leafIndex, long treeSize, List<Hash> hashes) {
  /** A tree of at most 2^63 - 1 leaves has height at most 63, so no valid proof is longer. */
  public static final int HASHES_MAX = 63;

  public InclusionProof {
    hashes = List.copyOf(hashes);
  }

  /**
   * PATH(m, D[n]) of RFC 9162 section 2.1.3.1, built top-down and returned leaf-to-root.
   *
   * @throws IOException when {@code tree} has to fetch hashes and cannot
   */
  public static InclusionProof generate(NodeSource tree, long leafIndex, long treeSize) throws IOException {
    if (leafIndex < 0 || leafIndex >= treeSize || treeSize > tree.size()) {
      throw new IllegalArgumentException(
          "no inclusion proof for leaf " + leafIndex + " in size " + treeSize + " (tree has " + tree.size() + ")");
    }
    List<Hash> path = new ArrayList<>();
    long start = 0;
    long end = treeSize;
    while (end - start > 1) {
      long k = Rfc6962.splitPoint(end - start);
      if (leafIndex < start + k) {
        // PATH(m, D[n]) = PATH(m, D[0:k]) : MTH(D[k:n])
        path.add(tree.rangeHash(start + k, end));
        end = start + k;
      } else {
        // PATH(m, D[n]) = PATH(m - k, D[k:n]) : MTH(D[0:k])
        path.add(tree.rangeHash(start, start + k));
        start = start + k;
      }
    }
    Collections.reverse(path);
    return new InclusionProof(leafIndex, treeSize, path);
  }

  /** The number of hashes PATH(leafIndex, D[treeSize]) has; needs 0 <= leafIndex < treeSize. */
  public static int expectedLength(long leafIndex, long treeSize) {
    int count = 0;
    long start = 0;
    long end = treeSize;
    while (end - start > 1) {
      long k = Rfc6962.splitPoint(end - start);
      if (leafIndex < start + k) {
        end = start + k;
      } else {
        start = start + k;
      }
      count++;
    }
    return count;
  }

  /**
   * Verifies that {@code leafHash} is the leaf at {@code leafIndex} of the tree of
   * {@code treeSize} leaves whose root is {@code root}: RFC 9162 section 2.1.3.2, after
   * checking the index range and the exact proof length. Verified carries the root.
   */
  public Verdict<Hash> verify(Hash leafHash, Hash root) {
    if (treeSize <= 0 || leafIndex < 0 || leafIndex >= treeSize) {
      return Verdict.rejected("leaf index " + leafIndex + " is not below tree size " + treeSize);
    }
    int expected = expectedLength(leafIndex, treeSize);
    if (hashes.size() != expected) {
      return Verdict.rejected(
          "inclusion proof has " + hashes.size() + " hashes, leaf " + leafIndex + " in size " + treeSize
              + " needs " + expected);
    }
    // 2. Set fn to leaf_index and sn to tree_size - 1.  3. Set r to hash.
    long fn = leafIndex;
    long sn = treeSize - 1;
    Hash r = leafHash;
    for (Hash p : hashes) {
      // a. If sn is 0, then stop the iteration and fail the proof verification.
      if (sn == 0) {
        return Verdict.rejected("inclusion proof is longer than the path to the root");
      }
      // b. If LSB(fn) is set, or if fn is equal to sn, then:
      if ((fn & 1) == 1 || fn == sn) {
        // i. Set r to HASH(0x01 || p || r).
        r = Rfc6962.nodeHash(p, r);
        // ii. If LSB(fn) is not set, then right-shift both fn and sn equally until either
        //     LSB(fn) is set or fn is 0.
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      } else {
        // Otherwise: set r to HASH(0x01 || r || p).
        r = Rfc6962.nodeHash(r, p);
      }
      // c. Finally, right-shift both fn and sn one time.
      fn >>= 1;
      sn >>= 1;
    }
    // 5. Compare sn to 0. Compare r against the root_hash.
    if (sn != 0) {
      return Verdict.rejected("inclusion proof is shorter than the path to the root");
    }
    if (!Bytes.constantTimeEquals(r.raw(), root.raw())) {
      return Verdict.rejected("inclusion proof does not lead to the root hash");
    }
    return Verdict.verified(root);
  }
}
