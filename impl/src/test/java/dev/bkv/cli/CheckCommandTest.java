package dev.bkv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.modelcheck.ToySpec;
import dev.bkv.testsupport.HtmlReading;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code bkv check} runs the selected models, prints progress and a table, and exits by verdict. */
class CheckCommandTest {
  @TempDir Path tmp;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  @Test
  void runsTheDefaultSuiteAndPrintsTheSummaryTable() throws Exception {
    Path specRoot = ToySpec.write(tmp);
    int code = run("check", "--spec-root", specRoot.toString(), "--work-dir", tmp.resolve("work").toString());
    String text = out.toString();
    assertEquals(0, code, text + err);
    assertTrue(text.contains("Toy/ToyOk  (bfs, expect ok)"), text);
    assertTrue(text.contains("PASS: violates Small"), text);
    assertTrue(text.contains("distinct states,"), "progress lines are printed: " + text);
    assertTrue(text.matches("(?s).*Spec\\s+Model\\s+Expected\\s+Result\\s+Distinct states\\s+Depth\\s+Time\\s+Verdict.*"), text);
    assertTrue(text.contains("3 of 3 models as recorded."), text);
    assertTrue(!text.contains("ToyBig"), "big models need --big");
  }

  @Test
  void exitsOneNamingTheDifferenceWhenAModelDiffersFromItsRecord() throws Exception {
    Path specRoot = ToySpec.write(tmp,
        "{\"name\": \"ToyOk\", \"config\": \"ToyOk.cfg\", \"expect\": \"ok\", \"distinctStates\": 100}");
    int code = run("check", "--spec-root", specRoot.toString(), "--work-dir", tmp.resolve("work").toString());
    assertEquals(1, code);
    assertTrue(out.toString().contains("FAIL: distinct states dropped from 100 to 16 (tolerance 1%)"), out.toString());
    assertTrue(out.toString().contains("0 of 1 models as recorded."));
  }

  @Test
  void exitsTwoWithAClearMessageOnBadInput() throws Exception {
    Path specRoot = ToySpec.write(tmp);
    assertEquals(2, run("check", "--spec-root", specRoot.toString(), "--spec", "Nope"));
    assertTrue(err.toString().contains("bkv check: no spec named Nope (known: Toy)"), err.toString());
    assertEquals(2, run("check", "--spec-root", specRoot.toString(), "--workers", "0"));
    assertTrue(err.toString().contains("--workers must be in 1..64, got 0"), err.toString());
    Files.writeString(specRoot.resolve("Toy").resolve("manifest.json"), "{}");
    assertEquals(2, run("check", "--spec-root", specRoot.toString()));
    assertTrue(err.toString().contains("missing \"format\""), err.toString());
  }

  @Test
  void writesTheSummaryPageWithARowPerModelWhenAsked() throws Exception {
    // Goal: --html gives the table as a page; method: the toy suite (three small models, as above).
    Path specRoot = ToySpec.write(tmp);
    Path page = tmp.resolve("check.html");
    int code = run("check", "--spec-root", specRoot.toString(), "--work-dir", tmp.resolve("work").toString(),
        "--html", page.toString());
    assertEquals(0, code, out.toString() + err);
    assertTrue(out.toString().contains("Summary page: " + page), out.toString());
    List<HtmlReading.TableRow> rows = HtmlReading.rows(Files.readString(page));
    assertEquals(3, rows.size(), rows.toString());
    for (HtmlReading.TableRow row : rows) {
      assertEquals("Toy", row.cells().get(0));
      assertEquals("pass", row.cssClass(), row.toString());
    }
    assertTrue(rows.stream().anyMatch(r -> r.cells().get(1).equals("ToyOk")), rows.toString());
  }

  @Test
  void aPageThatCannotBeWrittenIsRefusedBeforeAnyModelRuns() throws Exception {
    Path specRoot = ToySpec.write(tmp);
    Path page = tmp.resolve("no-such-folder").resolve("check.html");
    assertEquals(2, run("check", "--spec-root", specRoot.toString(), "--html", page.toString()));
    assertEquals("bkv check: --html: " + page + ": the folder " + page.getParent() + " does not exist\n",
        err.toString());
    assertEquals("", out.toString(), "no model ran");
  }

  @Test
  void hasHelp() {
    assertEquals(0, run("check", "--help"));
    assertTrue(out.toString().contains("--big"), out.toString());
  }
}
