package dev.bkv.rotation;

import java.util.List;
import java.util.Optional;

/**
 * The result of one migration run: every user's outcome, in the old fleet's order, and, when
 * the run stopped before the end of the old fleet's users, why. A run is complete when it
 * walked every user and every one is on the new fleet (or had no record left to move).
 */
public record MigrationReport(List<MigrationOutcome> outcomes, Optional<String> stopped) {
  public MigrationReport {
    outcomes = List.copyOf(outcomes);
  }

  public long migrated() {
    return count(MigrationOutcome.Migrated.class);
  }

  public long alreadyMigrated() {
    return count(MigrationOutcome.AlreadyMigrated.class);
  }

  public long noRecord() {
    return count(MigrationOutcome.NoRecord.class);
  }

  public long failed() {
    return count(MigrationOutcome.Failed.class);
  }

  public boolean complete() {
    return stopped.isEmpty() && failed() == 0;
  }

  /** One line of totals. */
  public String summary() {
    return outcomes.size() + " users: " + migrated() + " migrated, " + alreadyMigrated() + " already migrated, "
        + noRecord() + " without a record, " + failed() + " not migrated"
        + stopped.map(reason -> "; stopped early: " + reason).orElse("");
  }

  private long count(Class<? extends MigrationOutcome> kind) {
    return outcomes.stream().filter(kind::isInstance).count();
  }
}
