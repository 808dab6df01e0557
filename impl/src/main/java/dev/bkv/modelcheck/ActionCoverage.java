package dev.bkv.modelcheck;

import dev.bkv.base.Check;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * TLC's action coverage of one run: for each action of {@code Next}, the distinct states it
 * led to and how often it was taken. It shows that a model that passed did exercise what it
 * claims to: an action never taken is a part of the spec the model never checked.
 */
public record ActionCoverage(Map<String, Taken> actions) {
  /** Most actions kept per run (a spec with more is refused rather than truncated). */
  public static final int ACTIONS_MAX = 256;

  /** One action's figures: distinct successor states and successor states in total. */
  public record Taken(long distinct, long total) {
    public Taken {
      Check.that(distinct >= 0 && total >= distinct, "coverage counts are ordered");
    }

    Taken plus(Taken other) {
      return new Taken(distinct + other.distinct, total + other.total);
    }
  }

  public ActionCoverage {
    Check.that(actions.size() <= ACTIONS_MAX, "coverage within ACTIONS_MAX actions");
    actions = Collections.unmodifiableMap(new LinkedHashMap<>(actions));
  }

  public static ActionCoverage none() {
    return new ActionCoverage(Map.of());
  }

  public boolean isEmpty() {
    return actions.isEmpty();
  }

  /** One line, {@code Timeout 3/241, ReceiveVote 3/10, ...}: distinct/total per action. */
  public String describe() {
    return actions.entrySet().stream()
        .map(e -> e.getKey() + " " + e.getValue().distinct() + "/" + e.getValue().total())
        .collect(Collectors.joining(", "));
  }

  /** Accumulates one coverage block; an action printed twice (used in two places) is summed. */
  static final class Builder {
    private final Map<String, Taken> actions = new LinkedHashMap<>();

    boolean add(String action, Taken taken) {
      if (!actions.containsKey(action) && actions.size() == ACTIONS_MAX) {
        return false;
      }
      actions.merge(action, taken, Taken::plus);
      return true;
    }

    ActionCoverage build() {
      return new ActionCoverage(actions);
    }
  }
}
