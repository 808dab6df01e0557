package dev.bkv.cli;

import dev.bkv.base.Hex;
import dev.bkv.net.WitnessHttpServer;
import dev.bkv.witness.KnownLogs;
import dev.bkv.witness.KnownOperators;
import dev.bkv.witness.Witness;
import dev.bkv.witness.WitnessKeys;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bkv witness}: create, configure and run a witness (wiring only; logic in dev.bkv.witness). */
@Command(
    name = "witness",
    mixinStandardHelpOptions = true,
    description = "Run a transparency-log witness: it logs validation bundles and cosigns other logs' checkpoints.",
    subcommands = {
      WitnessCommand.Init.class,
      WitnessCommand.Serve.class,
      WitnessCommand.AddLog.class,
      WitnessCommand.AddOperator.class,
      CommandLine.HelpCommand.class
    })
public final class WitnessCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }


  @Command(name = "init", mixinStandardHelpOptions = true, description = "Create a witness directory with new Ed25519 keys.")
  static final class Init implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--dir", required = true, description = "Witness directory (created if missing).")
    Path dir;

    @Option(names = "--name", required = true, description = "Witness name, e.g. witness.example.com/w1 (no spaces or '+').")
    String name;

    @Option(names = "--origin", description = "Origin of the witness's bundle log (default: <name>/bundles).")
    String origin;

    @Override
    public Integer call() {
      return UserErrors.report(spec, () -> {
        String logOrigin = origin != null ? origin : WitnessKeys.defaultOrigin(name);
        WitnessKeys keys = Witness.init(dir, name, logOrigin, new SecureRandom());
        PrintWriter out = spec.commandLine().getOut();
        out.println("created witness " + keys.name() + " in " + dir);
        out.print(keys.vkeys());
        out.flush();
        return 0;
      });
    }
  }

  @Command(name = "serve", mixinStandardHelpOptions = true, description = "Serve the witness over HTTP until killed.")
  static final class Serve implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--dir", required = true, description = "Witness directory made by 'bkv witness init'.")
    Path dir;

    @Option(names = "--port", defaultValue = "7380", description = "TCP port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to bind (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--name", description = "Expected witness name; refuses to start if the directory's keys differ.")
    String name;

    @Override
    public Integer call() {
      return UserErrors.report(spec, () -> {
        Inputs.range("--port", port, 0, Inputs.PORT_MAX);
        InetSocketAddress address = new InetSocketAddress(host, port);
        if (address.isUnresolved()) { // checked before the witness directory is opened (and its log created)
          throw new IllegalArgumentException("--host " + host + ": unknown host");
        }
        Witness witness = Witness.open(dir);
        if (name != null && !name.equals(witness.keys().name())) {
          witness.close();
          throw new IllegalArgumentException("directory " + dir + " holds witness " + witness.keys().name() + ", not " + name);
        }
        WitnessHttpServer server;
        try {
          server = WitnessHttpServer.start(address, witness.service());
        } catch (IOException e) {
          witness.close();
          throw Serving.cannotListen(host, port, e);
        }
        Serving.untilSignal(spec.commandLine().getOut(), "witness " + witness.keys().name() + " listening on "
            + server.baseUrl() + " (log " + witness.keys().origin() + ", size " + witness.log().size() + ")", () -> {
              server.close();
              try {
                witness.close();
              } catch (IOException ignored) {
                // Every write is durable already; nothing is lost by a failed close.
              }
            });
        return 0;
      });
    }
  }

  private static byte[] sigsumKey(String hex) {
    if (!hex.matches("[0-9a-fA-F]{64}")) {
      throw new IllegalArgumentException("--sigsum-key must be 64 hex digits (an Ed25519 key), got " + hex.length()
          + " characters");
    }
    return Hex.decode(hex.toLowerCase(java.util.Locale.ROOT));
  }

  @Command(name = "add-log", mixinStandardHelpOptions = true, description = "Trust a log's keys so the witness cosigns its checkpoints.")
  static final class AddLog implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--dir", required = true, description = "Witness directory.")
    Path dir;

    @Option(names = "--origin", description = "The log's checkpoint origin line.")
    String origin;

    @Option(names = "--vkey", description = "A note verifier key trusted for the log (repeatable).")
    List<String> vkeys = List.of();

    @Option(names = "--sigsum-key", description = "Hex Ed25519 key of a Sigsum log (origin derived from it).")
    String sigsumKey;

    @Override
    public Integer call() {
      return UserErrors.report(spec, () -> {
        if ((sigsumKey == null) == (origin == null)) {
          throw new IllegalArgumentException("give either --origin with --vkey, or --sigsum-key");
        }
        if (origin != null && vkeys.isEmpty()) {
          throw new IllegalArgumentException("--origin needs at least one --vkey");
        }
        if (!java.nio.file.Files.isDirectory(dir.resolve("keys"))) { // never create a witness directory here
          throw new IllegalArgumentException(dir + " is not a witness directory (no keys/; run 'bkv witness init' first)");
        }
        WitnessKeys.load(dir);
        KnownLogs logs = Witness.knownLogs(dir);
        String added = origin;
        if (sigsumKey != null) {
          added = logs.addSigsumLog(sigsumKey(sigsumKey));
        } else {
          for (String vkey : vkeys) {
            logs.addKey(origin, vkey);
          }
        }
        spec.commandLine().getOut().println("witness now cosigns " + added + " (restart a running witness to apply)");
        spec.commandLine().getOut().flush();
        return 0;
      });
    }
  }

  @Command(name = "add-operator", mixinStandardHelpOptions = true,
      description = "Register an operator's submission key: the witness then logs bundles of that key's namespace "
          + "when the add-bundle request is signed by it.")
  static final class AddOperator implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--dir", required = true, description = "Witness directory.")
    Path dir;

    @Option(names = "--vkey", required = true,
        description = "The operator's submission vkey, as 'bkv fleet submitter-key' prints it (named after its namespace).")
    String vkey;

    @Override
    public Integer call() {
      return UserErrors.report(spec, () -> {
        WitnessKeys.load(dir); // only a witness directory gets an operators file
        KnownOperators operators = Witness.knownOperators(dir);
        String namespace = operators.add(vkey.strip());
        spec.commandLine().getOut().println("witness now logs bundles of " + namespace
            + " signed by this key (restart a running witness to apply)");
        spec.commandLine().getOut().flush();
        return 0;
      });
    }
  }
}
