package dev.bkv.crypto.opaque;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.base.Bytes;
import dev.bkv.crypto.Aes256Gcm;
import dev.bkv.crypto.DecodeException;
import dev.bkv.crypto.EcdhP256;
import dev.bkv.crypto.EcdsaP256;
import dev.bkv.crypto.Ed25519;
import dev.bkv.crypto.HkdfSha256;
import dev.bkv.crypto.HmacSha256;
import dev.bkv.crypto.P256Group;
import dev.bkv.crypto.P256Group.Element;
import dev.bkv.crypto.P256Group.KeyPair;
import dev.bkv.crypto.P256Group.Scalar;
import dev.bkv.crypto.Sha256;
import dev.bkv.crypto.oprf.Oprf;
import dev.bkv.testsupport.SecretLeaks;
import dev.bkv.testsupport.SecretLeaks.Secret;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Goal: no type that holds key material prints it. Method: build each secret-holding type of
 * the crypto layers (primitive keys, OPAQUE keys and states, and the records that carry them,
 * whose generated toString prints every component) from secrets this test chose, then look
 * for each of those secrets in the toString in hex, base64, decimal and text. The failure
 * paths that decode secret material are held to the same rule for their exception messages.
 */
class SecretToStringTest {
  private final List<Secret> secrets = new ArrayList<>();

  /** A distinct 32-byte secret, also a valid P-256 scalar (first byte below 0x80), remembered for the search. */
  private byte[] secret(String name) {
    byte[] bytes = Sha256.hash(name.getBytes(StandardCharsets.US_ASCII));
    bytes[0] &= 0x7f;
    secrets.add(new Secret(name, bytes));
    return bytes.clone();
  }

  private Scalar scalar(String name) throws DecodeException {
    return Scalar.decode(name, secret(name));
  }

  private void assertPrintsNoSecret(Object holder) {
    String printed = String.valueOf(holder);
    SecretLeaks.assertNoLeak(holder.getClass().getName() + ".toString()", printed, secrets);
  }

  private void assertMessageHasNoSecret(Supplier<Exception> failure) {
    Exception e = failure.get();
    SecretLeaks.assertNoLeak(e.getClass().getSimpleName() + " message", String.valueOf(e.getMessage()), secrets);
  }

  @Test
  void primitive_keys_print_no_key_material() throws Exception {
    assertPrintsNoSecret(new HmacSha256.Key(secret("hmac key")));
    assertPrintsNoSecret(new Aes256Gcm.Key(secret("aes key")));
    assertPrintsNoSecret(new HkdfSha256.Prk(secret("prk")));
    assertPrintsNoSecret(EcdsaP256.PrivateKey.decode(secret("ecdsa private key")));
    assertPrintsNoSecret(scalar("scalar"));
    assertPrintsNoSecret(KeyPair.of(scalar("key pair private key")));
    EcdhP256.PrivateKey ecdh = EcdhP256.PrivateKey.decode(secret("ecdh private key"));
    assertPrintsNoSecret(ecdh);
    EcdhP256.SharedSecret shared = EcdhP256.agree(ecdh, ecdh.publicKey());
    secrets.add(new Secret("ecdh shared secret", shared.toBytes()));
    assertPrintsNoSecret(shared);
    assertPrintsNoSecret(Ed25519.PrivateKey.fromSeed(secret("ed25519 seed")));
    assertPrintsNoSecret(new Oprf.Seed(secret("oprf key seed")));
    Oprf.Output output = Oprf.evaluate(scalar("oprf key"), "input".getBytes(StandardCharsets.US_ASCII));
    secrets.add(new Secret("oprf output", output.toBytes()));
    assertPrintsNoSecret(output);
  }

  @Test
  void opaque_keys_states_and_the_records_that_carry_them_print_no_key_material() throws Exception {
    Element point = P256Group.multiplyGenerator(scalar("point"));
    Nonce nonce = new Nonce(Sha256.hash(new byte[] {1})); // public
    MaskingKey maskingKey = new MaskingKey(secret("masking key"));
    Mac tag = new Mac(secret("envelope auth tag"));
    Mac expectedClientMac = new Mac(secret("expected client mac"));
    SessionKey sessionKey = new SessionKey(secret("session key"));
    ExportKey exportKey = new ExportKey(secret("export key"));
    HmacSha256.Key km2 = new HmacSha256.Key(secret("km2"));
    HmacSha256.Key km3 = new HmacSha256.Key(secret("km3"));
    HkdfSha256.Prk randomizedPassword = new HkdfSha256.Prk(secret("randomized password"));
    KeySchedule.DerivedKeys keys = new KeySchedule.DerivedKeys(new HkdfSha256.Prk(secret("handshake secret")), km2, km3, sessionKey);
    Password password = new Password(secret("password"));
    Envelope envelope = new Envelope(nonce, tag);
    RegistrationRecord record = new RegistrationRecord(point, maskingKey, envelope);
    ServerLoginState serverState = new ServerLoginState(expectedClientMac, sessionKey, false);
    ThreeDh.ServerAuth serverAuth = new ThreeDh.ServerAuth(new AuthResponse(nonce, point, tag), expectedClientMac, keys);
    KeyshareSeed keyshareSeed = new KeyshareSeed(secret("keyshare seed"));

    for (Object holder : List.of(
        password, maskingKey, expectedClientMac, sessionKey, exportKey, keyshareSeed, new OprfSeed(secret("oprf seed")),
        keys, envelope, record, serverState, serverAuth,
        new ThreeDh.ClientAuth(new KE3(expectedClientMac), keys),
        new EnvelopeCrypto.Stored(envelope, point, maskingKey, exportKey, km2),
        new EnvelopeCrypto.Recovered(KeyPair.of(scalar("client private key")), null, exportKey, km3),
        new CredentialRetrieval.Recovered(null, point.encode(), randomizedPassword, maskingKey),
        new OpaqueClient.Finalized(record, exportKey, randomizedPassword, km2),
        new OpaqueServer.Ke2Output(null, serverState, scalar("per-user oprf key"), serverAuth),
        new ClientRegistrationResult(record, exportKey),
        new ClientLoginResult.ClientLoginSucceeded(new KE3(expectedClientMac), sessionKey, exportKey),
        new ServerLoginResult.LoginSucceeded(sessionKey),
        new ClientLoginRandomness(scalar("login blind"), nonce, keyshareSeed),
        new ClientRegistrationRandomness(scalar("registration blind"), nonce),
        new ServerLoginRandomness(nonce, nonce, keyshareSeed, maskingKey),
        new ClientLoginState(password, scalar("state blind"), scalar("client secret"), null),
        new ClientRegistrationState(password, scalar("registration state blind"), nonce))) {
      assertPrintsNoSecret(holder);
    }
    ServerSetup setup = ServerSetup.decode(Bytes.concat(secret("setup oprf_seed"), secret("setup private key"), point.encode()));
    assertPrintsNoSecret(setup);
  }

  @Test
  void decoders_of_secret_material_name_the_fault_not_the_bytes() {
    byte[] seed = secret("rejected oprf_seed");
    byte[] notAScalar = secret("rejected private key");
    java.util.Arrays.fill(notAScalar, 0, 5, (byte) 0xff); // above the group order, ffffffff00000000...
    secrets.add(new Secret("rejected private key as sent", notAScalar));
    byte[] fake = new byte[OpaqueSuite.PUBLIC_KEY_BYTES];
    assertMessageHasNoSecret(() -> assertThrows(DecodeException.class, () -> ServerSetup.decode(Bytes.concat(seed, notAScalar, fake))));
    assertMessageHasNoSecret(() -> assertThrows(DecodeException.class, () -> Scalar.decode("key", notAScalar)));
    assertMessageHasNoSecret(() -> assertThrows(DecodeException.class, () -> EcdsaP256.PrivateKey.decode(notAScalar)));
    byte[] state = Bytes.concat(new byte[] {7}, secret("state mac"), secret("state session key"));
    assertMessageHasNoSecret(() -> assertThrows(DecodeException.class, () -> ServerLoginState.decode(state)));
    byte[] longKey = Bytes.concat(secret("too long a key"), new byte[1]);
    assertMessageHasNoSecret(() -> assertThrows(IllegalArgumentException.class, () -> new Aes256Gcm.Key(longKey)));
  }

  @Test
  void the_search_sees_a_holder_that_prints_its_bytes() {
    // Negative case: a public-value type prints hex, and the same search catches it.
    byte[] bytes = secret("printed nonce");
    Nonce printed = new Nonce(bytes);
    assertTrue(SecretLeaks.find(printed.toString(), secrets).isPresent(), printed.toString());
  }
}
