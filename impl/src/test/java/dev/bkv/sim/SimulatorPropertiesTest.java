package dev.bkv.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

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

  private static void check(int hsms) {
    int examples = Math.max(1, schedules() / 3);
    long started = System.nanoTime();
    long[] totals = new long[3];
    qt().withExamples(examples).withFixedSeed(QT_SEED + hsms).withGenerateAttempts(examples * 10)
        .forAll(longs().all().describedAs(s -> "seed " + s), SimGen.schedules(hsms, SimGen.DEFAULT))
        .checkAssert((seed, schedule) -> {
          SimResult result = Simulator.run(schedule, seed);
          totals[0]++;
          totals[1] += result.steps();
          totals[2] += result.committed();
          assertTrue(result.ok(), () -> result.violation().orElseThrow() + "\nrerun: Simulator.run(Schedule.parse(\""
              + schedule + "\"), " + seed + "L)");
        });
    System.out.printf("sim: %d HSMs, %d schedules, %d steps, %d entries committed, %.1f s%n", hsms, totals[0],
        totals[1], totals[2], (System.nanoTime() - started) / 1e9);
  }
}
