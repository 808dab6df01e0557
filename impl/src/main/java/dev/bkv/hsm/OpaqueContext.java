package dev.bkv.hsm;

/**
 * The OPAQUE context a login binds into its 3DH preamble, chosen by the client in
 * {@code LoginStart} (spec/FORMATS.md, "Protocol"). Two fixed profiles: BKV's own, and the
 * empty context, opaque-ke's default when no context is passed, which clients built on
 * opaque-ke's defaults (and its wasm bindings, which take no context) send.
 *
 * <p>Why the client may pick: the context only separates transcripts. Registration does not
 * use it, the OPRF key and the record are the same under either profile, and every login is
 * counted before its KE2 exists whatever the profile (made durable by a single HSM,
 * committed by a fleet's majority), so a profile buys no guess. A login is bound to the
 * profile it started under: KE2's MACs and the expected client MAC are computed from a
 * preamble that contains the context, so a KE3 computed under the other profile does not
 * verify. A host that flips the profile byte burns one counted guess, as it could by
 * altering KE1 or KE2; it learns nothing more.
 */
public enum OpaqueContext {
  /** {@code "BKV vault v1"}: the default, and the only profile written as no byte at all. */
  BKV(0, VaultProtocol.OPAQUE_CONTEXT),
  /** The empty context: opaque-ke's default, and all its wasm bindings ({@code @serenity-kit/opaque-p256}) can bind. */
  EMPTY(1, new byte[0]);

  public final int code;
  private final byte[] bytes;

  OpaqueContext(int code, byte[] bytes) {
    this.code = code;
    this.bytes = bytes.clone();
  }

  /** The context string bound into the transcript. */
  public byte[] bytes() {
    return bytes.clone();
  }

  public static OpaqueContext fromCode(int code) {
    for (OpaqueContext context : values()) {
      if (context.code == code) {
        return context;
      }
    }
    return null;
  }
}
