package dev.bkv.bench;

import io.microraft.Ordered;
import io.microraft.QueryPolicy;
import io.microraft.RaftConfig;
import io.microraft.RaftEndpoint;
import io.microraft.RaftNode;
import io.microraft.RaftNodeStatus;
import io.microraft.model.message.RaftMessage;
import io.microraft.report.RaftTerm;
import io.microraft.transport.Transport;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The consensus baseline: a MicroRaft group of {@code nodes} members in this JVM, each on its
 * own Raft thread, passing messages by reference (no serialisation, no network, no disk:
 * MicroRaft keeps its log in memory unless given a RaftStore, and none is given). Every
 * operation counts one guess for a 16-byte user id and commits once a majority has appended
 * it, which is the work the replicated vault does per login attempt.
 *
 * <p>Use: {@link #start}, then {@link #countGuesses} (or {@link #countGuess}) on the leader,
 * then {@link #close}. Anything unexpected (no leader in time, a leader change, a refused
 * operation) throws rather than being measured.
 */
public final class MicroRaftCluster implements AutoCloseable {
  /** Group sizes the baseline runs: a majority of 3, 5 or 7 (1 runs too, for tests). */
  public static final int NODES_MIN = 1;
  public static final int NODES_MAX = 7;
  /** Time for the group to elect a leader that every member knows. */
  static final long LEADER_TIMEOUT_MILLIS = 30_000;
  /** Time for one batch of operations to commit; far above any healthy commit. */
  static final long COMMIT_TIMEOUT_MILLIS = 10_000;
  /** Time for every member to terminate. */
  static final long STOP_TIMEOUT_MILLIS = 10_000;
  private static final long LEADER_POLL_MILLIS = 5;

  /**
   * The configuration, as close as MicroRaft allows to "a commit needs a majority, the leader
   * batches" (a commit always needs a majority in MicroRaft; there is no setting for it):
   * <ul>
   *   <li>append batch size 1000 (the default): up to 1000 log entries per AppendEntries, so
   *       a batch of 256 operations travels in one request per follower;
   *   <li>max pending log entries 5000 (the default): above the largest batch, so the leader
   *       never refuses an operation for back-pressure;
   *   <li>commit count to take snapshot 50,000 (the default): the log is compacted during the
   *       measurement, as it would be in a long-running service, and a snapshot is one copy of
   *       the counter map, so its cost is in the figure without dominating it;
   *   <li>leader election timeout 500 ms: half the default, so a group elects its first leader
   *       quickly in tests and set-up; it plays no part once a leader exists;
   *   <li>heartbeat period 1 s and heartbeat timeout 10 s (MicroRaft counts both in whole
   *       seconds; 10 s is the default): a GC pause on a loaded machine must not depose the
   *       leader in the middle of a measurement;
   *   <li>snapshots are sent by the leader only, and the report period is the default: neither
   *       matters on an in-memory group without failures.
   * </ul>
   */
  public static RaftConfig config() {
    return RaftConfig.newBuilder()
        .setAppendEntriesRequestBatchSize(RaftConfig.DEFAULT_APPEND_ENTRIES_REQUEST_BATCH_SIZE)
        .setMaxPendingLogEntryCount(RaftConfig.DEFAULT_MAX_PENDING_LOG_ENTRY_COUNT)
        .setCommitCountToTakeSnapshot(RaftConfig.DEFAULT_COMMIT_COUNT_TO_TAKE_SNAPSHOT)
        .setLeaderElectionTimeoutMillis(500)
        .setLeaderHeartbeatPeriodSecs(1)
        .setLeaderHeartbeatTimeoutSecs(RaftConfig.DEFAULT_LEADER_HEARTBEAT_TIMEOUT_SECS)
        .setTransferSnapshotsFromFollowersEnabled(false)
        .build();
  }

  /** A member's address: its name, nothing more, since every member is in this JVM. */
  record Endpoint(String id) implements RaftEndpoint {
    @Override
    public Object getId() {
      return id;
    }
  }

  /** Hands a message straight to the target's {@link RaftNode#handle}, which queues it on that node's thread. */
  private static final class DirectTransport implements Transport {
    private final Map<RaftEndpoint, RaftNode> members;

    DirectTransport(Map<RaftEndpoint, RaftNode> members) {
      this.members = members;
    }

    @Override
    public void send(RaftEndpoint target, RaftMessage message) {
      RaftNode node = members.get(target);
      if (node != null) {
        node.handle(message);
      }
    }

    @Override
    public boolean isReachable(RaftEndpoint endpoint) {
      return members.containsKey(endpoint);
    }
  }

  private final List<RaftNode> nodes;
  private final RaftNode leader;

  private MicroRaftCluster(List<RaftNode> nodes, RaftNode leader) {
    this.nodes = nodes;
    this.leader = leader;
  }

  /** Starts {@code nodeCount} members and returns once all of them know the same leader. */
  public static MicroRaftCluster start(int nodeCount) throws InterruptedException, TimeoutException {
    if (nodeCount < NODES_MIN || nodeCount > NODES_MAX) {
      throw new IllegalArgumentException("MicroRaft group size must be in [" + NODES_MIN + ", " + NODES_MAX + "], got "
          + nodeCount);
    }
    List<RaftEndpoint> endpoints = new ArrayList<>();
    for (int i = 0; i < nodeCount; i++) {
      endpoints.add(new Endpoint("node" + i));
    }
    Map<RaftEndpoint, RaftNode> members = new ConcurrentHashMap<>();
    List<RaftNode> nodes = new ArrayList<>();
    RaftConfig config = config();
    for (RaftEndpoint endpoint : endpoints) {
      RaftNode node = RaftNode.newBuilder()
          .setGroupId("guess-counter")
          .setLocalEndpoint(endpoint)
          .setInitialGroupMembers(endpoints)
          .setConfig(config)
          .setTransport(new DirectTransport(members))
          .setStateMachine(new GuessCounterMachine())
          .build();
      members.put(endpoint, node);
      nodes.add(node);
    }
    nodes.forEach(RaftNode::start);
    try {
      return new MicroRaftCluster(nodes, awaitLeader(nodes));
    } catch (InterruptedException | TimeoutException | RuntimeException e) {
      terminateAll(nodes);
      throw e;
    }
  }

  private static RaftNode awaitLeader(List<RaftNode> nodes) throws InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LEADER_TIMEOUT_MILLIS);
    while (System.nanoTime() < deadline) {
      Optional<RaftNode> leader = agreedLeader(nodes);
      if (leader.isPresent()) {
        return leader.get();
      }
      Thread.sleep(LEADER_POLL_MILLIS);
    }
    throw new TimeoutException("MicroRaft group of " + nodes.size() + " elected no leader within "
        + LEADER_TIMEOUT_MILLIS + " ms");
  }

  /** The leader, when every member names the same one in the same term. */
  private static Optional<RaftNode> agreedLeader(List<RaftNode> nodes) {
    RaftTerm first = nodes.get(0).getTerm();
    if (first.getLeaderEndpoint() == null) {
      return Optional.empty();
    }
    for (RaftNode node : nodes) {
      RaftTerm term = node.getTerm();
      if (term.getTerm() != first.getTerm() || !first.getLeaderEndpoint().equals(term.getLeaderEndpoint())) {
        return Optional.empty();
      }
    }
    return nodes.stream().filter(n -> n.getLocalEndpoint().equals(first.getLeaderEndpoint())).findFirst();
  }

  public int size() {
    return nodes.size();
  }

  public RaftNode leader() {
    return leader;
  }

  /** Submits one guess for {@code userId} to the leader; completes with the user's new count once committed. */
  public CompletableFuture<Long> countGuess(byte[] userId) {
    GuessCounterMachine.CountGuess operation = new GuessCounterMachine.CountGuess(GuessCounterMachine.User.of(userId));
    return leader.<Long>replicate(operation).thenApply(Ordered::getResult);
  }

  /**
   * Submits one guess per user id to the leader, all before waiting for any, and returns the
   * new counts in order once every one has committed.
   */
  public long[] countGuesses(byte[][] userIds) throws InterruptedException, TimeoutException {
    List<CompletableFuture<Long>> pending = new ArrayList<>(userIds.length);
    for (byte[] userId : userIds) {
      pending.add(countGuess(userId));
    }
    CompletableFuture<Void> all = CompletableFuture.allOf(pending.toArray(new CompletableFuture<?>[0]));
    await(all, COMMIT_TIMEOUT_MILLIS, "commit of " + userIds.length + " guesses");
    long[] counts = new long[userIds.length];
    for (int i = 0; i < counts.length; i++) {
      counts[i] = pending.get(i).join();
    }
    return counts;
  }

  /** The user's count as the leader's state machine holds it (a leader-lease read, not replicated). */
  public long countOnLeader(byte[] userId) throws InterruptedException, TimeoutException {
    CompletableFuture<Ordered<Long>> read = leader.query(
        new GuessCounterMachine.ReadCount(GuessCounterMachine.User.of(userId)), QueryPolicy.LEADER_LEASE,
        Optional.empty(), Optional.empty());
    return await(read, COMMIT_TIMEOUT_MILLIS, "read on the leader").getResult();
  }

  /** Terminates every member and waits for each to stop. */
  @Override
  public void close() throws InterruptedException, TimeoutException {
    terminateAll(nodes);
  }

  private static void terminateAll(List<RaftNode> nodes) throws InterruptedException, TimeoutException {
    List<CompletableFuture<?>> stopping = new ArrayList<>();
    for (RaftNode node : nodes) {
      stopping.add(node.terminate());
    }
    await(CompletableFuture.allOf(stopping.toArray(new CompletableFuture<?>[0])), STOP_TIMEOUT_MILLIS,
        "termination of " + nodes.size() + " members");
    for (RaftNode node : nodes) {
      if (node.getStatus() != RaftNodeStatus.TERMINATED) {
        throw new IllegalStateException(node.getLocalEndpoint().getId() + " is " + node.getStatus() + " after terminate");
      }
    }
  }

  private static <T> T await(CompletableFuture<T> future, long timeoutMillis, String what)
      throws InterruptedException, TimeoutException {
    try {
      return future.get(timeoutMillis, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException(what + " failed: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new TimeoutException(what + " did not finish within " + timeoutMillis + " ms");
    }
  }
}
