package dev.bkv.witness;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The witness's own bundle log: receipts that verify, idempotent appends, and recovery from
 * a crash at every durable step, from torn tails of every length, and refusal to open when
 * the disk lost or altered acknowledged entries.
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
  void whenACrashHitsEachDurableStep_thenRecoveryKeepsExactlyTheCommittedEntries() throws Exception {
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
      // Renamed means the new checkpoint is the committed one; before that, the old one is.
      long committed = point == CrashPoints.Point.RENAMED ? 3 : 2;
      try (BundleLog log = BundleLog.open(crashDir, keys, CrashPoints.NONE)) {
        assertEquals(committed, log.size(), point.name());
        assertFalse(Files.exists(crashDir.resolve("log/checkpoint.tmp")), "leftover temporary removed");
        BundleReceipt retried = log.append(bundle(2));
        assertEquals(2, retried.index(), point + ": the retried bundle is logged once, at index 2");
        assertEquals(3, log.size());
        assertEquals(recordsBytes(3), Files.size(crashDir.resolve("log/entries")), "no record twice on disk");
      }
    }
  }

  @Test
  void whenTheEntriesFileHasATornTail_thenEveryLengthOfItIsDropped() throws Exception {
    try (BundleLog log = open(CrashPoints.NONE)) {
      log.append(bundle(0));
      log.append(bundle(1));
    }
    Path entries = dir.resolve("log/entries");
    long committedBytes = Files.size(entries);
    byte[] record = record(bundle(2));
    for (int torn = 1; torn <= record.length; torn++) {
      try (FileChannel channel = FileChannel.open(entries, StandardOpenOption.WRITE)) {
        channel.write(ByteBuffer.wrap(record, 0, torn), committedBytes);
      }
      try (BundleLog log = open(CrashPoints.NONE)) {
        assertEquals(2, log.size(), "torn tail of " + torn + " bytes");
      }
      assertEquals(committedBytes, Files.size(entries), "truncated back to the committed records");
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
    IOException e = assertThrows(IOException.class, () -> open(CrashPoints.NONE));
    assertTrue(e.getMessage().contains("lost committed entries"), e.getMessage());
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
    assertThrows(IOException.class, () -> open(CrashPoints.NONE));
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
    assertTrue(e.getMessage().contains("checkpoint file is not valid"), e.getMessage());
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

  private static byte[] record(byte[] bundle) {
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
