package dev.bkv.crypto.opaque;

import dev.bkv.base.SecretBytes;
import dev.bkv.crypto.P256Group.Element;
import dev.bkv.crypto.P256Group.Scalar;
import dev.bkv.crypto.oprf.Oprf;
import java.security.SecureRandom;
import java.util.Objects;

/**
 * The server side of RFC 9807 OPAQUE-3DH (P256-SHA256): registration responses, and the two
 * login steps. Stateless between calls (the caller keeps {@link ServerLoginState}), pure
 * apart from the randomness it is given, and safe to share between threads.
 */
public final class OpaqueServer {
  private final OpaqueConfig config;
  private final ServerSetup setup;

  public OpaqueServer(OpaqueConfig config, ServerSetup setup) {
    this.config = Objects.requireNonNull(config, "config");
    this.setup = Objects.requireNonNull(setup, "setup");
  }

  /** CreateRegistrationResponse(request, server_public_key, credential_identifier, oprf_seed). */
  public RegistrationResponse createRegistrationResponse(RegistrationRequest request, CredentialIdentifier credentialIdentifier) {
    // seed = Expand(oprf_seed, concat(credential_identifier, "OprfKey"), Nok)
    // (oprf_key, _) = DeriveKeyPair(seed, "OPAQUE-DeriveKeyPair")
    Scalar oprfKey = KeySchedule.deriveOprfKey(setup.oprfSeed(), credentialIdentifier);
    // blinded_element = DeserializeElement(request.blinded_message)   (done by RegistrationRequest.decode)
    // evaluated_element = BlindEvaluate(oprf_key, blinded_element)
    Element evaluatedElement = Oprf.blindEvaluate(oprfKey, request.blindedMessage());
    oprfKey.destroy();
    // response = RegistrationResponse(evaluated_message, server_public_key)
    return new RegistrationResponse(evaluatedElement, setup.serverPublicKey());
  }

  /**
   * GenerateKE2 with fresh randomness. {@code record} is the user's stored record, or null for
   * an unknown user: the answer is then built from a fake record and cannot be told apart
   * on the wire (same length, valid encoding, same computation).
   */
  public ServerLoginStart startLogin(
      RegistrationRecord record, CredentialIdentifier credentialIdentifier, KE1 ke1, SecureRandom random) {
    return startLogin(record, credentialIdentifier, ke1, ServerLoginRandomness.generate(random));
  }

  /** GenerateKE2 with the randomness given (test vectors, deterministic simulation). */
  public ServerLoginStart startLogin(
      RegistrationRecord record, CredentialIdentifier credentialIdentifier, KE1 ke1, ServerLoginRandomness randomness) {
    Ke2Output init = generateKe2(record, credentialIdentifier, ke1, randomness);
    init.auth().keys().destroy();
    init.oprfKey().destroy();
    return new ServerLoginStart(init.ke2(), init.state());
  }

  /** ServerFinish(ke3) = AuthServerFinalize(ke3). */
  public ServerLoginResult finishLogin(ServerLoginState state, KE3 ke3) {
    // if !ct_equal(ke3.client_mac, state.expected_client_mac): raise ClientAuthenticationError
    boolean macMatches = ke3.clientMac().constantTimeEquals(state.expectedClientMac());
    // Beyond the RFC: a KE2 made from the fake record never leads to a session, even if a
    // client_mac were to match (it cannot, short of breaking HMAC).
    if (!macMatches || state.forUnknownUser()) {
      return new ServerLoginResult.LoginFailed(ServerLoginResult.Reason.CLIENT_AUTHENTICATION_FAILED);
    }
    // return state.session_key (a copy: the caller may destroy the state afterwards)
    return new ServerLoginResult.LoginSucceeded(SecretBytes.consume(state.sessionKey().toBytes(), SessionKey::new));
  }

  /** GenerateKE2's outputs, with the derived keys kept for the test vectors. */
  record Ke2Output(KE2 ke2, ServerLoginState state, Scalar oprfKey, ThreeDh.ServerAuth auth) {}

  /** GenerateKE2(server_identity, server_private_key, server_public_key, record, credential_identifier, oprf_seed, ke1). */
  Ke2Output generateKe2(
      RegistrationRecord record, CredentialIdentifier credentialIdentifier, KE1 ke1, ServerLoginRandomness randomness) {
    boolean unknownUser = record == null;
    RegistrationRecord used = unknownUser
        ? new RegistrationRecord(setup.fakeClientPublicKey(), randomness.fakeMaskingKey(), Envelope.zeros())
        : record;
    Element serverPublicKey = setup.serverPublicKey();
    // The per-user OPRF key, derived once for this login.
    Scalar oprfKey = KeySchedule.deriveOprfKey(setup.oprfSeed(), credentialIdentifier);
    // credential_response = CreateCredentialResponse(ke1.credential_request, server_public_key, record,
    //                                                credential_identifier, oprf_seed)
    CredentialResponse credentialResponse = CredentialRetrieval.createCredentialResponse(
        ke1.credentialRequest(), serverPublicKey, used, oprfKey, randomness.maskingNonce());
    // cleartext_credentials = CreateCleartextCredentials(server_public_key, record.client_public_key,
    //                                                    server_identity, client_identity)
    CleartextCredentials cleartext =
        CleartextCredentials.create(serverPublicKey.encode(), used.clientPublicKey().encode(), config);
    // auth_response = AuthServerRespond(cleartext_credentials, server_private_key, record.client_public_key,
    //                                   ke1, credential_response)
    ThreeDh.ServerAuth auth = ThreeDh.authServerRespond(
        config.contextRaw(), cleartext, setup.serverPrivateKey(), used.clientPublicKey(), ke1, credentialResponse,
        randomness.serverNonce(), randomness.serverKeyshareSeed());
    // ke2 = KE2(credential_response, auth_response)
    KE2 ke2 = new KE2(credentialResponse, auth.authResponse());
    ServerLoginState state = new ServerLoginState(auth.expectedClientMac(), auth.keys().sessionKey(), unknownUser);
    return new Ke2Output(ke2, state, oprfKey, auth);
  }

  @Override
  public String toString() {
    return "OpaqueServer(" + config + ", " + setup + ")";
  }
}
