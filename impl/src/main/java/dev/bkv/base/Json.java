package dev.bkv.base;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small strict JSON (RFC 8259) reader and writer for test vectors, traces and reports.
 * Protocol formats are line-oriented text, never JSON; this exists for interchange only.
 *
 * <p>Values map to: object → {@code Map<String,Object>} (insertion order), array →
 * {@code List<Object>}, string → {@code String}, number → {@code BigInteger} when integral
 * else {@code Double}, {@code true/false} → {@code Boolean}, {@code null} → {@link #NULL}.
 */
public final class Json {
  /** Nesting deeper than this is rejected before it can exhaust the stack. */
  public static final int DEPTH_MAX = 64;

  /** Marker for JSON {@code null}, so that maps never hold Java nulls. */
  public static final Object NULL =
      new Object() {
        @Override
        public String toString() {
          return "null";
        }
      };

  /** Thrown on malformed input, naming the offset of the problem. */
  public static final class ParseException extends IllegalArgumentException {
    public ParseException(String message, int offset) {
      super(message + " at offset " + offset);
    }
  }

  private final String text;
  private int pos;

  private Json(String text) {
    this.text = text;
  }

  public static Object parse(String text) {
    Json parser = new Json(text);
    parser.skipWhitespace();
    Object value = parser.readValue(0);
    parser.skipWhitespace();
    if (parser.pos != text.length()) {
      throw new ParseException("trailing characters after JSON value", parser.pos);
    }
    return value;
  }

  @SuppressWarnings("unchecked")
  public static Map<String, Object> parseObject(String text) {
    Object value = parse(text);
    if (!(value instanceof Map)) {
      throw new ParseException("expected a JSON object", 0);
    }
    return (Map<String, Object>) value;
  }

  private Object readValue(int depth) {
    if (depth > DEPTH_MAX) {
      throw new ParseException("nesting deeper than " + DEPTH_MAX, pos);
    }
    if (pos >= text.length()) {
      throw new ParseException("unexpected end of input", pos);
    }
    char c = text.charAt(pos);
    switch (c) {
      case '{':
        return readObject(depth);
      case '[':
        return readArray(depth);
      case '"':
        return readString();
      case 't':
        expectWord("true");
        return Boolean.TRUE;
      case 'f':
        expectWord("false");
        return Boolean.FALSE;
      case 'n':
        expectWord("null");
        return NULL;
      default:
        if (c == '-' || (c >= '0' && c <= '9')) {
          return readNumber();
        }
        throw new ParseException("unexpected character '" + c + "'", pos);
    }
  }

  private Map<String, Object> readObject(int depth) {
    Map<String, Object> map = new LinkedHashMap<>();
    pos++; // {
    skipWhitespace();
    if (peek() == '}') {
      pos++;
      return Collections.unmodifiableMap(map);
    }
    while (true) {
      skipWhitespace();
      if (peek() != '"') {
        throw new ParseException("expected a string key", pos);
      }
      int keyOffset = pos;
      String key = readString();
      skipWhitespace();
      expect(':');
      skipWhitespace();
      Object value = readValue(depth + 1);
      if (map.put(key, value) != null) {
        throw new ParseException("duplicate key \"" + key + "\"", keyOffset);
      }
      skipWhitespace();
      char c = next();
      if (c == '}') {
        return Collections.unmodifiableMap(map);
      }
      if (c != ',') {
        throw new ParseException("expected ',' or '}'", pos - 1);
      }
    }
  }

  private List<Object> readArray(int depth) {
    List<Object> list = new ArrayList<>();
    pos++; // [
    skipWhitespace();
    if (peek() == ']') {
      pos++;
      return Collections.unmodifiableList(list);
    }
    while (true) {
      skipWhitespace();
      list.add(readValue(depth + 1));
      skipWhitespace();
      char c = next();
      if (c == ']') {
        return Collections.unmodifiableList(list);
      }
      if (c != ',') {
        throw new ParseException("expected ',' or ']'", pos - 1);
      }
    }
  }

  private String readString() {
    expect('"');
    StringBuilder out = new StringBuilder();
    while (true) {
      char c = next();
      if (c == '"') {
        return out.toString();
      }
      if (c < 0x20) {
        throw new ParseException("unescaped control character in string", pos - 1);
      }
      if (c != '\\') {
        out.append(c);
        continue;
      }
      char e = next();
      switch (e) {
        case '"': out.append('"'); break;
        case '\\': out.append('\\'); break;
        case '/': out.append('/'); break;
        case 'b': out.append('\b'); break;
        case 'f': out.append('\f'); break;
        case 'n': out.append('\n'); break;
        case 'r': out.append('\r'); break;
        case 't': out.append('\t'); break;
        case 'u':
          if (pos + 4 > text.length()) {
            throw new ParseException("truncated \\u escape", pos);
          }
          int code = 0;
          for (int i = 0; i < 4; i++) {
            int digit = Character.digit(text.charAt(pos++), 16);
            if (digit < 0) {
              throw new ParseException("bad hex digit in \\u escape", pos - 1);
            }
            code = code * 16 + digit;
          }
          out.append((char) code);
          break;
        default:
          throw new ParseException("bad escape '\\" + e + "'", pos - 1);
      }
    }
  }

  private Object readNumber() {
    int start = pos;
    if (peek() == '-') {
      pos++;
    }
    boolean integral = true;
    while (pos < text.length()) {
      char c = text.charAt(pos);
      if (c >= '0' && c <= '9') {
        pos++;
      } else if (c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
        integral = false;
        pos++;
      } else {
        break;
      }
    }
    String number = text.substring(start, pos);
    try {
      return integral ? new BigInteger(number) : (Object) Double.valueOf(number);
    } catch (NumberFormatException e) {
      throw new ParseException("malformed number \"" + number + "\"", start);
    }
  }

  private void expectWord(String word) {
    if (!text.startsWith(word, pos)) {
      throw new ParseException("expected " + word, pos);
    }
    pos += word.length();
  }

  private void expect(char c) {
    if (next() != c) {
      throw new ParseException("expected '" + c + "'", pos - 1);
    }
  }

  private char peek() {
    if (pos >= text.length()) {
      throw new ParseException("unexpected end of input", pos);
    }
    return text.charAt(pos);
  }

  private char next() {
    char c = peek();
    pos++;
    return c;
  }

  private void skipWhitespace() {
    while (pos < text.length()) {
      char c = text.charAt(pos);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        return;
      }
      pos++;
    }
  }

  // ---- writing ----

  /** Serialises maps, lists, strings, numbers, booleans and {@link #NULL} compactly. */
  public static String write(Object value) {
    StringBuilder out = new StringBuilder();
    write(value, out, 0);
    return out.toString();
  }

  private static void write(Object value, StringBuilder out, int depth) {
    Check.that(depth <= DEPTH_MAX, "JSON output nesting within DEPTH_MAX");
    if (value == null || value == NULL) {
      out.append("null");
    } else if (value instanceof String) {
      writeString((String) value, out);
    } else if (value instanceof Boolean || value instanceof Integer || value instanceof Long
        || value instanceof BigInteger) {
      out.append(value);
    } else if (value instanceof Double || value instanceof Float) {
      double d = ((Number) value).doubleValue();
      Check.that(Double.isFinite(d), "JSON numbers are finite");
      out.append(d);
    } else if (value instanceof Map) {
      out.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
        if (!first) {
          out.append(',');
        }
        first = false;
        writeString(String.valueOf(entry.getKey()), out);
        out.append(':');
        write(entry.getValue(), out, depth + 1);
      }
      out.append('}');
    } else if (value instanceof List) {
      out.append('[');
      boolean first = true;
      for (Object element : (List<?>) value) {
        if (!first) {
          out.append(',');
        }
        first = false;
        write(element, out, depth + 1);
      }
      out.append(']');
    } else {
      throw new IllegalArgumentException("cannot write " + value.getClass().getName() + " as JSON");
    }
  }

  private static void writeString(String s, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"': out.append("\\\""); break;
        case '\\': out.append("\\\\"); break;
        case '\n': out.append("\\n"); break;
        case '\r': out.append("\\r"); break;
        case '\t': out.append("\\t"); break;
        default:
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
      }
    }
    out.append('"');
  }
}
