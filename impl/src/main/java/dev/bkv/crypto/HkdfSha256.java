package dev.bkv.crypto;

import dev.bkv.base.SecretBytes;
import java.io.ByteArrayOutputStream;

/** HKDF with SHA-256 (RFC 5869): Extract and Expand as separate steps, as OPAQUE uses them. */
public final class HkdfSha256 {
  public static final int PRK_BYTES = 32;
  /** RFC 5869: L <= 255 * HashLen. */
  public static final int OUTPUT_BYTES_MAX = 255 * 32;

  private HkdfSha256() {}

  /** A pseudorandom key, the output of Extract. */
  public static final class Prk extends SecretBytes {
    public Prk(byte[] bytes) {
      super(bytes, PRK_BYTES, PRK_BYTES, "HKDF PRK");
    }

    byte[] raw() {
      return unsafeBytes();
    }
  }

  /** HKDF-Extract(salt, IKM); an empty salt means HashLen zero bytes (RFC 5869 §2.2). */
  public static Prk extract(byte[] salt, byte[] inputKeyMaterial) {
    return new Prk(HmacSha256.macRaw(salt, inputKeyMaterial));
  }

  /** HKDF-Expand(PRK, info, L). */
  public static byte[] expand(Prk prk, byte[] info, int length) {
    if (length < 0 || length > OUTPUT_BYTES_MAX) {
      throw new IllegalArgumentException("HKDF output length " + length + " not in [0, " + OUTPUT_BYTES_MAX + "]");
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(length);
    byte[] previous = new byte[0];
    for (int counter = 1; out.size() < length; counter++) {
      previous = HmacSha256.macRaw(prk.raw(), previous, info, new byte[] {(byte) counter});
      out.write(previous, 0, Math.min(previous.length, length - out.size()));
    }
    return out.toByteArray();
  }

  /** Extract then Expand in one call. */
  public static byte[] derive(byte[] salt, byte[] inputKeyMaterial, byte[] info, int length) {
    return expand(extract(salt, inputKeyMaterial), info, length);
  }

}
