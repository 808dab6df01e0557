package dev.bkv.vault;

import dev.bkv.base.Hex;
import dev.bkv.crypto.DecodeException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The account a registration belongs to: 1..{@link VaultLimits#USER_ID_BYTES_MAX} opaque
 * bytes chosen by the frontend. Ordered by unsigned lexicographic comparison so that
 * snapshots list records in one canonical order.
 */
public final class UserId implements Comparable<UserId> {
  private final byte[] bytes;
  /**
   * FNV-1a (64-bit) over the bytes, folded to 32 bits, computed once. The vault looks every
   * command's user up in a hash map; {@code Arrays.hashCode} maps ids that differ in their last
   * bytes (counters, as a frontend may issue them) onto few values, and the map degraded to
   * its per-bucket trees. Ids chosen to collide still cost only a tree walk (ids are
   * Comparable), as the sorted map they replaced did.
   */
  private final int hash;

  private UserId(byte[] bytes) {
    this.bytes = bytes.clone();
    long h = FNV_OFFSET;
    for (byte b : this.bytes) {
      h = (h ^ (b & 0xff)) * FNV_PRIME;
    }
    this.hash = (int) (h ^ (h >>> 32));
  }

  private static final long FNV_OFFSET = 0xcbf29ce484222325L;
  private static final long FNV_PRIME = 0x100000001b3L;

  public static UserId of(byte[] bytes) throws DecodeException {
    if (bytes == null) {
      throw new DecodeException("user id", "missing");
    }
    if (bytes.length < VaultLimits.USER_ID_BYTES_MIN || bytes.length > VaultLimits.USER_ID_BYTES_MAX) {
      throw new DecodeException("user id", "length " + bytes.length + " not in ["
          + VaultLimits.USER_ID_BYTES_MIN + ", " + VaultLimits.USER_ID_BYTES_MAX + "]");
    }
    return new UserId(bytes);
  }

  /** A user id from text (UTF-8), for the CLI and tests. */
  public static UserId ofUtf8(String text) throws DecodeException {
    return of(text.getBytes(StandardCharsets.UTF_8));
  }

  public byte[] toBytes() {
    return bytes.clone();
  }

  /** The bytes without a copy, for encoders in this package that only read them. */
  byte[] bytesShared() {
    return bytes;
  }

  public int length() {
    return bytes.length;
  }

  @Override
  public int compareTo(UserId other) {
    return Arrays.compareUnsigned(bytes, other.bytes);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof UserId && Arrays.equals(bytes, ((UserId) other).bytes);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  /** Printable ids print as text; others as hex. */
  @Override
  public String toString() {
    for (byte b : bytes) {
      if (b < 0x20 || b > 0x7e) {
        return "UserId(" + Hex.encode(bytes) + ")";
      }
    }
    return "UserId(" + new String(bytes, StandardCharsets.US_ASCII) + ")";
  }
}
