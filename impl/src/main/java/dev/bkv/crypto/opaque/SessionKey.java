package dev.bkv.crypto.opaque;

import dev.bkv.base.Bytes;
import dev.bkv.base.SecretBytes;

/** The Nx-byte session_key both sides share after a successful login. */
public final class SessionKey extends SecretBytes {
  public SessionKey(byte[] bytes) {
    super(bytes, OpaqueSuite.KDF_BYTES, OpaqueSuite.KDF_BYTES, "OPAQUE session key");
  }

  /** Constant-time comparison, for checks that both ends agree. */
  public boolean sameAs(SessionKey other) {
    return Bytes.constantTimeEquals(unsafeBytes(), other.unsafeBytes());
  }
}
