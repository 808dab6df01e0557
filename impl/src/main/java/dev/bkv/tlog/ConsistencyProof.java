package dev.bkv.tlog;

import dev.bkv.base.Bytes;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * An RFC 9162 consistency proof that the tree of {@code newSize} leaves extends the tree of
 * {@code oldSize} leaves. Edge cases, decided here once for every caller:
 *
 * <ul>
 *   <li>{@code oldSize > newSize}: rejected.
 *   <li>{@code oldSize == newSize}: the proof must be empty and the roots equal (for size 0,
 *       both must be the empty-tree hash).
 *   <li>{@code 0 == oldSize < newSize}: rejected; every tree extends the empty tree, so such a
 *       "proof" proves nothing, and RFC 9162 defines none. Protocols that start from nothing
 *       (the tlog-witness {@code old 0} request) handle that case themselves.
 * </ul>
 */
public record ConsistencyProof(long oldSize, long newSize, List<Hash> hashes) {
  /** No consistency proof between trees of at most 2^63 - 1 leaves is longer. */
  public static final int HASHES_MAX = 64;

  public ConsistencyProof {
    hashes = List.copyOf(hashes);
  }

  /**
   * PROOF(m, D[n]) = SUBPROOF(m, D[n], true) of RFC 9162 section 2.1.4.1, built top-down and
   * returned in RFC order; empty when the sizes are equal.
   *
   * @throws IOException when {@code tree} has to fetch hashes and cannot
   */
  public static ConsistencyProof generate(NodeSource tree, long oldSize, long newSize) throws IOException {
    if (oldSize <= 0 || oldSize > newSize || newSize > tree.size()) {
      throw new IllegalArgumentException(
          "no consistency proof from " + oldSize + " to " + newSize + " (tree has " + tree.size() + ")");
    }
    List<Hash> proof = new ArrayList<>();
    long start = 0;
    long end = newSize;
    long m = oldSize;
    boolean b = true;
    while (true) {
      long n = end - start;
      if (m == n) {
        // SUBPROOF(m, D[m], true) = {};  SUBPROOF(m, D[m], false) = {MTH(D[m])}
        if (!b) {
          proof.add(tree.rangeHash(start, end));
        }
        break;
      }
      long k = Rfc6962.splitPoint(n);
      if (m <= k) {
        // SUBPROOF(m, D[n], b) = SUBPROOF(m, D[0:k], b) : MTH(D[k:n])
        proof.add(tree.rangeHash(start + k, end));
        end = start + k;
      } else {
        // SUBPROOF(m, D[n], b) = SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k])
        proof.add(tree.rangeHash(start, start + k));
        start = start + k;
        m = m - k;
        b = false;
      }
    }
    Collections.reverse(proof);
    return new ConsistencyProof(oldSize, newSize, proof);
  }

  /** The number of hashes PROOF(oldSize, D[newSize]) has; needs 0 < oldSize <= newSize. */
  public static int expectedLength(long oldSize, long newSize) {
    int count = 0;
    long start = 0;
    long end = newSize;
    long m = oldSize;
    boolean b = true;
    while (m != end - start) {
      long k = Rfc6962.splitPoint(end - start);
      if (m <= k) {
        end = start + k;
      } else {
        start = start + k;
        m = m - k;
        b = false;
      }
      count++;
    }
    return b ? count : count + 1;
  }

  /**
   * Verifies that the tree with root {@code newRoot} extends the one with root
   * {@code oldRoot}: RFC 9162 section 2.1.4.2 after the size and length checks above.
   * Verified carries the new root.
   */
  public Verdict<Hash> verify(Hash oldRoot, Hash newRoot) {
    if (oldSize < 0 || newSize < 0) {
      return Verdict.rejected("tree sizes must not be negative: " + oldSize + ", " + newSize);
    }
    if (oldSize > newSize) {
      return Verdict.rejected("old size " + oldSize + " is larger than new size " + newSize);
    }
    if (oldSize == newSize) {
      return verifyEqualSizes(oldRoot, newRoot);
    }
    if (oldSize == 0) {
      return Verdict.rejected("no consistency proof exists from the empty tree (old size 0)");
    }
    int expected = expectedLength(oldSize, newSize);
    if (hashes.size() != expected) {
      return Verdict.rejected(
          "consistency proof has " + hashes.size() + " hashes, " + oldSize + " to " + newSize + " needs " + expected);
    }
    return verifyPath(oldRoot, newRoot);
  }

  private Verdict<Hash> verifyEqualSizes(Hash oldRoot, Hash newRoot) {
    if (!hashes.isEmpty()) {
      return Verdict.rejected("equal sizes " + oldSize + " need an empty proof, got " + hashes.size() + " hashes");
    }
    if (oldSize == 0 && !(oldRoot.equals(Rfc6962.EMPTY_ROOT) && newRoot.equals(Rfc6962.EMPTY_ROOT))) {
      return Verdict.rejected("a tree of size 0 has the empty-tree root hash");
    }
    if (!Bytes.constantTimeEquals(oldRoot.raw(), newRoot.raw())) {
      return Verdict.rejected("equal sizes " + oldSize + " but different root hashes");
    }
    return Verdict.verified(newRoot);
  }

  // RFC 9162 section 2.1.4.2, steps 2 to 7, for 0 < first < second.
  private Verdict<Hash> verifyPath(Hash oldRoot, Hash newRoot) {
    List<Hash> path = new ArrayList<>(hashes.size() + 1);
    // 2. If first is an exact power of 2, then prepend first_hash to the consistency_path.
    if (Long.bitCount(oldSize) == 1) {
      path.add(oldRoot);
    }
    path.addAll(hashes);
    // 3. Set fn to first - 1 and sn to second - 1.
    long fn = oldSize - 1;
    long sn = newSize - 1;
    // 4. If LSB(fn) is set, then right-shift both fn and sn equally until LSB(fn) is not set.
    while ((fn & 1) == 1) {
      fn >>= 1;
      sn >>= 1;
    }
    // 5. Set both fr and sr to the first value in the consistency_path array.
    Hash fr = path.get(0);
    Hash sr = path.get(0);
    // 6. For each subsequent value c in the consistency_path array:
    for (Hash c : path.subList(1, path.size())) {
      // a. If sn is 0, then stop the iteration and fail the proof verification.
      if (sn == 0) {
        return Verdict.rejected("consistency proof is longer than the path to the root");
      }
      // b. If LSB(fn) is set, or if fn is equal to sn, then:
      if ((fn & 1) == 1 || fn == sn) {
        // i. Set fr to HASH(0x01 || c || fr). Set sr to HASH(0x01 || c || sr).
        fr = Rfc6962.nodeHash(c, fr);
        sr = Rfc6962.nodeHash(c, sr);
        // ii. If LSB(fn) is not set, then right-shift both fn and sn equally until either
        //     LSB(fn) is set or fn is 0.
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      } else {
        // Otherwise: set sr to HASH(0x01 || sr || c).
        sr = Rfc6962.nodeHash(sr, c);
      }
      // c. Finally, right-shift both fn and sn one time.
      fn >>= 1;
      sn >>= 1;
    }
    // 7. Verify fr equals first_hash, sr equals second_hash, and sn is 0.
    boolean oldMatches = Bytes.constantTimeEquals(fr.raw(), oldRoot.raw());
    boolean newMatches = Bytes.constantTimeEquals(sr.raw(), newRoot.raw());
    if (sn != 0) {
      return Verdict.rejected("consistency proof is shorter than the path to the root");
    }
    if (!oldMatches) {
      return Verdict.rejected("consistency proof does not lead to the old root hash");
    }
    if (!newMatches) {
      return Verdict.rejected("consistency proof does not lead to the new root hash");
    }
    return Verdict.verified(newRoot);
  }
}
