package dev.bkv.crypto;

import dev.bkv.base.FixedBytes;
import dev.bkv.base.LineCursor;
import java.util.Optional;

/**
 * A SHA-256 digest used as a name for a document (a bundle, an evidence file, a jar), so
 * that call sites cannot mix it up with a key or a Merkle hash. Text formats write it as
 * 64 lower-case hex digits.
 */
public final class Sha256Digest extends FixedBytes {
  public Sha256Digest(byte[] bytes) {
    super(bytes, Sha256.DIGEST_BYTES, "SHA-256 digest");
  }

  public static Sha256Digest of(byte[]... parts) {
    return new Sha256Digest(Sha256.hash(parts));
  }

  /** Exactly 64 lower-case hex digits, else empty. */
  public static Optional<Sha256Digest> fromHex(String hex) {
    byte[] bytes = LineCursor.lowerHex(hex, Sha256.DIGEST_BYTES);
    return bytes == null ? Optional.empty() : Optional.of(new Sha256Digest(bytes));
  }
}
