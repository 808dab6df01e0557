package dev.bkv.consensus;

import java.util.EnumSet;

/** Test-tree access to the core's seeded bugs: production code cannot reach this class. */
public final class SeededCoreBugs {
  private SeededCoreBugs() {}

  /** Core options with the one named bug (a {@code CoreBug} name) switched on. */
  public static CoreOptions with(String bugName) {
    return new CoreOptions(EnumSet.of(CoreBug.valueOf(bugName)));
  }

  public static java.util.List<String> names() {
    return java.util.Arrays.stream(CoreBug.values()).map(Enum::name).toList();
  }
}
