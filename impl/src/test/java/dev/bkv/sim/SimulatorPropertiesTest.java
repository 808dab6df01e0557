package dev.bkv.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.bkv.firmware.FirmwareOptions;
import dev.bkv.firmware.SeededBug;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Generated fault schedules over fleets of 3, 5 and 7 HSMs in 3 datacenters, production
 * firmware: no invariant of spec/QuorumVault is ever violated, and G9 holds once the fleet
 * heals. {@code -Dbkv.sim.schedules=N} sets how many schedules in all (split over the three
 * fleet sizes); a failure prints the seed and the shrunk schedule, which
 * {@code Simulator.run(Schedule.parse(text), seed)} reruns exactly.
 */
class SimulatorPropertiesTest {
  /** Schedules in the default run, over all three fleet sizes. */
  static final int SCHEDULES_DEFAULT = 6_000;
  /** QuickTheories' own seed, fixed so that the default run is the same every time. */
  static final long QT_SEED = 20_240_601L;

  static int schedules() {
    return Integer.getInteger("bkv.sim.schedules", SCHEDULES_DEFAULT);
  }

  @Test
  void threeHsms() {
    check(3);
  }

  @Test
  void fiveHsms() {
    check(5);
  }

  @Test
  void sevenHsms() {
    check(7);
  }

  /**
   * The same property on the production storage: each HSM's sealed log on a disk of bytes,
   * where torn writes, lost fsyncs, bit flips and rollbacks are real (a tenth of the run).
   */
  @Test
  void sealedStorage() {
    int examples = Math.max(3, schedules() / 10);
    for (int hsms = 3; hsms <= 7; hsms += 2) {
      check(hsms, examples / 3, FirmwareOptions.PRODUCTION, SealedDisk.production(), "sealed storage");
    }
  }

  @Test
  void aFailurePrintsTheSeedAndTheShrunkScheduleWhichRerunsExactly() {
    AssertionError e = assertThrows(AssertionError.class,
        () -> check(3, 50, SeededBug.NO_LOG_CONSISTENCY_CHECK.options()));
    Matcher rerun = Pattern.compile("rerun: Simulator.run\\(Schedule.parse\\(\"([^\"]*)\"\\), (-?\\d+)L\\)")
        .matcher(e.getMessage());
    assertTrue(rerun.find(), e.getMessage());
    SimResult again = Simulator.run(Schedule.parse(rerun.group(1)), Long.parseLong(rerun.group(2)),
        SeededBug.NO_LOG_CONSISTENCY_CHECK.options());
    assertEquals("LogMatching", again.violation().orElseThrow().invariant());
    assertTrue(e.getMessage().contains(again.violation().orElseThrow().toString()), e.getMessage());
  }

  /** Raft's Figure 8, as the seeded-bug hunt found it: replays exactly, and production firmware passes it. */
  @Test
  void figureEightScheduleReplays() {
    Schedule figure8 = Schedule.parse(FIGURE_8);
    long seed = -3690621198964710837L;
    assertEquals("LeaderCompleteness",
        Simulator.run(figure8, seed, SeededBug.COMMIT_EARLIER_TERM.options()).violation().orElseThrow().invariant());
    assertTrue(Simulator.run(figure8, seed).ok());
  }

  /**
   * Found by the long run: a client's retried RegisterStore arrives after an attacker's
   * guesses destroyed the record it had created, and used to create it again with a fresh
   * count (six answers for one registration with a limit of five). Rule R11 of VaultState
   * now refuses a destroyed registration's id. Each schedule fails without R11.
   */
  @Test
  void aRegistrationRetriedAfterItsRecordWasDestroyedIsRefused() {
    for (String[] found : RETRIED_AFTER_DESTROYED) {
      SimResult result = Simulator.run(Schedule.parse(found[0]), Long.parseLong(found[1]));
      assertTrue(result.ok(), () -> result.violation().orElseThrow().toString());
    }
  }

  private static final String[][] RETRIED_AFTER_DESTROYED = {
    {"hsms=3 dcs=2,1,0 snap=8 batch=256 users=1 | 0:CRASH:0:0 44:ATTACK:0:5 54:PARTITION:1:0 57:REGISTER:0:0 "
        + "106:CRASH:1:78 190:DELAY:0:0 225:CRASH:0:0", "-6449097777644509305"},
    {"hsms=7 dcs=2,1,1,1,0,0,0 snap=4 batch=1 users=1 | 0:CRASH:0:0 0:REGISTER:0:0 44:ISOLATE_LEADER:0:0 "
        + "56:ATTACK:0:3 94:CRASH:0:0", "118426379969"},
    {"hsms=5 dcs=2,1,1,0,0 snap=4 batch=1 users=1 | 0:CRASH:0:0 0:REGISTER:0:0 17:PARTITION:1:0 34:LOSE_DC:0:0 "
        + "35:ATTACK:0:3", "-51907729319504990"},
  };

  private static final String FIGURE_8 = "hsms=5 dcs=2,0,2,1,0 snap=1000000 batch=1 users=4 | 2:HEAL:9:57 "
      + "2:ATTACK:8:25 20:LOGIN:32:43 22:CRASH:40:49 22:ATTACK:46:14 40:ISOLATE_LEADER:22:44 52:ISOLATE_LEADER:23:58 "
      + "60:ATTACK:32:48 67:ISOLATE_LEADER:14:30 76:LOGIN:41:32 78:CRASH:4:28 79:HEAL:40:9 81:ATTACK:0:9 "
      + "86:ATTACK:39:48 89:REGISTER:33:26 90:REGISTER:46:17 101:CRASH:0:35 103:CRASH:10:57 109:CRASH:38:27 "
      + "112:HEAL:54:17 112:HEAL:49:40 113:ISOLATE_LEADER:43:37 113:ATTACK:18:16 115:LOGIN:7:10 "
      + "124:ISOLATE_LEADER:30:32 138:HEAL:24:48 140:CRASH:39:56 141:CRASH:15:7 149:LOGIN:1:3 149:CRASH:56:29 "
      + "150:ISOLATE_LEADER:42:59 153:CRASH:26:13 153:ATTACK:8:29 154:REGISTER:17:22 155:REGISTER:36:55 "
      + "158:ATTACK:10:17 160:CRASH:30:8 168:CRASH:34:22 172:CRASH:27:53 173:ISOLATE_LEADER:57:26 "
      + "187:ISOLATE_LEADER:30:11 191:LOGIN:48:35 193:ISOLATE_LEADER:43:42 196:CRASH:31:30 204:HEAL:25:39 "
      + "206:LOGIN:8:46 215:LOGIN:57:37 222:ISOLATE_LEADER:41:10 223:LOGIN:18:4 229:ISOLATE_LEADER:51:0 "
      + "231:HEAL:5:46 233:CRASH:52:17 237:LOGIN:14:32 244:CRASH:34:56 245:HEAL:1:40 245:ISOLATE_LEADER:12:33 "
      + "249:CRASH:18:55 249:CRASH:51:21 251:LOGIN:6:20 258:HEAL:58:17 261:HEAL:43:12 262:HEAL:57:13 "
      + "277:REGISTER:8:56 287:CRASH:51:20 294:HEAL:23:28 315:REGISTER:30:19 322:LOGIN:59:19 324:HEAL:6:17 "
      + "325:CRASH:30:59 328:ISOLATE_LEADER:31:58 332:HEAL:37:34 332:CRASH:26:3 333:HEAL:39:34 "
      + "357:ISOLATE_LEADER:25:17 360:ISOLATE_LEADER:41:0 369:ATTACK:38:16 379:LOGIN:56:7 386:HEAL:39:60 "
      + "392:ISOLATE_LEADER:5:36 397:HEAL:20:2";

  private static void check(int hsms) {
    check(hsms, Math.max(1, schedules() / 3), FirmwareOptions.PRODUCTION);
  }

  private static void check(int hsms, int examples, FirmwareOptions options) {
    check(hsms, examples, options, SimDisk.versioned(), "versioned storage");
  }

  private static void check(int hsms, int examples, FirmwareOptions options, SimDisk.Factory disks, String storage) {
    long started = System.nanoTime();
    long[] totals = new long[3];
    qt().withExamples(examples).withFixedSeed(QT_SEED + hsms).withGenerateAttempts(examples * 10)
        .forAll(longs().all().describedAs(s -> "seed " + s), SimGen.schedules(hsms, SimGen.DEFAULT))
        .checkAssert((seed, schedule) -> {
          SimResult result = Simulator.run(schedule, seed, options, disks);
          totals[0]++;
          totals[1] += result.steps();
          totals[2] += result.committed();
          assertTrue(result.ok(), () -> result.violation().orElseThrow() + "\nrerun: Simulator.run(Schedule.parse(\""
              + schedule + "\"), " + seed + "L)");
        });
    System.out.printf("sim: %d HSMs, %s, %d schedules, %d steps, %d entries committed, %.1f s%n", hsms, storage,
        totals[0], totals[1], totals[2], (System.nanoTime() - started) / 1e9);
  }
}
