package dev.bkv.cli;

import dev.bkv.client.VaultClientException;
import dev.bkv.client.VaultTransport;
import dev.bkv.crypto.DecodeException;
import dev.bkv.crypto.opaque.Ksf;
import dev.bkv.site.TransparencySite;
import dev.bkv.vault.UserId;
import dev.bkv.vault.VaultLimits;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bkv demo}: the deployed system in one process over loopback HTTP, told in ten steps
 * ({@link DemoStory}): key ceremony and evidence, witness logging, a fleet of five HSMs in three
 * datacenters, the phone's check of the OTA bundle, backup and recovery, the guess limit, the loss
 * of a datacenter, rotation to a new fleet with guess counters carried over, the audit, and the transparency page. The
 * exit code is 0 only if every expectation held; 1 otherwise (each failed one listed), 2 on bad options.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = "Run the whole system in this process over loopback HTTP: a key ceremony with evidence, a witness"
        + " logging the fleet's bundle, 5 HSM nodes in 3 datacenters behind a frontend, a phone that verifies the bundle,"
        + " registers a backup key and recovers it; an attacker destroying a record after exactly --max-attempts"
        + " wrong guesses; the loss of a datacenter; rotation to a new fleet with guess counts carried over; the audit; and"
        + " writes the transparency page of both fleets (--site). Exits 0 only if every expectation held.")
public final class DemoCommand implements Callable<Integer> {
  /** The attacker's target; another id when {@code --user} takes this one. */
  static final String SECOND_USER = "bob@example.com";
  static final String SECOND_USER_ALTERNATIVE = "carol@example.com";

  @Option(names = "--max-attempts", paramLabel = "N", defaultValue = "" + VaultLimits.MAX_ATTEMPTS_DEFAULT,
      description = "Wrong guesses before a record is destroyed, 1..255 (default: ${DEFAULT-VALUE}).")
  int maxAttempts;

  @Option(names = "--user", paramLabel = "ID", defaultValue = "alice@example.com",
      description = "The account id of the user who backs up, 1..64 bytes of UTF-8 (default: ${DEFAULT-VALUE}).")
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

  @Option(names = "--keep", paramLabel = "DIR",
      description = "Build everything in DIR (absent or empty) and keep it: workspace, witness, node storage, phone state"
          + " (default: a temporary folder, removed at the end).")
  Path keep;

  @Option(names = "--site", paramLabel = "DIR", defaultValue = "bkv-demo-site",
      description = "Where the last step writes the transparency page of the demo's fleets: absent, empty, or a page"
          + " written before (default: ${DEFAULT-VALUE}, in the current folder).")
  Path site;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Tests put a faulty transport between the phone and the frontend here, to see the demo's checks fail. */
  UnaryOperator<VaultTransport> transportWrapper = UnaryOperator.identity();

  /** Tests put a faulty transport between the migrator and the new fleet here, to see the rotation's checks fail. */
  UnaryOperator<VaultTransport> migrationWrapper = UnaryOperator.identity();

  /** The demo's randomness (keys, backup keys): tests record what it drew, to look for it in the output. */
  SecureRandom random = new SecureRandom();

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (maxAttempts < VaultLimits.MAX_ATTEMPTS_MIN || maxAttempts > VaultLimits.MAX_ATTEMPTS_MAX) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--max-attempts must be in ["
          + VaultLimits.MAX_ATTEMPTS_MIN + ", " + VaultLimits.MAX_ATTEMPTS_MAX + "], got " + maxAttempts);
    }
    Ksf ksf;
    UserId first;
    UserId second;
    try {
      ksf = Ksf.argon2id(ksfMemoryKib, ksfIterations, ksfParallelism);
      first = UserId.ofUtf8(user);
      second = UserId.ofUtf8(user.equals(SECOND_USER) ? SECOND_USER_ALTERNATIVE : SECOND_USER);
      TransparencySite.checkOutput(site);
    } catch (IllegalArgumentException | DecodeException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), "invalid option: " + e.getMessage());
    } catch (IOException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--site " + site + ": " + e.getMessage());
    }
    long started = System.nanoTime();
    DemoChecks checks = new DemoChecks(out);
    out.println("BKV demo: every piece in this process, talking HTTP over loopback; client key stretching Argon2id m="
        + ksfMemoryKib + " KiB, t=" + ksfIterations + ", p=" + ksfParallelism
        + (ksf.equals(Ksf.argon2idDefault()) ? " (production)" : " (not production: for speed only)"));
    DemoWorld world;
    try {
      world = DemoWorld.create(Optional.ofNullable(keep), random);
    } catch (IllegalArgumentException e) { // a bad --keep, checked before anything starts
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    } catch (IOException e) {
      err.println("demo: error: no folder to work in: " + e.getMessage());
      err.flush();
      return 1;
    }
    Optional<String> stopped = Optional.empty();
    try (world) {
      out.println("working in " + world.dir + (keep != null ? " (kept at the end)" : " (removed at the end)"));
      new DemoStory(world, checks, ksf, maxAttempts, first, second, transportWrapper, migrationWrapper, site).run();
    } catch (DemoException | VaultClientException e) {
      stopped = Optional.of(e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stopped = Optional.of("interrupted");
    } catch (Exception e) {
      stopped = Optional.of(e.toString());
    }
    out.printf("%ndemo took %.1f s%n", (System.nanoTime() - started) / 1e9);
    out.flush();
    List<String> failures = checks.failures();
    if (stopped.isPresent() || !failures.isEmpty()) {
      // What failed before a stop is listed too: it often says why the demo could not go on.
      out.println("demo: FAILED, " + failures.size() + " expectation(s) did not hold"
          + stopped.map(s -> " before it stopped early").orElse("") + (failures.isEmpty() ? "" : ":"));
      failures.forEach(f -> out.println("  - " + f));
      out.flush();
      stopped.ifPresent(reason -> {
        err.println("demo: error: " + reason);
        err.flush();
      });
      return 1;
    }
    out.println("demo: every expectation held; the transparency page of its fleets: file://"
        + site.toAbsolutePath().normalize().resolve("index.html"));
    out.flush();
    return 0;
  }
}
