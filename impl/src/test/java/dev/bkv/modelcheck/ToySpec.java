package dev.bkv.modelcheck;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A tiny spec root for harness tests: {@code spec/Toy} with a model that passes (16
 * distinct states), one that violates invariant {@code Small}, one with a temporal
 * property (TLC then prints a progress report), and one in the big suite.
 */
public final class ToySpec {
  private ToySpec() {}

  public static final String TLA = String.join("\n",
      "---- MODULE Toy ----",
      "EXTENDS Naturals",
      "CONSTANT Bound",
      "VARIABLES x, y",
      "Init == x = 0 /\\ y = 0",
      "Next == \\/ x < Bound /\\ x' = x + 1 /\\ UNCHANGED y",
      "        \\/ y < Bound /\\ y' = y + 1 /\\ UNCHANGED x",
      "Small == x + y < 2 * Bound",
      "Bounded == x <= Bound /\\ y <= Bound",
      "Live == <>(x = Bound)",
      "Fair == Init /\\ [][Next]_<<x, y>> /\\ WF_<<x, y>>(x < Bound /\\ x' = x + 1 /\\ UNCHANGED y)",
      "====",
      "");

  public static final String MODELS = String.join("\n",
      "    {\"name\": \"ToyOk\", \"description\": \"every state\", \"config\": \"ToyOk.cfg\",",
      "     \"expect\": \"ok\", \"distinctStates\": 16, \"depth\": 7},",
      "    {\"name\": \"ToyBad\", \"config\": \"ToyBad.cfg\", \"expect\": \"invariant\",",
      "     \"invariant\": \"Small\", \"distinctStates\": 16},",
      "    {\"name\": \"ToyLive\", \"config\": \"ToyLive.cfg\", \"expect\": \"ok\", \"distinctStates\": 16},",
      "    {\"name\": \"ToyBig\", \"config\": \"ToyOk.cfg\", \"suite\": \"big\", \"expect\": \"ok\",",
      "     \"distinctStates\": 16}");

  /** Writes {@code <root>/spec/Toy} with the given models array body; returns the spec root. */
  public static Path write(Path root, String modelsJson) throws IOException {
    Path dir = Files.createDirectories(root.resolve("spec").resolve("Toy"));
    Files.createDirectories(root.resolve("spec").resolve("lib"));
    writeFile(dir.resolve("Toy.tla"), TLA);
    writeFile(dir.resolve("ToyOk.cfg"), "CONSTANT Bound = 3\nINIT Init\nNEXT Next\nINVARIANT Bounded\n");
    writeFile(dir.resolve("ToyBad.cfg"), "CONSTANT Bound = 3\nINIT Init\nNEXT Next\nINVARIANT Small\n");
    writeFile(dir.resolve("ToyLive.cfg"), "CONSTANT Bound = 3\nSPECIFICATION Fair\nPROPERTY Live\n");
    writeFile(dir.resolve("manifest.json"), manifest("Toy", modelsJson));
    return root.resolve("spec");
  }

  public static Path write(Path root) throws IOException {
    return write(root, MODELS);
  }

  public static String manifest(String spec, String modelsJson) {
    return "{\n  \"format\": \"bkv-tlc-manifest/1\",\n  \"spec\": \"" + spec + "\",\n"
        + "  \"module\": \"Toy\",\n  \"stateTolerancePercent\": 1,\n  \"models\": [\n" + modelsJson + "\n  ]\n}\n";
  }

  static void writeFile(Path file, String text) throws IOException {
    Files.writeString(file, text, StandardCharsets.UTF_8);
  }
}
