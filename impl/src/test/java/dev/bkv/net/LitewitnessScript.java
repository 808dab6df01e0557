package dev.bkv.net;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A litewitness testscript (txtar): script lines, then {@code -- name --} files, one of which
 * is a Hurl file of add-checkpoint requests with their expected status and body assertions.
 */
final class LitewitnessScript {
  /** One Hurl request: body, expected status, and its assertions ("contains X" / "equals X"). */
  record Request(String url, String body, int status, List<String> contains, List<String> equals) {}

  final List<String> commands = new ArrayList<>();
  final Map<String, String> files = new LinkedHashMap<>();

  static LitewitnessScript parse(String text) {
    LitewitnessScript script = new LitewitnessScript();
    String file = null;
    StringBuilder content = new StringBuilder();
    for (String line : text.split("\n", -1)) {
      if (line.startsWith("-- ") && line.endsWith(" --")) {
        if (file != null) {
          script.files.put(file, content.toString());
        }
        file = line.substring(3, line.length() - 3);
        content.setLength(0);
      } else if (file != null) {
        content.append(line).append('\n');
      } else if (!line.isBlank() && !line.startsWith("#")) {
        script.commands.add(line.strip());
      }
    }
    if (file != null) {
      script.files.put(file, content.toString());
    }
    return script;
  }

  static List<Request> parseHurl(String hurl) {
    List<Request> requests = new ArrayList<>();
    String[] lines = hurl.split("\n", -1);
    int i = 0;
    while (i < lines.length) {
      if (!lines[i].startsWith("POST ")) {
        if (!lines[i].isBlank()) {
          throw new IllegalArgumentException("unexpected Hurl line: " + lines[i]);
        }
        i++;
        continue;
      }
      String url = lines[i++].substring(5);
      expect(lines[i++].equals("```"), "``` after POST");
      StringBuilder body = new StringBuilder();
      while (!lines[i].equals("```")) {
        body.append(lines[i++]).append('\n');
      }
      i++;
      expect(lines[i].startsWith("HTTP "), "HTTP status line");
      int status = Integer.parseInt(lines[i++].substring(5).strip());
      List<String> contains = new ArrayList<>();
      List<String> equals = new ArrayList<>();
      if (i < lines.length && lines[i].equals("[Asserts]")) {
        i++;
        while (i < lines.length && lines[i].startsWith("body ")) {
          String assertion = lines[i++];
          if (assertion.startsWith("body contains ")) {
            contains.add(unquote(assertion.substring("body contains ".length())));
          } else if (assertion.startsWith("body == ")) {
            equals.add(unquote(assertion.substring("body == ".length())));
          } else {
            throw new IllegalArgumentException("unknown Hurl assertion: " + assertion);
          }
        }
      }
      requests.add(new Request(url, body.toString(), status, contains, equals));
    }
    return requests;
  }

  /** Splits a script line into words, honouring single quotes as the testscript shell does. */
  static List<String> words(String line) {
    List<String> words = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    boolean quoted = false;
    boolean inWord = false;
    for (char c : line.toCharArray()) {
      if (c == '\'') {
        quoted = !quoted;
        inWord = true;
      } else if (c == ' ' && !quoted) {
        if (inWord) {
          words.add(word.toString());
          word.setLength(0);
          inWord = false;
        }
      } else {
        word.append(c);
        inWord = true;
      }
    }
    if (inWord) {
      words.add(word.toString());
    }
    return words;
  }

  private static String unquote(String quoted) {
    expect(quoted.startsWith("\"") && quoted.endsWith("\""), "a quoted Hurl string");
    return quoted.substring(1, quoted.length() - 1).replace("\\n", "\n");
  }

  private static void expect(boolean condition, String what) {
    if (!condition) {
      throw new IllegalArgumentException("malformed Hurl file: expected " + what);
    }
  }
}
