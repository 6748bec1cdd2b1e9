package dev.trailmark.audit.internal.rules;

import dev.trailmark.audit.rules.Condition;
import dev.trailmark.common.yaml.YamlFields;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads and validates rule files. Every problem is a {@link RuleFileException} naming the file and
 * the field, raised at load time so a bad rule never reaches an event.
 */
public final class RuleLoader {
  /** The tag key that exempts a resource when a rule names none. */
  public static final String DEFAULT_EXEMPTION_TAG = "trailmark:audit-exempt-until";

  private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]{1,63}");
  private static final Pattern RESOURCE_TYPE = Pattern.compile("AWS::[A-Za-z0-9]+::[A-Za-z0-9]+");
  private static final Set<String> TOP =
      Set.of(
          "id",
          "title",
          "description",
          "severity",
          "resourceType",
          "triggers",
          "condition",
          "remediation",
          "exemptions");

  private final Set<String> knownActions;
  private final Map<String, String> actionResourceTypes;

  /**
   * A loader accepting these remediation actions (name to the resource type each acts on) besides
   * {@code notify-only}; a rule whose action fixes another resource type is refused.
   */
  public RuleLoader(Map<String, String> actionResourceTypes) {
    Set<String> names = new LinkedHashSet<>(actionResourceTypes.keySet());
    names.add(Rule.NOTIFY_ONLY);
    this.knownActions = Set.copyOf(names);
    this.actionResourceTypes = Map.copyOf(actionResourceTypes);
  }

  /** Loads every {@code *.yaml}/{@code *.yml} file of a directory, sorted by name. */
  public RuleSet loadDirectory(Path dir) throws IOException {
    List<Path> files;
    try (Stream<Path> list = Files.list(dir)) {
      files =
          list.filter(
                  p -> {
                    String n = p.getFileName().toString();
                    return n.endsWith(".yaml") || n.endsWith(".yml");
                  })
              .sorted()
              .toList();
    }
    if (files.isEmpty()) {
      throw new RuleFileException(dir.toString(), "", "no rule files (*.yaml) in this directory");
    }
    List<Rule> rules = new ArrayList<>();
    for (Path file : files) {
      rules.add(load(file.toString(), Files.readString(file, StandardCharsets.UTF_8)));
    }
    return new RuleSet(rules);
  }

  /** Loads the rules shipped inside this module (the files of {@code audit-rules/rules/}). */
  public RuleSet loadBuiltIn() {
    URL marker = RuleLoader.class.getResource("/trailmark-rules/");
    if (marker == null) {
      throw new IllegalStateException("built-in rules missing from the classpath");
    }
    try {
      URI uri = marker.toURI();
      if ("jar".equals(uri.getScheme())) {
        // Inside a jar: open it as a file system; it may already be open from an earlier load.
        FileSystem fs;
        try {
          fs = FileSystems.newFileSystem(uri, Map.of());
        } catch (FileSystemAlreadyExistsException e) {
          fs = FileSystems.getFileSystem(uri);
        }
        return loadDirectory(fs.getPath("/trailmark-rules"));
      }
      return loadDirectory(Path.of(uri));
    } catch (URISyntaxException | IOException e) {
      throw new IllegalStateException("cannot read built-in rules from " + marker, e);
    }
  }

  /** Parses one rule file's text; {@code file} names it in errors. */
  public Rule load(String file, String yamlText) {
    Object root;
    try (Reader reader = new StringReader(yamlText)) {
      root = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
    } catch (YAMLException | IOException e) {
      throw new RuleFileException(file, "", "not valid YAML: " + firstLine(e.getMessage()));
    }
    if (!(root instanceof Map)) {
      throw new RuleFileException(file, "", "must be a YAML map of rule fields");
    }
    Fields top = new Fields(file, "", (Map<?, ?>) root, TOP);
    String id = top.string("id", true);
    if (!ID.matcher(id).matches()) {
      throw top.error("id", "must be 2-64 of [a-z0-9-], starting with a letter or digit");
    }
    String fileName = file.substring(file.lastIndexOf('/') + 1);
    String stem = fileName.replaceFirst("\\.ya?ml$", "");
    if (!stem.equals(id)) {
      throw top.error("id", "must equal the file name without .yaml ('" + stem + "')");
    }
    String title = top.string("title", true);
    String description = top.string("description", false);
    String severityText = top.string("severity", true);
    Severity severity = Severity.parse(severityText);
    if (severity == null) {
      throw top.error(
          "severity", "'" + severityText + "' is not one of info, low, medium, high, critical");
    }
    String resourceType = top.string("resourceType", true);
    if (!RESOURCE_TYPE.matcher(resourceType).matches()) {
      throw top.error("resourceType", "must be an AWS Config type like AWS::EC2::SecurityGroup");
    }

    Fields triggers = top.map("triggers", true, Set.of("configChange", "periodic", "cloudTrail"));
    boolean configChange = triggers.bool("configChange", false);
    boolean periodic = triggers.bool("periodic", false);
    Fields cloudTrail = triggers.map("cloudTrail", false, Set.of("eventSource", "eventNames"));
    String eventSource = "";
    Set<String> eventNames = Set.of();
    if (cloudTrail != null) {
      eventSource = cloudTrail.string("eventSource", true);
      if (!eventSource.endsWith(".amazonaws.com")) {
        throw cloudTrail.error("eventSource", "must be a service host like ec2.amazonaws.com");
      }
      eventNames = new LinkedHashSet<>(cloudTrail.strings("eventNames", true));
    }
    if (!configChange && !periodic && cloudTrail == null) {
      throw triggers.error("", "needs at least one of configChange, periodic, cloudTrail");
    }

    Conditions conditions = new Conditions(file);
    Fields condition = top.map("condition", true, Set.of("configItem", "cloudTrailEvent"));
    Condition configApplies = null;
    Condition configViolates = null;
    Fields configItem =
        condition.map(
            "configItem", configChange || periodic, Set.of("appliesWhen", "violatesWhen"));
    if (configItem != null) {
      configApplies = configItem.condition(conditions, "appliesWhen", false);
      configViolates = configItem.condition(conditions, "violatesWhen", true);
      if (!configChange && !periodic) {
        throw condition.error(
            "configItem", "given, but triggers has neither configChange nor periodic");
      }
    }
    Condition eventApplies = null;
    Condition eventViolates = null;
    List<ValueTemplate> resourceIdPaths = new ArrayList<>();
    Fields event =
        condition.map(
            "cloudTrailEvent",
            cloudTrail != null,
            Set.of("appliesWhen", "violatesWhen", "resourceId"));
    if (event != null) {
      if (cloudTrail == null) {
        throw condition.error("cloudTrailEvent", "given, but triggers has no cloudTrail");
      }
      eventApplies = event.condition(conditions, "appliesWhen", false);
      eventViolates = event.condition(conditions, "violatesWhen", false);
      for (String p : event.strings("resourceId", true)) {
        try {
          resourceIdPaths.add(ValueTemplate.compile(p));
        } catch (IllegalArgumentException e) {
          throw event.error("resourceId", e.getMessage());
        }
      }
    }

    Fields remediation = top.map("remediation", true, Set.of("action", "dryRun", "params"));
    String action = remediation.string("action", true);
    if (!knownActions.contains(action)) {
      throw remediation.error("action", "unknown action '" + action + "'; known: " + knownActions);
    }
    String fixes = actionResourceTypes.get(action);
    if (fixes != null && !fixes.equals(resourceType)) {
      throw remediation.error("action", action + " acts on " + fixes + ", not on " + resourceType);
    }
    boolean dryRun = remediation.bool("dryRun", false);
    Map<String, Object> params = remediation.plainMap("params");

    Fields exemptions = top.map("exemptions", false, Set.of("tag", "resourceIds"));
    String exemptionTag = DEFAULT_EXEMPTION_TAG;
    Set<String> exemptIds = Set.of();
    if (exemptions != null) {
      String tag = exemptions.string("tag", false);
      if (!tag.isEmpty()) {
        exemptionTag = tag;
      }
      exemptIds = new LinkedHashSet<>(exemptions.strings("resourceIds", false));
    }
    return new Rule(
        id,
        title,
        description,
        severity,
        resourceType,
        configChange,
        periodic,
        eventSource,
        eventNames,
        configApplies,
        configViolates,
        eventApplies,
        eventViolates,
        resourceIdPaths,
        action,
        dryRun,
        params,
        exemptionTag,
        exemptIds,
        file);
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable";
    }
    return message.replace('\n', ' ').trim();
  }

  /** A map of fields at a dotted position in one file; every accessor names the field on error. */
  private static final class Fields extends YamlFields {
    private final String file;
    private final String prefix;

    Fields(String file, String prefix, Map<?, ?> map, Set<String> allowed) {
      super(map);
      this.file = file;
      this.prefix = prefix;
      for (Object key : map.keySet()) {
        if (!allowed.contains(String.valueOf(key))) {
          throw error(String.valueOf(key), "unknown field; allowed here: " + allowed);
        }
      }
    }

    @Override
    protected RuleFileException error(String field, String problem) {
      String name = prefix.isEmpty() ? field : field.isEmpty() ? prefix : prefix + "." + field;
      return new RuleFileException(file, name, problem);
    }

    String string(String key, boolean required) {
      return string(key, required, "");
    }

    Fields map(String key, boolean required, Set<String> allowed) {
      Object value = value(key, required);
      if (value == null) {
        return null;
      }
      if (!(value instanceof Map)) {
        throw error(key, "must be a map, got " + Conditions.describe(value));
      }
      String name = prefix.isEmpty() ? key : prefix + "." + key;
      return new Fields(file, name, (Map<?, ?>) value, allowed);
    }

    Map<String, Object> plainMap(String key) {
      Object value = map.get(key);
      if (value == null) {
        return Map.of();
      }
      if (!(value instanceof Map)) {
        throw error(key, "must be a map, got " + Conditions.describe(value));
      }
      Map<String, Object> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
        if (e.getValue() == null) {
          throw error(key + "." + e.getKey(), "has no value");
        }
        out.put(String.valueOf(e.getKey()), e.getValue());
      }
      return out;
    }

    Condition condition(Conditions conditions, String key, boolean required) {
      Object value = value(key, required);
      if (value == null) {
        return null;
      }
      String name = prefix.isEmpty() ? key : prefix + "." + key;
      return conditions.compile(value, name);
    }
  }
}
