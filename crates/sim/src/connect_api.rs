//! The Connect API (`connectapi`): profile, FIT upload, download, scheduled
//! workouts. Every route needs `Authorization: Bearer <token>` with a live
//! legacy OAuth2 or DI access token (docs/protocol.md §6).

use serde_json::{json, Value};

use crate::http::Resp;
use crate::lock;
use crate::multipart;
use crate::random;
use crate::router::Ctx;
use crate::state::{Family, Upload};
use crate::timefmt;

fn unauthorized(why: &str) -> Resp {
    log::info!("API call refused: {why}");
    Resp::json(
        401,
        &json!({"message": "Unauthorized", "error": "invalid_token", "error_description": why}),
    )
    .header(
        "WWW-Authenticate",
        "Bearer realm=\"connectapi\", error=\"invalid_token\"",
    )
}

/// The account behind the request's bearer token.
fn authorize(ctx: &Ctx<'_>) -> Result<usize, Resp> {
    let header = ctx.req.header("authorization").unwrap_or("");
    let Some((scheme, token)) = header.trim().split_once(' ') else {
        return Err(unauthorized("no bearer token"));
    };
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(unauthorized("no bearer token"));
    }
    let now = ctx.sh.now();
    let inner = lock(&ctx.sh.inner);
    match inner.bearers.get(token.trim()) {
        Some(b) if matches!(b.family, Family::It | Family::Partner) => {
            Err(unauthorized("token not valid for this audience"))
        }
        Some(b) if b.expires_at > now => Ok(b.account),
        Some(_) => Err(unauthorized("Token is not active")),
        None => Err(unauthorized("unknown token")),
    }
}

fn malformed() -> Resp {
    Resp::new(200)
        .header("Content-Type", "application/json;charset=UTF-8")
        .body(b"{\"displayName\": \"".to_vec())
}

macro_rules! auth {
    ($ctx:expr) => {
        match authorize($ctx) {
            Ok(a) => a,
            Err(r) => return r,
        }
    };
}

/// `GET /userprofile-service/userprofile/user-settings`: the settings python-garminconnect reads
/// on every sign-in (its shape trimmed to the fields clients use).
pub(crate) fn user_settings(ctx: &Ctx<'_>) -> Resp {
    let idx = auth!(ctx);
    if ctx.malformed() {
        return malformed();
    }
    let sh = ctx.sh;
    Resp::new(200)
        .header("Content-Type", "application/json;charset=UTF-8")
        .body(
            json!({
                "id": sh.profile_id(idx),
                "userData": {
                    "gender": "MALE",
                    "weight": 75000.0,
                    "height": 180.0,
                    "timeFormat": "time_twenty_four_hr",
                    "birthDate": "1990-01-01",
                    "measurementSystem": "metric",
                    "activityLevel": null,
                    "handedness": "RIGHT",
                    "powerFormat": {"formatId": 30, "formatKey": "watt"},
                    "heartRateFormat": {"formatId": 21, "formatKey": "bpm"},
                    "firstDayOfWeek": {"dayId": 2, "dayName": "monday", "sortOrder": 2, "isPossibleFirstDay": true},
                    "vo2MaxRunning": null,
                    "vo2MaxCycling": null,
                    "lactateThresholdSpeed": null,
                    "lactateThresholdHeartRate": null,
                    "diveNumber": null,
                    "intensityMinutesCalcMethod": "AUTO",
                    "moderateIntensityMinutesHrZone": 3,
                    "vigorousIntensityMinutesHrZone": 4,
                    "hydrationMeasurementUnit": "milliliter",
                    "hydrationContainers": [],
                    "hydrationAutoGoalEnabled": true,
                    "firstbeatMaxStressScore": null,
                    "firstbeatCyclingLtTimestamp": null,
                    "firstbeatRunningLtTimestamp": null,
                    "thresholdHeartRateAutoDetected": true,
                    "ftpAutoDetected": null,
                    "trainingStatusPausedDate": null,
                    "weatherLocation": null,
                    "golfDistanceUnit": "statute_us",
                    "golfElevationUnit": null,
                    "golfSpeedUnit": null,
                    "externalBottomTime": null
                },
                "userSleep": {"sleepTime": 79200, "defaultSleepTime": false, "wakeTime": 21600, "defaultWakeTime": false},
                "connectDate": null,
                "sourceType": null
            })
            .to_string()
            .into_bytes(),
        )
}

/// `GET /userprofile-service/socialProfile`.
pub(crate) fn social_profile(ctx: &Ctx<'_>) -> Resp {
    let idx = auth!(ctx);
    if ctx.malformed() {
        return malformed();
    }
    let sh = ctx.sh;
    let a = sh.account(idx);
    let pid = sh.profile_id(idx);
    Resp::new(200)
        .header("Content-Type", "application/json;charset=UTF-8")
        .body(
            json!({
                "id": 3_154_645 + idx as u64,
                "profileId": pid,
                "garminGUID": a.guid(),
                "displayName": a.shown_display_name(),
                "fullName": a.shown_full_name(),
                "userName": a.shown_display_name(),
                "profileImageType": null,
                "profileImageUrlLarge": null,
                "profileImageUrlMedium": null,
                "profileImageUrlSmall": null,
                "location": null,
                "facebookUrl": null,
                "twitterUrl": null,
                "personalWebsite": null,
                "motivation": null,
                "bio": null,
                "primaryActivity": null,
                "favoriteActivityTypes": [],
                "runningTrainingSpeed": 0.0,
                "cyclingTrainingSpeed": 0.0,
                "favoriteCyclingActivityTypes": [],
                "cyclingClassification": null,
                "cyclingMaxAvgPower": 0.0,
                "swimmingTrainingSpeed": 0.0,
                "profileVisibility": "private",
                "activityStartVisibility": "private",
                "activityMapVisibility": "public",
                "courseVisibility": "public",
                "activityHeartRateVisibility": "public",
                "activityPowerVisibility": "public",
                "badgeVisibility": "private",
                "showAge": false,
                "showWeight": false,
                "showHeight": false,
                "userRoles": ["SCOPE_CONNECT_READ", "SCOPE_CONNECT_WRITE", "ROLE_CONNECTUSER", "ROLE_FITNESS_USER"],
                "nameApproved": true,
                "userProfileFullName": a.shown_full_name(),
                "makeGolfScorecardsPrivate": true,
                "allowGolfLiveScoring": false,
                "allowGolfScoringByConnections": true,
                "userLevel": 3,
                "userPoint": 118,
                "levelUpdateDate": "2020-12-12T15:20:38.0",
                "levelIsViewed": false,
                "levelPointThreshold": 140,
                "userPointOffset": 0,
                "userPro": false
            })
            .to_string()
            .into_bytes(),
        )
}

/// The fields of `detailedImportResult` besides successes and failures.
struct ImportMeta<'a> {
    upload_id: u64,
    uuid: &'a str,
    owner: u64,
    size: usize,
    created_ms: i64,
    file_name: &'a str,
}

fn import_result(m: &ImportMeta<'_>, successes: Value, failures: Value) -> Value {
    json!({
        "detailedImportResult": {
            "uploadId": m.upload_id,
            "uploadUuid": {"uuid": m.uuid},
            "owner": m.owner,
            "fileSize": m.size,
            "processingTime": random::range(20, 120),
            "creationDate": timefmt::garmin_gmt_millis(m.created_ms),
            "ipAddress": null,
            "fileName": m.file_name,
            "report": null,
            "successes": successes,
            "failures": failures
        }
    })
}

/// `POST /upload-service/upload` and `/upload-service/upload/{.fit|.gpx|.tcx}`:
/// multipart field `file` → 202, or 409 for content this account already uploaded.
pub(crate) fn upload(ctx: &Ctx<'_>) -> Resp {
    let idx = auth!(ctx);
    let sh = ctx.sh;
    if !sh.account(idx).upload_consent {
        // EU accounts before the upload consent in Garmin Connect (docs/protocol.md §9).
        return Resp::json(
            412,
            &json!({"message": "Precondition Failed", "error": "UploadConsentRequired"}),
        );
    }
    let ct = ctx.req.header("content-type").unwrap_or("");
    let parts = match multipart::parse(ct, &ctx.req.body) {
        Ok(p) => p,
        Err(e) => {
            return Resp::json(400, &json!({"message": format!("Bad multipart body: {e}")}));
        }
    };
    let Some(file) = parts.into_iter().find(|p| p.name == "file") else {
        return Resp::json(
            400,
            &json!({"message": "Required request part 'file' is not present"}),
        );
    };
    let file_name = file.filename.clone().unwrap_or_default();
    if ctx.malformed() {
        return Resp::new(202)
            .header("Content-Type", "application/json")
            .body(b"{\"detailedImportResult\": {\"uploadId\": ".to_vec());
    }
    let digest = {
        use sha1::{Digest, Sha1};
        Sha1::digest(&file.data).to_vec()
    };
    let created = sh.clock.now_millis();
    let uuid = random::uuid();
    let owner = sh.profile_id(idx);
    let size = file.data.len();
    let mut inner = lock(&sh.inner);
    let upload_id = inner.next_upload_id;
    inner.next_upload_id += 1;
    let meta = ImportMeta {
        upload_id,
        uuid: &uuid,
        owner,
        size,
        created_ms: created,
        file_name: &file_name,
    };
    if let Some(&existing) = inner.upload_digests.get(&(idx, digest.clone())) {
        drop(inner);
        sh.count(|c| c.duplicate_uploads += 1);
        log::info!("upload refused: duplicate activity");
        let failures = json!([{
            "internalId": existing,
            "externalId": null,
            "messages": [{"code": 202, "content": "Duplicate Activity."}]
        }]);
        return Resp::json(409, &import_result(&meta, json!([]), failures));
    }
    let activity_id = inner.next_activity_id;
    inner.next_activity_id += 1;
    inner.upload_digests.insert((idx, digest), activity_id);
    inner.uploads.push(Upload {
        upload_id,
        activity_id,
        file_name: file_name.clone(),
        bytes: file.data,
        account_email: sh.account(idx).email.clone(),
    });
    drop(inner);
    sh.count(|c| c.uploads += 1);
    let successes = json!([{"internalId": activity_id, "externalId": null, "messages": null}]);
    let location = format!(
        "{}/activity-service/activity/status/{created}/{}",
        ctx.req.origin(),
        uuid.replace('-', "")
    );
    Resp::json(202, &import_result(&meta, successes, json!([]))).header("Location", location)
}

/// `GET /download-service/files/activity/{activityId}`: a zip holding the
/// uploaded file as `{activityId}_ACTIVITY.fit` (as Garmin serves originals).
pub(crate) fn download(ctx: &Ctx<'_>, id: &str) -> Resp {
    let idx = auth!(ctx);
    let sh = ctx.sh;
    let wanted: u64 = id.parse().unwrap_or(0);
    let email = sh.account(idx).email.clone();
    let file = lock(&sh.inner)
        .uploads
        .iter()
        .find(|u| u.activity_id == wanted && u.account_email == email)
        .map(|u| u.bytes.clone());
    match file {
        None => Resp::json(404, &json!({"message": "Activity not found"})),
        Some(bytes) => Resp::new(200)
            .header("Content-Type", "application/x-zip-compressed")
            .header(
                "Content-Disposition",
                format!("attachment; filename=\"{wanted}.zip\""),
            )
            .body(zip_stored(&format!("{wanted}_ACTIVITY.fit"), &bytes)),
    }
}

fn workout_id(idx: usize) -> u64 {
    987_654_321 + idx as u64
}

fn workout_json(ctx: &Ctx<'_>, idx: usize) -> Value {
    let owner = ctx.sh.profile_id(idx);
    json!({
        "workoutId": workout_id(idx),
        "ownerId": owner,
        "workoutName": "Sim Tempo Run",
        "description": "10 min warm-up, 20 min tempo, 10 min cool-down",
        "sportType": {"sportTypeId": 1, "sportTypeKey": "running", "displayOrder": 1},
        "estimatedDurationInSecs": 2400,
        "workoutSegments": [{
            "segmentOrder": 1,
            "sportType": {"sportTypeId": 1, "sportTypeKey": "running", "displayOrder": 1},
            "workoutSteps": [
                {"type": "ExecutableStepDTO", "stepOrder": 1, "stepType": {"stepTypeId": 1, "stepTypeKey": "warmup"},
                 "endCondition": {"conditionTypeId": 2, "conditionTypeKey": "time"}, "endConditionValue": 600.0,
                 "targetType": {"workoutTargetTypeId": 1, "workoutTargetTypeKey": "no.target"}},
                {"type": "ExecutableStepDTO", "stepOrder": 2, "stepType": {"stepTypeId": 3, "stepTypeKey": "interval"},
                 "endCondition": {"conditionTypeId": 2, "conditionTypeKey": "time"}, "endConditionValue": 1200.0,
                 "targetType": {"workoutTargetTypeId": 6, "workoutTargetTypeKey": "pace.zone"},
                 "targetValueOne": 3.333, "targetValueTwo": 3.03},
                {"type": "ExecutableStepDTO", "stepOrder": 3, "stepType": {"stepTypeId": 2, "stepTypeKey": "cooldown"},
                 "endCondition": {"conditionTypeId": 2, "conditionTypeKey": "time"}, "endConditionValue": 600.0,
                 "targetType": {"workoutTargetTypeId": 1, "workoutTargetTypeKey": "no.target"}}
            ]
        }]
    })
}

/// `GET /workout-service/workout/{id}`.
pub(crate) fn workout(ctx: &Ctx<'_>, id: &str) -> Resp {
    let idx = auth!(ctx);
    if ctx.malformed() {
        return malformed();
    }
    if id.parse::<u64>().ok() != Some(workout_id(idx)) {
        return Resp::json(404, &json!({"message": "Workout not found"}));
    }
    Resp::json(200, &workout_json(ctx, idx))
}

/// `GET /workout-service/workouts`.
pub(crate) fn workouts(ctx: &Ctx<'_>) -> Resp {
    let idx = auth!(ctx);
    if ctx.malformed() {
        return malformed();
    }
    let mut w = workout_json(ctx, idx);
    if let Some(o) = w.as_object_mut() {
        o.remove("workoutSegments");
    }
    Resp::json(200, &json!([w]))
}

/// `GET /calendar-service/year/{y}/month/{m}` (month 0-based, as Garmin's):
/// one workout is scheduled for "today" on the simulator's clock.
pub(crate) fn calendar(ctx: &Ctx<'_>, year: &str, month: &str) -> Resp {
    let idx = auth!(ctx);
    if ctx.malformed() {
        return malformed();
    }
    let (Ok(y), Ok(m0)) = (year.parse::<i64>(), month.parse::<u32>()) else {
        return Resp::json(400, &json!({"message": "Bad year or month"}));
    };
    if m0 > 11 {
        return Resp::json(400, &json!({"message": "Bad year or month"}));
    }
    let m = m0 + 1;
    let first = timefmt::days_from_civil(y, m, 1);
    let next = if m == 12 {
        timefmt::days_from_civil(y + 1, 1, 1)
    } else {
        timefmt::days_from_civil(y, m + 1, 1)
    };
    let today_days = ctx.sh.now().div_euclid(86_400);
    let mut items = Vec::new();
    if (first..next).contains(&today_days) {
        items.push(json!({
            "id": 1_000_000 + idx as u64,
            "itemType": "workout",
            "workoutId": workout_id(idx),
            "title": "Sim Tempo Run",
            "date": timefmt::date(ctx.sh.now()),
            "sportTypeKey": "running",
            "isRace": false,
            "duration": null,
            "distance": null
        }));
    }
    Resp::json(
        200,
        &json!({
            "startDayOfMonth": (first + 4).rem_euclid(7),
            "numOfDaysInMonth": next - first,
            "numOfDaysInPrevMonth": 0,
            "month": m0,
            "year": y,
            "calendarItems": items
        }),
    )
}

/// CRC-32 (IEEE), for the zip container.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= b as u32;
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}

/// A zip archive with one stored (uncompressed) entry.
pub(crate) fn zip_stored(name: &str, data: &[u8]) -> Vec<u8> {
    let crc = crc32(data);
    let size = data.len() as u32;
    let n = name.len() as u16;
    let mut out = Vec::with_capacity(data.len() + 2 * name.len() + 100);
    let le16 = |o: &mut Vec<u8>, v: u16| o.extend_from_slice(&v.to_le_bytes());
    let le32 = |o: &mut Vec<u8>, v: u32| o.extend_from_slice(&v.to_le_bytes());
    // Local file header.
    le32(&mut out, 0x0403_4b50);
    le16(&mut out, 20);
    le16(&mut out, 0);
    le16(&mut out, 0);
    le16(&mut out, 0);
    le16(&mut out, 0x21);
    le32(&mut out, crc);
    le32(&mut out, size);
    le32(&mut out, size);
    le16(&mut out, n);
    le16(&mut out, 0);
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(data);
    let cd_start = out.len() as u32;
    // Central directory.
    le32(&mut out, 0x0201_4b50);
    le16(&mut out, 20);
    le16(&mut out, 20);
    le16(&mut out, 0);
    le16(&mut out, 0);
    le16(&mut out, 0);
    le16(&mut out, 0x21);
    le32(&mut out, crc);
    le32(&mut out, size);
    le32(&mut out, size);
    le16(&mut out, n);
    le16(&mut out, 0);
    le16(&mut out, 0);
    le16(&mut out, 0);
    le16(&mut out, 0);
    le32(&mut out, 0);
    le32(&mut out, 0);
    out.extend_from_slice(name.as_bytes());
    let cd_len = out.len() as u32 - cd_start;
    // End of central directory.
    le32(&mut out, 0x0605_4b50);
    le16(&mut out, 0);
    le16(&mut out, 0);
    le16(&mut out, 1);
    le16(&mut out, 1);
    le32(&mut out, cd_len);
    le32(&mut out, cd_start);
    le16(&mut out, 0);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_and_zip_layout() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        let z = zip_stored("1_ACTIVITY.fit", b"FITDATA");
        assert_eq!(&z[0..4], b"PK\x03\x04");
        let name_at = 30;
        assert_eq!(&z[name_at..name_at + 14], b"1_ACTIVITY.fit");
        assert_eq!(&z[name_at + 14..name_at + 21], b"FITDATA");
        assert_eq!(&z[z.len() - 22..z.len() - 18], b"PK\x05\x06");
    }
}
