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
 * What changed from one logged bundle to the next (audit step 5): which fleet replaces which
 * (a rotation: its HSMs added and removed, and whether the OPAQUE server key changed), HSMs
 * added or removed, moved between datacenters or given new keys, the OPAQUE server key, the
 * quorum and the evidence. {@link #keysChanged} is the fact the auditor's epoch rule
 * needs: the key set (keys, datacenters, quorum) may only change with a new epoch.
 */
public record FleetDiff(List<String> changes, boolean keysChanged) {
  public FleetDiff {
    changes = List.copyOf(changes);
  }

  public static FleetDiff between(ValidationBundle before, ValidationBundle after) {
    List<String> members = new ArrayList<>();
    int added = 0;
    int removed = 0;
    Map<String, MemberKeys> old = byId(before);
    Map<String, MemberKeys> now = byId(after);
    for (Map.Entry<String, MemberKeys> e : now.entrySet()) {
      MemberKeys was = old.get(e.getKey());
      MemberKeys is = e.getValue();
      if (was == null) {
        members.add("added HSM " + e.getKey() + " in " + is.datacenter());
        added++;
        continue;
      }
      if (!was.datacenter().equals(is.datacenter())) {
        members.add("HSM " + e.getKey() + " moved from " + was.datacenter() + " to " + is.datacenter());
      }
    }
    for (Map.Entry<String, MemberKeys> e : old.entrySet()) {
      if (!now.containsKey(e.getKey())) {
        members.add("removed HSM " + e.getKey() + " from " + e.getValue().datacenter());
        removed++;
      }
    }
    List<String> changes = new ArrayList<>();
    boolean opaqueChanged = !before.opaqueServerKey().equals(after.opaqueServerKey());
    String opaque = opaqueChanged ? "OPAQUE server key " + shortKey(before) + " -> " + shortKey(after)
        : "OPAQUE server key unchanged";
    if (!before.fleetId().equals(after.fleetId())) {
      // A rotation: users move from the old fleet to this one (G8), so the summary comes first.
      changes.add("fleet " + after.fleetId() + " replaces fleet " + before.fleetId() + ": " + added + " HSMs added, "
          + removed + " removed, " + opaque);
    } else if (opaqueChanged) {
      changes.add(opaque);
    }
    changes.addAll(members);
    if (before.quorum() != after.quorum() || before.members().size() != after.members().size()) {
      changes.add("quorum " + before.quorum() + " of " + before.members().size() + " -> " + after.quorum() + " of "
          + after.members().size());
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
