package dev.bkv.bench;

import dev.bkv.firmware.ReplicatedVault;
import dev.bkv.trace.TraceEvent;
import dev.bkv.trace.TraceRecorder;
import dev.bkv.trace.TraceSink;
import dev.bkv.vault.UserId;
import java.util.ArrayList;
import java.util.List;
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
 * What tracing costs the replicated vault's hot path: {@link FleetBench#commitBatch}'s work
 * (5 HSMs, logs in memory, one guess per batch: a traced HSM takes batches of one) with
 * every HSM's trace sink the default {@link TraceSink#NONE} ({@code trace=none}) or a
 * {@link TraceRecorder} ({@code trace=recorder}). The untraced figure must match
 * FleetBench's for the same nodes and batch: the sink costs one boolean check per step.
 *
 * <p>A recorded event holds the acting HSM's whole log and vault (the spec's state, for
 * TLC), so a recorder's cost grows with the log: each iteration starts a fresh fleet (for
 * both values, so they do the same work) with few users, and the recorder is replaced once
 * it holds {@link #EVENTS_KEPT} events so that memory stays bounded.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class FleetTraceBench {
  /** Users the guesses cycle over: their 255 guesses each outlast an untraced iteration of a few seconds. */
  static final int USERS = 256;
  /** Events a recorder keeps before the next one takes over (each holds a copy of the log). */
  static final int EVENTS_KEPT = 1_000;

  /** One fleet per iteration, traced or not. */
  @State(Scope.Benchmark)
  public static class Fleet {
    /** A single value each: columns of the report's consensus section (see {@link ConsensusReport}). */
    @Param({"5"})
    public int nodes;

    @Param({"1"})
    public int batch;

    @Param({"none", "recorder"})
    public String trace;

    FleetCluster cluster;
    TraceSink sink = TraceSink.NONE;

    /** Outside the timed region: a fresh fleet, its users registered (in batches, so before tracing starts). */
    @Setup(Level.Iteration)
    public void setUp() {
      cluster = FleetCluster.start(nodes, FleetCluster.Storage.MEMORY);
      cluster.registerUsers(USERS);
      if ("recorder".equals(trace)) {
        record();
      } else if (!"none".equals(trace)) {
        throw new IllegalArgumentException("trace must be none or recorder, got " + trace);
      }
    }

    /** Attaches a new recorder to every HSM; a trace opens with its header. */
    void record() {
      TraceRecorder recorder = new TraceRecorder();
      List<List<Integer>> sites = new ArrayList<>();
      for (int dc = 0; dc < FleetCluster.DATACENTERS; dc++) {
        List<Integer> site = new ArrayList<>();
        for (int i = dc; i < nodes; i += FleetCluster.DATACENTERS) {
          site.add(i);
        }
        sites.add(site);
      }
      List<UserId> users = new ArrayList<>();
      for (int u = 0; u < cluster.users().count(); u++) {
        users.add(cluster.users().id(u));
      }
      recorder.record(new TraceEvent.Init(nodes, sites, users, "bench", "FleetTraceBench"));
      for (int i = 0; i < nodes; i++) {
        cluster.vault(i).traceTo(recorder);
      }
      sink = recorder;
    }

    @TearDown(Level.Iteration)
    public void tearDown() {
      cluster.close();
    }
  }

  @Benchmark
  public List<ReplicatedVault.Released> commitBatch(Fleet fleet) {
    if (fleet.cluster.users().budget() < fleet.batch) {
      throw new IllegalStateException("the users' guesses ran out: shorten the iteration or raise USERS");
    }
    if (fleet.sink instanceof TraceRecorder && ((TraceRecorder) fleet.sink).events().size() >= EVENTS_KEPT) {
      fleet.record();
    }
    // Only the client knows whether its password is right; the recorder needs it for ClientGuess.
    fleet.sink.nextGuessRight(false);
    return fleet.cluster.countGuesses(fleet.batch);
  }
}
