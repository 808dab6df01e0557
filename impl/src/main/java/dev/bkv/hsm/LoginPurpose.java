package dev.bkv.hsm;

import dev.bkv.vault.Phase;

/**
 * Why a client logs in. Every purpose runs the same OPAQUE login and counts a guess; what a
 * verified KE3 then does differs. A purpose applies only to records in the phase it names;
 * for any other record the login runs against a fake record, as for an unknown user.
 */
public enum LoginPurpose {
  /** Registration phase 2: upload the backup key to the STORED record. */
  EXPOSE(1, Phase.STORED),
  /** Recovery: release the backup key of the EXPOSED record. */
  RECOVER(2, Phase.EXPOSED),
  /** Deletion by the owner, in either phase. */
  DELETE(3, null);

  public final int code;
  private final Phase requiredPhase;

  LoginPurpose(int code, Phase requiredPhase) {
    this.code = code;
    this.requiredPhase = requiredPhase;
  }

  public boolean appliesTo(Phase phase) {
    return requiredPhase == null || requiredPhase == phase;
  }

  public static LoginPurpose fromCode(int code) {
    for (LoginPurpose purpose : values()) {
      if (purpose.code == code) {
        return purpose;
      }
    }
    return null;
  }
}
