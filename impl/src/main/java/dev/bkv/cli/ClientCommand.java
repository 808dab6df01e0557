package dev.bkv.cli;

import dev.bkv.base.Bytes;
import dev.bkv.base.SecretBytes;
import dev.bkv.bundle.ValidationBundle;
import dev.bkv.client.RecoveryResult;
import dev.bkv.client.VaultClient;
import dev.bkv.client.VaultClientException;
import dev.bkv.client.VaultStatus;
import dev.bkv.crypto.DecodeException;
import dev.bkv.crypto.Sha256Digest;
import dev.bkv.crypto.opaque.Ksf;
import dev.bkv.crypto.opaque.Password;
import dev.bkv.net.FrontendHttpClient;
import dev.bkv.net.VaultHttpTransport;
import dev.bkv.storage.AtomicFile;
import dev.bkv.storage.StorageException;
import dev.bkv.vault.BackupKey;
import dev.bkv.vault.RegistrationId;
import dev.bkv.vault.UserId;
import dev.bkv.vault.VaultLimits;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bkv client}: the phone side over HTTP (wiring only; logic in dev.bkv.client). Every
 * subcommand first fetches the frontend's bundle and verifies it; a fleet that fails is
 * reported with the failing check and nothing is sent to the vault. Exit codes: 0 done,
 * 1 refused (fleet, vault, wrong password, transport), 2 bad input.
 */
@Command(name = "client", mixinStandardHelpOptions = true,
    description = "Register and recover a backup key with a fleet over HTTP, after verifying the fleet's bundle.",
    subcommands = {
      ClientCommand.VerifyFleet.class,
      ClientCommand.Register.class,
      ClientCommand.Recover.class,
      ClientCommand.Status.class,
      CommandLine.HelpCommand.class
    })
public final class ClientCommand implements Runnable {
  static final int EXIT_REFUSED = 1;
  static final int EXIT_BAD_INPUT = 2;
  /** Longest password file read, in bytes. */
  static final int PASSWORD_BYTES_MAX = 1024;
  /** The environment variable a password may come from instead of a file. */
  static final String PASSWORD_ENV = "BKV_PASSWORD";
  /** Length of a backup key the client generates. */
  static final int GENERATED_KEY_BYTES = 32;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The account options: user, password source, key stretching. */
  static final class Account {
    @Option(names = "--user", required = true, paramLabel = "ID", description = "The account id, 1..64 bytes of UTF-8.")
    String user;

    @Option(names = "--password-file", paramLabel = "FILE",
        description = "File holding the password (one trailing newline is dropped); else the environment variable "
            + PASSWORD_ENV + ". Never a command-line argument.")
    Path passwordFile;

    @Option(names = "--ksf-memory-kib", paramLabel = "KIB", defaultValue = "" + Ksf.Argon2id.DEFAULT_MEMORY_KIB,
        description = "Argon2id memory of the key stretching (default: ${DEFAULT-VALUE}).")
    int ksfMemoryKib;

    @Option(names = "--ksf-iterations", paramLabel = "T", defaultValue = "" + Ksf.Argon2id.DEFAULT_ITERATIONS,
        description = "Argon2id passes (default: ${DEFAULT-VALUE}).")
    int ksfIterations;

    @Option(names = "--ksf-parallelism", paramLabel = "P", defaultValue = "" + Ksf.Argon2id.DEFAULT_PARALLELISM,
        description = "Argon2id lanes (default: ${DEFAULT-VALUE}).")
    int ksfParallelism;

    UserId userId() throws ClientSession.BadInput {
      try {
        return UserId.ofUtf8(user);
      } catch (DecodeException e) {
        throw new ClientSession.BadInput("--user: " + e.getMessage());
      }
    }

    Ksf ksf() throws ClientSession.BadInput {
      try {
        return Ksf.argon2id(ksfMemoryKib, ksfIterations, ksfParallelism);
      } catch (IllegalArgumentException e) {
        throw new ClientSession.BadInput("--ksf-*: " + e.getMessage());
      }
    }

    Password password() throws ClientSession.BadInput {
      byte[] bytes;
      if (passwordFile != null) {
        bytes = ClientSession.readInput(passwordFile, PASSWORD_BYTES_MAX);
      } else {
        String value = System.getenv(PASSWORD_ENV);
        if (value == null) {
          throw new ClientSession.BadInput("give the password with --password-file FILE or the environment variable "
              + PASSWORD_ENV);
        }
        // The environment's String copy cannot be wiped; the bytes taken from it are, below.
        bytes = value.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      }
      int end = bytes.length;
      if (end > 0 && bytes[end - 1] == '\n') {
        end--;
        if (end > 0 && bytes[end - 1] == '\r') {
          end--;
        }
      }
      try {
        if (end == 0) {
          throw new ClientSession.BadInput("the password is empty");
        }
        return SecretBytes.consume(Arrays.copyOf(bytes, end), Password::new);
      } finally {
        Bytes.zeroize(bytes);
      }
    }
  }

  /** What a subcommand does once the fleet is trusted. */
  interface Body {
    int run(PrintWriter out, VaultClient client, ValidationBundle fleet) throws Exception;
  }

  /** Checks inputs, trusts the fleet, then runs {@code body}; maps every failure to one line and its exit code. */
  static int session(CommandLine.Model.CommandSpec spec, ClientSession.Options options, Account account,
      Callable<Void> checkInputs, Body body) {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    String command = spec.qualifiedName();
    try {
      ClientSession.checkOptions(options);
      Ksf ksf = account == null ? null : account.ksf();
      if (account != null) {
        account.userId();
      }
      checkInputs.call();
      FrontendHttpClient frontend = ClientSession.frontend(options);
      ValidationBundle fleet = ClientSession.trustedFleet(options, frontend, Instant.now().getEpochSecond());
      VaultClient client = account == null ? null
          : VaultClient.forFleet(new VaultHttpTransport(frontend), fleet, ksf, new SecureRandom());
      int exit = body.run(out, client, fleet);
      out.flush();
      return exit;
    } catch (ClientSession.BadInput e) {
      err.println(command + ": " + e.getMessage());
      err.flush();
      return EXIT_BAD_INPUT;
    } catch (ClientSession.Refused | VaultClientException | IOException e) {
      err.println(command + ": " + e.getMessage());
    } catch (Exception e) {
      err.println(command + ": unexpected error: " + e);
    }
    out.flush();
    err.flush();
    return EXIT_REFUSED;
  }

  static String describe(ValidationBundle fleet) {
    return "fleet " + fleet.fleetId() + " epoch " + fleet.epoch() + " of " + fleet.namespace() + " ("
        + fleet.members().size() + " HSMs)";
  }

  /** Refuses an output path that exists or whose folder does not, before anything is sent. */
  static void checkOutput(String option, Path file) throws ClientSession.BadInput {
    if (file == null) {
      return;
    }
    if (Files.exists(file)) {
      throw new ClientSession.BadInput(option + " " + file + " exists already; a key file is never overwritten");
    }
    Path dir = file.toAbsolutePath().getParent();
    if (dir == null || !Files.isDirectory(dir)) {
      throw new ClientSession.BadInput(option + " " + file + ": its folder does not exist");
    }
  }

  static void writeKey(Path file, BackupKey key) throws IOException {
    byte[] bytes = key.toBytes();
    try {
      AtomicFile.writeSecret(file, bytes);
    } catch (StorageException e) {
      throw new IOException(e.getMessage(), e);
    } finally {
      Bytes.zeroize(bytes);
    }
  }

  static String sha256(BackupKey key) {
    return SecretBytes.consume(key.toBytes(), Sha256Digest::of).toHex();
  }

  @Command(name = "verify-fleet", mixinStandardHelpOptions = true,
      description = "Fetch the frontend's bundle and verify it; print the fleet trusted. Sends nothing to the vault.")
  static final class VerifyFleet implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @Mixin ClientSession.Options options;

    @Override
    public Integer call() {
      return session(spec, options, null, () -> null, (out, client, fleet) -> {
        out.println("trusted " + describe(fleet));
        out.println("opaque server key " + dev.bkv.base.Hex.encode(fleet.opaqueServerKey().encode()));
        return 0;
      });
    }
  }

  @Command(name = "register", mixinStandardHelpOptions = true,
      description = "Register a backup key under the password: the key in --backup-key, or a random one. Prints the key's "
          + "SHA-256, never the key.")
  static final class Register implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @Mixin ClientSession.Options options;
    @Mixin Account account;

    @Option(names = "--backup-key", paramLabel = "FILE", description = "The key to register (16..64 raw bytes).")
    Path backupKeyIn;

    @Option(names = "--backup-key-out", paramLabel = "FILE",
        description = "Where to write the generated key (mode 0600; must not exist).")
    Path backupKeyOut;

    @Option(names = "--max-attempts", paramLabel = "N", defaultValue = "" + VaultLimits.MAX_ATTEMPTS_DEFAULT,
        description = "Wrong guesses before the record is destroyed, 1..255 (default: ${DEFAULT-VALUE}).")
    int maxAttempts;

    private BackupKey key;

    @Override
    public Integer call() {
      return session(spec, options, account, this::checkInputs, (out, client, fleet) -> {
        Password password = account.password();
        try {
          RegistrationId id = client.register(account.userId(), password, key.copy(), maxAttempts);
          if (backupKeyOut != null) {
            writeKey(backupKeyOut, key);
          }
          out.println("registered " + account.user + " with " + describe(fleet) + ": registration " + id.toHex());
          out.println("backup key sha256 " + sha256(key) + (backupKeyOut != null ? " (written to " + backupKeyOut + ")" : ""));
          return 0;
        } finally {
          password.destroy();
          key.destroy();
        }
      });
    }

    private Void checkInputs() throws ClientSession.BadInput {
      if (maxAttempts < VaultLimits.MAX_ATTEMPTS_MIN || maxAttempts > VaultLimits.MAX_ATTEMPTS_MAX) {
        throw new ClientSession.BadInput("--max-attempts must be in [" + VaultLimits.MAX_ATTEMPTS_MIN + ", "
            + VaultLimits.MAX_ATTEMPTS_MAX + "], got " + maxAttempts);
      }
      if (backupKeyIn != null && backupKeyOut != null) {
        throw new ClientSession.BadInput("give --backup-key FILE or --backup-key-out FILE, not both");
      }
      checkOutput("--backup-key-out", backupKeyOut);
      account.password().destroy(); // read once now, so a missing password stops us before the network
      if (backupKeyIn != null) {
        byte[] raw = ClientSession.readInput(backupKeyIn, VaultLimits.BACKUP_KEY_BYTES_MAX + 1L);
        if (raw.length < VaultLimits.BACKUP_KEY_BYTES_MIN || raw.length > VaultLimits.BACKUP_KEY_BYTES_MAX) {
          Bytes.zeroize(raw);
          throw new ClientSession.BadInput("--backup-key " + backupKeyIn + " must hold " + VaultLimits.BACKUP_KEY_BYTES_MIN
              + ".." + VaultLimits.BACKUP_KEY_BYTES_MAX + " bytes, has " + raw.length);
        }
        key = new BackupKey(raw);
        Arrays.fill(raw, (byte) 0);
      } else {
        byte[] raw = new byte[GENERATED_KEY_BYTES];
        new SecureRandom().nextBytes(raw);
        key = new BackupKey(raw);
        Arrays.fill(raw, (byte) 0);
      }
      return null;
    }
  }

  @Command(name = "recover", mixinStandardHelpOptions = true,
      description = "Recover the backup key with the password (counts one guess); write it to --backup-key-out.")
  static final class Recover implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @Mixin ClientSession.Options options;
    @Mixin Account account;

    @Option(names = "--backup-key-out", required = true, paramLabel = "FILE",
        description = "Where to write the recovered key (mode 0600, atomically; must not exist).")
    Path backupKeyOut;

    @Override
    public Integer call() {
      return session(spec, options, account, () -> {
        checkOutput("--backup-key-out", backupKeyOut);
        account.password().destroy();
        return null;
      }, (out, client, fleet) -> {
        Password password = account.password();
        try {
          RecoveryResult result = client.recover(account.userId(), password);
          if (!(result instanceof RecoveryResult.Recovered recovered)) {
            spec.commandLine().getErr().println(spec.qualifiedName()
                + ": not recovered: wrong password, or no record (the guess was counted)");
            return EXIT_REFUSED;
          }
          try {
            writeKey(backupKeyOut, recovered.backupKey());
            out.println("recovered backup key sha256 " + sha256(recovered.backupKey()) + " (written to " + backupKeyOut + ")");
          } finally {
            recovered.backupKey().destroy();
          }
          return 0;
        } finally {
          password.destroy();
        }
      });
    }
  }

  @Command(name = "status", mixinStandardHelpOptions = true, description = "Print the guesses remaining for a user.")
  static final class Status implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @Mixin ClientSession.Options options;

    @Option(names = "--user", required = true, paramLabel = "ID", description = "The account id, 1..64 bytes of UTF-8.")
    String user;

    @Override
    public Integer call() {
      Account account = new Account();
      account.user = user;
      account.ksfMemoryKib = Ksf.Argon2id.DEFAULT_MEMORY_KIB;
      account.ksfIterations = Ksf.Argon2id.DEFAULT_ITERATIONS;
      account.ksfParallelism = Ksf.Argon2id.DEFAULT_PARALLELISM;
      return session(spec, options, account, () -> null, (out, client, fleet) -> {
        VaultStatus status = client.status(account.userId());
        if (status instanceof VaultStatus.Registered registered) {
          out.println(user + ": " + registered.phase().name().toLowerCase(java.util.Locale.ROOT) + ", guesses remaining "
              + registered.guessesRemaining() + " of " + registered.maxAttempts());
        } else {
          out.println(user + ": no record (never registered, deleted, or destroyed after too many wrong guesses)");
        }
        return 0;
      });
    }
  }
}
