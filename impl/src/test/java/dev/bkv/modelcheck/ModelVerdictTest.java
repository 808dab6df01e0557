package dev.bkv.modelcheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * A run passes only with the expected outcome and a state count within the tolerance, and a
 * passing model only when it is not vacuous (initial states, every action taken).
 */
class ModelVerdictTest {
  private static ModelEntry bfs(TlcOutcome expected, long states, String... unusedActions) {
    return new ModelEntry("M", "", "M.cfg", "M", ModelEntry.Suite.DEFAULT, ModelEntry.Mode.BFS, expected,
        OptionalLong.of(states), false, Duration.ofMinutes(1), Optional.empty(), OptionalLong.empty(),
        OptionalLong.empty(), List.of(unusedActions));
  }

  /** Coverage of a run where every action named was taken once, and {@code Off} never. */
  private static ActionCoverage coverage(String... taken) {
    Map<String, ActionCoverage.Taken> actions = new LinkedHashMap<>();
    for (String action : taken) {
      actions.put(action, new ActionCoverage.Taken(1, 1));
    }
    actions.put("Off", new ActionCoverage.Taken(0, 0));
    return new ActionCoverage(actions);
  }

  private static TlcResult result(TlcOutcome outcome, long states, long initialStates, ActionCoverage coverage) {
    return new TlcResult(outcome, OptionalLong.of(states), OptionalLong.empty(), OptionalLong.empty(),
        OptionalLong.empty(), OptionalLong.of(initialStates), coverage, Duration.ZERO, 0, Path.of("out"));
  }

  /** A run that took every action but {@code Off}, which the manifest lists as switched off. */
  private static TlcResult result(TlcOutcome outcome, long states) {
    return result(outcome, states, 1, coverage("Step"));
  }

  private static ModelEntry bfs(TlcOutcome expected, long states) {
    return bfs(expected, states, "Off");
  }

  private static List<String> reasons(ModelVerdict v) {
    return v instanceof ModelVerdict.Fail ? ((ModelVerdict.Fail) v).reasons() : List.of();
  }

  @Test
  void passesWhenOutcomeAndCountMatch() {
    assertTrue(ModelVerdict.judge(bfs(new TlcOutcome.Ok(), 1000), 1, result(new TlcOutcome.Ok(), 1000)).passed());
  }

  @Test
  void toleratesSmallDriftEitherWay() {
    ModelEntry m = bfs(new TlcOutcome.Ok(), 1000);
    assertTrue(ModelVerdict.judge(m, 1, result(new TlcOutcome.Ok(), 990)).passed());
    assertTrue(ModelVerdict.judge(m, 1, result(new TlcOutcome.Ok(), 1010)).passed());
    assertEquals(List.of("distinct states dropped from 1,000 to 989 (tolerance 1%)"),
        reasons(ModelVerdict.judge(m, 1, result(new TlcOutcome.Ok(), 989))));
    assertTrue(reasons(ModelVerdict.judge(m, 1, result(new TlcOutcome.Ok(), 1011))).get(0)
        .startsWith("distinct states grew from 1,000 to 1,011"));
    assertEquals(0, ModelVerdict.allowedDeviation(1000, 0));
    assertEquals(1, ModelVerdict.allowedDeviation(1, 1), "rounded up");
  }

  @Test
  void failsOnAnotherOutcomeEvenWithTheRightCount() {
    ModelEntry m = bfs(new TlcOutcome.InvariantViolated("GuessLimit"), 642);
    assertEquals(List.of("expected violates GuessLimit, TLC reported violates Durability"),
        reasons(ModelVerdict.judge(m, 1, result(new TlcOutcome.InvariantViolated("Durability"), 642))));
    assertEquals(List.of("expected violates GuessLimit, TLC reported ok"),
        reasons(ModelVerdict.judge(m, 1, result(new TlcOutcome.Ok(), 642))));
  }

  @Test
  void aFailedRunIsNotAlsoBlamedForItsCount() {
    ModelEntry m = bfs(new TlcOutcome.Ok(), 1000);
    assertEquals(List.of("expected ok, TLC reported failed: parse error"),
        reasons(ModelVerdict.judge(m, 1, result(new TlcOutcome.Failed("parse error"), 0))));
  }

  @Test
  void simulationsAreJudgedOnTheirOutcomeOnly() {
    ModelEntry sim = new ModelEntry("S", "", "S.cfg", "S", ModelEntry.Suite.DEFAULT, ModelEntry.Mode.SIMULATE,
        new TlcOutcome.Ok(), OptionalLong.empty(), false, Duration.ofMinutes(1),
        Optional.of(new ModelEntry.Simulation(1, 10, 10)), OptionalLong.empty(), OptionalLong.empty(), List.of());
    TlcResult r = new TlcResult(new TlcOutcome.Ok(), OptionalLong.empty(), OptionalLong.of(5), OptionalLong.empty(),
        OptionalLong.empty(), OptionalLong.of(1), ActionCoverage.none(), Duration.ZERO, 0, Path.of("out"));
    assertTrue(ModelVerdict.judge(sim, 0, r).passed());
  }

  /** Vacuity: a model that passes with no initial state checked nothing. */
  @Test
  void aPassingModelWithNoInitialStateFails() {
    assertEquals(List.of("vacuous: the model has no initial state"),
        reasons(ModelVerdict.judge(bfs(new TlcOutcome.Ok(), 1000), 1,
            result(new TlcOutcome.Ok(), 1000, 0, coverage("Step")))));
  }

  /** Vacuity: an action of Next that a passing model never took, unless listed as off. */
  @Test
  void aPassingModelThatNeverTookAnActionFailsUnlessItIsListed() {
    ModelEntry nothingListed = bfs(new TlcOutcome.Ok(), 1000, new String[0]);
    assertEquals(List.of("action Off was never taken;"
            + " list it in unusedActions if the model leaves it off on purpose"),
        reasons(ModelVerdict.judge(nothingListed, 1, result(new TlcOutcome.Ok(), 1000))));
    assertTrue(ModelVerdict.judge(bfs(new TlcOutcome.Ok(), 1000, "Off"), 1, result(new TlcOutcome.Ok(), 1000)).passed());
  }

  /** A stale manifest: an action listed as off that the model did take, or that does not exist. */
  @Test
  void unusedActionsThatWereTakenOrDoNotExistFail() {
    assertEquals(List.of("unusedActions lists Step, but it was taken 1 times"),
        reasons(ModelVerdict.judge(bfs(new TlcOutcome.Ok(), 1000, "Off", "Step"), 1, result(new TlcOutcome.Ok(), 1000))));
    assertEquals(List.of("unusedActions lists Gone, which is no action in TLC's coverage"),
        reasons(ModelVerdict.judge(bfs(new TlcOutcome.Ok(), 1000, "Off", "Gone"), 1, result(new TlcOutcome.Ok(), 1000))));
  }

  /** A BFS run that printed no coverage cannot show what it checked. */
  @Test
  void aPassingBfsRunWithoutCoverageFails() {
    assertEquals(List.of("TLC printed no action coverage"),
        reasons(ModelVerdict.judge(bfs(new TlcOutcome.Ok(), 1000), 1,
            result(new TlcOutcome.Ok(), 1000, 1, ActionCoverage.none()))));
  }

  /** Models expected to violate an invariant stop early: their coverage is not judged. */
  @Test
  void failingModelsAreNotJudgedOnCoverage() {
    ModelEntry m = new ModelEntry("N", "", "N.cfg", "N", ModelEntry.Suite.DEFAULT, ModelEntry.Mode.BFS,
        new TlcOutcome.InvariantViolated("GuessLimit"), OptionalLong.of(10), false, Duration.ofMinutes(1),
        Optional.empty(), OptionalLong.empty(), OptionalLong.empty(), List.of());
    assertTrue(ModelVerdict.judge(m, 1,
        result(new TlcOutcome.InvariantViolated("GuessLimit"), 10, 1, coverage())).passed());
  }
}
