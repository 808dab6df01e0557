package dev.bkv.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.consensus.Entry;
import dev.bkv.consensus.LogWrite;
import dev.bkv.consensus.Snapshot;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Schedules read back from their text, bad text is refused in one line, runs repeat, disks keep versions. */
class ScheduleAndDiskTest {
  private static final String TEXT = "hsms=5 dcs=0,1,2,0,1 snap=8 batch=1 users=2 | 3:REGISTER:0:0 10:CRASH:2:30 "
      + "40:LOGIN:0:1 60:ATTACK:1:3 70:ROLLBACK:1:2 90:PARTITION:3:0 120:HEAL:0:0 150:REPLAY_LOGIN:0:4";

  @Test
  void textFormReadsBackExactly() {
    Schedule s = Schedule.parse(TEXT);
    assertEquals(TEXT, s.toString());
    assertEquals(s, Schedule.parse(s.toString()));
    assertEquals(151, s.faultsEnd());
  }

  @Test
  void badTextIsRefusedWithOneLineNamingWhatIsWrong() {
    assertMessage("schedule event '3:JUMP:0:0': unknown kind JUMP", TEXT.replace("REGISTER", "JUMP"));
    assertMessage("schedule: tick 'x' is not a number", TEXT.replace("3:REGISTER", "x:REGISTER"));
    assertMessage("hsms must be 3..7, not 9", TEXT.replace("hsms=5", "hsms=9"));
    assertMessage("placement names 5 datacenters for 3 HSMs", TEXT.replace("hsms=5", "hsms=3"));
    assertMessage("schedule header: expected hsms, dcs, snap, batch, users, got: ", TEXT.replace("batch=1 ", ""));
    assertMessage("event tick 5000 not in 0..4999", TEXT.replace("150:", "5000:"));
  }

  private static void assertMessage(String expected, String text) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Schedule.parse(text));
    assertTrue(e.getMessage().startsWith(expected), e.getMessage());
    assertTrue(!e.getMessage().contains("\n"), "one line");
  }

  @Test
  void oneSeedOneRun() {
    Schedule s = Schedule.parse(TEXT);
    SimResult first = Simulator.run(s, 42);
    SimResult again = Simulator.run(Schedule.parse(s.toString()), 42);
    assertEquals(first, again);
    assertTrue(first.ok(), first.toString());
    assertTrue(first.committed() > 0 && first.released() > 0, "the run did work: " + first);
  }

  @Test
  void diskKeepsEveryVersionAndLosesOnlyUnsyncedWrites() {
    VersionedDisk disk = new VersionedDisk();
    disk.write(new LogWrite.Append(0, List.of(entry(1, 1), entry(1, 2))), true);
    disk.write(new LogWrite.Append(2, List.of(entry(1, 3))), false);
    assertEquals(3, disk.read().entries().size());
    disk.crash();
    assertEquals(2, disk.read().entries().size(), "the unsynced write is lost");
    disk.write(new LogWrite.Append(1, List.of(entry(2, 4))), true);
    assertEquals(List.of(entry(1, 1), entry(2, 4)), disk.read().entries());
    disk.write(new LogWrite.Compact(new Snapshot(1, 1, new byte[] {7})), true);
    assertEquals(1, disk.read().snapshot().orElseThrow().lastIndex());
    assertEquals(List.of(entry(2, 4)), disk.read().entries());
    int versions = disk.versions();
    disk.handBack(1);
    assertEquals(2, disk.read().entries().size(), "a rollback hands back an older version");
    disk.handBack(versions - 1);
    disk.damage(2);
    assertEquals(List.of(), disk.read().entries(), "damage at index 2 keeps the log before it");
    disk.damage(1);
    assertTrue(disk.read().snapshot().isEmpty(), "damage in the snapshot loses the whole log");
  }

  @Test
  void sealedDiskIsTheRealStorageWithItsFaultsInBytes() {
    SimDisk disk = SealedDisk.production().create(0, 42);
    disk.write(new LogWrite.Append(0, List.of(entry(1, 1), entry(1, 2))), true);
    disk.write(new LogWrite.Append(2, List.of(entry(1, 3))), false);
    disk.crash();
    assertEquals(List.of(entry(1, 1), entry(1, 2)), disk.read().entries(), "a lost fsync loses the write");
    for (long choice = 1; choice < 40; choice += 2) {
      SimDisk torn = SealedDisk.production().create(0, 42);
      torn.write(new LogWrite.Append(0, List.of(entry(1, 1))), true);
      torn.writeTorn(new LogWrite.Append(1, List.of(entry(1, 2), entry(1, 3))), choice);
      assertEquals(List.of(entry(1, 1)), torn.read().entries(), "a torn record is dropped whole, choice " + choice);
    }
    disk.write(new LogWrite.Append(2, List.of(entry(2, 4))), true);
    disk.handBack(1);
    assertEquals(2, disk.read().entries().size(), "a rollback hands back an earlier copy of the files");
    disk.handBack(disk.versions() - 1);
    disk.damage(3);
    assertTrue(disk.read().entries().size() < 3, "a flipped bit drops the damaged record and what follows");
  }

  private static Entry entry(long term, int payload) {
    return new Entry(term, new byte[] {1, (byte) payload});
  }

  /** A generated traced schedule registers every user first, is traceable, and refuses what a trace cannot hold. */
  @Test
  void tracedSchedulesRegisterFirstAndRefuseWhatATraceCannotHold() {
    Schedule s = TracedRuns.schedule(7, 5);
    assertTrue(s.isTraceable());
    assertEquals(TracedRuns.placement(5), s.placement());
    for (int u = 0; u < TracedRuns.USERS; u++) {
      assertEquals(Schedule.Kind.REGISTER, s.events().get(u).kind());
    }
    assertTrue(s.events().stream().skip(TracedRuns.USERS).allMatch(e -> e.tick() >= TracedRuns.FIRST_TICK));
    assertThrows(IllegalArgumentException.class, () -> TracedRuns.schedule(7, 4));
    String early = assertThrows(IllegalArgumentException.class,
        () -> TracedRuns.of(3, List.of(new Schedule.Event(1, Schedule.Kind.CRASH, 0, 0)))).getMessage();
    assertTrue(early.contains("start at tick " + TracedRuns.FIRST_TICK), early);
  }
}
