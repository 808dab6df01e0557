package dev.bkv.node;

import dev.bkv.consensus.Message;
import dev.bkv.consensus.Nvram;
import dev.bkv.consensus.Output;
import dev.bkv.consensus.ReplicaCore;
import dev.bkv.firmware.FleetFirmware;
import dev.bkv.firmware.ReplicaStorage;
import dev.bkv.hsm.FirmwareRequest;
import dev.bkv.hsm.FirmwareResponse;
import dev.bkv.storage.StorageException;
import dev.bkv.trace.TraceLines;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * One HSM as a process, transport-agnostic: a single event-loop thread owns the {@link
 * FleetFirmware}, its {@link ReplicaStorage} and the real-time timers, as {@code
 * LocalFleet}'s host shell owns them on ticks. Inputs (peer message bytes, client requests,
 * status reads) are queued to that thread; a step's writes are performed in order before its
 * messages go to {@link PeerLinks}. A storage error stops the node: it answers nothing more
 * (an HSM whose disk failed must not go on as if its writes were durable).
 *
 * <p>Group commit: one turn of the loop runs every input queued (up to {@link
 * #TURN_INPUTS_MAX}) and the timers, appending each step's log records without their fsync;
 * then ONE sync makes them durable, the NVRAM record is written, and only then do the turn's
 * messages and client answers leave. Nothing outside the node learns of a record before it
 * is durable; a crash mid-turn leaves the log as after one of the turn's writes and NVRAM's
 * head at or behind it, as a crash between a log write and its NVRAM write does. An NVRAM
 * change beyond the log head (term, vote, catch-up) is written at once, after the records
 * before it, as in the one-step-at-a-time order.
 */
public final class NodeHost implements AutoCloseable {
  /** Peer messages queued for the loop; past this {@link #offerPeerMessage} refuses (the sender resends). */
  public static final int PEER_INBOX_MESSAGES_MAX = 4096;
  /** Client requests queued or awaiting their answer; past this a request is refused as busy. */
  public static final int CLIENT_REQUESTS_MAX = 1024;
  /** Inputs one turn of the loop runs before its single sync: bounds what a turn holds back. */
  public static final int TURN_INPUTS_MAX = 128;
  /** Milliseconds {@link #close} waits for the loop to finish its current step. */
  private static final long STOP_WAIT_MILLIS = 5_000;

  /** A client answer, with the leader this node knew when it answered (-1: none), for {@code Bkv-Leader}. */
  public record Reply(FirmwareResponse response, int leaderHint) {}

  private record Pending(CompletableFuture<Reply> future, long deadlineNanos) {}

  /** A client answer of this turn, sent once the turn's writes are durable. */
  private record Held(CompletableFuture<Reply> future, Reply reply) {}

  /** A peer message of this turn, sent once the turn's writes are durable. */
  private record Outgoing(int dest, byte[] bytes) {}

  private final NodeConfig config;
  private final NodeBoot.Booted booted;
  private final FleetFirmware firmware;
  private final PeerLinks links;
  private final TraceLines trace;
  private final Consumer<String> onFailure;
  private final SplittableRandom timers;
  private final LinkedBlockingQueue<Runnable> tasks = new LinkedBlockingQueue<>();
  private final AtomicInteger peerQueued = new AtomicInteger();
  private final AtomicInteger clientRequests = new AtomicInteger();
  private final LinkedHashMap<Long, Pending> pending = new LinkedHashMap<>();
  private final long[] lastContactNanos;
  private final long startedNanos = System.nanoTime();
  private final Thread loop;
  private volatile boolean running = true;
  private volatile String failure;
  private long nextRequestId = 1;
  private final List<Held> heldAnswers = new ArrayList<>();
  private final List<Outgoing> heldMessages = new ArrayList<>();
  /** The NVRAM record this turn moved only the log head of, written at its end. */
  private Optional<Nvram> heldNvram = Optional.empty();
  /** The NVRAM record last written (as the core holds it at boot when none was written since). */
  private Nvram writtenNvram;
  /** Fsyncs of the sealed log since start, as of the last turn's end. */
  private volatile long logSyncs;
  private long electionDeadlineNanos;
  private long heartbeatDueNanos;

  private NodeHost(NodeConfig config, NodeBoot.Booted booted, PeerLinks links, TraceLines trace,
      Consumer<String> onFailure, SecureRandom random) {
    this.config = config;
    this.booted = booted;
    this.firmware = booted.firmware();
    this.links = links;
    this.trace = trace;
    this.onFailure = onFailure;
    this.timers = new SplittableRandom(random.nextLong());
    this.lastContactNanos = new long[booted.fleet().members().size()];
    this.writtenNvram = booted.firmware().vault().core().nvram();
    java.util.Arrays.fill(lastContactNanos, -1);
    long now = System.nanoTime();
    resetElectionTimer(now);
    heartbeatDueNanos = now;
    this.loop = new Thread(this::run, "bkv-node-" + config.member());
    loop.setDaemon(true);
  }

  /**
   * Boots the node (refused with one line when the config does not describe this HSM in this
   * fleet) and starts its loop. {@code traceFile}: where to append the vault's trace events as
   * JSON lines. {@code onFailure} hears, once, the line saying why the node stopped by itself.
   */
  public static NodeHost start(NodeConfig config, PeerLinks links, Optional<Path> traceFile, Consumer<String> onFailure)
      throws NodeException {
    SecureRandom random = new SecureRandom();
    NodeBoot.Booted booted = NodeBoot.boot(config, random, traceFile.isPresent());
    TraceLines trace = null;
    if (traceFile.isPresent()) {
      try {
        trace = new TraceLines(Files.newBufferedWriter(traceFile.get(), StandardCharsets.UTF_8,
            StandardOpenOption.CREATE, StandardOpenOption.APPEND), System::nanoTime, config.fleetId(), config.member());
      } catch (IOException e) {
        throw new NodeException("trace file " + traceFile.get() + ": " + e.getMessage(), e);
      }
      booted.firmware().vault().traceTo(trace);
      try {
        // The boot is the spec's Restart(i): the trace shows the state this HSM came up in (its
        // NVRAM and the log the host handed back). Booting again from the same storage changes
        // nothing and writes nothing.
        booted.firmware().vault().restart(booted.storage().readNvram(), booted.storage().recovered());
      } catch (StorageException e) {
        throw new NodeException("storage in " + config.dataDir() + ": " + e.getMessage(), e);
      }
    }
    NodeHost host = new NodeHost(config, booted, links, trace, onFailure, random);
    host.loop.start();
    return host;
  }

  public NodeConfig config() {
    return config;
  }

  /** Queues one peer message; false when the inbox is full or the node stopped. Never blocks. */
  public boolean offerPeerMessage(byte[] bytes) {
    if (!running || peerQueued.incrementAndGet() > PEER_INBOX_MESSAGES_MAX) {
      peerQueued.decrementAndGet();
      return false;
    }
    tasks.add(() -> onPeerMessage(bytes));
    return true;
  }

  /** Queues a client request; the future completes with the firmware's answer, or fails with {@link NodeUnavailable}. */
  public CompletableFuture<Reply> request(FirmwareRequest request) {
    CompletableFuture<Reply> future = new CompletableFuture<>();
    if (!running) {
      future.completeExceptionally(stopped());
    } else if (clientRequests.incrementAndGet() > CLIENT_REQUESTS_MAX) {
      clientRequests.decrementAndGet();
      future.completeExceptionally(new NodeUnavailable(NodeUnavailable.Kind.BUSY,
          "node has " + CLIENT_REQUESTS_MAX + " client requests in flight"));
    } else {
      enqueue(new ClientTask(request, future));
    }
    return future;
  }

  /** The node's status, read on its loop between steps (or directly once it stopped). */
  public CompletableFuture<NodeStatus> status() {
    CompletableFuture<NodeStatus> future = new CompletableFuture<>();
    if (!running) {
      future.complete(statusNow());
    } else {
      enqueue(new StatusTask(future));
    }
    return future;
  }

  private final class ClientTask implements Runnable {
    final FirmwareRequest request;
    final CompletableFuture<Reply> future;

    ClientTask(FirmwareRequest request, CompletableFuture<Reply> future) {
      this.request = request;
      this.future = future;
    }

    @Override
    public void run() {
      onClientRequest(request, future);
    }
  }

  private final class StatusTask implements Runnable {
    final CompletableFuture<NodeStatus> future;

    StatusTask(CompletableFuture<NodeStatus> future) {
      this.future = future;
    }

    @Override
    public void run() {
      future.complete(statusNow());
    }
  }

  /** Queues a task; one that lost the race with a stop is answered here, as the loop's drain would have. */
  private void enqueue(Runnable task) {
    tasks.add(task);
    if (!running && tasks.remove(task)) {
      settle(task);
    }
  }

  /** A task the loop will not run: a status read is answered, a client request fails as stopped. */
  private void settle(Runnable task) {
    if (task instanceof StatusTask) {
      ((StatusTask) task).future.complete(statusNow());
    } else if (task instanceof ClientTask) {
      ((ClientTask) task).future.completeExceptionally(stopped());
    }
  }

  /** Why the node stopped by itself (a storage error), if it did. */
  public Optional<String> failure() {
    return Optional.ofNullable(failure);
  }

  // ---------------------------------------------------------------------------------------
  // The loop: only this thread touches the firmware, the storage and the timers.

  private void run() {
    while (running) {
      try {
        long now = System.nanoTime();
        long wake = Math.min(heartbeatDueNanos, electionDeadlineNanos);
        if (!pending.isEmpty()) {
          wake = Math.min(wake, pending.values().iterator().next().deadlineNanos());
        }
        Runnable task = tasks.poll(Math.max(0, wake - now), TimeUnit.NANOSECONDS);
        // Every input already queued joins this turn: its records share the turn's one sync.
        for (int n = 1; task != null && running; n++) {
          task.run();
          task = n < TURN_INPUTS_MAX ? tasks.poll() : null;
        }
        if (running) {
          onTimers(System.nanoTime());
        }
        endTurn();
      } catch (InterruptedException e) {
        running = false;
      } catch (RuntimeException e) {
        stopWith("node loop failed: " + e);
      }
    }
    failAll(stopped());
  }

  private void onPeerMessage(byte[] bytes) {
    peerQueued.decrementAndGet();
    boolean wasLeader = core().role() == ReplicaCore.Role.LEADER;
    FleetFirmware.Step step = firmware.onPeerMessage(bytes);
    Output out = step.output();
    if (out.dropped().isEmpty()) {
      // Authenticated by the HSM's MAC check: this is contact with its sender.
      out.received().ifPresent(m -> lastContactNanos[m.source()] = System.nanoTime());
      boolean follows = core().role() != ReplicaCore.Role.LEADER && core().leaderHint() >= 0;
      // Beyond LocalFleet's rule (a message from a known leader), Raft's (§5.2): granting a
      // vote, or being deposed, also restarts the timer. Without it a deposed leader's stale
      // deadline fires at once and its candidacy disrupts the election it just voted in; on
      // ticks this costs little, on a loaded machine's real clock it can stall elections.
      boolean voted = out.messages().stream().anyMatch(m -> m instanceof Message.Vote);
      boolean deposed = wasLeader && core().role() != ReplicaCore.Role.LEADER;
      if (follows || voted || deposed) {
        resetElectionTimer(System.nanoTime());
      }
    }
    host(step);
  }

  private void onClientRequest(FirmwareRequest request, CompletableFuture<Reply> future) {
    long requestId = nextRequestId++;
    pending.put(requestId, new Pending(future,
        System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.timing().answerTimeoutMillis())));
    if (request.kind() == FirmwareRequest.Kind.REGISTER_START && core().role() != ReplicaCore.Role.LEADER) {
      // The firmware answers a registration start on any HSM, but its upload is accepted only
      // by the HSM that started it, and only a leader appends: a start on a follower could
      // never finish, so the host sends the client to the leader first.
      host(new FleetFirmware.Step(new Output(), List.of(new FleetFirmware.Answer(requestId,
          new FirmwareResponse.Refused(FirmwareResponse.Reason.NOT_LEADER, core().leaderHint() < 0
              ? "not the leader; no leader known" : "not the leader; leader: HSM " + core().leaderHint())))));
      return;
    }
    host(firmware.handle(requestId, request));
  }

  private void onTimers(long now) {
    if (now >= heartbeatDueNanos) {
      // Every HSM's timer: a leader sends, and every HSM compacts its log when due.
      heartbeatDueNanos = now + TimeUnit.MILLISECONDS.toNanos(config.timing().heartbeatMillis());
      host(firmware.onHeartbeatTick());
    }
    if (running && core().role() != ReplicaCore.Role.LEADER && now >= electionDeadlineNanos) {
      resetElectionTimer(now);
      host(firmware.onElectionTimeout());
    }
    // Answers are due in request order, so the oldest pending request expires first.
    for (Iterator<Pending> it = pending.values().iterator(); it.hasNext(); ) {
      Pending p = it.next();
      if (p.deadlineNanos() > now) {
        break;
      }
      it.remove();
      clientRequests.decrementAndGet();
      p.future().completeExceptionally(new NodeUnavailable(NodeUnavailable.Kind.TIMEOUT,
          "no answer within " + config.timing().answerTimeoutMillis() + " ms"));
    }
  }

  /**
   * Performs a step's writes in order (log appends unsynced until {@link #endTurn}); holds its
   * messages and client answers for the end of the turn (as LocalFleet's host releases them).
   */
  private void host(FleetFirmware.Step step) {
    for (FleetFirmware.Answer answer : step.answers()) {
      Pending p = pending.remove(answer.requestId());
      if (p != null) {
        heldAnswers.add(new Held(p.future(), new Reply(answer.response(), leaderHint())));
      }
    }
    if (!running) {
      return;
    }
    Output out = step.output();
    try {
      if (out.nvram().isPresent()) {
        writeNvram(out.nvram().get());
      }
      if (out.logWrite().isPresent()) {
        booted.storage().performUnsynced(out.logWrite().get());
        if (core().role() == ReplicaCore.Role.LEADER && out.appended().isPresent()) {
          // New entries: replicate them at once rather than at the next heartbeat.
          heartbeatDueNanos = System.nanoTime();
        }
        host(firmware.onLogWritten());
        return;
      }
    } catch (StorageException e) {
      stopWith("storage error in " + config.dataDir() + ": " + e.getMessage());
      return;
    }
    for (Message m : out.messages()) {
      heldMessages.add(new Outgoing(m.dest(), core().encode(m)));
    }
  }

  /**
   * A head-only move waits for the end of the turn (the log records it names are synced
   * first); any other change is written now, after the records before it.
   */
  private void writeNvram(Nvram next) throws StorageException {
    if (next.currentTerm() == writtenNvram.currentTerm() && next.votedFor() == writtenNvram.votedFor()
        && next.catchUp() == writtenNvram.catchUp()) {
      heldNvram = Optional.of(next);
      return;
    }
    booted.storage().writeNvram(next);
    writtenNvram = next;
    heldNvram = Optional.empty();
  }

  /** The turn's one sync and NVRAM write, then its messages and answers leave; a storage error sends nothing. */
  private void endTurn() {
    if (running) {
      try {
        booted.storage().syncLog();
        if (heldNvram.isPresent()) {
          booted.storage().writeNvram(heldNvram.get());
          writtenNvram = heldNvram.get();
          heldNvram = Optional.empty();
        }
        logSyncs = booted.storage().syncs();
      } catch (StorageException e) {
        stopWith("storage error in " + config.dataDir() + ": " + e.getMessage());
      }
    }
    if (running) {
      for (Outgoing m : heldMessages) {
        links.send(m.dest(), m.bytes());
      }
    }
    heldMessages.clear();
    for (Held h : heldAnswers) {
      clientRequests.decrementAndGet();
      if (running) {
        h.future().complete(h.reply());
      } else {
        h.future().completeExceptionally(stopped());
      }
    }
    heldAnswers.clear();
  }

  /** Fsyncs of this node's sealed log since it started: one per turn that appended, however many records. */
  public long logSyncs() {
    return logSyncs;
  }

  private ReplicaCore core() {
    return firmware.vault().core();
  }

  private int leaderHint() {
    return core().role() == ReplicaCore.Role.LEADER ? core().self() : core().leaderHint();
  }

  private void resetElectionTimer(long now) {
    long min = config.timing().electionTimeoutMinMillis();
    long spread = config.timing().electionTimeoutMaxMillis() - min;
    electionDeadlineNanos = now + TimeUnit.MILLISECONDS.toNanos(min + (spread == 0 ? 0 : timers.nextLong(spread + 1)));
  }

  private NodeStatus statusNow() {
    ReplicaCore core = core();
    long now = System.nanoTime();
    List<NodeStatus.PeerContact> peers = new ArrayList<>();
    for (int i = 0; i < lastContactNanos.length; i++) {
      if (i != config.member()) {
        long at = lastContactNanos[i];
        peers.add(new NodeStatus.PeerContact(i, at < 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(now - at)));
      }
    }
    String role = core.role() == ReplicaCore.Role.LEADER ? "leader"
        : core.role() == ReplicaCore.Role.CANDIDATE ? "candidate" : "follower";
    return new NodeStatus(config.fleetId(), config.member(), booted.hsmId(), config.datacenter(), role,
        core.currentTerm(), core.commitIndex(), leaderHint(), core.abstains(), failure == null ? "ok" : failure, peers,
        TimeUnit.NANOSECONDS.toMillis(now - startedNanos));
  }

  private void stopWith(String reason) {
    if (failure == null) {
      failure = reason;
      running = false;
      onFailure.accept(reason);
    }
  }

  private NodeUnavailable stopped() {
    return new NodeUnavailable(NodeUnavailable.Kind.STOPPED, failure != null ? "node stopped: " + failure : "node stopped");
  }

  private void failAll(NodeUnavailable why) {
    for (Held h : heldAnswers) {
      h.future().completeExceptionally(why); // a turn cut short: its writes were never synced
    }
    heldAnswers.clear();
    for (Pending p : pending.values()) {
      p.future().completeExceptionally(why);
    }
    pending.clear();
    for (Runnable task; (task = tasks.poll()) != null; ) {
      settle(task); // queued peer messages are dropped
    }
  }

  /** Stops the loop after its current step; requests still waiting fail with STOPPED. */
  @Override
  public void close() {
    running = false;
    tasks.add(() -> {});
    try {
      loop.join(STOP_WAIT_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (trace != null) {
      try {
        trace.close();
      } catch (IOException ignored) {
        // Every line was flushed when written.
      }
    }
  }
}
