package dev.bkv.consensus;

/**
 * Protections a seeded bug removes, for the simulator's proof that its checker can fail.
 * Package-private: production code cannot name one; only {@link CoreOptions} built by the
 * test tree's accessor carries them. Each mirrors an element of the spec's {@code AllBugs}
 * where one exists.
 */
enum CoreBug {
  /** {@code CommitWithoutMajority}: the leader commits its entries as soon as they are written. */
  COMMIT_WITHOUT_MAJORITY,
  /** {@code CommitEarlierTerm}: an earlier term's entry is committed by counting replicas (Raft Figure 8). */
  COMMIT_EARLIER_TERM,
  /** {@code VoteNotInNvram}: votedFor is volatile; a restarted HSM votes twice in a term. */
  VOTE_NOT_IN_NVRAM,
  /** {@code NoRollbackDetection}: a rolled-back HSM votes and stands for election as if nothing happened. */
  NO_ROLLBACK_DETECTION,
  /** {@code NonMajorityQuorum}: a quorum is n/2 HSMs (2 of 5). */
  NON_MAJORITY_QUORUM,
  /** {@code PlacementMajorityInOneDc}: the placement rule is not checked at creation. */
  PLACEMENT_MAJORITY_IN_ONE_DC,
  /** {@code NoLogConsistencyCheck}: a follower appends without the prevLogIndex/prevLogTerm check. */
  NO_LOG_CONSISTENCY_CHECK,
  /** An AppendEntries of an earlier term than the follower's is accepted (and its term adopted). */
  STALE_TERM_APPEND_ACCEPTED,
  /** A peer message whose MAC does not verify is handled anyway. */
  TAMPERED_MESSAGE_ACCEPTED,
  /** A restart keeps the commit index the HSM had before it (it is volatile in the spec). */
  VOLATILE_COMMIT_INDEX_KEPT,
  /** {@code StaleVotesCounted}: a candidate counts votes of an earlier term. */
  STALE_VOTES_COUNTED,
}
