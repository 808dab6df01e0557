package dev.bkv.evidence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.crypto.Sha256Digest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The vault jar hash: SHA-256 of the file streamed in chunks, and a clear error when no jar is known. */
class JarHashTest {
  @TempDir Path dir;

  @Test
  void the_hash_is_the_sha256_of_the_whole_file_across_buffer_boundaries() throws Exception {
    byte[] content = new byte[3 * 64 * 1024 + 17];
    for (int i = 0; i < content.length; i++) {
      content[i] = (byte) (i * 31);
    }
    Path jar = dir.resolve("a.jar");
    Files.write(jar, content);
    assertEquals(Sha256Digest.of(content), JarHash.of(jar));
    assertEquals(Sha256Digest.fromHex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855").orElseThrow(),
        JarHash.of(Files.write(dir.resolve("empty.jar"), new byte[0])), "SHA-256 of nothing (FIPS 180-4 example)");
  }

  @Test
  void a_missing_jar_or_a_classes_directory_is_an_error_that_says_what_to_do() {
    assertTrue(assertThrows(IOException.class, () -> JarHash.of(dir.resolve("none.jar"))).getMessage().contains("not a file"));
    assertTrue(assertThrows(IOException.class, () -> JarHash.of(dir)).getMessage().contains("not a file"));
    // Tests run from target/classes, not from a jar.
    assertEquals(Optional.empty(), JarHash.runningJar());
    assertTrue(assertThrows(IOException.class, () -> JarHash.locate(Optional.empty())).getMessage().contains("--jar"));
    assertEquals(dir, assertDoesNotThrowLocate(dir));
  }

  private static Path assertDoesNotThrowLocate(Path explicit) {
    try {
      return JarHash.locate(Optional.of(explicit));
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void a_jar_of_exactly_the_size_limit_is_hashed_and_one_byte_more_is_refused_unread() throws Exception {
    Path atLimit = dir.resolve("at-limit.jar");
    try (java.io.RandomAccessFile file = new java.io.RandomAccessFile(atLimit.toFile(), "rw")) {
      file.setLength(JarHash.JAR_BYTES_MAX); // sparse: the zeros cost no disk
    }
    assertEquals(64, JarHash.of(atLimit).toHex().length());
    try (java.io.RandomAccessFile file = new java.io.RandomAccessFile(atLimit.toFile(), "rw")) {
      file.setLength(JarHash.JAR_BYTES_MAX + 1);
    }
    assertEquals(atLimit + " is " + (JarHash.JAR_BYTES_MAX + 1) + " bytes, more than " + JarHash.JAR_BYTES_MAX,
        assertThrows(IOException.class, () -> JarHash.of(atLimit)).getMessage());
  }
}
