package dev.bkv.deploy;

import dev.bkv.testsupport.TestFiles;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A soak's faults: one node after another killed with SIGKILL and started again, every {@code
 * --kill-every} seconds, and once, 40% into the load, a whole datacenter lost and rebuilt. Each
 * node's lives are numbered (a restart begins the next) for the memory samples.
 */
final class SoakFaults {
  private final FleetSoak soak;
  private final Fleet fleet;
  private final Map<Integer, Long> lifeStartNanos = new ConcurrentHashMap<>();
  private final Map<Integer, Integer> lives = new ConcurrentHashMap<>();

  /** The fleet just started: every node in its first life. */
  SoakFaults(FleetSoak soak, Fleet fleet) {
    this.soak = soak;
    this.fleet = fleet;
    for (int node = 1; node <= Deployment.HSMS; node++) {
      startedLife(node);
    }
  }

  int life(int node) {
    return lives.get(node);
  }

  long lifeStartNanos(int node) {
    return lifeStartNanos.get(node);
  }

  /** Any node down (its restart failed) started again, for the final checks. */
  void startEveryNode() throws Exception {
    for (int node = 1; node <= Deployment.HSMS; node++) {
      if (!fleet.isUp(node)) {
        startNode(node);
      }
    }
  }

  void run(long loadStartNanos, long deadline) throws Exception {
    long dcLossAt = loadStartNanos + (long) (soak.options().seconds() * 0.4 * 1e9);
    long every = soak.options().killEverySeconds() * 1_000_000_000L;
    long slot = loadStartNanos + every;
    int next = 1;
    boolean dcLost = false;
    while (slot + FleetSoak.DOWN_MILLIS * 1_000_000 < deadline) {
      FleetSoak.sleepUntil(slot);
      restartUnexpectedExits();
      if (!dcLost && System.nanoTime() >= dcLossAt) {
        loseDatacenter(loadStartNanos);
        dcLost = true;
      } else {
        int node = next;
        next = next % Deployment.HSMS + 1;
        fleet.kill(node);
        soak.count("kills");
        soak.log("killed node " + node + " (SIGKILL)");
        Thread.sleep(FleetSoak.DOWN_MILLIS);
        startNode(node);
      }
      slot = Math.max(slot + every, System.nanoTime());
    }
    restartUnexpectedExits();
  }

  /** A node that exited without being killed is a problem; it is started again so the run goes on. */
  private void restartUnexpectedExits() throws Exception {
    for (int node = 1; node <= Deployment.HSMS; node++) {
      if (fleet.isUp(node) && !fleet.process(node).isAlive()) {
        String transcript = fleet.transcript(node);
        soak.problem("node " + node + " exited on its own (code " + fleet.process(node).exitValue() + "): "
            + transcript.substring(Math.max(0, transcript.length() - 2000)));
        fleet.kill(node);
        startNode(node);
      }
    }
  }

  private void startNode(int node) throws Exception {
    try {
      fleet.startNode(node);
      startedLife(node);
      soak.count("restarts");
      soak.log("started node " + node);
    } catch (AssertionError e) {
      soak.problem("node " + node + " did not start again: " + e.getMessage());
    }
  }

  private void startedLife(int node) {
    lifeStartNanos.put(node, System.nanoTime());
    lives.merge(node, 1, Integer::sum);
  }

  /**
   * The leader's datacenter when it has two nodes (else the other datacenter that has): every
   * node killed, its sealed log deleted, then started again with empty storage. Its NVRAM (the
   * HSM's own) says what it had, so it abstains until a leader has rebuilt its log; rebuilt
   * means every one of them no longer abstains and has the commit index the fleet had when
   * they came back.
   */
  private void loseDatacenter(long loadStartNanos) throws Exception {
    int leader = fleet.awaitLeader(FleetSoak.LEADER_TIMEOUT);
    Map<String, List<Integer>> sites = new TreeMap<>();
    for (int node = 1; node <= Deployment.HSMS; node++) {
      sites.computeIfAbsent(fleet.datacenter(node), k -> new ArrayList<>()).add(node);
    }
    String dc = fleet.datacenter(leader);
    if (sites.get(dc).size() < 2) {
      dc = sites.entrySet().stream().filter(e -> e.getValue().size() >= 2).findFirst().orElseThrow().getKey();
    }
    List<Integer> lost = sites.get(dc);
    long lostAt = System.nanoTime();
    for (int node : lost) {
      if (fleet.isUp(node)) {
        fleet.kill(node);
      }
      if (Files.exists(fleet.dataDir(node))) {
        TestFiles.deleteTree(fleet.dataDir(node));
      }
    }
    soak.log("datacenter " + dc + " LOST: nodes " + lost + " killed (SIGKILL), storage deleted; leader was node " + leader);
    soak.events().add(String.format(Locale.ROOT, "datacenter %s lost at %.0f s of load: nodes %s (leader node %d)", dc,
        FleetSoak.secondsSince(loadStartNanos, lostAt), lost, leader));
    Thread.sleep(FleetSoak.DATACENTER_DOWN_MILLIS);
    long target = commitIndex();
    long backAt = System.nanoTime();
    for (int node : lost) {
      startNode(node);
    }
    long deadline = backAt + FleetSoak.REBUILD_TIMEOUT.toNanos();
    List<Map<String, Object>> last = List.of();
    while (System.nanoTime() < deadline) {
      last = fleet.status();
      if (rebuilt(last, lost, target)) {
        soak.events().add(String.format(Locale.ROOT, "datacenter %s back empty after %.1f s; rebuilt to commit index >= %d"
            + " %.1f s after its restart (%.1f s after the loss)", dc, FleetSoak.secondsSince(lostAt, backAt), target,
            FleetSoak.secondsSince(backAt, System.nanoTime()), FleetSoak.secondsSince(lostAt, System.nanoTime())));
        soak.log(soak.events().get(soak.events().size() - 1));
        return;
      }
      Thread.sleep(250);
    }
    soak.problem("datacenter " + dc + " was not rebuilt within " + FleetSoak.REBUILD_TIMEOUT + ": " + last);
  }

  private boolean rebuilt(List<Map<String, Object>> status, List<Integer> lost, long target) throws Exception {
    int done = 0;
    for (Map<String, Object> n : status) {
      if (n.containsKey("error") || !lost.contains(fleet.nodeOfMember((int) Fleet.number(n, "hsm")))) {
        continue;
      }
      if (!Boolean.TRUE.equals(n.get("abstaining")) && Fleet.number(n, "commitIndex") >= target) {
        done++;
      }
    }
    return done == lost.size();
  }

  /** The highest commit index a reachable node reports. */
  private long commitIndex() {
    long best = 0;
    for (Map<String, Object> n : fleet.status()) {
      if (!n.containsKey("error")) {
        best = Math.max(best, Fleet.number(n, "commitIndex"));
      }
    }
    return best;
  }
}
