package dev.bkv.cli;

import dev.bkv.base.Folders;
import dev.bkv.base.Json;
import dev.bkv.evidence.OperatorWorkspace;
import dev.bkv.net.FrontendHttpClient;
import dev.bkv.net.FrontendHttpServer;
import dev.bkv.net.NodeHttpServer;
import dev.bkv.net.PeerHttpLinks;
import dev.bkv.node.LatePeerLinks;
import dev.bkv.node.FleetDeployment;
import dev.bkv.node.FrontendConfig;
import dev.bkv.node.NodeConfig;
import dev.bkv.node.NodeHost;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One fleet of the demo as the operator runs it: a node server per HSM and a frontend, all on
 * loopback ports the system picks, started from the configs {@link FleetDeployment} wrote
 * (wiring only; the nodes are {@link NodeHost}s, the servers those of {@code dev.bkv.net}).
 */
final class DemoFleet implements AutoCloseable {
  static final String HOST = "127.0.0.1";
  /** Longest wait for a settled leader: elections take well under a second with {@link DemoWorld#TIMING}. */
  static final long LEADER_WAIT_MILLIS_MAX = 20_000;
  static final long LEADER_POLL_MILLIS = 20;


  /** A leader every reachable node names, and its term. */
  record Leader(int member, String datacenter, long term) {
    @Override
    public String toString() {
      return "leader HSM " + member + " (" + datacenter + "), term " + term;
    }
  }

  final String fleetId;
  private final TreeMap<Integer, NodeHttpServer> nodes = new TreeMap<>();
  private final TreeMap<Integer, LatePeerLinks> links = new TreeMap<>();
  private final TreeMap<Integer, NodeConfig> configs = new TreeMap<>();
  /** What each node that stopped by itself said, by member index. */
  final Map<Integer, String> failures = new ConcurrentHashMap<>();
  private FrontendHttpServer frontend;

  private DemoFleet(String fleetId) {
    this.fleetId = fleetId;
  }

  /**
   * Starts the nodes and frontend of {@code written}. The caller closes the result; if starting
   * fails half way, what was started is closed here.
   */
  static DemoFleet start(OperatorWorkspace workspace, String fleetId, FleetDeployment.Written written, URI witness)
      throws Exception {
    DemoFleet fleet = new DemoFleet(fleetId);
    try {
      fleet.startAll(workspace, written, witness);
      return fleet;
    } catch (Exception | Error e) {
      fleet.close();
      throw e;
    }
  }

  private void startAll(OperatorWorkspace workspace, FleetDeployment.Written written, URI witness) throws Exception {
    for (Path file : written.nodes().values()) {
      NodeConfig config = NodeConfig.load(file).withListen(HOST, 0);
      int member = config.member();
      LatePeerLinks late = new LatePeerLinks();
      links.put(member, late);
      NodeHost host = NodeHost.start(config, late, Optional.empty(), reason -> failures.put(member, reason));
      try {
        nodes.put(member, NodeHttpServer.start(new InetSocketAddress(HOST, 0), host));
      } catch (IOException | RuntimeException e) {
        host.close();
        throw e;
      }
      configs.put(member, config);
    }
    List<FrontendConfig.Node> frontendNodes = new ArrayList<>();
    for (Map.Entry<Integer, NodeHttpServer> e : nodes.entrySet()) {
      TreeMap<Integer, URI> peers = new TreeMap<>();
      nodes.forEach((other, server) -> {
        if (!other.equals(e.getKey())) {
          peers.put(other, URI.create(server.baseUrl()));
        }
      });
      links.get(e.getKey()).bind(new PeerHttpLinks(peers));
      frontendNodes.add(new FrontendConfig.Node(e.getKey(), configs.get(e.getKey()).datacenter(),
          URI.create(e.getValue().baseUrl())));
    }
    frontend = FrontendHttpServer.start(new InetSocketAddress(HOST, 0), new FrontendConfig(fleetId, HOST, 0, frontendNodes,
        Optional.of(workspace.dir().resolve(OperatorWorkspace.BUNDLES_DIR)), Optional.of(witness)));
  }

  String url() {
    return frontend.baseUrl();
  }

  int size() {
    return configs.size();
  }

  /**
   * Waits until exactly one reachable node says it leads and every reachable node names it: a
   * registration's two requests must reach one leader. Stopped nodes are not asked.
   */
  @SuppressWarnings("unchecked")
  Leader awaitLeader() throws IOException, InterruptedException, DemoException {
    long until = System.nanoTime() + LEADER_WAIT_MILLIS_MAX * 1_000_000;
    String last = "";
    while (System.nanoTime() < until) {
      last = FrontendHttpClient.to(url()).status();
      List<Leader> leaders = new ArrayList<>();
      java.util.Set<Object> named = new java.util.HashSet<>();
      for (Object entry : (List<Object>) Json.parseObject(last).get("nodes")) {
        Map<String, Object> status = (Map<String, Object>) entry;
        int member = ((Number) status.get("hsm")).intValue();
        if (!nodes.containsKey(member)) {
          continue;
        }
        named.add(String.valueOf(status.get("leader")));
        if ("leader".equals(status.get("role"))) {
          leaders.add(new Leader(member, String.valueOf(status.get("datacenter")), ((Number) status.get("term")).longValue()));
        }
      }
      if (leaders.size() == 1 && named.size() == 1 && named.contains(String.valueOf(leaders.get(0).member()))) {
        return leaders.get(0);
      }
      Thread.sleep(LEADER_POLL_MILLIS);
    }
    throw new DemoException("fleet " + fleetId + " settled on no leader within " + LEADER_WAIT_MILLIS_MAX + " ms: " + last);
  }

  /** The running nodes' member indexes in {@code datacenter}. */
  List<Integer> membersIn(String datacenter) {
    List<Integer> members = new ArrayList<>();
    nodes.keySet().forEach(m -> {
      if (configs.get(m).datacenter().equals(datacenter)) {
        members.add(m);
      }
    });
    return members;
  }

  /** Stops the node (its server and host) and deletes its storage: the HSM's log and snapshots are gone. */
  void destroy(int member) throws IOException {
    NodeHttpServer node = nodes.remove(member);
    if (node != null) {
      node.close();
    }
    LatePeerLinks late = links.remove(member);
    if (late != null) {
      late.close();
    }
    Folders.deleteTree(configs.get(member).dataDir());
  }

  @Override
  public void close() {
    if (frontend != null) {
      frontend.close();
      frontend = null;
    }
    nodes.values().forEach(NodeHttpServer::close);
    nodes.clear();
    links.values().forEach(LatePeerLinks::close);
    links.clear();
  }
}
