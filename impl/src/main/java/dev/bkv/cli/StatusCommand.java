package dev.bkv.cli;

import dev.bkv.base.Json;
import dev.bkv.net.FrontendHttpClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bkv status}: the operator's view of a running fleet, read from its frontend (wiring; rendering in FleetStatusTable). */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = {
      "Print one row per HSM of a running fleet, as its frontend's GET /bkv/status reports it: datacenter, role, term,"
          + " commit index, leader, abstaining, storage, last contact with each peer; and the nodes it cannot reach.",
      "Exit code 0 when a leader is known and a majority is reachable; 1 otherwise, or when the frontend cannot be read."
    })
public final class StatusCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--frontend", required = true, paramLabel = "URL", description = "Base URL of the fleet's frontend.")
  String frontend;

  @Option(names = "--json", description = "Print the frontend's status JSON as it came (after checking it parses).")
  boolean json;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    String url;
    try {
      url = Inputs.witnessUrl("--frontend", frontend);
    } catch (IllegalArgumentException e) {
      err.println("bkv status: " + e.getMessage());
      err.flush();
      return ClientCommand.EXIT_BAD_INPUT;
    }
    try {
      String text = FrontendHttpClient.to(url).status();
      FleetStatusTable table = FleetStatusTable.parse(text);
      out.print(json ? Json.write(Json.parse(text)) + "\n" : table.render());
      out.flush();
      if (table.problem().isPresent()) {
        err.println("bkv status: " + table.problem().get());
        err.flush();
        return 1;
      }
      return 0;
    } catch (IOException | IllegalArgumentException e) {
      err.println("bkv status: " + e.getMessage());
    }
    err.flush();
    return 1;
  }
}
