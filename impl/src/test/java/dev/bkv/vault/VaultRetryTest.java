package dev.bkv.vault;

import static dev.bkv.vault.VaultStateTest.ALICE;
import static dev.bkv.vault.VaultStateTest.R1;
import static dev.bkv.vault.VaultStateTest.R2;
import static dev.bkv.vault.VaultStateTest.RECORD;
import static dev.bkv.vault.VaultStateTest.exposed;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.bkv.crypto.DecodeException;
import dev.bkv.testsupport.Guesses;
import dev.bkv.vault.Command.CountGuess;
import dev.bkv.vault.Command.GuessFailed;
import dev.bkv.vault.Command.RecoverSucceeded;
import dev.bkv.vault.Command.RegisterStore;
import org.junit.jupiter.api.Test;

/** R15: a KE1 sent again (a retry after a lost answer) is the same guess, answered and not counted again. */
class VaultRetryTest {

  private static int used(VaultState vault) {
    return vault.record(ALICE).orElseThrow().guessesUsed();
  }

  @Test
  void theSameKe1SentAgainIsAnsweredWithoutCounting() {
    VaultState vault = exposed(3);
    CountGuess login = Guesses.fresh(ALICE);
    Response first = vault.apply(login);
    Response again = vault.apply(new CountGuess(ALICE, login.ke1Digest()));
    assertEquals(1, used(vault));
    Response.GuessCounted a = assertInstanceOf(Response.GuessCounted.class, first);
    Response.GuessCounted b = assertInstanceOf(Response.GuessCounted.class, again);
    assertEquals(a.attemptNumber(), b.attemptNumber(), "the attempt it was counted as");
    assertEquals(a.guessesRemaining(), b.guessesRemaining());
    assertArrayEquals(a.registrationRecord(), b.registrationRecord(), "KE2 is computed from the same record");
  }

  @Test
  void anotherKe1Counts() {
    VaultState vault = exposed(3);
    vault.apply(Guesses.fresh(ALICE));
    vault.apply(Guesses.fresh(ALICE));
    assertEquals(2, used(vault));
  }

  @Test
  void theLastGuessWithinTheLimitIsAnsweredAgainNotDestroyed() {
    VaultState vault = exposed(2);
    vault.apply(Guesses.fresh(ALICE));
    CountGuess last = Guesses.fresh(ALICE);
    vault.apply(last);
    assertEquals(2, used(vault));
    assertInstanceOf(Response.GuessCounted.class, vault.apply(last), "the last counted guess, sent again");
    assertEquals(2, used(vault));
    // A new KE1 with no guess left still destroys the record (R6).
    assertInstanceOf(Response.Destroyed.class, vault.apply(Guesses.fresh(ALICE)));
  }

  @Test
  void onlyTheLastCountedKe1IsRemembered() {
    VaultState vault = exposed(5);
    CountGuess first = Guesses.fresh(ALICE);
    vault.apply(first);
    vault.apply(Guesses.fresh(ALICE));
    vault.apply(first);
    assertEquals(3, used(vault), "an older KE1 counts again: the record remembers one");
  }

  @Test
  void aFailedLoginKeepsTheKe1AndAResetForgetsIt() {
    VaultState vault = exposed(5);
    CountGuess login = Guesses.fresh(ALICE);
    vault.apply(login);
    vault.apply(new GuessFailed(ALICE, R1));
    vault.apply(login);
    assertEquals(1, used(vault), "a failure keeps the count and the KE1 it counted");
    vault.apply(new RecoverSucceeded(ALICE, R1));
    assertEquals(0, used(vault));
    vault.apply(login);
    assertEquals(1, used(vault), "after a reset the same KE1 is a new guess");
  }

  @Test
  void aNewRegistrationForgetsTheKe1() {
    VaultState vault = new VaultState();
    vault.apply(new RegisterStore(ALICE, R1, RECORD, 5));
    CountGuess login = Guesses.fresh(ALICE);
    vault.apply(login);
    vault.apply(new RegisterStore(ALICE, R2, RECORD, 5));
    assertEquals(1, used(vault), "R3 keeps the guesses used");
    vault.apply(login);
    assertEquals(2, used(vault), "the replaced registration's KE1 counts against the new one");
  }

  @Test
  void theRememberedKe1SurvivesASnapshotAndNeedsFormat4() throws DecodeException {
    VaultState vault = exposed(3);
    CountGuess login = Guesses.fresh(ALICE);
    vault.apply(login);
    byte[] snapshot = SnapshotCodec.encode(vault);
    assertEquals(SnapshotCodec.FORMAT_WITH_LAST_KE1, snapshot[0]);
    VaultState restored = SnapshotCodec.decode(snapshot);
    assertArrayEquals(snapshot, SnapshotCodec.encode(restored), "one encoding per state");
    restored.apply(login);
    assertEquals(1, used(restored), "the restored vault still knows the KE1 it counted");

    restored.apply(new RecoverSucceeded(ALICE, R1));
    assertEquals(SnapshotCodec.FORMAT, SnapshotCodec.encode(restored)[0], "no KE1 remembered: format 1 as before");
  }

  /** A format-4 snapshot of alice EXPOSED (limit 3) with one guess counted; ends as described below. */
  private static byte[] counted() {
    VaultState vault = exposed(3);
    vault.apply(Guesses.fresh(ALICE));
    return SnapshotCodec.encode(vault);
  }

  // From the end of counted(): u32 imported count, u32 retired count, the digest (32),
  // has_last_ke1 (1), the empty source setup (1), the backup key (1 + 32), phase, guesses used.
  private static final int FROM_END_HAS_LAST = 4 + 4 + 32 + 1;
  private static final int FROM_END_USED = FROM_END_HAS_LAST + 1 + 33 + 1 + 1;

  @Test
  void aHasLastKe1FlagOtherThan0Or1IsRefused() {
    byte[] snapshot = counted();
    assertEquals(1, snapshot[snapshot.length - FROM_END_HAS_LAST]);
    snapshot[snapshot.length - FROM_END_HAS_LAST] = 2;
    DecodeException e = SnapshotDecodingTest.refusal(snapshot);
    assertEquals("snapshot.has_last_ke1", e.field(), e.getMessage());
  }

  @Test
  void aRecordWithNoGuessUsedHoldsNoKe1() {
    byte[] snapshot = counted();
    assertEquals(1, snapshot[snapshot.length - FROM_END_USED]);
    snapshot[snapshot.length - FROM_END_USED] = 0;
    DecodeException e = SnapshotDecodingTest.refusal(snapshot);
    assertEquals("snapshot.last_ke1_digest", e.field(), e.getMessage());
  }

  @Test
  void aMigratedRecordHoldsNoKe1() throws DecodeException {
    VaultState vault = exposed(3);
    vault.apply(Guesses.fresh(ALICE));
    vault.apply(new Command.MigrateOut(ALICE, R1, Guesses.fresh(ALICE).ke1Digest()));
    byte[] format3 = SnapshotCodec.encode(vault);
    assertEquals(SnapshotCodec.FORMAT_WITH_MIGRATION, format3[0], "migrating forgets the KE1");
    // The same record in format 4 with a digest inserted before the two counts at the end.
    byte[] forged = new byte[format3.length + 33];
    System.arraycopy(format3, 0, forged, 0, format3.length - 8);
    forged[format3.length - 8] = 1;
    System.arraycopy(format3, format3.length - 8, forged, format3.length + 25, 8);
    forged[0] = (byte) SnapshotCodec.FORMAT_WITH_LAST_KE1;
    DecodeException e = SnapshotDecodingTest.refusal(forged);
    assertEquals("snapshot.last_ke1_digest", e.field(), e.getMessage());
  }

  @Test
  void aFormat4SnapshotWithoutAnyKe1IsRefused() {
    byte[] plain = SnapshotCodec.encode(exposed(3));
    // Format 4 is format 3 (an EXPOSED record ends with bytes8 source_setup; u32 retired count
    // and u32 imported count follow the records) with a has_last_ke1 byte ending each record:
    // append an empty setup, has_last_ke1 = 0 and two zero counts, all zero bytes.
    byte[] forged = new byte[plain.length + 1 + 1 + 4 + 4];
    System.arraycopy(plain, 0, forged, 0, plain.length);
    forged[0] = (byte) SnapshotCodec.FORMAT_WITH_LAST_KE1;
    DecodeException e = SnapshotDecodingTest.refusal(forged);
    assertEquals("snapshot.format", e.field(), e.getMessage());
  }
}
