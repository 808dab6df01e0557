package dev.bkv.modelcheck;

import dev.bkv.base.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * A spec's {@code manifest.json}: its models, each with the outcome TLC must reach and,
 * for breadth-first models, the distinct-state count it must reach within
 * {@link #stateTolerancePercent}. The format is documented in {@code spec/README.md}.
 */
public record Manifest(
    String spec, Path directory, String module, int stateTolerancePercent, List<ModelEntry> models) {

  public static final String FORMAT = "bkv-tlc-manifest/1";
  public static final String FILE_NAME = "manifest.json";

  /** Largest manifest file read, in bytes. */
  public static final int MANIFEST_BYTES_MAX = 64 * 1024;
  /** Most models in one manifest. */
  public static final int MODELS_MAX = 64;
  /** Largest allowed state-count tolerance, in percent. */
  public static final int TOLERANCE_PERCENT_MAX = 10;
  /** Longest description of a model, in characters. */
  public static final int DESCRIPTION_CHARS_MAX = 160;
  /** Time limit of a model unless its manifest entry says otherwise. */
  public static final Duration TIMEOUT_DEFAULT = Duration.ofMinutes(30);
  /** Longest time limit a manifest may set for one model. */
  public static final Duration TIMEOUT_MAX = Duration.ofHours(4);
  /** Most traces one simulation may ask for. */
  public static final long SIMULATION_TRACES_MAX = 10_000_000;
  /** Deepest trace one simulation may ask for, in states. */
  public static final int SIMULATION_DEPTH_MAX = 100_000;
  /** Most actions one model may list as switched off on purpose. */
  public static final int UNUSED_ACTIONS_MAX = 64;

  public Manifest {
    models = List.copyOf(models);
  }

  /** The model with this name, if the manifest has one. */
  public Optional<ModelEntry> model(String name) {
    return models.stream().filter(m -> m.name().equals(name)).findFirst();
  }

  /** Reads and checks {@code manifestFile}; the spec's name must be its folder's name. */
  public static Manifest read(Path manifestFile) throws ManifestException {
    String where = manifestFile.toString();
    Map<String, Object> root;
    try {
      if (Files.size(manifestFile) > MANIFEST_BYTES_MAX) {
        throw new ManifestException(where + ": larger than " + MANIFEST_BYTES_MAX + " bytes");
      }
      root = Json.parseObject(Files.readString(manifestFile, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new ManifestException(where + ": cannot read: " + e.getMessage());
    } catch (Json.ParseException e) {
      throw new ManifestException(where + ": not valid JSON: " + e.getMessage());
    }
    Fields top = new Fields(where, root, Set.of("format", "spec", "module", "stateTolerancePercent", "models"));
    String format = top.string("format");
    if (!format.equals(FORMAT)) {
      throw new ManifestException(where + ": format is \"" + format + "\", expected \"" + FORMAT + "\"");
    }
    Path directory = manifestFile.toAbsolutePath().getParent();
    String spec = top.identifier("spec");
    if (!directory.getFileName().toString().equals(spec)) {
      throw new ManifestException(where + ": spec \"" + spec + "\" is not the name of its folder");
    }
    String module = top.identifier("module");
    int tolerance = (int) top.integer("stateTolerancePercent", 0, TOLERANCE_PERCENT_MAX);
    List<Object> rawModels = top.array("models");
    if (rawModels.isEmpty() || rawModels.size() > MODELS_MAX) {
      throw new ManifestException(where + ": models must hold 1 to " + MODELS_MAX + " entries");
    }
    List<ModelEntry> models = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < rawModels.size(); i++) {
      ModelEntry model = readModel(where + ": models[" + i + "]", rawModels.get(i), module);
      if (!names.add(model.name())) {
        throw new ManifestException(where + ": models[" + i + "]: duplicate model name " + model.name());
      }
      if (!Files.isRegularFile(directory.resolve(model.config()))) {
        throw new ManifestException(where + ": models[" + i + "]: config " + model.config() + " not found");
      }
      models.add(model);
    }
    return new Manifest(spec, directory, module, tolerance, models);
  }

  private static final Set<String> MODEL_KEYS = Set.of(
      "name", "description", "config", "module", "suite", "mode", "expect", "invariant",
      "distinctStates", "checkDeadlock", "timeoutSeconds", "seed", "traces", "traceDepth",
      "depth", "seconds", "unusedActions");

  private static ModelEntry readModel(String where, Object raw, String defaultModule)
      throws ManifestException {
    if (!(raw instanceof Map)) {
      throw new ManifestException(where + ": expected an object");
    }
    @SuppressWarnings("unchecked")
    Fields f = new Fields(where, (Map<String, Object>) raw, MODEL_KEYS);
    String name = f.identifier("name");
    String description = f.has("description") ? f.string("description") : "";
    if (description.length() > DESCRIPTION_CHARS_MAX) {
      throw new ManifestException(where + ": description longer than " + DESCRIPTION_CHARS_MAX + " characters");
    }
    String config = f.string("config");
    if (!Names.isConfigFile(config)) {
      throw new ManifestException(where + ": config must be a plain .cfg file name, got \"" + config + "\"");
    }
    String module = f.has("module") ? f.identifier("module") : defaultModule;
    ModelEntry.Suite suite = f.has("suite") ? f.choice("suite", ModelEntry.Suite.class) : ModelEntry.Suite.DEFAULT;
    ModelEntry.Mode mode = f.has("mode") ? f.choice("mode", ModelEntry.Mode.class) : ModelEntry.Mode.BFS;
    TlcOutcome expected = readExpectation(f, where);
    boolean simulate = mode == ModelEntry.Mode.SIMULATE;
    OptionalLong states = OptionalLong.empty();
    if (simulate) {
      f.forbid("distinctStates", "simulations do not record a state count");
    } else {
      states = OptionalLong.of(f.integer("distinctStates", 1, Long.MAX_VALUE));
      for (String key : List.of("seed", "traces", "traceDepth")) {
        f.forbid(key, "only simulations take " + key);
      }
    }
    Optional<ModelEntry.Simulation> simulation = simulate
        ? Optional.of(new ModelEntry.Simulation(
            f.integer("seed", Long.MIN_VALUE, Long.MAX_VALUE),
            f.integer("traces", 1, SIMULATION_TRACES_MAX),
            (int) f.integer("traceDepth", 1, SIMULATION_DEPTH_MAX)))
        : Optional.empty();
    boolean checkDeadlock = f.has("checkDeadlock") && f.bool("checkDeadlock");
    Duration timeout = f.has("timeoutSeconds")
        ? Duration.ofSeconds(f.integer("timeoutSeconds", 1, TIMEOUT_MAX.toSeconds()))
        : TIMEOUT_DEFAULT;
    OptionalLong depth = f.has("depth") ? OptionalLong.of(f.integer("depth", 0, Long.MAX_VALUE)) : OptionalLong.empty();
    OptionalLong seconds = f.has("seconds") ? OptionalLong.of(f.integer("seconds", 0, Long.MAX_VALUE)) : OptionalLong.empty();
    List<String> unusedActions = new ArrayList<>();
    if (f.has("unusedActions")) {
      List<Object> listed = f.array("unusedActions");
      if (listed.size() > UNUSED_ACTIONS_MAX) {
        throw new ManifestException(where + ": \"unusedActions\" lists more than " + UNUSED_ACTIONS_MAX + " actions");
      }
      for (Object action : listed) {
        if (!(action instanceof String) || !Names.isIdentifier((String) action)) {
          throw new ManifestException(where + ": \"unusedActions\" must hold action names, got " + action);
        }
        if (unusedActions.contains(action)) {
          throw new ManifestException(where + ": \"unusedActions\" names " + action + " twice");
        }
        unusedActions.add((String) action);
      }
      if (!(expected instanceof TlcOutcome.Ok)) {
        throw new ManifestException(where + ": \"unusedActions\" only for models expected to pass");
      }
    }
    return new ModelEntry(name, description, config, module, suite, mode, expected, states, checkDeadlock,
        timeout, simulation, depth, seconds, unusedActions);
  }

  private static TlcOutcome readExpectation(Fields f, String where) throws ManifestException {
    String expect = f.string("expect");
    switch (expect) {
      case "ok":
        f.forbid("invariant", "only expect \"invariant\" names an invariant");
        return new TlcOutcome.Ok();
      case "invariant":
        return new TlcOutcome.InvariantViolated(f.identifier("invariant"));
      case "temporal":
        f.forbid("invariant", "only expect \"invariant\" names an invariant");
        return new TlcOutcome.TemporalViolated();
      case "deadlock":
        f.forbid("invariant", "only expect \"invariant\" names an invariant");
        return new TlcOutcome.Deadlock();
      default:
        throw new ManifestException(
            where + ": expect must be ok, invariant, temporal or deadlock, got \"" + expect + "\"");
    }
  }
}
