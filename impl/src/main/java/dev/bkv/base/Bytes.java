package dev.bkv.base;

import java.security.MessageDigest;
import java.util.Arrays;

/** Small byte-array helpers shared by the encoders. */
public final class Bytes {
  private Bytes() {}

  public static byte[] concat(byte[]... parts) {
    int length = 0;
    for (byte[] part : parts) {
      length = Math.addExact(length, part.length);
    }
    byte[] out = new byte[length];
    int offset = 0;
    for (byte[] part : parts) {
      System.arraycopy(part, 0, out, offset, part.length);
      offset += part.length;
    }
    return out;
  }

  /**
   * Constant-time comparison (time depends on lengths only): the one way MACs, tags, keys and
   * other secrets are compared in this project.
   */
  public static boolean constantTimeEquals(byte[] a, byte[] b) {
    return MessageDigest.isEqual(a, b);
  }

  /** Overwrites each buffer (nulls skipped) with zeros: where a secret's lifetime ends. */
  public static void zeroize(byte[]... buffers) {
    for (byte[] buffer : buffers) {
      if (buffer != null) {
        Arrays.fill(buffer, (byte) 0);
      }
    }
  }

  /** {@link #concat} of secret parts (shared secrets, say), zeroing the parts. */
  public static byte[] concatZeroizing(byte[]... parts) {
    try {
      return concat(parts);
    } finally {
      zeroize(parts);
    }
  }

  /** RFC 8017 I2OSP: {@code value} as a big-endian unsigned integer of {@code length} bytes. */
  public static byte[] i2osp(long value, int length) {
    Check.that(length >= 1 && length <= 8, "i2osp length in [1, 8]");
    Check.that(value >= 0, "i2osp value non-negative");
    Check.that(length == 8 || value < (1L << (8 * length)), "i2osp value fits in length bytes");
    byte[] out = new byte[length];
    for (int i = length - 1; i >= 0; i--) {
      out[i] = (byte) value;
      value >>>= 8;
    }
    return out;
  }
}
