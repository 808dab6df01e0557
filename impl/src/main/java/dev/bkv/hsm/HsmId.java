package dev.bkv.hsm;

import dev.bkv.base.FixedBytes;
import dev.bkv.crypto.EcdsaP256;
import dev.bkv.crypto.Sha256;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * An HSM's name: the first 16 bytes of SHA-256("BKV HSM id v1" || identity public key,
 * compressed). Derived from the identity key, so it cannot be claimed by another HSM and
 * needs no storage of its own.
 */
public final class HsmId extends FixedBytes {
  public static final int BYTES = 16;
  private static final byte[] LABEL = "BKV HSM id v1".getBytes(StandardCharsets.US_ASCII);

  public HsmId(byte[] bytes) {
    super(bytes, BYTES, "HSM id");
  }

  public static HsmId of(EcdsaP256.PublicKey identityKey) {
    return new HsmId(Arrays.copyOf(Sha256.hash(LABEL, identityKey.encodeCompressed()), BYTES));
  }
}
