package dev.bkv.sim;

import dev.bkv.client.VaultTransport;
import dev.bkv.consensus.Membership;
import dev.bkv.consensus.Message;
import dev.bkv.consensus.Output;
import dev.bkv.consensus.PeerKeys;
import dev.bkv.consensus.ReplicaCore;
import dev.bkv.crypto.DecodeException;
import dev.bkv.crypto.Sha256Digest;
import dev.bkv.crypto.EcdsaP256;
import dev.bkv.evidence.HsmVendor;
import dev.bkv.firmware.FirmwareOptions;
import dev.bkv.firmware.FleetFirmware;
import dev.bkv.firmware.ReplicaStorage;
import dev.bkv.firmware.ReplicatedVault;
import dev.bkv.fleet.CeremonyException;
import dev.bkv.fleet.KeyCeremony;
import dev.bkv.fleet.Placement;
import dev.bkv.hsm.FirmwareCodec;
import dev.bkv.hsm.FirmwareRequest;
import dev.bkv.hsm.FirmwareResponse;
import dev.bkv.hsm.Hsm;
import dev.bkv.hsm.HsmException;
import dev.bkv.hsm.SoftHsm;
import dev.bkv.storage.MemoryDisk;
import dev.bkv.storage.StorageException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.SplittableRandom;

/**
 * A whole fleet in one process, for the demo and end-to-end tests: HSMs ({@link SoftHsm},
 * fleet secrets shared by a real key ceremony), each running {@link FleetFirmware} over its
 * {@link ReplicaStorage} (its NVRAM cell, and a sealed log on a {@link MemoryDisk}), wired by
 * an in-memory network that delivers in order. Time is ticks; the host's timers (election
 * timeouts drawn from one seeded source, heartbeats) run on them. Faults are called by name:
 * crash and restart an HSM, lose a datacenter. The untrusted frontend's part (find the leader,
 * follow its hint, retry) is {@link #transport()}.
 *
 * <p>Single-threaded and deterministic apart from the HSMs' own randomness (keys, nonces).
 */
public final class LocalFleet {
  public static final int ELECTION_TIMEOUT_TICKS_MIN = 10;
  public static final int ELECTION_TIMEOUT_TICKS_MAX = 40;
  public static final int HEARTBEAT_TICKS = 2;
  /** How long one client exchange may take before the frontend gives up. */
  public static final int EXCHANGE_TICKS_MAX = 3_000;
  /** Deliveries per node per tick: a bound on one tick's work. */
  public static final int DELIVERIES_PER_TICK_MAX = 10_000;
  public static final int HSMS_MAX = 9;

  private static final byte[] FLEET_ID = "local-fleet".getBytes(StandardCharsets.US_ASCII);

  private final class Node {
    final int index;
    final Hsm hsm;
    final String datacenter;
    final MemoryDisk disk = new MemoryDisk();
    final ArrayDeque<byte[]> inbox = new ArrayDeque<>();
    ReplicaStorage storage;
    FleetFirmware firmware;
    boolean up;
    boolean destroyed;
    long electionDeadline;
    long heartbeatDue;

    Node(int index, Hsm hsm, String datacenter) {
      this.index = index;
      this.hsm = hsm;
      this.datacenter = datacenter;
    }

    ReplicaCore core() {
      return firmware.vault().core();
    }
  }

  private final List<Node> nodes = new ArrayList<>();
  private final Membership membership;
  private final PeerKeys keys;
  private final SplittableRandom timers;
  private final Map<Long, FirmwareResponse> answers = new HashMap<>();
  private long tick;
  private long nextRequestId = 1;
  private int target;
  /** Trust for exporting records to a new fleet (fleet rotation); empty: the fleet exports none. */
  private java.util.Optional<dev.bkv.firmware.MigrationAnchors> migrationAnchors = java.util.Optional.empty();

  private LocalFleet(List<? extends Hsm> hsms, List<String> datacenters, long seed) throws HsmException, StorageException {
    this.membership = Membership.of(datacenters);
    this.keys = FleetFirmware.peerKeys(hsms.get(0), FLEET_ID, hsms.size());
    this.timers = new SplittableRandom(seed);
    for (int i = 0; i < hsms.size(); i++) {
      Node node = new Node(i, hsms.get(i), datacenters.get(i));
      nodes.add(node);
      boot(node);
    }
  }

  /**
   * A fleet of {@code hsms} HSMs placed round-robin over {@code datacenters}, after a key
   * ceremony with a simulated HSM vendor. Refused when the placement lets one datacenter hold
   * a majority.
   */
  public static LocalFleet create(int hsms, List<String> datacenters, long seed, SecureRandom random)
      throws CeremonyException, HsmException, StorageException {
    if (hsms < 3 || hsms > HSMS_MAX) {
      throw new IllegalArgumentException("a local fleet has 3.." + HSMS_MAX + " HSMs, not " + hsms);
    }
    long now = System.currentTimeMillis() / 1000;
    HsmVendor vendor = HsmVendor.create(EcdsaP256.PrivateKey.generate(random), now);
    List<String> placed = Placement.roundRobin(hsms, datacenters);
    List<KeyCeremony.Participant> participants = new ArrayList<>();
    for (int i = 0; i < hsms; i++) {
      SoftHsm hsm = SoftHsm.inMemory(random);
      participants.add(new KeyCeremony.Participant(hsm, placed.get(i),
          vendor.issueDeviceCertificate(hsm.identityPublicKey(), now)));
    }
    KeyCeremony.Result result = KeyCeremony.run(new KeyCeremony.Plan("local.bkv.dev", "local-fleet", datacenters),
        participants, vendor.root(), Sha256Digest.of(FLEET_ID), now);
    List<Hsm> ordered = new ArrayList<>();
    List<String> where = new ArrayList<>();
    for (KeyCeremony.Participant p : result.participants()) {
      ordered.add(p.hsm());
      where.add(p.datacenter());
    }
    return new LocalFleet(ordered, where, seed);
  }

  /**
   * A fleet of HSMs that already share the fleet secrets (any {@link Hsm}: a PKCS#11 token
   * among SoftHsms, say), HSM i in {@code datacenterOfEach.get(i)}.
   */
  public static LocalFleet of(List<? extends Hsm> hsms, List<String> datacenterOfEach, long seed)
      throws HsmException, StorageException {
    if (hsms.size() < 3 || hsms.size() > HSMS_MAX || hsms.size() != datacenterOfEach.size()) {
      throw new IllegalArgumentException("a local fleet has 3.." + HSMS_MAX + " HSMs, each with its datacenter");
    }
    return new LocalFleet(hsms, datacenterOfEach, seed);
  }

  // ---------------------------------------------------------------------------------------
  // Faults and time

  /** Runs {@code ticks} ticks. */
  public void run(int ticks) {
    for (int t = 0; t < ticks; t++) {
      tick();
    }
  }

  /** Runs until some live HSM leads and has committed an entry of its term, or gives up after {@code ticksMax}. */
  public OptionalInt runUntilLeader(int ticksMax) {
    for (int t = 0; t < ticksMax; t++) {
      OptionalInt leader = leader();
      if (leader.isPresent() && ready(nodes.get(leader.getAsInt()))) {
        return leader;
      }
      tick();
    }
    return OptionalInt.empty();
  }

  /** The host crashes HSM {@code i}: volatile state and unsynced disk writes are lost; it stays down. */
  public void crash(int i) {
    Node node = nodes.get(i);
    node.up = false;
    node.inbox.clear();
    node.disk.crash();
  }

  /** Restarts a crashed HSM from its NVRAM and its sealed log. */
  public void restart(int i) throws StorageException {
    Node node = nodes.get(i);
    if (node.destroyed) {
      throw new IllegalStateException("HSM " + i + " was destroyed with its datacenter");
    }
    boot(node);
  }

  /** Every HSM of {@code datacenter} is destroyed at once, with its NVRAM and disk. */
  public List<Integer> loseDatacenter(String datacenter) {
    List<Integer> lost = new ArrayList<>();
    for (Node node : nodes) {
      if (node.datacenter.equals(datacenter)) {
        crash(node.index);
        node.destroyed = true;
        node.hsm.tamper();
        lost.add(node.index);
      }
    }
    return lost;
  }

  // ---------------------------------------------------------------------------------------
  // What the operator's status page would show

  /** The live HSM that leads in the highest term, if any. */
  public OptionalInt leader() {
    int best = -1;
    for (Node node : nodes) {
      if (node.up && node.core().role() == ReplicaCore.Role.LEADER
          && (best < 0 || node.core().currentTerm() > nodes.get(best).core().currentTerm())) {
        best = node.index;
      }
    }
    return best < 0 ? OptionalInt.empty() : OptionalInt.of(best);
  }

  /** The role of a live HSM (a down one has none). */
  public java.util.Optional<ReplicaCore.Role> role(int i) {
    Node node = nodes.get(i);
    return node.up ? java.util.Optional.of(node.core().role()) : java.util.Optional.empty();
  }

  public long term(int i) {
    return nodes.get(i).core().currentTerm();
  }

  public String datacenterOf(int i) {
    return nodes.get(i).datacenter;
  }

  public boolean isUp(int i) {
    return nodes.get(i).up;
  }

  public int size() {
    return nodes.size();
  }

  public Membership membership() {
    return membership;
  }

  /** One line per HSM: datacenter, up or down, role, term, commit index. */
  public List<String> describe() {
    List<String> lines = new ArrayList<>();
    for (Node node : nodes) {
      String state = node.destroyed ? "destroyed" : !node.up ? "down"
          : node.core().role().name().toLowerCase() + ", term " + node.core().currentTerm() + ", commit "
              + node.core().commitIndex() + (node.core().abstains() ? ", abstaining" : "");
      lines.add("HSM " + node.index + " (" + node.datacenter + "): " + state);
    }
    return lines;
  }

  // ---------------------------------------------------------------------------------------
  // The frontend

  /**
   * The untrusted frontend as a client transport: sends each request to the HSM it believes
   * leads, follows NOT_LEADER hints, resends on TRY_AGAIN, and runs the fleet's ticks until
   * the answer comes. It sees only ciphertext-equivalent OPAQUE messages.
   */
  public VaultTransport transport() {
    return this::exchange;
  }

  private byte[] exchange(byte[] requestBytes) throws VaultTransport.TransportException {
    FirmwareRequest request;
    try {
      request = FirmwareCodec.decodeRequest(requestBytes);
    } catch (DecodeException e) {
      return FirmwareCodec.encode(new FirmwareResponse.Refused(FirmwareResponse.Reason.MALFORMED_REQUEST, e.getMessage()));
    }
    long deadline = tick + EXCHANGE_TICKS_MAX;
    while (tick < deadline) {
      Node node = pickTarget();
      if (node == null) {
        tick();
        continue;
      }
      long requestId = nextRequestId++;
      host(node, node.firmware.handle(requestId, request));
      FirmwareResponse answer = await(node, requestId, deadline);
      if (answer == null) {
        continue;
      }
      if (answer instanceof FirmwareResponse.Refused) {
        FirmwareResponse.Refused refused = (FirmwareResponse.Refused) answer;
        if (refused.reason() == FirmwareResponse.Reason.NOT_LEADER) {
          int hint = node.core().leaderHint();
          target = hint >= 0 && hint != node.index ? hint : (node.index + 1) % nodes.size();
          tick();
          continue;
        }
        if (refused.reason() == FirmwareResponse.Reason.TRY_AGAIN) {
          tick();
          continue;
        }
      }
      return FirmwareCodec.encode(answer);
    }
    throw new VaultTransport.TransportException("no answer within " + EXCHANGE_TICKS_MAX + " ticks");
  }

  private Node pickTarget() {
    OptionalInt leader = leader();
    if (leader.isPresent()) {
      target = leader.getAsInt();
    }
    Node node = nodes.get(target);
    if (!node.up) {
      target = (target + 1) % nodes.size();
      return null;
    }
    return node;
  }

  /** Ticks until the answer to {@code requestId} arrives, or null if its HSM went down or the time ran out. */
  private FirmwareResponse await(Node node, long requestId, long deadline) {
    while (tick < deadline) {
      FirmwareResponse answer = answers.remove(requestId);
      if (answer != null) {
        return answer;
      }
      if (!node.up) {
        return null;
      }
      tick();
    }
    return null;
  }

  // ---------------------------------------------------------------------------------------
  // The host shells

  private void boot(Node node) throws StorageException {
    try {
      node.storage = ReplicaStorage.open(node.hsm, node.disk, context(node.index));
      ReplicatedVault vault = ReplicatedVault.create(node.index, membership, keys, ReplicatedVault.Limits.defaults(),
          FirmwareOptions.PRODUCTION, node.storage.readNvram(), node.storage.recovered());
      node.firmware = new FleetFirmware(node.hsm, vault, migrationAnchors);
    } catch (HsmException e) {
      throw new StorageException(StorageException.Kind.IO, "HSM " + node.index + " refused to boot: " + e.getMessage());
    }
    node.up = true;
    node.inbox.clear();
    resetElectionTimer(node);
  }

  /**
   * Gives every HSM the trust it needs to export records to a new fleet (fleet rotation): the
   * firmware of each running HSM is rebuilt over its vault, which keeps its state; logins and
   * registrations pending on it are lost, as in a firmware update.
   */
  public void trustForMigration(dev.bkv.firmware.MigrationAnchors anchors) throws HsmException {
    migrationAnchors = java.util.Optional.of(anchors);
    for (Node node : nodes) {
      if (node.up) {
        node.firmware = new FleetFirmware(node.hsm, node.firmware.vault(), migrationAnchors);
      }
    }
  }

  /** The fleet's OPAQUE server public key (every member holds the same setup): what its bundle names. */
  public dev.bkv.crypto.P256Group.Element opaqueServerKey() throws HsmException {
    return nodes.get(0).hsm.opaqueServerSetup().serverPublicKey();
  }

  private static byte[] context(int index) {
    return ("local-fleet/hsm-" + index).getBytes(StandardCharsets.US_ASCII);
  }

  private void tick() {
    tick++;
    for (Node node : nodes) {
      if (!node.up) {
        continue;
      }
      int delivered = 0;
      while (!node.inbox.isEmpty() && node.up && delivered++ < DELIVERIES_PER_TICK_MAX) {
        byte[] bytes = node.inbox.poll();
        FleetFirmware.Step step = node.firmware.onPeerMessage(bytes);
        if (step.output().dropped().isEmpty() && node.core().role() != ReplicaCore.Role.LEADER
            && node.core().leaderHint() >= 0) {
          resetElectionTimer(node);
        }
        host(node, step);
      }
      if (!node.up) {
        continue;
      }
      if (tick >= node.heartbeatDue) {
        // Every HSM's timer: a leader sends, and every HSM compacts its log when due.
        node.heartbeatDue = tick + HEARTBEAT_TICKS;
        host(node, node.firmware.onHeartbeatTick());
      }
      if (node.up && node.core().role() != ReplicaCore.Role.LEADER && tick >= node.electionDeadline) {
        resetElectionTimer(node);
        host(node, node.firmware.onElectionTimeout());
      }
    }
  }

  /** Performs a step's writes in order, then sends; collects client answers. */
  private void host(Node node, FleetFirmware.Step step) {
    for (FleetFirmware.Answer answer : step.answers()) {
      answers.put(answer.requestId(), answer.response());
    }
    Output out = step.output();
    try {
      if (out.nvram().isPresent()) {
        node.storage.writeNvram(out.nvram().get());
      }
      if (out.logWrite().isPresent()) {
        node.storage.perform(out.logWrite().get());
        host(node, node.firmware.onLogWritten());
        return;
      }
    } catch (StorageException e) {
      crash(node.index); // a host whose disk fails stops; it may be restarted
      return;
    }
    for (Message m : out.messages()) {
      Node to = nodes.get(m.dest());
      if (to.up) {
        to.inbox.add(node.core().encode(m));
      }
    }
    if (node.core().role() == ReplicaCore.Role.LEADER && !out.messages().isEmpty() && node.heartbeatDue > tick + 1) {
      node.heartbeatDue = tick + 1; // replicate new entries at the next tick, not the next heartbeat
    }
  }

  private boolean ready(Node node) {
    ReplicaCore core = node.core();
    return core.commitIndex() > 0 && core.termAt(core.commitIndex()) == core.currentTerm();
  }

  private void resetElectionTimer(Node node) {
    node.electionDeadline = tick + ELECTION_TIMEOUT_TICKS_MIN
        + timers.nextInt(ELECTION_TIMEOUT_TICKS_MAX - ELECTION_TIMEOUT_TICKS_MIN + 1);
  }
}
