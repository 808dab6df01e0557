package dev.bkv.hsm;

import dev.bkv.base.LineCursor;
import dev.bkv.crypto.DecodeException;

/**
 * Field parsing shared by the HSM's signed line statements (transport offers, wrapped fleet
 * secrets): {@code name value} lines with fixed-length lower-case hex values, in a fixed order.
 */
final class SignedLines {
  private SignedLines() {}

  /** Exactly {@code bytes} bytes of lower-case hex from the next line, which must be {@code name}. */
  static byte[] hex(LineCursor<DecodeException> in, String name, int bytes) throws DecodeException {
    byte[] value = LineCursor.lowerHex(in.value(name), bytes);
    if (value == null) {
      throw new DecodeException(name, "expected " + (2 * bytes) + " lower-case hex digits");
    }
    return value;
  }

  static LineCursor<DecodeException> open(String what, byte[] encoded, int lines) throws DecodeException {
    return LineCursor.open(encoded, lines, m -> new DecodeException(what, m), m -> new DecodeException(what, m));
  }
}
