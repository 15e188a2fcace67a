package io.proxywasm.gateway.config;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The format of {@code %START_TIME(...)%}: strftime conversions ({@code %Y %m %d %H %M %S %y %j %e
 * %b %B %a %A %p %I %T %F %D %z %Z %s}), Envoy's fractional seconds ({@code %E3S}, {@code %f} for 9
 * digits, {@code %3f}), {@code %%}, in UTC. Without a format Envoy's default, {@code
 * %Y-%m-%dT%H:%M:%E3SZ}, applies.
 */
public final class StartTimeFormat {
  /** The default: ISO 8601 in UTC with milliseconds. */
  public static final StartTimeFormat DEFAULT =
      new StartTimeFormat(
          List.of("Y", "'-", "m", "'-", "d", "'T", "H", "':", "M", "':", "E3S", "'Z"));

  private static final String CONVERSIONS = "YmdHMSyjebBaApITFDzZs";

  /** Conversions, and literal text after a quote. */
  private final List<String> pieces;

  private StartTimeFormat(List<String> pieces) {
    this.pieces = pieces;
  }

  /**
   * Parses a format.
   *
   * @param f the format
   * @param path the place of the format in the YAML
   * @return the format
   */
  static StartTimeFormat parse(String f, String path) throws ConfigException {
    List<String> pieces = new ArrayList<>();
    StringBuilder lit = new StringBuilder();
    for (int i = 0; i < f.length(); i++) {
      char c = f.charAt(i);
      if (c != '%') {
        lit.append(c);
        continue;
      }
      if (i + 1 >= f.length()) {
        throw new ConfigException(path + ": START_TIME format ends with a lone %");
      }
      char n = f.charAt(i + 1);
      String conv;
      if (n == '%') {
        lit.append('%');
        i++;
        continue;
      } else if (CONVERSIONS.indexOf(n) >= 0) {
        conv = String.valueOf(n);
        i++;
      } else if (n == 'f') {
        conv = "9f";
        i++;
      } else if (n >= '1' && n <= '9' && i + 2 < f.length() && f.charAt(i + 2) == 'f') {
        conv = n + "f";
        i += 2;
      } else if (n == 'E'
          && i + 3 < f.length()
          && f.charAt(i + 2) >= '1'
          && f.charAt(i + 2) <= '9'
          && f.charAt(i + 3) == 'S') {
        conv = "E" + f.charAt(i + 2) + "S";
        i += 3;
      } else {
        throw new ConfigException(
            path + ": unsupported conversion %" + n + " in the START_TIME format " + f);
      }
      if (lit.length() > 0) {
        pieces.add("'" + lit);
        lit.setLength(0);
      }
      pieces.add(conv);
    }
    if (lit.length() > 0) {
      pieces.add("'" + lit);
    }
    return new StartTimeFormat(List.copyOf(pieces));
  }

  /**
   * Formats a time.
   *
   * @param epochMillis milliseconds since the epoch
   * @return the text
   */
  public String format(long epochMillis) {
    ZonedDateTime t = Instant.ofEpochMilli(epochMillis).atZone(ZoneOffset.UTC);
    StringBuilder b = new StringBuilder(32);
    for (String p : pieces) {
      if (p.charAt(0) == '\'') {
        b.append(p, 1, p.length());
        continue;
      }
      switch (p) {
        case "Y" -> b.append(t.getYear());
        case "m" -> two(b, t.getMonthValue());
        case "d" -> two(b, t.getDayOfMonth());
        case "H" -> two(b, t.getHour());
        case "M" -> two(b, t.getMinute());
        case "S" -> two(b, t.getSecond());
        case "y" -> two(b, t.getYear() % 100);
        case "j" -> b.append(String.format(Locale.ROOT, "%03d", t.getDayOfYear()));
        case "e" -> b.append(t.getDayOfMonth() < 10 ? " " : "").append(t.getDayOfMonth());
        case "b" -> b.append(t.getMonth().getDisplayName(TextStyle.SHORT, Locale.US));
        case "B" -> b.append(t.getMonth().getDisplayName(TextStyle.FULL, Locale.US));
        case "a" -> b.append(t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.US));
        case "A" -> b.append(t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.US));
        case "p" -> b.append(t.getHour() < 12 ? "AM" : "PM");
        case "I" -> two(b, t.getHour() % 12 == 0 ? 12 : t.getHour() % 12);
        case "T" -> {
          two(b, t.getHour());
          b.append(':');
          two(b, t.getMinute());
          b.append(':');
          two(b, t.getSecond());
        }
        case "F" -> {
          b.append(t.getYear()).append('-');
          two(b, t.getMonthValue());
          b.append('-');
          two(b, t.getDayOfMonth());
        }
        case "D" -> {
          two(b, t.getMonthValue());
          b.append('/');
          two(b, t.getDayOfMonth());
          b.append('/');
          two(b, t.getYear() % 100);
        }
        case "z" -> b.append("+0000");
        case "Z" -> b.append("UTC");
        case "s" -> b.append(Math.floorDiv(epochMillis, 1000));
        default -> {
          // fractional seconds: %EnS (seconds then n digits) or %nf (n digits)
          int digits = p.charAt(0) == 'E' ? p.charAt(1) - '0' : p.charAt(0) - '0';
          if (p.charAt(0) == 'E') {
            two(b, t.getSecond());
            b.append('.');
          }
          String ns =
              String.format(Locale.ROOT, "%09d", Math.floorMod(epochMillis, 1000) * 1_000_000);
          b.append(ns, 0, digits);
        }
      }
    }
    return b.toString();
  }

  private static void two(StringBuilder b, int v) {
    if (v < 10) {
      b.append('0');
    }
    b.append(v);
  }
}
