package dev.bkv.cli;

import java.io.PrintWriter;
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
      SiteCommand.class,
      CheckCommand.class,
      NodeCommand.class,
      FrontendCommand.class,
      ClientCommand.class,
      StatusCommand.class
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
    CommandLine cli = new CommandLine(new Main());
    // One line for a malformed command line (not the whole usage), naming the command and how to get help.
    cli.setParameterExceptionHandler((e, given) -> {
      CommandLine.Model.CommandSpec spec = e.getCommandLine().getCommandSpec();
      PrintWriter err = e.getCommandLine().getErr();
      err.println(spec.qualifiedName() + ": " + oneLine(e.getMessage()) + " (see '" + spec.qualifiedName() + " --help')");
      err.flush();
      return spec.exitCodeOnInvalidInput();
    });
    // A bug that escapes a command is one labelled line too, never a stack trace.
    cli.setExecutionExceptionHandler((e, command, parsed) -> {
      PrintWriter err = command.getErr();
      err.println(command.getCommandSpec().qualifiedName() + ": unexpected error: " + oneLine(String.valueOf(e)));
      err.flush();
      return 1;
    });
    return cli.execute(args);
  }

  private static String oneLine(String text) {
    return text.lines().findFirst().orElse("").strip();
  }
}
