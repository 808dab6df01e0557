package dev.bkv.storage;

import static dev.bkv.storage.LogFixtures.entries;
import static dev.bkv.storage.LogFixtures.open;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real-file disk, with real fsyncs, does what the interface says, and carries a sealed log across reopen. */
class FileDiskTest {
  @TempDir Path dir;

  @Test
  void file_operations_do_what_the_interface_says() throws Exception {
    FileDisk disk = new FileDisk(dir.resolve("host"));
    assertEquals(Optional.empty(), disk.read("a", 10));
    disk.append("a", new byte[] {1, 2});
    disk.append("a", new byte[] {3});
    disk.sync("a");
    assertArrayEquals(new byte[] {1, 2, 3}, disk.read("a", 10).orElseThrow());
    disk.truncate("a", 1);
    assertArrayEquals(new byte[] {1}, disk.read("a", 10).orElseThrow());
    disk.replaceAtomically("b", new byte[] {4});
    Files.write(disk.dir().resolve("c.tmp"), new byte[] {0});
    assertEquals(List.of("a", "b"), disk.list(), "temporaries are not content");
    disk.delete("a");
    disk.delete("a");
    assertEquals(List.of("b"), disk.list());
    StorageException missing = assertThrows(StorageException.class, () -> disk.truncate("a", 0));
    assertTrue(missing.getMessage().contains("a: no such file") || missing.getMessage().contains("/a"), missing.getMessage());
    assertEquals(StorageException.Kind.TOO_LARGE, assertThrows(StorageException.class, () -> disk.read("b", 0)).kind());
    assertThrows(IllegalArgumentException.class, () -> disk.append("../escape", new byte[0]));
  }

  @Test
  void a_sealed_log_on_real_files_survives_reopen_and_compaction() throws StorageException {
    FileDisk disk = new FileDisk(dir);
    SealedLog log = open(disk);
    for (int i = 0; i < 15; i++) {
      log.write(i, entries(1, i + 1, 1));
    }
    log.write(10, entries(2, 11, 2));
    log.compact(new SnapshotImage(8, 1, new byte[] {8}));
    LogImage image = open(new FileDisk(dir)).image();
    assertTrue(image.clean(), image.damage().orElse(""));
    assertEquals(9, image.firstIndex());
    List<LogRecord> want = new java.util.ArrayList<>(entries(1, 9, 2));
    want.addAll(entries(2, 11, 2));
    assertEquals(want, image.entries());
  }
}
