package dev.bkv.vault;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.base.Check;
import dev.bkv.crypto.DecodeException;
import dev.bkv.testsupport.Guesses;
import dev.bkv.vault.Command.CountGuess;
import dev.bkv.vault.Command.Delete;
import dev.bkv.vault.Command.GuessFailed;
import dev.bkv.vault.Command.RecoverSucceeded;
import dev.bkv.vault.Command.RegisterExpose;
import dev.bkv.vault.Command.RegisterStore;
import dev.bkv.vault.Response.Reason;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The vault rules R1..R10 of {@link VaultState}, one behaviour per test. */
class VaultStateTest {
  static final UserId ALICE = user("alice");
  static final RegistrationId R1 = rid(1);
  static final RegistrationId R2 = rid(2);
  static final byte[] RECORD = filled(129, 7);
  static final byte[] OTHER_RECORD = filled(129, 8);

  static UserId user(String name) {
    try {
      return UserId.ofUtf8(name);
    } catch (DecodeException e) {
      throw new AssertionError(e);
    }
  }

  static RegistrationId rid(int n) {
    return new RegistrationId(filled(RegistrationId.BYTES, n));
  }

  static byte[] filled(int length, int value) {
    byte[] bytes = new byte[length];
    Arrays.fill(bytes, (byte) value);
    return bytes;
  }

  static BackupKey key(int value) {
    return new BackupKey(filled(32, value));
  }

  /** A vault holding alice EXPOSED under R1 with the given limit. */
  static VaultState exposed(int maxAttempts) {
    VaultState vault = new VaultState();
    vault.apply(new RegisterStore(ALICE, R1, RECORD, maxAttempts));
    vault.apply(Guesses.fresh(ALICE));
    assertInstanceOf(Response.Exposed.class, vault.apply(new RegisterExpose(ALICE, R1, key(42))));
    return vault;
  }

  static RegisterStore store(RegistrationId id, int maxAttempts) {
    return new RegisterStore(ALICE, id, RECORD, maxAttempts);
  }

  static int remaining(VaultState vault) {
    return ((Response.StatusReport) vault.status(ALICE)).guessesRemaining();
  }

  @Test
  void r1_store_for_unknown_user_creates_stored_record_with_no_guess_used() {
    VaultState vault = new VaultState();
    Response response = vault.apply(new RegisterStore(ALICE, R1, RECORD, 10));
    assertEquals(new Response.Stored(R1, false), response);
    assertTrue(response.changedState());
    assertEquals(new Response.StatusReport(Phase.STORED, 10, 10), vault.status(ALICE));
  }

  @Test
  void r2_retried_store_never_resets_the_guess_counter() {
    // The requirement, tested exactly: guesses used, then the same store again.
    VaultState vault = exposed(10);
    for (int i = 0; i < 3; i++) {
      vault.apply(Guesses.fresh(ALICE));
    }
    byte[] before = SnapshotCodec.encode(vault);
    Response response = vault.apply(new RegisterStore(ALICE, R1, RECORD, 10));
    assertEquals(new Response.Stored(R1, true), response);
    assertEquals(false, response.changedState());
    assertEquals(new Response.StatusReport(Phase.EXPOSED, 7, 10), vault.status(ALICE));
    assertArrayEquals(before, SnapshotCodec.encode(vault), "a replayed store changes nothing at all");
  }

  @Test
  void r2_same_registration_id_with_other_content_is_refused() {
    VaultState vault = new VaultState();
    vault.apply(new RegisterStore(ALICE, R1, RECORD, 10));
    assertEquals(new Response.Refused(Reason.REGISTRATION_CONFLICT),
        vault.apply(new RegisterStore(ALICE, R1, OTHER_RECORD, 10)));
    assertEquals(new Response.Refused(Reason.REGISTRATION_CONFLICT),
        vault.apply(new RegisterStore(ALICE, R1, RECORD, 9)));
  }

  @Test
  void r3_new_registration_replaces_record_but_keeps_guesses_used() {
    VaultState vault = exposed(10);
    for (int i = 0; i < 4; i++) {
      vault.apply(Guesses.fresh(ALICE));
    }
    assertEquals(new Response.Stored(R2, false), vault.apply(new RegisterStore(ALICE, R2, OTHER_RECORD, 10)));
    assertEquals(new Response.StatusReport(Phase.STORED, 6, 10), vault.status(ALICE));
    // The old registration's pending logins no longer apply.
    assertEquals(new Response.NotFound(), vault.apply(new RecoverSucceeded(ALICE, R1)));
  }

  @Test
  void r3_a_smaller_limit_than_guesses_used_leaves_none() {
    VaultState vault = exposed(10);
    for (int i = 0; i < 4; i++) {
      vault.apply(Guesses.fresh(ALICE));
    }
    vault.apply(new RegisterStore(ALICE, R2, OTHER_RECORD, 2));
    assertEquals(new Response.StatusReport(Phase.STORED, 0, 2), vault.status(ALICE));
    assertEquals(new Response.Destroyed(), vault.apply(Guesses.fresh(ALICE)));
  }

  @Test
  void r4_expose_needs_the_stored_registration_and_resets_the_count() {
    VaultState vault = new VaultState();
    vault.apply(new RegisterStore(ALICE, R1, RECORD, 5));
    vault.apply(Guesses.fresh(ALICE));
    assertEquals(new Response.NotFound(), vault.apply(new RegisterExpose(ALICE, R2, key(1))));
    assertEquals(new Response.Refused(Reason.NOT_EXPOSED), vault.apply(new RecoverSucceeded(ALICE, R1)));
    assertEquals(new Response.Exposed(), vault.apply(new RegisterExpose(ALICE, R1, key(1))));
    assertEquals(new Response.StatusReport(Phase.EXPOSED, 5, 5), vault.status(ALICE));
    assertEquals(new Response.Refused(Reason.ALREADY_EXPOSED), vault.apply(new RegisterExpose(ALICE, R1, key(2))));
  }

  @Test
  void r5_count_guess_counts_one_and_returns_the_record() {
    VaultState vault = exposed(3);
    Response response = vault.apply(Guesses.fresh(ALICE));
    Response.GuessCounted counted = assertInstanceOf(Response.GuessCounted.class, response);
    assertEquals(R1, counted.registrationId());
    assertEquals(1, counted.attemptNumber());
    assertEquals(2, counted.guessesRemaining());
    assertEquals(Phase.EXPOSED, counted.phase());
    assertArrayEquals(RECORD, counted.registrationRecord());
  }

  @Test
  void r6_destroy_after_exactly_max_attempts_counted_guesses() {
    for (int max : new int[] {1, 2, 10, 255}) {
      VaultState vault = exposed(max);
      for (int i = 1; i <= max; i++) {
        Response.GuessCounted counted = assertInstanceOf(Response.GuessCounted.class, vault.apply(Guesses.fresh(ALICE)));
        assertEquals(i, counted.attemptNumber());
        assertEquals(max - i, counted.guessesRemaining());
      }
      assertEquals(new Response.Destroyed(), vault.apply(Guesses.fresh(ALICE)));
      assertEquals(new Response.NotFound(), vault.status(ALICE));
      assertEquals(0, vault.recordCount());
    }
  }

  @Test
  void r7_success_resets_the_count_and_answers_with_a_copy_of_the_key() {
    VaultState vault = exposed(3);
    vault.apply(Guesses.fresh(ALICE));
    vault.apply(Guesses.fresh(ALICE));
    Response.Recovered recovered = assertInstanceOf(Response.Recovered.class, vault.apply(new RecoverSucceeded(ALICE, R1)));
    assertArrayEquals(filled(32, 42), recovered.backupKey().toBytes());
    assertEquals(3, remaining(vault));
    recovered.backupKey().destroy();
    // Destroying the released copy leaves the vault's key intact.
    vault.apply(Guesses.fresh(ALICE));
    Response.Recovered again = assertInstanceOf(Response.Recovered.class, vault.apply(new RecoverSucceeded(ALICE, R1)));
    assertArrayEquals(filled(32, 42), again.backupKey().toBytes());
  }

  @Test
  void r8_failure_keeps_the_count_and_destroys_at_the_limit() {
    VaultState vault = exposed(2);
    vault.apply(Guesses.fresh(ALICE));
    Response kept = vault.apply(new GuessFailed(ALICE, R1));
    assertEquals(new Response.FailureKept(1), kept);
    assertEquals(false, kept.changedState());
    vault.apply(Guesses.fresh(ALICE));
    assertEquals(new Response.Destroyed(), vault.apply(new GuessFailed(ALICE, R1)));
    assertEquals(new Response.NotFound(), vault.status(ALICE));
  }

  @Test
  void r8_the_last_counted_guess_can_still_succeed() {
    VaultState vault = exposed(2);
    vault.apply(Guesses.fresh(ALICE));
    vault.apply(Guesses.fresh(ALICE));
    assertEquals(0, remaining(vault));
    assertInstanceOf(Response.Recovered.class, vault.apply(new RecoverSucceeded(ALICE, R1)));
    assertEquals(2, remaining(vault));
  }

  @Test
  void r9_delete_erases_the_record() {
    VaultState vault = exposed(5);
    assertEquals(new Response.NotFound(), vault.apply(new Delete(ALICE, R2)));
    assertEquals(new Response.Deleted(), vault.apply(new Delete(ALICE, R1)));
    assertEquals(new Response.NotFound(), vault.status(ALICE));
  }

  @Test
  void r10_destroyed_user_answers_exactly_as_an_unknown_user() {
    VaultState destroyed = exposed(1);
    destroyed.apply(Guesses.fresh(ALICE));
    destroyed.apply(new GuessFailed(ALICE, R1));
    VaultState unknown = new VaultState();
    Command[] probes = {
      Guesses.fresh(ALICE), new RecoverSucceeded(ALICE, R1), new GuessFailed(ALICE, R1),
      new Delete(ALICE, R1), new RegisterExpose(ALICE, R1, key(3))
    };
    for (Command probe : probes) {
      assertEquals(unknown.apply(probe), destroyed.apply(probe), probe.kind().toString());
    }
    assertEquals(unknown.status(ALICE), destroyed.status(ALICE));
    assertEquals(0, destroyed.recordCount());
    assertEquals(Map.of(ALICE, R1), destroyed.retired(), "only the retired id is left (R11)");
  }

  @Test
  void r11_a_destroyed_or_deleted_registration_never_comes_back() throws DecodeException {
    VaultState destroyed = exposed(1);
    destroyed.apply(Guesses.fresh(ALICE));
    destroyed.apply(Guesses.fresh(ALICE));
    assertEquals(new Response.Refused(Response.Reason.REGISTRATION_RETIRED), destroyed.apply(store(R1, 1)),
        "a replayed store of the destroyed registration is refused");
    assertEquals(new Response.NotFound(), destroyed.status(ALICE));
    VaultState decoded = SnapshotCodec.decode(SnapshotCodec.encode(destroyed));
    assertEquals(new Response.Refused(Response.Reason.REGISTRATION_RETIRED), decoded.apply(store(R1, 1)),
        "the retired id survives a snapshot");
    assertEquals(new Response.Stored(R2, false), destroyed.apply(store(R2, 1)), "a new registration is welcome");
    assertEquals(Map.of(), destroyed.retired());
    VaultState deleted = exposed(5);
    deleted.apply(new Delete(ALICE, R1));
    assertEquals(new Response.Refused(Response.Reason.REGISTRATION_RETIRED), deleted.apply(store(R1, 5)));
  }

  @Test
  void vault_full_refuses_new_users_but_not_existing_ones() {
    VaultState vault = new VaultState();
    for (int i = 0; i < VaultLimits.USERS_MAX; i++) {
      vault.apply(new RegisterStore(user("u" + i), R1, RECORD, 1));
    }
    assertEquals(new Response.Refused(Reason.VAULT_FULL), vault.apply(new RegisterStore(ALICE, R1, RECORD, 1)));
    assertEquals(new Response.Stored(R2, false), vault.apply(new RegisterStore(user("u0"), R2, RECORD, 1)));
  }

  @Test
  void record_invariants_trip_on_a_broken_record() {
    // Negative tests for the checks every record construction runs.
    assertThrows(Check.InvariantViolation.class, () -> new VaultRecord(R1, RECORD, 3, 4, Phase.STORED, null));
    assertThrows(Check.InvariantViolation.class, () -> new VaultRecord(R1, RECORD, 0, 0, Phase.STORED, null));
    assertThrows(Check.InvariantViolation.class, () -> new VaultRecord(R1, RECORD, 3, 0, Phase.EXPOSED, null));
    assertThrows(Check.InvariantViolation.class, () -> new VaultRecord(R1, RECORD, 3, 0, Phase.STORED, key(1)));
    assertThrows(Check.InvariantViolation.class, () -> new VaultRecord(R1, new byte[257], 3, 0, Phase.STORED, null));
  }

  @Test
  void commands_reject_out_of_range_fields() {
    assertThrows(IllegalArgumentException.class, () -> new RegisterStore(ALICE, R1, RECORD, 0));
    assertThrows(IllegalArgumentException.class, () -> new RegisterStore(ALICE, R1, RECORD, 256));
    assertThrows(IllegalArgumentException.class, () -> new RegisterStore(ALICE, R1, new byte[0], 1));
    assertThrows(IllegalArgumentException.class, () -> new RegisterStore(ALICE, null, RECORD, 1));
    assertThrows(IllegalArgumentException.class, () -> new CountGuess(null, Guesses.fresh(ALICE).ke1Digest()));
    assertThrows(IllegalArgumentException.class, () -> new CountGuess(ALICE, null));
    assertThrows(IllegalArgumentException.class, () -> new BackupKey(new byte[15]));
    assertThrows(DecodeException.class, () -> UserId.of(new byte[0]));
    assertThrows(DecodeException.class, () -> UserId.of(new byte[65]));
  }

  /** Counter-like user ids (the same bytes but the last few) spread over hash codes, so lookups stay flat. */
  @Test
  void counter_user_ids_get_distinct_hash_codes() throws DecodeException {
    int users = 65_536;
    java.util.Set<Integer> hashes = new java.util.HashSet<>();
    for (int u = 0; u < users; u++) {
      byte[] id = new byte[16];
      id[0] = (byte) 0x80;
      id[12] = (byte) (u >>> 24);
      id[13] = (byte) (u >>> 16);
      id[14] = (byte) (u >>> 8);
      id[15] = (byte) u;
      hashes.add(UserId.of(id).hashCode());
    }
    // A 32-bit hash collides a few dozen times among 2^16 ids by chance; Arrays.hashCode gave 8,161 values.
    assertTrue(hashes.size() > users - 1_000, hashes.size() + " distinct hash codes for " + users + " ids");
  }

  /** The snapshot lists records in user id order whatever order they were registered in. */
  @Test
  void snapshot_is_canonical_whatever_the_insertion_order() throws DecodeException {
    VaultState forward = new VaultState();
    VaultState backward = new VaultState();
    int users = 250; // distinct ids: the first byte alone tells them apart
    for (int u = 0; u < users; u++) {
      forward.apply(new RegisterStore(UserId.of(new byte[] {(byte) u, (byte) (u * 7)}), rid(u % 100), RECORD, 10));
      int v = users - 1 - u;
      backward.apply(new RegisterStore(UserId.of(new byte[] {(byte) v, (byte) (v * 7)}), rid(v % 100), RECORD, 10));
    }
    byte[] encoded = SnapshotCodec.encode(forward);
    assertArrayEquals(encoded, SnapshotCodec.encode(backward));
    assertArrayEquals(encoded, SnapshotCodec.encode(SnapshotCodec.decode(encoded)));
  }
}
