package dev.bkv.crypto;

/**
 * A byte string that does not decode to a valid value: wrong length, a point off the curve,
 * the point at infinity, a scalar out of range, bad DER. The message names the field and
 * the reason; callers map it to a refusal, never to a stack trace shown to a user.
 */
public final class DecodeException extends Exception {
  private final String field;

  public DecodeException(String field, String reason) {
    super(field + ": " + reason);
    this.field = field;
  }

  /** Which value was malformed, e.g. "KE1.client_public_keyshare". */
  public String field() {
    return field;
  }

  /** Throws when {@code bytes} is not exactly {@code length} long. */
  public static void requireLength(String field, byte[] bytes, int length) throws DecodeException {
    if (bytes == null) {
      throw new DecodeException(field, "missing");
    }
    if (bytes.length != length) {
      throw new DecodeException(field, "expected " + length + " bytes, got " + bytes.length);
    }
  }
}
