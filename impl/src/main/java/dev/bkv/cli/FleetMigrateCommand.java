package dev.bkv.cli;

import dev.bkv.base.Json;
import dev.bkv.bundle.BundleFormatException;
import dev.bkv.bundle.WitnessedBundle;
import dev.bkv.crypto.Sha256Digest;
import dev.bkv.evidence.OperatorWorkspace;
import dev.bkv.net.FrontendHttpClient;
import dev.bkv.net.VaultHttpTransport;
import dev.bkv.rotation.FleetMigrator;
import dev.bkv.rotation.MigrationOutcome;
import dev.bkv.rotation.MigrationReport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bkv fleet migrate}: moves every user of the old fleet to the new one over their
 * frontends (wiring only; the walk is {@link FleetMigrator}). The two fleets' witnessed bundles
 * come from the workspace: the new fleet must be published, its bundle chained to the old one's.
 */
@Command(name = "migrate", mixinStandardHelpOptions = true,
    description = "Move every user from the old fleet to the new one (guess counts carried over): export each record "
        + "from the old fleet, sealed inside its HSMs to the new fleet's key, and import it there. Safe to run again. "
        + "Exit 0: every user is on the new fleet; 1: some user is not (named); 2: bad input.")
final class FleetMigrateCommand implements Callable<Integer> {
  static final int EXIT_NOT_ALL_MIGRATED = 1;
  static final int EXIT_BAD_INPUT = 2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--dir", required = true, description = "Workspace made by 'bkv fleet init'.")
  Path dir;

  @Option(names = "--from", required = true, paramLabel = "URL", description = "The old fleet's frontend, e.g. http://127.0.0.1:7400.")
  String from;

  @Option(names = "--to", required = true, paramLabel = "URL", description = "The new fleet's frontend, e.g. http://127.0.0.1:7500.")
  String to;

  @Option(names = "--from-fleet", paramLabel = "ID", description = "The old fleet's id (default: the fleet the new fleet's bundle chains to).")
  String fromFleet;

  @Option(names = "--to-fleet", paramLabel = "ID", description = "The new fleet's id (default: the workspace's current fleet).")
  String toFleet;

  /** Input the operator can correct; exits 2. */
  static final class BadInput extends Exception {
    BadInput(String message) {
      super(message);
    }
  }

  /** The two witnessed bundles a migration sends: the new fleet's and the old fleet's it chains to. */
  record Bundles(WitnessedBundle target, WitnessedBundle own) {}

  @Override
  public Integer call() {
    return UserErrors.report(spec, () -> {
      Bundles bundles;
      try {
        bundles = checkedInput();
        // Swapped or mistyped URLs would otherwise walk the wrong fleet: an empty new fleet "migrates" no one.
        checkServes("--from", from, bundles.own().bundle().fleetId());
        checkServes("--to", to, bundles.target().bundle().fleetId());
      } catch (BadInput | IllegalArgumentException e) {
        PrintWriter err = spec.commandLine().getErr();
        err.println(spec.qualifiedName() + ": " + e.getMessage());
        err.flush();
        return EXIT_BAD_INPUT;
      }
      PrintWriter out = spec.commandLine().getOut();
      FleetMigrator migrator = new FleetMigrator(new VaultHttpTransport(FrontendHttpClient.to(from)),
          new VaultHttpTransport(FrontendHttpClient.to(to)), bundles.target().toBytes(), bundles.own().toBytes(),
          FleetMigrator.Limits.DEFAULTS);
      out.println("migrating users of fleet " + bundles.own().bundle().fleetId() + " (epoch " + bundles.own().bundle().epoch()
          + ", " + from + ") to fleet " + bundles.target().bundle().fleetId() + " (epoch "
          + bundles.target().bundle().epoch() + ", " + to + ")");
      out.flush();
      MigrationReport report = migrator.run(outcome -> {
        out.println(line(outcome));
        out.flush();
      });
      out.println(report.summary());
      out.flush();
      if (report.complete()) {
        return 0;
      }
      PrintWriter err = spec.commandLine().getErr();
      err.println(spec.qualifiedName() + ": " + report.stopped().map(reason -> "stopped: " + reason)
          .orElse(report.failed() + " users not migrated (named above); running again retries them"));
      err.flush();
      return EXIT_NOT_ALL_MIGRATED;
    });
  }

  static String line(MigrationOutcome outcome) {
    String user = MigrationOutcome.display(outcome.userId());
    if (outcome instanceof MigrationOutcome.Migrated) {
      MigrationOutcome.Migrated m = (MigrationOutcome.Migrated) outcome;
      return user + " migrated: " + m.guessesUsed() + "/" + m.maxAttempts() + " guesses used, carried over";
    }
    if (outcome instanceof MigrationOutcome.AlreadyMigrated) {
      MigrationOutcome.AlreadyMigrated m = (MigrationOutcome.AlreadyMigrated) outcome;
      return user + " already migrated: " + m.guessesUsed() + "/" + m.maxAttempts() + " guesses used when it moved";
    }
    if (outcome instanceof MigrationOutcome.NoRecord) {
      return user + " has no record on the old fleet any more: nothing to move";
    }
    if (outcome instanceof MigrationOutcome.Failed) {
      return user + " NOT migrated: " + ((MigrationOutcome.Failed) outcome).reason();
    }
    throw new AssertionError(outcome);
  }

  /** Refuses a frontend whose status names another fleet than {@code fleetId}; an unreachable one is an I/O failure. */
  static void checkServes(String option, String url, String fleetId) throws java.io.IOException, BadInput {
    Object served;
    try {
      served = Json.parseObject(FrontendHttpClient.to(url).status()).get("fleet");
    } catch (Json.ParseException e) {
      throw new java.io.IOException(option + " " + url + ": its status is not JSON: " + e.getMessage(), e);
    }
    if (!fleetId.equals(served)) {
      throw new BadInput(option + " " + url + " serves fleet " + served + ", not " + fleetId);
    }
  }

  private Bundles checkedInput() throws Exception {
    Inputs.witnessUrl("--from", from);
    Inputs.witnessUrl("--to", to);
    if (from.equals(to)) {
      throw new BadInput("--from and --to are the same frontend (" + from + ")");
    }
    OperatorWorkspace workspace;
    try {
      workspace = OperatorWorkspace.open(dir, new SecureRandom());
    } catch (java.io.IOException e) {
      throw new BadInput("--dir " + dir + ": " + e.getMessage());
    }
    String target = toFleet != null ? toFleet : workspace.currentFleetId();
    for (String fleet : fromFleet == null ? new String[] {target} : new String[] {target, fromFleet}) {
      if (!workspace.fleetIds().contains(fleet)) {
        throw new BadInput("no fleet " + fleet + " in " + dir + " (it has " + String.join(", ", workspace.fleetIds()) + ")");
      }
    }
    return chained(workspace, target, Optional.ofNullable(fromFleet));
  }

  /**
   * The new fleet's witnessed bundle whose previous one is a published bundle of another fleet
   * (the old one, when named): the old fleet's HSMs export only to a bundle that names their
   * own as its previous. The latest such pair when several are.
   */
  static Bundles chained(OperatorWorkspace workspace, String target, Optional<String> source) throws Exception {
    TreeMap<Long, Path> files = workspace.files(FleetPublishCommand.WITNESSED_SUFFIX);
    Map<Sha256Digest, WitnessedBundle> byDigest = new HashMap<>();
    TreeMap<Long, WitnessedBundle> byEpoch = new TreeMap<>();
    for (Map.Entry<Long, Path> file : files.entrySet()) {
      WitnessedBundle witnessed;
      try {
        witnessed = WitnessedBundle.parse(OperatorWorkspace.readBytes(file.getValue(), WitnessedBundle.WITNESSED_BYTES_MAX));
      } catch (BundleFormatException e) {
        throw new BadInput(file.getValue() + ": " + e.getMessage());
      }
      byDigest.put(witnessed.bundleDigest(), witnessed);
      byEpoch.put(file.getKey(), witnessed);
    }
    boolean published = false;
    Bundles found = null;
    for (WitnessedBundle candidate : byEpoch.values()) {
      if (!candidate.bundle().fleetId().equals(target)) {
        continue;
      }
      published = true;
      WitnessedBundle previous = candidate.bundle().previousDigest().map(byDigest::get).orElse(null);
      if (previous != null && !previous.bundle().fleetId().equals(target)
          && (source.isEmpty() || previous.bundle().fleetId().equals(source.get()))) {
        found = new Bundles(candidate, previous);
      }
    }
    if (!published) {
      throw new BadInput("fleet " + target + " has no witnessed bundle in " + workspace.dir().resolve("bundles")
          + ": publish it first ('bkv fleet publish'), so the old fleet's HSMs can check it");
    }
    if (found == null) {
      throw new BadInput("no published bundle of fleet " + target + " names a bundle of "
          + source.map(s -> "fleet " + s).orElse("another fleet") + " as its previous one");
    }
    return found;
  }
}
