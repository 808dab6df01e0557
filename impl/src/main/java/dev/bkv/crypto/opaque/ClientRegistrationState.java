package dev.bkv.crypto.opaque;

import dev.bkv.crypto.P256Group.Scalar;

/** What the client keeps between startRegistration and finalizeRegistration. Secret; single use. */
public final class ClientRegistrationState {
  private final Password password;
  private final Scalar blind;
  private final Nonce envelopeNonce;

  ClientRegistrationState(Password password, Scalar blind, Nonce envelopeNonce) {
    this.password = password;
    this.blind = blind;
    this.envelopeNonce = envelopeNonce;
  }

  Password password() {
    return password;
  }

  Scalar blind() {
    return blind;
  }

  Nonce envelopeNonce() {
    return envelopeNonce;
  }

  /** Wipes the password copy and the blind. */
  public void destroy() {
    password.destroy();
    blind.destroy();
  }

  @Override
  public String toString() {
    return "ClientRegistrationState(secret)";
  }
}
