package dev.bkv.modelcheck;

import dev.bkv.base.Check;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One model of a spec's manifest: which configuration to run, how, and what TLC must
 * conclude. For breadth-first models the distinct-state count is part of the expectation;
 * simulations are checked on their outcome only, since they count states differently. A
 * model expected to pass must take every action of {@code Next} except those it lists in
 * {@code unusedActions} (actions its constants switch off on purpose).
 */
public record ModelEntry(
    String name,
    String description,
    String config,
    String module,
    Suite suite,
    Mode mode,
    TlcOutcome expected,
    OptionalLong distinctStates,
    boolean checkDeadlock,
    Duration timeout,
    Optional<Simulation> simulation,
    OptionalLong recordedDepth,
    OptionalLong recordedSeconds,
    List<String> unusedActions) {

  /** Which runs include the model: the default suite runs in every build. */
  public enum Suite {
    DEFAULT,
    BIG
  }

  /** Exhaustive breadth-first search, or random simulation from a fixed seed. */
  public enum Mode {
    BFS,
    SIMULATE
  }

  /** Parameters of a simulation: the seed fixes the traces, so a run can be replayed. */
  public record Simulation(long seed, long traces, int traceDepth) {}

  public ModelEntry {
    Names.requireIdentifier(name, "model name");
    Check.that(description.length() <= Manifest.DESCRIPTION_CHARS_MAX, "model description within its limit");
    Names.requireIdentifier(module, "module");
    Check.that(Names.isConfigFile(config), "model config is a plain .cfg file name");
    Check.that(!(expected instanceof TlcOutcome.Failed), "a model never expects TLC to fail");
    Check.that((mode == Mode.SIMULATE) == simulation.isPresent(), "simulation parameters iff simulating");
    Check.that(mode == Mode.SIMULATE || distinctStates.isPresent(), "BFS models record their state count");
    unusedActions = List.copyOf(unusedActions);
    Check.that(unusedActions.size() <= Manifest.UNUSED_ACTIONS_MAX, "unusedActions within its limit");
  }

  /** Models expecting success may use several workers; the rest use one (see {@link #workers}). */
  public boolean expectsSuccess() {
    return expected instanceof TlcOutcome.Ok;
  }

  /**
   * Workers for this model given the configured count. A violation found by several workers
   * is found at a state count that varies from run to run, and simulations must replay
   * from their seed: both use one worker so the manifest's figures are reproducible.
   */
  public int workers(int configured) {
    return mode == Mode.BFS && expectsSuccess() ? configured : 1;
  }
}
