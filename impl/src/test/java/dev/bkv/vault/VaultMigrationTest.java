package dev.bkv.vault;

import static dev.bkv.vault.VaultStateTest.ALICE;
import static dev.bkv.vault.VaultStateTest.R1;
import static dev.bkv.vault.VaultStateTest.R2;
import static dev.bkv.vault.VaultStateTest.RECORD;
import static dev.bkv.vault.VaultStateTest.filled;
import static dev.bkv.vault.VaultStateTest.key;
import static dev.bkv.vault.VaultStateTest.user;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.crypto.DecodeException;
import dev.bkv.crypto.Sha256Digest;
import dev.bkv.testsupport.Guesses;
import dev.bkv.vault.Command.CountGuess;
import dev.bkv.vault.Command.Delete;
import dev.bkv.vault.Command.GuessFailed;
import dev.bkv.vault.Command.MigrateIn;
import dev.bkv.vault.Command.MigrateOut;
import dev.bkv.vault.Command.RecoverSucceeded;
import dev.bkv.vault.Command.RegisterStore;
import dev.bkv.vault.Response.Reason;
import org.junit.jupiter.api.Test;

/** Fleet rotation's vault rules R12-R14 (G8: a migration never resets or duplicates a guess counter). */
class VaultMigrationTest {
  static final Sha256Digest TARGET = Sha256Digest.of(new byte[] {1});
  static final Sha256Digest OTHER_TARGET = Sha256Digest.of(new byte[] {2});
  static final Sha256Digest SOURCE = Sha256Digest.of(new byte[] {3});
  static final byte[] SETUP = filled(97, 5);

  /** alice EXPOSED under R1 with {@code guesses} wrong guesses counted. */
  static VaultState guessed(int maxAttempts, int guesses) {
    VaultState vault = VaultStateTest.exposed(maxAttempts);
    for (int i = 0; i < guesses; i++) {
      vault.apply(Guesses.fresh(ALICE));
      vault.apply(new GuessFailed(ALICE, R1));
    }
    return vault;
  }

  static MigrateIn importOf(UserId user, RegistrationId id, int used, int max) {
    return new MigrateIn(user, id, RECORD, used, max, key(42), SETUP, SOURCE);
  }

  @Test
  void r12_migrateOutFreezesTheExposedRecordWithItsCountAndKey() {
    VaultState vault = guessed(10, 3);
    Response.MigratedOut out = assertInstanceOf(Response.MigratedOut.class, vault.apply(new MigrateOut(ALICE, R1, TARGET)));
    assertEquals(3, out.guessesUsed());
    assertEquals(10, out.maxAttempts());
    assertArrayEquals(key(42).toBytes(), out.backupKey().toBytes());
    assertArrayEquals(RECORD, out.registrationRecord());
    assertTrue(out.changedState());
    assertEquals(Phase.MIGRATED, vault.record(ALICE).orElseThrow().phase());
    assertEquals(new Response.StatusReport(Phase.MIGRATED, 7, 10), vault.status(ALICE));
  }

  @Test
  void r12_aRepeatForTheSameTargetAnswersTheSameFrozenRecordAndChangesNothing() throws DecodeException {
    VaultState vault = guessed(10, 3);
    vault.apply(new MigrateOut(ALICE, R1, TARGET));
    byte[] before = SnapshotCodec.encode(vault);
    Response.MigratedOut again = assertInstanceOf(Response.MigratedOut.class,
        vault.apply(new MigrateOut(ALICE, R1, TARGET)));
    assertTrue(again.repeat());
    assertFalse(again.changedState());
    assertEquals(3, again.guessesUsed());
    assertArrayEquals(before, SnapshotCodec.encode(vault));
  }

  @Test
  void r12_anotherTargetIsRefusedSoARecordGoesToOneFleetOnly() {
    VaultState vault = guessed(10, 1);
    vault.apply(new MigrateOut(ALICE, R1, TARGET));
    assertEquals(new Response.Refused(Reason.MIGRATED_ELSEWHERE), vault.apply(new MigrateOut(ALICE, R1, OTHER_TARGET)));
  }

  @Test
  void r12_onlyAnExposedRecordOfThatRegistrationMigrates() {
    VaultState stored = new VaultState();
    stored.apply(new RegisterStore(ALICE, R1, RECORD, 5));
    assertEquals(new Response.Refused(Reason.NOT_EXPOSED), stored.apply(new MigrateOut(ALICE, R1, TARGET)));
    VaultState vault = guessed(10, 0);
    assertEquals(new Response.NotFound(), vault.apply(new MigrateOut(ALICE, R2, TARGET)), "another registration");
    assertEquals(new Response.NotFound(), vault.apply(new MigrateOut(user("bob"), R1, TARGET)), "unknown user");
    assertEquals(Phase.EXPOSED, vault.record(ALICE).orElseThrow().phase());
  }

  @Test
  void r14_aMigratedRecordAnswersNoLoginAndNeverResets() {
    VaultState vault = guessed(10, 3);
    vault.apply(Guesses.fresh(ALICE)); // a login counted before the export...
    vault.apply(new MigrateOut(ALICE, R1, TARGET));
    assertEquals(new Response.Refused(Reason.MIGRATED), vault.apply(Guesses.fresh(ALICE)), "guess refused");
    assertEquals(new Response.Refused(Reason.MIGRATED), vault.apply(new RecoverSucceeded(ALICE, R1)),
        "...cannot reset the frozen count when it succeeds after it");
    assertEquals(new Response.Refused(Reason.MIGRATED), vault.apply(new Delete(ALICE, R1)));
    assertEquals(new Response.Refused(Reason.MIGRATED), vault.apply(new RegisterStore(ALICE, R2, RECORD, 10)));
    assertEquals(4, vault.record(ALICE).orElseThrow().guessesUsed());
    assertEquals(Phase.MIGRATED, vault.record(ALICE).orElseThrow().phase());
  }

  @Test
  void r14_aFailureOnAMigratedRecordWithNoGuessLeftKeepsItFrozen() {
    VaultState vault = guessed(2, 1);
    vault.apply(Guesses.fresh(ALICE));
    vault.apply(new MigrateOut(ALICE, R1, TARGET));
    assertInstanceOf(Response.FailureKept.class, vault.apply(new GuessFailed(ALICE, R1)));
    assertEquals(Phase.MIGRATED, vault.record(ALICE).orElseThrow().phase());
  }

  @Test
  void r13_migrateInCreatesAnExposedRecordWithTheCarriedCount() {
    VaultState vault = new VaultState();
    assertEquals(new Response.Imported(R1, 3, 10), vault.apply(importOf(ALICE, R1, 3, 10)));
    VaultRecord record = vault.record(ALICE).orElseThrow();
    assertEquals(Phase.EXPOSED, record.phase());
    assertEquals(7, record.guessesRemaining());
    assertArrayEquals(SETUP, record.sourceSetup().orElseThrow());
    Response.GuessCounted guess = assertInstanceOf(Response.GuessCounted.class, vault.apply(Guesses.fresh(ALICE)));
    assertEquals(6, guess.guessesRemaining());
    assertInstanceOf(Response.Recovered.class, vault.apply(new RecoverSucceeded(ALICE, R1)));
    assertEquals(10, vault.record(ALICE).orElseThrow().guessesRemaining());
    assertTrue(vault.record(ALICE).orElseThrow().sourceSetup().isPresent(), "a recovery keeps the source setup");
  }

  @Test
  void r13_aReplayedImportIsRefusedAndTheCountStaysAfterFurtherGuesses() {
    VaultState vault = new VaultState();
    vault.apply(importOf(ALICE, R1, 3, 10));
    vault.apply(Guesses.fresh(ALICE));
    vault.apply(new GuessFailed(ALICE, R1));
    assertEquals(new Response.Refused(Reason.USER_EXISTS), vault.apply(importOf(ALICE, R1, 3, 10)));
    assertEquals(4, vault.record(ALICE).orElseThrow().guessesUsed());
  }

  @Test
  void r13_aReplayAfterTheImportedRecordWasDestroyedIsRefused() {
    VaultState vault = new VaultState();
    vault.apply(importOf(ALICE, R1, 1, 2));
    vault.apply(Guesses.fresh(ALICE));
    assertInstanceOf(Response.Destroyed.class, vault.apply(Guesses.fresh(ALICE)));
    assertEquals(new Response.Refused(Reason.ALREADY_IMPORTED), vault.apply(importOf(ALICE, R1, 0, 2)));
    assertTrue(vault.record(ALICE).isEmpty());
  }

  @Test
  void r13_anImportedIdIsRememberedAfterItsUserReRegistered() {
    VaultState vault = new VaultState();
    vault.apply(importOf(ALICE, R1, 0, 10));
    vault.apply(new RegisterStore(ALICE, R2, RECORD, 10));
    assertTrue(vault.record(ALICE).orElseThrow().sourceSetup().isEmpty(), "a fresh registration uses this fleet's keys");
    VaultState other = new VaultState();
    other.apply(importOf(ALICE, R1, 0, 10));
    assertEquals(new Response.Refused(Reason.ALREADY_IMPORTED), other.apply(importOf(user("bob"), R1, 0, 10)),
        "the same registration id under another user");
  }

  @Test
  void r13_anImportForAUserWithARecordIsRefused() {
    VaultState vault = guessed(10, 2);
    assertEquals(new Response.Refused(Reason.USER_EXISTS), vault.apply(importOf(ALICE, R2, 0, 10)));
    assertEquals(2, vault.record(ALICE).orElseThrow().guessesUsed());
    assertTrue(vault.record(ALICE).orElseThrow().sourceSetup().isEmpty());
  }

  @Test
  void r13_anImportOfTheUsersRetiredRegistrationIsRefused() {
    VaultState vault = VaultStateTest.exposed(10);
    vault.apply(Guesses.fresh(ALICE));
    vault.apply(new Delete(ALICE, R1));
    assertEquals(new Response.Refused(Reason.ALREADY_IMPORTED), vault.apply(importOf(ALICE, R1, 0, 10)));
  }

  @Test
  void migrationCommandsRoundTripAndDecodeStrictly() throws DecodeException {
    Command out = new MigrateOut(ALICE, R1, TARGET);
    Command in = new MigrateIn(ALICE, R1, filled(256, 1), 255, 255, new BackupKey(filled(64, 2)),
        filled(VaultLimits.SOURCE_SETUP_BYTES_MAX, 3), SOURCE);
    for (Command c : new Command[] {out, in}) {
      byte[] encoded = CommandCodec.encode(c);
      assertTrue(encoded.length <= VaultLimits.COMMAND_BYTES_MAX);
      assertArrayEquals(encoded, CommandCodec.encode(CommandCodec.decode(encoded)));
      assertThrows(DecodeException.class, () -> CommandCodec.decode(java.util.Arrays.copyOf(encoded, encoded.length + 1)));
      assertThrows(DecodeException.class, () -> CommandCodec.decode(java.util.Arrays.copyOf(encoded, encoded.length - 1)));
    }
    byte[] overUsed = CommandCodec.encode(importOf(ALICE, R1, 3, 3));
    int usedAt = 2 + 1 + ALICE.toBytes().length + RegistrationId.BYTES + 2 + RECORD.length;
    overUsed[usedAt] = 4;
    DecodeException e = assertThrows(DecodeException.class, () -> CommandCodec.decode(overUsed));
    assertTrue(e.getMessage().contains("guesses_used"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> importOf(ALICE, R1, 4, 3));
    assertThrows(IllegalArgumentException.class,
        () -> new MigrateIn(ALICE, R1, RECORD, 0, 3, key(1), new byte[VaultLimits.SOURCE_SETUP_BYTES_MAX + 1], SOURCE));
  }

  @Test
  void snapshotsCarryMigrationStateAndStatesWithoutItEncodeAsBefore() throws DecodeException {
    VaultState old = guessed(10, 3);
    byte[] plain = SnapshotCodec.encode(old);
    assertEquals(SnapshotCodec.FORMAT_WITH_LAST_KE1, plain[0], "a counted KE1 (R15), no migration state: format 4");
    VaultState reset = guessed(10, 3);
    reset.apply(new Command.RecoverSucceeded(ALICE, R1));
    assertEquals(SnapshotCodec.FORMAT, SnapshotCodec.encode(reset)[0], "neither: format 1 as before");
    old.apply(new MigrateOut(ALICE, R1, TARGET));
    VaultState restored = SnapshotCodec.decode(SnapshotCodec.encode(old));
    assertArrayEquals(SnapshotCodec.encode(old), SnapshotCodec.encode(restored));
    assertEquals(Phase.MIGRATED, restored.record(ALICE).orElseThrow().phase());
    assertEquals(TARGET, restored.record(ALICE).orElseThrow().migratedTo().orElseThrow());
    assertInstanceOf(Response.MigratedOut.class, restored.apply(new MigrateOut(ALICE, R1, TARGET)));

    VaultState fresh = new VaultState();
    fresh.apply(importOf(ALICE, R1, 3, 10));
    fresh.apply(new RegisterStore(user("bob"), R2, RECORD, 5));
    byte[] encoded = SnapshotCodec.encode(fresh);
    assertEquals(SnapshotCodec.FORMAT_WITH_MIGRATION, encoded[0]);
    VaultState back = SnapshotCodec.decode(encoded);
    assertArrayEquals(encoded, SnapshotCodec.encode(back));
    assertArrayEquals(SETUP, back.record(ALICE).orElseThrow().sourceSetup().orElseThrow());
    assertEquals(new Response.Refused(Reason.USER_EXISTS), back.apply(importOf(ALICE, R1, 3, 10)));
    back.apply(Guesses.fresh(ALICE));
    back.apply(Guesses.fresh(ALICE));
    assertEquals(new Response.Refused(Reason.ALREADY_IMPORTED), back.apply(importOf(user("carol"), R1, 0, 10)),
        "the imported id survived the snapshot");
  }

  @Test
  void aFormat3SnapshotWithoutMigrationStateIsNotCanonical() {
    byte[] format1 = SnapshotCodec.encode(VaultStateTest.exposed(5));
    byte[] format3 = new byte[format1.length + 1 + 4 + 4];
    System.arraycopy(format1, 0, format3, 0, format1.length);
    format3[0] = SnapshotCodec.FORMAT_WITH_MIGRATION;
    // the record's empty source setup follows its key; then no retired and no imported ids
    DecodeException e = assertThrows(DecodeException.class, () -> SnapshotCodec.decode(format3));
    assertTrue(e.getMessage().contains("format 3"), e.getMessage());
  }
}
