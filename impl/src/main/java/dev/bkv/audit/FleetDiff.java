package dev.bkv.audit;

import dev.bkv.base.Hex;
import dev.bkv.bundle.BundleVerifier;
import dev.bkv.bundle.ValidationBundle;
import dev.bkv.fleet.MemberKeys;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What changed from one logged bundle to the next (audit step 5): HSMs added or removed,
 * moved between datacenters or given new keys, the OPAQUE server key, the quorum, the
 * fleet id and the evidence. {@link #keysChanged} is the fact the auditor's epoch rule
 * needs: the key set (keys, datacenters, quorum) may only change with a new epoch.
 */
public record FleetDiff(List<String> changes, boolean keysChanged) {
  public FleetDiff {
    changes = List.copyOf(changes);
  }

  public static FleetDiff between(ValidationBundle before, ValidationBundle after) {
    List<String> changes = new ArrayList<>();
    Map<String, MemberKeys> old = byId(before);
    Map<String, MemberKeys> now = byId(after);
    for (Map.Entry<String, MemberKeys> e : now.entrySet()) {
      MemberKeys was = old.get(e.getKey());
      MemberKeys is = e.getValue();
      if (was == null) {
        changes.add("added HSM " + e.getKey() + " in " + is.datacenter());
        continue;
      }
      if (!was.datacenter().equals(is.datacenter())) {
        changes.add("HSM " + e.getKey() + " moved from " + was.datacenter() + " to " + is.datacenter());
      }
    }
    for (Map.Entry<String, MemberKeys> e : old.entrySet()) {
      if (!now.containsKey(e.getKey())) {
        changes.add("removed HSM " + e.getKey() + " from " + e.getValue().datacenter());
      }
    }
    if (!before.opaqueServerKey().equals(after.opaqueServerKey())) {
      changes.add("OPAQUE server key " + shortKey(before) + " -> " + shortKey(after));
    }
    if (before.quorum() != after.quorum() || before.members().size() != after.members().size()) {
      changes.add("quorum " + before.quorum() + " of " + before.members().size() + " -> " + after.quorum() + " of "
          + after.members().size());
    }
    if (!before.fleetId().equals(after.fleetId())) {
      changes.add("fleet id " + before.fleetId() + " -> " + after.fleetId());
    }
    if (!before.evidenceDigest().equals(after.evidenceDigest())) {
      changes.add("evidence " + before.evidenceDigest().toHex().substring(0, 16) + "... -> "
          + after.evidenceDigest().toHex().substring(0, 16) + "...");
    }
    boolean keysChanged = !BundleVerifier.keySetDigest(before).equals(BundleVerifier.keySetDigest(after));
    return new FleetDiff(changes, keysChanged);
  }

  // An HSM's id derives from its identity key, so a new identity key is a new id: "HSM
  // replaced" shows up as one removed and one added.
  private static Map<String, MemberKeys> byId(ValidationBundle bundle) {
    Map<String, MemberKeys> out = new TreeMap<>();
    for (MemberKeys m : bundle.members()) {
      out.put(m.hsmId().toHex(), m);
    }
    return out;
  }

  private static String shortKey(ValidationBundle bundle) {
    return Hex.encode(bundle.opaqueServerKey().encode()).substring(0, 16) + "...";
  }
}
