package dev.bkv.vault;

import dev.bkv.base.Check;
import dev.bkv.vault.Command.CountGuess;
import dev.bkv.vault.Command.Delete;
import dev.bkv.vault.Command.GuessFailed;
import dev.bkv.vault.Command.MigrateIn;
import dev.bkv.vault.Command.MigrateOut;
import dev.bkv.vault.Command.RecoverSucceeded;
import dev.bkv.vault.Command.RegisterExpose;
import dev.bkv.vault.Command.RegisterStore;
import dev.bkv.vault.Response.Reason;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The vault: every registration with its guess counter, and the one function that changes
 * them, {@link #apply}. Deterministic: no clock, no randomness, no I/O and no keys, so two
 * replicas that apply the same commands in the same order hold the same state. It is the
 * code that runs inside the HSM boundary; its callers decide when a response may leave.
 *
 * <p>The rules, quoted above the lines that implement them:
 * <ol>
 *   <li>R1 A store for an unknown user creates a STORED record with no guess used.
 *   <li>R2 A store that repeats the current registration (same id, record and limit)
 *       changes nothing.
 *   <li>R3 A store with a new registration id replaces the record, STORED, and keeps the
 *       guesses already used: only a successful recovery resets them.
 *   <li>R4 Expose turns the STORED record of the same registration EXPOSED, holding the
 *       backup key, with no guess used.
 *   <li>R5 CountGuess on a record with guesses left counts one and answers with the record
 *       from which KE2 is computed.
 *   <li>R6 CountGuess on a record with no guess left destroys it.
 *   <li>R7 Success of a counted login on an EXPOSED record resets the count and answers
 *       with the backup key.
 *   <li>R8 Failure of a counted login keeps the count; if no guess is left the record is
 *       destroyed.
 *   <li>R9 Delete after a successful login erases the record.
 *   <li>R10 A command about a registration that no longer exists answers as for an
 *       unknown user.
 *   <li>R11 A registration that was destroyed or deleted never comes back: a store that
 *       names it again (a replay, or a retry that arrives after the end) is refused. The
 *       vault keeps one such retired id per user until the user stores a new registration.
 *   <li>R12 MigrateOut of the EXPOSED record of that registration freezes it as MIGRATED to
 *       the target fleet, with its count and key, and answers with what the export seals. A
 *       repeat for the same target answers the same frozen record again and changes nothing
 *       (an export lost in transit is not a lost user); another target is refused, so a
 *       record is never exported to two fleets.
 *   <li>R13 MigrateIn for a user with no record, naming a registration id that is neither
 *       the user's retired id nor one imported before, creates an EXPOSED record with the
 *       carried count, limit, key and source server setup, and remembers the id forever: a
 *       replayed or duplicated import is refused and can never reset a counter.
 *   <li>R14 A MIGRATED record answers no login and never resets: CountGuess, success,
 *       delete, store and expose are refused and change nothing; a failure keeps it.
 *   <li>R15 CountGuess with the KE1 digest of the guess the record counted last (since its
 *       count was last set) is that guess sent again: answered as R5 answered it, with
 *       nothing counted or destroyed. A KE1 carries the blinded password, so it is one
 *       guess however often it arrives; a retry after a lost answer costs the user nothing.
 * </ol>
 */
public final class VaultState {
  /**
   * By user id, hashed: every committed command looks one up on every HSM, and a tree's
   * compare-walk was over a tenth of a large batch's time. The canonical order exists only
   * where it is needed: {@link #sortedRecords()} sorts for the snapshot encoder.
   */
  private final HashMap<UserId, VaultRecord> records;
  /** R11: per user, the last registration destroyed or deleted, if no newer one was stored since. */
  private final TreeMap<UserId, RegistrationId> retired;
  /** R13: every registration id imported from another fleet, in unsigned byte order. */
  private final TreeSet<RegistrationId> imported;

  /** Unsigned byte order of registration ids: the snapshot's canonical order. */
  static final Comparator<RegistrationId> ID_ORDER = (a, b) -> Arrays.compareUnsigned(a.toBytes(), b.toBytes());

  public VaultState() {
    this(new HashMap<>(), new TreeMap<>(), new TreeSet<>(ID_ORDER));
  }

  /** A state without imported ids (tests that build states directly). */
  VaultState(Map<UserId, VaultRecord> records, TreeMap<UserId, RegistrationId> retired) {
    this(records, retired, new TreeSet<>(ID_ORDER));
  }

  /** For the snapshot decoder: adopts records, retired ids and imported ids already validated. */
  VaultState(Map<UserId, VaultRecord> records, TreeMap<UserId, RegistrationId> retired,
      NavigableSet<RegistrationId> imported) {
    Check.that(records.size() + retired.size() <= VaultLimits.USERS_MAX, "snapshot within USERS_MAX");
    Check.that(imported.size() <= VaultLimits.IMPORTED_IDS_MAX, "snapshot within IMPORTED_IDS_MAX");
    this.records = new HashMap<>(records);
    this.retired = retired;
    this.imported = new TreeSet<>(ID_ORDER);
    this.imported.addAll(imported);
  }

  /** Applies one command. Never throws for a well-formed command; refusals are responses. */
  public Response apply(Command command) {
    Response response;
    switch (command.kind()) {
      case REGISTER_STORE:
        response = registerStore((RegisterStore) command);
        break;
      case REGISTER_EXPOSE:
        response = registerExpose((RegisterExpose) command);
        break;
      case COUNT_GUESS:
        response = countGuess((CountGuess) command);
        break;
      case RECOVER_SUCCEEDED:
        response = recoverSucceeded((RecoverSucceeded) command);
        break;
      case GUESS_FAILED:
        response = guessFailed((GuessFailed) command);
        break;
      case DELETE:
        response = delete((Delete) command);
        break;
      case MIGRATE_OUT:
        response = migrateOut((MigrateOut) command);
        break;
      case MIGRATE_IN:
        response = migrateIn((MigrateIn) command);
        break;
      default:
        throw new AssertionError(command);
    }
    Check.that(records.size() + retired.size() <= VaultLimits.USERS_MAX,
        "vault holds at most USERS_MAX records and retired ids");
    return response;
  }

  /** The status read: guesses remaining and phase, or NotFound. Changes nothing. */
  public Response status(UserId userId) {
    VaultRecord record = records.get(userId);
    if (record == null) {
      return new Response.NotFound();
    }
    return new Response.StatusReport(record.phase(), record.guessesRemaining(), record.maxAttempts());
  }

  /** The user's record, for the firmware that computes KE2 from it and checks phases. */
  public java.util.Optional<VaultRecord> record(UserId userId) {
    return java.util.Optional.ofNullable(records.get(userId));
  }

  public int recordCount() {
    return records.size();
  }

  /** The users that have a record, read-only (for trace snapshots of the applied state). */
  public java.util.Set<UserId> users() {
    return Collections.unmodifiableSet(records.keySet());
  }

  /** A read-only copy in canonical order, for tests. */
  NavigableMap<UserId, VaultRecord> records() {
    return Collections.unmodifiableNavigableMap(new TreeMap<>(records));
  }

  /**
   * The records in canonical order (unsigned user id order), sorted now as an array: the
   * snapshot encoder's one pass over them, without building a tree node per record.
   */
  List<Map.Entry<UserId, VaultRecord>> sortedRecords() {
    List<Map.Entry<UserId, VaultRecord>> sorted = new ArrayList<>(records.entrySet());
    sorted.sort(Map.Entry.comparingByKey());
    return sorted;
  }

  /** Read-only view of the retired registration ids (R11), in canonical order. */
  NavigableMap<UserId, RegistrationId> retired() {
    return Collections.unmodifiableNavigableMap(retired);
  }

  /**
   * Up to {@code max} users with a record, in canonical order, after {@code after} (from the
   * first when empty): an operator's walk over the vault. One pass keeping the {@code max}
   * smallest, so a page costs no sort of the whole vault.
   */
  public List<UserId> usersAfter(java.util.Optional<UserId> after, int max) {
    Check.that(max >= 1, "a page holds at least one user");
    java.util.PriorityQueue<UserId> largestFirst = new java.util.PriorityQueue<>(Comparator.reverseOrder());
    for (UserId u : records.keySet()) {
      if (after.isPresent() && u.compareTo(after.get()) <= 0) {
        continue;
      }
      if (largestFirst.size() < max) {
        largestFirst.add(u);
      } else if (u.compareTo(largestFirst.peek()) < 0) {
        largestFirst.poll();
        largestFirst.add(u);
      }
    }
    List<UserId> page = new ArrayList<>(largestFirst);
    page.sort(null);
    return page;
  }

  /** Read-only view of the imported registration ids (R13), in canonical order. */
  NavigableSet<RegistrationId> imported() {
    return Collections.unmodifiableNavigableSet(imported);
  }

  private Response registerStore(RegisterStore c) {
    VaultRecord existing = records.get(c.userId());
    if (existing != null && existing.phase() == Phase.MIGRATED) {
      // R14 A MIGRATED record is kept frozen: a new registration belongs on the new fleet.
      return new Response.Refused(Reason.MIGRATED);
    }
    if (existing == null) {
      RegistrationId gone = retired.get(c.userId());
      if (c.registrationId().equals(gone)) {
        // R11 A destroyed or deleted registration never comes back with a fresh count.
        return new Response.Refused(Reason.REGISTRATION_RETIRED);
      }
      if (gone == null && records.size() + retired.size() >= VaultLimits.USERS_MAX) {
        return new Response.Refused(Reason.VAULT_FULL);
      }
      retired.remove(c.userId());
      // R1 A store for an unknown user creates a STORED record with no guess used.
      records.put(c.userId(),
          new VaultRecord(c.registrationId(), c.registrationRecord(), c.maxAttempts(), 0, Phase.STORED, null));
      return new Response.Stored(c.registrationId(), false);
    }
    if (existing.registrationId().equals(c.registrationId())) {
      // R2 A store that repeats the current registration changes nothing.
      if (existing.sameRegistrationRecord(c.registrationRecord()) && existing.maxAttempts() == c.maxAttempts()) {
        return new Response.Stored(c.registrationId(), true);
      }
      // Same id, other content: not a retry of this registration. The firmware draws ids at
      // random, so only a forged or corrupted command gets here.
      return new Response.Refused(Reason.REGISTRATION_CONFLICT);
    }
    // R3 A new registration id replaces the record, STORED, keeping the guesses used. A
    // smaller limit than the guesses used leaves the new record with none left.
    int used = Math.min(existing.guessesUsed(), c.maxAttempts());
    existing.zeroize();
    records.put(c.userId(),
        new VaultRecord(c.registrationId(), c.registrationRecord(), c.maxAttempts(), used, Phase.STORED, null));
    return new Response.Stored(c.registrationId(), false);
  }

  private Response registerExpose(RegisterExpose c) {
    VaultRecord record = current(c.userId(), c.registrationId());
    if (record == null) {
      return new Response.NotFound();
    }
    if (record.phase() == Phase.MIGRATED) {
      return new Response.Refused(Reason.MIGRATED);
    }
    if (record.phase() != Phase.STORED) {
      return new Response.Refused(Reason.ALREADY_EXPOSED);
    }
    // R4 Expose turns the STORED record EXPOSED, holding the backup key, with no guess used.
    records.put(c.userId(), new VaultRecord(record.registrationId(), record.registrationRecord(),
        record.maxAttempts(), 0, Phase.EXPOSED, c.backupKey().copy()));
    return new Response.Exposed();
  }

  private Response countGuess(CountGuess c) {
    VaultRecord record = records.get(c.userId());
    if (record == null) {
      return new Response.NotFound();
    }
    if (record.phase() == Phase.MIGRATED) {
      // R14 A MIGRATED record answers no login: nothing counted, nothing released.
      return new Response.Refused(Reason.MIGRATED);
    }
    if (c.ke1Digest().equals(record.lastCountedKe1())) {
      // R15 The KE1 counted last, sent again (its answer was lost): the same guess, answered
      // again and not counted again, even with no guess left (it was counted within the limit).
      return new Response.GuessCounted(record.registrationId(), record.phase(), record.registrationRecordShared(),
          record.guessesUsed(), record.guessesRemaining());
    }
    if (record.guessesRemaining() == 0) {
      // R6 CountGuess on a record with no guess left destroys it.
      return destroy(c.userId(), record);
    }
    // R5 CountGuess on a record with guesses left counts one. (GuessCounted copies the record it is given.)
    VaultRecord counted = record.withGuessCounted(c.ke1Digest());
    records.put(c.userId(), counted);
    Check.that(counted.guessesUsed() == record.guessesUsed() + 1, "CountGuess counts exactly one guess");
    return new Response.GuessCounted(counted.registrationId(), counted.phase(), counted.registrationRecordShared(),
        counted.guessesUsed(), counted.guessesRemaining());
  }

  private Response recoverSucceeded(RecoverSucceeded c) {
    VaultRecord record = current(c.userId(), c.registrationId());
    if (record == null) {
      return new Response.NotFound();
    }
    if (record.phase() == Phase.MIGRATED) {
      // R14 A login counted before the export cannot reset the frozen count.
      return new Response.Refused(Reason.MIGRATED);
    }
    if (record.phase() != Phase.EXPOSED) {
      return new Response.Refused(Reason.NOT_EXPOSED);
    }
    // R7 Success on an EXPOSED record resets the count and answers with the backup key.
    records.put(c.userId(), record.withCountReset());
    return new Response.Recovered(record.backupKey().copy());
  }

  private Response guessFailed(GuessFailed c) {
    VaultRecord record = current(c.userId(), c.registrationId());
    if (record == null) {
      return new Response.NotFound();
    }
    // R8 Failure keeps the count; if no guess is left the record is destroyed.
    // R14 A MIGRATED record is kept frozen as exported, even with no guess left.
    if (record.guessesRemaining() == 0 && record.phase() != Phase.MIGRATED) {
      return destroy(c.userId(), record);
    }
    return new Response.FailureKept(record.guessesRemaining());
  }

  private Response delete(Delete c) {
    VaultRecord record = current(c.userId(), c.registrationId());
    if (record == null) {
      return new Response.NotFound();
    }
    if (record.phase() == Phase.MIGRATED) {
      // R14 Deleting here would not delete the exported copy: the user deletes on the new fleet.
      return new Response.Refused(Reason.MIGRATED);
    }
    // R9 Delete after a successful login erases the record.
    records.remove(c.userId());
    retired.put(c.userId(), record.registrationId());
    record.zeroize();
    return new Response.Deleted();
  }

  private Response migrateOut(MigrateOut c) {
    VaultRecord record = current(c.userId(), c.registrationId());
    if (record == null) {
      return new Response.NotFound();
    }
    if (record.phase() == Phase.MIGRATED) {
      if (!record.migratedTo().orElseThrow().equals(c.targetBundle())) {
        // R12 A record is exported to one fleet only: two would each grant the remaining guesses.
        return new Response.Refused(Reason.MIGRATED_ELSEWHERE);
      }
      // R12 A repeat answers the same frozen record again and changes nothing.
      return migratedOut(record, true);
    }
    if (record.phase() != Phase.EXPOSED) {
      return new Response.Refused(Reason.NOT_EXPOSED);
    }
    // R12 MigrateOut freezes the EXPOSED record as MIGRATED to the target, with its count and key.
    VaultRecord frozen = record.migratedTo(c.targetBundle());
    records.put(c.userId(), frozen);
    Check.that(frozen.guessesUsed() == record.guessesUsed(), "MigrateOut keeps the guess count");
    return migratedOut(frozen, false);
  }

  private static Response migratedOut(VaultRecord record, boolean repeat) {
    return new Response.MigratedOut(record.registrationId(), record.registrationRecordShared(), record.guessesUsed(),
        record.maxAttempts(), record.backupKey().copy(), record.migratedTo().orElseThrow(),
        record.sourceSetupShared() == null ? new byte[0] : record.sourceSetupShared(), repeat);
  }

  private Response migrateIn(MigrateIn c) {
    if (records.containsKey(c.userId())) {
      // R13 An import never replaces a record, so it can never reset a counter.
      return new Response.Refused(Reason.USER_EXISTS);
    }
    if (imported.contains(c.registrationId()) || c.registrationId().equals(retired.get(c.userId()))) {
      // R13 A replayed or duplicated import, or one of a registration that ended here, is refused.
      return new Response.Refused(Reason.ALREADY_IMPORTED);
    }
    if (imported.size() >= VaultLimits.IMPORTED_IDS_MAX) {
      return new Response.Refused(Reason.IMPORTS_FULL);
    }
    if (!retired.containsKey(c.userId()) && records.size() + retired.size() >= VaultLimits.USERS_MAX) {
      return new Response.Refused(Reason.VAULT_FULL);
    }
    // R13 The import creates an EXPOSED record with the carried count, limit, key and source setup.
    retired.remove(c.userId());
    imported.add(c.registrationId());
    records.put(c.userId(), new VaultRecord(c.registrationId(), c.registrationRecord(), c.maxAttempts(),
        c.guessesUsed(), Phase.EXPOSED, c.backupKey().copy(), null, c.sourceSetup(), null));
    return new Response.Imported(c.registrationId(), c.guessesUsed(), c.maxAttempts());
  }

  private Response destroy(UserId userId, VaultRecord record) {
    Check.that(record.guessesUsed() == record.maxAttempts(), "destroy only at exactly maxAttempts guesses used");
    records.remove(userId);
    retired.put(userId, record.registrationId());
    record.zeroize();
    return new Response.Destroyed();
  }

  /** R10 The record of {@code registrationId}, or null when that registration no longer exists. */
  private VaultRecord current(UserId userId, RegistrationId registrationId) {
    VaultRecord record = records.get(userId);
    if (record == null || !record.registrationId().equals(registrationId)) {
      return null;
    }
    return record;
  }
}
