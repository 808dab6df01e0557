package dev.bkv.cli;

import dev.bkv.net.FrontendHttpServer;
import dev.bkv.node.ConfigException;
import dev.bkv.node.FrontendConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bkv frontend}: the operator's untrusted frontend of a fleet (wiring only; logic in dev.bkv.net). */
@Command(name = "frontend", mixinStandardHelpOptions = true,
    description = "Run a fleet's frontend: relays client requests to the leader, serves the fleet's bundle and the "
        + "witness's log, and gathers the nodes' status. Serves until SIGTERM or SIGINT.")
public final class FrontendCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--config", required = true, description = "Frontend config (bkv-frontend-config/1), e.g. fleets/<id>/frontend.conf.")
  Path config;

  @Option(names = "--port", description = "TCP port, instead of the config's; 0 picks a free one.")
  Integer port;

  @Option(names = "--host", description = "Address to bind, instead of the config's.")
  String host;

  @Option(names = "--bundle", description = "Witnessed bundle file, or a folder of <epoch>.witnessed files, instead of the config's.")
  Path bundle;

  @Option(names = "--witness", description = "Witness base URL whose log is relayed, instead of the config's.")
  String witness;

  @Override
  public Integer call() {
    return UserErrors.report(spec, () -> {
      FrontendConfig frontend;
      try {
        frontend = FrontendConfig.load(config);
      } catch (ConfigException e) {
        throw new IllegalArgumentException(e.getMessage(), e);
      }
      if (port != null || host != null) {
        Inputs.range("--port", port != null ? port : frontend.listenPort(), 0, Inputs.PORT_MAX);
        frontend = frontend.withListen(host != null ? host : frontend.listenHost(),
            port != null ? port : frontend.listenPort());
      }
      if (bundle != null) {
        if (!java.nio.file.Files.exists(bundle)) {
          throw new IllegalArgumentException("--bundle " + bundle + ": no such file or folder");
        }
        frontend = frontend.withBundle(bundle);
      }
      if (witness != null) {
        frontend = frontend.withWitness(URI.create(Inputs.witnessUrl("--witness", witness).replaceAll("/+$", "")));
      }
      InetSocketAddress address = Serving.address(frontend.listenHost(), frontend.listenPort());
      FrontendHttpServer server;
      try {
        server = FrontendHttpServer.start(address, frontend);
      } catch (IOException e) {
        throw Serving.cannotListen(frontend.listenHost(), frontend.listenPort(), e);
      }
      Serving.untilSignal(spec.commandLine().getOut(), "frontend of fleet " + frontend.fleetId() + " ("
          + frontend.nodes().size() + " nodes) listening on " + server.baseUrl(), server::close);
      return 0;
    });
  }
}
