package dev.bkv.crypto.opaque;

import dev.bkv.base.Bytes;
import dev.bkv.crypto.HmacSha256;
import dev.bkv.crypto.P256Group;
import dev.bkv.crypto.P256Group.Element;
import dev.bkv.crypto.P256Group.KeyPair;
import dev.bkv.crypto.P256Group.Scalar;
import dev.bkv.crypto.Sha256;
import java.util.Optional;

/** RFC 9807 OPAQUE-3DH: the transcript (Preamble) and the server and client AKE steps. */
final class ThreeDh {
  private static final byte[] VERSION_LABEL = KeySchedule.ascii("OPAQUEv1-");

  private ThreeDh() {}

  /**
   * Preamble: concat("OPAQUEv1-", I2OSP(len(context), 2), context, I2OSP(len(client_identity), 2),
   * client_identity, ke1, I2OSP(len(server_identity), 2), server_identity, credential_response,
   * server_nonce, server_public_keyshare).
   */
  static byte[] preamble(
      byte[] context, CleartextCredentials cleartext, KE1 ke1, CredentialResponse credentialResponse,
      Nonce serverNonce, Element serverPublicKeyshare) {
    return Bytes.concat(
        VERSION_LABEL,
        Bytes.i2osp(context.length, 2), context,
        Bytes.i2osp(cleartext.clientIdentity().length, 2), cleartext.clientIdentity(),
        ke1.encode(),
        Bytes.i2osp(cleartext.serverIdentity().length, 2), cleartext.serverIdentity(),
        credentialResponse.encode(),
        serverNonce.raw(),
        serverPublicKeyshare.encode());
  }

  record ServerAuth(AuthResponse authResponse, Mac expectedClientMac, KeySchedule.DerivedKeys keys) {}

  /**
   * AuthServerRespond(cleartext_credentials, server_private_key, client_public_key, ke1,
   * credential_response) with the nonce and key-share seed given.
   */
  static ServerAuth authServerRespond(
      byte[] context, CleartextCredentials cleartext, Scalar serverPrivateKey, Element clientPublicKey,
      KE1 ke1, CredentialResponse credentialResponse, Nonce serverNonce, KeyshareSeed serverKeyshareSeed) {
    // server_nonce = random(Nn)   (given)
    // server_keyshare_seed = random(Nseed)   (given)
    // (server_private_keyshare, server_public_keyshare) = DeriveDiffieHellmanKeyPair(server_keyshare_seed)
    KeyPair serverKeyshare = KeySchedule.deriveDiffieHellmanKeyPair(serverKeyshareSeed.raw());
    // preamble = Preamble(cleartext_credentials.client_identity, ke1, cleartext_credentials.server_identity,
    //                     credential_response, server_nonce, server_public_keyshare)
    byte[] preamble = preamble(context, cleartext, ke1, credentialResponse, serverNonce, serverKeyshare.publicKey());
    Element clientPublicKeyshare = ke1.authRequest().clientPublicKeyshare();
    // dh1 = DiffieHellman(server_private_keyshare, ke1.auth_request.client_public_keyshare)
    // dh2 = DiffieHellman(server_private_key, ke1.auth_request.client_public_keyshare)
    // dh3 = DiffieHellman(server_private_keyshare, client_public_key)
    // ikm = concat(dh1, dh2, dh3)
    byte[] ikm = Bytes.concatZeroizing(
        dh(serverKeyshare.privateKey(), clientPublicKeyshare),
        dh(serverPrivateKey, clientPublicKeyshare),
        dh(serverKeyshare.privateKey(), clientPublicKey));
    serverKeyshare.privateKey().destroy();
    // Km2, Km3, session_key = DeriveKeys(ikm, preamble)
    KeySchedule.DerivedKeys keys = KeySchedule.deriveKeys(ikm, preamble);
    Bytes.zeroize(ikm);
    byte[] preambleHash = Sha256.hash(preamble);
    // server_mac = MAC(Km2, Hash(preamble))
    Mac serverMac = new Mac(HmacSha256.mac(keys.km2(), preambleHash));
    // expected_client_mac = MAC(Km3, Hash(concat(preamble, server_mac)))
    Mac expectedClientMac = new Mac(HmacSha256.mac(keys.km3(), Sha256.hash(preamble, serverMac.raw())));
    // auth_response = AuthResponse(server_nonce, server_public_keyshare, server_mac)
    return new ServerAuth(new AuthResponse(serverNonce, serverKeyshare.publicKey(), serverMac), expectedClientMac, keys);
  }

  record ClientAuth(KE3 ke3, KeySchedule.DerivedKeys keys) {}

  /**
   * AuthClientFinalize(cleartext_credentials, client_private_key, ke2); empty is the RFC's
   * ServerAuthenticationError.
   */
  static Optional<ClientAuth> authClientFinalize(
      byte[] context, CleartextCredentials cleartext, Scalar clientPrivateKey, Element serverPublicKey,
      Scalar clientSecret, KE1 ke1, KE2 ke2) {
    Element serverPublicKeyshare = ke2.authResponse().serverPublicKeyshare();
    // dh1 = DiffieHellman(state.client_secret, ke2.auth_response.server_public_keyshare)
    // dh2 = DiffieHellman(state.client_secret, cleartext_credentials.server_public_key)
    // dh3 = DiffieHellman(client_private_key, ke2.auth_response.server_public_keyshare)
    // ikm = concat(dh1, dh2, dh3)
    byte[] ikm = Bytes.concatZeroizing(
        dh(clientSecret, serverPublicKeyshare), dh(clientSecret, serverPublicKey), dh(clientPrivateKey, serverPublicKeyshare));
    // preamble = Preamble(cleartext_credentials.client_identity, state.ke1, cleartext_credentials.server_identity,
    //                     ke2.credential_response, ke2.auth_response.server_nonce, ke2.auth_response.server_public_keyshare)
    byte[] preamble = preamble(
        context, cleartext, ke1, ke2.credentialResponse(), ke2.authResponse().serverNonce(), serverPublicKeyshare);
    // Km2, Km3, session_key = DeriveKeys(ikm, preamble)
    KeySchedule.DerivedKeys keys = KeySchedule.deriveKeys(ikm, preamble);
    Bytes.zeroize(ikm);
    // expected_server_mac = MAC(Km2, Hash(preamble))
    Mac expectedServerMac = new Mac(HmacSha256.mac(keys.km2(), Sha256.hash(preamble)));
    // if !ct_equal(ke2.server_mac, expected_server_mac): raise ServerAuthenticationError
    if (!ke2.authResponse().serverMac().constantTimeEquals(expectedServerMac)) {
      keys.destroy();
      keys.sessionKey().destroy();
      return Optional.empty();
    }
    // client_mac = MAC(Km3, Hash(concat(preamble, expected_server_mac)))
    Mac clientMac = new Mac(HmacSha256.mac(keys.km3(), Sha256.hash(preamble, expectedServerMac.raw())));
    // ke3 = KE3(client_mac)
    return Optional.of(new ClientAuth(new KE3(clientMac), keys));
  }

  /** DiffieHellman(k, B) = SerializeElement(k * B). */
  private static byte[] dh(Scalar k, Element b) {
    return P256Group.dh(k, b).encode();
  }
}
