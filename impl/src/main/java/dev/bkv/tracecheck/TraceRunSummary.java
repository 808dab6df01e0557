package dev.bkv.tracecheck;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The figures of one {@code bkv check --traces} run: per fleet size, the traces simulated
 * and checked and the events per spec action of the accepted ones; the traces not accepted;
 * what the simulator's own checker found. Printed as a table and, on request, as a page.
 */
public record TraceRunSummary(List<Fleet> fleets, Set<String> specBugs, List<String> notAccepted,
    List<String> simulatorViolations) {

  /** One fleet size's traces, summed over its batches. */
  public record Fleet(int hsms, int traces, long events, int eventsMin, int eventsMax, int accepted, int rejected,
      Duration tlc, Map<String, Long> coverage) {
    public Fleet {
      coverage = Map.copyOf(coverage);
    }

    public long taken(String action) {
      return coverage.getOrDefault(action, 0L);
    }
  }

  public TraceRunSummary {
    fleets = List.copyOf(fleets);
    specBugs = Set.copyOf(specBugs);
    notAccepted = List.copyOf(notAccepted);
    simulatorViolations = List.copyOf(simulatorViolations);
  }

  public int traces() {
    return fleets.stream().mapToInt(Fleet::traces).sum();
  }

  public int accepted() {
    return fleets.stream().mapToInt(Fleet::accepted).sum();
  }

  /** Events of accepted traces, over every fleet size, that took {@code action}. */
  public long taken(String action) {
    return fleets.stream().mapToLong(f -> f.taken(action)).sum();
  }

  /** The spec's actions no accepted trace took, in the spec's order. */
  public List<String> untaken() {
    return TraceCoverage.SPEC_ACTIONS.stream().filter(a -> taken(a) == 0).toList();
  }

  /** Every trace accepted and the simulator's checker silent: the run's exit code is 0. */
  public boolean passed() {
    return simulatorViolations.isEmpty() && fleets.stream().allMatch(f -> f.rejected() == 0);
  }
}
