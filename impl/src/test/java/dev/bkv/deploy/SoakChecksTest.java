package dev.bkv.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.deploy.SoakLedger.Outcome;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Goal: the soak's end checks trip on what they exist to catch. The guess count (G1): a count
 * below the wrong guesses answered is an extra guess, one above what clients could have caused
 * is a counted guess no one made, and lost answers widen the window by exactly their number.
 * Memory: a steady leak, across restarts or within each process life, is not flat; noise
 * around a level is.
 */
class SoakChecksTest {
  private static final int MAX = 10;

  @Test
  void whenEveryAnswerArrived_thenOnlyTheExactCountPasses() {
    SoakLedger ledger = new SoakLedger(MAX, 1);
    ledger.registration("u", Outcome.ACKNOWLEDGED);
    ledger.wrongGuess("u", Outcome.REFUSED);
    ledger.wrongGuess("u", Outcome.REFUSED);
    assertEquals("", ledger.countProblem("u", MAX - 2));
    assertTrue(ledger.countProblem("u", MAX - 1).contains("extra guesses"), "one answered guess not counted");
    assertTrue(ledger.countProblem("u", MAX - 3).contains("over-counted"), "a guess counted that no client made");
    assertTrue(ledger.countProblem("u", -1).contains("no record"), "an acknowledged registration gone");
  }

  @Test
  void whenAWrongGuessIsLost_thenItMayOrMayNotCount() {
    SoakLedger ledger = new SoakLedger(MAX, 1);
    ledger.registration("u", Outcome.ACKNOWLEDGED);
    ledger.wrongGuess("u", Outcome.REFUSED);
    ledger.wrongGuess("u", Outcome.LOST);
    assertEquals("", ledger.countProblem("u", MAX - 1));
    assertEquals("", ledger.countProblem("u", MAX - 2));
    assertFalse(ledger.countProblem("u", MAX).isEmpty(), "the answered guess must count");
    assertFalse(ledger.countProblem("u", MAX - 3).isEmpty(), "one lost guess counts at most once");
  }

  @Test
  void whenARecoveryComesBack_thenTheCountStartsAgain() {
    SoakLedger ledger = new SoakLedger(MAX, 1);
    ledger.registration("u", Outcome.ACKNOWLEDGED);
    ledger.wrongGuess("u", Outcome.REFUSED);
    ledger.recovery("u", Outcome.ACKNOWLEDGED);
    ledger.wrongGuess("u", Outcome.REFUSED);
    assertEquals("", ledger.countProblem("u", MAX - 1));
    assertFalse(ledger.countProblem("u", MAX - 2).isEmpty(), "the guess before the recovery was reset");
  }

  @Test
  void whenARecoveryIsLost_thenTheResetAndItsGuessAreBothUncertain() {
    SoakLedger ledger = new SoakLedger(MAX, 1);
    ledger.registration("u", Outcome.ACKNOWLEDGED);
    ledger.wrongGuess("u", Outcome.REFUSED);
    ledger.wrongGuess("u", Outcome.REFUSED);
    ledger.recovery("u", Outcome.LOST);
    ledger.wrongGuess("u", Outcome.REFUSED);
    // Reset then one guess; or no reset: 3 answered, plus the recovery's own guess.
    assertEquals("", ledger.countProblem("u", MAX - 1));
    assertEquals("", ledger.countProblem("u", MAX - 4));
    assertFalse(ledger.countProblem("u", MAX).isEmpty());
    assertFalse(ledger.countProblem("u", MAX - 5).isEmpty());
  }

  @Test
  void whenARecoveryWithSeveralLoginsIsLost_thenEachLoginMayHaveCounted() {
    SoakLedger ledger = new SoakLedger(MAX, 4);
    ledger.registration("u", Outcome.ACKNOWLEDGED);
    ledger.wrongGuess("u", Outcome.REFUSED);
    ledger.recovery("u", Outcome.LOST);
    assertEquals("", ledger.countProblem("u", MAX - 5));
    assertFalse(ledger.countProblem("u", MAX - 6).isEmpty());
    assertEquals(MAX - 1 - 5, ledger.guessesLeft("u"));
  }

  @Test
  void guessesLeftKeepsEveryUserClearOfDestruction() {
    SoakLedger ledger = new SoakLedger(MAX, 1);
    ledger.registration("u", Outcome.ACKNOWLEDGED);
    for (int i = 0; i < MAX - 2; i++) {
      ledger.wrongGuess("u", i % 2 == 0 ? Outcome.REFUSED : Outcome.LOST);
    }
    assertEquals(1, ledger.guessesLeft("u"));
    ledger.wrongGuess("u", Outcome.LOST);
    assertEquals(0, ledger.guessesLeft("u"));
    assertThrows(IllegalStateException.class, () -> ledger.wrongGuess("never", Outcome.REFUSED));
  }

  @Test
  void aLeakAcrossRestartsIsNotFlat() {
    MemorySeries m = new MemorySeries(0, 0, 256 * 1024);
    for (int t = 0; t < 600; t += 30) {
      // 1 MiB a minute, each life 150 s, the leak carried over.
      m.add(new MemorySeries.Sample("n", 1 + t / 150, t, t % 150, 40_000_000L + t * (1 << 20) / 60, 0));
    }
    assertFalse(m.verdicts().get(0).flat());
    assertEquals(1 << 20, m.verdicts().get(0).slopeByRun(), 1);
  }

  @Test
  void aLeakWithinEachLifeIsNotFlatThoughRestartsHideItAcrossTheRun() {
    MemorySeries m = new MemorySeries(0, 0, 256 * 1024);
    for (int t = 0; t < 600; t += 30) {
      int age = t % 150;
      m.add(new MemorySeries.Sample("n", 1 + t / 150, t, age, 40_000_000L + (long) age * (1 << 20) / 60, 0));
    }
    MemorySeries.Verdict v = m.verdicts().get(0);
    assertTrue(Math.abs(v.slopeByRun()) < 256 * 1024, "across the run it looks flat: " + v);
    assertFalse(v.flat(), "within each life it grows: " + v);
  }

  @Test
  void livesAtDifferentLevelsAreFlatWhenNoLifeGrows() {
    // A long life at a high level and a short one at a low level: pooled, age "explains" the
    // difference; measured within each life, nothing grows.
    MemorySeries m = new MemorySeries(0, 0, 256 * 1024);
    for (int age = 0; age <= 180; age += 10) {
      m.add(new MemorySeries.Sample("n", 1, age, age, 22_000_000L + (age % 20 == 0 ? 100_000 : -100_000), 0));
    }
    for (int age = 0; age <= 40; age += 10) {
      m.add(new MemorySeries.Sample("n", 2, 200 + age, age, 16_000_000L + (age % 20 == 0 ? 100_000 : -100_000), 0));
    }
    MemorySeries.Verdict v = m.verdicts().get(0);
    assertTrue(Math.abs(v.slopeByAge()) < 256 * 1024, v.toString());
    assertTrue(MemorySeries.fit(m.samples(), false, false, false).slope() > 1 << 20, "pooled, it seems to grow");
  }

  @Test
  void noiseAroundALevelIsFlat_andTooFewSamplesAreNot() {
    MemorySeries m = new MemorySeries(60, 0, 256 * 1024);
    long[] noise = {300_000, -200_000, 100_000, -400_000, 250_000, 0, -100_000, 350_000, -300_000, 50_000};
    for (int i = 0; i < noise.length; i++) {
      m.add(new MemorySeries.Sample("n", 1, 60 + 30 * i, 60 + 30 * i, 40_000_000L + noise[i], 0));
    }
    m.add(new MemorySeries.Sample("n", 1, 0, 0, 1_000_000_000L, 0)); // warm-up: left out
    m.add(new MemorySeries.Sample("short", 1, 100, 100, 1, 0));
    List<MemorySeries.Verdict> verdicts = m.verdicts();
    assertTrue(verdicts.get(0).flat(), verdicts.get(0).toString());
    assertEquals(noise.length, verdicts.get(0).used());
    assertFalse(verdicts.get(1).flat(), "one sample shows nothing");
  }

  @Test
  void badOptionsAreNamed() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> FleetSoak.parse(new String[] {"--seconds", "5",
        "--summary", "s", "--dir", "d"})).getMessage().contains("--seconds"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> FleetSoak.parse(new String[] {"--summary", "s"}))
        .getMessage().contains("required"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> FleetSoak.parse(new String[] {"--clients", "4",
        "--users", "2", "--summary", "s", "--dir", "d"})).getMessage().contains("--users"));
    assertEquals(600, FleetSoak.parse(new String[] {"--summary", "s", "--dir", "d"}).seconds());
  }
}
