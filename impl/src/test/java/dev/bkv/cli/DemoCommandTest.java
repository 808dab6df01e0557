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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code bkv demo} end to end through {@code Main.run}: each step's key lines, exit codes, and failure when a step breaks. */
class DemoCommandTest {
  /** Cheap Argon2id: the demo's behaviour does not depend on the KSF's cost. */
  static final String[] FAST = {"--ksf-memory-kib", "64", "--ksf-iterations", "1", "--ksf-parallelism", "1"};
  static final Pattern SITE_WRITTEN = Pattern.compile("\\[site\\] +wrote (\\S+) \\(2 fleet epochs, 2 log entries\\)");
  static final Pattern WORKING_IN = Pattern.compile("working in (\\S+) \\((removed|kept) at the end\\)");

  @TempDir Path dir;

  /** Where the demos of the tests write their transparency pages, one new folder each (not the working folder). */
  static final Path SITES = Path.of("target", "demo-sites");

  static String[] with(String... args) {
    String[] site = Arrays.asList(args).contains("--site") ? new String[0]
        : new String[] {"--site", SITES.resolve(UUID.randomUUID().toString()).toString()};
    String[] all = new String[1 + FAST.length + site.length + args.length];
    all[0] = "demo";
    System.arraycopy(FAST, 0, all, 1, FAST.length);
    System.arraycopy(site, 0, all, 1 + FAST.length, site.length);
    System.arraycopy(args, 0, all, 1 + FAST.length + site.length, args.length);
    return all;
  }

  private static void assertSays(String out, String... fragments) {
    for (String fragment : fragments) {
      assertTrue(out.contains(fragment), "missing '" + fragment + "' in:\n" + out);
    }
  }

  @Test
  void demo_tells_every_step_destroys_after_exactly_max_attempts_and_carries_the_count_to_the_new_fleet() throws Exception {
    int max = 3; // the user's own wrong guesses are then 2 (one fewer than the limit): 1 of 3 remains, carried over
    CliRun run = run(with("--max-attempts", Integer.toString(max)));
    String out = run.out();
    assertEquals(0, run.exit(), out + run.err());
    for (int step = 1; step <= DemoChecks.STEPS; step++) {
      assertTrue(out.contains("\n" + step + "/" + DemoChecks.STEPS + " "), "step " + step + " missing:\n" + out);
    }
    // 1, 2: ceremony, evidence, witness log, countersignature.
    assertSays(out, "fleet-1: 5 HSMs in 3 datacenters, quorum 3", "dc-3: HSMs ", ": verifies (vendor certificates",
        "epoch 1 (fleet-1, bundle ", "logged at index 0, checkpoint size 1", "countersigned the witness's signature");
    // 3, 4: the fleet and the phone's checks.
    assertSays(out, "fleet-1: 5 nodes and a frontend at http://127.0.0.1:", "witness-signature ok", "countersignature ok",
        "inclusion ok (leaf 0)", "consistency ok (first use: no checkpoint stored)", "ACCEPTED: trusts fleet-1");
    // 5, 6: recovery and the guess limit.
    assertSays(out, "[alice]    recovered with the right password: sha256 ", "equal to the original");
    List<String> attacker = out.lines().filter(l -> l.strip().startsWith("[attacker] wrong guess")).collect(Collectors.toList());
    assertEquals(max, attacker.size(), out);
    for (int i = 1; i < max; i++) {
      assertTrue(attacker.get(i - 1).endsWith("guesses remaining " + (max - i)), attacker.get(i - 1));
    }
    assertTrue(attacker.get(max - 1).contains("wrong guess " + max + "/" + max), attacker.get(max - 1));
    assertTrue(attacker.get(max - 1).endsWith("record DESTROYED"), attacker.get(max - 1));
    assertSays(out, "no record: destroyed after exactly " + max + " wrong guesses",
        "the right password no longer works: recovery fails");
    // 7: the datacenter loss.
    assertSays(out, "LOST: HSMs ", "stopped and their storage deleted", "recovered from the ",
        "status before the rotation: EXPOSED, guesses remaining 1/3");
    // 8: rotation, the carried count, the phone's consistency check, the old fleet's refusal.
    assertSays(out, "epoch 2 (fleet-2, bundle ", "logged at index 1, checkpoint size 2", "epoch 2 names epoch 1 as its previous bundle: yes",
        "alice@example.com migrated: 2/3 guesses used, carried over",
        "consistency ok (from its stored checkpoint of size 1 to 2)", "previous-bundle ok", "ACCEPTED: trusts fleet-2",
        "status on fleet-2 (carried over): EXPOSED, guesses remaining 1/3", "recovered on fleet-2: sha256 ",
        "fleet-1 refuses the user: recovery fails; the old record is MIGRATED");
    // 9: the audit.
    assertSays(out, "change: fleet fleet-2 replaces fleet fleet-1: 5 HSMs added, 5 removed", "AUDIT PASSED");
    // 10: the transparency page, outside the removed folder.
    Matcher site = SITE_WRITTEN.matcher(out);
    assertTrue(site.find(), out);
    Path page = Path.of(site.group(1));
    assertTrue(Files.readString(page).contains("<strong>Auditor: PASSED</strong>"), "the page's audit verdict");
    assertTrue(out.strip().endsWith("demo: every expectation held; the transparency page of its fleets: file://" + page), out);
    // Jazzer's agent, once loaded by a fuzz test in the same JVM, logs class instrumentation.
    assertEquals(List.of(), run.err().lines().filter(l -> !l.startsWith("INFO: Instrumented")).collect(Collectors.toList()));
    Matcher working = WORKING_IN.matcher(out);
    assertTrue(working.find(), out);
    assertEquals("removed", working.group(2));
    assertFalse(Files.exists(Path.of(working.group(1))), "the temporary folder is removed: " + working.group(1));
  }

  @Test
  void bad_options_are_named_errors_with_a_non_zero_exit_and_no_stack_trace() throws Exception {
    Path notEmpty = Files.createDirectories(dir.resolve("not-empty"));
    Files.writeString(notEmpty.resolve("file"), "x");
    for (String[] args : new String[][] {
        with("--max-attempts", "0"), with("--max-attempts", "256"), with("--max-attempts", "ten"),
        {"demo", "--ksf-memory-kib", "1"}, with("--user", ""), with("--no-such-option"),
        with("--keep", notEmpty.toString()), with("--site", notEmpty.toString())}) {
      CliRun run = run(args);
      assertEquals(2, run.exit(), String.join(" ", args));
      assertFalse(run.err().contains("\tat "), run.err());
      assertFalse(run.err().isBlank());
      assertFalse(run.out().contains("1/" + DemoChecks.STEPS), "nothing started: " + run.out());
    }
    assertTrue(run(with("--max-attempts", "0")).err().contains("--max-attempts must be in [1, 255], got 0"));
    assertTrue(run(with("--keep", notEmpty.toString())).err().contains("exists and is not an empty directory"));
    assertTrue(run(with("--site", notEmpty.toString())).err().contains("is not empty and was not written by bkv site"));
    assertEquals(List.of("file"), Files.list(notEmpty).map(p -> p.getFileName().toString()).toList());
    assertEquals(0, run("demo", "--help").exit());
  }

  /** Runs the demo with test hooks set on {@code demo}; returns its exit code, output and error output. */
  private static CliRun runWith(DemoCommand demo, String... options) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine commandLine = new CommandLine(demo);
    commandLine.setOut(new PrintWriter(out));
    commandLine.setErr(new PrintWriter(err));
    String[] args = with(options);
    int code = commandLine.execute(Arrays.copyOfRange(args, 1, args.length)); // without "demo"
    return new CliRun(code, out.toString(), err.toString());
  }

  @Test
  void demo_fails_when_the_frontend_swallows_cancels_and_keeps_its_folder_when_asked() {
    // Negative test of the demo's own checks: a transport that drops LoginCancel leaves the last
    // counted guess unresolved, so the record is not yet destroyed after the last guess.
    DemoCommand demo = new DemoCommand();
    demo.transportWrapper = inner -> request -> {
      if (request.length > 1 && request[1] == FirmwareRequest.Kind.LOGIN_CANCEL.code) {
        return FirmwareCodec.encode(new FirmwareResponse.LoginFailed());
      }
      return inner.exchange(request);
    };
    Path kept = dir.resolve("kept");
    CliRun run = runWith(demo, "--max-attempts", "2", "--keep", kept.toString());
    assertEquals(1, run.exit(), run.out() + "\n" + run.err());
    assertSays(run.out(), "demo: FAILED", "the record is destroyed by wrong guess 2, not later");
    assertTrue(Files.isDirectory(kept.resolve("operator").resolve("fleets").resolve("fleet-1")), "--keep keeps the workspace");
  }

  @Test
  void demo_fails_when_the_new_fleet_never_gets_the_migrated_user() {
    // Negative test of the rotation's checks: the new fleet's frontend refuses every import, so the
    // user is frozen on the old fleet and absent from the new one; the demo must say so, not pass.
    DemoCommand demo = new DemoCommand();
    demo.migrationWrapper = inner -> request -> {
      if (request.length > 1 && request[1] == FirmwareRequest.Kind.MIGRATE_IN.code) {
        return FirmwareCodec.encode(new FirmwareResponse.Refused(FirmwareResponse.Reason.IMPORT_REFUSED, "dropped"));
      }
      return inner.exchange(request);
    };
    CliRun run = runWith(demo, "--max-attempts", "2");
    assertEquals(1, run.exit(), run.out() + "\n" + run.err());
    assertSays(run.out(), "demo: FAILED", "every user is on the new fleet",
        "alice migrated with 1/2 guesses used", "the record exists on fleet-2 (carried over)");
  }
}
