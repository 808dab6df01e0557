package dev.bkv.cli;

import dev.bkv.audit.Published;
import dev.bkv.bundle.BundleCheck;
import dev.bkv.bundle.BundleFormatException;
import dev.bkv.bundle.BundleVerdict;
import dev.bkv.bundle.BundleVerifier;
import dev.bkv.bundle.TrustAnchors;
import dev.bkv.bundle.ValidationBundle;
import dev.bkv.bundle.WitnessedBundle;
import dev.bkv.client.ClientAnchors;
import dev.bkv.client.FleetTrust;
import dev.bkv.net.FrontendHttpClient;
import dev.bkv.storage.StorageException;
import dev.bkv.tlog.FormatException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * What every {@code bkv client} subcommand does before it sends anything to the vault: reach
 * the frontend, fetch its witnessed bundle and decide whether to trust the fleet it names,
 * against compiled-in anchors (with the client's remembered checkpoint) or a pinned bundle.
 */
final class ClientSession {
  /** A bad command line or input file: exit code 2. */
  static final class BadInput extends Exception {
    BadInput(String message) {
      super(message);
    }
  }

  /** The fleet was not trusted: exit code 1, nothing sent to the vault. */
  static final class Refused extends Exception {
    Refused(String message) {
      super(message);
    }
  }

  /** The trust options, shared by the subcommands. */
  static final class Options {
    @Option(names = "--frontend", required = true, paramLabel = "URL",
        description = "Base URL of the fleet's frontend, e.g. http://127.0.0.1:7400.")
    String frontend;

    @Option(names = "--anchors", paramLabel = "FILE",
        description = "The app's trust anchors (bkv-client-anchors/1, written by 'bkv fleet anchors'): the fleet is "
            + "trusted through the witnessed bundle the frontend serves. Needs --state.")
    Path anchors;

    @Option(names = "--pinned", paramLabel = "FILE",
        description = "A bundle (or witnessed bundle) whose keys the app pins: the frontend's bundle, if it serves one, "
            + "must name exactly these keys.")
    Path pinned;

    @Option(names = "--state", paramLabel = "FILE",
        description = "The client's memory of the last accepted bundle and checkpoint (created on first use).")
    Path state;
  }

  private ClientSession() {}

  /** The checked frontend URL's client. */
  static FrontendHttpClient frontend(Options options) throws BadInput {
    try {
      return FrontendHttpClient.to(Inputs.witnessUrl("--frontend", options.frontend));
    } catch (IllegalArgumentException e) {
      throw new BadInput(e.getMessage());
    }
  }

  /** Checks the option combination before anything is read or sent. */
  static void checkOptions(Options options) throws BadInput {
    if ((options.anchors == null) == (options.pinned == null)) {
      throw new BadInput("give exactly one of --anchors FILE or --pinned FILE");
    }
    if (options.anchors != null && options.state == null) {
      throw new BadInput("--anchors needs --state FILE (the client's memory of the fleet it trusts)");
    }
    if (options.pinned != null && options.state != null) {
      throw new BadInput("--state is for --anchors; a pinned fleet needs no memory");
    }
  }

  /**
   * Fetches the frontend's bundle and returns the fleet to trust, or throws {@link Refused}
   * naming the failing check. In anchors mode an accepted bundle is remembered in the state file.
   */
  static ValidationBundle trustedFleet(Options options, FrontendHttpClient frontend, long nowSeconds)
      throws BadInput, Refused, IOException {
    checkOptions(options);
    return options.anchors != null ? viaAnchors(options, frontend, nowSeconds) : viaPin(options.pinned, frontend);
  }

  private static ValidationBundle viaAnchors(Options options, FrontendHttpClient frontend, long nowSeconds)
      throws BadInput, Refused, IOException {
    TrustAnchors anchors;
    try {
      anchors = ClientAnchors.parse(readInput(options.anchors, ClientAnchors.FILE_BYTES_MAX));
    } catch (FormatException e) {
      throw new BadInput(options.anchors + ": " + e.getMessage());
    }
    FleetTrust trust;
    try {
      trust = FleetTrust.open(options.state, anchors);
    } catch (StorageException e) {
      throw new BadInput("--state " + e.getMessage());
    }
    byte[] served = frontend.bundle().orElseThrow(() -> new Refused("the frontend serves no bundle (GET /bkv/bundle: 404)"));
    BundleVerdict verdict;
    try {
      verdict = trust.offer(served, frontend.logTiles(), nowSeconds);
    } catch (StorageException e) {
      throw new IOException("the accepted bundle could not be remembered: " + e.getMessage(), e);
    }
    if (verdict instanceof BundleVerdict.Accepted accepted) {
      return accepted.fleet();
    }
    throw new Refused("fleet refused: " + verdict.describe());
  }

  private static ValidationBundle viaPin(Path file, FrontendHttpClient frontend) throws BadInput, Refused, IOException {
    ValidationBundle pinned;
    try {
      pinned = Published.pinned(file);
    } catch (IOException e) {
      throw new BadInput("--pinned " + e.getMessage());
    }
    Optional<byte[]> served = frontend.bundle();
    BundleVerdict verdict = served.isEmpty() ? BundleVerifier.verifyPinned(pinned)
        : BundleVerifier.verifyPinned(pinned, bundleBytesOf(served.get()));
    if (verdict instanceof BundleVerdict.Rejected rejected) {
      throw new Refused("fleet refused: " + rejected);
    }
    return pinned;
  }

  /** The bundle inside a served witnessed bundle, or the bytes as they are (the verifier then says what is wrong). */
  private static byte[] bundleBytesOf(byte[] served) throws Refused {
    String head = WitnessedBundle.HEADER + "\n";
    if (!new String(served, 0, Math.min(served.length, head.length()), StandardCharsets.US_ASCII).equals(head)) {
      return served;
    }
    try {
      return WitnessedBundle.parse(served).bundleBytes();
    } catch (BundleFormatException e) {
      throw new Refused("fleet refused: " + new BundleVerdict.Rejected(BundleCheck.WELL_FORMED, e.getMessage()));
    }
  }

  /** A small input file named on the command line; unreadable or too large is bad input. */
  static byte[] readInput(Path file, long bytesMax) throws BadInput {
    try {
      return dev.bkv.evidence.OperatorWorkspace.readBytes(file, bytesMax);
    } catch (IOException e) {
      throw new BadInput(e.getMessage() != null ? e.getMessage() : file + ": unreadable");
    }
  }
}
