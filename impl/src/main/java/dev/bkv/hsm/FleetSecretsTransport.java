package dev.bkv.hsm;

import dev.bkv.base.Bytes;
import dev.bkv.crypto.Aes256Gcm;
import dev.bkv.crypto.DecodeException;
import dev.bkv.crypto.EcdhP256;
import dev.bkv.crypto.EcdsaP256;
import dev.bkv.crypto.HkdfSha256;
import dev.bkv.crypto.Sha256Digest;
import dev.bkv.crypto.opaque.ServerSetup;
import dev.bkv.storage.NvramImage;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Optional;

/**
 * The code that runs inside the HSMs to move the fleet secrets from one HSM to another, so
 * that they never exist outside an HSM in the clear (spec/FORMATS.md, "Deployment evidence"):
 *
 * <pre>
 * Z   = ECDH-P256(e, T)                     e: the sender's one-time key, T: the recipient's offered key
 * K   = HKDF-SHA256(salt = context, IKM = Z,
 *                   info = "BKV fleet secrets v1" || sender id || recipient id || E || T, L = 32)
 * box = nonce (12, random) || AES-256-GCM(K, nonce, aad = header lines, ServerSetup)
 * </pre>
 *
 * The salt is the ceremony's transport context, so a transfer belongs to one ceremony; the
 * info names both HSMs and both keys. The sender signs the whole message with its identity
 * key, so the recipient knows which HSM generated the secrets it installs.
 */
final class FleetSecretsTransport {
  private static final byte[] INFO_LABEL = WrappedFleetSecrets.HEADER.getBytes(StandardCharsets.US_ASCII);

  private FleetSecretsTransport() {}

  /** A transport key the HSM offered and has not used yet. */
  record Pending(EcdhP256.PrivateKey key, Sha256Digest context) {}

  /**
   * The one transport key an HSM has offered and not used yet, kept inside the HSM. A new
   * offer replaces (and destroys) the previous one; a successful import or a tamper event
   * destroys it. Callers synchronize on their HSM.
   */
  static final class OfferSlot {
    private Optional<Pending> pending = Optional.empty();

    /** Generates a fresh transport key for {@code context} and returns it signed by {@code self}. */
    TransportOffer offer(Hsm self, SecureRandom random, Sha256Digest context) throws HsmException {
      clear();
      Pending fresh = new Pending(EcdhP256.PrivateKey.generate(random), context);
      pending = Optional.of(fresh);
      return TransportOffer.sign(self, fresh.key().publicKey(), context);
    }

    /** {@link #unwrap} with the pending key; the key stays until {@link #clear}. */
    ServerSetup open(Hsm self, WrappedFleetSecrets wrapped, HsmAttestation sender) throws HsmException {
      return unwrap(self, pending, wrapped, sender);
    }

    void clear() {
      pending.ifPresent(p -> p.key().destroy());
      pending = Optional.empty();
    }
  }

  /** Encrypts {@code setup} to the recipient's verified offer and signs it as {@code sender}. */
  static WrappedFleetSecrets wrap(Hsm sender, ServerSetup setup, TransportOffer recipient, SecureRandom random)
      throws HsmException {
    HsmId senderId = sender.id();
    if (recipient.hsmId().equals(senderId)) {
      throw refused("an HSM does not send the fleet secrets to itself");
    }
    EcdhP256.PrivateKey ephemeral = EcdhP256.PrivateKey.generate(random);
    EcdhP256.PublicKey ephemeralPublic = ephemeral.publicKey();
    Aes256Gcm.Key key = key(ephemeral, recipient.transportKey(), recipient.context(), senderId, recipient.hsmId(),
        ephemeralPublic, recipient.transportKey());
    ephemeral.destroy();
    byte[] aad = WrappedFleetSecrets.header(senderId, recipient.hsmId(), recipient.context(), ephemeralPublic,
        setup.serverPublicKey());
    Aes256Gcm.Nonce nonce = Aes256Gcm.Nonce.random(random);
    byte[] plaintext = setup.encode();
    byte[] ciphertext = Bytes.concat(nonce.toBytes(), Aes256Gcm.seal(key, nonce, aad, plaintext));
    Arrays.fill(plaintext, (byte) 0);
    key.destroy();
    EcdsaP256.Signature signature = sender.signWithIdentity(WrappedFleetSecrets.signedBody(aad, ciphertext));
    return new WrappedFleetSecrets(senderId, recipient.hsmId(), recipient.context(), ephemeralPublic,
        setup.serverPublicKey(), ciphertext, signature);
  }

  /**
   * Checks and opens {@code wrapped} with the pending transport key of {@code recipient}:
   * addressed to it, for the ceremony it offered for, signed by the HSM {@code sender}
   * attests, decrypting to a setup with the stated public key, and only into an HSM whose
   * NVRAM shows it never served a vault (its OPAQUE keys cannot change under registered users).
   */
  static ServerSetup unwrap(Hsm recipient, Optional<Pending> pending, WrappedFleetSecrets wrapped, HsmAttestation sender)
      throws HsmException {
    HsmId self = recipient.id();
    if (pending.isEmpty()) {
      throw refused("no transport offer is pending in HSM " + self.toHex());
    }
    if (!wrapped.recipient().equals(self)) {
      throw refused("the fleet secrets are addressed to HSM " + wrapped.recipient().toHex() + ", not " + self.toHex());
    }
    if (!wrapped.context().equals(pending.get().context())) {
      throw refused("the fleet secrets belong to another ceremony (context " + wrapped.context().toHex() + ")");
    }
    if (!wrapped.sender().equals(sender.hsmId())) {
      throw refused("the fleet secrets come from HSM " + wrapped.sender().toHex() + ", not the attested "
          + sender.hsmId().toHex());
    }
    if (!EcdsaP256.verify(sender.identityKey(), wrapped.signedBody(), wrapped.signature())) {
      throw refused("the sender's signature on the fleet secrets does not verify");
    }
    for (int slot = 0; slot < NvramImage.SLOTS; slot++) {
      long counter = recipient.readNvram(slot).counter();
      if (counter != 0) {
        throw refused("HSM " + self.toHex() + " has served a vault (NVRAM slot " + slot + " at " + counter
            + "); a fleet's secrets go only into fresh HSMs");
      }
    }
    EcdhP256.PublicKey offered = pending.get().key().publicKey();
    Aes256Gcm.Key key = key(pending.get().key(), wrapped.ephemeralKey(), wrapped.context(), wrapped.sender(), self,
        wrapped.ephemeralKey(), offered);
    byte[] box = wrapped.ciphertext();
    byte[] aad = WrappedFleetSecrets.header(wrapped.sender(), self, wrapped.context(), wrapped.ephemeralKey(),
        wrapped.opaqueServerKey());
    Optional<byte[]> plaintext = Aes256Gcm.open(key, new Aes256Gcm.Nonce(Arrays.copyOf(box, Aes256Gcm.NONCE_BYTES)), aad,
        Arrays.copyOfRange(box, Aes256Gcm.NONCE_BYTES, box.length));
    key.destroy();
    if (plaintext.isEmpty()) {
      throw refused("the fleet secrets do not decrypt under this HSM's transport key");
    }
    try {
      ServerSetup setup = ServerSetup.decode(plaintext.get());
      if (!setup.serverPublicKey().equals(wrapped.opaqueServerKey())) {
        setup.destroy();
        throw refused("the fleet secrets do not hold the OPAQUE server key they state");
      }
      return setup;
    } catch (DecodeException e) {
      throw refused("the fleet secrets are not an OPAQUE server setup: " + e.getMessage());
    } finally {
      Arrays.fill(plaintext.get(), (byte) 0);
    }
  }

  private static Aes256Gcm.Key key(EcdhP256.PrivateKey own, EcdhP256.PublicKey peer, Sha256Digest context, HsmId sender,
      HsmId recipient, EcdhP256.PublicKey ephemeral, EcdhP256.PublicKey transport) {
    EcdhP256.SharedSecret z = EcdhP256.agree(own, peer);
    byte[] info = Bytes.concat(INFO_LABEL, sender.toBytes(), recipient.toBytes(), ephemeral.encodeCompressed(),
        transport.encodeCompressed());
    byte[] ikm = z.toBytes();
    byte[] k = HkdfSha256.derive(context.toBytes(), ikm, info, Aes256Gcm.KEY_BYTES);
    Arrays.fill(ikm, (byte) 0);
    z.destroy();
    Aes256Gcm.Key key = new Aes256Gcm.Key(k);
    Arrays.fill(k, (byte) 0);
    return key;
  }

  private static HsmException refused(String reason) {
    return new HsmException(HsmException.Reason.FLEET_SECRETS_REFUSED, reason);
  }
}
