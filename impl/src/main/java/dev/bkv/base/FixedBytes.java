package dev.bkv.base;

import java.util.Arrays;

/**
 * Base for immutable values that are a byte string of one fixed length (keys, digests,
 * signatures). Subclasses give the value a type so call sites cannot mix them up; equality
 * is by content and constant-time.
 */
public abstract class FixedBytes {
  private final byte[] bytes;

  protected FixedBytes(byte[] bytes, int expectedLength, String what) {
    if (bytes == null || bytes.length != expectedLength) {
      throw new IllegalArgumentException(
          what + " must be " + expectedLength + " bytes, got " + (bytes == null ? "null" : bytes.length));
    }
    this.bytes = bytes.clone();
  }

  /** A copy of the encoding: callers cannot mutate the value. */
  public final byte[] toBytes() {
    return bytes.clone();
  }

  /** The length of the encoding in bytes. */
  public final int length() {
    return bytes.length;
  }

  public final String toHex() {
    return Hex.encode(bytes);
  }

  /** Read-only access for subclasses that hand the bytes to a primitive without copying. */
  protected final byte[] unsafeBytes() {
    return bytes;
  }

  @Override
  public final boolean equals(Object other) {
    return other != null
        && other.getClass() == getClass()
        && Bytes.constantTimeEquals(bytes, ((FixedBytes) other).bytes);
  }

  @Override
  public final int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "(" + Hex.encode(bytes) + ")";
  }
}
