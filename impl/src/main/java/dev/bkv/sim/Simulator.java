package dev.bkv.sim;

import dev.bkv.consensus.LogWrite;
import dev.bkv.consensus.Membership;
import dev.bkv.consensus.Message;
import dev.bkv.consensus.Nvram;
import dev.bkv.consensus.PeerCodec;
import dev.bkv.consensus.PeerKeys;
import dev.bkv.consensus.RecoveredLog;
import dev.bkv.consensus.ReplicaCore;
import dev.bkv.crypto.HmacSha256;
import dev.bkv.firmware.FirmwareOptions;
import dev.bkv.firmware.ReplicatedVault;
import dev.bkv.trace.TraceEvent;
import dev.bkv.trace.TraceSink;
import dev.bkv.vault.RegistrationId;
import dev.bkv.vault.Response;
import dev.bkv.vault.UserId;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * A deterministic simulation of a whole fleet from one seed: N {@link ReplicatedVault}s, the
 * host shell around each (election timer, heartbeat, NVRAM and sealed-log writes in the
 * order {@code Output} asks, sends), the host-owned network and disks with their faults, and
 * the clients. Time is ticks; one {@link SplittableRandom} drives everything; no clock, no
 * threads. The {@link Checker} runs after every step (every call into an HSM).
 *
 * <p>After the schedule's last event, the fleet heals: every HSM that is not destroyed is up
 * and connected, the network delivers, and every client operation still outstanding must
 * complete within {@link #G9_TICKS_MAX} (G9).
 */
public final class Simulator {
  /** G9: after healing, every outstanding client operation completes within this many ticks. */
  public static final long G9_TICKS_MAX = 3_000;
  /** Randomized election timeout, in ticks (the core has no timer; the host's shell does). */
  public static final int ELECTION_TICKS_MIN = 12;
  public static final int ELECTION_TICKS_MAX = 24;
  /** A leader's heartbeat period, in ticks. */
  public static final int HEARTBEAT_TICKS = 3;
  /** A crashed HSM stays down at most this long (schedule arguments are taken modulo it). */
  public static final int DOWN_TICKS_MAX = 200;
  /** Messages tampered, misdirected or replayed per event, at most. */
  public static final int PER_EVENT_MAX = 50;
  private static final long NONE = -1;

  private final Schedule schedule;
  private final SplittableRandom random;
  /** The disks' own choices (keys, tears), apart so that they never shift the schedule's draws. */
  private final SplittableRandom diskRandom;
  private final int n;
  private final ReplicatedVault[] nodes;
  private final Nvram[] nvram;
  private final SimDisk[] disks;
  private final boolean[] destroyed;
  private final boolean[] damaged;
  private final long[] downUntil;
  private final long[] electionAt;
  private final boolean[] tornNext;
  private final long[] unsyncedUntil;
  private final SimNetwork network;
  private final SimClients clients;
  private final Checker checker;
  private final Membership membership;
  private final TraceSink trace;
  private final long seed;
  private int tamperLeft;
  private long tick;
  private long steps;
  private long released;
  private long requestIds;
  private boolean datacenterLost;

  private Simulator(Schedule schedule, long seed, FirmwareOptions options, SimDisk.Factory diskFactory,
      TraceSink trace) {
    this.schedule = schedule;
    this.seed = seed;
    this.trace = trace;
    this.random = new SplittableRandom(seed);
    this.diskRandom = new SplittableRandom(~seed);
    this.n = schedule.hsms();
    this.membership = Membership.of(schedule.datacenterNames(), options.core());
    byte[] secret = new byte[32];
    for (int k = 0; k < secret.length; k++) {
      secret[k] = (byte) random.nextInt(256);
    }
    PeerKeys keys = PeerKeys.derive(secret, "bkv-sim".getBytes(StandardCharsets.US_ASCII), n);
    ReplicatedVault.Limits limits = new ReplicatedVault.Limits(
        new ReplicaCore.Limits(schedule.batch(), ReplicaCore.Limits.defaults().entriesPerRequestMax()), 1024,
        schedule.snapshotEvery());
    nodes = new ReplicatedVault[n];
    nvram = new Nvram[n];
    disks = new SimDisk[n];
    for (int i = 0; i < n; i++) {
      nvram[i] = Nvram.INITIAL;
      disks[i] = diskFactory.create(i, diskRandom.nextLong());
      nodes[i] = ReplicatedVault.create(i, membership, keys, limits, options, Nvram.INITIAL, RecoveredLog.EMPTY);
      nodes[i].traceTo(trace);
    }
    destroyed = new boolean[n];
    damaged = new boolean[n];
    downUntil = new long[n];
    electionAt = new long[n];
    tornNext = new boolean[n];
    unsyncedUntil = new long[n];
    for (int i = 0; i < n; i++) {
      electionAt[i] = electionTimeout(0);
      unsyncedUntil[i] = NONE;
    }
    network = new SimNetwork(random, n);
    clients = new SimClients(random, new ClientHost(), schedule.users());
    checker = new Checker(nodes, destroyed);
  }

  /** Runs {@code schedule} with production firmware. */
  public static SimResult run(Schedule schedule, long seed) {
    return run(schedule, seed, FirmwareOptions.PRODUCTION);
  }

  /**
   * Runs {@code schedule} from {@code seed} with HSMs built with {@code options}. Throws
   * {@link IllegalArgumentException} when the membership refuses the schedule's placement.
   */
  public static SimResult run(Schedule schedule, long seed, FirmwareOptions options) {
    return run(schedule, seed, options, SimDisk.versioned());
  }

  /** As {@link #run(Schedule, long, FirmwareOptions)}, with each HSM's disk built by {@code disks}. */
  public static SimResult run(Schedule schedule, long seed, FirmwareOptions options, SimDisk.Factory disks) {
    return new Simulator(schedule, seed, options, disks, TraceSink.NONE).run();
  }

  /**
   * As {@link #run(Schedule, long, FirmwareOptions)}, emitting the run's spec actions to
   * {@code trace}. A traced schedule must be {@link Schedule#isTraceable() traceable} (the
   * spec's one entry per AppendEntries and no snapshots). Tracing draws no randomness: the
   * result is the untraced run's.
   */
  public static SimResult run(Schedule schedule, long seed, FirmwareOptions options, TraceSink trace) {
    return run(schedule, seed, options, SimDisk.versioned(), trace);
  }

  /** As {@link #run(Schedule, long, FirmwareOptions, TraceSink)}, with each HSM's disk built by {@code disks}. */
  public static SimResult run(Schedule schedule, long seed, FirmwareOptions options, SimDisk.Factory disks,
      TraceSink trace) {
    if (trace.enabled() && !schedule.isTraceable()) {
      throw new IllegalArgumentException("a traced run needs batch=1 and snap=" + Schedule.SNAPSHOT_NEVER + ", got batch="
          + schedule.batch() + " snap=" + schedule.snapshotEvery() + " (see Schedule.traceable())");
    }
    return new Simulator(schedule, seed, options, disks, trace).run();
  }

  /** The trace's header: the fleet, its sites (HSMs per non-empty datacenter), the users, the run. */
  private TraceEvent.Init traceHeader() {
    List<List<Integer>> sites = new ArrayList<>();
    for (int dc = 0; dc < Schedule.DATACENTERS_MAX; dc++) {
      List<Integer> site = membership.hsmsIn("dc" + dc);
      if (!site.isEmpty()) {
        sites.add(site);
      }
    }
    return new TraceEvent.Init(n, sites, clients.users(), Long.toString(seed), schedule.toString());
  }

  private SimResult run() {
    Optional<Violation> violation = Optional.empty();
    long end = schedule.faultsEnd();
    int next = 0;
    List<Schedule.Event> events = schedule.events();
    if (trace.enabled()) {
      trace.record(traceHeader());
    }
    try {
      for (tick = 0;; tick++) {
        if (tick == end) {
          heal();
        }
        if (tick > end && clients.idle()) {
          break;
        }
        if (tick > end + G9_TICKS_MAX) {
          throw new Violation.Found(new Violation("G9", steps, tick, "client operations still outstanding "
              + G9_TICKS_MAX + " ticks after the fleet healed: " + clients.outstanding() + fleetState()));
        }
        for (; next < events.size() && events.get(next).tick() == tick; next++) {
          execute(events.get(next));
        }
        for (int i = 0; i < n; i++) {
          if (unsyncedUntil[i] == tick) {
            unsyncedUntil[i] = NONE;
            crash(i, 1 + random.nextInt(DOWN_TICKS_MAX / 4));
          }
        }
        for (SimNetwork.Packet p = network.nextDue(tick); p != null; p = network.nextDue(tick)) {
          if (up(p.to())) {
            handle(p.to(), nodes[p.to()].onPeerMessage(p.bytes()), Checker.UNCHANGED);
          }
        }
        timers();
        clients.tick(tick);
      }
    } catch (Violation.Found found) {
      violation = Optional.of(found.violation);
    } catch (RuntimeException e) {
      violation = Optional.of(new Violation("FirmwareAssertion", steps, tick, e.toString()));
    }
    return new SimResult(steps, tick, released, checker.committedCount(), network.sent(), violation);
  }

  private void timers() {
    for (int i = 0; i < n; i++) {
      if (!up(i)) {
        continue;
      }
      ReplicaCore core = nodes[i].core();
      if (core.role() == ReplicaCore.Role.LEADER) {
        if (tick % HEARTBEAT_TICKS == i % HEARTBEAT_TICKS) {
          handle(i, nodes[i].onHeartbeatTick(), Checker.UNCHANGED);
        }
      } else if (tick >= electionAt[i]) {
        electionAt[i] = electionTimeout(tick);
        handle(i, nodes[i].onElectionTimeout(), Checker.UNCHANGED);
      }
    }
  }

  private long electionTimeout(long now) {
    return now + ELECTION_TICKS_MIN + random.nextInt(ELECTION_TICKS_MAX - ELECTION_TICKS_MIN + 1);
  }

  /**
   * The host shell around one step: NVRAM first, then the log write and
   * {@code onLogWritten()} (whose output carries the held messages), otherwise the sends.
   */
  private void handle(int i, ReplicatedVault.Step step, long changedFrom) {
    steps++;
    var out = step.output();
    out.nvram().ifPresent(v -> nvram[i] = v);
    Optional<LogWrite> write = out.logWrite();
    long from = write.map(Simulator::changedFrom).orElse(changedFrom);
    checker.afterStep(steps, tick, i, step, from);
    for (ReplicatedVault.Outcome o : step.outcomes()) {
      if (o instanceof ReplicatedVault.Released) {
        released++;
      }
      clients.outcome(i, o, tick);
    }
    if (write.isPresent()) {
      if (tornNext[i]) {
        // Torn write: the power fails during the log write or right after it; the NVRAM
        // head is not written, nothing was sent.
        tornNext[i] = false;
        disks[i].writeTorn(write.get(), diskRandom.nextLong());
        crash(i, 1 + random.nextInt(DOWN_TICKS_MAX / 4));
        return;
      }
      disks[i].write(write.get(), unsyncedUntil[i] == NONE);
      handle(i, nodes[i].onLogWritten(), Checker.UNCHANGED);
      return;
    }
    boolean heard = false;
    for (Message m : out.messages()) {
      heard |= m instanceof Message.AppendAck || m instanceof Message.Vote;
      send(i, m);
    }
    if (heard) {
      electionAt[i] = electionTimeout(tick);
    }
  }

  private static long changedFrom(LogWrite write) {
    if (write instanceof LogWrite.Append) {
      return ((LogWrite.Append) write).keepThrough() + 1;
    }
    return write instanceof LogWrite.InstallSnapshot ? 0 : Checker.UNCHANGED;
  }

  private void send(int i, Message m) {
    byte[] bytes = nodes[i].core().encode(m);
    if (tamperLeft > 0) {
      tamperLeft--;
      if (random.nextBoolean()) {
        bytes = bytes.clone();
        bytes[random.nextInt(bytes.length)] ^= (byte) (1 << random.nextInt(8));
      } else {
        byte[] key = new byte[32];
        for (int k = 0; k < key.length; k++) {
          key[k] = (byte) random.nextInt(256);
        }
        bytes = PeerCodec.encodeWithKey(tampered(m), new HmacSha256.Key(key));
      }
    }
    network.send(tick, i, m.dest(), bytes);
  }

  /** What a tampering host would change: acknowledge more, claim a better log, or a later term. */
  private static Message tampered(Message m) {
    if (m instanceof Message.AppendAck) {
      Message.AppendAck a = (Message.AppendAck) m;
      return new Message.AppendAck(a.term(), a.source(), a.dest(), true, a.matchIndex() + 1000);
    }
    if (m instanceof Message.RequestVote) {
      Message.RequestVote r = (Message.RequestVote) m;
      return new Message.RequestVote(r.term(), r.source(), r.dest(), r.lastLogTerm() + 5, r.lastLogIndex() + 5);
    }
    if (m instanceof Message.AppendEntries) {
      Message.AppendEntries a = (Message.AppendEntries) m;
      return new Message.AppendEntries(a.term() + 1, a.source(), a.dest(), a.prevLogIndex(), a.prevLogTerm(),
          a.entries(), a.commitIndex());
    }
    return m;
  }

  // ---------------------------------------------------------------------------------------
  // Faults

  private void execute(Schedule.Event e) {
    int a = e.a();
    int b = e.b();
    int hsm = a % n;
    switch (e.kind()) {
      case CRASH:
        if (!destroyed[hsm]) {
          crash(hsm, 1 + b % DOWN_TICKS_MAX);
        }
        break;
      case TORN:
        if (mayDamage(hsm)) {
          damaged[hsm] = true;
          tornNext[hsm] = true;
        }
        break;
      case LOST_FSYNC:
        if (mayDamage(hsm) && unsyncedUntil[hsm] == NONE) {
          damaged[hsm] = true;
          unsyncedUntil[hsm] = Math.min(tick + 1 + b % DOWN_TICKS_MAX, schedule.faultsEnd());
        }
        break;
      case ROLLBACK:
        if (mayDamage(hsm) && disks[hsm].versions() > 1) {
          damaged[hsm] = true;
          int version = b % disks[hsm].versions();
          if (version == disks[hsm].current()) {
            version = (version + 1) % disks[hsm].versions();
          }
          disks[hsm].handBack(version);
          restart(hsm, 1 + random.nextInt(DOWN_TICKS_MAX / 4));
        }
        break;
      case BIT_FLIP:
        if (mayDamage(hsm)) {
          RecoveredLog log = disks[hsm].read();
          long last = log.snapshot().map(s -> s.lastIndex()).orElse(0L) + log.entries().size();
          if (last > 0) {
            damaged[hsm] = true;
            disks[hsm].damage(1 + b % last);
            restart(hsm, 1 + random.nextInt(DOWN_TICKS_MAX / 4));
          }
        }
        break;
      case PARTITION:
        network.partition(a);
        break;
      case ISOLATE_LEADER:
        for (int i = 0; i < n; i++) {
          if (up(i) && nodes[i].core().role() == ReplicaCore.Role.LEADER) {
            network.isolate(i);
            break;
          }
        }
        break;
      case HEAL:
        network.heal();
        break;
      case LOSSY:
        network.lossy(a, b);
        break;
      case DELAY:
        network.delay(a);
        break;
      case REPLAY:
        network.replay(tick, Math.min(a, PER_EVENT_MAX));
        break;
      case TAMPER:
        tamperLeft = Math.min(a, PER_EVENT_MAX);
        break;
      case MISDIRECT:
        network.misdirect(Math.min(a, PER_EVENT_MAX));
        break;
      case LOSE_DC:
        loseDatacenter("dc" + (a % Schedule.DATACENTERS_MAX));
        break;
      case REGISTER:
        clients.enqueue(SimClients.OpKind.REGISTER, a, 1);
        break;
      case LOGIN:
        clients.enqueue(b % 2 == 1 ? SimClients.OpKind.LOGIN_RIGHT : SimClients.OpKind.LOGIN_WRONG, a, 0);
        break;
      case ATTACK:
        clients.enqueue(SimClients.OpKind.LOGIN_WRONG, a, 1 + b % SimClients.QUEUE_MAX);
        break;
      case REPLAY_LOGIN:
        clients.replayLogins(b);
        break;
      case STATUS:
        clients.enqueue(SimClients.OpKind.STATUS, a, 1);
        break;
      default:
        throw new AssertionError(e);
    }
  }

  /** The spec's budget: HSMs ever rolled back, torn, corrupted or destroyed stay a minority. */
  private boolean mayDamage(int hsm) {
    if (destroyed[hsm]) {
      return false;
    }
    int lost = 1;
    for (int i = 0; i < n; i++) {
      if (i != hsm && (damaged[i] || destroyed[i])) {
        lost++;
      }
    }
    return !membership.isMajority(lost);
  }

  private void loseDatacenter(String dc) {
    List<Integer> hsms = membership.hsmsIn(dc);
    if (datacenterLost || hsms.isEmpty()) {
      return;
    }
    // LoseDatacenter: once, and when other HSMs already failed, the loss keeps them a minority.
    int lost = 0;
    boolean anyDamaged = false;
    for (int i = 0; i < n; i++) {
      anyDamaged |= damaged[i];
      if (damaged[i] || hsms.contains(i)) {
        lost++;
      }
    }
    if (anyDamaged && membership.isMajority(lost)) {
      return;
    }
    datacenterLost = true;
    for (int i : hsms) {
      destroyed[i] = true;
      // A destroyed HSM is never crashed or restarted again: its pending faults go with it.
      unsyncedUntil[i] = NONE;
      tornNext[i] = false;
    }
    if (trace.enabled()) {
      trace.record(new TraceEvent.LoseDatacenter(hsms));
    }
    steps++;
    checker.afterLoss(steps, tick);
  }

  /** A crash: volatile state is lost at once (the spec's Restart), and the HSM stays down a while. */
  private void crash(int i, long downTicks) {
    disks[i].crash();
    tornNext[i] = false;
    restart(i, downTicks);
  }

  private void restart(int i, long downTicks) {
    downUntil[i] = tick + downTicks;
    handle(i, nodes[i].restart(nvram[i], disks[i].read()), 0);
  }

  /** The end of the faults: everything not destroyed is up, connected and syncing. */
  private void heal() {
    network.settle();
    tamperLeft = 0;
    for (int i = 0; i < n; i++) {
      tornNext[i] = false;
      if (unsyncedUntil[i] != NONE && !destroyed[i]) {
        unsyncedUntil[i] = NONE;
        crash(i, 0);
      }
      downUntil[i] = Math.min(downUntil[i], tick);
    }
    // G9's probe: every user reads its status and user 0 logs in, all of which need a leader.
    for (int u = 0; u < schedule.users(); u++) {
      clients.enqueue(SimClients.OpKind.STATUS, u, 1);
    }
    clients.enqueue(SimClients.OpKind.LOGIN_RIGHT, 0, 1);
  }

  private String fleetState() {
    StringBuilder s = new StringBuilder("fleet:");
    for (int i = 0; i < n; i++) {
      s.append(" [").append(destroyed[i] ? "destroyed " + i : nodes[i].core().toString()).append(']');
    }
    return s.toString();
  }

  // ---------------------------------------------------------------------------------------
  // What the clients see of the fleet

  private boolean up(int hsm) {
    return hsm >= 0 && hsm < n && !destroyed[hsm] && downUntil[hsm] <= tick;
  }

  private final class ClientHost implements SimClients.Host {
    @Override
    public boolean up(int hsm) {
      return Simulator.this.up(hsm);
    }

    @Override
    public int anyUp() {
      int start = random.nextInt(n);
      for (int k = 0; k < n; k++) {
        if (up((start + k) % n)) {
          return (start + k) % n;
        }
      }
      return -1;
    }

    @Override
    public void submit(int hsm, ReplicatedVault.Request request) {
      handle(hsm, nodes[hsm].submit(List.of(request)), Checker.UNCHANGED);
    }

    @Override
    public void finishLogin(int hsm, long requestId, long loginId, ReplicatedVault.LoginEnd end) {
      handle(hsm, nodes[hsm].finishLogin(requestId, loginId, end), Checker.UNCHANGED);
    }

    @Override
    public void nextGuessRight(boolean right) {
      if (trace.enabled()) {
        trace.nextGuessRight(right);
      }
    }

    @Override
    public Optional<Response> status(int hsm, UserId user) {
      return nodes[hsm].status(user);
    }

    @Override
    public long newRequestId() {
      return ++requestIds;
    }

    @Override
    public void noteRegistration(RegistrationId reg, int maxAttempts) {
      checker.noteRegistration(reg, maxAttempts);
    }
  }
}
