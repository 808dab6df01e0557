package dev.bkv.crypto.opaque;

import dev.bkv.crypto.P256Group.Scalar;

/** What the client keeps between startLogin and finishLogin (password, blind, client_secret, KE1). Secret. */
public final class ClientLoginState {
  private final Password password;
  private final Scalar blind;
  private final Scalar clientSecret;
  private final KE1 ke1;

  ClientLoginState(Password password, Scalar blind, Scalar clientSecret, KE1 ke1) {
    this.password = password;
    this.blind = blind;
    this.clientSecret = clientSecret;
    this.ke1 = ke1;
  }

  Password password() {
    return password;
  }

  Scalar blind() {
    return blind;
  }

  Scalar clientSecret() {
    return clientSecret;
  }

  KE1 ke1() {
    return ke1;
  }

  /** Wipes the password copy, the blind and the ephemeral secret. */
  public void destroy() {
    password.destroy();
    blind.destroy();
    clientSecret.destroy();
  }

  @Override
  public String toString() {
    return "ClientLoginState(secret)";
  }
}
