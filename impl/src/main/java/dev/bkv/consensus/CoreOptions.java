package dev.bkv.consensus;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * How a {@link ReplicaCore} is built. Production code can only use {@link #PRODUCTION}: the
 * constructor that takes seeded bugs is package-private, reachable only from the test tree,
 * so no flag, configuration key or caller outside tests can switch a protection off.
 */
public final class CoreOptions {
  public static final CoreOptions PRODUCTION = new CoreOptions(EnumSet.noneOf(CoreBug.class));

  private final Set<CoreBug> bugs;

  CoreOptions(Set<CoreBug> bugs) {
    this.bugs = Collections.unmodifiableSet(bugs.isEmpty() ? EnumSet.noneOf(CoreBug.class) : EnumSet.copyOf(bugs));
  }

  boolean has(CoreBug bug) {
    return bugs.contains(bug);
  }

  public boolean isProduction() {
    return bugs.isEmpty();
  }

  @Override
  public String toString() {
    return bugs.isEmpty() ? "production" : "seeded bugs " + bugs;
  }
}
