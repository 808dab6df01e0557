package dev.bkv.crypto.opaque;

import dev.bkv.base.SecretBytes;
import java.security.SecureRandom;

/** The server's Nh-byte oprf_seed, from which every user's OPRF key is derived. */
public final class OprfSeed extends SecretBytes {
  public OprfSeed(byte[] bytes) {
    super(bytes, OpaqueSuite.HASH_BYTES, OpaqueSuite.HASH_BYTES, "OPAQUE oprf_seed");
  }

  /** RFC 9807 random(Nh). */
  public static OprfSeed random(SecureRandom random) {
    byte[] bytes = new byte[OpaqueSuite.HASH_BYTES];
    random.nextBytes(bytes);
    return new OprfSeed(bytes);
  }

  byte[] raw() {
    return unsafeBytes();
  }
}
