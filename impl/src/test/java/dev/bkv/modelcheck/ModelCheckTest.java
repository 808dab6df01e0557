package dev.bkv.modelcheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Model selection, and real TLC subprocess runs of a toy spec through the harness. */
class ModelCheckTest {
  @TempDir Path tmp;

  private static List<String> labels(List<ModelCheck.Planned> planned) {
    return planned.stream().map(ModelCheck.Planned::label).collect(Collectors.toList());
  }

  private static ModelCheck.Selection select(String spec, String model, boolean big) {
    return new ModelCheck.Selection(Optional.ofNullable(spec), Optional.ofNullable(model), big);
  }

  @Test
  void bigModelsRunOnlyWhenAskedForOrNamed() throws Exception {
    List<Manifest> manifests = SpecCatalog.discover(ToySpec.write(tmp));
    assertEquals(List.of("Toy/ToyOk", "Toy/ToyBad", "Toy/ToyLive"),
        labels(ModelCheck.plan(manifests, select(null, null, false))));
    assertEquals(List.of("Toy/ToyOk", "Toy/ToyBad", "Toy/ToyLive", "Toy/ToyBig"),
        labels(ModelCheck.plan(manifests, select(null, null, true))));
    assertEquals(List.of("Toy/ToyBig"), labels(ModelCheck.plan(manifests, select("Toy", "ToyBig", false))));
  }

  @Test
  void unknownNamesAreRejectedListingWhatExists() throws Exception {
    List<Manifest> manifests = SpecCatalog.discover(ToySpec.write(tmp));
    assertEquals("no spec named Nope (known: Toy)",
        assertThrows(ManifestException.class, () -> ModelCheck.plan(manifests, select("Nope", null, false))).getMessage());
    assertEquals("no model named Nope in spec Toy",
        assertThrows(ManifestException.class, () -> ModelCheck.plan(manifests, select("Toy", "Nope", false))).getMessage());
  }

  @Test
  void runsTlcAndJudgesEachToyModel() throws Exception {
    Path specRoot = ToySpec.write(tmp);
    TlcInvocation.Settings settings = new TlcInvocation.Settings(tmp.resolve("work"), specRoot.resolve("lib"), List.of(), 2);
    List<ProgressEvents> seen = new ArrayList<>();
    for (ModelCheck.Planned p : ModelCheck.plan(SpecCatalog.discover(specRoot), select(null, null, false))) {
      ProgressEvents events = new ProgressEvents();
      ModelReport report = ModelCheck.check(p, settings, events);
      assertTrue(report.verdict().passed(), p.label() + ": " + report.verdict());
      assertTrue(Files.readString(report.result().outputFile()).contains("TLC2 Version"), "output kept");
      assertFalse(Files.exists(tmp.resolve("work").resolve("Toy").resolve(p.model().name() + ".states")),
          "TLC's state directory is removed after the run");
      seen.add(events);
    }
    assertTrue(seen.get(2).progress > 0, "TLC's progress reports reach the listener");
  }

  @Test
  void aWrongRecordFailsWithItsReasonAndTheCounterexampleIsKept() throws Exception {
    Path specRoot = ToySpec.write(tmp,
        "{\"name\": \"ToyBad\", \"config\": \"ToyBad.cfg\", \"expect\": \"ok\", \"distinctStates\": 20}");
    TlcInvocation.Settings settings = new TlcInvocation.Settings(tmp.resolve("work"), specRoot.resolve("lib"), List.of(), 1);
    ModelReport report = ModelCheck.check(ModelCheck.plan(SpecCatalog.discover(specRoot), select(null, null, false)).get(0),
        settings, ProgressListener.SILENT);
    assertEquals(new TlcOutcome.InvariantViolated("Small"), report.result().outcome());
    assertEquals(OptionalLong.of(7), report.result().traceLength());
    assertEquals(List.of("expected ok, TLC reported violates Small",
        "distinct states dropped from 20 to 16 (tolerance 1%)"), ((ModelVerdict.Fail) report.verdict()).reasons());
    assertTrue(Files.readString(report.result().outputFile()).contains("State 7:"), "counterexample in the output");
  }

  @Test
  void aModelPastItsTimeLimitIsStoppedAndFails() throws Exception {
    Path specRoot = ToySpec.write(tmp);
    Path spec = specRoot.resolve("Toy");
    Files.writeString(spec.resolve("Slow.cfg"), "CONSTANT Bound = 100000000\nINIT Init\nNEXT Next\nINVARIANT Bounded\n");
    Files.writeString(spec.resolve("manifest.json"), ToySpec.manifest("Toy",
        "{\"name\": \"Slow\", \"config\": \"Slow.cfg\", \"expect\": \"ok\", \"distinctStates\": 1, \"timeoutSeconds\": 1}"));
    TlcInvocation.Settings settings = new TlcInvocation.Settings(tmp.resolve("work"), specRoot.resolve("lib"), List.of(), 1);
    ModelReport report = ModelCheck.check(ModelCheck.plan(SpecCatalog.discover(specRoot), select(null, null, false)).get(0),
        settings, ProgressListener.SILENT);
    assertEquals(new TlcOutcome.Failed("timed out after 1 s"), report.result().outcome());
  }

  /** A spec with two named actions; Reset is enabled only when the constant says so. */
  private static final String ACTIONS_TLA = String.join("\n",
      "---- MODULE ToyActions ----",
      "EXTENDS Naturals",
      "CONSTANTS Bound, ResetOn",
      "VARIABLE x",
      "Init == x = 0",
      "NoInit == x = 0 /\\ Bound < 0",
      "Inc == x < Bound /\\ x' = x + 1",
      "Reset == ResetOn /\\ x = Bound /\\ x' = 0",
      "Next == Inc \\/ Reset",
      "====",
      "");

  private ModelReport runActionsModel(String cfg, String entry) throws Exception {
    Path specRoot = ToySpec.write(tmp);
    Path spec = specRoot.resolve("Toy");
    Files.writeString(spec.resolve("ToyActions.tla"), ACTIONS_TLA);
    Files.writeString(spec.resolve("Actions.cfg"), cfg);
    Files.writeString(spec.resolve("manifest.json"), ToySpec.manifest("Toy",
        "{\"name\": \"Actions\", \"config\": \"Actions.cfg\", \"module\": \"ToyActions\", " + entry + "}"));
    TlcInvocation.Settings settings = new TlcInvocation.Settings(tmp.resolve("work"), specRoot.resolve("lib"), List.of(), 1);
    return ModelCheck.check(ModelCheck.plan(SpecCatalog.discover(specRoot), select(null, null, false)).get(0),
        settings, ProgressListener.SILENT);
  }

  private static List<String> reasons(ModelReport report) {
    return report.verdict() instanceof ModelVerdict.Fail ? ((ModelVerdict.Fail) report.verdict()).reasons() : List.of();
  }

  /** Vacuity: TLC says "No error" for a model with no initial state; the harness does not. */
  @Test
  void aModelWithNoInitialStateFails() throws Exception {
    ModelReport report = runActionsModel("CONSTANTS Bound = 2 ResetOn = TRUE\nINIT NoInit\nNEXT Next\n",
        "\"expect\": \"ok\", \"distinctStates\": 1");
    assertEquals(new TlcOutcome.Ok(), report.result().outcome());
    assertTrue(reasons(report).contains("vacuous: the model has no initial state"), reasons(report).toString());
  }

  /** Vacuity: an action of Next never taken fails the model, naming the action. */
  @Test
  void anActionNeverTakenFailsNamingIt() throws Exception {
    ModelReport report = runActionsModel("CONSTANTS Bound = 2 ResetOn = FALSE\nINIT Init\nNEXT Next\n",
        "\"expect\": \"ok\", \"distinctStates\": 3");
    assertEquals(List.of("action Reset was never taken;"
        + " list it in unusedActions if the model leaves it off on purpose"), reasons(report));
    assertEquals("Inc 2/2, Reset 0/0", report.result().coverage().describe());
  }

  /** An action switched off on purpose passes once the manifest lists it. */
  @Test
  void anActionListedAsUnusedPasses() throws Exception {
    ModelReport report = runActionsModel("CONSTANTS Bound = 2 ResetOn = FALSE\nINIT Init\nNEXT Next\n",
        "\"expect\": \"ok\", \"distinctStates\": 3, \"unusedActions\": [\"Reset\"]");
    assertTrue(report.verdict().passed(), reasons(report).toString());
  }

  /** A stale list: the action it names as off was taken. */
  @Test
  void anUnusedActionThatWasTakenFails() throws Exception {
    ModelReport report = runActionsModel("CONSTANTS Bound = 2 ResetOn = TRUE\nINIT Init\nNEXT Next\n",
        "\"expect\": \"ok\", \"distinctStates\": 3, \"unusedActions\": [\"Reset\"]");
    assertEquals(List.of("unusedActions lists Reset, but it was taken 1 times"), reasons(report));
  }

  private static final class ProgressEvents implements ProgressListener {
    int progress;

    @Override
    public void onProgress(TlcProgress p) {
      progress++;
    }

    @Override
    public void onTick(java.time.Duration elapsed, Optional<TlcProgress> latest) {}
  }
}
