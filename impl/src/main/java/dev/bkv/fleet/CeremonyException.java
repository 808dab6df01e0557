package dev.bkv.fleet;

/**
 * The key ceremony stopped: the plan breaks a rule, an HSM is not genuine or not fresh, or a
 * step's result did not check out. The message names the HSM or datacenter and the step.
 */
public final class CeremonyException extends Exception {
  public CeremonyException(String message) {
    super(message);
  }

  public CeremonyException(String message, Throwable cause) {
    super(message, cause);
  }
}
