package dev.bkv.deploy;

import dev.bkv.bundle.BundleVerdict;
import dev.bkv.client.ClientAnchors;
import dev.bkv.client.FleetTrust;
import dev.bkv.client.RecoveryResult;
import dev.bkv.client.VaultClient;
import dev.bkv.client.VaultClientException;
import dev.bkv.client.VaultStatus;
import dev.bkv.client.VaultTransport;
import dev.bkv.crypto.opaque.Ksf;
import dev.bkv.crypto.opaque.Password;
import dev.bkv.deploy.SoakLedger.Outcome;
import dev.bkv.net.FrontendHttpClient;
import dev.bkv.net.VaultHttpTransport;
import dev.bkv.vault.BackupKey;
import dev.bkv.vault.UserId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One client lane of a soak: a phone's {@link VaultClient} over HTTP to the frontend, trusting
 * the fleet through the witnessed bundle and the app's anchors as {@code bkv client} does, run
 * in the soak's process so that a client costs no JVM start. Operations go one after another,
 * paced, on users of the lane's own (so no two operations on a user overlap and each outcome
 * is known in order). It registers users up to its share of {@code --users}, then guesses wrong
 * and recovers at random, never letting a user get near {@code maxAttempts}. Every outcome goes
 * to the ledger.
 */
final class SoakClient {
  static final int REGISTER_PERCENT = 25;
  static final int WRONG_PERCENT = 55;
  static final int BACKUP_KEY_BYTES = 32;
  /** The cheapest Argon2id the KSF takes: the protocol is the same, the soak loads the fleet, not the phone. */
  static final Ksf CHEAP_KSF = Ksf.argon2id(64, 1, 1);

  /** Registered keys, shared by the lanes and the final checks. */
  private static final Map<String, byte[]> KEYS = new ConcurrentHashMap<>();

  private final FleetSoak soak;
  private final int lane;
  private final Random random;
  private final VaultClient client;
  private final List<String> users = new ArrayList<>();

  SoakClient(FleetSoak soak, int lane) throws Exception {
    this.soak = soak;
    this.lane = lane;
    this.random = FleetSoak.random(lane);
    this.client = trustedClient(soak, lane);
  }

  /** The fleet's bundle from the frontend, checked against the app's anchors (tried again while the fleet is busy). */
  private static VaultClient trustedClient(FleetSoak soak, int lane) throws Exception {
    Deployment d = soak.deployment();
    FrontendHttpClient frontend = FrontendHttpClient.to(soak.frontend());
    Exception last = null;
    for (int attempt = 1; attempt <= FleetSoak.ATTEMPTS_MAX; attempt++) {
      try {
        Path state = d.dir.resolve("lane-" + lane + "-" + System.nanoTime() + ".state");
        FleetTrust trust = FleetTrust.open(state, ClientAnchors.parse(Files.readAllBytes(d.anchors)));
        byte[] bundle = frontend.bundle().orElseThrow(() -> new IllegalStateException("the frontend serves no bundle"));
        BundleVerdict verdict = trust.offer(bundle, frontend.logTiles(), Instant.now().getEpochSecond());
        if (!(verdict instanceof BundleVerdict.Accepted accepted)) {
          throw new AssertionError("the fleet's bundle was refused: " + verdict.describe());
        }
        VaultTransport counted = new CountingTransport(new VaultHttpTransport(frontend), soak);
        return VaultClient.forFleet(counted, accepted.fleet(), CHEAP_KSF, new SecureRandom());
      } catch (java.io.IOException e) {
        last = e;
        Thread.sleep(1_000L * attempt);
      }
    }
    throw new AssertionError("lane " + lane + " could not fetch the fleet's bundle", last);
  }

  /** Every exchange with the frontend counted, and those without an answer. */
  private record CountingTransport(VaultTransport inner, FleetSoak soak) implements VaultTransport {
    @Override
    public byte[] exchange(byte[] request) throws TransportException {
      soak.count("http exchanges");
      try {
        return inner.exchange(request);
      } catch (TransportException e) {
        soak.count("http exchanges failed");
        throw e;
      }
    }
  }

  void run(long deadlineNanos) throws Exception {
    int share = soak.options().users() / soak.options().clients();
    long paceNanos = (long) (1e9 * soak.options().clients() / soak.options().rate());
    long next = System.nanoTime();
    int made = 0;
    while (next < deadlineNanos) {
      long wait = (next - System.nanoTime()) / 1_000_000;
      if (wait > 0) {
        Thread.sleep(wait);
      }
      next = Math.max(next + paceNanos, System.nanoTime());
      int roll = random.nextInt(100);
      if (users.isEmpty() || (made < share && roll < REGISTER_PERCENT)) {
        if (made < share || users.isEmpty()) {
          register("u" + lane + "-" + made++);
        }
        continue;
      }
      String user = users.get(random.nextInt(users.size()));
      if (roll < REGISTER_PERCENT + WRONG_PERCENT && soak.ledger().guessesLeft(user) > 0) {
        wrongGuess(user);
      } else {
        recover(user, "recoveries");
      }
    }
  }

  private void register(String user) throws Exception {
    byte[] key = new byte[BACKUP_KEY_BYTES];
    new SecureRandom().nextBytes(key);
    soak.count("registrations");
    try {
      client.register(UserId.ofUtf8(user), Password.utf8(Users.password(user)), new BackupKey(key.clone()),
          FleetSoak.MAX_ATTEMPTS);
      KEYS.put(user, key);
      soak.ledger().registration(user, Outcome.ACKNOWLEDGED);
      users.add(user);
    } catch (VaultClientException e) {
      // Not retried: a registration under the same name might meet the first one's record.
      soak.ledger().registration(user, Outcome.LOST);
      soak.count("failed registrations");
      soak.log("registration of " + user + " lost: " + e.getMessage());
    }
  }

  private void wrongGuess(String user) throws Exception {
    soak.count("wrong guesses");
    try {
      RecoveryResult r = client.recover(UserId.ofUtf8(user), Password.utf8("a wrong guess"));
      if (r instanceof RecoveryResult.Recovered recovered) {
        recovered.backupKey().destroy();
        soak.problem(user + ": a wrong password recovered a key");
      }
      // "Not recovered" exists only after the guess was committed (G1): it counted.
      soak.ledger().wrongGuess(user, Outcome.REFUSED);
    } catch (VaultClientException e) {
      soak.ledger().wrongGuess(user, Outcome.LOST);
      soak.count("failed wrong guesses");
      soak.log("wrong guess on " + user + " lost: " + e.getMessage());
    }
  }

  /**
   * A recovery with the right password, tried again while its answer is lost, up to
   * {@link FleetSoak#ATTEMPTS_MAX} times; the key that comes back must be the registered one.
   */
  private boolean recover(String user, String kind) throws Exception {
    for (int attempt = 1; attempt <= FleetSoak.ATTEMPTS_MAX; attempt++) {
      soak.count(kind);
      if (attempt > 1) {
        soak.count("retries");
      }
      try {
        RecoveryResult r = client.recover(UserId.ofUtf8(user), Password.utf8(Users.password(user)));
        if (r instanceof RecoveryResult.Recovered recovered) {
          boolean same = Arrays.equals(KEYS.get(user), recovered.backupKey().toBytes());
          recovered.backupKey().destroy();
          soak.ledger().recovery(user, Outcome.ACKNOWLEDGED);
          if (!same) {
            soak.problem(user + ": recovered a key other than the one registered");
          }
          return same;
        }
        soak.ledger().recovery(user, Outcome.LOST);
        soak.problem(user + ": the right password was refused (attempt " + attempt + ")");
        return false;
      } catch (VaultClientException e) {
        soak.ledger().recovery(user, Outcome.LOST);
        soak.count("failed " + kind);
        soak.log("recovery of " + user + " lost (attempt " + attempt + "): " + e.getMessage());
        Thread.sleep(1_000L * attempt);
      }
    }
    soak.problem(user + ": no recovery answered in " + FleetSoak.ATTEMPTS_MAX + " attempts");
    return false;
  }

  /** After the load: the user's guesses remaining fit the ledger, then its key comes back. */
  void finalCheck(String user) throws Exception {
    Integer remaining = null;
    for (int attempt = 1; attempt <= FleetSoak.ATTEMPTS_MAX && remaining == null; attempt++) {
      soak.count("final status queries");
      if (attempt > 1) {
        soak.count("retries");
      }
      try {
        VaultStatus s = client.status(UserId.ofUtf8(user));
        remaining = s instanceof VaultStatus.Registered r ? r.guessesRemaining() : -1;
      } catch (VaultClientException e) {
        soak.count("failed final status queries");
        Thread.sleep(1_000L * attempt);
      }
    }
    if (remaining == null) {
      soak.problem(user + ": no status answered in " + FleetSoak.ATTEMPTS_MAX + " attempts");
    } else {
      soak.count("counts checked");
      String wrong = soak.ledger().countProblem(user, remaining);
      if (!wrong.isEmpty()) {
        soak.problem(wrong);
      }
    }
    if (recover(user, "final recoveries")) {
      soak.count("keys recovered at the end");
    }
  }
}
