package dev.bkv.cli;

import dev.bkv.bundle.BundleFormatException;
import dev.bkv.evidence.EvidenceFormatException;
import dev.bkv.fleet.CeremonyException;
import dev.bkv.hsm.HsmException;
import dev.bkv.node.ConfigException;
import dev.bkv.node.NodeException;
import dev.bkv.storage.IoErrors;
import dev.bkv.tlog.FormatException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.CharacterCodingException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.util.concurrent.Callable;
import picocli.CommandLine;

/**
 * How every subcommand reports a failure: one line on stderr naming the command and what
 * was wrong, and exit code 1. The typed exceptions a user can cause (bad files, bad input,
 * refused ceremonies, HSM refusals) print their own message; anything else is labelled
 * unexpected, so a bug never hides behind a tidy message.
 */
final class UserErrors {
  private UserErrors() {}

  static int report(CommandLine.Model.CommandSpec spec, Callable<Integer> body) {
    PrintWriter err = spec.commandLine().getErr();
    String command = spec.qualifiedName();
    try {
      return body.call();
    } catch (FileAlreadyExistsException e) {
      err.println(command + ": " + e.getFile() + " exists already"
          + (e.getReason() == null ? "" : " (" + e.getReason() + ")"));
    } catch (FileSystemException e) {
      err.println(command + ": " + (e.getFile() == null ? IoErrors.reason(e) : e.getFile() + ": " + IoErrors.reason(e)));
    } catch (CharacterCodingException e) {
      err.println(command + ": input is not UTF-8 text");
    } catch (IOException | IllegalArgumentException | FormatException | BundleFormatException
        | EvidenceFormatException | CeremonyException | HsmException | ConfigException | NodeException e) {
      err.println(command + ": " + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()));
    } catch (Exception e) {
      err.println(command + ": unexpected error: " + e);
    }
    err.flush();
    return 1;
  }
}
