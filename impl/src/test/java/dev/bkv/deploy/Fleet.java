package dev.bkv.deploy;

import dev.bkv.testsupport.ListeningChild;
import java.math.BigInteger;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

/**
 * One fleet's processes in a {@link Deployment}: a {@code bkv node} child per HSM (numbered
 * 1..N as the workspace's {@code hsm-<i>} folders; the consensus member index is the config's)
 * and a {@code bkv frontend} child. Nodes are killed with SIGKILL and started again from the
 * same config, data directory and trace file.
 */
final class Fleet {
  private static final Duration POLL = Duration.ofMillis(100);

  final String id;
  private final Deployment deployment;
  private final Path dir;
  private final Optional<Path> traces;
  private final BiFunction<Integer, List<String>, List<String>> wrap;
  // Concurrent: a soak kills and starts nodes while other threads sample them.
  private final Map<Integer, ListeningChild> nodes = new ConcurrentSkipListMap<>();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private ListeningChild frontend;

  Fleet(Deployment deployment, String id, Path dir, Optional<Path> traces,
      BiFunction<Integer, List<String>, List<String>> wrap) {
    this.deployment = deployment;
    this.id = id;
    this.dir = dir;
    this.traces = traces;
    this.wrap = wrap;
  }

  Path config(int node) {
    return dir.resolve("nodes").resolve("hsm-" + node + ".conf");
  }

  /** A line of node {@code node}'s config, after its key. */
  String configValue(int node, String key) throws Exception {
    for (String line : Files.readAllLines(config(node))) {
      if (line.startsWith(key + " ")) {
        return line.substring(key.length() + 1).strip();
      }
    }
    throw new AssertionError(config(node) + " has no " + key);
  }

  int member(int node) throws Exception {
    return Integer.parseInt(configValue(node, "member"));
  }

  String datacenter(int node) throws Exception {
    return configValue(node, "datacenter");
  }

  /** The node (1..N) whose member index is {@code member}. */
  int nodeOfMember(int member) throws Exception {
    for (int i = 1; i <= Deployment.HSMS; i++) {
      if (member(i) == member) {
        return i;
      }
    }
    throw new AssertionError("no node is member " + member);
  }

  void startNode(int node) throws Exception {
    List<String> command = new ArrayList<>(Deployment.java("node", "--config", config(node).toString()));
    if (traces.isPresent()) {
      Files.createDirectories(traces.get());
      command.addAll(List.of("--trace", traces.get().resolve("hsm-" + node + ".trace").toString()));
    }
    ListeningChild child = ListeningChild.start(wrap.apply(node, command), Deployment.START_TIMEOUT);
    deployment.adopt(child.process);
    deployment.recordOutput(id + " node " + node, child::transcript);
    nodes.put(node, child);
  }

  void startFrontend() throws Exception {
    frontend = ListeningChild.start(Deployment.java("frontend", "--config", dir.resolve("frontend.conf").toString(),
        "--witness", deployment.witness.url), Deployment.START_TIMEOUT);
    deployment.adopt(frontend.process);
    deployment.recordOutput(id + " frontend", frontend::transcript);
  }

  String frontendUrl() {
    return frontend.url;
  }

  /** SIGKILL: nothing is flushed, no shutdown hook runs. */
  void kill(int node) throws Exception {
    ListeningChild child = nodes.remove(node);
    child.process.destroyForcibly();
    if (!child.process.waitFor(30, TimeUnit.SECONDS)) {
      throw new AssertionError("node " + node + " did not die");
    }
  }

  /** SIGTERM, and waits for the graceful exit. */
  void stop(int node) throws Exception {
    ListeningChild child = nodes.remove(node);
    child.process.destroy();
    if (!child.process.waitFor(30, TimeUnit.SECONDS)) {
      child.process.destroyForcibly();
      throw new AssertionError("node " + node + " did not stop on SIGTERM:\n" + child.transcript());
    }
  }

  void stopAll() throws Exception {
    for (int node : new ArrayList<>(nodes.keySet())) {
      stop(node);
    }
    frontend.process.destroy();
    frontend.process.waitFor(30, TimeUnit.SECONDS);
  }

  /** The running node's process. */
  Process process(int node) {
    ListeningChild child = nodes.get(node);
    if (child == null) {
      throw new AssertionError("node " + node + " is not running");
    }
    return child.process;
  }

  Process frontendProcess() {
    return frontend.process;
  }

  /** Everything node {@code node}'s current process has printed. */
  String transcript(int node) {
    ListeningChild child = nodes.get(node);
    return child == null ? "" : child.transcript();
  }

  /** The folder of node {@code node}'s sealed log (the host's storage; the HSM's own folder is apart). */
  Path dataDir(int node) throws Exception {
    return config(node).getParent().resolve(configValue(node, "data-dir")).normalize();
  }

  boolean isUp(int node) {
    return nodes.containsKey(node);
  }

  /** The fleet as the frontend's /bkv/status shows it: per member, its status object (or its error). */
  List<Map<String, Object>> status() {
    Optional<Map<String, Object>> s = Deployment.getJson(http, frontend.url + "/bkv/status");
    if (s.isEmpty()) {
      return List.of();
    }
    List<Map<String, Object>> out = new ArrayList<>();
    for (Object node : (List<?>) s.get().get("nodes")) {
      @SuppressWarnings("unchecked")
      Map<String, Object> m = (Map<String, Object>) node;
      out.add(m);
    }
    return out;
  }

  /** The member that leads in the highest term among the reachable ones, if any. */
  OptionalInt leaderMember() {
    long bestTerm = -1;
    int best = -1;
    for (Map<String, Object> n : status()) {
      if ("leader".equals(n.get("role")) && number(n, "term") > bestTerm) {
        bestTerm = number(n, "term");
        best = (int) number(n, "hsm");
      }
    }
    return best < 0 ? OptionalInt.empty() : OptionalInt.of(best);
  }

  /** Waits until a reachable member leads; its node number. */
  int awaitLeader(Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      OptionalInt leader = leaderMember();
      if (leader.isPresent() && isUp(nodeOfMember(leader.getAsInt()))) {
        return nodeOfMember(leader.getAsInt());
      }
      Thread.sleep(POLL.toMillis());
    }
    throw new AssertionError("no leader within " + timeout + ": " + status());
  }

  /** Waits until every running node reports the same commit index as the leader, at least {@code atLeast}. */
  long awaitCaughtUp(Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<Map<String, Object>> last = List.of();
    while (System.nanoTime() < deadline) {
      last = status();
      long commit = -1;
      boolean same = last.size() == Deployment.HSMS;
      for (Map<String, Object> n : last) {
        if (n.containsKey("error")) {
          same = false;
          break;
        }
        long c = number(n, "commitIndex");
        same &= commit < 0 || c == commit;
        commit = c;
      }
      if (same && commit > 0) {
        return commit;
      }
      Thread.sleep(POLL.toMillis());
    }
    throw new AssertionError("the nodes did not reach one commit index within " + timeout + ": " + last);
  }

  static long number(Map<String, Object> m, String key) {
    Object v = m.get(key);
    if (!(v instanceof BigInteger)) {
      throw new AssertionError("status field " + key + " is not a number: " + m);
    }
    return ((BigInteger) v).longValue();
  }
}
