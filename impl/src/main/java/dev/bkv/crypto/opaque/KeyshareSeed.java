package dev.bkv.crypto.opaque;

import dev.bkv.base.SecretBytes;
import java.security.SecureRandom;

/** An Nseed-byte secret seed for an ephemeral 3DH key share (client_ or server_keyshare_seed). */
public final class KeyshareSeed extends SecretBytes {
  public KeyshareSeed(byte[] bytes) {
    super(bytes, OpaqueSuite.SEED_BYTES, OpaqueSuite.SEED_BYTES, "OPAQUE keyshare seed");
  }

  /** RFC 9807 random(Nseed). */
  public static KeyshareSeed random(SecureRandom random) {
    byte[] bytes = new byte[OpaqueSuite.SEED_BYTES];
    random.nextBytes(bytes);
    return new KeyshareSeed(bytes);
  }

  byte[] raw() {
    return unsafeBytes();
  }
}
