package dev.bkv.bench;

import dev.bkv.base.Json;
import dev.bkv.crypto.DecodeException;
import dev.bkv.crypto.opaque.RegistrationRecord;
import dev.bkv.vault.BackupKey;
import dev.bkv.vault.Command;
import dev.bkv.vault.RegistrationId;
import dev.bkv.vault.Response;
import dev.bkv.vault.SnapshotCodec;
import dev.bkv.vault.UserId;
import dev.bkv.vault.VaultLimits;
import dev.bkv.vault.VaultState;
import java.lang.ref.Reference;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Vault memory per registered user: heap retained by {@link VaultState}s holding N registered,
 * exposed users, divided by N, next to the bytes the same users take in the vault's own
 * snapshot encoding (the data without Java's object headers, references and tree nodes).
 *
 * <p>Not a JMH benchmark: JMH reports times, and this is a size. {@code bench/run.sh} runs it
 * in its own JVM with a heap large enough for a million users and hands its JSON to
 * {@link BenchReport}. One vault holds at most {@link VaultLimits#USERS_MAX} users, so N users
 * fill N / USERS_MAX full vaults, as a fleet of that many vault groups would.
 *
 * <p>Usage: {@code VaultMemoryBench USERS...}, e.g. {@code VaultMemoryBench 100000 1000000};
 * prints a JSON array with one object per count.
 */
public final class VaultMemoryBench {
  /** The sizes measured: OPAQUE P256-SHA256 record, 128-bit user id, WhatsApp-sized backup key. */
  static final int USER_ID_BYTES = 16;
  static final int RECORD_BYTES = RegistrationRecord.BYTES;
  static final int BACKUP_KEY_BYTES = 32;
  /** The snapshot's header (format byte, record count) before the first record. */
  static final int SNAPSHOT_HEADER_BYTES = 1 + 4;
  /** The most users one run fills: ten full vaults. */
  static final int USERS_MAX = 10 * VaultLimits.USERS_MAX;
  /** Full collections before a heap reading; later ones free nothing more in practice. */
  private static final int GC_ROUNDS = 4;
  private static final long GC_PAUSE_MILLIS = 100;

  private VaultMemoryBench() {}

  public static void main(String[] args) throws DecodeException, InterruptedException {
    if (args.length == 0) {
      System.err.println("usage: VaultMemoryBench USERS...   (each in [1, " + USERS_MAX + "])");
      System.exit(2);
    }
    int[] counts = new int[args.length];
    for (int i = 0; i < args.length; i++) {
      try {
        counts[i] = Integer.parseInt(args[i]);
      } catch (NumberFormatException e) {
        counts[i] = 0;
      }
      if (counts[i] < 1 || counts[i] > USERS_MAX) {
        System.err.println("VaultMemoryBench: user count '" + args[i] + "' is not a number in [1, " + USERS_MAX + "]");
        System.exit(2);
      }
    }
    List<Object> results = new ArrayList<>();
    for (int users : counts) {
      results.add(measure(users));
    }
    System.out.println(Json.write(results));
  }

  /** Fills vaults with {@code users} exposed registrations and returns the figures for the report. */
  static Map<String, Object> measure(int users) throws DecodeException, InterruptedException {
    long before = usedHeapAfterFullGc();
    List<VaultState> vaults = fill(users);
    long after = usedHeapAfterFullGc();
    long encoded = 0;
    for (VaultState vault : vaults) {
      encoded += SnapshotCodec.encode(vault).length - SNAPSHOT_HEADER_BYTES;
    }
    Reference.reachabilityFence(vaults);
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("users", users);
    result.put("vaults", vaults.size());
    result.put("heapBytesPerUser", (double) (after - before) / users);
    result.put("encodedBytesPerUser", (double) encoded / users);
    result.put("payloadBytesPerUser", USER_ID_BYTES + RegistrationId.BYTES + RECORD_BYTES + BACKUP_KEY_BYTES);
    result.put("maxHeapBytes", Runtime.getRuntime().maxMemory());
    return result;
  }

  /**
   * {@code users} users, each registered (RegisterStore) and exposed (RegisterExpose) through
   * {@link VaultState#apply} as the firmware does it, with random ids, records and keys.
   */
  static List<VaultState> fill(int users) throws DecodeException {
    SplittableRandom random = new SplittableRandom(users);
    List<VaultState> vaults = new ArrayList<>();
    for (int i = 0; i < users; i++) {
      if (i % VaultLimits.USERS_MAX == 0) {
        vaults.add(new VaultState());
      }
      VaultState vault = vaults.get(vaults.size() - 1);
      UserId userId = UserId.of(randomBytes(random, USER_ID_BYTES));
      RegistrationId registrationId = new RegistrationId(randomBytes(random, RegistrationId.BYTES));
      Response stored = vault.apply(new Command.RegisterStore(userId, registrationId,
          randomBytes(random, RECORD_BYTES), VaultLimits.MAX_ATTEMPTS_DEFAULT));
      Response exposed = vault.apply(new Command.RegisterExpose(userId, registrationId,
          new BackupKey(randomBytes(random, BACKUP_KEY_BYTES))));
      if (!(stored instanceof Response.Stored) || !(exposed instanceof Response.Exposed)) {
        throw new IllegalStateException("user " + i + " was not registered and exposed: " + stored + ", " + exposed);
      }
    }
    return vaults;
  }

  private static byte[] randomBytes(SplittableRandom random, int length) {
    byte[] bytes = new byte[length];
    random.nextBytes(bytes);
    return bytes;
  }

  private static long usedHeapAfterFullGc() throws InterruptedException {
    Runtime runtime = Runtime.getRuntime();
    for (int i = 0; i < GC_ROUNDS; i++) {
      System.gc();
      Thread.sleep(GC_PAUSE_MILLIS);
    }
    return runtime.totalMemory() - runtime.freeMemory();
  }
}
