package dev.bkv.fleet;

import dev.bkv.crypto.EcdsaP256;
import dev.bkv.crypto.P256Group;
import dev.bkv.hsm.HsmId;

/**
 * The public keys a client needs for one HSM of a fleet: its identity key (ECDSA P-256, which
 * signs its attestation and deployment statement) and the OPAQUE server key it answers
 * logins with (the same for every HSM of a fleet). The HSM id derives from the identity key.
 */
public record MemberKeys(HsmId hsmId, String datacenter, EcdsaP256.PublicKey identityKey, P256Group.Element opaqueServerKey) {
  public MemberKeys {
    if (hsmId == null || identityKey == null || opaqueServerKey == null) {
      throw new IllegalArgumentException("member keys need an HSM id, an identity key and an OPAQUE server key");
    }
    FleetNames.datacenterProblem(datacenter).ifPresent(p -> {
      throw new IllegalArgumentException(p);
    });
    if (!HsmId.of(identityKey).equals(hsmId)) {
      throw new IllegalArgumentException("HSM id " + hsmId.toHex() + " is not derived from its identity key");
    }
  }

  public FleetMember member() {
    return new FleetMember(hsmId, datacenter);
  }
}
