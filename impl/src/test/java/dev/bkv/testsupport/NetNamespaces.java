package dev.bkv.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Linux network namespaces for partition tests over real sockets: one namespace per node,
 * each with one veth link to a bridge in the test's own namespace, on the test subnet
 * {@code 10.77.<net>.0/24} (node i at {@code .i+1}, the bridge at {@code .254}). Links are cut
 * and healed with blackhole routes inside the namespaces (no firewall needed), and a node is
 * isolated by taking its veth down. Needs root and iproute2's {@code ip}; {@link
 * #unavailableReason} says why not when they are missing.
 */
public final class NetNamespaces implements AutoCloseable {
  /** Nodes one test may place, at most: addresses .1 .. .NODES_MAX of the subnet. */
  public static final int NODES_MAX = 16;
  private static final long COMMAND_TIMEOUT_SECONDS = 20;

  private final int net;
  private final int nodes;
  private final List<String> cuts = new ArrayList<>();

  private NetNamespaces(int net, int nodes) {
    this.net = net;
    this.nodes = nodes;
  }

  /** Why namespaces cannot be made here, or empty when they can (tried by making and removing one). */
  public static Optional<String> unavailableReason() {
    String probe = "bkvprobe" + ProcessHandle.current().pid() % 100_000;
    try {
      Result added = ip("netns", "add", probe);
      if (added.exit != 0) {
        return Optional.of("cannot create a network namespace ('ip netns add' said: " + added.output.strip()
            + "); partition tests need root and iproute2");
      }
      ip("netns", "del", probe);
      return Optional.empty();
    } catch (IOException e) {
      return Optional.of("iproute2's 'ip' is not installed: " + e.getMessage());
    }
  }

  /** Makes a bridge and {@code nodes} namespaces, each linked to it; removes everything if any step fails. */
  public static NetNamespaces create(int nodes) throws IOException {
    if (nodes < 1 || nodes > NODES_MAX) {
      throw new IllegalArgumentException("1.." + NODES_MAX + " nodes, not " + nodes);
    }
    // A subnet of its own per test JVM, so that a leftover of a killed run does not collide.
    int net = 1 + (int) (ProcessHandle.current().pid() % 250);
    NetNamespaces ns = new NetNamespaces(net, nodes);
    try {
      ns.close(); // leftovers of an earlier run with the same pid
      must("link", "add", ns.bridge(), "type", "bridge");
      must("addr", "add", ns.subnet() + ".254/24", "dev", ns.bridge());
      must("link", "set", ns.bridge(), "up");
      for (int i = 0; i < nodes; i++) {
        must("netns", "add", ns.namespace(i));
        must("link", "add", ns.veth(i), "type", "veth", "peer", "name", "eth0", "netns", ns.namespace(i));
        must("link", "set", ns.veth(i), "master", ns.bridge(), "up");
        must("-n", ns.namespace(i), "addr", "add", ns.address(i) + "/24", "dev", "eth0");
        must("-n", ns.namespace(i), "link", "set", "eth0", "up");
        must("-n", ns.namespace(i), "link", "set", "lo", "up");
      }
      return ns;
    } catch (IOException | RuntimeException e) {
      ns.close();
      throw e;
    }
  }

  /** The address of node {@code i} (0-based). */
  public String address(int i) {
    return subnet() + "." + (i + 1);
  }

  /** {@code command} run inside node {@code i}'s namespace. */
  public List<String> inside(int i, List<String> command) {
    List<String> wrapped = new ArrayList<>(List.of("ip", "netns", "exec", namespace(i)));
    wrapped.addAll(command);
    return wrapped;
  }

  /** Cuts the link between nodes a and b, both ways. */
  public void cut(int a, int b) throws IOException {
    must("-n", namespace(a), "route", "add", "blackhole", address(b) + "/32");
    must("-n", namespace(b), "route", "add", "blackhole", address(a) + "/32");
    cuts.add(a + "-" + b);
  }

  /** Heals every cut link. */
  public void healCuts() throws IOException {
    for (String cut : cuts) {
      int a = Integer.parseInt(cut.split("-")[0]);
      int b = Integer.parseInt(cut.split("-")[1]);
      must("-n", namespace(a), "route", "del", "blackhole", address(b) + "/32");
      must("-n", namespace(b), "route", "del", "blackhole", address(a) + "/32");
    }
    cuts.clear();
  }

  /** Node i can reach no one, and no one it (its link to the bridge is down). */
  public void isolate(int i) throws IOException {
    must("link", "set", veth(i), "down");
  }

  public void rejoin(int i) throws IOException {
    must("link", "set", veth(i), "up");
  }

  /** Removes the namespaces (their veths go with them) and the bridge; quiet about what is already gone. */
  @Override
  public void close() {
    for (int i = 0; i < nodes; i++) {
      try {
        ip("netns", "del", namespace(i));
      } catch (IOException ignored) {
        // Nothing to remove.
      }
    }
    try {
      ip("link", "del", bridge());
    } catch (IOException ignored) {
      // Nothing to remove.
    }
  }

  private String subnet() {
    return "10.77." + net;
  }

  private String bridge() {
    return "bkvb" + net;
  }

  private String namespace(int i) {
    return "bkv" + net + "n" + i;
  }

  private String veth(int i) {
    return "bkv" + net + "v" + i;
  }

  private record Result(int exit, String output) {}

  private static void must(String... args) throws IOException {
    Result r = ip(args);
    if (r.exit != 0) {
      throw new IOException("ip " + String.join(" ", args) + " failed (exit " + r.exit + "): " + r.output.strip());
    }
  }

  private static Result ip(String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of("ip"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("ip " + String.join(" ", args) + " did not finish in " + COMMAND_TIMEOUT_SECONDS + " s");
      }
      return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new IOException("interrupted running ip", e);
    }
  }
}
