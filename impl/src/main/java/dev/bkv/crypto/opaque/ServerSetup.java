package dev.bkv.crypto.opaque;

import dev.bkv.base.Bytes;
import dev.bkv.base.Check;
import dev.bkv.crypto.DecodeException;
import dev.bkv.crypto.P256Group.Element;
import dev.bkv.crypto.P256Group.KeyPair;
import dev.bkv.crypto.P256Group.Scalar;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * A server's long-term OPAQUE material: the {@code oprf_seed} every per-user OPRF key is
 * derived from, the server's AKE key pair, and the public key of the fake client record
 * used to answer for unknown users (RFC 9807 CreateCredentialResponse; like opaque-ke, one
 * fixed fake key per server, so repeated probes of an unknown user look like a real one).
 *
 * <p>The encoding is opaque-ke's {@code ServerSetup} layout, {@code oprf_seed (32) ||
 * server_private_key (32) || fake_client_public_key (33)}, so a setup can move between the two
 * implementations. It holds secrets: seal it, never log it; {@link #destroy} wipes it.
 */
public final class ServerSetup {
  public static final int ENCODED_BYTES = OpaqueSuite.HASH_BYTES + OpaqueSuite.PRIVATE_KEY_BYTES + OpaqueSuite.PUBLIC_KEY_BYTES;

  private final OprfSeed oprfSeed;
  private final KeyPair serverKeyPair;
  private final Element fakeClientPublicKey;

  private ServerSetup(OprfSeed oprfSeed, KeyPair serverKeyPair, Element fakeClientPublicKey) {
    this.oprfSeed = oprfSeed;
    this.serverKeyPair = serverKeyPair;
    this.fakeClientPublicKey = fakeClientPublicKey;
  }

  /**
   * A fresh setup: oprf_seed = random(Nh); the server key pair and the fake client key pair
   * from RFC 9807 GenerateAuthKeyPair (DeriveDiffieHellmanKeyPair of random(Nseed)).
   */
  public static ServerSetup generate(SecureRandom random) {
    KeyPair serverKeyPair = generateAuthKeyPair(random);
    KeyPair fakeClient = generateAuthKeyPair(random);
    fakeClient.privateKey().destroy(); // only its public half is ever used
    return new ServerSetup(OprfSeed.random(random), serverKeyPair, fakeClient.publicKey());
  }

  /** Restores a setup from its parts (for example after unsealing them inside an HSM). */
  public static ServerSetup restore(OprfSeed oprfSeed, Scalar serverPrivateKey, Element fakeClientPublicKey) {
    return new ServerSetup(oprfSeed, KeyPair.of(serverPrivateKey), fakeClientPublicKey);
  }

  /** Decodes {@link #encode}'s layout, validating the private scalar and the fake public key. */
  public static ServerSetup decode(byte[] bytes) throws DecodeException {
    DecodeException.requireLength("ServerSetup", bytes, ENCODED_BYTES);
    int keyAt = OpaqueSuite.HASH_BYTES;
    int fakeAt = keyAt + OpaqueSuite.PRIVATE_KEY_BYTES;
    byte[] seed = Arrays.copyOfRange(bytes, 0, keyAt);
    byte[] key = Arrays.copyOfRange(bytes, keyAt, fakeAt);
    try {
      Scalar serverPrivateKey = Scalar.decode("ServerSetup.server_private_key", key);
      Element fake = Element.decode("ServerSetup.fake_client_public_key", Arrays.copyOfRange(bytes, fakeAt, bytes.length));
      return restore(new OprfSeed(seed), serverPrivateKey, fake);
    } finally {
      Bytes.zeroize(seed, key);
    }
  }

  /** The secret encoding, for sealing inside the trust boundary only. */
  public byte[] encode() {
    byte[] seed = oprfSeed.toBytes();
    byte[] key = serverKeyPair.privateKey().encode();
    byte[] out = Bytes.concat(seed, key, fakeClientPublicKey.encode());
    Arrays.fill(seed, (byte) 0);
    Arrays.fill(key, (byte) 0);
    return out;
  }

  public Element serverPublicKey() {
    return serverKeyPair.publicKey();
  }

  public Element fakeClientPublicKey() {
    return fakeClientPublicKey;
  }

  /**
   * ECDH of the server's AKE private key with {@code peer}: the x-coordinate of {@code d * peer}.
   * For data sealed to the fleet's OPAQUE key outside OPAQUE (a migration export); the caller
   * must separate its domain by its own KDF label, since 3DH uses the same key.
   */
  public byte[] diffieHellman(Element peer) {
    return dev.bkv.crypto.P256Group.dh(serverKeyPair.privateKey(), peer).affineX();
  }

  OprfSeed oprfSeed() {
    return oprfSeed;
  }

  Scalar serverPrivateKey() {
    return serverKeyPair.privateKey();
  }

  /** Wipes the oprf_seed and the server's private key; later use fails. */
  public void destroy() {
    oprfSeed.destroy();
    serverKeyPair.privateKey().destroy();
  }

  public boolean isDestroyed() {
    return oprfSeed.isDestroyed();
  }

  @Override
  public String toString() {
    return "ServerSetup(serverPublicKey=" + serverKeyPair.publicKey() + ")";
  }

  private static KeyPair generateAuthKeyPair(SecureRandom random) {
    KeyshareSeed seed = KeyshareSeed.random(random);
    KeyPair keyPair = KeySchedule.deriveDiffieHellmanKeyPair(seed.raw());
    seed.destroy();
    Check.that(!keyPair.privateKey().isDestroyed(), "generated key pair is live");
    return keyPair;
  }
}
