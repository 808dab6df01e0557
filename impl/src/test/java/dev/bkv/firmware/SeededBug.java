package dev.bkv.firmware;

import dev.bkv.consensus.CoreOptions;
import dev.bkv.consensus.SeededCoreBugs;
import dev.bkv.vault.SeededVaultBugs;
import dev.bkv.vault.SnapshotOptions;
import java.util.EnumSet;

/**
 * Every seeded bug of the replicated vault, for the simulator's proof that its checker can
 * fail. Test tree only: production code cannot build these options. The spec's negative
 * model each mirrors is named where there is one.
 */
public enum SeededBug {
  RELEASE_BEFORE_COMMIT("BugReleaseBeforeCommit", "KE2 released before its guess is committed"),
  COMMIT_WITHOUT_MAJORITY("BugCommitWithoutMajority", "the leader commits on append, without acknowledgements"),
  VOTE_NOT_IN_NVRAM("BugVoteNotInNvram", "votedFor is volatile: a restarted HSM votes twice in a term"),
  NO_ROLLBACK_DETECTION("BugNoRollbackDetection", "a rolled-back HSM is not detected and keeps voting"),
  NON_MAJORITY_QUORUM("BugNonMajorityQuorum", "quorums of n/2: 2 of 5"),
  PLACEMENT_MAJORITY_IN_ONE_DC("BugPlacementMajorityInOneDc", "placement unchecked: one datacenter holds a majority"),
  NO_LOG_CONSISTENCY_CHECK("BugNoLogConsistencyCheck", "a follower appends without the prevLogIndex/prevLogTerm check"),
  COMMIT_EARLIER_TERM("BugCommitEarlierTerm", "an earlier term's entry committed by counting replicas (Raft Figure 8)"),
  STALE_TERM_APPEND_ACCEPTED("", "an AppendEntries of an earlier term is accepted"),
  TAMPERED_MESSAGE_ACCEPTED("", "a peer message whose MAC does not verify is handled"),
  RELEASE_ON_PREVIOUS_COMMIT("", "a guess is answered once the entry before it commits: counted only when the next entry commits"),
  SNAPSHOT_DROPS_COUNTERS("", "snapshots write every guess count as 0"),
  VOLATILE_COMMIT_INDEX_KEPT("", "a restart keeps the commit index it had"),
  STALE_VOTES_COUNTED("BugStaleVotesCounted", "a candidate counts votes of an earlier term");

  /** The spec's negative model this bug mirrors, or empty. */
  public final String specModel;
  public final String description;

  SeededBug(String specModel, String description) {
    this.specModel = specModel;
    this.description = description;
  }

  /** Firmware options with this bug switched on and every other protection in place. */
  public FirmwareOptions options() {
    CoreOptions core = CoreOptions.PRODUCTION;
    SnapshotOptions snapshot = SnapshotOptions.PRODUCTION;
    EnumSet<FirmwareBug> vault = EnumSet.noneOf(FirmwareBug.class);
    switch (this) {
      case RELEASE_BEFORE_COMMIT:
        vault.add(FirmwareBug.RELEASE_BEFORE_COMMIT);
        break;
      case RELEASE_ON_PREVIOUS_COMMIT:
        vault.add(FirmwareBug.RELEASE_ON_PREVIOUS_COMMIT);
        break;
      case SNAPSHOT_DROPS_COUNTERS:
        snapshot = SeededVaultBugs.snapshotsDropCounters();
        break;
      default:
        core = SeededCoreBugs.with(name());
    }
    return new FirmwareOptions(core, snapshot, vault);
  }
}
