package dev.bkv.tracecheck;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How often each action occurs in the accepted traces of a batch (counted from the traces
 * themselves), and which of the spec's actions none of them took: a batch that never
 * restarts an HSM says nothing about Restart.
 */
public record TraceCoverage(Map<String, Long> counts, List<String> untaken) {

  /** The actions of TraceQuorumVault's events (spec/FORMATS.md, "Trace events"). */
  public static final List<String> SPEC_ACTIONS = List.of("Timeout", "HandleRequestVote", "HandleVote",
      "HandleAppendEntries", "HandleAppendAck", "PersistHead", "SendAppendEntries", "LeaderNoop",
      "ClientRegisterStore", "ClientGuess", "ClientRegisterExpose", "ClientRecover", "ClientGuessFailed",
      "Restart", "LoseDatacenter");

  public TraceCoverage {
    counts = Map.copyOf(counts);
    untaken = List.copyOf(untaken);
  }

  static TraceCoverage of(List<RenderedTrace> traces, List<TraceVerdict> verdicts) {
    Map<String, Long> counts = new TreeMap<>();
    for (int i = 0; i < traces.size(); i++) {
      if (verdicts.get(i).accepted()) {
        for (String action : traces.get(i).actions()) {
          counts.merge(action, 1L, Long::sum);
        }
      }
    }
    return new TraceCoverage(counts, SPEC_ACTIONS.stream().filter(a -> !counts.containsKey(a)).toList());
  }

  public long count(String action) {
    return counts.getOrDefault(action, 0L);
  }
}
