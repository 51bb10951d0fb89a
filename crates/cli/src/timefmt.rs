//! Human-readable times for status lines (UTC, no time-zone database needed).

/// `2026-11-24 18:30:00 UTC (in 23h 59m)` style, relative to `now`.
pub fn describe(unix: i64, now: i64) -> String {
    format!("{} ({})", utc(unix), relative(unix - now))
}

/// `YYYY-MM-DD HH:MM:SS UTC`.
pub fn utc(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// `in 3d 4h`, `5m ago`, `now`.
pub fn relative(delta: i64) -> String {
    if delta == 0 {
        return "now".into();
    }
    let a = delta.unsigned_abs();
    let (d, h, m, s) = (a / 86_400, a / 3600 % 24, a / 60 % 60, a % 60);
    let span = if d > 0 {
        format!("{d}d {h}h")
    } else if h > 0 {
        format!("{h}h {m}m")
    } else if m > 0 {
        format!("{m}m {s}s")
    } else {
        format!("{s}s")
    };
    if delta > 0 {
        format!("in {span}")
    } else {
        format!("{span} ago")
    }
}

// Howard Hinnant's days-to-civil algorithm: proleptic Gregorian calendar from days since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc(951_782_400), "2000-02-29 00:00:00 UTC");
        assert_eq!(utc(1_722_729_185), "2024-08-03 23:53:05 UTC");
    }

    #[test]
    fn relative_spans() {
        assert_eq!(relative(0), "now");
        assert_eq!(relative(90), "in 1m 30s");
        assert_eq!(relative(-7_200), "2h 0m ago");
        assert_eq!(relative(30 * 86_400 + 3_600), "in 30d 1h");
    }
}
