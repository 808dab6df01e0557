package dev.bkv.rotation;

import dev.bkv.client.VaultTransport;
import dev.bkv.crypto.DecodeException;
import dev.bkv.hsm.FirmwareCodec;
import dev.bkv.hsm.FirmwareRequest;
import dev.bkv.hsm.FirmwareResponse;
import dev.bkv.hsm.FirmwareResponse.Reason;
import dev.bkv.vault.Phase;
import dev.bkv.vault.UserId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The operator's side of fleet rotation (G8): walks the old fleet's users and moves each to the
 * new fleet, MIGRATE_OUT on the old fleet (which freezes the record and seals its export to the
 * new fleet's key inside the HSM) then MIGRATE_IN of that sealed export on the new fleet. Nothing
 * secret passes through here in the clear: user ids, sealed exports and public bundles only.
 *
 * <p>Idempotent and resumable: a record already frozen for this target is exported again
 * unchanged, and a new fleet that already holds the user refuses the import, which counts as
 * done once the new fleet's status shows the user. A refusal that concerns one user is reported
 * for that user and the walk goes on; one that concerns the whole fleet (no migration anchors,
 * an untrusted target) stops it, since every other user would be refused alike.
 */
public final class FleetMigrator {
  /** Users one run moves at most; a larger vault is moved by running again (done users are skipped cheaply). */
  public static final int USERS_MAX = 1_000_000;
  /** Users asked for per LIST_USERS page: the codec's largest page. */
  public static final int PAGE_USERS = FirmwareCodec.LIST_USERS_MAX;
  /** Pages one run reads at most: enough for {@link #USERS_MAX} users. */
  public static final int PAGES_MAX = USERS_MAX / PAGE_USERS + 1;
  /** Tries per request when the answer is "try again", "not the leader" or a transport failure. */
  public static final int REQUEST_ATTEMPTS_MAX = 5;
  public static final long RETRY_BACKOFF_MILLIS_DEFAULT = 200;
  public static final long RETRY_BACKOFF_MILLIS_MAX = 60_000;

  /** How far one run goes. */
  public record Limits(int usersMax, int pagesMax, int requestAttemptsMax, long retryBackoffMillis) {
    public static final Limits DEFAULTS = new Limits(USERS_MAX, PAGES_MAX, REQUEST_ATTEMPTS_MAX, RETRY_BACKOFF_MILLIS_DEFAULT);

    public Limits {
      if (usersMax < 1 || usersMax > USERS_MAX || pagesMax < 1 || pagesMax > PAGES_MAX || requestAttemptsMax < 1
          || requestAttemptsMax > REQUEST_ATTEMPTS_MAX || retryBackoffMillis < 0 || retryBackoffMillis > RETRY_BACKOFF_MILLIS_MAX) {
        throw new IllegalArgumentException("migration limits out of range: " + usersMax + " users, " + pagesMax + " pages, "
            + requestAttemptsMax + " attempts, " + retryBackoffMillis + " ms backoff");
      }
    }
  }

  /** A refusal or failure that ends the whole run, not one user's move. */
  private static final class Stop extends Exception {
    Stop(String message) {
      super(message);
    }
  }

  private final VaultTransport from;
  private final VaultTransport to;
  private final byte[] targetWitnessed;
  private final byte[] ownWitnessed;
  private final Limits limits;

  /**
   * {@code targetWitnessed}: the new fleet's witnessed bundle, which must chain to
   * {@code ownWitnessed}, the old fleet's (both {@code bkv.dev/witnessed-bundle@v1} files; the old
   * fleet's HSMs check them against their trust anchors).
   */
  public FleetMigrator(VaultTransport from, VaultTransport to, byte[] targetWitnessed, byte[] ownWitnessed, Limits limits) {
    for (byte[] bundle : new byte[][] {targetWitnessed, ownWitnessed}) {
      if (bundle.length < 1 || bundle.length > FirmwareCodec.MIGRATION_BUNDLE_BYTES_MAX) {
        throw new IllegalArgumentException("a witnessed bundle of " + bundle.length + " bytes is not in [1, "
            + FirmwareCodec.MIGRATION_BUNDLE_BYTES_MAX + "]");
      }
    }
    this.from = from;
    this.to = to;
    this.targetWitnessed = targetWitnessed.clone();
    this.ownWitnessed = ownWitnessed.clone();
    this.limits = limits;
  }

  /** Moves every user of the old fleet; {@code onUser} hears each outcome as it is known. */
  public MigrationReport run(Consumer<MigrationOutcome> onUser) throws InterruptedException {
    List<MigrationOutcome> outcomes = new ArrayList<>();
    Optional<UserId> after = Optional.empty();
    try {
      for (int page = 0; ; page++) {
        if (page >= limits.pagesMax()) {
          return new MigrationReport(outcomes, Optional.of("read " + limits.pagesMax() + " pages of users (the limit)"));
        }
        FirmwareResponse.Users users = listUsers(after);
        for (UserId userId : users.userIds()) {
          if (outcomes.size() >= limits.usersMax()) {
            return new MigrationReport(outcomes, Optional.of("moved " + limits.usersMax() + " users (the limit)"));
          }
          MigrationOutcome outcome = migrate(userId);
          outcomes.add(outcome);
          onUser.accept(outcome);
          after = Optional.of(userId);
        }
        if (!users.more()) {
          return new MigrationReport(outcomes, Optional.empty());
        }
        if (users.userIds().isEmpty()) {
          return new MigrationReport(outcomes, Optional.of("the old fleet answered an empty page with more to come"));
        }
      }
    } catch (Stop e) {
      return new MigrationReport(outcomes, Optional.of(e.getMessage()));
    }
  }

  private FirmwareResponse.Users listUsers(Optional<UserId> after) throws Stop, InterruptedException {
    FirmwareResponse response;
    try {
      response = exchange(from, new FirmwareRequest.ListUsers(after, PAGE_USERS));
    } catch (VaultTransport.TransportException e) {
      throw new Stop("listing the old fleet's users: " + e.getMessage());
    }
    if (response instanceof FirmwareResponse.Users) {
      FirmwareResponse.Users users = (FirmwareResponse.Users) response;
      for (UserId id : users.userIds()) {
        // The walk only moves forward, so a host replaying or reordering pages cannot make it loop.
        if (after.isPresent() && id.compareTo(after.get()) <= 0) {
          throw new Stop("the old fleet listed " + MigrationOutcome.display(id) + " out of order");
        }
        after = Optional.of(id);
      }
      return users;
    }
    throw new Stop("listing the old fleet's users: " + describe(response));
  }

  /** Moves one user; never throws for a failure of this user alone. */
  private MigrationOutcome migrate(UserId userId) throws Stop, InterruptedException {
    FirmwareResponse out;
    try {
      out = exchange(from, new FirmwareRequest.MigrateOut(userId, targetWitnessed, ownWitnessed));
    } catch (VaultTransport.TransportException e) {
      return new MigrationOutcome.Failed(userId, "export: " + e.getMessage());
    }
    if (out instanceof FirmwareResponse.NotFound) {
      return new MigrationOutcome.NoRecord(userId);
    }
    if (out instanceof FirmwareResponse.Refused) {
      Reason reason = ((FirmwareResponse.Refused) out).reason();
      if (reason == Reason.MIGRATION_NOT_CONFIGURED || reason == Reason.TARGET_NOT_TRUSTED) {
        throw new Stop("the old fleet refused to export: " + describe(out));
      }
      return new MigrationOutcome.Failed(userId, "export refused: " + describe(out));
    }
    if (!(out instanceof FirmwareResponse.Migrated)) {
      return new MigrationOutcome.Failed(userId, "export: unexpected answer " + out.kind());
    }
    FirmwareResponse in;
    try {
      in = exchange(to, new FirmwareRequest.MigrateIn(((FirmwareResponse.Migrated) out).export()));
    } catch (VaultTransport.TransportException e) {
      return new MigrationOutcome.Failed(userId, "import: " + e.getMessage());
    }
    if (in instanceof FirmwareResponse.Imported) {
      FirmwareResponse.Imported imported = (FirmwareResponse.Imported) in;
      if (!imported.userId().equals(userId)) {
        return new MigrationOutcome.Failed(userId, "the new fleet imported " + MigrationOutcome.display(imported.userId()));
      }
      return new MigrationOutcome.Migrated(userId, imported.guessesUsed(), imported.maxAttempts());
    }
    if (in instanceof FirmwareResponse.Refused && ((FirmwareResponse.Refused) in).reason() == Reason.IMPORT_REFUSED) {
      return alreadyThere(userId, describe(in));
    }
    return new MigrationOutcome.Failed(userId, "import refused: " + describe(in));
  }

  /**
   * An import refused by a new fleet that holds the user already is a move done before: shown by
   * the new fleet's status, with the count the old fleet froze. Any other refusal (a full vault)
   * is this user's failure.
   */
  private MigrationOutcome alreadyThere(UserId userId, String refusal) throws InterruptedException {
    try {
      FirmwareResponse onNew = exchange(to, new FirmwareRequest.Status(userId));
      if (!(onNew instanceof FirmwareResponse.StatusReport)) {
        return new MigrationOutcome.Failed(userId, "import refused: " + refusal);
      }
      FirmwareResponse onOld = exchange(from, new FirmwareRequest.Status(userId));
      if (!(onOld instanceof FirmwareResponse.StatusReport)
          || ((FirmwareResponse.StatusReport) onOld).phase() != Phase.MIGRATED) {
        return new MigrationOutcome.Failed(userId, "the old fleet's record is not frozen: " + describe(onOld));
      }
      FirmwareResponse.StatusReport frozen = (FirmwareResponse.StatusReport) onOld;
      return new MigrationOutcome.AlreadyMigrated(userId, frozen.maxAttempts() - frozen.guessesRemaining(),
          frozen.maxAttempts());
    } catch (VaultTransport.TransportException e) {
      return new MigrationOutcome.Failed(userId, "import refused (" + refusal + "), then status: " + e.getMessage());
    }
  }

  /**
   * One request, retried while the fleet says to try again or cannot be reached; a garbled answer
   * is a transport failure. Every request sent here is safe to repeat: ListUsers and Status read,
   * a repeated MigrateOut re-exports the same frozen record, and a repeated MigrateIn is refused.
   */
  private FirmwareResponse exchange(VaultTransport transport, FirmwareRequest request)
      throws VaultTransport.TransportException, InterruptedException {
    byte[] encoded = FirmwareCodec.encode(request);
    VaultTransport.TransportException last = null;
    for (int attempt = 1; attempt <= limits.requestAttemptsMax(); attempt++) {
      if (attempt > 1) {
        Thread.sleep(limits.retryBackoffMillis() * (attempt - 1));
      }
      FirmwareResponse response;
      try {
        response = FirmwareCodec.decodeResponse(transport.exchange(encoded));
      } catch (VaultTransport.TransportException e) {
        last = e;
        continue;
      } catch (DecodeException e) {
        last = new VaultTransport.TransportException("undecodable answer: " + e.getMessage(), e);
        continue;
      }
      if (response instanceof FirmwareResponse.Refused) {
        Reason reason = ((FirmwareResponse.Refused) response).reason();
        if ((reason == Reason.TRY_AGAIN || reason == Reason.NOT_LEADER) && attempt < limits.requestAttemptsMax()) {
          continue;
        }
      }
      return response;
    }
    throw new VaultTransport.TransportException(limits.requestAttemptsMax() + " attempts failed, the last: "
        + last.getMessage(), last);
  }

  private static String describe(FirmwareResponse response) {
    if (response instanceof FirmwareResponse.Refused) {
      FirmwareResponse.Refused refused = (FirmwareResponse.Refused) response;
      return refused.reason() + (refused.detail().isEmpty() ? "" : " (" + refused.detail() + ")");
    }
    return response.kind().toString();
  }
}
