package dev.bkv.modeltests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.bkv.evidence.JarHash;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "Rebuilding the project reproduces the jar hash" (deployment evidence): the
 * checkout's sources are copied to a temporary directory and impl is rebuilt there, offline;
 * the new jar must have the same SHA-256 as impl/target/bkv-impl.jar, the jar whose hash the
 * HSMs' deployment statements name. A difference lists the entries that differ.
 */
class ReproducibleJarTest {
  static final long BUILD_SECONDS_MAX = 300;

  @TempDir Path copy;

  @Test
  void rebuilding_impl_from_the_sources_gives_the_same_jar() throws Exception {
    Path root = checkoutRoot();
    Path built = root.resolve("impl/target/bkv-impl.jar");
    assertTrue(Files.isRegularFile(built), built + " is missing: the reactor packages impl before model-tests runs");
    Optional<Path> mvn = onPath("mvn");
    if (mvn.isEmpty()) {
      System.out.println("[jar] SKIPPED: mvn is not on PATH, so impl cannot be rebuilt here");
    }
    assumeTrue(mvn.isPresent(), "mvn not on PATH");
    copySources(root, copy);
    long started = System.nanoTime();
    Process process = new ProcessBuilder(mvn.get().toString(), "-o", "-q", "-B", "-f", copy.resolve("pom.xml").toString(),
        "-pl", "impl", "-Dmaven.test.skip=true", "package").redirectErrorStream(true).start();
    byte[] output = process.getInputStream().readAllBytes();
    assertTrue(process.waitFor(BUILD_SECONDS_MAX, TimeUnit.SECONDS), "the rebuild took longer than " + BUILD_SECONDS_MAX + " s");
    assertEquals(0, process.exitValue(), "the rebuild failed:\n" + new String(output, StandardCharsets.UTF_8));
    Path rebuilt = copy.resolve("impl/target/bkv-impl.jar");
    String expected = JarHash.of(built).toHex();
    String actual = JarHash.of(rebuilt).toHex();
    System.out.printf("[jar] rebuilt impl in %.1f s: sha256 %s (checkout %s)%n",
        (System.nanoTime() - started) / 1e9, actual, expected);
    assertEquals(expected, actual, "the rebuilt jar differs; entries that differ: " + differences(built, rebuilt));
  }

  /** The root pom, every module's pom, and impl's main sources and resources: all a jar is built from. */
  static void copySources(Path root, Path target) throws IOException {
    Files.copy(root.resolve("pom.xml"), target.resolve("pom.xml"));
    try (Stream<Path> modules = Files.list(root)) {
      for (Path module : modules.filter(p -> Files.isRegularFile(p.resolve("pom.xml"))).toList()) {
        Path to = Files.createDirectories(target.resolve(module.getFileName().toString()));
        Files.copy(module.resolve("pom.xml"), to.resolve("pom.xml"));
      }
    }
    Path main = root.resolve("impl/src/main");
    try (Stream<Path> files = Files.walk(main)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        Path to = target.resolve("impl/src/main").resolve(main.relativize(file).toString());
        Files.createDirectories(to.getParent());
        Files.copy(file, to);
      }
    }
  }

  static Path checkoutRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isRegularFile(dir.resolve(".ci/run"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new AssertionError("no checkout (.ci/run) above " + Path.of("").toAbsolutePath());
    }
    return dir;
  }

  static Optional<Path> onPath(String name) {
    for (String entry : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path candidate = Path.of(entry, name);
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  private static List<String> differences(Path a, Path b) throws IOException {
    Map<String, String> left = entries(a);
    Map<String, String> right = entries(b);
    List<String> differ = new ArrayList<>();
    for (String name : left.keySet()) {
      if (!left.get(name).equals(right.get(name))) {
        differ.add(name);
      }
    }
    right.keySet().stream().filter(n -> !left.containsKey(n)).forEach(differ::add);
    return differ;
  }

  /** Each entry's name with its size, time and SHA-256, so metadata differences show too. */
  private static Map<String, String> entries(Path jar) throws IOException {
    Map<String, String> entries = new TreeMap<>();
    try (JarFile file = new JarFile(jar.toFile())) {
      for (JarEntry entry : java.util.Collections.list(file.entries())) {
        try (InputStream in = file.getInputStream(entry)) {
          entries.put(entry.getName(), entry.getTime() + " " + dev.bkv.crypto.Sha256Digest.of(in.readAllBytes()).toHex());
        }
      }
    }
    return entries;
  }
}
