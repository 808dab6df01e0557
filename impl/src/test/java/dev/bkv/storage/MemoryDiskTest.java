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

  /** A file grown past several chunks reads, tears, flips and truncates as one flat array would. */
  @Test
  void a_file_across_many_chunks_behaves_like_one_array() throws StorageException {
    MemoryDisk disk = new MemoryDisk();
    java.util.Random random = new java.util.Random(7);
    java.io.ByteArrayOutputStream model = new java.io.ByteArrayOutputStream();
    int total = 3 * MemoryDisk.CHUNK_BYTES_MAX + 12_345;
    while (model.size() < total) {
      byte[] piece = new byte[1 + random.nextInt(70_000)];
      random.nextBytes(piece);
      disk.append("seg", piece);
      model.write(piece, 0, piece.length);
    }
    disk.sync("seg");
    byte[] expected = model.toByteArray();
    assertArrayEquals(expected, disk.read("seg", Long.MAX_VALUE).orElseThrow());
    long bit = 8L * (2 * MemoryDisk.CHUNK_BYTES_MAX + 5) + 3;
    disk.flipBit("seg", bit);
    expected[(int) (bit >>> 3)] ^= 1 << 3;
    assertArrayEquals(expected, disk.read("seg", Long.MAX_VALUE).orElseThrow());
    int cut = MemoryDisk.CHUNK_BYTES_MAX + 17; // inside a chunk: the later ones go, the rest is rewritten by appends
    disk.truncate("seg", cut);
    disk.append("seg", new byte[] {1, 2, 3});
    disk.crashTorn("seg", 2, new byte[] {9});
    byte[] after = java.util.Arrays.copyOf(expected, cut + 3);
    after[cut] = 1;
    after[cut + 1] = 2;
    after[cut + 2] = 9;
    assertArrayEquals(after, disk.read("seg", Long.MAX_VALUE).orElseThrow());
    disk.truncate("seg", cut + 10);
    byte[] extended = java.util.Arrays.copyOf(after, cut + 10);
    assertArrayEquals(extended, disk.read("seg", Long.MAX_VALUE).orElseThrow(), "extending writes zeros, not old bytes");
  }

  /** The hand-written name check accepts exactly what the documented pattern does. */
  @Test
  void name_check_agrees_with_the_plain_name_pattern() {
    String alphabet = "aZ09_-./ \\:~";
    List<String> names = new java.util.ArrayList<>();
    for (char a : alphabet.toCharArray()) {
      names.add("" + a);
      for (char b : alphabet.toCharArray()) {
        names.add("" + a + b);
        names.add("" + a + b + "x");
      }
    }
    for (String name : names) {
      boolean pattern = Disk.PLAIN_NAME.matcher(name).matches();
      boolean accepted;
      try {
        Disk.checkName(name);
        accepted = true;
      } catch (IllegalArgumentException e) {
        accepted = false;
      }
      assertEquals(pattern, accepted, "name \"" + name + "\"");
    }
  }

  /** Segment names are zero-padded sequence numbers, as String.format wrote them. */
  @Test
  void segment_names_are_padded_as_before() {
    for (long seq : new long[] {0, 1, 9, 10, 12_345, Long.MAX_VALUE, -1}) {
      assertEquals("replog-" + String.format("%020d", seq) + ".seg", SealedLogFormat.segmentName(seq));
    }
  }
}
