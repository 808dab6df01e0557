package dev.bkv.bench;

import dev.bkv.consensus.Membership;
import dev.bkv.consensus.Message;
import dev.bkv.consensus.Nvram;
import dev.bkv.consensus.Output;
import dev.bkv.consensus.PeerKeys;
import dev.bkv.consensus.RecoveredLog;
import dev.bkv.consensus.ReplicaCore;
import dev.bkv.crypto.Sha256;
import dev.bkv.firmware.FirmwareOptions;
import dev.bkv.firmware.ReplicaStorage;
import dev.bkv.firmware.ReplicatedVault;
import dev.bkv.storage.AesGcmSealer;
import dev.bkv.storage.Disk;
import dev.bkv.storage.FileDisk;
import dev.bkv.storage.MemoryDisk;
import dev.bkv.storage.StorageException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * A replicated vault fleet of 3, 5 or 7 HSMs in this JVM, driven by one deterministic host
 * loop on the calling thread: every output is performed as the core's host contract says
 * (NVRAM, then the sealed-log write and {@code onLogWritten} at once, then the messages), and
 * messages travel as MAC'd bytes through one FIFO queue to the target's
 * {@code onPeerMessage}. Nothing runs in parallel, so a figure is the work of the whole fleet
 * on one thread: every HSM's sealing, MACs, decoding and (with {@link Storage#FSYNC}) fsyncs,
 * one after another, where a real fleet does the followers' share concurrently on other
 * machines.
 *
 * <p>Use: {@link #start} (elects HSM 0 and commits its first no-op), {@link #registerUsers}
 * (so that guesses count), then {@link #countGuesses}; {@link #close} removes the files.
 * Anything unexpected (a refusal, a drop, a leader change, a guess that is not counted, no
 * commit within {@link #ROUNDS_MAX} rounds) throws rather than being measured.
 */
public final class FleetCluster implements AutoCloseable {
  /** Fleet sizes: 3, 5 or 7 HSMs, the sizes the baseline runs. */
  public static final int NODES_MIN = 3;
  public static final int NODES_MAX = 7;
  /** Datacenters the HSMs are placed in, round-robin (so no datacenter holds a majority). */
  public static final int DATACENTERS = 3;
  /** Guesses one call commits: one client batch, one log write ({@code entriesPerRequestMax}). */
  public static final int BATCH_MAX = 256;
  /** Heartbeat-and-deliver rounds one commit may take; a healthy fleet needs one or two. */
  static final int ROUNDS_MAX = 16;
  /** Wrong guesses each benchmark user may make before {@link #registerUsers} resets them. */
  static final int MAX_ATTEMPTS = 255;
  static final int RECORD_BYTES = 129;
  static final int BACKUP_KEY_BYTES = 32;
  static final byte[] FLEET_ID = "bench-fleet".getBytes(StandardCharsets.US_ASCII);
  /** A fixed, public test secret: the peer keys protect nothing here. */
  static final byte[] FLEET_SECRET = Sha256.hash("BKV bench fleet secret".getBytes(StandardCharsets.US_ASCII));

  /** Where each HSM's sealed log lives. */
  public enum Storage {
    /** {@link MemoryDisk}: sealing and framing cost, {@code sync} costs nothing. */
    MEMORY,
    /** {@link FileDisk} in a temporary directory per HSM, fsync on every write. */
    FSYNC
  }

  /** Sees every vault step of every HSM after the host performed its output (the OPAQUE layer hooks in here). */
  public interface Listener {
    void onStep(int node, ReplicatedVault.Step step);
  }

  private record Delivery(int dest, byte[] bytes) {}

  private final List<ReplicatedVault> vaults = new ArrayList<>();
  private final List<ReplicaStorage> storages = new ArrayList<>();
  private final ArrayDeque<Delivery> network = new ArrayDeque<>();
  private final Path dir;
  private final List<ReplicatedVault.Released> released = new ArrayList<>();
  private final List<ReplicatedVault.Outcome> failed = new ArrayList<>();
  private Listener listener = (node, step) -> {};
  private long nextRequestId = 1;
  private FleetUsers users;

  private FleetCluster(Path dir) {
    this.dir = dir;
  }

  /** Creates {@code nodes} HSMs, elects HSM 0 and commits its no-op. */
  public static FleetCluster start(int nodes, Storage storage) {
    if (nodes < NODES_MIN || nodes > NODES_MAX) {
      throw new IllegalArgumentException("fleet size must be in [" + NODES_MIN + ", " + NODES_MAX + "], got " + nodes);
    }
    FleetCluster cluster;
    try {
      cluster = new FleetCluster(storage == Storage.FSYNC ? Files.createTempDirectory("bkv-fleet-bench") : null);
    } catch (IOException e) {
      throw new IllegalStateException("cannot create a temporary directory for the fleet's logs: " + e.getMessage(), e);
    }
    try {
      cluster.boot(nodes);
      return cluster;
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  private void boot(int nodes) {
    List<String> placement = new ArrayList<>();
    for (int i = 0; i < nodes; i++) {
      placement.add("dc" + (i % DATACENTERS));
    }
    Membership membership = Membership.of(placement);
    PeerKeys keys = PeerKeys.derive(FLEET_SECRET, FLEET_ID, nodes);
    for (int i = 0; i < nodes; i++) {
      byte[] context = (new String(FLEET_ID, StandardCharsets.US_ASCII) + "/hsm" + i).getBytes(StandardCharsets.US_ASCII);
      byte[] sealKey = Sha256.hash(("BKV bench seal key " + i).getBytes(StandardCharsets.US_ASCII));
      try {
        Disk disk = dir == null ? new MemoryDisk() : new FileDisk(dir.resolve("hsm" + i));
        storages.add(ReplicaStorage.open(ReplicaStorage.NvramCell.inMemory(), disk, new AesGcmSealer(sealKey, new Random(i)), context));
      } catch (StorageException e) {
        throw new IllegalStateException("HSM " + i + " storage: " + e.getMessage(), e);
      }
      vaults.add(ReplicatedVault.create(i, membership, keys, ReplicatedVault.Limits.defaults(),
          FirmwareOptions.PRODUCTION, Nvram.INITIAL, RecoveredLog.EMPTY));
    }
    process(0, vaults.get(0).onElectionTimeout());
    deliverAll();
    if (vaults.get(0).core().role() != ReplicaCore.Role.LEADER) {
      throw new IllegalStateException("HSM 0 was not elected: " + vaults.get(0).core());
    }
    // A new leader appends a no-op of its term on its first tick; the next ticks send and commit it.
    for (int round = 0; !leaderCommittedItsTerm(); round++) {
      if (round >= ROUNDS_MAX) {
        throw new IllegalStateException("the first leader's no-op did not commit within " + ROUNDS_MAX + " rounds");
      }
      round();
    }
    users = new FleetUsers(this);
  }

  private boolean leaderCommittedItsTerm() {
    ReplicaCore core = vaults.get(leader()).core();
    return core.commitIndex() >= 1 && core.termAt(core.commitIndex()) == core.currentTerm();
  }

  public int size() {
    return vaults.size();
  }

  /** The leader: HSM 0, elected at start; nothing here ever deposes it. */
  public int leader() {
    return 0;
  }

  public ReplicatedVault vault(int node) {
    return vaults.get(node);
  }

  public ReplicaStorage storage(int node) {
    return storages.get(node);
  }

  /** The directory holding one log directory per HSM (FSYNC only). */
  public java.util.Optional<Path> logDirectory() {
    return java.util.Optional.ofNullable(dir);
  }

  public void listen(Listener listener) {
    this.listener = listener;
  }

  /** The users whose guesses count (none until {@link #registerUsers}). */
  public FleetUsers users() {
    return users;
  }

  /** Registers (or re-registers, resetting their counts) {@code count} users; see {@link FleetUsers}. */
  public void registerUsers(int count) {
    users.register(count);
  }

  /**
   * Submits {@code batch} guesses for the registered users in turn, in ONE {@code submit}
   * (one log write on the leader), drives heartbeats and delivery until every one is
   * released, and returns them in log order.
   */
  public List<ReplicatedVault.Released> countGuesses(int batch) {
    return users.countGuesses(batch);
  }

  /** Submits the requests in one batch and drives the fleet until all are released. */
  List<ReplicatedVault.Released> commit(List<ReplicatedVault.Request> requests) {
    if (requests.isEmpty() || requests.size() > BATCH_MAX) {
      throw new IllegalArgumentException("a batch has 1.." + BATCH_MAX + " requests, got " + requests.size());
    }
    released.clear();
    process(leader(), vaults.get(leader()).submit(requests));
    for (int round = 0; released.size() < requests.size(); round++) {
      if (round >= ROUNDS_MAX) {
        throw new IllegalStateException(released.size() + " of " + requests.size() + " requests released after "
            + ROUNDS_MAX + " rounds");
      }
      round();
    }
    List<ReplicatedVault.Released> done = new ArrayList<>(released);
    released.clear();
    done.sort(Comparator.comparingLong(ReplicatedVault.Released::index));
    return done;
  }

  long nextRequestIds(int count) {
    long first = nextRequestId;
    nextRequestId += count;
    return first;
  }

  /** One heartbeat on every HSM (the leader first: it sends the entries), then delivery until the network is empty. */
  public void round() {
    for (int i = 0; i < vaults.size(); i++) {
      process(i, vaults.get(i).onHeartbeatTick());
    }
    deliverAll();
  }

  /** Delivers queued messages, and those their handling sends, until none is left. */
  public void deliverAll() {
    Delivery d;
    while ((d = network.poll()) != null) {
      process(d.dest(), vaults.get(d.dest()).onPeerMessage(d.bytes()));
    }
  }

  /** Performs one vault step of {@code node}, then shows it to the listener and collects its outcomes. */
  public void process(int node, ReplicatedVault.Step step) {
    perform(node, step.output());
    listener.onStep(node, step);
    for (ReplicatedVault.Outcome outcome : step.outcomes()) {
      if (outcome instanceof ReplicatedVault.Released) {
        released.add((ReplicatedVault.Released) outcome);
      } else {
        failed.add(outcome);
      }
    }
    if (!failed.isEmpty()) {
      throw new IllegalStateException("HSM " + node + " did not commit a request: " + failed);
    }
  }

  /**
   * The host contract of {@link Output}: NVRAM first; a log write is performed and
   * acknowledged with {@code onLogWritten} before any other input (that step sends what
   * this one held back); otherwise the messages leave now.
   */
  public void perform(int node, Output out) {
    ReplicaStorage storage = storages.get(node);
    ReplicatedVault vault = vaults.get(node);
    try {
      if (out.nvram().isPresent()) {
        storage.writeNvram(out.nvram().get());
      }
      if (out.logWrite().isPresent()) {
        storage.perform(out.logWrite().get());
        process(node, vault.onLogWritten());
        return;
      }
    } catch (StorageException e) {
      throw new IllegalStateException("HSM " + node + " storage: " + e.getMessage(), e);
    }
    for (Message m : out.messages()) {
      network.add(new Delivery(m.dest(), vault.core().encode(m)));
    }
  }

  /** Removes the log files (FSYNC); the HSMs are only objects and need nothing. */
  @Override
  public void close() {
    if (dir == null) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot remove " + dir + ": " + e.getMessage(), e);
    }
  }
}
