package dev.bkv.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The consensus baseline: committed guesses per second of a MicroRaft group of 3, 5 or 7
 * members in one JVM (see {@link MicroRaftCluster} for what it does and does not include).
 *
 * <p>{@link #commitBatch} submits {@code batch} guesses to the leader, all before waiting,
 * and returns when every one has committed; its time is per batch, and the report divides
 * it by {@code batch} for operations per second. {@link #commitOne} is one guess at a time,
 * sampled, for the latency percentiles. A replicated vault benchmark that mirrors these two
 * methods with the same parameter names ({@code nodes}, {@code batch}) is compared with
 * them row by row in the report's consensus section.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class MicroRaftBench {
  /** Distinct users the guesses cycle over: many counters, none hot. */
  static final int USERS = 4096;

  /** One running group, started once per trial. */
  @State(Scope.Benchmark)
  public static class Group {
    @Param({"3", "5", "7"})
    public int nodes;

    MicroRaftCluster cluster;
    byte[][] users;
    int nextUser;

    @Setup(Level.Trial)
    public void setUp() throws InterruptedException, TimeoutException {
      SplittableRandom random = new SplittableRandom(nodes);
      users = new byte[USERS][GuessCounterMachine.USER_ID_BYTES];
      for (byte[] user : users) {
        random.nextBytes(user);
      }
      cluster = MicroRaftCluster.start(nodes);
      // The group must commit before anything is timed: this is also the first leader's
      // new-term entry committing behind the first guess.
      if (cluster.countGuesses(new byte[][] {users[0]})[0] != 1) {
        throw new IllegalStateException("benchmark set-up: a first guess on a fresh group must count 1");
      }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException, TimeoutException {
      cluster.close();
    }

    byte[] nextUser() {
      byte[] user = users[nextUser];
      nextUser = (nextUser + 1) % USERS;
      return user;
    }
  }

  /** The guesses submitted together, taken from the group's users in turn. */
  @State(Scope.Thread)
  public static class Batch {
    @Param({"1", "16", "256"})
    public int batch;

    byte[][] userIds;

    @Setup(Level.Trial)
    public void setUp() {
      userIds = new byte[batch][];
    }
  }

  @Benchmark
  public long[] commitBatch(Group group, Batch batch) throws InterruptedException, TimeoutException {
    for (int i = 0; i < batch.batch; i++) {
      batch.userIds[i] = group.nextUser();
    }
    return group.cluster.countGuesses(batch.userIds);
  }

  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  public long commitOne(Group group) throws InterruptedException, TimeoutException {
    return group.cluster.countGuesses(new byte[][] {group.nextUser()})[0];
  }
}
