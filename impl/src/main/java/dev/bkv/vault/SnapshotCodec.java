package dev.bkv.vault;

import dev.bkv.crypto.DecodeException;
import dev.bkv.crypto.Sha256;
import dev.bkv.crypto.Sha256Digest;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The snapshot encoding of a {@link VaultState}: {@code u8 format || u32 count || count
 * records}, in strictly increasing unsigned order of user id, so each state has exactly
 * one encoding and two replicas' snapshots compare byte for byte. A record is
 * {@code bytes8 user_id || registration_id[16] || bytes16 registration_record ||
 * u8 max_attempts || u8 guesses_used || u8 phase || (bytes8 backup_key if EXPOSED)}.
 * Format 1 ends there; a state holding retired registration ids (R11) is format 2, followed
 * by {@code u32 retired_count || retired_count x (bytes8 user_id || registration_id[16])},
 * in the same order. A state holding migration state (a MIGRATED record, an imported record's
 * source setup, or an imported id: R12-R13) is format 3: a MIGRATED record carries its backup
 * key and then {@code target_bundle[32]}; an EXPOSED or MIGRATED record then ends with
 * {@code bytes8 source_setup} (empty when not imported); after the records come {@code u32 retired_count ||
 * retired ids} (0 or more) and {@code u32 imported_count || imported_count x
 * registration_id[16]} in increasing unsigned order. A state in which some record remembers the
 * KE1 of the last guess it counted (R15) is format 4: format 3 with every record ending in
 * {@code u8 has_last_ke1 || (last_ke1_digest[32] if 1)}. Formats 1 to 3 stay exactly as they
 * were, so a state without those fields encodes as before.
 */
public final class SnapshotCodec {
  public static final int FORMAT = 1;
  /** Format 1 followed by the retired registration ids. */
  public static final int FORMAT_WITH_RETIRED = 2;
  /** Records with their migration fields, retired ids and imported ids (R12-R13). */
  public static final int FORMAT_WITH_MIGRATION = 3;
  /** Format 3 whose records also carry the digest of the last KE1 they counted (R15). */
  public static final int FORMAT_WITH_LAST_KE1 = 4;
  static final int HEADER_BYTES = 1 + 4;
  /**
   * What one record of a typical registration takes (a 16-byte user id, a ~130-byte OPAQUE
   * record, an exposed 32-byte key): presizes the encoder so that a snapshot of many records
   * is not copied as it grows. Only a hint: larger records still encode.
   */
  static final int RECORD_BYTES_TYPICAL = 1 + 16 + 16 + 2 + 130 + 3 + 1 + 32;

  private SnapshotCodec() {}

  public static byte[] encode(VaultState state) {
    return encode(state, SnapshotOptions.PRODUCTION);
  }

  /** As {@link #encode(VaultState)}; a test-only seeded bug may write every guess count as 0. */
  public static byte[] encode(VaultState state, SnapshotOptions options) {
    boolean retired = !state.retired().isEmpty();
    // The seeded bug that drops counters drops the KE1 that counted with them.
    boolean lastKe1 = !options.dropCounters && hasLastKe1(state);
    boolean migration = lastKe1 || hasMigrationState(state);
    int format = lastKe1 ? FORMAT_WITH_LAST_KE1 : migration ? FORMAT_WITH_MIGRATION
        : retired ? FORMAT_WITH_RETIRED : FORMAT;
    Wire.Writer out = new Wire.Writer(state.recordCount() * RECORD_BYTES_TYPICAL + HEADER_BYTES)
        .u8(format).u32(state.recordCount());
    for (Map.Entry<UserId, VaultRecord> entry : state.sortedRecords()) {
      VaultRecord record = entry.getValue();
      // Shared arrays, only read: a snapshot of every record on every HSM is a pause in the commit path.
      out.bytes8(entry.getKey().bytesShared())
          .fixed(record.registrationId().toBytes())
          .bytes16(record.registrationRecordShared())
          .u8(record.maxAttempts())
          .u8(options.dropCounters ? 0 : record.guessesUsed())
          .u8(record.phase().code);
      if (record.phase() == Phase.EXPOSED || record.phase() == Phase.MIGRATED) {
        out.bytes8(record.backupKey().toBytes());
      }
      if (migration && record.phase() == Phase.MIGRATED) {
        out.fixed(record.migratedTo().orElseThrow().toBytes());
      }
      if (migration && (record.phase() == Phase.EXPOSED || record.phase() == Phase.MIGRATED)) {
        byte[] setup = record.sourceSetupShared();
        out.bytes8(setup == null ? new byte[0] : setup);
      }
      if (lastKe1) {
        Sha256Digest last = record.lastCountedKe1();
        out.u8(last == null ? 0 : 1);
        if (last != null) {
          out.fixed(last.toBytes());
        }
      }
    }
    if (retired || migration) {
      out.u32(state.retired().size());
      for (Map.Entry<UserId, RegistrationId> entry : state.retired().entrySet()) {
        out.bytes8(entry.getKey().toBytes()).fixed(entry.getValue().toBytes());
      }
    }
    if (migration) {
      out.u32(state.imported().size());
      for (RegistrationId id : state.imported()) {
        out.fixed(id.toBytes());
      }
    }
    byte[] encoded = out.toBytes();
    dev.bkv.base.Check.that(encoded.length <= VaultLimits.SNAPSHOT_BYTES_MAX, "snapshot within SNAPSHOT_BYTES_MAX");
    return encoded;
  }

  /** Whether the state needs format 3: any MIGRATED record, imported record or imported id. */
  private static boolean hasMigrationState(VaultState state) {
    if (!state.imported().isEmpty()) {
      return true;
    }
    for (UserId u : state.users()) {
      VaultRecord r = state.record(u).orElseThrow();
      if (r.phase() == Phase.MIGRATED || r.sourceSetupShared() != null) {
        return true;
      }
    }
    return false;
  }

  /** Whether the state needs format 4: some record remembers the last KE1 it counted. */
  private static boolean hasLastKe1(VaultState state) {
    for (UserId u : state.users()) {
      if (state.record(u).orElseThrow().lastCountedKe1() != null) {
        return true;
      }
    }
    return false;
  }

  public static VaultState decode(byte[] encoded) throws DecodeException {
    if (encoded.length > VaultLimits.SNAPSHOT_BYTES_MAX) {
      throw new DecodeException("snapshot", encoded.length + " bytes exceeds " + VaultLimits.SNAPSHOT_BYTES_MAX);
    }
    Wire.Reader in = new Wire.Reader(encoded);
    int format = in.u8("snapshot.format");
    if (format != FORMAT && format != FORMAT_WITH_RETIRED && format != FORMAT_WITH_MIGRATION
        && format != FORMAT_WITH_LAST_KE1) {
      throw new DecodeException("snapshot.format", "unknown format " + format);
    }
    long count = in.u32("snapshot.count");
    if (count > VaultLimits.USERS_MAX) {
      throw new DecodeException("snapshot.count", count + " records exceeds USERS_MAX " + VaultLimits.USERS_MAX);
    }
    TreeMap<UserId, VaultRecord> records = new TreeMap<>();
    UserId previous = null;
    for (long i = 0; i < count; i++) {
      UserId userId = UserId.of(in.bytes8("snapshot.user_id", VaultLimits.USER_ID_BYTES_MIN, VaultLimits.USER_ID_BYTES_MAX));
      if (previous != null && previous.compareTo(userId) >= 0) {
        throw new DecodeException("snapshot.user_id", "records not in strictly increasing user id order");
      }
      previous = userId;
      records.put(userId, decodeRecord(in, format >= FORMAT_WITH_MIGRATION, format == FORMAT_WITH_LAST_KE1));
    }
    TreeMap<UserId, RegistrationId> retired = new TreeMap<>();
    if (format != FORMAT) {
      long retiredCount = in.u32("snapshot.retired_count");
      long retiredMin = format == FORMAT_WITH_RETIRED ? 1 : 0;
      if (retiredCount < retiredMin || count + retiredCount > VaultLimits.USERS_MAX) {
        throw new DecodeException("snapshot.retired_count", retiredCount + " retired ids with " + count
            + " records: format 2 holds 1 or more, and at most USERS_MAX " + VaultLimits.USERS_MAX + " in all");
      }
      previous = null;
      for (long i = 0; i < retiredCount; i++) {
        UserId userId = UserId.of(in.bytes8("snapshot.retired_user_id", VaultLimits.USER_ID_BYTES_MIN,
            VaultLimits.USER_ID_BYTES_MAX));
        if (previous != null && previous.compareTo(userId) >= 0) {
          throw new DecodeException("snapshot.retired_user_id", "retired ids not in strictly increasing user id order");
        }
        if (records.containsKey(userId)) {
          throw new DecodeException("snapshot.retired_user_id", "a user with a record has no retired id");
        }
        previous = userId;
        retired.put(userId, CommandCodec.registrationId(in));
      }
    }
    TreeSet<RegistrationId> imported = new TreeSet<>(VaultState.ID_ORDER);
    if (format >= FORMAT_WITH_MIGRATION) {
      long importedCount = in.u32("snapshot.imported_count");
      if (importedCount > VaultLimits.IMPORTED_IDS_MAX) {
        throw new DecodeException("snapshot.imported_count", importedCount + " exceeds IMPORTED_IDS_MAX "
            + VaultLimits.IMPORTED_IDS_MAX);
      }
      RegistrationId last = null;
      for (long i = 0; i < importedCount; i++) {
        RegistrationId id = CommandCodec.registrationId(in);
        if (last != null && VaultState.ID_ORDER.compare(last, id) >= 0) {
          throw new DecodeException("snapshot.imported_id", "imported ids not in strictly increasing order");
        }
        last = id;
        imported.add(id);
      }
    }
    in.end("snapshot");
    VaultState state = new VaultState(records, retired, imported);
    if (format == FORMAT_WITH_MIGRATION && !hasMigrationState(state)) {
      throw new DecodeException("snapshot.format", "format 3 holds no migration state; its canonical format is 1 or 2");
    }
    if (format == FORMAT_WITH_LAST_KE1 && !hasLastKe1(state)) {
      throw new DecodeException("snapshot.format", "format 4 holds no last KE1; its canonical format is 1, 2 or 3");
    }
    return state;
  }

  private static VaultRecord decodeRecord(Wire.Reader in, boolean migration, boolean withLastKe1)
      throws DecodeException {
    RegistrationId id = CommandCodec.registrationId(in);
    byte[] record = in.bytes16("snapshot.registration_record",
        VaultLimits.REGISTRATION_RECORD_BYTES_MIN, VaultLimits.REGISTRATION_RECORD_BYTES_MAX);
    int maxAttempts = CommandCodec.maxAttempts(in, "snapshot.max_attempts");
    int used = in.u8("snapshot.guesses_used");
    if (used > maxAttempts) {
      throw new DecodeException("snapshot.guesses_used", used + " exceeds max_attempts " + maxAttempts);
    }
    int code = in.u8("snapshot.phase");
    Phase phase = Phase.fromCode(code);
    if (phase == null) {
      throw new DecodeException("snapshot.phase", "unknown phase " + code);
    }
    if (phase == Phase.MIGRATED && !migration) {
      throw new DecodeException("snapshot.phase", "a MIGRATED record needs snapshot format 3");
    }
    BackupKey key = null;
    if (phase == Phase.EXPOSED || phase == Phase.MIGRATED) {
      byte[] raw = in.bytes8("snapshot.backup_key", VaultLimits.BACKUP_KEY_BYTES_MIN, VaultLimits.BACKUP_KEY_BYTES_MAX);
      key = new BackupKey(raw);
      Arrays.fill(raw, (byte) 0);
    }
    Sha256Digest target = null;
    if (phase == Phase.MIGRATED) {
      target = new Sha256Digest(in.fixed("snapshot.target_bundle", Sha256.DIGEST_BYTES));
    }
    byte[] setup = null;
    if (migration && (phase == Phase.EXPOSED || phase == Phase.MIGRATED)) {
      setup = in.bytes8("snapshot.source_setup", 0, VaultLimits.SOURCE_SETUP_BYTES_MAX);
      setup = setup.length == 0 ? null : setup;
    }
    Sha256Digest lastKe1 = null;
    if (withLastKe1) {
      int has = in.u8("snapshot.has_last_ke1");
      if (has > 1) {
        throw new DecodeException("snapshot.has_last_ke1", "must be 0 or 1, not " + has);
      }
      if (has == 1) {
        lastKe1 = new Sha256Digest(in.fixed("snapshot.last_ke1_digest", Sha256.DIGEST_BYTES));
      }
    }
    if (lastKe1 != null && (used == 0 || phase == Phase.MIGRATED)) {
      // The count's last reset cleared it, and a migrated record counts nothing (R14).
      throw new DecodeException("snapshot.last_ke1_digest", "a record with no guess counted (or MIGRATED) has none");
    }
    return new VaultRecord(id, record, maxAttempts, used, phase, key, target, setup, lastKe1);
  }
}
