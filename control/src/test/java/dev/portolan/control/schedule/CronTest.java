package dev.portolan.control.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("Cron")
class CronTest {

  private static ZonedDateTime utc(String text) {
    return ZonedDateTime.parse(text.endsWith("Z") ? text : text + "Z").withZoneSameInstant(ZoneOffset.UTC);
  }

  private static ZonedDateTime next(String cron, String after) {
    return Cron.parse(cron).next(utc(after)).orElseThrow();
  }

  private static ZonedDateTime previous(String cron, String at) {
    return Cron.parse(cron).previous(utc(at)).orElseThrow();
  }

  /** The next {@code n} firings after {@code from}. */
  private static List<ZonedDateTime> firings(String cron, String from, int n) {
    Cron c = Cron.parse(cron);
    List<ZonedDateTime> out = new ArrayList<>();
    ZonedDateTime t = utc(from);
    for (int i = 0; i < n; i++) {
      t = c.next(t).orElseThrow();
      out.add(t);
    }
    return out;
  }

  private static List<ZonedDateTime> times(String... texts) {
    List<ZonedDateTime> out = new ArrayList<>();
    for (String t : texts) {
      out.add(utc(t));
    }
    return out;
  }

  @Nested
  @DisplayName("next")
  class Next {
    @ParameterizedTest(name = "''{0}'' after {1} -> {2}")
    @CsvSource(
        delimiter = '|',
        quoteCharacter = '"',
        value = {
          // plain values; strictly after, whole minutes
          "0 3 * * *           | 2024-01-15T02:59:00 | 2024-01-15T03:00:00",
          "0 3 * * *           | 2024-01-15T03:00:00 | 2024-01-16T03:00:00",
          "0 3 * * *           | 2024-01-15T02:59:59.999 | 2024-01-15T03:00:00",
          "0 3 * * *           | 2024-01-15T10:00:00 | 2024-01-16T03:00:00",
          "* * * * *           | 2024-01-15T10:00:30 | 2024-01-15T10:01:00",
          // steps
          "*/15 * * * *        | 2024-01-15T10:07:00 | 2024-01-15T10:15:00",
          "*/15 * * * *        | 2024-01-15T10:45:00 | 2024-01-15T11:00:00",
          "*/15 * * * *        | 2024-01-15T23:50:00 | 2024-01-16T00:00:00",
          "5/15 * * * *        | 2024-01-15T10:50:00 | 2024-01-15T11:05:00",
          "5/15 * * * *        | 2024-01-15T10:05:00 | 2024-01-15T10:20:00",
          "0 */6 * * *         | 2024-01-15T12:00:00 | 2024-01-15T18:00:00",
          "0 9-17/4 * * *      | 2024-01-15T13:00:00 | 2024-01-15T17:00:00",
          "0 9-17/4 * * *      | 2024-01-15T17:00:00 | 2024-01-16T09:00:00",
          // ranges and lists
          "30 8,12,18 * * *    | 2024-01-15T12:30:00 | 2024-01-15T18:30:00",
          "0-4 22 * * *        | 2024-01-15T22:04:00 | 2024-01-16T22:00:00",
          "0 0 1,15 * *        | 2024-01-02T00:00:00 | 2024-01-15T00:00:00",
          "0 0 10-12 * *       | 2024-01-12T00:00:00 | 2024-02-10T00:00:00",
          "15,45 1-3 * * *     | 2024-01-15T01:45:00 | 2024-01-15T02:15:00",
          // names, any case
          "0 0 * * MON-FRI     | 2024-01-19T12:00:00 | 2024-01-22T00:00:00",
          "0 0 * * sat,sun     | 2024-01-15T00:00:00 | 2024-01-20T00:00:00",
          "0 0 1 jan,Jul *     | 2024-02-01T00:00:00 | 2024-07-01T00:00:00",
          "0 0 1 JAN-DEC/3 *   | 2024-01-01T00:00:00 | 2024-04-01T00:00:00",
          "0 0 1 JAN-DEC/3 *   | 2024-10-01T00:00:00 | 2025-01-01T00:00:00",
          // Sunday is 0 and 7
          "0 0 * * 7           | 2024-01-15T00:00:00 | 2024-01-21T00:00:00",
          "0 0 * * 0           | 2024-01-15T00:00:00 | 2024-01-21T00:00:00",
          "0 0 * * 5-7         | 2024-01-15T00:00:00 | 2024-01-19T00:00:00",
          "0 0 * * 6-7         | 2024-01-20T00:00:00 | 2024-01-21T00:00:00",
          // question mark as "any"
          "0 12 ? * FRI        | 2024-01-15T00:00:00 | 2024-01-19T12:00:00",
          "0 12 13 * ?         | 2024-01-15T00:00:00 | 2024-02-13T12:00:00",
          // macros
          "@hourly             | 2024-01-15T10:00:00 | 2024-01-15T11:00:00",
          "@daily              | 2024-01-15T10:00:00 | 2024-01-16T00:00:00",
          "@midnight           | 2024-01-15T00:00:00 | 2024-01-16T00:00:00",
          "@weekly             | 2024-01-15T10:00:00 | 2024-01-21T00:00:00",
          "@monthly            | 2024-01-15T10:00:00 | 2024-02-01T00:00:00",
          "@yearly             | 2024-01-15T10:00:00 | 2025-01-01T00:00:00",
          "@annually           | 2024-01-15T10:00:00 | 2025-01-01T00:00:00",
          "@DAILY              | 2024-01-15T10:00:00 | 2024-01-16T00:00:00",
          // year and month ends
          "59 23 31 12 *       | 2024-06-01T00:00:00 | 2024-12-31T23:59:00",
          "0 0 1 1 *           | 2024-12-31T23:59:00 | 2025-01-01T00:00:00",
          "0 0 31 * *          | 2024-01-31T01:00:00 | 2024-03-31T00:00:00",
          "0 0 31 * *          | 2024-03-31T00:00:00 | 2024-05-31T00:00:00",
          "0 0 30 * *          | 2024-01-30T00:00:00 | 2024-03-30T00:00:00"
        })
    @DisplayName("finds the first firing strictly after the given time")
    void table(String cron, String after, String expected) {
      assertThat(next(cron, after)).isEqualTo(utc(expected));
    }

    @Test
    @DisplayName("reads the schedule in the zone of the time it is given: 03:00 in Berlin is 02:00 UTC in winter")
    void zones() {
      ZoneId berlin = ZoneId.of("Europe/Berlin");
      ZonedDateTime n = Cron.parse("0 3 * * *").next(ZonedDateTime.of(2024, 1, 15, 4, 30, 0, 0, berlin)).orElseThrow();
      assertThat(n).isEqualTo(ZonedDateTime.of(2024, 1, 16, 3, 0, 0, 0, berlin));
      assertThat(n.toInstant()).isEqualTo(utc("2024-01-16T02:00:00").toInstant());
      ZonedDateTime summer = Cron.parse("0 3 * * *").next(ZonedDateTime.of(2024, 7, 15, 4, 30, 0, 0, berlin)).orElseThrow();
      assertThat(summer.toInstant()).isEqualTo(utc("2024-07-16T01:00:00").toInstant());
      ZoneId tokyo = ZoneId.of("Asia/Tokyo");
      assertThat(Cron.parse("0 3 * * *").next(ZonedDateTime.of(2024, 1, 15, 11, 0, 0, 0, tokyo)).orElseThrow().toInstant())
          .isEqualTo(utc("2024-01-15T18:00:00").toInstant());
    }

    @Test
    @DisplayName("a local time the spring change skips is moved forward by the gap, and fires once")
    void springGap() {
      ZoneId berlin = ZoneId.of("Europe/Berlin");
      // 2026-03-29: Berlin's clocks go from 02:00 to 03:00; 02:30 does not exist that day.
      ZonedDateTime n = Cron.parse("30 2 * * *").next(ZonedDateTime.of(2026, 3, 28, 12, 0, 0, 0, berlin)).orElseThrow();
      assertThat(n.toInstant()).isEqualTo(utc("2026-03-28T01:30:00").toInstant().plusSeconds(86_400));
      assertThat(n.toLocalTime()).hasToString("03:30");
      ZonedDateTime after = Cron.parse("30 2 * * *").next(n).orElseThrow();
      assertThat(after).isEqualTo(ZonedDateTime.of(2026, 3, 30, 2, 30, 0, 0, berlin));
      assertThat(Cron.parse("30 2 * * *").previous(n.plusMinutes(10)).orElseThrow()).isEqualTo(n);
      // Every quarter hour across the gap: nothing fires twice and time only moves forward.
      Cron quarter = Cron.parse("*/15 * * * *");
      ZonedDateTime t = ZonedDateTime.of(2026, 3, 29, 1, 40, 0, 0, berlin);
      List<String> utcTimes = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        t = quarter.next(t).orElseThrow();
        utcTimes.add(t.toInstant().toString());
      }
      assertThat(utcTimes).containsExactly("2026-03-29T00:45:00Z", "2026-03-29T01:00:00Z", "2026-03-29T01:15:00Z", "2026-03-29T01:30:00Z");
    }

    @Test
    @DisplayName("a local time the autumn change repeats fires once, at its first occurrence")
    void autumnOverlap() {
      ZoneId newYork = ZoneId.of("America/New_York");
      // 2026-11-01: New York's clocks go back from 02:00 EDT to 01:00 EST; 01:30 happens twice.
      Cron c = Cron.parse("30 1 * * *");
      ZonedDateTime first = c.next(ZonedDateTime.of(2026, 10, 31, 12, 0, 0, 0, newYork)).orElseThrow();
      assertThat(first.toInstant()).isEqualTo(utc("2026-11-01T05:30:00").toInstant());
      ZonedDateTime second = c.next(first).orElseThrow();
      assertThat(second.toInstant()).isEqualTo(utc("2026-11-02T06:30:00").toInstant());
      // An hour after the first 01:30 (the second 01:30, EST) the last firing is still the first one.
      assertThat(c.previous(first.plusHours(1)).orElseThrow().toInstant()).isEqualTo(first.toInstant());
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {"Europe/Berlin", "America/New_York", "UTC", "Etc/GMT+5", "Australia/Lord_Howe"})
    @DisplayName("next and previous agree in every zone across a whole year of an hourly schedule")
    void consistentAcrossTransitions(String zoneName) {
      ZoneId zone = ZoneId.of(zoneName);
      Cron c = Cron.parse("15 * * * *");
      ZonedDateTime t = ZonedDateTime.of(2026, 1, 1, 0, 0, 0, 0, zone);
      for (int i = 0; i < 24 * 366; i++) {
        ZonedDateTime n = c.next(t).orElseThrow();
        assertThat(n.toInstant()).isAfter(t.toInstant());
        assertThat(n.toInstant().getEpochSecond() - t.toInstant().getEpochSecond()).isLessThanOrEqualTo(2 * 3600L);
        assertThat(c.previous(n).orElseThrow().toInstant()).isEqualTo(n.toInstant());
        t = n;
      }
    }

    @Test
    @DisplayName("a policy's timeZone: UTC by default, an IANA name, or an error that says how to mend it")
    void policyZone() {
      assertThat(Cron.zone(null)).isEqualTo(ZoneOffset.UTC);
      assertThat(Cron.zone(" ")).isEqualTo(ZoneOffset.UTC);
      assertThat(Cron.zone("Europe/Berlin")).isEqualTo(ZoneId.of("Europe/Berlin"));
      assertThatThrownBy(() -> Cron.zone("Mars/Olympus_Mons"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'Mars/Olympus_Mons'")
          .hasMessageContaining("IANA name such as Europe/Berlin");
      assertThatThrownBy(() -> Cron.zone("+25:00")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("steps through a list of firings in order")
    void sequence() {
      assertThat(firings("0 9-17/4 * * MON-FRI", "2024-01-18T10:00:00", 6))
          .containsExactlyElementsOf(
              times(
                  "2024-01-18T13:00:00", "2024-01-18T17:00:00", "2024-01-19T09:00:00",
                  "2024-01-19T13:00:00", "2024-01-19T17:00:00", "2024-01-22T09:00:00"));
    }
  }

  @Nested
  @DisplayName("the day-of-month / day-of-week rule")
  class DayRule {
    @Test
    @DisplayName("fires on either day when both are restricted (Friday, or the 13th)")
    void either() {
      // January 2024: Fridays 5, 12, 19, 26; the 13th is a Saturday.
      assertThat(firings("0 0 13 * FRI", "2024-01-01T00:00:00", 6))
          .containsExactlyElementsOf(
              times(
                  "2024-01-05T00:00:00", "2024-01-12T00:00:00", "2024-01-13T00:00:00",
                  "2024-01-19T00:00:00", "2024-01-26T00:00:00", "2024-02-02T00:00:00"));
    }

    @Test
    @DisplayName("needs only the day of month when the day of week is *")
    void dayOfMonthOnly() {
      assertThat(firings("0 0 13 * *", "2024-01-01T00:00:00", 3))
          .containsExactlyElementsOf(times("2024-01-13T00:00:00", "2024-02-13T00:00:00", "2024-03-13T00:00:00"));
    }

    @Test
    @DisplayName("needs only the day of week when the day of month is *")
    void dayOfWeekOnly() {
      assertThat(firings("0 0 * * FRI", "2024-01-01T00:00:00", 3))
          .containsExactlyElementsOf(times("2024-01-05T00:00:00", "2024-01-12T00:00:00", "2024-01-19T00:00:00"));
    }

    @Test
    @DisplayName("treats a stepped day of month as restricted (first of the month or a Monday)")
    void steppedIsRestricted() {
      // 1-31/10 = 1, 11, 21, 31; Mondays in January 2024: 1, 8, 15, 22, 29
      assertThat(firings("0 0 1-31/10 * MON", "2023-12-31T12:00:00", 8))
          .containsExactlyElementsOf(
              times(
                  "2024-01-01T00:00:00", "2024-01-08T00:00:00", "2024-01-11T00:00:00", "2024-01-15T00:00:00",
                  "2024-01-21T00:00:00", "2024-01-22T00:00:00", "2024-01-29T00:00:00", "2024-01-31T00:00:00"));
    }

    @Test
    @DisplayName("restricts the month in both cases")
    void monthStillApplies() {
      assertThat(next("0 0 13 6 FRI", "2024-01-01T00:00:00")).isEqualTo(utc("2024-06-07T00:00:00"));
    }
  }

  @Nested
  @DisplayName("month ends and leap years")
  class Calendar {
    @Test
    @DisplayName("skips months without a 31st")
    void the31st() {
      assertThat(firings("0 0 31 * *", "2024-01-01T00:00:00", 7))
          .containsExactlyElementsOf(
              times(
                  "2024-01-31T00:00:00", "2024-03-31T00:00:00", "2024-05-31T00:00:00", "2024-07-31T00:00:00",
                  "2024-08-31T00:00:00", "2024-10-31T00:00:00", "2024-12-31T00:00:00"));
    }

    @Test
    @DisplayName("fires on 29 February only in leap years")
    void leapDay() {
      assertThat(next("0 0 29 2 *", "2023-01-01T00:00:00")).isEqualTo(utc("2024-02-29T00:00:00"));
      assertThat(next("0 0 29 2 *", "2024-03-01T00:00:00")).isEqualTo(utc("2028-02-29T00:00:00"));
    }

    @Test
    @DisplayName("knows 2100 is not a leap year")
    void century() {
      assertThat(next("0 0 29 2 *", "2096-03-01T00:00:00")).isEqualTo(utc("2104-02-29T00:00:00"));
      assertThat(previous("0 0 29 2 *", "2103-12-31T00:00:00")).isEqualTo(utc("2096-02-29T00:00:00"));
    }

    @Test
    @DisplayName("fires on the 29th of every month in a leap year, February included")
    void twentyNinth() {
      assertThat(firings("0 0 29 * *", "2024-01-30T00:00:00", 2))
          .containsExactlyElementsOf(times("2024-02-29T00:00:00", "2024-03-29T00:00:00"));
      assertThat(firings("0 0 29 * *", "2023-01-30T00:00:00", 1)).containsExactlyElementsOf(times("2023-03-29T00:00:00"));
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {"0 0 30 2 *", "0 0 31 4 *", "0 0 31 2,4,6,9,11 *"})
    @DisplayName("a schedule that can never fire parses, but has no next or previous time")
    void never(String cron) {
      Cron c = Cron.parse(cron);
      assertThat(c.next(utc("2024-01-01T00:00:00"))).isEmpty();
      assertThat(c.previous(utc("2024-01-01T00:00:00"))).isEmpty();
    }
  }

  @Nested
  @DisplayName("previous")
  class Previous {
    @ParameterizedTest(name = "''{0}'' at {1} -> {2}")
    @CsvSource(
        delimiter = '|',
        quoteCharacter = '"',
        value = {
          "0 3 * * *           | 2024-01-15T03:00:00 | 2024-01-15T03:00:00",
          "0 3 * * *           | 2024-01-15T03:00:59 | 2024-01-15T03:00:00",
          "0 3 * * *           | 2024-01-15T02:59:59 | 2024-01-14T03:00:00",
          "*/15 * * * *        | 2024-01-15T10:14:00 | 2024-01-15T10:00:00",
          "*/15 * * * *        | 2024-01-15T00:05:00 | 2024-01-15T00:00:00",
          "*/15 * * * *        | 2024-01-15T00:00:00 | 2024-01-15T00:00:00",
          "5/15 * * * *        | 2024-01-15T10:04:00 | 2024-01-15T09:50:00",
          "30 8,12,18 * * *    | 2024-01-15T08:29:00 | 2024-01-14T18:30:00",
          "0 0 * * MON-FRI     | 2024-01-21T12:00:00 | 2024-01-19T00:00:00",
          "0 0 13 * FRI        | 2024-01-18T00:00:00 | 2024-01-13T00:00:00",
          "0 0 31 * *          | 2024-04-15T00:00:00 | 2024-03-31T00:00:00",
          "0 0 29 2 *          | 2027-06-01T00:00:00 | 2024-02-29T00:00:00",
          "0 0 1 1 *           | 2024-12-31T23:59:00 | 2024-01-01T00:00:00",
          "@weekly             | 2024-01-20T23:59:00 | 2024-01-14T00:00:00",
          "@monthly            | 2024-03-01T00:00:00 | 2024-03-01T00:00:00"
        })
    @DisplayName("finds the last firing at or before the given time")
    void table(String cron, String at, String expected) {
      assertThat(previous(cron, at)).isEqualTo(utc(expected));
    }
  }

  @Nested
  @DisplayName("next and previous agree")
  class Consistency {
    @ParameterizedTest(name = "''{0}''")
    @ValueSource(
        strings = {
          "0 3 * * *", "*/7 * * * *", "5/15 9-17 * * MON-FRI", "0 0 13 * FRI", "0 0 31 * *", "0 0 29 2 *",
          "30 2 1-7 * SUN", "@hourly", "59 23 31 12 *"
        })
    @DisplayName("no firing lies between a time and its next firing, and each firing is its own previous")
    void agree(String cron) {
      Cron c = Cron.parse(cron);
      ZonedDateTime t = utc("2023-12-30T22:17:00");
      for (int i = 0; i < 60; i++) {
        ZonedDateTime n = c.next(t).orElseThrow();
        assertThat(n).isAfter(t);
        assertThat(c.previous(n)).contains(n);
        assertThat(c.previous(n.minusMinutes(1)).orElseThrow()).isBeforeOrEqualTo(t);
        t = n;
      }
    }
  }

  @Nested
  @DisplayName("parse errors")
  class Errors {
    @ParameterizedTest(name = "''{0}'' -> ''{1}''")
    @CsvSource(
        delimiter = '|',
        quoteCharacter = '"',
        value = {
          "60 * * * *          | the minute 60 is out of range 0-59",
          "* 24 * * *          | the hour 24 is out of range 0-23",
          "* * 0 * *           | the day of month 0 is out of range 1-31",
          "* * 32 * *          | the day of month 32 is out of range 1-31",
          "* * * 0 *           | the month 0 is out of range 1-12",
          "* * * 13 *          | the month 13 is out of range 1-12",
          "* * * * 8           | the day of week 8 is out of range 0-7",
          "* * * FOO *         | 'FOO' is not a valid month",
          "* * * * FUN         | 'FUN' is not a valid day of week",
          "* * * * MON-SUN     | the day of week range 'MON-SUN' is reversed",
          "5-1 * * * *         | the minute range '5-1' is reversed",
          "*/0 * * * *         | minute",
          "*/x * * * *         | 'x' is not a valid minute",
          "0 */y * * *         | 'y' is not a valid hour",
          "1-2-3 * * * *       | bad minute range '1-2-3'",
          "1,,2 * * * *        | not a valid minute",
          "-5 * * * *          | minute",
          "0 0 1-x * *         | 'x' is not a valid day of month",
          "0 0 * JAN-FOO *     | 'FOO' is not a valid month",
          "0 0 * * */MON       | 'MON' is not a valid day of week"
        })
    @DisplayName("a bad field is named in the message")
    void badField(String cron, String message) {
      assertThatThrownBy(() -> Cron.parse(cron)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {"", "   ", "* * * *", "* * * * * *", "0 3 * * * 2024", "@every 5m", "@fortnightly", "daily"})
    @DisplayName("anything but five fields or a known macro asks for five fields, quoting the input")
    void wrongFieldCount(String cron) {
      assertThatThrownBy(() -> Cron.parse(cron))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'" + cron + "'")
          .hasMessageContaining("five fields");
    }

    @Test
    @DisplayName("a missing schedule asks for five fields too")
    void nullText() {
      assertThatThrownBy(() -> Cron.parse(null)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("five fields");
    }
  }

  @Test
  @DisplayName("accepts any whitespace between fields and prints the schedule as written")
  void whitespace() {
    Cron c = Cron.parse("  0\t3  *   * *  ");
    assertThat(c.next(utc("2024-01-15T00:00:00"))).contains(utc("2024-01-15T03:00:00"));
    assertThat(c).hasToString("0\t3  *   * *");
    assertThat(Cron.parse("@daily")).hasToString("@daily");
  }
}
