package dev.bkv.crypto.opaque;

import dev.bkv.crypto.DecodeException;
import dev.bkv.crypto.HkdfSha256;
import dev.bkv.crypto.HmacSha256;
import dev.bkv.crypto.P256Group.Element;
import dev.bkv.crypto.oprf.Oprf;
import java.security.SecureRandom;
import java.util.Objects;
import java.util.Optional;

/**
 * The client side of RFC 9807 OPAQUE-3DH (P256-SHA256). Each step is a pure function of
 * its inputs and the randomness it is given; the production overloads draw that randomness
 * from a {@link SecureRandom}.
 */
public final class OpaqueClient {
  private final OpaqueConfig config;

  public OpaqueClient(OpaqueConfig config) {
    this.config = Objects.requireNonNull(config, "config");
  }

  public ClientRegistrationStart startRegistration(Password password, SecureRandom random) {
    return startRegistration(password, ClientRegistrationRandomness.generate(random));
  }

  /** CreateRegistrationRequest(password); the envelope nonce is chosen now and kept in the state. */
  public ClientRegistrationStart startRegistration(Password password, ClientRegistrationRandomness randomness) {
    // (blind, blinded_element) = Blind(password)
    Oprf.Blinded blinded = Oprf.blind(password.raw(), randomness.blind());
    // blinded_message = SerializeElement(blinded_element)
    RegistrationRequest request = new RegistrationRequest(blinded.blindedElement());
    ClientRegistrationState state =
        new ClientRegistrationState(new Password(password.raw()), randomness.blind(), randomness.envelopeNonce());
    return new ClientRegistrationStart(request, state);
  }

  /** FinalizeRegistrationRequest(password, blind, response, server_identity, client_identity). */
  public ClientRegistrationResult finalizeRegistration(ClientRegistrationState state, RegistrationResponse response) {
    Finalized finalized = finalizeRequest(state, response);
    finalized.randomizedPassword().destroy();
    finalized.authKey().destroy();
    return new ClientRegistrationResult(finalized.record(), finalized.exportKey());
  }

  /** FinalizeRegistrationRequest's outputs, with the intermediate keys the test vectors show. */
  record Finalized(RegistrationRecord record, ExportKey exportKey, HkdfSha256.Prk randomizedPassword, HmacSha256.Key authKey) {}

  Finalized finalizeRequest(ClientRegistrationState state, RegistrationResponse response) {
    // evaluated_element = DeserializeElement(response.evaluated_message)   (done by RegistrationResponse.decode)
    // oprf_output = Finalize(password, blind, evaluated_element)
    Oprf.Output oprfOutput = Oprf.finalize(state.password().raw(), state.blind(), response.evaluatedMessage());
    // stretched_oprf_output = Stretch(oprf_output)
    // randomized_password = Extract("", concat(oprf_output, stretched_oprf_output))
    HkdfSha256.Prk randomizedPassword = KeySchedule.randomizedPassword(oprfOutput, config.ksf());
    oprfOutput.destroy();
    // (envelope, client_public_key, masking_key, export_key) =
    //     Store(randomized_password, response.server_public_key, server_identity, client_identity)
    EnvelopeCrypto.Stored stored =
        EnvelopeCrypto.store(randomizedPassword, response.serverPublicKey(), config, state.envelopeNonce());
    // record = RegistrationRecord(client_public_key, masking_key, envelope)
    RegistrationRecord record = new RegistrationRecord(stored.clientPublicKey(), stored.maskingKey(), stored.envelope());
    return new Finalized(record, stored.exportKey(), randomizedPassword, stored.authKey());
  }

  public ClientLoginStart startLogin(Password password, SecureRandom random) {
    return startLogin(password, ClientLoginRandomness.generate(random));
  }

  /** GenerateKE1(password): CreateCredentialRequest, then AuthClientStart. */
  public ClientLoginStart startLogin(Password password, ClientLoginRandomness randomness) {
    // request, blind = CreateCredentialRequest(password)
    //   (blind, blinded_element) = Blind(password)
    Oprf.Blinded blinded = Oprf.blind(password.raw(), randomness.blind());
    CredentialRequest request = new CredentialRequest(blinded.blindedElement());
    // ke1 = AuthClientStart(request):
    //   client_nonce = random(Nn); client_keyshare_seed = random(Nseed)   (given)
    //   (client_secret, client_public_keyshare) = DeriveDiffieHellmanKeyPair(client_keyshare_seed)
    var keyshare = KeySchedule.deriveDiffieHellmanKeyPair(randomness.clientKeyshareSeed().raw());
    //   auth_request = AuthRequest(client_nonce, client_public_keyshare)
    //   ke1 = KE1(credential_request, auth_request)
    KE1 ke1 = new KE1(request, new AuthRequest(randomness.clientNonce(), keyshare.publicKey()));
    //   state.client_secret = client_secret; state.ke1 = ke1; state.password, state.blind
    ClientLoginState state = new ClientLoginState(new Password(password.raw()), randomness.blind(), keyshare.privateKey(), ke1);
    return new ClientLoginStart(ke1, state);
  }

  /** GenerateKE3(client_identity, server_identity, ke2). */
  public ClientLoginResult finishLogin(ClientLoginState state, KE2 ke2) {
    Finished finished = generateKe3(state, ke2);
    if (finished.failure() != null) {
      if (finished.recovered() != null) {
        finished.recovered().randomizedPassword().destroy();
        finished.recovered().envelope().exportKey().destroy();
      }
      return new ClientLoginResult.ClientLoginFailed(finished.failure());
    }
    finished.recovered().randomizedPassword().destroy();
    finished.auth().keys().destroy();
    return new ClientLoginResult.ClientLoginSucceeded(
        finished.auth().ke3(), finished.auth().keys().sessionKey(), finished.recovered().envelope().exportKey());
  }

  /** GenerateKE3's outputs with its intermediates (for the test vectors); failure is null on success. */
  record Finished(ClientLoginResult.Reason failure, CredentialRetrieval.Recovered recovered, ThreeDh.ClientAuth auth) {}

  Finished generateKe3(ClientLoginState state, KE2 ke2) {
    // (client_private_key, cleartext_credentials, server_public_key, export_key) =
    //     RecoverCredentials(state.password, state.blind, ke2.credential_response, server_identity, client_identity)
    Optional<CredentialRetrieval.Recovered> recovered =
        CredentialRetrieval.recoverCredentials(state.password(), state.blind(), ke2.credentialResponse(), config);
    if (recovered.isEmpty()) {
      return new Finished(ClientLoginResult.Reason.ENVELOPE_RECOVERY_FAILED, null, null);
    }
    EnvelopeCrypto.Recovered envelope = recovered.get().envelope();
    // The server key is authenticated by the envelope MAC; decoding it can only fail for a
    // record sealed by a client that did not validate the registration response.
    Element serverPublicKey;
    try {
      serverPublicKey = Element.decode("CleartextCredentials.server_public_key", envelope.cleartextCredentials().serverPublicKey());
    } catch (DecodeException e) {
      return new Finished(ClientLoginResult.Reason.INVALID_SERVER_PUBLIC_KEY, recovered.get(), null);
    }
    // (ke3, session_key) = AuthClientFinalize(cleartext_credentials, client_private_key, ke2)
    Optional<ThreeDh.ClientAuth> auth = ThreeDh.authClientFinalize(
        config.contextRaw(), envelope.cleartextCredentials(), envelope.clientKeyPair().privateKey(), serverPublicKey,
        state.clientSecret(), state.ke1(), ke2);
    envelope.clientKeyPair().privateKey().destroy();
    if (auth.isEmpty()) {
      return new Finished(ClientLoginResult.Reason.SERVER_AUTHENTICATION_FAILED, recovered.get(), null);
    }
    return new Finished(null, recovered.get(), auth.get());
  }

  @Override
  public String toString() {
    return "OpaqueClient(" + config + ")";
  }
}
