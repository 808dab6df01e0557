package dev.bkv.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A mirrored log read from a directory: only paths inside it, and no file longer than asked. */
class DirectoryTileFetcherTest {
  @TempDir Path tmp;

  @Test
  void pathsStayInsideTheLogDirectory() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("log"));
    Files.writeString(tmp.resolve("secret"), "key\n");
    Files.createDirectories(root.resolve("tile"));
    Files.writeString(root.resolve("checkpoint"), "c\n");
    DirectoryTileFetcher fetcher = new DirectoryTileFetcher(root);
    for (String escaping : new String[] {"../secret", "tile/../../secret", tmp.resolve("secret").toString(),
        "tile/../checkpoint"}) {
      assertEquals("log path escapes the log directory: " + escaping,
          assertThrows(IOException.class, () -> fetcher.fetch(escaping, 100)).getMessage());
    }
    assertArrayEquals("c\n".getBytes(), fetcher.fetch("checkpoint", 100));
    assertEquals("no tile/0 in " + root.toAbsolutePath().normalize(),
        assertThrows(IOException.class, () -> fetcher.fetch("tile/0", 100)).getMessage());
  }

  @Test
  void aFileIsReadUpToItsLimit_andRefusedOnePast() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("log"));
    Files.write(root.resolve("entries"), new byte[] {1, 2, 3});
    DirectoryTileFetcher fetcher = new DirectoryTileFetcher(root);
    assertArrayEquals(new byte[] {1, 2, 3}, fetcher.fetch("entries", 3));
    assertEquals("entries is longer than 2 bytes",
        assertThrows(IOException.class, () -> fetcher.fetch("entries", 2)).getMessage());
  }
}
