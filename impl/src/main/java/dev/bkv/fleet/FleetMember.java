package dev.bkv.fleet;

import dev.bkv.hsm.HsmId;
import java.util.Comparator;

/** One HSM of a fleet and the datacenter it is placed in. */
public record FleetMember(HsmId hsmId, String datacenter) {
  /** Fleets list their HSMs in increasing id (hex, so unsigned byte) order: one encoding per fleet. */
  public static final Comparator<HsmId> ID_ORDER = Comparator.comparing(HsmId::toHex);

  public FleetMember {
    if (hsmId == null) {
      throw new IllegalArgumentException("HSM id is missing");
    }
    FleetNames.datacenterProblem(datacenter).ifPresent(p -> {
      throw new IllegalArgumentException(p);
    });
  }
}
