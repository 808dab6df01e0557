package dev.bkv.bench;

import dev.bkv.base.Bytes;
import dev.bkv.crypto.DecodeException;
import dev.bkv.crypto.Sha256;
import dev.bkv.crypto.Sha256Digest;
import dev.bkv.firmware.ReplicatedVault;
import dev.bkv.vault.BackupKey;
import dev.bkv.vault.Command;
import dev.bkv.vault.RegistrationId;
import dev.bkv.vault.Response;
import dev.bkv.vault.UserId;
import dev.bkv.vault.VaultLimits;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The users a {@link FleetCluster} counts guesses for: registered through the vault
 * ({@code RegisterStore} then {@code RegisterExpose}, each committed), so every
 * {@code CountGuess} counts. Guesses go to the users in turn; each user has
 * {@link FleetCluster#MAX_ATTEMPTS} guesses, so the fleet has {@code users x MAX_ATTEMPTS}
 * until {@link #ensureBudget} registers them again (a new registration id, exposed, starts at
 * 0 guesses used). Every answer is checked: the k-th guess of a user since its registration
 * must answer attempt k.
 */
public final class FleetUsers {
  /** Users one fleet registers at most: well inside the vault's {@link VaultLimits#USERS_MAX}. */
  public static final int USERS_MAX = 65_536;
  static final int USER_ID_BYTES = 16;

  private final FleetCluster cluster;
  private UserId[] ids = new UserId[0];
  /** Guesses submitted since the last registration; user (cursor mod users) is next. */
  private long cursor;
  private int generation;

  FleetUsers(FleetCluster cluster) {
    this.cluster = cluster;
  }

  public int count() {
    return ids.length;
  }

  public UserId id(int user) {
    return ids[user];
  }

  /** Guesses left before a user would run out (then the vault would destroy its record). */
  public long budget() {
    return (long) ids.length * FleetCluster.MAX_ATTEMPTS - cursor;
  }

  /** Registers the users again, resetting their counts, when fewer than {@code guesses} are left. */
  public void ensureBudget(long guesses) {
    if (budget() < guesses) {
      register(ids.length);
    }
  }

  /** Registers users 0..count-1 with a fresh registration each, exposed, at 0 guesses used. */
  void register(int count) {
    if (count < 1 || count > USERS_MAX) {
      throw new IllegalArgumentException("users must be in [1, " + USERS_MAX + "], got " + count);
    }
    generation++;
    UserId[] next = new UserId[count];
    List<ReplicatedVault.Request> batch = new ArrayList<>();
    for (int u = 0; u < count; u++) {
      next[u] = userId(u);
      RegistrationId registration = new RegistrationId(Arrays.copyOf(
          Sha256.hash(("BKV bench registration " + generation + "/" + u).getBytes(StandardCharsets.US_ASCII)),
          RegistrationId.BYTES));
      byte[] record = new byte[FleetCluster.RECORD_BYTES]; // opaque bytes to the vault; no login reads them here
      record[0] = (byte) u;
      batch.add(new ReplicatedVault.Request(cluster.nextRequestIds(1), new Command.RegisterStore(next[u], registration,
          record, FleetCluster.MAX_ATTEMPTS)));
      batch.add(new ReplicatedVault.Request(cluster.nextRequestIds(1), new Command.RegisterExpose(next[u], registration,
          new BackupKey(new byte[FleetCluster.BACKUP_KEY_BYTES]))));
      if (batch.size() + 2 > FleetCluster.BATCH_MAX || u == count - 1) {
        for (ReplicatedVault.Released r : cluster.commit(batch)) {
          if (!(r.response() instanceof Response.Stored || r.response() instanceof Response.Exposed)) {
            throw new IllegalStateException("registering " + r.command().userId() + ": " + r.response());
          }
        }
        batch.clear();
      }
    }
    ids = next;
    cursor = 0;
  }

  /** One batch of guesses for the users in turn; checks that each counted the attempt expected. */
  List<ReplicatedVault.Released> countGuesses(int batch) {
    if (ids.length == 0) {
      throw new IllegalStateException("no users registered: call registerUsers first");
    }
    if (batch > budget()) {
      throw new IllegalStateException(batch + " guesses exceed the " + budget() + " left to " + ids.length
          + " users; call users().ensureBudget between measurements");
    }
    long firstId = cluster.nextRequestIds(batch);
    List<ReplicatedVault.Request> requests = new ArrayList<>(batch);
    for (int n = 0; n < batch; n++) {
      // Every request is a new login: its KE1 digest is the request id's hash, never sent before.
      Command guess = new Command.CountGuess(ids[(int) ((cursor + n) % ids.length)],
          Sha256Digest.of(Bytes.i2osp(firstId + n, 8)));
      requests.add(new ReplicatedVault.Request(firstId + n, guess));
    }
    List<ReplicatedVault.Released> done = cluster.commit(requests);
    for (ReplicatedVault.Released r : done) {
      long n = cursor + (r.requestId() - firstId);
      int expected = (int) (n / ids.length) + 1;
      if (!(r.response() instanceof Response.GuessCounted)
          || ((Response.GuessCounted) r.response()).attemptNumber() != expected) {
        throw new IllegalStateException("guess " + n + " for " + r.command().userId() + " should count attempt "
            + expected + ", got " + r.response());
      }
    }
    cursor += batch;
    return done;
  }

  /** User u's id: 16 bytes, the high bit set (ids are bytes, not signed numbers). */
  static UserId userId(int u) {
    byte[] id = new byte[USER_ID_BYTES];
    id[0] = (byte) 0x80;
    System.arraycopy(Bytes.i2osp(u, 4), 0, id, USER_ID_BYTES - 4, 4);
    try {
      return UserId.of(id);
    } catch (DecodeException e) {
      throw new AssertionError("a 16-byte user id is valid", e);
    }
  }
}
