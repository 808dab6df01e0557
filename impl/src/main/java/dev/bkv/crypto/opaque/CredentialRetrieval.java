package dev.bkv.crypto.opaque;

import dev.bkv.base.Bytes;
import dev.bkv.base.Check;
import dev.bkv.crypto.HkdfSha256;
import dev.bkv.crypto.P256Group.Element;
import dev.bkv.crypto.P256Group.Scalar;
import dev.bkv.crypto.oprf.Oprf;
import java.util.Arrays;
import java.util.Optional;

/** RFC 9807 credential retrieval: CreateCredentialResponse (server) and RecoverCredentials (client). */
final class CredentialRetrieval {
  private static final byte[] CREDENTIAL_RESPONSE_PAD = KeySchedule.ascii("CredentialResponsePad");

  private CredentialRetrieval() {}

  /**
   * CreateCredentialResponse(request, server_public_key, record, credential_identifier,
   * oprf_seed), with the OPRF key already derived by the caller (once per login) and the
   * masking nonce given. A fake record (unknown user) goes through exactly the same steps.
   */
  static CredentialResponse createCredentialResponse(
      CredentialRequest request, Element serverPublicKey, RegistrationRecord record, Scalar oprfKey, Nonce maskingNonce) {
    // blinded_element = DeserializeElement(request.blinded_message)   (done by KE1.decode)
    // evaluated_element = BlindEvaluate(oprf_key, blinded_element)
    Element evaluatedElement = Oprf.blindEvaluate(oprfKey, request.blindedMessage());
    // masking_nonce = random(Nn)   (given)
    // credential_response_pad = Expand(record.masking_key, concat(masking_nonce, "CredentialResponsePad"), Npk + Nn + Nm)
    byte[] pad = pad(new HkdfSha256.Prk(record.maskingKey().raw()), maskingNonce);
    // masked_response = xor(credential_response_pad, concat(server_public_key, record.envelope))
    byte[] maskedResponse = xor(pad, Bytes.concat(serverPublicKey.encode(), record.envelope().encode()));
    // Create CredentialResponse response with (evaluated_message, masking_nonce, masked_response)
    return new CredentialResponse(evaluatedElement, maskingNonce, new MaskedResponse(maskedResponse));
  }

  /** What the client learns from a response it can open; the extra keys serve the test vectors. */
  record Recovered(
      EnvelopeCrypto.Recovered envelope, byte[] serverPublicKey, HkdfSha256.Prk randomizedPassword, MaskingKey maskingKey) {}

  /**
   * RecoverCredentials(password, blind, response, server_identity, client_identity); empty is
   * EnvelopeRecoveryError.
   */
  static Optional<Recovered> recoverCredentials(
      Password password, Scalar blind, CredentialResponse response, OpaqueConfig config) {
    // evaluated_element = DeserializeElement(response.evaluated_message)   (done by KE2.decode)
    // oprf_output = Finalize(password, blind, evaluated_element)
    Oprf.Output oprfOutput = Oprf.finalize(password.raw(), blind, response.evaluatedMessage());
    // stretched_oprf_output = Stretch(oprf_output)
    // randomized_password = Extract("", concat(oprf_output, stretched_oprf_output))
    HkdfSha256.Prk randomizedPassword = KeySchedule.randomizedPassword(oprfOutput, config.ksf());
    oprfOutput.destroy();
    // masking_key = Expand(randomized_password, "MaskingKey", Nh)
    MaskingKey maskingKey = EnvelopeCrypto.maskingKey(randomizedPassword);
    // credential_response_pad = Expand(masking_key, concat(response.masking_nonce, "CredentialResponsePad"), Npk + Nn + Nm)
    byte[] pad = pad(new HkdfSha256.Prk(maskingKey.raw()), response.maskingNonce());
    // concat(server_public_key, envelope) = xor(credential_response_pad, response.masked_response)
    byte[] unmasked = xor(pad, response.maskedResponse().raw());
    byte[] serverPublicKey = Arrays.copyOfRange(unmasked, 0, OpaqueSuite.PUBLIC_KEY_BYTES);
    Envelope envelope = new Envelope(
        new Nonce(Arrays.copyOfRange(unmasked, OpaqueSuite.PUBLIC_KEY_BYTES, OpaqueSuite.PUBLIC_KEY_BYTES + OpaqueSuite.NONCE_BYTES)),
        new Mac(Arrays.copyOfRange(unmasked, OpaqueSuite.PUBLIC_KEY_BYTES + OpaqueSuite.NONCE_BYTES, unmasked.length)));
    // (client_private_key, cleartext_credentials, export_key) =
    //     Recover(randomized_password, server_public_key, envelope, server_identity, client_identity)
    Optional<EnvelopeCrypto.Recovered> recovered = EnvelopeCrypto.recover(randomizedPassword, serverPublicKey, envelope, config);
    if (recovered.isEmpty()) {
      randomizedPassword.destroy();
      return Optional.empty();
    }
    return Optional.of(new Recovered(recovered.get(), serverPublicKey, randomizedPassword, maskingKey));
  }

  private static byte[] pad(HkdfSha256.Prk maskingKey, Nonce maskingNonce) {
    byte[] pad = KeySchedule.expand(
        maskingKey, Bytes.concat(maskingNonce.raw(), CREDENTIAL_RESPONSE_PAD), OpaqueSuite.MASKED_RESPONSE_BYTES);
    maskingKey.destroy();
    return pad;
  }

  private static byte[] xor(byte[] a, byte[] b) {
    Check.that(a.length == b.length, "xor of equal lengths");
    byte[] out = new byte[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = (byte) (a[i] ^ b[i]);
    }
    return out;
  }
}
