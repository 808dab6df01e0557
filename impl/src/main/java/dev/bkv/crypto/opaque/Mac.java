package dev.bkv.crypto.opaque;

import dev.bkv.base.Bytes;
import dev.bkv.base.FixedBytes;

/** An Nm-byte HMAC-SHA256 tag: auth_tag, server_mac or client_mac. */
public final class Mac extends FixedBytes {
  public Mac(byte[] bytes) {
    super(bytes, OpaqueSuite.MAC_BYTES, "OPAQUE MAC");
  }

  /** RFC 9807 ct_equal. */
  boolean constantTimeEquals(Mac other) {
    return Bytes.constantTimeEquals(unsafeBytes(), other.unsafeBytes());
  }

  /**
   * Never the tag: the server holds expected_client_mac before the client sends it, and a
   * printed copy would complete a login without the password.
   */
  @Override
  public String toString() {
    return "Mac(" + length() + " bytes)";
  }

  byte[] raw() {
    return unsafeBytes();
  }
}
