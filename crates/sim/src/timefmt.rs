//! Date formatting without a date crate (UTC only).

/// (year, month 1-12, day 1-31) for days since 1970-01-01 (H. Hinnant's algorithm).
pub(crate) fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Days since 1970-01-01 for a civil date.
pub(crate) fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn split(unix: i64) -> ((i64, u32, u32), (i64, i64, i64)) {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    (
        civil_from_days(days),
        (secs / 3600, (secs % 3600) / 60, secs % 60),
    )
}

/// `2024-08-03 23:53:05.000` (Garmin's `mfa_expiration_timestamp` format).
pub(crate) fn garmin_timestamp(unix: i64) -> String {
    let ((y, mo, d), (h, mi, s)) = split(unix);
    format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}.000")
}

/// `2023-09-29 01:58:19.113 GMT` (upload `creationDate` format).
pub(crate) fn garmin_gmt_millis(unix_millis: i64) -> String {
    let ((y, mo, d), (h, mi, s)) = split(unix_millis.div_euclid(1000));
    let ms = unix_millis.rem_euclid(1000);
    format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}.{ms:03} GMT")
}

/// `2024-05-01` for a Unix time.
pub(crate) fn date(unix: i64) -> String {
    let ((y, mo, d), _) = split(unix);
    format!("{y:04}-{mo:02}-{d:02}")
}

/// RFC 7231 date for `Expires` cookie attributes.
pub(crate) fn http_date(unix: i64) -> String {
    let t = std::time::UNIX_EPOCH + std::time::Duration::from_secs(unix.max(0) as u64);
    httpdate::fmt_http_date(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(garmin_timestamp(1_722_729_185), "2024-08-03 23:53:05.000");
        assert_eq!(
            garmin_gmt_millis(1_695_952_699_113),
            "2023-09-29 01:58:19.113 GMT"
        );
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(days_from_civil(2024, 8, 3), 1_722_729_185 / 86_400);
        assert_eq!(civil_from_days(days_from_civil(2000, 2, 29)), (2000, 2, 29));
    }
}
