package dev.bkv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.testsupport.CliRun;
import dev.bkv.tracecheck.TraceCoverage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bkv check --traces}: simulated traces validated against the spec, a summary, coverage, and exit by verdict. */
class TraceCheckRunTest {
  @TempDir Path tmp;

  @Test
  void acceptsFourTracesOfThreeHsmsAndPrintsTheTableAndCoverage() {
    // Goal: traces of the production firmware all match the spec, and the run says how much of the spec they took.
    CliRun run = CliRun.run("check", "--traces", "4", "--hsms", "3", "--workers", "1", "--work-dir", tmp.toString());
    String text = run.out();
    assertEquals(0, run.exit(), text + run.err());
    assertTrue(text.contains("3 HSMs: 4 traces simulated"), text);
    assertTrue(text.contains("3 HSMs batch 1: 4 traces checked"), text);
    assertTrue(text.matches("(?s).*Fleet\\s+Traces\\s+Events\\s+min\\s+mean\\s+max\\s+Accepted\\s+Rejected\\s+TLC s\\s+TLC s/trace.*"),
        text);
    assertTrue(Pattern.compile("3 HSMs\\s+4\\s+\\d+\\s+\\d+\\s+[\\d.]+\\s+\\d+\\s+4\\s+0\\s").matcher(text).find(), text);
    for (String action : TraceCoverage.SPEC_ACTIONS) {
      assertTrue(Pattern.compile("(?m)^  " + action + "\\s+\\d+").matcher(text).find(), "coverage line of " + action + ": " + text);
    }
    assertTrue(text.contains("4 of 4 traces accepted;"), text);
  }

  @Test
  void exitsOneAndNamesTheTraceWhenTheSpecWithoutMajorityCommitsRejectsIt() throws Exception {
    // Goal: a spec with a protection removed rejects valid traces; each is described, saved, and the exit is 1.
    CliRun run = CliRun.run("check", "--traces", "2", "--hsms", "3", "--spec-bugs", "CommitWithoutMajority",
        "--workers", "1", "--work-dir", tmp.toString());
    String text = run.out();
    assertEquals(1, run.exit(), text + run.err());
    Matcher rejected = Pattern.compile("trace 1 \\(seed 1, schedule [^)]+\\): rejected at .*").matcher(text);
    assertTrue(rejected.find(), text);
    Matcher saved = Pattern.compile("trace saved to (\\S+)").matcher(text);
    assertTrue(saved.find(), text);
    assertTrue(Files.readString(Path.of(saved.group(1))).startsWith("["), "the saved trace is its JSON");
    assertTrue(text.contains("0 of 2 traces accepted;"), text);
  }

  @Test
  void badInputExitsTwoWithOneLineNamingTheOption() {
    // Goal: a wrong count, fleet size or batch is refused before anything runs, naming the option.
    String[][] cases = {
      {"--traces", "0"},
      {"--traces", String.valueOf(TraceCheckRun.TRACES_RUN_MAX + 1)},
      {"--traces", "2", "--hsms", "4"},
      {"--traces", "2", "--batch", "0"},
      {"--hsms", "3"},
      {"--traces", "2", "--html", tmp.resolve("no-such-folder").resolve("t.html").toString()},
    };
    String[] named = {"--traces", "--traces", "--hsms", "--batch", "--hsms", "--html"};
    for (int i = 0; i < cases.length; i++) {
      String[] args = new String[cases[i].length + 3];
      args[0] = "check";
      System.arraycopy(cases[i], 0, args, 1, cases[i].length);
      args[args.length - 2] = "--work-dir";
      args[args.length - 1] = tmp.resolve("work").toString();
      CliRun run = CliRun.run(args);
      String line = run.err();
      assertEquals(2, run.exit(), String.join(" ", args) + ": " + line);
      assertEquals(1, line.lines().count(), line);
      assertTrue(line.startsWith("bkv check: ") && line.contains(named[i]), line);
    }
    assertTrue(!Files.exists(tmp.resolve("work")), "nothing written on bad input");
  }
}
