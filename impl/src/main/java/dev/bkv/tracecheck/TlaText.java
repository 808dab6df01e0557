package dev.bkv.tracecheck;

import java.util.ArrayList;
import java.util.List;

/**
 * The printed form of TLA+ values as TLC writes them, read only as far as the report needs:
 * nesting depth, top-level items, record fields and strings. Values stay text, with white
 * space normalised so that a value TLC wrapped over several lines reads as it would on one.
 */
final class TlaText {
  private TlaText() {}

  /**
   * Brackets ({@code << [ { (}) that {@code text} opens minus those it closes. Strings and
   * the arrows {@code |->} and {@code :>} are skipped.
   */
  static int depth(String text) {
    int depth = 0;
    for (int i = 0; i < text.length(); i++) {
      int skip = token(text, i);
      if (skip > 0) {
        i += skip - 1;
        continue;
      }
      char c = text.charAt(i);
      if (opens(text, i)) {
        depth++;
        i += c == '<' ? 1 : 0;
      } else if (closes(text, i)) {
        depth--;
        i += c == '>' ? 1 : 0;
      }
    }
    return depth;
  }

  /** Runs of white space outside strings become one space; none next to a bracket. */
  static String normalize(String text) {
    StringBuilder out = new StringBuilder();
    boolean space = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '"') {
        int end = i + token(text, i);
        flushSpace(out, space, text, i);
        space = false;
        out.append(text, i, end);
        i = end - 1;
      } else if (Character.isWhitespace(c)) {
        space = true;
      } else {
        flushSpace(out, space, text, i);
        space = false;
        out.append(c);
      }
    }
    return out.toString();
  }

  private static void flushSpace(StringBuilder out, boolean space, String text, int next) {
    if (!space || out.length() == 0) {
      return;
    }
    char last = out.charAt(out.length() - 1);
    int n = out.length();
    boolean afterOpener = last == '[' || last == '{' || last == '('
        || (last == '<' && n >= 2 && out.charAt(n - 2) == '<');
    boolean beforeCloser = closes(text, next);
    if (!afterOpener && !beforeCloser) {
      out.append(' ');
    }
  }

  /** The items of a normalised {@code << ... >>} tuple, or empty if {@code text} is not one. */
  static List<String> tuple(String text) {
    if (!text.startsWith("<<") || !text.endsWith(">>")) {
      return List.of();
    }
    return items(text.substring(2, text.length() - 2));
  }

  /** The fields of a normalised record {@code [a |-> v, ...]}, each as {name, value}. */
  static List<String[]> record(String text) {
    List<String[]> fields = new ArrayList<>();
    if (!text.startsWith("[") || !text.endsWith("]")) {
      return fields;
    }
    for (String item : items(text.substring(1, text.length() - 1))) {
      int arrow = item.indexOf(" |-> ");
      if (arrow > 0) {
        fields.add(new String[] {item.substring(0, arrow), item.substring(arrow + 5)});
      }
    }
    return fields;
  }

  /** The contents of a printed string, or null if {@code text} is not one. */
  static String string(String text) {
    if (text.length() < 2 || text.charAt(0) != '"' || token(text, 0) != text.length()) {
      return null;
    }
    StringBuilder out = new StringBuilder();
    for (int i = 1; i < text.length() - 1; i++) {
      char c = text.charAt(i);
      if (c == '\\' && i + 1 < text.length() - 1) {
        c = text.charAt(++i);
      }
      out.append(c);
    }
    return out.toString();
  }

  /** Items separated by commas at depth zero. */
  private static List<String> items(String body) {
    List<String> items = new ArrayList<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i < body.length(); i++) {
      int skip = token(body, i);
      if (skip > 0) {
        i += skip - 1;
      } else if (opens(body, i)) {
        depth++;
        i += body.charAt(i) == '<' ? 1 : 0;
      } else if (closes(body, i)) {
        depth--;
        i += body.charAt(i) == '>' ? 1 : 0;
      } else if (body.charAt(i) == ',' && depth == 0) {
        items.add(body.substring(start, i).trim());
        start = i + 1;
      }
    }
    String last = body.substring(start).trim();
    if (!last.isEmpty() || !items.isEmpty()) {
      items.add(last);
    }
    return items;
  }

  /** Length of a string literal or arrow starting at {@code i}, else 0. */
  private static int token(String text, int i) {
    char c = text.charAt(i);
    if (c == '"') {
      int j = i + 1;
      while (j < text.length() && text.charAt(j) != '"') {
        j += text.charAt(j) == '\\' ? 2 : 1;
      }
      return Math.min(j + 1, text.length()) - i;
    }
    if (text.startsWith("|->", i)) {
      return 3;
    }
    if (text.startsWith(":>", i)) {
      return 2;
    }
    return 0;
  }

  private static boolean opens(String text, int i) {
    char c = text.charAt(i);
    return c == '[' || c == '{' || c == '(' || text.startsWith("<<", i);
  }

  private static boolean closes(String text, int i) {
    char c = text.charAt(i);
    return c == ']' || c == '}' || c == ')' || text.startsWith(">>", i);
  }
}
