package dev.bkv.crypto;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** SHA-256 (FIPS 180-4). The JDK's implementation is intrinsified and faster than BC's. */
public final class Sha256 {
  public static final int DIGEST_BYTES = 32;

  private Sha256() {}

  public static byte[] hash(byte[]... parts) {
    MessageDigest digest = newDigest();
    for (byte[] part : parts) {
      digest.update(part);
    }
    return digest.digest();
  }

  public static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("every Java 17 runtime provides SHA-256", e);
    }
  }
}
