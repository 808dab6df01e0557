package dev.bkv.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.base.Check;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The NVRAM image format and file, atomic file writes, and the in-memory store. */
class NvramAndMemoryStorageTest {
  @TempDir Path dir;

  @Test
  void nvram_image_round_trips_through_its_file() throws StorageException {
    NvramFile file = new NvramFile(dir.resolve("nvram.bkv"));
    assertEquals(0, file.read().cell(0).counter(), "absent file reads as fresh NVRAM");
    NvramImage image = NvramImage.empty().with(0, new NvramImage.Cell(7, new byte[32])).with(7, new NvramImage.Cell(1, new byte[] {1}));
    file.write(image);
    NvramImage read = file.read();
    assertTrue(read.cell(0).sameAs(image.cell(0)));
    assertTrue(read.cell(7).sameAs(image.cell(7)));
    assertArrayEquals(image.encode(), read.encode());
    assertTrue(image.encode().length <= NvramImage.ENCODED_BYTES_MAX);
  }

  @Test
  void every_damaged_nvram_image_is_a_typed_error() {
    byte[] good = NvramImage.empty().with(3, new NvramImage.Cell(5, new byte[10])).encode();
    for (int length = 0; length < good.length; length++) {
      byte[] truncated = Arrays.copyOf(good, length);
      assertEquals(StorageException.Kind.CORRUPT,
          assertThrows(StorageException.class, () -> NvramImage.decode(truncated)).kind());
    }
    for (int i = 0; i < good.length; i++) {
      byte[] flipped = good.clone();
      flipped[i] ^= 1;
      assertThrows(StorageException.class, () -> NvramImage.decode(flipped), "bit flip at " + i);
    }
    assertThrows(StorageException.class, () -> NvramImage.decode(new byte[NvramImage.ENCODED_BYTES_MAX + 1]));
  }

  @Test
  void nvram_cells_are_bounded() {
    assertThrows(Check.InvariantViolation.class, () -> new NvramImage.Cell(-1, new byte[0]));
    assertThrows(Check.InvariantViolation.class, () -> new NvramImage.Cell(0, new byte[NvramImage.SLOT_BYTES_MAX + 1]));
    assertThrows(Check.InvariantViolation.class, () -> NvramImage.empty().cell(NvramImage.SLOTS));
  }

  @Test
  void atomic_file_replaces_content_whole_and_refuses_oversized_reads() throws Exception {
    Path file = dir.resolve("f");
    assertTrue(AtomicFile.read(file, 10).isEmpty());
    AtomicFile.write(file, new byte[] {1, 2, 3});
    AtomicFile.write(file, new byte[] {4, 5});
    assertArrayEquals(new byte[] {4, 5}, AtomicFile.read(file, 10).orElseThrow());
    assertTrue(Files.notExists(dir.resolve("f.tmp")), "no temporary file left behind");
    assertEquals(StorageException.Kind.TOO_LARGE, assertThrows(StorageException.class, () -> AtomicFile.read(file, 1)).kind());
    assertEquals(StorageException.Kind.IO,
        assertThrows(StorageException.class, () -> AtomicFile.write(dir.resolve("missing/dir/f"), new byte[1])).kind());
  }

  @Test
  void memory_storage_behaves_like_the_file_storage_and_copies_are_independent() {
    MemoryVaultStorage storage = new MemoryVaultStorage();
    storage.append(1, new byte[] {1});
    storage.append(2, new byte[] {2});
    MemoryVaultStorage picture = storage.copy();
    storage.writeSnapshot(2, new byte[] {9});
    storage.append(3, new byte[] {3});
    assertEquals(3, storage.load().lastVersion());
    assertEquals(1, storage.load().log().size());
    assertEquals(2, picture.load().log().size());
    assertTrue(picture.load().snapshot().isEmpty());
    storage.truncateAfter(2);
    assertEquals(2, storage.load().lastVersion());
    assertThrows(Check.InvariantViolation.class, () -> storage.append(4, new byte[] {4}));
    assertThrows(Check.InvariantViolation.class, () -> storage.writeSnapshot(1, new byte[] {4}));
  }
}
