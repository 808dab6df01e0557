package dev.bkv.crypto.opaque;

import dev.bkv.base.FixedBytes;
import java.security.SecureRandom;

/** An Nn-byte nonce: envelope_nonce, masking_nonce, client_nonce or server_nonce. */
public final class Nonce extends FixedBytes {
  public Nonce(byte[] bytes) {
    super(bytes, OpaqueSuite.NONCE_BYTES, "OPAQUE nonce");
  }

  /** RFC 9807 random(Nn). */
  public static Nonce random(SecureRandom random) {
    byte[] bytes = new byte[OpaqueSuite.NONCE_BYTES];
    random.nextBytes(bytes);
    return new Nonce(bytes);
  }

  byte[] raw() {
    return unsafeBytes();
  }
}
