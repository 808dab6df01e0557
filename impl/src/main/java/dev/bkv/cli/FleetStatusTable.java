package dev.bkv.cli;

import dev.bkv.base.Json;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A frontend's {@code bkv-fleet-status/1} JSON as the operator reads it: one row per node
 * that answered, one line per node that did not, and the verdict {@code bkv status} exits on
 * (a leader is known, a majority is reachable). The JSON comes from an untrusted host, so a
 * missing or mistyped field is refused with its name, and every list is bounded.
 */
final class FleetStatusTable {
  static final String FORMAT = "bkv-fleet-status/1";
  /** Most nodes listed: the largest fleet a workspace makes. */
  static final int NODES_MAX = 64;
  /** Characters of a text field shown (host-supplied error strings are cut, never trusted). */
  static final int TEXT_CHARS_MAX = 120;

  record Node(long hsm, String datacenter, String role, long term, long commitIndex, long leader, boolean abstaining,
      String storage, String peers) {}

  record Unreachable(long hsm, String url, String error) {}

  private final String fleet;
  private final List<Node> nodes;
  private final List<Unreachable> unreachable;

  private FleetStatusTable(String fleet, List<Node> nodes, List<Unreachable> unreachable) {
    this.fleet = fleet;
    this.nodes = nodes;
    this.unreachable = unreachable;
  }

  static FleetStatusTable parse(String json) {
    Map<String, Object> top = Json.parseObject(json);
    if (!FORMAT.equals(top.get("format"))) {
      throw new IllegalArgumentException("status JSON: \"format\" must be \"" + FORMAT + "\"");
    }
    String fleet = text(top, "fleet", "status JSON");
    if (!(top.get("nodes") instanceof List<?> list)) {
      throw new IllegalArgumentException("status JSON: \"nodes\" must be a list");
    }
    if (list.size() > NODES_MAX) {
      throw new IllegalArgumentException("status JSON lists more than " + NODES_MAX + " nodes");
    }
    List<Node> nodes = new ArrayList<>();
    List<Unreachable> unreachable = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      if (!(list.get(i) instanceof Map<?, ?> node)) {
        throw new IllegalArgumentException("status JSON: node " + i + " is not an object");
      }
      String where = "status JSON node " + i;
      if (node.containsKey("error")) {
        unreachable.add(new Unreachable(number(node, "hsm", where), text(node, "url", where), text(node, "error", where)));
      } else {
        nodes.add(new Node(number(node, "hsm", where), text(node, "datacenter", where), text(node, "role", where),
            number(node, "term", where), number(node, "commitIndex", where), number(node, "leader", where),
            flag(node, "abstaining", where), text(node, "storage", where), peers(node, where)));
      }
    }
    return new FleetStatusTable(fleet, nodes, unreachable);
  }

  /** Why the fleet needs attention (exit 1), or empty. */
  Optional<String> problem() {
    int total = nodes.size() + unreachable.size();
    if (unreachable.size() * 2 > total) {
      return Optional.of(unreachable.size() + " of " + total + " nodes unreachable: no majority");
    }
    if (leader().isEmpty()) {
      return Optional.of("no leader known");
    }
    return Optional.empty();
  }

  /** The leader a reachable node leads as or names, if any. */
  Optional<Long> leader() {
    for (Node node : nodes) {
      if (node.role().equals("leader")) {
        return Optional.of(node.hsm());
      }
    }
    return nodes.stream().map(Node::leader).filter(l -> l >= 0).findFirst();
  }

  String render() {
    StringBuilder out = new StringBuilder("fleet ").append(fleet).append(": ").append(nodes.size()).append(" of ")
        .append(nodes.size() + unreachable.size()).append(" nodes answered, leader ")
        .append(leader().map(String::valueOf).orElse("unknown")).append('\n');
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"HSM", "DC", "ROLE", "TERM", "COMMIT", "LEADER", "ABSTAINING", "STORAGE", "LAST CONTACT (ms)"});
    for (Node n : nodes) {
      rows.add(new String[] {String.valueOf(n.hsm()), n.datacenter(), n.role(), String.valueOf(n.term()),
          String.valueOf(n.commitIndex()), n.leader() < 0 ? "-" : String.valueOf(n.leader()), n.abstaining() ? "yes" : "no",
          n.storage(), n.peers()});
    }
    int[] widths = new int[rows.get(0).length];
    for (String[] row : rows) {
      for (int c = 0; c < row.length; c++) {
        widths[c] = Math.max(widths[c], row[c].length());
      }
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int c = 0; c < row.length; c++) {
        line.append(c == row.length - 1 ? row[c] : String.format("%-" + widths[c] + "s  ", row[c]));
      }
      out.append(line.toString().stripTrailing()).append('\n');
    }
    for (Unreachable u : unreachable) {
      out.append("UNREACHABLE hsm ").append(u.hsm()).append(" at ").append(u.url()).append(": ").append(u.error()).append('\n');
    }
    return out.toString();
  }

  private static String peers(Map<?, ?> node, String where) {
    if (!(node.get("peers") instanceof List<?> peers) || peers.size() > NODES_MAX) {
      throw new IllegalArgumentException(where + ": \"peers\" must be a list of at most " + NODES_MAX);
    }
    List<String> parts = new ArrayList<>();
    for (Object p : peers) {
      if (!(p instanceof Map<?, ?> peer)) {
        throw new IllegalArgumentException(where + ": a peer is not an object");
      }
      long millis = number(peer, "lastContactMillis", where + " peer");
      parts.add(number(peer, "hsm", where + " peer") + ":" + (millis < 0 ? "never" : String.valueOf(millis)));
    }
    return parts.isEmpty() ? "-" : String.join(" ", parts);
  }

  private static String text(Map<?, ?> map, String key, String where) {
    if (!(map.get(key) instanceof String value)) {
      throw new IllegalArgumentException(where + ": \"" + key + "\" must be a string");
    }
    StringBuilder clean = new StringBuilder();
    for (int i = 0; i < value.length() && clean.length() < TEXT_CHARS_MAX; i++) {
      char c = value.charAt(i);
      clean.append(c >= 0x20 && c < 0x7f ? c : '?'); // no terminal control sequences from the host
    }
    return clean.toString();
  }

  private static long number(Map<?, ?> map, String key, String where) {
    if (!(map.get(key) instanceof BigInteger value) || value.bitLength() > 62) {
      throw new IllegalArgumentException(where + ": \"" + key + "\" must be an integer");
    }
    return value.longValue();
  }

  private static boolean flag(Map<?, ?> map, String key, String where) {
    if (!(map.get(key) instanceof Boolean value)) {
      throw new IllegalArgumentException(where + ": \"" + key + "\" must be true or false");
    }
    return value;
  }
}
