import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Turns PIT's mutations.xml files into the tables of REPORT.md: one row of figures per package,
 * then every mutant that was not killed, by class, method, line and mutator.
 *
 * <p>Run from impl/ after the PIT runs:
 * {@code java mutation/PitSummary.java target/pit-reports mutation/reasons.tsv}. Each subfolder of
 * the first folder is one package's report (the execution id names it). The reasons file gives,
 * per package, class and line (and optionally mutator), why a mutant that was not killed is
 * equivalent or what is still missing; a mutant it says nothing of is marked "not analysed".
 */
public final class PitSummary {
  private static final List<String> STATUSES = List.of("KILLED", "SURVIVED", "NO_COVERAGE", "TIMED_OUT");

  public static void main(String[] args) throws Exception {
    if (args.length < 1 || args.length > 3) {
      System.err.println("usage: java mutation/PitSummary.java <folder of per-package PIT reports> [reasons.tsv]"
          + " [folder of earlier reports]");
      System.exit(2);
    }
    Path root = Path.of(args[0]);
    Map<String, String> reasons = args.length >= 2 ? reasons(Path.of(args[1])) : Map.of();
    Optional<Path> earlier = args.length == 3 ? Optional.of(Path.of(args[2])) : Optional.empty();
    List<String> nowKilled = new ArrayList<>();
    List<String> rows = new ArrayList<>();
    List<String> survivors = new ArrayList<>();
    try (var packages = Files.list(root)) {
      for (Path dir : packages.sorted().toList()) {
        Path xml = dir.resolve("mutations.xml");
        // PIT creates the file when a run starts and fills it when the run ends.
        if (!Files.isRegularFile(xml) || Files.size(xml) == 0) {
          continue;
        }
        Map<String, Integer> byStatus = new TreeMap<>();
        NodeList mutations = parse(xml);
        Map<String, String> before = new TreeMap<>();
        if (earlier.isPresent() && Files.isRegularFile(earlier.get().resolve(dir.getFileName()).resolve("mutations.xml"))) {
          NodeList old = parse(earlier.get().resolve(dir.getFileName()).resolve("mutations.xml"));
          for (int i = 0; i < old.getLength(); i++) {
            before.put(identity((Element) old.item(i)), ((Element) old.item(i)).getAttribute("status"));
          }
        }
        for (int i = 0; i < mutations.getLength(); i++) {
          Element m = (Element) mutations.item(i);
          String status = m.getAttribute("status");
          byStatus.merge(status, 1, Integer::sum);
          String was = before.getOrDefault(identity(m), "KILLED");
          if (status.equals("KILLED") && !was.equals("KILLED")) {
            nowKilled.add(String.format("| %s | %s | %s | %s | %s | %s | %s |", dir.getFileName(),
                simpleName(text(m, "mutatedClass")), text(m, "mutatedMethod"), text(m, "lineNumber"),
                text(m, "mutator").replace("org.pitest.mutationtest.engine.gregor.mutators.", ""), was,
                text(m, "killingTest").replaceAll(".*\\[class:[^\\]]*\\.([^.\\]]*)\\]/\\[method:([^(]*)\\(.*", "$1.$2")));
          }
          if (!status.equals("KILLED")) {
            String pkg = dir.getFileName().toString();
            String cls = simpleName(text(m, "mutatedClass"));
            String mutator = text(m, "mutator").replace("org.pitest.mutationtest.engine.gregor.mutators.", "");
            String line = text(m, "lineNumber");
            String reason = reasons.getOrDefault(pkg + "\t" + cls + "\t" + line + "\t" + mutator,
                reasons.getOrDefault(pkg + "\t" + cls + "\t" + line, "not analysed"));
            survivors.add(String.format("| %s | %s | %s | %s | %s | %s | %s | %s |", pkg, status, cls,
                text(m, "mutatedMethod"), line, mutator, text(m, "description"), reason));
          }
        }
        int all = mutations.getLength();
        int killed = byStatus.getOrDefault("KILLED", 0);
        // Memory errors, run errors and anything else PIT may report.
        int other = all - STATUSES.stream().mapToInt(s -> byStatus.getOrDefault(s, 0)).sum();
        // PIT's own score counts a timed-out or crashed mutant as detected; this table does not,
        // so the score here is killed / all mutants, never flattered by a slow machine.
        rows.add(String.format("| %s | %d | %d | %d | %d | %d | %d | %.1f%% |", dir.getFileName(), all, killed,
            byStatus.getOrDefault("SURVIVED", 0), byStatus.getOrDefault("NO_COVERAGE", 0),
            byStatus.getOrDefault("TIMED_OUT", 0), other, all == 0 ? 0.0 : 100.0 * killed / all));
      }
    }
    System.out.println("| package | mutants | killed | survived | no coverage | timed out | other | killed / all |");
    System.out.println("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    rows.forEach(System.out::println);
    System.out.println();
    System.out.println("| package | status | class | method | line | mutator | description | why |");
    System.out.println("| --- | --- | --- | --- | ---: | --- | --- | --- |");
    survivors.forEach(System.out::println);
    if (earlier.isPresent()) {
      System.out.println();
      System.out.println("| package | class | method | line | mutator | was | killed now by |");
      System.out.println("| --- | --- | --- | ---: | --- | --- | --- |");
      nowKilled.forEach(System.out::println);
    }
  }

  private static NodeList parse(Path xml) throws Exception {
    return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(xml.toFile()).getElementsByTagName("mutation");
  }

  /** A mutant's identity across runs of unchanged main code: where it is and what it changes. */
  private static String identity(Element m) {
    return String.join("/", text(m, "mutatedClass"), text(m, "mutatedMethod"), text(m, "methodDescription"),
        text(m, "lineNumber"), text(m, "mutator"), text(m, "indexes"), text(m, "description"));
  }

  /** Lines "package TAB class TAB line [TAB mutator] TAB reason"; '#' starts a comment line. */
  private static Map<String, String> reasons(Path file) throws java.io.IOException {
    Map<String, String> out = new TreeMap<>();
    for (String line : Files.readAllLines(file)) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      String[] f = line.split("\t");
      if (f.length < 4 || f.length > 5) {
        throw new IllegalArgumentException("reasons line needs 4 or 5 tab-separated fields: " + line);
      }
      String key = String.join("\t", java.util.Arrays.copyOf(f, f.length - 1));
      out.put(key, f[f.length - 1].replace("|", "\\|"));
    }
    return out;
  }

  private static String text(Element m, String tag) {
    return m.getElementsByTagName(tag).item(0).getTextContent().replace("|", "\\|");
  }

  private static String simpleName(String className) {
    return className.substring(className.lastIndexOf('.') + 1);
  }
}
