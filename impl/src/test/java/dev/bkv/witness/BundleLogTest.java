package dev.bkv.witness;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.base.Hex;
import dev.bkv.crypto.Sha256;
import dev.bkv.tlog.CheckpointPolicy;
import dev.bkv.tlog.Checkpoint;
import dev.bkv.tlog.Hash;
import dev.bkv.tlog.SignedNote;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The witness's own bundle log: receipts that verify, idempotent appends, recovery from a
 * crash at every durable step and from torn tails of every length without dropping a byte,
 * and a refusal that changes nothing on disk when the files lost, altered or rolled back
 * acknowledged entries.
 */
class BundleLogTest {
  @TempDir Path dir;

  private WitnessKeys keys;

  private BundleLog open(CrashPoints crash) throws Exception {
    if (keys == null) {
      keys = WitnessFixtures.init(dir);
    }
    return BundleLog.open(dir, keys, crash);
  }

  private CheckpointPolicy policy() {
    return CheckpointPolicy.logOnly(keys.origin(), keys.log().verifier());
  }

  private static byte[] bundle(int i) {
    return ("bkv validation bundle " + i + "\n").getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void whenBundlesAreAppended_thenEachReceiptVerifiesAndSurvivesRestart() throws Exception {
    List<BundleReceipt> receipts = new ArrayList<>();
    try (BundleLog log = open(CrashPoints.NONE)) {
      assertEquals(0, log.size());
      assertEquals(0, Checkpoint.parse(log.checkpoint().text()).size(), "a new log serves a size-0 checkpoint");
      for (int i = 0; i < 20; i++) {
        receipts.add(log.append(bundle(i)));
      }
    }
    for (int i = 0; i < 20; i++) {
      BundleReceipt receipt = BundleReceipt.parse(receipts.get(i).toBytes());
      assertEquals(i, receipt.index());
      var verdict = receipt.verify(bundle(i), keys.bundle().verifier(), policy());
      assertTrue(verdict.isVerified(), verdict.reasonOrEmpty());
      assertFalse(receipt.verify(bundle(i + 1), keys.bundle().verifier(), policy()).isVerified(), "another bundle");
    }
    try (BundleLog reopened = open(CrashPoints.NONE)) {
      assertEquals(20, reopened.size());
      assertArrayEquals(bundle(7), reopened.entry(7));
      assertEquals(receipts.get(19).proof().checkpoint(), reopened.checkpoint());
    }
  }

  @Test
  void whenABundleIsSentTwice_thenItIsLoggedOnce() throws Exception {
    try (BundleLog log = open(CrashPoints.NONE)) {
      log.append(bundle(0));
      BundleReceipt first = log.append(bundle(1));
      log.append(bundle(2));
      BundleReceipt again = log.append(bundle(1));
      assertEquals(3, log.size());
      assertEquals(first.index(), again.index());
      assertEquals(3, Checkpoint.parse(again.proof().checkpoint().text()).size(), "proved in the current checkpoint");
      assertTrue(again.verify(bundle(1), keys.bundle().verifier(), policy()).isVerified());
    }
  }

  @Test
  void whenABundleIsEmptyOrTooLong_thenItIsRefusedBeforeAnyWrite() throws Exception {
    try (BundleLog log = open(CrashPoints.NONE)) {
      assertThrows(IllegalArgumentException.class, () -> log.append(new byte[0]));
      assertThrows(IllegalArgumentException.class, () -> log.append(new byte[BundleLog.BUNDLE_BYTES_MAX + 1]));
      log.append(new byte[BundleLog.BUNDLE_BYTES_MAX]);
      assertEquals(1, log.size());
    }
  }

  @Test
  void whenACrashHitsEachDurableStep_thenRecoveryFinishesTheForcedAppendAndLogsNothingTwice() throws Exception {
    for (CrashPoints.Point point : CrashPoints.Point.values()) {
      Path crashDir = dir.resolve(point.name());
      keys = WitnessFixtures.init(crashDir);
      try (BundleLog log = BundleLog.open(crashDir, keys, CrashPoints.NONE)) {
        log.append(bundle(0));
        log.append(bundle(1));
      }
      CrashPoints crashAt = reached -> {
        if (reached == point) {
          throw new IOException("simulated crash at " + point);
        }
      };
      try (BundleLog log = BundleLog.open(crashDir, keys, crashAt)) {
        assertThrows(IOException.class, () -> log.append(bundle(2)), point.name());
        IOException stopped = assertThrows(IOException.class, () -> log.append(bundle(3)));
        assertTrue(stopped.getMessage().contains("restart"), stopped.getMessage());
      }
      // Every point comes after the record was written (a crash of the process keeps what
      // it wrote; a power cut before the force may not, see BundleLogGroupCommitTest):
      // recovery covers it with a checkpoint (the renamed one, or an identical one signed
      // again) instead of dropping it.
      try (BundleLog log = BundleLog.open(crashDir, keys, CrashPoints.NONE)) {
        assertEquals(3, log.size(), point.name());
        assertFalse(Files.exists(crashDir.resolve("log/checkpoint.tmp")), "leftover temporary removed");
        BundleReceipt retried = log.append(bundle(2));
        assertEquals(2, retried.index(), point + ": the retried bundle is logged once, at index 2");
        assertEquals(3, log.size());
        assertEquals(recordsBytes(3), Files.size(crashDir.resolve("log/entries")), "no record twice on disk");
      }
    }
  }

  @Test
  void whenTheEntriesFileHasATornTail_thenEveryLengthOfItIsSetAsideNotDropped() throws Exception {
    try (BundleLog log = open(CrashPoints.NONE)) {
      log.append(bundle(0));
      log.append(bundle(1));
    }
    Path entries = dir.resolve("log/entries");
    long committedBytes = Files.size(entries);
    byte[] record = record(bundle(2));
    for (int torn = 1; torn < record.length; torn++) {
      try (FileChannel channel = FileChannel.open(entries, StandardOpenOption.WRITE)) {
        channel.write(ByteBuffer.wrap(record, 0, torn), committedBytes);
      }
      try (BundleLog log = open(CrashPoints.NONE)) {
        assertEquals(2, log.size(), "torn tail of " + torn + " bytes");
      }
      assertEquals(committedBytes, Files.size(entries), "cut back to the committed records");
      assertEquals(List.of(Hex.encode(Arrays.copyOf(record, torn))), setAside(), "torn tail of " + torn + " bytes kept aside");
    }
    // The whole record is no torn tail: it was forced, so it is covered, not set aside.
    try (FileChannel channel = FileChannel.open(entries, StandardOpenOption.WRITE)) {
      channel.write(ByteBuffer.wrap(record), committedBytes);
    }
    try (BundleLog log = open(CrashPoints.NONE)) {
      assertEquals(3, log.size());
      assertArrayEquals(bundle(2), log.entry(2));
    }
  }

  @Test
  void whenTheCheckpointFileIsDeleted_thenTheLogRefusesNamingItAndChangesNothing() throws Exception {
    appendAndClose(ENTRIES);
    Files.delete(dir.resolve("log/checkpoint"));
    Map<String, String> before = snapshot();
    IOException e = assertThrows(IOException.class, () -> open(CrashPoints.NONE));
    assertEquals("witness log: log/checkpoint is missing but log/entries holds " + ENTRIES
        + " entries; restore log/checkpoint from a backup", e.getMessage());
    assertEquals(before, snapshot(), "a refusal writes nothing");
  }

  @Test
  void whenTheWholeWitnessIsOpenedOnARefusedLog_thenItWritesNothingEither() throws Exception {
    // The witness opens its other parts around the log; none may create its files first.
    appendAndClose(ENTRIES);
    Files.delete(dir.resolve("log/checkpoint"));
    Map<String, String> before = snapshot();
    IOException e = assertThrows(IOException.class,
        () -> Witness.open(dir, () -> 1_767_225_600L, CrashPoints.NONE));
    assertTrue(e.getMessage().startsWith("witness log: log/checkpoint is missing"), e.getMessage());
    assertEquals(before, snapshot(), "a refusal writes nothing");
  }

  @Test
  void whenAnOlderCheckpointIsPutBack_thenTheLogRefusesNamingItAndChangesNothing() throws Exception {
    // More records past the checkpoint than one group commit writes cannot come from a crash.
    appendAndClose(5);
    byte[] older = Files.readAllBytes(dir.resolve("log/checkpoint"));
    int entries = 5 + GroupCommit.GROUP_ENTRIES_MAX + 1;
    appendAndClose(entries);
    Files.write(dir.resolve("log/checkpoint"), older);
    Map<String, String> before = snapshot();
    IOException e = assertThrows(IOException.class, () -> open(CrashPoints.NONE));
    assertEquals("witness log: log/checkpoint covers 5 entries but log/entries holds " + entries + " entries,"
        + " more than one group commit past it; log/checkpoint is older than the entries:"
        + " restore the latest log/checkpoint from a backup", e.getMessage());
    assertEquals(before, snapshot(), "a refusal writes nothing");
  }

  @Test
  void whenTheCheckpointIsOneAppendOlder_thenTheSameCheckpointIsSignedAgain() throws Exception {
    appendAndClose(ENTRIES - 1);
    byte[] older = Files.readAllBytes(dir.resolve("log/checkpoint"));
    appendAndClose(ENTRIES);
    byte[] latest = Files.readAllBytes(dir.resolve("log/checkpoint"));
    // Indistinguishable from a crash between the append and its checkpoint, and harmless:
    // Ed25519 is deterministic, so the recovered checkpoint is the acknowledged one, byte for byte.
    Files.write(dir.resolve("log/checkpoint"), older);
    try (BundleLog log = open(CrashPoints.NONE)) {
      assertEquals(ENTRIES, log.size());
    }
    assertArrayEquals(latest, Files.readAllBytes(dir.resolve("log/checkpoint")));
  }

  @Test
  void whenTheEntriesFileIsDeletedOrHasMoreThanAGroupOfGarbage_thenTheLogRefusesAndChangesNothing() throws Exception {
    appendAndClose(2);
    Path entries = dir.resolve("log/entries");
    byte[] kept = Files.readAllBytes(entries);
    Files.delete(entries);
    Map<String, String> before = snapshot();
    IOException missing = assertThrows(IOException.class, () -> open(CrashPoints.NONE));
    assertEquals("witness log: log/entries is missing but log/checkpoint covers 2 entries;"
        + " restore log/entries from a backup", missing.getMessage());
    assertEquals(before, snapshot());
    byte[] garbage = Arrays.copyOf(kept, kept.length + LogRecovery.TAIL_BYTES_MAX + 1);
    Files.write(entries, garbage);
    IOException tooLong = assertThrows(IOException.class, () -> open(CrashPoints.NONE));
    assertTrue(tooLong.getMessage().startsWith("witness log: log/checkpoint covers 2 entries but log/entries holds 2 entries and "
        + (LogRecovery.TAIL_BYTES_MAX + 1) + " bytes that are not an entry"), tooLong.getMessage());
    assertArrayEquals(garbage, Files.readAllBytes(entries));
  }

  /** Entries in the refusal tests: enough to be a real log, few enough to stay fast. */
  private static final int ENTRIES = 20;

  private void appendAndClose(int size) throws Exception {
    try (BundleLog log = open(CrashPoints.NONE)) {
      for (int i = (int) log.size(); i < size; i++) {
        log.append(bundle(i));
      }
    }
  }

  /** Every file under the witness directory with its SHA-256, to show a refusal wrote nothing. */
  private Map<String, String> snapshot() throws IOException {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        files.put(dir.relativize(p).toString(), Files.isRegularFile(p) ? Hex.encode(Sha256.hash(Files.readAllBytes(p))) : "dir");
      }
    }
    return files;
  }

  /** The contents (hex) of the torn records set aside so far, which are then removed. */
  private List<String> setAside() throws IOException {
    try (Stream<Path> files = Files.list(dir.resolve("log"))) {
      List<Path> aside = files.filter(p -> p.getFileName().toString().startsWith("entries.unacknowledged-2-")).sorted().toList();
      List<String> contents = new ArrayList<>();
      for (Path p : aside) {
        contents.add(Hex.encode(Files.readAllBytes(p)));
        Files.delete(p);
      }
      return contents;
    }
  }

  @Test
  void whenACommittedEntryIsCorrupted_thenTheLogRefusesToOpen() throws Exception {
    try (BundleLog log = open(CrashPoints.NONE)) {
      log.append(bundle(0));
      log.append(bundle(1));
    }
    Path entries = dir.resolve("log/entries");
    byte[] bytes = Files.readAllBytes(entries);
    bytes[6] ^= 1;
    Files.write(entries, bytes);
    Map<String, String> before = snapshot();
    IOException e = assertThrows(IOException.class, () -> open(CrashPoints.NONE));
    assertEquals("witness log: log/checkpoint covers 2 entries but log/entries holds only 0 entries and "
        + Files.size(entries) + " bytes that are not an entry; restore log/entries from a backup", e.getMessage());
    assertEquals(before, snapshot());
  }

  @Test
  void whenCommittedEntriesAreMissing_thenTheLogRefusesToOpen() throws Exception {
    try (BundleLog log = open(CrashPoints.NONE)) {
      log.append(bundle(0));
      log.append(bundle(1));
    }
    Path entries = dir.resolve("log/entries");
    try (FileChannel channel = FileChannel.open(entries, StandardOpenOption.WRITE)) {
      channel.truncate(recordsBytes(1));
    }
    IOException e = assertThrows(IOException.class, () -> open(CrashPoints.NONE));
    assertEquals("witness log: log/checkpoint covers 2 entries but log/entries holds only 1 entry;"
        + " restore log/entries from a backup", e.getMessage());
  }

  @Test
  void whenTheCheckpointFileIsNotSignedByTheLogKey_thenTheLogRefusesToOpen() throws Exception {
    try (BundleLog log = open(CrashPoints.NONE)) {
      log.append(bundle(0));
    }
    Path checkpoint = dir.resolve("log/checkpoint");
    SignedNote note = SignedNote.parse(Files.readAllBytes(checkpoint));
    String forged = note.text().replace("\n1\n", "\n2\n");
    Files.writeString(checkpoint, new SignedNote(forged, note.signatures()).format());
    IOException e = assertThrows(IOException.class, () -> open(CrashPoints.NONE));
    assertTrue(e.getMessage().startsWith("witness log: log/checkpoint is not a checkpoint of "), e.getMessage());
  }

  @Test
  void whenTilesAreRead_thenTheyMatchTheTreeAndEntriesReadBack() throws Exception {
    try (BundleLog log = open(CrashPoints.NONE)) {
      for (int i = 0; i < 300; i++) {
        log.append(bundle(i));
      }
      assertEquals(256 * Hash.BYTES, log.tile(dev.bkv.tlog.TilePath.hashes(0, 0, 256)).orElseThrow().length);
      assertEquals(44 * Hash.BYTES, log.tile(dev.bkv.tlog.TilePath.hashes(0, 1, 44)).orElseThrow().length);
      assertTrue(log.tile(dev.bkv.tlog.TilePath.hashes(0, 1, 45)).isEmpty());
      byte[] entries = log.tile(dev.bkv.tlog.TilePath.entryBundle(1, 44)).orElseThrow();
      assertArrayEquals(bundle(299), dev.bkv.tlog.Tiles.decodeEntryBundle(entries, 44).get(43));
    }
  }

  static byte[] record(byte[] bundle) {
    ByteBuffer out = ByteBuffer.allocate(4 + bundle.length + Hash.BYTES);
    out.putInt(bundle.length).put(bundle).put(dev.bkv.tlog.Rfc6962.leafHash(bundle).toBytes());
    return out.array();
  }

  private static long recordsBytes(int count) {
    long total = 0;
    for (int i = 0; i < count; i++) {
      total += record(bundle(i)).length;
    }
    return total;
  }
}
