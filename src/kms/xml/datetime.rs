//! `xsd:dateTime` to and from Unix seconds (the `Time`, `ValidFrom` and `ValidTo` elements of
//! TS 33.180 D.2.2, D.3.1, D.3.2.2, D.3.3.2). Computed here with the proleptic Gregorian
//! calendar (days from civil date and back), no crate needed.

use super::XmlError;
use super::value::trim_xml;

const SECONDS_PER_DAY: i64 = 86_400;
/// Days from 0000-03-01 to 1970-01-01 in the proleptic Gregorian calendar.
const UNIX_EPOCH_DAYS: i64 = 719_468;
/// Days in 400 Gregorian years.
const DAYS_PER_ERA: i64 = 146_097;

/// 1900-01-01T00:00:00Z and 10000-01-01T00:00:00Z in Unix seconds: the UTC instants whose
/// year [`parse_datetime`] reads with a `Z`.
const FIRST_OF_1900: i64 = -2_208_988_800;
const FIRST_OF_10000: i64 = 253_402_300_800;
/// The largest time zone offset of `xsd:dateTime`, 14:00.
const MAX_OFFSET_S: i64 = 14 * 3600;

/// Formats Unix seconds as `xsd:dateTime`, whole seconds: in UTC with a `Z`
/// (`2021-05-17T13:25:16Z`) for years 1900..=9999; just outside them, the same instant with
/// the offset (+14:00 before 1900, -14:00 after 9999) that brings its date into those years.
/// So every time [`parse_datetime`] returns is written as text it reads back to the same
/// time (`1900-01-01T00:00:00+14:00`, `9999-12-31T24:00:00Z` included).
///
/// Any `i64` is accepted. Times no offset brings into 1900..=9999 are written with a sign or
/// more digits, as `xsd:dateTime` allows; [`parse_datetime`] refuses them.
pub fn format_datetime(unix_s: i64) -> String {
    let (local, zone) = if (FIRST_OF_1900 - MAX_OFFSET_S..FIRST_OF_1900).contains(&unix_s) {
        (unix_s + MAX_OFFSET_S, "+14:00")
    } else if (FIRST_OF_10000..FIRST_OF_10000 + MAX_OFFSET_S).contains(&unix_s) {
        (unix_s - MAX_OFFSET_S, "-14:00")
    } else {
        (unix_s, "Z")
    };
    let days = local.div_euclid(SECONDS_PER_DAY);
    let seconds = local.rem_euclid(SECONDS_PER_DAY);
    let (year, month, day) = civil_from_days(days);
    let sign = if year < 0 { "-" } else { "" };
    format!(
        "{sign}{:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}{zone}",
        year.unsigned_abs(),
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60
    )
}

/// Reads an `xsd:dateTime`, `YYYY-MM-DDThh:mm:ss[.fraction][Z|(+|-)hh:mm]`, as Unix seconds.
///
/// - Surrounding XML white space is ignored.
/// - No time zone means UTC (real KMSs send local-free times such as `2021-05-10T11:23:02`).
/// - A fraction of a second is dropped (the time is rounded down to the whole second).
/// - Years must have four digits, 1900..=9999; `24:00:00` is the end of the day; there are no
///   leap seconds; a time-zone offset is at most 14:00.
///
/// # Errors
/// [`XmlError::BadValue`] with element `"dateTime"` and the reason.
pub fn parse_datetime(text: &str) -> Result<i64, XmlError> {
    parse_datetime_in(text, "dateTime")
}

/// [`parse_datetime`] with the element named in the error.
pub(super) fn parse_datetime_in(text: &str, element: &'static str) -> Result<i64, XmlError> {
    let bad = |reason| XmlError::BadValue { element, reason };
    let mut s = Scanner {
        rest: trim_xml(text).as_bytes(),
    };
    let syntax = || bad("not an xsd:dateTime");

    let year_digits = s.rest.iter().take_while(|b| b.is_ascii_digit()).count();
    if year_digits != 4 {
        return Err(if year_digits > 4 || s.rest.first() == Some(&b'-') {
            bad("year outside 1900..=9999")
        } else {
            syntax()
        });
    }
    let year = s.digits(4).ok_or_else(syntax)?;
    s.expect(b'-').ok_or_else(syntax)?;
    let month = s.digits(2).ok_or_else(syntax)?;
    s.expect(b'-').ok_or_else(syntax)?;
    let day = s.digits(2).ok_or_else(syntax)?;
    s.expect(b'T').ok_or_else(syntax)?;
    let hour = s.digits(2).ok_or_else(syntax)?;
    s.expect(b':').ok_or_else(syntax)?;
    let minute = s.digits(2).ok_or_else(syntax)?;
    s.expect(b':').ok_or_else(syntax)?;
    let second = s.digits(2).ok_or_else(syntax)?;
    let mut fraction_zero = true;
    if s.expect(b'.').is_some() {
        let n = s.rest.iter().take_while(|b| b.is_ascii_digit()).count();
        if n == 0 {
            return Err(syntax());
        }
        fraction_zero = s.rest[..n].iter().all(|&b| b == b'0');
        s.rest = &s.rest[n..];
    }
    let offset = match s.rest.first() {
        None => 0,
        Some(b'Z') => {
            s.rest = &s.rest[1..];
            0
        }
        Some(&sign @ (b'+' | b'-')) => {
            s.rest = &s.rest[1..];
            let tz_hour = s.digits(2).ok_or_else(syntax)?;
            s.expect(b':').ok_or_else(syntax)?;
            let tz_minute = s.digits(2).ok_or_else(syntax)?;
            if tz_minute > 59 || tz_hour > 14 || (tz_hour == 14 && tz_minute != 0) {
                return Err(bad("time zone offset out of range"));
            }
            let magnitude = tz_hour * 3600 + tz_minute * 60;
            if sign == b'-' { -magnitude } else { magnitude }
        }
        Some(_) => return Err(syntax()),
    };
    if !s.rest.is_empty() {
        return Err(syntax());
    }

    if !(1900..=9999).contains(&year) {
        return Err(bad("year outside 1900..=9999"));
    }
    if !(1..=12).contains(&month) {
        return Err(bad("month out of range"));
    }
    if day < 1 || day > days_in_month(year, month) {
        return Err(bad("day out of range"));
    }
    let end_of_day = hour == 24 && minute == 0 && second == 0 && fraction_zero;
    if (hour > 23 && !end_of_day) || minute > 59 || second > 59 {
        return Err(bad("time of day out of range"));
    }
    let days = days_from_civil(year, month, day);
    Ok(days * SECONDS_PER_DAY + hour * 3600 + minute * 60 + second - offset)
}

/// A cursor over ASCII octets.
struct Scanner<'a> {
    rest: &'a [u8],
}

impl Scanner<'_> {
    /// Exactly `n` decimal digits.
    fn digits(&mut self, n: usize) -> Option<i64> {
        let head = self.rest.get(..n)?;
        if !head.iter().all(u8::is_ascii_digit) {
            return None;
        }
        self.rest = &self.rest[n..];
        Some(
            head.iter()
                .fold(0, |acc, &b| acc * 10 + i64::from(b - b'0')),
        )
    }

    /// One given octet.
    fn expect(&mut self, octet: u8) -> Option<()> {
        let (&first, rest) = self.rest.split_first()?;
        (first == octet).then(|| self.rest = rest)
    }
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (month 1..=12, day 1..=31).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    // Years start in March so that the leap day is the last day of the year.
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * DAYS_PER_ERA + day_of_era - UNIX_EPOCH_DAYS
}

/// The proleptic Gregorian date (year, month 1..=12, day 1..=31) of a day count since
/// 1970-01-01. Does not overflow for any `i64 / 86400`.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + UNIX_EPOCH_DAYS;
    let era = z.div_euclid(DAYS_PER_ERA);
    let day_of_era = z - era * DAYS_PER_ERA;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whatever the parser reads, the formatter writes so that the parser reads it back: the
    /// extremes (`1900-01-01T00:00:00+14:00` was written as year 1899, `9999-12-31T24:00:00`
    /// as year 10000, both refused) and a sweep across the range.
    #[test]
    fn emitted_times_parse_back() {
        let extremes = [
            "1900-01-01T00:00:00+14:00",
            "1900-01-01T00:00:00Z",
            "1900-01-01T13:59:59+14:00",
            "9999-12-31T24:00:00",
            "9999-12-31T23:59:59-14:00",
            "9999-12-31T23:59:59Z",
            "1970-01-01T00:00:00Z",
        ];
        for text in extremes {
            let t = parse_datetime(text).unwrap();
            let written = format_datetime(t);
            assert_eq!(
                parse_datetime(&written),
                Ok(t),
                "{text} written as {written}"
            );
        }
        let first = parse_datetime("1900-01-01T00:00:00+14:00").unwrap();
        let last = parse_datetime("9999-12-31T23:59:59-14:00").unwrap();
        for t in (first..=last).step_by(7_777_777).chain([first, last]) {
            let written = format_datetime(t);
            assert_eq!(parse_datetime(&written), Ok(t), "{t} written as {written}");
        }
        // Just outside what the parser reads, the text is refused, as before.
        assert!(parse_datetime(&format_datetime(first - 1)).is_err());
        assert!(parse_datetime(&format_datetime(last + 1)).is_err());
    }

    #[test]
    fn civil_round_trip() {
        for days in (-800_000..3_000_000).step_by(97) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
    }

    #[test]
    fn extremes_do_not_panic() {
        for t in [i64::MIN, i64::MIN + 1, -1, 0, i64::MAX] {
            let _ = format_datetime(t);
        }
        assert_eq!(format_datetime(-62_198_755_200), "-0001-01-01T00:00:00Z");
    }
}
