package dev.bkv.crypto;

import dev.bkv.base.Check;
import java.math.BigInteger;
import org.bouncycastle.math.ec.AbstractECMultiplier;
import org.bouncycastle.math.ec.ECLookupTable;
import org.bouncycastle.math.ec.ECPoint;

/**
 * k * G for P-256 from a table of every window's multiples of G, so that a multiplication is
 * 43 additions and no doublings (BC's fixed-point comb does a doubling and an addition per
 * step, 43 of each). The scalar is cut into 6-bit windows; window i holds, in affine form,
 * {@code (j * 2^(6i) + 1) * G} for j in [0, 63]. The "+ 1" keeps every entry away from the
 * identity, which has no affine form; the 43 of them are taken off at the end. 2,752 points,
 * about 180 KB, built once (a few milliseconds).
 *
 * <p>Entries are read with BC's cache-safe lookup, which touches the whole window whatever
 * the digit, as BC's comb does: the table adds no secret-dependent memory access or branch.
 */
final class P256BaseTable extends AbstractECMultiplier {
  static final int WINDOW_BITS = 6;
  static final int WINDOWS = (P256Curve.SCALAR_BYTES * 8 + WINDOW_BITS - 1) / WINDOW_BITS;
  private static final int ENTRIES = 1 << WINDOW_BITS;

  static final P256BaseTable INSTANCE = new P256BaseTable();

  private final ECLookupTable[] windows = new ECLookupTable[WINDOWS];
  /** -(WINDOWS * G): removes the offsets that every window added. */
  private final ECPoint offsetsRemoved;

  private P256BaseTable() {
    ECPoint[] points = new ECPoint[WINDOWS * ENTRIES];
    ECPoint windowBase = P256Curve.G;
    for (int i = 0; i < WINDOWS; i++) {
      ECPoint entry = P256Curve.G;
      for (int j = 0; j < ENTRIES; j++) {
        points[i * ENTRIES + j] = entry;
        entry = entry.add(windowBase);
      }
      windowBase = windowBase.timesPow2(WINDOW_BITS);
    }
    P256Curve.CURVE.normalizeAll(points);
    for (int i = 0; i < WINDOWS; i++) {
      windows[i] = P256Curve.CURVE.createCacheSafeLookupTable(points, i * ENTRIES, ENTRIES);
    }
    offsetsRemoved = P256Curve.G.multiply(BigInteger.valueOf(WINDOWS)).negate().normalize();
  }

  /** k * G, not normalized. {@code base} must be G: the table holds nothing else. */
  @Override
  protected ECPoint multiplyPositive(ECPoint base, BigInteger k) {
    Check.that(base.equals(P256Curve.G), "the base table multiplies the P-256 generator only");
    Check.that(k.bitLength() <= WINDOWS * WINDOW_BITS, "scalar within the table's windows");
    long[] limbs = limbs(k);
    ECPoint r = P256Curve.CURVE.getInfinity();
    for (int i = 0; i < WINDOWS; i++) {
      r = r.add(windows[i].lookup(window(limbs, i)));
    }
    return r.add(offsetsRemoved);
  }

  /** The scalar as five little-endian 64-bit limbs (the fifth keeps the last window's read in range). */
  private static long[] limbs(BigInteger k) {
    long[] limbs = new long[5];
    for (int i = 0; i < 4; i++) {
      limbs[i] = k.shiftRight(64 * i).longValue();
    }
    return limbs;
  }

  /** Bits [6i, 6i + 6) of the scalar. */
  private static int window(long[] limbs, int i) {
    int bit = i * WINDOW_BITS;
    int limb = bit >>> 6;
    int shift = bit & 63;
    long bits = limbs[limb] >>> shift;
    if (shift > 64 - WINDOW_BITS) {
      bits |= limbs[limb + 1] << (64 - shift);
    }
    return (int) (bits & (ENTRIES - 1));
  }
}
