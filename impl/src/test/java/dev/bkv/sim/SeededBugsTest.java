package dev.bkv.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.bkv.firmware.FirmwareOptions;
import dev.bkv.firmware.SeededBug;
import dev.bkv.storage.StorageBugs;
import dev.bkv.sim.Schedule.Kind;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every seeded bug is caught: generated schedules (fixed seeds, so the run is reproducible)
 * are run with the bug switched on until the checker reports a violation, at most
 * {@link #SCHEDULES_PER_BUG_MAX} per bug. Prints a table: bug, schedules needed, invariant,
 * seed and schedule.
 */
class SeededBugsTest {
  static final int SCHEDULES_PER_BUG_MAX = 300;
  static final long QT_SEED = 7_777L;

  /** Where the generator leans for each bug (default otherwise). */
  static SimGen.Profile profile(SeededBug bug) {
    SimGen.Profile p = SimGen.DEFAULT.named(bug.name());
    switch (bug) {
      case NO_ROLLBACK_DETECTION:
        return p.with(Kind.ROLLBACK, 30).with(Kind.BIT_FLIP, 10).with(Kind.REGISTER, 20);
      case PLACEMENT_MAJORITY_IN_ONE_DC:
        return p.majorityInOneDatacenter().with(Kind.LOSE_DC, 20).with(Kind.PARTITION, 10)
            .with(Kind.REGISTER, 20).with(Kind.ROLLBACK, 0).with(Kind.TORN, 0).with(Kind.LOST_FSYNC, 0)
            .with(Kind.BIT_FLIP, 0);
      case SNAPSHOT_DROPS_COUNTERS:
        // One user, snapshots after every entry or two, an attacker, and leaders that crash
        // and come back from their snapshot.
        return quiet(p).users(1).snapshots(1, 2).with(Kind.REGISTER, 10).with(Kind.ATTACK, 40)
            .with(Kind.CRASH, 30).with(Kind.ISOLATE_LEADER, 10).with(Kind.HEAL, 10);
      case RELEASE_BEFORE_COMMIT:
      case RELEASE_ON_PREVIOUS_COMMIT:
        return p.with(Kind.ATTACK, 20).with(Kind.ISOLATE_LEADER, 15).with(Kind.CRASH, 10);
      case VOTE_NOT_IN_NVRAM:
        // Many short crashes early (elections keep restarting, voters come back within a
        // few ticks), slightly slow messages: a voter that forgot its vote votes again.
        return quiet(p).length(100, 30, 60).with(Kind.CRASH, 50).with(Kind.DELAY, 10).arguments(6);
      case STALE_VOTES_COUNTED:
        return p.with(Kind.CRASH, 25).with(Kind.DELAY, 8).with(Kind.REPLAY, 10);
      case COMMIT_EARLIER_TERM:
        // Raft's Figure 8: leaders cut off with entries only they hold, one entry per message.
        return quiet(p).batches(1).length(400, 40, 100).with(Kind.CRASH, 30).with(Kind.ISOLATE_LEADER, 30)
            .with(Kind.HEAL, 20).with(Kind.REGISTER, 15).with(Kind.LOGIN, 20).with(Kind.ATTACK, 10)
            .arguments(60);
      case TAMPERED_MESSAGE_ACCEPTED:
        return p.with(Kind.TAMPER, 25);
      default:
        return p.with(Kind.CRASH, 10).with(Kind.ISOLATE_LEADER, 10).with(Kind.PARTITION, 8).with(Kind.REPLAY, 8);
    }
  }

  /** No host fault but what a profile adds back. */
  private static SimGen.Profile quiet(SimGen.Profile p) {
    for (Kind k : Kind.values()) {
      p = p.with(k, 0);
    }
    return p;
  }

  /** A seeded bug: of the firmware (its options), or of the storage (how each HSM's disk is built). */
  private record Bug(String name, FirmwareOptions options, SimDisk.Factory disks, SimGen.Profile profile, int hsms) {}

  private record Caught(String bug, int schedules, String invariant, long seed, String schedule) {}

  /** The storage's seeded bug: a torn record is read as if intact, on the real sealed log. */
  static final String TORN_WRITE_UNDETECTED = "TORN_WRITE_UNDETECTED";

  private static List<Bug> bugs() {
    List<Bug> bugs = new ArrayList<>();
    for (SeededBug bug : SeededBug.values()) {
      int hsms = bug == SeededBug.NON_MAJORITY_QUORUM || bug == SeededBug.COMMIT_EARLIER_TERM ? 5
          : bug == SeededBug.VOTE_NOT_IN_NVRAM || bug == SeededBug.SNAPSHOT_DROPS_COUNTERS ? 3
          : 3 + 2 * (bug.ordinal() % 3);
      bugs.add(new Bug(bug.name(), bug.options(), SimDisk.versioned(), profile(bug), hsms));
    }
    SimDisk.Factory tornUndetected = (hsm, seed) -> new SealedDisk(hsm, seed, StorageBugs::openWithTornWriteUndetected);
    bugs.add(new Bug(TORN_WRITE_UNDETECTED, FirmwareOptions.PRODUCTION, tornUndetected,
        SimGen.DEFAULT.named(TORN_WRITE_UNDETECTED).with(Kind.TORN, 40).with(Kind.REGISTER, 20).with(Kind.LOGIN, 20),
        3));
    return bugs;
  }

  @Test
  void everySeededBugIsCaught() {
    List<Caught> table = new ArrayList<>();
    List<String> missed = new ArrayList<>();
    for (Bug bug : bugs()) {
      Caught caught = hunt(bug);
      if (caught == null) {
        missed.add(bug.name());
      } else {
        table.add(caught);
      }
    }
    StringBuilder s = new StringBuilder(String.format("%-28s %9s  %-24s %s%n", "bug", "schedules", "invariant",
        "seed"));
    for (Caught c : table) {
      s.append(String.format("%-28s %9d  %-24s %d%n", c.bug(), c.schedules(), c.invariant(), c.seed()));
    }
    System.out.print(s);
    for (Caught c : table) {
      System.out.println("  " + c.bug() + ": " + c.schedule());
    }
    assertTrue(missed.isEmpty(), "not caught in " + SCHEDULES_PER_BUG_MAX + " schedules each: " + missed + "\n" + s);
  }

  /** Runs schedules with the bug on; the first violation is returned (no shrinking here). */
  private static Caught hunt(Bug bug) {
    Caught[] first = new Caught[1];
    int[] count = new int[1];
    qt().withExamples(SCHEDULES_PER_BUG_MAX).withFixedSeed(QT_SEED + bug.name().hashCode()).withShrinkCycles(0)
          .withGenerateAttempts(SCHEDULES_PER_BUG_MAX * 10)
          .forAll(longs().all(), SimGen.schedules(bug.hsms(), bug.profile()))
          .checkAssert((seed, schedule) -> {
            if (first[0] != null) {
              return;
            }
            count[0]++;
            SimResult result = Simulator.run(schedule, seed, bug.options(), bug.disks());
            if (!result.ok()) {
              first[0] = new Caught(bug.name(), count[0], result.violation().get().invariant(), seed, schedule.toString());
            }
          });
    return first[0];
  }

  @Test
  void productionRefusesAMajorityInOneDatacenter() {
    Schedule majority = new Schedule(5, List.of(0, 0, 0, 1, 2), 8, 256, 1, List.of());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Simulator.run(majority, 1));
    assertTrue(e.getMessage().startsWith("placement: datacenter dc0 holds 3 of 5 HSMs"), e.getMessage());
    assertEquals(true, Simulator.run(majority, 1, SeededBug.PLACEMENT_MAJORITY_IN_ONE_DC.options()).ok());
  }
}
