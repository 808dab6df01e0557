package dev.bkv.crypto.opaque;

import java.util.Objects;
import java.util.Optional;

/**
 * What both ends of one OPAQUE deployment must agree on: the context string bound into every
 * transcript, the optional server and client identities (absent means "the public key", as
 * RFC 9807 CreateCleartextCredentials says), and the client's KSF. Immutable.
 */
public final class OpaqueConfig {
  private final byte[] context;
  private final byte[] serverIdentity;
  private final byte[] clientIdentity;
  private final Ksf ksf;

  private OpaqueConfig(Builder b) {
    this.context = b.context.clone();
    this.serverIdentity = b.serverIdentity == null ? null : b.serverIdentity.clone();
    this.clientIdentity = b.clientIdentity == null ? null : b.clientIdentity.clone();
    this.ksf = b.ksf;
  }

  /** Empty context, no identities, Argon2id with the default costs. */
  public static OpaqueConfig defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from this configuration. */
  public Builder toBuilder() {
    Builder b = new Builder().context(context).ksf(ksf);
    b.serverIdentity = serverIdentity;
    b.clientIdentity = clientIdentity;
    return b;
  }

  /** The same configuration for another user: only the client identity changes. */
  public OpaqueConfig withClientIdentity(byte[] identity) {
    return toBuilder().clientIdentity(identity).build();
  }

  public byte[] context() {
    return context.clone();
  }

  public Optional<byte[]> serverIdentity() {
    return Optional.ofNullable(serverIdentity).map(byte[]::clone);
  }

  public Optional<byte[]> clientIdentity() {
    return Optional.ofNullable(clientIdentity).map(byte[]::clone);
  }

  public Ksf ksf() {
    return ksf;
  }

  byte[] contextRaw() {
    return context;
  }

  /** server_identity, or the server's public key when none is configured. */
  byte[] serverIdentityOr(byte[] serverPublicKey) {
    return serverIdentity != null ? serverIdentity : serverPublicKey;
  }

  /** client_identity, or the client's public key when none is configured. */
  byte[] clientIdentityOr(byte[] clientPublicKey) {
    return clientIdentity != null ? clientIdentity : clientPublicKey;
  }

  @Override
  public String toString() {
    return "OpaqueConfig(context " + context.length + " bytes, serverIdentity "
        + (serverIdentity == null ? "none" : serverIdentity.length + " bytes") + ", clientIdentity "
        + (clientIdentity == null ? "none" : clientIdentity.length + " bytes") + ", " + ksf + ")";
  }

  public static final class Builder {
    private byte[] context = new byte[0];
    private byte[] serverIdentity;
    private byte[] clientIdentity;
    private Ksf ksf = Ksf.argon2idDefault();

    private Builder() {}

    /** At most CONTEXT_BYTES_MAX bytes; empty is allowed (and is what opaque-ke's bindings use). */
    public Builder context(byte[] value) {
      Objects.requireNonNull(value, "context");
      if (value.length > OpaqueSuite.CONTEXT_BYTES_MAX) {
        throw new IllegalArgumentException(
            "context of " + value.length + " bytes exceeds CONTEXT_BYTES_MAX " + OpaqueSuite.CONTEXT_BYTES_MAX);
      }
      this.context = value.clone();
      return this;
    }

    /** 1..IDENTITY_BYTES_MAX bytes (RFC 9807: {@code server_identity<1..2^16-1>}). */
    public Builder serverIdentity(byte[] value) {
      this.serverIdentity = checkIdentity("server identity", value);
      return this;
    }

    /** 1..IDENTITY_BYTES_MAX bytes (RFC 9807: {@code client_identity<1..2^16-1>}). */
    public Builder clientIdentity(byte[] value) {
      this.clientIdentity = checkIdentity("client identity", value);
      return this;
    }

    public Builder ksf(Ksf value) {
      this.ksf = Objects.requireNonNull(value, "ksf");
      return this;
    }

    public OpaqueConfig build() {
      return new OpaqueConfig(this);
    }

    private static byte[] checkIdentity(String what, byte[] value) {
      Objects.requireNonNull(value, what);
      if (value.length == 0 || value.length > OpaqueSuite.IDENTITY_BYTES_MAX) {
        throw new IllegalArgumentException(
            what + " must be 1.." + OpaqueSuite.IDENTITY_BYTES_MAX + " bytes, got " + value.length);
      }
      return value.clone();
    }
  }
}
