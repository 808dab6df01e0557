package dev.bkv.modelcheck;

import java.util.ArrayList;
import java.util.List;

/** Whether a run matched its manifest entry, and if not, every reason why. */
public sealed interface ModelVerdict permits ModelVerdict.Pass, ModelVerdict.Fail {

  record Pass() implements ModelVerdict {}

  record Fail(List<String> reasons) implements ModelVerdict {
    public Fail {
      reasons = List.copyOf(reasons);
    }
  }

  default boolean passed() {
    return this instanceof Pass;
  }

  /**
   * Compares a run with its entry: the outcome must be the expected one, and a BFS model's
   * distinct-state count must be within {@code tolerancePercent} of the recorded count,
   * either way. Fewer states means the model silently checks less; more means the spec
   * changed and the manifest is stale.
   */
  static ModelVerdict judge(ModelEntry model, int tolerancePercent, TlcResult result) {
    List<String> reasons = new ArrayList<>();
    if (!model.expected().equals(result.outcome())) {
      reasons.add("expected " + model.expected().describe() + ", TLC reported " + result.outcome().describe());
    }
    if (model.mode() == ModelEntry.Mode.BFS && !(result.outcome() instanceof TlcOutcome.Failed)) {
      long expected = model.distinctStates().getAsLong();
      if (result.distinctStates().isEmpty()) {
        reasons.add("TLC printed no distinct-state count");
      } else {
        long actual = result.distinctStates().getAsLong();
        long allowed = allowedDeviation(expected, tolerancePercent);
        if (actual < expected - allowed) {
          reasons.add(String.format("distinct states dropped from %,d to %,d (tolerance %d%%)", expected, actual, tolerancePercent));
        } else if (actual > expected + allowed) {
          reasons.add(String.format("distinct states grew from %,d to %,d (tolerance %d%%): update the manifest",
              expected, actual, tolerancePercent));
        }
      }
    }
    return reasons.isEmpty() ? new Pass() : new Fail(reasons);
  }

  /** {@code percent} of {@code expected}, rounded up. */
  static long allowedDeviation(long expected, int percent) {
    return (expected * percent + 99) / 100;
  }
}
