package dev.bkv.crypto.opaque;

import dev.bkv.base.Hex;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * RFC 9807 credential_identifier: the server's handle for one registration, input to the
 * per-user OPRF key derivation. It must be unique per client and stable across logins.
 */
public final class CredentialIdentifier {
  private final byte[] bytes;

  private CredentialIdentifier(byte[] bytes) {
    if (bytes.length == 0 || bytes.length > OpaqueSuite.CREDENTIAL_IDENTIFIER_BYTES_MAX) {
      throw new IllegalArgumentException("credential identifier must be 1.."
          + OpaqueSuite.CREDENTIAL_IDENTIFIER_BYTES_MAX + " bytes, got " + bytes.length);
    }
    this.bytes = bytes.clone();
  }

  public static CredentialIdentifier of(byte[] bytes) {
    return new CredentialIdentifier(bytes);
  }

  /** The UTF-8 encoding of {@code text} (what opaque-ke's JavaScript bindings pass as userIdentifier). */
  public static CredentialIdentifier utf8(String text) {
    return new CredentialIdentifier(text.getBytes(StandardCharsets.UTF_8));
  }

  public byte[] toBytes() {
    return bytes.clone();
  }

  byte[] raw() {
    return bytes;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof CredentialIdentifier && Arrays.equals(((CredentialIdentifier) other).bytes, bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return "CredentialIdentifier(" + Hex.encode(bytes) + ")";
  }
}
