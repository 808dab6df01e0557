package dev.bkv.tlog;

import dev.bkv.base.FixedBytes;
import dev.bkv.crypto.Sha256;

/**
 * A Merkle tree hash: exactly 32 bytes (SHA-256, RFC 6962 section 2.1). Every hash that
 * enters this package is one of these, so a proof or root of any other length is rejected
 * where it is decoded, before any verifier sees it.
 */
public final class Hash extends FixedBytes {
  public static final int BYTES = Sha256.DIGEST_BYTES;

  public Hash(byte[] bytes) {
    super(bytes, BYTES, "Merkle tree hash");
  }

  /** Decodes canonical base64 of exactly 32 bytes. */
  public static Hash fromBase64(String text) throws FormatException {
    byte[] bytes = Base64Text.decodeCanonical(text, "hash");
    if (bytes.length != BYTES) {
      throw new FormatException("hash must be " + BYTES + " bytes, got " + bytes.length);
    }
    return new Hash(bytes);
  }

  public String toBase64() {
    return Base64Text.encode(unsafeBytes());
  }

  /** The raw bytes without a copy, for hashing inside this package only. */
  byte[] raw() {
    return unsafeBytes();
  }
}
