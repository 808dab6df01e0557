package dev.bkv.cli;

import dev.bkv.base.Bytes;
import dev.bkv.base.Hex;
import dev.bkv.client.InProcessTransport;
import dev.bkv.client.RecoveryResult;
import dev.bkv.client.VaultClient;
import dev.bkv.client.VaultClientException;
import dev.bkv.client.VaultStatus;
import dev.bkv.client.VaultTransport;
import dev.bkv.crypto.DecodeException;
import dev.bkv.crypto.Sha256;
import dev.bkv.crypto.opaque.Ksf;
import dev.bkv.crypto.opaque.Password;
import dev.bkv.hsm.BootException;
import dev.bkv.hsm.HsmAttestation;
import dev.bkv.hsm.SoftHsm;
import dev.bkv.hsm.VaultFirmware;
import dev.bkv.storage.MemoryVaultStorage;
import dev.bkv.vault.BackupKey;
import dev.bkv.vault.UserId;
import dev.bkv.vault.VaultLimits;
import java.io.PrintWriter;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bkv demo}: one in-process SoftHsm running the vault firmware. A user registers a
 * random backup key under a password and recovers it; an attacker then guesses wrong until
 * the record is destroyed. Every step prints the guesses remaining; the exit code is 0 only
 * if every expectation held.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = "Register a backup key in an in-process HSM and recover it, then let an attacker guess wrong"
        + " passwords until the record is destroyed after exactly --max-attempts guesses. Exits 0 only if"
        + " every expectation held.")
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

  private final List<String> failures = new ArrayList<>();
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
    } catch (BootException | VaultClientException e) {
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

  private void run(Ksf ksf, UserId userId) throws BootException, VaultClientException {
    SecureRandom random = new SecureRandom();
    SoftHsm hsm = SoftHsm.inMemory(random);
    MemoryVaultStorage storage = new MemoryVaultStorage();
    VaultFirmware firmware = VaultFirmware.boot(hsm, storage);
    VaultTransport transport = transportWrapper.apply(new InProcessTransport(firmware));
    HsmAttestation attestation = VaultClient.attest(transport);
    out.println("HSM     SoftHsm (in memory), id " + attestation.hsmId().toHex());
    out.println("        attestation verified; OPAQUE server key " + prefix(attestation.opaqueServerKey().encode()));
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
        + " with maxAttempts " + maxAttempts);
    out.println("           stored, then exposed after a login against the stored record; vault version "
        + firmware.version());
    expectRemaining(phone, userId, maxAttempts, "after registration");

    RecoveryResult recovery = phone.recover(userId, password);
    if (recovery instanceof RecoveryResult.Recovered) {
      byte[] recovered = ((RecoveryResult.Recovered) recovery).backupKey().toBytes();
      boolean same = Bytes.constantTimeEquals(recovered, keyBytes);
      out.println("[user]     recovered with the right password: sha256 " + digest(recovered)
          + (same ? ", equal to the original" : ", DIFFERENT from the original"));
      expect(same, "the recovered key equals the original");
    } else {
      out.println("[user]     recovery with the right password FAILED");
      expect(false, "recovery with the right password succeeds");
    }
    expectRemaining(phone, userId, maxAttempts, "after the successful recovery");
    out.println();

    VaultClient attacker = new VaultClient(transport, attestation.opaqueServerKey(), ksf, random);
    for (int guess = 1; guess <= maxAttempts; guess++) {
      String wrong = "guess-" + guess;
      RecoveryResult result = attacker.recover(userId, Password.utf8(wrong));
      expect(result instanceof RecoveryResult.NotRecovered, "wrong guess " + guess + " recovers nothing");
      VaultStatus status = attacker.status(userId);
      if (status instanceof VaultStatus.Registered) {
        int remaining = ((VaultStatus.Registered) status).guessesRemaining();
        out.printf("[attacker] wrong guess %d/%d %-11s rejected; guesses remaining %d%n", guess, maxAttempts, "'" + wrong + "'", remaining);
        expect(guess < maxAttempts, "the record is destroyed by wrong guess " + maxAttempts + ", not later");
        expect(remaining == maxAttempts - guess, "after wrong guess " + guess + ", " + (maxAttempts - guess) + " remain");
      } else {
        out.printf("[attacker] wrong guess %d/%d %-11s rejected; record DESTROYED%n", guess, maxAttempts, "'" + wrong + "'");
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
    out.println("           vault version " + firmware.version() + "; every change was sealed and logged before its answer left the HSM");
    Arrays.fill(keyBytes, (byte) 0);
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
