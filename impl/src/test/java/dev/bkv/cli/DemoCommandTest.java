package dev.bkv.cli;

import static dev.bkv.testsupport.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.hsm.FirmwareCodec;
import dev.bkv.hsm.FirmwareRequest;
import dev.bkv.hsm.FirmwareResponse;
import dev.bkv.testsupport.CliRun;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code bkv demo} end to end through {@code Main.run}: output, exit codes, and failure when an expectation breaks. */
class DemoCommandTest {
  /** Cheap Argon2id: the demo's behaviour does not depend on the KSF's cost. */
  static final String[] FAST = {"--ksf-memory-kib", "64", "--ksf-iterations", "1", "--ksf-parallelism", "1"};

  static String[] with(String... args) {
    String[] all = new String[1 + FAST.length + args.length];
    all[0] = "demo";
    System.arraycopy(FAST, 0, all, 1, FAST.length);
    System.arraycopy(args, 0, all, 1 + FAST.length, args.length);
    return all;
  }

  @Test
  void demo_destroys_the_record_after_exactly_max_attempts_wrong_guesses() {
    for (int max : new int[] {1, 3, 10}) {
      CliRun run = run(with("--max-attempts", Integer.toString(max)));
      assertEquals(0, run.exit(), run.out() + run.err());
      List<String> attacker = run.out().lines().filter(l -> l.startsWith("[attacker]")).collect(Collectors.toList());
      assertEquals(max, attacker.size(), run.out());
      for (int i = 1; i < max; i++) {
        assertTrue(attacker.get(i - 1).endsWith("guesses remaining " + (max - i)), attacker.get(i - 1));
      }
      assertTrue(attacker.get(max - 1).contains("wrong guess " + max + "/" + max), attacker.get(max - 1));
      assertTrue(attacker.get(max - 1).endsWith("record DESTROYED"), attacker.get(max - 1));
      assertTrue(run.out().contains("equal to the original"));
      assertTrue(run.out().contains("no record (destroyed after exactly " + max + " wrong guesses)"));
      assertTrue(run.out().contains("the right password no longer works: recovery fails"));
      assertTrue(run.out().strip().endsWith("demo: every expectation held"));
      // Jazzer's agent, once loaded by a fuzz test in the same JVM, logs class instrumentation.
      assertEquals(List.of(), run.err().lines().filter(l -> !l.startsWith("INFO: Instrumented")).collect(Collectors.toList()));
    }
  }

  @Test
  void bad_options_are_named_errors_with_a_non_zero_exit_and_no_stack_trace() {
    for (String[] args : new String[][] {
        with("--max-attempts", "0"), with("--max-attempts", "256"), with("--max-attempts", "ten"),
        {"demo", "--ksf-memory-kib", "1"}, with("--user", ""), with("--no-such-option")}) {
      CliRun run = run(args);
      assertEquals(2, run.exit(), String.join(" ", args));
      assertFalse(run.err().contains("\tat "), run.err());
      assertFalse(run.err().isBlank());
    }
    assertTrue(run(with("--max-attempts", "0")).err().contains("--max-attempts must be in [1, 255], got 0"));
    assertEquals(0, run("demo", "--help").exit());
  }

  @Test
  void demo_fails_when_the_frontend_swallows_cancels() {
    // Negative test of the demo's own checks: a frontend that drops LoginCancel leaves the
    // last counted guess unresolved, so the record is not yet destroyed after the last guess.
    DemoCommand demo = new DemoCommand();
    demo.transportWrapper = inner -> request -> {
      if (request.length > 1 && request[1] == FirmwareRequest.Kind.LOGIN_CANCEL.code) {
        return FirmwareCodec.encode(new FirmwareResponse.LoginFailed());
      }
      return inner.exchange(request);
    };
    StringWriter out = new StringWriter();
    CommandLine commandLine = new CommandLine(demo);
    commandLine.setOut(new PrintWriter(out));
    String[] args = with("--max-attempts", "2");
    int code = commandLine.execute(java.util.Arrays.copyOfRange(args, 1, args.length)); // without "demo"
    assertEquals(1, code, out.toString());
    assertTrue(out.toString().contains("demo: FAILED"), out.toString());
    assertTrue(out.toString().contains("the record is destroyed by wrong guess 2, not later"), out.toString());
  }

}
