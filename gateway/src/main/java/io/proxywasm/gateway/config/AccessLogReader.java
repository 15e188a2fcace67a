package io.proxywasm.gateway.config;

import static io.proxywasm.gateway.config.YamlNodes.convert;
import static io.proxywasm.gateway.config.YamlNodes.typed;
import static io.proxywasm.gateway.config.YamlNodes.unsupported;

import com.fasterxml.jackson.databind.JsonNode;
import io.proxywasm.gateway.config.DataSources.DataSource;
import io.proxywasm.gateway.config.GatewaySpec.AccessLogSpec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code access_log} list of an HTTP connection manager or a TCP proxy: file, stdout and stderr
 * loggers, each with Envoy's default format, a format string or a format dictionary.
 */
final class AccessLogReader {
  static final String FILE_TYPE = "envoy.extensions.access_loggers.file.v3.FileAccessLog";
  static final String STDOUT_TYPE = "envoy.extensions.access_loggers.stream.v3.StdoutAccessLog";
  static final String STDERR_TYPE = "envoy.extensions.access_loggers.stream.v3.StderrAccessLog";

  /**
   * One access log.
   *
   * @param name the logger
   * @param typedConfig its configuration
   * @param filter which requests are logged (refused)
   */
  record AccessLog(String name, JsonNode typedConfig, JsonNode filter) {}

  /**
   * The file logger's configuration.
   *
   * @param path the file
   * @param logFormat the format, or null for the default one
   */
  record FileAccessLog(String path, JsonNode logFormat) {}

  /**
   * The stdout or stderr logger's configuration.
   *
   * @param logFormat the format, or null for the default one
   */
  record StreamAccessLog(JsonNode logFormat) {}

  /**
   * A format.
   *
   * @param textFormat a format string
   * @param textFormatSource a format string from a data source
   * @param jsonFormat a format dictionary
   */
  record LogFormat(String textFormat, DataSource textFormatSource, JsonNode jsonFormat) {}

  private final DataSources files;

  AccessLogReader(DataSources files) {
    this.files = files;
  }

  /**
   * Reads an access_log list.
   *
   * @param node the list, or null
   * @param path its place in the YAML
   * @return the access logs, possibly none
   */
  List<AccessLogSpec> accessLogs(JsonNode node, String path) throws ConfigException {
    if (node == null || node.isNull()) {
      return List.of();
    }
    if (!node.isArray()) {
      throw new ConfigException(path + ": expected a list");
    }
    List<AccessLogSpec> out = new ArrayList<>();
    for (int i = 0; i < node.size(); i++) {
      String p = path + "[" + i + "]";
      AccessLog a = convert(node.get(i), AccessLog.class, p);
      if (a.filter() != null) {
        throw new ConfigException(p + ".filter: access log filters are not supported");
      }
      if (a.name() == null) {
        throw new ConfigException(
            p
                + ".name: required (envoy.access_loggers.file, envoy.access_loggers.stdout or"
                + " envoy.access_loggers.stderr)");
      }
      String tp = p + ".typed_config";
      switch (a.name()) {
        case "envoy.access_loggers.file", "envoy.file_access_log" -> {
          FileAccessLog f = convert(typed(a.typedConfig(), tp, FILE_TYPE), FileAccessLog.class, tp);
          if (f.path() == null || f.path().isEmpty()) {
            throw new ConfigException(tp + ".path: required");
          }
          out.add(new AccessLogSpec(f.path(), format(f.logFormat(), tp + ".log_format"), tp));
        }
        case "envoy.access_loggers.stdout", "envoy.access_loggers.stderr" -> {
          boolean stdout = a.name().endsWith("stdout");
          StreamAccessLog s =
              convert(
                  typed(a.typedConfig(), tp, stdout ? STDOUT_TYPE : STDERR_TYPE),
                  StreamAccessLog.class,
                  tp);
          out.add(
              new AccessLogSpec(
                  stdout ? "/dev/stdout" : "/dev/stderr",
                  format(s.logFormat(), tp + ".log_format"),
                  tp));
        }
        default ->
            throw unsupported(
                p,
                "access logger",
                a.name(),
                "envoy.access_loggers.file, envoy.access_loggers.stdout,"
                    + " envoy.access_loggers.stderr");
      }
    }
    return List.copyOf(out);
  }

  private AccessLogFormat format(JsonNode node, String path) throws ConfigException {
    if (node == null || node.isNull()) {
      return new AccessLogFormat(AccessLogFormat.parse(AccessLogFormat.DEFAULT, path), null);
    }
    LogFormat f = convert(node, LogFormat.class, path);
    int set =
        (f.textFormat() != null ? 1 : 0)
            + (f.textFormatSource() != null ? 1 : 0)
            + (f.jsonFormat() != null ? 1 : 0);
    if (set != 1) {
      throw new ConfigException(
          path + ": exactly one of text_format, text_format_source, json_format is required");
    }
    if (f.textFormat() != null) {
      return new AccessLogFormat(
          AccessLogFormat.parse(f.textFormat(), path + ".text_format"), null);
    }
    if (f.textFormatSource() != null) {
      String p = path + ".text_format_source";
      String text = new String(files.data(f.textFormatSource(), p), StandardCharsets.UTF_8);
      return new AccessLogFormat(AccessLogFormat.parse(text, p), null);
    }
    if (!f.jsonFormat().isObject()) {
      throw new ConfigException(path + ".json_format: expected a mapping");
    }
    return new AccessLogFormat(null, dictionary(f.jsonFormat(), path + ".json_format"));
  }

  private static Map<String, Object> dictionary(JsonNode node, String path) throws ConfigException {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : node.properties()) {
      String p = path + "." + e.getKey();
      JsonNode v = e.getValue();
      if (v.isTextual()) {
        out.put(e.getKey(), AccessLogFormat.parse(v.asText(), p));
      } else if (v.isObject()) {
        out.put(e.getKey(), dictionary(v, p));
      } else if (v.isNumber()) {
        out.put(e.getKey(), v.numberValue());
      } else if (v.isBoolean()) {
        out.put(e.getKey(), v.booleanValue());
      } else {
        throw new ConfigException(p + ": expected a string, a mapping, a number or a boolean");
      }
    }
    return out;
  }
}
