package dev.bkv.cli;

import dev.bkv.net.NodeHttpServer;
import dev.bkv.net.PeerHttpLinks;
import dev.bkv.node.ConfigException;
import dev.bkv.node.NodeConfig;
import dev.bkv.node.NodeException;
import dev.bkv.node.NodeHost;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bkv node}: one HSM of a fleet as a process serving HTTP (wiring only; logic in dev.bkv.node). */
@Command(name = "node", mixinStandardHelpOptions = true,
    description = "Run one HSM of a fleet as a process: its peers and the frontend reach it over HTTP. "
        + "Serves until SIGTERM or SIGINT; exits non-zero if its storage fails.")
public final class NodeCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--config", required = true, description = "Node config (bkv-node-config/1), e.g. fleets/<id>/nodes/hsm-1.conf.")
  Path config;

  @Option(names = "--port", description = "TCP port, instead of the config's; 0 picks a free one.")
  Integer port;

  @Option(names = "--host", description = "Address to bind, instead of the config's.")
  String host;

  @Option(names = "--data-dir", description = "Folder of the sealed log, instead of the config's.")
  Path dataDir;

  @Option(names = "--hsm-dir", description = "The HSM's folder, instead of the config's.")
  Path hsmDir;

  @Option(names = "--migration-anchors", paramLabel = "FILE", description = "Trust anchors (bkv-client-anchors/1) this "
      + "HSM checks a rotation's new fleet against, instead of the config's; without any, it exports no user.")
  Path migrationAnchors;

  @Option(names = "--trace", description = "Append the vault's trace events to this file, one JSON line each.")
  Path trace;

  @Override
  public Integer call() {
    return UserErrors.report(spec, () -> {
      NodeConfig node = configured();
      InetSocketAddress address = Serving.address(node.listenHost(), node.listenPort());
      PeerHttpLinks links = new PeerHttpLinks(node.peers());
      CountDownLatch stopped = new CountDownLatch(1);
      AtomicReference<String> failure = new AtomicReference<>();
      NodeHost nodeHost;
      try {
        nodeHost = NodeHost.start(node, links, Optional.ofNullable(trace), reason -> {
          failure.set(reason);
          stopped.countDown();
        });
      } catch (NodeException e) {
        links.close();
        throw new IllegalArgumentException(e.getMessage(), e);
      }
      NodeHttpServer server;
      try {
        server = NodeHttpServer.start(address, nodeHost);
      } catch (IOException e) {
        nodeHost.close();
        links.close();
        throw Serving.cannotListen(node.listenHost(), node.listenPort(), e);
      }
      AtomicBoolean closed = new AtomicBoolean();
      Runnable close = () -> {
        if (closed.compareAndSet(false, true)) {
          server.close(); // stops accepting, lets in-flight requests finish, then stops the node
          links.close();
        }
      };
      Serving.untilSignal(spec.commandLine().getOut(), "node " + node.member() + " of fleet " + node.fleetId() + " ("
          + node.datacenter() + ") listening on " + server.baseUrl(), close, stopped);
      if (failure.get() != null) {
        close.run();
        throw new IOException("stopped: " + failure.get());
      }
      return 0;
    });
  }

  private NodeConfig configured() throws IOException {
    NodeConfig node;
    try {
      node = NodeConfig.load(config);
    } catch (ConfigException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    if (port != null || host != null) {
      Inputs.range("--port", port != null ? port : node.listenPort(), 0, Inputs.PORT_MAX);
      node = node.withListen(host != null ? host : node.listenHost(), port != null ? port : node.listenPort());
    }
    if (dataDir != null) {
      node = node.withDataDir(dataDir);
    }
    if (hsmDir != null) {
      node = node.withHsmDir(hsmDir);
    }
    if (migrationAnchors != null) {
      node = node.withMigrationAnchors(Optional.of(migrationAnchors));
    }
    return node;
  }
}
