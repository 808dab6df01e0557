package dev.bkv.client;

/**
 * How the phone reaches the vault firmware: one request's bytes out, one response's bytes
 * back. In process for now ({@link InProcessTransport}); HTTP to the untrusted frontend
 * later. Nothing the transport does is trusted: every answer is decoded strictly and every
 * outcome that matters is authenticated by OPAQUE keys.
 */
public interface VaultTransport {
  byte[] exchange(byte[] request) throws TransportException;

  /** The request could not be delivered or no answer came back. */
  final class TransportException extends Exception {
    public TransportException(String message) {
      super(message);
    }

    public TransportException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
