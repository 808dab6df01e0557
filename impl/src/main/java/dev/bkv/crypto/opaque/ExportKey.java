package dev.bkv.crypto.opaque;

import dev.bkv.base.Bytes;
import dev.bkv.base.SecretBytes;

/**
 * The client's Nh-byte export_key: stable across logins for one registration and never known
 * to the server. RFC 9807 forbids using it before the login has completed.
 */
public final class ExportKey extends SecretBytes {
  public ExportKey(byte[] bytes) {
    super(bytes, OpaqueSuite.HASH_BYTES, OpaqueSuite.HASH_BYTES, "OPAQUE export key");
  }

  /** Constant-time comparison. */
  public boolean sameAs(ExportKey other) {
    return Bytes.constantTimeEquals(unsafeBytes(), other.unsafeBytes());
  }
}
