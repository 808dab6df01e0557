package dev.bkv.evidence;

import dev.bkv.crypto.EcdsaP256;
import dev.bkv.hsm.HsmId;

/** A device certificate that verified against a vendor root: which HSM key it vouches for, and when. */
public record DeviceCertificate(HsmId hsmId, EcdsaP256.PublicKey identityKey, long notBeforeSeconds, long notAfterSeconds,
    byte[] der) {
  public DeviceCertificate {
    der = der.clone();
  }

  @Override
  public byte[] der() {
    return der.clone();
  }
}
