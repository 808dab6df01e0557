package dev.bkv.node;

import dev.bkv.base.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a node's {@code GET /bkv/status} shows (format {@code bkv-node-status/1}): untrusted
 * host-side information for the operator, read on the node's event loop between steps.
 * {@code leader} is this node when it leads, else the leader it last heard of (-1: none);
 * {@code lastContactMillis} is the time since the last message from that peer that passed
 * the HSM's MAC check (-1: none since boot).
 */
public record NodeStatus(String fleet, int hsm, String hsmId, String datacenter, String role, long term, long commitIndex,
    int leader, boolean abstaining, String storage, List<PeerContact> peers, long uptimeMillis) {
  public static final String FORMAT = "bkv-node-status/1";

  public record PeerContact(int hsm, long lastContactMillis) {}

  public NodeStatus {
    peers = List.copyOf(peers);
  }

  public Map<String, Object> toJsonValue() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("format", FORMAT);
    m.put("fleet", fleet);
    m.put("hsm", hsm);
    m.put("hsmId", hsmId);
    m.put("datacenter", datacenter);
    m.put("role", role);
    m.put("term", term);
    m.put("commitIndex", commitIndex);
    m.put("leader", leader);
    m.put("abstaining", abstaining);
    m.put("storage", storage);
    List<Object> contacts = new ArrayList<>();
    for (PeerContact p : peers) {
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("hsm", p.hsm());
      c.put("lastContactMillis", p.lastContactMillis());
      contacts.add(c);
    }
    m.put("peers", contacts);
    m.put("uptimeMillis", uptimeMillis);
    return m;
  }

  public String toJson() {
    return Json.write(toJsonValue());
  }
}
