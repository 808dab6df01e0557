package dev.bkv.fleet;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Placement of a fleet's HSMs over datacenters (G2 durability). The fleet replicates with
 * majority quorums, so an acknowledged write survives the loss of any one datacenter only if
 * the HSMs outside every datacenter still form a majority:
 *
 * <pre>for every datacenter d:  N - (HSMs in d)  >=  floor(N / 2) + 1</pre>
 *
 * A fleet whose placement breaks this is refused, naming the datacenter whose loss would leave
 * fewer than a quorum.
 */
public final class Placement {
  private Placement() {}

  /** The placement check's result. */
  public sealed interface Result permits Valid, Violation {}

  /** Every datacenter can be lost with a quorum left. */
  public record Valid(int hsms, int quorum) implements Result {}

  /** Losing {@code datacenter} leaves {@code hsms - hsmsInDatacenter} HSMs, fewer than {@code quorum}. */
  public record Violation(String datacenter, int hsmsInDatacenter, int hsms, int quorum) implements Result {
    public String reason() {
      return "placement breaks G2: losing datacenter " + datacenter + " (" + hsmsInDatacenter + " of " + hsms
          + " HSMs) leaves " + (hsms - hsmsInDatacenter) + ", fewer than the quorum of " + quorum;
    }
  }

  /** Majority quorum: floor(N / 2) + 1. */
  public static int quorum(int hsms) {
    return hsms / 2 + 1;
  }

  /** Checks G2 for HSMs placed in {@code datacenterOfEachHsm} (one entry per HSM). */
  public static Result check(List<String> datacenterOfEachHsm) {
    int hsms = datacenterOfEachHsm.size();
    int quorum = quorum(hsms);
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (String datacenter : datacenterOfEachHsm) {
      counts.merge(datacenter, 1, Integer::sum);
    }
    for (Map.Entry<String, Integer> entry : counts.entrySet()) {
      // /\ \A d \in Datacenters : N - Cardinality({h \in HSMs : dc[h] = d}) >= Quorum
      if (hsms - entry.getValue() < quorum) {
        return new Violation(entry.getKey(), entry.getValue(), hsms, quorum);
      }
    }
    return new Valid(hsms, quorum);
  }

  /** The datacenter of HSM i (0-based) when {@code hsms} HSMs are dealt round-robin over {@code datacenters}. */
  public static List<String> roundRobin(int hsms, List<String> datacenters) {
    if (datacenters.isEmpty()) {
      throw new IllegalArgumentException("at least one datacenter is needed");
    }
    List<String> placed = new ArrayList<>(hsms);
    for (int i = 0; i < hsms; i++) {
      placed.add(datacenters.get(i % datacenters.size()));
    }
    return placed;
  }
}
