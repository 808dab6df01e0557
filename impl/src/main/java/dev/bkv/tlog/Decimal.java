package dev.bkv.tlog;

/** Strict ASCII decimals as the C2SP text formats write sizes and indices. */
public final class Decimal {
  private Decimal() {}

  /** Digits only, no sign, no leading zero (unless the value is 0), at most 2^63 - 1. */
  public static long parse(String text, String what) throws FormatException {
    if (text.isEmpty() || text.length() > 19) {
      throw new FormatException(what + " must be 1 to 19 decimal digits");
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        throw new FormatException(what + " must be decimal digits only");
      }
    }
    if (text.length() > 1 && text.charAt(0) == '0') {
      throw new FormatException(what + " must have no leading zero");
    }
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new FormatException(what + " is larger than 2^63 - 1");
    }
  }
}
