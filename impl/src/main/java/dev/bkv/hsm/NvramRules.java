package dev.bkv.hsm;

import dev.bkv.base.Check;
import dev.bkv.storage.NvramImage;

/** The NVRAM rules every {@link Hsm} enforces. */
public final class NvramRules {
  private NvramRules() {}

  /**
   * A cell's counter never decreases, and a value bound to a counter is never replaced
   * without advancing it: what was written at version n stays what version n means.
   */
  public static void checkAdvance(int slot, NvramImage.Cell current, NvramImage.Cell next) {
    Check.that(slot >= 0 && slot < NvramImage.SLOTS, "NVRAM slot in [0, SLOTS)");
    Check.that(next.counter() >= current.counter(), "NVRAM counter never goes down");
    Check.that(next.counter() > current.counter() || next.sameAs(current),
        "NVRAM value changes only with its counter");
  }
}
