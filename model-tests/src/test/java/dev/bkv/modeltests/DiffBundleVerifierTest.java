package dev.bkv.modeltests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.base.Json;
import dev.bkv.bundle.BundleCheck;
import dev.bkv.modelcheck.Manifest;
import dev.bkv.modelcheck.ModelCheck;
import dev.bkv.modelcheck.ModelEntry;
import dev.bkv.modelcheck.ModelReport;
import dev.bkv.modelcheck.ProgressListener;
import dev.bkv.modelcheck.SpecCatalog;
import dev.bkv.modelcheck.TlcInvocation;
import dev.bkv.modelcheck.TlcOutcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Differential test of the Java bundle verifier against the spec's {@code ClientAccepts}
 * (spec/BundleVerification/DiffBundleVerifier.tla): seeded valid and tampered cases are
 * decided by {@code BundleVerifier}, written as NDJSON in the README's case schema, loaded by
 * TLC through {@code LoadTraces} (spec/lib/TraceIO.tla and its Java override), and walked by
 * {@code BundleDiff}, which fails on the first case where Java and the spec disagree. A
 * planted wrong decision must be caught, so the harness is shown able to fail.
 */
class DiffBundleVerifierTest {
  static final long SEED = Long.getLong("bkv.diff.seed", 20261129L);
  static final int CASES = Integer.getInteger("bkv.diff.cases", 400);

  @TempDir Path temp;

  static String cfg(Path cases) {
    return "CONSTANTS CasesFile = \"" + cases.toAbsolutePath() + "\"\n"
        + "          Cases <- LoadedCases\n"
        + "INIT Init\nNEXT Next\n"
        + "INVARIANTS CasesWellFormed AcceptanceOperatorsAgree JavaAgreesWithSpec AllCasesReported\n";
  }

  static List<Map<String, Object>> cases() throws Exception {
    List<Map<String, Object>> out = new ArrayList<>();
    for (BundleCaseGenerator.GeneratedCase c : new BundleCaseGenerator(SEED).generate(CASES)) {
      out.add(c.json());
    }
    return out;
  }

  /**
   * Writes {@code cases} as NDJSON into {@code dir}, with copies of the spec's modules and a
   * cfg, and model-checks {@code DiffBundleVerifier} there through the same harness as the
   * manifest models. TLC walks one state per case, plus the initial one, until the first
   * disagreement: {@code expectedStates} says how far it must get.
   */
  static ModelReport run(Path dir, List<Map<String, Object>> cases, TlcOutcome expected, long expectedStates)
      throws Exception {
    Path specRoot = SpecCatalog.locateSpecRoot(Path.of(""));
    Files.createDirectories(dir);
    try (var modules = Files.list(specRoot.resolve("BundleVerification"))) {
      for (Path tla : modules.filter(p -> p.toString().endsWith(".tla")).toList()) {
        Files.copy(tla, dir.resolve(tla.getFileName()), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    Path file = dir.resolve("cases.ndjson");
    StringBuilder lines = new StringBuilder();
    for (Map<String, Object> c : cases) {
      lines.append(Json.write(c)).append('\n');
    }
    Files.writeString(file, lines);
    Files.writeString(dir.resolve("DiffRun.cfg"), cfg(file));
    ModelEntry model = new ModelEntry(dir.getFileName().toString(), "", "DiffRun.cfg", "DiffBundleVerifier",
        ModelEntry.Suite.DEFAULT, ModelEntry.Mode.BFS, expected, OptionalLong.of(expectedStates), false,
        Duration.ofMinutes(5), Optional.empty(), OptionalLong.empty(), OptionalLong.empty(), List.of());
    Manifest manifest = new Manifest("BundleVerification", dir, "DiffBundleVerifier", 0, List.of(model));
    TlcInvocation.Settings settings = ModelTestSupport.settings(
        ModelTestSupport.WORK_ROOT.resolve("diff"), specRoot.resolve("lib"), true);
    return ModelCheck.check(new ModelCheck.Planned(manifest, model), settings, ProgressListener.SILENT);
  }

  static String output(ModelReport report) throws Exception {
    return Files.readString(report.result().outputFile());
  }

  @Test
  void javaVerifierAgreesWithClientAccepts_onEveryGeneratedCase() throws Exception {
    List<Map<String, Object>> cases = cases();
    // The generator must keep reaching every decision, or the agreement proves little.
    Map<String, Integer> reasons = new TreeMap<>();
    for (Map<String, Object> c : cases) {
      reasons.merge((String) c.get("javaReason"), 1, Integer::sum);
    }
    System.out.println("DiffBundleVerifier: seed " + SEED + ", " + cases.size() + " cases, Java decisions " + reasons);
    Set<String> expected = new TreeSet<>();
    expected.add("accepted");
    for (BundleCheck check : BundleCheck.values()) {
      if (check.inSpec()) {
        expected.add(check.specName());
      }
    }
    assertEquals(expected, reasons.keySet(), "every spec check is the Java reason of some case");

    ModelReport report = run(temp.resolve("honest"), cases, new TlcOutcome.Ok(), cases.size() + 1);
    assertTrue(report.verdict().passed(), report.verdict() + ": " + output(report));
    assertTrue(output(report).contains("<<\"DIFF_OK\", " + cases.size() + ">>"), output(report));
  }

  @Test
  void aPlantedWrongDecisionIsCaught() throws Exception {
    List<Map<String, Object>> cases = cases();
    int planted = -1;
    for (int i = cases.size() / 4; i < cases.size(); i++) {
      if (!(Boolean) cases.get(i).get("javaAccepts") && "epoch".equals(cases.get(i).get("javaReason"))) {
        planted = i;
        break;
      }
    }
    assertTrue(planted >= 0, "some rejected downgrade to plant a wrong answer on");
    Map<String, Object> wrong = new LinkedHashMap<>(cases.get(planted));
    wrong.put("javaAccepts", true);
    wrong.put("javaReason", "accepted");
    cases.set(planted, wrong);
    // The walk stops at the planted case: the initial state and one per case up to it.
    ModelReport report = run(temp.resolve("planted"), cases,
        new TlcOutcome.InvariantViolated("JavaAgreesWithSpec"), planted + 2);
    assertTrue(report.verdict().passed(), report.verdict() + ": " + output(report));
    // TLC prints the tuple over several lines: compare with whitespace folded.
    String folded = output(report).replaceAll("\\s+", " ");
    String expected = "\"DIFF_MISMATCH\", " + (planted + 1) + ", \"" + wrong.get("id") + "\"";
    assertTrue(folded.contains(expected), expected + " in:\n" + output(report));
  }
}
