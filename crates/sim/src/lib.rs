//! Garmin server simulator (being written).
