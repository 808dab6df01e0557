package dev.bkv.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * G2 placement: the rule agrees with a literal reading of "the loss of any one datacenter
 * leaves a majority" on every placement of up to 9 HSMs over up to 4 datacenters.
 */
class PlacementTest {
  /** The oracle: remove each datacenter in turn and count what is left against a majority of all. */
  private static boolean survivesAnyDatacenterLoss(List<String> placed) {
    for (String lost : placed) {
      int left = 0;
      for (String dc : placed) {
        if (!dc.equals(lost)) {
          left++;
        }
      }
      if (2 * left <= placed.size()) {
        return false;
      }
    }
    return true;
  }

  @Test
  void the_rule_agrees_with_the_oracle_on_every_small_placement() {
    int checked = 0;
    for (int hsms = 1; hsms <= 9; hsms++) {
      int placements = (int) Math.pow(4, hsms);
      for (int code = 0; code < placements; code++) {
        List<String> placed = new ArrayList<>();
        for (int i = 0, c = code; i < hsms; i++, c /= 4) {
          placed.add("dc-" + (c % 4));
        }
        Placement.Result result = Placement.check(placed);
        assertEquals(survivesAnyDatacenterLoss(placed), result instanceof Placement.Valid, placed.toString());
        if (result instanceof Placement.Violation v) {
          Map<String, Integer> counts = new HashMap<>();
          placed.forEach(dc -> counts.merge(dc, 1, Integer::sum));
          assertEquals(counts.get(v.datacenter()), v.hsmsInDatacenter(), "the violation names a datacenter that breaks it");
          assertTrue(hsms - v.hsmsInDatacenter() < Placement.quorum(hsms));
        }
        checked++;
      }
    }
    assertEquals(349524, checked);
  }

  @Test
  void quorum_is_a_strict_majority() {
    for (int n = 1; n <= 64; n++) {
      int q = Placement.quorum(n);
      assertTrue(2 * q > n && 2 * (q - 1) <= n, "n = " + n);
    }
  }

  @Test
  void round_robin_deals_in_order_and_reasons_name_the_datacenter() {
    assertEquals(List.of("a", "b", "c", "a", "b"), Placement.roundRobin(5, List.of("a", "b", "c")));
    Placement.Violation v = assertInstanceOf(Placement.Violation.class, Placement.check(Placement.roundRobin(4, List.of("a", "b"))));
    assertEquals("a", v.datacenter());
    assertTrue(v.reason().contains("losing datacenter a (2 of 4 HSMs) leaves 2, fewer than the quorum of 3"), v.reason());
    assertInstanceOf(Placement.Valid.class, Placement.check(Placement.roundRobin(5, List.of("a", "b", "c"))));
  }
}
