package dev.bkv.bundle;

import dev.bkv.tlog.VerifiedCheckpoint;
import java.util.Optional;

/**
 * The client's decision on a validation bundle: {@link Accepted} with what it may now rely
 * on, or {@link Rejected} naming the one check that failed and why.
 */
public sealed interface BundleVerdict permits BundleVerdict.Accepted, BundleVerdict.Rejected {

  /**
   * The bundle verified: {@code fleet} is the fleet to trust. {@code checkpoint} is the log
   * checkpoint it was proved in (empty in pinned mode, which does not consult the log).
   */
  record Accepted(ValidationBundle fleet, Optional<VerifiedCheckpoint> checkpoint) implements BundleVerdict {
    public long epoch() {
      return fleet.epoch();
    }
  }

  /** The first check that failed, and a reason naming what was wrong. */
  record Rejected(BundleCheck check, String reason) implements BundleVerdict {
    public Rejected {
      if (reason == null || reason.isEmpty()) {
        throw new IllegalArgumentException("a rejection always says why");
      }
    }

    @Override
    public String toString() {
      return check.specName() + ": " + reason;
    }
  }

  default boolean accepted() {
    return this instanceof Accepted;
  }

  /** "accepted", or the failed check's spec name: what a differential case records. */
  default String specReason() {
    return this instanceof Rejected r ? r.check().specName() : "accepted";
  }

  /** "accepted", or "check: reason", for logs and command output. */
  default String describe() {
    return this instanceof Rejected r ? r.toString() : "accepted";
  }
}
