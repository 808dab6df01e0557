package dev.bkv.crypto.opaque;

import dev.bkv.base.Check;
import dev.bkv.crypto.DecodeException;
import dev.bkv.crypto.P256Group.Element;
import java.util.Arrays;

/**
 * Reads one fixed-layout RFC 9807 message: the total length is checked before any field is
 * looked at, then fields are taken in order. Errors name the message and field, e.g.
 * {@code KE2.auth_response.server_public_keyshare}.
 */
final class WireReader {
  private final String message;
  private final byte[] bytes;
  private int offset;

  private WireReader(String message, byte[] bytes) {
    this.message = message;
    this.bytes = bytes;
  }

  static WireReader of(String message, byte[] bytes, int expectedLength) throws DecodeException {
    DecodeException.requireLength(message, bytes, expectedLength);
    return new WireReader(message, bytes);
  }

  Element element(String field) throws DecodeException {
    return Element.decode(name(field), take(OpaqueSuite.PUBLIC_KEY_BYTES));
  }

  Nonce nonce() {
    return new Nonce(take(OpaqueSuite.NONCE_BYTES));
  }

  Mac mac() {
    return new Mac(take(OpaqueSuite.MAC_BYTES));
  }

  MaskingKey maskingKey() {
    return new MaskingKey(take(OpaqueSuite.HASH_BYTES));
  }

  MaskedResponse maskedResponse() {
    return new MaskedResponse(take(OpaqueSuite.MASKED_RESPONSE_BYTES));
  }

  /** Called last: the layout accounts for every byte (the length was checked up front). */
  void end() {
    Check.that(offset == bytes.length, message + " layout consumes exactly its length");
  }

  private String name(String field) {
    return message + "." + field;
  }

  private byte[] take(int length) {
    Check.that(offset + length <= bytes.length, message + " layout fits its checked length");
    byte[] out = Arrays.copyOfRange(bytes, offset, offset + length);
    offset += length;
    return out;
  }
}
