package dev.bkv.crypto;

import dev.bkv.base.Bytes;
import dev.bkv.base.SecretBytes;
import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HMAC-SHA-256 (RFC 2104) with full 32-byte tags. */
public final class HmacSha256 {
  public static final int TAG_BYTES = 32;
  /** Keys longer than the block are hashed by HMAC; we cap them to keep inputs bounded. */
  public static final int KEY_BYTES_MAX = 1024;

  /**
   * One {@code Mac} per thread, re-keyed on every call: {@code Mac.getInstance} walks the
   * provider list and was a tenth of a small commit's time, while {@code init} is a few
   * block operations. A {@code Mac} is not thread-safe, hence one per thread.
   */
  private static final ThreadLocal<Mac> MAC = ThreadLocal.withInitial(() -> {
    try {
      return Mac.getInstance("HmacSHA256");
    } catch (GeneralSecurityException e) {
      throw new AssertionError("every Java 17 runtime provides HmacSHA256", e);
    }
  });

  private HmacSha256() {}

  /** An HMAC key of 1..KEY_BYTES_MAX bytes. */
  public static final class Key extends SecretBytes {
    public Key(byte[] bytes) {
      super(bytes, 1, KEY_BYTES_MAX, "HMAC-SHA256 key");
    }

    byte[] raw() {
      return unsafeBytes();
    }
  }

  public static byte[] mac(Key key, byte[]... messageParts) {
    return macRaw(key.raw(), messageParts);
  }

  /** The tag of {@code length} bytes of {@code buffer} from {@code offset}, without copying them out. */
  public static byte[] mac(Key key, byte[] buffer, int offset, int length) {
    try {
      Mac mac = MAC.get();
      mac.init(new SecretKeySpec(key.raw(), "HmacSHA256"));
      mac.update(buffer, offset, length);
      return mac.doFinal();
    } catch (GeneralSecurityException e) {
      throw new AssertionError("every Java 17 runtime provides HmacSHA256", e);
    }
  }

  /** Constant-time check of a full-length tag. */
  public static boolean verify(Key key, byte[] message, byte[] tag) {
    return tag.length == TAG_BYTES && Bytes.constantTimeEquals(mac(key, message), tag);
  }

  /** Constant-time check of a full-length tag over {@code length} bytes of {@code buffer} from {@code offset}. */
  public static boolean verify(Key key, byte[] buffer, int offset, int length, byte[] tag) {
    return tag.length == TAG_BYTES && Bytes.constantTimeEquals(mac(key, buffer, offset, length), tag);
  }

  /** HMAC with a key that may be empty (HKDF-Extract with an empty salt needs it). */
  static byte[] macRaw(byte[] key, byte[]... messageParts) {
    try {
      Mac mac = MAC.get();
      // The JDK refuses an empty SecretKeySpec; HMAC pads the key with zeros to the block
      // size, so a 64-byte zero key is the same function as the empty key.
      mac.init(new SecretKeySpec(key.length == 0 ? new byte[64] : key, "HmacSHA256"));
      for (byte[] part : messageParts) {
        mac.update(part);
      }
      return mac.doFinal();
    } catch (GeneralSecurityException e) {
      throw new AssertionError("every Java 17 runtime provides HmacSHA256", e);
    }
  }
}
