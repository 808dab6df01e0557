package dev.bkv.testsupport;

import dev.bkv.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** One {@code bkv} command run in-process through {@link Main#run}: its exit code and what it printed. */
public record CliRun(int exit, String out, String err) {
  static final String AGENT_LINE_PREFIX = "INFO: Instrumented ";

  /** Runs {@code bkv args...} with System.out and System.err captured, then restored. */
  public static CliRun run(String... args) {
    PrintStream savedOut = System.out;
    PrintStream savedErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int exit = Main.run(args);
      return new CliRun(exit, out.toString(StandardCharsets.UTF_8),
          withoutAgentLines(err.toString(StandardCharsets.UTF_8)));
    } finally {
      System.setOut(savedOut);
      System.setErr(savedErr);
    }
  }

  /**
   * The fuzzing agent of the test JVM (Jazzer) reports each class it instruments on System.err
   * the first time the class loads, which may be during any command: those lines are the test
   * harness's, not the command's.
   */
  static String withoutAgentLines(String err) {
    StringBuilder kept = new StringBuilder();
    err.lines().filter(l -> !l.startsWith(AGENT_LINE_PREFIX)).forEach(l -> kept.append(l).append('\n'));
    return kept.toString();
  }
}
