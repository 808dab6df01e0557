package dev.bkv.bench;

import dev.bkv.firmware.ReplicatedVault;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
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
 * Committed guesses per second of the replicated vault: a {@link FleetCluster} of 3, 5 or 7
 * HSMs on one thread, the same work as {@link MicroRaftBench} (one {@code CountGuess} per
 * operation, committed once a majority holds it) with the same method and parameter names,
 * so the report's consensus section sets the two side by side. {@code storage} puts each
 * HSM's sealed log in memory or in files fsynced on every write.
 *
 * <p>{@link #commitBatch} submits {@code batch} guesses in one client batch (one log write)
 * and returns when all are released; {@link #commitOne} is one guess at a time, sampled, for
 * the latency percentiles. Batches of 1, 16 and 256, the baseline's: a batch without a
 * baseline row would have no ratio, and each further value adds a minute to the run.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class FleetBench {
  /** Registered users the guesses cycle over: many counters, none hot (as the baseline's 4096). */
  static final int USERS = 16_384;
  /**
   * Guesses one measurement iteration may count before the users must be registered again:
   * far above what a one-second iteration reaches (the users hold 16,384 x 255).
   */
  static final long ITERATION_GUESSES_MAX = 2_000_000;

  /** One running fleet, started once per trial. */
  @State(Scope.Benchmark)
  public static class Fleet {
    @Param({"3", "5", "7"})
    public int nodes;

    @Param({"memory", "fsync"})
    public String storage;

    FleetCluster cluster;

    @Setup(Level.Trial)
    public void setUp() {
      cluster = FleetCluster.start(nodes, FleetCluster.Storage.valueOf(storage.toUpperCase(Locale.ROOT)));
      cluster.registerUsers(USERS);
    }

    /** Outside the timed region: re-registers the users when their guesses run low. */
    @Setup(Level.Iteration)
    public void budget() {
      cluster.users().ensureBudget(ITERATION_GUESSES_MAX);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      cluster.close();
    }
  }

  /** The guesses submitted together. */
  @State(Scope.Thread)
  public static class Batch {
    @Param({"1", "16", "256"})
    public int batch;
  }

  @Benchmark
  public List<ReplicatedVault.Released> commitBatch(Fleet fleet, Batch batch) {
    return fleet.cluster.countGuesses(batch.batch);
  }

  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  public List<ReplicatedVault.Released> commitOne(Fleet fleet) {
    return fleet.cluster.countGuesses(1);
  }
}
