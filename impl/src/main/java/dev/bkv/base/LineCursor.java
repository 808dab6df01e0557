package dev.bkv.base;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Reads a strict line-oriented text format ("keyword value" lines, in a fixed order) one line
 * at a time. The text must be printable ASCII with "\n" line ends, end with "\n", and hold no
 * empty line; the caller bounds its size and line count before any parsing. Structural
 * failures (a line missing, out of order, or left over) are reported through {@code error},
 * so each format raises its own typed exception; values are checked by the caller.
 */
public final class LineCursor<E extends Exception> {
  private final List<String> lines;
  private final Function<String, E> error;
  private int next;

  private LineCursor(List<String> lines, Function<String, E> error) {
    this.lines = lines;
    this.error = error;
  }

  /**
   * Splits {@code text} into lines. Returns a problem description instead when the bytes are
   * not printable ASCII, lack the final newline, hold an empty line, or exceed {@code linesMax}.
   */
  public static <E extends Exception> LineCursor<E> open(byte[] text, int linesMax, Function<String, E> error,
      Function<String, E> encodingError) throws E {
    String problem = textProblem(text);
    if (problem != null) {
      throw encodingError.apply(problem);
    }
    List<String> lines = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < text.length; i++) {
      if (text[i] == '\n') {
        if (lines.size() == linesMax) {
          throw encodingError.apply("more than " + linesMax + " lines");
        }
        if (i == start) {
          throw encodingError.apply("empty line " + (lines.size() + 1));
        }
        lines.add(new String(text, start, i - start, StandardCharsets.US_ASCII));
        start = i + 1;
      }
    }
    return new LineCursor<>(lines, error);
  }

  /** Null when {@code text} is non-empty printable ASCII ending in "\n", else what is wrong. */
  public static String textProblem(byte[] text) {
    if (text.length == 0) {
      return "empty";
    }
    for (int i = 0; i < text.length; i++) {
      byte b = text[i];
      if (b != '\n' && (b < 0x20 || b > 0x7e)) {
        return "byte " + i + " (0x" + Hex.encode(new byte[] {b}) + ") is not printable ASCII or a newline";
      }
    }
    if (text[text.length - 1] != '\n') {
      return "does not end with a newline";
    }
    return null;
  }

  /** The number of the line {@link #next()} would return, from 1. */
  public int lineNumber() {
    return next + 1;
  }

  public boolean atEnd() {
    return next == lines.size();
  }

  /** Whether the next line starts with {@code keyword} and a space. */
  public boolean peek(String keyword) {
    return !atEnd() && lines.get(next).startsWith(keyword + " ");
  }

  /** The next line exactly as it is. */
  public String next() throws E {
    if (atEnd()) {
      throw error.apply("text ends early at line " + lineNumber());
    }
    return lines.get(next++);
  }

  /** The next line, which must equal {@code expected}. */
  public void expectLine(String expected) throws E {
    if (atEnd() || !lines.get(next).equals(expected)) {
      throw error.apply("line " + lineNumber() + " must be \"" + expected + "\"");
    }
    next++;
  }

  /** The value of the next line, which must read {@code keyword value} with a non-empty value. */
  public String value(String keyword) throws E {
    if (!peek(keyword) || lines.get(next).length() == keyword.length() + 1) {
      throw error.apply("line " + lineNumber() + " must be \"" + keyword + " <value>\"");
    }
    return lines.get(next++).substring(keyword.length() + 1);
  }

  /** Fails unless every line was read. */
  public void expectEnd() throws E {
    if (!atEnd()) {
      throw error.apply("unexpected line " + lineNumber() + ": \"" + abbreviate(lines.get(next)) + "\"");
    }
  }

  /** Exactly {@code bytes} bytes as lower-case hex, or null. */
  public static byte[] lowerHex(String text, int bytes) {
    if (text.length() != 2 * bytes || !text.equals(text.toLowerCase(Locale.ROOT))) {
      return null;
    }
    try {
      return Hex.decode(text);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** A decimal in [0, 2^63 - 1] with no sign and no leading zero, or -1. */
  public static long decimal(String text) {
    if (text.isEmpty() || text.length() > 19 || (text.length() > 1 && text.charAt(0) == '0')) {
      return -1;
    }
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) < '0' || text.charAt(i) > '9') {
        return -1;
      }
    }
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** Canonical padded standard base64 of at most {@code bytesMax} bytes, or null. */
  public static byte[] canonicalBase64(String text, int bytesMax) {
    if (text.isEmpty() || text.length() > 4 * ((bytesMax + 2) / 3)) {
      return null;
    }
    try {
      byte[] bytes = java.util.Base64.getDecoder().decode(text);
      return java.util.Base64.getEncoder().encodeToString(bytes).equals(text) ? bytes : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static String abbreviate(String line) {
    return line.length() <= 40 ? line : line.substring(0, 40) + "...";
  }
}
