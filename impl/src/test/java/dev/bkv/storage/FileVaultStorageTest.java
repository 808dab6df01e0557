package dev.bkv.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.base.Check;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The on-disk log and snapshot: durability across reopen, crash leftovers, and typed errors for damage. */
class FileVaultStorageTest {
  @TempDir Path dir;

  static byte[] blob(long version) {
    byte[] bytes = new byte[40 + (int) (version % 7)];
    Arrays.fill(bytes, (byte) version);
    return bytes;
  }

  FileVaultStorage appended(long count) throws StorageException {
    FileVaultStorage storage = FileVaultStorage.open(dir);
    storage.load();
    for (long v = 1; v <= count; v++) {
      storage.append(v, blob(v));
    }
    return storage;
  }

  static void assertLog(VaultStorage.Contents contents, long first, long last) {
    assertEquals(last - first + 1, contents.log().size());
    for (int i = 0; i < contents.log().size(); i++) {
      assertEquals(first + i, contents.log().get(i).version());
      assertArrayEquals(blob(first + i), contents.log().get(i).sealed());
    }
  }

  List<Path> segments() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().endsWith(".seg")).sorted().collect(Collectors.toList());
    }
  }

  @Test
  void entries_survive_reopening() throws StorageException {
    appended(5);
    VaultStorage.Contents contents = FileVaultStorage.open(dir).load();
    assertTrue(contents.snapshot().isEmpty());
    assertLog(contents, 1, 5);
    assertEquals(0, contents.tornTailBytes());
    assertEquals(5, contents.lastVersion());
  }

  @Test
  void snapshot_replaces_the_log_it_covers() throws Exception {
    FileVaultStorage storage = appended(4);
    storage.writeSnapshot(4, blob(100));
    assertTrue(segments().isEmpty(), "covered segments removed");
    storage.append(5, blob(5));
    storage.append(6, blob(6));
    VaultStorage.Contents contents = FileVaultStorage.open(dir).load();
    assertEquals(4, contents.snapshot().orElseThrow().version());
    assertArrayEquals(blob(100), contents.snapshot().orElseThrow().sealed());
    assertLog(contents, 5, 6);
  }

  @Test
  void segments_left_by_a_crash_during_snapshot_are_recognised_as_covered() throws Exception {
    FileVaultStorage storage = appended(3);
    Path oldSegment = segments().get(0);
    byte[] saved = Files.readAllBytes(oldSegment);
    storage.writeSnapshot(3, blob(100));
    // The crash came after the snapshot rename, before the segment was removed.
    Files.write(oldSegment, saved);
    FileVaultStorage reopened = FileVaultStorage.open(dir);
    VaultStorage.Contents contents = reopened.load();
    assertTrue(contents.log().isEmpty());
    assertFalse(Files.exists(oldSegment));
    reopened.append(4, blob(4));
    assertLog(FileVaultStorage.open(dir).load(), 4, 4);
  }

  @Test
  void torn_tail_is_reported_and_overwritten_by_the_next_append() throws Exception {
    appended(3);
    Path segment = segments().get(0);
    long size = Files.size(segment);
    try (RandomAccessFile file = new RandomAccessFile(segment.toFile(), "rw")) {
      file.setLength(size - 5); // the last entry lost its final 5 bytes
    }
    FileVaultStorage reopened = FileVaultStorage.open(dir);
    VaultStorage.Contents contents = reopened.load();
    assertLog(contents, 1, 2);
    assertTrue(contents.tornTailBytes() > 0);
    reopened.append(3, blob(3));
    VaultStorage.Contents after = FileVaultStorage.open(dir).load();
    assertLog(after, 1, 3);
    assertEquals(0, after.tornTailBytes());
  }

  @Test
  void zero_filled_tail_counts_as_torn() throws Exception {
    appended(2);
    Path segment = segments().get(0);
    try (RandomAccessFile file = new RandomAccessFile(segment.toFile(), "rw")) {
      file.setLength(Files.size(segment) + 64);
    }
    VaultStorage.Contents contents = FileVaultStorage.open(dir).load();
    assertLog(contents, 1, 2);
    assertEquals(64, contents.tornTailBytes());
  }

  static byte[] segmentHeader(long firstVersion) {
    return java.nio.ByteBuffer.allocate(16).put(FileVaultStorage.SEGMENT_MAGIC).putLong(firstVersion).array();
  }

  /** A crash can cut the header inside its magic or inside its first version: either way the creation was torn. */
  @ParameterizedTest
  @ValueSource(ints = {5, 12})
  void a_segment_torn_while_being_created_is_dropped(int bytesWritten) throws Exception {
    appended(2).writeSnapshot(2, blob(100));
    Path torn = dir.resolve(String.format("log-%020d.seg", 3));
    Files.write(torn, Arrays.copyOf(segmentHeader(3), bytesWritten));
    FileVaultStorage reopened = FileVaultStorage.open(dir);
    VaultStorage.Contents contents = reopened.load();
    assertEquals(bytesWritten, contents.tornTailBytes());
    assertEquals(2, contents.lastVersion());
    reopened.append(3, blob(3));
    assertLog(FileVaultStorage.open(dir).load(), 3, 3);
    // A full header with the wrong magic is not a torn creation but damage.
    Files.write(dir.resolve(String.format("log-%020d.seg", 4)), "BKVLOGXX".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    assertEquals(StorageException.Kind.CORRUPT, loadError().kind());
    // Nor is part of another version than the segment's name.
    Files.write(dir.resolve(String.format("log-%020d.seg", 4)), Arrays.copyOf(segmentHeader(4L << 32), 12));
    assertEquals(StorageException.Kind.CORRUPT, loadError().kind());
  }

  @Test
  void segments_roll_over_and_reload_in_order() throws Exception {
    FileVaultStorage storage = FileVaultStorage.open(dir, 200);
    storage.load();
    for (long v = 1; v <= 12; v++) {
      storage.append(v, blob(v));
    }
    assertTrue(segments().size() > 3, "small segments force rollover");
    assertLog(FileVaultStorage.open(dir).load(), 1, 12);
  }

  @Test
  void a_missing_middle_segment_is_corruption() throws Exception {
    FileVaultStorage storage = FileVaultStorage.open(dir, 200);
    storage.load();
    for (long v = 1; v <= 12; v++) {
      storage.append(v, blob(v));
    }
    Files.delete(segments().get(1));
    StorageException e = assertThrows(StorageException.class, () -> FileVaultStorage.open(dir).load());
    assertEquals(StorageException.Kind.CORRUPT, e.kind());
  }

  @Test
  void damage_inside_an_older_segment_is_corruption_not_a_torn_tail() throws Exception {
    FileVaultStorage storage = FileVaultStorage.open(dir, 200);
    storage.load();
    for (long v = 1; v <= 12; v++) {
      storage.append(v, blob(v));
    }
    Path first = segments().get(0);
    try (RandomAccessFile file = new RandomAccessFile(first.toFile(), "rw")) {
      file.setLength(Files.size(first) - 3);
    }
    assertEquals(StorageException.Kind.CORRUPT,
        assertThrows(StorageException.class, () -> FileVaultStorage.open(dir).load()).kind());
  }

  @Test
  void bad_headers_and_snapshots_are_typed_errors() throws Exception {
    appended(2).writeSnapshot(2, blob(9));
    Path snapshot = dir.resolve(FileVaultStorage.SNAPSHOT_FILE);
    byte[] good = Files.readAllBytes(snapshot);
    Files.write(snapshot, Arrays.copyOf(good, good.length - 1));
    assertEquals(StorageException.Kind.CORRUPT, loadError().kind());
    Files.write(snapshot, Arrays.copyOf(good, 10));
    assertEquals(StorageException.Kind.CORRUPT, loadError().kind());
    byte[] badMagic = good.clone();
    badMagic[0] = 'X';
    Files.write(snapshot, badMagic);
    assertEquals(StorageException.Kind.CORRUPT, loadError().kind());
    Files.write(snapshot, good);
    Files.write(dir.resolve(String.format("log-%020d.seg", 3)), "BKVLOG0X".getBytes());
    assertEquals(StorageException.Kind.CORRUPT, loadError().kind());
    byte[] wrongFirst = segmentHeader(4);
    Files.write(dir.resolve(String.format("log-%020d.seg", 3)), wrongFirst);
    assertEquals(StorageException.Kind.CORRUPT, loadError().kind());
  }

  @Test
  void an_oversized_snapshot_is_refused_unread() throws Exception {
    try (RandomAccessFile file = new RandomAccessFile(dir.resolve(FileVaultStorage.SNAPSHOT_FILE).toFile(), "rw")) {
      file.setLength(VaultStorage.SEALED_BLOB_BYTES_MAX + 1024L); // sparse: costs no disk
    }
    assertEquals(StorageException.Kind.TOO_LARGE, loadError().kind());
  }

  StorageException loadError() {
    return assertThrows(StorageException.class, () -> FileVaultStorage.open(dir).load());
  }

  @Test
  void truncate_after_drops_later_entries_across_segments() throws Exception {
    FileVaultStorage storage = FileVaultStorage.open(dir, 200);
    storage.load();
    for (long v = 1; v <= 12; v++) {
      storage.append(v, blob(v));
    }
    storage.truncateAfter(7);
    storage.append(8, blob(8));
    assertLog(FileVaultStorage.open(dir).load(), 1, 8);
  }

  @Test
  void misuse_trips_invariant_checks() throws Exception {
    FileVaultStorage unloaded = FileVaultStorage.open(dir);
    assertThrows(Check.InvariantViolation.class, () -> unloaded.append(1, blob(1)));
    FileVaultStorage storage = appended(2);
    assertThrows(Check.InvariantViolation.class, () -> storage.append(4, blob(4)));
    assertThrows(Check.InvariantViolation.class, () -> storage.append(2, blob(2)));
    assertThrows(Check.InvariantViolation.class, () -> storage.writeSnapshot(1, blob(1)));
    assertThrows(Check.InvariantViolation.class, () -> storage.append(3, new byte[0]));
  }
}
