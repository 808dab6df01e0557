package dev.bkv.tlog;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The text of a C2SP tlog-checkpoint: origin, tree size, root hash, then optional extension
 * lines, each ending in a newline.
 *
 * <pre>
 * example.com/behind-the-sofa
 * 20852163
 * CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=
 * </pre>
 *
 * The size is a decimal with no leading zero and at most 2^63 - 1; the root hash is
 * canonical base64 of exactly 32 bytes; extension lines are non-empty.
 */
public record Checkpoint(String origin, long size, Hash rootHash, List<String> extensions) {
  /** Longest origin line accepted, in bytes. */
  public static final int ORIGIN_BYTES_MAX = 1024;
  /** Extension lines accepted (C2SP does not recommend using any). */
  public static final int EXTENSION_LINES_MAX = 16;
  /** Longest extension line accepted, in bytes. */
  public static final int EXTENSION_BYTES_MAX = 1024;

  public Checkpoint {
    extensions = List.copyOf(extensions);
    String problem = lineProblem(origin, ORIGIN_BYTES_MAX, "origin");
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    if (size < 0) {
      throw new IllegalArgumentException("tree size must not be negative: " + size);
    }
    if (rootHash == null) {
      throw new IllegalArgumentException("root hash is required");
    }
    if (extensions.size() > EXTENSION_LINES_MAX) {
      throw new IllegalArgumentException("at most " + EXTENSION_LINES_MAX + " extension lines");
    }
    for (String line : extensions) {
      String lineProblem = lineProblem(line, EXTENSION_BYTES_MAX, "extension line");
      if (lineProblem != null) {
        throw new IllegalArgumentException(lineProblem);
      }
    }
  }

  public Checkpoint(String origin, long size, Hash rootHash) {
    this(origin, size, rootHash, List.of());
  }

  /** Decodes a checkpoint note text (including its final newline). */
  public static Checkpoint parse(String text) throws FormatException {
    if (!text.endsWith("\n")) {
      throw new FormatException("checkpoint text must end with a newline");
    }
    List<String> lines = Arrays.asList(text.substring(0, text.length() - 1).split("\n", -1));
    if (lines.size() < 3) {
      throw new FormatException("checkpoint needs origin, size and root hash lines, got " + lines.size() + " lines");
    }
    if (lines.size() > 3 + EXTENSION_LINES_MAX) {
      throw new FormatException("checkpoint has more than " + EXTENSION_LINES_MAX + " extension lines");
    }
    long size = Decimal.parse(lines.get(1), "checkpoint tree size");
    Hash root = Hash.fromBase64(lines.get(2));
    List<String> extensions = new ArrayList<>(lines.subList(3, lines.size()));
    String problem = lineProblem(lines.get(0), ORIGIN_BYTES_MAX, "origin");
    for (String line : extensions) {
      problem = problem != null ? problem : lineProblem(line, EXTENSION_BYTES_MAX, "extension line");
    }
    if (problem != null) {
      throw new FormatException("checkpoint " + problem);
    }
    return new Checkpoint(lines.get(0), size, root, extensions);
  }

  /** Parses the checkpoint from the first line of a note text up to the end. */
  public static Checkpoint parse(OpenedNote note) throws FormatException {
    return parse(note.text());
  }

  /** The note text: the lines above, each ending in a newline. */
  public String text() {
    StringBuilder out = new StringBuilder();
    out.append(origin).append('\n').append(size).append('\n').append(rootHash.toBase64()).append('\n');
    for (String line : extensions) {
      out.append(line).append('\n');
    }
    return out.toString();
  }

  public byte[] textBytes() {
    return text().getBytes(StandardCharsets.UTF_8);
  }

  /** The first line of a note text: the origin, if the text is a checkpoint. */
  public static String originOf(String noteText) {
    int newline = noteText.indexOf('\n');
    return newline < 0 ? noteText : noteText.substring(0, newline);
  }

  private static String lineProblem(String line, int bytesMax, String what) {
    if (line == null || line.isEmpty()) {
      return what + " must not be empty";
    }
    if (line.getBytes(StandardCharsets.UTF_8).length > bytesMax) {
      return what + " is longer than " + bytesMax + " bytes";
    }
    for (int i = 0; i < line.length(); i++) {
      if (line.charAt(i) < 0x20) {
        return what + " contains a control character";
      }
    }
    return null;
  }
}
