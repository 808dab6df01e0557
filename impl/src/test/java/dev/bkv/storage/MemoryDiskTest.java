package dev.bkv.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The simulator's disk loses exactly what a power cut loses, tears where told, and hands back copies. */
class MemoryDiskTest {
  @Test
  void a_crash_loses_unsynced_tails_and_files_never_synced() throws StorageException {
    MemoryDisk disk = new MemoryDisk();
    disk.append("a", new byte[] {1, 2});
    disk.sync("a");
    disk.append("a", new byte[] {3});
    disk.append("b", new byte[] {4});
    disk.replaceAtomically("c", new byte[] {5});
    assertEquals(5, disk.bytesStored());
    disk.crash();
    assertEquals(List.of("a", "c"), disk.list());
    assertArrayEquals(new byte[] {1, 2}, disk.read("a", 10).orElseThrow());
  }

  @Test
  void a_torn_write_keeps_part_of_one_tail_then_garbage() throws StorageException {
    MemoryDisk disk = new MemoryDisk();
    disk.append("a", new byte[] {1});
    disk.sync("a");
    disk.append("a", new byte[] {2, 3, 4});
    disk.append("b", new byte[] {9});
    disk.crashTorn("a", 1, new byte[] {7, 7});
    assertArrayEquals(new byte[] {1, 2, 7, 7}, disk.read("a", 10).orElseThrow());
    assertEquals(List.of("a"), disk.list());
    assertThrows(IllegalArgumentException.class, () -> disk.crashTorn("a", 1, new byte[0]), "nothing unsynced is left");
  }

  @Test
  void flips_truncation_and_copies_behave_like_a_host_would() throws StorageException {
    MemoryDisk disk = new MemoryDisk();
    disk.append("a", new byte[] {0, 0});
    disk.sync("a");
    MemoryDisk.Image copy = disk.copy();
    disk.flipBit("a", 9);
    assertArrayEquals(new byte[] {0, 2}, disk.read("a", 10).orElseThrow());
    disk.truncate("a", 1);
    disk.crash();
    assertArrayEquals(new byte[] {0}, disk.read("a", 10).orElseThrow());
    disk.restore(copy);
    assertArrayEquals(new byte[] {0, 0}, disk.read("a", 10).orElseThrow());
    assertEquals(StorageException.Kind.TOO_LARGE, assertThrows(StorageException.class, () -> disk.read("a", 1)).kind());
    assertTrue(assertThrows(StorageException.class, () -> disk.sync("zz")).getMessage().contains("zz"));
    assertThrows(IllegalArgumentException.class, () -> disk.append("../x", new byte[0]));
  }
}
