package dev.bkv.tlog;

import java.util.Base64;

/**
 * Standard base64 (RFC 4648 section 4) as the C2SP text formats use it, with two decoding
 * strictnesses. Hashes and key material must be canonical, so that one value has exactly one
 * text form. Signature bytes are decoded as Go's {@code encoding/base64.StdEncoding} does
 * (padding required, non-zero trailing bits tolerated): a signature with odd trailing bits
 * then simply fails to verify, which is the answer the C2SP witness test data expects.
 */
final class Base64Text {
  private static final Base64.Encoder ENCODER = Base64.getEncoder();
  private static final Base64.Decoder DECODER = Base64.getDecoder();

  private Base64Text() {}

  static String encode(byte[] bytes) {
    return ENCODER.encodeToString(bytes);
  }

  /** Decodes padded base64 and requires the canonical encoding (re-encoding gives it back). */
  static byte[] decodeCanonical(String text, String what) throws FormatException {
    byte[] bytes = decodePadded(text, what);
    if (!ENCODER.encodeToString(bytes).equals(text)) {
      throw new FormatException(what + " is not canonical base64");
    }
    return bytes;
  }

  /** Decodes padded base64, tolerating non-zero trailing bits as Go's StdEncoding does. */
  static byte[] decodePadded(String text, String what) throws FormatException {
    if (text.isEmpty() || text.length() % 4 != 0) {
      throw new FormatException(what + " is not padded base64 (length " + text.length() + ")");
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean alphabet =
          (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
      boolean padding = c == '=' && i >= text.length() - 2 && (i == text.length() - 1 || text.charAt(i + 1) == '=');
      if (!alphabet && !padding) {
        throw new FormatException(what + " has a non-base64 character at position " + i);
      }
    }
    try {
      return DECODER.decode(text);
    } catch (IllegalArgumentException e) {
      throw new FormatException(what + " is not valid base64");
    }
  }
}
