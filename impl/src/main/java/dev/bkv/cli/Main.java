package dev.bkv.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code bkv} command. Wiring only: each subcommand lives in its own class. */
@Command(
    name = "bkv",
    mixinStandardHelpOptions = true,
    version = "bkv 0.1.0",
    description = "BKV: a formal-spec-driven Backup Key Vault on a fleet of HSMs.",
    subcommands = {
      CommandLine.HelpCommand.class,
      DemoCommand.class,
      WitnessCommand.class,
      FleetCommand.class,
      EvidenceCommand.class,
      AuditCommand.class,
      CheckCommand.class
    })
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the CLI and returns its exit code (tests call this instead of {@link #main}). */
  public static int run(String... args) {
    return new CommandLine(new Main()).execute(args);
  }
}
