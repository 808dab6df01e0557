package dev.bkv.crypto;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** SHA-256 (FIPS 180-4). The JDK's implementation is intrinsified and faster than BC's. */
public final class Sha256 {
  public static final int DIGEST_BYTES = 32;

  /**
   * One digest per thread for {@link #hash}: {@code MessageDigest.getInstance} per call was a
   * tenth of a small commit's time. {@code digest()} resets it, and a digest is not
   * thread-safe, hence one per thread.
   */
  private static final ThreadLocal<MessageDigest> DIGEST = ThreadLocal.withInitial(Sha256::newDigest);

  private Sha256() {}

  public static byte[] hash(byte[]... parts) {
    MessageDigest digest = DIGEST.get();
    digest.reset(); // a part that threw (null) may have left input behind
    for (byte[] part : parts) {
      digest.update(part);
    }
    return digest.digest();
  }

  /** The hash of {@code prefix} followed by {@code length} bytes of {@code buffer} from {@code offset}. */
  public static byte[] hash(byte[] prefix, byte[] buffer, int offset, int length) {
    MessageDigest digest = DIGEST.get();
    digest.reset();
    digest.update(prefix);
    digest.update(buffer, offset, length);
    return digest.digest();
  }

  /** A digest of the caller's own, for incremental hashing. */
  public static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("every Java 17 runtime provides SHA-256", e);
    }
  }
}
