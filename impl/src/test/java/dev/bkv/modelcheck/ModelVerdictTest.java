package dev.bkv.modelcheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** A run passes only with the expected outcome and a state count within the tolerance. */
class ModelVerdictTest {
  private static ModelEntry bfs(TlcOutcome expected, long states) {
    return new ModelEntry("M", "", "M.cfg", "M", ModelEntry.Suite.DEFAULT, ModelEntry.Mode.BFS, expected,
        OptionalLong.of(states), false, Duration.ofMinutes(1), Optional.empty(), OptionalLong.empty(),
        OptionalLong.empty());
  }

  private static TlcResult result(TlcOutcome outcome, long states) {
    return new TlcResult(outcome, OptionalLong.of(states), OptionalLong.empty(), OptionalLong.empty(),
        OptionalLong.empty(), Duration.ZERO, 0, Path.of("out"));
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
        Optional.of(new ModelEntry.Simulation(1, 10, 10)), OptionalLong.empty(), OptionalLong.empty());
    TlcResult r = new TlcResult(new TlcOutcome.Ok(), OptionalLong.empty(), OptionalLong.of(5), OptionalLong.empty(),
        OptionalLong.empty(), Duration.ZERO, 0, Path.of("out"));
    assertTrue(ModelVerdict.judge(sim, 0, r).passed());
  }
}
