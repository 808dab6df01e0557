package dev.bkv.vault;

import static dev.bkv.vault.CodecTest.snapshotField;
import static dev.bkv.vault.VaultMigrationTest.SETUP;
import static dev.bkv.vault.VaultMigrationTest.SOURCE;
import static dev.bkv.vault.VaultMigrationTest.TARGET;
import static dev.bkv.vault.VaultStateTest.ALICE;
import static dev.bkv.vault.VaultStateTest.R1;
import static dev.bkv.vault.VaultStateTest.R2;
import static dev.bkv.vault.VaultStateTest.RECORD;
import static dev.bkv.vault.VaultStateTest.key;
import static dev.bkv.vault.VaultStateTest.user;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.bkv.crypto.DecodeException;
import dev.bkv.testsupport.Guesses;
import dev.bkv.vault.Command.CountGuess;
import dev.bkv.vault.Command.Delete;
import dev.bkv.vault.Command.MigrateIn;
import dev.bkv.vault.Command.MigrateOut;
import dev.bkv.vault.Command.RegisterStore;
import dev.bkv.vault.Response.Reason;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The snapshot decoder's rules one by one, on snapshots written field by field: each format
 * and count limit at the bound and one past it, the order of retired and imported ids, and
 * which migration state makes a snapshot format 3.
 */
class SnapshotDecodingTest {
  /** A STORED record of {@code name} under R1 as the snapshot writes it. */
  static Wire.Writer storedRecord(Wire.Writer out, String name, int maxAttempts, int used, int phase) {
    return out.bytes8(user(name).toBytes()).fixed(R1.toBytes()).bytes16(RECORD).u8(maxAttempts).u8(used).u8(phase);
  }

  static DecodeException refusal(byte[] snapshot) {
    return assertThrows(DecodeException.class, () -> SnapshotCodec.decode(snapshot));
  }

  @Test
  void onlyFormats1To4Decode() {
    for (int format : new int[] {0, 5, 255}) {
      byte[] snapshot = new Wire.Writer().u8(format).u32(0).toBytes();
      assertEquals("snapshot.format: unknown format " + format, refusal(snapshot).getMessage());
    }
  }

  @Test
  void theRecordCountIsAtMostUsersMax() {
    byte[] atMax = new Wire.Writer().u8(1).u32(VaultLimits.USERS_MAX).toBytes();
    assertEquals("snapshot.user_id length", snapshotField(atMax), "at the bound the records are read");
    byte[] overMax = new Wire.Writer().u8(1).u32(VaultLimits.USERS_MAX + 1L).toBytes();
    assertEquals("snapshot.count", snapshotField(overMax));
  }

  @Test
  void theSnapshotSizeIsAtMostSnapshotBytesMax() {
    byte[] atMax = new byte[VaultLimits.SNAPSHOT_BYTES_MAX];
    atMax[0] = 1;
    assertEquals("snapshot: " + (atMax.length - 5) + " trailing bytes", refusal(atMax).getMessage());
    byte[] overMax = new byte[VaultLimits.SNAPSHOT_BYTES_MAX + 1];
    overMax[0] = 1;
    assertEquals("snapshot: 58720257 bytes exceeds 58720256", refusal(overMax).getMessage());
  }

  @Test
  void aRecordMayHaveUsedEveryGuess() throws DecodeException {
    byte[] snapshot = storedRecord(new Wire.Writer().u8(1).u32(1), "alice", 2, 2, Phase.STORED.code).toBytes();
    assertEquals(0, SnapshotCodec.decode(snapshot).record(ALICE).orElseThrow().guessesRemaining());
    assertArrayEquals(snapshot, SnapshotCodec.encode(SnapshotCodec.decode(snapshot)));
  }

  @Test
  void aMigratedRecordNeedsFormat3() {
    for (int format : new int[] {1, 2}) {
      Wire.Writer out = storedRecord(new Wire.Writer().u8(format).u32(1), "alice", 3, 0, Phase.MIGRATED.code)
          .bytes8(key(1).toBytes()).fixed(TARGET.toBytes());
      DecodeException e = refusal(out.toBytes());
      assertEquals("snapshot.phase: a MIGRATED record needs snapshot format 3", e.getMessage());
    }
  }

  @Test
  void format2HoldsAtLeastOneRetiredId_format3MayHoldNone() throws DecodeException {
    byte[] noneRetired = storedRecord(new Wire.Writer().u8(2).u32(1), "alice", 3, 0, 1).u32(0).toBytes();
    assertEquals("snapshot.retired_count", snapshotField(noneRetired));
    VaultState migrated = VaultStateTest.exposed(3);
    migrated.apply(new MigrateOut(ALICE, R1, TARGET));
    byte[] format3 = SnapshotCodec.encode(migrated);
    assertEquals(SnapshotCodec.FORMAT_WITH_MIGRATION, format3[0]);
    assertEquals(0, SnapshotCodec.decode(format3).retired().size());
  }

  @Test
  void recordsAndRetiredIdsTogetherAreAtMostUsersMax() {
    byte[] over = storedRecord(new Wire.Writer().u8(2).u32(1), "alice", 3, 0, 1).u32(VaultLimits.USERS_MAX).toBytes();
    assertEquals("snapshot.retired_count", snapshotField(over));
    byte[] atMax = storedRecord(new Wire.Writer().u8(2).u32(1), "alice", 3, 0, 1).u32(VaultLimits.USERS_MAX - 1)
        .toBytes();
    assertEquals("snapshot.retired_user_id length", snapshotField(atMax), "at the bound the retired ids are read");
  }

  @Test
  void retiredIdsAreInStrictOrderAndNotOfAUserWithARecord() throws DecodeException {
    Wire.Writer ordered = storedRecord(new Wire.Writer().u8(2).u32(1), "alice", 3, 0, 1).u32(2)
        .bytes8(user("bob").toBytes()).fixed(R2.toBytes()).bytes8(user("carol").toBytes()).fixed(R2.toBytes());
    assertEquals(2, SnapshotCodec.decode(ordered.toBytes()).retired().size());
    Wire.Writer reversed = storedRecord(new Wire.Writer().u8(2).u32(1), "alice", 3, 0, 1).u32(2)
        .bytes8(user("carol").toBytes()).fixed(R2.toBytes()).bytes8(user("bob").toBytes()).fixed(R2.toBytes());
    assertEquals("snapshot.retired_user_id: retired ids not in strictly increasing user id order",
        refusal(reversed.toBytes()).getMessage());
    Wire.Writer twice = storedRecord(new Wire.Writer().u8(2).u32(1), "alice", 3, 0, 1).u32(2)
        .bytes8(user("bob").toBytes()).fixed(R2.toBytes()).bytes8(user("bob").toBytes()).fixed(R2.toBytes());
    assertEquals("snapshot.retired_user_id", snapshotField(twice.toBytes()));
    Wire.Writer withRecord = storedRecord(new Wire.Writer().u8(2).u32(1), "alice", 3, 0, 1).u32(1)
        .bytes8(ALICE.toBytes()).fixed(R2.toBytes());
    assertEquals("snapshot.retired_user_id: a user with a record has no retired id",
        refusal(withRecord.toBytes()).getMessage());
  }

  /** A format-3 snapshot holding no record and no retired id, and the given imported ids. */
  static Wire.Writer importedOnly(long count) {
    return new Wire.Writer().u8(3).u32(0).u32(0).u32(count);
  }

  @Test
  void importedIdsAreAtMostImportedIdsMax_inStrictOrder() throws DecodeException {
    assertEquals("registration_id", snapshotField(importedOnly(VaultLimits.IMPORTED_IDS_MAX).toBytes()),
        "at the bound the ids are read");
    assertEquals("snapshot.imported_count", snapshotField(importedOnly(VaultLimits.IMPORTED_IDS_MAX + 1L).toBytes()));
    byte[] ordered = importedOnly(2).fixed(R1.toBytes()).fixed(R2.toBytes()).toBytes();
    assertEquals(2, SnapshotCodec.decode(ordered).imported().size());
    byte[] reversed = importedOnly(2).fixed(R2.toBytes()).fixed(R1.toBytes()).toBytes();
    assertEquals("snapshot.imported_id", snapshotField(reversed));
    byte[] twice = importedOnly(2).fixed(R1.toBytes()).fixed(R1.toBytes()).toBytes();
    assertEquals("snapshot.imported_id", snapshotField(twice));
  }

  @Test
  void importedIdsAloneMakeAFormat3Snapshot_andSurviveTheirRecord() throws DecodeException {
    VaultState vault = new VaultState();
    vault.apply(new MigrateIn(ALICE, R1, RECORD, 0, 3, key(1), SETUP, SOURCE));
    vault.apply(Guesses.fresh(ALICE));
    vault.apply(new Command.RecoverSucceeded(ALICE, R1));
    vault.apply(new Delete(ALICE, R1));
    vault.apply(new RegisterStore(ALICE, R2, RECORD, 3));
    byte[] snapshot = SnapshotCodec.encode(vault);
    assertEquals(SnapshotCodec.FORMAT_WITH_MIGRATION, snapshot[0]);
    VaultState decoded = SnapshotCodec.decode(snapshot);
    assertEquals(new Response.Refused(Reason.ALREADY_IMPORTED),
        decoded.apply(new MigrateIn(user("bob"), R1, RECORD, 0, 3, key(1), SETUP, SOURCE)));
  }

  @Test
  void aMigratedRecordOrARecordWithASourceSetupMakesAFormat3Snapshot() throws DecodeException {
    VaultState migrated = VaultStateTest.exposed(3);
    migrated.apply(new MigrateOut(ALICE, R1, TARGET));
    assertEquals(SnapshotCodec.FORMAT_WITH_MIGRATION, SnapshotCodec.encode(migrated)[0]);

    // An imported record whose id was not remembered: only a state built directly holds one.
    Map<UserId, VaultRecord> records = new HashMap<>();
    records.put(ALICE, new VaultRecord(R1, RECORD, 3, 1, Phase.EXPOSED, key(1), null, SETUP, null));
    VaultState withSetup = new VaultState(records, new TreeMap<>());
    byte[] snapshot = SnapshotCodec.encode(withSetup);
    assertEquals(SnapshotCodec.FORMAT_WITH_MIGRATION, snapshot[0]);
    assertArrayEquals(SETUP, SnapshotCodec.decode(snapshot).record(ALICE).orElseThrow().sourceSetup().orElseThrow());
  }
}
