package dev.portolan.control.schedule;

import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.BitSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A five-field cron schedule (minute hour day-of-month month day-of-week), read in the zone of the
 * time it is asked about (UTC unless a policy names a timeZone), as Kubernetes CronJobs read them:
 * lists, ranges, steps, month and weekday names, the {@code @daily} family, and
 * the day-of-month/day-of-week "or" rule when both are restricted.
 */
public final class Cron {
  private static final Map<String, String> MACROS =
      Map.of(
          "@yearly", "0 0 1 1 *", "@annually", "0 0 1 1 *", "@monthly", "0 0 1 * *",
          "@weekly", "0 0 * * 0", "@daily", "0 0 * * *", "@midnight", "0 0 * * *", "@hourly", "0 * * * *");
  private static final String[] MONTHS = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
  private static final String[] DAYS = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};
  private static final int SEARCH_DAYS = 366 * 8;

  private final String text;
  private final BitSet minutes;
  private final BitSet hours;
  private final BitSet daysOfMonth;
  private final BitSet months;
  private final BitSet daysOfWeek;
  private final boolean domRestricted;
  private final boolean dowRestricted;

  private Cron(String text, String[] f) {
    this.text = text;
    minutes = field(f[0], 0, 59, null, "minute");
    hours = field(f[1], 0, 23, null, "hour");
    daysOfMonth = field(f[2], 1, 31, null, "day of month");
    months = field(f[3], 1, 12, MONTHS, "month");
    BitSet dow = field(f[4], 0, 7, DAYS, "day of week");
    if (dow.get(7)) {
      dow.set(0);
    }
    daysOfWeek = dow;
    domRestricted = !f[2].equals("*") && !f[2].equals("?");
    dowRestricted = !f[4].equals("*") && !f[4].equals("?");
  }

  /** Parses a schedule; throws IllegalArgumentException with a message that names the bad field. */
  public static Cron parse(String text) {
    String t = text == null ? "" : text.strip();
    String expanded = MACROS.getOrDefault(t.toLowerCase(Locale.ROOT), t);
    String[] f = expanded.split("\\s+");
    if (f.length != 5) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a cron schedule: give five fields (minute hour day month weekday), like '0 3 * * *'");
    }
    return new Cron(t, f);
  }

  private static BitSet field(String spec, int min, int max, String[] names, String what) {
    BitSet set = new BitSet(max + 1);
    for (String part : spec.split(",", -1)) {
      String range = part;
      int step = 1;
      int slash = part.indexOf('/');
      if (slash >= 0) {
        range = part.substring(0, slash);
        step = number(part.substring(slash + 1), 1, max, null, what);
      }
      int from;
      int to;
      if (range.equals("*") || range.equals("?")) {
        from = min;
        to = max;
      } else if (range.contains("-")) {
        String[] ends = range.split("-", -1);
        if (ends.length != 2) {
          throw new IllegalArgumentException("bad " + what + " range '" + part + "'");
        }
        from = number(ends[0], min, max, names, what);
        to = number(ends[1], min, max, names, what);
        if (to < from) {
          throw new IllegalArgumentException("the " + what + " range '" + part + "' is reversed");
        }
      } else {
        from = number(range, min, max, names, what);
        to = slash >= 0 ? max : from;
      }
      for (int v = from; v <= to; v += step) {
        set.set(v);
      }
    }
    return set;
  }

  private static int number(String s, int min, int max, String[] names, String what) {
    String t = s.strip().toUpperCase(Locale.ROOT);
    if (names != null) {
      for (int i = 0; i < names.length; i++) {
        if (names[i].equals(t)) {
          return names == MONTHS ? i + 1 : i;
        }
      }
    }
    try {
      int v = Integer.parseInt(t);
      if (v < min || v > max) {
        throw new IllegalArgumentException("the " + what + " " + v + " is out of range " + min + "-" + max);
      }
      return v;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + s + "' is not a valid " + what);
    }
  }

  private boolean dayMatches(LocalDate d) {
    if (!months.get(d.getMonthValue())) {
      return false;
    }
    boolean dom = daysOfMonth.get(d.getDayOfMonth());
    boolean dow = daysOfWeek.get(d.getDayOfWeek() == DayOfWeek.SUNDAY ? 0 : d.getDayOfWeek().getValue());
    if (domRestricted && dowRestricted) {
      return dom || dow;
    }
    return dom && dow;
  }

  /**
   * The first time strictly after {@code after} (whole minutes, in {@code after}'s zone) the schedule
   * fires. A local time that a daylight-saving change skips is moved forward by the length of the
   * gap (02:30 becomes 03:30), as java.time moves it; a local time that occurs twice fires once, at
   * its first occurrence.
   */
  public Optional<ZonedDateTime> next(ZonedDateTime after) {
    ZoneId zone = after.getZone();
    LocalDateTime t = after.toLocalDateTime().truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
    LocalDate day = t.toLocalDate();
    for (int i = 0; i < SEARCH_DAYS; i++, day = day.plusDays(1)) {
      if (!dayMatches(day)) {
        continue;
      }
      int startHour = i == 0 ? t.getHour() : 0;
      for (int h = hours.nextSetBit(startHour); h >= 0; h = hours.nextSetBit(h + 1)) {
        int startMinute = i == 0 && h == t.getHour() ? t.getMinute() : 0;
        for (int m = minutes.nextSetBit(startMinute); m >= 0; m = minutes.nextSetBit(m + 1)) {
          ZonedDateTime fire = day.atTime(h, m).atZone(zone);
          if (fire.isAfter(after)) {
            return Optional.of(fire);
          }
        }
      }
    }
    return Optional.empty();
  }

  /** The last time at or before {@code at} (whole minutes, in {@code at}'s zone) the schedule fired. */
  public Optional<ZonedDateTime> previous(ZonedDateTime at) {
    ZoneId zone = at.getZone();
    LocalDateTime t = at.toLocalDateTime().truncatedTo(ChronoUnit.MINUTES);
    LocalDate day = t.toLocalDate();
    for (int i = 0; i < SEARCH_DAYS; i++, day = day.minusDays(1)) {
      if (!dayMatches(day)) {
        continue;
      }
      int startHour = i == 0 ? t.getHour() : 23;
      for (int h = hours.previousSetBit(startHour); h >= 0; h = hours.previousSetBit(h - 1)) {
        int startMinute = i == 0 && h == t.getHour() ? t.getMinute() : 59;
        for (int m = minutes.previousSetBit(startMinute); m >= 0; m = minutes.previousSetBit(m - 1)) {
          ZonedDateTime fire = day.atTime(h, m).atZone(zone);
          if (!fire.isAfter(at)) {
            return Optional.of(fire);
          }
        }
      }
    }
    return Optional.empty();
  }

  /**
   * The zone a policy's schedule is read in: its timeZone (an IANA name such as Europe/Berlin), or
   * UTC when it names none. Throws IllegalArgumentException, naming the field, for an unknown zone.
   */
  public static ZoneId zone(String timeZone) {
    if (timeZone == null || timeZone.isBlank()) {
      return ZoneOffset.UTC;
    }
    try {
      return ZoneId.of(timeZone);
    } catch (DateTimeException e) {
      throw new IllegalArgumentException(
          "'" + timeZone + "' is not a time zone this operator knows: give an IANA name such as Europe/Berlin or UTC");
    }
  }

  @Override
  public String toString() {
    return text;
  }
}
