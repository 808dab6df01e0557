package dev.bkv.vault;

import static dev.bkv.vault.VaultMigrationTest.SETUP;
import static dev.bkv.vault.VaultMigrationTest.SOURCE;
import static dev.bkv.vault.VaultMigrationTest.TARGET;
import static dev.bkv.vault.VaultStateTest.ALICE;
import static dev.bkv.vault.VaultStateTest.R1;
import static dev.bkv.vault.VaultStateTest.R2;
import static dev.bkv.vault.VaultStateTest.RECORD;
import static dev.bkv.vault.VaultStateTest.filled;
import static dev.bkv.vault.VaultStateTest.key;
import static dev.bkv.vault.VaultStateTest.rid;
import static dev.bkv.vault.VaultStateTest.user;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.base.Check;
import dev.bkv.crypto.DecodeException;
import dev.bkv.crypto.Sha256Digest;
import dev.bkv.testsupport.Guesses;
import dev.bkv.vault.Command.CountGuess;
import dev.bkv.vault.Command.Delete;
import dev.bkv.vault.Command.MigrateIn;
import dev.bkv.vault.Command.MigrateOut;
import dev.bkv.vault.Command.RegisterExpose;
import dev.bkv.vault.Command.RegisterStore;
import dev.bkv.vault.Response.Reason;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Every limit of the vault's values, commands and state at exactly the bound (accepted) and
 * one past it (refused), the record invariants one by one, and what the vault erases when a
 * record goes.
 */
class VaultBoundsTest {
  static VaultRecord stored(int maxAttempts, int used) {
    return new VaultRecord(R1, RECORD, maxAttempts, used, Phase.STORED, null);
  }

  @Test
  void userIdLengthIsOneTo64Bytes_andNullIsMissing() throws DecodeException {
    assertEquals(1, UserId.of(new byte[1]).length());
    assertEquals(64, UserId.of(new byte[64]).length());
    assertEquals("user id", assertThrows(DecodeException.class, () -> UserId.of(new byte[0])).field());
    assertEquals("user id", assertThrows(DecodeException.class, () -> UserId.of(new byte[65])).field());
    DecodeException missing = assertThrows(DecodeException.class, () -> UserId.of(null));
    assertEquals("user id: missing", missing.getMessage());
  }

  @Test
  void userIdsAreEqualOnlyByTheirBytes() throws DecodeException {
    assertEquals(user("alice"), UserId.ofUtf8("alice"));
    assertNotEquals(user("alice"), user("alicf"));
    assertNotEquals(user("alice"), "alice");
  }

  @Test
  void printableIdsPrintAsText_fromSpaceToTilde_othersAsHex() throws DecodeException {
    assertEquals("UserId( a~)", UserId.of(new byte[] {0x20, 'a', 0x7e}).toString());
    assertEquals("UserId(1f61)", UserId.of(new byte[] {0x1f, 'a'}).toString());
    assertEquals("UserId(617f)", UserId.of(new byte[] {'a', 0x7f}).toString());
    assertEquals("UserId(80)", UserId.of(new byte[] {(byte) 0x80}).toString());
  }

  @Test
  void wireWriterRefusesValuesOutsideTheirWidth_andWritesTheEdgesBigEndian() {
    Wire.Writer out = new Wire.Writer().u8(0).u8(255).u16(0).u16(0xffff).u32(0).u32(0xffffffffL).u32(0x01020304L);
    assertArrayEquals(new byte[] {0, (byte) 0xff, 0, 0, (byte) 0xff, (byte) 0xff, 0, 0, 0, 0,
        (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1, 2, 3, 4}, out.toBytes());
    Wire.Writer w = new Wire.Writer();
    assertThrows(IllegalArgumentException.class, () -> w.u8(-1));
    assertThrows(IllegalArgumentException.class, () -> w.u8(256));
    assertThrows(IllegalArgumentException.class, () -> w.u16(-1));
    assertThrows(IllegalArgumentException.class, () -> w.u16(0x10000));
    assertThrows(IllegalArgumentException.class, () -> w.u32(-1));
    assertThrows(IllegalArgumentException.class, () -> w.u32(0x100000000L));
    assertArrayEquals(new byte[0], w.toBytes(), "a refused value writes nothing");
  }

  @Test
  void wireReaderStartsAnywhereInItsInput_andNamesWhatIsShortOrLeftOver() throws DecodeException {
    byte[] in = {9, 9, 7};
    assertThrows(IllegalArgumentException.class, () -> new Wire.Reader(in, -1));
    assertThrows(IllegalArgumentException.class, () -> new Wire.Reader(in, 4));
    new Wire.Reader(in, 3).end("at the end");
    assertEquals(7, new Wire.Reader(in, 2).u8("x"));

    DecodeException trailing = assertThrows(DecodeException.class, () -> new Wire.Reader(in, 1).end("entry"));
    assertEquals("entry: 2 trailing bytes", trailing.getMessage());
    DecodeException shortInput = assertThrows(DecodeException.class, () -> new Wire.Reader(in, 1).u32("n"));
    assertEquals("n: truncated: need 4 bytes, 2 left", shortInput.getMessage());
    // A length below the minimum is refused although the bytes are there.
    byte[] twoBytes = {2, 5, 6};
    DecodeException tooShort = assertThrows(DecodeException.class, () -> new Wire.Reader(twoBytes).bytes8("s", 3, 9));
    assertEquals("s: length 2 not in [3, 9]", tooShort.getMessage());
    assertArrayEquals(new byte[] {5, 6}, new Wire.Reader(twoBytes).bytes8("s", 2, 2));
    DecodeException tooLong = assertThrows(DecodeException.class, () -> new Wire.Reader(twoBytes).bytes8("s", 0, 1));
    assertEquals("s: length 2 not in [0, 1]", tooLong.getMessage());
  }

  @Test
  void responsesSayWhetherTheyChangedTheState() {
    assertTrue(new Response.Exposed().changedState());
    assertTrue(new Response.GuessCounted(R1, Phase.EXPOSED, RECORD, 1, 2).changedState());
    assertTrue(new Response.Recovered(key(1)).changedState());
    assertTrue(new Response.Deleted().changedState());
    assertTrue(new Response.Destroyed().changedState());
    assertTrue(new Response.Imported(R1, 0, 3).changedState());
    assertFalse(new Response.NotFound().changedState());
    assertFalse(new Response.Refused(Reason.MIGRATED).changedState());
    assertFalse(new Response.StatusReport(Phase.STORED, 3, 3).changedState());
    assertFalse(new Response.FailureKept(1).changedState());
  }

  @Test
  void onlyTheTestTreeSnapshotOptionsDropCounters() throws DecodeException {
    assertTrue(SnapshotOptions.PRODUCTION.isProduction());
    assertEquals("production", SnapshotOptions.PRODUCTION.toString());
    SnapshotOptions seeded = SeededVaultBugs.snapshotsDropCounters();
    assertFalse(seeded.isProduction());
    assertEquals("seeded bug: snapshots drop guess counters", seeded.toString());
    VaultState vault = VaultStateTest.exposed(5);
    vault.apply(Guesses.fresh(ALICE));
    assertEquals(1, SnapshotCodec.decode(SnapshotCodec.encode(vault)).record(ALICE).orElseThrow().guessesUsed());
    assertEquals(0, SnapshotCodec.decode(SnapshotCodec.encode(vault, seeded)).record(ALICE).orElseThrow().guessesUsed());
  }

  @Test
  void recordInvariants_eachOneTrips() {
    Class<Check.InvariantViolation> broken = Check.InvariantViolation.class;
    assertThrows(broken, () -> new VaultRecord(null, RECORD, 3, 0, Phase.STORED, null));
    assertThrows(broken, () -> new VaultRecord(R1, null, 3, 0, Phase.STORED, null));
    assertThrows(broken, () -> new VaultRecord(R1, new byte[0], 3, 0, Phase.STORED, null));
    assertThrows(broken, () -> new VaultRecord(R1, RECORD, 256, 0, Phase.STORED, null));
    assertThrows(broken, () -> new VaultRecord(R1, RECORD, 3, -1, Phase.STORED, null));
    assertThrows(broken, () -> new VaultRecord(R1, RECORD, 3, 0, null, null));
    assertThrows(broken, () -> new VaultRecord(R1, RECORD, 3, 0, Phase.MIGRATED, key(1)));
    assertThrows(broken, () -> new VaultRecord(R1, RECORD, 3, 0, Phase.EXPOSED, key(1), TARGET, null, null));
    assertThrows(broken, () -> new VaultRecord(R1, RECORD, 3, 0, Phase.STORED, null, null, SETUP, null));
    assertThrows(broken, () -> new VaultRecord(R1, RECORD, 3, 0, Phase.EXPOSED, key(1), null, new byte[0], null));
    assertThrows(broken, () -> new VaultRecord(R1, RECORD, 3, 0, Phase.EXPOSED, key(1), null, new byte[129], null));
    // R15: a remembered KE1 needs a counted guess, and a MIGRATED record remembers none.
    Sha256Digest ke1 = Guesses.fresh(ALICE).ke1Digest();
    assertThrows(broken, () -> new VaultRecord(R1, RECORD, 3, 0, Phase.STORED, null, null, null, ke1));
    assertThrows(broken, () -> new VaultRecord(R1, RECORD, 3, 1, Phase.MIGRATED, key(1), TARGET, null, ke1));
    assertDoesNotThrow(() -> new VaultRecord(R1, RECORD, 3, 1, Phase.STORED, null, null, null, ke1));
    // A count past the limit is refused also when a transition builds the record.
    assertThrows(broken, () -> stored(3, 3).withGuessCounted(ke1));
  }

  @Test
  void recordLimitsAreInclusive() {
    assertDoesNotThrow(() -> new VaultRecord(R1, new byte[1], 255, 255, Phase.STORED, null));
    assertDoesNotThrow(() -> new VaultRecord(R1, new byte[256], 1, 0, Phase.STORED, null));
    assertDoesNotThrow(() -> new VaultRecord(R1, RECORD, 3, 0, Phase.EXPOSED, key(1), null, new byte[1], null));
    assertDoesNotThrow(() -> new VaultRecord(R1, RECORD, 3, 0, Phase.MIGRATED, key(1), TARGET, new byte[128], null));
    assertEquals("VaultRecord(STORED, used 2/3)", stored(3, 2).toString());
  }

  @Test
  void aReplacedDeletedOrDestroyedRecordHasItsKeyAndSourceSetupErased() {
    VaultState vault = new VaultState();
    vault.apply(new MigrateIn(ALICE, R1, RECORD, 0, 1, key(4), SETUP, SOURCE));
    vault.apply(Guesses.fresh(ALICE));
    VaultRecord counted = vault.record(ALICE).orElseThrow();
    assertInstanceOf(Response.Destroyed.class, vault.apply(Guesses.fresh(ALICE)));
    assertTrue(counted.backupKey().isDestroyed());
    assertArrayEquals(new byte[SETUP.length], counted.sourceSetupShared());

    VaultState replaced = VaultStateTest.exposed(3);
    VaultRecord old = replaced.record(ALICE).orElseThrow();
    replaced.apply(new RegisterStore(ALICE, R2, RECORD, 3));
    assertTrue(old.backupKey().isDestroyed());

    VaultState deleted = VaultStateTest.exposed(3);
    VaultRecord gone = deleted.record(ALICE).orElseThrow();
    deleted.apply(new Delete(ALICE, R1));
    assertTrue(gone.backupKey().isDestroyed());

    VaultState kept = VaultStateTest.exposed(3);
    kept.apply(Guesses.fresh(ALICE));
    assertFalse(kept.record(ALICE).orElseThrow().backupKey().isDestroyed(), "a count erases nothing");
  }

  @Test
  void exposeOfAMigratedRecordIsRefusedAsMigrated() {
    VaultState vault = VaultStateTest.exposed(3);
    vault.apply(new MigrateOut(ALICE, R1, TARGET));
    assertEquals(new Response.Refused(Reason.MIGRATED), vault.apply(new RegisterExpose(ALICE, R1, key(1))));
  }

  /** A state holding {@code records} STORED users and {@code retired} retired ids of other users. */
  static VaultState filledWith(int records, int retired, int imported) {
    Map<UserId, VaultRecord> byUser = new HashMap<>();
    VaultRecord one = stored(3, 0);
    for (int i = 0; i < records; i++) {
      byUser.put(user("r" + i), one);
    }
    TreeMap<UserId, RegistrationId> gone = new TreeMap<>();
    for (int i = 0; i < retired; i++) {
      gone.put(user("x" + i), R2);
    }
    TreeSet<RegistrationId> ids = new TreeSet<>(VaultState.ID_ORDER);
    for (int i = 0; i < imported; i++) {
      ids.add(new RegistrationId(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, (byte) (i >>> 24),
          (byte) (i >>> 16), (byte) (i >>> 8), (byte) i}));
    }
    return new VaultState(byUser, gone, ids);
  }

  @Test
  void aStateCountsRecordsAndRetiredIdsTogetherAgainstUsersMax() {
    assertDoesNotThrow(() -> filledWith(VaultLimits.USERS_MAX - 1, 1, 0));
    assertThrows(Check.InvariantViolation.class, () -> filledWith(VaultLimits.USERS_MAX, 1, 0));
    assertDoesNotThrow(() -> filledWith(0, 0, VaultLimits.IMPORTED_IDS_MAX));
    assertThrows(Check.InvariantViolation.class, () -> filledWith(0, 0, VaultLimits.IMPORTED_IDS_MAX + 1));
  }

  @Test
  void retiredIdsTakeRoomInTheVault_forStoresAndImports() {
    VaultState full = filledWith(VaultLimits.USERS_MAX - 1, 1, 0);
    assertEquals(new Response.Refused(Reason.VAULT_FULL), full.apply(new RegisterStore(ALICE, R1, RECORD, 3)));
    assertEquals(new Response.Refused(Reason.VAULT_FULL),
        full.apply(new MigrateIn(ALICE, R1, RECORD, 0, 3, key(1), SETUP, SOURCE)));
    // A user with a retired id takes its place back.
    assertInstanceOf(Response.Imported.class,
        full.apply(new MigrateIn(user("x0"), R1, RECORD, 0, 3, key(1), SETUP, SOURCE)));
    VaultState room = filledWith(VaultLimits.USERS_MAX - 2, 1, 0);
    assertInstanceOf(Response.Imported.class, room.apply(new MigrateIn(ALICE, R1, RECORD, 0, 3, key(1), SETUP, SOURCE)));
  }

  @Test
  void importsStopAtImportedIdsMax() {
    VaultState full = filledWith(0, 0, VaultLimits.IMPORTED_IDS_MAX);
    assertEquals(new Response.Refused(Reason.IMPORTS_FULL),
        full.apply(new MigrateIn(ALICE, R1, RECORD, 0, 3, key(1), SETUP, SOURCE)));
    VaultState room = filledWith(0, 0, VaultLimits.IMPORTED_IDS_MAX - 1);
    assertInstanceOf(Response.Imported.class, room.apply(new MigrateIn(ALICE, R1, RECORD, 0, 3, key(1), SETUP, SOURCE)));
  }

  @Test
  void twoDifferentRegistrationsImportSideBySide() throws DecodeException {
    VaultState vault = new VaultState();
    assertInstanceOf(Response.Imported.class, vault.apply(new MigrateIn(ALICE, R1, RECORD, 0, 3, key(1), SETUP, SOURCE)));
    assertInstanceOf(Response.Imported.class,
        vault.apply(new MigrateIn(user("bob"), R2, RECORD, 0, 3, key(1), SETUP, SOURCE)));
    assertEquals(List.of(R1, R2), List.copyOf(SnapshotCodec.decode(SnapshotCodec.encode(vault)).imported()));
  }

  @Test
  void usersAfterPagesThroughTheUsersInOrder() {
    VaultState vault = new VaultState();
    for (String name : List.of("d", "b", "e", "a", "c")) {
      vault.apply(new RegisterStore(user(name), R1, RECORD, 3));
    }
    assertEquals(List.of(user("a"), user("b")), vault.usersAfter(Optional.empty(), 2));
    assertEquals(List.of(user("c"), user("d")), vault.usersAfter(Optional.of(user("b")), 2));
    assertEquals(List.of(user("c")), vault.usersAfter(Optional.of(user("b")), 1));
    assertEquals(List.of(user("e")), vault.usersAfter(Optional.of(user("d")), 5));
    assertEquals(List.of(user("a"), user("b"), user("c"), user("d"), user("e")), vault.usersAfter(Optional.empty(), 5));
    assertEquals(List.of(), vault.usersAfter(Optional.of(user("e")), 5));
    assertThrows(Check.InvariantViolation.class, () -> vault.usersAfter(Optional.empty(), 0));
  }

  @Test
  void aPageHoldsTheSmallestUsersWhateverTheStorageOrder() {
    VaultState vault = new VaultState();
    List<UserId> all = new java.util.ArrayList<>();
    for (int i = 0; i < 200; i++) {
      UserId u = user(String.format("u%03d", (i * 7919) % 200));
      all.add(u);
      vault.apply(new RegisterStore(u, R1, RECORD, 3));
    }
    java.util.Collections.sort(all);
    assertEquals(all.subList(0, 3), vault.usersAfter(Optional.empty(), 3));
    assertEquals(all.subList(101, 111), vault.usersAfter(Optional.of(all.get(100)), 10));
  }

  @Test
  void anExportCarriesTheSourceSetupOfAnImportedRecordOnly() {
    VaultState nativeRecord = VaultStateTest.exposed(3);
    Response.MigratedOut out = (Response.MigratedOut) nativeRecord.apply(new MigrateOut(ALICE, R1, TARGET));
    assertArrayEquals(new byte[0], out.sourceSetup());
    VaultState imported = new VaultState();
    imported.apply(new MigrateIn(ALICE, R1, RECORD, 0, 3, key(1), SETUP, SOURCE));
    Response.MigratedOut again = (Response.MigratedOut) imported.apply(new MigrateOut(ALICE, R1, TARGET));
    assertArrayEquals(SETUP, again.sourceSetup());
  }

  @Test
  void commandsNameTheMissingOrOutOfRangeField() {
    String noUser = "user id missing";
    String noId = "registration id missing";
    assertEquals(noUser, refusal(() -> new Command.RegisterStore(null, R1, RECORD, 3)));
    assertEquals(noUser, refusal(() -> new Command.RegisterExpose(null, R1, key(1))));
    assertEquals(noId, refusal(() -> new Command.RegisterExpose(ALICE, null, key(1))));
    assertEquals("backup key missing", refusal(() -> new Command.RegisterExpose(ALICE, R1, null)));
    assertEquals(noUser, refusal(() -> new Command.RecoverSucceeded(null, R1)));
    assertEquals(noUser, refusal(() -> new Command.GuessFailed(null, R1)));
    assertEquals(noUser, refusal(() -> new Command.Delete(null, R1)));
    assertEquals(noId, refusal(() -> new Command.Delete(ALICE, null)));
    assertEquals(noUser, refusal(() -> new Command.MigrateOut(null, R1, TARGET)));
    assertEquals("target bundle digest missing", refusal(() -> new Command.MigrateOut(ALICE, R1, null)));
    assertEquals(noUser, refusal(() -> new MigrateIn(null, R1, RECORD, 0, 3, key(1), SETUP, SOURCE)));
    assertEquals("source bundle digest missing", refusal(() -> new MigrateIn(ALICE, R1, RECORD, 0, 3, key(1), SETUP, null)));
    assertEquals("backup key missing", refusal(() -> new MigrateIn(ALICE, R1, RECORD, 0, 3, null, SETUP, SOURCE)));
    assertEquals("guessesUsed 4 not in [0, maxAttempts 3]",
        refusal(() -> new MigrateIn(ALICE, R1, RECORD, 4, 3, key(1), SETUP, SOURCE)));
    assertEquals("guessesUsed -1 not in [0, maxAttempts 3]",
        refusal(() -> new MigrateIn(ALICE, R1, RECORD, -1, 3, key(1), SETUP, SOURCE)));
  }

  @Test
  void commandSizeLimitsAreInclusive() {
    String record = "registration record must be 1..256 bytes";
    String setup = "source setup must be 1..128 bytes";
    assertDoesNotThrow(() -> new RegisterStore(ALICE, R1, new byte[1], 1));
    assertDoesNotThrow(() -> new RegisterStore(ALICE, R1, new byte[256], 255));
    assertEquals(record, refusal(() -> new RegisterStore(ALICE, R1, new byte[257], 3)));
    assertEquals(record, refusal(() -> new RegisterStore(ALICE, R1, null, 3)));
    assertDoesNotThrow(() -> new MigrateIn(ALICE, R1, new byte[1], 1, 1, key(1), new byte[1], SOURCE));
    assertDoesNotThrow(() -> new MigrateIn(ALICE, R1, new byte[256], 255, 255, key(1), new byte[128], SOURCE));
    assertEquals(record, refusal(() -> new MigrateIn(ALICE, R1, new byte[0], 0, 3, key(1), SETUP, SOURCE)));
    assertEquals(record, refusal(() -> new MigrateIn(ALICE, R1, new byte[257], 0, 3, key(1), SETUP, SOURCE)));
    assertEquals("maxAttempts 0 not in [1, 255]", refusal(() -> new MigrateIn(ALICE, R1, RECORD, 0, 0, key(1), SETUP, SOURCE)));
    assertEquals("maxAttempts 256 not in [1, 255]",
        refusal(() -> new MigrateIn(ALICE, R1, RECORD, 0, 256, key(1), SETUP, SOURCE)));
    assertEquals(setup, refusal(() -> new MigrateIn(ALICE, R1, RECORD, 0, 3, key(1), new byte[0], SOURCE)));
    assertEquals(setup, refusal(() -> new MigrateIn(ALICE, R1, RECORD, 0, 3, key(1), new byte[129], SOURCE)));
    assertEquals(setup, refusal(() -> new MigrateIn(ALICE, R1, RECORD, 0, 3, key(1), null, SOURCE)));
  }

  static String refusal(org.junit.jupiter.api.function.Executable build) {
    return assertThrows(IllegalArgumentException.class, build).getMessage();
  }

  @Test
  void commandDecodingMeasuresTheSizeFromTheOffset() throws DecodeException {
    byte[] command = CommandCodec.encode(new RegisterStore(ALICE, R1, RECORD, 1));
    byte[] prefixed = new byte[700 + command.length];
    System.arraycopy(command, 0, prefixed, 700, command.length);
    Command decoded = CommandCodec.decode(prefixed, 700);
    assertEquals(1, ((RegisterStore) decoded).maxAttempts(), "the least limit decodes");

    byte[] oversize = new byte[10 + VaultLimits.COMMAND_BYTES_MAX + 1];
    DecodeException tooBig = assertThrows(DecodeException.class, () -> CommandCodec.decode(oversize, 10));
    assertEquals("command: 769 bytes exceeds 768", tooBig.getMessage());
    // Exactly at the limit the size passes and the content is what is refused.
    byte[] atLimit = new byte[VaultLimits.COMMAND_BYTES_MAX];
    System.arraycopy(command, 0, atLimit, 0, command.length);
    DecodeException trailing = assertThrows(DecodeException.class, () -> CommandCodec.decode(atLimit));
    assertEquals("command: " + (atLimit.length - command.length) + " trailing bytes", trailing.getMessage());
  }

  @Test
  void theIdOrderIsUnsignedByteOrder() {
    assertTrue(VaultState.ID_ORDER.compare(rid(1), rid(0x80)) < 0);
    assertTrue(VaultState.ID_ORDER.compare(rid(0x80), rid(1)) > 0);
    assertEquals(0, VaultState.ID_ORDER.compare(rid(7), rid(7)));
    assertArrayEquals(filled(RegistrationId.BYTES, 7), rid(7).toBytes());
  }
}
