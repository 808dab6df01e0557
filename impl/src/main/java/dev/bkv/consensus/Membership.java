package dev.bkv.consensus;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A fleet's fixed membership: HSMs 0..n-1 and the datacenter of each. Quorums are strict
 * majorities; the placement rule (the spec's {@code PlacementValid}) is checked here, so a
 * fleet in which losing one datacenter would lose a majority cannot be created.
 * Membership never changes: a new membership is a new fleet.
 */
public final class Membership {
  public static final int MEMBERS_MAX = 64;

  private final List<String> datacenterOf;
  private final boolean nonMajorityQuorum;

  private Membership(List<String> datacenterOf, boolean nonMajorityQuorum) {
    this.datacenterOf = List.copyOf(datacenterOf);
    this.nonMajorityQuorum = nonMajorityQuorum;
  }

  /** A membership in production; refused when it breaks the placement rule. */
  public static Membership of(List<String> datacenterOfEachHsm) {
    return of(datacenterOfEachHsm, CoreOptions.PRODUCTION);
  }

  public static Membership of(List<String> datacenterOfEachHsm, CoreOptions options) {
    if (datacenterOfEachHsm.size() < 3 || datacenterOfEachHsm.size() > MEMBERS_MAX) {
      throw new IllegalArgumentException("a fleet has 3.." + MEMBERS_MAX + " HSMs, not " + datacenterOfEachHsm.size());
    }
    Membership membership = new Membership(datacenterOfEachHsm, options.has(CoreBug.NON_MAJORITY_QUORUM));
    if (!options.has(CoreBug.PLACEMENT_MAJORITY_IN_ONE_DC)) {
      // PlacementValid(P) == \A dc \in P : IsMajority(Server \ dc)
      for (Map.Entry<String, Integer> dc : membership.hsmsPerDatacenter().entrySet()) {
        int left = membership.size() - dc.getValue();
        if (2 * left <= membership.size()) {
          throw new IllegalArgumentException("placement: datacenter " + dc.getKey() + " holds " + dc.getValue() + " of "
              + membership.size() + " HSMs; losing it would lose a majority");
        }
      }
    }
    return membership;
  }

  public int size() {
    return datacenterOf.size();
  }

  public String datacenterOf(int hsm) {
    return datacenterOf.get(hsm);
  }

  public List<String> datacenters() {
    return new ArrayList<>(hsmsPerDatacenter().keySet());
  }

  /** The HSMs of one datacenter. */
  public List<Integer> hsmsIn(String datacenter) {
    List<Integer> hsms = new ArrayList<>();
    for (int i = 0; i < size(); i++) {
      if (datacenterOf.get(i).equals(datacenter)) {
        hsms.add(i);
      }
    }
    return Collections.unmodifiableList(hsms);
  }

  public Map<String, Integer> hsmsPerDatacenter() {
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (String dc : datacenterOf) {
      counts.merge(dc, 1, Integer::sum);
    }
    return counts;
  }

  /** {@code IsMajority}: the real majority, whatever quorum the core uses. */
  public boolean isMajority(int count) {
    return 2 * count > size();
  }

  /** {@code IsQuorum}: a strict majority (a seeded bug lowers it to n/2). */
  public boolean isQuorum(int count) {
    return nonMajorityQuorum ? 2 * count >= size() - 1 : 2 * count > size();
  }

  public boolean isMember(int hsm) {
    return hsm >= 0 && hsm < size();
  }
}
