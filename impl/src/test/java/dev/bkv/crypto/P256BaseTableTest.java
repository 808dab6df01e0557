package dev.bkv.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.base.Check;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;
import org.junit.jupiter.api.Test;

/** The base table against BC's comb, on the scalars where a windowed table goes wrong first. */
class P256BaseTableTest {
  private static final BigInteger N = P256Curve.ORDER;
  private static final BigInteger OFFSETS = BigInteger.valueOf(P256BaseTable.WINDOWS);

  @Test
  void agreesWithBcOnEdgeAndRandomScalars() {
    List<BigInteger> scalars = new ArrayList<>(List.of(
        BigInteger.ONE, BigInteger.TWO, BigInteger.valueOf(63), BigInteger.valueOf(64),
        OFFSETS.subtract(BigInteger.ONE), OFFSETS, OFFSETS.add(BigInteger.ONE), // k * G meets the offsets' sum
        N.subtract(OFFSETS), N.subtract(OFFSETS).subtract(BigInteger.ONE), N.subtract(BigInteger.ONE),
        BigInteger.ONE.shiftLeft(255), BigInteger.ONE.shiftLeft(252).subtract(BigInteger.ONE),
        BigInteger.ONE.shiftLeft(252), new BigInteger("fc".repeat(32), 16).mod(N)));
    // Every window boundary straddling a 64-bit limb: bits 60..65, 126..131, 192..197.
    for (int bit : new int[] {60, 63, 64, 65, 127, 128, 191, 192, 252, 254}) {
      scalars.add(BigInteger.ONE.shiftLeft(bit));
      scalars.add(BigInteger.ONE.shiftLeft(bit + 2).subtract(BigInteger.ONE.shiftLeft(bit - 3)));
    }
    SecureRandom random = new SecureRandom();
    for (int i = 0; i < 64; i++) {
      scalars.add(new BigInteger(256, random).mod(N.subtract(BigInteger.ONE)).add(BigInteger.ONE));
    }
    FixedPointCombMultiplier comb = new FixedPointCombMultiplier();
    for (BigInteger k : scalars) {
      ECPoint expected = comb.multiply(P256Curve.G, k).normalize();
      ECPoint actual = P256BaseTable.INSTANCE.multiply(P256Curve.G, k).normalize();
      assertEquals(expected, actual, "k = " + k.toString(16));
    }
  }

  @Test
  void zeroAndTheOrderGiveTheIdentity() {
    assertTrue(P256BaseTable.INSTANCE.multiply(P256Curve.G, BigInteger.ZERO).isInfinity());
    assertTrue(P256BaseTable.INSTANCE.multiply(P256Curve.G, N).isInfinity());
  }

  @Test
  void refusesAnyBaseButTheGenerator() {
    ECPoint twoG = P256Curve.G.twice();
    Check.InvariantViolation e = assertThrows(Check.InvariantViolation.class,
        () -> P256BaseTable.INSTANCE.multiply(twoG, BigInteger.ONE));
    assertTrue(e.getMessage().contains("generator only"), e.getMessage());
  }

  @Test
  void refusesScalarsWiderThanItsWindows() {
    BigInteger wide = BigInteger.ONE.shiftLeft(P256BaseTable.WINDOWS * P256BaseTable.WINDOW_BITS);
    assertThrows(Check.InvariantViolation.class, () -> P256BaseTable.INSTANCE.multiply(P256Curve.G, wide));
  }
}
