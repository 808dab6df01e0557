package dev.bkv.evidence;

import dev.bkv.crypto.EcdsaP256;
import dev.bkv.crypto.P256Group;
import dev.bkv.crypto.Sha256Digest;
import dev.bkv.fleet.FleetConfig;
import dev.bkv.fleet.MemberKeys;
import dev.bkv.hsm.HsmId;
import java.util.List;

/**
 * What verified deployment evidence establishes: the fleet's configuration, each HSM's keys
 * (every HSM genuine per the vendor root and signing its own statement), the fleet-wide OPAQUE
 * key, the vault jar all HSMs named, the operator's countersigning key (itself a genuine HSM),
 * and the digests that name the evidence and its transcript.
 */
public record EvidenceFacts(Sha256Digest evidenceDigest, FleetConfig config, List<MemberKeys> members,
    P256Group.Element opaqueServerKey, HsmId sourceHsm, Sha256Digest vaultJar, long ceremonyTimeSeconds,
    Sha256Digest transcriptDigest, EcdsaP256.PublicKey operatorKey) {
  public EvidenceFacts {
    members = List.copyOf(members);
  }
}
