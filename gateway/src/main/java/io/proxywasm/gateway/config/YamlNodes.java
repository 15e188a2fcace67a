package io.proxywasm.gateway.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reading the YAML: the text into a tree, a node into a record of the configuration (fields in
 * snake_case, an unknown field refused), a {@code typed_config} checked against its {@code @type}
 * (a TypedStruct unwrapped), and scalar values such as durations. Every error names the place in
 * the YAML, for example {@code static_resources.clusters[0].connect_timeout: ...}.
 */
final class YamlNodes {
  static final Set<String> TYPED_STRUCTS =
      Set.of("udpa.type.v1.TypedStruct", "xds.type.v3.TypedStruct");

  private static final YAMLMapper MAPPER = mapper();

  private YamlNodes() {}

  /**
   * A named extension with its configuration: a network or HTTP filter, or a bootstrap extension.
   *
   * @param name the filter name
   * @param typedConfig its configuration, typed by {@code @type}
   */
  record Filter(String name, JsonNode typedConfig) {}

  private static YAMLMapper mapper() {
    YAMLMapper m = new YAMLMapper();
    m.setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
    m.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    m.enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    m.enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);
    return m;
  }

  /** Parses YAML text into a tree; the top must be a mapping. */
  static JsonNode tree(String yaml) throws ConfigException {
    JsonNode tree;
    try {
      tree = MAPPER.readTree(yaml);
    } catch (JsonProcessingException e) {
      throw new ConfigException(
          "the configuration is not valid YAML"
              + (e.getLocation() != null ? " (line " + e.getLocation().getLineNr() + ")" : "")
              + ": "
              + e.getOriginalMessage(),
          e);
    }
    if (tree == null || !tree.isObject()) {
      throw new ConfigException("the configuration is empty or not a mapping");
    }
    return tree;
  }

  /** Reads a node into a record; a wrong field or value is an error under {@code path}. */
  static <T> T convert(JsonNode node, Class<T> type, String path) throws ConfigException {
    try {
      return MAPPER.treeToValue(node, type);
    } catch (JacksonException e) {
      throw mappingError(e, path);
    }
  }

  private static ConfigException mappingError(JacksonException e, String prefix) {
    StringBuilder where = new StringBuilder(prefix);
    if (e instanceof JsonMappingException m) {
      for (JsonMappingException.Reference r : m.getPath()) {
        if (r.getFieldName() != null) {
          if (where.length() > 0) {
            where.append('.');
          }
          where.append(r.getFieldName());
        } else if (r.getIndex() >= 0) {
          where.append('[').append(r.getIndex()).append(']');
        }
      }
    }
    String at = where.length() == 0 ? "the configuration" : where.toString();
    if (e instanceof UnrecognizedPropertyException u) {
      Set<String> known = new TreeSet<>();
      Collection<Object> ids = u.getKnownPropertyIds();
      if (ids != null) {
        ids.forEach(id -> known.add(String.valueOf(id)));
      }
      return new ConfigException(
          at
              + ": unknown field"
              + (known.isEmpty() ? "" : " (supported here: " + String.join(", ", known) + ")"),
          e);
    }
    if (e instanceof MismatchedInputException mi) {
      return new ConfigException(at + ": expected " + describe(mi.getTargetType()), e);
    }
    return new ConfigException(at + ": " + e.getOriginalMessage(), e);
  }

  private static String describe(Class<?> type) {
    if (type == null) {
      return "another kind of value";
    }
    if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
      return "a number";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "true or false";
    }
    if (type == String.class) {
      return "a string";
    }
    if (List.class.isAssignableFrom(type)) {
      return "a list";
    }
    return "a mapping";
  }

  static String stripTypePrefix(String type) {
    int slash = type.lastIndexOf('/');
    return slash < 0 ? type : type.substring(slash + 1);
  }

  /**
   * Checks a typed_config's {@code @type} (unwrapping a TypedStruct) and returns its fields without
   * {@code @type}.
   */
  static ObjectNode typed(JsonNode node, String path, String expected) throws ConfigException {
    if (node == null || !node.isObject()) {
      throw new ConfigException(
          path + ": required, a mapping with \"@type\": type.googleapis.com/" + expected);
    }
    ObjectNode o = ((ObjectNode) node).deepCopy();
    JsonNode t = o.remove("@type");
    if (t == null || !t.isTextual()) {
      throw new ConfigException(path + ".@type: required (type.googleapis.com/" + expected + ")");
    }
    String type = stripTypePrefix(t.asText());
    if (TYPED_STRUCTS.contains(type)) {
      JsonNode url = o.remove("type_url");
      JsonNode value = o.remove("value");
      if (o.size() > 0) {
        throw new ConfigException(path + "." + o.fieldNames().next() + ": unknown field");
      }
      if (url == null || !url.isTextual()) {
        throw new ConfigException(path + ".type_url: required");
      }
      if (!stripTypePrefix(url.asText()).equals(expected)) {
        throw new ConfigException(
            path + ".type_url: expected type.googleapis.com/" + expected + ", not " + url.asText());
      }
      if (value == null) {
        return MAPPER.createObjectNode();
      }
      if (!value.isObject()) {
        throw new ConfigException(path + ".value: expected a mapping");
      }
      ObjectNode v = ((ObjectNode) value).deepCopy();
      v.remove("@type");
      return v;
    }
    if (!type.equals(expected)) {
      throw new ConfigException(
          path + ".@type: expected type.googleapis.com/" + expected + ", not " + t.asText());
    }
    return o;
  }

  /**
   * An extension (filter, transport socket, bootstrap extension) the gateway does not run.
   *
   * @param path the place of the extension
   * @param kind what it is, such as {@code HTTP filter}
   * @param name its name
   * @param supported the names that are supported
   * @return the error, naming {@code path.name}
   */
  static ConfigException unsupported(String path, String kind, String name, String supported) {
    return new ConfigException(
        path + ".name: unsupported " + kind + " " + name + " (supported: " + supported + ")");
  }

  /**
   * Checks a value against the supported ones.
   *
   * @param value the value, or null for the default
   * @param supported the supported values, the default first
   * @param path the place of the value
   * @return the value, or the default
   */
  static String oneOf(String value, List<String> supported, String path) throws ConfigException {
    String v = value == null ? supported.get(0) : value;
    if (!supported.contains(v)) {
      throw new ConfigException(
          path + ": " + v + " is not supported (supported: " + String.join(", ", supported) + ")");
    }
    return v;
  }

  /** A protobuf duration in seconds, such as {@code 0.25s} or {@code 15s}. */
  static Duration duration(String s, String path) throws ConfigException {
    if (!s.matches("[0-9]+(\\.[0-9]{1,9})?s")) {
      throw new ConfigException(path + ": " + s + " is not a duration such as 0.25s or 15s");
    }
    String n = s.substring(0, s.length() - 1);
    int dot = n.indexOf('.');
    long seconds = Long.parseLong(dot < 0 ? n : n.substring(0, dot));
    long nanos = 0;
    if (dot >= 0) {
      String frac = (n.substring(dot + 1) + "000000000").substring(0, 9);
      nanos = Long.parseLong(frac);
    }
    return Duration.ofSeconds(seconds, nanos);
  }

  /** An absent string as an empty one. */
  static String nz(String s) {
    return s == null ? "" : s;
  }
}
