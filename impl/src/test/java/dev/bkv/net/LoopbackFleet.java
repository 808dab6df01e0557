package dev.bkv.net;

import dev.bkv.crypto.Sha256Digest;
import dev.bkv.evidence.OperatorWorkspace;
import dev.bkv.fleet.FleetConfig;
import dev.bkv.node.LatePeerLinks;
import dev.bkv.node.FleetDeployment;
import dev.bkv.node.FrontendConfig;
import dev.bkv.node.NodeConfig;
import dev.bkv.node.NodeHost;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A fleet of node servers and a frontend on loopback, in this process, over an operator
 * workspace made by {@code bkv fleet init}'s code: every node on port 0, its peer links wired
 * once all are bound. Timers are tiny so elections take milliseconds.
 */
final class LoopbackFleet implements AutoCloseable {
  static final NodeConfig.Timing FAST = new NodeConfig.Timing(150, 300, 30, 3_000);
  static final SecureRandom RANDOM = new SecureRandom();


  final Path workspace;
  final Path fleetDir;
  final FleetConfig fleet;
  final List<NodeHttpServer> nodes = new ArrayList<>(); // by member index
  final List<LatePeerLinks> links = new ArrayList<>();
  final FrontendHttpServer frontend;
  /** What each node that stopped by itself said, by member index. */
  final Map<Integer, String> failures;

  private LoopbackFleet(Path workspace, Path fleetDir, FleetConfig fleet, List<NodeHttpServer> nodes, List<LatePeerLinks> links,
      FrontendHttpServer frontend, Map<Integer, String> failures) {
    this.failures = failures;
    this.workspace = workspace;
    this.fleetDir = fleetDir;
    this.fleet = fleet;
    this.nodes.addAll(nodes);
    this.links.addAll(links);
    this.frontend = frontend;
  }

  static LoopbackFleet start(Path dir, int hsms, int datacenters) throws Exception {
    return start(dir, hsms, datacenters, false);
  }

  /** {@code traced}: each node appends its trace lines to {@code dir}/trace-&lt;member&gt;.jsonl. */
  static LoopbackFleet start(Path dir, int hsms, int datacenters, boolean traced) throws Exception {
    return start(dir, hsms, datacenters, traced, FAST);
  }

  /** As above, with the nodes' timers {@code timing} (the defaults ride out a loaded machine's pauses). */
  static LoopbackFleet start(Path dir, int hsms, int datacenters, boolean traced, NodeConfig.Timing timing)
      throws Exception {
    Path workspace = dir.resolve("ws");
    OperatorWorkspace ws = OperatorWorkspace.initialize(workspace, "backup.example.com/bkv",
        new OperatorWorkspace.FleetShape("fleet-1", hsms, datacenters),
        Sha256Digest.of("vault.jar".getBytes(StandardCharsets.US_ASCII)), System.currentTimeMillis() / 1000, RANDOM);
    Path fleetDir = workspace.resolve("fleets").resolve("fleet-1");
    FleetConfig fleet = ws.config("fleet-1");
    FleetDeployment.Written written = FleetDeployment.write(fleetDir, fleet, FleetDeployment.DEFAULT_BASE_PORT, timing,
        FleetDeployment.DEFAULT_WITNESS, RANDOM);
    Map<Integer, String> failures = new java.util.concurrent.ConcurrentHashMap<>();
    TreeMap<Integer, NodeHttpServer> byMember = new TreeMap<>();
    TreeMap<Integer, LatePeerLinks> linksByMember = new TreeMap<>();
    for (Path file : written.nodes().values()) {
      NodeConfig config = NodeConfig.load(file).withListen("127.0.0.1", 0);
      LatePeerLinks late = new LatePeerLinks();
      Optional<Path> trace = traced ? Optional.of(dir.resolve("trace-" + config.member() + ".jsonl")) : Optional.empty();
      int member = config.member();
      NodeHost host = NodeHost.start(config, late, trace, reason -> failures.put(member, reason));
      byMember.put(config.member(), NodeHttpServer.start(new InetSocketAddress("127.0.0.1", 0), host));
      linksByMember.put(config.member(), late);
    }
    List<FrontendConfig.Node> frontendNodes = new ArrayList<>();
    for (Map.Entry<Integer, NodeHttpServer> e : byMember.entrySet()) {
      TreeMap<Integer, URI> peers = new TreeMap<>();
      for (Map.Entry<Integer, NodeHttpServer> other : byMember.entrySet()) {
        if (!other.getKey().equals(e.getKey())) {
          peers.put(other.getKey(), URI.create(other.getValue().baseUrl()));
        }
      }
      linksByMember.get(e.getKey()).bind(new PeerHttpLinks(peers));
      frontendNodes.add(new FrontendConfig.Node(e.getKey(), fleet.members().get(e.getKey()).datacenter(),
          URI.create(e.getValue().baseUrl())));
    }
    FrontendConfig frontendConfig = new FrontendConfig("fleet-1", "127.0.0.1", 0, frontendNodes,
        Optional.of(workspace.resolve("bundles")), Optional.empty());
    FrontendHttpServer frontend = FrontendHttpServer.start(new InetSocketAddress("127.0.0.1", 0), frontendConfig);
    return new LoopbackFleet(workspace, fleetDir, fleet, new ArrayList<>(byMember.values()),
        new ArrayList<>(linksByMember.values()), frontend, failures);
  }

  @Override
  public void close() throws IOException {
    frontend.close();
    for (NodeHttpServer node : nodes) {
      node.close();
    }
    for (LatePeerLinks l : links) {
      l.close();
    }
  }
}
