package dev.bkv.consensus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The membership's rules (size, PlacementValid, IsQuorum) and the value types' ranges: each
 * limit at its bound and one past it.
 */
class MembershipAndValuesTest {
  private static List<String> dcs(String... names) {
    return List.of(names);
  }

  @Test
  void aFleetHasThreeToSixtyFourHsms() {
    IllegalArgumentException two = assertThrows(IllegalArgumentException.class, () -> Membership.of(dcs("a", "b")));
    assertEquals("a fleet has 3..64 HSMs, not 2", two.getMessage());
    assertEquals(3, Membership.of(dcs("a", "b", "c")).size());
    List<String> most = new ArrayList<>();
    for (int i = 0; i < Membership.MEMBERS_MAX; i++) {
      most.add("dc" + i % 3);
    }
    assertEquals(64, Membership.of(most).size());
    most.add("dc0");
    assertThrows(IllegalArgumentException.class, () -> Membership.of(most));
  }

  @Test
  void noDatacenterMayHoldHalfTheFleetOrMore() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Membership.of(dcs("a", "a", "b")));
    assertEquals("placement: datacenter a holds 2 of 3 HSMs; losing it would lose a majority", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Membership.of(dcs("a", "b", "a", "c")), "2 of 4 is half");
    assertThrows(IllegalArgumentException.class, () -> Membership.of(dcs("c", "a", "b", "b")), "the second datacenter too");
    Membership five = Membership.of(dcs("a", "a", "b", "b", "c"));
    assertEquals(Map.of("a", 2, "b", 2, "c", 1), five.hsmsPerDatacenter());
    assertEquals(3, Membership.of(dcs("a", "a", "a"), SeededCoreBugs.with("PLACEMENT_MAJORITY_IN_ONE_DC")).size(),
        "the seeded bug skips the rule");
  }

  @Test
  void datacentersAreListedInOrderOfFirstMember() {
    Membership m = Membership.of(dcs("b", "a", "c", "a", "b"));
    assertEquals(List.of("b", "a", "c"), m.datacenters());
    assertEquals(List.of(1, 3), m.hsmsIn("a"));
    assertEquals(List.of(), m.hsmsIn("z"));
    assertEquals("c", m.datacenterOf(2));
    assertThrows(UnsupportedOperationException.class, () -> m.hsmsIn("a").add(0));
    assertEquals(List.of(false, true, true, false), List.of(m.isMember(-1), m.isMember(0), m.isMember(4), m.isMember(5)));
  }

  @Test
  void aQuorumIsAStrictMajorityUnlessTheSeededBugLowersIt() {
    for (int n = 3; n <= 7; n++) {
      List<String> placed = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        placed.add("dc" + i);
      }
      Membership m = Membership.of(placed);
      for (int count = 0; count <= n; count++) {
        assertEquals(2 * count > n, m.isQuorum(count), n + " HSMs, " + count);
        assertEquals(2 * count > n, m.isMajority(count), n + " HSMs, " + count);
      }
    }
    Membership low = Membership.of(dcs("a", "b", "c", "d", "e"), SeededCoreBugs.with("NON_MAJORITY_QUORUM"));
    assertEquals(List.of(false, true, true), List.of(low.isQuorum(1), low.isQuorum(2), low.isQuorum(3)));
    assertFalse(low.isMajority(2), "the real majority stays");
  }

  @Test
  void logHeadsAreOrderedTermFirstThenIndex() {
    LogHead h = new LogHead(2, 5);
    assertTrue(h.atLeastAsUpToDateAs(new LogHead(1, 9)));
    assertTrue(h.atLeastAsUpToDateAs(new LogHead(2, 5)));
    assertTrue(h.atLeastAsUpToDateAs(new LogHead(2, 4)));
    assertFalse(h.atLeastAsUpToDateAs(new LogHead(2, 6)));
    assertFalse(h.atLeastAsUpToDateAs(new LogHead(3, 1)));
    assertEquals("<<2, 5>>", h.toString());
    new LogHead(0, 1);
    assertThrows(IllegalArgumentException.class, () -> new LogHead(1, 0));
    assertThrows(IllegalArgumentException.class, () -> new LogHead(-1, 1));
    assertThrows(IllegalArgumentException.class, () -> new LogHead(0, -1));
  }

  @Test
  void nvramFieldsAreInRange() {
    new Nvram(0, Nvram.NO_VOTE, LogHead.EMPTY, 0);
    assertThrows(IllegalArgumentException.class, () -> new Nvram(-1, 0, LogHead.EMPTY, 0));
    assertThrows(IllegalArgumentException.class, () -> new Nvram(0, -2, LogHead.EMPTY, 0));
    assertThrows(IllegalArgumentException.class, () -> new Nvram(0, 0, LogHead.EMPTY, -1));
    assertThrows(IllegalArgumentException.class, () -> new Nvram(0, 0, null, 0));
  }

  @Test
  void anEntryHasATermAndABoundedPayloadItDoesNotShare() {
    assertThrows(IllegalArgumentException.class, () -> new Entry(0, new byte[0]));
    assertThrows(IllegalArgumentException.class, () -> new Entry(1, null));
    assertThrows(IllegalArgumentException.class, () -> new Entry(1, new byte[Entry.PAYLOAD_BYTES_MAX + 1]));
    assertEquals(Entry.PAYLOAD_BYTES_MAX, new Entry(1, new byte[Entry.PAYLOAD_BYTES_MAX]).payloadBytes());
    byte[] payload = {1, 2, 3};
    Entry e = new Entry(4, payload);
    payload[0] = 9;
    e.payload()[1] = 9;
    assertArrayEquals(new byte[] {1, 2, 3}, e.payload());
    assertEquals(new Entry(4, new byte[] {1, 2, 3}), e);
    assertEquals(new Entry(4, new byte[] {1, 2, 3}).hashCode(), e.hashCode());
    assertNotEquals(new Entry(5, new byte[] {1, 2, 3}), e);
    assertNotEquals(new Entry(4, new byte[] {1, 2}), e);
    assertFalse(e.sameAs(new Entry(4, new byte[] {1, 2, 4})));
    assertNotEquals(e, (Object) "Entry");
    assertNotEquals(new Entry(4, new byte[] {1, 2, 3}).hashCode(), new Entry(5, new byte[] {1, 2, 3}).hashCode());
    assertEquals("Entry[term=4, 3 bytes]", e.toString());
  }

  @Test
  void aSnapshotEndsAtAnEntryAndItsStateIsBounded() {
    assertThrows(IllegalArgumentException.class, () -> new Snapshot(0, 1, new byte[0]));
    assertThrows(IllegalArgumentException.class, () -> new Snapshot(1, 0, new byte[0]));
    assertThrows(IllegalArgumentException.class, () -> new Snapshot(1, 1, null));
    Snapshot s = new Snapshot(3, 2, new byte[4]);
    assertEquals(new LogHead(2, 3), s.head());
    assertEquals("Snapshot[<<2, 3>>, 4 bytes]", s.toString());
    assertEquals(Snapshot.STATE_BYTES_MAX, new Snapshot(1, 1, new byte[Snapshot.STATE_BYTES_MAX]).state().length);
    IllegalArgumentException tooLarge = assertThrows(IllegalArgumentException.class,
        () -> new Snapshot(1, 1, new byte[Snapshot.STATE_BYTES_MAX + 1]));
    assertEquals("snapshot state must be 0.." + Snapshot.STATE_BYTES_MAX + " bytes", tooLarge.getMessage());
  }

  @Test
  void aRecoveredLogAndAnAppendKeepTheirOwnCopyOfTheEntries() {
    List<Entry> entries = new ArrayList<>(List.of(new Entry(1, new byte[0])));
    RecoveredLog recovered = new RecoveredLog(Optional.empty(), entries);
    LogWrite.Append append = new LogWrite.Append(0, entries);
    entries.add(new Entry(1, new byte[0]));
    assertEquals(1, recovered.entries().size());
    assertEquals(1, append.entries().size());
    assertEquals(ReplicaLog.ENTRIES_MAX,
        new RecoveredLog(Optional.empty(), Collections.nCopies(ReplicaLog.ENTRIES_MAX, new Entry(1, new byte[0])))
            .entries().size());
  }

  @Test
  void onlyTheTestTreeBuildsOptionsWithASeededBug() {
    assertTrue(CoreOptions.PRODUCTION.isProduction());
    assertEquals("production", CoreOptions.PRODUCTION.toString());
    CoreOptions bug = SeededCoreBugs.with("VOTE_NOT_IN_NVRAM");
    assertFalse(bug.isProduction());
    assertTrue(bug.has(CoreBug.VOTE_NOT_IN_NVRAM));
    assertFalse(bug.has(CoreBug.COMMIT_EARLIER_TERM));
    assertEquals("seeded bugs [VOTE_NOT_IN_NVRAM]", bug.toString());
    assertEquals(CoreBug.values().length, SeededCoreBugs.names().size());
    CoreOptions none = new CoreOptions(Set.of());
    assertTrue(none.isProduction(), "an empty set of any kind is production");
    assertFalse(none.has(CoreBug.VOTE_NOT_IN_NVRAM));
  }

  @Test
  void anOutputSaysWhatItHolds() {
    Output empty = new Output();
    assertEquals("Output[nvram=null, logWrite=null, messages=0, committed=0, appended=null, refusal=null,"
        + " leadershipLost=false, dropped=null, action=null]", empty.toString());
    assertTrue(empty.received().isEmpty());
    Output handled = new Output(SpecAction.HANDLE_VOTE, new Message.Vote(1, 0, 1));
    handled.logWrite = new LogWrite.Compact(new Snapshot(1, 1, new byte[0]));
    assertEquals(new Message.Vote(1, 0, 1), handled.received().orElseThrow());
    assertTrue(handled.toString().contains("logWrite=Compact"), handled.toString());
    assertTrue(handled.toString().endsWith("action=HANDLE_VOTE]"), handled.toString());
  }
}
