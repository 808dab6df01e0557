package dev.bkv.tlog;

import dev.bkv.crypto.Sha256;
import java.security.MessageDigest;

/**
 * RFC 6962 Merkle tree hashing, as RFC 9162 section 2.1.1 restates it:
 * {@code MTH({}) = SHA-256()}, leaf {@code SHA-256(0x00 || d)}, node
 * {@code SHA-256(0x01 || left || right)}. The prefixes keep a leaf from ever hashing like a
 * node (second-preimage resistance).
 */
public final class Rfc6962 {
  private static final byte LEAF_PREFIX = 0x00;
  private static final byte NODE_PREFIX = 0x01;

  /** MTH of the empty list: the hash of the empty string. */
  public static final Hash EMPTY_ROOT = new Hash(Sha256.hash());

  private Rfc6962() {}

  public static Hash leafHash(byte[] entry) {
    MessageDigest digest = Sha256.newDigest();
    digest.update(LEAF_PREFIX);
    digest.update(entry);
    return new Hash(digest.digest());
  }

  public static Hash nodeHash(Hash left, Hash right) {
    return new Hash(nodeHashBytes(left.raw(), right.raw()));
  }

  /** The node hash over raw child bytes; only the RFC's reference vectors use other lengths. */
  static byte[] nodeHashBytes(byte[] left, byte[] right) {
    MessageDigest digest = Sha256.newDigest();
    digest.update(NODE_PREFIX);
    digest.update(left);
    digest.update(right);
    return digest.digest();
  }

  /** The largest power of two strictly less than {@code n} (RFC 9162: the split point k). */
  static long splitPoint(long n) {
    if (n < 2) {
      throw new IllegalArgumentException("split point needs n >= 2, got " + n);
    }
    return Long.highestOneBit(n - 1);
  }
}
