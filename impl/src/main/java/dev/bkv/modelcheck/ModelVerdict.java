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
   * changed and the manifest is stale. A model expected to pass must also not be vacuous
   * (see {@link #judgeVacuity}).
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
    if (model.expectsSuccess() && result.outcome() instanceof TlcOutcome.Ok) {
      judgeVacuity(model, result, reasons);
    }
    return reasons.isEmpty() ? new Pass() : new Fail(reasons);
  }

  /**
   * A model that passes must have checked something: an initial state, and every action of
   * {@code Next} taken at least once (TLC's action coverage), except the actions its manifest
   * entry lists as switched off; a listed action that was taken means the entry is stale.
   */
  private static void judgeVacuity(ModelEntry model, TlcResult result, List<String> reasons) {
    if (result.initialStates().isPresent() && result.initialStates().getAsLong() == 0) {
      reasons.add("vacuous: the model has no initial state");
    }
    ActionCoverage coverage = result.coverage();
    if (coverage.isEmpty()) {
      if (model.mode() == ModelEntry.Mode.BFS) {
        reasons.add("TLC printed no action coverage");
      }
      return;
    }
    for (var action : coverage.actions().entrySet()) {
      boolean listed = model.unusedActions().contains(action.getKey());
      long taken = action.getValue().total();
      if (taken == 0 && !listed) {
        reasons.add("action " + action.getKey() + " was never taken;"
            + " list it in unusedActions if the model leaves it off on purpose");
      } else if (taken > 0 && listed) {
        reasons.add(String.format("unusedActions lists %s, but it was taken %,d times", action.getKey(), taken));
      }
    }
    for (String listed : model.unusedActions()) {
      if (!coverage.actions().containsKey(listed)) {
        reasons.add("unusedActions lists " + listed + ", which is no action in TLC's coverage");
      }
    }
  }

  /** {@code percent} of {@code expected}, rounded up. */
  static long allowedDeviation(long expected, int percent) {
    return (expected * percent + 99) / 100;
  }
}
