package dev.bkv.cli;

import dev.bkv.base.Bytes;
import dev.bkv.base.Hex;
import dev.bkv.client.RecoveryResult;
import dev.bkv.client.VaultClient;
import dev.bkv.client.VaultClientException;
import dev.bkv.client.VaultStatus;
import dev.bkv.client.VaultTransport;
import dev.bkv.consensus.ReplicaCore;
import dev.bkv.crypto.DecodeException;
import dev.bkv.crypto.Sha256;
import dev.bkv.crypto.opaque.Ksf;
import dev.bkv.crypto.opaque.Password;
import dev.bkv.fleet.CeremonyException;
import dev.bkv.hsm.HsmAttestation;
import dev.bkv.hsm.HsmException;
import dev.bkv.sim.LocalFleet;
import dev.bkv.storage.StorageException;
import dev.bkv.vault.BackupKey;
import dev.bkv.vault.UserId;
import dev.bkv.vault.VaultLimits;
import java.io.PrintWriter;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bkv demo}: a fleet of five in-process SoftHsms in three datacenters, replicating the
 * vault by majority consensus. A user registers a random backup key under a password and
 * recovers it; the datacenter holding the leader is lost and the user recovers again; an
 * attacker then guesses wrong, with the leader forced to change after every guess, until the
 * record is destroyed after exactly {@code --max-attempts} guesses. Every step prints the
 * leader, its term and the guesses remaining; the exit code is 0 only if every expectation held.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = "Run a fleet of 5 HSMs in 3 datacenters in this process: register a backup key and recover it,"
        + " lose the datacenter holding the leader and recover again, then let an attacker guess wrong passwords"
        + " across forced leader changes until the record is destroyed after exactly --max-attempts guesses."
        + " Exits 0 only if every expectation held.")
public final class DemoCommand implements Callable<Integer> {
  @Option(names = "--max-attempts", paramLabel = "N", defaultValue = "" + VaultLimits.MAX_ATTEMPTS_DEFAULT,
      description = "Wrong guesses before the record is destroyed, 1..255 (default: ${DEFAULT-VALUE}).")
  int maxAttempts;

  @Option(names = "--user", paramLabel = "ID", defaultValue = "alice@example.com",
      description = "The account id, 1..64 bytes of UTF-8 (default: ${DEFAULT-VALUE}).")
  String user;

  @Option(names = "--ksf-memory-kib", paramLabel = "KIB", defaultValue = "" + Ksf.Argon2id.DEFAULT_MEMORY_KIB,
      description = "Argon2id memory of the client's key stretching (default: ${DEFAULT-VALUE}).")
  int ksfMemoryKib;

  @Option(names = "--ksf-iterations", paramLabel = "T", defaultValue = "" + Ksf.Argon2id.DEFAULT_ITERATIONS,
      description = "Argon2id passes (default: ${DEFAULT-VALUE}).")
  int ksfIterations;

  @Option(names = "--ksf-parallelism", paramLabel = "P", defaultValue = "" + Ksf.Argon2id.DEFAULT_PARALLELISM,
      description = "Argon2id lanes (default: ${DEFAULT-VALUE}).")
  int ksfParallelism;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Tests put a faulty frontend between the clients and the firmware here, to see the demo fail. */
  UnaryOperator<VaultTransport> transportWrapper = UnaryOperator.identity();

  /** Five HSMs in three datacenters (2, 2, 1): losing any one datacenter leaves a majority. */
  static final int HSMS = 5;
  static final List<String> DATACENTERS = List.of("dc-a", "dc-b", "dc-c");
  static final int LEADER_TICKS_MAX = 2_000;
  static final int LEADER_CHANGE_ATTEMPTS_MAX = 5;

  private final List<String> failures = new ArrayList<>();
  private LocalFleet fleet;
  private PrintWriter out;

  @Override
  public Integer call() {
    out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (maxAttempts < VaultLimits.MAX_ATTEMPTS_MIN || maxAttempts > VaultLimits.MAX_ATTEMPTS_MAX) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--max-attempts must be in ["
          + VaultLimits.MAX_ATTEMPTS_MIN + ", " + VaultLimits.MAX_ATTEMPTS_MAX + "], got " + maxAttempts);
    }
    Ksf ksf;
    UserId userId;
    try {
      ksf = Ksf.argon2id(ksfMemoryKib, ksfIterations, ksfParallelism);
      userId = UserId.ofUtf8(user);
    } catch (IllegalArgumentException | DecodeException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), "invalid option: " + e.getMessage());
    }
    long started = System.nanoTime();
    try {
      run(ksf, userId);
    } catch (DemoException | VaultClientException e) {
      err.println("demo: error: " + e.getMessage());
      return 1;
    }
    out.printf("%ndemo took %.1f s%n", (System.nanoTime() - started) / 1e9);
    if (!failures.isEmpty()) {
      out.println("demo: FAILED, " + failures.size() + " expectation(s) did not hold:");
      failures.forEach(f -> out.println("  - " + f));
      out.flush();
      return 1;
    }
    out.println("demo: every expectation held");
    out.flush();
    return 0;
  }

  private void run(Ksf ksf, UserId userId) throws DemoException, VaultClientException {
    SecureRandom random = new SecureRandom();
    try {
      fleet = LocalFleet.create(HSMS, DATACENTERS, random.nextLong(), random);
    } catch (CeremonyException | HsmException | StorageException e) {
      throw new DemoException("the fleet could not be created: " + e.getMessage());
    }
    awaitLeader("the new fleet elects a leader");
    VaultTransport transport = transportWrapper.apply(fleet.transport());
    HsmAttestation attestation = VaultClient.attest(transport);
    out.println("FLEET   " + HSMS + " SoftHsms in " + DATACENTERS.size() + " datacenters "
        + fleet.membership().hsmsPerDatacenter() + ", quorum " + (HSMS / 2 + 1)
        + "; fleet secrets shared by a key ceremony");
    out.println("        every guess is counted by a committed log entry before its answer (KE2) is computed");
    out.println("        OPAQUE server key " + prefix(attestation.opaqueServerKey().encode()) + " (one for the whole fleet)");
    out.println("KSF     Argon2id m=" + ksfMemoryKib + " KiB, t=" + ksfIterations + ", p=" + ksfParallelism
        + (ksf.equals(Ksf.argon2idDefault()) ? " (the default)" : " (not the default: for speed only)"));
    out.println();

    VaultClient phone = new VaultClient(transport, attestation.opaqueServerKey(), ksf, random);
    Password password = Password.utf8("correct horse battery staple");
    byte[] keyBytes = new byte[32];
    random.nextBytes(keyBytes);
    BackupKey backupKey = new BackupKey(keyBytes);
    phone.register(userId, password, backupKey, maxAttempts);
    out.println("[user]     registered a random backup key (sha256 " + digest(keyBytes) + ") for " + user
        + " with maxAttempts " + maxAttempts + "; " + leaderLine());
    expectRemaining(phone, userId, maxAttempts, "after registration");
    expectRecovered(phone, userId, password, keyBytes, "recovered with the right password");
    out.println();

    int leader = awaitLeader("a leader before the datacenter loss");
    String lostDc = fleet.datacenterOf(leader);
    List<Integer> lost = fleet.loseDatacenter(lostDc);
    out.println("[fleet]    datacenter " + lostDc + " LOST with HSMs " + lost + ", the leader among them: "
        + (HSMS - lost.size()) + " of " + HSMS + " HSMs left");
    awaitLeader("a new leader after the datacenter loss");
    out.println("           " + leaderLine());
    expectRecovered(phone, userId, password, keyBytes, "recovered after the datacenter loss");
    expectRemaining(phone, userId, maxAttempts, "after the recovery that followed the datacenter loss");
    out.println();

    VaultClient attacker = new VaultClient(transport, attestation.opaqueServerKey(), ksf, random);
    int before = maxAttempts;
    for (int guess = 1; guess <= maxAttempts; guess++) {
      String wrong = "guess-" + guess;
      RecoveryResult result = attacker.recover(userId, Password.utf8(wrong));
      expect(result instanceof RecoveryResult.NotRecovered, "wrong guess " + guess + " recovers nothing");
      VaultStatus status = attacker.status(userId);
      if (status instanceof VaultStatus.Registered) {
        int remaining = ((VaultStatus.Registered) status).guessesRemaining();
        out.printf("[attacker] wrong guess %d/%d %-11s rejected; %s; guesses remaining %d%n", guess, maxAttempts,
            "'" + wrong + "'", leaderLine(), remaining);
        expect(guess < maxAttempts, "the record is destroyed by wrong guess " + maxAttempts + ", not later");
        expect(remaining == maxAttempts - guess, "after wrong guess " + guess + ", " + (maxAttempts - guess) + " remain");
        expect(remaining < before, "every wrong guess costs one, across leader changes");
        before = remaining;
        forceLeaderChange();
      } else {
        out.printf("[attacker] wrong guess %d/%d %-11s rejected; %s; record DESTROYED%n", guess, maxAttempts,
            "'" + wrong + "'", leaderLine());
        expect(guess == maxAttempts, "the record is destroyed by wrong guess " + maxAttempts + ", not " + guess);
        break;
      }
    }
    out.println();

    boolean gone = phone.status(userId) instanceof VaultStatus.NoRecord;
    out.println("[user]     status: " + (gone ? "no record (destroyed after exactly " + maxAttempts + " wrong guesses)" : "record still present"));
    expect(gone, "the record is gone after " + maxAttempts + " wrong guesses");
    RecoveryResult late = phone.recover(userId, password);
    boolean refused = late instanceof RecoveryResult.NotRecovered;
    out.println("[user]     the right password no longer works: " + (refused ? "recovery fails, the backup key is gone" : "it DID work"));
    expect(refused, "the right password no longer recovers anything");
    out.println();
    fleet.describe().forEach(line -> out.println("           " + line));
    Arrays.fill(keyBytes, (byte) 0);
  }

  /**
   * The host crashes the leader and restarts it once another HSM stands for election, whose
   * vote request the restarted HSM then grants; repeated (a bounded number of times) should
   * the same HSM win again.
   */
  private void forceLeaderChange() throws DemoException {
    int old = awaitLeader("a leader before the forced change");
    long oldTerm = fleet.term(old);
    for (int attempt = 0; attempt < LEADER_CHANGE_ATTEMPTS_MAX; attempt++) {
      fleet.crash(fleet.leader().orElse(old));
      for (int t = 0; t < LEADER_TICKS_MAX && !anotherCandidate(old); t++) {
        fleet.run(1);
      }
      try {
        fleet.restart(old);
      } catch (StorageException e) {
        throw new DemoException("HSM " + old + " could not restart: " + e.getMessage());
      }
      int now = awaitLeader("a new leader after the forced change");
      if (now != old) {
        out.println("[fleet]    leader HSM " + old + " crashed and restarted: leader now HSM " + now + " ("
            + fleet.datacenterOf(now) + "), term " + fleet.term(now) + " (was " + oldTerm + ")");
        return;
      }
    }
    expect(false, "the leader changes when it is crashed");
  }

  private boolean anotherCandidate(int old) {
    for (int i = 0; i < fleet.size(); i++) {
      if (i != old && fleet.role(i).filter(r -> r != ReplicaCore.Role.FOLLOWER).isPresent()) {
        return true;
      }
    }
    return false;
  }

  private int awaitLeader(String what) throws DemoException {
    OptionalInt leader = fleet.runUntilLeader(LEADER_TICKS_MAX);
    if (leader.isEmpty()) {
      throw new DemoException("no leader within " + LEADER_TICKS_MAX + " ticks: " + what);
    }
    return leader.getAsInt();
  }

  private String leaderLine() {
    OptionalInt leader = fleet.leader();
    if (leader.isEmpty()) {
      return "no leader";
    }
    int i = leader.getAsInt();
    return "leader HSM " + i + " (" + fleet.datacenterOf(i) + "), term " + fleet.term(i);
  }

  private void expectRecovered(VaultClient phone, UserId userId, Password password, byte[] keyBytes, String what)
      throws VaultClientException {
    RecoveryResult recovery = phone.recover(userId, password);
    if (recovery instanceof RecoveryResult.Recovered) {
      byte[] recovered = ((RecoveryResult.Recovered) recovery).backupKey().toBytes();
      boolean same = Bytes.constantTimeEquals(recovered, keyBytes);
      out.println("[user]     " + what + ": sha256 " + digest(recovered)
          + (same ? ", equal to the original" : ", DIFFERENT from the original") + "; " + leaderLine());
      expect(same, "the recovered key equals the original (" + what + ")");
    } else {
      out.println("[user]     " + what + ": FAILED");
      expect(false, "recovery with the right password succeeds (" + what + ")");
    }
  }

  /** The demo could not go on (no fleet, no leader); the exit code is 1. */
  private static final class DemoException extends Exception {
    DemoException(String message) {
      super(message);
    }
  }

  private void expectRemaining(VaultClient client, UserId userId, int expected, String when) throws VaultClientException {
    VaultStatus status = client.status(userId);
    if (status instanceof VaultStatus.Registered) {
      VaultStatus.Registered registered = (VaultStatus.Registered) status;
      out.println("           status: " + registered.phase() + ", guesses remaining " + registered.guessesRemaining()
          + "/" + registered.maxAttempts());
      expect(registered.guessesRemaining() == expected, expected + " guesses remain " + when);
    } else {
      out.println("           status: no record");
      expect(false, "the record exists " + when);
    }
  }

  private void expect(boolean condition, String expectation) {
    if (!condition) {
      failures.add(expectation);
    }
  }

  private static String digest(byte[] bytes) {
    return prefix(Sha256.hash(bytes));
  }

  private static String prefix(byte[] bytes) {
    return Hex.encode(Arrays.copyOf(bytes, 8)) + "...";
  }
}
