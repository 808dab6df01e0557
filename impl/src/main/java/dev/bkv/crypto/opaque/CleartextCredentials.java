package dev.bkv.crypto.opaque;

import dev.bkv.base.Bytes;
import dev.bkv.base.Check;

/**
 * RFC 9807 CleartextCredentials: {@code uint8 server_public_key[Npk]; uint8
 * server_identity<1..2^16-1>; uint8 client_identity<1..2^16-1>}. The server key is carried
 * as bytes: on the client it comes out of the unmasked response and is only trusted (and
 * decoded) once the envelope's MAC over these bytes has verified.
 */
final class CleartextCredentials {
  private final byte[] serverPublicKey;
  private final byte[] serverIdentity;
  private final byte[] clientIdentity;

  private CleartextCredentials(byte[] serverPublicKey, byte[] serverIdentity, byte[] clientIdentity) {
    Check.that(serverPublicKey.length == OpaqueSuite.PUBLIC_KEY_BYTES, "server_public_key is Npk bytes");
    Check.that(serverIdentity.length >= 1 && serverIdentity.length <= 0xffff, "server_identity<1..2^16-1>");
    Check.that(clientIdentity.length >= 1 && clientIdentity.length <= 0xffff, "client_identity<1..2^16-1>");
    this.serverPublicKey = serverPublicKey;
    this.serverIdentity = serverIdentity;
    this.clientIdentity = clientIdentity;
  }

  /**
   * CreateCleartextCredentials(server_public_key, client_public_key, server_identity,
   * client_identity): a missing identity defaults to the corresponding public key.
   */
  static CleartextCredentials create(byte[] serverPublicKey, byte[] clientPublicKey, OpaqueConfig config) {
    return new CleartextCredentials(
        serverPublicKey, config.serverIdentityOr(serverPublicKey), config.clientIdentityOr(clientPublicKey));
  }

  byte[] serverPublicKey() {
    return serverPublicKey;
  }

  byte[] serverIdentity() {
    return serverIdentity;
  }

  byte[] clientIdentity() {
    return clientIdentity;
  }

  byte[] serialize() {
    return Bytes.concat(
        serverPublicKey,
        Bytes.i2osp(serverIdentity.length, 2), serverIdentity,
        Bytes.i2osp(clientIdentity.length, 2), clientIdentity);
  }
}
