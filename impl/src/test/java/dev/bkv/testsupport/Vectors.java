package dev.bkv.testsupport;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.bkv.base.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Locates the external test vectors in {@code ../shared/vectors} beside the checkout (or
 * wherever {@code -Dbkv.vectors=DIR} points). A fresh clone has none: tests then skip with
 * a visible message instead of passing silently.
 */
public final class Vectors {
  private Vectors() {}

  /** The vectors directory, or empty when it is not present. */
  public static java.util.Optional<Path> root() {
    String override = System.getProperty("bkv.vectors");
    if (override != null) {
      Path dir = Path.of(override);
      return Files.isDirectory(dir) ? java.util.Optional.of(dir) : java.util.Optional.empty();
    }
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null) {
      if (Files.isRegularFile(dir.resolve(".ci/run"))) {
        Path vectors = dir.resolveSibling("shared").resolve("vectors");
        return Files.isDirectory(vectors) ? java.util.Optional.of(vectors) : java.util.Optional.empty();
      }
      dir = dir.getParent();
    }
    return java.util.Optional.empty();
  }

  /**
   * Resolves {@code relative} under the vectors directory, or skips the calling test (with a
   * message on stdout naming the missing file) when it is absent.
   */
  public static Path require(String relative) {
    java.util.Optional<Path> root = root();
    Path file = root.map(r -> r.resolve(relative)).orElse(null);
    boolean present = file != null && Files.exists(file);
    if (!present) {
      System.out.println("[vectors] SKIPPED: " + relative + " not found (expected under ../shared/vectors)");
    }
    assumeTrue(present, "test vectors not present: " + relative);
    return file;
  }

  public static String readString(String relative) {
    try {
      return Files.readString(require(relative), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static Map<String, Object> readJsonObject(String relative) {
    return Json.parseObject(readString(relative));
  }

  /** Prints the per-file tally that the README promises ("file: N passed, M rejected as expected"). */
  public static void report(String relative, int passed, int invalidRejected, int total) {
    System.out.printf("[vectors] %s: %d/%d passed (%d invalid rejected as expected)%n",
        relative, passed, total, invalidRejected);
  }
}
