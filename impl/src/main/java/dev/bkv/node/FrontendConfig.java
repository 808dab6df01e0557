package dev.bkv.node;

import dev.bkv.fleet.FleetConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * How the operator's frontend runs ({@code bkv-frontend-config/1}, spec/FORMATS.md "Node and
 * frontend configs"): the fleet, where to listen, each node (member index, datacenter, URL),
 * where the fleet's witnessed bundle is ({@code bundle}: a file, or a folder of
 * {@code <epoch>.witnessed} files of which the newest for this fleet is served; optional) and
 * the witness whose log it relays ({@code witness}; optional).
 */
public record FrontendConfig(String fleetId, String listenHost, int listenPort, List<Node> nodes, Optional<Path> bundle,
    Optional<URI> witness) {
  public static final String FORMAT = "bkv-frontend-config/1";
  public static final int CONFIG_BYTES_MAX = 16 * 1024;
  public static final int LINES_MAX = 32 + FleetConfig.HSMS_MAX;

  /** One node of the fleet, by its member index. */
  public record Node(int member, String datacenter, URI url) {}

  public FrontendConfig {
    nodes = List.copyOf(nodes);
  }

  public static FrontendConfig load(Path file) throws ConfigException, IOException {
    return parse(file.toString(), ConfigText.read(file, CONFIG_BYTES_MAX), file.toAbsolutePath().getParent());
  }

  public static FrontendConfig parse(String source, byte[] bytes, Path base) throws ConfigException {
    ConfigText text = ConfigText.parse(source, bytes, FORMAT, CONFIG_BYTES_MAX, LINES_MAX);
    String fleetId = null;
    String host = null;
    int port = 0;
    Path bundle = null;
    URI witness = null;
    TreeMap<Integer, Node> nodes = new TreeMap<>();
    for (ConfigText.Line line : text.lines()) {
      switch (line.key()) {
        case "fleet":
          fleetId = text.fleetId(line);
          break;
        case "listen":
          host = text.listenHost(line);
          port = text.listenPort(line);
          break;
        case "node":
          text.expect(line, 3, false);
          int member = text.member(line, line.value(0));
          String datacenter = text.datacenter(line, line.value(1));
          if (nodes.put(member, new Node(member, datacenter, text.url(line, line.value(2)))) != null) {
            throw text.error(line, "node " + member + " given twice");
          }
          break;
        case "bundle":
          text.expect(line, 1, true);
          bundle = ConfigText.path(base, line.value(0));
          break;
        case "witness":
          text.expect(line, 1, true);
          witness = text.url(line, line.value(0));
          break;
        default:
          throw text.error(line, "unknown key");
      }
    }
    text.require("fleet", "listen");
    if (nodes.isEmpty()) {
      throw text.error("missing 'node' lines");
    }
    if (nodes.lastKey() != nodes.size() - 1) {
      throw text.error("nodes must be members 0.." + (nodes.size() - 1) + " each once, got " + nodes.keySet());
    }
    return new FrontendConfig(fleetId, host, port, List.copyOf(nodes.values()), Optional.ofNullable(bundle),
        Optional.ofNullable(witness));
  }

  /** The config's text, with {@code bundlePath} as given (relative to where the file goes). */
  public String text(Optional<String> bundlePath) {
    StringBuilder b = new StringBuilder(FORMAT).append('\n');
    b.append("fleet ").append(fleetId).append('\n');
    b.append("listen ").append(listenHost).append(' ').append(listenPort).append('\n');
    for (Node node : nodes) {
      b.append("node ").append(node.member()).append(' ').append(node.datacenter()).append(' ').append(node.url())
          .append('\n');
    }
    bundlePath.ifPresent(p -> b.append("bundle ").append(p).append('\n'));
    witness.ifPresent(w -> b.append("witness ").append(w).append('\n'));
    return b.toString();
  }

  public FrontendConfig withListen(String host, int port) {
    return new FrontendConfig(fleetId, host, port, nodes, bundle, witness);
  }

  public FrontendConfig withBundle(Path file) {
    return new FrontendConfig(fleetId, listenHost, listenPort, nodes, Optional.of(file), witness);
  }

  public FrontendConfig withWitness(URI url) {
    return new FrontendConfig(fleetId, listenHost, listenPort, nodes, bundle, Optional.of(url));
  }
}
