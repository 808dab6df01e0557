package dev.bkv.crypto.opaque;

import dev.bkv.base.FixedBytes;
import java.security.SecureRandom;

/**
 * The Nh-byte masking_key of a registration record. The server stores it in the clear (it
 * is part of the record the client uploads); it only hides the envelope from other parties.
 */
public final class MaskingKey extends FixedBytes {
  public MaskingKey(byte[] bytes) {
    super(bytes, OpaqueSuite.HASH_BYTES, "OPAQUE masking key");
  }

  /** RFC 9807 random(Nh), as a fake record's masking_key. */
  public static MaskingKey random(SecureRandom random) {
    byte[] bytes = new byte[OpaqueSuite.HASH_BYTES];
    random.nextBytes(bytes);
    return new MaskingKey(bytes);
  }

  /** Never the key: it hides the envelope from anyone who sees a credential response. */
  @Override
  public String toString() {
    return "MaskingKey(secret)";
  }

  byte[] raw() {
    return unsafeBytes();
  }
}
